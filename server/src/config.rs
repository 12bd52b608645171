//! Configuration: the only module that reads files and the environment.
//!
//! Settings come from, in rising priority: built-in defaults (which reproduce the seed's
//! institution), a TOML file (`--config FILE` or `PORTAL_CONFIG`), then `PORTAL_*`
//! environment variables (`PORTAL_BIND`, `PORTAL_DATABASE_URL`, nested keys with `__`,
//! e.g. `PORTAL_KMS__HOST`). An unknown key anywhere is an error that names the key, so a
//! typo never silently falls back to a default. `portal.example.toml` documents every key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub mod limits;
pub mod mail;
pub mod oidc;

pub use limits::Limits;
pub use mail::Mail;
pub use oidc::Oidc;

/// Everything the portal can be told; validated by [`Config::load`].
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Where to serve Prometheus metrics to anyone who can connect (`/metrics`); keep it
    /// on loopback or an internal network. Unset: metrics only at `/admin/metrics`.
    pub metrics_bind: Option<SocketAddr>,
    /// `sqlite://…` (the embedded default) or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// The address people use to reach the portal; written into downloads and links.
    pub public_url: String,
    /// IANA time zone used to show times and to decide which day "today" is.
    pub time_zone: String,
    /// Networks counted as on campus, each with a name for statistics. Empty means every
    /// address is on campus.
    pub campus_networks: Vec<CampusNetwork>,
    /// Reverse proxies whose `X-Forwarded-For` is believed; no one else's is.
    pub trusted_proxies: Vec<IpNet>,
    /// Folder for files the portal keeps beside its database (the token secret).
    pub data_dir: PathBuf,
    /// The secret that signs download tokens, as hex (at least 32 bytes). Unset: one is
    /// generated on first start and kept in `data_dir`. Set it when several instances
    /// share a database, so they accept each other's tokens.
    pub token_secret: Option<Secret>,
    /// The Windows activator that downloads serve (built by `scripts/build-activator`).
    pub activator_exe: PathBuf,
    /// How long a download's token authenticates reports, in days.
    pub download_token_days: u32,
    /// Rate limits.
    pub limits: Limits,
    /// Staff sign-in and sessions.
    pub admin: Admin,
    /// Log lines as human-readable text or as JSON objects.
    pub log_format: LogFormat,
    /// The institution shown on every page.
    pub institution: Institution,
    /// Who to call for help.
    pub helpdesk: Helpdesk,
    /// The institution's own KMS host that clients activate against.
    pub kms: Kms,
    /// E-mail to staff (the daily digest and alerts).
    pub mail: Mail,
    /// Single sign-on for staff.
    pub oidc: Oidc,
}

/// A campus network: a name shown in statistics and the addresses it covers.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CampusNetwork {
    /// Shown in statistics, e.g. `Library` or `Dormitories`.
    pub name: String,
    /// The addresses, in CIDR form.
    pub cidr: IpNet,
}

/// Staff sign-in and sessions.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// Mark the session cookie `Secure` (and name it `__Host-…`). Turn off only to use the
    /// admin pages over plain http on one's own machine: browsers then still send it.
    pub secure_cookies: bool,
    /// Minutes of inactivity that end a session.
    pub session_idle_minutes: u32,
    /// Hours after which a session ends however active it is.
    pub session_hours: u32,
    /// Failed sign-ins (or current-password checks) of one account from one network
    /// before each further attempt waits: 1 minute, then twice as long after every
    /// failure, up to an hour. The right password resets the count.
    pub login_failures_before_delay: u32,
    /// Failed sign-ins from one network, for any accounts, per 15 minutes, after which
    /// the network waits.
    pub login_failures_per_network: u32,
}

pub use crate::secret::{DatabaseUrl, Secret, SecretUrl};

/// The institution's names and its IT office.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// The IT office's name in Traditional Chinese.
    pub it_office_zh: String,
    /// The IT office's name in English.
    pub it_office_en: String,
    /// Address of the campus VPN's instructions, if there is a page for it.
    pub vpn_url: Option<String>,
    /// Whether a version whose licence term has ended is still offered for download, with
    /// a warning (agreements are often renewed before the catalogue is updated).
    pub offer_ended_licences: bool,
}

/// Help-desk contacts printed in the footer and on error pages.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Helpdesk {
    /// Which team answers, in Traditional Chinese.
    pub team_zh: String,
    /// Which team answers, in English.
    pub team_en: String,
    /// Main telephone number as dialled locally, e.g. `02-8209-3211`.
    pub phone: String,
    /// Extensions to ask for, in order.
    pub extensions: Vec<String>,
    /// E-mail address, if the desk takes mail.
    pub email: Option<String>,
}

/// The KMS host that activations go to.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Kms {
    /// Host name or IP address of the institution's KMS host.
    pub host: String,
    /// TCP port, 1688 unless the host was set up otherwise.
    pub port: u16,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event (the default).
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

