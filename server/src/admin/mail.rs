//! `/admin/mail`: each staff member's own e-mail settings — the address, the language of
//! the mail, and whether the daily digest and the immediate alerts come — and its
//! licence calendar's secret link (`routes::calendar`). Any signed-in account may change its own
//! (viewers too: it changes nothing of the portal's); the change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::form::{Done, Problems};
use crate::auth::{Chrome, Staff};
use crate::db;
use crate::db::mail::Contact;
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::secret::Secret;
use crate::state::AppState;
use crate::texts::edit::{self as edit_texts, EditText};
use crate::texts::mail::{self as texts, MailText};

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "admin/mail.html")]
pub struct MailPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    t: &'static MailText,
    form: MailForm,
    problems: Problems,
    done: bool,
    /// Why no mail goes out, or what is stuck, if anything.
    warning: Option<String>,
    /// The account's licence calendar link, if it made one.
    calendar: Option<String>,
    /// Another account an admin is setting, or `None` for one's own.
    account: Option<String>,
    heading: String,
    /// Where the form posts.
    action: String,
}

/// The form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MailForm {
    csrf: Secret,
    email: String,
    lang: String,
    /// `on` when ticked.
    digest: Option<String>,
    /// `on` when ticked.
    alerts: Option<String>,
}

/// The query of the page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

/// `GET /admin/mail`
pub async fn get_mail(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Query(query): Query<PageQuery>,
) -> Result<MailPage> {
    let form = load_form(&state, &staff.username)
        .await?
        .ok_or(Error::SignInRequired)?;
    let done = Done::parse(query.done.as_deref()).is_some();
    page(
        &state,
        &context,
        &staff,
        None,
        form,
        Problems::default(),
        done,
    )
    .await
}

/// `GET /admin/accounts/{username}`: an admin sets another account's mail.
pub async fn get_account(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(username): Path<String>,
) -> Result<MailPage> {
    staff.require_admin()?;
    let form = load_form(&state, &username).await?.ok_or(Error::NotFound)?;
    page(
        &state,
        &context,
        &staff,
        Some(username),
        form,
        Problems::default(),
        false,
    )
    .await
}

/// `POST /admin/accounts/{username}`
pub async fn post_account(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Path(username): Path<String>,
    Form(typed): Form<MailForm>,
) -> Result<Response> {
    super::form::allow_change(&staff, &typed.csrf)?;
    if load_form(&state, &username).await?.is_none() {
        return Err(Error::NotFound);
    }
    save(&state, &context, &staff, Some(username), typed).await
}

/// The form filled from `username`'s settings; `None` when there is no such account.
async fn load_form(state: &AppState, username: &str) -> Result<Option<MailForm>> {
    if !crate::auth::valid_username(username) {
        return Ok(None);
    }
    Ok(db::mail::contact(&state.db, username)
        .await?
        .map(|contact| MailForm {
            csrf: Secret::default(),
            email: contact.email.unwrap_or_default(),
            lang: contact.lang.tag().to_owned(),
            digest: contact.digest.then(|| "on".to_owned()),
            alerts: contact.alerts.then(|| "on".to_owned()),
        }))
}

/// The calendar form: only the session's token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
    csrf: Secret,
}

/// `POST /admin/mail/calendar`: a new licence calendar link (the old one stops working).
pub async fn post_calendar(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CalendarForm>,
) -> Result<Response> {
    staff.check_csrf(&form.csrf)?;
    db::accounts::renew_calendar(&state.db, &staff.username, state.now())
        .await?
        .ok_or(Error::SignInRequired)?;
    Ok(super::form::done("/admin/mail", Done::Saved, "calendar"))
}

/// `POST /admin/mail`
pub async fn post_mail(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
    Form(typed): Form<MailForm>,
) -> Result<Response> {
    staff.check_csrf(&typed.csrf)?;
    save(&state, &context, &staff, None, typed).await
}

/// Checks and stores the form for `account` (`None`: the signed-in one's own).
async fn save(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    account: Option<String>,
    typed: MailForm,
) -> Result<Response> {
    let t = texts::text(context.lang);
    let mut problems = Problems::default();
    let email = match typed.email.trim() {
        "" => None,
        text => {
            let address = crate::extract::email_address(text);
            if address.is_none() {
                problems.add("email", t.problem_email);
            }
            address
        }
    };
    let lang = Lang::from_tag(&typed.lang);
    if lang.is_none() {
        problems.add("lang", t.problem_lang);
    }
    let (Some(lang), true) = (lang, problems.is_empty()) else {
        let page = page(state, context, staff, account, typed, problems, false).await?;
        return super::form::refused(page);
    };
    let contact = Contact {
        email,
        lang,
        digest: typed.digest.is_some(),
        alerts: typed.alerts.is_some(),
    };
    let whose = account.as_deref().unwrap_or(&staff.username);
    if !db::mail::set_contact(&state.db, whose, &contact, &staff.username, state.now()).await? {
        return Err(Error::NotFound);
    }
    Ok(match account {
        Some(_) => super::form::done("/admin/accounts", Done::Saved, ""),
        None => super::form::done("/admin/mail", Done::Saved, ""),
    })
}

async fn page(
    state: &AppState,
    context: &PageContext,
    staff: &Staff,
    account: Option<String>,
    form: MailForm,
    mut problems: Problems,
    done: bool,
) -> Result<MailPage> {
    let t = texts::text(context.lang);
    problems.label(&[("email", t.field_email), ("lang", t.field_lang)]);
    let warning = if state.config.mail.smtp_url.is_none() {
        Some(t.mail_off.to_owned())
    } else {
        let failing = db::mail::failing(&state.db).await?;
        texts::undelivered(
            context.lang,
            failing.messages,
            failing.last_error.as_deref(),
        )
    };
    let calendar = match db::accounts::calendar_of(&state.db, &staff.username)
        .await?
        .filter(|_| account.is_none())
    {
        Some((id, Some(generation))) => Some(crate::routes::calendar::link(state, id, generation)),
        _ => None,
    };
    Ok(MailPage {
        layout: Layout::new(state, context, Nav::Admin),
        chrome: Chrome::new(staff, "mail"),
        e: edit_texts::text(context.lang),
        t,
        form,
        problems,
        done,
        warning,
        calendar,
        heading: match &account {
            Some(name) => t.account_title.replace("{name}", name),
            None => t.page_title.to_owned(),
        },
        action: match &account {
            Some(name) => format!("/admin/accounts/{name}"),
            None => "/admin/mail".to_owned(),
        },
        account,
    })
}
