//! Secrets typed so that they cannot be printed: configured secrets, passwords and CSRF
//! tokens as forms send them, password hashes, session ids' hashes, the CSRF tokens pages
//! carry, issued download tokens, and the passwords in the database's and the mail
//! server's URLs ([`DatabaseUrl`], [`SecretUrl`]).
//! [`Secret`]'s `Debug` and serialised forms show `***`; the value is reached only
//! through [`Secret::expose`], where it is used.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret whose `Debug` and serialised forms never show it.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for use; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    /// Wraps a secret read from the database.
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// A database URL whose `Debug` and `Display` hide the password.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL given in full, e.g. by a test harness.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for connecting; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether this URL selects PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

/// A URL that may carry a password (the mail server's), whose `Debug`, `Display` and
/// serialised forms hide the password.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a URL given in full.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for connecting; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&redact(&self.0))
    }
}

/// `url` with the password of its user part, if any, replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_printed_form_shows_the_secret() {
        let secret = Secret::new("hunter2-correct-horse");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(
            format!("{:#?}", Some(&secret)),
            "Some(\n    Secret(***),\n)"
        );
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"***\"");
        assert_eq!(secret.expose(), "hunter2-correct-horse");
    }

    #[test]
    fn urls_show_no_password() {
        let url = SecretUrl::new("smtps://portal:hunter2@mail.example.edu:465");
        let shown = "smtps://portal:***@mail.example.edu:465";
        assert_eq!(format!("{url:?}"), shown);
        assert_eq!(url.to_string(), shown);
        assert_eq!(serde_json::to_string(&url).unwrap(), format!("\"{shown}\""));
        let plain = SecretUrl::new("smtp://127.0.0.1:2525");
        assert_eq!(plain.to_string(), "smtp://127.0.0.1:2525");
        let database = DatabaseUrl::new("postgres://portal:hunter2@db/portal");
        assert_eq!(database.redacted(), "postgres://portal:***@db/portal");
    }

    #[test]
    fn no_debug_of_what_holds_a_secret_shows_it() {
        const SECRET: &str = "s3cr3t-value-4f0c2a9e";
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let staff = crate::auth::Staff {
            user_id: 1,
            username: "alice".to_owned(),
            role: crate::auth::Role::Admin,
            csrf_token: Secret::new(SECRET),
            session_hash: Secret::new(SECRET),
            must_change_password: false,
        };
        let printed = [
            format!(
                "{:?}",
                crate::db::accounts::UserRow {
                    id: 1,
                    username: "alice".to_owned(),
                    role: crate::auth::Role::Admin,
                    password_hash: Secret::new(SECRET),
                    must_change_password: false,
                }
            ),
            format!(
                "{:?}",
                crate::db::accounts::SessionRow {
                    user_id: 1,
                    username: "alice".to_owned(),
                    role: crate::auth::Role::Admin,
                    must_change_password: false,
                    csrf_token: Secret::new(SECRET),
                    last_seen_at: now,
                    expires_at: now,
                }
            ),
            format!("{staff:?}"),
            format!("{:?}", crate::auth::Chrome::new(&staff, "dashboard")),
            format!(
                "{:?}",
                serde_html_form::from_str::<crate::auth::login::LoginForm>(&format!(
                    "username=alice&password={SECRET}"
                ))
                .unwrap()
            ),
            format!(
                "{:?}",
                serde_html_form::from_str::<crate::auth::login::PasswordForm>(&format!(
                    "csrf={SECRET}&current={SECRET}&new={SECRET}&confirm={SECRET}"
                ))
                .unwrap()
            ),
            format!(
                "{:?}",
                crate::token::Issued {
                    id: "0123456789abcdef01234567".to_owned(),
                    token: Secret::new(SECRET),
                    expires_at: now,
                }
            ),
            format!(
                "{:?}",
                crate::config::Config {
                    token_secret: Some(Secret::new(SECRET)),
                    ..crate::config::Config::default()
                }
            ),
        ];
        for text in printed {
            assert!(!text.contains(SECRET), "{text}");
        }
    }
}
