//! The dashboard's queries: sums over the roll-ups, never over raw reports.
//!
//! Every figure comes from the counted roll-ups (`db::counts`: reports, error codes and
//! downloads per day, and per month for a long period's whole months), `success_days` and
//! `kms_seen_days`, which the writers keep up to date; the two lists of single items read
//! their own indexes: unreported downloads (`downloads_unreported`) and the newest
//! failures (`reports_failures`). The optional filters are written
//! `($n is null or column = $n)`, so one SQL string serves every combination on both
//! databases.

use protocol::report::{Architecture, Outcome};
use sqlx::query::QueryAs;
use sqlx::{Database, FromRow};
use time::{Date, OffsetDateTime};

use super::counts::{self, Span};
use super::machine_days::utc_day;
use super::{Db, with_pool};
use crate::catalog::KmsGroup;
use crate::lang::Lang;

/// The optional filters every query takes: a version slug, a family, a network label.
#[derive(Clone, Copy, Debug, Default)]
pub struct Narrow<'a> {
    /// Only this version (catalogue slug).
    pub version: Option<&'a str>,
    /// Only versions of this family (`catalog::Family::as_str`).
    pub family: Option<&'a str>,
    /// Only this network label.
    pub network: Option<&'a str>,
}

/// What a roll-up's rows are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    /// The institution's day, as `YYYY-MM-DD`.
    Day,
    /// The institution's month, as `YYYY-MM`.
    Month,
    /// The version slug.
    Version,
    /// The network label.
    Network,
}

/// A count under a key and an outcome.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct KeyedOutcome {
    /// The day, version or network.
    pub key: String,
    /// The runs' outcome.
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    /// How many reports.
    pub n: i64,
}

/// Distinct machines a KMS group has seen.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct KmsCount {
    /// The group.
    #[sqlx(try_from = "String")]
    pub kms_group: KmsGroup,
    /// How many machines.
    pub n: i64,
}

/// A count under a key.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Keyed {
    /// The version, network or error code.
    pub key: String,
    /// How many.
    pub n: i64,
}

/// An error code's failed results, with its texts in one language when known.
#[derive(Clone, Debug, FromRow)]
pub struct ErrorCount {
    /// The canonical code.
    pub code: String,
    /// Failed product results and failed checks carrying it.
    pub n: i64,
    /// Its meaning in one line.
    pub title: Option<String>,
    /// What to do (Markdown with placeholders).
    pub remedy_md: Option<String>,
}

/// Machines by how long ago they last activated: 150 to 180 days, and over 180.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Ageing {
    /// The version slug.
    pub key: String,
    /// Last success between 150 and 180 days ago.
    pub n_150: i64,
    /// Last success over 180 days ago.
    pub n_180: i64,
}

/// A download that has not reported back.
#[derive(Clone, Debug, FromRow)]
pub struct Unreported {
    /// The token's id (not the token: it cannot be used).
    pub token_id: String,
    /// The version downloaded.
    pub version_slug: String,
    /// The network it was downloaded from.
    pub network: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// When its token expires.
    pub expires_at: OffsetDateTime,
    /// When its token was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

/// One failed run, as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Failure {
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// The version.
    pub product: String,
    /// The sender's network.
    pub network: String,
    /// Partial, failure or aborted.
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    /// Windows version.
    pub os_version: String,
    /// Windows edition.
    pub os_edition: String,
    /// The processor architecture.
    #[sqlx(try_from = "String")]
    pub architecture: Architecture,
    /// The interface language.
    pub ui_language: String,
    /// The PC's offset from UTC.
    pub utc_offset_minutes: i64,
    /// The activator's version.
    pub activator_version: String,
    /// The findings, as JSON.
    pub findings_json: String,
    /// The product results, as JSON.
    pub products_json: String,
    /// The report's id (orders runs that arrived in the same second).
    pub report_id: String,
}

