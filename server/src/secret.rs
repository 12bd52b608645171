//! Secrets typed so that they cannot be printed: configured secrets, passwords and CSRF
//! tokens as forms send them, password hashes, session ids' hashes, the CSRF tokens pages
//! carry, issued download tokens, and the database URL's password ([`DatabaseUrl`]).
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
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return self.0.clone();
        };
        let Some((userinfo, host)) = rest.split_once('@') else {
            return self.0.clone();
        };
        match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => self.0.clone(),
        }
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
