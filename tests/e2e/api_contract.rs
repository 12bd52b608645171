//! The API says what it enforces (issue 14): schemathesis, run as a client would against
//! `/openapi.json` with a download token and a staff session, finds no request the
//! document calls valid that the portal refuses, none it calls invalid that the portal
//! takes, no answer the document does not describe, and no server error.

use e2e::load::token_of;
use e2e::staff::Staff;
use e2e::{Portal, PortalOptions, schemathesis};

#[test]
fn schemathesis_finds_no_failure() {
    let portal = Portal::start(
        PortalOptions::new()
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_TOKEN", "100000000")
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_NETWORK", "100000000")
            .env(
                "PORTAL_ACTIVATOR_EXE",
                env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml",
            ),
    );
    let staff = Staff::sign_in(&portal, "vera", "viewer");
    let token = token_of(&portal);
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("schemathesis.toml");
    // The security schemes by the document's own names, so that schemathesis can also
    // leave each out and expect 401.
    std::fs::write(
        &config,
        format!(
            "[auth.openapi.download_token]\nbearer = \"{token}\"\n\n\
             [auth.openapi.staff_session]\napi_key = \"{}\"\n",
            staff.session_secret()
        ),
    )
    .unwrap();
    let (passed, output) = schemathesis(&config, &format!("{}/openapi.json", portal.base_url()));
    assert!(passed, "schemathesis failed:\n{output}");
    assert!(
        output.contains("Selected: 5/5") && output.contains(" passed"),
        "every operation was tested:\n{output}"
    );
    assert!(!output.contains("failed"), "{output}");
}
