//! `GET /admin`: the activation-statistics dashboard, and the filters it shares with its
//! exports (`export.rs`).
//!
//! The filters are checked strictly (each bad one is a 400 naming it) and turned into a
//! [`Scope`]: the institution's days `from..=to`, the UTC instants that bound them, and
//! the catalogue the panels name versions from. The panels (`panels.rs`, `machines.rs`)
//! read only roll-ups through `db::dashboard`; the page and the CSV and JSON exports are
//! built from the same rows, so they cannot disagree.

pub mod chart;
pub mod export;
pub mod machines;
pub mod page;
pub mod panels;
pub mod sentences;
pub mod states;
pub mod tables;

use std::collections::HashMap;

use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use crate::catalog::Family;
use crate::db;
use crate::db::catalog::VersionRow;
use crate::db::dashboard::Narrow;
use crate::error::{Error, QueryProblem, Result};
use crate::extract::{exact_param, is_slug, text_param};
use crate::lang::Lang;
use crate::state::AppState;

/// Days shown when no range is given.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest range accepted, in days.
pub const MAX_DAYS: i64 = 366;
/// The longest network label accepted (configured names are at most 60 characters).
pub const MAX_NETWORK_CHARS: usize = 60;
/// How many items the two lists (unreported downloads, recent failures) show.
pub const LIST_LIMIT: i64 = 20;
/// The years a date filter may name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2199;

/// The dashboard's query string, shared by the page and every export.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterQuery {
    from: Option<String>,
    to: Option<String>,
    family: Option<String>,
    version: Option<String>,
    network: Option<String>,
    /// Read by the language middleware; accepted here so it is not unknown.
    #[serde(rename = "lang")]
    _lang: Option<String>,
}

impl FilterQuery {
    /// All of the days `from..=to`, unfiltered (the mail digest's scope).
    pub fn days(from: Date, to: Date) -> FilterQuery {
        FilterQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            ..FilterQuery::default()
        }
    }
}

/// How filters are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checking {
    /// For the page's form: values are trimmed, and a range backwards or too long, or a
    /// version not in the catalogue, is an error to show.
    Form,
    /// For an export (an API): values are taken as sent (empty means absent); a range
    /// backwards is turned round, one too long cut to the days ending at `to`, and a
    /// version not in the catalogue has no rows — every request the API document calls
    /// valid is answered.
    Export,
}

/// Checked filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// First day (institution's time zone), inclusive.
    pub from: Date,
    /// Last day, inclusive.
    pub to: Date,
    /// Only versions of this family.
    pub family: Option<Family>,
    /// Only this version (a catalogue slug).
    pub version: Option<String>,
    /// Only this network label.
    pub network: Option<String>,
}

/// Everything a panel needs to compute its rows.
#[derive(Debug)]
pub struct Scope {
    /// The checked filters.
    pub filters: Filters,
    /// The first instant of `from`, UTC.
    pub start: OffsetDateTime,
    /// The first instant after `to`, UTC.
    pub end: OffsetDateTime,
    /// Now, UTC, whole seconds.
    pub now: OffsetDateTime,
    /// Today in the institution's time zone.
    pub today: Date,
    /// The language names and texts are given in.
    pub lang: Lang,
    /// The catalogue's versions, in catalogue order.
    pub versions: Vec<VersionRow>,
    index: HashMap<String, usize>,
    zone: jiff::tz::TimeZone,
}

impl Filters {
    /// Checks `query` against the catalogue (`versions`) and `today`, as the page's form
    /// wants: each problem is an error the form shows.
    pub fn check(query: &FilterQuery, today: Date, versions: &[VersionRow]) -> Result<Filters> {
        Filters::check_as(query, today, versions, Checking::Form)
    }

