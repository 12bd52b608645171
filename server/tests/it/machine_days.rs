//! The machines' day counts (`success_days`, `kms_seen_days`) kept by the report writer
//! agree with counting them afresh from `machine_products`, whatever order reports arrive
//! in, and give the dashboard's machine figures.

use protocol::report::Report;
use serde_json::Value;
use server::db::dashboard::{self, Narrow};
use server::db::machine_days;
use server::db::reports::{Incoming, store_batch};
use time::{Duration, OffsetDateTime};

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    day_counts_kept_in_batches_match_a_fresh_count,
    two_portals_storing_the_same_machines_at_once_count_each_move_once
);

/// The non-zero rows of both tables, in order.
async fn snapshot(app: &TestApp) -> Vec<(String, String, String, i64)> {
    let sql = "select 'success', product || ' ' || network, cast(day as text), n_machines
               from success_days where n_machines <> 0
               union all
               select 'seen', kms_group, cast(day as text), n_machines
               from kms_seen_days where n_machines <> 0
               order by 1, 2, 3";
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => sqlx::query_as(sql).fetch_all(pool).await,
        server::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .unwrap()
}

/// The first version of `family` in the catalogue.
async fn version_of(app: &TestApp, family: &str) -> String {
    let sql = "select slug from versions where family = $1 order by slug limit 1";
    match &app.state.db {
        server::db::Db::Sqlite(pool, _) => {
            sqlx::query_scalar(sql).bind(family).fetch_one(pool).await
        }
        server::db::Db::Postgres(pool) => {
            sqlx::query_scalar(sql).bind(family).fetch_one(pool).await
        }
    }
    .unwrap()
}

fn incoming(
    app: &TestApp,
    n: usize,
    machine: u32,
    product: &str,
    network: &str,
    outcome: &str,
    at: OffsetDateTime,
) -> Incoming {
    let fixture = match outcome {
        "success" => include_str!("../../../tests/fixtures/reports/success.json"),
        _ => include_str!("../../../tests/fixtures/reports/failure.json"),
    };
    let mut body: Value = serde_json::from_str(fixture).unwrap();
    body["product"] = product.into();
    body["report_id"] = format!("0d6f2a10-5b7c-4e2d-8f01-{n:012x}").into();
    body["machine"]["id"] = format!("{machine:064x}").into();
    body["started_at"] = (at - Duration::seconds(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    Incoming {
        report: Report::from_json(&serde_json::to_vec(&body).unwrap()).unwrap(),
        token_id: format!("{n:024x}"),
        network: network.to_owned(),
        received_at: at,
        day: app.state.local_date(at),
        machine_limit: None,
    }
}

async fn day_counts_kept_in_batches_match_a_fresh_count(backend: Backend) {
    let app = TestApp::new(backend).await;
    let windows = version_of(&app, "windows").await;
    let office = version_of(&app, "office").await;
    let project = version_of(&app, "project").await;
    let studio = version_of(&app, "visual-studio").await;
    let now = app.state.now();
    let networks = ["Library", "Dorms", "203.0.113.0/24"];
    let products = [&windows, &office, &project, &studio];
    // 400 runs by 37 machines over 200 days, arriving out of order in batches of 1 to 50,
    // a machine now and then twice in one batch, on another network, with another
    // version of the same KMS group, failing or succeeding.
    let mut runs = Vec::new();
    for n in 0..400_usize {
        let machine = u32::try_from(n * 7 % 37).unwrap();
        let product = products[(n * 5 + n / 37) % products.len()];
        let network = networks[(n / 3 + n % 2) % networks.len()];
        let outcome = if n % 4 == 0 { "failure" } else { "success" };
        let days = i64::try_from(n * 13 % 200).unwrap();
        let at = now - Duration::days(days) - Duration::seconds(i64::try_from(n).unwrap());
        runs.push(incoming(&app, n, machine, product, network, outcome, at));
    }
    let mut rest = runs.as_slice();
    let mut size = 1;
    while !rest.is_empty() {
        let (batch, tail) = rest.split_at(size.min(rest.len()));
        store_batch(&app.state.db, batch).await.unwrap();
        rest = tail;
        size = size % 50 + 7;
    }
    // A repeat changes nothing.
    let kept = snapshot(&app).await;
    store_batch(&app.state.db, &runs[..20]).await.unwrap();
    assert_eq!(snapshot(&app).await, kept);

    assert!(kept.len() > 20, "{kept:?}");
    machine_days::rebuild(&app.state.db).await.unwrap();
    assert_eq!(
        kept,
        snapshot(&app).await,
        "kept in batches, then counted afresh"
    );

    // The KMS groups count machines, not versions: Office and Project are one group, and
    // Visual Studio is in none.
    let since = now - Duration::days(30);
    let counted = dashboard::kms_machines(&app.state.db, since).await.unwrap();
    let expected = |families: &[&str]| {
        let mut machines: Vec<&str> = runs
            .iter()
            .filter(|r| families.contains(&r.report.product.as_str()))
            .filter(|r| machine_days::utc_day(r.received_at) >= machine_days::utc_day(since))
            .map(|r| r.report.machine.id.as_str())
            .collect();
        machines.sort_unstable();
        machines.dedup();
        i64::try_from(machines.len()).unwrap()
    };
    let n = |key: &str| {
        counted
            .iter()
            .find(|k| k.kms_group.as_str() == key)
            .map_or(0, |k| k.n)
    };
    assert_eq!(n("windows"), expected(&[&windows]));
    assert_eq!(n("office"), expected(&[&office, &project]));
    assert!(n("office") > 0 && n("windows") > 0);

    let activated =
        dashboard::activated_machines(&app.state.db, now - Duration::days(180), Narrow::default())
            .await
            .unwrap();
    assert!(!activated.iter().any(|k| k.n <= 0), "{activated:?}");
}

/// Two portals on one database store batches of the same machines at the same moment,
/// each moving them to another day. Each batch's moves are computed from what it read,
/// so if the two read before either wrote, both would move a machine from the same old
/// day and the counts would drift from a fresh count.
async fn two_portals_storing_the_same_machines_at_once_count_each_move_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let other = server::db::Db::connect(&app.state.config.database_url)
        .await
        .unwrap();
    let windows = version_of(&app, "windows").await;
    let now = app.state.now();
    let mut n = 0;
    // A success and a failure: they add to different outcome rows, so nothing else
    // makes one batch wait for the other.
    let mut batch = |round: i64, outcome: &str| -> Vec<Incoming> {
        (0..24)
            .map(|machine| {
                n += 1;
                let at = now - Duration::days(60 - round) - Duration::seconds(n as i64);
                incoming(&app, n, machine, &windows, "Library", outcome, at)
            })
            .collect()
    };
    for round in 0..20 {
        let (first, second) = (batch(2 * round, "success"), batch(2 * round + 1, "failure"));
        let (a, b) = tokio::join!(
            store_batch(&app.state.db, &first),
            store_batch(&other, &second)
        );
        a.unwrap();
        b.unwrap();
    }
    other.close().await;
    let kept = snapshot(&app).await;
    machine_days::rebuild(&app.state.db).await.unwrap();
    assert_eq!(
        kept,
        snapshot(&app).await,
        "kept at once, then counted afresh"
    );
}
