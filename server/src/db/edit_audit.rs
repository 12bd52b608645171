//! What every staff edit shares: a write transaction, and its audit-log entry written in
//! that same transaction, so a change and its record commit or vanish together.

use serde_json::Value;
use time::OffsetDateTime;

use super::Tx;
use super::audit::{self, Action, AuditRow, Entity};

/// Who makes a change, and when.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The signed-in login name.
    pub username: String,
    /// The time of the change (UTC, whole seconds).
    pub at: OffsetDateTime,
}

/// What an edit function answers besides database failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Saved, with its audit entry.
    Done,
    /// Nothing was there to change.
    NotFound,
    /// Another row of the same kind already has this slug or code.
    Taken,
    /// The parent named (agreement or product) does not exist.
    NoParent,
    /// Refused: this many rows still depend on it.
    InUse(i64),
}

/// Appends to the audit log inside `tx`: `actor` did `action` to `what` (its kind and
/// key), from `before` to `after`.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: Action,
    what: (Entity, &str),
    before: Option<&Value>,
    after: Option<&Value>,
) -> sqlx::Result<()> {
    let entry = AuditRow {
        at: actor.at,
        username: actor.username.clone(),
        action,
        entity: what.0,
        entity_key: what.1.to_owned(),
        before_json: before.map(Value::to_string),
        after_json: after.map(Value::to_string),
    };
    audit::insert(tx, &entry).await
}

/// Whether `error` is a unique-constraint violation (a slug or code taken meanwhile).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
