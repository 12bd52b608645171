//! The activation report: what the activator found, did and saw, posted as JSON to
//! `POST {portal_url}/api/v1/reports` with `Authorization: Bearer {download_token}`.
//!
//! `report_id` is the idempotency key: the activator keeps an unsent report on disk and
//! sends the same id again until the portal acknowledges it, and the portal stores each
//! id once. [`Report::validate`] is the one set of rules both sides apply.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{SCHEMA, Violation, is_slug, normalise_error_code};

mod whole;

/// The largest report body the portal accepts, in bytes: more than any report within
/// the schema's limits can take (16 findings and 16 products with every text at its
/// longest, in four-byte characters, is under 70 KB; a real one is 1 to 3 KB).
pub const MAX_REPORT_BYTES: usize = 96 * 1024;
/// At most this many preflight findings.
pub const MAX_FINDINGS: usize = 16;
/// At most this many product results.
pub const MAX_PRODUCTS: usize = 16;

/// One run of the activator on one PC.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Schema number; [`SCHEMA`].
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1))]
    #[serde(deserialize_with = "whole::u32")]
    pub schema: u32,
    /// A UUID (lower-case, hyphenated) chosen by the activator; the idempotency key.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub report_id: String,
    /// The activator's version, e.g. `0.1.0`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9.+-]{1,32}$")
    )]
    pub activator_version: String,
    /// The catalogue slug of the download, e.g. `office-2019-proplus`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 80, pattern = r"^[a-z0-9-]{1,80}$")
    )]
    pub product: String,
    /// When the run started, by the PC's own clock (which may be wrong: a wrong clock is
    /// a reason activation fails).
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// How long the run took, in milliseconds.
    #[cfg_attr(feature = "openapi", schema(maximum = 86_400_000))]
    #[serde(deserialize_with = "whole::u64")]
    pub duration_ms: u64,
    /// Facts about the PC.
    pub machine: Machine,
    /// One finding per preflight check, in the order they ran.
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub findings: Vec<Finding>,
    /// One result per product the activation touched.
    #[cfg_attr(feature = "openapi", schema(max_items = 16))]
    pub products: Vec<ProductResult>,
    /// The run as a whole.
    pub outcome: Outcome,
    /// An activation run (the default, left out of the JSON) or a status run
    /// (`--status`: the licence state read, nothing changed).
    #[serde(default, skip_serializing_if = "RunKind::is_activation")]
    pub kind: RunKind,
}

/// What a run did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// It activated (or tried to): products are what it activated, the outcome how.
    #[default]
    Activation,
    /// It read the licence state only: products are the licences found, `activated`
    /// meaning licensed, `failed` not licensed; the outcome `success` when every one is
    /// licensed.
    Status,
}

impl RunKind {
    /// The identifier used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Activation => "activation",
            RunKind::Status => "status",
        }
    }

    /// Whether it is [`RunKind::Activation`] (which the JSON leaves out).
    pub fn is_activation(&self) -> bool {
        *self == RunKind::Activation
    }
}

/// The longest a KMS activation lasts before it must be renewed: 180 days, in minutes.
/// A status run's remaining grace is at most this.
pub const KMS_VALIDITY_MINUTES: u64 = 180 * 24 * 60;

/// Facts about the PC; nothing that identifies a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// SHA-256 (64 lower-case hex digits) of the Windows machine GUID and a fixed salt.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9a-f]{64}$"))]
    pub id: String,
    /// Windows version as `major.minor.build`, e.g. `10.0.19045`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = r"^[0-9.]{3,32}$")
    )]
    pub os_version: String,
    /// Windows edition as the registry's `EditionID` names it, e.g. `Enterprise`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 64, pattern = r"^[A-Za-z0-9 _-]{0,64}$")
    )]
    pub os_edition: String,
    /// `x64`, `x86` or `arm64`.
    pub architecture: Architecture,
    /// The user-interface language, BCP 47, e.g. `zh-TW`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 2, max_length = 35, pattern = r"^[A-Za-z0-9-]{2,35}$")
    )]
    pub ui_language: String,
    /// The PC's offset from UTC at the time of the run, in minutes.
    #[cfg_attr(feature = "openapi", schema(minimum = -840, maximum = 840))]
    #[serde(deserialize_with = "whole::i32")]
    pub utc_offset_minutes: i32,
}

