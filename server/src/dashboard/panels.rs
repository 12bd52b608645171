//! The activity panels: reports per day, per version and per network, the top error
//! codes, and the newest failures. Each loader answers the rows both the page and the
//! exports show.

use std::collections::BTreeMap;

use protocol::report::{
    Architecture, Finding, FindingStatus, Outcome, ProductOutcome, ProductResult,
};
use serde::Serialize;
use time::Duration;

use super::{LIST_LIMIT, Scope, percent, rfc3339};
use crate::db::dashboard::{self, By, KeyedOutcome};
use crate::error::Result;
use crate::state::AppState;

/// The longest period shown per day; a longer one is shown per month.
pub const MAX_DAYS_PER_DAY: i64 = 92;

/// Reports on one day (or month), by outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DayRow {
    /// The day, `YYYY-MM-DD`; the month, `YYYY-MM`, when the period is longer than
    /// [`MAX_DAYS_PER_DAY`].
    pub day: String,
    /// Every product activated.
    pub success: i64,
    /// Some products activated.
    pub partial: i64,
    /// Activation ran; nothing activated.
    pub failure: i64,
    /// A check failed; activation was not tried.
    pub aborted: i64,
    /// All reports.
    pub total: i64,
}

/// Reports for one version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VersionRateRow {
    /// The version's slug.
    pub version: String,
    /// Its name.
    pub version_name: String,
    /// Its product's name.
    pub product: String,
    /// Its family.
    pub family: String,
    /// The counts by outcome.
    #[serde(flatten)]
    pub counts: Counts,
    /// Activations (success or partial) reported on days after the licence term ended:
    /// the institution may need to renew, or to stop offering it.
    pub after_term: i64,
}

/// Reports from one network.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkRow {
    /// The network's label.
    pub network: String,
    /// Downloads from it.
    pub downloads: i64,
    /// The counts by outcome.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Reports by outcome, and the share that succeeded.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// All reports.
    pub reports: i64,
    /// Successes.
    pub success: i64,
    /// Partial successes.
    pub partial: i64,
    /// Failures.
    pub failure: i64,
    /// Aborted runs.
    pub aborted: i64,
    /// `success / reports` in percent, one decimal.
    pub success_rate: Option<f64>,
}

/// An error code with how often it was seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorRow {
    /// The canonical code.
    pub code: String,
    /// Its meaning in one line, when the portal explains it.
    pub meaning: Option<String>,
    /// Failed results carrying it.
    pub n_results: i64,
    /// Its share of all failed results, in percent.
    pub share_percent: Option<f64>,
    /// What to do (Markdown), when the portal explains it.
    pub remedy: Option<String>,
    /// The page explaining it.
    pub url: String,
    /// The remedy as sanitised HTML, for the page.
    #[serde(skip)]
    pub remedy_html: String,
}

/// One run that did not activate everything.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureRow {
    /// When it arrived (RFC 3339, UTC).
    pub received_at: String,
    /// The version.
    pub version: String,
    /// The sender's network.
    pub network: String,
    /// Partial, failure or aborted.
    pub outcome: Outcome,
    /// Windows version.
    pub os_version: String,
    /// Windows edition.
    pub os_edition: String,
    /// Processor architecture.
    pub architecture: Architecture,
    /// Interface language.
    pub ui_language: String,
    /// The PC's offset from UTC, in minutes.
    pub utc_offset_minutes: i64,
    /// The activator's version.
    pub activator_version: String,
    /// The error codes of the products that failed.
    pub error_codes: Vec<String>,
    /// The checks that did not pass.
    pub findings: Vec<FindingRow>,
    /// `received_at` in the institution's time, for the page.
    #[serde(skip)]
    pub received_local: String,
    /// The version's name, for the page.
    #[serde(skip)]
    pub version_name: String,
}

/// A check that did not pass.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingRow {
    /// Which check.
    pub check: String,
    /// `warn` or `fail`.
    pub status: String,
    /// The error code it predicts, if any.
    pub error_code: Option<String>,
    /// What the activator saw.
    pub detail: String,
}

