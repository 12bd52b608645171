//! The real `activator.exe` under Wine, against a fake `OSPP.VBS` printing captured
//! output formats, a KMS "host" that is a TCP listener on 127.0.0.1, and a loopback
//! receiver standing in for the portal's report endpoint.

use std::fs;

use e2e::fakes::{CALLS, activator_toml, fake_ospp, ospp_fixture as fixture};
use e2e::stand_ins::{Display, KmsListener, ReportReceiver};
use e2e::wine::{ACTIVATOR as EXE, WinePrefix, activator_exe};
use serde_json::Value;

const OSPP: &str = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";
const SPOOL: &str = r"C:\ProgramData\CampusLicensePortal\reports";

/// A prefix with the activator, its settings and the fake `OSPP.VBS` installed.
fn windows_with_office(act: &str, portal_url: &str, kms_port: u16) -> WinePrefix {
    let prefix = WinePrefix::with_activator(&activator_toml(
        "office-2019-proplus",
        &["office-2019-proplus"],
        portal_url,
        kms_port,
    ));
    prefix.install_file(
        OSPP,
        fake_ospp(act, &fixture("dstatus-volume.txt")).as_bytes(),
    );
    prefix
}

fn run(prefix: &WinePrefix, env: &[(&str, &str)]) -> (i32, String) {
    let output = prefix.run(EXE, &["--no-pause"], env);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), stdout)
}

fn spooled(prefix: &WinePrefix) -> Vec<String> {
    fs::read_dir(prefix.unix_path(SPOOL))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn seed_sample_activates_two_products_and_reports_them() {
    let kms = KmsListener::start();
    let portal = ReportReceiver::start();
    let prefix = windows_with_office(
        &fixture("act-success-seed.txt"),
        &portal.base_url(),
        kms.port(),
    );
    let (code, stdout) = run(&prefix, &[]);
    assert_eq!(code, 0, "exit code; output:\n{stdout}");
    assert!(stdout.contains("Everything is activated"), "{stdout}");
    assert!(
        stdout.contains("7VCBB") && stdout.contains("6MWKP"),
        "{stdout}"
    );
    assert!(
        kms.connections() >= 1,
        "the KMS host's reachability was checked"
    );
    let calls = fs::read_to_string(prefix.unix_path(CALLS)).expect("ospp.vbs was run");
    assert!(calls.contains("/sethst:127.0.0.1"), "{calls}");
    assert!(
        calls.contains(&format!("/setprt:{}", kms.port())),
        "{calls}"
    );
    assert!(calls.contains("/act"), "{calls}");

    let reports = portal.reports();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = &reports[0];
    assert_eq!(report["outcome"], "success");
    assert_eq!(report["product"], "office-2019-proplus");
    let products: Vec<&Value> = report["products"].as_array().unwrap().iter().collect();
    let last5: Vec<&str> = products
        .iter()
        .map(|p| p["key_last5"].as_str().unwrap())
        .collect();
    assert_eq!(last5, ["7VCBB", "6MWKP"]);
    assert!(
        products[0]["license_name"]
            .as_str()
            .unwrap()
            .contains("VisioPro2019")
    );
    assert!(
        products[1]["license_name"]
            .as_str()
            .unwrap()
            .contains("ProPlus2019")
    );
    let post = portal
        .received()
        .into_iter()
        .find(|r| r.request_line.starts_with("POST"))
        .unwrap();
    assert!(
        post.headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == "Bearer v1.e2e-token")
    );
    assert!(
        spooled(&prefix).is_empty(),
        "a delivered report leaves the spool"
    );
}

#[test]
fn unreachable_host_error_prints_the_remedy_and_its_url_in_chinese() {
    let kms = KmsListener::start();
    let portal = ReportReceiver::start();
    let prefix = windows_with_office(
        &fixture("act-error-0xC004F074.txt"),
        &portal.base_url(),
        kms.port(),
    );
    let (code, stdout) = run(&prefix, &[("LC_ALL", "zh_TW.UTF-8")]);
    assert_eq!(code, 3, "exit code; output:\n{stdout}");
    assert!(stdout.contains("0xC004F074"), "{stdout}");
    assert!(
        stdout.contains(&format!("{}/errors/0xC004F074", portal.base_url())),
        "{stdout}"
    );
    assert!(
        stdout.contains("啟用失敗") && stdout.contains("VPN"),
        "the remedy, in Chinese:\n{stdout}"
    );
    let reports = portal.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["outcome"], "failure");
    assert!(
        reports[0]["products"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["error_code"] == "0xC004F074")
    );
}

