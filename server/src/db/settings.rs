//! The institution settings staff have edited: one row per overridden configuration key.

use serde_json::Value;

use super::audit::{Action, Entity};
use super::edit_audit::{self, Actor};
use super::{Db, with_pool, with_tx};

/// Every stored `(key, value)` pair.
pub async fn load(db: &Db) -> sqlx::Result<Vec<(String, String)>> {
    const SQL: &str = "select key, value from settings order by key";
    with_pool!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await)
}

/// Stores `overrides` as the only edited keys (every other row is removed, so those keys
/// follow the configuration again), with one audit entry from `before` to `after`.
pub async fn save(
    db: &Db,
    overrides: &[(&str, String)],
    before: &Value,
    after: &Value,
    actor: &Actor,
) -> sqlx::Result<()> {
    const CLEAR: &str = "delete from settings";
    const INSERT: &str = "insert into settings (key, value, updated_at, updated_by)
                          values ($1, $2, $3, $4)";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, conn => sqlx::query(CLEAR).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    for (key, value) in overrides {
        with_tx!(&mut tx, conn => sqlx::query(INSERT)
            .bind(key).bind(value).bind(actor.at).bind(&actor.username)
            .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    }
    let action = if overrides.is_empty() {
        Action::Reset
    } else {
        Action::Update
    };
    edit_audit::record(
        &mut tx,
        actor,
        action,
        (Entity::Settings, "institution"),
        Some(before),
        Some(after),
    )
    .await?;
    tx.commit().await
}
