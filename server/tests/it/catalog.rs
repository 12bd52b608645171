//! The software list and version pages.

use axum::http::StatusCode;

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    catalogue_lists_every_version_in_both_languages,
    catalogue_filters_by_family_status_and_search,
    version_page_shows_the_term_in_both_calendars,
    unknown_or_malformed_slugs_are_404_pages,
);

async fn catalogue_lists_every_version_in_both_languages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let zh = app.get("/").await;
    zh.assert_page(StatusCode::OK)
        .assert_contains(r#"<html lang="zh-TW">"#)
        .assert_contains("Office 專業增強版 2016")
        .assert_contains("Windows 7 企業版")
        .assert_contains("BackOffice 用戶端存取授權 (CAL)")
        .assert_contains("FrontPage 2003")
        .assert_contains("Visual Studio 2008 Professional")
        .assert_contains("Project 2016")
        .assert_contains("民國 106/03/01 – 109/02/28")
        .assert_contains("顯示 22 項，共 22 項");
    let en = app.get("/?lang=en").await;
    en.assert_page(StatusCode::OK)
        .assert_contains(r#"<html lang="en">"#)
        .assert_contains("Office 2016 Professional Plus")
        .assert_contains("Windows 8 and 8.1 Enterprise")
        .assert_contains("ROC 106/03/01 – 109/02/28")
        .assert_contains(r#"<time datetime="2017-03-01">2017-03-01</time>"#)
        .assert_contains("22 of 22 shown");
}

async fn catalogue_filters_by_family_status_and_search(backend: Backend) {
    let app = TestApp::new(backend).await;
    let cases = [
        ("family=visual-studio", 10),
        ("family=windows", 3),
        ("family=project", 1),
        ("family=visio", 0),
        ("status=ended", 21),
        ("status=active", 1),
        ("status=ending", 0),
        ("q=2016", 2),
        ("q=OFFICE+2016", 1),
        ("q=%E5%B0%88%E6%A5%AD%E5%A2%9E%E5%BC%B7%E7%89%88", 4), // 專業增強版
        ("family=office&q=2016", 1),
        ("family=&status=&q=", 22),
        ("utm_source=mail", 22), // unknown parameters are ignored, as on any site
    ];
    for (query, expected) in cases {
        let page = app.get(&format!("/?lang=en&{query}")).await;
        page.assert_page(StatusCode::OK)
            .assert_contains(&format!("{expected} of 22 shown"));
        assert_eq!(
            page.text.matches(r#"<tr>"#).count() - page.text.matches("<thead>").count(),
            expected,
            "{query}"
        );
    }
    app.get("/?lang=en&family=visio")
        .await
        .assert_contains("No software matches these filters");
}

async fn version_page_shows_the_term_in_both_calendars(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.get("/catalog/office-2016-proplus")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("<h1>Office 專業增強版 2016</h1>")
        .assert_contains("民國 106/03/01 – 109/02/28")
        .assert_contains(r#"href="/download/office-2016-proplus""#)
        .assert_contains(r#"href="/tutorials/office""#)
        .assert_contains("kms19.lhu.edu.tw:1688");
    app.get("/catalog/frontpage-2003?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("until")
        .assert_contains("ROC until 109/02/28");
}

async fn unknown_or_malformed_slugs_are_404_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let long = format!("/catalog/{}", "a".repeat(81));
    for path in [
        "/catalog/office-1999",
        "/catalog/Office-2016-ProPlus",
        "/catalog/%00",
        "/catalog/..%2f..%2fetc",
        long.as_str(),
    ] {
        app.get(path)
            .await
            .assert_page(StatusCode::NOT_FOUND)
            .assert_contains("這個網址沒有對應的頁面");
    }
}
