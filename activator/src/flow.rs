//! The whole run: command line → settings → preflight → activation → explanation →
//! report → exit code.

use std::path::PathBuf;

use protocol::config::{ActivatorConfig, Language};
use protocol::errors::ErrorTexts;
use protocol::report::{
    Check, Finding, FindingStatus, Outcome, ProductOutcome, ProductResult, RunKind,
};

use crate::activate::{self, Step};
use crate::cli::{self, Args};
use crate::deliver;
use crate::explain::explain;
use crate::preflight::{self, Scripts, Target};
use crate::quiet::Quiet;
use crate::report;
use crate::system::System;
use crate::text::{Text, text};

/// Every product activated (or, for `--status` and `--dry-run`, the run completed).
pub const EXIT_SUCCESS: i32 = 0;
/// Some products activated, some not.
pub const EXIT_PARTIAL: i32 = 2;
/// Activation ran and nothing was activated.
pub const EXIT_FAILURE: i32 = 3;
/// A preflight check failed; activation was not attempted.
pub const EXIT_ABORTED: i32 = 4;
/// A bad command line or settings file.
pub const EXIT_USAGE: i32 = 64;

/// Runs the activator with the arguments after the program name; answers the exit code.
pub fn main(system: &dyn System, args: Vec<String>) -> i32 {
    let parsed = cli::parse(args.clone());
    if parsed.as_ref().is_ok_and(|parsed| parsed.quiet) {
        let quiet = Quiet::new(system);
        let code = main_with(&quiet, parsed);
        quiet.save(&args, code);
        return code;
    }
    main_with(system, parsed)
}

/// [`main`] once the command line is parsed.
fn main_with(system: &dyn System, args: Result<Args, String>) -> i32 {
    let pc_language = pc_language(&system.ui_language());
    let args = match args {
        Ok(args) => args,
        Err(message) => {
            system.write_out(&format!("{message}\n\n{}", cli::USAGE));
            return EXIT_USAGE;
        }
    };
    if args.help || args.version {
        let shown = if args.help {
            cli::USAGE.to_owned()
        } else {
            format!("activator {}\n", env!("CARGO_PKG_VERSION"))
        };
        system.write_out(&shown);
        return EXIT_SUCCESS;
    }
    let code = match load_config(system, &args, pc_language) {
        Ok((config, portal_texts)) => {
            let language = args.lang.unwrap_or(pc_language);
            if args.status {
                let scripts = Scripts {
                    system,
                    timeout: args.script_timeout,
                };
                crate::status::status(&scripts, &config, language)
            } else {
                let run_with = Run {
                    config: &config,
                    language,
                    portal_texts: portal_texts.as_ref(),
                    args: &args,
                };
                run(system, &run_with)
            }
        }
        Err(message) => {
            system.write_out(&format!("{message}\n"));
            EXIT_USAGE
        }
    };
    if args.schedule_status && code != EXIT_USAGE {
        let t = text(args.lang.unwrap_or(pc_language));
        crate::status::schedule(system, args.quiet, args.config.as_ref(), t);
    }
    if !args.no_pause {
        let language = args.lang.unwrap_or(pc_language);
        system.write_out(&format!("\n{}\n", text(language).press_any_key));
        system.wait_for_key();
    }
    code
}

/// The language the activator speaks on a PC whose display language is `tag` (BCP 47):
/// Traditional Chinese for any Chinese (zh-TW, zh-HK, zh-CN: its people read Traditional
/// Chinese better than English, and the portal has no Simplified Chinese), English for
/// every other language.
pub fn pc_language(tag: &str) -> Language {
    if tag.to_ascii_lowercase().starts_with("zh") {
        Language::ZhTw
    } else {
        Language::En
    }
}

/// One run's settings, as read and as asked for.
struct Run<'a> {
    config: &'a ActivatorConfig,
    language: Language,
    /// The portal's error texts from the download's `errors.toml`, when it has one.
    portal_texts: Option<&'a ErrorTexts>,
    args: &'a Args,
}

