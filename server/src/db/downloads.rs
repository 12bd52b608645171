//! Downloads: one row per token issued, and the daily roll-up.
//!
//! Served downloads are recorded through the group commit (`ingest`), a batch per
//! transaction, like reports: one fsync per download was what limited downloads on
//! SQLite.

use std::collections::BTreeMap;

use time::{Date, OffsetDateTime};

use super::counts::{self, Counts};
use super::{Db, chunks, values_list, with_tx};

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
            "insert into downloads (token_id, version_slug, network, created_at, expires_at)
             values {}",
            values_list(&tx, 5, chunk.len())
        );
        with_tx!(&mut tx, conn => {
            let mut query = sqlx::query(&sql);
            for d in chunk {
                query = query
                    .bind(&d.token_id)
                    .bind(&d.version_slug)
                    .bind(&d.network)
                    .bind(d.created_at)
                    .bind(d.expires_at);
            }
            query.execute(&mut *conn).await?;
        });
    }
    counts::DOWNLOADS.add(&mut tx, &per_day).await?;
    tx.commit().await
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
        }
    }
}
