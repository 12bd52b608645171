//! The roll-ups a batch of new reports adds to, counted in memory first so that each
//! distinct row is written once per batch (see [`super`]): outcomes and error codes per
//! day, network and product; each machine's products (first and last seen, last success,
//! last outcome) and its day roll-ups; each token's last use.

use std::collections::BTreeMap;

use protocol::report::{
    FindingStatus, KMS_VALIDITY_MINUTES, Outcome, ProductOutcome, Report, RunKind,
};
use time::OffsetDateTime;

use super::Incoming;
use crate::db::counts::{self, Counts};
use crate::db::{Tx, chunks, in_lists, machine_days, values_list, values_list_after, with_tx};

/// The roll-up rows a batch adds to, each counted once.
#[derive(Default)]
pub(super) struct Rollups<'a> {
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

impl<'a> Rollups<'a> {
    /// Counts the new report `item`.
    pub(super) fn count(&mut self, item: &'a Incoming) {
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
    pub(super) async fn write(&self, tx: &mut Tx) -> sqlx::Result<()> {
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
