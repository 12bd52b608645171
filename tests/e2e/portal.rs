//! The portal as a process: real TCP, its JSON API, surviving a crash, stopping cleanly.

use e2e::{Portal, PortalOptions};

/// The number of versions in the seed catalogue (content/catalog.toml).
const SEED_VERSIONS: usize = 22;

const SEED_LOADED: &str = "loaded the default catalogue, tutorials and error codes";

#[test]
fn portal_serves_the_catalogue_over_real_tcp() {
    let portal = Portal::start(PortalOptions::new());
    let response = portal.get("/api/v1/catalog");
    assert_eq!(response.status, 200, "{}", response.text());
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type:?}"
    );
    let versions = catalogue_versions(&response.body);
    assert_eq!(versions.len(), SEED_VERSIONS);
    assert!(
        versions.iter().any(|v| v["slug"] == "office-2016-proplus"),
        "office-2016-proplus is missing from {versions:?}"
    );
}

#[test]
fn portal_restarts_on_the_same_database_after_sigkill() {
    let mut portal = Portal::start(PortalOptions::new());
    let address = portal.address();
    let first_pid = portal.pid();
    portal.kill();
    assert!(
        portal.pid().is_none(),
        "the harness still holds a killed portal"
    );
    portal.restart();

    assert_eq!(portal.address(), address, "a restart keeps the address");
    assert_ne!(portal.pid(), first_pid);
    let response = portal.get("/api/v1/catalog");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(catalogue_versions(&response.body).len(), SEED_VERSIONS);
    // The second start found the seeded database instead of seeding a new one.
    let seedings = portal
        .log_lines()
        .iter()
        .filter(|line| line.contains(SEED_LOADED))
        .count();
    assert_eq!(seedings, 1, "{:#?}", portal.log_lines());
}

#[test]
fn portal_stops_gracefully_on_sigterm() {
    let mut portal = Portal::start(PortalOptions::new());
    let status = portal.terminate();
    assert!(status.success(), "exit status {status}");
    assert!(
        portal
            .log_lines()
            .iter()
            .any(|line| line.contains("portal stopped")),
        "{:#?}",
        portal.log_lines()
    );
}

fn catalogue_versions(body: &[u8]) -> Vec<serde_json::Value> {
    let catalogue: serde_json::Value =
        serde_json::from_slice(body).expect("the catalogue is not JSON");
    catalogue["versions"]
        .as_array()
        .expect("the catalogue has no versions array")
        .clone()
}
