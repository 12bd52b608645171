//! Staff e-mail: who receives what, the outbox, and which licence stages each account
//! was told. The rules (what a digest holds, when to retry) are `mail`'s; this is only
//! storage.

use sqlx::FromRow;
use time::{Date, OffsetDateTime};

use super::audit::{self, Action, AuditRow, Entity};
use super::{Db, with_pool, with_tx};
use crate::catalog::TermWindow;
use crate::lang::Lang;

/// What an account may subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscription {
    /// The daily digest.
    Digest,
    /// Immediate alerts.
    Alerts,
}

/// An account that receives mail of one kind.
#[derive(Clone, Debug, FromRow)]
pub struct Subscriber {
    /// The account's id.
    pub id: i64,
    /// Its login name.
    pub username: String,
    /// Where to write.
    pub email: String,
    /// The language to write in.
    #[sqlx(try_from = "String")]
    pub lang: Lang,
}

/// An account's e-mail settings.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Contact {
    /// The address, if it has one.
    pub email: Option<String>,
    /// The language its mail is written in.
    #[sqlx(try_from = "String")]
    pub lang: Lang,
    /// Whether it receives the daily digest.
    pub digest: bool,
    /// Whether it receives the immediate alerts.
    pub alerts: bool,
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    /// Unique per message: queuing the same key again does nothing.
    pub key: &'a str,
    /// The address.
    pub recipient: &'a str,
    /// The subject line.
    pub subject: &'a str,
    /// The plain-text body.
    pub body: &'a str,
}

/// A licence stage to remember as told, with the digest that tells it.
#[derive(Clone, Debug)]
pub struct Stage<'a> {
    /// The version's slug.
    pub version: &'a str,
    /// The term's last day (a renewed term starts its stages again).
    pub term_end: Date,
    /// The stage.
    pub window: TermWindow,
}

/// A message claimed for sending.
#[derive(Clone, Debug, FromRow)]
pub struct Claimed {
    /// Its id.
    pub id: i64,
    /// The address.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Attempts before this one.
    pub attempts: i32,
}

/// Messages not yet delivered after at least one attempt, and the newest error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failing {
    /// How many.
    pub messages: i64,
    /// What the mail server (or the connection) said last.
    pub last_error: Option<String>,
}

/// The accounts with an address that receive `kind`, by name.
pub async fn subscribers(db: &Db, kind: Subscription) -> sqlx::Result<Vec<Subscriber>> {
    const DIGEST: &str = "select id, username, email, lang from users
                          where email is not null and digest order by username";
    const ALERTS: &str = "select id, username, email, lang from users
                          where email is not null and alerts order by username";
    let sql = match kind {
        Subscription::Digest => DIGEST,
        Subscription::Alerts => ALERTS,
    };
    with_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)
}

/// An account's e-mail settings; `None` when there is no such account.
pub async fn contact(db: &Db, username: &str) -> sqlx::Result<Option<Contact>> {
    const SQL: &str = "select email, lang, digest, alerts from users where username = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(username).fetch_optional(pool).await)
}

/// Sets an account's e-mail settings, audited as a change of the account by `by`, in
/// one transaction; `false` (and nothing changed) when there is no such account.
pub async fn set_contact(
    db: &Db,
    username: &str,
    contact: &Contact,
    by: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    const BEFORE: &str = "select email, lang, digest, alerts from users where username = $1";
    const SQL: &str = "update users set email = $2, lang = $3, digest = $4, alerts = $5,
                       updated_at = $6 where username = $1";
    let mut tx = db.begin().await?;
    let before: Option<Contact> = with_tx!(&mut tx, conn => sqlx::query_as(BEFORE)
        .bind(username).fetch_optional(&mut *conn).await)?;
    let Some(before) = before else {
        return Ok(false);
    };
    with_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(username).bind(contact.email.as_deref()).bind(contact.lang.tag())
        .bind(contact.digest).bind(contact.alerts).bind(now)
        .execute(&mut *conn).await.map(|_| ()))?;
    let entry = AuditRow {
        at: now,
        username: by.to_owned(),
        action: Action::Update,
        entity: Entity::Account,
        entity_key: username.to_owned(),
        before_json: Some(before.to_json().to_string()),
        after_json: Some(contact.to_json().to_string()),
    };
    audit::insert(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(true)
}

impl Contact {
    /// As the audit log shows it.
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "email": self.email,
            "lang": self.lang.tag(),
            "digest": self.digest,
            "alerts": self.alerts,
        })
    }
}

