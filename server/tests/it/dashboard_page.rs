//! The dashboard page and its exports: the page shows the exports' numbers, CSV is
//! quoted and safe to open, bad filters name themselves, strangers are sent to sign in,
//! and two portals on one database show one dashboard.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::admin_auth::{add_user, get_with_cookie, sign_in};
use crate::dashboard::{Run, pick, rows, seed, store, viewer};
use crate::downloads::download;
use crate::reports::{post, report};
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    the_page_shows_the_exports_numbers,
    csv_is_quoted_and_safe_to_open,
    bad_filters_are_refused_naming_the_field,
    strangers_are_sent_to_sign_in,
    two_portals_share_one_dashboard,
);

async fn the_page_shows_the_exports_numbers(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;
    let page = get_with_cookie(&app, "/admin?lang=en", &cookie).await;
    page.assert_page(StatusCode::OK)
        .assert_contains("Activation statistics")
        .assert_contains(r#"aria-current="page">Statistics</a>"#)
        .assert_contains("<svg viewBox=")
        .assert_contains(r#"role="img""#)
        .assert_contains("<caption>Reports per day, by outcome</caption>")
        .assert_contains("Not yet: 3 machines; 22 more distinct machines must ask first.")
        .assert_contains("Yes: 5 machines")
        .assert_contains(r#"href="/errors/0xC004F074""#)
        .assert_contains("/admin/export/versions.csv?from=");
    assert!(
        !page.text.contains("style="),
        "the CSP forbids inline style"
    );
    let summary: Vec<String> = [
        "Reports",
        "Succeeded",
        "Success rate",
        "Downloads",
        "Never reported",
    ]
    .iter()
    .map(|label| tile(&page, label))
    .collect();
    assert_eq!(summary, ["8", "5", "62.5%", "10", "2"]);

    for (table, keys) in [
        (
            "versions",
            &[
                "version_name",
                "product",
                "reports",
                "success",
                "partial",
                "failure",
                "aborted",
                "success_rate",
            ][..],
        ),
        (
            "networks",
            &[
                "network",
                "downloads",
                "reports",
                "success",
                "partial",
                "failure",
                "aborted",
                "success_rate",
            ][..],
        ),
        (
            "downloads",
            &[
                "version_name",
                "downloads",
                "reported",
                "never_reported",
                "reports",
                "successes",
            ][..],
        ),
        (
            "errors",
            &["code", "meaning", "n_results", "share_percent"][..],
        ),
    ] {
        let json = rows(&app, &cookie, table, "").await;
        let expected: Vec<Vec<String>> = pick(&json, keys)
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| norm(&shown(v)))
                    .collect()
            })
            .collect();
        let on_page: Vec<Vec<String>> = table_cells(&page.text, table)
            .into_iter()
            .map(|row| row.into_iter().take(keys.len()).collect())
            .collect();
        assert_eq!(on_page, expected, "{table}");
    }
    let chinese = get_with_cookie(&app, "/admin?lang=zh-TW", &cookie).await;
    chinese
        .assert_page(StatusCode::OK)
        .assert_contains("啟用統計")
        .assert_contains("還不會啟用");
}

