//! Single sign-on for staff with the campus identity provider (OpenID Connect, the
//! `openidconnect` crate): `GET /admin/login/sso` sends the browser to the provider,
//! `GET /admin/login/sso/callback` takes it back.
//!
//! The authorization code flow with PKCE, state and nonce: the three are made at the
//! start and kept in a short-lived cookie (10 minutes, `HttpOnly`, `SameSite=Lax`)
//! signed with the server's secret, so any portal on the database can finish the
//! sign-in. The callback checks the state against the cookie, exchanges the code with
//! the verifier, and verifies the ID token (signature with the provider's keys, issuer,
//! audience, expiry, nonce). The account's role comes from `oidc.role_claim` at every
//! sign-in (no matching value: refused, with a page that says so); the session is the
//! portal's own, as for a password; every sign-in and refusal is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use serde::Deserialize;
use time::Duration;

use super::Role;
use super::login::{LoginPage, old_session, with_cookie};
use crate::auth;
use crate::db;
use crate::db::audit::Action;
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::layout::PageContext;
use crate::state::AppState;

/// How long a started sign-in may take.
const PENDING: Duration = Duration::minutes(10);
/// What the pending cookie's signature covers.
const PURPOSE: &str = "sso v1";

/// The provider's answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where a campus sign-in leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The staff pages.
    Staff,
    /// The download of this version (a slug), when downloads need a sign-in.
    Download(String),
}

impl Target {
    fn encode(&self) -> String {
        match self {
            Target::Staff => "staff".to_owned(),
            Target::Download(slug) => format!("download:{slug}"),
        }
    }

    fn decode(text: &str) -> Option<Target> {
        match text.strip_prefix("download:") {
            Some(slug) => crate::extract::is_slug(slug).then(|| Target::Download(slug.to_owned())),
            None => (text == "staff").then_some(Target::Staff),
        }
    }
}

/// `GET /admin/login/sso`: to the provider.
pub async fn get_sso(State(state): State<AppState>) -> Result<Response> {
    start(&state, &Target::Staff).await
}

/// `GET /download/{slug}/sign-in`: to the provider, then back to the download.
pub async fn get_download_sign_in(
    State(state): State<AppState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
) -> Result<Response> {
    if !state.config.oidc.downloads || !crate::extract::is_slug(&slug) {
        return Err(Error::NotFound);
    }
    start(&state, &Target::Download(slug)).await
}

/// Sends the browser to the provider, to come back to `target`.
async fn start(state: &AppState, target: &Target) -> Result<Response> {
    let http = http().map_err(failed)?;
    let client = client(state, &http).await.map_err(failed)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .add_scope(Scope::new("email".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let expires = (state.now() + PENDING).unix_timestamp();
    let pending = format!(
        "{}.{}.{}.{expires}.{}",
        csrf.secret(),
        nonce.secret(),
        verifier.secret(),
        target.encode()
    );
    let cookie = format!("{pending}.{}", state.tokens.sign(PURPOSE, &pending));
    with_cookie(
        Redirect::to(url.as_str()).into_response(),
        &pending_cookie(state, &cookie, PENDING.whole_seconds()),
    )
}

/// `GET /admin/login/sso/callback`: back from the provider.
pub async fn get_callback(
    State(state): State<AppState>,
    context: PageContext,
    Query(query): Query<CallbackQuery>,
) -> Result<Response> {
    let t = crate::texts::admin::text(context.lang);
    let refuse = |problem: String, status: StatusCode| -> Result<Response> {
        let page = LoginPage::new(&state, &context, String::new(), Some(problem));
        with_cookie(
            (status, page).into_response(),
            &pending_cookie(&state, "", 0),
        )
    };
    let pending = context
        .cookie(pending_name(&state))
        .and_then(|cookie| open_pending(&state, &cookie));
    let (Some((csrf, nonce, verifier, target)), Some(code), Some(returned), None) =
        (pending, query.code, query.state, query.error)
    else {
        return refuse(t.sso_failed.to_owned(), StatusCode::BAD_REQUEST);
    };
    if returned != csrf {
        return refuse(t.sso_failed.to_owned(), StatusCode::BAD_REQUEST);
    }
    let claims = match verify(&state, code, verifier, nonce).await {
        Ok(claims) => claims,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "a campus sign-in failed");
            return refuse(t.sso_failed.to_owned(), StatusCode::BAD_REQUEST);
        }
    };
    let name = claims
        .name
        .clone()
        .unwrap_or_else(|| claims.subject.clone());
    if let Target::Download(slug) = target {
        let values = claims.values(&state.config.oidc.download_claim);
        let response =
            super::downloader::signed_in(&state, &context, &claims.subject, &name, &values, &slug)?;
        return with_cookie(response, &pending_cookie(&state, "", 0));
    }
    let Some(role) = role_of(&state, &claims.values(&state.config.oidc.role_claim)) else {
        let details = serde_json::json!({ "via": "sso", "subject": claims.subject });
        db::audit::audit_account(
            &state.db,
            state.now(),
            &name,
            Action::SignInFailed,
            &name,
            Some(details),
        )
        .await?;
        return refuse(
            t.sso_refused.replace("{name}", &name),
            StatusCode::FORBIDDEN,
        );
    };
    let email = claims
        .email
        .as_deref()
        .and_then(crate::extract::email_address);
    let who = db::sso::Identity {
        subject: &claims.subject,
        name_hint: &name,
        email: email.as_deref(),
    };
    let account = db::sso::sign_in(&state.db, &who, role, state.now()).await?;
    if let Some(old) = old_session(&context, &state) {
        db::accounts::delete_session(&state.db, &old).await?;
    }
    let secret = auth::start_session(&state, account.id).await?;
    tracing::info!(login.user = %account.username, "signed in with the campus account");
    let details =
        serde_json::json!({ "via": "sso", "role": role.as_str(), "created": account.created });
    db::audit::audit_account(
        &state.db,
        state.now(),
        &account.username,
        Action::SignIn,
        &account.username,
        Some(details),
    )
    .await?;
    let response = with_cookie(
        Redirect::to("/admin").into_response(),
        &auth::session_cookie_header(&state, &secret),
    )?;
    with_cookie(response, &pending_cookie(&state, "", 0))
}

