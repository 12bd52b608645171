//! The dashboard's questions, asked of the roll-ups and of the raw reports.
//!
//! The roll-up side of each question calls the dashboard's own functions
//! (`server::db::dashboard`), so what is timed is what the dashboard runs; the raw side
//! is the plain `GROUP BY` over `reports` that the roll-ups exist to avoid, in the
//! dialect it needs for dates and JSON. Both must give the same rows.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::ensure;
use server::db::Db;
use server::db::dashboard::{self, By, Narrow};
use server::lang::Lang;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::generate::thousands;

/// One row of an answer: a key and up to two counts.
type Row = (String, i64, i64);

/// The rows an answer gives, being fetched.
type Answer<'a> = Pin<Box<dyn Future<Output = anyhow::Result<Vec<Row>>> + Send + 'a>>;

/// The period a question covers, as both sides need it.
#[derive(Clone, Copy)]
struct Period {
    /// The first day, in the institution's time zone.
    first_day: Date,
    /// Today, in the institution's time zone.
    today: Date,
    /// The instant the first day starts.
    start: OffsetDateTime,
    /// Now.
    now: OffsetDateTime,
}

/// One question.
struct Query {
    name: &'static str,
    /// How many days back the question looks (today is the last).
    days: i64,
    /// The dashboard's answer.
    rollup: for<'a> fn(&'a Db, Period) -> Answer<'a>,
    /// The raw-row answer, in each dialect.
    naive_sqlite: &'static str,
    naive_postgres: &'static str,
    /// The raw-row answer's parameters.
    naive_binds: fn(Period) -> Vec<OffsetDateTime>,
}

/// `$1`: the instant the period starts.
fn start(p: Period) -> Vec<OffsetDateTime> {
    vec![p.start]
}

/// `$1`: the start of the UTC day the period starts in (machine counts are by UTC day).
fn start_utc_day(p: Period) -> Vec<OffsetDateTime> {
    vec![utc_midnight(p.start)]
}

/// `$1`, `$2`: the start of the UTC days 150 and 180 days ago, as [`ageing`] asks.
fn ageing_binds(p: Period) -> Vec<OffsetDateTime> {
    vec![
        utc_midnight(p.now - time::Duration::days(150)),
        utc_midnight(p.now - time::Duration::days(180)),
    ]
}

fn utc_midnight(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC).date().midnight().assume_utc()
}

/// Activations per day and outcome.
fn per_day(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows =
            dashboard::outcomes(db, By::Day, p.first_day, p.today, Narrow::default()).await?;
        Ok(rows
            .into_iter()
            .map(|r| (format!("{} {}", r.key, r.outcome.as_str()), r.n, 0))
            .collect())
    })
}

/// Activations per month and outcome (the period's first month counted from its first
/// day).
fn per_month(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows =
            dashboard::outcomes(db, By::Month, p.first_day, p.today, Narrow::default()).await?;
        Ok(rows
            .into_iter()
            .map(|r| (format!("{} {}", r.key, r.outcome.as_str()), r.n, 0))
            .collect())
    })
}

/// Successes and all reports per version.
fn success_rate(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows =
            dashboard::outcomes(db, By::Version, p.first_day, p.today, Narrow::default()).await?;
        let mut out: Vec<Row> = Vec::new();
        for r in rows {
            let success = if r.outcome == protocol::report::Outcome::Success {
                r.n
            } else {
                0
            };
            match out.last_mut() {
                Some(last) if last.0 == r.key => {
                    last.1 += success;
                    last.2 += r.n;
                }
                _ => out.push((r.key, success, r.n)),
            }
        }
        Ok(out)
    })
}

/// The ten most frequent error codes.
fn top_errors(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows = dashboard::errors(db, p.first_day, p.today, Narrow::default(), Lang::En).await?;
        Ok(rows
            .into_iter()
            .take(10)
            .map(|r| (r.code, r.n, 0))
            .collect())
    })
}

/// Distinct machines per KMS group.
fn kms_machines(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows = dashboard::kms_machines(db, p.start).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.kms_group.as_str().to_owned(), r.n, 0))
            .collect())
    })
}

/// Machines per version whose last success is 150 to 180 days old, and older.
fn ageing(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let old = p.now - time::Duration::days(150);
        let older = p.now - time::Duration::days(180);
        let rows = dashboard::ageing(db, old, older, Narrow::default()).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.key, r.n_150, r.n_180))
            .collect())
    })
}

/// Machines per version with a success in the period.
fn activated(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let rows = dashboard::activated_machines(db, p.start, Narrow::default()).await?;
        Ok(rows.into_iter().map(|r| (r.key, r.n, 0)).collect())
    })
}

/// The newest 20 runs that did not activate everything.
fn failures(db: &Db, p: Period) -> Answer<'_> {
    Box::pin(async move {
        let end = p.now + time::Duration::seconds(1);
        let rows = dashboard::failures(db, p.start, end, Narrow::default(), 20).await?;
        Ok(rows.into_iter().map(|r| (r.report_id, 0, 0)).collect())
    })
}

