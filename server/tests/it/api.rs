//! `GET /api/v1/catalog`: every row of the seed's table, with Gregorian dates.

use axum::http::{StatusCode, header};
use serde_json::Value;

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    catalog_json_lists_every_seed_row_with_gregorian_dates,
    catalog_json_links_tutorials_and_downloads
);

/// `(slug, family, campus_wide, term start, term end)`.
type SeedRow = (
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
    Option<&'static str>,
);

/// Every row of the seed's table, in the seed's order.
const SEED_ROWS: [SeedRow; 22] = [
    (
        "windows-10-enterprise",
        "windows",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "windows-8-1-enterprise",
        "windows",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "windows-7-enterprise",
        "windows",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    ("backoffice-cal", "other", false, None, None),
    (
        "office-2019-proplus",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "office-2016-proplus",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "office-2013-proplus",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "office-2010-proplus",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "office-2007-enterprise",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    (
        "office-2003-professional",
        "office",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
    ("frontpage-2003", "other", false, None, Some("2020-02-28")),
    (
        "visual-studio-2017-enterprise",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2017-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2015-enterprise",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2015-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2013-premium",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2013-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2012-premium",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2012-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2010-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "visual-studio-2008-professional",
        "visual-studio",
        false,
        None,
        Some("2020-02-28"),
    ),
    (
        "project-2016",
        "project",
        true,
        Some("2017-03-01"),
        Some("2020-02-28"),
    ),
];

async fn catalog_json_lists_every_seed_row_with_gregorian_dates(backend: Backend) {
    let app = TestApp::new(backend).await;
    let response = app.get("/api/v1/catalog").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .header(header::CONTENT_TYPE)
            .starts_with("application/json")
    );
    let body = response.json();
    assert_eq!(body["as_of"], "2018-10-22");
    assert_eq!(body["time_zone"], "Asia/Taipei");
    let versions = body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), SEED_ROWS.len());
    for (version, (slug, family, campus_wide, start, end)) in versions.iter().zip(SEED_ROWS) {
        assert_eq!(version["slug"], slug);
        assert_eq!(version["family"], family, "{slug}");
        assert_eq!(version["campus_wide"], campus_wide, "{slug}");
        assert_eq!(version["seats"], Value::Null, "{slug}");
        assert_eq!(
            version["term"]["start"],
            start.map_or(Value::Null, Value::from),
            "{slug}"
        );
        assert_eq!(
            version["term"]["end"],
            end.map_or(Value::Null, Value::from),
            "{slug}"
        );
        // Every dated licence in the seed ended in 2020; the undated CAL has no end.
        let status = if end.is_some() { "ended" } else { "active" };
        assert_eq!(version["status"], status, "{slug}");
        assert!(!version["name"]["zh-TW"].as_str().unwrap().is_empty());
        assert!(!version["name"]["en"].as_str().unwrap().is_empty());
    }
}

async fn catalog_json_links_tutorials_and_downloads(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.public_url = "https://licences.example.edu".to_owned()
    })
    .await;
    let body = app.get("/api/v1/catalog").await.json();
    let find = |slug: &str| {
        body["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["slug"] == slug)
            .unwrap()
            .clone()
    };
    let office = find("office-2016-proplus");
    assert_eq!(
        office["tutorial_url"],
        "https://licences.example.edu/tutorials/office"
    );
    assert_eq!(
        office["download_url"],
        "https://licences.example.edu/download/office-2016-proplus"
    );
    assert_eq!(office["kms_activated"], true);
    assert_eq!(
        find("project-2016")["tutorial_url"],
        "https://licences.example.edu/tutorials/office"
    );
    assert_eq!(
        find("windows-7-enterprise")["tutorial_url"],
        "https://licences.example.edu/tutorials/windows"
    );
    let vs = find("visual-studio-2017-enterprise");
    assert_eq!(vs["tutorial_url"], Value::Null);
    assert_eq!(vs["download_url"], Value::Null);
    assert_eq!(vs["kms_activated"], false);
    assert_eq!(find("office-2007-enterprise")["kms_activated"], false);
}
