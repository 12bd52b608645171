//! Error-code pages: every code in both languages, case-insensitive, helpful 404s.

use axum::http::{StatusCode, header};

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    every_error_code_has_a_page_in_both_languages,
    error_codes_are_case_insensitive,
    unknown_error_code_is_a_helpful_404,
    lookup_form_redirects_to_the_code,
    seed_mistakes_are_corrected,
);

/// The codes the portal must explain: the seed's six and the common KMS client codes.
const REQUIRED_CODES: [&str; 16] = [
    "0x80070005",
    "0xC004F06C",
    "0xC004F039",
    "0xC004F038",
    "0xC004F074",
    "0xC004C003",
    "0xC004F035",
    "0xC004F041",
    "0xC004F042",
    "0xC004F050",
    "0xC004F014",
    "0x8007232B",
    "0x8007007B",
    "0x800706BA",
    "0xC004B100",
    "0xC004C008",
];

async fn every_error_code_has_a_page_in_both_languages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let list = app.get("/errors?lang=en").await;
    list.assert_page(StatusCode::OK);
    for code in REQUIRED_CODES {
        list.assert_contains(&format!(r#"href="/errors/{code}""#));
        for (lang, heading) in [("zh-TW", "解決方法"), ("en", "What to do")] {
            app.get(&format!("/errors/{code}?lang={lang}"))
                .await
                .assert_page(StatusCode::OK)
                .assert_contains(&format!(r#"<html lang="{lang}">"#))
                .assert_contains(&format!("<code class=\"code-title\">{code}</code>"))
                .assert_contains(heading);
        }
    }
}

async fn error_codes_are_case_insensitive(backend: Backend) {
    let app = TestApp::new(backend).await;
    for path in [
        "/errors/0xC004F074",
        "/errors/c004f074",
        "/errors/0XC004F074",
        "/errors/0xc004f074",
    ] {
        app.get(path)
            .await
            .assert_page(StatusCode::OK)
            .assert_contains("0xC004F074");
    }
}

async fn unknown_error_code_is_a_helpful_404(backend: Backend) {
    let app = TestApp::new(backend).await;
    let page = app.get("/errors/0xDEADBEEF?lang=en").await;
    page.assert_page(StatusCode::NOT_FOUND)
        .assert_contains("We don&#39;t know this error code")
        .assert_contains("<code>0xDEADBEEF</code>")
        .assert_contains(r#"href="/errors/0xC004F074""#)
        .assert_contains(r#"action="/errors""#);
    app.get("/errors/0xDEADBEEF")
        .await
        .assert_page(StatusCode::NOT_FOUND)
        .assert_contains("查不到這個錯誤碼");
    // Hostile input is shown escaped, never as markup.
    let hostile = app.get("/errors/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    hostile.assert_page(StatusCode::NOT_FOUND);
    assert!(!hostile.text.contains("<script>"), "{}", hostile.text);
}

async fn lookup_form_redirects_to_the_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let redirect = app.get("/errors?code=c004f074").await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.header(header::LOCATION), "/errors/0xC004F074");
    app.get("/errors?code=nonsense")
        .await
        .assert_page(StatusCode::NOT_FOUND)
        .assert_contains("nonsense");
    app.get("/errors?code=").await.assert_page(StatusCode::OK);
    let too_long = format!("/errors?code={}", "9".repeat(41));
    app.get(&too_long)
        .await
        .assert_page(StatusCode::BAD_REQUEST)
        .assert_contains("code");
}

async fn seed_mistakes_are_corrected(backend: Backend) {
    let app = TestApp::new(backend).await;
    // 0xC004C003 is a blocked key, not a missing administrator right.
    app.get("/errors/0xC004C003?lang=en")
        .await
        .assert_contains("blocked");
    app.get("/errors/0xC004C003").await.assert_contains("封鎖");
    // The Office threshold is 5 machines; Windows clients need 25.
    app.get("/errors/0xC004F038?lang=en")
        .await
        .assert_contains("at least <strong>5</strong>")
        .assert_contains("at least <strong>25</strong>");
    // 0xC004F06C is about UTC: clock and time zone together.
    app.get("/errors/0xC004F06C?lang=en")
        .await
        .assert_contains("UTC");
}
