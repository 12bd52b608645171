//! The counts the KMS host keeps, by group, with their activation thresholds.

use serde::Serialize;

use crate::lang::Lang;

/// A count the KMS host keeps: it activates a group's clients once it has seen the
/// group's threshold of distinct machines within 30 days. Serialised as its identifier
/// ([`KmsGroup::as_str`]), which `kms_seen_days.kms_group` stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KmsGroup {
    /// Windows clients: 25 machines.
    Windows,
    /// Office, Project and Visio, counted together: 5 machines.
    Office,
}

impl KmsGroup {
    /// Both groups, Windows first.
    pub const ALL: [KmsGroup; 2] = [KmsGroup::Windows, KmsGroup::Office];

    /// The identifier stored in `kms_seen_days`.
    pub fn as_str(self) -> &'static str {
        match self {
            KmsGroup::Windows => "windows",
            KmsGroup::Office => "office",
        }
    }

    /// Its name on pages and in mail.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            KmsGroup::Windows => lang.pick("Windows 用戶端", "Windows clients"),
            KmsGroup::Office => lang.pick("Office、Project、Visio", "Office, Project, Visio"),
        }
    }

    /// Distinct machines the KMS host must have seen before it activates this group.
    pub fn threshold(self) -> i64 {
        match self {
            KmsGroup::Windows => 25,
            KmsGroup::Office => 5,
        }
    }
}

impl TryFrom<String> for KmsGroup {
    type Error = String;

    /// Reads a stored identifier.
    fn try_from(value: String) -> Result<KmsGroup, String> {
        KmsGroup::ALL
            .into_iter()
            .find(|g| g.as_str() == value)
            .ok_or_else(|| format!("unknown KMS group {value:?}"))
    }
}
