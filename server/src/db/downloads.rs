//! Downloads: one row per token issued, and the daily roll-up.
//!
//! Served downloads are recorded through the group commit (`ingest`), a batch per
//! transaction, like reports: one fsync per download was what limited downloads on
//! SQLite.

use std::collections::BTreeMap;

use serde_json::json;
use sqlx::FromRow;
use time::{Date, OffsetDateTime};

use super::audit::{Action, Entity};
use super::counts::{self, Counts};
use super::edit_audit::{self, Actor};
use super::{Db, chunks, values_list, with_pool, with_tx};

/// A download about to be served.
#[derive(Clone, Debug)]
pub struct NewDownload<'a> {
    /// The token's id.
    pub token_id: &'a str,
    /// The version downloaded.
    pub version_slug: &'a str,
    /// The client's network label.
    pub network: &'a str,
    /// When (UTC, whole seconds).
    pub created_at: OffsetDateTime,
    /// When its token expires.
    pub expires_at: OffsetDateTime,
    /// The day in the institution's time zone.
    pub day: Date,
    /// The pseudonym of the person who signed in to download, when sign-in is required.
    pub person: Option<&'a str>,
}

/// A download to record, owning its values so that it can wait for the group commit.
#[derive(Clone, Debug)]
pub struct Download {
    /// The token's id.
    pub token_id: String,
    /// The version downloaded.
    pub version_slug: String,
    /// The client's network label.
    pub network: String,
    /// When (UTC, whole seconds).
    pub created_at: OffsetDateTime,
    /// When its token expires.
    pub expires_at: OffsetDateTime,
    /// The day in the institution's time zone.
    pub day: Date,
    /// The downloader's pseudonym, when sign-in is required.
    pub person: Option<String>,
}

/// Records a download and counts it, in one transaction.
pub async fn record(db: &Db, download: &NewDownload<'_>) -> sqlx::Result<()> {
    record_batch(db, &[Download::from(download)]).await
}

/// Records `downloads` and counts them, in one transaction.
pub async fn record_batch(db: &Db, downloads: &[Download]) -> sqlx::Result<()> {
    let mut per_day: Counts<'_, 2> = BTreeMap::new();
    for d in downloads {
        *per_day
            .entry((d.day, [d.version_slug.as_str(), d.network.as_str()]))
            .or_default() += 1;
    }
    let mut tx = db.begin().await?;
    for chunk in chunks(downloads) {
        let sql = format!(
            "insert into downloads (token_id, version_slug, network, created_at, expires_at, person)
             values {}",
            values_list(&tx, 6, chunk.len())
        );
        with_tx!(&mut tx, conn => {
            let mut query = sqlx::query(&sql);
            for d in chunk {
                query = query
                    .bind(&d.token_id)
                    .bind(&d.version_slug)
                    .bind(&d.network)
                    .bind(d.created_at)
                    .bind(d.expires_at)
                    .bind(&d.person);
            }
            query.execute(&mut *conn).await?;
        });
    }
    counts::DOWNLOADS.add(&mut tx, &per_day).await?;
    tx.commit().await
}

/// A download whose token reported from more PCs than one download may.
#[derive(Clone, Debug, FromRow)]
pub struct PassedAround {
    /// Its token's id.
    pub token_id: String,
    /// The version downloaded.
    pub version_slug: String,
    /// The network it was downloaded from.
    pub network: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// PCs whose reports were accepted.
    pub machines: i32,
    /// PCs beyond the limit, refused.
    pub refused_machines: i32,
}

/// The downloads passed around (refused at least one PC), newest first, at most `limit`.
pub async fn passed_around(db: &Db, limit: i64) -> sqlx::Result<Vec<PassedAround>> {
    const SQL: &str = "
        select token_id, version_slug, network, created_at, revoked_at, machines, refused_machines
        from downloads where refused_machines > 0
        order by created_at desc limit $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await)
}

