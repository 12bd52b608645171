//! The institution settings every public page shows: names, IT office, help desk, VPN page.
//!
//! The configuration gives the defaults; staff edits stored in the `settings` table
//! override them key by key (the keys are the configuration's own, `institution.name_zh`,
//! `helpdesk.phone` …). Pages read a snapshot held in memory, so showing the footer costs
//! no query: the snapshot is replaced when staff save, and reloaded periodically so that
//! several portals on one database agree within [`RELOAD_EVERY`].

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use crate::config::Config;
use crate::db;
use crate::lang::Lang;
use crate::markdown::{self, Placeholders};

/// How often a portal rereads the settings another instance may have changed.
pub const RELOAD_EVERY: Duration = Duration::from_secs(10);

/// The longest name, office or team accepted, in characters (as `config.rs` checks).
pub const MAX_NAME_CHARS: usize = 200;

/// The institution settings in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// `institution.name_zh`
    pub name_zh: String,
    /// `institution.name_en`
    pub name_en: String,
    /// `institution.it_office_zh`
    pub it_office_zh: String,
    /// `institution.it_office_en`
    pub it_office_en: String,
    /// `institution.vpn_url`
    pub vpn_url: Option<String>,
    /// `institution.offer_ended_licences`
    pub offer_ended_licences: bool,
    /// `helpdesk.team_zh`
    pub team_zh: String,
    /// `helpdesk.team_en`
    pub team_en: String,
    /// `helpdesk.phone`
    pub phone: String,
    /// `helpdesk.extensions`
    pub extensions: Vec<String>,
    /// `helpdesk.email`
    pub email: Option<String>,
}

/// What is wrong with one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty, or longer than [`MAX_NAME_CHARS`].
    Length,
    /// Not a telephone number: digits, spaces and `+ - ( )`, at most 40.
    Phone,
    /// An extension that is not digits.
    Extension,
    /// Not an e-mail address.
    Email,
    /// Not an `http://` or `https://` address.
    Url,
}

/// One reading of the settings, with what pages derive from it.
#[derive(Debug)]
pub struct Snapshot {
    /// The values in force.
    pub site: Site,
    /// The keys staff have overridden.
    pub edited: Vec<&'static str>,
    /// Markdown placeholders per language (`[zh-TW, en]`).
    placeholders: [Arc<Placeholders>; 2],
}

/// The settings held in memory: the configured defaults and the current snapshot.
#[derive(Debug)]
pub struct SiteCache {
    defaults: Site,
    kms: (String, u16),
    current: RwLock<Arc<Snapshot>>,
}

impl Site {
    /// Every key, in the order forms and the audit log list them.
    pub const KEYS: [&'static str; 11] = [
        "institution.name_zh",
        "institution.name_en",
        "institution.it_office_zh",
        "institution.it_office_en",
        "institution.vpn_url",
        "institution.offer_ended_licences",
        "helpdesk.team_zh",
        "helpdesk.team_en",
        "helpdesk.phone",
        "helpdesk.extensions",
        "helpdesk.email",
    ];

    /// The configured values.
    pub fn from_config(config: &Config) -> Site {
        let (institution, helpdesk) = (&config.institution, &config.helpdesk);
        Site {
            name_zh: institution.name_zh.clone(),
            name_en: institution.name_en.clone(),
            it_office_zh: institution.it_office_zh.clone(),
            it_office_en: institution.it_office_en.clone(),
            vpn_url: institution.vpn_url.clone(),
            offer_ended_licences: institution.offer_ended_licences,
            team_zh: helpdesk.team_zh.clone(),
            team_en: helpdesk.team_en.clone(),
            phone: helpdesk.phone.clone(),
            extensions: helpdesk.extensions.clone(),
            email: helpdesk.email.clone(),
        }
    }

