//! The dashboard's panels: every number against a known set of reports, with each
//! filter. The known set and its helpers serve `dashboard_machines.rs` and
//! `dashboard_page.rs` too.

use axum::http::StatusCode;
use protocol::report::Report;
use serde_json::{Value, json};
use time::{Date, Duration, OffsetDateTime};

use crate::admin_auth::{add_user, get_with_cookie, sign_in};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    every_panel_counts_the_known_reports,
    filters_narrow_every_panel,
    activations_after_the_licence_term_are_counted_apart,
);

/// One stored run.
pub struct Run<'a> {
    pub product: &'a str,
    pub outcome: &'a str,
    pub machine: u32,
    pub network: &'a str,
    pub days_ago: i64,
}

/// The known set: office-2019 in the Library today (3 successes, a failure with two
/// 0xC004F074 products, a partial with one 0xC004F042), windows-10 in the Dorms ten days
/// ago (2 successes, one run aborted with 0x80070005), office-2016 in the Library 40 days
/// ago (one success, outside the default 30 days), and two windows-10 downloads from the
/// Dorms today that never report.
pub async fn seed(app: &TestApp) {
    let runs = [
        ("office-2019-proplus", "success", 1, "Library", 0),
        ("office-2019-proplus", "success", 2, "Library", 0),
        ("office-2019-proplus", "success", 3, "Library", 0),
        ("office-2019-proplus", "failure", 4, "Library", 0),
        ("office-2019-proplus", "partial", 5, "Library", 0),
        ("windows-10-enterprise", "success", 10, "Dorms", 10),
        ("windows-10-enterprise", "success", 11, "Dorms", 10),
        ("windows-10-enterprise", "aborted", 12, "Dorms", 10),
        ("office-2016-proplus", "success", 1, "Library", 40),
    ];
    for (n, (product, outcome, machine, network, days_ago)) in runs.into_iter().enumerate() {
        let run = Run {
            product,
            outcome,
            machine,
            network,
            days_ago,
        };
        store(app, &run, n as u32).await;
    }
    for _ in 0..2 {
        record_download(app, "windows-10-enterprise", "Dorms", app.state.now()).await;
    }
}

/// Records a download a minute before its run and stores the run through the report
/// writer; answers when the run arrived.
pub async fn store(app: &TestApp, run: &Run<'_>, n: u32) -> OffsetDateTime {
    let fixture = match run.outcome {
        "success" => include_str!("../../../tests/fixtures/reports/success.json"),
        "partial" => include_str!("../../../tests/fixtures/reports/partial.json"),
        "failure" => include_str!("../../../tests/fixtures/reports/failure.json"),
        _ => include_str!("../../../tests/fixtures/reports/aborted.json"),
    };
    let mut body: Value = serde_json::from_str(fixture).unwrap();
    // A second apart, later runs newer, so "newest first" has one answer.
    let received_at =
        app.state.now() - Duration::days(run.days_ago) - Duration::seconds(100 - i64::from(n));
    body["product"] = run.product.into();
    body["report_id"] = format!("6a1e7c52-0b3d-4f8e-9c21-{n:012x}").into();
    body["machine"]["id"] = format!("{:064x}", run.machine).into();
    body["started_at"] = (received_at - Duration::seconds(20))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    let report = Report::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
    let token_id = record_download(
        app,
        run.product,
        run.network,
        received_at - Duration::minutes(1),
    )
    .await;
    let stored = app
        .state
        .ingest
        .submit(server::db::reports::Incoming {
            report,
            token_id,
            network: run.network.to_owned(),
            received_at,
            day: app.state.local_date(received_at),
            machine_limit: None,
        })
        .await
        .unwrap();
    assert_eq!(stored, server::db::reports::Stored::New);
    received_at
}

async fn record_download(
    app: &TestApp,
    product: &str,
    network: &str,
    at: OffsetDateTime,
) -> String {
    let expires_at = at + Duration::days(365);
    let issued = app.state.tokens.issue(product, expires_at).unwrap();
    server::db::downloads::record(
        &app.state.db,
        &server::db::downloads::NewDownload {
            token_id: &issued.id,
            version_slug: product,
            network,
            created_at: at,
            expires_at,
            day: app.state.local_date(at),
            person: None,
        },
    )
    .await
    .unwrap();
    issued.id
}

/// A signed-in viewer's cookie.
pub async fn viewer(app: &TestApp) -> String {
    add_user(app, "vera", "viewer", false).await;
    sign_in(app, "vera").await
}

/// The rows of an export, as JSON.
pub async fn rows(app: &TestApp, cookie: &str, table: &str, filters: &str) -> Vec<Value> {
    let response = get_with_cookie(
        app,
        &format!("/admin/export/{table}.json?lang=en&{filters}"),
        cookie,
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{table}: {}",
        response.text
    );
    let rows = response.json()["rows"].as_array().unwrap().clone();
    // The CSV of the same table: a header of the rows' own fields, a line for each.
    let csv = get_with_cookie(
        app,
        &format!("/admin/export/{table}.csv?lang=en&{filters}"),
        cookie,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK, "{table}.csv: {}", csv.text);
    let mut header: Vec<&str> = csv
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .collect();
    header.sort_unstable();
    if let Some(Value::Object(first)) = rows.first() {
        let keys: Vec<&str> = first.keys().map(String::as_str).collect();
        assert_eq!(header, keys, "{table}.csv");
    }
    rows
}