/// How many downloads were passed around and are not revoked.
pub async fn passed_around_count(db: &Db) -> sqlx::Result<i64> {
    const SQL: &str =
        "select count(*) from downloads where refused_machines > 0 and revoked_at is null";
    with_pool!(db, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
}

/// Which downloads to revoke.
#[derive(Clone, Debug)]
pub enum Revocation {
    /// The one with this token id.
    One(String),
    /// Every one made from this network (its label, as the dashboard shows it).
    Network(String),
    /// Every one made before this instant.
    IssuedBefore(OffsetDateTime),
}

/// Revokes the downloads `which` picks that are not revoked yet: marks them, lists their
/// tokens in `revoked_tokens`, and audits, in one transaction; answers how many.
pub async fn revoke(db: &Db, which: &Revocation, actor: &Actor) -> sqlx::Result<u64> {
    let (condition, key, details) = match which {
        Revocation::One(id) => ("token_id = $2", id.clone(), json!({ "token": id })),
        Revocation::Network(network) => (
            "network = $2",
            network.clone(),
            json!({ "network": network }),
        ),
        Revocation::IssuedBefore(at) => (
            "created_at < $2",
            at.date().to_string(),
            json!({ "issued_before": at.unix_timestamp() }),
        ),
    };
    let list = format!(
        "insert into revoked_tokens (token_id, revoked_at)
         select token_id, $1 from downloads where revoked_at is null and {condition}
         on conflict (token_id) do nothing"
    );
    let mark =
        format!("update downloads set revoked_at = $1 where revoked_at is null and {condition}");
    let mut tx = db.begin().await?;
    macro_rules! run {
        ($sql:expr) => {
            match which {
                Revocation::One(v) | Revocation::Network(v) => with_tx!(&mut tx, conn => sqlx::query($sql)
                    .bind(actor.at).bind(v).execute(&mut *conn).await.map(|r| r.rows_affected())),
                Revocation::IssuedBefore(at) => with_tx!(&mut tx, conn => sqlx::query($sql)
                    .bind(actor.at).bind(*at).execute(&mut *conn).await.map(|r| r.rows_affected())),
            }
        };
    }
    run!(&list)?;
    let revoked = run!(&mark)?;
    if revoked == 0 {
        return Ok(0);
    }
    let mut after = details;
    after["downloads"] = json!(revoked);
    edit_audit::record(
        &mut tx,
        actor,
        Action::Revoke,
        (Entity::Download, &key),
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// The ids of revoked tokens.
pub async fn revoked_ids(db: &Db) -> sqlx::Result<Vec<String>> {
    super::with_pool!(db, pool => sqlx::query_scalar("select token_id from revoked_tokens").fetch_all(pool).await)
}

impl From<&NewDownload<'_>> for Download {
    fn from(d: &NewDownload<'_>) -> Download {
        Download {
            token_id: d.token_id.to_owned(),
            version_slug: d.version_slug.to_owned(),
            network: d.network.to_owned(),
            created_at: d.created_at,
            expires_at: d.expires_at,
            day: d.day,
            person: d.person.map(str::to_owned),
        }
    }
}

/// Downloads the person `person` (a pseudonym) made since `since`, and the oldest of
/// them.
pub async fn by_person_since(
    db: &Db,
    person: &str,
    since: OffsetDateTime,
) -> sqlx::Result<(i64, Option<OffsetDateTime>)> {
    const COUNT: &str = "select count(*) from downloads where person = $1 and created_at >= $2";
    const OLDEST: &str = "select created_at from downloads where person = $1 and created_at >= $2
                          order by created_at limit 1";
    let n: i64 = with_pool!(db, pool => sqlx::query_scalar(COUNT).bind(person).bind(since).fetch_one(pool).await)?;
    let oldest: Option<OffsetDateTime> = with_pool!(db, pool => sqlx::query_scalar(OLDEST).bind(person).bind(since).fetch_optional(pool).await)?;
    Ok((n, oldest))
}
