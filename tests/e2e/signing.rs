//! Authenticode: the built `activator.exe` signed by the documented command
//! (`scripts/sign-activator`, what `scripts/build-activator --sign` runs) with a
//! code-signing certificate from a throwaway CA made here by `openssl`, checked by
//! `osslsigncode verify` against that CA, still running under Wine, and named on the
//! portal's download page and in `/readyz`.

use std::fs;
use std::io::Read;

use e2e::signing::{TestCa, verify};
use e2e::wine::{WinePrefix, activator_exe};
use e2e::{Portal, PortalOptions};

/// The certificate's subject as the portal shows it.
const SIGNER: &str = "Campus IT Code Signing (國立範例大學資訊中心)";

#[test]
fn a_signed_activator_verifies_runs_and_is_named_on_the_download_page() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::make(dir.path(), "Campus IT Code Signing", "國立範例大學資訊中心");
    let exe = dir.path().join("activator.exe");
    fs::copy(activator_exe(), &exe).unwrap();
    assert!(
        !verify(&exe, &ca.certificate).0,
        "the unsigned build does not verify"
    );

    let said = ca.sign_with_script(&exe);
    assert!(said.contains("CN=Campus IT Code Signing"), "{said}");
    let (ok, report) = verify(&exe, &ca.certificate);
    assert!(ok, "{report}");
    assert!(report.contains("Signature verification: ok"), "{report}");

    // Windows ignores the certificate table when it loads the program: it still runs.
    let prefix = WinePrefix::new();
    prefix.install_file(r"C:\activator\activator.exe", &fs::read(&exe).unwrap());
    let version = prefix.run(r"C:\activator\activator.exe", &["--version"], &[]);
    assert_eq!(version.status.code(), Some(0), "{version:?}");
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));

    let portal =
        Portal::start(PortalOptions::new().env("PORTAL_ACTIVATOR_EXE", exe.display().to_string()));
    let page = portal.get("/catalog/office-2019-proplus?lang=en").text();
    assert!(
        page.contains(&format!("<dt>Signed by</dt><dd>{SIGNER}</dd>")),
        "{page}"
    );
    assert!(!page.contains("not digitally signed"));
    let ready: serde_json::Value = serde_json::from_str(&portal.get("/readyz").text()).unwrap();
    assert_eq!(ready["signature"], "signed");
    assert_eq!(ready["signer"], SIGNER);

    // What people download is the signed file, byte for byte, and it verifies.
    let zip = portal.get("/download/office-2019-proplus?lang=en");
    assert_eq!(zip.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let mut inside = Vec::new();
    archive
        .by_name("activator.exe")
        .unwrap()
        .read_to_end(&mut inside)
        .unwrap();
    assert_eq!(inside, fs::read(&exe).unwrap());
    let downloaded = dir.path().join("downloaded.exe");
    fs::write(&downloaded, inside).unwrap();
    assert!(verify(&downloaded, &ca.certificate).0);
}
