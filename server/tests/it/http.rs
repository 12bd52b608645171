//! HTTP hygiene: clear 4xx pages for bad input, never a 500; security headers,
//! compression, caching, health checks.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    malformed_queries_get_clear_400_pages,
    wrong_methods_get_405_with_allow,
    overlong_and_odd_addresses_never_cause_a_500,
    api_errors_are_json,
    security_headers_are_on_every_response,
    pages_are_compressed_and_assets_cached,
    readiness_follows_the_database,
);

async fn malformed_queries_get_clear_400_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let long_search = format!("/?lang=en&q={}", "a".repeat(101));
    let cases = [
        (
            "/?lang=en&family=bogus",
            "family",
            "must be one of windows, office, project, visio, visual-studio, other",
        ),
        (
            "/?lang=en&status=expired",
            "status",
            "must be one of active, ending, ended",
        ),
        (long_search.as_str(), "q", "at most 100 characters"),
        ("/?lang=en&q=a%00b", "q", "control characters"),
        (
            "/?lang=en&family=office&family=windows",
            "query",
            "cannot be read",
        ),
        ("/?lang=fr", "lang", "must be zh-TW or en"),
    ];
    for (uri, field, reason) in cases {
        let response = app.get(uri).await;
        response
            .assert_page(StatusCode::BAD_REQUEST)
            .assert_contains(&format!("`{field}`"))
            .assert_contains(reason);
    }
    // The message is in the page's language too.
    app.get("/?family=bogus")
        .await
        .assert_page(StatusCode::BAD_REQUEST)
        .assert_contains("查詢參數");
}

async fn wrong_methods_get_405_with_allow(backend: Backend) {
    let app = TestApp::new(backend).await;
    for (method, uri) in [
        (Method::POST, "/?lang=en"),
        (Method::DELETE, "/errors/0xC004F074?lang=en"),
        (Method::PUT, "/tutorials/office?lang=en"),
    ] {
        let response = app
            .request(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        response
            .assert_page(StatusCode::METHOD_NOT_ALLOWED)
            .assert_contains("does not accept")
            .assert_contains("HTTP 405");
        assert!(
            response.header(header::ALLOW).contains("GET"),
            "{:?}",
            response.headers
        );
    }
    let head = app
        .request(Request::head("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(head.status, StatusCode::OK);
}

async fn overlong_and_odd_addresses_never_cause_a_500(backend: Backend) {
    let app = TestApp::new(backend).await;
    let too_long = format!("/?q={}", "x".repeat(3000));
    let response = app.get(&too_long).await;
    response.assert_page(StatusCode::URI_TOO_LONG);
    let odd = [
        "/nope",
        "/static/../Cargo.toml",
        "/static/style.css.map",
        "/tutorials/../../etc/passwd",
        "/errors/%ff%fe",
        "/catalog/office-2016-proplus/extra",
        "//",
        "/api",
        "/?%zz=1",
        "/?q=%zz",
        "/?lang=en&q=%F0%9F%92%BE",
    ];
    for uri in odd {
        let response = app.get(uri).await;
        assert!(
            response.status.is_client_error() || response.status.is_success(),
            "{uri}: {}",
            response.status
        );
        if response.status.is_client_error() {
            response.assert_page(response.status);
        }
    }
    let api = app.get("/api/v1").await;
    assert_eq!(
        (api.status, api.json()["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let post_body = app
        .request(
            Request::post("/")
                .body(Body::from(vec![b'x'; 200_000]))
                .unwrap(),
        )
        .await;
    assert!(post_body.status.is_client_error(), "{}", post_body.status);
}

async fn api_errors_are_json(backend: Backend) {
    let app = TestApp::new(backend).await;
    let missing = app.get("/api/v1/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"], "not_found");
    let wrong = app
        .request(
            Request::post("/api/v1/catalog")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.json()["error"], "method_not_allowed");
    assert!(
        wrong.json()["message"]
            .as_str()
            .unwrap()
            .contains("does not accept")
    );
}

async fn security_headers_are_on_every_response(backend: Backend) {
    let app = TestApp::new(backend).await;
    for uri in [
        "/",
        "/errors/0xDEADBEEF",
        "/nope",
        "/api/v1/catalog",
        "/static/style.css",
        "/healthz",
        "/?family=x",
    ] {
        let response = app.get(uri).await;
        let csp = response.header(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{uri}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(
            response.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{uri}"
        );
        assert_eq!(
            response.header(header::REFERRER_POLICY),
            "strict-origin-when-cross-origin",
            "{uri}"
        );
        assert_eq!(response.header(header::X_FRAME_OPTIONS), "DENY", "{uri}");
        assert!(
            !response
                .header(header::HeaderName::from_static("x-request-id"))
                .is_empty(),
            "{uri}"
        );
    }
    let page = app.get("/").await;
    assert!(!page.text.contains("<script"), "pages need no JavaScript");
    assert!(
        !page.text.contains(" style="),
        "inline styles would break the CSP"
    );
}

async fn pages_are_compressed_and_assets_cached(backend: Backend) {
    let app = TestApp::new(backend).await;
    let compressed = app.get_with("/", header::ACCEPT_ENCODING, "gzip").await;
    assert_eq!(compressed.header(header::CONTENT_ENCODING), "gzip");
    assert!(compressed.bytes.len() < app.get("/").await.bytes.len() / 3);
    let page = app.get("/").await;
    let css_url = page
        .text
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(css_url.starts_with("/static/style.css?v="), "{css_url}");
    let css = app.get(&css_url).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header(header::CONTENT_TYPE).starts_with("text/css"));
    assert!(css.header(header::CACHE_CONTROL).contains("immutable"));
    let etag = css.header(header::ETAG).to_owned();
    let revalidated = app.get_with(&css_url, header::IF_NONE_MATCH, &etag).await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
}

async fn readiness_follows_the_database(backend: Backend) {
    let app = TestApp::new(backend).await;
    assert_eq!(app.get("/healthz").await.text, "ok\n");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    app.state.db.close().await;
    let down = app.get("/readyz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.json()["status"], "unavailable");
    assert_eq!(
        app.get("/healthz").await.status,
        StatusCode::OK,
        "liveness does not depend on the database"
    );
    let page = app.get("/").await;
    page.assert_page(StatusCode::SERVICE_UNAVAILABLE)
        .assert_contains("資料庫暫時無法使用");
    assert_eq!(page.header(header::RETRY_AFTER), "5");
    assert!(
        !page.text.contains("pool"),
        "internal causes stay out of pages: {}",
        page.text
    );
}
