//! `/admin/errors`: the error codes' texts in both languages, and new codes.
//!
//! A code is the key the public pages, the activator's reports and the dashboard share,
//! so it is fixed once created; its category, what it applies to and its texts change.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;

use super::catalogue::{Choice, ChoiceGroup, done_message};
use super::editor::{Editor, NoQuery};
use super::form::{self, Done, Problems, ticked};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::content::normalise_error_code;
use crate::db;
use crate::db::edit_audit::{Actor, Outcome};
use crate::db::edit_content::{ErrorCodeFields, ErrorTexts};
use crate::error::{Error, Result};
use crate::error_codes::ErrorCategory;
use crate::extract::Query;
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::edit::{self as edit_texts, EditText};

const LIST: &str = "/admin/errors";

/// The text fields, by language.
const TEXT_FIELDS: [&str; 8] = [
    "zh_title",
    "zh_message",
    "zh_cause",
    "zh_remedy",
    "en_title",
    "en_message",
    "en_cause",
    "en_remedy",
];

/// The list of codes.
#[derive(Template, WebTemplate)]
#[template(path = "admin/errors.html")]
pub struct ErrorsPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    done: Option<&'static str>,
    codes: Vec<CodeItem>,
}

/// A code in the list.
#[derive(Debug)]
pub struct CodeItem {
    code: String,
    title: String,
    category: &'static str,
    applies_to: &'static str,
}

/// The editor of one code (or of a new one).
#[derive(Template, WebTemplate)]
#[template(path = "admin/error_form.html")]
pub struct ErrorPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    heading: &'static str,
    action: String,
    /// The code being edited; `None` for a new one (then the code is a field).
    existing: Option<String>,
    categories: Vec<ChoiceGroup>,
    form: ErrorForm,
    problems: Problems,
}

/// The error-code form as typed; texts are prefixed by their language (`zh_`, `en_`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErrorForm {
    csrf: Secret,
    code: String,
    category: String,
    windows: Option<String>,
    office: Option<String>,
    zh_title: String,
    zh_message: String,
    zh_cause: String,
    zh_remedy: String,
    en_title: String,
    en_message: String,
    en_cause: String,
    en_remedy: String,
}

/// The query of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

/// `GET /admin/errors`
pub async fn get_errors(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<ErrorsPage> {
    let lang = context.lang;
    let e = edit_texts::text(lang);
    let codes = db::content::list_error_codes(&state.db, lang)
        .await?
        .into_iter()
        .map(|row| CodeItem {
            category: row.category.label(lang),
            applies_to: match (row.applies_windows, row.applies_office) {
                (true, true) => "Windows, Office",
                (true, false) => "Windows",
                _ => "Office",
            },
            code: row.code,
            title: row.title,
        })
        .collect();
    Ok(ErrorsPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "errors"),
        e,
        done: Done::parse(query.done.as_deref()).map(|done| done_message(e, done)),
        codes,
    })
}

/// The error-code editor's part of the shared flow.
pub struct ErrorCodes;

impl Editor for ErrorCodes {
    type Form = ErrorForm;
    type NewQuery = NoQuery;
    type Fields = ErrorCodeFields;
    type Record = ErrorCodeFields;
    type Page = ErrorPage;

    const LIST: &'static str = LIST;

    fn csrf(form: &ErrorForm) -> &Secret {
        &form.csrf
    }

    fn blank(_: NoQuery) -> ErrorForm {
        ErrorForm::default()
    }

    async fn find(state: &AppState, code: &str) -> Result<ErrorCodeFields> {
        let code = normalise_error_code(code).ok_or(Error::NotFound)?;
        db::edit_content::find_error_code(&state.db, &code)
            .await?
            .ok_or(Error::NotFound)
    }

    fn key(record: &ErrorCodeFields) -> String {
        record.code.clone()
    }

    fn form_of(f: ErrorCodeFields) -> ErrorForm {
        ErrorForm {
            csrf: Secret::default(),
            category: f.category.as_str().to_owned(),
            windows: f.applies_windows.then(|| "on".to_owned()),
            office: f.applies_office.then(|| "on".to_owned()),
            zh_title: f.zh.title,
            zh_message: f.zh.message,
            zh_cause: f.zh.cause_md,
            zh_remedy: f.zh.remedy_md,
            en_title: f.en.title,
            en_message: f.en.message,
            en_cause: f.en.cause_md,
            en_remedy: f.en.remedy_md,
            code: f.code,
        }
    }

