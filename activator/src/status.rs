//! `--status`: the licence state of what the download covers, read with `slmgr.vbs /dlv`
//! or `ospp.vbs /dstatus` and changing nothing, shown and reported to the portal as a
//! status run (licensed or not, the grace left, the KMS host used). Run weekly as a
//! scheduled task (`--schedule-status`), it tells the portal that a KMS client keeps
//! renewing by itself, which activation runs alone never would.
//!
//! `--schedule-status` registers that task (`schtasks`, as SYSTEM, weekly, `--status
//! --quiet`) once the person types yes, or at once in a quiet run, where the lab
//! administrator's command line is the consent.

use std::path::PathBuf;

use protocol::config::{ActivatorConfig, Language};
use protocol::report::{Outcome, ProductOutcome, ProductResult, RunKind};

use crate::activate::UNKNOWN_SKU;
use crate::deliver;
use crate::flow::{agrees, exit_code};
use crate::parse::{ospp, slmgr};
use crate::preflight::{self, Scripts};
use crate::report;
use crate::system::System;
use crate::text::{Text, text};

/// The scheduled task's name.
pub const TASK_NAME: &str = "Campus License Portal licence status";

/// Shows and reports the licence state; answers the exit code (0 when every licence found
/// is licensed).
pub fn status(scripts: &Scripts<'_>, config: &ActivatorConfig, language: Language) -> i32 {
    let system = scripts.system;
    let t = text(language);
    let say = |line: &str| system.write_out(&format!("{line}\n"));
    let started_at = system.now_utc();
    let version = match language {
        Language::ZhTw => &config.name_zh,
        Language::En => &config.name_en,
    };
    say(&format!("{} — {version}", t.section_status));
    let licences = read(scripts, config);
    if licences.is_empty() {
        say(&format!("  {}", t.status_none));
    }
    for licence in &licences {
        say(&line(licence, t));
    }
    let outcome = if licences.is_empty() {
        Outcome::Failure
    } else {
        Outcome::from_products(&licences)
    };
    say("");
    let report = report::build(
        system,
        report::new_report_id(system),
        report::Run {
            product: &config.product,
            started_at,
            findings: Vec::new(),
            products: licences,
            outcome,
            kind: RunKind::Status,
        },
    );
    deliver::send_report(system, config, report, t, &say);
    exit_code(outcome)
}

/// The licences of what `config` covers, as a status run reports them: each with a key
/// installed, licensed or not, its grace and KMS host when the script printed them.
fn read(scripts: &Scripts<'_>, config: &ActivatorConfig) -> Vec<ProductResult> {
    let system = scripts.system;
    match config.covers.first().and_then(|p| p.office.as_ref()) {
        Some(office) => {
            let Some(ospp) = preflight::find_ospp(system, &office.folder) else {
                return Vec::new();
            };
            ospp::parse_dstatus(scripts.run(&ospp, &["/dstatus"]).text())
                .into_iter()
                .filter(|l| l.key_last5.is_some())
                .map(|l| {
                    let licensed = l.license_status == ospp::LicenceStatus::Licensed;
                    ProductResult {
                        grace_minutes: l.grace_minutes(),
                        sku_id: l.sku_id,
                        license_name: l.license_name,
                        license_description: l.license_description,
                        key_last5: l.key_last5,
                        outcome: outcome(licensed),
                        error_code: l.error_code.filter(|_| !licensed),
                        kms_host: None,
                    }
                })
                .collect()
        }
        None => {
            let slmgr = preflight::system_file(system, "slmgr.vbs");
            slmgr::parse_dlv(scripts.run(&slmgr, &["/dlv"]).text())
                .into_iter()
                .filter(|l| l.partial_key.is_some())
                .map(|l| {
                    let licensed = l.licensed == Some(true);
                    ProductResult {
                        sku_id: l.activation_id.unwrap_or_else(|| UNKNOWN_SKU.to_owned()),
                        license_name: l.name,
                        license_description: l.description,
                        key_last5: l.partial_key,
                        outcome: outcome(licensed),
                        error_code: l.reason.filter(|_| !licensed),
                        grace_minutes: l.grace_minutes,
                        kms_host: l.kms_host.filter(|_| licensed),
                    }
                })
                .collect()
        }
    }
}

fn outcome(licensed: bool) -> ProductOutcome {
    if licensed {
        ProductOutcome::Activated
    } else {
        ProductOutcome::Failed
    }
}

/// `  Office 16, Office16ProPlusVL_KMS_Client edition (key ends in 6MWKP): licensed, 179
/// days left, kms.example.edu.tw:1688`.
fn line(licence: &ProductResult, t: &Text) -> String {
    let key = licence
        .key_last5
        .as_deref()
        .map(|k| t.key_ends_in(k))
        .unwrap_or_default();
    let mut state = if licence.outcome == ProductOutcome::Activated {
        t.licensed.to_owned()
    } else {
        t.not_licensed.to_owned()
    };
    if let Some(minutes) = licence.grace_minutes {
        state.push_str(&format!(", {} {}", minutes / (24 * 60), t.days_left));
    }
    if let Some(host) = &licence.kms_host {
        state.push_str(&format!(", {host}"));
    }
    format!("  {}{key}: {state}", licence.license_name)
}

/// Registers the weekly status task, with consent: a quiet run's command line is the lab
/// administrator's; otherwise the person types yes. Answers whether it was registered.
pub fn schedule(system: &dyn System, quiet: bool, config: Option<&PathBuf>, t: &Text) -> bool {
    let say = |line: &str| system.write_out(&format!("{line}\n"));
    if !quiet && !agrees(system, &format!("\n{}", t.schedule_question), t) {
        say(t.schedule_declined);
        return false;
    }
    let exe = format!(r"{}\activator.exe", system.exe_dir().to_string_lossy());
    let mut command = format!("\"{exe}\" --status --quiet");
    if let Some(config) = config {
        command.push_str(&format!(" --config \"{}\"", config.display()));
    }
    let schtasks = preflight::system_file(system, "schtasks.exe");
    let args = [
        "/Create", "/F", "/TN", TASK_NAME, "/SC", "WEEKLY", "/RU", "SYSTEM", "/RL", "HIGHEST",
        "/TR", &command,
    ];
    let registered = system
        .run(&schtasks, &args, preflight::SCRIPT_TIMEOUT)
        .is_ok_and(|ran| !ran.timed_out && ran.status == 0);
    say(if registered {
        t.schedule_done
    } else {
        t.schedule_failed
    });
    registered
}
