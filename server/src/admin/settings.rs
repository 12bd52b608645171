//! `/admin/settings`: the institution's names, IT office, help desk and VPN page, as the
//! public pages show them.
//!
//! Only values that differ from the configuration are stored, so a later change to the
//! configuration file still reaches the keys staff did not edit. Saving replaces this
//! portal's snapshot at once; other portals on the same database pick it up within
//! `settings::RELOAD_EVERY`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::catalogue::done_message;
use super::form::{self, Done, Problems, allow_change};
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::error::Result;
use crate::extract::Query;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::settings::{self, Problem, Site};
use crate::state::AppState;
use crate::texts::edit::{self as edit_texts, EditText};

const PAGE: &str = "/admin/settings";

/// The settings form, for admins, and the values in force, for viewers.
#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    done: Option<&'static str>,
    institution: Vec<SettingField>,
    helpdesk: Vec<SettingField>,
    any_edited: bool,
    problems: Problems,
}

/// One setting as the form shows it.
#[derive(Debug)]
pub struct SettingField {
    /// The form field's name.
    name: &'static str,
    label: &'static str,
    /// `text`, `tel`, `email`, `url`, or `checkbox` for a yes-or-no setting.
    kind: &'static str,
    value: String,
    /// The field's note: optional, or what the configuration says when edited.
    hint: String,
    attrs: &'static str,
}

/// The query of the page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

/// Each field: its form name, its settings key, its input type and attributes. The first
/// six are the institution's, the rest the help desk's.
const FIELDS: [(&str, &str, &str, &str); 11] = [
    (
        "name_zh",
        "institution.name_zh",
        "text",
        "maxlength='200' required lang='zh-TW'",
    ),
    (
        "name_en",
        "institution.name_en",
        "text",
        "maxlength='200' required lang='en'",
    ),
    (
        "it_office_zh",
        "institution.it_office_zh",
        "text",
        "maxlength='200' required lang='zh-TW'",
    ),
    (
        "it_office_en",
        "institution.it_office_en",
        "text",
        "maxlength='200' required lang='en'",
    ),
    ("vpn_url", "institution.vpn_url", "url", "maxlength='500'"),
    (
        "offer_ended_licences",
        "institution.offer_ended_licences",
        "checkbox",
        "",
    ),
    (
        "team_zh",
        "helpdesk.team_zh",
        "text",
        "maxlength='200' required lang='zh-TW'",
    ),
    (
        "team_en",
        "helpdesk.team_en",
        "text",
        "maxlength='200' required lang='en'",
    ),
    ("phone", "helpdesk.phone", "tel", "maxlength='40' required"),
    (
        "extensions",
        "helpdesk.extensions",
        "text",
        "maxlength='120' inputmode='numeric'",
    ),
    ("email", "helpdesk.email", "email", "maxlength='200'"),
];

