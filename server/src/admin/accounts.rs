//! `/admin/accounts`: the staff accounts with their role, how they sign in, their address
//! and the mail they receive; an admin sets another account's mail at
//! `/admin/accounts/{username}` (the same form as one's own, `admin/mail.rs`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;

use super::form::Done;
use crate::auth::{Chrome, Staff};
use crate::db;
use crate::error::Result;
use crate::extract::Query;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;
use crate::texts::mail::{self as texts, MailText};

/// The list.
#[derive(Template, WebTemplate)]
#[template(path = "admin/accounts.html")]
pub struct AccountsPage {
    layout: Layout,
    chrome: Chrome,
    t: &'static MailText,
    done: bool,
    accounts: Vec<AccountItem>,
}

/// One account in the list.
#[derive(Debug)]
pub struct AccountItem {
    username: String,
    role: &'static str,
    campus: bool,
    email: Option<String>,
    /// What it receives, in words.
    receives: String,
}

/// The query of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

/// `GET /admin/accounts` (admins: the addresses are personal data).
pub async fn get_accounts(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<AccountsPage> {
    staff.require_admin()?;
    let t = texts::text(context.lang);
    let mut accounts = Vec::new();
    for user in db::accounts::list_users(&state.db).await? {
        let Some(contact) = db::mail::contact(&state.db, &user.username).await? else {
            continue;
        };
        let mut receives: Vec<&str> = Vec::new();
        if contact.email.is_some() && contact.digest {
            receives.push(t.receives_digest);
        }
        if contact.email.is_some() && contact.alerts {
            receives.push(t.receives_alerts);
        }
        accounts.push(AccountItem {
            campus: user.password_hash.expose() == db::sso::NO_PASSWORD,
            role: user.role.as_str(),
            username: user.username,
            email: contact.email,
            receives: if receives.is_empty() {
                t.receives_nothing.to_owned()
            } else {
                receives.join(context.lang.pick("、", ", "))
            },
        });
    }
    Ok(AccountsPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "accounts"),
        t,
        done: Done::parse(query.done.as_deref()).is_some(),
        accounts,
    })
}
