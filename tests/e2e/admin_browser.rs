//! The staff flow in Chromium: an account made with `portal admin add` signs in, is made
//! to choose its own password, sees the dashboard filled by `portal demo-data`, edits a
//! licence term, and the public list shows the new term at once; then creates a
//! deployment token for a lab. Screenshots land in `target/screenshots/`.

use e2e::{Portal, PortalOptions};

const USER: &str = "itstaff";
const PASSWORD: &str = "set by the operator 42";
const STEPS: [&str; 7] = [
    "sign-in",
    "password",
    "dashboard",
    "edit-term",
    "catalogue",
    "deployment",
    "mail",
];

#[test]
fn staff_sign_in_see_the_dashboard_and_edit_a_licence_term() {
    // Plain http on loopback: the switch the configuration offers for exactly this.
    let portal = Portal::start(PortalOptions::new().env("PORTAL_ADMIN__SECURE_COOKIES", "false"));
    e2e::add_staff(&portal, USER, "admin", PASSWORD);
    // A living dashboard, filled through the real ingestion path.
    let database = portal.database_url();
    let data_dir = portal.data_dir().display().to_string();
    let (ok, text) = e2e::run_portal_command(
        &["demo-data", "--reports", "300"],
        &[
            ("PORTAL_DATABASE_URL", database.as_str()),
            ("PORTAL_DATA_DIR", data_dir.as_str()),
        ],
        "",
    );
    assert!(ok, "{text}");

    let out_dir = e2e::target_dir().join("screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();
    for step in STEPS {
        let _ = std::fs::remove_file(out_dir.join(format!("admin-{step}.png")));
    }
    e2e::run_staff_flow(
        "admin-flow.mjs",
        &portal,
        &out_dir,
        (USER, PASSWORD),
        &STEPS,
    );
    for step in STEPS {
        let shot = std::fs::read(out_dir.join(format!("admin-{step}.png"))).unwrap();
        assert!(
            shot.starts_with(b"\x89PNG") && shot.len() > 10_000,
            "{step} screenshot"
        );
    }
}