#[test]
fn report_is_kept_while_the_portal_is_down_and_sent_once_next_time() {
    let kms = KmsListener::start();
    // Reserve a loopback port, then free it: nothing listens there during the first run.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let portal_url = format!("http://{address}");
    let prefix = windows_with_office(&fixture("act-success-seed.txt"), &portal_url, kms.port());

    let (code, stdout) = run(&prefix, &[]);
    assert_eq!(code, 0, "activation itself succeeded:\n{stdout}");
    assert!(stdout.contains("saved on this PC"), "{stdout}");
    let kept = spooled(&prefix);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let kept_id = kept[0].trim_end_matches(".json").to_owned();

    let portal = ReportReceiver::start_on(&address.to_string());
    let (code, stdout) = run(&prefix, &[]);
    assert_eq!(code, 0, "{stdout}");
    let ids: Vec<String> = portal
        .reports()
        .iter()
        .map(|r| r["report_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "the new report and the kept one: {ids:?}");
    assert_eq!(
        ids.iter().filter(|id| **id == kept_id).count(),
        1,
        "the kept report arrives exactly once"
    );
    assert!(spooled(&prefix).is_empty());

    let (_, _) = run(&prefix, &[]);
    assert_eq!(
        portal
            .reports()
            .iter()
            .filter(|r| r["report_id"] == kept_id.as_str())
            .count(),
        1,
        "never sent again"
    );
}

/// `slmgr.vbs /ato` that never returns (a hung licensing service): the activator stops
/// it at `--script-timeout`, says why, and reports it.
#[test]
fn a_script_that_never_ends_is_stopped_within_its_time() {
    let busy = "  i = 0\r\n  Do\r\n    i = i + 1\r\n  Loop\r\n";
    a_hung_activation_is_stopped_and_explained(busy, None);
}

/// `slmgr.vbs /ato` that stops on a dialog nobody clicks (run by `wscript`, or a message
/// box of its own): with a display, Wine shows the box and waits, as Windows would; the
/// activator stops the script at `--script-timeout` all the same.
#[test]
fn a_script_that_waits_on_a_dialog_is_stopped_within_its_time() {
    let display = Display::start();
    let dialog = "  MsgBox \"Windows Script Host\", 0, \"slmgr.vbs\"\r\n";
    a_hung_activation_is_stopped_and_explained(dialog, Some(&display));
}

/// Runs the activator (on `display`, if any) on Windows 11 Education whose `slmgr.vbs
/// /ato` runs `ato` (VBScript) and never ends by itself; checks that it is stopped within
/// the bound, explained as 0x800705B4 and reported.
fn a_hung_activation_is_stopped_and_explained(ato: &str, display: Option<&Display>) {
    let kms = KmsListener::start();
    let portal = ReportReceiver::start();
    let prefix = WinePrefix::with_activator(&activator_toml(
        "windows-11-education",
        &["windows-11-education"],
        &portal.base_url(),
        kms.port(),
    ));
    prefix.set_windows(22631, "Education");
    let dlv = e2e::fakes::slmgr_fixture("dlv-education-kms.en.txt");
    let echo: String = dlv
        .lines()
        .map(|line| format!("  WScript.Echo \"{line}\"\r\n"))
        .collect();
    let hung = format!(
        "a = LCase(WScript.Arguments(0))\r\n\
         If a = \"/dlv\" Then\r\n{echo}\
         ElseIf a = \"/ato\" Then\r\n{ato}\
         Else\r\n  WScript.Echo \"done successfully.\"\r\nEnd If\r\n"
    );
    prefix.install_file(e2e::fakes::SLMGR, hung.as_bytes());
    let mut env = Vec::new();
    if let Some(display) = display {
        // Wine's desktop, started by `set_windows` without a display, would keep the
        // dialog off screen, and a dialog with no screen returns at once.
        prefix.stop_wineserver();
        env.push(("DISPLAY", display.name()));
    }
    let started = std::time::Instant::now();
    let output = prefix.run(
        EXE,
        &["--no-pause", "--lang", "en", "--script-timeout", "8"],
        &env,
    );
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(took < std::time::Duration::from_secs(40), "took {took:?}");
    assert!(stdout.contains("0x800705B4"), "{stdout}");
    assert!(
        stdout.contains("The activation script did not finish in time"),
        "explained:\n{stdout}"
    );
    let reports = portal.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["products"][0]["error_code"], "0x800705B4");
}

/// Explorer, SmartScreen and antivirus read who made the file: the executable carries a
/// version resource (type 16) beside its manifest (type 24) asking for administrator
/// rights.
#[test]
fn the_activator_carries_its_version_resource_and_manifest() {
    let exe = activator_exe();
    let headers = e2e::wine::pe_headers(exe);
    let resources = headers
        .split("The .rsrc Resource Directory section:")
        .nth(1)
        .expect("a resource section");
    assert!(
        resources.contains("Entry: ID: 0x000010"),
        "RT_VERSION:\n{resources}"
    );
    assert!(
        resources.contains("Entry: ID: 0x000018"),
        "RT_MANIFEST:\n{resources}"
    );
    let bytes = fs::read(exe).unwrap();
    let utf16 =
        |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    for value in [
        "Campus License Portal activator",
        "activator.exe",
        env!("CARGO_PKG_VERSION"),
    ] {
        let needle = utf16(value);
        assert!(
            bytes.windows(needle.len()).any(|w| w == needle),
            "the version resource names {value}"
        );
    }
    let manifest = String::from_utf8_lossy(&bytes);
    assert!(manifest.contains(r#"level="requireAdministrator""#));
}
