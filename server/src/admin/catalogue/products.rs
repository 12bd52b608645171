//! Creating, editing (and moving between agreements) and deleting products.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Choice, ChoiceGroup, DeletePage, LIST, fill};
use crate::admin::form::{self, Done, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::edit_audit::Outcome;
use crate::db::edit_catalogue::ProductFields;
use crate::error::{Error, Result};
use crate::extract::{Query, is_slug};
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::catalogue::{self as texts, CatalogueText};
use crate::texts::edit::{self as edit_texts, EditText};

/// The product form as typed (every field may be missing: it is then empty).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    csrf: Secret,
    agreement: String,
    slug: String,
    name_zh: String,
    name_en: String,
    sort_order: String,
}

/// The query of the new-product page: the agreement to put it in.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    agreement: Option<String>,
}

/// The product editor.
#[derive(Template, WebTemplate)]
#[template(path = "admin/product_form.html")]
pub struct ProductPage {
    layout: Layout,
    chrome: Chrome,
    c: &'static CatalogueText,
    e: &'static EditText,
    heading: &'static str,
    action: String,
    existing: Option<String>,
    agreements: Vec<ChoiceGroup>,
    form: ProductForm,
    problems: Problems,
}

/// `GET /admin/catalogue/products/new`
pub async fn get_new_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<NewQuery>,
) -> Result<ProductPage> {
    staff.require_admin()?;
    let typed = ProductForm {
        agreement: query.agreement.unwrap_or_default(),
        ..ProductForm::default()
    };
    page(&state, &context, &staff, None, typed, Problems::default()).await
}

/// `POST /admin/catalogue/products/new`
pub async fn post_new_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<ProductForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_catalogue::create_product(&state.db, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(
                    LIST,
                    Done::Created,
                    &format!("p-{}", fields.slug),
                ));
            }
            Outcome::NoParent => problems.add("agreement", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, None, typed, problems).await?)
}

/// `GET /admin/catalogue/products/{slug}/edit`
pub async fn get_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<ProductPage> {
    staff.require_admin()?;
    let record = find(&state, &slug).await?;
    let f = record.fields;
    let typed = ProductForm {
        csrf: Secret::default(),
        agreement: f.agreement,
        slug: f.slug,
        name_zh: f.name_zh,
        name_en: f.name_en,
        sort_order: f.sort_order.to_string(),
    };
    page(
        &state,
        &context,
        &staff,
        Some(slug),
        typed,
        Problems::default(),
    )
    .await
}

/// `POST /admin/catalogue/products/{slug}/edit`
pub async fn post_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    Form(typed): Form<ProductForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    find(&state, &slug).await?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_catalogue::update_product(&state.db, &slug, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(LIST, Done::Saved, &format!("p-{}", fields.slug)));
            }
            Outcome::NotFound => return Err(Error::NotFound),
            Outcome::NoParent => problems.add("agreement", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, Some(slug), typed, problems).await?)
}

/// `GET /admin/catalogue/products/{slug}/delete`: asks, or says why it cannot be done.
pub async fn get_delete_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<DeletePage> {
    staff.require_admin()?;
    let record = find(&state, &slug).await?;
    let versions = db::edit_versions::list_versions(&state.db).await?;
    let n_versions = versions.iter().filter(|v| v.fields.product == slug).count();
    let c = texts::text(context.lang);
    let refusal = (n_versions > 0).then(|| fill(c.in_use_versions, n_versions, ""));
    Ok(delete_page(
        &state,
        &context,
        &staff,
        &record.fields,
        refusal,
    ))
}

/// `POST /admin/catalogue/products/{slug}/delete`
pub async fn post_delete_product(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    Form(confirm): Form<form::CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    let record = find(&state, &slug).await?;
    let actor = form::actor(&staff, &state);
    match db::edit_catalogue::delete_product(&state.db, &slug, &actor).await? {
        Outcome::Done => Ok(form::done(LIST, Done::Deleted, "")),
        Outcome::InUse(n) => {
            let refusal = fill(texts::text(context.lang).in_use_versions, n, "");
            let page = delete_page(&state, &context, &staff, &record.fields, Some(refusal));
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        _ => Err(Error::NotFound),
    }
}

fn check(typed: &ProductForm, c: &CatalogueText) -> (ProductFields, Problems) {
    let mut problems = Problems::default();
    let agreement = typed.agreement.trim().to_owned();
    if !is_slug(&agreement) {
        problems.add("agreement", c.parent_missing);
    }
    let slug = form::slug(&mut problems, "slug", &typed.slug, c.slug_format);
    let (name_zh, name_en) =
        form::names(&mut problems, &typed.name_zh, &typed.name_en, c.name_length);
    let fields = ProductFields {
        name_zh,
        name_en,
        sort_order: form::sort_order(
            &mut problems,
            "sort_order",
            &typed.sort_order,
            c.sort_number,
        ),
        agreement,
        slug,
    };
    (fields, problems)
}

async fn find(state: &AppState, slug: &str) -> Result<db::edit_catalogue::ProductRecord> {
    if !is_slug(slug) {
        return Err(Error::NotFound);
    }
    db::edit_catalogue::find_product(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

async fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    existing: Option<String>,
    form: ProductForm,
    mut problems: Problems,
) -> Result<ProductPage> {
    let lang = context.lang;
    let c = texts::text(lang);
    problems.label(&[
        ("agreement", c.in_agreement),
        ("slug", c.slug),
        ("name_zh", c.name_zh),
        ("name_en", c.name_en),
        ("sort_order", c.sort_order),
    ]);
    let choices = db::edit_catalogue::list_agreements(&state.db)
        .await?
        .into_iter()
        .map(|a| Choice {
            label: lang.pick(&a.fields.name_zh, &a.fields.name_en).to_owned(),
            value: a.fields.slug,
        })
        .collect();
    let agreements = vec![ChoiceGroup {
        label: String::new(),
        choices,
    }];
    Ok(ProductPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(lang),
        heading: if existing.is_some() {
            c.edit_product
        } else {
            c.new_product
        },
        action: match &existing {
            Some(slug) => format!("/admin/catalogue/products/{slug}/edit"),
            None => "/admin/catalogue/products/new".to_owned(),
        },
        existing,
        agreements,
        form,
        problems,
    })
}

fn delete_page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    fields: &ProductFields,
    refusal: Option<String>,
) -> DeletePage {
    let c = texts::text(context.lang);
    DeletePage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(context.lang),
        kind: c.product,
        name: context
            .lang
            .pick(&fields.name_zh, &fields.name_en)
            .to_owned(),
        action: format!("/admin/catalogue/products/{}/delete", fields.slug),
        slug: fields.slug.clone(),
        refusal,
    }
}
