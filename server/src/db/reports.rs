//! Storing activation reports with their roll-ups, a batch per transaction. A status
//! run's report is stored too, but counts only towards its machine: its licence's last
//! renewal, as its remaining grace tells (see [`renewed`]).
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

use std::collections::{BTreeMap, HashSet};

use protocol::report::{
    FindingStatus, KMS_VALIDITY_MINUTES, Outcome, ProductOutcome, Report, RunKind,
};
use time::{Date, OffsetDateTime};

use super::counts::{self, Counts};
use super::token_machines::{self, Sender};
use super::{
    AdvisoryLock, Db, Tx, chunks, in_lists, machine_days, values_list, values_list_after, with_tx,
};

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

/// The roll-up rows a batch adds to, each counted once.
#[derive(Default)]
struct Rollups<'a> {
    outcomes: Counts<'a, 3>,
    errors: Counts<'a, 3>,
    machines: BTreeMap<(&'a str, &'a str), Machine<'a>>,
    tokens: BTreeMap<&'a str, OffsetDateTime>,
}

/// A machine's state within one batch.
struct Machine<'a> {
    network: &'a str,
    first_seen: OffsetDateTime,
    seen: OffsetDateTime,
    success: Option<OffsetDateTime>,
    outcome: Outcome,
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

const UPSERT_MACHINES: &str = "
    on conflict (machine_id, product) do update set
        network = case when excluded.last_seen >= machine_products.last_seen
                       then excluded.network else machine_products.network end,
        last_outcome = case when excluded.last_seen >= machine_products.last_seen
                            then excluded.last_outcome else machine_products.last_outcome end,
        first_seen = case when excluded.first_seen < machine_products.first_seen
                          then excluded.first_seen else machine_products.first_seen end,
        last_seen = case when excluded.last_seen > machine_products.last_seen
                         then excluded.last_seen else machine_products.last_seen end,
        last_success = case when excluded.last_success is not null
                             and (machine_products.last_success is null
                                  or excluded.last_success > machine_products.last_success)
                            then excluded.last_success else machine_products.last_success end";

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

impl<'a> Rollups<'a> {
    /// Counts the new report `item`.
    fn count(&mut self, item: &'a Incoming) {
        let report = &item.report;
        let (day, product, network) = (item.day, report.product.as_str(), item.network.as_str());
        let at = item.received_at;
        if report.kind == RunKind::Status {
            // Not an activation: no outcome or error counts, only what it says of the
            // machine's licence.
            self.machine(report, product, network, at, renewed(report, at));
            self.token(item);
            return;
        }
        *self
            .outcomes
            .entry((day, [product, network, report.outcome.as_str()]))
            .or_default() += 1;
        let failing_codes = report
            .products
            .iter()
            .filter(|p| p.outcome == ProductOutcome::Failed)
            .filter_map(|p| p.error_code.as_deref())
            .chain(
                report
                    .findings
                    .iter()
                    .filter(|f| f.status == FindingStatus::Fail)
                    .filter_map(|f| f.error_code.as_deref()),
            );
        for code in failing_codes {
            *self
                .errors
                .entry((day, [product, network, code]))
                .or_default() += 1;
        }
        let success = matches!(report.outcome, Outcome::Success).then_some(at);
        self.machine(report, product, network, at, success);
        self.token(item);
    }

    /// The machine of `report` seen at `at`, activated (or known renewed) at `success`.
    fn machine(
        &mut self,
        report: &'a Report,
        product: &'a str,
        network: &'a str,
        at: OffsetDateTime,
        success: Option<OffsetDateTime>,
    ) {
        self.machines
            .entry((report.machine.id.as_str(), product))
            .and_modify(|m| m.seen(network, at, success, report.outcome))
            .or_insert(Machine {
                network,
                first_seen: at,
                seen: at,
                success,
                outcome: report.outcome,
            });
    }

