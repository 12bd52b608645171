//! `POST /api/v1/reports`: stored once per id, with roll-ups; every bad request is a 4xx
//! that stores nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

use crate::downloads::download;
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    a_report_is_stored_once_with_its_rollups,
    every_invalid_report_is_refused_naming_its_field,
    bad_tokens_are_refused,
    bodies_must_be_small_json,
    each_token_is_rate_limited,
    concurrent_reports_are_all_stored,
);

/// The shared fixture of a successful run.
pub const SUCCESS: &str = include_str!("../../../tests/fixtures/reports/success.json");

/// A valid report of `product` with its own id (`n` makes it unique).
pub fn report(product: &str, n: u32) -> Value {
    let mut report: Value = serde_json::from_str(SUCCESS).unwrap();
    report["product"] = product.into();
    report["report_id"] = format!("4f0c2a9e-7d51-4b8a-9a53-{n:012x}").into();
    report
}

/// Posts `body` with `token`.
pub async fn post(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> TestResponse {
    let mut request =
        Request::post("/api/v1/reports").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.request(request.body(Body::from(body)).unwrap()).await
}

/// How many rows `sql` (a `select count(*)`) counts.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        server::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn a_report_is_stored_once_with_its_rollups(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let body = serde_json::to_vec(&report("office-2019-proplus", 1)).unwrap();
    let first = post(&app, Some(&token), body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.json()["status"], "stored");
    let again = post(&app, Some(&token), body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.json()["status"], "already stored");
    assert_eq!(count(&app, "select count(*) from reports").await, 1);
    assert_eq!(count(&app, "select cast(sum(n_reports) as bigint) from daily_outcomes where outcome = 'success' and product = 'office-2019-proplus'").await, 1);
    assert_eq!(count(&app, "select count(*) from machine_products where last_success is not null and last_outcome = 'success'").await, 1);
    assert_eq!(
        count(
            &app,
            "select count(*) from downloads where first_report_at is not null"
        )
        .await,
        1
    );

    let mut failure = report("office-2019-proplus", 2);
    failure["outcome"] = "failure".into();
    for product in failure["products"].as_array_mut().unwrap() {
        product["outcome"] = "failed".into();
        product["error_code"] = "0xC004F074".into();
    }
    assert_eq!(
        post(&app, Some(&token), serde_json::to_vec(&failure).unwrap())
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(count(&app, "select cast(sum(n_results) as bigint) from daily_errors where error_code = '0xC004F074'").await, 2);
    // The machine's last outcome moves on; its last success stays.
    assert_eq!(count(&app, "select count(*) from machine_products where last_outcome = 'failure' and last_success is not null").await, 1);
}

async fn every_invalid_report_is_refused_naming_its_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../../../tests/fixtures/reports/invalid.json")).unwrap();
    for case in cases {
        let mut body = report("office-2019-proplus", 3);
        for (pointer, value) in case["set"].as_object().unwrap() {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match (body.pointer_mut(parent).unwrap(), value) {
                (Value::Object(map), Value::String(s)) if s == "$delete" => {
                    map.remove(key);
                }
                (Value::Object(map), value) => {
                    map.insert(key.to_owned(), value.clone());
                }
                (Value::Array(items), value) => {
                    items[key.parse::<usize>().unwrap()] = value.clone()
                }
                _ => unreachable!(),
            }
        }
        let response = post(&app, Some(&token), serde_json::to_vec(&body).unwrap()).await;
        let why = case["why"].as_str().unwrap();
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            response.text
        );
        let error = response.json();
        assert_eq!(error["error"], "invalid_report", "{why}");
        assert_eq!(error["field"], case["field"], "{why}: {}", response.text);
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(count(&app, "select count(*) from reports").await, 0);
}

