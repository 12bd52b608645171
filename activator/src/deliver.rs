//! Getting a report to the portal without losing or doubling it.
//!
//! The report is written to the spool (`%ProgramData%\CampusLicensePortal\reports`)
//! before the first attempt and removed only when the portal acknowledges it (201 new,
//! 200 already had it), so a crash, a closed window or an unreachable portal loses
//! nothing: the next run sends what the spool holds. The report id is the portal's
//! idempotency key, so sending one twice counts it once. A report the portal refuses for
//! good (400, 401, 413, 422 …) is moved aside to `rejected\` for IT staff, not retried.
//!
//! On a shared PC standard users may write to `%ProgramData%`, and the activator runs as
//! administrator: the spool is made a folder only SYSTEM and Administrators can use
//! before anything is written or read there (an existing one is taken over; a junction is
//! refused, and then nothing is spooled); a junction or link in it is never followed; and
//! a spooled report is sent only to the portal this run is configured for (others are set
//! aside, never sent with this download's trust).

use std::path::{Path, PathBuf};
use std::time::Duration;

use protocol::config::{ActivatorConfig, DownloadToken};
use protocol::report::Report;
use serde::{Deserialize, Serialize};

use crate::system::{HttpRequest, System};
use crate::text::Text;

/// Waits between attempts for the current report; then it stays in the spool.
pub const BACKOFF: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];
/// The longest `Retry-After` honoured, so a run never hangs on the portal.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// At most this many spooled reports are sent per run, oldest first.
pub const MAX_SPOOLED_PER_RUN: usize = 20;

/// What happened to a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The portal has it (new or repeated).
    Delivered,
    /// Not reachable or busy; kept in the spool for the next run.
    Kept,
    /// Refused for good, with the portal's status and message.
    Rejected(u16, String),
}

/// A spooled report with what is needed to send it later.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Where to send it.
    pub portal_url: String,
    /// The download token that authenticates it.
    pub download_token: DownloadToken,
    /// The report.
    pub report: Report,
}

/// The activator's folder under `%ProgramData%`, which holds the spool.
pub fn data_dir(system: &dyn System) -> PathBuf {
    let base = system
        .env("ProgramData")
        .unwrap_or_else(|| r"C:\ProgramData".to_owned());
    PathBuf::from(format!(r"{base}\CampusLicensePortal"))
}

/// The spool folder.
pub fn spool_dir(system: &dyn System) -> PathBuf {
    PathBuf::from(format!(r"{}\reports", data_dir(system).to_string_lossy()))
}

/// Makes the spool a folder only administrators can use (its parent too); `false` when
/// that cannot be done, and then the spool is not used.
pub fn secure_spool(system: &dyn System) -> bool {
    secure_data_dir(system) && system.secure_dir(&spool_dir(system)).is_ok()
}

/// Makes the activator's folder under `%ProgramData%` (the spool's parent, the quiet
/// mode's log) one only administrators can use; `false` when that cannot be done.
pub fn secure_data_dir(system: &dyn System) -> bool {
    system.secure_dir(&data_dir(system)).is_ok()
}

/// Spools `envelope`, then sends it with retries; answers what happened.
pub fn deliver(system: &dyn System, envelope: &Envelope) -> Delivery {
    let path = spool_path(system, &envelope.report.report_id);
    let Ok(bytes) = serde_json::to_vec_pretty(envelope) else {
        return Delivery::Rejected(0, "the report could not be written".to_owned());
    };
    // Spooling first is what makes "acknowledged or kept" true; if even that fails the
    // send is still tried, and the person is told if it is lost.
    let spooled = secure_spool(system) && system.write_file(&path, &bytes).is_ok();
    let mut attempt = 0;
    loop {
        match send(system, envelope) {
            Attempt::Done(delivery) => {
                settle(system, &path, &delivery);
                return delivery;
            }
            Attempt::Retry(retry_after) if attempt < BACKOFF.len() => {
                system.sleep(retry_after.unwrap_or(BACKOFF[attempt]).min(MAX_RETRY_AFTER));
                attempt += 1;
            }
            Attempt::Retry(_) if spooled => return Delivery::Kept,
            Attempt::Retry(_) => {
                return Delivery::Rejected(
                    0,
                    "the portal is unreachable and the report could not be saved".to_owned(),
                );
            }
        }
    }
}

