//! Who is signed in: passwords, sessions, roles and CSRF tokens.
//!
//! Passwords are Argon2id hashes, computed on the blocking pool. A session is a random
//! 256-bit secret in a cookie (`__Host-portal_session`: Secure, HttpOnly, SameSite=Lax);
//! the database keeps only its SHA-256, so several portals on one PostgreSQL share
//! sessions and a stolen database holds no usable cookie. Sessions end after
//! `admin.session_idle_minutes` idle or `admin.session_hours` in all, and at sign-out; the
//! id changes at every sign-in and password change. Every form that changes something
//! carries the session's CSRF token, compared in constant time, on top of the
//! Origin/Sec-Fetch-Site check the admin router applies.

pub mod downloader;
pub mod login;
pub mod sso;
pub mod strength;
pub mod throttle;

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::db;
pub use crate::db::accounts::Role;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::state::AppState;
use crate::token::encode_hex;

/// A signed-in member of staff, from the session cookie.
#[derive(Clone, Debug)]
pub struct Staff {
    /// The account's id.
    pub user_id: i64,
    /// The login name.
    pub username: String,
    /// Admin or viewer.
    pub role: Role,
    /// The token forms must carry.
    pub csrf_token: Secret,
    /// The SHA-256 of the session's cookie.
    pub session_hash: Secret,
    /// The password must be changed before anything else.
    pub must_change_password: bool,
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (Argon2 input stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 200;

impl Staff {
    /// Refuses a viewer: only admins change things.
    pub fn require_admin(&self) -> Result<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, token: &Secret) -> Result<()> {
        if constant_time_eq(
            token.expose().as_bytes(),
            self.csrf_token.expose().as_bytes(),
        ) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Error;

    /// The session's staff member, or a redirect to the sign-in page.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff> {
        let Some(secret) = session_cookie(parts, state) else {
            return Err(Error::SignInRequired);
        };
        let session_hash = hash_session(&secret);
        let Some(session) = db::accounts::find_session(&state.db, &session_hash).await? else {
            return Err(Error::SignInRequired);
        };
        let now = state.now();
        let idle = Duration::minutes(i64::from(state.config.admin.session_idle_minutes));
        if session.expires_at <= now || session.last_seen_at + idle <= now {
            db::accounts::delete_session(&state.db, &session_hash).await?;
            return Err(Error::SignInRequired);
        }
        // Writing on every request would serialise page views on SQLite; a minute's
        // precision is plenty for an idle timeout of minutes.
        if now - session.last_seen_at >= Duration::minutes(1) {
            db::accounts::touch_session(&state.db, &session_hash, now).await?;
        }
        let staff = Staff {
            user_id: session.user_id,
            username: session.username,
            role: session.role,
            csrf_token: session.csrf_token,
            session_hash: Secret::new(session_hash),
            must_change_password: session.must_change_password,
        };
        if staff.must_change_password
            && parts.uri.path() != "/admin/password"
            && parts.uri.path() != "/admin/logout"
        {
            return Err(Error::PasswordChangeRequired);
        }
        Ok(staff)
    }
}

/// The session cookie's name.
pub fn cookie_name(state: &AppState) -> &'static str {
    staff_cookie_name(state, "__Host-portal_session")
}

/// A staff cookie's name, given as `__Host-…`: the prefix only when the cookie is
/// `Secure`, as browsers require.
pub fn staff_cookie_name(state: &AppState, name: &'static str) -> &'static str {
    if state.config.admin.secure_cookies {
        name
    } else {
        name.trim_start_matches("__Host-")
    }
}

/// The `Set-Cookie` value that stores `secret` for the session's whole lifetime.
pub fn session_cookie_header(state: &AppState, secret: &str) -> String {
    let max_age = i64::from(state.config.admin.session_hours) * 3600;
    cookie_header(state, cookie_name(state), secret, max_age)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie_header(state: &AppState) -> String {
    cookie_header(state, cookie_name(state), "", 0)
}

/// A `Set-Cookie` value for a staff cookie: the whole site, `HttpOnly`, `SameSite=Lax`,
/// `Secure` unless turned off; `max_age` 0 removes it.
pub fn cookie_header(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.config.admin.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The session secret from the request's cookie, if any.
pub fn session_cookie(parts: &Parts, state: &AppState) -> Option<String> {
    let name = cookie_name(state);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| value.to_owned())
        })
}

