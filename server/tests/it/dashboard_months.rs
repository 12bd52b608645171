//! Long periods: the dashboard sums a period's whole months from the monthly roll-ups and
//! its partial months per day. Runs spread over a year must be counted exactly once, for
//! periods that start and end mid-month, on a month's first or last day, or inside one
//! month; and a period longer than 92 days is charted per month.

use std::collections::BTreeMap;

use serde_json::Value;
use time::{Date, Duration};

use crate::admin_auth::get_with_cookie;
use crate::dashboard::{Run, rows, store, viewer};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(long_periods_count_every_run_once);

const PRODUCTS: [&str; 3] = [
    "office-2019-proplus",
    "windows-10-enterprise",
    "office-2016-proplus",
];
const OUTCOMES: [&str; 5] = ["success", "success", "failure", "partial", "aborted"];
const NETWORKS: [&str; 2] = ["Library", "Dorms"];

/// A stored run as the test expects it counted.
struct Stored {
    product: &'static str,
    outcome: &'static str,
    network: &'static str,
    day: Date,
    download_day: Date,
}

async fn long_periods_count_every_run_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut stored = Vec::new();
    // A run every five days for a year, cycling products, outcomes and networks.
    for i in 0..74_usize {
        let run = Run {
            product: PRODUCTS[i % 3],
            outcome: OUTCOMES[i % 5],
            machine: u32::try_from(i % 7).unwrap(),
            network: NETWORKS[i % 2],
            days_ago: i64::try_from(i).unwrap() * 5,
        };
        let at = store(&app, &run, u32::try_from(i).unwrap()).await;
        stored.push(Stored {
            product: run.product,
            outcome: run.outcome,
            network: run.network,
            day: app.state.local_date(at),
            download_day: app.state.local_date(at - Duration::minutes(1)),
        });
    }
    let cookie = viewer(&app).await;
    let today = app.state.today();
    let first_of = |day: Date| day.replace_day(1).unwrap();
    let periods = [
        // The longest period: a partial month, eleven whole ones, a partial one.
        (today - Duration::days(365), today),
        // Mid-month to mid-month, months in between.
        (today - Duration::days(200), today - Duration::days(35)),
        // From a month's first day to the day before another month's first day.
        (
            first_of(today - Duration::days(300)),
            first_of(today - Duration::days(60)) - Duration::days(1),
        ),
        // Inside a single month: every day on its own.
        (
            first_of(today - Duration::days(90)) + Duration::days(2),
            first_of(today - Duration::days(90)) + Duration::days(25),
        ),
    ];
    for (from, to) in periods {
        let filters = format!("from={from}&to={to}");
        let within: Vec<&Stored> = stored
            .iter()
            .filter(|r| r.day >= from && r.day <= to)
            .collect();
        assert!(!within.is_empty(), "{filters}: the test needs runs");

        let mut versions: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut networks: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut errors: BTreeMap<String, i64> = BTreeMap::new();
        let mut months: BTreeMap<String, i64> = BTreeMap::new();
        for r in &within {
            let success = i64::from(r.outcome == "success");
            let v = versions.entry(r.product.to_owned()).or_default();
            *v = (v.0 + 1, v.1 + success);
            networks.entry(r.network.to_owned()).or_default().0 += 1;
            *months.entry(r.day.to_string()[..7].to_owned()).or_default() += 1;
            let codes: &[&str] = match r.outcome {
                "failure" => &["0xC004F074", "0xC004F074"],
                "partial" => &["0xC004F042"],
                "aborted" => &["0x80070005"],
                _ => &[],
            };
            for code in codes {
                *errors.entry((*code).to_owned()).or_default() += 1;
            }
        }
        for r in stored
            .iter()
            .filter(|r| r.download_day >= from && r.download_day <= to)
        {
            networks.entry(r.network.to_owned()).or_default().1 += 1;
        }

        let got = rows(&app, &cookie, "versions", &filters).await;
        let got: BTreeMap<String, (i64, i64)> = got
            .iter()
            .filter(|row| int(row, "reports") > 0)
            .map(|row| {
                (
                    text(row, "version"),
                    (int(row, "reports"), int(row, "success")),
                )
            })
            .collect();
        assert_eq!(got, versions, "{filters}: versions");

        let got = rows(&app, &cookie, "networks", &filters).await;
        let got: BTreeMap<String, (i64, i64)> = got
            .iter()
            .map(|row| {
                (
                    text(row, "network"),
                    (int(row, "reports"), int(row, "downloads")),
                )
            })
            .collect();
        assert_eq!(got, networks, "{filters}: networks and their downloads");

        let got = rows(&app, &cookie, "errors", &filters).await;
        let got: BTreeMap<String, i64> = got
            .iter()
            .map(|row| (text(row, "code"), int(row, "n_results")))
            .collect();
        assert_eq!(got, errors, "{filters}: error codes");

        let daily = rows(&app, &cookie, "daily", &filters).await;
        let days = (to - from).whole_days() + 1;
        if days > 92 {
            let got: BTreeMap<String, i64> = daily
                .iter()
                .map(|row| (text(row, "day"), int(row, "total")))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(got, months, "{filters}: per month");
            assert_eq!(
                daily.first().map(|r| text(r, "day")),
                Some(from.to_string()[..7].to_owned())
            );
            assert_eq!(
                daily.last().map(|r| text(r, "day")),
                Some(to.to_string()[..7].to_owned())
            );
            // The page says so, one column a month.
            let page = get_with_cookie(&app, &format!("/admin?lang=en&{filters}"), &cookie).await;
            page.assert_page(axum::http::StatusCode::OK)
                .assert_contains("<caption>Reports per month, by outcome")
                .assert_contains(&format!(
                    r#"<th scope="row">{}</th>"#,
                    &from.to_string()[..7]
                ));
            assert_eq!(
                page.text.matches("<g><title>").count(),
                daily.len(),
                "{filters}: columns"
            );
        } else {
            assert_eq!(
                daily.len(),
                usize::try_from(days).unwrap(),
                "{filters}: per day"
            );
            let total: i64 = daily.iter().map(|row| int(row, "total")).sum();
            assert_eq!(total, i64::try_from(within.len()).unwrap(), "{filters}");
        }
    }
}

fn int(row: &Value, key: &str) -> i64 {
    row[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} in {row}"))
}

fn text(row: &Value, key: &str) -> String {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {row}"))
        .to_owned()
}
