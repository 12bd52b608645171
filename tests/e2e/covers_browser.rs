//! A new licence offered without a release: in Chromium, an admin adds "Windows 11
//! Education" and "Office LTSC Professional Plus 2024" (with Project and Visio) by ticking
//! products of the product table, and downloads each zip from its public page
//! (`tests/browser/covers-flow.mjs`); the activator in each zip then activates a Windows
//! 11 Education PC and an Office LTSC 2024 PC under Wine, and both reports reach the
//! portal. Screenshots and zips land in `target/covers-flow/`.

use std::fs;
use std::io::Read;
use std::path::Path;

use e2e::database::scalar;
use e2e::fakes::{
    CALLS, FakeSlmgr, SLMGR, SLMGR_CALLS, fake_ospp, fake_slmgr, ospp_fixture, slmgr_fixture,
};
use e2e::stand_ins::KmsListener;
use e2e::wine::{WinePrefix, activator_exe};
use e2e::{Portal, PortalOptions};

const USER: &str = "licensing";
const PASSWORD: &str = "given by the operator 7";
const STEPS: [&str; 5] = [
    "sign-in",
    "add-windows",
    "add-office",
    "download-windows",
    "download-office",
];

#[test]
fn versions_added_in_admin_are_downloaded_and_activate_under_wine() {
    let exe = activator_exe();
    let kms = KmsListener::start();
    let port = crate::whole_loop::free_port();
    let portal = Portal::start(
        PortalOptions::new()
            .env("PORTAL_ADMIN__SECURE_COOKIES", "false")
            .env("PORTAL_BIND", format!("127.0.0.1:{port}"))
            .env("PORTAL_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("PORTAL_KMS__HOST", "127.0.0.1")
            .env("PORTAL_KMS__PORT", kms.port().to_string())
            .env("PORTAL_ACTIVATOR_EXE", exe.display().to_string()),
    );
    e2e::add_staff(&portal, USER, "admin", PASSWORD);
    let out_dir = e2e::target_dir().join("covers-flow");
    if out_dir.exists() {
        fs::remove_dir_all(&out_dir).unwrap();
    }
    e2e::run_staff_flow(
        "covers-flow.mjs",
        &portal,
        &out_dir,
        (USER, PASSWORD),
        &STEPS,
    );

    // The Windows 11 Education PC.
    let windows = unpacked(&out_dir.join("windows-11-education.zip"));
    windows.set_windows(22631, "Education");
    let fake = fake_slmgr(&FakeSlmgr {
        dlv: &slmgr_fixture("dlv-education-kms.en.txt"),
        ato: &slmgr_fixture("ato-success.en.txt"),
        ato_status: 0,
        dlv_after: &slmgr_fixture("dlv-education-licensed.en.txt"),
    });
    windows.install_file(SLMGR, fake.as_bytes());
    let (code, stdout) = run(&windows);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("Windows 11 Education"), "{stdout}");
    let calls = fs::read_to_string(windows.unix_path(SLMGR_CALLS)).unwrap();
    assert!(
        calls.contains(&format!("/skms 127.0.0.1:{}", kms.port())) && calls.contains("/ato"),
        "{calls}"
    );

    // The Office LTSC 2024 PC with Project and Visio.
    let office = unpacked(&out_dir.join("office-ltsc-2024.zip"));
    let fake = fake_ospp(
        &ospp_fixture("act-2024-proplus-project-visio.txt"),
        &ospp_fixture("dstatus-2024-proplus-project-visio.txt"),
    );
    office.install_file(
        r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS",
        fake.as_bytes(),
    );
    let (code, stdout) = run(&office);
    assert_eq!(code, 0, "{stdout}");
    let calls = fs::read_to_string(office.unix_path(CALLS)).unwrap();
    assert!(calls.contains("/act"), "{calls}");

    assert_eq!(
        scalar(
            &portal.database_url(),
            "select count(*) from reports where outcome = 'success' \
             and product in ('windows-11-education', 'office-ltsc-2024')"
        ),
        2,
        "both runs reported back"
    );
}

/// A Windows with the zip's files in `C:\activator`.
fn unpacked(zip_path: &Path) -> WinePrefix {
    let bytes = fs::read(zip_path).unwrap_or_else(|e| panic!("{}: {e}", zip_path.display()));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let prefix = WinePrefix::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).unwrap();
        prefix.install_file(
            &format!(r"C:\activator\{}", file.name().unwrap()),
            &contents,
        );
    }
    prefix
}

fn run(prefix: &WinePrefix) -> (i32, String) {
    let output = prefix.run(
        r"C:\activator\activator.exe",
        &["--no-pause", "--lang", "en"],
        &[],
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