impl Counts {
    /// Adds `n` reports of `outcome`.
    pub fn add(&mut self, outcome: Outcome, n: i64) {
        match outcome {
            Outcome::Success => self.success += n,
            Outcome::Partial => self.partial += n,
            Outcome::Failure => self.failure += n,
            Outcome::Aborted => self.aborted += n,
        }
        self.reports += n;
        self.success_rate = percent(self.success, self.reports);
    }
}

/// Whether the period is shown per month rather than per day.
pub fn per_month(scope: &Scope) -> bool {
    scope.filters.days() > MAX_DAYS_PER_DAY
}

/// Reports per day, one row for every day of the range (days without reports are 0); per
/// month when the period is longer than [`MAX_DAYS_PER_DAY`] (the first and last months
/// count only the period's days).
pub async fn daily(state: &AppState, scope: &Scope) -> Result<Vec<DayRow>> {
    let f = &scope.filters;
    let by = if per_month(scope) { By::Month } else { By::Day };
    let rows = dashboard::outcomes(&state.db, by, f.from, f.to, f.narrow()).await?;
    let mut by_day: BTreeMap<String, DayRow> = BTreeMap::new();
    let mut day = f.from;
    while day <= f.to {
        let key = match by {
            By::Month => day.to_string().get(..7).unwrap_or_default().to_owned(),
            _ => day.to_string(),
        };
        by_day.entry(key.clone()).or_insert_with(|| DayRow {
            day: key,
            ..DayRow::default()
        });
        day += Duration::days(1);
    }
    for KeyedOutcome { key, outcome, n } in rows {
        let row = by_day.entry(key.clone()).or_insert_with(|| DayRow {
            day: key,
            ..DayRow::default()
        });
        match outcome.as_str() {
            "success" => row.success += n,
            "partial" => row.partial += n,
            "failure" => row.failure += n,
            _ => row.aborted += n,
        }
        row.total += n;
    }
    Ok(by_day.into_values().collect())
}

/// Success rate per version, in catalogue order.
pub async fn versions(state: &AppState, scope: &Scope) -> Result<Vec<VersionRateRow>> {
    let f = &scope.filters;
    let rows = dashboard::outcomes(&state.db, By::Version, f.from, f.to, f.narrow()).await?;
    let mut by_version: BTreeMap<(usize, String), Counts> = BTreeMap::new();
    for row in rows {
        by_version
            .entry((scope.order(&row.key), row.key))
            .or_default()
            .add(row.outcome, row.n);
    }
    let mut rows: Vec<VersionRateRow> = by_version
        .into_iter()
        .map(|((_, slug), counts)| {
            let catalogue = scope.version(&slug);
            VersionRateRow {
                version_name: scope.version_name(&slug),
                product: catalogue
                    .map(|v| {
                        scope
                            .lang
                            .pick(&v.product_name_zh, &v.product_name_en)
                            .to_owned()
                    })
                    .unwrap_or_default(),
                family: catalogue
                    .map(|v| v.version.family.as_str().to_owned())
                    .unwrap_or_default(),
                version: slug,
                counts,
                after_term: 0,
            }
        })
        .collect();
    for row in &mut rows {
        let Some(end) = scope.version(&row.version).and_then(|v| v.version.term_end) else {
            continue;
        };
        row.after_term = if end < f.from {
            row.counts.success + row.counts.partial
        } else if end < f.to {
            // The term ended within the period: only the days after it count, one more
            // sum over the roll-ups (rare: a term ends once).
            let narrow = dashboard::Narrow {
                version: Some(&row.version),
                ..f.narrow()
            };
            let after = end + Duration::days(1);
            dashboard::outcomes(&state.db, By::Version, after, f.to, narrow)
                .await?
                .iter()
                .filter(|o| matches!(o.outcome, Outcome::Success | Outcome::Partial))
                .map(|o| o.n)
                .sum()
        } else {
            0
        };
    }
    Ok(rows)
}

