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

/// Ends an edit made in `tx`: its audit entry ([`record`]'s arguments), then the commit.
/// Every editor's change ends here, so none commits without its entry.
pub async fn commit(
    mut tx: Tx,
    actor: &Actor,
    action: Action,
    what: (Entity, &str),
    before: Option<&Value>,
    after: Option<&Value>,
) -> sqlx::Result<Outcome> {
    record(&mut tx, actor, action, what, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// A row staff edit, as its audit entry names and shows it.
pub trait Audited {
    /// What kind of thing it is.
    const ENTITY: Entity;
    /// Which one: its slug or code.
    fn key(&self) -> &str;
    /// The audit log's picture of it.
    fn to_json(&self) -> Value;
}

/// Ends the edit that inserted `new` in `tx`: `written` is the insert's result (a unique
/// violation is [`Outcome::Taken`], and nothing is kept).
pub async fn created<F: Audited>(
    tx: Tx,
    written: sqlx::Result<u64>,
    actor: &Actor,
    new: &F,
) -> sqlx::Result<Outcome> {
    if let Err(error) = written {
        return taken_or(error);
    }
    let after = new.to_json();
    commit(
        tx,
        actor,
        Action::Create,
        (F::ENTITY, new.key()),
        None,
        Some(&after),
    )
    .await
}

/// Ends the edit that changed `old` into `new` in `tx`, as [`created`] does.
pub async fn updated<F: Audited>(
    tx: Tx,
    written: sqlx::Result<u64>,
    actor: &Actor,
    old: &F,
    new: &F,
) -> sqlx::Result<Outcome> {
    if let Err(error) = written {
        return taken_or(error);
    }
    let (before, after) = (old.to_json(), new.to_json());
    commit(
        tx,
        actor,
        Action::Update,
        (F::ENTITY, new.key()),
        Some(&before),
        Some(&after),
    )
    .await
}

/// Ends the edit that deleted `old` in `tx`.
pub async fn deleted<F: Audited>(tx: Tx, actor: &Actor, old: &F) -> sqlx::Result<Outcome> {
    let before = old.to_json();
    commit(
        tx,
        actor,
        Action::Delete,
        (F::ENTITY, old.key()),
        Some(&before),
        None,
    )
    .await
}

/// A unique violation becomes [`Outcome::Taken`]; anything else stays an error.
pub fn taken_or(error: sqlx::Error) -> sqlx::Result<Outcome> {
    if is_unique_violation(&error) {
        Ok(Outcome::Taken)
    } else {
        Err(error)
    }
}

/// Whether `error` is a unique-constraint violation (a slug or code taken meanwhile).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