/// Reads `activator.toml`, and `errors.toml` beside it when there is a readable one (a
/// missing or damaged one only means the texts compiled in are used).
fn load_config(
    system: &dyn System,
    args: &Args,
    pc_language: Language,
) -> Result<(ActivatorConfig, Option<ErrorTexts>), String> {
    let t = text(args.lang.unwrap_or(pc_language));
    let path = args.config.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            r"{}\activator.toml",
            system.exe_dir().to_string_lossy()
        ))
    });
    let bytes = system
        .read_file(&path)
        .map_err(|_| format!("{} {}", t.config_missing, path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{} not UTF-8", t.config_invalid))?;
    let config =
        ActivatorConfig::from_toml(&text).map_err(|v| format!("{} {v}", t.config_invalid))?;
    let folder = path.to_string_lossy();
    let folder = folder
        .rsplit_once(['\\', '/'])
        .map_or("", |(folder, _)| folder);
    let errors = PathBuf::from(format!(r"{folder}\errors.toml"));
    let portal_texts = system
        .read_file(&errors)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| ErrorTexts::from_toml(&text).ok());
    Ok((config, portal_texts))
}

fn run(system: &dyn System, run: &Run<'_>) -> i32 {
    let (config, language) = (run.config, run.language);
    let t = text(language);
    let started_at = system.now_utc();
    let say = |line: &str| system.write_out(&format!("{line}\n"));
    let version = match language {
        Language::ZhTw => &config.name_zh,
        Language::En => &config.name_en,
    };
    say(&format!(
        "{} {} — {version}",
        t.title,
        env!("CARGO_PKG_VERSION")
    ));
    say(&t.labelled(
        t.kms_host,
        &activate::kms_address(&config.kms.host, config.kms.port),
    ));
    if let Some(ended) = config
        .licence_ends
        .filter(|end| *end < system.now_utc().to_offset(system.local_offset()).date())
    {
        say(&format!("[!] {} {ended}", t.licence_ended));
    }
    say("");
    say(t.section_checks);
    let scripts = Scripts {
        system,
        timeout: run.args.script_timeout,
    };
    let mut survey = preflight::survey(&scripts, config, t);
    for noted in &survey.findings {
        let marker = match noted.finding.status {
            FindingStatus::Pass => "[OK]",
            FindingStatus::Warn => "[!] ",
            FindingStatus::Fail => "[X] ",
        };
        say(&format!("  {marker} {}", noted.message));
        if let (FindingStatus::Fail | FindingStatus::Warn, Some(code)) =
            (noted.finding.status, &noted.finding.error_code)
        {
            say(&format!(
                "       {}",
                t.labelled(
                    t.more_at,
                    &explain(code, language, config, run.portal_texts).url
                )
            ));
        }
    }
    say("");

    if run.args.dry_run {
        if let Some(target) = &survey.target {
            say(t.dry_run_plan);
            for step in activate::plan(target, config, t) {
                say(&format!("  {}", command_line(target, &step)));
            }
        }
        say(t.dry_run_nothing_changed);
        return EXIT_SUCCESS;
    }

    if !survey.blocked()
        && let Some(Target::Windows {
            upgrade: true,
            product,
            ..
        }) = &survey.target
    {
        let question = format!("{} {}", t.upgrade_question, product.name);
        let agreed = run.args.upgrade_edition || agrees(system, &question, t);
        let detail = if agreed {
            format!("edition upgrade to {} agreed", product.name)
        } else {
            format!("edition upgrade to {} declined", product.name)
        };
        survey.findings.push(preflight::Noted {
            finding: Finding {
                check: Check::ProductInstalled,
                status: if agreed {
                    FindingStatus::Pass
                } else {
                    FindingStatus::Fail
                },
                error_code: None,
                detail,
            },
            message: String::new(),
        });
        if !agreed {
            say(t.upgrade_declined);
        }
    }

    let blocked = survey.blocked();
    let products = match (&survey.target, blocked) {
        (_, true) => {
            say(t.aborted);
            Vec::new()
        }
        (None, false) => Vec::new(),
        (Some(target), false) => {
            say(t.section_activation);
            let steps = activate::plan(target, config, t);
            let results = activate::activate(&scripts, target, &steps, &mut |line| say(line), t);
            say("");
            results
        }
    };
    let outcome = if blocked {
        Outcome::Aborted
    } else if products.is_empty() {
        Outcome::Failure
    } else {
        Outcome::from_products(&products)
    };
    if !blocked {
        show_results(&say, &products, run, t);
    }
    say(match outcome {
        Outcome::Success => t.all_ok,
        Outcome::Partial => t.some_ok,
        Outcome::Failure if products.is_empty() => t.nothing_to_activate,
        Outcome::Failure | Outcome::Aborted => t.none_ok,
    });
    if outcome == Outcome::Success {
        say(t.renewal);
    } else {
        say(t.help_desk);
    }

    let findings = survey.findings.into_iter().map(|n| n.finding).collect();
    let report = report::build(
        system,
        report::new_report_id(system),
        report::Run {
            product: &config.product,
            started_at,
            findings,
            products,
            outcome,
            kind: RunKind::Activation,
        },
    );
    deliver::send_report(system, config, report, t, &say);
    exit_code(outcome)
}