    /// Checks `query` as `mode` wants.
    pub fn check_as(
        query: &FilterQuery,
        today: Date,
        versions: &[VersionRow],
        mode: Checking,
    ) -> Result<Filters> {
        let form = mode == Checking::Form;
        let param = |field, value: Option<&str>, max| {
            if form {
                text_param(field, value, max)
            } else {
                exact_param(field, value, max)
            }
        };
        let mut to = match date_param(param("to", query.to.as_deref(), 10)?, "to")? {
            Some(to) => to,
            None => today,
        };
        let mut from = match date_param(param("from", query.from.as_deref(), 10)?, "from")? {
            Some(from) => from,
            None => to - Duration::days(DEFAULT_DAYS - 1),
        };
        if from > to {
            if form {
                return Err(invalid("from", QueryProblem::AfterTo));
            }
            std::mem::swap(&mut from, &mut to);
        }
        if (to - from).whole_days() + 1 > MAX_DAYS {
            if form {
                return Err(invalid("to", QueryProblem::RangeTooLong(MAX_DAYS)));
            }
            from = to - Duration::days(MAX_DAYS - 1);
        }
        let family = match param("family", query.family.as_deref(), 40)? {
            None => None,
            Some(value) => Some(Family::parse(&value).ok_or_else(|| {
                let choices = Family::ALL.iter().map(|f| f.as_str()).collect();
                invalid("family", QueryProblem::NotOneOf(choices))
            })?),
        };
        let version = param("version", query.version.as_deref(), 100)?;
        // A version of another family than the one chosen is not an error: the two
        // filters both apply, and the panels say there is nothing to show. An export
        // takes a version the catalogue lacks the same way: it has no rows.
        if let Some(slug) = &version
            && !(is_slug(slug) && (!form || versions.iter().any(|v| &v.version.slug == slug)))
        {
            return Err(invalid("version", QueryProblem::NotAVersion));
        }
        let network = param("network", query.network.as_deref(), MAX_NETWORK_CHARS)?;
        Ok(Filters {
            from,
            to,
            family,
            version,
            network,
        })
    }

    /// The filters as the queries take them.
    pub fn narrow(&self) -> Narrow<'_> {
        Narrow {
            version: self.version.as_deref(),
            family: self.family.map(Family::as_str),
            network: self.network.as_deref(),
        }
    }

    /// How many days the range covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The filters as a query string (no leading `?`), for links that keep them.
    pub fn query_string(&self) -> String {
        let mut pairs = vec![format!("from={}", self.from), format!("to={}", self.to)];
        if let Some(family) = self.family {
            pairs.push(format!("family={family}"));
        }
        if let Some(version) = &self.version {
            pairs.push(format!("version={}", percent_encode(version)));
        }
        if let Some(network) = &self.network {
            pairs.push(format!("network={}", percent_encode(network)));
        }
        pairs.join("&")
    }
}

impl Scope {
    /// Checks `query` as `mode` wants and prepares what the panels need.
    pub async fn load(
        state: &AppState,
        query: &FilterQuery,
        lang: Lang,
        mode: Checking,
    ) -> Result<Scope> {
        let today = state.today();
        let versions = db::catalog::list_versions(&state.db).await?;
        let filters = Filters::check_as(query, today, &versions, mode)?;
        let start = state
            .day_start(filters.from)
            .ok_or_else(|| invalid("from", QueryProblem::OutOfRange))?;
        let after = filters.to + Duration::days(1);
        let end = state
            .day_start(after)
            .ok_or_else(|| invalid("to", QueryProblem::OutOfRange))?;
        let index = versions
            .iter()
            .enumerate()
            .map(|(i, v)| (v.version.slug.clone(), i))
            .collect();
        Ok(Scope {
            filters,
            start,
            end,
            now: state.now(),
            today,
            lang,
            versions,
            index,
            zone: state.zone.clone(),
        })
    }

    /// The catalogue row of version `slug`, if it is still in the catalogue.
    pub fn version(&self, slug: &str) -> Option<&VersionRow> {
        self.index.get(slug).map(|&i| &self.versions[i])
    }

