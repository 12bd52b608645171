//! Loads the default content into an empty database, once.
//!
//! The `meta` row `seeded_at` is inserted first in the same transaction: when two portal
//! instances start together on one PostgreSQL, the second blocks on that row and then
//! finds it taken, so the content is loaded exactly once and staff edits are never
//! overwritten by a restart.

use time::OffsetDateTime;

use super::{Db, with_tx};
use crate::calendar::format_iso_date;
use crate::content::DefaultContent;

/// Loads `content` unless this database was seeded before; answers whether it did.
pub async fn seed_defaults(db: &Db, content: &DefaultContent) -> sqlx::Result<bool> {
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    let claimed = with_tx!(&mut tx, conn => {
        sqlx::query("insert into meta (key, value) values ('seeded_at', $1) on conflict (key) do nothing")
            .bind(now.unix_timestamp().to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    if claimed == 0 {
        return Ok(false);
    }
    with_tx!(&mut tx, conn => {
        sqlx::query("insert into meta (key, value) values ('catalog_as_of', $1)")
            .bind(format_iso_date(content.catalog_as_of))
            .execute(&mut *conn)
            .await?;
        for (a_order, agreement) in (0_i64..).zip(&content.agreements) {
            let agreement_id: i64 = sqlx::query_scalar(
                "insert into agreements (slug, name_zh, name_en, sort_order)
                 values ($1, $2, $3, $4) returning id",
            )
            .bind(&agreement.slug)
            .bind(&agreement.name_zh)
            .bind(&agreement.name_en)
            .bind(a_order)
            .fetch_one(&mut *conn)
            .await?;
            for (p_order, product) in (0_i64..).zip(&agreement.products) {
                let product_id: i64 = sqlx::query_scalar(
                    "insert into products (agreement_id, slug, name_zh, name_en, sort_order)
                     values ($1, $2, $3, $4, $5) returning id",
                )
                .bind(agreement_id)
                .bind(&product.slug)
                .bind(&product.name_zh)
                .bind(&product.name_en)
                .bind(p_order)
                .fetch_one(&mut *conn)
                .await?;
                for (v_order, v) in (0_i64..).zip(&product.versions) {
                    sqlx::query(
                        "insert into versions (product_id, slug, name_zh, name_en, family, seats,
                             campus_wide, term_start, term_end, kms_activated, has_tutorial,
                             covers, edition_upgrade, sort_order)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                    )
                    .bind(product_id)
                    .bind(&v.slug)
                    .bind(&v.name_zh)
                    .bind(&v.name_en)
                    .bind(v.family.as_str())
                    .bind(v.seats)
                    .bind(v.campus_wide)
                    .bind(v.term_start)
                    .bind(v.term_end)
                    .bind(v.kms_activated)
                    .bind(v.has_tutorial)
                    .bind(v.covers.to_stored())
                    .bind(v.edition_upgrade)
                    .bind(v_order)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
        for tutorial in &content.tutorials {
            sqlx::query(
                "insert into tutorials (slug, lang, title, body_md, updated_at)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(tutorial.slug)
            .bind(tutorial.lang.tag())
            .bind(&tutorial.title)
            .bind(&tutorial.body_md)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        for (order, error) in (0_i64..).zip(&content.error_codes) {
            sqlx::query(
                "insert into error_codes (code, category, applies_windows, applies_office, sort_order)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(&error.code)
            .bind(error.category.as_str())
            .bind(error.applies_to.iter().any(|a| a == "windows"))
            .bind(error.applies_to.iter().any(|a| a == "office"))
            .bind(order)
            .execute(&mut *conn)
            .await?;
            for (lang, text) in [("zh-TW", &error.zh), ("en", &error.en)] {
                sqlx::query(
                    "insert into error_code_texts (code, lang, title, message, cause_md, remedy_md)
                     values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&error.code)
                .bind(lang)
                .bind(&text.title)
                .bind(&text.message)
                .bind(&text.cause)
                .bind(&text.remedy)
                .execute(&mut *conn)
                .await?;
            }
        }
    });
    tx.commit().await?;
    Ok(true)
}
