//! Explains an activation error code in plain words, from the same text the portal's
//! `/errors/{code}` page shows: the download's `errors.toml` (the portal's texts when it
//! was made), else `content/errors.toml` compiled in, its Markdown turned into console
//! text with the configured KMS host filled in.

use std::collections::HashMap;
use std::sync::LazyLock;

use protocol::config::{ActivatorConfig, Language};
use protocol::errors::ErrorTexts;
use serde::Deserialize;

/// What to tell the person about one error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The plain meaning in one line.
    pub title: String,
    /// What to do, as console lines.
    pub remedy: Vec<String>,
    /// The portal page with the full explanation.
    pub url: String,
}

/// Explains `code` (canonical form) in `language`, from the portal's texts when the
/// download carries them and they know the code, else from those compiled in; codes
/// neither knows get a generic line and still the URL, where the portal says what it can.
pub fn explain(
    code: &str,
    language: Language,
    config: &ActivatorConfig,
    portal: Option<&ErrorTexts>,
) -> Explanation {
    let url = format!("{}/errors/{code}", config.portal_url);
    let from_portal = portal.and_then(|texts| texts.find(code)).map(|e| {
        let text = match language {
            Language::ZhTw => &e.zh_tw,
            Language::En => &e.en,
        };
        (text.title.clone(), text.remedy.clone())
    });
    let compiled = || {
        CODES.get(code).map(|e| {
            let text = match language {
                Language::ZhTw => &e.zh,
                Language::En => &e.en,
            };
            (text.title.clone(), text.remedy.clone())
        })
    };
    let Some((title, remedy)) = from_portal.or_else(compiled) else {
        let title = match language {
            Language::ZhTw => "未列出的錯誤碼；請查看入口網站或聯絡資訊單位。",
            Language::En => {
                "An error code we have no notes for; see the portal or contact the IT office."
            }
        };
        return Explanation {
            title: title.to_owned(),
            remedy: Vec::new(),
            url,
        };
    };
    let fill = |s: &str| {
        s.replace("{{kms_host}}", &config.kms.host)
            .replace("{{kms_port}}", &config.kms.port.to_string())
            .replace(
                "{{institution}}",
                language_pick(language, "學校", "the university"),
            )
            .replace(
                "{{it_office}}",
                language_pick(language, "資訊單位", "the IT office"),
            )
    };
    Explanation {
        title: fill(&title),
        remedy: markdown_to_lines(&fill(&remedy), &config.portal_url),
        url,
    }
}

/// Whether the portal has notes for `code`.
pub fn is_known(code: &str) -> bool {
    CODES.contains_key(code)
}

fn language_pick(language: Language, zh: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::ZhTw => zh,
        Language::En => en,
    }
}

