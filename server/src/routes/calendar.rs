//! `GET /calendar.ics?key=…`: a staff member's licence calendar — an iCalendar (RFC 5545)
//! feed with an all-day event for each licence term's first and last day, in the
//! account's mail language, for Outlook, Google Calendar or Thunderbird to subscribe to.
//!
//! Calendar programs cannot sign in, so the link is the secret: `key` is the account's id,
//! its calendar generation and their signature with the server's secret
//! (`TokenKey::sign`), recomputed rather than stored, and renewing the link at
//! `/admin/mail` counts the generation up, which stops the old one. The key travels in
//! the query, which the access log never writes. A wrong, old or malformed key is a
//! plain 404, the same as for an account that does not exist.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use crate::db;
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::lang::Lang;
use crate::state::AppState;

/// What the signature covers.
const PURPOSE: &str = "calendar v1";

/// The feed's query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    key: Option<String>,
}

/// The key of account `user_id`'s calendar link at `generation`.
pub fn key(state: &AppState, user_id: i64, generation: i64) -> String {
    let message = format!("{user_id}.{generation}");
    format!("{message}.{}", state.tokens.sign(PURPOSE, &message))
}

/// The whole link.
pub fn link(state: &AppState, user_id: i64, generation: i64) -> String {
    format!(
        "{}/calendar.ics?key={}",
        state.config.public_url,
        key(state, user_id, generation)
    )
}

/// `GET /calendar.ics?key=…`
pub async fn get_calendar(
    State(state): State<AppState>,
    Query(query): Query<FeedQuery>,
) -> Result<Response> {
    let key = query.key.as_deref().unwrap_or_default();
    let mut parts = key.splitn(3, '.');
    let (Some(id), Some(generation), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::NotFound);
    };
    let (Ok(user_id), Ok(generation)) = (id.parse::<i64>(), generation.parse::<i64>()) else {
        return Err(Error::NotFound);
    };
    if key.len() > 120
        || !state
            .tokens
            .signed(PURPOSE, &format!("{user_id}.{generation}"), signature)
    {
        return Err(Error::NotFound);
    }
    let account = db::accounts::calendar(&state.db, user_id)
        .await?
        .filter(|a| a.calendar_generation == Some(generation))
        .ok_or(Error::NotFound)?;
    let versions = db::catalog::list_versions(&state.db).await?;
    let body = feed(&state, account.lang, &versions, state.now());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        body,
    )
        .into_response())
}

/// The calendar of `versions`' terms in `lang`.
fn feed(
    state: &AppState,
    lang: Lang,
    versions: &[db::catalog::VersionRow],
    now: OffsetDateTime,
) -> String {
    let site = state.site();
    let institution = lang.pick(&site.site.name_zh, &site.site.name_en);
    let base = &state.config.public_url;
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .unwrap_or("portal");
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut ics = Ics::default();
    ics.line("BEGIN", "VCALENDAR");
    ics.line("VERSION", "2.0");
    ics.line("PRODID", "-//Campus License Portal//Licence calendar//EN");
    ics.line("CALSCALE", "GREGORIAN");
    ics.line("METHOD", "PUBLISH");
    let name = format!("{institution} {}", lang.pick("授權期限", "licence terms"));
    ics.line("X-WR-CALNAME", &text(&name));
    for row in versions {
        let v = &row.version;
        let name = v.name(lang);
        let page = format!("{base}/catalog/{}?lang={}", v.slug, lang.tag());
        let days = [
            (
                v.term_start,
                "start",
                lang.pick("授權開始", "licence starts"),
            ),
            (v.term_end, "end", lang.pick("授權到期", "licence ends")),
        ];
        for (day, kind, what) in days {
            let Some(day) = day else {
                continue;
            };
            ics.line("BEGIN", "VEVENT");
            ics.line("UID", &format!("{}.{kind}.{}@{host}", v.slug, date(day)));
            ics.line("DTSTAMP", &stamp);
            ics.line("DTSTART;VALUE=DATE", &date(day));
            ics.line("DTEND;VALUE=DATE", &date(day + Duration::days(1)));
            ics.line(
                "SUMMARY",
                &text(&format!("{name}{}{what}", lang.pick("：", ": "))),
            );
            ics.line("DESCRIPTION", &text(&page));
            ics.line("URL", &page);
            ics.line("TRANSP", "TRANSPARENT");
            ics.line("END", "VEVENT");
        }
    }
    ics.line("END", "VCALENDAR");
    ics.0
}

/// An iCalendar text being written: CRLF line ends, lines folded at 75 octets.
#[derive(Default)]
struct Ics(String);

impl Ics {
    /// Writes `name:value`, folded so that no line is over 75 octets (RFC 5545 3.1),
    /// never inside a character.
    fn line(&mut self, name: &str, value: &str) {
        let line = format!("{name}:{value}");
        let mut width = 0;
        for c in line.chars() {
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }
}

/// A TEXT value, escaped (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// A DATE value: `YYYYMMDD`.
fn date(day: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_between_characters() {
        let mut ics = Ics::default();
        let value = "授權".repeat(40);
        ics.line("SUMMARY", &value);
        for line in ics.0.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.0.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{value}\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a, b; c\\d\nnext"), "a\\, b\\; c\\\\d\\nnext");
    }
}
