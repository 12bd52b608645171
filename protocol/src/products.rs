//! The product table: every Microsoft volume product with a published KMS client setup key
//! (GVLK), as data in `protocol/products.toml`, and the pure rules that recognise one on a
//! PC.
//!
//! A catalogue version covers some of these products (staff choose them in `/admin`); its
//! download carries exactly those entries in `activator.toml`, so the activator needs no
//! table of its own and a product added here is offered without a new activator. Each
//! entry says how a PC shows it: Windows by its version, build and the registry's
//! `EditionID`; Office, Project and Visio by the licence family `ospp.vbs /dstatus` prints
//! (`Office 16, Office16ProjectStdVL_KMS_Client edition`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::Violation;

/// One product of the table, as the table and `activator.toml` write it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// A stable identifier, e.g. `windows-11-education`; what catalogue versions store.
    pub id: String,
    /// The name Microsoft gives it, e.g. `Windows 11 Education`.
    pub name: String,
    /// The release it belongs to, e.g. `Windows 11` or `Office LTSC 2024`: how `/admin`
    /// groups the table.
    pub release: String,
    /// The published KMS client setup key.
    pub key: String,
    /// The KMS host count it adds to.
    pub kms: KmsGroup,
    /// How Windows shows it (Windows entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows: Option<WindowsMatch>,
    /// How Office shows it (Office, Project and Visio entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<OfficeMatch>,
}

/// The KMS host's counts: a client activates once its count reaches the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KmsGroup {
    /// Windows client editions: activate once the host has seen 25 Windows machines.
    WindowsClient,
    /// Windows Server: counted with the Windows clients, activates from 5.
    WindowsServer,
    /// Office, Project and Visio: a count of their own, activates from 5.
    Office,
}

/// How a Windows edition shows itself.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsMatch {
    /// `major.minor` from the kernel: `10.0` for Windows 10, 11 and Server 2016 on, `6.3`
    /// for 8.1 and Server 2012 R2, `6.2` for 8 and 2012, `6.1` for 7 and 2008 R2.
    pub version: String,
    /// The first build of the release (inclusive); 0 for any.
    #[serde(default)]
    pub from_build: u32,
    /// The first build that is no longer this release, if a later one shares the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_build: Option<u32>,
    /// The registry's `EditionID` values of this edition, e.g. `["Education"]`.
    pub editions: Vec<String>,
    /// Editions that installing this edition's key upgrades in place (Windows 10 and 11
    /// turn a Professional PC into Education or Enterprise by its key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upgrade_from: Vec<String>,
}

/// How an Office, Project or Visio product shows itself.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeMatch {
    /// The folder of its `ospp.vbs` under `Microsoft Office` (or Click-to-Run's `root`):
    /// `Office14` (2010), `Office15` (2013), `Office16` (2016 and every later release).
    pub folder: String,
    /// The licence family of its KMS client licence, as `/dstatus` prints it in
    /// `LICENSE NAME`, e.g. `Office21ProPlus2021VL_KMS_Client_AE`.
    pub licence: String,
    /// Its Click-to-Run product id (`ProductReleaseIds`), e.g. `ProPlus2021Volume`, for
    /// releases installed that way (2019 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c2r: Option<String>,
    /// Other products (licence families without their channel) that a volume installation
    /// of this one may show: Visio 2010's volume media install Premium's licence for every
    /// edition, so a Visio Standard 2010 PC shows `OfficeVisioPrem`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installed_as: Vec<String>,
}

/// What a Windows PC says of itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowsPc<'a> {
    /// Major version from the kernel.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Build number.
    pub build: u32,
    /// The registry's `EditionID`.
    pub edition: &'a str,
}

/// The product table: `products.toml`, parsed once.
pub static TABLE: LazyLock<Vec<Product>> = LazyLock::new(|| {
    parse_table(include_str!("../products.toml")).unwrap_or_else(|violation| {
        // The file is compiled in and checked by the tests below: this cannot happen in a
        // build that passed them.
        panic!("protocol/products.toml: {violation}")
    })
});

/// The table product with this id.
pub fn find(id: &str) -> Option<&'static Product> {
    TABLE.iter().find(|p| p.id == id)
}

