//! `activator.toml`: what one download tells the activator.
//!
//! The portal writes it with [`ActivatorConfig::to_toml`]; the activator reads it with
//! [`ActivatorConfig::from_toml`], which rejects unknown keys and checks every value, so
//! a hand-edited file fails with the key at fault rather than misbehaving.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::products::{self, Product};
use crate::{Violation, is_slug};

/// The schema of `activator.toml` this crate reads and writes: 2 since a download carries
/// the table products it covers (1 named the version only, from a table compiled into the
/// activator).
pub const SCHEMA: u32 = 2;

// `2027-02-28`, as people write it (time's own serde form is a tuple).
time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The most table products one download covers.
pub const MAX_COVERED: usize = 64;

/// The contents of `activator.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActivatorConfig {
    /// Schema number; [`SCHEMA`].
    pub schema: u32,
    /// The catalogue version this download is for, e.g. `office-2019-proplus`.
    pub product: String,
    /// The version's name in Traditional Chinese, for the banner.
    pub name_zh: String,
    /// The version's name in English.
    pub name_en: String,
    /// The last day of the institution's licence term, if it has one: after it the
    /// activator says the licence has ended (it may have been renewed since).
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub licence_ends: Option<Date>,
    /// The portal's address, e.g. `https://licences.example.edu`; reports go to
    /// `{portal_url}/api/v1/reports`.
    pub portal_url: String,
    /// The token that authenticates this download's reports.
    pub download_token: DownloadToken,
    /// Whether the licence covers upgrading a Windows Professional PC to a covered
    /// edition (by installing that edition's key, after the person agrees).
    #[serde(default)]
    pub edition_upgrade: bool,
    /// The institution's KMS host.
    pub kms: KmsHost,
    /// The table products the version covers: what the activator may activate, and with
    /// which keys. All Windows, or all Office of one folder.
    pub covers: Vec<Product>,
}

/// The KMS host to activate against.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KmsHost {
    /// Host name or IP address.
    pub host: String,
    /// TCP port (1688 unless the host was set up otherwise).
    pub port: u16,
}

/// A language the activator speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Language {
    /// Traditional Chinese (Taiwan).
    #[serde(rename = "zh-TW")]
    ZhTw,
    /// English.
    #[serde(rename = "en")]
    En,
}

/// The longest download token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 200;

impl Language {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhTw => "zh-TW",
            Language::En => "en",
        }
    }

    /// Parses `zh-TW` or `en` (any case).
    pub fn from_tag(tag: &str) -> Option<Language> {
        if tag.eq_ignore_ascii_case("zh-TW") {
            Some(Language::ZhTw)
        } else if tag.eq_ignore_ascii_case("en") {
            Some(Language::En)
        } else {
            None
        }
    }
}

impl ActivatorConfig {
    /// Parses and checks `activator.toml`.
    pub fn from_toml(text: &str) -> Result<ActivatorConfig, Violation> {
        let config: ActivatorConfig = toml::from_str(text).map_err(|e| {
            let field = e
                .span()
                .map(|s| text.get(s).unwrap_or("").to_owned())
                .unwrap_or_default();
            Violation::new(field, e.message().to_owned())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Writes the file, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Settings for activator.exe, written by the portal for this download.\n\
             # The token identifies this download's reports; do not share it.\n{body}"
        )
    }

    /// Checks every value.
    pub fn validate(&self) -> Result<(), Violation> {
        if self.schema != SCHEMA {
            return Err(Violation::new(
                "schema",
                format!("must be {SCHEMA}, got {}", self.schema),
            ));
        }
        if !is_slug(&self.product) {
            return Err(Violation::new(
                "product",
                "must be a catalogue slug such as office-2019-proplus",
            ));
        }
        for (field, name) in [("name_zh", &self.name_zh), ("name_en", &self.name_en)] {
            if !(1..=200).contains(&name.chars().count()) || name.chars().any(char::is_control) {
                return Err(Violation::new(field, "must be 1 to 200 characters"));
            }
        }
        check_covers(&self.covers)?;
        let url_ok = (self.portal_url.starts_with("https://")
            || self.portal_url.starts_with("http://"))
            && !self.portal_url.ends_with('/')
            && self.portal_url.len() <= 200
            && !self
                .portal_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control());
        if !url_ok {
            return Err(Violation::new(
                "portal_url",
                "must be an http(s) address without a trailing slash",
            ));
        }
        let token = self.download_token.expose();
        let token_ok = !token.is_empty()
            && token.len() <= MAX_TOKEN_BYTES
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !token_ok {
            return Err(Violation::new(
                "download_token",
                "must be 1 to 200 letters, digits, '-', '_' or '.'",
            ));
        }
        if !is_host(&self.kms.host) {
            return Err(Violation::new(
                "kms.host",
                "must be a host name or IP address",
            ));
        }
        if self.kms.port == 0 {
            return Err(Violation::new("kms.port", "must be between 1 and 65535"));
        }
        Ok(())
    }
}