    /// The first report of `item`'s token in the batch.
    fn token(&mut self, item: &'a Incoming) {
        let at = item.received_at;
        self.tokens
            .entry(item.token_id.as_str())
            .and_modify(|first| *first = (*first).min(at))
            .or_insert(at);
    }

    /// Adds the counts to the roll-up tables, a multi-row upsert per table.
    async fn write(&self, tx: &mut Tx) -> sqlx::Result<()> {
        counts::OUTCOMES.add(tx, &self.outcomes).await?;
        counts::ERRORS.add(tx, &self.errors).await?;
        let machines: Vec<_> = self.machines.iter().collect();
        let seen: Vec<machine_days::Seen<'_>> = machines
            .iter()
            .map(|((machine_id, product), m)| machine_days::Seen {
                machine_id,
                product,
                network: m.network,
                seen: m.seen,
                success: m.success,
            })
            .collect();
        machine_days::update(tx, &seen).await?;
        for chunk in chunks(&machines) {
            let sql = format!(
                "insert into machine_products (machine_id, product, network, first_seen,
                     last_seen, last_success, last_outcome) values {} {UPSERT_MACHINES}",
                values_list(tx, 7, chunk.len())
            );
            with_tx!(&mut *tx, conn => {
                let mut query = sqlx::query(&sql);
                for ((machine_id, product), m) in chunk {
                    query = query
                        .bind(machine_id)
                        .bind(product)
                        .bind(m.network)
                        .bind(m.first_seen)
                        .bind(m.seen)
                        .bind(m.success)
                        .bind(m.outcome.as_str());
                }
                query.execute(&mut *conn).await?;
            });
        }
        // Tokens by the time of their first report in the batch: a batch spans a second
        // or two, so this is a statement or two (a repeated token in `in_lists`' padding
        // changes nothing). `in (…)`, not a join with a `values`
        // list, which PostgreSQL's generic plan answers by scanning every download.
        let mut by_time: BTreeMap<OffsetDateTime, Vec<&str>> = BTreeMap::new();
        for (token_id, at) in &self.tokens {
            by_time.entry(*at).or_default().push(token_id);
        }
        for (at, tokens) in &by_time {
            for chunk in &in_lists(tokens) {
                let sql = format!(
                    "update downloads set first_report_at = {}
                     where first_report_at is null and token_id in {}",
                    values_list(tx, 1, 1),
                    values_list_after(tx, 1, chunk.len(), 1)
                );
                with_tx!(&mut *tx, conn => {
                    let mut query = sqlx::query(&sql).bind(at);
                    for token_id in chunk {
                        query = query.bind(*token_id);
                    }
                    query.execute(&mut *conn).await?;
                });
            }
        }
        Ok(())
    }
}

/// When a status run received at `at` shows the machine's licence was last activated or
/// renewed: a KMS client's validity runs 180 days from its last renewal, so with `G`
/// minutes left it was renewed 180 days − `G` ago (the smallest grace of its licences:
/// the one that lapses first). A licence that does not say its grace (a MAK or retail
/// one, permanent) counts as activated now; one that is not licensed says nothing.
fn renewed(report: &Report, at: OffsetDateTime) -> Option<OffsetDateTime> {
    if report.outcome != Outcome::Success {
        return None;
    }
    let least = report.products.iter().filter_map(|p| p.grace_minutes).min();
    let Some(grace) = least else {
        return Some(at);
    };
    let since = KMS_VALIDITY_MINUTES.saturating_sub(grace);
    Some(at - time::Duration::minutes(i64::try_from(since).unwrap_or(0)))
}

impl<'a> Machine<'a> {
    fn seen(
        &mut self,
        network: &'a str,
        at: OffsetDateTime,
        success: Option<OffsetDateTime>,
        outcome: Outcome,
    ) {
        if at >= self.seen {
            self.seen = at;
            self.network = network;
            self.outcome = outcome;
        }
        self.first_seen = self.first_seen.min(at);
        if success > self.success {
            self.success = success;
        }
    }
}
