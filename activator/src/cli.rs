//! The command line. Hand-written: eight flags do not need a parser crate in a program
//! that must stay small.

use std::path::PathBuf;
use std::time::Duration;

use protocol::config::Language;

/// What the command line asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// `--config FILE`: read this instead of `activator.toml` beside the executable.
    pub config: Option<PathBuf>,
    /// `--dry-run`: check the PC and print the plan; change nothing, report nothing.
    pub dry_run: bool,
    /// `--no-pause`: do not wait for a key at the end.
    pub no_pause: bool,
    /// `--quiet`: show nothing, ask nothing, never wait; write what would have been shown
    /// to the log under `%ProgramData%`; the exit code tells the outcome.
    pub quiet: bool,
    /// `--lang zh-TW|en`: speak this language.
    pub lang: Option<Language>,
    /// `--status`: show the current licence state only.
    pub status: bool,
    /// `--schedule-status`: register a weekly scheduled task that runs `--status
    /// --quiet` (asks first unless quiet).
    pub schedule_status: bool,
    /// `--upgrade-edition`: agree in advance to upgrading Windows Pro to the covered
    /// edition, when the licence covers that (for unattended runs).
    pub upgrade_edition: bool,
    /// `--script-timeout SECONDS`: how long one run of Microsoft's scripts may take
    /// before it is stopped (a dialog waiting for a click, a hung licensing service).
    pub script_timeout: Duration,
    /// `--help`.
    pub help: bool,
    /// `--version`.
    pub version: bool,
}

/// The shortest and longest `--script-timeout`, in seconds.
pub const SCRIPT_TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 5..=3600;

impl Default for Args {
    fn default() -> Args {
        Args {
            config: None,
            dry_run: false,
            no_pause: false,
            quiet: false,
            lang: None,
            status: false,
            schedule_status: false,
            upgrade_edition: false,
            script_timeout: crate::preflight::SCRIPT_TIMEOUT,
            help: false,
            version: false,
        }
    }
}

/// The help text (English and Chinese: the language is not known yet when it is needed).
pub const USAGE: &str = "\
activator.exe [--config FILE] [--dry-run] [--status] [--schedule-status] [--upgrade-edition]
              [--script-timeout SECONDS] [--lang zh-TW|en] [--no-pause] [--quiet]

  --config FILE   settings file (default: activator.toml beside activator.exe)
  --dry-run       check this PC and show what would run; change nothing
  --status        show the current licence state only, and report it
  --schedule-status  also check and report the licence state weekly (a Windows
                  scheduled task running as SYSTEM; asks first unless --quiet)
  --upgrade-edition  upgrade Windows Pro to the covered edition without asking
                  (only when the campus licence covers the upgrade)
  --script-timeout SECONDS  stop a Microsoft script that runs longer (default 180)
  --lang LANG     zh-TW or en (default: the PC's language)
  --no-pause      do not wait for a key at the end
  --quiet         show nothing, ask nothing (for deployment tools and scheduled
                  tasks); the log is %ProgramData%\\CampusLicensePortal\\activator.log

Exit codes: 0 all activated, 2 partly activated, 3 not activated,
4 stopped by a check before activation, 64 bad command line or settings.

用法：在 activator.exe 上按右鍵，選「以系統管理員身分執行」。
";

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--config" => parsed.config = Some(PathBuf::from(value("--config")?)),
            "--lang" => {
                let tag = value("--lang")?;
                parsed.lang = Some(
                    Language::from_tag(&tag)
                        .ok_or_else(|| format!("--lang must be zh-TW or en, not {tag}"))?,
                );
            }
            "--dry-run" => parsed.dry_run = true,
            "--no-pause" => parsed.no_pause = true,
            "--quiet" | "/quiet" => {
                parsed.quiet = true;
                parsed.no_pause = true;
            }
            "--status" => parsed.status = true,
            "--schedule-status" => parsed.schedule_status = true,
            "--upgrade-edition" => parsed.upgrade_edition = true,
            "--script-timeout" => {
                let text = value("--script-timeout")?;
                let seconds = text
                    .parse::<u64>()
                    .ok()
                    .filter(|s| SCRIPT_TIMEOUT_SECONDS.contains(s))
                    .ok_or_else(|| {
                        format!(
                            "--script-timeout must be {} to {} seconds, not {text}",
                            SCRIPT_TIMEOUT_SECONDS.start(),
                            SCRIPT_TIMEOUT_SECONDS.end()
                        )
                    })?;
                parsed.script_timeout = Duration::from_secs(seconds);
            }
            "--help" | "-h" | "/?" => parsed.help = true,
            "--version" | "-V" => parsed.version = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if parsed.dry_run && parsed.status {
        return Err("--dry-run and --status cannot be used together".to_owned());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags_parse() {
        let parsed = args(&[
            "--config",
            r"D:\a.toml",
            "--dry-run",
            "--lang=en",
            "--no-pause",
            "--upgrade-edition",
            "--script-timeout=30",
        ])
        .unwrap();
        assert!(parsed.upgrade_edition);
        assert_eq!(parsed.script_timeout, Duration::from_secs(30));
        assert_eq!(parsed.config, Some(PathBuf::from(r"D:\a.toml")));
        assert!(parsed.dry_run && parsed.no_pause && !parsed.status);
        assert_eq!(parsed.lang, Some(Language::En));
        assert_eq!(args(&[]).unwrap(), Args::default());
    }

    #[test]
    fn bad_command_lines_are_errors() {
        for bad in [
            &["--lang", "fr"][..],
            &["--config"],
            &["--frobnicate"],
            &["--dry-run", "--status"],
            &["--script-timeout", "2"],
            &["--script-timeout", "soon"],
            &["extra"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }
}
