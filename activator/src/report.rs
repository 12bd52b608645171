//! Builds the report of a run from what the flow saw, keeping every field within the
//! protocol's limits (what Windows prints is cleaned, not trusted).

use protocol::SCHEMA;
use protocol::report::{Finding, Machine, Outcome, ProductResult, Report, RunKind, is_guid};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::activate::UNKNOWN_SKU;
use crate::system::{Hive, System};

/// Mixed into the machine GUID before hashing, so the id means nothing outside the portal.
const MACHINE_SALT: &str = "campus-license-portal/machine/v1";

/// Everything about a run that goes into its report.
pub struct Run<'a> {
    /// The catalogue slug.
    pub product: &'a str,
    /// When the run started.
    pub started_at: OffsetDateTime,
    /// The preflight findings.
    pub findings: Vec<Finding>,
    /// The product results.
    pub products: Vec<ProductResult>,
    /// The outcome.
    pub outcome: Outcome,
    /// An activation or a status run.
    pub kind: RunKind,
}

/// A fresh report id: a random (version 4) UUID.
pub fn new_report_id(system: &dyn System) -> String {
    let mut bytes = [0_u8; 16];
    if system.random(&mut bytes).is_err() {
        // Without a random source, time and process-local entropy still make a
        // collision between two PCs vanishingly unlikely.
        let now = system.now_utc().unix_timestamp_nanos().to_le_bytes();
        bytes.copy_from_slice(&now[..16]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Builds the report of `run`.
pub fn build(system: &dyn System, report_id: String, run: Run<'_>) -> Report {
    let duration = system.now_utc() - run.started_at;
    Report {
        schema: SCHEMA,
        report_id,
        activator_version: env!("CARGO_PKG_VERSION").to_owned(),
        product: run.product.to_owned(),
        started_at: run.started_at,
        duration_ms: u64::try_from(duration.whole_milliseconds())
            .unwrap_or(0)
            .min(24 * 60 * 60 * 1000),
        machine: machine(system),
        findings: run.findings,
        products: run.products.into_iter().map(clean_product).collect(),
        outcome: run.outcome,
        kind: run.kind,
    }
}

/// The machine facts, hashed and cleaned.
pub fn machine(system: &dyn System) -> Machine {
    let guid = system.machine_guid().unwrap_or_default();
    let id = Sha256::digest(format!(
        "{MACHINE_SALT}:{}",
        guid.trim().to_ascii_lowercase()
    ));
    let version = system.os_version();
    let edition = system
        .registry_string(
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
            "EditionID",
        )
        .unwrap_or_default();
    let language = system.ui_language();
    Machine {
        id: id.iter().map(|b| format!("{b:02x}")).collect(),
        os_version: format!("{}.{}.{}", version.major, version.minor, version.build),
        os_edition: keep(&edition, 64, |c| {
            c.is_ascii_alphanumeric() || " -_".contains(c)
        }),
        architecture: system.platform().native,
        ui_language: Some(keep(&language, 35, |c| {
            c.is_ascii_alphanumeric() || c == '-'
        }))
        .filter(|l| l.len() >= 2)
        .unwrap_or_else(|| "und".to_owned()),
        utc_offset_minutes: i32::from(system.local_offset().whole_minutes()).clamp(-840, 840),
    }
}

fn clean_product(product: ProductResult) -> ProductResult {
    let name = keep(&product.license_name, 200, |c| !c.is_control());
    ProductResult {
        sku_id: if is_guid(&product.sku_id) {
            product.sku_id
        } else {
            UNKNOWN_SKU.to_owned()
        },
        license_name: if name.is_empty() {
            "(unnamed)".to_owned()
        } else {
            name
        },
        license_description: keep(&product.license_description, 200, |c| !c.is_control()),
        key_last5: product
            .key_last5
            .filter(|k| k.len() == 5 && k.chars().all(|c| c.is_ascii_alphanumeric())),
        ..product
    }
}

/// The characters of `text` that `allowed` accepts, at most `max` of them, trimmed.
fn keep(text: &str, max: usize, allowed: impl Fn(char) -> bool) -> String {
    text.trim()
        .chars()
        .filter(|c| allowed(*c))
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::fake::FakeSystem;
    use protocol::report::Architecture;

    #[test]
    fn report_ids_are_version_4_uuids_and_differ() {
        let system = FakeSystem::new();
        let a = new_report_id(&system);
        let b = new_report_id(&system);
        assert!(protocol::report::is_uuid(&a), "{a}");
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, b);
    }

    #[test]
    fn machine_facts_are_hashed_and_clean() {
        let system = FakeSystem::new();
        system.set_registry(
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
            "EditionID",
            "Enterprise<script>",
        );
        system.state.borrow_mut().ui_language = "zh-TW\u{0}".to_owned();
        let machine = machine(&system);
        assert_eq!(machine.id.len(), 64);
        assert!(
            !machine.id.contains("6a1f3e2d"),
            "the GUID itself must not leave the PC"
        );
        assert_eq!(machine.os_version, "10.0.19045");
        assert_eq!(machine.os_edition, "Enterprisescript");
        assert_eq!(machine.ui_language, "zh-TW");
        assert_eq!(machine.utc_offset_minutes, 480);
        assert_eq!(machine.architecture, Architecture::X64);
    }
}
