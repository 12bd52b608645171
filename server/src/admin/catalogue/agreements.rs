//! Creating, editing and deleting agreements.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{DeletePage, LIST, fill};
use crate::admin::form::{self, Done, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::edit_audit::Outcome;
use crate::db::edit_catalogue::AgreementFields;
use crate::error::{Error, Result};
use crate::extract::is_slug;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::catalogue::{self as texts, CatalogueText};
use crate::texts::edit::{self as edit_texts, EditText};

/// The agreement form as typed (every field may be missing: it is then empty).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgreementForm {
    csrf: Secret,
    slug: String,
    name_zh: String,
    name_en: String,
    sort_order: String,
}

/// The agreement editor.
#[derive(Template, WebTemplate)]
#[template(path = "admin/agreement_form.html")]
pub struct AgreementPage {
    layout: Layout,
    chrome: Chrome,
    c: &'static CatalogueText,
    e: &'static EditText,
    heading: &'static str,
    action: String,
    /// The slug it had before this edit, for the delete link; `None` when new.
    existing: Option<String>,
    form: AgreementForm,
    problems: Problems,
}

/// `GET /admin/catalogue/agreements/new`
pub async fn get_new_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
) -> Result<AgreementPage> {
    staff.require_admin()?;
    Ok(page(
        &state,
        &context,
        &staff,
        None,
        AgreementForm::default(),
        Problems::default(),
    ))
}

/// `POST /admin/catalogue/agreements/new`
pub async fn post_new_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<AgreementForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_catalogue::create_agreement(&state.db, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(
                    LIST,
                    Done::Created,
                    &format!("a-{}", fields.slug),
                ));
            }
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, None, typed, problems))
}

/// `GET /admin/catalogue/agreements/{slug}/edit`
pub async fn get_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<AgreementPage> {
    staff.require_admin()?;
    let record = find(&state, &slug).await?;
    let typed = AgreementForm {
        csrf: Secret::default(),
        slug: record.fields.slug,
        name_zh: record.fields.name_zh,
        name_en: record.fields.name_en,
        sort_order: record.fields.sort_order.to_string(),
    };
    Ok(page(
        &state,
        &context,
        &staff,
        Some(slug),
        typed,
        Problems::default(),
    ))
}

/// `POST /admin/catalogue/agreements/{slug}/edit`
pub async fn post_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    Form(typed): Form<AgreementForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    find(&state, &slug).await?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_catalogue::update_agreement(&state.db, &slug, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(LIST, Done::Saved, &format!("a-{}", fields.slug)));
            }
            Outcome::NotFound => return Err(Error::NotFound),
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, Some(slug), typed, problems))
}

/// `GET /admin/catalogue/agreements/{slug}/delete`: asks, or says why it cannot be done.
pub async fn get_delete_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<DeletePage> {
    staff.require_admin()?;
    let record = find(&state, &slug).await?;
    let products = db::edit_catalogue::list_products(&state.db).await?;
    let n_products = products
        .iter()
        .filter(|p| p.fields.agreement == slug)
        .count();
    let c = texts::text(context.lang);
    let refusal = (n_products > 0).then(|| fill(c.in_use_products, n_products, ""));
    Ok(delete_page(
        &state,
        &context,
        &staff,
        &record.fields,
        refusal,
    ))
}

/// `POST /admin/catalogue/agreements/{slug}/delete`
pub async fn post_delete_agreement(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    Form(confirm): Form<form::CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    let record = find(&state, &slug).await?;
    let actor = form::actor(&staff, &state);
    match db::edit_catalogue::delete_agreement(&state.db, &slug, &actor).await? {
        Outcome::Done => Ok(form::done(LIST, Done::Deleted, "")),
        Outcome::InUse(n) => {
            let refusal = fill(texts::text(context.lang).in_use_products, n, "");
            let page = delete_page(&state, &context, &staff, &record.fields, Some(refusal));
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        _ => Err(Error::NotFound),
    }
}

/// Checks the form; answers the fields to store and what is wrong.
fn check(typed: &AgreementForm, c: &CatalogueText) -> (AgreementFields, Problems) {
    let mut problems = Problems::default();
    let slug = form::slug(&mut problems, "slug", &typed.slug, c.slug_format);
    let (name_zh, name_en) =
        form::names(&mut problems, &typed.name_zh, &typed.name_en, c.name_length);
    let fields = AgreementFields {
        name_zh,
        name_en,
        sort_order: form::sort_order(
            &mut problems,
            "sort_order",
            &typed.sort_order,
            c.sort_number,
        ),
        slug,
    };
    (fields, problems)
}

async fn find(state: &AppState, slug: &str) -> Result<db::edit_catalogue::AgreementRecord> {
    if !is_slug(slug) {
        return Err(Error::NotFound);
    }
    db::edit_catalogue::find_agreement(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    existing: Option<String>,
    form: AgreementForm,
    mut problems: Problems,
) -> AgreementPage {
    let c = texts::text(context.lang);
    problems.label(&[
        ("slug", c.slug),
        ("name_zh", c.name_zh),
        ("name_en", c.name_en),
        ("sort_order", c.sort_order),
    ]);
    AgreementPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(context.lang),
        heading: if existing.is_some() {
            c.edit_agreement
        } else {
            c.new_agreement
        },
        action: match &existing {
            Some(slug) => format!("/admin/catalogue/agreements/{slug}/edit"),
            None => "/admin/catalogue/agreements/new".to_owned(),
        },
        existing,
        form,
        problems,
    }
}

fn delete_page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    fields: &AgreementFields,
    refusal: Option<String>,
) -> DeletePage {
    let c = texts::text(context.lang);
    DeletePage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(context.lang),
        kind: c.agreement,
        name: context
            .lang
            .pick(&fields.name_zh, &fields.name_en)
            .to_owned(),
        action: format!("/admin/catalogue/agreements/{}/delete", fields.slug),
        slug: fields.slug.clone(),
        refusal,
    }
}
