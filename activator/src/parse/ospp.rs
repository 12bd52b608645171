//! Parsers for Office's `ospp.vbs`: `/act`, `/dstatus`, and the one-line commands `/sethst:`,
//! `/setprt:` and `/inpkey:`.
//!
//! `ospp.vbs` is English only and prints one block per product (`SKU ID:`, `LICENSE NAME:`,
//! …) between lines of dashes. Blocks are found by those labels and the dash lines, not by
//! line positions, so a banner, a shortened separator (as on the seed page) or an output cut
//! short still parses. Codes are returned in the canonical `0xXXXXXXXX` form.

use super::text;

/// One product that `ospp.vbs /act` tried to activate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActProduct {
    /// `SKU ID:` (the licence's activation GUID), as printed.
    pub sku_id: String,
    /// `LICENSE NAME:`, e.g. `Office 19, Office19ProPlus2019VL_KMS_Client_AE edition`.
    pub license_name: String,
    /// `LICENSE DESCRIPTION:`, e.g. `Office 19, VOLUME_KMSCLIENT channel`.
    pub license_description: String,
    /// `Last 5 characters of installed product key:`.
    pub key_last5: Option<String>,
    /// Whether this product was activated.
    pub result: ActResult,
}

/// The outcome of activating one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActResult {
    /// `<Product activation successful>`.
    Activated,
    /// `ERROR CODE:` and `ERROR DESCRIPTION:`. `code` is canonical (`0xC004F074`), or empty
    /// when ospp printed no readable code (`An unknown error occurred.`, or output cut short).
    Failed {
        /// Canonical code, or empty when unknown.
        code: String,
        /// `ERROR DESCRIPTION:` as printed (English), or empty.
        description: String,
    },
}

/// Everything `ospp.vbs /act` reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Act {
    /// One entry per product block, in the script's order.
    pub products: Vec<ActProduct>,
    /// `<No installed product keys detected>`: there was nothing to activate.
    pub no_key_installed: bool,
    /// An ERROR CODE outside any product block, canonical (empty if unreadable): the query
    /// for products itself failed, e.g. the licensing service is not running.
    pub script_error: Option<String>,
}

/// One licence listed by `ospp.vbs /dstatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    /// `SKU ID:`, empty if the block had none.
    pub sku_id: String,
    /// `LICENSE NAME:`.
    pub license_name: String,
    /// `LICENSE DESCRIPTION:`.
    pub license_description: String,
    /// `LICENSE STATUS:`.
    pub license_status: LicenceStatus,
    /// `Last 5 characters of installed product key:`.
    pub key_last5: Option<String>,
    /// `ERROR CODE:`, canonical. For a licensed product it is informational (`0x4004F040`).
    pub error_code: Option<String>,
    /// `REMAINING GRACE:` as printed, e.g. `180 days  (259200 minute(s) before expiring)`.
    pub remaining_grace: Option<String>,
}

impl Licence {
    /// The minutes of its `REMAINING GRACE:`, when printed.
    pub fn grace_minutes(&self) -> Option<u64> {
        self.remaining_grace
            .as_deref()
            .and_then(text::grace_minutes)
    }
}

/// `LICENSE STATUS:` as `/dstatus` prints it between dashes (`---LICENSED---`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenceStatus {
    /// `---LICENSED---`.
    Licensed,
    /// `---OOB_GRACE---`, `---OOT_GRACE---` or `---EXTENDED GRACE---`: still working, not activated.
    Grace,
    /// `---NOTIFICATIONS---`: grace ran out; Office nags and limits features.
    Notifications,
    /// `---UNLICENSED---`.
    Unlicensed,
    /// Anything else (`NON_GENUINE_GRACE`, `UNKNOWN`, missing), upper-cased without dashes.
    Other(String),
}

/// How an Office licence was sold, read from its name and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A volume licence that activates against a KMS host (`VOLUME_KMSCLIENT`).
    KmsClient,
    /// A volume licence with a Multiple Activation Key (`VOLUME_MAK`, `RETAIL(MAK)`).
    Mak,
    /// A retail or OEM licence (`RETAIL`, `RETAIL(Free)`).
    Retail,
    /// A trial or pre-installed grace licence (`…R_Grace`, `RETAIL(Grace)`, `…Trial`).
    Trial,
    /// A Microsoft 365 subscription (`O365…`, `…Subscription…`, `…SubTrial`, `TIMEBASED_SUB`).
    Subscription,
    /// None of the above, e.g. a KMS host licence.
    Other,
}

