//! Catalogue queries: agreements, products and versions.

use sqlx::FromRow;
use time::Date;

use super::{Db, with_pool};
use crate::catalog::Version;

/// A version joined with its product and agreement: one line of the catalogue.
#[derive(Clone, Debug, FromRow)]
pub struct VersionRow {
    /// The agreement's slug.
    pub agreement_slug: String,
    /// The agreement's name in Traditional Chinese.
    pub agreement_name_zh: String,
    /// The agreement's name in English.
    pub agreement_name_en: String,
    /// The product's slug.
    pub product_slug: String,
    /// The product's name in Traditional Chinese.
    pub product_name_zh: String,
    /// The product's name in English.
    pub product_name_en: String,
    /// The version itself.
    #[sqlx(flatten)]
    pub version: Version,
}

const SELECT_VERSIONS: &str = "
    select a.slug as agreement_slug, a.name_zh as agreement_name_zh,
           a.name_en as agreement_name_en,
           p.slug as product_slug, p.name_zh as product_name_zh, p.name_en as product_name_en,
           v.slug, v.name_zh, v.name_en, v.family, v.seats, v.campus_wide,
           v.term_start, v.term_end, v.kms_activated, v.has_tutorial, v.covers,
           v.edition_upgrade
    from versions v
    join products p on p.id = v.product_id
    join agreements a on a.id = p.agreement_id";

/// Every version in catalogue order: by agreement, product, then version.
pub async fn list_versions(db: &Db) -> sqlx::Result<Vec<VersionRow>> {
    let sql = format!(
        "{SELECT_VERSIONS} order by a.sort_order, a.id, p.sort_order, p.id, v.sort_order, v.id"
    );
    with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The version with this slug, if there is one.
pub async fn find_version(db: &Db, slug: &str) -> sqlx::Result<Option<VersionRow>> {
    let sql = format!("{SELECT_VERSIONS} where v.slug = $1");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await)
}

/// The date the catalogue's figures were compiled, if recorded.
pub async fn as_of(db: &Db) -> sqlx::Result<Option<Date>> {
    let value: Option<String> = with_pool!(db, pool => {
        sqlx::query_scalar("select value from meta where key = 'catalog_as_of'")
            .fetch_optional(pool)
            .await
    })?;
    Ok(value.and_then(|v| {
        Date::parse(
            &v,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    }))
}
