//! Staff sign-in: sessions, rotation, timeouts, CSRF, roles, and a walk over every admin
//! route (throttling and password strength: `sign_in.rs`).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::reports::count;
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    signing_in_and_out,
    unknown_accounts_and_wrong_passwords_get_the_same_answer,
    each_sign_in_gets_a_new_session,
    a_set_password_must_be_changed_first,
    idle_and_expired_sessions_end,
    changes_need_the_csrf_token_and_the_same_origin,
    every_admin_route_refuses_strangers_and_viewers,
    the_first_start_creates_a_one_time_account,
);

/// A password that passes the rules.
pub const PASSWORD: &str = "correct horse battery staple";

/// Creates `username` with [`PASSWORD`].
pub async fn add_user(app: &TestApp, username: &str, role: &str, must_change: bool) {
    let hash = server::auth::hash_password(PASSWORD.to_owned())
        .await
        .unwrap();
    assert!(
        server::db::accounts::create_user(
            &app.state.db,
            username,
            server::auth::Role::parse(role).expect("admin or viewer"),
            &hash,
            must_change,
            app.state.now()
        )
        .await
        .unwrap()
    );
}

/// Posts a form to `uri`, with `cookie` if given.
pub async fn post_form(
    app: &TestApp,
    uri: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> TestResponse {
    post_form_from(app, crate::util::CLIENT, uri, fields, cookie).await
}

/// Posts a form to `uri` from the client address `client` (`ip:port`).
pub async fn post_form_from(
    app: &TestApp,
    client: &str,
    uri: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> TestResponse {
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.replace('%', "%25")
                    .replace(' ', "+")
                    .replace('&', "%26")
                    .replace('=', "%3D")
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let mut request = request.body(Body::from(body)).unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(
        client.parse::<std::net::SocketAddr>().unwrap(),
    ));
    app.request(request).await
}

/// `GET uri` with `cookie`.
pub async fn get_with_cookie(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    app.get_with(uri, header::COOKIE, cookie).await
}

/// Signs in and answers the session cookie (`name=value`).
pub async fn sign_in(app: &TestApp, username: &str) -> String {
    let response = post_form(
        app,
        "/admin/login",
        &[("username", username), ("password", PASSWORD)],
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.text);
    response
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The CSRF token of the session behind `cookie`, read from the password page's form.
pub async fn csrf_of(app: &TestApp, cookie: &str) -> String {
    let page = get_with_cookie(app, "/admin/password", cookie).await;
    page.text
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

async fn signing_in_and_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    app.get("/admin/login?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("Staff sign-in");
    let response = post_form(
        &app,
        "/admin/login",
        &[("username", "Alice"), ("password", PASSWORD)],
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header(header::LOCATION), "/admin");
    let set_cookie = response.header(header::SET_COOKIE).to_owned();
    assert!(
        set_cookie.starts_with("__Host-portal_session="),
        "{set_cookie}"
    );
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let secret = cookie.split('=').nth(1).unwrap();
    assert_eq!(
        count(
            &app,
            &format!("select count(*) from sessions where id_hash = '{secret}'")
        )
        .await,
        0,
        "only the hash is stored"
    );
    assert_eq!(count(&app, "select count(*) from sessions").await, 1);

    get_with_cookie(&app, "/admin/password", &cookie)
        .await
        .assert_page(StatusCode::OK);
    let csrf = csrf_of(&app, &cookie).await;
    let out = post_form(&app, "/admin/logout", &[("csrf", &csrf)], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header(header::SET_COOKIE).contains("Max-Age=0"));
    assert_eq!(count(&app, "select count(*) from sessions").await, 0);
    let after = get_with_cookie(&app, "/admin/password", &cookie).await;
    assert_eq!(
        (after.status, after.header(header::LOCATION)),
        (StatusCode::SEE_OTHER, "/admin/login")
    );
}

async fn unknown_accounts_and_wrong_passwords_get_the_same_answer(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "viewer", false).await;
    let wrong = post_form(
        &app,
        "/admin/login?lang=en",
        &[
            ("username", "alice"),
            ("password", "not the password at all"),
        ],
        None,
    )
    .await;
    let unknown = post_form(
        &app,
        "/admin/login?lang=en",
        &[
            ("username", "mallory"),
            ("password", "not the password at all"),
        ],
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    wrong.assert_contains("Wrong username or password.");
    let strip = |t: &str| t.replace("alice", "NAME").replace("mallory", "NAME");
    assert_eq!(
        strip(&wrong.text),
        strip(&unknown.text),
        "the pages differ only by the name typed"
    );
    assert!(
        !wrong.header(header::SET_COOKIE).contains("portal_session"),
        "no session on failure"
    );
}

async fn each_sign_in_gets_a_new_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    let first = sign_in(&app, "alice").await;
    let second = post_form(
        &app,
        "/admin/login",
        &[("username", "alice"), ("password", PASSWORD)],
        Some(&first),
    )
    .await;
    let second = second
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    assert_eq!(
        count(&app, "select count(*) from sessions").await,
        1,
        "the session signed in over is gone"
    );
    assert_eq!(
        get_with_cookie(&app, "/admin/password", &first)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

async fn a_set_password_must_be_changed_first(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "bob", "admin", true).await;
    let response = post_form(
        &app,
        "/admin/login",
        &[("username", "bob"), ("password", PASSWORD)],
        None,
    )
    .await;
    assert_eq!(response.header(header::LOCATION), "/admin/password");
    let cookie = response
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = get_with_cookie(&app, "/admin/password?lang=en", &cookie).await;
    page.assert_page(StatusCode::OK)
        .assert_contains("set by someone else");
    let csrf = csrf_of(&app, &cookie).await;
    let cases = [
        (
            "wrong current",
            "nope nope nope",
            "a new long passphrase",
            "a new long passphrase",
            "not right",
        ),
        (
            "mismatch",
            PASSWORD,
            "a new long passphrase",
            "another long passphrase",
            "differ",
        ),
        ("too short", PASSWORD, "short", "short", "at least 12"),
        ("unchanged", PASSWORD, PASSWORD, PASSWORD, "must differ"),
    ];
    for (name, current, new, confirm, message) in cases {
        let refused = post_form(
            &app,
            "/admin/password?lang=en",
            &[
                ("csrf", &csrf),
                ("current", current),
                ("new", new),
                ("confirm", confirm),
            ],
            Some(&cookie),
        )
        .await;
        refused
            .assert_page(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(message);
        assert!(refused.status.is_client_error(), "{name}");
    }
    let changed = post_form(
        &app,
        "/admin/password",
        &[
            ("csrf", &csrf),
            ("current", PASSWORD),
            ("new", "a new long passphrase"),
            ("confirm", "a new long passphrase"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(changed.header(header::LOCATION), "/admin");
    let fresh = changed
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, cookie, "a new session after a password change");
    assert_eq!(
        get_with_cookie(&app, "/admin/password", &cookie)
            .await
            .header(header::LOCATION),
        "/admin/login"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from users where must_change_password = false"
        )
        .await,
        1
    );
}

async fn idle_and_expired_sessions_end(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    let cookie = sign_in(&app, "alice").await;
    let hash = server::auth::hash_session(cookie.split('=').nth(1).unwrap());
    let long_ago = app.state.now() - time::Duration::minutes(31);
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => {
            sqlx::query("update sessions set last_seen_at = $1 where id_hash = $2")
                .bind(long_ago)
                .bind(&hash)
                .execute(pool)
                .await
                .map(|_| ())
        }
        server::db::Db::Postgres(pool) => {
            sqlx::query("update sessions set last_seen_at = $1 where id_hash = $2")
                .bind(long_ago)
                .bind(&hash)
                .execute(pool)
                .await
                .map(|_| ())
        }
    }
    .unwrap();
    assert_eq!(
        get_with_cookie(&app, "/admin/password", &cookie)
            .await
            .header(header::LOCATION),
        "/admin/login"
    );
    assert_eq!(count(&app, "select count(*) from sessions").await, 0);

    let cookie = sign_in(&app, "alice").await;
    let hash = server::auth::hash_session(cookie.split('=').nth(1).unwrap());
    let now = app.state.now();
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => {
            sqlx::query("update sessions set expires_at = $1 where id_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(pool)
                .await
                .map(|_| ())
        }
        server::db::Db::Postgres(pool) => {
            sqlx::query("update sessions set expires_at = $1 where id_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(pool)
                .await
                .map(|_| ())
        }
    }
    .unwrap();
    assert_eq!(
        get_with_cookie(&app, "/admin/password", &cookie)
            .await
            .header(header::LOCATION),
        "/admin/login"
    );
}

async fn changes_need_the_csrf_token_and_the_same_origin(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    let cookie = sign_in(&app, "alice").await;
    let csrf = csrf_of(&app, &cookie).await;
    assert_eq!(
        post_form(&app, "/admin/logout", &[("csrf", "forged")], Some(&cookie))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        post_form(&app, "/admin/logout", &[], Some(&cookie))
            .await
            .status
            .is_client_error()
    );
    let cross_site = app
        .request(
            Request::post("/admin/logout")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    let other_origin = app
        .request(
            Request::post("/admin/logout")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &cookie)
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(other_origin.status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&app, "select count(*) from sessions").await,
        1,
        "none of those signed out"
    );
    assert_eq!(
        post_form(&app, "/admin/logout", &[("csrf", &csrf)], Some(&cookie))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

async fn every_admin_route_refuses_strangers_and_viewers(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "vera", "viewer", false).await;
    let viewer = sign_in(&app, "vera").await;
    let csrf = csrf_of(&app, &viewer).await;
    for (path, _) in server::router::staff() {
        let path = path
            .replace("{slug}", "office-2019-proplus")
            .replace("{code}", "0xC004F074")
            .replace("{lang}", "en");
        if server::router::STAFF_PUBLIC.contains(&path.as_str()) {
            continue;
        }
        for method in ["GET", "POST"] {
            let anonymous = app
                .request(
                    Request::builder()
                        .method(method)
                        .uri(&path)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            // Pages send strangers to sign in; the exports, an API, answer 401.
            let signed_out = if path.starts_with("/admin/export/") {
                anonymous.status == StatusCode::UNAUTHORIZED
            } else {
                anonymous.status == StatusCode::SEE_OTHER
                    && anonymous.header(header::LOCATION) == "/admin/login"
            };
            assert!(
                anonymous.status == StatusCode::METHOD_NOT_ALLOWED || signed_out,
                "{method} {path} without a session: {}",
                anonymous.status
            );
        }
        if path == "/admin/logout" {
            // Viewers may sign out; doing it here would end the session the walk uses.
            continue;
        }
        let change = post_form(&app, &path, &[("csrf", &csrf)], Some(&viewer)).await;
        assert!(
            change.status == StatusCode::METHOD_NOT_ALLOWED
                || change.status == StatusCode::FORBIDDEN
                // A viewer's own account: its password and its mail settings.
                || path == "/admin/password"
                || path == "/admin/mail"
                || path == "/admin/mail/calendar",
            "a viewer's POST {path}: {}",
            change.status
        );
    }
}

async fn the_first_start_creates_a_one_time_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let password = server::auth::ensure_first_account(&app.state)
        .await
        .unwrap()
        .expect("created");
    assert!(
        server::auth::ensure_first_account(&app.state)
            .await
            .unwrap()
            .is_none(),
        "only once"
    );
    let response = post_form(
        &app,
        "/admin/login",
        &[("username", "admin"), ("password", &password)],
        None,
    )
    .await;
    assert_eq!(
        response.header(header::LOCATION),
        "/admin/password",
        "the one-time password must be changed"
    );
}