/// Reports and downloads per network, busiest first.
pub async fn networks(state: &AppState, scope: &Scope) -> Result<Vec<NetworkRow>> {
    let f = &scope.filters;
    let outcomes = dashboard::outcomes(&state.db, By::Network, f.from, f.to, f.narrow()).await?;
    let downloads = dashboard::downloads(&state.db, By::Network, f.from, f.to, f.narrow()).await?;
    let mut by_network: BTreeMap<String, NetworkRow> = BTreeMap::new();
    let blank = |network: &str| NetworkRow {
        network: network.to_owned(),
        downloads: 0,
        counts: Counts::default(),
    };
    for row in outcomes {
        by_network
            .entry(row.key.clone())
            .or_insert_with(|| blank(&row.key))
            .counts
            .add(row.outcome, row.n);
    }
    for row in downloads {
        by_network
            .entry(row.key.clone())
            .or_insert_with(|| blank(&row.key))
            .downloads += row.n;
    }
    let mut rows: Vec<NetworkRow> = by_network.into_values().collect();
    rows.sort_by(|a, b| {
        (b.counts.reports, b.downloads)
            .cmp(&(a.counts.reports, a.downloads))
            .then_with(|| a.network.cmp(&b.network))
    });
    Ok(rows)
}

/// The `limit` most frequent error codes, with their meaning and remedy.
pub async fn errors(state: &AppState, scope: &Scope, limit: usize) -> Result<Vec<ErrorRow>> {
    let f = &scope.filters;
    let rows = dashboard::errors(&state.db, f.from, f.to, f.narrow(), scope.lang).await?;
    let total: i64 = rows.iter().map(|r| r.n).sum();
    let placeholders = state.placeholders(scope.lang);
    Ok(rows
        .into_iter()
        .take(limit)
        .map(|row| ErrorRow {
            url: format!("/errors/{}", row.code),
            share_percent: percent(row.n, total),
            n_results: row.n,
            meaning: row.title,
            remedy_html: row
                .remedy_md
                .as_deref()
                .map(|md| crate::markdown::render(md, &placeholders))
                .unwrap_or_default(),
            remedy: row.remedy_md.map(|md| placeholders.fill(&md)),
            code: row.code,
        })
        .collect())
}

/// The newest runs in the range that did not activate everything.
pub async fn failures(state: &AppState, scope: &Scope) -> Result<Vec<FailureRow>> {
    let f = &scope.filters;
    let rows =
        dashboard::failures(&state.db, scope.start, scope.end, f.narrow(), LIST_LIMIT).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            // Stored by the report writer from validated reports, so they parse; a row
            // that does not is shown without details rather than failing the page.
            let products: Vec<ProductResult> =
                serde_json::from_str(&row.products_json).unwrap_or_default();
            let findings: Vec<Finding> =
                serde_json::from_str(&row.findings_json).unwrap_or_default();
            let mut error_codes: Vec<String> = products
                .into_iter()
                .filter(|p| p.outcome == ProductOutcome::Failed)
                .filter_map(|p| p.error_code)
                .collect();
            error_codes.sort();
            error_codes.dedup();
            FailureRow {
                received_at: rfc3339(row.received_at),
                received_local: scope.local_time(row.received_at),
                version_name: scope.version_name(&row.product),
                version: row.product,
                network: row.network,
                outcome: row.outcome,
                os_version: row.os_version,
                os_edition: row.os_edition,
                architecture: row.architecture,
                ui_language: row.ui_language,
                utc_offset_minutes: row.utc_offset_minutes,
                activator_version: row.activator_version,
                error_codes,
                findings: findings
                    .into_iter()
                    .filter(|f| f.status != FindingStatus::Pass)
                    .map(|f| FindingRow {
                        check: json_name(&f.check),
                        status: json_name(&f.status),
                        error_code: f.error_code,
                        detail: f.detail,
                    })
                    .collect(),
            }
        })
        .collect())
}

/// The name serde gives a unit enum variant (`kms_reachable`, `warn`).
fn json_name(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
