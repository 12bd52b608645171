//! How each dashboard table is written as CSV: its header and its cells, in the same
//! order. JSON comes from the rows' `Serialize`; both are built from the same rows.

use super::export::Table;
use super::machines::{DownloadRow, KmsRow, LapsingRow, SeatRow, TermRow, UnreportedRow};
use super::panels::{Counts, DayRow, ErrorRow, FailureRow, NetworkRow, VersionRateRow};

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl Table for DayRow {
    const COLUMNS: &'static [&'static str] =
        &["day", "success", "partial", "failure", "aborted", "total"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.day.clone(),
            self.success.to_string(),
            self.partial.to_string(),
            self.failure.to_string(),
            self.aborted.to_string(),
            self.total.to_string(),
        ]
    }
}

/// The columns shared by the tables of counts by outcome.
const COUNT_COLUMNS: [&str; 6] = [
    "reports",
    "success",
    "partial",
    "failure",
    "aborted",
    "success_rate",
];

fn count_cells(c: &Counts) -> [String; 6] {
    [
        c.reports.to_string(),
        c.success.to_string(),
        c.partial.to_string(),
        c.failure.to_string(),
        c.aborted.to_string(),
        opt(c.success_rate),
    ]
}

impl Table for VersionRateRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "product",
        "family",
        COUNT_COLUMNS[0],
        COUNT_COLUMNS[1],
        COUNT_COLUMNS[2],
        COUNT_COLUMNS[3],
        COUNT_COLUMNS[4],
        COUNT_COLUMNS[5],
        "after_term",
    ];
    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.version.clone(),
            self.version_name.clone(),
            self.product.clone(),
            self.family.clone(),
        ];
        cells.extend(count_cells(&self.counts));
        cells.push(self.after_term.to_string());
        cells
    }
}

impl Table for NetworkRow {
    const COLUMNS: &'static [&'static str] = &[
        "network",
        "downloads",
        COUNT_COLUMNS[0],
        COUNT_COLUMNS[1],
        COUNT_COLUMNS[2],
        COUNT_COLUMNS[3],
        COUNT_COLUMNS[4],
        COUNT_COLUMNS[5],
    ];
    fn cells(&self) -> Vec<String> {
        let mut cells = vec![self.network.clone(), self.downloads.to_string()];
        cells.extend(count_cells(&self.counts));
        cells
    }
}

impl Table for ErrorRow {
    const COLUMNS: &'static [&'static str] = &[
        "code",
        "meaning",
        "n_results",
        "share_percent",
        "remedy",
        "url",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            opt(self.meaning.as_deref()),
            self.n_results.to_string(),
            opt(self.share_percent),
            opt(self.remedy.as_deref()),
            self.url.clone(),
        ]
    }
}

impl Table for FailureRow {
    const COLUMNS: &'static [&'static str] = &[
        "received_at",
        "version",
        "network",
        "outcome",
        "os_version",
        "os_edition",
        "architecture",
        "ui_language",
        "utc_offset_minutes",
        "activator_version",
        "error_codes",
        "findings",
    ];
    fn cells(&self) -> Vec<String> {
        let findings: Vec<String> = self
            .findings
            .iter()
            .map(|f| match &f.error_code {
                Some(code) => format!("{} {} {code}: {}", f.check, f.status, f.detail),
                None => format!("{} {}: {}", f.check, f.status, f.detail),
            })
            .collect();
        vec![
            self.received_at.clone(),
            self.version.clone(),
            self.network.clone(),
            self.outcome.as_str().to_owned(),
            self.os_version.clone(),
            self.os_edition.clone(),
            self.architecture.as_str().to_owned(),
            self.ui_language.clone(),
            self.utc_offset_minutes.to_string(),
            self.activator_version.clone(),
            self.error_codes.join(" "),
            findings.join("; "),
        ]
    }
}

impl Table for DownloadRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "downloads",
        "reported",
        "never_reported",
        "reports",
        "successes",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.version.clone(),
            self.version_name.clone(),
            self.downloads.to_string(),
            self.reported.to_string(),
            self.never_reported.to_string(),
            self.reports.to_string(),
            self.successes.to_string(),
        ]
    }
}

impl Table for UnreportedRow {
    const COLUMNS: &'static [&'static str] = &[
        "download_id",
        "version",
        "network",
        "downloaded_at",
        "expires_at",
        "state",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.download_id.clone(),
            self.version.clone(),
            self.network.clone(),
            self.downloaded_at.clone(),
            self.expires_at.clone(),
            self.state.as_str().to_owned(),
        ]
    }
}

impl Table for KmsRow {
    const COLUMNS: &'static [&'static str] = &[
        "group",
        "machines",
        "threshold",
        "activating",
        "machines_needed",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.group.as_str().to_owned(),
            self.machines.to_string(),
            self.threshold.to_string(),
            self.activating.to_string(),
            self.machines_needed.to_string(),
        ]
    }
}

impl Table for LapsingRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "last_success_150_to_180_days",
        "last_success_over_180_days",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.version.clone(),
            self.version_name.clone(),
            self.last_success_150_to_180_days.to_string(),
            self.last_success_over_180_days.to_string(),
        ]
    }
}

impl Table for SeatRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "seats",
        "campus_wide",
        "used",
        "used_percent",
        "over_limit",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.version.clone(),
            self.version_name.clone(),
            opt(self.seats),
            self.campus_wide.to_string(),
            self.used.to_string(),
            opt(self.used_percent),
            self.over_limit.to_string(),
        ]
    }
}

impl Table for TermRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "family",
        "term_end",
        "days_left",
        "window",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.version.clone(),
            self.version_name.clone(),
            self.family.as_str().to_owned(),
            self.term_end.clone(),
            self.days_left.to_string(),
            self.window.as_str().to_owned(),
        ]
    }
}
