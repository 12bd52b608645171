//! The real `activator.exe` under Wine on each kind of PC a campus has: Windows 10 and 11
//! in the editions the campus licence does and does not cover (Wine made to report the
//! build and `EditionID`), and Office 2019, LTSC 2021 and LTSC 2024 with Project and
//! Visio, beside fake `slmgr.vbs` / `OSPP.VBS` printing real output formats, against a KMS
//! listener and a report receiver on 127.0.0.1.

use std::fs;

use e2e::fakes::{
    CALLS, FakeSlmgr, SLMGR, SLMGR_CALLS, activator_toml, fake_ospp, fake_slmgr, ospp_fixture,
    slmgr_fixture,
};
use e2e::stand_ins::{KmsListener, ReportReceiver};
use e2e::wine::{ACTIVATOR as EXE, WinePrefix};

const OSPP: &str = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";

/// Windows 10 and 11 Education and Enterprise (and N), and LTSC 2021.
const CAMPUS_WINDOWS: [&str; 5] = [
    "windows-11-education",
    "windows-11-enterprise",
    "windows-11-enterprise-n",
    "windows-10-enterprise",
    "windows-10-enterprise-ltsc-2021",
];

/// One run: what the console said, the exit code, the script calls and the report.
struct Ran {
    code: i32,
    stdout: String,
    calls: String,
    reports: Vec<serde_json::Value>,
}

fn run(prefix: &WinePrefix, portal: &ReportReceiver, calls: &str, args: &[&str]) -> Ran {
    let mut all = vec!["--no-pause", "--lang", "en"];
    all.extend_from_slice(args);
    let output = prefix.run(EXE, &all, &[]);
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        calls: fs::read_to_string(prefix.unix_path(calls)).unwrap_or_default(),
        reports: portal.reports(),
    }
}

#[test]
fn windows_editions_get_their_own_key_or_a_plain_refusal() {
    struct Case {
        build: u32,
        edition: &'static str,
        dlv: &'static str,
        upgrade: bool,
        code: i32,
        ipk: Option<&'static str>,
        says: &'static str,
    }
    let cases = [
        Case {
            build: 22631,
            edition: "Education",
            dlv: "dlv-education-kms.en.txt",
            upgrade: false,
            code: 0,
            ipk: None,
            says: "Windows 11 Education",
        },
        Case {
            build: 22631,
            edition: "Enterprise",
            dlv: "dlv-professional-retail.en.txt",
            upgrade: false,
            code: 0,
            ipk: Some("NPPR9-FWDCX-D2C8J-H872K-2YT43"),
            says: "Windows 11 Enterprise",
        },
        Case {
            build: 22631,
            edition: "EnterpriseN",
            dlv: "dlv-enterprisen-mak.en.txt",
            upgrade: false,
            code: 0,
            ipk: Some("DPH2V-TTNVB-4X9Q3-TJR4H-KHJW4"),
            says: "Windows 11 Enterprise N",
        },
        Case {
            build: 19044,
            edition: "EnterpriseS",
            dlv: "dlv-enterprises-kms.en.txt",
            upgrade: false,
            code: 0,
            ipk: None,
            says: "Windows 10 Enterprise LTSC 2021",
        },
        Case {
            build: 19045,
            edition: "Professional",
            dlv: "dlv-professional-retail.en.txt",
            upgrade: false,
            code: 4,
            ipk: None,
            says: "does not cover this PC's Windows edition",
        },
        Case {
            build: 22631,
            edition: "Professional",
            dlv: "dlv-professional-retail.en.txt",
            upgrade: true,
            code: 0,
            ipk: Some("NW6C2-QMPVW-D7KKK-3GKT6-VCFB2"),
            says: "upgrading this PC's Windows edition",
        },
        Case {
            build: 22631,
            edition: "EnterpriseEval",
            dlv: "dlv-enterprise-eval.en.txt",
            upgrade: false,
            code: 4,
            ipk: None,
            says: "Evaluation edition",
        },
    ];
    let kms = KmsListener::start();
    for case in cases {
        let portal = ReportReceiver::start();
        let mut settings = activator_toml(
            "windows-campus",
            &CAMPUS_WINDOWS,
            &portal.base_url(),
            kms.port(),
        );
        if case.upgrade {
            settings = settings.replace("edition_upgrade = false", "edition_upgrade = true");
        }
        let prefix = WinePrefix::with_activator(&settings);
        prefix.set_windows(case.build, case.edition);
        let after = match case.edition {
            "EnterpriseN" => "dlv-enterprisen-licensed.en.txt",
            "EnterpriseS" => "dlv-enterprises-licensed.en.txt",
            "Enterprise" => "dlv-enterprise-licensed.en.txt",
            _ => "dlv-education-licensed.en.txt",
        };
        let fake = fake_slmgr(&FakeSlmgr {
            dlv: &slmgr_fixture(case.dlv),
            ato: &slmgr_fixture("ato-success.en.txt"),
            ato_status: 0,
            dlv_after: &slmgr_fixture(after),
        });
        prefix.install_file(SLMGR, fake.as_bytes());
        let args: &[&str] = if case.upgrade {
            &["--upgrade-edition"]
        } else {
            &[]
        };
        let ran = run(&prefix, &portal, SLMGR_CALLS, args);
        let name = format!("{} {}", case.build, case.edition);
        assert_eq!(ran.code, case.code, "{name}:\n{}", ran.stdout);
        assert!(ran.stdout.contains(case.says), "{name}:\n{}", ran.stdout);
        match case.ipk {
            Some(key) => assert!(
                ran.calls.contains(&format!("/ipk {key}")),
                "{name}: {}",
                ran.calls
            ),
            None => assert!(!ran.calls.contains("/ipk"), "{name}: {}", ran.calls),
        }
        assert_eq!(
            ran.calls.contains("/ato"),
            case.code == 0,
            "{name}: {}",
            ran.calls
        );
        if case.code == 0 {
            assert!(
                ran.calls
                    .contains(&format!("/skms 127.0.0.1:{}", kms.port())),
                "{name}: {}",
                ran.calls
            );
        }
        assert_eq!(ran.reports.len(), 1, "{name}");
        let machine = &ran.reports[0]["machine"];
        assert_eq!(machine["os_edition"], case.edition, "{name}");
        assert!(
            machine["os_version"]
                .as_str()
                .unwrap()
                .ends_with(&case.build.to_string()),
            "{name}: {machine}"
        );
    }
}

