//! Deployment tokens: one per named unit that IT deploys the activator to, created and
//! revoked by staff, each change with its audit entry in the same transaction.

use serde_json::json;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::audit::{Action, Entity};
use super::edit_audit::{self, Actor, Outcome};
use super::{Db, with_pool, with_tx};

/// A deployment, with what its PCs reported lately.
#[derive(Clone, Debug, FromRow)]
pub struct DeploymentRow {
    /// Its token's id.
    pub token_id: String,
    /// The unit's name, as staff wrote it.
    pub unit: String,
    /// The catalogue version its zip activates.
    pub version_slug: String,
    /// When it was created, and by whom.
    pub created_at: OffsetDateTime,
    /// The staff member who created it.
    pub created_by: String,
    /// When its token stops authenticating reports.
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// PCs that reported with its token since the `since` asked for.
    pub machines: i64,
    /// Its latest report since then.
    pub last_report_at: Option<OffsetDateTime>,
}

/// A deployment about to be created.
#[derive(Clone, Debug)]
pub struct NewDeployment<'a> {
    /// Its token's id.
    pub token_id: &'a str,
    /// The unit's name.
    pub unit: &'a str,
    /// The catalogue version.
    pub version_slug: &'a str,
    /// When its token expires.
    pub expires_at: OffsetDateTime,
}

/// Every deployment, newest first, with the PCs that reported with it since `since`
/// (only reports from then on are read, through their time index).
pub async fn list(db: &Db, since: OffsetDateTime) -> sqlx::Result<Vec<DeploymentRow>> {
    let sql = format!("{SELECT} order by d.created_at desc, d.unit");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(since).fetch_all(pool).await)
}

/// The deployment with this token id, with the PCs that reported since `since`.
pub async fn find(
    db: &Db,
    token_id: &str,
    since: OffsetDateTime,
) -> sqlx::Result<Option<DeploymentRow>> {
    let sql = format!("{SELECT} where d.token_id = $2");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(since).bind(token_id).fetch_optional(pool).await)
}

/// Deployments joined with their reports received since `$1`.
const SELECT: &str = "
    select d.token_id, d.unit, d.version_slug, d.created_at, d.created_by, d.expires_at,
           d.revoked_at, d.revoked_by,
           coalesce(r.machines, 0) as machines, r.last_report_at
    from deployments d
    left join (
        select token_id, count(distinct machine_id) as machines,
               max(received_at) as last_report_at
        from reports
        where received_at >= $1
          and token_id in (select token_id from deployments)
        group by token_id
    ) r on r.token_id = d.token_id";

/// The ids of every deployment's token.
pub async fn ids(db: &Db) -> sqlx::Result<Vec<String>> {
    with_pool!(db, pool => sqlx::query_scalar("select token_id from deployments").fetch_all(pool).await)
}

/// Creates `new`, with its audit entry.
pub async fn create(db: &Db, new: &NewDeployment<'_>, actor: &Actor) -> sqlx::Result<()> {
    const SQL: &str = "
        insert into deployments (token_id, unit, version_slug, created_at, created_by, expires_at)
        values ($1, $2, $3, $4, $5, $6)";
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(new.token_id).bind(new.unit).bind(new.version_slug).bind(actor.at)
        .bind(&actor.username).bind(new.expires_at)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    let after = json!({
        "unit": new.unit,
        "version": new.version_slug,
        "expires_at": new.expires_at.unix_timestamp(),
    });
    edit_audit::record(
        &mut tx,
        actor,
        Action::Create,
        (Entity::Deployment, new.token_id),
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await
}

/// Revokes the deployment `token_id`: marks it, lists its token as revoked, and audits;
/// `NotFound` when there is none or it was revoked already.
pub async fn revoke(db: &Db, token_id: &str, actor: &Actor) -> sqlx::Result<Outcome> {
    const MARK: &str = "update deployments set revoked_at = $1, revoked_by = $2
                        where token_id = $3 and revoked_at is null";
    const REVOKE: &str = "insert into revoked_tokens (token_id, revoked_at) values ($1, $2)";
    let mut tx = db.begin().await?;
    let marked = with_tx!(&mut tx, conn => sqlx::query(MARK)
        .bind(actor.at).bind(&actor.username).bind(token_id)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if marked == 0 {
        return Ok(Outcome::NotFound);
    }
    with_tx!(&mut tx, conn => sqlx::query(REVOKE)
        .bind(token_id).bind(actor.at)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    edit_audit::commit(
        tx,
        actor,
        Action::Revoke,
        (Entity::Deployment, token_id),
        None,
        None,
    )
    .await
}
