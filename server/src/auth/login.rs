//! Signing in and out, and changing one's password.
//!
//! Sign-in answers the same words after the same work for an unknown account and a wrong
//! password (an unknown account's password is checked against a fixed hash). Wrong
//! passwords, at sign-in and in the current-password check, are throttled per account and
//! network by [`super::throttle`]; both outcomes of a sign-in are audited.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::strength;
use super::throttle::Attempt;
use crate::auth::{self, Staff};
use crate::db;
use crate::db::audit::Action;
use crate::error::{Error, Result};
use crate::extract::ClientAddr;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::admin::AdminText;

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: Secret,
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: Secret,
    current: Secret,
    new: Secret,
    confirm: Secret,
}

/// A form that only carries the CSRF token (sign-out).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: Secret,
}

/// The sign-in page.
#[derive(Template, WebTemplate)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    layout: Layout,
    username: String,
    problem: Option<String>,
    /// The campus sign-in button's words, when single sign-on is set up.
    sso: Option<String>,
    /// Whether the portal's own passwords sign in.
    passwords: bool,
}

impl LoginPage {
    /// The sign-in page with `username` filled in and `problem` said.
    pub fn new(
        state: &AppState,
        context: &PageContext,
        username: String,
        problem: Option<String>,
    ) -> LoginPage {
        let oidc = &state.config.oidc;
        let t = crate::texts::admin::text(context.lang);
        LoginPage {
            layout: Layout::new(state, context, Nav::Admin),
            username,
            problem,
            sso: oidc.enabled().then(|| {
                let label = context.lang.pick(&oidc.label_zh, &oidc.label_en);
                t.sso_button.replace("{label}", label)
            }),
            passwords: oidc.passwords,
        }
    }
}

/// The password page.
#[derive(Template, WebTemplate)]
#[template(path = "admin/password.html")]
pub struct PasswordPage {
    layout: Layout,
    csrf: Secret,
    forced: bool,
    problem: Option<String>,
}

/// `GET /admin/login`
pub async fn get_login(State(state): State<AppState>, context: PageContext) -> LoginPage {
    LoginPage::new(&state, &context, String::new(), None)
}

/// `POST /admin/login`
pub async fn post_login(
    State(state): State<AppState>,
    context: PageContext,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let t = crate::texts::admin::text(context.lang);
    let username = form.username.trim().to_ascii_lowercase();
    let refuse = |problem: &str, status: StatusCode| {
        let name = username.chars().take(64).collect();
        let page = LoginPage::new(&state, &context, name, Some(problem.to_owned()));
        Ok((status, page).into_response())
    };
    if !state.config.oidc.passwords {
        return refuse(t.passwords_off, StatusCode::FORBIDDEN);
    }
    let claimed = match Attempt::new(&username, client).claim(&state).await? {
        Ok(claimed) => claimed,
        Err(wait) => {
            let problem = throttled_text(t, wait);
            let mut response = refuse(&problem, StatusCode::TOO_MANY_REQUESTS)?;
            retry_after(&mut response, wait);
            return Ok(response);
        }
    };
    let network = claimed.network().to_owned();
    let user = if auth::valid_username(&username) {
        db::accounts::find_user(&state.db, &username).await?
    } else {
        None
    };
    let password = form
        .password
        .expose()
        .chars()
        .take(auth::MAX_PASSWORD_CHARS)
        .collect();
    let accepted = auth::verify_password(
        user.as_ref().map(|u| u.password_hash.expose().to_owned()),
        password,
    )
    .await;
    let Some(user) = user.filter(|_| accepted) else {
        claimed.failed(&state).await?;
        tracing::info!(login.network = %network, "sign-in refused");
        let typed: String = username.chars().take(64).collect();
        let details = serde_json::json!({ "network": network });
        db::audit::audit_account(
            &state.db,
            state.now(),
            &typed,
            Action::SignInFailed,
            &typed,
            Some(details),
        )
        .await?;
        return refuse(t.login_wrong, StatusCode::UNAUTHORIZED);
    };
    claimed.succeeded(&state).await?;
    // A new session id at every sign-in: a session fixed before sign-in is worthless.
    if let Some(old) = old_session(&context, &state) {
        db::accounts::delete_session(&state.db, &old).await?;
    }
    let secret = auth::start_session(&state, user.id).await?;
    tracing::info!(login.user = %user.username, "signed in");
    let details = serde_json::json!({ "network": network });
    db::audit::audit_account(
        &state.db,
        state.now(),
        &user.username,
        Action::SignIn,
        &user.username,
        Some(details),
    )
    .await?;
    let target = if user.must_change_password {
        "/admin/password"
    } else {
        "/admin"
    };
    with_cookie(
        Redirect::to(target).into_response(),
        &auth::session_cookie_header(&state, &secret),
    )
}