/// The processor architecture Windows runs on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// 64-bit x86.
    X64,
    /// 32-bit x86.
    X86,
    /// 64-bit ARM.
    Arm64,
}

impl Architecture {
    /// Every architecture.
    pub const ALL: [Architecture; 3] = [Architecture::X64, Architecture::X86, Architecture::Arm64];

    /// The identifier used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X64 => "x64",
            Architecture::X86 => "x86",
            Architecture::Arm64 => "arm64",
        }
    }
}

impl TryFrom<String> for Architecture {
    type Error = String;

    /// Reads an identifier written by [`Architecture::as_str`].
    fn try_from(value: String) -> Result<Architecture, String> {
        Architecture::ALL
            .into_iter()
            .find(|a| a.as_str() == value)
            .ok_or_else(|| format!("unknown architecture {value:?}"))
    }
}

/// The result of one preflight check.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Which check.
    pub check: Check,
    /// How it went.
    pub status: FindingStatus,
    /// The activation error code this finding predicts or explains, if any.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^0x[0-9A-F]{8}$"))]
    pub error_code: Option<String>,
    /// What was seen, in English, at most 500 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F]{0,500}$"
        )
    )]
    pub detail: String,
}

/// The preflight checks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Running with administrator rights.
    Elevated,
    /// The PC's clock and time zone against the portal's clock.
    Clock,
    /// A TCP connection to the KMS host.
    KmsReachable,
    /// The product (and its activation script) is installed, and is the downloaded version.
    ProductInstalled,
    /// No retail, trial or subscription Office licence blocks the volume licence.
    ConflictingLicences,
}

/// How a check went.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// All well.
    Pass,
    /// A risk, but activation was tried.
    Warn,
    /// Activation cannot succeed until this is fixed.
    Fail,
}

/// What happened to one product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductResult {
    /// The licence's SKU ID (a GUID).
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
        )
    )]
    pub sku_id: String,
    /// `LICENSE NAME` (Office) or the licence name (Windows).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]{1,200}$"
        )
    )]
    pub license_name: String,
    /// `LICENSE DESCRIPTION`: includes the channel, e.g. `VOLUME_KMSCLIENT channel`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]{0,200}$")
    )]
    pub license_description: String,
    /// The last five characters of the installed product key.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9]{5}$"))]
    pub key_last5: Option<String>,
    /// How activation went for it.
    pub outcome: ProductOutcome,
    /// The error code, when it failed.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^0x[0-9A-F]{8}$"))]
    pub error_code: Option<String>,
    /// In a status run, the minutes left before the licence must be renewed (a KMS
    /// client's validity, or a grace period), when the scripts told.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole::option_u64"
    )]
    #[cfg_attr(feature = "openapi", schema(maximum = 260_640))]
    pub grace_minutes: Option<u64>,
    /// In a status run, the KMS host the licence was last renewed with (`host:port`),
    /// when the scripts told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 3,
            max_length = 260,
            pattern = r"^[A-Za-z0-9.:\[\]-]{3,260}$"
        )
    )]
    pub kms_host: Option<String>,
}

/// How activation went for one product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductOutcome {
    /// Activated.
    Activated,
    /// Activation failed with an error code.
    Failed,
}

/// How the run went as a whole.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every product touched was activated.
    Success,
    /// Some products were activated, some were not.
    Partial,
    /// Activation ran, and nothing was activated.
    Failure,
    /// A preflight check failed, so activation was not tried.
    Aborted,
}

impl TryFrom<String> for Outcome {
    type Error = String;