const NAIVE_SUCCESS_RATE: &str = "
    select product, sum(case when outcome = 'success' then 1 else 0 end), count(*)
    from reports where received_at >= $1 group by product";

const NAIVE_ERRORS_SQLITE: &str = "
    select code, count(*) as n, 0 from (
        select json_extract(p.value, '$.error_code') as code
        from reports r, json_each(r.products_json) p
        where r.received_at >= $1 and json_extract(p.value, '$.outcome') = 'failed'
        union all
        select json_extract(f.value, '$.error_code')
        from reports r, json_each(r.findings_json) f
        where r.received_at >= $1 and json_extract(f.value, '$.status') = 'fail'
    ) where code is not null group by code order by n desc, code limit 10";

const NAIVE_ERRORS_POSTGRES: &str = "
    select code, count(*) as n, cast(0 as bigint) from (
        select p ->> 'error_code' as code
        from reports r cross join lateral jsonb_array_elements(cast(r.products_json as jsonb)) p
        where r.received_at >= $1 and p ->> 'outcome' = 'failed'
        union all
        select f ->> 'error_code'
        from reports r cross join lateral jsonb_array_elements(cast(r.findings_json as jsonb)) f
        where r.received_at >= $1 and f ->> 'status' = 'fail'
    ) e where code is not null group by code order by n desc, code limit 10";

const NAIVE_KMS_MACHINES: &str = "
    select case when v.family = 'windows' then 'windows' else 'office' end as k,
        count(distinct r.machine_id), cast(0 as bigint)
    from reports r join versions v on v.slug = r.product
    where r.received_at >= $1 and v.family in ('windows', 'office', 'project', 'visio')
    group by k";

const NAIVE_AGEING: &str = "
    select product, count(case when last_success >= $2 then 1 end),
        count(case when last_success < $2 then 1 end) from (
        select product, max(received_at) as last_success from reports
        where outcome = 'success' group by machine_id, product
    ) s where last_success < $1 group by product";

const NAIVE_ACTIVATED: &str = "
    select product, count(distinct machine_id), cast(0 as bigint)
    from reports where outcome = 'success' and received_at >= $1 group by product";

const NAIVE_FAILURES: &str = "
    select report_id, cast(0 as bigint), cast(0 as bigint) from reports
    where outcome <> 'success' and received_at >= $1
    order by received_at desc, report_id limit 20";

const QUERIES: [Query; 10] = [
    Query {
        name: "activations per day and outcome, last 30 days",
        days: 30,
        rollup: per_day,
        naive_sqlite: "
            select date(received_at, '+8 hours') || ' ' || outcome as k, count(*), 0
            from reports where received_at >= $1 group by k",
        naive_postgres: "
            select cast(cast(received_at at time zone 'Asia/Taipei' as date) as text) || ' ' || outcome as k,
                count(*), cast(0 as bigint)
            from reports where received_at >= $1 group by k",
        naive_binds: start,
    },
    Query {
        name: "activations per month and outcome, last 365 days",
        days: 365,
        rollup: per_month,
        naive_sqlite: "
            select substr(date(received_at, '+8 hours'), 1, 7) || ' ' || outcome as k, count(*), 0
            from reports where received_at >= $1 group by k",
        naive_postgres: "
            select to_char(received_at at time zone 'Asia/Taipei', 'YYYY-MM') || ' ' || outcome as k,
                count(*), cast(0 as bigint)
            from reports where received_at >= $1 group by k",
        naive_binds: start,
    },
    Query {
        name: "success rate per version, last 30 days",
        days: 30,
        rollup: success_rate,
        naive_sqlite: NAIVE_SUCCESS_RATE,
        naive_postgres: NAIVE_SUCCESS_RATE,
        naive_binds: start,
    },
    Query {
        name: "success rate per version, all reports (365 days)",
        days: 400,
        rollup: success_rate,
        naive_sqlite: NAIVE_SUCCESS_RATE,
        naive_postgres: NAIVE_SUCCESS_RATE,
        naive_binds: start,
    },
    Query {
        name: "top 10 error codes, last 30 days",
        days: 30,
        rollup: top_errors,
        naive_sqlite: NAIVE_ERRORS_SQLITE,
        naive_postgres: NAIVE_ERRORS_POSTGRES,
        naive_binds: start,
    },
    Query {
        name: "top 10 error codes, last 365 days",
        days: 365,
        rollup: top_errors,
        naive_sqlite: NAIVE_ERRORS_SQLITE,
        naive_postgres: NAIVE_ERRORS_POSTGRES,
        naive_binds: start,
    },
    Query {
        name: "distinct machines per KMS group (Windows; Office, Project, Visio), last 30 days",
        days: 30,
        rollup: kms_machines,
        naive_sqlite: NAIVE_KMS_MACHINES,
        naive_postgres: NAIVE_KMS_MACHINES,
        naive_binds: start_utc_day,
    },
    Query {
        name: "machines whose last success is 150–180 days old, and older",
        days: 1,
        rollup: ageing,
        naive_sqlite: NAIVE_AGEING,
        naive_postgres: NAIVE_AGEING,
        naive_binds: ageing_binds,
    },
    Query {
        name: "machines per version activated in the last 180 days",
        days: 180,
        rollup: activated,
        naive_sqlite: NAIVE_ACTIVATED,
        naive_postgres: NAIVE_ACTIVATED,
        naive_binds: start_utc_day,
    },
    Query {
        name: "the 20 newest failed runs, last 30 days",
        days: 30,
        rollup: failures,
        naive_sqlite: NAIVE_FAILURES,
        naive_postgres: NAIVE_FAILURES,
        naive_binds: start,
    },
];

