//! Storing activation reports with their roll-ups, a batch per transaction. A status
//! run's report is stored too, but counts only towards its machine: its licence's last
//! renewal, as its remaining grace tells (see `rollups::renewed`).
//!
//! [`store_batch`] is the group commit's one write: every report of the batch is
//! inserted (a repeated `report_id` is left alone and answered as a repeat), and for the
//! new ones the roll-ups the dashboard reads are updated in the same transaction —
//! counted in memory first, so each distinct roll-up row is written once per batch.
//!
//! Each table takes one multi-row statement per batch (a few for odd sizes, see
//! `db::chunks`; lookups by id exactly one, `db::in_lists`), not one per row: a
//! statement costs a round trip to SQLite's worker thread or to PostgreSQL, and per-row
//! statements were most of a batch's time.
//!
//! Batches are stored one at a time, by every portal on the database together
//! ([`Db::begin_alone`]): the machines' day roll-ups (`machine_days`) are moves from what
//! a batch read to what it writes, and two batches reading the same machine at once
//! would both move it from the same day.

mod rollups;

use std::collections::HashSet;

use protocol::report::Report;
use time::{Date, OffsetDateTime};

use self::rollups::Rollups;
use super::token_machines::{self, Sender};
use super::{AdvisoryLock, Db, Tx, chunks, in_lists, values_list, with_tx};

/// A validated report with what the server knows of its arrival.
#[derive(Clone, Debug)]
pub struct Incoming {
    /// The report.
    pub report: Report,
    /// The id of the download token that authenticated it.
    pub token_id: String,
    /// The sender's network label.
    pub network: String,
    /// When it arrived (UTC, whole seconds).
    pub received_at: OffsetDateTime,
    /// That day in the institution's time zone.
    pub day: Date,
    /// How many PCs its token may report from (`None`: a deployment's, meant for many).
    pub machine_limit: Option<u32>,
}

/// Whether a report was new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Stored now.
    New,
    /// Stored before (same `report_id`); nothing changed.
    Repeat,
    /// Not stored: its token reported from as many other PCs as it may.
    TooManyMachines,
}

/// A report's column values, computed before the transaction starts.
struct Row<'a> {
    item: &'a Incoming,
    architecture: String,
    findings_json: String,
    products_json: String,
}

const INSERT_REPORTS: &str = "insert into reports (report_id, token_id, product, network,
    received_at, started_at, duration_ms, machine_id, os_version, os_edition, architecture,
    ui_language, utc_offset_minutes, activator_version, outcome, findings_json, products_json,
    kind)
    values ";

