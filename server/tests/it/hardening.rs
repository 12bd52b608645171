//! Hardening found by a security review (issue 14, its smaller findings): a `HEAD` writes
//! nothing, a `//host` path cannot make the page link elsewhere, only accepted staff
//! changes empty the page cache, staff pages are never stored or compressed, the SQLite
//! file is its owner's only, ended sessions are removed, and sign-ins are audited.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::admin_edit::{last_audit, post, session, with_csrf};
use crate::reports::count;
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    a_head_request_for_a_download_writes_nothing,
    a_double_slash_path_cannot_send_links_to_another_site,
    only_an_accepted_staff_change_empties_the_page_cache,
    staff_pages_are_never_stored_or_compressed,
    ended_sessions_are_removed_and_sign_ins_audited,
);

async fn a_head_request_for_a_download_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..50 {
        let head = app
            .request(
                Request::head("/download/office-2019-proplus")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.header(header::CONTENT_TYPE), "application/zip");
        assert!(head.bytes.is_empty());
    }
    let missing = app
        .request(Request::head("/download/nope").body(Body::empty()).unwrap())
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&app, "select count(*) from downloads").await, 0);
    assert_eq!(
        count(
            &app,
            "select cast(coalesce(sum(n_downloads), 0) as bigint) from daily_downloads"
        )
        .await,
        0
    );
    // A GET still records its download.
    assert_eq!(
        app.get("/download/office-2019-proplus").await.status,
        StatusCode::OK
    );
    assert_eq!(count(&app, "select count(*) from downloads").await, 1);
}

async fn a_double_slash_path_cannot_send_links_to_another_site(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in [
        "//evil.example/x",
        "//evil.example/x?lang=en",
        "///evil.example/",
    ] {
        let page = app.get(path).await;
        assert!(
            !page.text.contains("href=\"//") && !page.text.contains("href=\"/\\"),
            "{path}: {}",
            page.text
        );
    }
}

async fn only_an_accepted_staff_change_empties_the_page_cache(backend: Backend) {
    let app = TestApp::new(backend).await;
    let generation = || app.state.pages.generation();
    let start = generation();
    let anonymous = |uri: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("csrf=x&name_zh=x"))
            .unwrap()
    };
    for uri in [
        "/admin/anything",
        "/admin/settings",
        "/admin/settings/reset",
    ] {
        let refused = app.request(anonymous(uri)).await;
        assert!(refused.status.is_client_error() || refused.status.is_redirection());
        assert_eq!(generation(), start, "anonymous POST {uri}");
    }
    let viewer = session(&app, "victor", "viewer").await;
    let refused = post(
        &app,
        "/admin/settings/reset",
        &viewer,
        &with_csrf(&viewer, &[]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin = session(&app, "alice", "admin").await;
    let forged = post(
        &app,
        "/admin/settings/reset",
        &admin,
        &[("csrf", "forged".to_owned())],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(generation(), start, "refused changes");

    let saved = post(
        &app,
        "/admin/settings/reset",
        &admin,
        &with_csrf(&admin, &[]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    assert!(generation() > start, "an accepted change empties the cache");
}

async fn staff_pages_are_never_stored_or_compressed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    for uri in [
        "/admin/login",
        "/admin?lang=en",
        "/admin/catalogue",
        "/admin/audit",
    ] {
        let response = app
            .request(
                Request::get(uri)
                    .header(header::COOKIE, &admin.cookie)
                    .header(header::ACCEPT_ENCODING, "gzip, br")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{uri}");
        assert_eq!(response.header(header::CACHE_CONTROL), "no-store", "{uri}");
        assert!(
            response.headers.get(header::CONTENT_ENCODING).is_none(),
            "{uri} is compressed"
        );
    }
    // Public pages still are.
    let public = app
        .request(
            Request::get("/?lang=en")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(public.header(header::CONTENT_ENCODING), "gzip");
}

async fn ended_sessions_are_removed_and_sign_ins_audited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let _alice = session(&app, "alice", "admin").await;
    let (action, entity, key, _, details) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("sign_in", "account", "alice")
    );
    assert!(details["network"].is_string());
    let _bob = session(&app, "bob", "viewer").await;
    assert_eq!(server::sweep_sessions(&app.state).await.unwrap(), 0);
    crate::dashboard_machines::execute(
        &app,
        "update sessions set expires_at = '2020-01-01T00:00:00Z'
         where user_id = (select id from users where username = 'bob')",
    )
    .await;
    assert_eq!(server::sweep_sessions(&app.state).await.unwrap(), 1);
    assert_eq!(count(&app, "select count(*) from sessions").await, 1);
}

#[tokio::test]
async fn the_sqlite_file_is_its_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("portal-mode-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("data").join("portal.db");
    let url = server::config::DatabaseUrl::new(format!("sqlite://{}", path.display()));
    let db = server::db::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let wal = dir.join("data").join("portal.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
