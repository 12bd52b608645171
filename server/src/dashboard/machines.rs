//! The panels about downloads, machines and licences: downloads against activations,
//! the KMS thresholds, activations about to lapse, seats used, and licence terms.
//!
//! The KMS, lapsing and seat panels are about "now" (the last 30, 150, 180 days from
//! today), so they ignore the date range; the licence panel reads only the catalogue.

use std::collections::BTreeMap;

use protocol::report::Outcome;
use serde::Serialize;
use time::Duration;

use super::states::{DownloadState, TermWindow};
use super::{LIST_LIMIT, Scope, percent, rfc3339};
use crate::catalog::{Family, KmsGroup, Seats};
use crate::db::dashboard::{self, By};
use crate::error::Result;
use crate::state::AppState;

/// The KMS host counts machines seen within this many days.
pub const KMS_WINDOW_DAYS: i64 = 30;
/// A KMS activation is valid this many days.
pub const ACTIVATION_DAYS: i64 = 180;
/// Activations older than this are about to lapse.
pub const LAPSING_DAYS: i64 = 150;

/// Downloads of one version against what came back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DownloadRow {
    /// The version's slug.
    pub version: String,
    /// Its name.
    pub version_name: String,
    /// Downloads in the range.
    pub downloads: i64,
    /// Of those, how many sent at least one report.
    pub reported: i64,
    /// Of those, how many never did.
    pub never_reported: i64,
    /// Reports received in the range.
    pub reports: i64,
    /// Successful activations reported in the range.
    pub successes: i64,
}

/// A download that never reported back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnreportedRow {
    /// The download's id (not its token).
    pub download_id: String,
    /// The version.
    pub version: String,
    /// The network it came from.
    pub network: String,
    /// When (RFC 3339, UTC).
    pub downloaded_at: String,
    /// When its token expires (RFC 3339, UTC).
    pub expires_at: String,
    /// Waiting, expired or revoked.
    pub state: DownloadState,
    /// `downloaded_at` in the institution's time, for the page.
    #[serde(skip)]
    pub downloaded_local: String,
    /// The version's name, for the page.
    #[serde(skip)]
    pub version_name: String,
}

/// One KMS count against its threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KmsRow {
    /// Windows, or Office (with Project and Visio).
    pub group: KmsGroup,
    /// Distinct machines seen in the last 30 days.
    pub machines: i64,
    /// How many the KMS host needs.
    pub threshold: i64,
    /// Whether the host activates this group.
    pub activating: bool,
    /// How many more machines it needs (0 when activating).
    pub machines_needed: i64,
}

/// Machines of one version whose last activation is getting old.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LapsingRow {
    /// The version's slug.
    pub version: String,
    /// Its name.
    pub version_name: String,
    /// Last success 150 to 180 days ago.
    pub last_success_150_to_180_days: i64,
    /// Last success over 180 days ago.
    pub last_success_over_180_days: i64,
}

/// Seats used by one version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeatRow {
    /// The version's slug.
    pub version: String,
    /// Its name.
    pub version_name: String,
    /// The licence's seat count, if it has one.
    pub seats: Option<i64>,
    /// Covers everyone (no limit).
    pub campus_wide: bool,
    /// Distinct machines activated within 180 days.
    pub used: i64,
    /// `used / seats` in percent.
    pub used_percent: Option<f64>,
    /// More machines than seats.
    pub over_limit: bool,
}

/// A licence ending soon or ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TermRow {
    /// The version's slug.
    pub version: String,
    /// Its name.
    pub version_name: String,
    /// Its family.
    pub family: Family,
    /// The term's last day.
    pub term_end: String,
    /// Days from today to that day (negative once ended).
    pub days_left: i64,
    /// The narrowest window it falls in.
    pub window: TermWindow,
}

/// Downloads against reports, per version, in catalogue order.
pub async fn downloads(state: &AppState, scope: &Scope) -> Result<Vec<DownloadRow>> {
    let f = &scope.filters;
    let narrow = f.narrow();
    let downloads = dashboard::downloads(&state.db, By::Version, f.from, f.to, narrow).await?;
    let unreported =
        dashboard::unreported_counts(&state.db, scope.start, scope.end, narrow).await?;
    let outcomes = dashboard::outcomes(&state.db, By::Version, f.from, f.to, narrow).await?;
    let mut rows: BTreeMap<(usize, String), DownloadRow> = BTreeMap::new();
    for d in &downloads {
        row(&mut rows, scope, &d.key).downloads += d.n;
    }
    for u in &unreported {
        row(&mut rows, scope, &u.key).never_reported += u.n;
    }
    for o in &outcomes {
        let r = row(&mut rows, scope, &o.key);
        r.reports += o.n;
        if o.outcome == Outcome::Success {
            r.successes += o.n;
        }
    }
    Ok(rows
        .into_values()
        .map(|mut r| {
            r.reported = (r.downloads - r.never_reported).max(0);
            r
        })
        .collect())
}