    /// Reads an identifier written by [`Outcome::as_str`] (as the portal's database keeps it).
    fn try_from(value: String) -> Result<Outcome, String> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == value)
            .ok_or_else(|| format!("unknown outcome {value:?}"))
    }
}

impl Outcome {
    /// The identifier used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Partial => "partial",
            Outcome::Failure => "failure",
            Outcome::Aborted => "aborted",
        }
    }

    /// Every outcome.
    pub const ALL: [Outcome; 4] = [
        Outcome::Success,
        Outcome::Partial,
        Outcome::Failure,
        Outcome::Aborted,
    ];

    /// The overall outcome of product results, when activation ran.
    pub fn from_products(products: &[ProductResult]) -> Outcome {
        let activated = products
            .iter()
            .filter(|p| p.outcome == ProductOutcome::Activated)
            .count();
        match activated {
            0 => Outcome::Failure,
            n if n == products.len() => Outcome::Success,
            _ => Outcome::Partial,
        }
    }
}

impl Report {
    /// Parses a report body strictly: unknown fields and wrong types are errors.
    pub fn from_json(body: &[u8]) -> Result<Report, Violation> {
        if body.len() > MAX_REPORT_BYTES {
            return Err(Violation::new(
                "",
                format!("the report is larger than {MAX_REPORT_BYTES} bytes"),
            ));
        }
        let report: Report = serde_json::from_slice(body).map_err(|e| {
            let message = e.to_string();
            let field = message
                .split('`')
                .nth(1)
                .filter(|_| {
                    message.starts_with("unknown field") || message.starts_with("missing field")
                })
                .unwrap_or("")
                .to_owned();
            Violation::new(field, message)
        })?;
        report.validate()?;
        Ok(report)
    }

    /// Checks every field's length, range and format, and that the parts agree.
    pub fn validate(&self) -> Result<(), Violation> {
        if self.schema != SCHEMA {
            return Err(Violation::new("schema", format!("must be {SCHEMA}")));
        }
        if !is_uuid(&self.report_id) {
            return Err(Violation::new(
                "report_id",
                "must be a lower-case hyphenated UUID",
            ));
        }
        check_text("activator_version", &self.activator_version, 1, 32, |c| {
            c.is_ascii_alphanumeric() || ".-+".contains(c)
        })?;
        if !is_slug(&self.product) {
            return Err(Violation::new("product", "must be a catalogue slug"));
        }
        // `started_at` is the PC's own clock, any time at all: a PC whose clock reset to
        // 2000 is the one whose activation failed for it, and its report must arrive.
        if self.duration_ms > 24 * 60 * 60 * 1000 {
            return Err(Violation::new("duration_ms", "must be at most one day"));
        }
        self.machine.validate()?;
        if self.findings.len() > MAX_FINDINGS {
            return Err(Violation::new(
                "findings",
                format!("at most {MAX_FINDINGS} entries"),
            ));
        }
        for (i, finding) in self.findings.iter().enumerate() {
            let at = |f: &str| format!("findings[{i}].{f}");
            check_code(&at("error_code"), finding.error_code.as_deref())?;
            check_text(&at("detail"), &finding.detail, 0, 500, |c| {
                !c.is_control() || c == '\n'
            })?;
        }
        if self.products.len() > MAX_PRODUCTS {
            return Err(Violation::new(
                "products",
                format!("at most {MAX_PRODUCTS} entries"),
            ));
        }
        for (i, product) in self.products.iter().enumerate() {
            let at = |f: &str| format!("products[{i}].{f}");
            if !is_guid(&product.sku_id) {
                return Err(Violation::new(at("sku_id"), "must be a GUID"));
            }
            check_text(&at("license_name"), &product.license_name, 1, 200, |c| {
                !c.is_control()
            })?;
            check_text(
                &at("license_description"),
                &product.license_description,
                0,
                200,
                |c| !c.is_control(),
            )?;
            if let Some(last5) = &product.key_last5 {
                check_text(&at("key_last5"), last5, 5, 5, |c| c.is_ascii_alphanumeric())?;
            }
            check_code(&at("error_code"), product.error_code.as_deref())?;
            if let Some(minutes) = product.grace_minutes {
                if self.kind.is_activation() {
                    return Err(Violation::new(
                        at("grace_minutes"),
                        "only a status run reports the grace left",
                    ));
                }
                // A grace period (30 days) or a KMS client's validity (180 days), with a
                // day's slack for rounding.
                if minutes > KMS_VALIDITY_MINUTES + 24 * 60 {
                    return Err(Violation::new(
                        at("grace_minutes"),
                        "must be at most 181 days",
                    ));
                }
            }
            if let Some(host) = &product.kms_host {
                if self.kind.is_activation() {
                    return Err(Violation::new(
                        at("kms_host"),
                        "only a status run reports the KMS host used",
                    ));
                }
                check_text(&at("kms_host"), host, 3, 260, |c| {
                    c.is_ascii_alphanumeric() || ".-:[]".contains(c)
                })?;
            }
            match (product.outcome, &product.error_code) {
                // A licence that is not licensed need not say why (a status run).
                (ProductOutcome::Failed, None) if self.kind.is_activation() => {
                    return Err(Violation::new(
                        at("error_code"),
                        "a failed product needs its error code",
                    ));
                }
                (ProductOutcome::Activated, Some(_)) => {
                    return Err(Violation::new(
                        at("error_code"),
                        "an activated product has no error code",
                    ));
                }
                _ => {}
            }
        }
        let aborted = self
            .findings
            .iter()
            .any(|f| f.status == FindingStatus::Fail);
        let expected = if self.products.is_empty() {
            if aborted {
                Outcome::Aborted
            } else {
                Outcome::Failure
            }
        } else {
            Outcome::from_products(&self.products)
        };
        if self.outcome != expected {
            return Err(Violation::new(
                "outcome",
                format!(
                    "must be {} for these findings and products",
                    expected.as_str()
                ),
            ));
        }
        Ok(())
    }
}