/// A licence stage an account was told.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Told {
    /// The version's slug.
    pub version_slug: String,
    /// The term's last day then.
    pub term_end: Date,
    /// The stage.
    #[sqlx(try_from = "String")]
    pub stage: TermWindow,
}

/// The stages of licence ends `user_id` was told.
pub async fn told_stages(db: &Db, user_id: i64) -> sqlx::Result<Vec<Told>> {
    const SQL: &str =
        "select version_slug, term_end, stage from mail_term_stages where user_id = $1";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(user_id).fetch_all(pool).await)
}

/// Whether a message with `key` was queued (sent or not).
pub async fn is_queued(db: &Db, key: &str) -> sqlx::Result<bool> {
    const SQL: &str = "select count(*) from mail_outbox where message_key = $1";
    let n: i64 = with_pool!(db, pool => sqlx::query_scalar(SQL).bind(key).fetch_one(pool).await)?;
    Ok(n > 0)
}

/// Queues `message` for `user_id` and remembers `stages` as told, in one transaction;
/// `false` (and nothing changed) when a message with its key was queued before.
pub async fn queue(
    db: &Db,
    message: &NewMessage<'_>,
    user_id: i64,
    stages: &[Stage<'_>],
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    const MESSAGE: &str = "
        insert into mail_outbox (message_key, recipient, subject, body, created_at, next_attempt_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (message_key) do nothing";
    const STAGE: &str = "
        insert into mail_term_stages (user_id, version_slug, term_end, stage, told_at)
        values ($1, $2, $3, $4, $5)
        on conflict do nothing";
    let mut tx = db.begin().await?;
    let queued = with_tx!(&mut tx, conn => sqlx::query(MESSAGE)
        .bind(message.key).bind(message.recipient).bind(message.subject).bind(message.body)
        .bind(now)
        .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if queued == 0 {
        return Ok(false);
    }
    for stage in stages {
        with_tx!(&mut tx, conn => sqlx::query(STAGE)
            .bind(user_id).bind(stage.version).bind(stage.term_end)
            .bind(stage.window.as_str()).bind(now)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Claims the oldest message due by `now` until `until`, so that no other portal sends
/// it meanwhile; `None` when none is due.
pub async fn claim(
    db: &Db,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> sqlx::Result<Option<Claimed>> {
    // The outer conditions are checked again on the locked row (PostgreSQL), so two
    // portals that pick the same message do not both claim it.
    const SQL: &str = "
        update mail_outbox set claimed_until = $2
        where id = (select id from mail_outbox
                    where sent_at is null and next_attempt_at <= $1
                      and (claimed_until is null or claimed_until <= $1)
                    order by next_attempt_at, id limit 1)
          and sent_at is null and (claimed_until is null or claimed_until <= $1)
        returning id, recipient, subject, body, attempts";
    with_pool!(db, pool => sqlx::query_as(SQL).bind(now).bind(until).fetch_optional(pool).await)
}

/// Marks a claimed message sent.
pub async fn sent(db: &Db, id: i64, now: OffsetDateTime) -> sqlx::Result<()> {
    const SQL: &str = "update mail_outbox
                       set sent_at = $2, claimed_until = null, last_error = null,
                           attempts = attempts + 1
                       where id = $1";
    with_pool!(db, pool => sqlx::query(SQL).bind(id).bind(now)
        .execute(pool).await.map(|_| ()))
}

/// Records a failed attempt; the message is tried again from `retry_at`.
pub async fn failed(db: &Db, id: i64, error: &str, retry_at: OffsetDateTime) -> sqlx::Result<()> {
    const SQL: &str = "update mail_outbox
                       set attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
                           claimed_until = null
                       where id = $1";
    with_pool!(db, pool => sqlx::query(SQL).bind(id).bind(error).bind(retry_at)
        .execute(pool).await.map(|_| ()))
}

/// Messages that failed at least once and are not delivered yet.
pub async fn failing(db: &Db) -> sqlx::Result<Failing> {
    const COUNT: &str = "select count(*) from mail_outbox where sent_at is null and attempts > 0";
    const LAST: &str = "select last_error from mail_outbox
                        where sent_at is null and attempts > 0
                        order by next_attempt_at desc, id desc limit 1";
    let messages: i64 = with_pool!(db, pool => sqlx::query_scalar(COUNT).fetch_one(pool).await)?;
    if messages == 0 {
        return Ok(Failing::default());
    }
    let last_error: Option<Option<String>> =
        with_pool!(db, pool => sqlx::query_scalar(LAST).fetch_optional(pool).await)?;
    Ok(Failing {
        messages,
        last_error: last_error.flatten(),
    })
}
