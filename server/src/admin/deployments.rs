//! `/admin/deployments`: deployment tokens for PCs that IT manages by the hundred.
//!
//! A lab administrator creates one for a named unit (a computer classroom, a
//! department's PCs) and a catalogue version, downloads its zip (the same zip as a
//! download, its `activator.toml` carrying the deployment's token), and runs
//! `activator.exe --quiet` on every PC through GPO, SCCM or Intune. Reports with the token
//! are accepted until it expires or is revoked here; they are rate-limited per PC rather
//! than per token. Creating, downloading and revoking are for admins; viewers see the
//! list. Revoking takes effect on this portal at once and on others sharing the database
//! within their refresh (30 s).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::catalogue::{Choice, ChoiceGroup};
use super::form::{self, CsrfOnly, Done, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db::deployments::{self as store, DeploymentRow, NewDeployment};
use crate::db::edit_audit::Outcome;
use crate::download::{attachment, zip_for};
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::deployments::{self as texts, DeploymentText};
use crate::texts::edit::{self as edit_texts, EditText};

const PAGE: &str = "/admin/deployments";
/// The list counts the PCs heard from in this many days.
const RECENT_DAYS: i64 = 30;
/// The longest a deployment's token may last, in days.
const MAX_DAYS: i64 = 3 * 366;
/// The longest unit name, in characters (the database checks the same).
const MAX_UNIT_CHARS: usize = 200;

/// The list of deployments and, for admins, the form for a new one.
#[derive(Template, WebTemplate)]
#[template(path = "admin/deployments.html")]
pub struct DeploymentsPage {
    layout: Layout,
    chrome: Chrome,
    t: &'static DeploymentText,
    e: &'static EditText,
    machines_heading: String,
    done: Option<&'static str>,
    rows: Vec<Item>,
    versions: Vec<ChoiceGroup>,
    form: NewForm,
    problems: Problems,
}

/// One deployment as listed.
#[derive(Debug)]
pub struct Item {
    id: String,
    unit: String,
    version: String,
    created: String,
    created_by: String,
    expires: String,
    machines: i64,
    last_report: Option<String>,
    /// `active`, `expired` or `revoked`.
    state: &'static str,
    state_label: &'static str,
}

/// The new-deployment form, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    unit: String,
    version: String,
    until: String,
    csrf: Secret,
}

/// The query of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