/// Stores `batch` in one transaction; answers, per report, whether it was new.
pub async fn store_batch(db: &Db, batch: &[Incoming]) -> sqlx::Result<Vec<Stored>> {
    // The first report of each id in the batch; a later one is a repeat.
    let mut ids = HashSet::new();
    let mut rows: Vec<Row<'_>> = batch
        .iter()
        .filter(|item| ids.insert(item.report.report_id.as_str()))
        .map(Row::new)
        .collect();
    // In id order, like every other table's rows: see the module's comment.
    rows.sort_by(|a, b| a.item.report.report_id.cmp(&b.item.report.report_id));

    let mut tx = db.begin_alone(AdvisoryLock::ReportWriter).await?;
    // Ids stored before: almost always none, so this answers one empty result, where an
    // `insert … returning` would send every new id back from the database one by one.
    let mut stored_before: HashSet<String> = HashSet::new();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r.item.report.report_id.as_str())
        .collect();
    for chunk in &in_lists(&ids) {
        // One "row" of as many values as ids: `in (?, ?, …)`.
        let sql = format!(
            "select report_id from reports where report_id in {}",
            values_list(&tx, chunk.len(), 1)
        );
        let found: Vec<String> = with_tx!(&mut tx, conn => {
            let mut query = sqlx::query_scalar(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(&mut *conn).await?
        });
        stored_before.extend(found);
    }
    rows.retain(|r| !stored_before.contains(&r.item.report.report_id));
    let refused = over_machine_limit(&mut tx, &rows).await?;
    rows.retain(|r| !refused.contains(r.item.report.report_id.as_str()));
    for chunk in chunks(&rows) {
        // Batches are stored one at a time, so no id can arrive between the select above
        // and this insert; should one all the same (a row written around the writer), the
        // count is short and the batch fails, to be stored item by item (`ingest`),
        // where the id is then found above.
        let sql = format!(
            "{INSERT_REPORTS}{} on conflict (report_id) do nothing",
            values_list(&tx, 18, chunk.len())
        );
        let inserted = with_tx!(&mut tx, conn => {
            let mut query = sqlx::query(&sql);
            for row in chunk {
                let (item, report) = (row.item, &row.item.report);
                query = query
                    .bind(&report.report_id)
                    .bind(&item.token_id)
                    .bind(&report.product)
                    .bind(&item.network)
                    .bind(item.received_at)
                    .bind(report.started_at)
                    .bind(i64::try_from(report.duration_ms).unwrap_or(i64::MAX))
                    .bind(&report.machine.id)
                    .bind(&report.machine.os_version)
                    .bind(&report.machine.os_edition)
                    .bind(&row.architecture)
                    .bind(&report.machine.ui_language)
                    .bind(i64::from(report.machine.utc_offset_minutes))
                    .bind(&report.activator_version)
                    .bind(report.outcome.as_str())
                    .bind(&row.findings_json)
                    .bind(&row.products_json)
                    .bind(report.kind.as_str());
            }
            query.execute(&mut *conn).await?.rows_affected()
        });
        if inserted != chunk.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} reports were stored meanwhile by another writer",
                chunk.len() as u64 - inserted,
                chunk.len()
            )));
        }
    }
    let new_ids: HashSet<&str> = rows
        .iter()
        .map(|r| r.item.report.report_id.as_str())
        .collect();

    let mut rollups = Rollups::default();
    let mut first = HashSet::new();
    let results = batch
        .iter()
        .map(|item| {
            let id = item.report.report_id.as_str();
            if refused.contains(id) {
                Stored::TooManyMachines
            } else if first.insert(id) && new_ids.contains(id) {
                rollups.count(item);
                Stored::New
            } else {
                Stored::Repeat
            }
        })
        .collect();
    rollups.write(&mut tx).await?;
    tx.commit().await?;
    Ok(results)
}

/// The ids of the new reports whose token may not report from their PC: it reported from
/// as many others as it may (see [`token_machines`]).
async fn over_machine_limit<'a>(tx: &mut Tx, rows: &[Row<'a>]) -> sqlx::Result<HashSet<&'a str>> {
    let limited: Vec<(&str, Sender<'_>)> = rows
        .iter()
        .filter_map(|row| {
            let item = row.item;
            item.machine_limit.map(|limit| {
                let sender = Sender {
                    token_id: &item.token_id,
                    machine_id: &item.report.machine.id,
                    limit,
                    at: item.received_at,
                };
                (item.report.report_id.as_str(), sender)
            })
        })
        .collect();
    let senders: Vec<Sender<'_>> = limited.iter().map(|(_, sender)| *sender).collect();
    let answers = token_machines::admit(tx, &senders).await?;
    Ok(limited
        .iter()
        .zip(answers)
        .filter(|(_, accepted)| !accepted)
        .map(|((id, _), _)| *id)
        .collect())
}

/// How many reports are stored (for tests and benchmarks).
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    super::with_pool!(db, pool => sqlx::query_scalar("select count(*) from reports").fetch_one(pool).await)
}

impl<'a> Row<'a> {
    fn new(item: &'a Incoming) -> Row<'a> {
        let report = &item.report;
        Row {
            item,
            architecture: serde_json::to_value(report.machine.architecture)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            findings_json: serde_json::to_string(&report.findings).unwrap_or_default(),
            products_json: serde_json::to_string(&report.products).unwrap_or_default(),
        }
    }
}