/// Turns the Markdown of a remedy into console lines: emphasis and code marks dropped,
/// links written as `text (url)` with site-relative links made absolute, code blocks
/// indented, blank lines kept single.
pub fn markdown_to_lines(markdown: &str, portal_url: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    for raw in markdown.lines() {
        let line = raw.trim_end();
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            lines.push(format!("      {}", line.trim_start()));
            continue;
        }
        if line.trim().is_empty() {
            if lines.last().is_some_and(|l: &String| !l.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        lines.push(format!("  {}", inline(line, portal_url)));
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Removes inline Markdown: `**`, `__`, backticks, and `[text](url)` → `text (url)`.
fn inline(line: &str, portal_url: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        let Some(mid) = rest[start..].find("](").map(|m| start + m) else {
            break;
        };
        let Some(end) = rest[mid..].find(')').map(|e| mid + e) else {
            break;
        };
        out.push_str(&rest[..start]);
        let text = &rest[start + 1..mid];
        let target = &rest[mid + 2..end];
        let target = if target.starts_with('/') {
            format!("{portal_url}{target}")
        } else {
            target.to_owned()
        };
        if text.trim() == target.trim() || text.contains(target.as_str()) {
            out.push_str(text);
        } else {
            out.push_str(&format!("{text} ({target})"));
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

#[derive(Deserialize)]
struct ErrorsFile {
    error: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    code: String,
    #[serde(rename = "zh-TW")]
    zh: EntryText,
    en: EntryText,
}

#[derive(Deserialize)]
struct EntryText {
    title: String,
    remedy: String,
}

/// The portal's error notes, by canonical code. The file is checked by the server's and
/// this crate's tests, so a parse failure here cannot ship; it would leave the map empty.
static CODES: LazyLock<HashMap<String, Entry>> = LazyLock::new(|| {
    toml::from_str::<ErrorsFile>(include_str!("../../content/errors.toml"))
        .map(|file| {
            file.error
                .into_iter()
                .map(|e| (e.code.clone(), e))
                .collect()
        })
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::config::KmsHost;

    fn config() -> ActivatorConfig {
        ActivatorConfig::from_toml(include_str!("../../tests/fixtures/activator.toml"))
            .map(|mut c| {
                c.kms = KmsHost {
                    host: "kms.example.edu".to_owned(),
                    port: 1700,
                };
                c.portal_url = "https://licences.example.edu".to_owned();
                c
            })
            .unwrap()
    }

    #[test]
    fn every_code_in_the_portal_is_explained_in_both_languages() {
        assert!(CODES.len() >= 16, "content/errors.toml did not load");
        for code in CODES.keys() {
            for language in [Language::ZhTw, Language::En] {
                let e = explain(code, language, &config(), None);
                assert!(!e.title.is_empty() && !e.remedy.is_empty(), "{code}");
                assert_eq!(e.url, format!("https://licences.example.edu/errors/{code}"));
                let all = e.remedy.join("\n");
                assert!(
                    !all.contains("{{") && !all.contains("**") && !all.contains('`'),
                    "{code}: {all}"
                );
            }
        }
    }

    #[test]
    fn the_configured_host_is_filled_in() {
        let e = explain("0xC004F074", Language::En, &config(), None);
        let all = e.remedy.join("\n");
        assert!(all.contains("kms.example.edu"), "{all}");
        assert!(e.title.to_lowercase().contains("kms"), "{}", e.title);
    }

    #[test]
    fn the_portal_texts_in_the_download_come_first() {
        let portal = ErrorTexts::from_toml(
            "[[error]]\ncode = \"0xC004F074\"\n[error.zh-TW]\ntitle = \"連不到 KMS 主機（入口網站的說明）\"\nremedy = \"請先連上 **校園 VPN**。\"\n[error.en]\ntitle = \"No KMS host (the portal's words)\"\nremedy = \"Connect to the **campus VPN** first.\"\n",
        )
        .unwrap();
        let e = explain("0xC004F074", Language::En, &config(), Some(&portal));
        assert_eq!(e.title, "No KMS host (the portal's words)");
        assert_eq!(e.remedy, ["  Connect to the campus VPN first."]);
        // A code the portal's file lacks falls back to the compiled-in text.
        let other = explain("0xC004F038", Language::En, &config(), Some(&portal));
        assert_eq!(other, explain("0xC004F038", Language::En, &config(), None));
        assert!(!other.remedy.is_empty());
    }

    #[test]
    fn unknown_codes_still_get_the_url() {
        let e = explain("0xDEADBEEF", Language::ZhTw, &config(), None);
        assert!(e.remedy.is_empty());
        assert!(e.url.ends_with("/errors/0xDEADBEEF"));
        assert!(!is_known("0xDEADBEEF") && is_known("0xC004F074"));
    }

    #[test]
    fn markdown_becomes_plain_lines() {
        let lines = markdown_to_lines(
            "1. Run **as administrator**.\n2. See [the guide](/tutorials/office).\n\n```\ncscript ospp.vbs /act\n```\n",
            "https://p.example",
        );
        assert_eq!(
            lines,
            [
                "  1. Run as administrator.",
                "  2. See the guide (https://p.example/tutorials/office).",
                "",
                "      cscript ospp.vbs /act",
            ]
        );
    }
}
