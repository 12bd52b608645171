//! Institution settings (every public page, the guides' placeholders, several portals on
//! one database), the change log, and the refusals every change shares: viewers, and
//! missing, forged or foreign CSRF tokens.

use axum::http::StatusCode;

use crate::admin_auth::get_with_cookie;
use crate::admin_edit::{assert_redirect, assert_refused, last_audit, post, session, with_csrf};
use crate::reports::count;
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    settings_show_in_every_page_and_reset,
    settings_rules_refuse_with_their_messages,
    settings_saved_by_another_portal_are_reloaded,
    viewers_and_bad_tokens_change_nothing,
    the_change_log_is_for_admins_newest_first,
);

/// Every settings field, as the form sends it.
fn settings_form(name_en: &str, phone: &str) -> Vec<(&'static str, String)> {
    [
        ("name_zh", "範例學院"),
        ("name_en", name_en),
        ("it_office_zh", "資訊中心"),
        ("it_office_en", "Computing Centre"),
        ("vpn_url", "https://vpn.example.edu/guide"),
        // Ticked, as the configuration has it: a browser sends a ticked box only.
        ("offer_ended_licences", "on"),
        ("team_zh", "服務台"),
        ("team_en", "Service desk"),
        ("phone", phone),
        ("extensions", "100, 200"),
        ("email", "help@example.edu"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

async fn settings_show_in_every_page_and_reset(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let mut fields = settings_form("Example College", "02-1234-5678");
    fields = fields
        .into_iter()
        .map(|(k, v)| {
            if k == "team_en" {
                (
                    k,
                    "Library and Information Services, Administration or Network Section"
                        .to_owned(),
                )
            } else {
                (k, v)
            }
        })
        .collect();
    fields.push(("csrf", s.csrf.clone()));
    assert_redirect(
        &post(&app, "/admin/settings", &s, &fields).await,
        "/admin/settings?done=saved",
    );
    for path in [
        "/?lang=en",
        "/errors?lang=en",
        "/tutorials/windows?lang=en",
        "/catalog/office-2019-proplus?lang=en",
    ] {
        app.get(path)
            .await
            .assert_contains("Example College")
            .assert_contains(r#"<a href="tel:0212345678,100">02-1234-5678</a> ext. 100, 200"#)
            .assert_contains("mailto:help@example.edu")
            .assert_contains("https://vpn.example.edu/guide")
            .assert_contains("Computing Centre");
    }
    app.get("/tutorials/office?lang=zh-TW")
        .await
        .assert_contains("範例學院")
        .assert_contains("資訊中心");
    assert_eq!(
        count(&app, "select count(*) from settings").await,
        9,
        "the unchanged team_en follows the configuration"
    );
    let (action, entity, _, old, new) = last_audit(&app).await;
    assert_eq!((action.as_str(), entity.as_str()), ("update", "settings"));
    assert_eq!(
        (
            old["institution.name_en"].as_str(),
            new["institution.name_en"].as_str()
        ),
        (
            Some("Lunghwa University of Science and Technology"),
            Some("Example College")
        )
    );
    let page = get_with_cookie(&app, "/admin/settings?lang=en", &s.cookie).await;
    page.assert_contains(
        "Edited; the configuration says: Lunghwa University of Science and Technology",
    );

    assert_redirect(
        &post(&app, "/admin/settings/reset", &s, &with_csrf(&s, &[])).await,
        "/admin/settings?done=saved",
    );
    assert_eq!(count(&app, "select count(*) from settings").await, 0);
    let home = app.get("/?lang=en").await;
    home.assert_contains("Lunghwa University of Science and Technology");
    assert!(!home.text.contains("Example College"));
    assert_eq!(last_audit(&app).await.0, "reset");
}

async fn settings_rules_refuse_with_their_messages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let long = "x".repeat(201);
    let cases = [
        ("name_zh", "", "Needs 1 to 200 characters."),
        ("team_en", long.as_str(), "Needs 1 to 200 characters."),
        ("phone", "call us", "A phone number holds only digits"),
        ("extensions", "12, ab", "Extensions are digits"),
        ("email", "help at example", "Enter a valid e-mail address"),
        (
            "vpn_url",
            "javascript:alert(1)",
            "must start with https:// or http://",
        ),
    ];
    for (name, value, message) in cases {
        let mut fields: Vec<(&str, String)> = settings_form("Example College", "02-1234-5678")
            .into_iter()
            .filter(|(k, _)| *k != name)
            .collect();
        fields.extend([(name, value.to_owned()), ("csrf", s.csrf.clone())]);
        let refused = post(&app, "/admin/settings?lang=en", &s, &fields).await;
        assert_refused(&refused, name, message);
        refused.assert_contains(r#"value="Example College""#);
    }
    assert_eq!(count(&app, "select count(*) from settings").await, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
    assert!(!app.get("/?lang=en").await.text.contains("Example College"));
}

async fn settings_saved_by_another_portal_are_reloaded(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Another portal on the same database saves; this one has not heard of it yet.
    let actor = server::db::edit_audit::Actor {
        username: "elsewhere".to_owned(),
        at: app.state.now(),
    };
    let overrides = [("helpdesk.phone", "03-555-0100".to_owned())];
    server::db::settings::save(
        &app.state.db,
        &overrides,
        &serde_json::json!({}),
        &serde_json::json!({}),
        &actor,
    )
    .await
    .unwrap();
    assert!(!app.get("/").await.text.contains("03-555-0100"));
    server::settings::reload(&app.state.db, &app.state.site)
        .await
        .unwrap();
    app.get("/").await.assert_contains("03-555-0100");
    assert!(server::settings::RELOAD_EVERY <= std::time::Duration::from_secs(30));
}

async fn viewers_and_bad_tokens_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    let viewer = session(&app, "vera", "viewer").await;
    let version = server::db::edit_versions::find_version(&app.state.db, "office-2019-proplus")
        .await
        .unwrap()
        .unwrap()
        .fields;
    let changes: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "/admin/catalogue/agreements/new",
            vec![
                ("slug", "x".into()),
                ("name_zh", "甲".into()),
                ("name_en", "A".into()),
            ],
        ),
        ("/admin/catalogue/agreements/office-upgrade/delete", vec![]),
        (
            "/admin/catalogue/products/office-legacy/edit",
            vec![
                ("agreement", "office-upgrade".into()),
                ("slug", "office-legacy".into()),
                ("name_zh", "舊".into()),
                ("name_en", "Old".into()),
            ],
        ),
        (
            "/admin/catalogue/versions/office-2019-proplus/edit",
            crate::admin_edit::set(
                crate::admin_edit::version_form(&version),
                "term_end",
                Some("2040-01-01"),
            ),
        ),
        ("/admin/catalogue/versions/frontpage-2003/delete", vec![]),
        (
            "/admin/tutorials/office/en",
            vec![
                ("title", "Hacked".into()),
                ("body_md", "Hacked".into()),
                ("action", "save".into()),
            ],
        ),
        (
            "/admin/errors/0xC004F074",
            vec![("category", "key".into()), ("windows", "on".into())],
        ),
        ("/admin/settings", settings_form("Hacked College", "000")),
        ("/admin/settings/reset", vec![]),
    ];
    for (path, fields) in &changes {
        let mut as_viewer = fields.clone();
        as_viewer.push(("csrf", viewer.csrf.clone()));
        assert_eq!(
            post(&app, path, &viewer, &as_viewer).await.status,
            StatusCode::FORBIDDEN,
            "viewer: {path}"
        );
        let mut forged = fields.clone();
        forged.push(("csrf", "0".repeat(64)));
        assert_eq!(
            post(&app, path, &admin, &forged).await.status,
            StatusCode::FORBIDDEN,
            "forged: {path}"
        );
        assert_eq!(
            post(&app, path, &admin, fields).await.status,
            StatusCode::FORBIDDEN,
            "missing: {path}"
        );
        let mut other_session = fields.clone();
        other_session.push(("csrf", viewer.csrf.clone()));
        assert_eq!(
            post(&app, path, &admin, &other_session).await.status,
            StatusCode::FORBIDDEN,
            "another session's token: {path}"
        );
    }
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
    assert_eq!(count(&app, "select count(*) from settings").await, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from versions where slug = 'frontpage-2003'"
        )
        .await,
        1
    );
    let after = server::db::edit_versions::find_version(&app.state.db, "office-2019-proplus")
        .await
        .unwrap()
        .unwrap()
        .fields;
    assert_eq!(after, version);
    assert!(
        !app.get("/tutorials/office?lang=en")
            .await
            .text
            .contains("Hacked")
    );
}

async fn the_change_log_is_for_admins_newest_first(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let viewer = session(&app, "vera", "viewer").await;
    // Before any edit the log holds the sign-ins, with the account they were to.
    let signed_in = get_with_cookie(&app, "/admin/audit?lang=en", &s.cookie).await;
    signed_in
        .assert_page(StatusCode::OK)
        .assert_contains("Signed in")
        .assert_contains("<code>vera</code>")
        .assert_contains("<code>alice</code>");
    let first = with_csrf(
        &s,
        &[
            ("slug", "first-agreement"),
            ("name_zh", "第一"),
            ("name_en", "First"),
        ],
    );
    post(&app, "/admin/catalogue/agreements/new", &s, &first).await;
    let second = with_csrf(
        &s,
        &[
            ("slug", "first-agreement"),
            ("name_zh", "第一"),
            ("name_en", "First, renamed"),
        ],
    );
    post(
        &app,
        "/admin/catalogue/agreements/first-agreement/edit",
        &s,
        &second,
    )
    .await;
    let log = get_with_cookie(&app, "/admin/audit?lang=en", &s.cookie).await;
    log.assert_page(StatusCode::OK)
        .assert_contains("alice")
        .assert_contains("Created")
        .assert_contains("Changed");
    let changed = log.text.find("Changed").unwrap();
    let created = log.text.find("Created").unwrap();
    assert!(changed < created, "newest first");
    let update = &log.text[changed..created];
    assert!(
        update.contains("<code>name_en</code>")
            && update.contains(">First<")
            && update.contains(">First, renamed<"),
        "{update}"
    );
    assert!(
        !update.contains("<code>slug</code>"),
        "unchanged fields are left out"
    );
    assert_eq!(
        get_with_cookie(&app, "/admin/audit", &viewer.cookie)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
