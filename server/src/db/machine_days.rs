//! Machines counted by a day of theirs: the roll-ups that make "how many machines were
//! last seen (or last activated) since day D" a sum over a few hundred rows, whatever
//! the number of machines.
//!
//! - `success_days (product, network, day, n_machines)`: each `machine_products` row with
//!   a last success counts once, under its version, its latest network and the UTC day of
//!   its last success. Seats in use and licences about to lapse are sums over it.
//! - `kms_seen_days (kms_group, day, n_machines)`: each machine counts once per KMS group
//!   (`windows`; `office` for Office, Project and Visio, which one KMS host counts
//!   together) under the UTC day it was last seen with any version of that group. The
//!   KMS thresholds are sums over it.
//!
//! A batch moves a machine from its old day to its new one: [`update`] reads the
//! machines' rows before the batch's upsert changes them and adds the differences.
//! Days are UTC days: a window of "the last 30 days" counts from the start of the UTC
//! day 30 days ago.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::{Date, OffsetDateTime, UtcOffset};

use super::{Db, Tx, chunks, in_lists, values_list, with_tx};
use crate::catalog::{Family, KmsGroup};

/// A machine's state for one version after a batch, as the batch alone saw it.
pub(super) struct Seen<'a> {
    pub machine_id: &'a str,
    pub product: &'a str,
    pub network: &'a str,
    pub seen: OffsetDateTime,
    pub success: Option<OffsetDateTime>,
}

/// What `machine_products` holds for one machine and version.
#[derive(Clone)]
struct State {
    network: String,
    seen: OffsetDateTime,
    success: Option<OffsetDateTime>,
}

/// [`Family::kms_group`] in SQL: the group of the family in `column`, null for none.
fn kms_group_sql(column: &str) -> String {
    let whens: String = Family::ALL
        .into_iter()
        .filter_map(|family| {
            let group = family.kms_group()?;
            Some(format!(
                " when '{}' then '{}'",
                family.as_str(),
                group.as_str()
            ))
        })
        .collect();
    format!("case {column}{whens} end")
}

/// The UTC day of `at`.
pub fn utc_day(at: OffsetDateTime) -> Date {
    at.to_offset(UtcOffset::UTC).date()
}