/// `POST /admin/logout`
pub async fn post_logout(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CsrfForm>,
) -> Result<Response> {
    staff.check_csrf(&form.csrf)?;
    db::accounts::delete_session(&state.db, staff.session_hash.expose()).await?;
    tracing::info!(login.user = %staff.username, "signed out");
    db::audit::audit_account(
        &state.db,
        state.now(),
        &staff.username,
        Action::SignOut,
        &staff.username,
        None,
    )
    .await?;
    with_cookie(
        Redirect::to("/admin/login").into_response(),
        &auth::clear_cookie_header(&state),
    )
}

/// `GET /admin/password`
pub async fn get_password(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
) -> PasswordPage {
    PasswordPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        csrf: staff.csrf_token.clone(),
        forced: staff.must_change_password,
        problem: None,
    }
}

/// `POST /admin/password`: changes the password, ends every session of the account, and
/// starts a new one here.
pub async fn post_password(
    State(state): State<AppState>,
    context: PageContext,
    ClientAddr(client): ClientAddr,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    staff.check_csrf(&form.csrf)?;
    let t = crate::texts::admin::text(context.lang);
    let page = |problem: String| PasswordPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        csrf: staff.csrf_token.clone(),
        forced: staff.must_change_password,
        problem: Some(problem),
    };
    let user = db::accounts::find_user(&state.db, &staff.username)
        .await?
        .ok_or(Error::SignInRequired)?;
    // The current password is a sign-in of its own: a stolen session must not guess it.
    let claimed = match Attempt::new(&staff.username, client).claim(&state).await? {
        Ok(claimed) => claimed,
        Err(wait) => {
            let problem = throttled_text(t, wait);
            let mut response = (StatusCode::TOO_MANY_REQUESTS, page(problem)).into_response();
            retry_after(&mut response, wait);
            return Ok(response);
        }
    };
    let current_right = auth::verify_password(
        Some(user.password_hash.expose().to_owned()),
        form.current
            .expose()
            .chars()
            .take(auth::MAX_PASSWORD_CHARS)
            .collect(),
    )
    .await;
    if current_right {
        claimed.succeeded(&state).await?;
    } else {
        let details = serde_json::json!({ "network": claimed.network() });
        claimed.failed(&state).await?;
        db::audit::audit_account(
            &state.db,
            state.now(),
            &staff.username,
            Action::PasswordCheckFailed,
            &staff.username,
            Some(details),
        )
        .await?;
    }
    let site = state.site();
    let names = [site.site.name_zh.as_str(), site.site.name_en.as_str()];
    let problem = if !current_right {
        Some(t.password_current_wrong.to_owned())
    } else if form.new != form.confirm {
        Some(t.password_mismatch.to_owned())
    } else if form.new == form.current {
        Some(t.password_unchanged.to_owned())
    } else {
        strength::problem(form.new.expose(), &staff.username, &names)
            .map(|p| p.message(context.lang))
    };
    if let Some(problem) = problem {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(problem)).into_response());
    }
    let hash = auth::hash_password(form.new.expose().to_owned()).await?;
    db::accounts::set_password(&state.db, &staff.username, &hash, false, state.now()).await?;
    let secret = auth::start_session(&state, staff.user_id).await?;
    tracing::info!(login.user = %staff.username, "password changed");
    db::audit::audit_account(
        &state.db,
        state.now(),
        &staff.username,
        Action::Password,
        &staff.username,
        None,
    )
    .await?;
    with_cookie(
        Redirect::to("/admin").into_response(),
        &auth::session_cookie_header(&state, &secret),
    )
}

pub fn old_session(context: &PageContext, state: &AppState) -> Option<String> {
    context
        .cookie(auth::cookie_name(state))
        .map(|secret| auth::hash_session(&secret))
}

pub fn with_cookie(mut response: Response, cookie: &str) -> Result<Response> {
    let value = HeaderValue::from_str(cookie).map_err(|e| Error::Internal(e.into()))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The throttle's answer, with how long to wait in whole minutes.
fn throttled_text(t: &AdminText, wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    t.login_throttled.replace("{minutes}", &minutes.to_string())
}

fn retry_after(response: &mut Response, wait: Duration) {
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(wait.as_secs().max(1)),
    );
}
