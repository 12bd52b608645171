//! `activator.toml`: what one download tells the activator.
//!
//! The portal writes it with [`ActivatorConfig::to_toml`]; the activator reads it with
//! [`ActivatorConfig::from_toml`], which rejects unknown keys and checks every value, so
//! a hand-edited file fails with the key at fault rather than misbehaving.

use serde::{Deserialize, Serialize};

use crate::{SCHEMA, Violation, is_slug, products};

/// The contents of `activator.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActivatorConfig {
    /// Schema number; [`SCHEMA`].
    pub schema: u32,
    /// The catalogue version this download is for, e.g. `office-2019-proplus`.
    pub product: String,
    /// Its family: `windows`, `office`, `project` or `visio`.
    pub family: Family,
    /// The language to speak when the PC's own is neither Chinese nor English.
    pub language: Language,
    /// The portal's address, e.g. `https://licences.example.edu`; reports go to
    /// `{portal_url}/api/v1/reports`.
    pub portal_url: String,
    /// The token that authenticates this download's reports. Never printed.
    pub download_token: String,
    /// The institution's KMS host.
    pub kms: KmsHost,
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

/// The families the activator handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Windows, activated with `slmgr.vbs`.
    Windows,
    /// Office, activated with `ospp.vbs`.
    Office,
    /// Project, activated with Office's `ospp.vbs`.
    Project,
    /// Visio, activated with Office's `ospp.vbs`.
    Visio,
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
        let Some(product) = products::find(&self.product) else {
            return Err(Violation::new(
                "product",
                format!("{} has no activator", self.product),
            ));
        };
        let windows = product.method == products::Method::Windows;
        if windows != (self.family == Family::Windows) {
            return Err(Violation::new(
                "family",
                format!("does not match the product {}", self.product),
            ));
        }
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
        let token_ok = !self.download_token.is_empty()
            && self.download_token.len() <= MAX_TOKEN_BYTES
            && self
                .download_token
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ActivatorConfig {
        ActivatorConfig {
            schema: SCHEMA,
            product: "office-2019-proplus".to_owned(),
            family: Family::Office,
            language: Language::ZhTw,
            portal_url: "https://licences.example.edu".to_owned(),
            download_token: "v1.abc_DEF-123".to_owned(),
            kms: KmsHost {
                host: "kms.example.edu".to_owned(),
                port: 1688,
            },
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let text = sample().to_toml();
        assert!(text.starts_with("# Settings for activator.exe"));
        assert_eq!(ActivatorConfig::from_toml(&text).unwrap(), sample());
    }

    #[test]
    fn the_fixture_parses() {
        let text = include_str!("../../tests/fixtures/activator.toml");
        let config = ActivatorConfig::from_toml(text).unwrap();
        assert_eq!(config.kms.port, 1688);
    }

    #[test]
    fn bad_values_name_the_key() {
        type Case = (fn(&mut ActivatorConfig), &'static str);
        let cases: [Case; 8] = [
            (|c| c.family = Family::Windows, "family"),
            (|c| c.schema = 2, "schema"),
            (|c| c.product = "office-1999".to_owned(), "product"),
            (|c| c.portal_url = "ftp://x".to_owned(), "portal_url"),
            (|c| c.portal_url = "https://x/".to_owned(), "portal_url"),
            (|c| c.download_token = "a b".to_owned(), "download_token"),
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
            .replace("schema = 1", "schema = 1\nsurprise = true");
        let error = ActivatorConfig::from_toml(&text).unwrap_err();
        assert!(error.message.contains("surprise"), "{error}");
    }
}