/// `GET /admin/deployments`
pub async fn get_deployments(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<DeploymentsPage> {
    let done = match query.done.as_deref() {
        Some("revoked") => Some(texts::text(context.lang).done_revoked),
        other => Done::parse(other).map(|_| texts::text(context.lang).done_created),
    };
    page(
        &state,
        &context,
        &staff,
        NewForm::default(),
        Problems::default(),
        done,
    )
    .await
}

/// `POST /admin/deployments`: creates a deployment for a unit and a version.
pub async fn post_deployment(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<NewForm>,
) -> Result<Response> {
    allow_change(&staff, &typed.csrf)?;
    let t = texts::text(context.lang);
    let mut problems = Problems::default();
    let unit = form::text(
        &mut problems,
        "unit",
        &typed.unit,
        MAX_UNIT_CHARS,
        false,
        t.problem_unit,
    );
    let version = typed.version.trim();
    let row = if crate::extract::is_slug(version) {
        state.version(version).await?
    } else {
        None
    };
    let row = row.filter(|row| !row.version.covers.is_empty());
    if row.is_none() {
        problems.add("version", t.problem_version);
    }
    let today = state.today();
    let until = form::date(&mut problems, "until", &typed.until, t.problem_until)
        .filter(|until| *until > today && *until <= today + Duration::days(MAX_DAYS));
    if until.is_none() {
        problems.add("until", t.problem_until);
    }
    let expires_at = until
        .and_then(|until| until.next_day())
        .and_then(|after| state.day_start(after));
    let (Some(row), Some(expires_at), true) = (row, expires_at, problems.is_empty()) else {
        return form::refused(page(&state, &context, &staff, typed, problems, None).await?);
    };
    let issued = state.tokens.issue(&row.version.slug, expires_at)?;
    let new = NewDeployment {
        token_id: &issued.id,
        unit: &unit,
        version_slug: &row.version.slug,
        expires_at,
    };
    store::create(&state.db, &new, &form::actor(&staff, &state)).await?;
    crate::refresh_token_ids(&state).await?;
    Ok(form::done(PAGE, Done::Created, &format!("d-{}", issued.id)))
}

/// `GET /admin/deployments/{id}/zip`: the unit's zip, with the deployment's token.
pub async fn get_deployment_zip(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    // The zip holds a token that vouches for reports: admins only.
    staff.require_admin()?;
    let deployment = find_active(&state, &id).await?;
    let row = state
        .version(&deployment.version_slug)
        .await?
        .filter(|row| !row.version.covers.is_empty())
        .ok_or(Error::NotFound)?;
    let prepared = state
        .bundles
        .ready()
        .await
        .ok_or(Error::Unavailable("the activator download"))?;
    let token = state.tokens.token(
        &deployment.token_id,
        &row.version.slug,
        deployment.expires_at,
    );
    let zip = zip_for(&state, &row.version.slug, &row, &token, &prepared).await?;
    tracing::info!(deployment = %deployment.token_id, version = %row.version.slug, "served a deployment zip");
    attachment(
        zip,
        &format!(
            "activator-{}-deployment-{}.zip",
            row.version.slug,
            &deployment.token_id[..8]
        ),
    )
}

/// `POST /admin/deployments/{id}/revoke`: its token authenticates no more reports.
pub async fn post_revoke_deployment(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(confirm): Form<CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    if !crate::token::is_id(&id) {
        return Err(Error::NotFound);
    }
    match store::revoke(&state.db, &id, &form::actor(&staff, &state)).await? {
        Outcome::Done => {
            crate::refresh_token_ids(&state).await?;
            Ok(
                axum::response::Redirect::to(&format!("{PAGE}?done=revoked#d-{id}"))
                    .into_response(),
            )
        }
        _ => Err(Error::NotFound),
    }
}

/// The deployment `id`, if it exists and is neither revoked nor expired.
async fn find_active(state: &AppState, id: &str) -> Result<DeploymentRow> {
    if !crate::token::is_id(id) {
        return Err(Error::NotFound);
    }
    let now = state.now();
    store::find(&state.db, id, now)
        .await?
        .filter(|d| d.revoked_at.is_none() && d.expires_at > now)
        .ok_or(Error::NotFound)
}

async fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    mut form: NewForm,
    mut problems: Problems,
    done: Option<&'static str>,
) -> Result<DeploymentsPage> {
    let lang = context.lang;
    let t = texts::text(lang);
    let now = state.now();
    let since = now - Duration::days(RECENT_DAYS);
    let versions = crate::db::catalog::list_versions(&state.db).await?;
    let name_of =
        |slug: &str| crate::catalog::name_or_slug(versions.iter().map(|v| &v.version), slug, lang);
    let local = |at: OffsetDateTime| state.local_time(at);
    let rows = store::list(&state.db, since)
        .await?
        .into_iter()
        .map(|d| {
            let (state_key, state_label) = if d.revoked_at.is_some() {
                ("revoked", t.state_revoked)
            } else if d.expires_at <= now {
                ("expired", t.state_expired)
            } else {
                ("active", t.state_active)
            };
            Item {
                version: name_of(&d.version_slug),
                unit: d.unit,
                created: local(d.created_at),
                created_by: d.created_by,
                // The last day it is valid, as it was typed.
                expires: state
                    .local_date(d.expires_at - Duration::seconds(1))
                    .to_string(),
                machines: d.machines,
                last_report: d.last_report_at.map(local),
                state: state_key,
                state_label,
                id: d.token_id,
            }
        })
        .collect();
    let mut groups: Vec<ChoiceGroup> = Vec::new();
    for v in versions.iter().filter(|v| !v.version.covers.is_empty()) {
        let label = lang.pick(&v.product_name_zh, &v.product_name_en).to_owned();
        let choice = Choice {
            value: v.version.slug.clone(),
            label: v.version.name(lang).to_owned(),
        };
        match groups.last_mut() {
            Some(group) if group.label == label => group.choices.push(choice),
            _ => groups.push(ChoiceGroup {
                label,
                choices: vec![choice],
            }),
        }
    }
    if form.until.is_empty() {
        form.until = default_until(state.today()).to_string();
    }
    problems.label(&[
        ("unit", t.field_unit),
        ("version", t.field_version),
        ("until", t.field_until),
    ]);
    Ok(DeploymentsPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "deployments"),
        t,
        e: edit_texts::text(lang),
        machines_heading: t.col_machines.replace("{days}", &RECENT_DAYS.to_string()),
        done,
        rows,
        versions: groups,
        form,
        problems,
    })
}

/// A year from `today`: what the form suggests.
fn default_until(today: Date) -> Date {
    today + Duration::days(365)
}