/// Checks the covered products: each a valid table entry, and together a set one run can
/// activate ([`products::check_set`]).
fn check_covers(covers: &[Product]) -> Result<(), Violation> {
    for (i, product) in covers.iter().enumerate() {
        product
            .validate()
            .map_err(|v| Violation::new(format!("covers[{i}].{}", v.field), v.message))?;
    }
    products::check_set(covers.iter())
        .map_err(|problem| Violation::new("covers", problem.to_string()))
}

/// Checks a DNS host name (RFC 1123 labels) or an IP address literal.
pub fn is_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    !host.is_empty() && host.len() <= 253 && host.split('.').all(label_ok)
}

/// A download token: written into `activator.toml` and sent as `Bearer`, never printed —
/// its `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct DownloadToken(String);

impl DownloadToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> DownloadToken {
        DownloadToken(token.into())
    }

    /// The token itself, for use; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The token itself, owned.
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for DownloadToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DownloadToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ActivatorConfig {
        let covers = ["office-2019-proplus", "office-2019-visio-pro"]
            .map(|id| products::find(id).unwrap().clone())
            .to_vec();
        ActivatorConfig {
            schema: SCHEMA,
            product: "office-2019-proplus".to_owned(),
            name_zh: "Office 專業增強版 2019".to_owned(),
            name_en: "Office 2019 Professional Plus".to_owned(),
            licence_ends: Some(time::macros::date!(2020 - 02 - 28)),
            portal_url: "https://licences.example.edu".to_owned(),
            download_token: DownloadToken::new("v1.abc_DEF-123"),
            edition_upgrade: false,
            kms: KmsHost {
                host: "kms.example.edu".to_owned(),
                port: 1688,
            },
            covers,
        }
    }

    #[test]
    fn a_token_is_written_but_never_printed() {
        let token = DownloadToken::new("v1.abc_DEF-123");
        assert_eq!(format!("{token:?}"), "DownloadToken(***)");
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"v1.abc_DEF-123\"");
    }

    #[test]
    fn round_trips_through_toml() {
        let text = sample().to_toml();
        assert!(text.starts_with("# Settings for activator.exe"));
        assert!(text.contains("licence_ends = \"2020-02-28\""), "{text}");
        assert_eq!(ActivatorConfig::from_toml(&text).unwrap(), sample());
    }

    #[test]
    fn the_fixture_parses() {
        let text = include_str!("../../tests/fixtures/activator.toml");
        let config = ActivatorConfig::from_toml(text).unwrap();
        assert_eq!(config.kms.port, 1688);
        assert_eq!(config.covers[0].key_last5(), "6MWKP");
    }

    #[test]
    fn bad_values_name_the_key() {
        type Case = (fn(&mut ActivatorConfig), &'static str);
        fn add(config: &mut ActivatorConfig, id: &str) {
            config.covers.push(products::find(id).unwrap().clone());
        }
        let cases: [Case; 13] = [
            (|c| c.schema = 1, "schema"),
            (|c| c.product = "Office 2019".to_owned(), "product"),
            (|c| c.name_en = String::new(), "name_en"),
            (|c| c.name_zh = "a\nb".to_owned(), "name_zh"),
            (|c| c.covers.clear(), "covers"),
            (|c| add(c, "windows-11-education"), "covers"),
            (|c| add(c, "office-2013-proplus"), "covers"),
            (|c| c.covers[1].key = "XXXXX".to_owned(), "covers[1].key"),
            (|c| c.portal_url = "ftp://x".to_owned(), "portal_url"),
            (|c| c.portal_url = "https://x/".to_owned(), "portal_url"),
            (
                |c| c.download_token = DownloadToken::new("a b"),
                "download_token",
            ),
            (|c| c.kms.host = "kms;calc.exe".to_owned(), "kms.host"),
            (|c| c.kms.port = 0, "kms.port"),
        ];
        for (edit, field) in cases {
            let mut config = sample();
            edit(&mut config);
            assert_eq!(
                config.validate().map_err(|e| e.field),
                Err(field.to_owned()),
                "{field}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = sample()
            .to_toml()
            .replace("schema = 2", "schema = 2\nsurprise = true");
        let error = ActivatorConfig::from_toml(&text).unwrap_err();
        assert!(error.message.contains("surprise"), "{error}");
    }
}
