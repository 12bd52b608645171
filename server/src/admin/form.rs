//! What the editing forms share: problems shown beside their field, the checks several
//! forms apply, and the answers after a change.
//!
//! A refused form is shown again with what was typed, a summary at the top linking to
//! each field, and each message beside its field (`aria-describedby`, `aria-invalid`),
//! with status 422. A saved one redirects (303) to its list with `?done=…`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::Date;

use crate::auth::Staff;
use crate::db::edit_audit::Actor;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::state::AppState;

/// The longest name accepted (the database checks the same).
pub const MAX_NAME_CHARS: usize = 200;

/// The problems found in a form, each with the field it belongs to.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    list: Vec<(&'static str, String)>,
    labels: Vec<(&'static str, &'static str)>,
}

/// One problem, for the summary at the top of a form.
#[derive(Clone, Debug)]
pub struct ProblemLink<'a> {
    /// The field's `id`, for the link.
    pub id: String,
    /// The field's label, when the page gave it (messages alone can repeat).
    pub label: Option<&'static str>,
    /// The message.
    pub message: &'a str,
}

/// A form that carries only the CSRF token (a delete confirmation, a reset).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    /// The session's CSRF token.
    pub csrf: Secret,
}

/// A form whose repeated names (a list of checkboxes) fill a `Vec`: axum's `Form` reads
/// each name once. Its rejection is our own error, as for every other extractor.
#[derive(Clone, Debug)]
pub struct ListForm<T>(pub T);

/// What the list pages say after a change (`?done=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// Something new was saved.
    Created,
    /// A change was saved.
    Saved,
    /// Something was deleted.
    Deleted,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ListForm<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(Error::UnsupportedMediaType);
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| Error::PayloadTooLarge)?;
        serde_html_form::from_bytes(&body)
            .map(ListForm)
            .map_err(|error| Error::Unprocessable {
                field: String::new(),
                message: format!("the form could not be read: {error}"),
            })
    }
}

impl Problems {
    /// Records `message` against `field` (the first message per field wins).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.has(field) {
            self.list.push((field, message.into()));
        }
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.list.iter().any(|(f, _)| *f == field)
    }

    /// Whether the form is acceptable.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Names the fields for the summary: `(field, label)` pairs.
    pub fn label(&mut self, labels: &[(&'static str, &'static str)]) {
        self.labels.extend_from_slice(labels);
    }

    /// Every problem in the order found, for the summary.
    pub fn links(&self) -> Vec<ProblemLink<'_>> {
        self.list
            .iter()
            .map(|(field, message)| ProblemLink {
                id: format!("f-{field}"),
                label: self
                    .labels
                    .iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, label)| *label),
                message,
            })
            .collect()
    }

    /// The `aria-describedby` value of `field`: its hint when it has one, then its message.
    pub fn describedby(&self, field: &str, has_hint: bool) -> String {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(format!("f-{field}-hint"));
        }
        if self.has(field) {
            ids.push(format!("f-{field}-error"));
        }
        ids.join(" ")
    }
}

impl Done {
    /// Parses the `?done=` value.
    pub fn parse(value: Option<&str>) -> Option<Done> {
        match value? {
            "created" => Some(Done::Created),
            "saved" => Some(Done::Saved),
            "deleted" => Some(Done::Deleted),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Done::Created => "created",
            Done::Saved => "saved",
            Done::Deleted => "deleted",
        }
    }
}

/// Refuses viewers and forged or missing CSRF tokens: the first thing every change does.
pub fn allow_change(staff: &Staff, csrf: &Secret) -> Result<()> {
    staff.require_admin()?;
    staff.check_csrf(csrf)
}

/// The author of a change: the signed-in account, now.
pub fn actor(staff: &Staff, state: &AppState) -> Actor {
    Actor {
        username: staff.username.clone(),
        at: state.now(),
    }
}

