//! Preflight: look at the PC before changing anything, one finding per check.
//!
//! Each check yields a [`Finding`] for the report (English detail) and what the person
//! is told. A `fail` stops the run before activation: it could not succeed, and saying
//! why is more useful than Microsoft's error afterwards. Nothing here changes the PC.

use std::path::{Path, PathBuf};
use std::time::Duration;

use protocol::config::ActivatorConfig;
use protocol::products::{Product, WindowsPc};
use protocol::report::{Check, Finding, FindingStatus};
use time::OffsetDateTime;

use crate::choose::{self, Found, WindowsChoice};
use crate::parse::{self, ospp, slmgr};
use crate::system::{Hive, HttpRequest, System};
use crate::text::Text;

/// How far the PC's clock may be from the portal's before it is worth a warning.
pub const CLOCK_WARN: Duration = Duration::from_secs(5 * 60);
/// KMS refuses clients more than four hours away from its own clock (in UTC).
pub const CLOCK_FAIL: Duration = Duration::from_secs(4 * 60 * 60);
/// How long to wait for the KMS host to accept a TCP connection.
pub const KMS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one run of a Microsoft script may take.
pub const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// What preflight learnt.
#[derive(Debug, Default)]
pub struct Survey<'a> {
    /// One finding per check, in order.
    pub findings: Vec<Noted>,
    /// What to activate, when a covered product was found.
    pub target: Option<Target<'a>>,
}

/// A finding and the sentence shown for it.
#[derive(Debug)]
pub struct Noted {
    /// The finding, as reported.
    pub finding: Finding,
    /// What the person is told.
    pub message: String,
}

/// The installed products to activate, and how.
#[derive(Debug)]
pub enum Target<'a> {
    /// Office, Project or Visio.
    Office {
        /// The full path of `OSPP.VBS`.
        ospp: PathBuf,
        /// `/dstatus` before activation.
        licences: Vec<ospp::Licence>,
        /// The covered products installed, each with whether its key goes in first.
        found: Vec<Found<'a>>,
    },
    /// Windows.
    Windows {
        /// The full path of `slmgr.vbs`.
        slmgr: PathBuf,
        /// `/dlv` before activation.
        licences: Vec<slmgr::WindowsLicence>,
        /// The covered edition: the PC's own, or the one it is upgraded to.
        product: &'a Product,
        /// Installing `product`'s key upgrades the PC's edition (the person must agree).
        upgrade: bool,
    },
}

impl Survey<'_> {
    /// Whether any check failed.
    pub fn blocked(&self) -> bool {
        self.findings
            .iter()
            .any(|n| n.finding.status == FindingStatus::Fail)
    }
}

