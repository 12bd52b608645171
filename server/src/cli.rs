//! The command-line tools beside `serve`: staff accounts (`portal admin …`, here), demo
//! data (`portal demo-data`, [`demo`]) and the mail digest (`portal notify`, [`notify`]). Account passwords are read from
//! standard input (one line) or, at a terminal, from a prompt that does not echo —
//! never from an argument, which other users could see in the process list.

pub mod demo;
pub mod notify;

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};

use crate::auth::strength;
use crate::auth::{self, Role};
use crate::config::Config;
use crate::db::audit::Action;
use crate::db::{self, Db};
use crate::lang::Lang;

/// What to do to accounts.
#[derive(Debug, Clone)]
pub enum AccountCommand {
    /// Create an account; its password must be changed at first sign-in.
    Add {
        /// The login name.
        username: String,
        /// Its role.
        role: Role,
        /// Where its mail goes (it then receives the daily digest).
        email: Option<String>,
        /// The language of its mail.
        lang: Lang,
    },
    /// Set an account's e-mail settings; what is `None` stays as it is.
    Mail {
        /// The login name.
        username: String,
        /// A new address (`Some(None)` removes it).
        email: Option<Option<String>>,
        /// The language of its mail.
        lang: Option<Lang>,
        /// Whether it receives the daily digest.
        digest: Option<bool>,
        /// Whether it receives immediate alerts.
        alerts: Option<bool>,
    },
    /// Set a new password; it must be changed at the next sign-in.
    Passwd {
        /// The login name.
        username: String,
    },
    /// Remove an account and end its sessions.
    Remove {
        /// The login name.
        username: String,
    },
    /// List the accounts.
    List,
}

/// Who the audit log says made a change from the command line.
const COMMAND_LINE: &str = "(command line)";

/// Runs `command` against the configured database; answers what to print.
pub async fn run(config: &Config, command: AccountCommand) -> anyhow::Result<String> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let result = match command {
        AccountCommand::Add {
            username,
            role,
            email,
            lang,
        } => {
            check_name(&username)?;
            let email = email.as_deref().map(check_email).transpose()?;
            let password = read_password(config, &username)?;
            let hash = auth::hash_password_now(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            if !db::accounts::create_user(&db, &username, role, &hash, true, now).await? {
                bail!("an account named {username} exists already");
            }
            let details = serde_json::json!({ "role": role.as_str() });
            db::audit::audit_account(
                &db,
                now,
                COMMAND_LINE,
                Action::Create,
                &username,
                Some(details),
            )
            .await?;
            if email.is_some() || lang != Lang::ZhTw {
                let contact = db::mail::Contact {
                    email,
                    lang,
                    digest: true,
                    alerts: true,
                };
                db::mail::set_contact(&db, &username, &contact, COMMAND_LINE, now).await?;
            }
            format!(
                "created {username} ({}); the password must be changed at first sign-in",
                role.as_str()
            )
        }
        AccountCommand::Mail {
            username,
            email,
            lang,
            digest,
            alerts,
        } => {
            let Some(mut contact) = db::mail::contact(&db, &username).await? else {
                bail!("there is no account named {username}");
            };
            if let Some(email) = email {
                contact.email = email.as_deref().map(check_email).transpose()?;
            }
            contact.lang = lang.unwrap_or(contact.lang);
            contact.digest = digest.unwrap_or(contact.digest);
            contact.alerts = alerts.unwrap_or(contact.alerts);
            db::mail::set_contact(&db, &username, &contact, COMMAND_LINE, now).await?;
            let receives = |on: bool, what: &str| {
                if on && contact.email.is_some() {
                    format!("receives {what}")
                } else {
                    format!("no {what}")
                }
            };
            format!(
                "{username}: {}, in {}, {}, {}",
                contact.email.as_deref().unwrap_or("no e-mail address"),
                contact.lang.tag(),
                receives(contact.digest, "daily digest"),
                receives(contact.alerts, "alerts"),
            )
        }
        AccountCommand::Passwd { username } => {
            check_name(&username)?;
            let password = read_password(config, &username)?;
            let hash = auth::hash_password_now(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            if !db::accounts::set_password(&db, &username, &hash, true, now).await? {
                bail!("there is no account named {username}");
            }
            db::audit::audit_account(&db, now, COMMAND_LINE, Action::Reset, &username, None)
                .await?;
            format!(
                "set a new password for {username}; it must be changed at the next sign-in, and its sessions ended"
            )
        }
        AccountCommand::Remove { username } => {
            if !db::accounts::remove_user(&db, &username).await? {
                bail!("there is no account named {username}");
            }
            db::audit::audit_account(&db, now, COMMAND_LINE, Action::Delete, &username, None)
                .await?;
            format!("removed {username}")
        }
        AccountCommand::List => {
            let users = db::accounts::list_users(&db).await?;
            users
                .iter()
                .map(|u| {
                    format!(
                        "{}\t{}{}",
                        u.username,
                        u.role.as_str(),
                        if u.must_change_password {
                            "\t(must change password)"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    db.close().await;
    Ok(result)
}

fn check_email(text: &str) -> anyhow::Result<String> {
    crate::extract::email_address(text).ok_or_else(|| {
        anyhow::anyhow!("{text:?} is not an e-mail address (user@host, at most 254 characters)")
    })
}

fn check_name(username: &str) -> anyhow::Result<()> {
    if !auth::valid_username(username) {
        bail!("a username is 1 to 64 lower-case letters, digits, '.', '_' or '-'");
    }
    Ok(())
}

/// Reads a new password: a no-echo prompt (twice) at a terminal, else one line of stdin.
fn read_password(config: &Config, username: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {username}: "))
            .context("cannot read the password")?;
        let second = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != second {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    let institution = &config.institution;
    let context = [institution.name_zh.as_str(), institution.name_en.as_str()];
    if let Some(problem) = strength::problem(&password, username, &context) {
        bail!("{}", problem.message(Lang::En));
    }
    Ok(password)
}
