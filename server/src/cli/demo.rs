//! `portal demo-data --reports N`: fills a database with realistic downloads and reports,
//! so a newcomer sees a living dashboard.
//!
//! Everything goes through the real paths: each report's download is recorded with a
//! token from `state.tokens` (`db::downloads::record`), and each report is a validated
//! `protocol::report::Report` handed to the group-commit writer (`state.ingest`), which
//! updates the roll-ups. Machines come from a fixed pool whose ids are derived from their
//! number, so running the command again reuses them; times spread over the last 200
//! days, some machines only long ago (so activations about to lapse show up); error codes
//! are the seeded ones. Never run this against a production database.

mod reports;
mod results;
mod rng;

use anyhow::{Context, bail};
use time::Duration;
use tokio::task::JoinSet;

use crate::catalog::Covers;
use crate::config::Config;
use crate::db;
use crate::db::downloads::NewDownload;
use crate::db::reports::{Incoming, Stored};
use crate::lang::Lang;
use crate::state::AppState;
use reports::Pool;
use rng::Rng;

/// The most reports one run makes.
pub const MAX_REPORTS: u32 = 1_000_000;
/// How far back the reports go, in days.
pub const SPREAD_DAYS: i64 = 200;
/// How many downloads and reports are stored at once.
const CONCURRENCY: usize = 64;

/// Fills the configured database with `n_reports` reports (and their downloads, plus some
/// downloads that never report back); answers a summary for the console.
pub async fn run(config: Config, n_reports: u32) -> anyhow::Result<String> {
    if !(1..=MAX_REPORTS).contains(&n_reports) {
        bail!("--reports must be between 1 and {MAX_REPORTS}");
    }
    let state = crate::prepare(config).await?;
    let versions: Vec<(String, Covers)> = db::catalog::list_versions(&state.db)
        .await?
        .into_iter()
        .filter(|v| !v.version.covers.is_empty())
        .map(|v| (v.version.slug, v.version.covers))
        .collect();
    if versions.is_empty() {
        bail!("the catalogue has no version with an activator to report on");
    }
    let codes: Vec<String> = db::content::list_error_codes(&state.db, Lang::En)
        .await?
        .into_iter()
        .map(|e| e.code)
        .collect();
    let networks: Vec<String> = if state.config.campus_networks.is_empty() {
        reports::DEFAULT_NETWORKS
            .iter()
            .map(|n| (*n).to_owned())
            .collect()
    } else {
        state
            .config
            .campus_networks
            .iter()
            .map(|n| n.name.clone())
            .collect()
    };
    let kms = format!("{}:{}", state.config.kms.host, state.config.kms.port);
    let pool = Pool::new(n_reports, versions, codes, networks, kms);
    let mut rng = Rng::seeded()?;
    let now = state.now();
    let mut tasks = JoinSet::new();
    let (mut stored, mut downloads) = (0_u64, 0_u64);
    for i in 0..n_reports {
        // About one download in nine is never run, so it never reports back.
        let plans = if i % 8 == 0 {
            vec![pool.plan(&mut rng, now), pool.lost(&mut rng, now)]
        } else {
            vec![pool.plan(&mut rng, now)]
        };
        for plan in plans {
            let state = state.clone();
            tasks.spawn(async move { store(&state, plan).await });
        }
        if tasks.len() >= CONCURRENCY {
            let (new, made) = next(&mut tasks).await?;
            stored += new;
            downloads += made;
        }
    }
    while !tasks.is_empty() {
        let (new, made) = next(&mut tasks).await?;
        stored += new;
        downloads += made;
    }
    let backend = state.db.backend();
    state.db.close().await;
    Ok(format!(
        "Stored {stored} new reports from {} machines and {downloads} downloads over the last \
         {SPREAD_DAYS} days on {backend}. Sign in at /admin to see them.",
        pool.machines()
    ))
}

/// Records a plan's download and sends its report (if it has one) through the writer;
/// answers (new reports, downloads).
async fn store(state: &AppState, plan: reports::Plan) -> anyhow::Result<(u64, u64)> {
    let expires_at =
        plan.downloaded_at + Duration::days(i64::from(state.config.download_token_days));
    let issued = state.tokens.issue(&plan.version, expires_at)?;
    db::downloads::record(
        &state.db,
        &NewDownload {
            token_id: &issued.id,
            version_slug: &plan.version,
            network: &plan.network,
            created_at: plan.downloaded_at,
            expires_at,
            day: state.local_date(plan.downloaded_at),
            person: None,
        },
    )
    .await
    .context("recording a download")?;
    let Some(report) = plan.report else {
        return Ok((0, 1));
    };
    report
        .validate()
        .map_err(|v| anyhow::anyhow!("a demo report is invalid: {}: {}", v.field, v.message))?;
    let received_at = report.started_at + Duration::milliseconds(report.duration_ms as i64);
    let received_at = received_at.replace_nanosecond(0).unwrap_or(received_at);
    let stored = state
        .ingest
        .submit(Incoming {
            report,
            token_id: issued.id,
            network: plan.network,
            received_at,
            day: state.local_date(received_at),
            machine_limit: None,
        })
        .await
        .map_err(|e| anyhow::anyhow!("storing a report: {e}"))?;
    Ok((u64::from(stored == Stored::New), 1))
}

async fn next(tasks: &mut JoinSet<anyhow::Result<(u64, u64)>>) -> anyhow::Result<(u64, u64)> {
    match tasks.join_next().await {
        Some(joined) => joined.context("a demo task failed")?,
        None => Ok((0, 0)),
    }
}
