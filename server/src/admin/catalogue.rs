//! `/admin/catalogue`: the agreements → products → versions tree with links to edit each,
//! and what the three editors share (the delete confirmation, choices in a `<select>`).
//!
//! Every page reads the database afresh and the public pages do too, so a saved change
//! shows everywhere at once.

pub mod agreements;
pub mod products;

pub mod version_form;
pub mod versions;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;

use super::form::Done;
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::calendar::TermView;
use crate::catalog::{Seats, Status};
use crate::db;
use crate::error::Result;
use crate::extract::Query;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;
use crate::texts::catalogue::{self as texts, CatalogueText};
use crate::texts::edit::{self as edit_texts, EditText};

/// Where every catalogue change returns to.
pub const LIST: &str = "/admin/catalogue";

/// The catalogue tree.
#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogue.html")]
pub struct CataloguePage {
    layout: Layout,
    chrome: Chrome,
    c: &'static CatalogueText,
    e: &'static EditText,
    done: Option<&'static str>,
    agreements: Vec<AgreementItem>,
}

/// The delete confirmation (or refusal) of an agreement, product or version.
#[derive(Template, WebTemplate)]
#[template(path = "admin/catalogue_delete.html")]
pub struct DeletePage {
    /// The page chrome.
    pub layout: Layout,
    /// The admin bar.
    pub chrome: Chrome,
    /// The catalogue strings.
    pub c: &'static CatalogueText,
    /// The shared editing strings.
    pub e: &'static EditText,
    /// What kind of thing: "Agreement", "Product", "Version".
    pub kind: &'static str,
    /// Its name in the page language.
    pub name: String,
    /// Its slug.
    pub slug: String,
    /// Where the confirmation posts.
    pub action: String,
    /// Why it cannot be deleted, if it cannot.
    pub refusal: Option<String>,
}

/// What a delete page is about.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// What kind of thing, in the page language.
    pub kind: &'static str,
    /// Its names in Chinese and English.
    pub names: (&'a str, &'a str),
    /// Its editor's folder under `/admin/catalogue`.
    pub folder: &'static str,
    /// Its slug.
    pub slug: &'a str,
}

/// The query of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

/// One choice in a `<select>`.
#[derive(Clone, Debug)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What people see.
    pub label: String,
}

/// Choices under one `<optgroup>` label (none when the label is empty).
#[derive(Clone, Debug)]
pub struct ChoiceGroup {
    /// The group's label.
    pub label: String,
    /// Its choices.
    pub choices: Vec<Choice>,
}

/// An agreement in the tree.
#[derive(Debug)]
pub struct AgreementItem {
    slug: String,
    name: String,
    alt_name: String,
    products: Vec<ProductItem>,
}

/// A product in the tree.
#[derive(Debug)]
pub struct ProductItem {
    slug: String,
    name: String,
    alt_name: String,
    versions: Vec<VersionItem>,
}

/// A version in the tree.
#[derive(Debug)]
pub struct VersionItem {
    slug: String,
    name: String,
    family: &'static str,
    seats: String,
    term: Option<TermView>,
    status: &'static str,
    status_label: &'static str,
    kms_activated: bool,
    has_tutorial: bool,
    has_activator: bool,
}

/// `GET /admin/catalogue`: the tree; viewers see it without edit links.
pub async fn get_catalogue(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<CataloguePage> {
    let lang = context.lang;
    let today = state.today();
    let agreements = db::edit_catalogue::list_agreements(&state.db).await?;
    let products = db::edit_catalogue::list_products(&state.db).await?;
    let versions = db::edit_versions::list_versions(&state.db).await?;
    let e = edit_texts::text(lang);
    let tree = agreements
        .into_iter()
        .map(|a| AgreementItem {
            name: lang.pick(&a.fields.name_zh, &a.fields.name_en).to_owned(),
            alt_name: lang
                .other()
                .pick(&a.fields.name_zh, &a.fields.name_en)
                .to_owned(),
            products: products
                .iter()
                .filter(|p| p.fields.agreement == a.fields.slug)
                .map(|p| ProductItem {
                    name: lang.pick(&p.fields.name_zh, &p.fields.name_en).to_owned(),
                    alt_name: lang
                        .other()
                        .pick(&p.fields.name_zh, &p.fields.name_en)
                        .to_owned(),
                    versions: versions
                        .iter()
                        .filter(|v| v.fields.product == p.fields.slug)
                        .map(|v| {
                            let v = &v.fields;
                            let status = Status::of(v.version.term_end, today);
                            VersionItem {
                                slug: v.version.slug.clone(),
                                name: v.version.name(lang).to_owned(),
                                family: v.version.family.label(lang),
                                seats: Seats::from_columns(v.version.seats, v.version.campus_wide)
                                    .label(lang),
                                term: TermView::new(v.version.term_start, v.version.term_end, lang),
                                status: status.as_str(),
                                status_label: status.label(lang),
                                kms_activated: v.version.kms_activated,
                                has_tutorial: v.version.has_tutorial,
                                has_activator: !v.version.covers.is_empty(),
                            }
                        })
                        .collect(),
                    slug: p.fields.slug.clone(),
                })
                .collect(),
            slug: a.fields.slug,
        })
        .collect();
    Ok(CataloguePage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "catalogue"),
        c: texts::text(lang),
        e,
        done: Done::parse(query.done.as_deref()).map(|done| done_message(e, done)),
        agreements: tree,
    })
}

/// The delete confirmation of `target`, or why it cannot be deleted.
pub fn delete_page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    target: Target<'_>,
    refusal: Option<String>,
) -> DeletePage {
    DeletePage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "catalogue"),
        c: texts::text(context.lang),
        e: edit_texts::text(context.lang),
        kind: target.kind,
        name: context.lang.pick(target.names.0, target.names.1).to_owned(),
        action: format!("{LIST}/{}/{}/delete", target.folder, target.slug),
        slug: target.slug.to_owned(),
        refusal,
    }
}

/// The sentence a list page shows after a change.
pub fn done_message(e: &'static EditText, done: Done) -> &'static str {
    match done {
        Done::Created => e.done_created,
        Done::Saved => e.done_saved,
        Done::Deleted => e.done_deleted,
    }
}

/// Replaces `{n}` (and `{m}`) in a message.
pub fn fill(message: &str, n: impl ToString, m: impl ToString) -> String {
    message
        .replace("{n}", &n.to_string())
        .replace("{m}", &m.to_string())
}
