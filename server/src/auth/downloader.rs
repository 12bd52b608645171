//! Who may download, when `oidc.downloads` is on: a campus sign-in (through
//! [`super::sso`]) whose `oidc.download_claim` holds one of `oidc.download_values`
//! gets a cookie naming a pseudonym for eight hours — an HMAC of the provider's subject
//! with the server's secret, never the name — which the download then records and counts
//! against `oidc.downloads_per_person_per_day`.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use time::Duration;

use super::login::with_cookie;
use crate::auth;
use crate::error::Result;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;

/// How long a downloader stays signed in.
const SIGNED_IN: Duration = Duration::hours(8);
/// What the cookie's signature covers.
const PURPOSE: &str = "downloader v1";

/// An account the licences do not cover.
#[derive(Template, WebTemplate)]
#[template(path = "download_refused.html")]
pub struct RefusedPage {
    layout: Layout,
    message: String,
}

/// The pseudonym of the provider's `subject`: 32 hex digits, the same at every sign-in
/// and on every portal sharing the token secret, and no way back to the subject.
pub fn pseudonym(state: &AppState, subject: &str) -> String {
    state.tokens.sign("person v1", subject)[..32].to_owned()
}

/// After a campus sign-in for the download of `slug`: the cookie and back to the
/// download, or a page saying this account may not download.
pub fn signed_in(
    state: &AppState,
    context: &PageContext,
    subject: &str,
    name: &str,
    values: &[String],
    slug: &str,
) -> Result<Response> {
    let oidc = &state.config.oidc;
    if !values.iter().any(|v| oidc.download_values.contains(v)) {
        tracing::info!(download.version = %slug, "a campus account the licences do not cover");
        let layout = Layout::new(state, context, Nav::Catalogue);
        let message = layout.t.download_refused_body.replace("{name}", name);
        let page = RefusedPage { layout, message };
        return Ok((StatusCode::FORBIDDEN, page).into_response());
    }
    let person = pseudonym(state, subject);
    let expires = (state.now() + SIGNED_IN).unix_timestamp();
    let value = format!("{person}.{expires}");
    let cookie = format!("{value}.{}", state.tokens.sign(PURPOSE, &value));
    with_cookie(
        Redirect::to(&format!("/download/{slug}")).into_response(),
        &auth::cookie_header(
            state,
            cookie_name(state),
            &cookie,
            SIGNED_IN.whole_seconds(),
        ),
    )
}

/// The signed-in downloader's pseudonym, if the request carries a good cookie.
pub fn person(state: &AppState, context: &PageContext) -> Option<String> {
    let cookie = context.cookie(cookie_name(state))?;
    let (value, signature) = cookie.rsplit_once('.')?;
    if value.len() > 60 || !state.tokens.signed(PURPOSE, value, signature) {
        return None;
    }
    let (person, expires) = value.split_once('.')?;
    let expires: i64 = expires.parse().ok()?;
    (expires >= state.now().unix_timestamp()).then(|| person.to_owned())
}

fn cookie_name(state: &AppState) -> &'static str {
    auth::staff_cookie_name(state, "__Host-portal_downloader")
}