    /// A version's name in the page language (its slug when it left the catalogue).
    pub fn version_name(&self, slug: &str) -> String {
        crate::catalog::name_or_slug(
            self.version(slug).map(|v| &v.version).into_iter(),
            slug,
            self.lang,
        )
    }

    /// The catalogue position of `slug`, for sorting; unknown versions last.
    pub fn order(&self, slug: &str) -> usize {
        self.index.get(slug).copied().unwrap_or(usize::MAX)
    }

    /// Whether catalogue version `row` passes the family and version filters.
    pub fn shows(&self, row: &VersionRow) -> bool {
        self.filters.family.is_none_or(|f| f == row.version.family)
            && self
                .filters
                .version
                .as_ref()
                .is_none_or(|v| v == &row.version.slug)
    }

    /// `at` in the institution's time zone, as `YYYY-MM-DD HH:MM`.
    pub fn local_time(&self, at: OffsetDateTime) -> String {
        crate::state::local_time(&self.zone, at)
    }

    /// The institution's time zone's name, e.g. `Asia/Taipei`.
    pub fn zone_name(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }
}

/// A time as exports write it: RFC 3339, UTC.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `part` of `whole` as a percentage with one decimal; none of nothing.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// A percentage as pages and mail show it (`92.5%`), `—` when there is none.
pub fn format_percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v}%"))
}

fn date_param(value: Option<String>, field: &'static str) -> Result<Option<Date>> {
    let Some(value) = value else {
        return Ok(None);
    };
    // Exactly YYYY-MM-DD: the parser would also take a sign or a longer year.
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = Date::parse(
        if shaped { &value } else { "" },
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| invalid(field, QueryProblem::NotADate))?;
    // Far from the calendar's ends, so the day before or after always exists.
    if !YEARS.contains(&date.year()) {
        return Err(invalid(field, QueryProblem::YearOutOfRange));
    }
    Ok(Some(date))
}

fn invalid(field: &'static str, reason: QueryProblem) -> Error {
    Error::InvalidQuery { field, reason }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn query(pairs: &[(&str, &str)]) -> FilterQuery {
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        serde_json::from_value(serde_json::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect(),
        ))
        .unwrap_or_else(|e| panic!("{}: {e}", text.join("&")))
    }

    #[test]
    fn defaults_to_the_last_thirty_days() {
        let today = date!(2026 - 11 - 24);
        let filters = Filters::check(&FilterQuery::default(), today, &[]).unwrap();
        assert_eq!((filters.from, filters.to), (date!(2026 - 10 - 26), today));
        assert_eq!(filters.days(), 30);
        assert_eq!(filters.query_string(), "from=2026-10-26&to=2026-11-24");
    }

    #[test]
    fn bad_filters_name_their_field() {
        let today = date!(2026 - 11 - 24);
        let cases: [(&[(&str, &str)], &str); 9] = [
            (&[("from", "2026-13-01")], "from"),
            (&[("to", "9999-12-31")], "to"),
            (&[("from", "1999-12-31"), ("to", "2000-01-01")], "from"),
            (&[("to", "24/11/2026")], "to"),
            (&[("from", "2026-11-25"), ("to", "2026-11-24")], "from"),
            (&[("from", "2025-01-01"), ("to", "2026-01-02")], "to"),
            (&[("family", "linux")], "family"),
            (&[("version", "no-such-version")], "version"),
            (&[("network", "a\u{7}b")], "network"),
        ];
        for (pairs, field) in cases {
            match Filters::check(&query(pairs), today, &[]) {
                Err(Error::InvalidQuery { field: got, .. }) => assert_eq!(got, field, "{pairs:?}"),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        let year = query(&[("from", "2025-11-25"), ("to", "2026-11-25")]);
        assert_eq!(Filters::check(&year, today, &[]).unwrap().days(), 366);
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(5, 5), Some(100.0));
        assert_eq!(
            percent_encode("圖書館 A/1"),
            "%E5%9C%96%E6%9B%B8%E9%A4%A8%20A%2F1"
        );
    }
}
