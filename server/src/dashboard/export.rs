//! `GET /admin/export/{table}.csv` and `.json`: every dashboard table, with the page's
//! filters, built by the same loaders as the page.
//!
//! CSV follows RFC 4180 (CRLF, fields with `"`, `,` or line breaks quoted, quotes
//! doubled), starts with a UTF-8 byte-order mark so spreadsheet programs on zh-TW Windows
//! read it as UTF-8, and is safe to open: a text cell starting with `=`, `+`, `-`, `@`,
//! a tab or a carriage return is prefixed with `'` so it cannot run as a formula.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::machines;
use super::panels;
use super::{Checking, FilterQuery, Scope, rfc3339};
use crate::auth::Staff;
use crate::error::{Error, Result};
use crate::extract::Query;
use crate::layout::PageContext;
use crate::state::AppState;

/// How many error codes the page and the export list.
pub const TOP_ERRORS: usize = 10;

/// A table the dashboard exports: JSON from `Serialize`, CSV from these columns.
pub trait Table: Serialize {
    /// The CSV header, in the order of [`Table::cells`].
    const COLUMNS: &'static [&'static str];
    /// The row's CSV cells.
    fn cells(&self) -> Vec<String>;
}

/// Every exported table, by the name in its URL.
pub const TABLES: [&str; 11] = [
    "daily",
    "versions",
    "errors",
    "downloads",
    "unreported",
    "kms",
    "lapsing",
    "seats",
    "terms",
    "networks",
    "failures",
];

/// The JSON export's body.
#[derive(Serialize)]
struct JsonExport<'a, T> {
    table: &'a str,
    generated_at: String,
    time_zone: &'a str,
    filters: JsonFilters<'a>,
    rows: &'a [T],
}

#[derive(Serialize)]
struct JsonFilters<'a> {
    from: String,
    to: String,
    family: Option<&'a str>,
    version: Option<&'a str>,
    network: Option<&'a str>,
}

/// The JSON export's shape, as `/openapi.json` describes it.
#[derive(utoipa::ToSchema)]
#[allow(
    dead_code,
    reason = "a schema for the API description; the export writes JsonExport"
)]
pub struct ExportDocument {
    /// The table: one of `daily`, `versions`, `errors`, `downloads`, `unreported`, `kms`,
    /// `lapsing`, `seats`, `terms`, `networks`, `failures`.
    table: String,
    /// When the export was made (RFC 3339, UTC).
    generated_at: String,
    /// The institution's time zone, which days are counted in.
    time_zone: String,
    /// The filters applied: `from`, `to` (ISO dates), `family`, `version`, `network`.
    filters: serde_json::Value,
    /// One object per row, with the same columns as the CSV export and the page's table.
    rows: Vec<serde_json::Value>,
}

/// Dates from 2000 to 2199 that exist, YYYY-MM-DD, or nothing: leap days only in leap
/// years (2000 is one, 2100 is not). The document gives it to `from` and `to`
/// (`openapi::document`: an attribute takes no constant).
pub const DATE_PATTERN: &str = concat!(
    r"^(",
    r"(20[0-9]{2}|21[0-9]{2})-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])",
    r"|(20[0-9]{2}|21[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)",
    r"|(20[0-9]{2}|21[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8])",
    r"|(2000|20(0[48]|[2468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29",
    r")?$"
);

