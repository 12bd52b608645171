//! The database fails under a report load, and the portal holds (issue 14): SQLite's disk
//! fills up, and PostgreSQL restarts. While the database is away every report is answered
//! 503 with `Retry-After` (the activator keeps it and sends it again), nothing
//! acknowledged is lost or stored twice, and the portal recovers by itself, no restart.

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::database::{scalar, strings};
use e2e::faults::{PrivatePostgres, SmallDisk};
use e2e::load::{Load, Tally, number_of, post, report, token_of};
use e2e::{Portal, PortalOptions};

const CLIENTS: usize = 16;

fn options(database_url: &str) -> PortalOptions {
    PortalOptions::new()
        .env("PORTAL_DATABASE_URL", database_url)
        .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_TOKEN", "100000000")
        .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_NETWORK", "100000000")
        .env(
            "PORTAL_ACTIVATOR_EXE",
            env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml",
        )
}

/// 503s only, each with `Retry-After`, and every request answered.
fn assert_only_retryable(tally: &Tally, what: &str) {
    let others: Vec<_> = tally.refused.iter().filter(|(s, _)| **s != 503).collect();
    assert!(
        others.is_empty(),
        "{what}: answers other than 503: {others:?}"
    );
    assert_eq!(
        tally.without_retry_after, 0,
        "{what}: a 503 without Retry-After"
    );
    assert_eq!(tally.unanswered, 0, "{what}: requests without an answer");
}

/// Every acknowledged report is stored, and none twice; then each one sent is sent again
/// (as the activator does with what it kept) and in the end each is stored exactly once.
fn assert_each_stored_once(portal: &Portal, database: &str, token: &str, tally: &Tally) {
    let stored = strings(database, "select report_id from reports");
    let distinct: BTreeSet<u64> = stored.iter().map(|id| number_of(id)).collect();
    assert_eq!(distinct.len(), stored.len(), "no report stored twice");
    let lost: Vec<_> = tally.acknowledged.difference(&distinct).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    for n in &tally.attempted {
        let status = post(portal.address(), token, &report(*n))
            .expect("the portal answers")
            .status;
        let expected: &[u16] = if tally.acknowledged.contains(n) {
            &[200]
        } else {
            &[200, 201]
        };
        assert!(expected.contains(&status), "report {n}: {status}");
    }
    assert_eq!(
        scalar(database, "select count(*) from reports"),
        tally.attempted.len() as i64
    );
    assert_eq!(
        scalar(
            database,
            "select cast(sum(n_reports) as bigint) from daily_outcomes"
        ),
        tally.attempted.len() as i64,
        "roll-ups count each report once"
    );
}

/// A portal on `database` under a load that has had 300 reports acknowledged.
fn loaded(database: &str) -> (Portal, String, Load) {
    let portal = Portal::start(options(database));
    let token = token_of(&portal);
    let load = Load::start(portal.address(), &token, CLIENTS);
    assert!(
        load.wait_for(Duration::from_secs(30), |t| t.acknowledged.len() >= 300),
        "the load runs: {:?}",
        load.tally().refused
    );
    (portal, token, load)
}

#[test]
fn sqlite_out_of_disk_answers_503_loses_nothing_and_resumes_when_space_returns() {
    let disk = SmallDisk::mount(24);
    let database = format!("sqlite://{}", disk.path().join("portal.db").display());
    let (portal, token, load) = loaded(&database);
    let ballast = disk.fill();
    assert!(
        load.wait_for(Duration::from_secs(60), |t| t
            .refused
            .get(&503)
            .is_some_and(|n| *n >= 100)),
        "a full disk is answered 503: {:?}",
        load.tally().refused
    );
    // Still alive while full: health answers, and says the database is in trouble or not.
    assert_eq!(portal.get("/healthz").status, 200);
    std::fs::remove_file(&ballast).unwrap();
    let before = load.tally().acknowledged.len();
    assert!(
        load.wait_for(Duration::from_secs(60), |t| t.acknowledged.len()
            >= before + 300),
        "ingestion resumes when space returns, without a restart: {:?}",
        load.tally().refused
    );
    let resumed = portal.log_lines().len();
    let tally = load.stop();
    assert_only_retryable(&tally, "SQLite out of disk");
    assert_eq!(
        strings(&database, "pragma integrity_check"),
        ["ok"],
        "the database is sound"
    );
    assert_each_stored_once(&portal, &database, &token, &tally);
    // No connection is left inside a transaction SQLite ended (the wedge this fixed).
    let wedged: Vec<String> = portal.log_lines()[resumed..]
        .iter()
        .filter(|l| l.contains("transaction depth") || l.contains("\"level\":\"ERROR\""))
        .cloned()
        .collect();
    assert!(wedged.is_empty(), "after recovery: {wedged:#?}");
}

#[test]
fn postgres_restarted_mid_load_answers_503_loses_nothing_and_recovers_by_itself() {
    let server = PrivatePostgres::start();
    let database = server.url();
    let (portal, token, load) = loaded(&database);
    server.stop();
    assert!(
        load.wait_for(Duration::from_secs(60), |t| t
            .refused
            .get(&503)
            .is_some_and(|n| *n >= 50)),
        "a stopped database is answered 503: {:?}",
        load.tally().refused
    );
    server.start_again();
    let before = load.tally().acknowledged.len();
    assert!(
        load.wait_for(Duration::from_secs(60), |t| t.acknowledged.len()
            >= before + 300),
        "the portal reconnects by itself: {:?}",
        load.tally().refused
    );
    let tally = load.stop();
    assert_only_retryable(&tally, "PostgreSQL restarted");
    assert_each_stored_once(&portal, &database, &token, &tally);
}