    /// A new code is typed; an edited one is fixed.
    async fn check(
        _: &AppState,
        lang: Lang,
        typed: &ErrorForm,
        existing: Option<&str>,
    ) -> Result<(ErrorCodeFields, Problems)> {
        let e = edit_texts::text(lang);
        let mut problems = Problems::default();
        let code = match existing {
            Some(code) => code.to_owned(),
            None => normalise_error_code(&typed.code).unwrap_or_default(),
        };
        if code.is_empty() {
            problems.add("code", e.code_format);
        }
        let fields = check(code, typed, e, &mut problems);
        Ok((fields, problems))
    }

    async fn save(
        state: &AppState,
        existing: Option<&str>,
        fields: &ErrorCodeFields,
        actor: &Actor,
    ) -> Result<Outcome> {
        Ok(match existing {
            Some(_) => db::edit_content::update_error_code(&state.db, fields, actor).await?,
            None => db::edit_content::create_error_code(&state.db, fields, actor).await?,
        })
    }

    fn anchor(fields: &ErrorCodeFields) -> String {
        fields.code.clone()
    }

    fn place(_: Outcome, lang: Lang, problems: &mut Problems) {
        problems.add("code", edit_texts::text(lang).code_taken);
    }

    async fn page(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        existing: Option<String>,
        form: ErrorForm,
        problems: Problems,
    ) -> Result<ErrorPage> {
        Ok(page(state, context, staff, existing, form, problems))
    }
}

/// Checks everything but the code; answers the fields to store.
fn check(
    code: String,
    typed: &ErrorForm,
    e: &EditText,
    problems: &mut Problems,
) -> ErrorCodeFields {
    let category = ErrorCategory::parse(typed.category.trim()).unwrap_or_else(|| {
        problems.add("category", e.category_unknown);
        ErrorCategory::default()
    });
    let (applies_windows, applies_office) = (ticked(&typed.windows), ticked(&typed.office));
    if !applies_windows && !applies_office {
        problems.add("windows", e.applies_none);
    }
    let mut texts = |names: [&'static str; 4], values: [&str; 4]| ErrorTexts {
        title: form::text(problems, names[0], values[0], 200, false, e.title_length),
        message: form::text(problems, names[1], values[1], 2_000, true, e.message_length),
        cause_md: form::text(problems, names[2], values[2], 20_000, true, e.cause_length),
        remedy_md: form::text(problems, names[3], values[3], 20_000, true, e.remedy_length),
    };
    let zh = texts(
        ["zh_title", "zh_message", "zh_cause", "zh_remedy"],
        [
            &typed.zh_title,
            &typed.zh_message,
            &typed.zh_cause,
            &typed.zh_remedy,
        ],
    );
    let en = texts(
        ["en_title", "en_message", "en_cause", "en_remedy"],
        [
            &typed.en_title,
            &typed.en_message,
            &typed.en_cause,
            &typed.en_remedy,
        ],
    );
    ErrorCodeFields {
        code,
        category,
        applies_windows,
        applies_office,
        zh,
        en,
    }
}

fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    existing: Option<String>,
    form: ErrorForm,
    mut problems: Problems,
) -> ErrorPage {
    let lang = context.lang;
    let e = edit_texts::text(lang);
    problems.label(&[
        ("code", e.error_code),
        ("category", e.error_category),
        ("windows", e.error_applies),
    ]);
    for (n, field) in TEXT_FIELDS.into_iter().enumerate() {
        let legend = if n < 4 {
            e.error_texts_zh
        } else {
            e.error_texts_en
        };
        problems.label(&[(field, legend)]);
    }
    ErrorPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "errors"),
        e,
        heading: if existing.is_some() {
            e.error_edit
        } else {
            e.error_new
        },
        action: match &existing {
            Some(code) => format!("{LIST}/{code}"),
            None => format!("{LIST}/new"),
        },
        existing,
        categories: vec![ChoiceGroup {
            label: String::new(),
            choices: ErrorCategory::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str().to_owned(),
                    label: c.label(lang).to_owned(),
                })
                .collect(),
        }],
        form,
        problems,
    }
}
