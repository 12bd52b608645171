//! The audit log: who changed what, when, before → after. Staff edits write their entry
//! inside their own transaction (`edit_audit::record`); account events (sign-in, sign-out,
//! password changes, the command line's account changes) write theirs alone
//! ([`audit_account`]). What was done and to what kind of thing leave here as
//! [`Action`] and [`Entity`].

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{Db, Tx, with_pool, with_tx};

/// What an audited change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A password set by an operator, or settings put back to the configuration.
    Reset,
    Revoke,
    SignIn,
    SignInFailed,
    /// A wrong current password when changing one's password.
    PasswordCheckFailed,
    SignOut,
    /// A password changed by its owner.
    Password,
    /// One this portal does not know (written by another version of it).
    Other,
}

/// What kind of thing an audited change changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entity {
    Agreement,
    Product,
    Version,
    Tutorial,
    ErrorCode,
    Settings,
    Deployment,
    Download,
    Account,
    /// One this portal does not know, as stored.
    Other(String),
}

/// One audit-log entry.
#[derive(Clone, Debug, FromRow)]
pub struct AuditRow {
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub username: String,
    /// What was done.
    #[sqlx(try_from = "String")]
    pub action: Action,
    /// To what kind of thing.
    #[sqlx(try_from = "String")]
    pub entity: Entity,
    /// Which one.
    pub entity_key: String,
    /// Its state before, as JSON.
    pub before_json: Option<String>,
    /// Its state after, as JSON.
    pub after_json: Option<String>,
}

impl Action {
    /// Every action this portal writes.
    pub const ALL: [Action; 10] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Reset,
        Action::Revoke,
        Action::SignIn,
        Action::SignInFailed,
        Action::PasswordCheckFailed,
        Action::SignOut,
        Action::Password,
    ];

    /// The identifier stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Reset => "reset",
            Action::Revoke => "revoke",
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::PasswordCheckFailed => "password_check_failed",
            Action::SignOut => "sign_out",
            Action::Password => "password",
            Action::Other => "other",
        }
    }
}

impl From<String> for Action {
    fn from(value: String) -> Action {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == value)
            .unwrap_or(Action::Other)
    }
}

impl Entity {
    /// Every kind of thing this portal audits.
    pub const ALL: [Entity; 9] = [
        Entity::Agreement,
        Entity::Product,
        Entity::Version,
        Entity::Tutorial,
        Entity::ErrorCode,
        Entity::Settings,
        Entity::Deployment,
        Entity::Download,
        Entity::Account,
    ];

    /// The identifier stored in `audit_log.entity`.
    pub fn as_str(&self) -> &str {
        match self {
            Entity::Agreement => "agreement",
            Entity::Product => "product",
            Entity::Version => "version",
            Entity::Tutorial => "tutorial",
            Entity::ErrorCode => "error_code",
            Entity::Settings => "settings",
            Entity::Deployment => "deployment",
            Entity::Download => "download",
            Entity::Account => "account",
            Entity::Other(stored) => stored,
        }
    }
}

impl From<String> for Entity {
    fn from(value: String) -> Entity {
        Entity::ALL
            .into_iter()
            .find(|e| e.as_str() == value)
            .unwrap_or(Entity::Other(value))
    }
}

const INSERT: &str =
    "insert into audit_log (at, username, action, entity, entity_key, before_json, after_json)
     values ($1, $2, $3, $4, $5, $6, $7)";

/// Appends `entry` to the audit log inside `tx`.
pub async fn insert(tx: &mut Tx, entry: &AuditRow) -> sqlx::Result<()> {
    with_tx!(tx, conn => sqlx::query(INSERT)
        .bind(entry.at).bind(&entry.username).bind(entry.action.as_str()).bind(entry.entity.as_str())
        .bind(&entry.entity_key).bind(&entry.before_json).bind(&entry.after_json)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records an event of the account `account` in the audit log: `SignIn`, `SignOut`,
/// `Password` (changed by its owner), or, from the command line, `Create`, `Reset` (a
/// password set by an operator) and `Delete`; `by` is who did it, `details` what else is
/// worth keeping (the network signed in from, the role).
pub async fn audit_account(
    db: &Db,
    at: OffsetDateTime,
    by: &str,
    action: Action,
    account: &str,
    details: Option<serde_json::Value>,
) -> sqlx::Result<()> {
    let entry = AuditRow {
        at,
        username: by.to_owned(),
        action,
        entity: Entity::Account,
        entity_key: account.to_owned(),
        before_json: None,
        after_json: details.map(|d| d.to_string()),
    };
    let mut tx = db.begin().await?;
    insert(&mut tx, &entry).await?;
    tx.commit().await
}

/// The newest audit entries first.
pub async fn list(db: &Db, limit: i64) -> sqlx::Result<Vec<AuditRow>> {
    const SQL: &str = "select at, username, action, entity, entity_key, before_json, after_json
                       from audit_log order by at desc, id desc limit $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back_and_unknown_ones_are_kept_apart() {
        for action in Action::ALL {
            assert_eq!(Action::from(action.as_str().to_owned()), action);
        }
        for entity in Entity::ALL {
            assert_eq!(Entity::from(entity.as_str().to_owned()), entity);
        }
        assert_eq!(Action::from("rename".to_owned()), Action::Other);
        assert_eq!(
            Entity::from("printer".to_owned()),
            Entity::Other("printer".to_owned())
        );
    }
}
