//! Immediate alerts, to every account that has not opted out, in its language:
//!
//! - a failure spike: over the last `mail.alerts.window_minutes`, at least `failures`
//!   activation runs that did not fully succeed, making up at least `failure_percent` of
//!   all runs;
//! - one error code from one network at least `code_from_network` times in that window
//!   (0xC004F074 from the dormitories: the KMS host is unreachable from there);
//! - a KMS group dropping under its threshold (noticed once, by one portal:
//!   `db::alerts::kms_dropped`).
//!
//! Rate-limited: an alert's key holds its kind, what it is about and the
//! `every_hours`-long period it falls in, so the same alert is queued at most once per
//! period and account, however often this runs and on however many portals.

use std::collections::BTreeMap;

use protocol::report::{ProductOutcome, ProductResult};
use time::{Duration, OffsetDateTime};

use crate::catalog::KmsGroup;
use crate::db;
use crate::db::dashboard::Narrow;
use crate::db::mail::{NewMessage, Subscription};
use crate::lang::Lang;
use crate::state::AppState;
use crate::texts::mail::{self as texts, fill};

/// The most failed runs of the window read for the per-network count.
const MAX_FAILED_RUNS: i64 = 5_000;

/// Something that went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Alert {
    /// Many runs did not succeed.
    Failures { not_success: i64, runs: i64 },
    /// One code kept coming from one network.
    Code {
        code: String,
        network: String,
        n: i64,
    },
    /// A KMS group dropped under its threshold.
    Kms {
        group: KmsGroup,
        machines: i64,
        at: OffsetDateTime,
    },
}

/// Looks for what deserves an alert now and queues one for each subscriber; answers
/// how many messages were queued.
pub async fn queue(state: &AppState) -> anyhow::Result<usize> {
    let alerts = detect(state).await?;
    if alerts.is_empty() {
        return Ok(0);
    }
    let settings = &state.config.mail.alerts;
    let now = state.now();
    let period = now.unix_timestamp() / (i64::from(settings.every_hours) * 3600);
    let mut queued = 0;
    for reader in db::mail::subscribers(&state.db, Subscription::Alerts).await? {
        for alert in &alerts {
            let key = format!("alert:{}:{period}:{}", alert.key(), reader.id);
            let (subject, body) = render(state, alert, reader.lang).await?;
            let message = NewMessage {
                key: &key,
                recipient: &reader.email,
                subject: &subject,
                body: &body,
            };
            if db::mail::queue(&state.db, &message, reader.id, &[], now).await? {
                queued += 1;
                tracing::info!(account = %reader.username, alert = %alert.key(), "queued an alert");
            }
        }
    }
    Ok(queued)
}

async fn detect(state: &AppState) -> anyhow::Result<Vec<Alert>> {
    let settings = &state.config.mail.alerts;
    let now = state.now();
    let since = now - Duration::minutes(i64::from(settings.window_minutes));
    let mut alerts = Vec::new();
    let recent = db::alerts::recent_runs(&state.db, since).await?;
    if recent.not_success >= i64::from(settings.failures)
        && recent.not_success * 100 >= i64::from(settings.failure_percent) * recent.runs
    {
        alerts.push(Alert::Failures {
            not_success: recent.not_success,
            runs: recent.runs,
        });
    }
    let failed = db::dashboard::failures(
        &state.db,
        since,
        now + Duration::seconds(1),
        Narrow::default(),
        MAX_FAILED_RUNS,
    )
    .await?;
    let mut by_code: BTreeMap<(String, String), i64> = BTreeMap::new();
    for run in &failed {
        // Stored by the report writer from validated reports, so they parse.
        let products: Vec<ProductResult> =
            serde_json::from_str(&run.products_json).unwrap_or_default();
        let mut codes: Vec<String> = products
            .into_iter()
            .filter(|p| p.outcome == ProductOutcome::Failed)
            .filter_map(|p| p.error_code)
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            *by_code.entry((code, run.network.clone())).or_default() += 1;
        }
    }
    alerts.extend(
        by_code
            .into_iter()
            .filter(|(_, n)| *n >= i64::from(settings.code_from_network))
            .map(|((code, network), n)| Alert::Code { code, network, n }),
    );
    let seen = db::dashboard::kms_machines(&state.db, now - Duration::days(30)).await?;
    for group in KmsGroup::ALL {
        let machines = seen
            .iter()
            .find(|c| c.kms_group == group)
            .map_or(0, |c| c.n);
        if db::alerts::kms_dropped(&state.db, group, machines >= group.threshold(), now).await? {
            alerts.push(Alert::Kms {
                group,
                machines,
                at: now,
            });
        }
    }
    Ok(alerts)
}