/// The newest downloads in the range that never reported back, and how many there are.
pub async fn unreported(state: &AppState, scope: &Scope) -> Result<Vec<UnreportedRow>> {
    let rows = dashboard::unreported_latest(
        &state.db,
        scope.start,
        scope.end,
        scope.filters.narrow(),
        LIST_LIMIT,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|d| UnreportedRow {
            state: if d.revoked_at.is_some() {
                DownloadState::Revoked
            } else if d.expires_at <= scope.now {
                DownloadState::Expired
            } else {
                DownloadState::Waiting
            },
            download_id: d.token_id,
            version_name: scope.version_name(&d.version_slug),
            version: d.version_slug,
            network: d.network,
            downloaded_at: rfc3339(d.created_at),
            downloaded_local: scope.local_time(d.created_at),
            expires_at: rfc3339(d.expires_at),
        })
        .collect())
}

/// Distinct machines seen in the last 30 days against the KMS thresholds.
pub async fn kms(state: &AppState, scope: &Scope) -> Result<Vec<KmsRow>> {
    let since = scope.now - Duration::days(KMS_WINDOW_DAYS);
    let counts = dashboard::kms_machines(&state.db, since).await?;
    let seen = |group| {
        counts
            .iter()
            .find(|c| c.kms_group == group)
            .map_or(0, |c| c.n)
    };
    Ok(KmsGroup::ALL
        .into_iter()
        .map(|group| {
            let (machines, threshold) = (seen(group), group.threshold());
            KmsRow {
                group,
                machines,
                threshold,
                activating: machines >= threshold,
                machines_needed: (threshold - machines).max(0),
            }
        })
        .collect())
}

/// Machines per version whose last success is over 150 days old.
pub async fn lapsing(state: &AppState, scope: &Scope) -> Result<Vec<LapsingRow>> {
    let old = scope.now - Duration::days(LAPSING_DAYS);
    let older = scope.now - Duration::days(ACTIVATION_DAYS);
    let rows = dashboard::ageing(&state.db, old, older, scope.filters.narrow()).await?;
    let mut rows: Vec<LapsingRow> = rows
        .into_iter()
        .map(|r| LapsingRow {
            version_name: scope.version_name(&r.key),
            version: r.key,
            last_success_150_to_180_days: r.n_150,
            last_success_over_180_days: r.n_180,
        })
        .collect();
    rows.sort_by_key(|r| scope.order(&r.version));
    Ok(rows)
}

/// Seats used per version: every version activated through KMS or with an activator,
/// and any other version machines activated.
pub async fn seats(state: &AppState, scope: &Scope) -> Result<Vec<SeatRow>> {
    let since = scope.now - Duration::days(ACTIVATION_DAYS);
    let used = dashboard::activated_machines(&state.db, since, scope.filters.narrow()).await?;
    let used_by = |slug: &str| used.iter().find(|u| u.key == slug).map_or(0, |u| u.n);
    Ok(scope
        .versions
        .iter()
        .filter(|v| scope.shows(v))
        .filter(|v| {
            v.version.kms_activated || !v.version.covers.is_empty() || used_by(&v.version.slug) > 0
        })
        .map(|v| {
            let used = used_by(&v.version.slug);
            let seats = match Seats::from_columns(v.version.seats, v.version.campus_wide) {
                Seats::Count(n) => Some(n),
                Seats::CampusWide | Seats::Unspecified => None,
            };
            SeatRow {
                version: v.version.slug.clone(),
                version_name: scope.version_name(&v.version.slug),
                seats,
                campus_wide: v.version.campus_wide,
                used,
                used_percent: seats.and_then(|n| percent(used, n)),
                over_limit: seats.is_some_and(|n| used > n),
            }
        })
        .collect())
}

/// Licences ending within 180 days, soonest first, then those ended, latest first.
pub fn terms(scope: &Scope) -> Vec<TermRow> {
    let mut rows: Vec<TermRow> = scope
        .versions
        .iter()
        .filter(|v| scope.shows(v))
        .filter_map(|v| {
            let end = v.version.term_end?;
            let days_left = (end - scope.today).whole_days();
            let window = TermWindow::of(days_left)?;
            Some(TermRow {
                version: v.version.slug.clone(),
                version_name: scope.version_name(&v.version.slug),
                family: v.version.family,
                term_end: end.to_string(),
                days_left,
                window,
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.days_left < 0, r.days_left.abs(), r.version.clone()));
    rows
}

/// The row of version `slug`, created empty when missing.
fn row<'a>(
    rows: &'a mut BTreeMap<(usize, String), DownloadRow>,
    scope: &Scope,
    slug: &str,
) -> &'a mut DownloadRow {
    rows.entry((scope.order(slug), slug.to_owned()))
        .or_insert_with(|| DownloadRow {
            version: slug.to_owned(),
            version_name: scope.version_name(slug),
            downloads: 0,
            reported: 0,
            never_reported: 0,
            reports: 0,
            successes: 0,
        })
}