/// Parses and checks a product table.
pub fn parse_table(text: &str) -> Result<Vec<Product>, Violation> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        product: Vec<Product>,
    }
    let file: File =
        toml::from_str(text).map_err(|e| Violation::new("product", e.message().to_owned()))?;
    for (i, product) in file.product.iter().enumerate() {
        product
            .validate()
            .map_err(|v| Violation::new(format!("product[{i}].{}", v.field), v.message))?;
        if file.product[..i].iter().any(|p| p.id == product.id) {
            return Err(Violation::new(
                format!("product[{i}].id"),
                format!("{} is listed twice", product.id),
            ));
        }
    }
    Ok(file.product)
}

impl Product {
    /// Checks one entry: its id and key, and exactly one way to recognise it.
    pub fn validate(&self) -> Result<(), Violation> {
        if !crate::is_slug(&self.id) {
            return Err(Violation::new(
                "id",
                "must be lower-case letters, digits and hyphens",
            ));
        }
        let text_ok =
            |s: &str| (1..=120).contains(&s.chars().count()) && !s.chars().any(char::is_control);
        if !text_ok(&self.name) || !text_ok(&self.release) {
            return Err(Violation::new("name", "must be 1 to 120 characters"));
        }
        if !is_product_key(&self.key) {
            return Err(Violation::new(
                "key",
                "must be five groups of five letters or digits",
            ));
        }
        match (&self.windows, &self.office) {
            (Some(windows), None) => windows.validate(self.kms),
            (None, Some(office)) => office.validate(self.kms),
            _ => Err(Violation::new(
                "windows",
                "give exactly one of `windows` and `office`",
            )),
        }
    }

    /// Whether Windows' `slmgr.vbs` activates it (else Office's `ospp.vbs`).
    pub fn is_windows(&self) -> bool {
        self.windows.is_some()
    }

    /// The last five characters of its key, as the scripts show an installed key.
    pub fn key_last5(&self) -> &str {
        &self.key[self.key.len().saturating_sub(5)..]
    }
}

impl KmsGroup {
    /// How many machines the KMS host must count before it activates this group's clients.
    pub fn threshold(self) -> u32 {
        match self {
            KmsGroup::WindowsClient => 25,
            KmsGroup::WindowsServer | KmsGroup::Office => 5,
        }
    }
}

impl WindowsMatch {
    /// Whether the PC runs this edition.
    pub fn matches(&self, pc: WindowsPc<'_>) -> bool {
        self.runs_on(pc)
            && self
                .editions
                .iter()
                .any(|e| e.eq_ignore_ascii_case(pc.edition))
    }

    /// Whether installing this edition's key would upgrade the PC's edition in place.
    pub fn upgrades(&self, pc: WindowsPc<'_>) -> bool {
        self.runs_on(pc)
            && self
                .upgrade_from
                .iter()
                .any(|e| e.eq_ignore_ascii_case(pc.edition))
    }

    /// Whether the PC's version and build are this release's.
    pub fn runs_on(&self, pc: WindowsPc<'_>) -> bool {
        self.version_numbers() == Some((pc.major, pc.minor))
            && pc.build >= self.from_build
            && self.until_build.is_none_or(|until| pc.build < until)
    }

