//! `errors.toml`: the portal's current explanation of each activation error code, which
//! every download carries beside `activator.toml`, so the remedy a PC prints is the one the
//! portal's `/errors/{code}` page shows today (the texts compiled into the activator are
//! only the fallback). Placeholders are already filled in by the portal.

use serde::{Deserialize, Serialize};

use crate::{Violation, normalise_error_code};

/// The most error codes one file holds.
pub const MAX_CODES: usize = 500;
/// The longest text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The contents of `errors.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorTexts {
    /// One entry per code.
    #[serde(default)]
    pub error: Vec<ErrorEntry>,
}

/// One error code's texts in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// Canonical: `0x` and eight upper-case hex digits.
    pub code: String,
    /// Traditional Chinese.
    #[serde(rename = "zh-TW")]
    pub zh_tw: ErrorText,
    /// English.
    pub en: ErrorText,
}

/// What the activator prints for a code in one language.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorText {
    /// The plain meaning in one line.
    pub title: String,
    /// What to do, as Markdown.
    pub remedy: String,
}

impl ErrorTexts {
    /// Parses and checks the file.
    pub fn from_toml(text: &str) -> Result<ErrorTexts, Violation> {
        let texts: ErrorTexts =
            toml::from_str(text).map_err(|e| Violation::new("error", e.message().to_owned()))?;
        if texts.error.len() > MAX_CODES {
            return Err(Violation::new(
                "error",
                format!("at most {MAX_CODES} codes"),
            ));
        }
        for (i, entry) in texts.error.iter().enumerate() {
            if normalise_error_code(&entry.code).as_deref() != Some(entry.code.as_str()) {
                return Err(Violation::new(
                    format!("error[{i}].code"),
                    "must be 0x and eight upper-case hex digits",
                ));
            }
            for text in [&entry.zh_tw, &entry.en] {
                let ok = |s: &str| !s.trim().is_empty() && s.chars().count() <= MAX_TEXT_CHARS;
                if !ok(&text.title) || !ok(&text.remedy) {
                    return Err(Violation::new(
                        format!("error[{i}]"),
                        "every language needs a title and a remedy",
                    ));
                }
            }
        }
        Ok(texts)
    }

    /// Writes the file, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# What each activation error code means and what to do, from the portal when this\n\
             # download was made. activator.exe prints these; edit them on the portal, not here.\n{body}"
        )
    }

    /// The entry for `code` (canonical form).
    pub fn find(&self, code: &str) -> Option<&ErrorEntry> {
        self.error.iter().find(|e| e.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ErrorTexts {
        let text = |s: &str| ErrorText {
            title: s.to_owned(),
            remedy: format!("1. {s}\n2. Run `cscript ospp.vbs /act`.\n"),
        };
        ErrorTexts {
            error: vec![ErrorEntry {
                code: "0xC004F074".to_owned(),
                zh_tw: text("無法連線到 KMS 主機"),
                en: text("The KMS host cannot be reached"),
            }],
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let text = sample().to_toml();
        assert!(text.starts_with("# What each activation error code means"));
        assert_eq!(ErrorTexts::from_toml(&text).unwrap(), sample());
        assert!(sample().find("0xC004F074").is_some());
    }

    #[test]
    fn bad_entries_are_refused() {
        let mut lower = sample();
        lower.error[0].code = "0xc004f074".to_owned();
        assert!(ErrorTexts::from_toml(&lower.to_toml()).is_err());
        let mut empty = sample();
        empty.error[0].en.remedy = " ".to_owned();
        assert!(ErrorTexts::from_toml(&empty.to_toml()).is_err());
        assert!(ErrorTexts::from_toml("surprise = 1").is_err());
    }
}
