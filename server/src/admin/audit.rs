//! `/admin/audit` (admins only): the change log, newest first, each entry's fields shown
//! before → after. Entries are written by the edits themselves, in their transaction
//! (`db::edit_audit`); this page only reads.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde_json::{Map, Value};

use crate::auth::Chrome;
use crate::auth::Staff;
use crate::db;
use crate::db::audit::{Action, AuditRow, Entity};
use crate::error::Result;
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;
use crate::texts::edit::{self as edit_texts, EditText};

/// How many entries the page shows.
pub const SHOWN: i64 = 300;

/// Values longer than this many characters are folded.
const FOLD_CHARS: usize = 160;

/// The change log.
#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    layout: Layout,
    chrome: Chrome,
    e: &'static EditText,
    entries: Vec<Entry>,
}

/// One change as the page shows it.
#[derive(Debug)]
pub struct Entry {
    /// When, UTC, for `<time datetime>`.
    at_iso: String,
    /// When, in the institution's time zone.
    at_local: String,
    username: String,
    action: &'static str,
    entity: String,
    entity_key: String,
    changes: Vec<Change>,
}

/// One field's change.
#[derive(Debug)]
pub struct Change {
    field: String,
    before: Shown,
    after: Shown,
}

/// A value as shown: short ones whole, long ones folded with the whole in `<details>`.
#[derive(Debug)]
pub struct Shown {
    /// The value, or its first characters.
    short: String,
    /// The whole value when `short` is cut.
    full: Option<String>,
    /// There is no value (absent, null or empty).
    empty: bool,
}

/// `GET /admin/audit`
pub async fn get_audit(
    State(state): State<AppState>,
    context: PageContext,
    staff: Staff,
) -> Result<AuditPage> {
    staff.require_admin()?;
    let lang = context.lang;
    let entries = db::audit::list(&state.db, SHOWN)
        .await?
        .into_iter()
        .map(|row| entry(&state, row, lang))
        .collect();
    Ok(AuditPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "audit"),
        e: edit_texts::text(lang),
        entries,
    })
}

fn entry(state: &AppState, row: AuditRow, lang: Lang) -> Entry {
    let before = parse(row.before_json.as_deref());
    let after = parse(row.after_json.as_deref());
    let mut seen = Vec::new();
    let changes = after
        .keys()
        .chain(before.keys())
        .filter(|field| {
            let new = !seen.contains(field);
            seen.push(*field);
            new
        })
        .filter(|field| before.get(*field) != after.get(*field))
        .map(|field| Change {
            field: field.clone(),
            before: shown(before.get(field), lang),
            after: shown(after.get(field), lang),
        })
        .collect();
    let instant = jiff::Timestamp::from_second(row.at.unix_timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Entry {
        at_iso: instant.to_string(),
        at_local: instant
            .to_zoned(state.zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        username: row.username,
        action: action_label(row.action, lang),
        entity: entity_label(row.entity, lang),
        entity_key: row.entity_key,
        changes,
    }
}

fn parse(json: Option<&str>) -> Map<String, Value> {
    match json.and_then(|text| serde_json::from_str::<Value>(text).ok()) {
        Some(Value::Object(map)) => map,
        Some(other) => Map::from_iter([("value".to_owned(), other)]),
        None => Map::new(),
    }
}

fn shown(value: Option<&Value>, lang: Lang) -> Shown {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => lang
            .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .to_owned(),
        Some(other) => other.to_string(),
    };
    let folded = text.chars().count() > FOLD_CHARS || text.lines().count() > 3;
    Shown {
        short: if folded {
            let first: String = text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(FOLD_CHARS)
                .collect();
            format!("{first} …")
        } else {
            text.clone()
        },
        empty: text.is_empty(),
        full: folded.then_some(text),
    }
}

fn action_label(action: Action, lang: Lang) -> &'static str {
    match action {
        Action::Create => lang.pick("新增", "Created"),
        Action::Update => lang.pick("修改", "Changed"),
        Action::Delete => lang.pick("刪除", "Deleted"),
        Action::Reset => lang.pick("還原", "Reset"),
        Action::Revoke => lang.pick("撤銷", "Revoked"),
        Action::SignIn => lang.pick("登入", "Signed in"),
        Action::SignInFailed => lang.pick("登入失敗", "Sign-in failed"),
        Action::PasswordCheckFailed => lang.pick("目前密碼輸入錯誤", "Wrong current password"),
        Action::SignOut => lang.pick("登出", "Signed out"),
        Action::Password => lang.pick("變更密碼", "Changed password"),
        Action::Other => lang.pick("其他", "Other"),
    }
}

fn entity_label(entity: Entity, lang: Lang) -> String {
    match entity {
        Entity::Agreement => lang.pick("授權合約", "Agreement"),
        Entity::Product => lang.pick("產品", "Product"),
        Entity::Version => lang.pick("版本", "Version"),
        Entity::Tutorial => lang.pick("教學", "Guide"),
        Entity::ErrorCode => lang.pick("錯誤碼", "Error code"),
        Entity::Settings => lang.pick("學校資訊", "Institution settings"),
        Entity::Deployment => lang.pick("大量部署", "Deployment"),
        Entity::Download => lang.pick("下載憑證", "Download token"),
        Entity::Account => lang.pick("帳號", "Account"),
        Entity::Other(stored) => return stored,
    }
    .to_owned()
}