/// Timed runs per query, after one untimed run that warms the caches.
const RUNS: usize = 5;
/// A query stops being repeated once its runs have taken this long.
const BUDGET: Duration = Duration::from_secs(20);

/// Checks every query's two answers agree, then times both; prints a `ROW` per query.
pub async fn check_and_time(db: &Db, n_reports: u64) -> anyhow::Result<()> {
    let now = now();
    for query in &QUERIES {
        let (rollup, rollup_rows) = time_side(db, query, Side::Rollup, now).await?;
        let (naive, naive_rows) = time_side(db, query, Side::Naive, now).await?;
        ensure!(
            rollup_rows == naive_rows,
            "{}: the roll-ups say {rollup_rows:?}, the reports {naive_rows:?}",
            query.name
        );
        ensure!(!rollup_rows.is_empty(), "{}: no rows", query.name);
        println!(
            "ROW | {} | {} | {} | {} | {} | {:.0}× |",
            db.backend(),
            thousands(n_reports),
            query.name,
            millis(rollup),
            millis(naive),
            naive.as_secs_f64() / rollup.as_secs_f64()
        );
    }
    Ok(())
}

/// Checks every query's two answers agree on `db`; prints a `RESULT`.
pub async fn check(db: &Db) -> anyhow::Result<()> {
    let now = now();
    for query in &QUERIES {
        let rollup = answer(db, query, Side::Rollup, now).await?;
        let naive = answer(db, query, Side::Naive, now).await?;
        ensure!(
            rollup == naive,
            "{}: the roll-ups say {rollup:?}, the reports {naive:?}",
            query.name
        );
    }
    let n = server::db::reports::count(db).await?;
    println!("RESULT check=ok queries={} reports={n}", QUERIES.len());
    Ok(())
}

/// Which answer to a question.
#[derive(Clone, Copy)]
enum Side {
    /// The dashboard's, from the roll-ups.
    Rollup,
    /// From the raw reports.
    Naive,
}

impl Query {
    fn naive(&self, db: &Db) -> &'static str {
        match db {
            Db::Sqlite(..) => self.naive_sqlite,
            Db::Postgres(_) => self.naive_postgres,
        }
    }

    /// The question's period, ending now.
    fn period(&self, now: OffsetDateTime) -> anyhow::Result<Period> {
        // The portal's default zone, Asia/Taipei, has kept UTC+8 since 1979.
        let taipei = UtcOffset::from_hms(8, 0, 0)?;
        let today = now.to_offset(taipei).date();
        let first_day = today - time::Duration::days(self.days - 1);
        let start = first_day
            .midnight()
            .assume_offset(taipei)
            .to_offset(UtcOffset::UTC);
        Ok(Period {
            first_day,
            today,
            start,
            now,
        })
    }
}

/// The median of the timed runs, and the answer.
async fn time_side(
    db: &Db,
    query: &Query,
    side: Side,
    now: OffsetDateTime,
) -> anyhow::Result<(Duration, Vec<Row>)> {
    let rows = answer(db, query, side, now).await?;
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < RUNS && (times.is_empty() || started.elapsed() < BUDGET) {
        let run = Instant::now();
        let again = answer(db, query, side, now).await?;
        times.push(run.elapsed());
        ensure!(again == rows, "the answer changed between runs");
    }
    times.sort();
    Ok((times[times.len() / 2], rows))
}

/// One side's answer to `query`, sorted.
async fn answer(
    db: &Db,
    query: &Query,
    side: Side,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Row>> {
    let period = query.period(now)?;
    let mut rows = match side {
        Side::Rollup => (query.rollup)(db, period).await?,
        Side::Naive => fetch(db, query.naive(db), (query.naive_binds)(period)).await?,
    };
    rows.sort();
    Ok(rows)
}

async fn fetch(db: &Db, sql: &str, binds: Vec<OffsetDateTime>) -> anyhow::Result<Vec<Row>> {
    Ok(match db {
        Db::Sqlite(pool, _) => {
            let mut query = sqlx::query_as(sql);
            for value in binds {
                query = query.bind(value);
            }
            query.fetch_all(pool).await?
        }
        Db::Postgres(pool) => {
            // The reference at its best: with PostgreSQL's default of two parallel
            // workers, which the portal's connections turn off (`Db::connect`).
            let mut tx = pool.begin().await?;
            sqlx::query("set local max_parallel_workers_per_gather = 2")
                .execute(&mut *tx)
                .await?;
            let mut query = sqlx::query_as(sql);
            for value in binds {
                query = query.bind(value);
            }
            let rows = query.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows
        }
    })
}

/// Now, to the whole second, as the portal stores times.
fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}