/// Adds the batch's moves to both tables; call it before the batch's upsert of
/// `machine_products`, in the same transaction.
pub(super) async fn update(tx: &mut Tx, batch: &[Seen<'_>]) -> sqlx::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let families: Vec<(String, String)> = with_tx!(&mut *tx, conn => {
        sqlx::query_as("select slug, family from versions").fetch_all(&mut *conn).await?
    });
    let group_of: HashMap<String, KmsGroup> = families
        .into_iter()
        .filter_map(|(slug, family)| Some((slug, Family::try_from(family).ok()?.kms_group()?)))
        .collect();

    let ids: Vec<&str> = batch
        .iter()
        .map(|s| s.machine_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut old: HashMap<(String, String), State> = HashMap::new();
    for chunk in &in_lists(&ids) {
        // `in (…)`, not a join with a `values` list: PostgreSQL's generic plan for a
        // prepared join scans the whole table, where `in` becomes `= any(…)` on the key.
        let sql = format!(
            "select machine_id, product, network, last_seen, last_success
             from machine_products where machine_id in {}",
            values_list(tx, chunk.len(), 1)
        );
        type OldRow = (
            String,
            String,
            String,
            OffsetDateTime,
            Option<OffsetDateTime>,
        );
        let rows: Vec<OldRow> = with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(&mut *conn).await?
        });
        for (machine, product, network, seen, success) in rows {
            old.insert(
                (machine, product),
                State {
                    network,
                    seen,
                    success,
                },
            );
        }
    }

    // The rows after the upsert, by the same rules as `reports::UPSERT_MACHINES`.
    let mut new = old.clone();
    for s in batch {
        let key = (s.machine_id.to_owned(), s.product.to_owned());
        let state = new.entry(key).or_insert_with(|| State {
            network: s.network.to_owned(),
            seen: s.seen,
            success: None,
        });
        if s.seen >= state.seen {
            state.seen = s.seen;
            s.network.clone_into(&mut state.network);
        }
        state.success = state.success.max(s.success);
    }

    let mut success_moves: BTreeMap<(String, String, Date), i64> = BTreeMap::new();
    let touched: BTreeSet<(&str, &str)> = batch.iter().map(|s| (s.machine_id, s.product)).collect();
    for (machine, product) in touched {
        let key = (machine.to_owned(), product.to_owned());
        let day = |state: Option<&State>| {
            state.and_then(|s| Some((product.to_owned(), s.network.clone(), utc_day(s.success?))))
        };
        let (before, after) = (day(old.get(&key)), day(new.get(&key)));
        if before != after {
            if let Some(k) = before {
                *success_moves.entry(k).or_default() -= 1;
            }
            if let Some(k) = after {
                *success_moves.entry(k).or_default() += 1;
            }
        }
    }

    // Each machine's last day per KMS group, before and after.
    let last_days = |rows: &HashMap<(String, String), State>| {
        let mut days: HashMap<(String, KmsGroup), Date> = HashMap::new();
        for ((machine, product), state) in rows {
            if let Some(group) = group_of.get(product) {
                let day = days.entry((machine.clone(), *group)).or_insert(Date::MIN);
                *day = (*day).max(utc_day(state.seen));
            }
        }
        days
    };
    let (days_before, days_after) = (last_days(&old), last_days(&new));
    let mut seen_moves: BTreeMap<(KmsGroup, Date), i64> = BTreeMap::new();
    for machine in &ids {
        for group in KmsGroup::ALL {
            let key = ((*machine).to_owned(), group);
            let (before, after) = (
                days_before.get(&key).copied(),
                days_after.get(&key).copied(),
            );
            if before != after {
                if let Some(day) = before {
                    *seen_moves.entry((group, day)).or_default() -= 1;
                }
                if let Some(day) = after {
                    *seen_moves.entry((group, day)).or_default() += 1;
                }
            }
        }
    }

    let success_moves: Vec<_> = success_moves.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in chunks(&success_moves) {
        let sql = format!(
            "insert into success_days (product, network, day, n_machines) values {}
             on conflict (product, network, day)
             do update set n_machines = success_days.n_machines + excluded.n_machines",
            values_list(tx, 4, chunk.len())
        );
        with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query(&sql);
            for ((product, network, day), n) in chunk {
                query = query.bind(product).bind(network).bind(day).bind(n);
            }
            query.execute(&mut *conn).await?;
        });
    }
    let seen_moves: Vec<_> = seen_moves.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in chunks(&seen_moves) {
        let sql = format!(
            "insert into kms_seen_days (kms_group, day, n_machines) values {}
             on conflict (kms_group, day)
             do update set n_machines = kms_seen_days.n_machines + excluded.n_machines",
            values_list(tx, 3, chunk.len())
        );
        with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query(&sql);
            for ((group, day), n) in chunk {
                query = query.bind(group.as_str()).bind(day).bind(n);
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// Fills both tables afresh from `machine_products` (for data written around the report
/// writer: generated benchmark data, tests that set a machine's dates).
pub async fn rebuild(db: &Db) -> sqlx::Result<()> {
    let (success_day, seen_day) = match db {
        Db::Sqlite(..) => (
            "substr(last_success, 1, 10)",
            "substr(max(m.last_seen), 1, 10)",
        ),
        Db::Postgres(_) => (
            "cast(last_success at time zone 'UTC' as date)",
            "cast(max(m.last_seen) at time zone 'UTC' as date)",
        ),
    };
    let statements = [
        "delete from success_days".to_owned(),
        "delete from kms_seen_days".to_owned(),
        format!(
            "insert into success_days (product, network, day, n_machines)
             select product, network, {success_day}, count(*) from machine_products
             where last_success is not null group by 1, 2, 3"
        ),
        format!(
            "insert into kms_seen_days (kms_group, day, n_machines)
             select kms_group, day, count(*) from (
                 select m.machine_id, {group} as kms_group, {seen_day} as day
                 from machine_products m join versions v on v.slug = m.product
                 where {group} is not null
                 group by 1, 2
             ) g group by 1, 2",
            group = kms_group_sql("v.family")
        ),
    ];
    let mut tx = db.begin().await?;
    for sql in &statements {
        with_tx!(&mut tx, conn => {
            sqlx::query(sql).execute(&mut *conn).await?;
        });
    }
    tx.commit().await?;
    Ok(())
}
