//! The dashboard page: every panel's rows, the chart, the summary tiles, and the filter
//! form, in the page language. Viewers see everything; nothing here changes anything.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use protocol::report::Outcome;

use super::chart::Chart;
use super::export::TOP_ERRORS;
use super::machines::{self, DownloadRow, KmsRow, LapsingRow, SeatRow, TermRow, UnreportedRow};
use super::panels::{self, DayRow, ErrorRow, FailureRow, NetworkRow, VersionRateRow};
use super::sentences;
use super::states::{DownloadState, TermWindow, Tone};
use super::{Checking, FilterQuery, Scope, percent};
use crate::assets;
use crate::auth::Chrome;
use crate::auth::Staff;
use crate::authenticode::Verdict;
use crate::catalog::{Family, KmsGroup};
use crate::error::Result;
use crate::extract::Query;
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;
use crate::texts::dashboard::{self as texts, DashboardText};

/// The dashboard.
#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    layout: Layout,
    chrome: Chrome,
    t: &'static DashboardText,
    admin_css: &'static str,
    /// What is wrong with the executable downloads serve: missing, unsigned, broken.
    activator_warning: Option<&'static str>,
    /// How many unrevoked downloads were passed around (refused a PC over the limit).
    passed_around: Option<String>,
    /// Mail that could not be delivered yet.
    undelivered: Option<String>,
    form: FormView,
    range_note: String,
    /// The filters as a query string, for the export links.
    query: String,
    tiles: Vec<Tile>,
    chart: Chart,
    chart_summary: String,
    /// The chart's title, the table's caption and its first column's heading: per day,
    /// or per month for a long period.
    chart_texts: [&'static str; 3],
    n_reports: i64,
    daily: Vec<DayRow>,
    versions: Vec<VersionRateRow>,
    errors: Vec<ErrorRow>,
    downloads: Vec<DownloadRow>,
    unreported: Vec<UnreportedRow>,
    unreported_note: String,
    kms: Vec<KmsRow>,
    lapsing: Vec<LapsingRow>,
    seats: Vec<SeatRow>,
    terms: Vec<TermRow>,
    networks: Vec<NetworkRow>,
    failures: Vec<FailureRow>,
}

/// The filter form's current values and choices.
#[derive(Debug)]
pub struct FormView {
    from: String,
    to: String,
    families: Vec<Choice>,
    versions: Vec<Choice>,
    network: String,
    networks: Vec<String>,
    filtered: bool,
}

/// One `<option>`.
#[derive(Debug)]
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A summary figure.
#[derive(Debug)]
pub struct Tile {
    label: &'static str,
    value: String,
    tone: Tone,
}

/// `GET /admin`: the activation-statistics dashboard.
pub async fn get_dashboard(
    staff: Staff,
    State(state): State<AppState>,
    context: PageContext,
    Query(query): Query<FilterQuery>,
) -> Result<DashboardPage> {
    let lang = context.lang;
    let scope = Scope::load(&state, &query, lang, Checking::Form).await?;
    let s = &state;
    let (daily, versions, errors, networks, failures) = tokio::try_join!(
        panels::daily(s, &scope),
        panels::versions(s, &scope),
        panels::errors(s, &scope, TOP_ERRORS),
        panels::networks(s, &scope),
        panels::failures(s, &scope),
    )?;
    let (downloads, unreported, kms, lapsing, seats) = tokio::try_join!(
        machines::downloads(s, &scope),
        machines::unreported(s, &scope),
        machines::kms(s, &scope),
        machines::lapsing(s, &scope),
        machines::seats(s, &scope),
    )?;
    let terms = machines::terms(&scope);
    let t = texts::text(lang);
    let activator_warning = match state.bundles.ready().await.map(|p| p.signature.verdict()) {
        None => Some(t.activator_missing),
        Some(Verdict::Unsigned) => Some(t.activator_unsigned),
        Some(Verdict::Broken) => Some(t.activator_broken),
        Some(Verdict::Signed) => None,
    };
    let passed_around = match crate::db::downloads::passed_around_count(&state.db).await? {
        0 => None,
        n => Some(t.passed_around.replace("{n}", &n.to_string())),
    };
    let failing = crate::db::mail::failing(&state.db).await?;
    let undelivered =
        crate::texts::mail::undelivered(lang, failing.messages, failing.last_error.as_deref());
    let sum = |f: fn(&DayRow) -> i64| daily.iter().map(f).sum::<i64>();
    let (reports, success, partial) = (sum(|d| d.total), sum(|d| d.success), sum(|d| d.partial));
    let failed = reports - success - partial;
    let n_downloads: i64 = downloads.iter().map(|d| d.downloads).sum();
    let n_unreported: i64 = downloads.iter().map(|d| d.never_reported).sum();
    let rate = percent(success, reports);
    let after_term: i64 = versions.iter().map(|v| v.after_term).sum();
    let tiles = vec![
        tile(t.tile_reports, reports.to_string(), Tone::Neutral),
        tile(t.tile_success, success.to_string(), Tone::Ok),
        tile(
            t.tile_not_success,
            (reports - success).to_string(),
            if reports > success {
                Tone::Bad
            } else {
                Tone::Neutral
            },
        ),
        tile(t.tile_rate, super::format_percent(rate), Tone::Neutral),
        tile(
            t.tile_after_term,
            after_term.to_string(),
            if after_term > 0 {
                Tone::Warn
            } else {
                Tone::Neutral
            },
        ),
        tile(t.tile_downloads, n_downloads.to_string(), Tone::Neutral),
        tile(
            t.tile_unreported,
            n_unreported.to_string(),
            if n_unreported > 0 {
                Tone::Warn
            } else {
                Tone::Neutral
            },
        ),
    ];
    let chart = Chart::new(&daily, |d| {
        sentences::day_tooltip(lang, &d.day, d.success, d.partial, d.failure + d.aborted)
    });
    let f = &scope.filters;
    let mut network_names: Vec<String> = state
        .config
        .campus_networks
        .iter()
        .map(|n| n.name.clone())
        .chain(networks.iter().map(|n| n.network.clone()))
        .collect();
    network_names.sort();
    network_names.dedup();
    let form = FormView {
        from: f.from.to_string(),
        to: f.to.to_string(),
        families: Family::ALL
            .iter()
            .map(|family| Choice {
                value: family.as_str().to_owned(),
                label: family.label(lang).to_owned(),
                selected: f.family == Some(*family),
            })
            .collect(),
        versions: scope
            .versions
            .iter()
            .map(|v| Choice {
                value: v.version.slug.clone(),
                label: v.version.name(lang).to_owned(),
                selected: f.version.as_deref() == Some(v.version.slug.as_str()),
            })
            .collect(),
        network: f.network.clone().unwrap_or_default(),
        networks: network_names,
        filtered: query_given(&query),
    };
    Ok(DashboardPage {
        layout: Layout::new(&state, &context, Nav::Admin),
        chrome: Chrome::new(&staff, "dashboard"),
        t,
        admin_css: assets::url("admin.css"),
        activator_warning,
        passed_around,
        undelivered,
        range_note: sentences::range_note(lang, &form.from, &form.to, f.days(), scope.zone_name()),
        form,
        query: format!("{}&lang={}", f.query_string(), lang.tag()),
        tiles,
        chart,
        chart_summary: sentences::chart_summary(lang, reports, success, partial, failed),
        chart_texts: if panels::per_month(&scope) {
            [t.monthly_title, t.monthly_caption, t.col_month]
        } else {
            [t.daily_title, t.daily_caption, t.col_day]
        },
        n_reports: reports,
        daily,
        versions,
        errors,
        downloads,
        unreported_note: sentences::latest_of(lang, unreported.len(), n_unreported),
        unreported,
        kms,
        lapsing,
        seats,
        terms,
        networks,
        failures,
    })
}