/// A form shown again with its problems: status 422.
pub fn refused(page: impl Template) -> Result<Response> {
    let html = page.render().map_err(|e| Error::Internal(e.into()))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// After a change: back to `list` (a path without a query), saying what happened.
pub fn done(list: &str, what: Done, anchor: &str) -> Response {
    let anchor = if anchor.is_empty() {
        String::new()
    } else {
        format!("#{anchor}")
    };
    Redirect::to(&format!("{list}?done={}{anchor}", what.as_str())).into_response()
}

/// Trims `value`; answers it, or records `message` when it is empty, longer than `max`
/// characters, or holds control characters (other than line breaks and tabs when
/// `multiline`).
pub fn text(
    problems: &mut Problems,
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
    message: &str,
) -> String {
    let value = value.trim();
    let bad_char = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
    if value.is_empty() || value.chars().count() > max || value.chars().any(bad_char) {
        problems.add(field, message);
    }
    // Browsers send CRLF from text areas; store Markdown with plain line feeds.
    value.replace("\r\n", "\n")
}

/// A catalogue entry's two names (fields `name_zh`, `name_en`), each checked as [`text`]
/// on one line of at most [`MAX_NAME_CHARS`]; `message` for either that is not.
pub fn names(problems: &mut Problems, zh: &str, en: &str, message: &str) -> (String, String) {
    (
        text(problems, "name_zh", zh, MAX_NAME_CHARS, false, message),
        text(problems, "name_en", en, MAX_NAME_CHARS, false, message),
    )
}

/// Trims a slug; records `message` unless it is 1 to 80 lower-case letters, digits and
/// hyphens that starts and ends with a letter or digit (as every slug in the seed does).
pub fn slug(problems: &mut Problems, field: &'static str, value: &str, message: &str) -> String {
    let value = value.trim();
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !crate::extract::is_slug(value)
        || !ends_ok(value.chars().next())
        || !ends_ok(value.chars().last())
    {
        problems.add(field, message);
    }
    value.to_owned()
}

/// Parses an optional ISO 8601 date (`2025-08-01`); empty means none.
pub fn date(
    problems: &mut Problems,
    field: &'static str,
    value: &str,
    message: &str,
) -> Option<Date> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(value, format) {
        Ok(date) if (1912..=9999).contains(&date.year()) => Some(date),
        _ => {
            problems.add(field, message);
            None
        }
    }
}

/// Parses a sort order: a whole number between -1,000,000 and 1,000,000; empty means 0.
pub fn sort_order(problems: &mut Problems, field: &'static str, value: &str, message: &str) -> i64 {
    let value = value.trim();
    if value.is_empty() {
        return 0;
    }
    match value.parse::<i64>() {
        Ok(n) if (-1_000_000..=1_000_000).contains(&n) => n,
        _ => {
            problems.add(field, message);
            0
        }
    }
}

/// Whether a checkbox was ticked.
pub fn ticked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso_and_plausible() {
        let mut problems = Problems::default();
        assert_eq!(
            date(&mut problems, "d", "2025-08-01", "bad"),
            Some(time::macros::date!(2025 - 08 - 01))
        );
        assert_eq!(date(&mut problems, "d", " ", "bad"), None);
        assert!(problems.is_empty());
        for bad in [
            "2025-02-30",
            "114/08/01",
            "2025-8-1",
            "0001-01-01",
            "tomorrow",
        ] {
            let mut problems = Problems::default();
            assert_eq!(date(&mut problems, "d", bad, "bad"), None, "{bad}");
            assert_eq!(problems.get("d"), Some("bad"), "{bad}");
        }
    }

    #[test]
    fn slugs_start_and_end_with_a_letter_or_digit() {
        for good in ["office-2019-proplus", "a", "7"] {
            let mut problems = Problems::default();
            assert_eq!(slug(&mut problems, "s", &format!(" {good} "), "bad"), good);
            assert!(problems.is_empty(), "{good}");
        }
        for bad in [
            "",
            "-",
            "-office",
            "office-",
            "Office",
            "office 2019",
            &"a".repeat(81),
        ] {
            let mut problems = Problems::default();
            slug(&mut problems, "s", bad, "bad");
            assert!(problems.has("s"), "{bad:?}");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut problems = Problems::default();
        assert_eq!(
            text(&mut problems, "n", "  Office  ", 200, false, "bad"),
            "Office"
        );
        assert_eq!(text(&mut problems, "b", "a\r\nb", 200, true, "bad"), "a\nb");
        assert!(problems.is_empty());
        for (value, multiline) in [("", false), ("a\nb", false), ("a\u{7}", true)] {
            let mut problems = Problems::default();
            text(&mut problems, "n", value, 200, multiline, "bad");
            assert!(problems.has("n"), "{value:?}");
        }
        let mut problems = Problems::default();
        text(&mut problems, "n", &"字".repeat(201), 200, false, "bad");
        assert!(problems.has("n"));
    }

    #[test]
    fn described_by_names_the_hint_and_the_message() {
        let mut problems = Problems::default();
        problems.add("slug", "taken");
        problems.add("slug", "ignored: the first message wins");
        assert_eq!(
            problems.describedby("slug", true),
            "f-slug-hint f-slug-error"
        );
        assert_eq!(problems.describedby("name", false), "");
        assert_eq!(problems.get("slug"), Some("taken"));
    }
}
