//! What the immediate alerts count: the activation runs of the last minutes by outcome,
//! and whether each KMS group was activating when last looked at. The rules are
//! `mail::alerts`'s; this is only storage.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{Db, with_pool};
use crate::catalog::KmsGroup;

/// Activation runs received since a moment, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentRuns {
    /// All of them.
    pub runs: i64,
    /// Those that did not fully succeed (partial, failure, aborted).
    pub not_success: i64,
}

#[derive(FromRow)]
struct OutcomeCount {
    outcome: String,
    n: i64,
}

/// The activation runs received since `since` (along the `reports_received` index).
pub async fn recent_runs(db: &Db, since: OffsetDateTime) -> sqlx::Result<RecentRuns> {
    const SQL: &str = "select outcome, count(*) as n from reports
                       where received_at >= $1 and kind = 'activation' group by outcome";
    let rows: Vec<OutcomeCount> =
        with_pool!(db, pool => sqlx::query_as(SQL).bind(since).fetch_all(pool).await)?;
    Ok(rows.iter().fold(RecentRuns::default(), |mut sum, row| {
        sum.runs += row.n;
        if row.outcome != "success" {
            sum.not_success += row.n;
        }
        sum
    }))
}

/// Records whether `group` is activating now; answers `true` when it was activating
/// before and is not now — for exactly one caller, however many portals ask at once.
/// The first look only records.
pub async fn kms_dropped(
    db: &Db,
    group: KmsGroup,
    activating: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    const FIRST: &str = "insert into kms_alert_state (kms_group, activating, changed_at)
                         values ($1, $2, $3) on conflict (kms_group) do nothing";
    const CHANGE: &str = "update kms_alert_state set activating = $2, changed_at = $3
                          where kms_group = $1 and activating <> $2";
    let group = group.as_str();
    let inserted = with_pool!(db, pool => sqlx::query(FIRST)
        .bind(group).bind(activating).bind(now)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if inserted > 0 {
        return Ok(false);
    }
    let changed = with_pool!(db, pool => sqlx::query(CHANGE)
        .bind(group).bind(activating).bind(now)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0 && !activating)
}