/// Runs every check for the products the download covers.
pub fn survey<'a>(scripts: &Scripts<'_>, config: &'a ActivatorConfig, text: &Text) -> Survey<'a> {
    let system = scripts.system;
    let mut survey = Survey::default();
    let mut note = |check, status, code: Option<&str>, detail: String, message: String| {
        let detail: String = detail.chars().take(500).collect();
        survey.findings.push(Noted {
            finding: Finding {
                check,
                status,
                error_code: code.map(str::to_owned),
                detail,
            },
            message,
        });
    };

    if system.is_elevated() {
        note(
            Check::Elevated,
            FindingStatus::Pass,
            None,
            "running as administrator".into(),
            text.elevated_ok.into(),
        );
    } else {
        note(
            Check::Elevated,
            FindingStatus::Fail,
            Some("0x80070005"),
            "not running as administrator".into(),
            text.elevated_fail.into(),
        );
    }

    let offset = system.local_offset();
    let zone = format!(
        "UTC{:+03}:{:02}",
        offset.whole_hours(),
        offset.minutes_past_hour().abs()
    );
    match portal_clock(system, &config.portal_url) {
        None => note(
            Check::Clock,
            FindingStatus::Warn,
            None,
            "the portal's clock could not be read".into(),
            text.clock_unknown.into(),
        ),
        Some(portal) => {
            let skew = (system.now_utc() - portal).unsigned_abs();
            let seconds = skew.as_secs();
            let detail = format!("clock {seconds} s from the portal's; {zone}");
            let aside = text.aside(&text.list(&[
                format!("{}{seconds}{}", text.skew_before, text.skew_after),
                format!("{} {zone}", text.time_zone),
            ]));
            let shown = format!("{}{aside}", text.clock_ok);
            if skew > CLOCK_FAIL {
                note(
                    Check::Clock,
                    FindingStatus::Fail,
                    Some("0xC004F06C"),
                    detail,
                    format!("{}{aside}", text.clock_wrong),
                );
            } else if skew > CLOCK_WARN {
                note(
                    Check::Clock,
                    FindingStatus::Warn,
                    Some("0xC004F06C"),
                    detail,
                    text.clock_skewed.into(),
                );
            } else {
                note(Check::Clock, FindingStatus::Pass, None, detail, shown);
            }
        }
    }

    let address = crate::activate::kms_address(&config.kms.host, config.kms.port);
    match kms_reach(system, &config.kms.host, config.kms.port) {
        Ok((reached, took)) => note(
            Check::KmsReachable,
            FindingStatus::Pass,
            None,
            format!("connected to {reached} in {} ms", took.as_millis()),
            format!("{}{}", text.kms_ok, text.aside(&address)),
        ),
        Err(tried) => note(
            Check::KmsReachable,
            FindingStatus::Fail,
            Some("0xC004F074"),
            format!("cannot connect to {address}: {tried}"),
            format!("{}{}", text.kms_fail, text.aside(&address)),
        ),
    }

    let target = match config.covers.first().and_then(|p| p.office.as_ref()) {
        Some(office) => survey_office(scripts, config, &office.folder, text, &mut note),
        None => survey_windows(scripts, config, text, &mut note),
    };
    survey.target = target;
    survey
}

type Note<'a> = dyn FnMut(Check, FindingStatus, Option<&str>, String, String) + 'a;

fn survey_office<'a>(
    scripts: &Scripts<'_>,
    config: &'a ActivatorConfig,
    folder: &str,
    text: &Text,
    note: &mut Note<'_>,
) -> Option<Target<'a>> {
    let system = scripts.system;
    let covered = names(&config.covers);
    let Some(ospp) = find_ospp(system, folder) else {
        let other = ["Office16", "Office15", "Office14"]
            .into_iter()
            .filter(|f| *f != folder)
            .find_map(|f| find_ospp(system, f).map(|p| (f, p)));
        match other {
            Some((found, path)) => note(
                Check::ProductInstalled,
                FindingStatus::Fail,
                None,
                format!("expected {folder}, found {}", path.display()),
                format!(
                    "{} {} ({})",
                    text.office_other_version,
                    covered,
                    office_release(found)
                ),
            ),
            None => note(
                Check::ProductInstalled,
                FindingStatus::Fail,
                None,
                format!("ospp.vbs not found for {folder}"),
                text.office_missing.into(),
            ),
        }
        return None;
    };
    let licences = ospp::parse_dstatus(scripts.run(&ospp, &["/dstatus"]).text());
    let release_ids = system
        .registry_string(
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration",
            "ProductReleaseIds",
        )
        .unwrap_or_default();
    let choice = choose::office(&config.covers, &licences, &release_ids);
    if choice.found.is_empty() {
        let installed: Vec<&str> = licences
            .iter()
            .filter(|l| {
                ospp::channel(&l.license_name, &l.license_description) != ospp::Channel::Other
            })
            .map(|l| l.license_name.as_str())
            .collect();
        let shown = if installed.is_empty() {
            text.office_nothing_installed.to_owned()
        } else {
            text.list(
                &installed
                    .iter()
                    .map(|n| (*n).to_owned())
                    .collect::<Vec<_>>(),
            )
        };
        note(
            Check::ProductInstalled,
            FindingStatus::Fail,
            None,
            format!(
                "none of {covered} installed as a volume edition; found {}",
                installed.join("; ")
            ),
            format!(
                "{} {covered}{}",
                text.office_version_mismatch,
                text.aside(&format!("{} {shown}", text.installed))
            ),
        );
    } else {
        let found = names_of(choice.found.iter().map(|f| f.product));
        note(
            Check::ProductInstalled,
            FindingStatus::Pass,
            None,
            format!("found {found} (ospp.vbs at {})", ospp.display()),
            text.labelled(text.office_found, &found),
        );
    }
    if !choice.blocking.is_empty() {
        note(
            Check::ConflictingLicences,
            FindingStatus::Fail,
            None,
            format!("blocking licences: {}", choice.blocking.join("; ")),
            format!("{} {}", text.conflicts_found, text.list(&choice.blocking)),
        );
    } else if !choice.separate.is_empty() {
        note(
            Check::ConflictingLicences,
            FindingStatus::Warn,
            None,
            format!(
                "licensed separately, left alone: {}",
                choice.separate.join("; ")
            ),
            format!(
                "{} {}",
                text.conflicts_separate,
                text.list(&choice.separate)
            ),
        );
    } else {
        note(
            Check::ConflictingLicences,
            FindingStatus::Pass,
            None,
            "no retail, trial or subscription Office licence".into(),
            text.conflicts_none.into(),
        );
    }
    if choice.found.is_empty() {
        return None;
    }
    Some(Target::Office {
        ospp,
        licences,
        found: choice.found,
    })
}

