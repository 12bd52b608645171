//! The command-line tools beside `serve`: staff accounts (`portal admin …`, here) and demo
//! data (`portal demo-data`, [`demo`]). Account passwords are read from
//! standard input (one line) or, at a terminal, from a prompt that does not echo —
//! never from an argument, which other users could see in the process list.

pub mod demo;

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
        AccountCommand::Add { username, role } => {
            check_name(&username)?;
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
            format!(
                "created {username} ({}); the password must be changed at first sign-in",
                role.as_str()
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