/// Starts a session for `user_id`; answers the cookie's secret.
pub async fn start_session(state: &AppState, user_id: i64) -> Result<String> {
    let secret = random_hex(32)?;
    let csrf = random_hex(32)?;
    let now = state.now();
    let expires = now + Duration::hours(i64::from(state.config.admin.session_hours));
    db::accounts::create_session(
        &state.db,
        &hash_session(&secret),
        user_id,
        &csrf,
        now,
        expires,
    )
    .await?;
    Ok(secret)
}

/// The database's key for a session secret.
pub fn hash_session(secret: &str) -> String {
    encode_hex(&Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with Argon2id on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| Error::Internal(e.into()))?
}

/// Hashes a password with Argon2id, here and now (for the command line).
pub fn hash_password_now(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot hash a password: {e}")))
}

/// Checks `password` against `hash` on the blocking pool. With no hash (an unknown
/// account) it checks against a fixed one anyway, so both answers take as long.
pub async fn verify_password(hash: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let hash = hash.as_deref().unwrap_or(DUMMY_HASH.as_str());
        let matches = PasswordHash::new(hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        matches && hash != DUMMY_HASH.as_str()
    })
    .await
    .unwrap_or(false)
}

/// Checks a login name: 1 to 64 lower-case letters, digits, `.`, `_` or `-`.
pub fn valid_username(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| Error::Internal(anyhow::anyhow!("no random source: {e}")))?;
    Ok(encode_hex(&buffer))
}

/// Creates `admin` with a one-time password when there are no accounts at all, and
/// answers that password so it can be shown once; `None` when accounts exist.
pub async fn ensure_first_account(state: &AppState) -> Result<Option<String>> {
    if db::accounts::count_users(&state.db).await? > 0 {
        return Ok(None);
    }
    let password = random_hex(12)?;
    let hash = hash_password(password.clone()).await?;
    let created =
        db::accounts::create_user(&state.db, "admin", Role::Admin, &hash, true, state.now())
            .await?;
    Ok(created.then_some(password))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A hash no password matches, checked for unknown accounts so they take as long.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password_now("an account that does not exist has no password").unwrap_or_default()
});

/// What every signed-in admin page shows above its content (`templates/admin/nav.html`):
/// who is signed in, the admin sections, and the sign-out form with its CSRF token.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The signed-in login name.
    pub username: String,
    /// Whether the account may change things (viewers see no edit controls).
    pub can_edit: bool,
    /// The session's CSRF token, for every form on the page.
    pub csrf: Secret,
    /// The current section: `dashboard`, `catalogue`, `tutorials`, `errors`, `settings`,
    /// `downloads`, `deployments`, `audit`.
    pub section: &'static str,
}

impl Chrome {
    /// The chrome for `staff` on a page of `section`.
    pub fn new(staff: &Staff, section: &'static str) -> Chrome {
        Chrome {
            username: staff.username.clone(),
            can_edit: staff.role == Role::Admin,
            csrf: staff.csrf_token.clone(),
            section,
        }
    }

    /// `aria-current="page"` on the current section's link.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_unknown_accounts_never_do() {
        let hash = hash_password("correct horse battery".to_owned())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(hash.clone()), "correct horse battery".to_owned()).await);
        assert!(!verify_password(Some(hash), "wrong horse battery".to_owned()).await);
        assert!(
            !verify_password(
                None,
                "an account that does not exist has no password".to_owned()
            )
            .await
        );
    }

    #[test]
    fn name_rules() {
        assert!(valid_username("it.staff-01") && !valid_username("Alice") && !valid_username(""));
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"ab", b"abc")
        );
    }
}