fn survey_windows<'a>(
    scripts: &Scripts<'_>,
    config: &'a ActivatorConfig,
    text: &Text,
    note: &mut Note<'_>,
) -> Option<Target<'a>> {
    let system = scripts.system;
    let version = system.os_version();
    let edition = system
        .registry_string(
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
            "EditionID",
        )
        .unwrap_or_default();
    let running = format!(
        "Windows {}.{}.{} {edition}",
        version.major, version.minor, version.build
    );
    let covered = names(&config.covers);
    let slmgr = system_file(system, "slmgr.vbs");
    if !system.exists(&slmgr) {
        note(
            Check::ProductInstalled,
            FindingStatus::Fail,
            None,
            "slmgr.vbs not found".into(),
            format!("{} (slmgr.vbs)", text.windows_script_missing),
        );
        return None;
    }
    let licences = slmgr::parse_dlv(scripts.run(&slmgr, &["/dlv"]).text());
    let pc = WindowsPc {
        major: version.major,
        minor: version.minor,
        build: version.build,
        edition: &edition,
    };
    // Windows 7's Enterprise Evaluation reports the EditionID `Enterprise`; its licence
    // says what it is.
    let evaluation = licences.first().is_some_and(|l| {
        l.description
            .to_ascii_uppercase()
            .contains("TIMEBASED_EVAL")
    });
    let choice = if evaluation {
        WindowsChoice::Evaluation
    } else {
        choose::windows(&config.covers, pc, config.edition_upgrade)
    };
    // A refusal: what the report says, and which sentence the person reads.
    let (detail, sentence) = match choice {
        WindowsChoice::Covered(_) | WindowsChoice::Upgrade(_) => (String::new(), ""),
        WindowsChoice::Evaluation => (
            format!("{running} is an Evaluation edition"),
            text.windows_evaluation,
        ),
        WindowsChoice::UpgradeNotCovered(to) => (
            format!(
                "{running} is not covered; the licence does not cover an upgrade to {}",
                to.name
            ),
            text.windows_wrong_edition,
        ),
        WindowsChoice::EditionNotCovered => (
            format!("{running} is not covered by {covered}"),
            text.windows_wrong_edition,
        ),
        WindowsChoice::OtherRelease => (
            format!("{running} does not match {covered}"),
            text.windows_wrong_version,
        ),
    };
    let (product, upgrade) = match choice {
        WindowsChoice::Covered(product) => (product, false),
        WindowsChoice::Upgrade(product) => (product, true),
        _ => {
            let shown = if matches!(choice, WindowsChoice::Evaluation) {
                format!("{sentence}{}", text.aside(&running))
            } else {
                format!(
                    "{sentence} {running}{}",
                    text.aside(&text.labelled(text.covers, &covered))
                )
            };
            note(
                Check::ProductInstalled,
                FindingStatus::Fail,
                None,
                detail,
                shown,
            );
            return None;
        }
    };
    if upgrade {
        note(
            Check::ProductInstalled,
            FindingStatus::Pass,
            None,
            format!(
                "{running}; the licence covers an upgrade to {}",
                product.name
            ),
            format!(
                "{} {running}{}",
                text.windows_upgrade_offered,
                text.aside(&product.name)
            ),
        );
    } else {
        note(
            Check::ProductInstalled,
            FindingStatus::Pass,
            None,
            format!("{running}: {}", product.name),
            text.labelled(
                text.windows_found,
                &format!("{}{}", product.name, text.aside(&running)),
            ),
        );
    }
    Some(Target::Windows {
        slmgr,
        licences,
        product,
        upgrade,
    })
}