/// The values of `keys` in every row, for compact comparisons.
pub fn pick(rows: &[Value], keys: &[&str]) -> Value {
    rows.iter()
        .map(|row| keys.iter().map(|k| row[*k].clone()).collect::<Value>())
        .collect()
}

pub fn day(app: &TestApp, days_ago: i64) -> Date {
    app.state.today() - Duration::days(days_ago)
}

async fn every_panel_counts_the_known_reports(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;

    let daily = rows(&app, &cookie, "daily", "").await;
    assert_eq!(daily.len(), 30, "one row per day of the default range");
    assert_eq!(daily[0]["day"], day(&app, 29).to_string());
    let today = daily.last().unwrap();
    assert_eq!(
        pick(
            std::slice::from_ref(today),
            &["day", "success", "partial", "failure", "aborted", "total"]
        ),
        json!([[day(&app, 0).to_string(), 3, 1, 1, 0, 5]])
    );
    let ten = &daily[19];
    assert_eq!(
        (
            ten["day"].as_str().unwrap(),
            ten["success"].as_i64(),
            ten["aborted"].as_i64(),
            ten["total"].as_i64()
        ),
        (
            day(&app, 10).to_string().as_str(),
            Some(2),
            Some(1),
            Some(3)
        )
    );
    assert_eq!(
        daily
            .iter()
            .map(|d| d["total"].as_i64().unwrap())
            .sum::<i64>(),
        8
    );

    let versions = rows(&app, &cookie, "versions", "").await;
    assert_eq!(
        pick(
            &versions,
            &[
                "version",
                "reports",
                "success",
                "partial",
                "failure",
                "aborted",
                "success_rate"
            ]
        ),
        json!([
            ["windows-10-enterprise", 3, 2, 0, 0, 1, 66.7],
            ["office-2019-proplus", 5, 3, 1, 1, 0, 60.0],
        ]),
        "in catalogue order; office-2016 is outside the range"
    );
    assert_eq!(versions[1]["product"], "Office Professional Plus");

    let errors = rows(&app, &cookie, "errors", "").await;
    assert_eq!(
        pick(&errors, &["code", "n_results", "share_percent", "url"]),
        json!([
            ["0xC004F074", 2, 50.0, "/errors/0xC004F074"],
            ["0x80070005", 1, 25.0, "/errors/0x80070005"],
            ["0xC004F042", 1, 25.0, "/errors/0xC004F042"],
        ])
    );
    assert!(
        errors[0]["meaning"].as_str().unwrap().contains("KMS host"),
        "{}",
        errors[0]
    );
    assert!(!errors[0]["remedy"].as_str().unwrap().is_empty());

    let downloads = rows(&app, &cookie, "downloads", "").await;
    assert_eq!(
        pick(
            &downloads,
            &[
                "version",
                "downloads",
                "reported",
                "never_reported",
                "reports",
                "successes"
            ]
        ),
        json!([
            ["windows-10-enterprise", 5, 3, 2, 3, 2],
            ["office-2019-proplus", 5, 5, 0, 5, 3],
        ])
    );
    let unreported = rows(&app, &cookie, "unreported", "").await;
    assert_eq!(unreported.len(), 2);
    assert!(
        unreported
            .iter()
            .all(|u| u["version"] == "windows-10-enterprise"
                && u["network"] == "Dorms"
                && u["state"] == "waiting")
    );

    let networks = rows(&app, &cookie, "networks", "").await;
    assert_eq!(
        pick(
            &networks,
            &["network", "downloads", "reports", "success", "success_rate"]
        ),
        json!([["Library", 5, 5, 3, 60.0], ["Dorms", 5, 3, 2, 66.7],])
    );

    let failures = rows(&app, &cookie, "failures", "").await;
    assert_eq!(
        pick(&failures, &["version", "outcome", "network"]),
        json!([
            ["office-2019-proplus", "partial", "Library"],
            ["office-2019-proplus", "failure", "Library"],
            ["windows-10-enterprise", "aborted", "Dorms"],
        ]),
        "newest first (the partial was stored after the failure)"
    );
    assert_eq!(
        failures[0]["error_codes"],
        serde_json::json!(["0xC004F042"])
    );
    assert_eq!(failures[1]["findings"][0]["check"], "kms_reachable");
    assert_eq!(failures[1]["findings"][0]["error_code"], "0xC004F074");
    assert_eq!(failures[2]["findings"][0]["status"], "fail");
    assert_eq!(
        (
            failures[2]["os_version"].as_str(),
            failures[2]["utc_offset_minutes"].as_i64()
        ),
        (Some("10.0.19045"), Some(480))
    );

    let kms = rows(&app, &cookie, "kms", "").await;
    assert_eq!(
        pick(
            &kms,
            &[
                "group",
                "machines",
                "threshold",
                "activating",
                "machines_needed"
            ]
        ),
        json!([["windows", 3, 25, false, 22], ["office", 5, 5, true, 0],])
    );
}