    /// The value of `key` as stored and as forms show it.
    pub fn get(&self, key: &str) -> String {
        match key {
            "institution.name_zh" => self.name_zh.clone(),
            "institution.name_en" => self.name_en.clone(),
            "institution.it_office_zh" => self.it_office_zh.clone(),
            "institution.it_office_en" => self.it_office_en.clone(),
            "institution.vpn_url" => self.vpn_url.clone().unwrap_or_default(),
            "institution.offer_ended_licences" => self.offer_ended_licences.to_string(),
            "helpdesk.team_zh" => self.team_zh.clone(),
            "helpdesk.team_en" => self.team_en.clone(),
            "helpdesk.phone" => self.phone.clone(),
            "helpdesk.extensions" => self.extensions.join(", "),
            "helpdesk.email" => self.email.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Sets `key` from its stored or typed form (trimmed; empty means none for the
    /// optional keys, and no for the yes-or-no ones, which are `true` or a ticked box's
    /// `on` for yes); unknown keys are ignored.
    pub fn set(&mut self, key: &str, value: &str) {
        let value = value.trim();
        let optional = || (!value.is_empty()).then(|| value.to_owned());
        match key {
            "institution.name_zh" => self.name_zh = value.to_owned(),
            "institution.name_en" => self.name_en = value.to_owned(),
            "institution.it_office_zh" => self.it_office_zh = value.to_owned(),
            "institution.it_office_en" => self.it_office_en = value.to_owned(),
            "institution.vpn_url" => self.vpn_url = optional(),
            "institution.offer_ended_licences" => {
                self.offer_ended_licences = value == "true" || value == "on";
            }
            "helpdesk.team_zh" => self.team_zh = value.to_owned(),
            "helpdesk.team_en" => self.team_en = value.to_owned(),
            "helpdesk.phone" => self.phone = value.to_owned(),
            "helpdesk.extensions" => {
                self.extensions = value
                    .split([',', '、', '，', ' '])
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "helpdesk.email" => self.email = optional(),
            _ => {}
        }
    }

    /// What is wrong, key by key, by the rules `Config::validate` applies to the same keys.
    pub fn problems(&self) -> Vec<(&'static str, Problem)> {
        let mut problems = Vec::new();
        for key in [
            "institution.name_zh",
            "institution.name_en",
            "institution.it_office_zh",
            "institution.it_office_en",
            "helpdesk.team_zh",
            "helpdesk.team_en",
        ] {
            let value = self.get(key);
            if value.trim().is_empty()
                || value.chars().count() > MAX_NAME_CHARS
                || value.chars().any(char::is_control)
            {
                problems.push((key, Problem::Length));
            }
        }
        if !phone_ok(&self.phone) {
            problems.push(("helpdesk.phone", Problem::Phone));
        }
        if self.extensions.len() > 10
            || !self
                .extensions
                .iter()
                .all(|e| e.len() <= 10 && e.bytes().all(|b| b.is_ascii_digit()))
        {
            problems.push(("helpdesk.extensions", Problem::Extension));
        }
        if let Some(email) = &self.email
            && !email_ok(email)
        {
            problems.push(("helpdesk.email", Problem::Email));
        }
        if let Some(url) = &self.vpn_url
            && !url_ok(url)
        {
            problems.push(("institution.vpn_url", Problem::Url));
        }
        problems
    }

    /// The settings as a JSON object, key by key, for the audit log.
    pub fn to_json(&self) -> serde_json::Value {
        Site::KEYS
            .iter()
            .map(|key| ((*key).to_owned(), serde_json::Value::String(self.get(key))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

impl Snapshot {
    /// Placeholder values for Markdown shown in `lang`.
    pub fn placeholders(&self, lang: Lang) -> Arc<Placeholders> {
        match lang {
            Lang::ZhTw => self.placeholders[0].clone(),
            Lang::En => self.placeholders[1].clone(),
        }
    }
}

impl SiteCache {
    /// The cache for `config`, holding the configured values until [`SiteCache::apply`].
    pub fn new(config: &Config) -> SiteCache {
        let defaults = Site::from_config(config);
        let kms = (config.kms.host.clone(), config.kms.port);
        let first = snapshot(defaults.clone(), Vec::new(), &kms);
        SiteCache {
            defaults,
            kms,
            current: RwLock::new(Arc::new(first)),
        }
    }

    /// The snapshot in force.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The configured values, before any edit.
    pub fn defaults(&self) -> &Site {
        &self.defaults
    }

    /// Replaces the snapshot with the defaults overridden by `stored` `(key, value)` rows.
    /// A stored value that would not pass the checks (written by hand, or by an older
    /// version) is skipped with a warning rather than shown.
    pub fn apply(&self, stored: &[(String, String)]) {
        let mut site = self.defaults.clone();
        let mut edited = Vec::new();
        for (key, value) in stored {
            let Some(key) = Site::KEYS.iter().find(|k| **k == key.as_str()) else {
                continue;
            };
            let mut candidate = site.clone();
            candidate.set(key, value);
            if candidate.problems().iter().any(|(k, _)| k == key) {
                tracing::warn!(setting.key = key, "ignoring an invalid stored setting");
                continue;
            }
            site = candidate;
            edited.push(*key);
        }
        let next = Arc::new(snapshot(site, edited, &self.kms));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = next;
    }
}

/// Rereads the stored settings into `cache`.
pub async fn reload(db: &db::Db, cache: &SiteCache) -> sqlx::Result<()> {
    let stored = db::settings::load(db).await?;
    cache.apply(&stored);
    Ok(())
}

fn snapshot(site: Site, edited: Vec<&'static str>, kms: &(String, u16)) -> Snapshot {
    let placeholders = Lang::ALL.map(|lang| {
        Arc::new(Placeholders {
            values: vec![
                ("kms_host", kms.0.clone()),
                ("kms_port", kms.1.to_string()),
                (
                    "institution",
                    lang.pick(&site.name_zh, &site.name_en).to_owned(),
                ),
                (
                    "it_office",
                    lang.pick(&site.it_office_zh, &site.it_office_en).to_owned(),
                ),
                ("windows_keys", markdown::key_table(true, lang)),
                ("office_keys", markdown::key_table(false, lang)),
            ],
        })
    });
    Snapshot {
        site,
        edited,
        placeholders,
    }
}

fn phone_ok(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
}

fn email_ok(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 200
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(c))
}

fn url_ok(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    text.len() <= 500
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && text.chars().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_defaults_pass_the_checks() {
        let site = Site::from_config(&Config::default());
        assert_eq!(site.problems(), Vec::new());
    }

    #[test]
    fn every_key_round_trips_through_its_text() {
        let site = Site::from_config(&Config::default());
        let mut copy = site.clone();
        for key in Site::KEYS {
            copy.set(key, &site.get(key));
        }
        assert_eq!(copy, site);
    }

    #[test]
    fn each_rule_names_its_key() {
        let cases: [(&str, &str, Problem); 8] = [
            ("institution.name_zh", "", Problem::Length),
            ("helpdesk.team_en", &"x".repeat(201), Problem::Length),
            ("helpdesk.phone", "call me", Problem::Phone),
            ("helpdesk.phone", "", Problem::Phone),
            ("helpdesk.extensions", "12a", Problem::Extension),
            ("helpdesk.email", "not-an-address", Problem::Email),
            ("helpdesk.email", "a@b@c.edu", Problem::Email),
            ("institution.vpn_url", "javascript:alert(1)", Problem::Url),
        ];
        for (key, value, problem) in cases {
            let mut site = Site::from_config(&Config::default());
            site.set(key, value);
            assert_eq!(site.problems(), vec![(key, problem)], "{key} = {value:?}");
        }
    }

    #[test]
    fn extensions_split_on_commas_and_spaces() {
        let mut site = Site::from_config(&Config::default());
        site.set("helpdesk.extensions", "3230, 3222、 100");
        assert_eq!(site.extensions, ["3230", "3222", "100"]);
        assert_eq!(site.get("helpdesk.extensions"), "3230, 3222, 100");
    }

    #[test]
    fn stored_values_override_and_invalid_ones_are_skipped() {
        let cache = SiteCache::new(&Config::default());
        cache.apply(&[
            (
                "institution.name_en".to_owned(),
                "Example College".to_owned(),
            ),
            ("helpdesk.phone".to_owned(), "no phone".to_owned()),
            ("unknown.key".to_owned(), "x".to_owned()),
        ]);
        let now = cache.current();
        assert_eq!(now.site.name_en, "Example College");
        assert_eq!(now.site.phone, cache.defaults().phone);
        assert_eq!(now.edited, ["institution.name_en"]);
        assert!(
            now.placeholders(Lang::En)
                .fill("{{institution}}")
                .contains("Example College")
        );
    }
}