/// The exit code of a run with `outcome`.
pub fn exit_code(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Success => EXIT_SUCCESS,
        Outcome::Partial => EXIT_PARTIAL,
        Outcome::Failure => EXIT_FAILURE,
        Outcome::Aborted => EXIT_ABORTED,
    }
}

/// Asks the person `question`; only a typed yes agrees (a run with no one at the console
/// never agrees).
pub(crate) fn agrees(system: &dyn System, question: &str, t: &Text) -> bool {
    system.write_out(&format!("{question}\n{} ", t.upgrade_prompt));
    let answer = system.read_line().unwrap_or_default();
    let answer = answer.trim().to_lowercase();
    system.write_out("\n");
    matches!(answer.as_str(), "y" | "yes" | "是" | "好")
}

/// Prints one line per product, then, once per distinct error code, what it means and
/// what to do.
fn show_results(say: &dyn Fn(&str), products: &[ProductResult], run: &Run<'_>, t: &Text) {
    let (config, language) = (run.config, run.language);
    say(t.section_results);
    let mut codes: Vec<&str> = Vec::new();
    for product in products {
        let key = product
            .key_last5
            .as_deref()
            .map(|k| t.key_ends_in(k))
            .unwrap_or_default();
        let name = format!("{}{key}", product.license_name);
        if product.outcome == ProductOutcome::Activated {
            say(&format!("  [OK] {}", t.labelled(&name, t.activated)));
        } else {
            let code = product
                .error_code
                .as_deref()
                .unwrap_or(activate::UNSPECIFIED_ERROR);
            say(&format!("  [X]  {} {code}", t.labelled(&name, t.failed)));
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    for code in codes {
        let explanation = explain(code, language, config, run.portal_texts);
        say("");
        say(&format!("  {}", t.labelled(code, &explanation.title)));
        for line in &explanation.remedy {
            say(&format!("  {line}"));
        }
        say(&format!("    {}", t.labelled(t.more_at, &explanation.url)));
    }
    say("");
}

/// How a step looks typed into an administrator Command Prompt.
fn command_line(target: &Target<'_>, step: &Step) -> String {
    let script = match target {
        Target::Office { ospp, .. } => ospp,
        Target::Windows { slmgr, .. } => slmgr,
    };
    format!(
        "cscript //nologo \"{}\" {}",
        preflight::as_64_bit_programs_see_it(script),
        step.args.join(" ")
    )
}

#[cfg(test)]
mod tests;