/// The lines `ospp.vbs` prints for a successful `/act`, `/inpkey:` and settings command.
const ACT_SUCCESS: [&str; 2] = [
    "<Product activation successful>",
    "<Offline product activation successful>",
];
const SIMPLE_SUCCESS: [&str; 2] = [
    "Successfully applied setting.",
    "<Product key installation successful>",
];
const NO_KEYS: &str = "<No installed product keys detected>";

/// The fields of one product block, as found.
#[derive(Debug, Default)]
struct Block {
    sku_id: Option<String>,
    license_name: Option<String>,
    license_description: Option<String>,
    license_status: Option<String>,
    key_last5: Option<String>,
    error_code: Option<String>,
    error_description: Option<String>,
    remaining_grace: Option<String>,
    activated: bool,
}

/// The whole output: product blocks and what was printed outside them.
#[derive(Debug, Default)]
struct Output {
    blocks: Vec<Block>,
    no_key_installed: bool,
    stray_code: Option<String>,
    stray_description: Option<String>,
    simple_success: bool,
}

/// Parses the output of `ospp.vbs /act`.
pub fn parse_act(text: &str) -> Act {
    let output = scan(text);
    let products = output
        .blocks
        .into_iter()
        .map(|block| {
            let result = if block.error_code.is_some() || block.error_description.is_some() {
                ActResult::Failed {
                    code: block.error_code.unwrap_or_default(),
                    description: block.error_description.unwrap_or_default(),
                }
            } else if block.activated {
                ActResult::Activated
            } else {
                ActResult::Failed {
                    code: String::new(),
                    description: String::new(),
                }
            };
            ActProduct {
                sku_id: block.sku_id.unwrap_or_default(),
                license_name: block.license_name.unwrap_or_default(),
                license_description: block.license_description.unwrap_or_default(),
                key_last5: block.key_last5,
                result,
            }
        })
        .collect();
    Act {
        products,
        no_key_installed: output.no_key_installed,
        script_error: output.stray_code,
    }
}

/// Parses the output of `ospp.vbs /dstatus`.
pub fn parse_dstatus(text: &str) -> Vec<Licence> {
    scan(text)
        .blocks
        .into_iter()
        .map(|block| Licence {
            sku_id: block.sku_id.unwrap_or_default(),
            license_name: block.license_name.unwrap_or_default(),
            license_description: block.license_description.unwrap_or_default(),
            license_status: status(block.license_status.as_deref().unwrap_or_default()),
            key_last5: block.key_last5,
            error_code: block.error_code.filter(|code| !code.is_empty()),
            remaining_grace: block.remaining_grace,
        })
        .collect()
}

/// Tells a licence's channel from its name and description: VOLUME_KMSCLIENT → KmsClient;
/// VOLUME_MAK → Mak; RETAIL → Retail; TRIAL / "Trial" / "Grace" trial SKUs → Trial;
/// subscription (O365 / "SubTrial" / "Subscription") → Subscription.
///
/// Checked in that order of precedence: KMS client, then subscription (so an
/// `O365…R_Grace` SKU counts as the subscription it belongs to), MAK (Office prints a MAK as
/// `RETAIL(MAK)`), trial, retail (OEM included).
pub fn channel(licence_name: &str, licence_description: &str) -> Channel {
    let name = licence_name.to_ascii_uppercase();
    let description = licence_description.to_ascii_uppercase();
    let either = |needle: &str| name.contains(needle) || description.contains(needle);
    if either("KMSCLIENT") || either("KMS_CLIENT") {
        Channel::KmsClient
    } else if either("O365")
        || either("SUBSCRIPTION")
        || either("SUBTRIAL")
        || either("TIMEBASED_SUB")
    {
        Channel::Subscription
    } else if either("_MAK") || either("(MAK)") {
        Channel::Mak
    } else if either("TRIAL") || either("GRACE") {
        Channel::Trial
    } else if either("RETAIL") || either("OEM") {
        Channel::Retail
    } else {
        Channel::Other
    }
}

/// Reads `/sethst:`, `/setprt:` or `/inpkey:` output: `Ok` on "Successfully applied setting." / "<Product key installation successful>", `Err(canonical code)` on ERROR CODE.
///
/// An error wins over a success line (ospp can print both when one of several licences
/// failed). Without a code the error is empty: `ERROR DESCRIPTION:` alone, or no success line
/// at all (e.g. `No Office KMS licenses were found on the system.`).
pub fn parse_simple(text: &str) -> Result<(), String> {
    let output = scan(text);
    let in_block = output
        .blocks
        .iter()
        .find_map(|block| block.error_code.clone());
    if let Some(code) = output.stray_code.or(in_block) {
        return Err(code);
    }
    let described = output.stray_description.is_some()
        || output
            .blocks
            .iter()
            .any(|block| block.error_description.is_some());
    if output.simple_success && !described {
        Ok(())
    } else {
        Err(String::new())
    }
}

