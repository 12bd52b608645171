//! What every HTML page shares: language, navigation, institution and help desk.
//!
//! Handlers build a page struct for their template and put a [`Layout`] in it; templates
//! never see configuration or database rows directly.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::assets;
use crate::error::Error;
use crate::lang::Lang;
use crate::state::AppState;
use crate::texts::Texts;

/// Which main section a page belongs to, for `aria-current` in the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// The software list and version pages.
    Catalogue,
    /// The tutorials.
    Tutorials,
    /// The error-code pages.
    Errors,
    /// The staff pages under `/admin`.
    Admin,
    /// Pages outside the sections (error pages).
    None,
}

/// The request facts a page needs: its language and its address.
#[derive(Clone, Debug)]
pub struct PageContext {
    /// The language the page is shown in.
    pub lang: Lang,
    /// The request path, e.g. `/errors/0xC004F074`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The raw `Cookie` header, if any.
    pub cookies: Option<String>,
}

/// The page chrome passed to `base.html`.
#[derive(Debug)]
pub struct Layout {
    /// The page language.
    pub lang: Lang,
    /// Interface strings in that language.
    pub t: &'static Texts,
    /// The current section.
    pub nav: Nav,
    /// The same page in the other language.
    pub switch_url: String,
    /// The other language's tag, for `hreflang`.
    pub other_lang_tag: &'static str,
    /// The institution's name in the page language.
    pub institution: String,
    /// The IT office's name in the page language.
    pub it_office: String,
    /// Who answers the help desk, in the page language.
    pub helpdesk_team: String,
    /// The help desk's number as written locally.
    pub helpdesk_phone: String,
    /// A `tel:` link to the help desk.
    pub helpdesk_tel: String,
    /// Extensions, joined for display.
    pub helpdesk_extensions: String,
    /// The help desk's e-mail address, if any.
    pub helpdesk_email: Option<String>,
    /// The campus VPN's instructions, if configured.
    pub vpn_url: Option<String>,
    /// The KMS host and port, as `host:port`.
    pub kms_address: String,
    /// The stylesheet's versioned URL.
    pub css_url: &'static str,
    /// The icon's versioned URL.
    pub icon_url: &'static str,
}

impl Layout {
    /// Builds the chrome for a page in section `nav`.
    pub fn new(state: &AppState, context: &PageContext, nav: Nav) -> Layout {
        let config = &state.config;
        let lang = context.lang;
        // The institution and help desk as staff last saved them (or as configured).
        let snapshot = state.site();
        let site = &snapshot.site;
        let digits: String = site.phone.chars().filter(char::is_ascii_digit).collect();
        let helpdesk_tel = match site.extensions.first() {
            Some(ext) => format!("tel:{digits},{ext}"),
            None => format!("tel:{digits}"),
        };
        Layout {
            lang,
            t: lang.texts(),
            nav,
            switch_url: context.url_in(lang.other()),
            other_lang_tag: lang.other().tag(),
            institution: lang.pick(&site.name_zh, &site.name_en).to_owned(),
            it_office: lang.pick(&site.it_office_zh, &site.it_office_en).to_owned(),
            helpdesk_team: lang.pick(&site.team_zh, &site.team_en).to_owned(),
            helpdesk_phone: site.phone.clone(),
            helpdesk_tel,
            helpdesk_extensions: site.extensions.join(lang.pick("、", ", ")),
            helpdesk_email: site.email.clone(),
            vpn_url: site.vpn_url.clone(),
            kms_address: format!("{}:{}", config.kms.host, config.kms.port),
            css_url: assets::url("style.css"),
            icon_url: assets::url("favicon.svg"),
        }
    }

    /// The `<html lang>` value.
    pub fn lang_tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// The admin pages' strings in the page language.
    pub fn admin(&self) -> &'static crate::texts::admin::AdminText {
        crate::texts::admin::text(self.lang)
    }

    /// `aria-current="page"` for the current section's link, nothing otherwise.
    pub fn current(&self, section: &str) -> &'static str {
        let current = match self.nav {
            Nav::Catalogue => "catalogue",
            Nav::Tutorials => "tutorials",
            Nav::Errors => "errors",
            Nav::Admin => "admin",
            Nav::None => "",
        };
        if current == section { "page" } else { "false" }
    }
}

impl PageContext {
    /// The value of the cookie `name`, if the request carries it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.as_deref()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }
    /// This page's address with `lang` set to `lang` and every other parameter kept.
    pub fn url_in(&self, lang: Lang) -> String {
        let mut pairs: Vec<&str> = self
            .query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty() && *pair != "lang" && !pair.starts_with("lang="))
            .collect();
        let lang_pair = format!("lang={}", lang.tag());
        pairs.push(&lang_pair);
        // One leading slash: `//host/x` (or `/\host/x`) in a link is another site.
        let path = self.path.trim_start_matches(['/', '\\']);
        format!("/{path}?{}", pairs.join("&"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(PageContext {
            lang: Lang::from_request_parts(parts, state).await?,
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            cookies: parts
                .headers
                .get(axum::http::header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_url_keeps_filters_and_replaces_lang() {
        let context = PageContext {
            lang: Lang::ZhTw,
            path: "/".to_owned(),
            query: Some("family=office&lang=zh-TW&q=2016".to_owned()),
            cookies: None,
        };
        assert_eq!(context.url_in(Lang::En), "/?family=office&q=2016&lang=en");
        let bare = PageContext {
            lang: Lang::En,
            path: "/errors".to_owned(),
            query: None,
            cookies: None,
        };
        assert_eq!(bare.url_in(Lang::ZhTw), "/errors?lang=zh-TW");
        for path in ["//evil.example/x", "/\\evil.example/x", "///evil.example/x"] {
            let context = PageContext {
                lang: Lang::En,
                path: path.to_owned(),
                query: None,
                cookies: None,
            };
            assert_eq!(
                context.url_in(Lang::ZhTw),
                "/evil.example/x?lang=zh-TW",
                "{path}"
            );
        }
    }
}
