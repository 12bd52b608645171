//! Activation tutorials: one per family, in both languages, stored as Markdown.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use crate::db;
use crate::error::{Error, Result};
use crate::layout::{Layout, Nav, PageContext};
use crate::markdown::{self, Heading};
use crate::state::AppState;

/// The list of tutorials.
#[derive(Template, WebTemplate)]
#[template(path = "tutorials.html")]
pub struct TutorialsPage {
    layout: Layout,
    tutorials: Vec<TutorialLink>,
}

/// One tutorial.
#[derive(Template, WebTemplate)]
#[template(path = "tutorial.html")]
pub struct TutorialPage {
    layout: Layout,
    title: String,
    body_html: String,
    contents: Vec<Heading>,
    applies_to: Vec<VersionLink>,
}

/// A tutorial in the list.
#[derive(Debug)]
pub struct TutorialLink {
    url: String,
    title: String,
    applies_to: Vec<VersionLink>,
}

/// A catalogue version a tutorial covers.
#[derive(Debug)]
pub struct VersionLink {
    url: String,
    name: String,
}

/// `GET /tutorials`
pub async fn list_tutorials(
    State(state): State<AppState>,
    context: PageContext,
) -> Result<TutorialsPage> {
    let rows = db::content::list_tutorials(&state.db, context.lang).await?;
    let mut tutorials = Vec::with_capacity(rows.len());
    for row in rows {
        tutorials.push(TutorialLink {
            url: format!("/tutorials/{}", row.slug),
            applies_to: covered_versions(&state, &context, &row.slug).await?,
            title: row.title,
        });
    }
    Ok(TutorialsPage {
        layout: Layout::new(&state, &context, Nav::Tutorials),
        tutorials,
    })
}

/// `GET /tutorials/{slug}`
pub async fn get_tutorial(
    State(state): State<AppState>,
    context: PageContext,
    Path(slug): Path<String>,
) -> Result<TutorialPage> {
    if slug.len() > 20 {
        return Err(Error::NotFound);
    }
    let row = db::content::find_tutorial(&state.db, &slug, context.lang)
        .await?
        .ok_or(Error::NotFound)?;
    let (body_html, contents) =
        markdown::render_with_contents(&row.body_md, &state.placeholders(context.lang));
    Ok(TutorialPage {
        applies_to: covered_versions(&state, &context, &slug).await?,
        layout: Layout::new(&state, &context, Nav::Tutorials),
        title: row.title,
        body_html,
        contents,
    })
}

/// The catalogue versions whose tutorial is `slug`.
async fn covered_versions(
    state: &AppState,
    context: &PageContext,
    slug: &str,
) -> Result<Vec<VersionLink>> {
    let rows = db::catalog::list_versions(&state.db).await?;
    Ok(rows
        .into_iter()
        .filter(|row| row.version.has_tutorial && row.version.family.tutorial_slug() == Some(slug))
        .map(|row| VersionLink {
            url: format!("/catalog/{}", row.version.slug),
            name: row.version.name(context.lang).to_owned(),
        })
        .collect())
}
