//! Creating, editing and deleting agreements.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::{DeletePage, LIST, Target, delete_page, fill};
use crate::admin::editor::{Deletable, Editor, NoQuery};
use crate::admin::form::{self, Problems};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::edit_audit::{Actor, Outcome};
use crate::db::edit_catalogue::AgreementFields;
use crate::error::{Error, Result};
use crate::extract::is_slug;
use crate::lang::Lang;
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

/// The agreement editor's part of the shared flow.
pub struct Agreements;

impl Editor for Agreements {
    type Form = AgreementForm;
    type NewQuery = NoQuery;
    type Fields = AgreementFields;
    type Record = db::edit_catalogue::AgreementRecord;
    type Page = AgreementPage;

    const LIST: &'static str = LIST;

    fn csrf(form: &AgreementForm) -> &Secret {
        &form.csrf
    }

    fn blank(_: NoQuery) -> AgreementForm {
        AgreementForm::default()
    }

    async fn find(state: &AppState, slug: &str) -> Result<Self::Record> {
        if !is_slug(slug) {
            return Err(Error::NotFound);
        }
        db::edit_catalogue::find_agreement(&state.db, slug)
            .await?
            .ok_or(Error::NotFound)
    }

    fn key(record: &Self::Record) -> String {
        record.fields.slug.clone()
    }

    fn form_of(record: Self::Record) -> AgreementForm {
        AgreementForm {
            csrf: Secret::default(),
            slug: record.fields.slug,
            name_zh: record.fields.name_zh,
            name_en: record.fields.name_en,
            sort_order: record.fields.sort_order.to_string(),
        }
    }

    async fn check(
        _: &AppState,
        lang: Lang,
        typed: &AgreementForm,
        _: Option<&str>,
    ) -> Result<(AgreementFields, Problems)> {
        Ok(check(typed, texts::text(lang)))
    }

    async fn save(
        state: &AppState,
        existing: Option<&str>,
        fields: &AgreementFields,
        actor: &Actor,
    ) -> Result<Outcome> {
        Ok(match existing {
            Some(slug) => {
                db::edit_catalogue::update_agreement(&state.db, slug, fields, actor).await?
            }
            None => db::edit_catalogue::create_agreement(&state.db, fields, actor).await?,
        })
    }

    fn anchor(fields: &AgreementFields) -> String {
        format!("a-{}", fields.slug)
    }

    fn place(_: Outcome, lang: Lang, problems: &mut Problems) {
        problems.add("slug", texts::text(lang).slug_taken);
    }

    async fn page(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        existing: Option<String>,
        form: AgreementForm,
        problems: Problems,
    ) -> Result<AgreementPage> {
        Ok(page(state, context, staff, existing, form, problems))
    }
}

impl Deletable for Agreements {
    type Confirm = DeletePage;

    async fn refusal(
        state: &AppState,
        lang: Lang,
        record: &Self::Record,
    ) -> Result<Option<String>> {
        let products = db::edit_catalogue::list_products(&state.db).await?;
        let n_products = products
            .iter()
            .filter(|p| p.fields.agreement == record.fields.slug)
            .count();
        let c = texts::text(lang);
        Ok((n_products > 0).then(|| fill(c.in_use_products, n_products, "")))
    }

    async fn delete(state: &AppState, slug: &str, actor: &Actor) -> Result<Outcome> {
        Ok(db::edit_catalogue::delete_agreement(&state.db, slug, actor).await?)
    }

    fn confirm(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        record: &Self::Record,
        refusal: Option<String>,
    ) -> DeletePage {
        let f = &record.fields;
        let target = Target {
            kind: texts::text(context.lang).agreement,
            names: (&f.name_zh, &f.name_en),
            folder: "agreements",
            slug: &f.slug,
        };
        delete_page(state, context, staff, target, refusal)
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
