//! Parsers for Windows' `slmgr.vbs`: the result of `/skms`, `/ipk` and `/ato`, and the
//! licence list of `/dlv`.
//!
//! `slmgr.vbs` is localised (zh-TW and English at least): its sentences and labels come
//! from a per-language resource file, so this module never matches whole sentences. It reads
//! what is the same in every language: error codes (`0xC004F074`), GUIDs, the five
//! characters of a key, the `label: value` layout, and the licence name and description,
//! which come from the licence files through WMI and stay English (`Windows(R) Operating
//! System, VOLUME_KMSCLIENT channel`). The few words it does look at are short labels and
//! status words (`Error`, `錯誤`, `Licensed`, `已授權`), listed below.

use super::text;

/// One licence from `slmgr.vbs /dlv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsLicence {
    /// `Name:`, e.g. `Windows(R), Professional edition` (not localised).
    pub name: String,
    /// `Description:`, e.g. `Windows(R) Operating System, VOLUME_KMSCLIENT channel`.
    pub description: String,
    /// `Activation ID:` (only `/dlv` prints it, `/dli` does not).
    pub activation_id: Option<String>,
    /// `Partial Product Key:`, the last five characters; `None` if no key is installed.
    pub partial_key: Option<String>,
    /// `License Status:` is Licensed (`Some(true)`), another state (`Some(false)`), or a
    /// word this parser does not know (`None`).
    pub licensed: Option<bool>,
    /// The description names the `VOLUME_KMSCLIENT` channel (a KMS client setup key).
    pub kms_client: bool,
}

/// The localised `Error:` label (`L_MsgErrorText_8`) that starts a failure line.
const ERROR_LABELS: [&str; 3] = ["Error", "錯誤", "错误"];
/// Words in a success line: English `… successfully.`, Chinese `…成功…`.
const SUCCESS_MARKERS: [&str; 2] = ["success", "成功"];
/// Application IDs printed next to the activation ID; never an activation ID themselves.
const APPLICATION_IDS: [&str; 3] = [
    "55c92734-d682-4d71-983e-d6ec3f16059f",
    "0ff1ce15-a989-479d-af46-f275c6370663",
    "59a52893-a989-479d-af46-f275c0160663",
];
/// `License Status:` values meaning licensed (en, zh-TW, zh-CN).
const LICENSED_WORDS: [&str; 3] = ["licensed", "已授權", "已授权"];
/// Fragments of every other `License Status:` value: unlicensed, the grace periods and
/// notification, in English and Chinese.
const NOT_LICENSED_WORDS: [&str; 10] = [
    "unlicensed",
    "grace",
    "notification",
    "未授權",
    "未授权",
    "寬限",
    "宽限",
    "通知",
    "non-genuine",
    "非正版",
];

/// Reads `/skms`, `/ipk` or `/ato` output: `Ok` on success, `Err(canonical code)` when an error code `0x…` is present.
///
/// The first standalone eight-digit code wins, wherever slmgr put it (`Error: 0xC004F074 …`,
/// `錯誤：0xC004F035 …`, `Error 0x80041010 occurred …`). Without a code, a line starting
/// with the localised `Error:` label (`Error: Product activation failed.`) is a failure with
/// an empty code, unless it carries a Win32 error number (`Error: 5 Access denied…`), which
/// becomes its HRESULT (`0x80070005`). Success needs a success word; anything else,
/// including empty or garbled output, is a failure with an empty code.
pub fn parse_result(text: &str) -> Result<(), String> {
    if let Some(code) = text::first_code(text) {
        return Err(code);
    }
    if let Some(rest) = text.lines().find_map(|line| after_error_label(line.trim())) {
        return Err(win32_code(rest).unwrap_or_default());
    }
    let lower = text.to_lowercase();
    if SUCCESS_MARKERS.iter().any(|marker| lower.contains(marker)) {
        Ok(())
    } else {
        Err(String::new())
    }
}

