//! What every staff edit shares: a write transaction, and its audit-log entry written in
//! that same transaction, so a change and its record commit or vanish together.

use serde_json::Value;
use time::OffsetDateTime;

use super::accounts::AuditRow;
use super::{Tx, with_tx};

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

/// Appends to the audit log inside `tx`.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    what: (&str, &str),
    before: Option<&Value>,
    after: Option<&Value>,
) -> sqlx::Result<()> {
    let entry = AuditRow {
        at: actor.at,
        username: actor.username.clone(),
        action: action.to_owned(),
        entity: what.0.to_owned(),
        entity_key: what.1.to_owned(),
        before_json: before.map(Value::to_string),
        after_json: after.map(Value::to_string),
    };
    const SQL: &str =
        "insert into audit_log (at, username, action, entity, entity_key, before_json, after_json)
         values ($1, $2, $3, $4, $5, $6, $7)";
    with_tx!(tx, conn => sqlx::query(SQL)
        .bind(entry.at).bind(&entry.username).bind(&entry.action).bind(&entry.entity)
        .bind(&entry.entity_key).bind(&entry.before_json).bind(&entry.after_json)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `error` is a unique-constraint violation (a slug or code taken meanwhile).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
