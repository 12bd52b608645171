//! Choosing the language: `?lang=` (remembered in a cookie), the cookie, `Accept-Language`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(language_comes_from_query_cookie_or_header);

async fn language_comes_from_query_cookie_or_header(backend: Backend) {
    let app = TestApp::new(backend).await;
    let default = app.get("/errors").await;
    default
        .assert_page(StatusCode::OK)
        .assert_contains(r#"<html lang="zh-TW">"#);
    assert!(default.header(header::VARY).contains("Accept-Language"));

    let chosen = app.get("/errors?lang=en").await;
    chosen.assert_contains(r#"<html lang="en">"#);
    let cookie = chosen.header(header::SET_COOKIE);
    assert!(
        cookie.starts_with("lang=en;")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-http default must not set Secure: {cookie}"
    );

    let remembered = app.get_with("/tutorials", header::COOKIE, "lang=en").await;
    remembered.assert_contains(r#"<html lang="en">"#);
    assert!(remembered.header(header::SET_COOKIE).is_empty());

    let browser = app
        .get_with("/", header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9,zh-TW;q=0.5")
        .await;
    browser.assert_contains(r#"<html lang="en">"#);

    let both = app
        .request(
            Request::get("/")
                .header(header::COOKIE, "lang=zh-TW")
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    both.assert_contains(r#"<html lang="zh-TW">"#);

    // The switcher keeps the filters.
    app.get("/?family=office&lang=zh-TW")
        .await
        .assert_contains(r#"href="/?family=office&#38;lang=en""#);
}
