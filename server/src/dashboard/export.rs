//! `GET /admin/export/{table}.csv` and `.json`: every dashboard table, with the page's
//! filters, built by the same loaders as the page.
//!
//! Both come from the rows' `Serialize`: JSON as it is, CSV by the `csv` crate with one
//! column per field (a flattened struct's fields in its place; a list of values joined by
//! spaces, anything else nested as its JSON). CSV follows RFC 4180 (CRLF, fields with
//! `"`, `,` or line breaks quoted, quotes doubled), starts with a UTF-8 byte-order mark so
//! spreadsheet programs on zh-TW Windows read it as UTF-8, and is safe to open: a text cell
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so it
//! cannot run as a formula.

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

/// A table the dashboard exports, as its rows serialize.
pub trait Table: Serialize {
    /// The CSV header: the names `Serialize` gives the fields, in the order wanted (the
    /// header of a table with no rows too, which no value can tell). A row serializing to
    /// other names is refused as an internal error.
    const COLUMNS: &'static [&'static str];
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
    match table {
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
    }
}

/// Writes `rows` as CSV: byte-order mark, header, one line per row, CRLF.
pub fn to_csv<T: Table>(rows: &[T]) -> Result<String> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(T::COLUMNS)
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    for row in rows {
        out.write_record(cells(row, T::COLUMNS)?.iter().map(|cell| guard(cell)))
            .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    Ok(String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("CSV is not UTF-8: {e}"))?)
}

/// A row's cells, one per column, from its `Serialize`.
fn cells<T: Serialize>(row: &T, columns: &[&str]) -> Result<Vec<String>> {
    let value = serde_json::to_value(row).map_err(|e| anyhow::anyhow!("a CSV row: {e}"))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(anyhow::anyhow!("a CSV row is not a struct").into());
    };
    if fields.len() != columns.len() || !columns.iter().all(|c| fields.contains_key(*c)) {
        let names: Vec<&String> = fields.keys().collect();
        return Err(
            anyhow::anyhow!("a CSV row has fields {names:?}, the header {columns:?}").into(),
        );
    }
    Ok(columns.iter().map(|c| cell(&fields[*c])).collect())
}

/// One field as a cell: text as it is, no value empty, a list of values joined by spaces,
/// anything else nested as its JSON.
fn cell(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        // As Rust writes it: 100, not JSON's 100.0.
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            (None, None) => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Array(items) if items.iter().all(|v| !v.is_array() && !v.is_object()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(" ")
        }
        nested => nested.to_string(),
    }
}

/// A cell that a spreadsheet would run as a formula, prefixed with `'`; numbers stay.
pub fn guard(value: &str) -> String {
    let is_number = value.parse::<f64>().is_ok_and(f64::is_finite);
    if !is_number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

struct Out<'a> {
    table: &'static str,
    csv: bool,
    scope: &'a Scope,
}

impl Out<'_> {
    fn send<T: Table>(&self, rows: &[T]) -> Result<Response> {
        let f = &self.scope.filters;
        let extension = if self.csv { "csv" } else { "json" };
        let filename = format!("activations-{}-{}-{}.{extension}", self.table, f.from, f.to);
        let (content_type, body) = if self.csv {
            ("text/csv; charset=utf-8", to_csv(rows)?)
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
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::machines::KmsRow;
    use crate::dashboard::panels::{Counts, DayRow, NetworkRow};

    /// A value and a last column, as one row.
    #[derive(Serialize)]
    struct Field {
        value: String,
        end: &'static str,
    }

    impl Table for Field {
        const COLUMNS: &'static [&'static str] = &["value", "end"];
    }

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
            let row = Field {
                value: value.to_owned(),
                end: "end",
            };
            let csv = to_csv(&[row]).unwrap();
            let line = csv.strip_prefix("\u{feff}value,end\r\n").unwrap();
            assert_eq!(line, format!("{expected},end\r\n"), "{value:?}");
        }
    }

    #[test]
    fn every_table_has_as_many_cells_as_columns() {
        let day = DayRow::default();
        assert_eq!(
            cells(&day, DayRow::COLUMNS).unwrap().len(),
            DayRow::COLUMNS.len()
        );
        let csv = to_csv(&[day]).unwrap();
        assert!(csv.starts_with("\u{feff}day,success,"));
        assert!(csv.ends_with(",0\r\n"));
        let network = NetworkRow {
            network: "x".to_owned(),
            downloads: 0,
            counts: Counts::default(),
        };
        assert_eq!(
            cells(&network, NetworkRow::COLUMNS).unwrap().len(),
            NetworkRow::COLUMNS.len()
        );
        let kms = KmsRow {
            group: crate::catalog::KmsGroup::Office,
            machines: 1,
            threshold: 5,
            activating: false,
            machines_needed: 4,
        };
        assert_eq!(
            cells(&kms, KmsRow::COLUMNS).unwrap().len(),
            KmsRow::COLUMNS.len()
        );
    }

    #[test]
    fn cells_come_from_serialize() {
        let network = NetworkRow {
            network: "Library".to_owned(),
            downloads: 5,
            counts: Counts {
                reports: 5,
                success: 3,
                partial: 1,
                failure: 1,
                aborted: 0,
                success_rate: Some(60.0),
            },
        };
        assert_eq!(
            cells(&network, NetworkRow::COLUMNS).unwrap(),
            ["Library", "5", "5", "3", "1", "1", "0", "60"],
            "flattened counts in place, 60 not 60.0"
        );
        assert!(
            cells(&network, DayRow::COLUMNS).is_err(),
            "a header that is not the row's fields is refused"
        );
        let list = serde_json::json!(["0xC004F074", "0x8007232B"]);
        assert_eq!(cell(&list), "0xC004F074 0x8007232B");
        let nested = serde_json::json!([{"check": "kms", "detail": "x"}]);
        assert_eq!(cell(&nested), r#"[{"check":"kms","detail":"x"}]"#);
        assert_eq!(cell(&serde_json::Value::Null), "");
    }
}