async fn filters_narrow_every_panel(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;
    let total = |rows: &[Value]| {
        rows.iter()
            .map(|d| d["total"].as_i64().unwrap())
            .sum::<i64>()
    };
    let versions_of = |rows: &[Value]| {
        rows.iter()
            .map(|v| v["version"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let library = "network=Library";
    assert_eq!(total(&rows(&app, &cookie, "daily", library).await), 5);
    assert_eq!(
        versions_of(&rows(&app, &cookie, "versions", library).await),
        ["office-2019-proplus"]
    );
    assert_eq!(rows(&app, &cookie, "unreported", library).await.len(), 0);

    let windows = "family=windows";
    assert_eq!(total(&rows(&app, &cookie, "daily", windows).await), 3);
    assert_eq!(
        versions_of(&rows(&app, &cookie, "downloads", windows).await),
        ["windows-10-enterprise"]
    );
    let errors = rows(&app, &cookie, "errors", windows).await;
    assert_eq!(
        pick(&errors, &["code", "n_results"]),
        json!([["0x80070005", 1]])
    );
    let networks = rows(&app, &cookie, "networks", windows).await;
    assert_eq!(pick(&networks, &["network"]), json!([["Dorms"]]));

    let version = "version=office-2019-proplus";
    assert_eq!(total(&rows(&app, &cookie, "daily", version).await), 5);
    assert_eq!(rows(&app, &cookie, "failures", version).await.len(), 2);

    let before = format!("from={}&to={}", day(&app, 45), day(&app, 35));
    let daily = rows(&app, &cookie, "daily", &before).await;
    assert_eq!((daily.len(), total(&daily)), (11, 1));
    let versions = rows(&app, &cookie, "versions", &before).await;
    assert_eq!(
        pick(&versions, &["version", "success"]),
        json!([["office-2016-proplus", 1]])
    );
    assert_eq!(rows(&app, &cookie, "failures", &before).await.len(), 0);
    assert_eq!(rows(&app, &cookie, "unreported", &before).await.len(), 0);

    let ten_days_ago = format!("from={0}&to={0}", day(&app, 10));
    assert_eq!(total(&rows(&app, &cookie, "daily", &ten_days_ago).await), 3);
    assert_eq!(
        rows(&app, &cookie, "failures", &ten_days_ago).await.len(),
        1
    );

    // Both filters apply: a Windows version within the Office family is simply empty.
    let neither = "family=office&version=windows-10-enterprise";
    assert_eq!(total(&rows(&app, &cookie, "daily", neither).await), 0);
    assert!(rows(&app, &cookie, "versions", neither).await.is_empty());

    // The filters come back in the JSON.
    let response = get_with_cookie(
        &app,
        "/admin/export/daily.json?network=Library&family=office",
        &cookie,
    )
    .await;
    let filters = &response.json()["filters"];
    assert_eq!(
        (
            filters["network"].as_str(),
            filters["family"].as_str(),
            filters["version"].as_str()
        ),
        (Some("Library"), Some("office"), None)
    );
    assert_eq!(filters["to"], day(&app, 0).to_string());
}

/// The seed's licences ended in 2020: every activation in the known set came after its
/// term. A term that ends within the period counts only the days after it.
async fn activations_after_the_licence_term_are_counted_apart(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;
    let versions = rows(&app, &cookie, "versions", "").await;
    assert_eq!(
        pick(&versions, &["version", "success", "partial", "after_term"]),
        json!([
            ["windows-10-enterprise", 2, 0, 2],
            ["office-2019-proplus", 3, 1, 4]
        ])
    );
    // Windows 10's term now ends 5 days ago: its runs 10 days ago were within it.
    // Office 2019's ends yesterday: today's 4 activations came after it.
    for (slug, days_ago) in [("windows-10-enterprise", 5), ("office-2019-proplus", 1)] {
        let sql = format!(
            "update versions set term_end = '{}' where slug = '{slug}'",
            day(&app, days_ago)
        );
        match &app.state.db {
            server::db::Db::Sqlite(pool, _) => sqlx::query(&sql).execute(pool).await.map(|_| ()),
            server::db::Db::Postgres(pool) => sqlx::query(&sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }
    let versions = rows(&app, &cookie, "versions", "").await;
    assert_eq!(
        pick(&versions, &["version", "after_term"]),
        json!([["windows-10-enterprise", 0], ["office-2019-proplus", 4]])
    );
    let page = get_with_cookie(&app, "/admin?lang=en", &cookie).await;
    assert!(
        page.text.contains("Activations after the licence ended"),
        "the tile"
    );
    let csv = get_with_cookie(&app, "/admin/export/versions.csv?lang=en", &cookie).await;
    assert!(
        csv.text.lines().next().unwrap().ends_with(",after_term"),
        "{}",
        csv.text
    );
}
