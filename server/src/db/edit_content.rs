//! Staff edits of tutorials and error-code texts, each in one transaction with its audit
//! entry.

use serde_json::{Value, json};
use sqlx::FromRow;

use super::audit::{Action, Entity};
use super::edit_audit::{self, Actor, Audited, Outcome};
use super::{Db, Tx, with_tx};
use crate::error_codes::ErrorCategory;
use crate::lang::Lang;

/// What staff edit on a tutorial in one language.
#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct TutorialFields {
    /// The page title.
    pub title: String,
    /// The body in Markdown, with placeholders.
    pub body_md: String,
}

/// An error code's texts in one language.
#[derive(Clone, Debug, Default, FromRow, PartialEq, Eq)]
pub struct ErrorTexts {
    /// The plain meaning in one line.
    pub title: String,
    /// What Windows or Office prints.
    pub message: String,
    /// Why it happens (Markdown).
    pub cause_md: String,
    /// What to do (Markdown).
    pub remedy_md: String,
}

/// What staff edit on an error code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorCodeFields {
    /// Canonical code, e.g. `0xC004F074` (fixed once created).
    pub code: String,
    /// What area the problem is in.
    pub category: ErrorCategory,
    /// Windows can show this code.
    pub applies_windows: bool,
    /// Office can show this code.
    pub applies_office: bool,
    /// The texts in Traditional Chinese.
    pub zh: ErrorTexts,
    /// The texts in English.
    pub en: ErrorTexts,
}

#[derive(FromRow)]
struct CodeRow {
    code: String,
    #[sqlx(try_from = "String")]
    category: ErrorCategory,
    applies_windows: bool,
    applies_office: bool,
}

#[derive(FromRow)]
struct TextsRow {
    lang: String,
    #[sqlx(flatten)]
    texts: ErrorTexts,
}

impl TutorialFields {
    /// The audit log's picture of it.
    pub fn to_json(&self) -> Value {
        json!({ "title": self.title, "body_md": self.body_md })
    }
}

impl ErrorTexts {
    fn to_json(&self) -> Value {
        json!({
            "title": self.title, "message": self.message,
            "cause_md": self.cause_md, "remedy_md": self.remedy_md,
        })
    }
}

