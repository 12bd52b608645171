//! Markdown to safe HTML, with the configured values filled in.
//!
//! Tutorials and error texts are stored as Markdown with placeholders such as
//! `{{kms_host}}`, so that changing the KMS host in the configuration changes every page
//! at once. The HTML is always sanitised: stored Markdown is edited by staff, but a page
//! must stay safe even if an account is misused.

use std::sync::LazyLock;

use protocol::products;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::lang::Lang;

/// The values a Markdown body may refer to, as `{{name}}`.
#[derive(Clone, Debug)]
pub struct Placeholders {
    /// `(name, value)` pairs; names without the braces.
    pub values: Vec<(&'static str, String)>,
}

/// The names a body may use; anything else in double braces is left as written.
pub const PLACEHOLDER_NAMES: [&str; 6] = [
    "kms_host",
    "kms_port",
    "institution",
    "it_office",
    "windows_keys",
    "office_keys",
];

impl Placeholders {
    /// Replaces every known `{{name}}` in `text`.
    pub fn fill(&self, text: &str) -> String {
        if !text.contains("{{") {
            return text.to_owned();
        }
        let mut out = text.to_owned();
        for (name, value) in &self.values {
            out = out.replace(&format!("{{{{{name}}}}}"), value);
        }
        out
    }
}

/// A second-level heading, for a page's table of contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// The anchor the heading carries after sanitising, e.g. `md-section-2`.
    pub id: String,
    /// The heading's text.
    pub text: String,
}

/// Renders `markdown` (after filling placeholders) to sanitised HTML.
pub fn render(markdown: &str, placeholders: &Placeholders) -> String {
    render_with_contents(markdown, placeholders).0
}

/// Renders `markdown` like [`render`], giving each `##` heading an anchor, and returns
/// those headings for a table of contents.
pub fn render_with_contents(markdown: &str, placeholders: &Placeholders) -> (String, Vec<Heading>) {
    let filled = placeholders.fill(markdown);
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut headings: Vec<Heading> = Vec::new();
    let mut in_heading = false;
    let events = Parser::new_ext(&filled, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level: HeadingLevel::H2,
            classes,
            attrs,
            ..
        }) => {
            in_heading = true;
            let id = format!("section-{}", headings.len() + 1);
            headings.push(Heading {
                id: format!("md-{id}"),
                text: String::new(),
            });
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                id: Some(CowStr::from(id)),
                classes,
                attrs,
            })
        }
        Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
            in_heading = false;
            event
        }
        Event::Text(ref text) | Event::Code(ref text) if in_heading => {
            if let Some(heading) = headings.last_mut() {
                heading.text.push_str(text);
            }
            event
        }
        other => other,
    });
    let mut unsafe_html = String::with_capacity(filled.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    (SANITIZER.clean(&unsafe_html).to_string(), headings)
}

/// Renders a one-line Markdown fragment without the surrounding paragraph.
pub fn render_inline(markdown: &str, placeholders: &Placeholders) -> String {
    let html = render(markdown, placeholders);
    let trimmed = html.trim();
    trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .filter(|inner| !inner.contains("<p>"))
        .map_or_else(|| trimmed.to_owned(), str::to_owned)
}

/// The sanitiser: ammonia's safe defaults, links marked as leaving the site.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener noreferrer"));
    // Anchors for the table of contents; written by us, but prefixed anyway so that no
    // stored id can clash with the page's own.
    builder.add_tag_attributes("h2", ["id"]);
    builder.id_prefix(Some("md-"));
    builder
});

/// A Markdown table of the product table's KMS client setup keys, Windows or Office, for
/// the tutorials' `{{windows_keys}}` and `{{office_keys}}`: one source for the keys the
/// activator installs and the keys people type.
pub fn key_table(windows: bool, lang: Lang) -> String {
    let mut table = format!(
        "| {} | {} |\n| --- | --- |\n",
        lang.pick("產品", "Product"),
        lang.pick("KMS 用戶端安裝金鑰（GVLK）", "KMS client setup key (GVLK)")
    );
    for product in products::TABLE.iter().filter(|p| p.is_windows() == windows) {
        table.push_str(&format!("| {} | `{}` |\n", product.name, product.key));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders() -> Placeholders {
        Placeholders {
            values: vec![
                ("kms_host", "kms.example.edu".to_owned()),
                ("kms_port", "1688".to_owned()),
            ],
        }
    }

    #[test]
    fn placeholders_are_filled_in_code_blocks_and_text() {
        let html = render(
            "Host {{kms_host}}\n\n```\ncscript ospp.vbs /sethst:{{kms_host}}\n```",
            &placeholders(),
        );
        assert!(html.contains("Host kms.example.edu"), "{html}");
        assert!(html.contains("/sethst:kms.example.edu"), "{html}");
        assert!(!html.contains("{{"), "{html}");
    }

    #[test]
    fn unknown_placeholders_stay_as_written() {
        assert_eq!(placeholders().fill("{{nope}}"), "{{nope}}");
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let hostile =
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))";
        let html = render(hostile, &placeholders());
        for bad in ["<script", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn tables_render() {
        let html = render("| a | b |\n|---|---|\n| 1 | 2 |", &placeholders());
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
    }

    #[test]
    fn second_level_headings_get_anchors_and_contents() {
        let (html, headings) = render_with_contents(
            "# Title\n\n## First `step`\n\ntext\n\n## Second\n",
            &placeholders(),
        );
        assert_eq!(headings.len(), 2);
        assert_eq!(headings[0].text, "First step");
        assert!(html.contains(r#"<h2 id="md-section-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="md-section-2">"#), "{html}");
    }

    #[test]
    fn inline_drops_the_paragraph() {
        assert_eq!(
            render_inline("**bold**", &placeholders()),
            "<strong>bold</strong>"
        );
    }

    #[test]
    fn key_tables_list_every_product_once() {
        let windows = key_table(true, Lang::En);
        assert!(windows.contains("| Windows 11 Education | `NW6C2-QMPVW-D7KKK-3GKT6-VCFB2` |"));
        assert!(!windows.contains("Office"));
        let office = key_table(false, Lang::ZhTw);
        assert!(office.starts_with("| 產品 |"));
        assert_eq!(
            office.lines().count() - 2,
            products::TABLE.iter().filter(|p| !p.is_windows()).count()
        );
    }
}