/// `GET /admin/settings`: viewers see the values, admins may change them.
pub async fn get_settings(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<SettingsPage> {
    let snapshot = state.site();
    let done = Done::parse(query.done.as_deref());
    Ok(page(
        &state,
        &context,
        &staff,
        &snapshot.site,
        Problems::default(),
        done,
    ))
}

/// `POST /admin/settings`
pub async fn post_settings(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<HashMap<String, String>>,
) -> Result<Response> {
    let csrf = Secret::new(typed.get("csrf").cloned().unwrap_or_default());
    allow_change(&staff, &csrf)?;
    let e = edit_texts::text(context.lang);
    let before = state.site().site.clone();
    let mut site = before.clone();
    for (name, key, _, _) in FIELDS {
        site.set(key, typed.get(name).map_or("", String::as_str));
    }
    let mut problems = Problems::default();
    for (key, problem) in site.problems() {
        let name = FIELDS.iter().find(|f| f.1 == key).map_or("", |f| f.0);
        problems.add(name, message(e, problem));
    }
    if !problems.is_empty() {
        return form::refused(page(&state, &context, &staff, &site, problems, None));
    }
    let defaults = state.site.defaults();
    let overrides: Vec<(&str, String)> = Site::KEYS
        .iter()
        .filter(|key| site.get(key) != defaults.get(key))
        .map(|key| (*key, site.get(key)))
        .collect();
    store(&state, &staff, &overrides, &before, &site).await?;
    Ok(form::done(PAGE, Done::Saved, ""))
}

/// `POST /admin/settings/reset`: every key follows the configuration again.
pub async fn post_reset_settings(
    State(state): State<AppState>,
    staff: Staff,
    Form(confirm): Form<form::CsrfOnly>,
) -> Result<Response> {
    allow_change(&staff, &confirm.csrf)?;
    let before = state.site().site.clone();
    let after = state.site.defaults().clone();
    store(&state, &staff, &[], &before, &after).await?;
    Ok(form::done(PAGE, Done::Saved, ""))
}

/// Saves, audits, and reloads this portal's snapshot so the next page shows the change.
async fn store(
    state: &AppState,
    staff: &Staff,
    overrides: &[(&str, String)],
    before: &Site,
    after: &Site,
) -> Result<()> {
    let actor = form::actor(staff, state);
    let (old, new) = (before.to_json(), after.to_json());
    db::settings::save(&state.db, overrides, &old, &new, &actor).await?;
    settings::reload(&state.db, &state.site).await?;
    Ok(())
}

fn message(e: &EditText, problem: Problem) -> &'static str {
    match problem {
        Problem::Length => e.problem_length,
        Problem::Phone => e.problem_phone,
        Problem::Extension => e.problem_extension,
        Problem::Email => e.problem_email,
        Problem::Url => e.problem_url,
    }
}

/// A field's label, and its note when it may be left empty.
fn label(e: &EditText, name: &str) -> (&'static str, &'static str) {
    match name {
        "name_zh" => (e.settings_name_zh, ""),
        "name_en" => (e.settings_name_en, ""),
        "it_office_zh" => (e.settings_it_office_zh, ""),
        "it_office_en" => (e.settings_it_office_en, ""),
        "vpn_url" => (e.settings_vpn_url, e.settings_optional),
        "offer_ended_licences" => (e.settings_offer_ended, e.settings_offer_ended_hint),
        "team_zh" => (e.settings_team_zh, ""),
        "team_en" => (e.settings_team_en, ""),
        "phone" => (e.settings_phone, ""),
        "extensions" => (e.settings_extensions, e.settings_extensions_hint),
        _ => (e.settings_email, e.settings_optional),
    }
}

fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    site: &Site,
    mut problems: Problems,
    done: Option<Done>,
) -> SettingsPage {
    let e = edit_texts::text(context.lang);
    let snapshot = state.site();
    let defaults = state.site.defaults();
    let fields: Vec<SettingField> = FIELDS
        .into_iter()
        .map(|(name, key, kind, attrs)| {
            let (label, optional) = label(e, name);
            problems.label(&[(name, label)]);
            // An edited value says what the configuration would show instead.
            let hint = if snapshot.edited.contains(&key) {
                let configured = Some(defaults.get(key)).filter(|c| !c.is_empty());
                let configured = configured.unwrap_or_else(|| e.audit_empty_value.to_owned());
                format!("{optional} {} {configured}", e.settings_edited)
                    .trim()
                    .to_owned()
            } else {
                optional.to_owned()
            };
            SettingField {
                name,
                label,
                kind,
                value: site.get(key),
                hint,
                attrs,
            }
        })
        .collect();
    let mut fields = fields.into_iter();
    SettingsPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "settings"),
        e,
        done: done.map(|done| done_message(e, done)),
        institution: fields.by_ref().take(6).collect(),
        helpdesk: fields.collect(),
        any_edited: !snapshot.edited.is_empty(),
        problems,
    }
}
