//! Staff mail on both databases: each account's own settings page, and a digest the SMTP
//! server cannot take — kept, tried again later, and shown on the dashboard. (Delivery to
//! a real SMTP server, through the real binary, is `tests/e2e/mail.rs`.)

use axum::http::StatusCode;
use server::db::mail::Contact;
use server::lang::Lang;
use server::mail::{Mailer, digest, outbox};

use crate::admin_auth::{add_user, csrf_of, get_with_cookie, post_form, sign_in};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    each_account_sets_its_own_mail_and_the_change_is_audited,
    a_digest_the_server_cannot_take_waits_and_the_dashboard_says_so,
    a_digest_is_queued_once_per_account_and_day,
    a_kms_group_dropping_under_its_threshold_is_noticed_once,
    admins_set_other_accounts_mail,
);

async fn each_account_sets_its_own_mail_and_the_change_is_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "vera", "viewer", false).await;
    let cookie = sign_in(&app, "vera").await;
    let csrf = csrf_of(&app, &cookie).await;
    let page = get_with_cookie(&app, "/admin/mail?lang=en", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let title = page
        .text
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    assert!(
        title.starts_with("E-mail notifications ·") && !title.contains('<'),
        "{title}"
    );
    assert!(page.text.contains("no mail server set up"), "{}", page.text);

    let refused = post_form(
        &app,
        "/admin/mail?lang=en",
        &[
            ("csrf", &csrf),
            ("email", "IT <it@example.edu>"),
            ("lang", "en"),
            ("digest", "on"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text
            .contains("Enter an address like name@example.edu"),
        "{}",
        refused.text
    );
    let unchanged = server::db::mail::contact(&app.state.db, "vera")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.email, None, "a refused form changes nothing");

    let forged = post_form(
        &app,
        "/admin/mail",
        &[
            ("csrf", "forged"),
            ("email", "vera@example.edu"),
            ("lang", "en"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let saved = post_form(
        &app,
        "/admin/mail",
        &[
            ("csrf", &csrf),
            ("email", " vera@example.edu "),
            ("lang", "en"),
            ("digest", "on"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert_eq!(
        server::db::mail::contact(&app.state.db, "vera")
            .await
            .unwrap(),
        Some(Contact {
            email: Some("vera@example.edu".to_owned()),
            lang: Lang::En,
            digest: true,
            alerts: false,
        })
    );
    let subscribers =
        server::db::mail::subscribers(&app.state.db, server::db::mail::Subscription::Digest)
            .await
            .unwrap();
    assert_eq!(subscribers.len(), 1);
    let audit = server::db::audit::list(&app.state.db, 10).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.entity_key == "vera" && e.username == "vera")
        .expect("the change is in the change log");
    assert!(
        entry
            .after_json
            .as_deref()
            .unwrap()
            .contains("vera@example.edu"),
        "{entry:?}"
    );

    // Unticking the digest keeps the address but ends the digest.
    post_form(
        &app,
        "/admin/mail",
        &[
            ("csrf", &csrf),
            ("email", "vera@example.edu"),
            ("lang", "zh-TW"),
        ],
        Some(&cookie),
    )
    .await;
    assert!(
        server::db::mail::subscribers(&app.state.db, server::db::mail::Subscription::Digest)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

async fn subscriber(app: &TestApp, name: &str, lang: Lang) {
    add_user(app, name, "admin", false).await;
    let contact = Contact {
        email: Some(format!("{name}@example.edu")),
        lang,
        digest: true,
        alerts: true,
    };
    let now = app.state.now();
    assert!(
        server::db::mail::set_contact(&app.state.db, name, &contact, "test", now)
            .await
            .unwrap()
    );
}

async fn a_digest_the_server_cannot_take_waits_and_the_dashboard_says_so(backend: Backend) {
    let port = closed_port();
    let app = TestApp::with_config(backend, |config| {
        config.mail.smtp_url = Some(server::config::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
    })
    .await;
    subscriber(&app, "alice", Lang::En).await;
    let mailer = Mailer::new(&app.state.config.mail).unwrap().unwrap();
    assert_eq!(digest::queue(&app.state, true).await.unwrap(), 1);
    let first = outbox::deliver(&app.state, &mailer).await.unwrap();
    assert_eq!((first.sent, first.failed), (0, 1));
    let failing = server::db::mail::failing(&app.state.db).await.unwrap();
    assert_eq!(failing.messages, 1);
    assert!(failing.last_error.is_some());
    // Not due again yet: the next round leaves it alone.
    let again = outbox::deliver(&app.state, &mailer).await.unwrap();
    assert_eq!((again.sent, again.failed), (0, 0));

    let cookie = sign_in(&app, "alice").await;
    let dashboard = get_with_cookie(&app, "/admin?lang=en", &cookie).await;
    assert!(
        dashboard
            .text
            .contains("1 messages are not delivered yet and will be tried again"),
        "{}",
        dashboard.text
    );
}

async fn a_digest_is_queued_once_per_account_and_day(backend: Backend) {
    let app = TestApp::with_config(backend, |config| {
        config.mail.smtp_url = Some(server::config::SecretUrl::new("smtp://127.0.0.1:25"));
    })
    .await;
    subscriber(&app, "alice", Lang::ZhTw).await;
    subscriber(&app, "bob", Lang::En).await;
    let second = app.second_instance().await;
    // Two portals on one database queue each digest once between them.
    let (a, b) = tokio::join!(
        digest::queue(&app.state, true),
        digest::queue(&second.state, true)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    assert_eq!(digest::queue(&app.state, true).await.unwrap(), 0);
    // The licences it told of are remembered, so tomorrow's digest does not repeat them.
    let alice =
        server::db::mail::subscribers(&app.state.db, server::db::mail::Subscription::Digest)
            .await
            .unwrap()[0]
            .id;
    let told = server::db::mail::told_stages(&app.state.db, alice)
        .await
        .unwrap();
    let ended = server::catalog::TermWindow::Ended;
    assert!(
        told.iter()
            .any(|t| t.version_slug == "windows-10-enterprise" && t.stage == ended),
        "{told:?}"
    );
}

async fn a_kms_group_dropping_under_its_threshold_is_noticed_once(backend: Backend) {
    use server::catalog::KmsGroup;
    use server::db::alerts::kms_dropped;
    let app = TestApp::new(backend).await;
    let second = app.second_instance().await;
    let db = &app.state.db;
    let now = app.state.now();
    assert!(
        !kms_dropped(db, KmsGroup::Office, true, now).await.unwrap(),
        "the first look records"
    );
    assert!(
        !kms_dropped(db, KmsGroup::Office, true, now).await.unwrap(),
        "no change"
    );
    // Two portals look at once: one of them notices.
    let (a, b) = tokio::join!(
        kms_dropped(db, KmsGroup::Office, false, now),
        kms_dropped(&second.state.db, KmsGroup::Office, false, now)
    );
    assert!(a.unwrap() ^ b.unwrap(), "exactly one notices the drop");
    assert!(
        !kms_dropped(db, KmsGroup::Office, false, now).await.unwrap(),
        "still under: no news"
    );
    assert!(
        !kms_dropped(db, KmsGroup::Office, true, now).await.unwrap(),
        "back over: no alert"
    );
    assert!(
        kms_dropped(db, KmsGroup::Office, false, now).await.unwrap(),
        "under again: noticed"
    );
    assert!(
        !kms_dropped(db, KmsGroup::Windows, false, now)
            .await
            .unwrap(),
        "groups are apart"
    );
}

async fn admins_set_other_accounts_mail(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    add_user(&app, "bob", "viewer", false).await;
    let admin = sign_in(&app, "alice").await;
    let csrf = csrf_of(&app, &admin).await;
    let list = get_with_cookie(&app, "/admin/accounts?lang=en", &admin).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.text.contains("href=\"/admin/accounts/bob\""),
        "{}",
        list.text
    );
    let form = get_with_cookie(&app, "/admin/accounts/bob?lang=en", &admin).await;
    assert!(
        form.text.contains("<h1>E-mail notifications of bob</h1>"),
        "{}",
        form.text
    );
    assert!(
        !form.text.contains("calendar-title"),
        "another's calendar link is theirs alone"
    );
    let refused = post_form(
        &app,
        "/admin/accounts/bob?lang=en",
        &[("csrf", &csrf), ("email", "bob at example"), ("lang", "en")],
        Some(&admin),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = post_form(
        &app,
        "/admin/accounts/bob",
        &[
            ("csrf", &csrf),
            ("email", "bob@example.edu"),
            ("lang", "en"),
            ("alerts", "on"),
        ],
        Some(&admin),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let bob = server::db::mail::contact(&app.state.db, "bob")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (bob.email.as_deref(), bob.digest, bob.alerts),
        (Some("bob@example.edu"), false, true)
    );
    let audit = server::db::audit::list(&app.state.db, 10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.entity_key == "bob" && e.username == "alice")
    );
    assert_eq!(
        get_with_cookie(&app, "/admin/accounts/nobody", &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A viewer sees no one's address and changes nothing.
    let viewer = sign_in(&app, "bob").await;
    assert_eq!(
        get_with_cookie(&app, "/admin/accounts", &viewer)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let viewer_csrf = csrf_of(&app, &viewer).await;
    let forbidden = post_form(
        &app,
        "/admin/accounts/alice",
        &[
            ("csrf", &viewer_csrf),
            ("email", "x@example.edu"),
            ("lang", "en"),
        ],
        Some(&viewer),
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}
