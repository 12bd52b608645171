//! Generated reports, made in the database itself, and their roll-ups.
//!
//! Report `i` of `n` is a pure function of `i`, computed in SQL: it arrives at
//! `now - 365 days + i × 365 days / n` (so in time order, as reports do), from machine
//! `i mod n/10` (about ten reports a machine over the year; a fifth of the machines stop
//! reporting after five or seven months), which always runs the same one of six products
//! from one of eight networks; 80 % succeed, 8 % fail, 6 % are partial and 6 % stop at a
//! preflight check, each failure with one of six error codes. The JSON columns have the
//! activator's real structure, trimmed to one finding and one or two products. The
//! roll-ups are then computed from the rows with `GROUP BY`, so they hold exactly what
//! `store_batch` would have written for the same reports.

use std::time::Instant;

use server::db::Db;
use sqlx::Connection;

/// The products generated, with their families.
pub const PRODUCTS: [&str; 6] = [
    "windows-10-enterprise",
    "windows-7-enterprise",
    "office-2019-proplus",
    "office-2016-proplus",
    "office-2010-proplus",
    "project-2016",
];

const NETWORKS: [&str; 8] = [
    "Library",
    "Dormitories",
    "Engineering",
    "Administration",
    "Computer Labs",
    "Wi-Fi",
    "10.20.30.0/24",
    "2001:db8:1::/48",
];

const CODES: [&str; 6] = [
    "0xC004F074",
    "0xC004C003",
    "0xC004F038",
    "0xC004F06C",
    "0x8007232B",
    "0xC004F042",
];

/// Seconds the reports span.
const SPAN: i64 = 365 * 24 * 60 * 60;
/// Reports per statement, so that SQLite's WAL and PostgreSQL's stay small.
const CHUNK: u64 = 500_000;

/// The two SQL dialects' spellings of what the generator needs.
struct Dialect {
    /// `with …` defining `g(i, m, h, c, t)` for `i` in `from..=to`.
    source: fn(u64, u64) -> String,
    /// Lower-case hex of an integer expression, zero-padded to a width.
    hex: fn(&str, usize) -> String,
    /// A timestamp column value from Unix seconds.
    time: fn(&str) -> String,
    /// The institution's day (Asia/Taipei: UTC+8 since 1979) of a timestamp column.
    day: fn(&str) -> String,
    /// The first day of the month of a day column.
    month: fn(&str) -> String,
}

const SQLITE: Dialect = Dialect {
    source: |from, to| {
        format!(
            "with recursive n(i) as (select {from} union all select i + 1 from n where i < {to}),
             g as (select i, {{G}} from n)"
        )
    },
    hex: |expr, width| format!("printf('%0{width}x', {expr})"),
    time: |expr| format!("strftime('%Y-%m-%dT%H:%M:%SZ', {expr}, 'unixepoch')"),
    day: |column| format!("date({column}, '+8 hours')"),
    month: |column| format!("substr({column}, 1, 8) || '01'"),
};

const POSTGRES: Dialect = Dialect {
    source: |from, to| {
        format!("with g as (select i, {{G}} from generate_series({from}::bigint, {to}) as n(i))")
    },
    hex: |expr, width| format!("lpad(to_hex({expr}), {width}, '0')"),
    time: |expr| format!("to_timestamp({expr})"),
    day: |column| format!("cast(({column} at time zone 'Asia/Taipei') as date)"),
    month: |column| format!("cast(date_trunc('month', {column}) as date)"),
};

/// `g`'s columns from `i`: the machine (`i mod M`, except that a tenth of the machines
/// stop reporting after day 150 and another tenth after day 200, their turns going to
/// others: laptops that left the campus), Knuth's multiplicative hash of `i` for the
/// outcome and an error code's index, and the arrival time. `{N}`, `{M}`, `{T0}`,
/// `{SPAN}` are replaced per run.
const G: &str = "case when i % {M} < {M} / 10 and i >= {N} * 150 / 365
        or i % {M} < {M} / 5 and i >= {N} * 200 / 365 then i % {M} + {M} / 5 else i % {M} end as m,
    ((i * 2654435761) % 4294967296) % 1000 as h,
    ((i * 2654435761) % 4294967296) / 1000 % 6 as c, {T0} + i * {SPAN} / {N} as t";