impl Default for Config {
    /// The seed's institution: Lunghwa University of Science and Technology.
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_bind: None,
            database_url: DatabaseUrl::new("sqlite://data/portal.db"),
            public_url: "http://127.0.0.1:8080".to_owned(),
            time_zone: "Asia/Taipei".to_owned(),
            campus_networks: Vec::new(),
            trusted_proxies: Vec::new(),
            data_dir: PathBuf::from("data"),
            token_secret: None,
            activator_exe: PathBuf::from("target/i686-win7-windows-gnu/activator/activator.exe"),
            download_token_days: 365,
            admin: Admin {
                secure_cookies: true,
                session_idle_minutes: 30,
                session_hours: 12,
                login_failures_before_delay: 5,
                login_failures_per_network: 30,
            },
            limits: Limits {
                reports_per_minute_per_token: 20,
                machines_per_download_token: 5,
                reports_per_minute_per_network: 6000,
                downloads_per_minute_per_network: 600,
                header_timeout_secs: 10,
                request_timeout_secs: 30,
                max_connections: 1024,
            },
            log_format: LogFormat::Text,
            institution: Institution {
                name_zh: "龍華科技大學".to_owned(),
                name_en: "Lunghwa University of Science and Technology".to_owned(),
                it_office_zh: "資訊圖書處".to_owned(),
                it_office_en: "Office of Library and Information Services".to_owned(),
                vpn_url: None,
                offer_ended_licences: true,
            },
            helpdesk: Helpdesk {
                team_zh: "資訊圖書處行政組或網路組".to_owned(),
                team_en: "Library and Information Services, Administration or Network Section"
                    .to_owned(),
                phone: "02-8209-3211".to_owned(),
                extensions: vec!["3230".to_owned(), "3222".to_owned()],
                email: None,
            },
            kms: Kms {
                host: "kms19.lhu.edu.tw".to_owned(),
                port: 1688,
            },
            mail: Mail::default(),
            oidc: Oidc::default(),
        }
    }
}

impl Config {
    /// Reads defaults, then `file` (or `PORTAL_CONFIG`), then `PORTAL_*` variables, and
    /// checks every value.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        #[expect(
            clippy::disallowed_methods,
            reason = "this is the module that reads the environment"
        )]
        let file: Option<PathBuf> = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("PORTAL_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = &file {
            if !path.is_file() {
                bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("PORTAL_").split("__").ignore(&["config"]));
        let config: Config = figment.extract().map_err(describe_figment_error)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: host names, ports, zones, addresses.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !protocol::config::is_host(&self.kms.host) {
            bail!(
                "kms.host must be a host name or IP address, got {:?}",
                self.kms.host
            );
        }
        if self.kms.port == 0 {
            bail!("kms.port must be between 1 and 65535");
        }
        jiff::tz::TimeZone::get(&self.time_zone).with_context(|| {
            format!(
                "time_zone {:?} is not a known IANA time zone",
                self.time_zone
            )
        })?;
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            bail!(
                "public_url must start with http:// or https://, got {:?}",
                self.public_url
            );
        }
        if self.public_url.ends_with('/') {
            bail!(
                "public_url must not end with '/', got {:?}",
                self.public_url
            );
        }
        if !(self.database_url.is_postgres() || self.database_url.expose().starts_with("sqlite:")) {
            bail!("database_url must start with sqlite:// or postgres://");
        }
        for (key, value) in [
            ("institution.name_zh", &self.institution.name_zh),
            ("institution.name_en", &self.institution.name_en),
            ("institution.it_office_zh", &self.institution.it_office_zh),
            ("institution.it_office_en", &self.institution.it_office_en),
            ("helpdesk.team_zh", &self.helpdesk.team_zh),
            ("helpdesk.team_en", &self.helpdesk.team_en),
        ] {
            if value.trim().is_empty() || value.chars().count() > 200 {
                bail!("{key} must be between 1 and 200 characters");
            }
        }
        let phone_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 40
                && s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
        };
        if !phone_ok(&self.helpdesk.phone) {
            bail!(
                "helpdesk.phone may hold only digits, spaces and + - ( ), got {:?}",
                self.helpdesk.phone
            );
        }
        if let Some(bad) = self.helpdesk.extensions.iter().find(|e| !phone_ok(e)) {
            bail!("helpdesk.extensions may hold only digits, got {bad:?}");
        }
        if let Some(secret) = &self.token_secret {
            let hex = secret.expose();
            if hex.len() < 64 || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("token_secret must be at least 64 hex digits (32 bytes)");
            }
        }
        if !(1..=3650).contains(&self.download_token_days) {
            bail!("download_token_days must be between 1 and 3650");
        }
        for (key, value) in [
            (
                "limits.reports_per_minute_per_token",
                self.limits.reports_per_minute_per_token,
            ),
            (
                "limits.machines_per_download_token",
                self.limits.machines_per_download_token,
            ),
            (
                "limits.reports_per_minute_per_network",
                self.limits.reports_per_minute_per_network,
            ),
            (
                "limits.downloads_per_minute_per_network",
                self.limits.downloads_per_minute_per_network,
            ),
            (
                "limits.header_timeout_secs",
                self.limits.header_timeout_secs,
            ),
            (
                "limits.request_timeout_secs",
                self.limits.request_timeout_secs,
            ),
            ("limits.max_connections", self.limits.max_connections),
        ] {
            if value == 0 {
                bail!("{key} must be at least 1");
            }
        }
        let admin = &self.admin;
        if !(1..=24 * 60).contains(&admin.session_idle_minutes)
            || !(1..=24 * 7).contains(&admin.session_hours)
        {
            bail!("admin.session_idle_minutes must be 1 to 1440 and admin.session_hours 1 to 168");
        }
        if admin.login_failures_before_delay == 0 || admin.login_failures_per_network == 0 {
            bail!(
                "admin.login_failures_before_delay and admin.login_failures_per_network must be at least 1"
            );
        }
        for network in &self.campus_networks {
            if network.name.trim().is_empty() || network.name.chars().count() > 60 {
                bail!("campus_networks: every name must be 1 to 60 characters");
            }
        }
        if let Some(url) = &self.institution.vpn_url
            && !url.starts_with("https://")
            && !url.starts_with("http://")
        {
            bail!("institution.vpn_url must start with https:// or http://");
        }
        self.mail.validate()?;
        self.oidc.validate()
    }
}

