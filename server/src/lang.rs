//! The two languages of the portal and how a request picks one.
//!
//! Order: `?lang=` (then remembered in a cookie), the `lang` cookie, `Accept-Language`,
//! zh-TW. The locale is resolved per request and passed along explicitly; nothing here
//! is process-global.

use axum::http::{HeaderMap, header};

/// A `?lang=` naming a language the portal is not written in: a client error, not a
/// silent fallback (`error.rs` makes it a 400 naming the parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownLang;

/// A language the portal is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Traditional Chinese as used in Taiwan; the default.
    ZhTw,
    /// English.
    En,
}

/// The name of the cookie that remembers a chosen language.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    /// Both languages, primary first.
    pub const ALL: [Lang; 2] = [Lang::ZhTw, Lang::En];

    /// The BCP 47 tag used in `<html lang>`, URLs and the database.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// Parses the exact tags this portal emits, case-insensitively.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        if tag.eq_ignore_ascii_case("zh-TW") || tag.eq_ignore_ascii_case("zh-Hant") {
            Some(Lang::ZhTw)
        } else if tag.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The other language, for the switcher.
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhTw => Lang::En,
            Lang::En => Lang::ZhTw,
        }
    }

    /// Picks the first supported language in an `Accept-Language` header by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in header.split(',').take(32).enumerate() {
            let mut parts = item.trim().split(';');
            let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if range == "zh" || range.starts_with("zh-") {
                Lang::ZhTw
            } else if range == "en" || range.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; on a tie, the earlier entry wins.
            let better = match best {
                None => true,
                Some((q, p, _)) => quality > q || (quality == q && position < p),
            };
            if better {
                best = Some((quality, position, lang));
            }
        }
        best.map(|(_, _, lang)| lang)
    }

    /// Resolves the language of a request from its query's `lang`, cookie and headers.
    ///
    /// An unsupported `?lang=` value is a client error, not a silent fallback.
    pub fn resolve(query: Option<&str>, headers: &HeaderMap) -> Result<(Lang, bool), UnknownLang> {
        if let Some(value) = query.and_then(query_lang) {
            return match Lang::from_tag(&value) {
                Some(lang) => Ok((lang, true)),
                None => Err(UnknownLang),
            };
        }
        if let Some(lang) = cookie_lang(headers) {
            return Ok((lang, false));
        }
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language);
        Ok((accepted.unwrap_or(Lang::ZhTw), false))
    }

    /// Picks the text for this language from a pair.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::ZhTw => zh,
            Lang::En => en,
        }
    }
}

/// Finds the value of `lang` in a raw query string, percent-decoded.
fn query_lang(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == "lang").then(|| value.replace("%2D", "-").replace("%2d", "-"))
    })
}

/// Reads the `lang` cookie, ignoring values this portal never set.
fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LANG_COOKIE)
                .then(|| Lang::from_tag(value))
                .flatten()
        })
}

impl TryFrom<String> for Lang {
    type Error = String;

    /// Decodes a stored tag (the tables' checks allow no other).
    fn try_from(value: String) -> Result<Lang, String> {
        Lang::from_tag(&value).ok_or_else(|| format!("unknown language {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_language_picks_by_quality_then_order() {
        let cases = [
            ("en-US,en;q=0.9", Some(Lang::En)),
            ("zh-TW,zh;q=0.9,en;q=0.8", Some(Lang::ZhTw)),
            ("fr-FR, en;q=0.5, zh;q=0.7", Some(Lang::ZhTw)),
            ("ja, ko", None),
            ("en;q=0, zh-CN;q=0.1", Some(Lang::ZhTw)),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header}");
        }
    }

    #[test]
    fn query_beats_cookie_beats_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        assert_eq!(Lang::resolve(None, &headers).unwrap(), (Lang::En, false));
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=zh-TW"));
        assert_eq!(Lang::resolve(None, &headers).unwrap(), (Lang::ZhTw, false));
        assert_eq!(
            Lang::resolve(Some("x=1&lang=en"), &headers).unwrap(),
            (Lang::En, true)
        );
        assert!(Lang::resolve(Some("lang=fr"), &headers).is_err());
    }

    #[test]
    fn unknown_cookie_value_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("lang=<script>"));
        assert_eq!(Lang::resolve(None, &headers).unwrap(), (Lang::ZhTw, false));
    }
}
