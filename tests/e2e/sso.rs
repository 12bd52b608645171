//! Single sign-on through a real OpenID provider: the npm package `oidc-provider` on
//! loopback (`tests/browser/oidc-provider.mjs`), the real portal, and Chromium walking the
//! whole redirect flow (`tests/browser/sso-flow.mjs`) for an admin, a viewer and an
//! account the portal must refuse; and downloads behind the same sign-in
//! (`tests/browser/download-flow.mjs`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use e2e::database::{scalar, strings};
use e2e::{Portal, PortalOptions, node, target_dir, workspace_root};

use crate::whole_loop::free_port;

const CLIENT_ID: &str = "campus-license-portal";
const CLIENT_SECRET: &str = "a client secret for the test provider only";

/// The provider process, stopped when dropped.
struct Provider(Child);

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_provider(port: u16, redirect_uri: &str) -> Provider {
    let browser_dir = workspace_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/oidc-provider").is_dir(),
        "run scripts/setup first"
    );
    let mut child = node(&browser_dir)
        .args([
            "oidc-provider.mjs",
            &port.to_string(),
            CLIENT_ID,
            CLIENT_SECRET,
            redirect_uri,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start node");
    let stdout = child.stdout.take().unwrap();
    let provider = Provider(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut lines = BufReader::new(stdout).lines();
    loop {
        assert!(Instant::now() < deadline, "the provider did not start");
        match lines.next() {
            Some(Ok(line)) if line.contains("listening") => break,
            Some(_) => {}
            None => panic!("the provider stopped"),
        }
    }
    // Keep reading what it prints, so that it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    provider
}

/// Runs `script` (`node SCRIPT BASE_URL OUT_DIR ACCOUNT EXPECTED`) and checks it passed
/// each of `steps`.
fn flow(script: &str, portal: &Portal, account: &str, expected: &str, steps: &[&str]) {
    let out_dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();
    let output = node(&workspace_root().join("tests/browser"))
        .args([
            script,
            &portal.base_url(),
            &out_dir.display().to_string(),
            account,
            expected,
        ])
        .output()
        .expect("cannot run node");
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} {account} ({expected}):\n{log}\n{:?}",
        portal.log_lines()
    );
    for step in steps {
        assert!(
            log.contains(&format!("ok   {step}")),
            "{account}: {step}:\n{log}"
        );
    }
}

/// A portal whose campus sign-in is a fresh provider, with `env` besides.
fn with_provider(env: &[(&str, &str)]) -> (Portal, Provider) {
    let (portal_port, provider_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{portal_port}");
    let provider = start_provider(provider_port, &format!("{base}/admin/login/sso/callback"));
    let mut options = PortalOptions::new()
        .env("PORTAL_BIND", format!("127.0.0.1:{portal_port}"))
        .env("PORTAL_PUBLIC_URL", &base)
        .env("PORTAL_ADMIN__SECURE_COOKIES", "false")
        .env(
            "PORTAL_OIDC__ISSUER_URL",
            format!("http://127.0.0.1:{provider_port}"),
        )
        .env("PORTAL_OIDC__CLIENT_ID", CLIENT_ID)
        .env("PORTAL_OIDC__CLIENT_SECRET", CLIENT_SECRET)
        .env("PORTAL_OIDC__ADMIN_VALUES", "[\"it-staff\"]")
        .env("PORTAL_OIDC__VIEWER_VALUES", "[\"it-helpdesk\"]");
    for (key, value) in env {
        options = options.env(*key, *value);
    }
    (Portal::start(options), provider)
}

const STAFF_STEPS: [&str; 3] = ["login-page", "provider", "landing"];

#[test]
fn campus_accounts_sign_in_with_their_role_and_others_are_refused() {
    let (portal, _provider) = with_provider(&[]);
    flow("sso-flow.mjs", &portal, "it.alice", "admin", &STAFF_STEPS);
    flow("sso-flow.mjs", &portal, "it.vera", "viewer", &STAFF_STEPS);
    flow(
        "sso-flow.mjs",
        &portal,
        "student.sam",
        "refused",
        &STAFF_STEPS,
    );
    // A second sign-in finds the same account.
    flow("sso-flow.mjs", &portal, "it.alice", "admin", &STAFF_STEPS);

    let database = portal.database_url();
    assert_eq!(
        strings(
            &database,
            "select username || ' ' || role || ' ' || coalesce(email, '-') from users
             where oidc_subject is not null order by username"
        ),
        [
            "it.alice admin it.alice@example.edu",
            "it.vera viewer it.vera@example.edu"
        ],
        "accounts made by the campus sign-in, with their role and address"
    );
    assert_eq!(
        scalar(
            &database,
            "select count(*) from audit_log where action = 'sign_in_failed' and entity_key = 'student.sam'"
        ),
        1,
        "the refusal is in the change log"
    );
    assert_eq!(
        scalar(
            &database,
            "select count(*) from audit_log where action = 'sign_in' and entity_key = 'it.alice'"
        ),
        2
    );
}

#[test]
fn downloads_need_a_covered_campus_account_and_keep_only_a_pseudonym() {
    let stand_in = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let (portal, _provider) = with_provider(&[
        ("PORTAL_ACTIVATOR_EXE", stand_in.as_str()),
        ("PORTAL_OIDC__DOWNLOADS", "true"),
        ("PORTAL_OIDC__DOWNLOAD_CLAIM", "affiliation"),
        ("PORTAL_OIDC__DOWNLOAD_VALUES", "[\"student\", \"staff\"]"),
        ("PORTAL_OIDC__DOWNLOADS_PER_PERSON_PER_DAY", "2"),
    ]);
    // Without a sign-in, a download is a redirect to it.
    let anonymous = portal.get("/download/office-2019-proplus");
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.header("location"),
        Some("/download/office-2019-proplus/sign-in")
    );
    flow(
        "download-flow.mjs",
        &portal,
        "student.sam",
        "downloads",
        &[
            "to-provider",
            "first-download",
            "second-download",
            "over-the-limit",
        ],
    );
    flow(
        "download-flow.mjs",
        &portal,
        "guest.gus",
        "refused",
        &["to-provider", "refused"],
    );

    let database = portal.database_url();
    let people = strings(&database, "select distinct person from downloads");
    assert_eq!(people.len(), 1, "one person downloaded: {people:?}");
    assert_eq!(people[0].len(), 32);
    assert!(
        people[0].bytes().all(|b| b.is_ascii_hexdigit()),
        "a pseudonym, not a name"
    );
    assert_eq!(scalar(&database, "select count(*) from downloads"), 2);
}
