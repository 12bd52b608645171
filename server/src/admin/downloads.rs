//! `/admin/downloads`: the downloads passed around (their token reported from more PCs
//! than `limits.machines_per_download_token`), and revoking download tokens — one, every
//! one of a network, or every one issued before a date. Viewers see the list; revoking
//! is for admins, audited, and refused by every portal on the database (this one at once,
//! others within their 30-second refresh).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::{self, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db::downloads::{self as store, Revocation};
use crate::error::Result;
use crate::extract::Query;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::downloads::{self as texts, DownloadText};
use crate::texts::edit::{self as edit_texts, EditText};

const PAGE: &str = "/admin/downloads";
/// The most passed-around downloads listed.
const LISTED: i64 = 200;

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin/downloads.html")]
pub struct DownloadsPage {
    layout: Layout,
    chrome: Chrome,
    t: &'static DownloadText,
    e: &'static EditText,
    done: Option<String>,
    lifetime: String,
    rows: Vec<Item>,
    form: RevokeForm,
    problems: Problems,
}

/// One passed-around download as listed.
#[derive(Debug)]
pub struct Item {
    id: String,
    created: String,
    version: String,
    network: String,
    machines: i32,
    refused: i32,
    revoked: bool,
}

/// The revoke form: `what` is `one`, `network` or `before`, and the field it needs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    csrf: Secret,
    what: String,
    token: String,
    network: String,
    before: String,
}

/// The query of the page after a revocation.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    revoked: Option<u64>,
}

/// `GET /admin/downloads`
pub async fn get_downloads(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<DownloadsPage> {
    let t = texts::text(context.lang);
    let done = query.revoked.map(|n| match n {
        0 => t.done_none.to_owned(),
        n => t.done_revoked.replace("{n}", &n.to_string()),
    });
    page(
        &state,
        &context,
        &staff,
        RevokeForm::default(),
        Problems::default(),
        done,
    )
    .await
}

/// `POST /admin/downloads/revoke`
pub async fn post_revoke(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<RevokeForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let t = texts::text(context.lang);
    let mut problems = Problems::default();
    let which = match typed.what.as_str() {
        "one" => {
            let id = typed.token.trim().to_ascii_lowercase();
            if crate::token::is_id(&id) {
                Some(Revocation::One(id))
            } else {
                problems.add("token", t.problem_token);
                None
            }
        }
        "network" => {
            let network = typed.network.trim();
            if (1..=64).contains(&network.chars().count()) {
                Some(Revocation::Network(network.to_owned()))
            } else {
                problems.add("network", t.problem_network);
                None
            }
        }
        "before" => {
            let date = form::date(&mut problems, "before", &typed.before, t.problem_before)
                .filter(|date| *date <= state.today());
            let at = date.and_then(|date| state.day_start(date));
            if at.is_none() && !problems.has("before") {
                problems.add("before", t.problem_before);
            }
            at.map(Revocation::IssuedBefore)
        }
        _ => {
            return Err(crate::error::Error::InvalidQuery {
                field: "what",
                reason: crate::error::QueryProblem::NotOneOf(vec!["one", "network", "before"]),
            });
        }
    };
    let Some(which) = which else {
        return form::refused(page(&state, &context, &staff, typed, problems, None).await?);
    };
    let revoked = store::revoke(&state.db, &which, &form::actor(&staff, &state)).await?;
    if revoked > 0 {
        crate::refresh_token_ids(&state).await?;
        tracing::info!(revoked, by = %staff.username, "revoked download tokens");
    }
    Ok(Redirect::to(&format!("{PAGE}?revoked={revoked}")).into_response())
}

async fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    form: RevokeForm,
    mut problems: Problems,
    done: Option<String>,
) -> Result<DownloadsPage> {
    let lang = context.lang;
    let t = texts::text(lang);
    let versions = crate::db::catalog::list_versions(&state.db).await?;
    let name_of =
        |slug: &str| crate::catalog::name_or_slug(versions.iter().map(|v| &v.version), slug, lang);
    let rows = store::passed_around(&state.db, LISTED)
        .await?
        .into_iter()
        .map(|d| Item {
            created: state.local_time(d.created_at),
            version: name_of(&d.version_slug),
            network: d.network,
            machines: d.machines,
            refused: d.refused_machines,
            revoked: d.revoked_at.is_some(),
            id: d.token_id,
        })
        .collect();
    problems.label(&[
        ("token", t.field_token),
        ("network", t.field_network),
        ("before", t.field_before),
    ]);
    Ok(DownloadsPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "downloads"),
        t,
        e: edit_texts::text(lang),
        done,
        lifetime: t
            .lifetime
            .replace("{days}", &state.config.download_token_days.to_string()),
        rows,
        form,
        problems,
    })
}