async fn bad_tokens_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let body = serde_json::to_vec(&report("office-2019-proplus", 4)).unwrap();
    let windows_report = serde_json::to_vec(&report("windows-10-enterprise", 5)).unwrap();
    let expired = app
        .state
        .tokens
        .issue(
            "office-2019-proplus",
            time::OffsetDateTime::now_utc() - time::Duration::days(1),
        )
        .unwrap()
        .token
        .expose()
        .to_owned();
    let forged = server::token::TokenKey::from_bytes(&[1; 32])
        .issue(
            "office-2019-proplus",
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
        )
        .unwrap()
        .token
        .expose()
        .to_owned();
    let cases: [(Option<&str>, &Vec<u8>, &str); 6] = [
        (None, &body, "missing"),
        (Some("not-a-token"), &body, "missing or malformed"),
        (Some(&office), &windows_report, "not valid for this product"),
        (Some(&expired), &body, "expired"),
        (Some(&forged), &body, "not valid for this product"),
        (Some(&format!("{office}x")), &body, "malformed"),
    ];
    for (token, body, message) in cases {
        let response = post(&app, token, body.clone()).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{message}: {}",
            response.text
        );
        assert!(
            response.json()["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{}",
            response.text
        );
    }
    // A revoked token is refused once the revocation is loaded.
    let token_id = office.split('.').nth(1).unwrap().to_owned();
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query("insert into revoked_tokens (token_id, revoked_at) values ($1, '2026-01-01 00:00:00+00:00')").bind(&token_id).execute(pool).await.map(|_| ()),
        server::db::Db::Postgres(pool) => sqlx::query("insert into revoked_tokens (token_id, revoked_at) values ($1, now())").bind(&token_id).execute(pool).await.map(|_| ()),
    }
    .unwrap();
    server::refresh_token_ids(&app.state).await.unwrap();
    let revoked = post(&app, Some(&office), body.clone()).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert!(revoked.text.contains("revoked"));
    assert_eq!(count(&app, "select count(*) from reports").await, 0);
}

async fn bodies_must_be_small_json(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let body = serde_json::to_vec(&report("office-2019-proplus", 6)).unwrap();
    let form = app
        .request(
            Request::post("/api/v1/reports")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(form.json()["error"], "unsupported_media_type");
    for size in [100 * 1024, 200 * 1024] {
        let mut big = report("office-2019-proplus", 7);
        big["findings"][0]["detail"] = "x".repeat(size).into();
        let response = post(&app, Some(&token), serde_json::to_vec(&big).unwrap()).await;
        assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
        assert_eq!(response.json()["error"], "payload_too_large");
    }
    let broken = post(&app, Some(&token), b"{\"schema\": 1,".to_vec()).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "select count(*) from reports").await, 0);
}

async fn each_token_is_rate_limited(backend: Backend) {
    let app = TestApp::with_config(backend, |c| c.limits.reports_per_minute_per_token = 3).await;
    let token = download(&app, "project-2016")
        .await
        .download_token
        .into_exposed();
    for n in 0..3 {
        assert_eq!(
            post(
                &app,
                Some(&token),
                serde_json::to_vec(&report("project-2016", 10 + n)).unwrap()
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let limited = post(
        &app,
        Some(&token),
        serde_json::to_vec(&report("project-2016", 20)).unwrap(),
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header(header::RETRY_AFTER).parse::<u64>().unwrap() >= 1);
    assert_eq!(limited.json()["error"], "rate_limited");
    let other = download(&app, "project-2016")
        .await
        .download_token
        .into_exposed();
    assert_eq!(
        post(
            &app,
            Some(&other),
            serde_json::to_vec(&report("project-2016", 21)).unwrap()
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(count(&app, "select count(*) from reports").await, 4);
}

async fn concurrent_reports_are_all_stored(backend: Backend) {
    let app = std::sync::Arc::new(
        TestApp::with_config(backend, |c| c.limits.reports_per_minute_per_token = 10_000).await,
    );
    let token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let tasks: Vec<_> = (0..200_u32)
        .map(|n| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move {
                // Every tenth report is sent twice at once: stored once, answered both times.
                let body = serde_json::to_vec(&report(
                    "office-2019-proplus",
                    1000 + n - n % 10 * u32::from(n % 10 == 5),
                ))
                .unwrap();
                post(&app, Some(&token), body).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK),
        "{statuses:?}"
    );
    let stored = count(&app, "select count(*) from reports").await;
    assert_eq!(
        stored,
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count() as i64
    );
    assert_eq!(
        count(
            &app,
            "select cast(sum(n_reports) as bigint) from daily_outcomes"
        )
        .await,
        stored,
        "roll-ups count each report once"
    );
}
