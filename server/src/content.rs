//! The default content shipped in `content/`: the seed's catalogue, the tutorials and the
//! error-code explanations. It is compiled into the binary and loaded into an empty
//! database once (see `db::seed`); after that the database is the source of truth and
//! staff edit it there.

use anyhow::{Context, bail};
use serde::Deserialize;
use time::Date;

use crate::calendar::parse_roc_date;
use crate::catalog::{Covers, Family, Version};
use crate::error_codes::ErrorCategory;
use crate::lang::Lang;

/// Everything the portal starts with.
#[derive(Debug)]
pub struct DefaultContent {
    /// The date the seed's licence table was compiled.
    pub catalog_as_of: Date,
    /// Agreements with their products and versions.
    pub agreements: Vec<Agreement>,
    /// One tutorial per family and language.
    pub tutorials: Vec<Tutorial>,
    /// Error codes with their texts in both languages.
    pub error_codes: Vec<ErrorCode>,
}

/// A licence agreement and what it covers.
#[derive(Debug)]
pub struct Agreement {
    /// Stable identifier used in URLs.
    pub slug: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Products under this agreement.
    pub products: Vec<Product>,
}

/// A product line under an agreement.
#[derive(Debug)]
pub struct Product {
    /// Stable identifier.
    pub slug: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Its versions, in display order.
    pub versions: Vec<Version>,
}

/// A tutorial page in one language.
#[derive(Debug)]
pub struct Tutorial {
    /// `windows` or `office`.
    pub slug: &'static str,
    /// Its language.
    pub lang: Lang,
    /// The page title (the Markdown's first heading).
    pub title: String,
    /// The Markdown after the title.
    pub body_md: String,
}

/// An activation error code and its explanation in both languages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// Canonical form: `0x` and eight upper-case hex digits.
    pub code: String,
    /// What area the problem is in.
    pub category: ErrorCategory,
    /// `windows` and/or `office`.
    pub applies_to: Vec<String>,
    /// Traditional Chinese texts.
    #[serde(rename = "zh-TW")]
    pub zh: ErrorText,
    /// English texts.
    pub en: ErrorText,
}

/// The explanation of an error code in one language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorText {
    /// The plain meaning in one line.
    pub title: String,
    /// What Windows or Office prints.
    pub message: String,
    /// Why it happens (Markdown).
    pub cause: String,
    /// What to do (Markdown).
    pub remedy: String,
}

impl DefaultContent {
    /// Parses and checks the content compiled into the binary.
    pub fn load() -> anyhow::Result<DefaultContent> {
        let catalog: CatalogFile =
            toml::from_str(CATALOG_TOML).context("content/catalog.toml is invalid")?;
        let errors: ErrorsFile =
            toml::from_str(ERRORS_TOML).context("content/errors.toml is invalid")?;
        let mut tutorials = Vec::new();
        for (slug, lang, text) in TUTORIALS {
            tutorials.push(
                parse_tutorial(slug, lang, text)
                    .with_context(|| format!("content/tutorials/{slug}.{}.md", lang.tag()))?,
            );
        }
        for error in &errors.error {
            check_error_code(error)
                .with_context(|| format!("content/errors.toml: {}", error.code))?;
        }
        Ok(DefaultContent {
            catalog_as_of: roc(&catalog.as_of)?,
            agreements: catalog
                .agreement
                .into_iter()
                .map(Agreement::try_from)
                .collect::<Result<_, _>>()?,
            tutorials,
            error_codes: errors.error,
        })
    }
}

pub use protocol::normalise_error_code;

