//! Staff edits of agreements and products (versions are in `edit_versions.rs`): the rows
//! as the admin pages list them, and create / update / delete, each in one transaction
//! with its audit entry.
//!
//! Deleting is refused while anything depends on the row: the foreign keys cascade, and a
//! staff click must never take a product's versions with it.

use serde_json::{Value, json};
use sqlx::FromRow;

use super::audit::Entity;
use super::edit_audit::{self, Actor, Audited, Outcome};
use super::{Db, Tx, with_pool, with_tx};

/// What staff edit on an agreement.
#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct AgreementFields {
    /// Its slug (unique among agreements).
    pub slug: String,
    /// Its name in Traditional Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// Its place in lists, smallest first.
    pub sort_order: i64,
}

/// An agreement as stored.
#[derive(Clone, Debug, FromRow)]
pub struct AgreementRecord {
    /// Its id.
    pub id: i64,
    /// What staff edit.
    #[sqlx(flatten)]
    pub fields: AgreementFields,
}

/// What staff edit on a product.
#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct ProductFields {
    /// The slug of the agreement it belongs to.
    pub agreement: String,
    /// Its slug (unique among products).
    pub slug: String,
    /// Its name in Traditional Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// Its place within the agreement, smallest first.
    pub sort_order: i64,
}

/// A product as stored.
#[derive(Clone, Debug, FromRow)]
pub struct ProductRecord {
    /// Its id.
    pub id: i64,
    /// What staff edit.
    #[sqlx(flatten)]
    pub fields: ProductFields,
}

impl Audited for AgreementFields {
    const ENTITY: Entity = Entity::Agreement;

    fn key(&self) -> &str {
        &self.slug
    }

    fn to_json(&self) -> Value {
        json!({
            "slug": self.slug, "name_zh": self.name_zh, "name_en": self.name_en,
            "sort_order": self.sort_order,
        })
    }
}

impl Audited for ProductFields {
    const ENTITY: Entity = Entity::Product;

    fn key(&self) -> &str {
        &self.slug
    }

    fn to_json(&self) -> Value {
        json!({
            "agreement": self.agreement, "slug": self.slug, "name_zh": self.name_zh,
            "name_en": self.name_en, "sort_order": self.sort_order,
        })
    }
}

const SELECT_AGREEMENTS: &str = "select id, slug, name_zh, name_en, sort_order from agreements";
const SELECT_PRODUCTS: &str = "
    select p.id, a.slug as agreement, p.slug, p.name_zh, p.name_en, p.sort_order
    from products p join agreements a on a.id = p.agreement_id";

/// Every agreement in catalogue order.
pub async fn list_agreements(db: &Db) -> sqlx::Result<Vec<AgreementRecord>> {
    let sql = format!("{SELECT_AGREEMENTS} order by sort_order, id");
    with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// Every product in catalogue order (by agreement, then its own order).
pub async fn list_products(db: &Db) -> sqlx::Result<Vec<ProductRecord>> {
    let sql = format!("{SELECT_PRODUCTS} order by a.sort_order, a.id, p.sort_order, p.id");
    with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The agreement with this slug.
pub async fn find_agreement(db: &Db, slug: &str) -> sqlx::Result<Option<AgreementRecord>> {
    let sql = format!("{SELECT_AGREEMENTS} where slug = $1");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await)
}

/// The product with this slug.
pub async fn find_product(db: &Db, slug: &str) -> sqlx::Result<Option<ProductRecord>> {
    let sql = format!("{SELECT_PRODUCTS} where p.slug = $1");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await)
}

/// Creates an agreement.
pub async fn create_agreement(
    db: &Db,
    fields: &AgreementFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str =
        "insert into agreements (slug, name_zh, name_en, sort_order) values ($1, $2, $3, $4)";
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(&fields.slug).bind(&fields.name_zh).bind(&fields.name_en).bind(fields.sort_order)
        .execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::created(tx, inserted, actor, fields).await
}

/// Changes the agreement now called `slug`.
pub async fn update_agreement(
    db: &Db,
    slug: &str,
    fields: &AgreementFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "update agreements set slug = $2, name_zh = $3, name_en = $4, sort_order = $5 where id = $1";
    let mut tx = db.begin().await?;
    let Some(before) = agreement_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    let updated = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(before.id).bind(&fields.slug).bind(&fields.name_zh).bind(&fields.name_en)
        .bind(fields.sort_order).execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::updated(tx, updated, actor, &before.fields, fields).await
}