/// What the verified ID token says.
#[derive(Debug)]
struct Claims {
    subject: String,
    name: Option<String>,
    email: Option<String>,
    /// The whole (verified) payload, for the configured claims.
    payload: serde_json::Value,
}

impl Claims {
    /// The values of `claim`: a string, or a list of strings.
    fn values(&self, claim: &str) -> Vec<String> {
        match &self.payload[claim] {
            serde_json::Value::String(one) => vec![one.clone()],
            serde_json::Value::Array(many) => many
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The client the provider's discovery document describes.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The HTTP client for the provider: no redirects (they would open the portal to
/// server-side request forgery), a time limit.
fn http() -> anyhow::Result<openidconnect::reqwest::Client> {
    Ok(openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()?)
}

/// This portal's client at the provider, from its discovery document (read each time:
/// sign-ins are rare, and the provider's keys change).
async fn client(state: &AppState, http: &openidconnect::reqwest::Client) -> anyhow::Result<Client> {
    let oidc = &state.config.oidc;
    let issuer = oidc
        .issuer_url
        .clone()
        .ok_or_else(|| anyhow::anyhow!("single sign-on is not set up"))?;
    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(issuer)?, http).await?;
    let redirect = format!("{}/admin/login/sso/callback", state.config.public_url);
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.client_id.clone()),
        oidc.client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose().to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect)?))
}

/// Exchanges `code` and verifies the ID token; answers what it says.
async fn verify(
    state: &AppState,
    code: String,
    verifier: String,
    nonce: String,
) -> anyhow::Result<Claims> {
    let http = http()?;
    let client = client(state, &http).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .map_err(|e| anyhow::anyhow!("the token request failed: {e}"))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| anyhow::anyhow!("the provider sent no ID token"))?;
    let claims = id_token.claims(&client.id_token_verifier(), &Nonce::new(nonce))?;
    // The token is verified above; its payload is read again for the configured claim,
    // which the standard claims do not hold.
    let payload = id_token
        .to_string()
        .split('.')
        .nth(1)
        .map(|part| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part))
        .transpose()?
        .unwrap_or_default();
    let payload: serde_json::Value = serde_json::from_slice(&payload)?;
    Ok(Claims {
        subject: claims.subject().as_str().to_owned(),
        name: claims
            .preferred_username()
            .map(|n| n.as_str().to_owned())
            .or_else(|| claims.email().map(|e| e.as_str().to_owned())),
        email: claims.email().map(|e| e.as_str().to_owned()),
        payload,
    })
}

/// The role `groups` give: admin before viewer; `None` for neither.
fn role_of(state: &AppState, groups: &[String]) -> Option<Role> {
    let oidc = &state.config.oidc;
    let has = |values: &[String]| groups.iter().any(|g| values.contains(g));
    if has(&oidc.admin_values) {
        Some(Role::Admin)
    } else if has(&oidc.viewer_values) {
        Some(Role::Viewer)
    } else {
        None
    }
}

/// The pending cookie's name.
fn pending_name(state: &AppState) -> &'static str {
    auth::staff_cookie_name(state, "__Host-portal_sso")
}

/// The `Set-Cookie` value keeping `value` for `max_age` seconds (0: removing it).
fn pending_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    auth::cookie_header(state, pending_name(state), value, max_age)
}

/// The state, nonce, PKCE verifier and target of a pending sign-in's cookie, if its
/// signature holds and it has not expired.
fn open_pending(state: &AppState, cookie: &str) -> Option<(String, String, String, Target)> {
    let (pending, signature) = cookie.rsplit_once('.')?;
    if pending.len() > 400 || !state.tokens.signed(PURPOSE, pending, signature) {
        return None;
    }
    let mut parts = pending.split('.');
    let (csrf, nonce, verifier, expires, target) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let expires: i64 = expires.parse().ok()?;
    if parts.next().is_some() || expires < state.now().unix_timestamp() {
        return None;
    }
    Some((
        csrf.to_owned(),
        nonce.to_owned(),
        verifier.to_owned(),
        Target::decode(target)?,
    ))
}

/// A failure to reach the provider, as the page shows it.
fn failed(error: anyhow::Error) -> Error {
    tracing::warn!(
        error = format!("{error:#}"),
        "cannot reach the identity provider"
    );
    Error::Unavailable("the campus sign-in")
}