/// `GET /admin/export/{file}`: `{table}.csv` or `{table}.json`. An API as much as a
/// link on the dashboard: without a session it answers 401 (not the sign-in page), and
/// it takes every request its document calls valid (see `Checking::Export`).
#[utoipa::path(
    get,
    path = "/admin/export/{file}",
    tag = "admin",
    params(
        ("file" = String, Path, pattern = r"^(daily|versions|errors|downloads|unreported|kms|lapsing|seats|terms|networks|failures)\.(csv|json)$",
         description = "`{table}.json` or `{table}.csv`"),
        ("from" = Option<String>, Query,
         description = "First day, a real date from 2000 to 2199 written YYYY-MM-DD; empty or left out: 30 days before `to`"),
        ("to" = Option<String>, Query,
         description = "Last day, likewise; empty or left out: today. Two days the wrong way round are turned round, and a range over 366 days is cut to the 366 ending at `to`; the document's `filters` says the range used"),
        ("family" = Option<String>, Query, pattern = r"^(|windows|office|project|visio|visual-studio|other)$",
         description = "A product family; empty or left out: all"),
        ("version" = Option<String>, Query, pattern = r"^([a-z0-9-]{1,80})?$",
         description = "A catalogue slug (one the catalogue lacks has no rows); empty or left out: all"),
        ("network" = Option<String>, Query, pattern = r"^[^\u0000-\u001F\u007F-\u009F]{0,60}$",
         description = "A network label as the dashboard shows it, taken as sent; empty or left out: all"),
    ),
    security(("staff_session" = [])),
    responses(
        (status = 200, description = "The table as JSON, or as CSV for `.csv`",
         content((ExportDocument = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad filter; `field` names it", body = crate::middleware::ApiError),
        (status = 401, description = "No staff session (or an ended one)", body = crate::middleware::ApiError),
        (status = 403, description = "The account must change its password first", body = crate::middleware::ApiError),
        (status = 404, description = "No such table or format", body = crate::middleware::ApiError),
    )
)]
pub async fn get_export(
    staff: std::result::Result<Staff, Error>,
    State(state): State<AppState>,
    context: PageContext,
    Path(file): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Response> {
    match staff {
        Ok(_) => {}
        Err(Error::SignInRequired) => return Err(Error::SessionRequired),
        Err(Error::PasswordChangeRequired) => return Err(Error::Forbidden),
        Err(other) => return Err(other),
    }
    let (name, format) = file.rsplit_once('.').ok_or(Error::NotFound)?;
    let csv = match format {
        "csv" => true,
        "json" => false,
        _ => return Err(Error::NotFound),
    };
    let table = TABLES
        .into_iter()
        .find(|t| *t == name)
        .ok_or(Error::NotFound)?;
    let scope = Scope::load(&state, &query, context.lang, Checking::Export).await?;
    let out = Out {
        table,
        csv,
        scope: &scope,
    };
    Ok(match table {
        "daily" => out.send(&panels::daily(&state, &scope).await?),
        "versions" => out.send(&panels::versions(&state, &scope).await?),
        "errors" => out.send(&panels::errors(&state, &scope, TOP_ERRORS).await?),
        "downloads" => out.send(&machines::downloads(&state, &scope).await?),
        "unreported" => out.send(&machines::unreported(&state, &scope).await?),
        "kms" => out.send(&machines::kms(&state, &scope).await?),
        "lapsing" => out.send(&machines::lapsing(&state, &scope).await?),
        "seats" => out.send(&machines::seats(&state, &scope).await?),
        "terms" => out.send(&machines::terms(&scope)),
        "networks" => out.send(&panels::networks(&state, &scope).await?),
        _ => out.send(&panels::failures(&state, &scope).await?),
    })
}

/// Writes `rows` as CSV: byte-order mark, header, one line per row, CRLF.
pub fn to_csv<T: Table>(rows: &[T]) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = T::COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    push_line(&mut out, &header);
    for row in rows {
        push_line(&mut out, &row.cells());
    }
    out
}

/// One CSV field, guarded against formulas and quoted when it must be.
pub fn csv_field(value: &str) -> String {
    let is_number = value.parse::<f64>().is_ok_and(f64::is_finite);
    let guarded = if !is_number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

struct Out<'a> {
    table: &'static str,
    csv: bool,
    scope: &'a Scope,
}

impl Out<'_> {
    fn send<T: Table>(&self, rows: &[T]) -> Response {
        let f = &self.scope.filters;
        let extension = if self.csv { "csv" } else { "json" };
        let filename = format!("activations-{}-{}-{}.{extension}", self.table, f.from, f.to);
        let (content_type, body) = if self.csv {
            ("text/csv; charset=utf-8", to_csv(rows))
        } else {
            let export = JsonExport {
                table: self.table,
                generated_at: rfc3339(self.scope.now),
                time_zone: self.scope.zone_name(),
                filters: JsonFilters {
                    from: f.from.to_string(),
                    to: f.to.to_string(),
                    family: f.family.map(crate::catalog::Family::as_str),
                    version: f.version.as_deref(),
                    network: f.network.as_deref(),
                },
                rows,
            };
            let body = serde_json::to_string_pretty(&export).unwrap_or_default();
            ("application/json", body)
        };
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or(HeaderValue::from_static("attachment"));
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response()
    }
}

fn push_line(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::machines::KmsRow;
    use crate::dashboard::panels::{Counts, DayRow, NetworkRow};

    #[test]
    fn fields_are_quoted_and_guarded() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-1700", "-1700"),
            ("66.7", "66.7"),
            ("", ""),
        ];
        for (value, expected) in cases {
            assert_eq!(csv_field(value), expected, "{value:?}");
        }
    }

    #[test]
    fn every_table_has_as_many_cells_as_columns() {
        let day = DayRow::default();
        assert_eq!(day.cells().len(), DayRow::COLUMNS.len());
        let csv = to_csv(&[day]);
        assert!(csv.starts_with("\u{feff}day,success,"));
        assert!(csv.ends_with(",0\r\n"));
        let network = NetworkRow {
            network: "x".to_owned(),
            downloads: 0,
            counts: Counts::default(),
        };
        assert_eq!(network.cells().len(), NetworkRow::COLUMNS.len());
        let kms = KmsRow {
            group: crate::catalog::KmsGroup::Office,
            machines: 1,
            threshold: 5,
            activating: false,
            machines_needed: 4,
        };
        assert_eq!(kms.cells().len(), KmsRow::COLUMNS.len());
    }
}