fn scan(text: &str) -> Output {
    let mut output = Output::default();
    let mut current: Option<Block> = None;
    for line in text.lines().map(str::trim) {
        // Dash lines (`-----`, `---Processing---`, `---Exiting---`) end a product block.
        if line.starts_with("---") || (!line.is_empty() && line.chars().all(|c| c == '-')) {
            close(&mut current, &mut output);
            continue;
        }
        if ACT_SUCCESS.contains(&line) {
            if let Some(block) = current.as_mut() {
                block.activated = true;
            }
            continue;
        }
        if SIMPLE_SUCCESS.contains(&line) {
            output.simple_success = true;
            continue;
        }
        if line == NO_KEYS {
            output.no_key_installed = true;
            continue;
        }
        let Some((label, value)) = text::split_label(line) else {
            continue;
        };
        let value = value.to_owned();
        match label.to_ascii_uppercase().as_str() {
            "PRODUCT ID" => {
                close(&mut current, &mut output);
                current = Some(Block::default());
            }
            "SKU ID" => {
                open_for(&mut current, &mut output, |b| b.sku_id.is_some()).sku_id = Some(value)
            }
            "LICENSE NAME" => {
                open_for(&mut current, &mut output, |b| b.license_name.is_some()).license_name =
                    Some(value);
            }
            "LICENSE DESCRIPTION" => set(&mut current, |b| &mut b.license_description, value),
            "LICENSE STATUS" => set(&mut current, |b| &mut b.license_status, value),
            "LAST 5 CHARACTERS OF INSTALLED PRODUCT KEY" => {
                set(&mut current, |b| &mut b.key_last5, value);
            }
            "REMAINING GRACE" => set(&mut current, |b| &mut b.remaining_grace, value),
            "ERROR CODE" => {
                let code = text::code_after_label(&value).unwrap_or_default();
                match current.as_mut() {
                    Some(block) => block.error_code = Some(code),
                    None => {
                        output.stray_code.get_or_insert(code);
                    }
                }
            }
            "ERROR DESCRIPTION" => match current.as_mut() {
                Some(block) => block.error_description = Some(value),
                None => {
                    output.stray_description.get_or_insert(value);
                }
            },
            _ => {}
        }
    }
    close(&mut current, &mut output);
    output
}

/// Returns the open block, first closing it and opening a new one when `taken` says the
/// field about to be set is already filled: that field starts the next product.
fn open_for<'a>(
    current: &'a mut Option<Block>,
    output: &mut Output,
    taken: impl Fn(&Block) -> bool,
) -> &'a mut Block {
    if current.as_ref().is_some_and(taken) {
        close(current, output);
    }
    current.get_or_insert_with(Block::default)
}

/// Sets a field of the open block; a field outside any block belongs to no product.
fn set(
    current: &mut Option<Block>,
    field: impl Fn(&mut Block) -> &mut Option<String>,
    value: String,
) {
    if let Some(block) = current.as_mut() {
        *field(block) = Some(value);
    }
}

fn close(current: &mut Option<Block>, output: &mut Output) {
    if let Some(block) = current.take() {
        let filled = |field: &Option<String>| field.as_deref().is_some_and(|v| !v.is_empty());
        if filled(&block.sku_id) || filled(&block.license_name) {
            output.blocks.push(block);
        } else if let Some(code) = block.error_code {
            // A `PRODUCT ID:` line alone followed by an error: not a product.
            output.stray_code.get_or_insert(code);
        }
    }
}

fn status(value: &str) -> LicenceStatus {
    let word = value.trim().trim_matches('-').trim().to_ascii_uppercase();
    match word.as_str() {
        "LICENSED" => LicenceStatus::Licensed,
        "OOB_GRACE" | "OOT_GRACE" | "EXTENDED GRACE" | "EXTENDED_GRACE" => LicenceStatus::Grace,
        "NOTIFICATIONS" => LicenceStatus::Notifications,
        "UNLICENSED" => LicenceStatus::Unlicensed,
        _ => LicenceStatus::Other(word),
    }
}

#[cfg(test)]
#[path = "ospp_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "ospp_status_tests.rs"]
mod status_tests;
