//! The dashboard's questions, asked of the roll-ups and of the raw reports.
//!
//! Each roll-up query is one SQL string for both databases (the dashboard will use
//! these); each naive one is the plain `GROUP BY` over `reports` that the roll-ups exist
//! to avoid, in the dialect it needs for dates and JSON. Both must give the same rows.

use std::time::{Duration, Instant};

use anyhow::ensure;
use server::db::Db;
use time::{OffsetDateTime, UtcOffset};

use crate::generate::thousands;

/// One question.
struct Query {
    name: &'static str,
    rollup: &'static str,
    naive_sqlite: &'static str,
    naive_postgres: &'static str,
    /// The bound parameter: a day for the roll-up, an instant for the raw rows.
    since: Since,
}

/// Where a question's period starts.
#[derive(Clone, Copy)]
enum Since {
    /// The first of the last so many days in the institution's time zone: a day for
    /// the roll-ups, the instant that day starts for the raw rows.
    Days(i64),
    /// This long before now, for both.
    Ago(time::Duration),
}

/// One row of an answer: a key and up to two counts.
type Row = (String, i64, i64);

const ACTIVATIONS_PER_DAY: &str = "
    select cast(day as text) || ' ' || outcome, cast(sum(n_reports) as bigint), cast(0 as bigint)
    from daily_outcomes where day >= $1 group by day, outcome";

const SUCCESS_RATE: &str = "
    select product, cast(sum(case when outcome = 'success' then n_reports else 0 end) as bigint),
        cast(sum(n_reports) as bigint)
    from daily_outcomes where day >= $1 group by product";

const TOP_ERRORS: &str = "
    select error_code, cast(sum(n_results) as bigint) as n, cast(0 as bigint)
    from daily_errors where day >= $1 group by error_code order by n desc, error_code limit 10";

const MACHINES_PER_FAMILY: &str = "
    select v.family, count(distinct m.machine_id), cast(0 as bigint)
    from machine_products m join versions v on v.slug = m.product
    where m.last_seen >= $1 group by v.family";

const LAST_SUCCESS_BEFORE: &str = "
    select product, count(*), cast(0 as bigint)
    from machine_products where last_success < $1 group by product";

const NAIVE_MACHINES_PER_FAMILY: &str = "
    select v.family, count(distinct r.machine_id), cast(0 as bigint)
    from reports r join versions v on v.slug = r.product
    where r.received_at >= $1 group by v.family";

const NAIVE_LAST_SUCCESS_BEFORE: &str = "
    select product, count(*), cast(0 as bigint) from (
        select product, max(received_at) as last_success from reports
        where outcome = 'success' group by machine_id, product
    ) s where last_success < $1 group by product";

