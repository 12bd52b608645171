//! Sign-in throttling and password strength (issue 14): wrong passwords hold back only
//! their own account and network, in the database (shared by every portal on it, kept
//! across a restart), a success resets the pair, a network has a ceiling, the
//! current-password check is throttled too, and guessable passwords are refused with a
//! reason in both languages.

use axum::http::{StatusCode, header};

use crate::admin_auth::{PASSWORD, add_user, csrf_of, post_form, post_form_from, sign_in};
use crate::dashboard_machines::execute;
use crate::reports::count;
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    wrong_passwords_hold_back_only_their_own_network,
    a_network_that_guesses_many_names_waits,
    the_current_password_check_is_throttled,
    guessable_passwords_are_refused_in_both_languages,
);

/// Three clients on three networks.
const HOME: &str = "198.51.100.7:40000";
const ELSEWHERE: &str = "203.0.113.9:40000";
const SPRAYER: &str = "192.0.2.200:40000";

async fn attempt(app: &TestApp, client: &str, user: &str, password: &str) -> TestResponse {
    post_form_from(
        app,
        client,
        "/admin/login?lang=en",
        &[("username", user), ("password", password)],
        None,
    )
    .await
}

fn retry_after(response: &TestResponse) -> u64 {
    response.header(header::RETRY_AFTER).parse().unwrap()
}

/// Lets every waiting pair try again, as time would.
async fn time_passes(app: &TestApp) {
    execute(
        app,
        "update sign_in_failures set next_at = '2000-01-01T00:00:00Z'",
    )
    .await;
}

async fn wrong_passwords_hold_back_only_their_own_network(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    for _ in 0..5 {
        let refused = attempt(&app, SPRAYER, "alice", "guess guess guess").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let held = attempt(&app, SPRAYER, "alice", PASSWORD).await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser waits"
    );
    held.assert_contains("Too many wrong passwords. Try again in 1 minute");
    assert!((55..=60).contains(&retry_after(&held)), "a minute");
    // Its owner, on another network, is never refused because of them.
    let owner = attempt(&app, HOME, "alice", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.text);
    // The count is in the database: another portal on it (or this one restarted) agrees.
    let other = app.second_instance().await;
    let still = attempt(&other, SPRAYER, "alice", PASSWORD).await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    // Each further failure doubles the wait.
    time_passes(&app).await;
    assert_eq!(
        attempt(&app, SPRAYER, "alice", "guess again guess")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let longer = attempt(&app, SPRAYER, "alice", PASSWORD).await;
    assert!((115..=120).contains(&retry_after(&longer)), "two minutes");
    // Once the wait is over, the right password goes in and resets the pair: four typos
    // later the owner still signs in at once.
    time_passes(&app).await;
    assert_eq!(
        attempt(&app, SPRAYER, "alice", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for _ in 0..4 {
        let typo = attempt(&app, SPRAYER, "alice", "typo typo typo").await;
        assert_eq!(typo.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt(&app, SPRAYER, "alice", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "successes never count"
    );
    for _ in 0..3 {
        assert_eq!(
            attempt(&app, HOME, "alice", PASSWORD).await.status,
            StatusCode::SEE_OTHER,
            "successes never count"
        );
    }
    // Failures are audited with their network; successes too.
    let failed = count(
        &app,
        "select count(*) from audit_log where action = 'sign_in_failed' \
         and entity_key = 'alice' and after_json like '%192.0.2.0/24%'",
    )
    .await;
    assert_eq!(failed, 10);
    let signed_in = count(
        &app,
        "select count(*) from audit_log where action = 'sign_in' and entity_key = 'alice'",
    )
    .await;
    assert_eq!(signed_in, 6);
}

async fn a_network_that_guesses_many_names_waits(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    let mut statuses = Vec::new();
    for n in 0..31 {
        let name = format!("user{n}");
        statuses.push(attempt(&app, SPRAYER, &name, "x").await.status);
    }
    assert!(
        statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    let held = attempt(&app, SPRAYER, "alice", PASSWORD).await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the whole network waits"
    );
    assert_eq!(held.header(header::RETRY_AFTER), "900");
    assert_eq!(
        attempt(&app, ELSEWHERE, "alice", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "other networks do not"
    );
}

async fn the_current_password_check_is_throttled(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    let cookie = sign_in(&app, "alice").await;
    let csrf = csrf_of(&app, &cookie).await;
    let change = |current: &'static str| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        let app = &app;
        async move {
            let new = "plum kettle orbit saffron";
            post_form(
                app,
                "/admin/password?lang=en",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("confirm", new),
                ],
                Some(&cookie),
            )
            .await
        }
    };
    for _ in 0..5 {
        let wrong = change("nope nope nope").await;
        wrong
            .assert_page(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("The current password is not right.");
    }
    let held = change(PASSWORD).await;
    held.assert_page(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("Too many wrong passwords");
    let unchanged = count(
        &app,
        "select count(*) from audit_log where action = 'password'",
    )
    .await;
    assert_eq!(unchanged, 0, "nothing changed while held");
    let audited = count(
        &app,
        "select count(*) from audit_log where action = 'password_check_failed'",
    )
    .await;
    assert_eq!(audited, 5);
    time_passes(&app).await;
    assert_eq!(change(PASSWORD).await.status, StatusCode::SEE_OTHER);
}

async fn guessable_passwords_are_refused_in_both_languages(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "admin", "admin", false).await;
    let cookie = sign_in(&app, "admin").await;
    let csrf = csrf_of(&app, &cookie).await;
    let cases = [
        (
            "aaaaaaaaaaaa",
            "en",
            "Repeats like \"aaa\" are easy to guess.",
        ),
        ("ADMINADMINADMIN", "en", "too easy to guess"),
        ("qwertyuiopasdf", "en", "rows of keys"),
        ("lunghwauniversity", "en", "the institution's name"),
        ("aaaaaaaaaaaa", "zh-TW", "四個以上彼此無關"),
    ];
    for (new, lang, said) in cases {
        let refused = post_form(
            &app,
            &format!("/admin/password?lang={lang}"),
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
            Some(&cookie),
        )
        .await;
        refused
            .assert_page(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(&said.replace('"', "&#34;").replace('\'', "&#39;"));
    }
    let changed = post_form(
        &app,
        "/admin/password",
        &[
            ("csrf", &csrf),
            ("current", PASSWORD),
            ("new", "plum kettle orbit saffron"),
            ("confirm", "plum kettle orbit saffron"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
}
