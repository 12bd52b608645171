//! Creating, editing (and moving between products) and deleting versions: what people
//! see in the catalogue, the term in both calendars, and whether an activator is offered.
//!
//! A version's slug is what downloads and reports carry, so once either exists the slug
//! is fixed and the version cannot be deleted.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::version_form::{VersionForm, check};
use super::{Choice, ChoiceGroup, DeletePage, LIST, fill};
use crate::admin::form::{self, Done, ListForm, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::calendar::format_roc_date;
use crate::catalog::Family;
use crate::db;
use crate::db::edit_audit::Outcome;
use crate::db::edit_versions::{Usage, VersionFields};
use crate::error::{Error, Result};
use crate::extract::{Query, is_slug};
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::catalogue::{self as texts, CatalogueText};
use crate::texts::edit::{self as edit_texts, EditText};

/// The query of the new-version page: the product to put it in.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    product: Option<String>,
}

/// The version editor.
#[derive(Template, WebTemplate)]
#[template(path = "admin/version_form.html")]
pub struct VersionPage {
    layout: Layout,
    chrome: Chrome,
    c: &'static CatalogueText,
    e: &'static EditText,
    heading: &'static str,
    action: String,
    existing: Option<String>,
    products: Vec<ChoiceGroup>,
    families: Vec<ChoiceGroup>,
    /// The product table by release, each entry ticked or not.
    releases: Vec<Release>,
    /// The typed term in the ROC calendar, when it parses.
    roc_start: Option<String>,
    roc_end: Option<String>,
    form: VersionForm,
    problems: Problems,
}

/// One release of the product table, as the form lists it.
#[derive(Debug)]
pub struct Release {
    /// E.g. `Windows 11` or `Office LTSC 2024`.
    name: String,
    /// Its products.
    products: Vec<TableChoice>,
    /// How many of them are ticked.
    n_ticked: usize,
    /// Whether the group starts open: when any is ticked, and the first when none is.
    open: bool,
}

/// One product of the table.
#[derive(Debug)]
pub struct TableChoice {
    id: &'static str,
    name: &'static str,
    ticked: bool,
    /// The first box of the first open group: what the problem summary links to.
    anchor: bool,
}

/// `GET /admin/catalogue/versions/new`
pub async fn get_new_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<NewQuery>,
) -> Result<VersionPage> {
    staff.require_admin()?;
    let typed = VersionForm {
        product: query.product.unwrap_or_default(),
        seats_kind: "unstated".to_owned(),
        ..VersionForm::default()
    };
    page(&state, &context, &staff, None, typed, Problems::default()).await
}

/// `POST /admin/catalogue/versions/new`
pub async fn post_new_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    ListForm(typed): ListForm<VersionForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_versions::create_version(&state.db, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(
                    LIST,
                    Done::Created,
                    &format!("v-{}", fields.version.slug),
                ));
            }
            Outcome::NoParent => problems.add("product", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, None, typed, problems).await?)
}

