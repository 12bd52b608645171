//! `/admin/tutorials`: each family's tutorial, edited one language at a time, with a
//! preview rendered on the server by the same sanitising renderer the public page uses
//! (no JavaScript: the Preview button posts the form and gets it back with the HTML).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::catalogue::done_message;
use super::form::{self, Done, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::edit_audit::Outcome;
use crate::db::edit_content::TutorialFields;
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::markdown;
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::edit::{self as edit_texts, EditText};

/// The longest body accepted, in characters (the database checks the same).
pub const MAX_BODY_CHARS: usize = 200_000;

/// The list of tutorials in both languages.
#[derive(Template, WebTemplate)]
#[template(path = "admin/tutorials.html")]
pub struct TutorialsPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    done: Option<&'static str>,
    tutorials: Vec<TutorialItem>,
}

/// A tutorial in the list: its title in each language.
#[derive(Debug)]
pub struct TutorialItem {
    slug: String,
    /// `(language tag, language name, title)`, zh-TW first.
    titles: Vec<(&'static str, &'static str, String)>,
}

/// The editor of one tutorial in one language.
#[derive(Template, WebTemplate)]
#[template(path = "admin/tutorial_form.html")]
pub struct TutorialPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    slug: String,
    /// The language being edited (not the page's).
    content_lang: Lang,
    content_lang_name: &'static str,
    /// The inputs' attributes, with the edited language's `lang`.
    title_attrs: String,
    body_attrs: String,
    form: TutorialForm,
    problems: Problems,
    /// The rendered, sanitised body, after Preview.
    preview_html: Option<String>,
}

/// The tutorial form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TutorialForm {
    csrf: Secret,
    title: String,
    body_md: String,
    /// `preview` or `save`.
    action: String,
}

/// The query of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

/// `GET /admin/tutorials`
pub async fn get_tutorials(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<TutorialsPage> {
    let e = edit_texts::text(context.lang);
    let mut tutorials: Vec<TutorialItem> = Vec::new();
    for lang in Lang::ALL {
        for row in db::content::list_tutorials(&state.db, lang).await? {
            let title = (lang.tag(), language_name(e, lang), row.title);
            match tutorials.iter_mut().find(|t| t.slug == row.slug) {
                Some(item) => item.titles.push(title),
                None => tutorials.push(TutorialItem {
                    slug: row.slug,
                    titles: vec![title],
                }),
            }
        }
    }
    Ok(TutorialsPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "tutorials"),
        e,
        done: Done::parse(query.done.as_deref()).map(|done| done_message(e, done)),
        tutorials,
    })
}

/// `GET /admin/tutorials/{slug}/{lang}`
pub async fn get_tutorial(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<TutorialPage> {
    staff.require_admin()?;
    let content_lang = Lang::from_tag(&lang).ok_or(Error::NotFound)?;
    let row = find(&state, &slug, content_lang).await?;
    let typed = TutorialForm {
        title: row.title,
        body_md: row.body_md,
        ..TutorialForm::default()
    };
    Ok(page(
        &state,
        &context,
        &staff,
        (slug, content_lang),
        typed,
        Problems::default(),
        None,
    ))
}

/// `POST /admin/tutorials/{slug}/{lang}`: `action=preview` shows the form again with the
/// rendered body beside it; `action=save` stores it.
pub async fn post_tutorial(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path((slug, lang)): Path<(String, String)>,
    Form(typed): Form<TutorialForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let content_lang = Lang::from_tag(&lang).ok_or(Error::NotFound)?;
    find(&state, &slug, content_lang).await?;
    let e = edit_texts::text(context.lang);
    let mut problems = Problems::default();
    let fields = TutorialFields {
        title: form::text(
            &mut problems,
            "title",
            &typed.title,
            200,
            false,
            e.title_length,
        ),
        body_md: form::text(
            &mut problems,
            "body_md",
            &typed.body_md,
            MAX_BODY_CHARS,
            true,
            e.body_length,
        ),
    };
    let what = (slug, content_lang);
    if typed.action == "preview" {
        // The language being edited decides the placeholders' values, not the page's.
        let html = markdown::render(&fields.body_md, &state.placeholders(content_lang));
        let page = page(&state, &context, &staff, what, typed, problems, Some(html));
        return Ok(page.into_response());
    }
    if !problems.is_empty() {
        return form::refused(page(&state, &context, &staff, what, typed, problems, None));
    }
    let actor = form::actor(&staff, &state);
    match db::edit_content::update_tutorial(&state.db, &what.0, content_lang, &fields, &actor)
        .await?
    {
        Outcome::Done => Ok(form::done("/admin/tutorials", Done::Saved, &what.0)),
        _ => Err(Error::NotFound),
    }
}

async fn find(state: &AppState, slug: &str, lang: Lang) -> Result<db::content::TutorialRow> {
    if slug.len() > 20 {
        return Err(Error::NotFound);
    }
    db::content::find_tutorial(&state.db, slug, lang)
        .await?
        .ok_or(Error::NotFound)
}

fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    (slug, content_lang): (String, Lang),
    form: TutorialForm,
    mut problems: Problems,
    preview_html: Option<String>,
) -> TutorialPage {
    let e = edit_texts::text(context.lang);
    problems.label(&[("title", e.tutorial_title), ("body_md", e.tutorial_body)]);
    TutorialPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "tutorials"),
        e,
        slug,
        content_lang,
        content_lang_name: language_name(e, content_lang),
        title_attrs: format!("maxlength='200' required lang='{}'", content_lang.tag()),
        body_attrs: format!(
            "class='markdown' spellcheck='false' lang='{}'",
            content_lang.tag()
        ),
        form,
        problems,
        preview_html,
    }
}

fn language_name(e: &EditText, lang: Lang) -> &'static str {
    match lang {
        Lang::ZhTw => e.lang_zh,
        Lang::En => e.lang_en,
    }
}