impl Alert {
    /// What makes it the same alert as another.
    fn key(&self) -> String {
        match self {
            Alert::Failures { .. } => "failures".to_owned(),
            Alert::Code { code, network, .. } => format!("code:{code}:{network}"),
            Alert::Kms { group, at, .. } => {
                format!("kms:{}:{}", group.as_str(), at.unix_timestamp())
            }
        }
    }
}

/// The subject and body of `alert` in `lang`.
async fn render(state: &AppState, alert: &Alert, lang: Lang) -> anyhow::Result<(String, String)> {
    let t = texts::text(lang);
    let site = state.site();
    let institution = lang.pick(&site.site.name_zh, &site.site.name_en);
    let minutes = state.config.mail.alerts.window_minutes.to_string();
    let (subject, mut lines) = match alert {
        Alert::Failures { not_success, runs } => {
            let n = not_success.to_string();
            let percent =
                crate::dashboard::format_percent(crate::dashboard::percent(*not_success, *runs));
            (
                fill(
                    t.failures_subject,
                    &[
                        ("institution", institution),
                        ("n", &n),
                        ("minutes", &minutes),
                    ],
                ),
                vec![fill(
                    t.failures_body,
                    &[
                        ("n", &n),
                        ("runs", &runs.to_string()),
                        ("percent", percent.trim_end_matches('%')),
                        ("minutes", &minutes),
                    ],
                )],
            )
        }
        Alert::Code { code, network, n } => {
            let meaning = db::content::find_error_code(&state.db, code, lang)
                .await?
                .map(|e| e.message)
                .unwrap_or_default();
            (
                fill(
                    t.code_subject,
                    &[
                        ("institution", institution),
                        ("code", code),
                        ("network", network),
                    ],
                ),
                vec![
                    fill(
                        t.code_body,
                        &[
                            ("code", code),
                            ("network", network),
                            ("n", &n.to_string()),
                            ("minutes", &minutes),
                            ("meaning", &meaning),
                        ],
                    )
                    .trim_end()
                    .to_owned(),
                    fill(
                        t.code_page,
                        &[("url", &super::link(state, &format!("/errors/{code}"), lang))],
                    ),
                ],
            )
        }
        Alert::Kms {
            group, machines, ..
        } => {
            let label = group.label(lang);
            (
                fill(
                    t.kms_subject,
                    &[("institution", institution), ("group", label)],
                ),
                vec![fill(
                    t.kms_body,
                    &[
                        ("group", label),
                        ("machines", &machines.to_string()),
                        ("threshold", &group.threshold().to_string()),
                    ],
                )],
            )
        }
    };
    lines.push(String::new());
    lines.push("-- ".to_owned());
    lines.push(fill(
        t.dashboard,
        &[("url", &super::link(state, "/admin", lang))],
    ));
    lines.push(fill(
        t.alert_why,
        &[
            ("url", &super::link(state, "/admin/mail", lang)),
            ("hours", &state.config.mail.alerts.every_hours.to_string()),
        ],
    ));
    Ok((subject, lines.join("\n") + "\n"))
}
