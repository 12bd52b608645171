//! Activation with Microsoft's own scripts against the configured KMS host only.
//!
//! Office: `ospp.vbs /sethst:HOST`, `/setprt:PORT`, `/inpkey:` a published KMS client
//! setup key when the installed key is not one, then `/act`. Windows: `slmgr.vbs /ipk`
//! when needed, `/skms HOST:PORT`, `/ato`. If pointing the client at our host fails,
//! activation is not attempted: a client left pointing elsewhere must not be activated
//! there by us.

use protocol::config::ActivatorConfig;
use protocol::report::{ProductOutcome, ProductResult};

use crate::parse::{ospp, slmgr};
use crate::preflight::{Ran, Scripts, Target};
use crate::text::Text;

/// A GUID for results whose script printed none.
pub const UNKNOWN_SKU: &str = "00000000-0000-0000-0000-000000000000";

/// Microsoft's "unspecified error", for failures whose script printed no readable code.
pub const UNSPECIFIED_ERROR: &str = "0x80004005";

/// The code to report for a failure: the parser's, or [`UNSPECIFIED_ERROR`] when the
/// script printed none.
pub fn code_or_unspecified(code: String) -> String {
    if code.is_empty() {
        UNSPECIFIED_ERROR.to_owned()
    } else {
        code
    }
}

/// One command the activator runs (or, in a dry run, would run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What the person is told it does.
    pub label: &'static str,
    /// The script's arguments after the script path.
    pub args: Vec<String>,
}

/// The commands activation runs for `target`, in order; `/act` or `/ato` last.
pub fn plan(target: &Target<'_>, config: &ActivatorConfig, text: &Text) -> Vec<Step> {
    let step = |label, args: &[String]| Step {
        label,
        args: args.to_vec(),
    };
    let host = &config.kms.host;
    let port = config.kms.port;
    match target {
        Target::Office { found, .. } => {
            let mut steps = vec![
                step(text.step_set_host, &[format!("/sethst:{host}")]),
                step(text.step_set_port, &[format!("/setprt:{port}")]),
            ];
            for found in found.iter().filter(|f| f.install_key) {
                let key = &found.product.key;
                steps.push(step(text.step_install_key, &[format!("/inpkey:{key}")]));
            }
            steps.push(step(text.step_activate, &["/act".to_owned()]));
            steps
        }
        Target::Windows {
            licences,
            product,
            upgrade,
            ..
        } => {
            let mut steps = Vec::new();
            if *upgrade {
                steps.push(step(
                    text.step_upgrade,
                    &["/ipk".to_owned(), product.key.clone()],
                ));
            } else if !licences.first().is_some_and(|l| l.kms_client) {
                steps.push(step(
                    text.step_install_key,
                    &["/ipk".to_owned(), product.key.clone()],
                ));
            }
            steps.push(step(
                text.step_set_host,
                &["/skms".to_owned(), kms_address(host, port)],
            ));
            steps.push(step(text.step_activate, &["/ato".to_owned()]));
            steps
        }
    }
}