const QUERIES: [Query; 7] = [
    Query {
        name: "activations per day and outcome, last 30 days",
        rollup: ACTIVATIONS_PER_DAY,
        naive_sqlite: "
            select date(received_at, '+8 hours') || ' ' || outcome as k, count(*), 0
            from reports where received_at >= $1 group by k",
        naive_postgres: "
            select cast(cast(received_at at time zone 'Asia/Taipei' as date) as text) || ' ' || outcome as k,
                count(*), cast(0 as bigint)
            from reports where received_at >= $1 group by k",
        since: Since::Days(30),
    },
    Query {
        name: "success rate per product, last 30 days",
        rollup: SUCCESS_RATE,
        naive_sqlite: "
            select product, sum(case when outcome = 'success' then 1 else 0 end), count(*)
            from reports where received_at >= $1 group by product",
        naive_postgres: "
            select product, sum(case when outcome = 'success' then 1 else 0 end), count(*)
            from reports where received_at >= $1 group by product",
        since: Since::Days(30),
    },
    Query {
        name: "success rate per product, all reports (365 days)",
        rollup: SUCCESS_RATE,
        naive_sqlite: "
            select product, sum(case when outcome = 'success' then 1 else 0 end), count(*)
            from reports where received_at >= $1 group by product",
        naive_postgres: "
            select product, sum(case when outcome = 'success' then 1 else 0 end), count(*)
            from reports where received_at >= $1 group by product",
        since: Since::Days(400),
    },
    Query {
        name: "top 10 error codes, last 30 days",
        rollup: TOP_ERRORS,
        naive_sqlite: "
            select code, count(*) as n, 0 from (
                select json_extract(p.value, '$.error_code') as code
                from reports r, json_each(r.products_json) p
                where r.received_at >= $1 and json_extract(p.value, '$.outcome') = 'failed'
                union all
                select json_extract(f.value, '$.error_code')
                from reports r, json_each(r.findings_json) f
                where r.received_at >= $1 and json_extract(f.value, '$.status') = 'fail'
            ) where code is not null group by code order by n desc, code limit 10",
        naive_postgres: "
            select code, count(*) as n, cast(0 as bigint) from (
                select p ->> 'error_code' as code
                from reports r cross join lateral jsonb_array_elements(cast(r.products_json as jsonb)) p
                where r.received_at >= $1 and p ->> 'outcome' = 'failed'
                union all
                select f ->> 'error_code'
                from reports r cross join lateral jsonb_array_elements(cast(r.findings_json as jsonb)) f
                where r.received_at >= $1 and f ->> 'status' = 'fail'
            ) e where code is not null group by code order by n desc, code limit 10",
        since: Since::Days(30),
    },
    Query {
        name: "distinct machines per family seen in the last 30 days",
        rollup: MACHINES_PER_FAMILY,
        naive_sqlite: NAIVE_MACHINES_PER_FAMILY,
        naive_postgres: NAIVE_MACHINES_PER_FAMILY,
        since: Since::Ago(time::Duration::days(30)),
    },
    Query {
        name: "machines whose last success is older than 150 days",
        rollup: LAST_SUCCESS_BEFORE,
        naive_sqlite: NAIVE_LAST_SUCCESS_BEFORE,
        naive_postgres: NAIVE_LAST_SUCCESS_BEFORE,
        since: Since::Ago(time::Duration::days(150)),
    },
    Query {
        name: "machines whose last success is older than 180 days",
        rollup: LAST_SUCCESS_BEFORE,
        naive_sqlite: NAIVE_LAST_SUCCESS_BEFORE,
        naive_postgres: NAIVE_LAST_SUCCESS_BEFORE,
        since: Since::Ago(time::Duration::days(180)),
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
        let (rollup, rollup_rows) = time_query(db, query.rollup, query.since, true, now).await?;
        let (naive, naive_rows) = time_query(db, query.naive(db), query.since, false, now).await?;
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
        let rollup = answer(db, query.rollup, query.since, true, now).await?;
        let naive = answer(db, query.naive(db), query.since, false, now).await?;
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

impl Query {
    fn naive(&self, db: &Db) -> &'static str {
        match db {
            Db::Sqlite(_) => self.naive_sqlite,
            Db::Postgres(_) => self.naive_postgres,
        }
    }
}

/// The median of the timed runs, and the answer.
async fn time_query(
    db: &Db,
    sql: &str,
    since: Since,
    rollup: bool,
    now: OffsetDateTime,
) -> anyhow::Result<(Duration, Vec<Row>)> {
    let rows = answer(db, sql, since, rollup, now).await?;
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < RUNS && (times.is_empty() || started.elapsed() < BUDGET) {
        let run = Instant::now();
        let again = answer(db, sql, since, rollup, now).await?;
        times.push(run.elapsed());
        ensure!(again == rows, "the answer changed between runs");
    }
    times.sort();
    Ok((times[times.len() / 2], rows))
}

/// The rows of `sql` for the period `since`, sorted.
async fn answer(
    db: &Db,
    sql: &str,
    since: Since,
    rollup: bool,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<Row>> {
    // The portal's default zone, Asia/Taipei, has kept UTC+8 since 1979.
    let taipei = UtcOffset::from_hms(8, 0, 0)?;
    let mut rows: Vec<Row> = match since {
        Since::Days(n) => {
            let first_day = now.to_offset(taipei).date() - time::Duration::days(n - 1);
            if rollup {
                fetch(db, sql, first_day).await?
            } else {
                let midnight = first_day.midnight().assume_offset(taipei);
                fetch(db, sql, midnight.to_offset(UtcOffset::UTC)).await?
            }
        }
        Since::Ago(ago) => fetch(db, sql, now - ago).await?,
    };
    rows.sort();
    Ok(rows)
}

async fn fetch<T>(db: &Db, sql: &str, value: T) -> anyhow::Result<Vec<Row>>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + for<'q> sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + Send
        + Clone,
{
    Ok(match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).bind(value).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(sql).bind(value).fetch_all(pool).await?,
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