impl ErrorCodeFields {
    /// The texts in `lang`.
    pub fn texts(&self, lang: Lang) -> &ErrorTexts {
        match lang {
            Lang::ZhTw => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl Audited for ErrorCodeFields {
    const ENTITY: Entity = Entity::ErrorCode;

    fn key(&self) -> &str {
        &self.code
    }

    /// One flat object, so the log compares field by field.
    fn to_json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("category".to_owned(), json!(self.category.as_str()));
        object.insert("applies_windows".to_owned(), json!(self.applies_windows));
        object.insert("applies_office".to_owned(), json!(self.applies_office));
        for lang in Lang::ALL {
            if let Value::Object(texts) = self.texts(lang).to_json() {
                for (name, value) in texts {
                    object.insert(format!("{}.{name}", lang.tag()), value);
                }
            }
        }
        Value::Object(object)
    }
}

/// Saves the tutorial `slug` in `lang`.
pub async fn update_tutorial(
    db: &Db,
    slug: &str,
    lang: Lang,
    fields: &TutorialFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const BEFORE: &str = "select title, body_md from tutorials where slug = $1 and lang = $2";
    const SQL: &str = "update tutorials set title = $3, body_md = $4, updated_at = $5
                       where slug = $1 and lang = $2";
    let mut tx = db.begin().await?;
    let before: Option<TutorialFields> = with_tx!(&mut tx, conn => sqlx::query_as(BEFORE)
        .bind(slug).bind(lang.tag()).fetch_optional(&mut *conn).await)?;
    let Some(before) = before else {
        return Ok(Outcome::NotFound);
    };
    with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(slug).bind(lang.tag()).bind(&fields.title).bind(&fields.body_md).bind(actor.at)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    let key = format!("{slug}/{}", lang.tag());
    let (old, new) = (before.to_json(), fields.to_json());
    edit_audit::commit(
        tx,
        actor,
        Action::Update,
        (Entity::Tutorial, &key),
        Some(&old),
        Some(&new),
    )
    .await
}

/// The error code `code` with its texts in both languages.
pub async fn find_error_code(db: &Db, code: &str) -> sqlx::Result<Option<ErrorCodeFields>> {
    // A read-only transaction, so that edits can share the query with their own.
    let mut tx = db.begin().await?;
    error_code_in(&mut tx, code).await
}

/// Adds an error code with its texts, after every code there is.
pub async fn create_error_code(
    db: &Db,
    fields: &ErrorCodeFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "
        insert into error_codes (code, category, applies_windows, applies_office, sort_order)
        values ($1, $2, $3, $4, (select coalesce(max(sort_order), 0) + 1 from error_codes))";
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(&fields.code).bind(fields.category.as_str()).bind(fields.applies_windows)
        .bind(fields.applies_office).execute(&mut *conn).await.map(|r| r.rows_affected()));
    if inserted.is_ok() {
        write_texts(&mut tx, fields).await?;
    }
    edit_audit::created(tx, inserted, actor, fields).await
}

/// Changes the error code `fields.code` and its texts.
pub async fn update_error_code(
    db: &Db,
    fields: &ErrorCodeFields,
    actor: &Actor,
) -> sqlx::Result<Outcome> {
    const SQL: &str = "update error_codes set category = $2, applies_windows = $3,
                       applies_office = $4 where code = $1";
    let mut tx = db.begin().await?;
    let Some(before) = error_code_in(&mut tx, &fields.code).await? else {
        return Ok(Outcome::NotFound);
    };
    with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(&fields.code).bind(fields.category.as_str()).bind(fields.applies_windows)
        .bind(fields.applies_office).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    write_texts(&mut tx, fields).await?;
    let (old, new) = (before.to_json(), fields.to_json());
    let what = (Entity::ErrorCode, fields.code.as_str());
    edit_audit::commit(tx, actor, Action::Update, what, Some(&old), Some(&new)).await
}

async fn error_code_in(tx: &mut Tx, code: &str) -> sqlx::Result<Option<ErrorCodeFields>> {
    const CODE: &str = "select code, category, applies_windows, applies_office
                        from error_codes where code = $1";
    const TEXTS: &str = "select lang, title, message, cause_md, remedy_md
                         from error_code_texts where code = $1";
    let row: Option<CodeRow> =
        with_tx!(tx, conn => sqlx::query_as(CODE).bind(code).fetch_optional(&mut *conn).await)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let texts: Vec<TextsRow> =
        with_tx!(tx, conn => sqlx::query_as(TEXTS).bind(code).fetch_all(&mut *conn).await)?;
    let pick = |lang: Lang| {
        texts
            .iter()
            .find(|t| t.lang == lang.tag())
            .map(|t| t.texts.clone())
            .unwrap_or_default()
    };
    Ok(Some(ErrorCodeFields {
        code: row.code,
        category: row.category,
        applies_windows: row.applies_windows,
        applies_office: row.applies_office,
        zh: pick(Lang::ZhTw),
        en: pick(Lang::En),
    }))
}

async fn write_texts(tx: &mut Tx, fields: &ErrorCodeFields) -> sqlx::Result<()> {
    const SQL: &str = "
        insert into error_code_texts (code, lang, title, message, cause_md, remedy_md)
        values ($1, $2, $3, $4, $5, $6)
        on conflict (code, lang) do update set title = excluded.title,
            message = excluded.message, cause_md = excluded.cause_md,
            remedy_md = excluded.remedy_md";
    for lang in Lang::ALL {
        let t = fields.texts(lang);
        with_tx!(tx, conn => sqlx::query(SQL)
            .bind(&fields.code).bind(lang.tag()).bind(&t.title).bind(&t.message)
            .bind(&t.cause_md).bind(&t.remedy_md).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}
