//! Creating, editing (and moving between agreements) and deleting products.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::{Choice, ChoiceGroup, DeletePage, LIST, Target, delete_page, fill};
use crate::admin::editor::{Deletable, Editor};
use crate::admin::form::{self, Problems};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::edit_audit::{Actor, Outcome};
use crate::db::edit_catalogue::ProductFields;
use crate::error::{Error, Result};
use crate::extract::is_slug;
use crate::lang::Lang;
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

/// The product editor's part of the shared flow.
pub struct Products;

impl Editor for Products {
    type Form = ProductForm;
    type NewQuery = NewQuery;
    type Fields = ProductFields;
    type Record = db::edit_catalogue::ProductRecord;
    type Page = ProductPage;

    const LIST: &'static str = LIST;

    fn csrf(form: &ProductForm) -> &Secret {
        &form.csrf
    }

    fn blank(query: NewQuery) -> ProductForm {
        ProductForm {
            agreement: query.agreement.unwrap_or_default(),
            ..ProductForm::default()
        }
    }

    async fn find(state: &AppState, slug: &str) -> Result<Self::Record> {
        if !is_slug(slug) {
            return Err(Error::NotFound);
        }
        db::edit_catalogue::find_product(&state.db, slug)
            .await?
            .ok_or(Error::NotFound)
    }

    fn key(record: &Self::Record) -> String {
        record.fields.slug.clone()
    }

    fn form_of(record: Self::Record) -> ProductForm {
        let f = record.fields;
        ProductForm {
            csrf: Secret::default(),
            agreement: f.agreement,
            slug: f.slug,
            name_zh: f.name_zh,
            name_en: f.name_en,
            sort_order: f.sort_order.to_string(),
        }
    }

    async fn check(
        _: &AppState,
        lang: Lang,
        typed: &ProductForm,
        _: Option<&str>,
    ) -> Result<(ProductFields, Problems)> {
        Ok(check(typed, texts::text(lang)))
    }

    async fn save(
        state: &AppState,
        existing: Option<&str>,
        fields: &ProductFields,
        actor: &Actor,
    ) -> Result<Outcome> {
        Ok(match existing {
            Some(slug) => {
                db::edit_catalogue::update_product(&state.db, slug, fields, actor).await?
            }
            None => db::edit_catalogue::create_product(&state.db, fields, actor).await?,
        })
    }

    fn anchor(fields: &ProductFields) -> String {
        format!("p-{}", fields.slug)
    }

    fn place(outcome: Outcome, lang: Lang, problems: &mut Problems) {
        let c = texts::text(lang);
        match outcome {
            Outcome::NoParent => problems.add("agreement", c.parent_missing),
            _ => problems.add("slug", c.slug_taken),
        }
    }

    async fn page(
        state: &AppState,
        context: &PageContext,
        staff: &Staff,
        existing: Option<String>,
        form: ProductForm,
        problems: Problems,
    ) -> Result<ProductPage> {
        page(state, context, staff, existing, form, problems).await
    }
}

impl Deletable for Products {
    type Confirm = DeletePage;

    async fn refusal(
        state: &AppState,
        lang: Lang,
        record: &Self::Record,
    ) -> Result<Option<String>> {
        let versions = db::edit_versions::list_versions(&state.db).await?;
        let n_versions = versions
            .iter()
            .filter(|v| v.fields.product == record.fields.slug)
            .count();
        let c = texts::text(lang);
        Ok((n_versions > 0).then(|| fill(c.in_use_versions, n_versions, "")))
    }

    async fn delete(state: &AppState, slug: &str, actor: &Actor) -> Result<Outcome> {
        Ok(db::edit_catalogue::delete_product(&state.db, slug, actor).await?)
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
            kind: texts::text(context.lang).product,
            names: (&f.name_zh, &f.name_en),
            folder: "products",
            slug: &f.slug,
        };
        delete_page(state, context, staff, target, refusal)
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
