//! The wire contract between the activator and the portal, and nothing else.
//!
//! - [`config`]: `activator.toml`, which the portal writes into each download and the
//!   activator reads beside its executable;
//! - [`errors`]: `errors.toml`, the portal's texts for each error code, also in each
//!   download;
//! - [`report`]: the JSON report the activator posts to `POST /api/v1/reports`, with the
//!   one validation both sides apply (the activator before sending, the portal on receipt);
//! - [`products`]: the product table (`products.toml`): every volume product with a
//!   published KMS client setup key and how a PC shows it; a download's `activator.toml`
//!   carries the entries its version covers.
//!
//! Versioned: every document carries `schema`; a change that an older reader cannot
//! understand gets a new number. Strict: unknown fields are errors.

pub mod config;
pub mod errors;
pub mod products;
pub mod report;

/// The report schema this crate reads and writes (`activator.toml` has its own,
/// [`config::SCHEMA`]).
pub const SCHEMA: u32 = 1;

/// A rejected field: which one, and why (in English, shown to API clients).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The field's path, e.g. `products[1].key_last5`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl Violation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Violation {}

/// Checks a catalogue slug: 1 to 80 lower-case ASCII letters, digits and hyphens.
pub fn is_slug(value: &str) -> bool {
    (1..=80).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Normalises an activation error code as Windows prints it (`0xC004F074`, `0xc004f074`,
/// `C004F074`) to the canonical `0xC004F074`; `None` unless it is eight hex digits.
pub fn normalise_error_code(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    (digits.len() == 8 && digits.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("0x{}", digits.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_normalise() {
        let cases = [
            ("0xC004F074", Some("0xC004F074")),
            ("c004f074", Some("0xC004F074")),
            ("0Xc004f074", Some("0xC004F074")),
            (" 0x8007232b ", Some("0x8007232B")),
            ("0xC004F07", None),
            ("0xC004F0744", None),
            ("0xG004F074", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_error_code(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn slugs() {
        for ok in ["office-2019-proplus", "a", "windows-7-enterprise"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "Office", "a b", "a/b", &"a".repeat(81)] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