const CATALOG_TOML: &str = include_str!("../../content/catalog.toml");
const ERRORS_TOML: &str = include_str!("../../content/errors.toml");
const TUTORIALS: [(&str, Lang, &str); 4] = [
    (
        "windows",
        Lang::ZhTw,
        include_str!("../../content/tutorials/windows.zh-TW.md"),
    ),
    (
        "windows",
        Lang::En,
        include_str!("../../content/tutorials/windows.en.md"),
    ),
    (
        "office",
        Lang::ZhTw,
        include_str!("../../content/tutorials/office.zh-TW.md"),
    ),
    (
        "office",
        Lang::En,
        include_str!("../../content/tutorials/office.en.md"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    as_of: String,
    agreement: Vec<AgreementEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementEntry {
    slug: String,
    name_zh: String,
    name_en: String,
    product: Vec<ProductEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductEntry {
    slug: String,
    name_zh: String,
    name_en: String,
    versions: Vec<VersionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionEntry {
    slug: String,
    name_zh: String,
    name_en: String,
    family: String,
    seats: Option<toml::Value>,
    term_start: Option<String>,
    term_end: Option<String>,
    #[serde(default)]
    kms: bool,
    #[serde(default)]
    tutorial: bool,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    edition_upgrade: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorsFile {
    error: Vec<ErrorCode>,
}

impl TryFrom<AgreementEntry> for Agreement {
    type Error = anyhow::Error;

    fn try_from(entry: AgreementEntry) -> anyhow::Result<Agreement> {
        let products = entry
            .product
            .into_iter()
            .map(|p| {
                let versions = p
                    .versions
                    .into_iter()
                    .map(Version::try_from)
                    .collect::<anyhow::Result<_>>()?;
                Ok(Product {
                    slug: p.slug,
                    name_zh: p.name_zh,
                    name_en: p.name_en,
                    versions,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Agreement {
            slug: entry.slug,
            name_zh: entry.name_zh,
            name_en: entry.name_en,
            products,
        })
    }
}

impl TryFrom<VersionEntry> for Version {
    type Error = anyhow::Error;

    fn try_from(v: VersionEntry) -> anyhow::Result<Version> {
        let family = Family::parse(&v.family)
            .with_context(|| format!("{}: unknown family {:?}", v.slug, v.family))?;
        let (seats, campus_wide) = match v.seats {
            None => (None, false),
            Some(toml::Value::String(s)) if s == "campus" => (None, true),
            Some(toml::Value::Integer(n)) if n > 0 => (Some(n), false),
            Some(other) => bail!(
                "{}: seats must be \"campus\" or a positive number, got {other}",
                v.slug
            ),
        };
        let covers = Covers::from_ids(v.covers.iter().map(String::as_str))
            .map_err(|id| anyhow::anyhow!("{}: {id} is not in the product table", v.slug))?;
        if !covers.fits(family) {
            bail!("{}: a {family} version cannot cover {:?}", v.slug, v.covers);
        }
        if !covers.is_empty() {
            protocol::products::check_set(covers.products().iter().copied())
                .map_err(|problem| anyhow::anyhow!("{}: covers {problem}", v.slug))?;
        }
        let term_start = v.term_start.as_deref().map(roc).transpose()?;
        let term_end = v.term_end.as_deref().map(roc).transpose()?;
        Ok(Version {
            slug: v.slug,
            name_zh: v.name_zh,
            name_en: v.name_en,
            family,
            seats,
            campus_wide,
            term_start,
            term_end,
            kms_activated: v.kms,
            has_tutorial: v.tutorial,
            covers,
            edition_upgrade: v.edition_upgrade,
        })
    }
}

fn roc(text: &str) -> anyhow::Result<Date> {
    parse_roc_date(text).with_context(|| format!("{text:?} is not a ROC date like 106/03/01"))
}

fn parse_tutorial(slug: &'static str, lang: Lang, text: &str) -> anyhow::Result<Tutorial> {
    let text = text.trim_start_matches('\u{feff}');
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let Some(title) = first.strip_prefix("# ") else {
        bail!("the first line must be the title, as `# Title`");
    };
    Ok(Tutorial {
        slug,
        lang,
        title: title.trim().to_owned(),
        body_md: rest.trim().to_owned(),
    })
}

fn check_error_code(error: &ErrorCode) -> anyhow::Result<()> {
    if normalise_error_code(&error.code).as_deref() != Some(error.code.as_str()) {
        bail!("code must be written as 0x and eight upper-case hex digits");
    }
    if error.applies_to.is_empty()
        || !error
            .applies_to
            .iter()
            .all(|a| a == "windows" || a == "office")
    {
        bail!("applies_to must list windows and/or office");
    }
    for text in [&error.zh, &error.en] {
        if [&text.title, &text.message, &text.cause, &text.remedy]
            .iter()
            .any(|t| t.trim().is_empty())
        {
            bail!("every language needs a title, message, cause and remedy");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn default_content_loads() {
        let content = DefaultContent::load().unwrap();
        assert_eq!(content.catalog_as_of, date!(2018 - 10 - 22));
        assert_eq!(content.tutorials.len(), 4);
        assert!(content.error_codes.len() >= 16);
    }
}
