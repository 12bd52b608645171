//! The panels with clocks of their own: activations about to lapse (150 and 180 days),
//! seats used within 180 days, and licence terms ending within 180 / 90 / 30 days.

use serde_json::json;
use time::{Date, Duration, OffsetDateTime};

use crate::dashboard::{pick, rows, seed, viewer};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    machines_seats_and_terms_follow_their_clocks,
    a_status_run_tells_the_lapsing_panel_the_truth,
);

async fn machines_seats_and_terms_follow_their_clocks(backend: Backend) {
    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;
    let now = app.state.now();
    set_last_success(&app, 10, "windows-10-enterprise", now - Duration::days(160)).await;
    set_last_success(&app, 11, "windows-10-enterprise", now - Duration::days(200)).await;
    set_last_success(&app, 2, "office-2019-proplus", now - Duration::days(149)).await;
    let lapsing = rows(&app, &cookie, "lapsing", "").await;
    assert_eq!(
        pick(
            &lapsing,
            &[
                "version",
                "last_success_150_to_180_days",
                "last_success_over_180_days"
            ]
        ),
        json!([["windows-10-enterprise", 1, 1]]),
        "149 days is not yet lapsing"
    );
    assert!(
        rows(&app, &cookie, "lapsing", "network=Library")
            .await
            .is_empty()
    );

    execute(
        &app,
        "update versions set campus_wide = false, seats = 2 where slug = 'office-2019-proplus'",
    )
    .await;
    let seats = rows(&app, &cookie, "seats", "").await;
    let seat = |slug: &str| seats.iter().find(|s| s["version"] == slug).unwrap().clone();
    let office = seat("office-2019-proplus");
    assert_eq!(
        pick(
            &[office],
            &["seats", "campus_wide", "used", "used_percent", "over_limit"]
        ),
        json!([[2, false, 3, 150.0, true]]),
        "machines 1, 2, 3 activated; the partial run's machine did not"
    );
    let windows = seat("windows-10-enterprise");
    assert_eq!(
        pick(
            &[windows],
            &["seats", "campus_wide", "used", "used_percent", "over_limit"]
        ),
        json!([[null, true, 1, null, false]]),
        "machine 11's success is over 180 days old"
    );
    assert_eq!(seat("office-2016-proplus")["used"], 1);

    let today = app.state.today();
    for (slug, days) in [
        ("windows-10-enterprise", 20),
        ("office-2019-proplus", 90),
        ("office-2016-proplus", 91),
        ("windows-7-enterprise", 181),
    ] {
        set_term_end(&app, slug, today + Duration::days(days)).await;
    }
    let seeded_end = Date::from_calendar_date(2020, time::Month::February, 28).unwrap();
    let terms = rows(&app, &cookie, "terms", "family=windows").await;
    assert_eq!(
        pick(&terms, &["version", "days_left", "window"]),
        json!([
            ["windows-10-enterprise", 20, "30"],
            [
                "windows-8-1-enterprise",
                (seeded_end - today).whole_days(),
                "ended"
            ],
        ]),
        "windows-7 ends in 181 days: not listed"
    );
    let office = rows(&app, &cookie, "terms", "family=office").await;
    assert_eq!(
        pick(&office[..2], &["version", "window"]),
        json!([
            ["office-2019-proplus", "90"],
            ["office-2016-proplus", "180"]
        ])
    );
}

/// KMS clients renew every 7 days without telling the portal: a machine whose last
/// activation is 160 days old is listed as lapsing until its status run (through the real
/// endpoint, with its download's token) says its licence has 170 days left, i.e. it renewed
/// 10 days ago. A status run counts towards no activation figure, a repeat changes
/// nothing, and one that finds the licence not licensed leaves the machine where it was.
async fn a_status_run_tells_the_lapsing_panel_the_truth(backend: Backend) {
    use axum::http::StatusCode;

    use crate::downloads::download;
    use crate::reports::{self, count, report};

    let app = TestApp::new(backend).await;
    seed(&app).await;
    let cookie = viewer(&app).await;
    let now = app.state.now();
    set_last_success(&app, 10, "windows-10-enterprise", now - Duration::days(160)).await;
    set_last_success(&app, 11, "windows-10-enterprise", now - Duration::days(200)).await;
    let lapsing = async || {
        pick(
            &rows(&app, &cookie, "lapsing", "").await,
            &[
                "version",
                "last_success_150_to_180_days",
                "last_success_over_180_days",
            ],
        )
    };
    assert_eq!(lapsing().await, json!([["windows-10-enterprise", 1, 1]]));
    let counted = "select cast(coalesce(sum(n_reports), 0) as bigint) from daily_outcomes";
    let (runs, failures) = (
        count(&app, counted).await,
        rows(&app, &cookie, "failures", "").await,
    );

    let token = download(&app, "windows-10-enterprise")
        .await
        .download_token
        .into_exposed();
    let status = |n: u32, machine: u32, grace_days: Option<u64>| {
        let mut body = report("windows-10-enterprise", 9000 + n);
        body["kind"] = "status".into();
        body["machine"]["id"] = format!("{machine:064x}").into();
        for product in body["products"].as_array_mut().unwrap() {
            match grace_days {
                Some(days) => product["grace_minutes"] = (days * 1440).into(),
                None => product["outcome"] = "failed".into(),
            }
        }
        if grace_days.is_none() {
            body["outcome"] = "failure".into();
        }
        serde_json::to_vec(&body).unwrap()
    };
    let sent = reports::post(&app, Some(&token), status(1, 10, Some(170))).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(
        lapsing().await,
        json!([["windows-10-enterprise", 0, 1]]),
        "renewed 10 days ago: no longer lapsing"
    );
    let again = reports::post(&app, Some(&token), status(1, 10, Some(170))).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    let not_licensed = reports::post(&app, Some(&token), status(2, 11, None)).await;
    assert_eq!(
        not_licensed.status,
        StatusCode::CREATED,
        "{}",
        not_licensed.text
    );
    assert_eq!(lapsing().await, json!([["windows-10-enterprise", 0, 1]]));

    assert_eq!(
        count(&app, counted).await,
        runs,
        "status runs are not activations"
    );
    assert_eq!(rows(&app, &cookie, "failures", "").await, failures);
    assert_eq!(
        count(&app, "select count(*) from reports where kind = 'status'").await,
        2
    );
}

async fn set_last_success(app: &TestApp, machine: u32, product: &str, at: OffsetDateTime) {
    let sql =
        "update machine_products set last_success = $1 where machine_id = $2 and product = $3";
    let id = format!("{machine:064x}");
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query(sql)
            .bind(at)
            .bind(&id)
            .bind(product)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        server::db::Db::Postgres(pool) => sqlx::query(sql)
            .bind(at)
            .bind(&id)
            .bind(product)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
    .map(|n| assert_eq!(n, 1, "{machine} {product}"))
    .unwrap();
    // The day counts follow `machine_products`, as the report writer keeps them.
    server::db::machine_days::rebuild(&app.state.db)
        .await
        .unwrap();
}

async fn set_term_end(app: &TestApp, slug: &str, end: Date) {
    let sql = "update versions set term_end = $1 where slug = $2";
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query(sql)
            .bind(end)
            .bind(slug)
            .execute(pool)
            .await
            .map(|_| ()),
        server::db::Db::Postgres(pool) => sqlx::query(sql)
            .bind(end)
            .bind(slug)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
}

pub async fn execute(app: &TestApp, sql: &str) {
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        server::db::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}
