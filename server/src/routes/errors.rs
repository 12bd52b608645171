//! Activation error codes: the list, one page per code, and a helpful 404 for codes we
//! do not know. `/errors/c004f074` and `/errors/0xC004F074` are the same page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::content::normalise_error_code;
use crate::db;
use crate::db::content::ErrorCodeRow;
use crate::error::Result;
use crate::extract::{Query, text_param};
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::markdown;
use crate::state::AppState;

/// The query string of the list: an optional code to look up.
#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

/// The list of error codes, with a lookup form.
#[derive(Template, WebTemplate)]
#[template(path = "errors.html")]
pub struct ErrorsPage {
    layout: Layout,
    codes: Vec<CodeLink>,
}

/// One error code's page.
#[derive(Template, WebTemplate)]
#[template(path = "error_code.html")]
pub struct ErrorCodePage {
    layout: Layout,
    code: String,
    title: String,
    message: String,
    category: &'static str,
    applies_to: String,
    cause_html: String,
    remedy_html: String,
    tutorials: Vec<(String, &'static str)>,
}

/// The page for a code we have no explanation for (status 404).
#[derive(Template, WebTemplate)]
#[template(path = "error_code_unknown.html")]
pub struct UnknownCodePage {
    layout: Layout,
    asked: String,
    codes: Vec<CodeLink>,
}

/// A code in a list.
#[derive(Debug)]
pub struct CodeLink {
    code: String,
    title: String,
    applies_to: String,
}

/// `GET /errors`, and `GET /errors?code=…` which redirects to that code's page.
pub async fn list_error_codes(
    State(state): State<AppState>,
    context: PageContext,
    Query(query): Query<LookupQuery>,
) -> Result<Response> {
    if let Some(asked) = text_param("code", query.code.as_deref(), 40)? {
        return Ok(match normalise_error_code(&asked) {
            Some(code) => Redirect::to(&format!("/errors/{code}")).into_response(),
            None => unknown_code(&state, &context, &asked).await?,
        });
    }
    Ok(ErrorsPage {
        codes: code_links(&state, context.lang).await?,
        layout: Layout::new(&state, &context, Nav::Errors),
    }
    .into_response())
}

/// `GET /errors/{code}`
pub async fn get_error_code(
    State(state): State<AppState>,
    context: PageContext,
    Path(asked): Path<String>,
) -> Result<Response> {
    let lang = context.lang;
    let Some(code) = normalise_error_code(&asked) else {
        return unknown_code(&state, &context, &asked).await;
    };
    let Some(row) = db::content::find_error_code(&state.db, &code, lang).await? else {
        return unknown_code(&state, &context, &asked).await;
    };
    let placeholders = state.placeholders(lang);
    let mut tutorials = Vec::new();
    if row.applies_windows {
        tutorials.push(("/tutorials/windows".to_owned(), "Windows"));
    }
    if row.applies_office {
        tutorials.push(("/tutorials/office".to_owned(), "Office"));
    }
    Ok(ErrorCodePage {
        layout: Layout::new(&state, &context, Nav::Errors),
        category: row.category.label(lang),
        applies_to: applies_to(&row),
        cause_html: markdown::render(&row.cause_md, &placeholders),
        remedy_html: markdown::render(&row.remedy_md, &placeholders),
        tutorials,
        code: row.code,
        title: row.title,
        message: row.message,
    }
    .into_response())
}

/// The helpful 404: what was asked, how a code looks, and every code we know.
async fn unknown_code(state: &AppState, context: &PageContext, asked: &str) -> Result<Response> {
    let asked: String = asked.chars().take(40).collect();
    let page = UnknownCodePage {
        layout: Layout::new(state, context, Nav::Errors),
        asked,
        codes: code_links(state, context.lang).await?,
    };
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

async fn code_links(state: &AppState, lang: Lang) -> Result<Vec<CodeLink>> {
    Ok(db::content::list_error_codes(&state.db, lang)
        .await?
        .into_iter()
        .map(|row| CodeLink {
            applies_to: applies_to(&row),
            code: row.code,
            title: row.title,
        })
        .collect())
}

fn applies_to(row: &ErrorCodeRow) -> String {
    match (row.applies_windows, row.applies_office) {
        (true, true) => "Windows, Office".to_owned(),
        (true, false) => "Windows".to_owned(),
        _ => "Office".to_owned(),
    }
}