impl DashboardPage {
    fn lang(&self) -> Lang {
        self.layout.lang
    }

    /// A percentage as shown, or a dash when there is nothing to divide.
    pub fn pct(&self, value: &Option<f64>) -> String {
        super::format_percent(*value)
    }

    /// The label of an outcome.
    pub fn outcome_label(&self, outcome: &Outcome) -> &'static str {
        match outcome {
            Outcome::Success => self.t.outcome_success,
            Outcome::Partial => self.t.outcome_partial,
            Outcome::Failure => self.t.outcome_failure,
            Outcome::Aborted => self.t.outcome_aborted,
        }
    }

    /// The label of a family.
    pub fn family_label(&self, family: &Family) -> &'static str {
        family.label(self.lang())
    }

    /// The label of an unreported download's state.
    pub fn state_label(&self, state: &DownloadState) -> &'static str {
        match state {
            DownloadState::Revoked => self.t.state_revoked,
            DownloadState::Expired => self.t.state_expired,
            DownloadState::Waiting => self.t.state_waiting,
        }
    }

    /// The label of a licence-term window.
    pub fn window_label(&self, window: &TermWindow) -> &'static str {
        match window {
            TermWindow::Ended => self.t.window_ended,
            TermWindow::Within30 => self.t.window_30,
            TermWindow::Within90 => self.t.window_90,
            TermWindow::Within180 => self.t.window_180,
        }
    }

    /// The label of a KMS group.
    pub fn kms_label(&self, group: &KmsGroup) -> &'static str {
        group.label(self.lang())
    }

    /// The plain answer for a KMS group.
    pub fn kms_answer(&self, row: &KmsRow) -> String {
        sentences::kms_answer(
            self.lang(),
            row.activating,
            row.machines,
            row.machines_needed,
        )
    }

    /// A seat count as shown.
    pub fn seats_label(&self, row: &SeatRow) -> String {
        match (row.campus_wide, row.seats) {
            (true, _) => self.t.seats_campus.to_owned(),
            (false, Some(n)) => n.to_string(),
            (false, None) => self.t.seats_unspecified.to_owned(),
        }
    }

    /// A preflight check's name as people read it.
    pub fn check_label(&self, check: &str) -> String {
        sentences::check_label(self.lang(), check)
    }

    /// Days left in a licence term, or how long ago it ended.
    pub fn days_left(&self, days: &i64) -> String {
        sentences::days_left(self.lang(), *days)
    }

    /// `UTC+08:00` from minutes.
    pub fn utc_offset(&self, minutes: &i64) -> String {
        let sign = if *minutes < 0 { '-' } else { '+' };
        format!(
            "UTC{sign}{:02}:{:02}",
            minutes.abs() / 60,
            minutes.abs() % 60
        )
    }
}

fn tile(label: &'static str, value: String, tone: Tone) -> Tile {
    Tile { label, value, tone }
}

/// Whether the request set any filter (so the form offers to clear them).
fn query_given(query: &FilterQuery) -> bool {
    [
        &query.from,
        &query.to,
        &query.family,
        &query.version,
        &query.network,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
}