/// Runs the plan, telling the person each step, and answers one result per product.
pub fn activate(
    scripts: &Scripts<'_>,
    target: &Target<'_>,
    steps: &[Step],
    say: &mut dyn FnMut(&str),
    text: &Text,
) -> Vec<ProductResult> {
    let (script, last) = match target {
        Target::Office { ospp, .. } => (ospp, "/act"),
        Target::Windows { slmgr, .. } => (slmgr, "/ato"),
    };
    for step in steps.iter().filter(|s| s.args[0] != last) {
        let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
        match step_result(target, &scripts.run(script, &args)) {
            Ok(()) => say(&format!("  {} … {}", step.label, text.step_done)),
            Err(code) => {
                let code = code_or_unspecified(code);
                say(&format!("  {} … {} ({code})", step.label, text.step_failed));
                return failed_before_activation(target, &code);
            }
        }
    }
    say(&format!("  {}", text.step_activate));
    match target {
        Target::Office { ospp: script, .. } => {
            let ran = scripts.run(script, &["/act"]);
            if let Some(code) = ran.unfinished() {
                return failed_before_activation(target, code);
            }
            let act = ospp::parse_act(ran.text());
            act.products.into_iter().map(office_result).collect()
        }
        Target::Windows { slmgr: script, .. } => {
            let outcome = step_result(target, &scripts.run(script, &["/ato"]));
            let after = slmgr::parse_dlv(scripts.run(script, &["/dlv"]).text());
            let licence = after.first();
            // `/ato` exits with 0 when activation returned but left the licence
            // unlicensed: the licence's own state decides.
            let outcome = match (outcome, licence) {
                (Ok(()), Some(l)) if l.licensed == Some(false) => {
                    Err(l.reason.clone().unwrap_or_default())
                }
                (outcome, _) => outcome,
            };
            vec![windows_result(licence, outcome)]
        }
    }
}

/// The outcome of one step from how its script ended.
fn step_result(target: &Target<'_>, ran: &Ran) -> Result<(), String> {
    match ran {
        Ran::Ended { status, text } => match target {
            Target::Office { .. } => ospp::parse_simple(text),
            Target::Windows { .. } => slmgr::parse_result(text, *status),
        },
        Ran::TimedOut | Ran::NotStarted => {
            Err(ran.unfinished().unwrap_or(UNSPECIFIED_ERROR).to_owned())
        }
    }
}

/// `HOST:PORT` as `slmgr /skms` takes it: an IPv6 address in brackets.
pub fn kms_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn office_result(product: ospp::ActProduct) -> ProductResult {
    let (outcome, error_code) = match product.result {
        ospp::ActResult::Activated => (ProductOutcome::Activated, None),
        ospp::ActResult::Failed { code, .. } => {
            (ProductOutcome::Failed, Some(code_or_unspecified(code)))
        }
    };
    ProductResult {
        sku_id: product.sku_id,
        license_name: product.license_name,
        license_description: product.license_description,
        key_last5: product.key_last5,
        outcome,
        error_code,
        grace_minutes: None,
        kms_host: None,
    }
}

fn windows_result(
    licence: Option<&slmgr::WindowsLicence>,
    outcome: Result<(), String>,
) -> ProductResult {
    let (outcome, error_code) = match outcome {
        Ok(()) => (ProductOutcome::Activated, None),
        Err(code) => (ProductOutcome::Failed, Some(code_or_unspecified(code))),
    };
    ProductResult {
        sku_id: licence
            .and_then(|l| l.activation_id.clone())
            .unwrap_or_else(|| UNKNOWN_SKU.to_owned()),
        license_name: licence.map_or_else(|| "Windows".to_owned(), |l| l.name.clone()),
        license_description: licence.map(|l| l.description.clone()).unwrap_or_default(),
        key_last5: licence.and_then(|l| l.partial_key.clone()),
        outcome,
        error_code,
        grace_minutes: None,
        kms_host: None,
    }
}

/// One failed result per licence of the target, when a setup step failed.
fn failed_before_activation(target: &Target<'_>, code: &str) -> Vec<ProductResult> {
    match target {
        Target::Office { licences, .. } => licences
            .iter()
            .filter(|l| {
                ospp::channel(&l.license_name, &l.license_description) != ospp::Channel::Other
            })
            .map(|l| ProductResult {
                sku_id: l.sku_id.clone(),
                license_name: l.license_name.clone(),
                license_description: l.license_description.clone(),
                key_last5: l.key_last5.clone(),
                outcome: ProductOutcome::Failed,
                error_code: Some(code.to_owned()),
                grace_minutes: None,
                kms_host: None,
            })
            .collect(),
        Target::Windows { licences, .. } => {
            vec![windows_result(licences.first(), Err(code.to_owned()))]
        }
    }
}
