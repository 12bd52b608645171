//! Each dashboard table's CSV header: the names its rows' `Serialize` gives the fields,
//! in the order the columns are written (`export::to_csv` refuses a row whose fields
//! differ, and the tests export every table).

use super::export::Table;
use super::machines::{DownloadRow, KmsRow, LapsingRow, SeatRow, TermRow, UnreportedRow};
use super::panels::{DayRow, ErrorRow, FailureRow, NetworkRow, VersionRateRow};

/// The columns of `Counts`, flattened into the tables of counts by outcome.
const COUNT_COLUMNS: [&str; 6] = [
    "reports",
    "success",
    "partial",
    "failure",
    "aborted",
    "success_rate",
];

impl Table for DayRow {
    const COLUMNS: &'static [&'static str] =
        &["day", "success", "partial", "failure", "aborted", "total"];
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
}

impl Table for KmsRow {
    const COLUMNS: &'static [&'static str] = &[
        "group",
        "machines",
        "threshold",
        "activating",
        "machines_needed",
    ];
}

impl Table for LapsingRow {
    const COLUMNS: &'static [&'static str] = &[
        "version",
        "version_name",
        "last_success_150_to_180_days",
        "last_success_over_180_days",
    ];
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
}