/// Turns figment's error into one sentence that names the offending key and its source.
fn describe_figment_error(error: figment::Error) -> anyhow::Error {
    let messages: Vec<String> = error
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = e
                .metadata
                .as_ref()
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            if key.is_empty() {
                format!("{} ({source})", e.kind)
            } else {
                format!("{key}: {} ({source})", e.kind)
            }
        })
        .collect();
    anyhow::anyhow!("invalid configuration: {}", messages.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_reproduce_the_seed() {
        let config = Config::default();
        config.validate().unwrap();
        assert_eq!(config.kms.host, "kms19.lhu.edu.tw");
        assert_eq!(config.kms.port, 1688);
        assert_eq!(config.time_zone, "Asia/Taipei");
    }

    #[test]
    fn unknown_key_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("portal-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("typo.toml");
        std::fs::write(&path, "[kms]\nhots = \"kms.example.edu\"\n").unwrap();
        let error = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(error.contains("hots"), "{error}");
    }

    #[test]
    fn file_values_override_defaults() {
        let dir = std::env::temp_dir().join(format!("portal-config-ok-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ok.toml");
        std::fs::write(
            &path,
            "time_zone = \"Europe/Berlin\"\n[kms]\nhost = \"kms.example.edu\"\nport = 1700\n",
        )
        .unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.kms.host, "kms.example.edu");
        assert_eq!(config.kms.port, 1700);
        assert_eq!(config.time_zone, "Europe/Berlin");
    }

    #[test]
    fn bad_values_are_rejected_with_the_key() {
        let check = |edit: fn(&mut Config), needle: &str| {
            let mut config = Config::default();
            edit(&mut config);
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains(needle), "{error} should mention {needle}");
        };
        check(|c| c.kms.host = "kms host;rm".to_owned(), "kms.host");
        check(|c| c.kms.port = 0, "kms.port");
        check(|c| c.time_zone = "Mars/Olympus".to_owned(), "time_zone");
        check(|c| c.public_url = "ftp://x".to_owned(), "public_url");
        check(
            |c| c.helpdesk.phone = "call me".to_owned(),
            "helpdesk.phone",
        );
        check(
            |c| c.token_secret = Some(Secret::new("abc")),
            "token_secret",
        );
        check(
            |c| c.limits.reports_per_minute_per_token = 0,
            "limits.reports_per_minute_per_token",
        );
    }

    #[test]
    fn example_file_documents_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../portal.example.toml");
        let example = Config::load(Some(&path)).unwrap();
        let defaults = Config::default();
        assert_eq!(
            toml::to_string(&example).unwrap(),
            toml::to_string(&defaults).unwrap()
        );
    }

    #[test]
    fn secrets_never_show() {
        let secret =
            Secret::new("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let config = Config {
            token_secret: Some(secret),
            ..Config::default()
        };
        assert!(!toml::to_string(&config).unwrap().contains("0011"));
        assert!(!format!("{config:?}").contains("0011"));
    }

    #[test]
    fn database_url_debug_hides_the_password() {
        let url = DatabaseUrl::new("postgres://portal:s3cret@db.example:5432/portal");
        assert_eq!(
            format!("{url:?}"),
            "postgres://portal:***@db.example:5432/portal"
        );
        assert!(!format!("{url}").contains("s3cret"));
    }
}
