//! Operations on the real binary: a graceful stop in the middle of a report load, the
//! `portal admin` commands, and the first start's one-time password.

use std::collections::BTreeSet;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::database::strings;
use e2e::{Portal, PortalOptions, http};

fn report(n: u64) -> Vec<u8> {
    let mut report: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/reports/success.json")).unwrap();
    report["report_id"] = format!("9a8b7c6d-5e4f-4a3b-8c2d-{n:012x}").into();
    serde_json::to_vec(&report).unwrap()
}

fn token_of(portal: &Portal) -> String {
    use std::io::Read;
    let response = portal.get("/download/office-2019-proplus");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(response.body)).unwrap();
    let mut settings = String::new();
    zip.by_name("activator.toml")
        .unwrap()
        .read_to_string(&mut settings)
        .unwrap();
    protocol::config::ActivatorConfig::from_toml(&settings)
        .unwrap()
        .download_token
        .into_exposed()
}

fn stand_in_exe() -> String {
    env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml"
}

#[test]
fn sigterm_finishes_the_reports_in_flight_and_exits_cleanly() {
    let mut portal = Portal::start(
        PortalOptions::new()
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_TOKEN", "100000000")
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_NETWORK", "100000000")
            .env("PORTAL_ACTIVATOR_EXE", stand_in_exe()),
    );
    let token = token_of(&portal);
    let address = portal.address();
    let next = Arc::new(AtomicU64::new(1));
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (next, stop, acknowledged, token) = (
                next.clone(),
                stop.clone(),
                acknowledged.clone(),
                token.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let auth = format!("Bearer {token}");
                    let headers = [
                        ("Content-Type", "application/json"),
                        ("Authorization", auth.as_str()),
                    ];
                    match http::request(
                        address,
                        "POST",
                        "/api/v1/reports",
                        &headers,
                        &report(n),
                        Duration::from_secs(10),
                    ) {
                        Ok(response) if response.status == 201 || response.status == 200 => {
                            acknowledged.lock().unwrap().insert(n);
                        }
                        Ok(response) => panic!("report {n}: {}", response.status),
                        Err(_) => break, // the portal stopped listening
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 100 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = portal.terminate();
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }
    assert!(
        status.success(),
        "a graceful stop exits with 0, not {status}"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 100);
    let stored: BTreeSet<u64> = strings(&portal.database_url(), "select report_id from reports")
        .iter()
        .map(|id| u64::from_str_radix(id.rsplit('-').next().unwrap(), 16).unwrap())
        .collect();
    assert!(
        acknowledged.is_subset(&stored),
        "every acknowledged report was committed before the exit"
    );
}

#[test]
fn admin_commands_manage_accounts_that_can_sign_in() {
    let portal = Portal::start(PortalOptions::new().env("PORTAL_ADMIN__SECURE_COOKIES", "false"));
    let database = portal.database_url();
    let data_dir = portal.data_dir().display().to_string();
    let run = |args: &[&str], stdin: &str| {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        e2e::run_portal_command(
            &all,
            &[
                ("PORTAL_DATABASE_URL", database.as_str()),
                ("PORTAL_DATA_DIR", data_dir.as_str()),
            ],
            stdin,
        )
    };
    let (ok, text) = run(&["add", "alice", "--role", "admin"], "short\n");
    assert!(!ok && text.contains("at least 12 characters"), "{text}");
    let (ok, text) = run(
        &["add", "alice", "--role", "admin"],
        "a sturdy long passphrase\n",
    );
    assert!(ok && text.contains("created alice (admin)"), "{text}");
    let (ok, text) = run(&["add", "alice"], "another long passphrase\n");
    assert!(!ok && text.contains("exists already"), "{text}");
    let (ok, text) = run(&["list"], "");
    assert!(
        ok && text.contains("alice\tadmin\t(must change password)"),
        "{text}"
    );

    let form = "username=alice&password=a+sturdy+long+passphrase";
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let signed_in = http::request(
        portal.address(),
        "POST",
        "/admin/login",
        &headers,
        form.as_bytes(),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(signed_in.status, 303);
    assert_eq!(
        signed_in.header("location"),
        Some("/admin/password"),
        "set by someone else: change it first"
    );
    assert!(
        signed_in
            .header("set-cookie")
            .unwrap()
            .starts_with("portal_session=")
    );

    let (ok, text) = run(&["remove", "alice"], "");
    assert!(ok && text.contains("removed alice"), "{text}");
    let refused = http::request(
        portal.address(),
        "POST",
        "/admin/login",
        &headers,
        form.as_bytes(),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(refused.status, 401);
}

#[test]
fn the_first_start_shows_a_one_time_password_on_the_console_only() {
    let portal = Portal::start(PortalOptions::new());
    // The notice goes to stderr, which another thread reads than the "portal listening"
    // line Portal::start waits for: wait for the notice's last line too.
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let lines = portal.log_lines();
        if lines.iter().any(|l| l.contains("portal admin add")) || Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let shown: Vec<&String> = lines.iter().filter(|l| l.contains("password:")).collect();
    assert_eq!(shown.len(), 1, "{lines:#?}");
    let password = shown[0]
        .split("password:")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(password.len(), 24);
    let logged: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with('{') && l.contains(&password))
        .collect();
    assert!(logged.is_empty(), "never in the structured log: {logged:?}");
    assert!(lines.iter().any(|l| l.contains("portal admin add")));
}
