//! The panels with clocks of their own: activations about to lapse (150 and 180 days),
//! seats used within 180 days, and licence terms ending within 180 / 90 / 30 days.

use serde_json::json;
use time::{Date, Duration, OffsetDateTime};

use crate::dashboard::{pick, rows, seed, viewer};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(machines_seats_and_terms_follow_their_clocks);

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

async fn execute(app: &TestApp, sql: &str) {
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        server::db::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}