async fn csv_is_quoted_and_safe_to_open(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    // A network named to look like a formula, with a comma and a quote.
    store(
        &app,
        &Run {
            product: "office-2019-proplus",
            outcome: "success",
            machine: 7,
            network: "=HYPERLINK(\"x\"),1",
            days_ago: 0,
        },
        99,
    )
    .await;
    let cookie = viewer(&app).await;
    let response = get_with_cookie(&app, "/admin/export/networks.csv", &cookie).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    let disposition = response.header(header::CONTENT_DISPOSITION);
    assert!(
        disposition.starts_with("attachment; filename=\"activations-networks-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = response
        .text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "network,downloads,reports,success,partial,failure,aborted,success_rate"
    );
    assert!(
        lines.contains(&"\"'=HYPERLINK(\"\"x\"\"),1\",1,1,1,0,0,0,100"),
        "{text}"
    );
    assert!(lines.contains(&"Library,5,5,3,1,1,0,60"), "{text}");
    assert_eq!(lines.last(), Some(&""), "every line ends with CRLF");

    let json = get_with_cookie(&app, "/admin/export/networks.json", &cookie).await;
    assert_eq!(json.header(header::CONTENT_TYPE), "application/json");
    assert!(
        json.header(header::CONTENT_DISPOSITION)
            .ends_with(".json\"")
    );
    let body = json.json();
    assert_eq!(body["table"], "networks");
    assert!(
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["network"] == "=HYPERLINK(\"x\"),1"),
        "JSON carries the value as it is"
    );
    assert_eq!(
        get_with_cookie(&app, "/admin/export/nothing.csv", &cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_with_cookie(&app, "/admin/export/daily.xlsx", &cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn bad_filters_are_refused_naming_the_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let cookie = viewer(&app).await;
    // (query, field, refused by the export too): the export, an API, turns a backwards
    // range round, cuts a long one, and has no rows for a version it does not know.
    let cases = [
        ("from=2026-02-30", "from", true),
        ("to=tomorrow", "to", true),
        ("to=%2B2026-03-01", "to", true),
        ("from=1999-12-31", "from", true),
        ("from=2026-03-02&to=2026-03-01", "from", false),
        ("from=2024-01-01&to=2025-12-31", "to", false),
        ("family=linux", "family", true),
        ("version=office-1995", "version", false),
        ("version=Bad%20Slug", "version", true),
        ("network=%07bell", "network", true),
        ("colour=red", "query", true),
    ];
    for (query, field, export_too) in cases {
        let page = get_with_cookie(&app, &format!("/admin?lang=en&{query}"), &cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        page.assert_contains(&format!("`{field}`"));
        let uri = format!("/admin/export/daily.json?lang=en&{query}");
        let export = get_with_cookie(&app, &uri, &cookie).await;
        if export_too {
            assert_eq!(export.status, StatusCode::BAD_REQUEST, "{uri}");
            export.assert_contains(&format!("`{field}`"));
        } else {
            assert_eq!(export.status, StatusCode::OK, "{uri}");
        }
    }
    // What the export did instead, as its document says.
    let filters = |query: &str| {
        let uri = format!("/admin/export/daily.json?{query}");
        let (app, cookie) = (&app, &cookie);
        async move { get_with_cookie(app, &uri, cookie).await.json()["filters"].clone() }
    };
    let turned = filters("from=2026-03-02&to=2026-03-01").await;
    assert_eq!(
        (&turned["from"], &turned["to"]),
        (&"2026-03-01".into(), &"2026-03-02".into())
    );
    let cut = filters("from=2024-01-01&to=2025-12-31").await;
    assert_eq!(
        (&cut["from"], &cut["to"]),
        (&"2024-12-31".into(), &"2025-12-31".into())
    );
    let unknown = get_with_cookie(
        &app,
        "/admin/export/versions.json?version=office-1995",
        &cookie,
    )
    .await;
    assert_eq!(unknown.json()["rows"], serde_json::json!([]));
}

async fn strangers_are_sent_to_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    for uri in ["/admin", "/admin?from=nonsense"] {
        let response = app.get(uri).await;
        assert_eq!(
            (response.status, response.header(header::LOCATION)),
            (StatusCode::SEE_OTHER, "/admin/login"),
            "{uri}"
        );
    }
    // The exports are an API: a JSON 401, no redirect to a page.
    for uri in ["/admin/export/daily.csv", "/admin/export/failures.json"] {
        let response = app.get(uri).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(response.json()["error"], "sign_in_required");
    }
}

async fn two_portals_share_one_dashboard(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = first.second_instance().await;
    add_user(&first, "alice", "admin", false).await;
    let cookie = sign_in(&first, "alice").await;
    for (n, app) in [&first, &second].into_iter().enumerate() {
        let token = download(app, "office-2019-proplus")
            .await
            .download_token
            .into_exposed();
        let body = serde_json::to_vec(&report("office-2019-proplus", 500 + n as u32)).unwrap();
        assert_eq!(
            post(app, Some(&token), body).await.status,
            StatusCode::CREATED
        );
    }
    get_with_cookie(&second, "/admin?lang=en", &cookie)
        .await
        .assert_page(StatusCode::OK);
    let versions = rows(&second, &cookie, "versions", "").await;
    assert_eq!(
        pick(&versions, &["version", "reports", "success"]),
        json!([["office-2019-proplus", 2, 2]])
    );
    let downloads = rows(&first, &cookie, "downloads", "").await;
    assert_eq!(
        pick(&downloads, &["downloads", "reported"]),
        json!([[2, 2]])
    );
}

/// The value of the summary tile labelled `label`.
fn tile(page: &TestResponse, label: &str) -> String {
    let after = page
        .text
        .split(&format!("<dt>{label}</dt><dd>"))
        .nth(1)
        .unwrap_or_else(|| panic!("no tile {label}"));
    after.split("</dd>").next().unwrap().to_owned()
}

/// A JSON value as the page writes it.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The text of each cell of each body row of the table in section `id`.
fn table_cells(html: &str, id: &str) -> Vec<Vec<String>> {
    let section = html
        .split(&format!(r#"id="{id}""#))
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    let body = section
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(start) = rest
                .find("<t")
                .filter(|i| matches!(rest.as_bytes().get(i + 2), Some(b'd' | b'h')))
            {
                let tag = &rest[start + 1..start + 3];
                let end = rest[start..].find(&format!("</{tag}>")).unwrap() + start;
                let inner = &rest[rest[start..].find('>').unwrap() + start + 1..end];
                // The remedy is behind a disclosure; the meaning is its first paragraph.
                let inner = inner.split("<details").next().unwrap();
                cells.push(norm(&text_of(inner)));
                rest = &rest[end..];
            }
            cells
        })
        .collect()
}

/// `html` without tags, whitespace collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A figure as both sides write it: `66.7%` and `66.7`, `60%` and `60.0` compare equal.
fn norm(text: &str) -> String {
    let text = text.trim_end_matches('%');
    text.strip_suffix(".0").unwrap_or(text).to_owned()
}