/// Reports per key and outcome, on days `from..=to`.
pub async fn outcomes(
    db: &Db,
    by: By,
    from: Date,
    to: Date,
    narrow: Narrow<'_>,
) -> sqlx::Result<Vec<KeyedOutcome>> {
    let rows = counts::OUTCOMES.spanning(
        |period| format!("{} as key, outcome", key_column(by, period)),
        &narrowing(5, "product", "network"),
    );
    let sql = format!(
        "select key, outcome, cast(sum(n) as bigint) as n from {rows} r
         group by key, outcome order by 1, 2"
    );
    with_pool!(db, pool => {
        bind_narrow(span(by, from, to).bind(sqlx::query_as(&sql)), narrow).fetch_all(pool).await
    })
}

/// Downloads per key, on days `from..=to`.
pub async fn downloads(
    db: &Db,
    by: By,
    from: Date,
    to: Date,
    narrow: Narrow<'_>,
) -> sqlx::Result<Vec<Keyed>> {
    let rows = counts::DOWNLOADS.spanning(
        |period| format!("{} as key", key_column(by, period)),
        &narrowing(5, "product", "network"),
    );
    let sql =
        format!("select key, cast(sum(n) as bigint) as n from {rows} r group by key order by 1");
    with_pool!(db, pool => {
        bind_narrow(span(by, from, to).bind(sqlx::query_as(&sql)), narrow).fetch_all(pool).await
    })
}

/// Failed results per error code on days `from..=to`, most frequent first, with the
/// code's texts in `lang`.
pub async fn errors(
    db: &Db,
    from: Date,
    to: Date,
    narrow: Narrow<'_>,
    lang: Lang,
) -> sqlx::Result<Vec<ErrorCount>> {
    let rows = counts::ERRORS.spanning(
        |_| "error_code as code".to_owned(),
        &narrowing(5, "product", "network"),
    );
    let sql = format!(
        "select counts.code, counts.n, t.title, t.remedy_md
         from (select code, cast(sum(n) as bigint) as n from {rows} r group by code) counts
         left join error_code_texts t on t.code = counts.code and t.lang = $8
         order by counts.n desc, counts.code"
    );
    with_pool!(db, pool => {
        bind_narrow(Span::new(from, to).bind(sqlx::query_as(&sql)), narrow)
            .bind(lang.tag())
            .fetch_all(pool)
            .await
    })
}

/// Downloads made in `[start, end)` that never reported back, per version.
pub async fn unreported_counts(
    db: &Db,
    start: OffsetDateTime,
    end: OffsetDateTime,
    narrow: Narrow<'_>,
) -> sqlx::Result<Vec<Keyed>> {
    let sql = format!(
        "select version_slug as key, count(*) as n from downloads
         where first_report_at is null and created_at >= $1 and created_at < $2 {}
         group by version_slug order by 1",
        narrowing(3, "version_slug", "network")
    );
    with_pool!(db, pool => bind_narrow(sqlx::query_as(&sql).bind(start).bind(end), narrow).fetch_all(pool).await)
}

/// The newest `limit` downloads made in `[start, end)` that never reported back.
pub async fn unreported_latest(
    db: &Db,
    start: OffsetDateTime,
    end: OffsetDateTime,
    narrow: Narrow<'_>,
    limit: i64,
) -> sqlx::Result<Vec<Unreported>> {
    let sql = format!(
        "select token_id, version_slug, network, created_at, expires_at, revoked_at from downloads
         where first_report_at is null and created_at >= $1 and created_at < $2 {}
         order by created_at desc, token_id limit $6",
        narrowing(3, "version_slug", "network")
    );
    with_pool!(db, pool => bind_narrow(sqlx::query_as(&sql).bind(start).bind(end), narrow).bind(limit).fetch_all(pool).await)
}

/// Distinct machines seen since the UTC day of `since`, per KMS group: `windows`
/// (Windows clients) and `office` (Office, Project and Visio, which one KMS host counts
/// together). A sum over `kms_seen_days`.
pub async fn kms_machines(db: &Db, since: OffsetDateTime) -> sqlx::Result<Vec<KmsCount>> {
    const SQL: &str = "
        select kms_group, cast(sum(n_machines) as bigint) as n
        from kms_seen_days where day >= $1
        group by kms_group having sum(n_machines) > 0 order by 1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(utc_day(since)).fetch_all(pool).await)
}