/// Sends what earlier runs left in the spool for `portal_url`, once each; answers how
/// many arrived.
pub fn flush_spool(system: &dyn System, portal_url: &str, skip_id: &str) -> usize {
    if !secure_spool(system) {
        return 0;
    }
    let mut files: Vec<PathBuf> = system
        .list_dir(&spool_dir(system))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".json"))
        .collect();
    files.sort();
    let mut delivered = 0;
    for path in files.into_iter().take(MAX_SPOOLED_PER_RUN) {
        if system.is_reparse_point(&path) {
            continue;
        }
        let Some(envelope) = system
            .read_file(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Envelope>(&b).ok())
        else {
            move_aside(system, &path);
            continue;
        };
        if envelope.report.report_id == skip_id {
            continue;
        }
        if envelope.portal_url != portal_url {
            move_aside(system, &path);
            continue;
        }
        if let Attempt::Done(delivery) = send(system, &envelope) {
            delivered += usize::from(delivery == Delivery::Delivered);
            settle(system, &path, &delivery);
        }
    }
    delivered
}

enum Attempt {
    Done(Delivery),
    Retry(Option<Duration>),
}

fn send(system: &dyn System, envelope: &Envelope) -> Attempt {
    let Ok(body) = serde_json::to_vec(&envelope.report) else {
        return Attempt::Done(Delivery::Rejected(
            0,
            "the report could not be written".to_owned(),
        ));
    };
    let request = HttpRequest {
        method: "POST",
        url: format!("{}/api/v1/reports", envelope.portal_url),
        headers: vec![
            ("Content-Type", "application/json".to_owned()),
            (
                "Authorization",
                format!("Bearer {}", envelope.download_token.expose()),
            ),
            (
                "User-Agent",
                format!("campus-activator/{}", env!("CARGO_PKG_VERSION")),
            ),
        ],
        body,
        timeout: REQUEST_TIMEOUT,
    };
    match system.http(&request) {
        Err(_) => Attempt::Retry(None),
        Ok(response) => match response.status {
            200 | 201 => Attempt::Done(Delivery::Delivered),
            408 | 429 | 500..=599 => Attempt::Retry(
                response
                    .retry_after
                    .and_then(|s| s.trim().parse().ok())
                    .map(Duration::from_secs),
            ),
            status => Attempt::Done(Delivery::Rejected(status, portal_message(&response.body))),
        },
    }
}

/// Removes a delivered report from the spool, or moves a refused one aside.
fn settle(system: &dyn System, path: &Path, delivery: &Delivery) {
    match delivery {
        Delivery::Delivered => {
            let _ = system.remove_file(path);
        }
        Delivery::Rejected(..) => move_aside(system, path),
        Delivery::Kept => {}
    }
}

fn move_aside(system: &dyn System, path: &Path) {
    if let Ok(bytes) = system.read_file(path) {
        let name = path
            .to_string_lossy()
            .rsplit('\\')
            .next()
            .unwrap_or("report.json")
            .to_owned();
        let aside = PathBuf::from(format!(
            r"{}\rejected\{name}",
            spool_dir(system).to_string_lossy()
        ));
        if system.write_file(&aside, &bytes).is_ok() {
            let _ = system.remove_file(path);
        }
    }
}

fn spool_path(system: &dyn System, report_id: &str) -> PathBuf {
    PathBuf::from(format!(
        r"{}\{report_id}.json",
        spool_dir(system).to_string_lossy()
    ))
}

/// The `message` of the portal's JSON error, or the start of the body.
fn portal_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}

/// Sends `report` of a run with `config` (kept in the spool if the portal cannot be
/// reached), then what earlier runs left in the spool for the same portal; says how it
/// went with `say`.
pub fn send_report(
    system: &dyn System,
    config: &ActivatorConfig,
    report: Report,
    t: &Text,
    say: &dyn Fn(&str),
) {
    let report_id = report.report_id.clone();
    match report.validate() {
        Err(violation) => say(&format!("{} {violation}", t.report_invalid)),
        Ok(()) => {
            let envelope = Envelope {
                portal_url: config.portal_url.clone(),
                download_token: config.download_token.clone(),
                report,
            };
            match deliver(system, &envelope) {
                Delivery::Delivered => say(t.reported),
                Delivery::Kept => say(t.report_kept),
                Delivery::Rejected(status, message) => {
                    say(&t.labelled(t.report_rejected, &format!("{status} {message}")));
                }
            }
        }
    }
    let resent = flush_spool(system, &config.portal_url, &report_id);
    if resent > 0 {
        say(&t.labelled(t.spool_sent, &resent.to_string()));
    }
}
