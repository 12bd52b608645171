//! Creating, editing (and moving between products) and deleting versions: what people
//! see in the catalogue, the term in both calendars, and whether an activator is offered.
//!
//! A version's slug is what downloads and reports carry, so once either exists the slug
//! is fixed and the version cannot be deleted.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::version_form::{VersionForm, check};
use super::{Choice, ChoiceGroup, DeletePage, LIST, Target, delete_page, fill};
use crate::admin::editor::{Deletable, Editor};
use crate::admin::form::{self, Problems};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::calendar::format_roc_date;
use crate::catalog::Family;
use crate::db;
use crate::db::edit_audit::{Actor, Outcome};
use crate::db::edit_versions::VersionFields;
use crate::error::{Error, Result};
use crate::extract::is_slug;
use crate::lang::Lang;
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

/// The version editor's part of the shared flow.
pub struct Versions;

impl Editor for Versions {
    type Form = VersionForm;
    type NewQuery = NewQuery;
    type Fields = VersionFields;
    type Record = db::edit_versions::VersionRecord;
    type Page = VersionPage;

    const LIST: &'static str = LIST;

    fn csrf(form: &VersionForm) -> &Secret {
        &form.csrf
    }

    fn blank(query: NewQuery) -> VersionForm {
        VersionForm {
            product: query.product.unwrap_or_default(),
            seats_kind: "unstated".to_owned(),
            ..VersionForm::default()
        }
    }

    async fn find(state: &AppState, slug: &str) -> Result<Self::Record> {
        if !is_slug(slug) {
            return Err(Error::NotFound);
        }
        db::edit_versions::find_version(&state.db, slug)
            .await?
            .ok_or(Error::NotFound)
    }

    fn key(record: &Self::Record) -> String {
        record.fields.version.slug.clone()
    }

    fn form_of(record: Self::Record) -> VersionForm {
        let f = record.fields;
        let iso =
            |d: Option<time::Date>| d.map(crate::calendar::format_iso_date).unwrap_or_default();
        VersionForm {
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
        }
    }

    /// Also refuses a new slug for a version downloads or reports already carry.
    async fn check(
        state: &AppState,
        lang: Lang,
        typed: &VersionForm,
        existing: Option<&str>,
    ) -> Result<(VersionFields, Problems)> {
        let c = texts::text(lang);
        let (fields, mut problems) = check(typed, c);
        if let Some(slug) = existing
            && fields.version.slug != slug
            && !problems.has("slug")
            && db::edit_versions::usage(&state.db, slug).await?.is_used()
        {
            problems.add("slug", c.slug_fixed);
        }
        Ok((fields, problems))
    }

    async fn save(
        state: &AppState,
        existing: Option<&str>,
        fields: &VersionFields,
        actor: &Actor,
    ) -> Result<Outcome> {
        Ok(match existing {
            Some(slug) => db::edit_versions::update_version(&state.db, slug, fields, actor).await?,
            None => db::edit_versions::create_version(&state.db, fields, actor).await?,
        })
    }

    fn anchor(fields: &VersionFields) -> String {
        format!("v-{}", fields.version.slug)
    }

    fn place(outcome: Outcome, lang: Lang, problems: &mut Problems) {
        let c = texts::text(lang);
        match outcome {
            Outcome::NoParent => problems.add("product", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }

    async fn page(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        existing: Option<String>,
        form: VersionForm,
        problems: Problems,
    ) -> Result<VersionPage> {
        page(state, context, staff, existing, form, problems).await
    }
}

impl Deletable for Versions {
    type Confirm = DeletePage;

    /// Downloads and reports carry the slug: a version either has is kept.
    async fn refusal(
        state: &AppState,
        lang: Lang,
        record: &Self::Record,
    ) -> Result<Option<String>> {
        let usage = db::edit_versions::usage(&state.db, &record.fields.version.slug).await?;
        let c = texts::text(lang);
        Ok(usage
            .is_used()
            .then(|| fill(c.in_use_reports, usage.n_downloads, usage.n_reports)))
    }

    async fn delete(state: &AppState, slug: &str, actor: &Actor) -> Result<Outcome> {
        Ok(db::edit_versions::delete_version(&state.db, slug, actor).await?)
    }

    fn confirm(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        record: &Self::Record,
        refusal: Option<String>,
    ) -> DeletePage {
        let v = &record.fields.version;
        let target = Target {
            kind: texts::text(context.lang).version,
            names: (&v.name_zh, &v.name_en),
            folder: "versions",
            slug: &v.slug,
        };
        delete_page(state, context, staff, target, refusal)
    }
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
