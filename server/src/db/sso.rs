//! Staff accounts made by single sign-on: found by their subject at the identity
//! provider, their role set from the provider's claims at every sign-in. The rules
//! (which claim values give which role) are `auth::sso`'s; this is only storage.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::accounts::Role;
use super::{Db, with_tx};

/// The password hash of an account made by single sign-on: no password matches it, and
/// the accounts list tells such accounts by it.
pub const NO_PASSWORD: &str = "!";

/// Who signed in, as the provider says.
#[derive(Clone, Debug)]
pub struct Identity<'a> {
    /// The provider's stable id of the person (`sub`).
    pub subject: &'a str,
    /// The name to give a new account (sanitised here), e.g. `preferred_username`.
    pub name_hint: &'a str,
    /// An address for a new account's mail, if the provider gave one (checked by the
    /// caller, `extract::email_address`).
    pub email: Option<&'a str>,
}

/// The account signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoAccount {
    /// Its id.
    pub id: i64,
    /// Its login name.
    pub username: String,
    /// Whether it was made now.
    pub created: bool,
}

/// Finds the account of `who` and gives it `role`, or makes one: named after the hint
/// (lower-case letters, digits, `.`, `_`, `-`), with a suffix from the subject when that
/// name is another account's — a campus sign-in never takes over an account it did not
/// make — and the hash [`NO_PASSWORD`].
pub async fn sign_in(
    db: &Db,
    who: &Identity<'_>,
    role: Role,
    now: OffsetDateTime,
) -> sqlx::Result<SsoAccount> {
    const FIND: &str = "select id, username from users where oidc_subject = $1";
    const UPDATE: &str = "update users set role = $2, updated_at = $3 where id = $1";
    const TAKEN: &str = "select count(*) from users where username = $1";
    const CREATE: &str = "
        insert into users (username, role, password_hash, must_change_password, created_at,
                           updated_at, oidc_subject, email)
        values ($1, $2, $6, false, $3, $3, $4, $5) returning id";
    let mut tx = db.begin().await?;
    let found: Option<(i64, String)> = with_tx!(&mut tx, conn => sqlx::query_as(FIND)
        .bind(who.subject).fetch_optional(&mut *conn).await)?;
    if let Some((id, username)) = found {
        with_tx!(&mut tx, conn => sqlx::query(UPDATE)
            .bind(id).bind(role.as_str()).bind(now)
            .execute(&mut *conn).await.map(|_| ()))?;
        tx.commit().await?;
        return Ok(SsoAccount {
            id,
            username,
            created: false,
        });
    }
    let mut username = sanitise(who.name_hint);
    let taken: i64 = with_tx!(&mut tx, conn => sqlx::query_scalar(TAKEN)
        .bind(&username).fetch_one(&mut *conn).await)?;
    if taken > 0 || username.is_empty() {
        let digest = Sha256::digest(who.subject.as_bytes());
        let suffix: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
        username.truncate(57);
        username = if username.is_empty() {
            format!("sso-{suffix}")
        } else {
            format!("{username}-{suffix}")
        };
    }
    let id: i64 = with_tx!(&mut tx, conn => sqlx::query_scalar(CREATE)
        .bind(&username).bind(role.as_str()).bind(now).bind(who.subject).bind(who.email).bind(NO_PASSWORD)
        .fetch_one(&mut *conn).await)?;
    tx.commit().await?;
    Ok(SsoAccount {
        id,
        username,
        created: true,
    })
}

/// `hint` as a login name: lower case, only letters, digits, `.`, `_`, `-`, at most 64.
fn sanitise(hint: &str) -> String {
    hint.split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitise("Alice.Chen@example.edu"), "alice.chen");
        assert_eq!(sanitise("陳 小明"), "");
        assert_eq!(sanitise(&"a".repeat(80)).len(), 64);
    }
}