/// Deletes the agreement `slug`, unless it still has products.
pub async fn delete_agreement(db: &Db, slug: &str, actor: &Actor) -> sqlx::Result<Outcome> {
    const COUNT: &str = "select count(*) from products where agreement_id = $1";
    const SQL: &str = "delete from agreements where id = $1
                       and not exists (select 1 from products where agreement_id = $1)";
    let mut tx = db.begin().await?;
    let Some(before) = agreement_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    let n_products: i64 = with_tx!(&mut tx, conn => sqlx::query_scalar(COUNT)
        .bind(before.id).fetch_one(&mut *conn).await)?;
    let deleted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(before.id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n_products > 0 || deleted == 0 {
        return Ok(Outcome::InUse(n_products.max(1)));
    }
    edit_audit::deleted(tx, actor, &before.fields).await
}

/// Creates a product in the agreement `fields.agreement`.
pub async fn create_product(
    db: &Db,
    fields: &ProductFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "insert into products (agreement_id, slug, name_zh, name_en, sort_order)
                       values ($1, $2, $3, $4, $5)";
    let mut tx = db.begin().await?;
    let Some(parent) = agreement_in(&mut tx, &fields.agreement).await? else {
        return Ok(Outcome::NoParent);
    };
    let inserted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(parent.id).bind(&fields.slug).bind(&fields.name_zh).bind(&fields.name_en)
        .bind(fields.sort_order).execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::created(tx, inserted, actor, fields).await
}

/// Changes the product now called `slug` (and may move it to another agreement).
pub async fn update_product(
    db: &Db,
    slug: &str,
    fields: &ProductFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "update products set agreement_id = $2, slug = $3, name_zh = $4,
                       name_en = $5, sort_order = $6 where id = $1";
    let mut tx = db.begin().await?;
    let Some(before) = product_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    let Some(parent) = agreement_in(&mut tx, &fields.agreement).await? else {
        return Ok(Outcome::NoParent);
    };
    let updated = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(before.id).bind(parent.id).bind(&fields.slug).bind(&fields.name_zh)
        .bind(&fields.name_en).bind(fields.sort_order).execute(&mut *conn).await.map(|r| r.rows_affected()));
    edit_audit::updated(tx, updated, actor, &before.fields, fields).await
}

/// Deletes the product `slug`, unless it still has versions.
pub async fn delete_product(db: &Db, slug: &str, actor: &Actor) -> sqlx::Result<Outcome> {
    const COUNT: &str = "select count(*) from versions where product_id = $1";
    const SQL: &str = "delete from products where id = $1
                       and not exists (select 1 from versions where product_id = $1)";
    let mut tx = db.begin().await?;
    let Some(before) = product_in(&mut tx, slug).await? else {
        return Ok(Outcome::NotFound);
    };
    let n_versions: i64 = with_tx!(&mut tx, conn => sqlx::query_scalar(COUNT)
        .bind(before.id).fetch_one(&mut *conn).await)?;
    let deleted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(before.id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if n_versions > 0 || deleted == 0 {
        return Ok(Outcome::InUse(n_versions.max(1)));
    }
    edit_audit::deleted(tx, actor, &before.fields).await
}

/// The agreement `slug`, read inside `tx`.
pub(super) async fn agreement_in(tx: &mut Tx, slug: &str) -> sqlx::Result<Option<AgreementRecord>> {
    let sql = format!("{SELECT_AGREEMENTS} where slug = $1");
    with_tx!(tx, conn => sqlx::query_as(&sql).bind(slug).fetch_optional(&mut *conn).await)
}

/// The product `slug`, read inside `tx`.
pub(super) async fn product_in(tx: &mut Tx, slug: &str) -> sqlx::Result<Option<ProductRecord>> {
    let sql = format!("{SELECT_PRODUCTS} where p.slug = $1");
    with_tx!(tx, conn => sqlx::query_as(&sql).bind(slug).fetch_optional(&mut *conn).await)
}