/// Fills an empty, migrated `db` with `n` reports and their roll-ups; prints a `ROW`.
pub async fn fill(db: &Db, n: u64) -> anyhow::Result<()> {
    let machines = (n / 10).max(1);
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp() - SPAN;
    let started = Instant::now();
    let dialect = match db {
        Db::Sqlite(..) => &SQLITE,
        Db::Postgres(_) => &POSTGRES,
    };
    let mut statements = Vec::new();
    let mut from = 0;
    while from < n {
        let to = (from + CHUNK).min(n) - 1;
        let source = (dialect.source)(from, to)
            .replace("{G}", G)
            .replace("{M}", &machines.to_string())
            .replace("{T0}", &t0.to_string())
            .replace("{SPAN}", &SPAN.to_string())
            .replace("{N}", &n.to_string());
        statements.push(insert_reports(dialect, &source));
        from = to + 1;
    }
    statements.extend(fill_rollups(dialect, db));
    match db {
        Db::Sqlite(pool, _) => {
            let mut conn = pool.acquire().await?.detach();
            for sql in &statements {
                sqlx::query(sql).execute(&mut conn).await?;
            }
            conn.close().await?;
        }
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await?.detach();
            for sql in &statements {
                sqlx::query(sql).execute(&mut conn).await?;
            }
            conn.close().await?;
        }
    }
    // The machines' day counts, from `machine_products`, as the report writer keeps them.
    server::db::machine_days::rebuild(db).await?;
    match db {
        Db::Sqlite(pool, _) => {
            // The WAL copied into the database file and emptied, as the portal's own
            // checkpointer keeps it: the bulk load, writing around the portal's write
            // gate, left gigabytes of it, and copying them beside the timed queries
            // made a 4 ms query take 56 ms at 10 million reports.
            loop {
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("pragma wal_checkpoint(truncate)")
                        .fetch_one(pool)
                        .await?;
                if busy == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        Db::Postgres(pool) => {
            // What autovacuum would have done by the time anyone looks at a dashboard.
            sqlx::query("vacuum analyze").execute(pool).await?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let bytes: i64 = match db {
        Db::Sqlite(pool, _) => {
            sqlx::query_scalar(
                "select page_count * page_size from pragma_page_count(), pragma_page_size()",
            )
            .fetch_one(pool)
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar("select pg_database_size(current_database())")
                .fetch_one(pool)
                .await?
        }
    };
    println!(
        "GENERATED | {} | {} | {} | {:.2} GB | {seconds:.0} s |",
        db.backend(),
        thousands(n),
        thousands(machines),
        bytes as f64 / 1e9,
    );
    Ok(())
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn insert_reports(d: &Dialect, source: &str) -> String {
    let pick = |list: &[&str], index: &str| {
        let arms: String = list
            .iter()
            .enumerate()
            .map(|(k, v)| format!(" when {k} then '{v}'"))
            .collect();
        format!("(case {index}{arms} end)")
    };
    let product = pick(&PRODUCTS, "m % 6");
    let network = pick(&NETWORKS, "(m / 7) % 8");
    let code = pick(&CODES, "c");
    let outcome = "(case when h < 800 then 'success' when h < 880 then 'failure' \
                   when h < 940 then 'partial' else 'aborted' end)";
    let finding = |status: &str, code: &str| {
        format!(
            "'{{\"check\":\"kms_reachable\",\"status\":\"{status}\",\"error_code\":' || {code} \
             || ',\"detail\":\"\"}}'"
        )
    };
    let item = |outcome: &str, code: &str| {
        format!(
            "'{{\"sku_id\":\"85dd8b5f-eaa4-4af3-a628-cce9e77c9a03\",\"license_name\":\"' || \
             {product} || ' VL_KMS_Client\",\"license_description\":\"VOLUME_KMSCLIENT channel\",\
             \"key_last5\":\"6MWKP\",\"outcome\":\"{outcome}\",\"error_code\":' || {code} || '}}'"
        )
    };
    let quoted_code = format!("'\"' || {code} || '\"'");
    let findings = format!(
        "(case when h < 940 then '[' || {pass} || ']' else '[' || {fail} || ']' end)",
        pass = finding("pass", "'null'"),
        fail = finding("fail", &quoted_code),
    );
    let products = format!(
        "(case when h < 800 then '[' || {ok} || ']' \
               when h < 880 then '[' || {failed} || ']' \
               when h < 940 then '[' || {ok} || ',' || {failed} || ']' \
               else '[]' end)",
        ok = item("activated", "'null'"),
        failed = item("failed", &quoted_code),
    );
    let report_id = format!("'00000000-0000-4000-8000-' || {}", (d.hex)("i", 12));
    format!(
        "insert into reports (report_id, token_id, product, network, received_at, started_at,
             duration_ms, machine_id, os_version, os_edition, architecture, ui_language,
             utc_offset_minutes, activator_version, outcome, findings_json, products_json)
         {source}
         select {report_id}, {token_id}, {product}, {network}, {received}, {started},
             5000 + h * 3, {machine_id}, '10.0.19045', 'Enterprise', 'x64', 'zh-TW',
             480, '0.1.0', {outcome}, {findings}, {products}
         from g",
        token_id = (d.hex)("m", 24),
        received = (d.time)("t"),
        started = (d.time)("t - 30"),
        machine_id = (d.hex)("m", 64),
    )
}

/// The roll-ups, from the reports, as `store_batch` defines them.
fn fill_rollups(d: &Dialect, db: &Db) -> Vec<String> {
    let day = (d.day)("received_at");
    let r_day = (d.day)("r.received_at");
    let month = (d.month)("day");
    // Failing items: failed products and failed findings that carry an error code. Only
    // reports that did not succeed are looked at: the generator puts none elsewhere.
    let failing = match db {
        Db::Sqlite(..) => format!(
            "select {r_day} as day, r.product, r.network,
                 json_extract(p.value, '$.error_code') as code
             from reports r, json_each(r.products_json) p
             where r.outcome <> 'success' and json_extract(p.value, '$.outcome') = 'failed'
             union all
             select {r_day}, r.product, r.network, json_extract(f.value, '$.error_code')
             from reports r, json_each(r.findings_json) f
             where r.outcome <> 'success' and json_extract(f.value, '$.status') = 'fail'"
        ),
        Db::Postgres(_) => format!(
            "select {r_day} as day, r.product, r.network, p ->> 'error_code' as code
             from reports r cross join lateral jsonb_array_elements(cast(r.products_json as jsonb)) p
             where r.outcome <> 'success' and p ->> 'outcome' = 'failed'
             union all
             select {r_day}, r.product, r.network, f ->> 'error_code'
             from reports r cross join lateral jsonb_array_elements(cast(r.findings_json as jsonb)) f
             where r.outcome <> 'success' and f ->> 'status' = 'fail'"
        ),
    };
    vec![
        format!(
            "insert into daily_outcomes (day, product, network, outcome, n_reports)
             select {day}, product, network, outcome, count(*) from reports
             group by 1, 2, 3, 4"
        ),
        format!(
            "insert into daily_errors (day, product, network, error_code, n_results)
             select day, product, network, code, count(*) from ({failing}) e
             where code is not null group by 1, 2, 3, 4"
        ),
        format!(
            "insert into monthly_outcomes (month, product, network, outcome, n_reports)
             select {month}, product, network, outcome, sum(n_reports) from daily_outcomes
             group by 1, 2, 3, 4"
        ),
        format!(
            "insert into monthly_errors (month, product, network, error_code, n_results)
             select {month}, product, network, error_code, sum(n_results) from daily_errors
             group by 1, 2, 3, 4"
        ),
        // Each generated machine keeps one network, so max(network) is its latest.
        "insert into machine_products (machine_id, product, network, first_seen, last_seen,
             last_success, last_outcome)
         select machine_id, product, max(network), min(received_at), max(received_at),
             max(case when outcome = 'success' then received_at end), ''
         from reports group by machine_id, product"
            .to_owned(),
        // Arrival times are unique, so the report at last_seen is the machine's latest.
        "update machine_products set last_outcome = (select r.outcome from reports r
             where r.received_at = machine_products.last_seen
               and r.machine_id = machine_products.machine_id)"
            .to_owned(),
    ]
}