/// `GET /admin/catalogue/versions/{slug}/edit`
pub async fn get_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<VersionPage> {
    staff.require_admin()?;
    let f = find(&state, &slug).await?.fields;
    let iso = |d: Option<time::Date>| d.map(crate::calendar::format_iso_date).unwrap_or_default();
    let typed = VersionForm {
        csrf: Secret::default(),
        seats_kind: match (f.version.campus_wide, f.version.seats) {
            (true, _) => "campus",
            (false, Some(_)) => "count",
            (false, None) => "unstated",
        }
        .to_owned(),
        seats: f.version.seats.map(|n| n.to_string()).unwrap_or_default(),
        term_start: iso(f.version.term_start),
        term_end: iso(f.version.term_end),
        kms_activated: f.version.kms_activated.then(|| "on".to_owned()),
        has_tutorial: f.version.has_tutorial.then(|| "on".to_owned()),
        covers: f.version.covers.ids().map(str::to_owned).collect(),
        edition_upgrade: f.version.edition_upgrade.then(|| "on".to_owned()),
        sort_order: f.sort_order.to_string(),
        product: f.product,
        slug: f.version.slug,
        name_zh: f.version.name_zh,
        name_en: f.version.name_en,
        family: f.version.family.as_str().to_owned(),
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

/// `POST /admin/catalogue/versions/{slug}/edit`
pub async fn post_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    ListForm(typed): ListForm<VersionForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    find(&state, &slug).await?;
    let c = texts::text(context.lang);
    let (fields, mut problems) = check(&typed, c);
    if fields.version.slug != slug
        && !problems.has("slug")
        && db::edit_versions::usage(&state.db, &slug).await?.is_used()
    {
        problems.add("slug", c.slug_fixed);
    }
    if problems.is_empty() {
        let actor = form::actor(&staff, &state);
        match db::edit_versions::update_version(&state.db, &slug, &fields, &actor).await? {
            Outcome::Done => {
                return Ok(form::done(
                    LIST,
                    Done::Saved,
                    &format!("v-{}", fields.version.slug),
                ));
            }
            Outcome::NotFound => return Err(Error::NotFound),
            Outcome::NoParent => problems.add("product", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }
    form::refused(page(&state, &context, &staff, Some(slug), typed, problems).await?)
}

/// `GET /admin/catalogue/versions/{slug}/delete`: asks, or says why it cannot be done.
pub async fn get_delete_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<DeletePage> {
    staff.require_admin()?;
    let record = find(&state, &slug).await?;
    let usage = db::edit_versions::usage(&state.db, &slug).await?;
    let refusal = refusal(usage, texts::text(context.lang));
    Ok(delete_page(
        &state,
        &context,
        &staff,
        &record.fields,
        refusal,
    ))
}

/// `POST /admin/catalogue/versions/{slug}/delete`
pub async fn post_delete_version(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(slug): Path<String>,
    Form(confirm): Form<form::CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    let record = find(&state, &slug).await?;
    let usage = db::edit_versions::usage(&state.db, &slug).await?;
    if let Some(refusal) = refusal(usage, texts::text(context.lang)) {
        let page = delete_page(&state, &context, &staff, &record.fields, Some(refusal));
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let actor = form::actor(&staff, &state);
    match db::edit_versions::delete_version(&state.db, &slug, &actor).await? {
        Outcome::Done => Ok(form::done(LIST, Done::Deleted, "")),
        _ => Err(Error::NotFound),
    }
}

fn refusal(usage: Usage, c: &CatalogueText) -> Option<String> {
    usage
        .is_used()
        .then(|| fill(c.in_use_reports, usage.n_downloads, usage.n_reports))
}

async fn find(state: &AppState, slug: &str) -> Result<db::edit_versions::VersionRecord> {
    if !is_slug(slug) {
        return Err(Error::NotFound);
    }
    db::edit_versions::find_version(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

async fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    existing: Option<String>,
    form: VersionForm,
    mut problems: Problems,
) -> Result<VersionPage> {
    let lang = context.lang;
    let c = texts::text(lang);
    problems.label(&[
        ("product", c.in_product),
        ("slug", c.slug),
        ("name_zh", c.name_zh),
        ("name_en", c.name_en),
        ("family", c.family),
        ("seats_kind", c.seats),
        ("seats", c.seats_number),
        ("term_start", c.term_start),
        ("term_end", c.term_end),
        ("covers", c.covers),
        ("edition_upgrade", c.edition_upgrade),
        ("sort_order", c.sort_order),
    ]);
    let agreements = db::edit_catalogue::list_agreements(&state.db).await?;
    let products = db::edit_catalogue::list_products(&state.db).await?;
    let products = agreements
        .into_iter()
        .map(|a| ChoiceGroup {
            label: lang.pick(&a.fields.name_zh, &a.fields.name_en).to_owned(),
            choices: products
                .iter()
                .filter(|p| p.fields.agreement == a.fields.slug)
                .map(|p| Choice {
                    value: p.fields.slug.clone(),
                    label: lang.pick(&p.fields.name_zh, &p.fields.name_en).to_owned(),
                })
                .collect(),
        })
        .filter(|group| !group.choices.is_empty())
        .collect();
    let families = vec![ChoiceGroup {
        label: String::new(),
        choices: Family::ALL
            .iter()
            .map(|f| Choice {
                value: f.as_str().to_owned(),
                label: f.label(lang).to_owned(),
            })
            .collect(),
    }];
    let mut releases: Vec<Release> = Vec::new();
    for product in protocol::products::TABLE.iter() {
        let ticked = form.covers.contains(&product.id);
        let choice = TableChoice {
            id: &product.id,
            name: &product.name,
            ticked,
            anchor: false,
        };
        match releases.iter_mut().find(|r| r.name == product.release) {
            Some(release) => {
                release.n_ticked += usize::from(ticked);
                release.products.push(choice);
            }
            None => releases.push(Release {
                name: product.release.clone(),
                products: vec![choice],
                n_ticked: usize::from(ticked),
                open: false,
            }),
        }
    }
    let none_ticked = releases.iter().all(|r| r.n_ticked == 0);
    for (i, release) in releases.iter_mut().enumerate() {
        release.open = release.n_ticked > 0 || (none_ticked && i == 0);
    }
    if let Some(first) = releases
        .iter_mut()
        .find(|r| r.open)
        .and_then(|r| r.products.first_mut())
    {
        first.anchor = true;
    }
    let roc = |text: &str| {
        let mut ignored = Problems::default();
        form::date(&mut ignored, "d", text, "").map(|d| format_roc_date(d, lang))
    };
    Ok(VersionPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(lang),
        heading: if existing.is_some() {
            c.edit_version
        } else {
            c.new_version
        },
        action: match &existing {
            Some(slug) => format!("/admin/catalogue/versions/{slug}/edit"),
            None => "/admin/catalogue/versions/new".to_owned(),
        },
        existing,
        products,
        families,
        releases,
        roc_start: roc(&form.term_start),
        roc_end: roc(&form.term_end),
        form,
        problems,
    })
}

fn delete_page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    fields: &VersionFields,
    refusal: Option<String>,
) -> DeletePage {
    let c = texts::text(context.lang);
    DeletePage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c,
        e: edit_texts::text(context.lang),
        kind: c.version,
        name: context
            .lang
            .pick(&fields.version.name_zh, &fields.version.name_en)
            .to_owned(),
        action: format!("/admin/catalogue/versions/{}/delete", fields.version.slug),
        slug: fields.version.slug.clone(),
        refusal,
    }
}