/// The products' names, for messages.
fn names(products: &[Product]) -> String {
    names_of(products.iter())
}

fn names_of<'a>(products: impl Iterator<Item = &'a Product>) -> String {
    products
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds `OSPP.VBS` for an Office folder (`Office16` …): the registry's install roots
/// first (MSI, then Click-to-Run; both registry views, so 32-bit Office on 64-bit Windows
/// too), then the usual folders under every Program Files: `%ProgramW6432%` is the 64-bit
/// one, which a 32-bit process's `%ProgramFiles%` is not.
pub fn find_ospp(system: &dyn System, folder: &str) -> Option<PathBuf> {
    let version = folder.trim_start_matches("Office");
    let mut candidates = Vec::new();
    if let Some(root) = system.registry_string(
        Hive::LocalMachine,
        &format!(r"SOFTWARE\Microsoft\Office\{version}.0\Common\InstallRoot"),
        "Path",
    ) {
        candidates.push(format!(r"{}\OSPP.VBS", root.trim_end_matches('\\')));
    }
    if let Some(root) = system.registry_string(
        Hive::LocalMachine,
        r"SOFTWARE\Microsoft\Office\ClickToRun",
        "InstallPath",
    ) {
        let root = root.trim_end_matches('\\');
        candidates.push(format!(r"{root}\{folder}\OSPP.VBS"));
        candidates.push(format!(r"{root}\root\{folder}\OSPP.VBS"));
    }
    for variable in ["ProgramW6432", "ProgramFiles", "ProgramFiles(x86)"] {
        if let Some(base) = system.env(variable) {
            candidates.push(format!(r"{base}\Microsoft Office\{folder}\OSPP.VBS"));
            candidates.push(format!(r"{base}\Microsoft Office\root\{folder}\OSPP.VBS"));
        }
    }
    candidates
        .into_iter()
        .map(PathBuf::from)
        .find(|path| system.exists(path))
}

/// `{name}` in Windows' own `System32`: `C:\Windows\System32\{name}`, or for the 32-bit
/// activator on 64-bit Windows `C:\Windows\Sysnative\{name}`, which is where WoW64
/// shows it the real one (its `System32` is `SysWOW64`, with 32-bit `cscript`).
pub fn system_file(system: &dyn System, name: &str) -> PathBuf {
    let root = system
        .env("SystemRoot")
        .unwrap_or_else(|| r"C:\Windows".to_owned());
    let folder = if system.platform().wow64 {
        "Sysnative"
    } else {
        "System32"
    };
    PathBuf::from(format!(r"{root}\{folder}\{name}"))
}

/// Tries every address the KMS host resolves to, in order, each with
/// [`KMS_CONNECT_TIMEOUT`] of its own (an IPv6 address that does not answer must not use
/// up an IPv4 one's time); answers the first that accepts and how long it took, or what
/// each one answered.
fn kms_reach(
    system: &dyn System,
    host: &str,
    port: u16,
) -> Result<(std::net::SocketAddr, Duration), String> {
    let addresses = system
        .resolve(host, port)
        .map_err(|error| format!("{host} does not resolve: {error}"))?;
    if addresses.is_empty() {
        return Err(format!("{host} has no address"));
    }
    let mut tried = Vec::new();
    for address in addresses {
        match system.tcp_connect(address, KMS_CONNECT_TIMEOUT) {
            Ok(took) => return Ok((address, took)),
            Err(error) => tried.push(format!("{address}: {error}")),
        }
    }
    Err(tried.join("; "))
}

/// What a run of a Microsoft script answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ran {
    /// It ended with exit code `status`, having printed `text`.
    Ended {
        /// The exit code (`slmgr.vbs` exits with a failed call's HRESULT; `ospp.vbs`
        /// always with 0).
        status: i32,
        /// What it printed, decoded.
        text: String,
    },
    /// It did not end within its time limit and was stopped: a dialog waiting for a click,
    /// or a licensing service that does not answer.
    TimedOut,
    /// `cscript` could not be started.
    NotStarted,
}