impl Machine {
    fn validate(&self) -> Result<(), Violation> {
        if self.id.len() != 64
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(Violation::new(
                "machine.id",
                "must be 64 lower-case hex digits",
            ));
        }
        check_text("machine.os_version", &self.os_version, 3, 32, |c| {
            c.is_ascii_digit() || c == '.'
        })?;
        check_text("machine.os_edition", &self.os_edition, 0, 64, |c| {
            c.is_ascii_alphanumeric() || " -_".contains(c)
        })?;
        check_text("machine.ui_language", &self.ui_language, 2, 35, |c| {
            c.is_ascii_alphanumeric() || c == '-'
        })?;
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return Err(Violation::new(
                "machine.utc_offset_minutes",
                "must be between -840 and 840",
            ));
        }
        Ok(())
    }
}

/// Checks `value` is `min..=max` characters, each accepted by `allowed`.
fn check_text(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), Violation> {
    let count = value.chars().count();
    if count < min || count > max {
        return Err(Violation::new(
            field,
            format!("must be {min} to {max} characters"),
        ));
    }
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        return Err(Violation::new(field, format!("must not contain {bad:?}")));
    }
    Ok(())
}

/// Checks an optional error code is in canonical form.
fn check_code(field: &str, code: Option<&str>) -> Result<(), Violation> {
    match code {
        Some(code) if normalise_error_code(code).as_deref() != Some(code) => Err(Violation::new(
            field,
            "must be 0x and eight upper-case hex digits",
        )),
        _ => Ok(()),
    }
}

/// A lower-case hyphenated UUID, as the activator writes report ids.
pub fn is_uuid(value: &str) -> bool {
    is_guid_shape(value) && !value.bytes().any(|b| b.is_ascii_uppercase())
}

/// A GUID in either case, as `ospp.vbs` prints SKU IDs.
pub fn is_guid(value: &str) -> bool {
    is_guid_shape(value)
}

fn is_guid_shape(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests;