/// Machines per version whose last success is before the UTC day of `old` (150 days
/// ago): those since the day of `older` (180 days ago), and those before it. A sum over
/// `success_days`.
pub async fn ageing(
    db: &Db,
    old: OffsetDateTime,
    older: OffsetDateTime,
    narrow: Narrow<'_>,
) -> sqlx::Result<Vec<Ageing>> {
    let sql = format!(
        "select product as key,
                cast(sum(case when day >= $2 then n_machines else 0 end) as bigint) as n_150,
                cast(sum(case when day < $2 then n_machines else 0 end) as bigint) as n_180
         from success_days where day < $1 {}
         group by product having sum(n_machines) > 0 order by 1",
        narrowing(3, "product", "network")
    );
    with_pool!(db, pool => bind_narrow(sqlx::query_as(&sql).bind(utc_day(old)).bind(utc_day(older)), narrow).fetch_all(pool).await)
}

/// Machines per version with a success since the UTC day of `since`. A machine has one
/// row per version in `machine_products`, so each counts once. A sum over `success_days`.
pub async fn activated_machines(
    db: &Db,
    since: OffsetDateTime,
    narrow: Narrow<'_>,
) -> sqlx::Result<Vec<Keyed>> {
    let sql = format!(
        "select product as key, cast(sum(n_machines) as bigint) as n
         from success_days where day >= $1 {}
         group by product having sum(n_machines) > 0 order by 1",
        narrowing(2, "product", "network")
    );
    with_pool!(db, pool => bind_narrow(sqlx::query_as(&sql).bind(utc_day(since)), narrow).fetch_all(pool).await)
}

/// The newest `limit` activation runs in `[start, end)` that did not activate everything
/// (status runs are not activations). Each
/// outcome is read newest first along the `reports_failures (outcome, received_at)` index
/// and stops at `limit`, so the cost does not grow with the number of reports.
pub async fn failures(
    db: &Db,
    start: OffsetDateTime,
    end: OffsetDateTime,
    narrow: Narrow<'_>,
    limit: i64,
) -> sqlx::Result<Vec<Failure>> {
    let sql = format!(
        "select received_at, product, network, outcome, os_version, os_edition, architecture,
                ui_language, utc_offset_minutes, activator_version, findings_json, products_json,
                report_id
         from reports
         where outcome = $6 and received_at >= $1 and received_at < $2
           and kind = 'activation' {}
         order by received_at desc, report_id limit $7",
        narrowing(3, "product", "network")
    );
    let mut rows: Vec<Failure> = Vec::new();
    for outcome in [Outcome::Failure, Outcome::Aborted, Outcome::Partial] {
        let found: Vec<Failure> = with_pool!(db, pool => {
            bind_narrow(sqlx::query_as(&sql).bind(start).bind(end), narrow)
                .bind(outcome.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        rows.extend(found);
    }
    rows.sort_by(|a, b| {
        b.received_at
            .cmp(&a.received_at)
            .then_with(|| a.report_id.cmp(&b.report_id))
    });
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(rows)
}

/// The key of `by` in a roll-up whose period column is `period`.
fn key_column(by: By, period: &str) -> String {
    match by {
        By::Day => format!("cast({period} as text)"),
        // `YYYY-MM` of the day, or of a month's first day: one key for both tables.
        By::Month => format!("substr(cast({period} as text), 1, 7)"),
        By::Version => "product".to_owned(),
        By::Network => "network".to_owned(),
    }
}

/// The days `from..=to` as `by` reads them: every day on its own when grouped by day,
/// else whole months from the monthly roll-ups.
fn span(by: By, from: Date, to: Date) -> Span {
    match by {
        By::Day => Span::days(from, to),
        By::Month | By::Version | By::Network => Span::new(from, to),
    }
}

/// The three optional filters as SQL, their parameters numbered from `first`.
fn narrowing(first: usize, version: &str, network: &str) -> String {
    let (v, f, n) = (first, first + 1, first + 2);
    format!(
        "and (${v} is null or {version} = ${v})
         and (${f} is null or {version} in (select slug from versions where family = ${f}))
         and (${n} is null or {network} = ${n})"
    )
}

/// Binds the filters in the order [`narrowing`] numbers them.
fn bind_narrow<'q, DB, O>(
    query: QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>,
    narrow: Narrow<'q>,
) -> QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(narrow.version)
        .bind(narrow.family)
        .bind(narrow.network)
}
