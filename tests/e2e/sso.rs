//! Single sign-on through a real OpenID provider: the npm package `oidc-provider` on
//! loopback (`tests/browser/oidc-provider.mjs`), the real portal, and Chromium walking the
//! whole redirect flow (`tests/browser/sso-flow.mjs`) for an admin, a viewer and an
//! account the portal must refuse.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use e2e::database::{scalar, strings};
use e2e::{Portal, PortalOptions, node, target_dir, workspace_root};

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
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

fn flow(portal: &Portal, account: &str, expected: &str) {
    let out_dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();
    let output = node(&workspace_root().join("tests/browser"))
        .args([
            "sso-flow.mjs",
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
        "{account} ({expected}):\n{log}\n{:?}",
        portal.log_lines()
    );
    for step in ["login-page", "provider", "landing"] {
        assert!(
            log.contains(&format!("ok   {step}")),
            "{account}: {step}:\n{log}"
        );
    }
}

#[test]
fn campus_accounts_sign_in_with_their_role_and_others_are_refused() {
    let (portal_port, provider_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{portal_port}");
    let _provider = start_provider(provider_port, &format!("{base}/admin/login/sso/callback"));
    let portal = Portal::start(
        PortalOptions::new()
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
            .env("PORTAL_OIDC__VIEWER_VALUES", "[\"it-helpdesk\"]"),
    );
    flow(&portal, "it.alice", "admin");
    flow(&portal, "it.vera", "viewer");
    flow(&portal, "student.sam", "refused");
    // A second sign-in finds the same account.
    flow(&portal, "it.alice", "admin");

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
