//! Staff edits of catalogue versions: the rows as the admin pages list them, what depends
//! on a version's slug, and create / update / delete with their audit entries.

use serde_json::{Value, json};
use sqlx::FromRow;

use super::audit::Entity;
use super::edit_audit::{self, Actor, Audited, Outcome};
use super::edit_catalogue::product_in;
use super::{Db, Tx, with_pool, with_tx};
use crate::calendar::format_iso_date;
use crate::catalog::Version;

/// What staff edit on a version.
#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct VersionFields {
    /// The slug of the product it belongs to.
    pub product: String,
    /// The version itself (its slug is unique among versions; downloads and reports
    /// carry it).
    #[sqlx(flatten)]
    pub version: Version,
    /// Its place within the product, smallest first.
    pub sort_order: i64,
}

/// A version as stored.
#[derive(Clone, Debug, FromRow)]
pub struct VersionRecord {
    /// Its id.
    pub id: i64,
    /// What staff edit.
    #[sqlx(flatten)]
    pub fields: VersionFields,
}

/// What refers to a version by its slug, outside the catalogue.
#[derive(Clone, Copy, Debug, Default, FromRow, PartialEq, Eq)]
pub struct Usage {
    /// Activator downloads issued for it (their tokens are bound to the slug).
    pub n_downloads: i64,
    /// Activation reports about it.
    pub n_reports: i64,
}

impl Audited for VersionFields {
    const ENTITY: Entity = Entity::Version;

    fn key(&self) -> &str {
        &self.version.slug
    }

    fn to_json(&self) -> Value {
        json!({
            "product": self.product, "slug": self.version.slug,
            "name_zh": self.version.name_zh, "name_en": self.version.name_en, "family": self.version.family.as_str(),
            "seats": self.version.seats, "campus_wide": self.version.campus_wide,
            "term_start": self.version.term_start.map(format_iso_date),
            "term_end": self.version.term_end.map(format_iso_date),
            "kms_activated": self.version.kms_activated, "has_tutorial": self.version.has_tutorial,
            "covers": self.version.covers.ids().collect::<Vec<_>>(),
            "edition_upgrade": self.version.edition_upgrade, "sort_order": self.sort_order,
        })
    }
}

impl Usage {
    /// Whether anything refers to the slug.
    pub fn is_used(self) -> bool {
        self.n_downloads > 0 || self.n_reports > 0
    }
}

const SELECT_VERSIONS: &str = "
    select v.id, p.slug as product, v.slug, v.name_zh, v.name_en, v.family, v.seats,
           v.campus_wide, v.term_start, v.term_end, v.kms_activated, v.has_tutorial,
           v.covers, v.edition_upgrade, v.sort_order
    from versions v join products p on p.id = v.product_id";

/// Every version in catalogue order.
pub async fn list_versions(db: &Db) -> sqlx::Result<Vec<VersionRecord>> {
    let sql = format!(
        "{SELECT_VERSIONS} join agreements a on a.id = p.agreement_id
         order by a.sort_order, a.id, p.sort_order, p.id, v.sort_order, v.id"
    );
    with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The version with this slug.
pub async fn find_version(db: &Db, slug: &str) -> sqlx::Result<Option<VersionRecord>> {
    let sql = format!("{SELECT_VERSIONS} where v.slug = $1");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await)
}

/// What refers to the version slug `slug` (from the monthly roll-ups, so it costs no scan
/// of the raw downloads or reports).
pub async fn usage(db: &Db, slug: &str) -> sqlx::Result<Usage> {
    const SQL: &str = "
        select cast(coalesce((select sum(n_downloads) from monthly_downloads where product = $1), 0)
                    as bigint) as n_downloads,
               cast(coalesce((select sum(n_reports) from monthly_outcomes where product = $1), 0)
                    as bigint) as n_reports";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(slug).fetch_one(pool).await)
}

/// Creates a version in the product `fields.product`.
pub async fn create_version(
    db: &Db,
    fields: &VersionFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "
        insert into versions (product_id, slug, name_zh, name_en, family, seats, campus_wide,
            term_start, term_end, kms_activated, has_tutorial, covers, edition_upgrade,
            sort_order)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    let mut tx = db.begin().await?;
    let Some(parent) = product_in(&mut tx, &fields.product).await? else {
        return Ok(Outcome::NoParent);
    };
    let f = fields;
    let inserted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(parent.id).bind(&f.version.slug).bind(&f.version.name_zh).bind(&f.version.name_en).bind(f.version.family.as_str())
        .bind(f.version.seats).bind(f.version.campus_wide).bind(f.version.term_start).bind(f.version.term_end)
        .bind(f.version.kms_activated).bind(f.version.has_tutorial).bind(f.version.covers.to_stored())
        .bind(f.version.edition_upgrade).bind(f.sort_order)
        .execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::created(tx, inserted, actor, fields).await
}

/// Changes the version now called `slug` (and may move it to another product).
pub async fn update_version(
    db: &Db,
    slug: &str,
    fields: &VersionFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "
        update versions set product_id = $2, slug = $3, name_zh = $4, name_en = $5,
            family = $6, seats = $7, campus_wide = $8, term_start = $9, term_end = $10,
            kms_activated = $11, has_tutorial = $12, covers = $13, edition_upgrade = $14,
            sort_order = $15
        where id = $1";
    let mut tx = db.begin().await?;
    let Some(before) = version_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    let Some(parent) = product_in(&mut tx, &fields.product).await? else {
        return Ok(Outcome::NoParent);
    };
    let f = fields;
    let updated = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(before.id).bind(parent.id).bind(&f.version.slug).bind(&f.version.name_zh).bind(&f.version.name_en)
        .bind(f.version.family.as_str()).bind(f.version.seats).bind(f.version.campus_wide).bind(f.version.term_start).bind(f.version.term_end)
        .bind(f.version.kms_activated).bind(f.version.has_tutorial).bind(f.version.covers.to_stored())
        .bind(f.version.edition_upgrade).bind(f.sort_order)
        .execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::updated(tx, updated, actor, &before.fields, fields).await
}

/// Deletes the version `slug`. The caller checks [`usage`] first: downloads and reports
/// name versions by slug, not by a foreign key.
pub async fn delete_version(db: &Db, slug: &str, actor: &Actor) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    let Some(before) = version_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    with_tx!(&mut tx, conn => sqlx::query("delete from versions where id = $1")
        .bind(before.id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    edit_audit::deleted(tx, actor, &before.fields).await
}

async fn version_in(tx: &mut Tx, slug: &str) -> sqlx::Result<Option<VersionRecord>> {
    let sql = format!("{SELECT_VERSIONS} where v.slug = $1");
    with_tx!(tx, conn => sqlx::query_as(&sql).bind(slug).fetch_optional(&mut *conn).await)
}
