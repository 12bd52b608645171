//! Killing the portal with SIGKILL in the middle of a report load loses no acknowledged
//! report, and after a restart no report is stored twice, on every database.

use std::collections::BTreeSet;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::database::{Backend, scalar, strings};
use e2e::{Portal, PortalOptions, http};

const CLIENTS: usize = 16;

fn report(n: u64) -> Vec<u8> {
    let mut report: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/reports/success.json")).unwrap();
    report["report_id"] = format!("4f0c2a9e-7d51-4b8a-9a53-{n:012x}").into();
    serde_json::to_vec(&report).unwrap()
}

fn token_of(portal: &Portal) -> String {
    let response = portal.get("/download/office-2019-proplus");
    assert_eq!(response.status, 200, "{}", response.text());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(response.body)).unwrap();
    let mut settings = String::new();
    zip.by_name("activator.toml")
        .unwrap()
        .read_to_string(&mut settings)
        .unwrap();
    protocol::config::ActivatorConfig::from_toml(&settings)
        .unwrap()
        .download_token
}

fn post(portal: &Portal, token: &str, body: &[u8]) -> std::io::Result<u16> {
    let auth = format!("Bearer {token}");
    http::request(
        portal.address(),
        "POST",
        "/api/v1/reports",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        body,
        Duration::from_secs(10),
    )
    .map(|r| r.status)
}

#[test]
fn sigkill_mid_load_loses_no_acknowledged_report_and_stores_none_twice() {
    for backend in Backend::all() {
        let schema = backend.schema();
        let mut options = PortalOptions::new()
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_TOKEN", "100000000")
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_NETWORK", "100000000")
            .env(
                "PORTAL_ACTIVATOR_EXE",
                env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml",
            );
        if let Some(schema) = &schema {
            options = options.env("PORTAL_DATABASE_URL", schema.url());
        }
        let mut portal = Portal::start(options);
        let database = schema
            .as_ref()
            .map_or_else(|| portal.database_url(), |s| s.url());
        let token = token_of(&portal);

        let next = Arc::new(AtomicU64::new(1));
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
        let attempted = Arc::new(Mutex::new(BTreeSet::new()));
        let shared = Arc::new(portal.address());
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (next, stop, acknowledged, attempted, token) = (
                    next.clone(),
                    stop.clone(),
                    acknowledged.clone(),
                    attempted.clone(),
                    token.clone(),
                );
                let address = *shared;
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        attempted.lock().unwrap().insert(n);
                        let auth = format!("Bearer {token}");
                        let answer = http::request(
                            address,
                            "POST",
                            "/api/v1/reports",
                            &[
                                ("Content-Type", "application/json"),
                                ("Authorization", &auth),
                            ],
                            &report(n),
                            Duration::from_secs(10),
                        );
                        match answer.map(|r| r.status) {
                            Ok(200 | 201) => {
                                acknowledged.lock().unwrap().insert(n);
                            }
                            Ok(status) => panic!("report {n}: unexpected {status}"),
                            Err(_) => {} // the server died under it: not acknowledged
                        }
                    }
                })
            })
            .collect();
        let started = Instant::now();
        while acknowledged.lock().unwrap().len() < 300
            && started.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        portal.kill();
        stop.store(true, Ordering::SeqCst);
        for client in clients {
            client.join().unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        let attempted = attempted.lock().unwrap().clone();
        assert!(
            acknowledged.len() >= 300,
            "{backend:?}: the load ran ({} acknowledged)",
            acknowledged.len()
        );

        portal.restart();
        let stored: BTreeSet<u64> = strings(&database, "select report_id from reports")
            .iter()
            .map(|id| u64::from_str_radix(id.rsplit('-').next().unwrap(), 16).unwrap())
            .collect();
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "{backend:?}: acknowledged but lost: {lost:?}"
        );

        // Every report sent again: the acknowledged ones are repeats, and in the end each
        // attempted report is stored exactly once.
        for n in &attempted {
            let status = post(&portal, &token, &report(*n)).expect("the restarted portal answers");
            if acknowledged.contains(n) {
                assert_eq!(
                    status, 200,
                    "{backend:?}: report {n} was acknowledged, so it is a repeat"
                );
            } else {
                assert!(
                    status == 200 || status == 201,
                    "{backend:?}: report {n}: {status}"
                );
            }
        }
        assert_eq!(
            scalar(&database, "select count(*) from reports"),
            attempted.len() as i64,
            "{backend:?}"
        );
        assert_eq!(
            scalar(
                &database,
                "select cast(sum(n_reports) as bigint) from daily_outcomes"
            ),
            attempted.len() as i64,
            "{backend:?}: roll-ups count each report once"
        );
    }
}
