//! Staff accounts, sessions and the audit log.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{Db, with_pool, with_tx};
use crate::secret::Secret;

/// A staff account.
/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything, including changes.
    Admin,
    /// Look, never change.
    Viewer,
}

impl Role {
    /// Parses `admin` or `viewer`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    /// Decodes the stored role (the table's check allows no other).
    fn try_from(value: String) -> Result<Role, String> {
        Role::parse(&value).ok_or_else(|| format!("unknown role {value:?}"))
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    /// Its id.
    pub id: i64,
    /// The login name.
    pub username: String,
    /// What it may do.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// The Argon2id hash (PHC string).
    #[sqlx(try_from = "String")]
    pub password_hash: Secret,
    /// The password was set by someone else and must be changed at the next login.
    pub must_change_password: bool,
}

/// An account's licence calendar: whose it is and the generation its link is signed with.
#[derive(Clone, Debug, FromRow)]
pub struct CalendarRow {
    /// The account's login name.
    pub username: String,
    /// The language of its mail, which its calendar uses too.
    #[sqlx(try_from = "String")]
    pub lang: crate::lang::Lang,
    /// The link's generation; `None` when it has no calendar link.
    pub calendar_generation: Option<i64>,
}

/// A live session joined with its account.
#[derive(Clone, Debug, FromRow)]
pub struct SessionRow {
    /// The account's id.
    pub user_id: i64,
    /// The account's login name.
    pub username: String,
    /// What it may do.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// The session's CSRF token for forms.
    #[sqlx(try_from = "String")]
    pub csrf_token: Secret,
    /// When the session was last used.
    pub last_seen_at: OffsetDateTime,
    /// When it ends regardless of use.
    pub expires_at: OffsetDateTime,
}

/// The account with this login name.
pub async fn find_user(db: &Db, username: &str) -> sqlx::Result<Option<UserRow>> {
    const SQL: &str = "select id, username, role, password_hash, must_change_password from users where username = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(username).fetch_optional(pool).await)
}

/// Every account, by name.
pub async fn list_users(db: &Db) -> sqlx::Result<Vec<UserRow>> {
    const SQL: &str = "select id, username, role, password_hash, must_change_password from users order by username";
    with_pool!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await)
}

/// Creates an account; `false` when the name is taken.
pub async fn create_user(
    db: &Db,
    username: &str,
    role: Role,
    hash: &str,
    must_change: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    const SQL: &str = "insert into users (username, role, password_hash, must_change_password, created_at, updated_at)
                       values ($1, $2, $3, $4, $5, $5) on conflict (username) do nothing";
    let done = with_pool!(db, pool => sqlx::query(SQL).bind(username).bind(role.as_str()).bind(hash).bind(must_change).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Sets an account's password, and ends its sessions; `false` when there is no such account.
pub async fn set_password(
    db: &Db,
    username: &str,
    hash: &str,
    must_change: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    const SQL: &str = "update users set password_hash = $2, must_change_password = $3, updated_at = $4 where username = $1";
    const END: &str =
        "delete from sessions where user_id in (select id from users where username = $1)";
    let done = with_pool!(db, pool => sqlx::query(SQL).bind(username).bind(hash).bind(must_change).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    with_pool!(db, pool => sqlx::query(END).bind(username).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Removes an account and its sessions; `false` when there is no such account.
pub async fn remove_user(db: &Db, username: &str) -> sqlx::Result<bool> {
    const END: &str =
        "delete from sessions where user_id in (select id from users where username = $1)";
    const SQL: &str = "delete from users where username = $1";
    with_pool!(db, pool => sqlx::query(END).bind(username).execute(pool).await.map(|r| r.rows_affected()))?;
    let done = with_pool!(db, pool => sqlx::query(SQL).bind(username).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// How many accounts exist.
pub async fn count_users(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db, pool => sqlx::query_scalar("select count(*) from users").fetch_one(pool).await)
}

/// Starts a session.
pub async fn create_session(
    db: &Db,
    id_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    const SQL: &str =
        "insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
                       values ($1, $2, $3, $4, $4, $5)";
    with_pool!(db, pool => sqlx::query(SQL).bind(id_hash).bind(user_id).bind(csrf_token).bind(now).bind(expires_at).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The session with this id hash, with its account.
pub async fn find_session(db: &Db, id_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    const SQL: &str = "select s.user_id, u.username, u.role, u.must_change_password, s.csrf_token, s.last_seen_at, s.expires_at
                       from sessions s join users u on u.id = s.user_id where s.id_hash = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(id_hash).fetch_optional(pool).await)
}

/// Records that a session was used.
pub async fn touch_session(db: &Db, id_hash: &str, now: OffsetDateTime) -> sqlx::Result<()> {
    with_pool!(db, pool => sqlx::query("update sessions set last_seen_at = $2 where id_hash = $1").bind(id_hash).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends a session.
pub async fn delete_session(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    with_pool!(db, pool => sqlx::query("delete from sessions where id_hash = $1").bind(id_hash).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session that expired or sat idle since `idle_before`.
pub async fn delete_stale_sessions(
    db: &Db,
    now: OffsetDateTime,
    idle_before: OffsetDateTime,
) -> sqlx::Result<u64> {
    const SQL: &str = "delete from sessions where expires_at <= $1 or last_seen_at < $2";
    with_pool!(db, pool => sqlx::query(SQL).bind(now).bind(idle_before).execute(pool).await.map(|r| r.rows_affected()))
}

/// The calendar of account `user_id`, if the account exists.
pub async fn calendar(db: &Db, user_id: i64) -> sqlx::Result<Option<CalendarRow>> {
    const SQL: &str = "select username, lang, calendar_generation from users where id = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await)
}

/// The id and calendar generation of `username`, if the account exists.
pub async fn calendar_of(db: &Db, username: &str) -> sqlx::Result<Option<(i64, Option<i64>)>> {
    const SQL: &str = "select id, calendar_generation from users where username = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(username).fetch_optional(pool).await)
}

/// Gives `username` a new calendar link (the old one stops working), audited as a change
/// of the account by itself, in one transaction; answers the new generation.
pub async fn renew_calendar(
    db: &Db,
    username: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    const SQL: &str = "update users
                       set calendar_generation = coalesce(calendar_generation, 0) + 1,
                           updated_at = $2
                       where username = $1 returning calendar_generation";
    let mut tx = db.begin().await?;
    let generation: Option<i64> = with_tx!(&mut tx, conn => sqlx::query_scalar(SQL)
        .bind(username).bind(now).fetch_optional(&mut *conn).await)?;
    let Some(generation) = generation else {
        return Ok(None);
    };
    let entry = super::audit::AuditRow {
        at: now,
        username: username.to_owned(),
        action: super::audit::Action::Reset,
        entity: super::audit::Entity::Account,
        entity_key: username.to_owned(),
        before_json: None,
        after_json: Some(serde_json::json!({ "calendar_link": generation }).to_string()),
    };
    super::audit::insert(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(Some(generation))
}
