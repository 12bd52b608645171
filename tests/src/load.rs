//! A report load against a running portal, for the fault tests: clients on loopback
//! posting unique reports with one download's token as fast as they are answered, keeping
//! which were acknowledged (200/201) and how the others were answered.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::{Portal, http};

/// Report `n`: the success fixture with an id of its own.
pub fn report(n: u64) -> Vec<u8> {
    let mut report: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/reports/success.json"))
            .expect("the success fixture is JSON");
    report["report_id"] = format!("4f0c2a9e-7d51-4b8a-9a53-{n:012x}").into();
    serde_json::to_vec(&report).expect("a report serialises")
}

/// The number a report id of [`report`] was made from.
pub fn number_of(report_id: &str) -> u64 {
    u64::from_str_radix(report_id.rsplit('-').next().unwrap_or_default(), 16).unwrap_or(0)
}

/// A download token for Office 2019, from the portal's download.
pub fn token_of(portal: &Portal) -> String {
    let response = portal.get("/download/office-2019-proplus");
    assert_eq!(response.status, 200, "{}", response.text());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(response.body)).expect("a zip");
    let mut settings = String::new();
    zip.by_name("activator.toml")
        .expect("the zip has activator.toml")
        .read_to_string(&mut settings)
        .expect("activator.toml is text");
    protocol::config::ActivatorConfig::from_toml(&settings)
        .expect("activator.toml is valid")
        .download_token
        .into_exposed()
}

/// Posts `body` with `token`; answers the response.
pub fn post(address: SocketAddr, token: &str, body: &[u8]) -> std::io::Result<http::Response> {
    let auth = format!("Bearer {token}");
    http::request(
        address,
        "POST",
        "/api/v1/reports",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        body,
        Duration::from_secs(10),
    )
}

/// How the load went so far.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Reports answered 200 or 201.
    pub acknowledged: BTreeSet<u64>,
    /// Every report sent.
    pub attempted: BTreeSet<u64>,
    /// Answers other than 200/201, by status.
    pub refused: BTreeMap<u16, u64>,
    /// 503s without a `Retry-After`.
    pub without_retry_after: u64,
    /// Requests that got no answer (connection refused or cut).
    pub unanswered: u64,
    /// When the last report was acknowledged.
    pub last_acknowledged: Option<Instant>,
}

/// A running load.
#[derive(Debug)]
pub struct Load {
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
    clients: Vec<thread::JoinHandle<()>>,
}

impl Load {
    /// Starts `clients` clients posting to `address` with `token`.
    pub fn start(address: SocketAddr, token: &str, clients: usize) -> Load {
        let next = Arc::new(AtomicU64::new(1));
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let clients = (0..clients)
            .map(|_| {
                let (next, stop, tally, token) =
                    (next.clone(), stop.clone(), tally.clone(), token.to_owned());
                thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        lock(&tally).attempted.insert(n);
                        let answer = post(address, &token, &report(n));
                        let mut tally = lock(&tally);
                        match answer {
                            Ok(r) if r.status == 200 || r.status == 201 => {
                                tally.acknowledged.insert(n);
                                tally.last_acknowledged = Some(Instant::now());
                            }
                            Ok(r) => {
                                *tally.refused.entry(r.status).or_default() += 1;
                                if r.status == 503 && r.header("retry-after").is_none() {
                                    tally.without_retry_after += 1;
                                }
                                drop(tally);
                                // As the activator does: wait a little, then go on.
                                thread::sleep(Duration::from_millis(20));
                            }
                            Err(_) => {
                                tally.unanswered += 1;
                                drop(tally);
                                thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            tally,
            clients,
        }
    }

    /// How it went so far.
    pub fn tally(&self) -> Tally {
        lock(&self.tally).clone()
    }

    /// Waits until `done` holds for the tally, or `within` passes; answers whether it held.
    pub fn wait_for(&self, within: Duration, done: impl Fn(&Tally) -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < within {
            if done(&self.tally()) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Stops the clients; answers the final tally.
    pub fn stop(self) -> Tally {
        self.stop.store(true, Ordering::SeqCst);
        for client in self.clients {
            client.join().expect("a load client panicked");
        }
        lock(&self.tally).clone()
    }
}

fn lock(tally: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    tally
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