#[test]
fn office_releases_activate_what_is_installed() {
    struct Case {
        name: &'static str,
        covers: &'static [&'static str],
        act: &'static str,
        dstatus: &'static str,
        keys: &'static [&'static str],
        says: &'static str,
    }
    let cases = [
        Case {
            name: "Office 2019",
            covers: &["office-2019-proplus"],
            act: "act-success-seed.txt",
            dstatus: "dstatus-volume.txt",
            keys: &["6MWKP", "7VCBB"],
            says: "Office Professional Plus 2019",
        },
        Case {
            name: "Office LTSC 2021",
            covers: &["office-2021-proplus"],
            act: "act-2021-proplus.txt",
            dstatus: "dstatus-2021-proplus.txt",
            keys: &["6F7TH"],
            says: "Office LTSC Professional Plus 2021",
        },
        Case {
            name: "Office LTSC 2024 with Project and Visio",
            covers: &[
                "office-2024-proplus",
                "office-2024-project-pro",
                "office-2024-visio-pro",
            ],
            act: "act-2024-proplus-project-visio.txt",
            dstatus: "dstatus-2024-proplus-project-visio.txt",
            keys: &["GCVGB", "76HF4", "YY89G"],
            says: "Office LTSC Professional Plus 2024, Project Professional 2024, Visio LTSC Professional 2024",
        },
        Case {
            name: "Project Standard alone",
            covers: &["office-2019-project-pro", "office-2019-project-std"],
            act: "act-2019-project-std.txt",
            dstatus: "dstatus-2019-project-std.txt",
            keys: &["JXD2M"],
            says: "Project Standard 2019",
        },
        Case {
            name: "a licensed retail Visio beside the volume ProPlus",
            covers: &["office-2021-proplus", "office-2021-visio-pro"],
            act: "act-retail-visio-volume-proplus-2021.txt",
            dstatus: "dstatus-retail-visio-volume-proplus-2021.txt",
            keys: &["Y984V", "6F7TH"],
            says: "Products licensed separately are on this PC",
        },
    ];
    let kms = KmsListener::start();
    for case in cases {
        let portal = ReportReceiver::start();
        let prefix = WinePrefix::with_activator(&activator_toml(
            "office-campus",
            case.covers,
            &portal.base_url(),
            kms.port(),
        ));
        prefix.install_file(
            OSPP,
            fake_ospp(&ospp_fixture(case.act), &ospp_fixture(case.dstatus)).as_bytes(),
        );
        let ran = run(&prefix, &portal, CALLS, &[]);
        assert_eq!(ran.code, 0, "{}:\n{}", case.name, ran.stdout);
        assert!(
            ran.stdout.contains(case.says),
            "{}:\n{}",
            case.name,
            ran.stdout
        );
        assert!(
            !ran.calls.contains("/inpkey"),
            "{}: {}",
            case.name,
            ran.calls
        );
        assert!(ran.calls.contains("/act"), "{}", case.name);
        assert_eq!(ran.reports.len(), 1, "{}", case.name);
        let mut last5: Vec<&str> = ran.reports[0]["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key_last5"].as_str().unwrap())
            .collect();
        last5.sort_unstable();
        let mut expected = case.keys.to_vec();
        expected.sort_unstable();
        assert_eq!(last5, expected, "{}", case.name);
        assert_eq!(ran.reports[0]["outcome"], "success", "{}", case.name);
    }
}

/// Office 2021 installed by Click-to-Run without its key: the product is known from
/// `ProductReleaseIds`, so its own key is installed before activation.
#[test]
fn a_click_to_run_product_without_a_key_gets_its_own() {
    let kms = KmsListener::start();
    let portal = ReportReceiver::start();
    let prefix = WinePrefix::with_activator(&activator_toml(
        "office-campus",
        &["office-2021-proplus", "office-2021-standard"],
        &portal.base_url(),
        kms.port(),
    ));
    prefix.install_file(
        OSPP,
        fake_ospp(
            &ospp_fixture("act-2021-proplus.txt"),
            &ospp_fixture("act-no-key.txt"),
        )
        .as_bytes(),
    );
    let output = prefix.run(
        r"C:\windows\system32\reg.exe",
        &[
            "add",
            r"HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration",
            "/v",
            "ProductReleaseIds",
            "/t",
            "REG_SZ",
            "/d",
            "ProPlus2021Volume",
            "/f",
        ],
        &[],
    );
    assert!(output.status.success());
    let ran = run(&prefix, &portal, CALLS, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(
        ran.calls.contains("/inpkey:FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH"),
        "{}",
        ran.calls
    );
    assert!(
        !ran.calls.contains("KDX7X"),
        "never Standard's key: {}",
        ran.calls
    );
}
