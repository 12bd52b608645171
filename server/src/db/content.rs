//! Tutorial and error-code queries.

use sqlx::FromRow;

use super::{Db, with_pool};
use crate::error_codes::ErrorCategory;
use crate::lang::Lang;

/// A tutorial in one language.
#[derive(Clone, Debug, FromRow)]
pub struct TutorialRow {
    /// `windows` or `office`.
    pub slug: String,
    /// The page title.
    pub title: String,
    /// The body in Markdown, with placeholders.
    pub body_md: String,
}

/// An error code with its texts in one language.
#[derive(Clone, Debug, FromRow)]
pub struct ErrorCodeRow {
    /// Canonical code, e.g. `0xC004F074`.
    pub code: String,
    /// Area of the problem.
    #[sqlx(try_from = "String")]
    pub category: ErrorCategory,
    /// Windows can show this code.
    pub applies_windows: bool,
    /// Office can show this code.
    pub applies_office: bool,
    /// The plain meaning in one line.
    pub title: String,
    /// What Windows or Office prints.
    pub message: String,
    /// Why it happens (Markdown).
    pub cause_md: String,
    /// What to do (Markdown).
    pub remedy_md: String,
}

/// Every tutorial in `lang`, Windows first.
pub async fn list_tutorials(db: &Db, lang: Lang) -> sqlx::Result<Vec<TutorialRow>> {
    const SQL: &str = "select slug, title, body_md from tutorials where lang = $1
                       order by case slug when 'windows' then 0 else 1 end";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(lang.tag()).fetch_all(pool).await)
}

/// The tutorial `slug` in `lang`.
pub async fn find_tutorial(db: &Db, slug: &str, lang: Lang) -> sqlx::Result<Option<TutorialRow>> {
    const SQL: &str = "select slug, title, body_md from tutorials where slug = $1 and lang = $2";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(slug).bind(lang.tag()).fetch_optional(pool).await)
}

const SELECT_ERROR_CODES: &str = "
    select e.code, e.category, e.applies_windows, e.applies_office,
           t.title, t.message, t.cause_md, t.remedy_md
    from error_codes e
    join error_code_texts t on t.code = e.code and t.lang = $1";

/// Every error code with its texts in `lang`, in the curated order.
pub async fn list_error_codes(db: &Db, lang: Lang) -> sqlx::Result<Vec<ErrorCodeRow>> {
    let sql = format!("{SELECT_ERROR_CODES} order by e.sort_order, e.code");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(lang.tag()).fetch_all(pool).await)
}

/// The error code `code` (canonical form) with its texts in `lang`.
pub async fn find_error_code(
    db: &Db,
    code: &str,
    lang: Lang,
) -> sqlx::Result<Option<ErrorCodeRow>> {
    let sql = format!("{SELECT_ERROR_CODES} where e.code = $2");
    with_pool!(db, pool => sqlx::query_as(&sql).bind(lang.tag()).bind(code).fetch_optional(pool).await)
}