/// The code reported for a script that did not end in time: `ERROR_TIMEOUT` as an
/// HRESULT ("This operation returned because the timeout period expired").
pub const TIMEOUT_ERROR: &str = "0x800705B4";

impl Ran {
    /// What it printed; nothing when it did not end.
    pub fn text(&self) -> &str {
        match self {
            Ran::Ended { text, .. } => text,
            Ran::TimedOut | Ran::NotStarted => "",
        }
    }

    /// Why a run that did not end failed: [`TIMEOUT_ERROR`], or the unspecified error
    /// when `cscript` could not start; `None` for a run that ended.
    pub fn unfinished(&self) -> Option<&'static str> {
        match self {
            Ran::Ended { .. } => None,
            Ran::TimedOut => Some(TIMEOUT_ERROR),
            Ran::NotStarted => Some(crate::activate::UNSPECIFIED_ERROR),
        }
    }
}

/// Runs Microsoft's scripts, each run stopped past its time limit.
#[derive(Clone, Copy)]
pub struct Scripts<'a> {
    /// The PC.
    pub system: &'a dyn System,
    /// How long one run may take ([`SCRIPT_TIMEOUT`] unless `--script-timeout` says).
    pub timeout: Duration,
}

impl Scripts<'_> {
    /// Runs `script` with `cscript //nologo //U` and decodes what it printed.
    pub fn run(&self, script: &Path, args: &[&str]) -> Ran {
        run_script(self.system, script, args, self.timeout)
    }
}

/// Runs a Microsoft script with `cscript //nologo //U`, at most `timeout`, and decodes
/// what it printed.
fn run_script(system: &dyn System, script: &Path, args: &[&str], timeout: Duration) -> Ran {
    let cscript = system_file(system, "cscript.exe");
    let script = as_64_bit_programs_see_it(script);
    let mut all = vec!["//nologo", "//U", script.as_str()];
    all.extend_from_slice(args);
    match system.run(&cscript, &all, timeout) {
        Err(_) => Ran::NotStarted,
        Ok(output) if output.timed_out => Ran::TimedOut,
        Ok(output) => Ran::Ended {
            status: output.status,
            text: parse::decode_output(&output.stdout),
        },
    }
}

/// A path as a native program sees it: `Sysnative` (which only a WoW64 process has) is
/// the real `System32` to the 64-bit `cscript` that runs the script, and to a person
/// typing the command into a Command Prompt.
pub fn as_64_bit_programs_see_it(path: &Path) -> String {
    let path = path.to_string_lossy();
    let segment = r"\Sysnative\";
    match path
        .to_ascii_lowercase()
        .find(&segment.to_ascii_lowercase())
    {
        Some(at) => format!(r"{}\System32\{}", &path[..at], &path[at + segment.len()..]),
        None => path.into_owned(),
    }
}

/// The Office releases a folder holds, for messages.
fn office_release(folder: &str) -> &'static str {
    match folder {
        "Office14" => "Office 2010",
        "Office15" => "Office 2013",
        _ => "Office 2016/2019/2021",
    }
}

/// The portal's clock, from the `Date` header of `/healthz`.
fn portal_clock(system: &dyn System, portal_url: &str) -> Option<OffsetDateTime> {
    let request = HttpRequest {
        method: "GET",
        url: format!("{portal_url}/healthz"),
        headers: Vec::new(),
        body: Vec::new(),
        timeout: Duration::from_secs(5),
    };
    let date = system.http(&request).ok()?.date?;
    parse_http_date(&date)
}

/// Parses an HTTP date (`Tue, 24 Nov 2026 02:15:07 GMT`).
pub fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text.trim(), format)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}
