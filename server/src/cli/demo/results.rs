//! The parts of a made-up report as the activator writes them: findings, and a product's
//! result with the SKU id, licence name and key ending Windows and Office would show.

use protocol::products::Product;
use protocol::report::{Check, Finding, FindingStatus, ProductOutcome, ProductResult};
use sha2::{Digest, Sha256};

use crate::token::encode_hex;

pub(super) fn finding(check: Check, code: Option<&str>, detail: &str) -> Finding {
    Finding {
        check,
        status: FindingStatus::Pass,
        error_code: code.map(str::to_owned),
        detail: detail.to_owned(),
    }
}

pub(super) fn warn(check: Check, code: &str, detail: &str) -> Finding {
    Finding {
        status: FindingStatus::Warn,
        ..finding(check, Some(code), detail)
    }
}

pub(super) fn product_result(product: &Product, error_code: Option<String>) -> ProductResult {
    let digest = encode_hex(&Sha256::digest(product.key.as_bytes()));
    let (license_name, license_description) = match (&product.office, &product.windows) {
        (Some(office), _) => (
            format!("Office 16, {} edition", office.licence),
            "Office 16, VOLUME_KMSCLIENT channel".to_owned(),
        ),
        (None, windows) => (
            format!(
                "Windows(R), {} edition",
                windows
                    .as_ref()
                    .map_or("Enterprise", |w| w.editions[0].as_str())
            ),
            "Windows(R) Operating System, VOLUME_KMSCLIENT channel".to_owned(),
        ),
    };
    ProductResult {
        sku_id: format!(
            "{}-{}-{}-{}-{}",
            &digest[0..8],
            &digest[8..12],
            &digest[12..16],
            &digest[16..20],
            &digest[20..32]
        ),
        license_name,
        license_description,
        key_last5: Some(product.key_last5().to_owned()),
        outcome: if error_code.is_some() {
            ProductOutcome::Failed
        } else {
            ProductOutcome::Activated
        },
        error_code,
        grace_minutes: None,
        kms_host: None,
    }
}
