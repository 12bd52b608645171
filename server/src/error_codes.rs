//! What kind of problem an activation error code is. The error-code pages, their editor,
//! the default content and the database share this one list (the table's check allows no
//! other). Codes themselves are written as `protocol::normalise_error_code` writes them.

use serde::Deserialize;

use crate::lang::Lang;

/// The area an error code's problem is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCategory {
    /// Not run as administrator, or a policy forbids it.
    Permission,
    /// The KMS host cannot be reached.
    Network,
    /// The PC's clock or time zone.
    Time,
    /// The KMS host answers, but will not activate (yet).
    KmsHost,
    /// The product key.
    Key,
    /// The edition installed is not one the licence covers.
    Edition,
    /// Anything about the installation itself.
    #[default]
    Installation,
}

impl ErrorCategory {
    /// Every category, in the order the editor offers them.
    pub const ALL: [ErrorCategory; 7] = [
        ErrorCategory::Permission,
        ErrorCategory::Network,
        ErrorCategory::Time,
        ErrorCategory::KmsHost,
        ErrorCategory::Key,
        ErrorCategory::Edition,
        ErrorCategory::Installation,
    ];

    /// The identifier stored in `error_codes.category` and written in `errors.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Permission => "permission",
            ErrorCategory::Network => "network",
            ErrorCategory::Time => "time",
            ErrorCategory::KmsHost => "kms-host",
            ErrorCategory::Key => "key",
            ErrorCategory::Edition => "edition",
            ErrorCategory::Installation => "installation",
        }
    }

    /// Reads an identifier written by [`ErrorCategory::as_str`].
    pub fn parse(value: &str) -> Option<ErrorCategory> {
        ErrorCategory::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// The category's name as shown to people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ErrorCategory::Permission => lang.pick("權限", "Permissions"),
            ErrorCategory::Network => lang.pick("網路連線", "Network"),
            ErrorCategory::Time => lang.pick("日期與時間", "Date and time"),
            ErrorCategory::KmsHost => lang.pick("KMS 主機", "KMS host"),
            ErrorCategory::Key => lang.pick("產品金鑰", "Product key"),
            ErrorCategory::Edition => lang.pick("軟體版本", "Edition"),
            ErrorCategory::Installation => lang.pick("安裝", "Installation"),
        }
    }
}

impl TryFrom<String> for ErrorCategory {
    type Error = String;

    /// Decodes a stored category.
    fn try_from(value: String) -> Result<ErrorCategory, String> {
        ErrorCategory::parse(&value).ok_or_else(|| format!("unknown error category {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_read_back_as_written() {
        for category in ErrorCategory::ALL {
            assert_eq!(ErrorCategory::parse(category.as_str()), Some(category));
            let toml: ErrorCategory =
                serde_json::from_value(serde_json::json!(category.as_str())).unwrap();
            assert_eq!(toml, category);
        }
        assert_eq!(ErrorCategory::parse("printer"), None);
    }
}