    /// `version` as numbers.
    pub fn version_numbers(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.version.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    fn validate(&self, kms: KmsGroup) -> Result<(), Violation> {
        if kms == KmsGroup::Office {
            return Err(Violation::new("kms", "a Windows edition counts as Windows"));
        }
        if self.version_numbers().is_none() {
            return Err(Violation::new("windows.version", "must be major.minor"));
        }
        if self
            .until_build
            .is_some_and(|until| until <= self.from_build)
        {
            return Err(Violation::new(
                "windows.until_build",
                "must be after from_build",
            ));
        }
        let edition_ok = |e: &String| {
            (1..=40).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if self.editions.is_empty()
            || !self.editions.iter().all(edition_ok)
            || !self.upgrade_from.iter().all(edition_ok)
        {
            return Err(Violation::new(
                "windows.editions",
                "must list EditionID values (letters and digits)",
            ));
        }
        Ok(())
    }
}

impl OfficeMatch {
    /// Whether a licence family from `/dstatus` is this product's, in any channel
    /// (its KMS client licence, a MAK, retail, a trial or a grace licence).
    pub fn is_same_product(&self, family: &str) -> bool {
        office_stem(family) == office_stem(&self.licence)
    }

    /// Whether a licence family is one a volume installation of this product may show
    /// instead of its own ([`OfficeMatch::installed_as`]).
    pub fn is_installed_as(&self, family: &str) -> bool {
        let stem = office_stem(family);
        self.installed_as.iter().any(|other| other == stem)
    }

    fn validate(&self, kms: KmsGroup) -> Result<(), Violation> {
        if kms != KmsGroup::Office {
            return Err(Violation::new(
                "kms",
                "Office, Project and Visio count as office",
            ));
        }
        if !["Office14", "Office15", "Office16"].contains(&self.folder.as_str()) {
            return Err(Violation::new(
                "office.folder",
                "must be Office14, Office15 or Office16",
            ));
        }
        let family_ok = |s: &str| {
            (1..=80).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
        };
        if !family_ok(&self.licence) || office_stem(&self.licence) == self.licence {
            return Err(Violation::new(
                "office.licence",
                "must be a licence family such as Office16ProPlusVL_KMS_Client",
            ));
        }
        if !self.installed_as.iter().all(|stem| family_ok(stem)) {
            return Err(Violation::new(
                "office.installed_as",
                "must list licence families without their channel",
            ));
        }
        if self.c2r.as_deref().is_some_and(|id| !family_ok(id)) {
            return Err(Violation::new(
                "office.c2r",
                "must be a Click-to-Run product id",
            ));
        }
        Ok(())
    }
}

/// Why a set of table products cannot be one version's: one activator run activates
/// Windows, or the Office products of one `ospp.vbs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetProblem {
    /// No product at all.
    Empty,
    /// More than [`crate::config::MAX_COVERED`].
    TooMany,
    /// The same product twice.
    Twice(String),
    /// Windows and Office together.
    WindowsAndOffice,
    /// Office products of different folders (`Office15` and `Office16`).
    OfficeFolders,
}

impl std::fmt::Display for SetProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetProblem::Empty => f.write_str("must list at least one product"),
            SetProblem::TooMany => write!(
                f,
                "must list at most {} products",
                crate::config::MAX_COVERED
            ),
            SetProblem::Twice(id) => write!(f, "lists {id} twice"),
            SetProblem::WindowsAndOffice => f.write_str("must be all Windows or all Office"),
            SetProblem::OfficeFolders => {
                f.write_str("Office products must share one release folder (Office14, 15 or 16)")
            }
        }
    }
}

/// Checks that `products` can be covered by one version, and so by one activator run.
pub fn check_set<'a>(products: impl Iterator<Item = &'a Product>) -> Result<(), SetProblem> {
    let products: Vec<&Product> = products.collect();
    let Some(first) = products.first() else {
        return Err(SetProblem::Empty);
    };
    if products.len() > crate::config::MAX_COVERED {
        return Err(SetProblem::TooMany);
    }
    for (i, product) in products.iter().enumerate() {
        if products[..i].iter().any(|p| p.id == product.id) {
            return Err(SetProblem::Twice(product.id.clone()));
        }
        if product.is_windows() != first.is_windows() {
            return Err(SetProblem::WindowsAndOffice);
        }
        let folder = |p: &Product| p.office.as_ref().map(|o| o.folder.clone());
        if folder(product) != folder(first) {
            return Err(SetProblem::OfficeFolders);
        }
    }
    Ok(())
}

/// The licence family in an Office `LICENSE NAME`: `Office 16, Office16ProPlusVL_KMS_Client
/// edition` → `Office16ProPlusVL_KMS_Client`. A name without that shape is answered whole.
pub fn licence_family(licence_name: &str) -> &str {
    let name = licence_name.trim();
    let after_release = name.split_once(", ").map_or(name, |(_, rest)| rest);
    after_release
        .strip_suffix(" edition")
        .unwrap_or(after_release)
        .trim()
}

/// The product a licence family belongs to, without its channel: the part before the
/// first `_` or `-`, less a trailing `VL` (volume) or `R` (retail, trial, grace,
/// subscription). `Office16ProPlusVL_KMS_Client`, `Office16ProPlusVL_MAK` and
/// `Office16ProPlusR_Retail` are all `Office16ProPlus`; Office 2010's
/// `OfficeProPlus-KMS_Client` is `OfficeProPlus`.
pub fn office_stem(family: &str) -> &str {
    let head = family.find(['_', '-']).map_or(family, |at| &family[..at]);
    head.strip_suffix("VL")
        .or_else(|| head.strip_suffix('R'))
        .unwrap_or(head)
}

/// A product key's shape: five groups of five upper-case letters or digits.
pub fn is_product_key(key: &str) -> bool {
    let groups: Vec<&str> = key.split('-').collect();
    groups.len() == 5
        && groups.iter().all(|g| {
            g.len() == 5
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests;