/// Parses `slmgr.vbs /dlv` (or `/dli`, or `/dlv all`) in any language.
///
/// A licence starts at a `label: value` line followed by one whose value names a `channel`
/// (the untranslated WMI description); it runs until the next such pair. Output without a
/// licence (`Error: product key not found.`) gives an empty list.
pub fn parse_dlv(text: &str) -> Vec<WindowsLicence> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&index| starts_licence(&lines, index))
        .collect();
    starts
        .iter()
        .enumerate()
        .filter_map(|(nth, &start)| {
            let end = starts.get(nth + 1).copied().unwrap_or(lines.len());
            lines.get(start..end).and_then(licence)
        })
        .collect()
}

fn starts_licence(lines: &[&str], index: usize) -> bool {
    let name = lines.get(index).and_then(|line| text::split_label(line));
    let description = lines
        .get(index + 1)
        .and_then(|line| text::split_label(line));
    match (name, description) {
        (Some((_, name)), Some((_, description))) => {
            !name.is_empty() && description.to_ascii_lowercase().contains("channel")
        }
        _ => false,
    }
}

/// Reads one licence block; its first two lines are the name and the description.
fn licence(block: &[&str]) -> Option<WindowsLicence> {
    let (_, name) = text::split_label(block.first()?)?;
    let (_, description) = text::split_label(block.get(1)?)?;
    let values: Vec<&str> = block
        .iter()
        .skip(2)
        .filter_map(|line| text::split_label(line).map(|(_, value)| value))
        .collect();
    // The key comes before every numeric line (rearm counts, KMS counters), so the first
    // five-character value is the key; GUIDs before it are the activation and application
    // IDs, GUIDs after it the client machine ID.
    let key_at = values.iter().position(|value| text::is_key_fragment(value));
    let before_key = &values[..key_at.unwrap_or(values.len())];
    let activation_id = before_key
        .iter()
        .find(|value| {
            text::is_guid(value) && !APPLICATION_IDS.contains(&value.to_ascii_lowercase().as_str())
        })
        .map(|value| (*value).to_owned());
    Some(WindowsLicence {
        name: name.to_owned(),
        description: description.to_owned(),
        activation_id,
        partial_key: key_at
            .and_then(|at| values.get(at))
            .map(|value| (*value).to_owned()),
        licensed: values.iter().find_map(|value| licence_status(value)),
        kms_client: description
            .to_ascii_uppercase()
            .contains("VOLUME_KMSCLIENT"),
    })
}

/// Reads a `License Status:` value; `None` for any other value.
fn licence_status(value: &str) -> Option<bool> {
    let word = value.trim_end_matches(['.', '。']).to_lowercase();
    if LICENSED_WORDS.contains(&word.as_str()) {
        Some(true)
    } else if NOT_LICENSED_WORDS
        .iter()
        .any(|fragment| word.contains(fragment))
        && word.chars().count() <= 80
        && !word.contains("0x")
    {
        Some(false)
    } else {
        None
    }
}

/// The rest of a line after the localised `Error:` label, if the line starts with one.
fn after_error_label(line: &str) -> Option<&str> {
    ERROR_LABELS.iter().find_map(|label| {
        let head = line.get(..label.len())?;
        if !head.eq_ignore_ascii_case(label) {
            return None;
        }
        let rest = line[label.len()..].trim_start();
        rest.strip_prefix(':')
            .or_else(|| rest.strip_prefix('：'))
            .map(str::trim_start)
    })
}

/// `Error: 5 Access denied…`: slmgr prints a positive error number in decimal; a Win32
/// error `n` is the HRESULT `0x8007nnnn`.
fn win32_code(rest: &str) -> Option<String> {
    let number: u32 = rest.split_whitespace().next()?.parse().ok()?;
    (1..=0xFFFF)
        .contains(&number)
        .then(|| format!("0x{:08X}", 0x8007_0000 | number))
}

#[cfg(test)]
#[path = "slmgr_tests.rs"]
mod tests;
