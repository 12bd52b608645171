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
    /// Licensed through the KMS host (`Some(true)`: its KMS client block is shown), not
    /// licensed (`Some(false)`: a KMS client without that block, or a notification
    /// reason), or not told by anything but the localised status words (`None`: a
    /// retail or MAK licence).
    pub licensed: Option<bool>,
    /// `Notification Reason:`, canonical, when the licence is in notification.
    pub reason: Option<String>,
    /// The description names the `VOLUME_KMSCLIENT` channel (a KMS client setup key).
    pub kms_client: bool,
    /// The minutes left before the activation expires (`Volume activation expiration:
    /// 259200 minute(s) (180 day(s))`) or the grace period ends, when printed.
    pub grace_minutes: Option<u64>,
    /// The KMS host a licensed KMS client used (`Registered KMS machine name:` or `KMS
    /// machine name from DNS:`, `host:port`).
    pub kms_host: Option<String>,
}

/// Application IDs printed next to the activation ID; never an activation ID themselves.
const APPLICATION_IDS: [&str; 3] = [
    "55c92734-d682-4d71-983e-d6ec3f16059f",
    "0ff1ce15-a989-479d-af46-f275c6370663",
    "59a52893-a989-479d-af46-f275c0160663",
];

/// The longest label slmgr puts before an error code (`Error`, `エラー`, `Fehler`, `오류`,
/// `错误`), in characters; a longer text before a colon is a sentence, not a label.
const MAX_LABEL_CHARS: usize = 24;

/// Reads `/skms`, `/ipk` or `/ato` from its exit code and output: `Ok` when slmgr exited
/// with 0 and printed no error code, `Err(canonical code)` otherwise.
///
/// A non-zero exit code is the failed call's HRESULT (`0xC004F074` exits as
/// -1073418124), or a Win32 error number (5 is `0x80070005`); an exit code that is neither
/// (1: the command line) falls back on the code slmgr printed, else an empty code. A code
/// is taken only from where slmgr prints one — `<label>: 0x…` first on a line — never from
/// any other hex number in the text (the `slui.exe 0x2a 0x…` hint, a host name, a crash
/// message). `/ato` exits with 0 even when the licence is not licensed afterwards: the
/// caller reads the licence state from `/dlv` ([`WindowsLicence::licensed`]).
pub fn parse_result(text: &str, status: i32) -> Result<(), String> {
    let printed = text.lines().find_map(|line| labelled_code(line.trim()));
    if status != 0 {
        return Err(code_of_status(status).or(printed).unwrap_or_default());
    }
    match printed {
        Some(code) => Err(code),
        None => Ok(()),
    }
}

/// The HRESULT an exit code stands for: itself when it has the failure bit, a Win32
/// error's HRESULT for a small positive number other than 1.
pub fn code_of_status(status: i32) -> Option<String> {
    let value = status.cast_unsigned();
    if value >= 0x8000_0000 {
        Some(format!("0x{value:08X}"))
    } else if (2..=0xFFFF).contains(&value) {
        Some(format!("0x{:08X}", 0x8007_0000 | value))
    } else {
        None
    }
}

/// The code of a line shaped `<label>: 0x…` (ASCII or full-width colon), the label being
/// short and free of digits; `None` for any other line.
fn labelled_code(line: &str) -> Option<String> {
    let at = line.find([':', '：'])?;
    let label = line[..at].trim();
    if label.is_empty()
        || label.chars().count() > MAX_LABEL_CHARS
        || label.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    let rest = line[at + colon_len..].trim_start();
    let digits = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))?;
    let run = digits.bytes().take_while(u8::is_ascii_hexdigit).count();
    let after_ok = digits
        .as_bytes()
        .get(run)
        .is_none_or(|b| !b.is_ascii_alphanumeric());
    (run == 8 && after_ok)
        .then(|| protocol::normalise_error_code(&digits[..8]))
        .flatten()
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
    let after_key = key_at.map_or(&[][..], |at| &values[at + 1..]);
    // `Notification Reason: 0xC004F056.`: slmgr prints `Hex()` of the reason, unpadded.
    let reason = after_key.iter().find_map(|value| reason_code(value));
    // slmgr prints a KMS client's block (its client machine ID first) only when licensed.
    let has_client_id = after_key.iter().any(|value| text::is_guid(value));
    let kms_client = description
        .to_ascii_uppercase()
        .contains("VOLUME_KMSCLIENT");
    let licensed = if has_client_id {
        Some(true)
    } else if reason.is_some() || (kms_client && key_at.is_some()) {
        Some(false)
    } else {
        None
    };
    // Only the licence's own lines (before the KMS client block) tell its expiration; the
    // client block's intervals are single numbers.
    let grace_minutes = after_key
        .iter()
        .find_map(|value| text::grace_minutes(value));
    let kms_host = after_key.iter().find_map(|value| text::kms_host(value));
    Some(WindowsLicence {
        grace_minutes,
        kms_host,
        name: name.to_owned(),
        description: description.to_owned(),
        activation_id,
        partial_key: key_at
            .and_then(|at| values.get(at))
            .map(|value| (*value).to_owned()),
        licensed,
        reason,
        kms_client,
    })
}

/// The code of a `Notification Reason:` value (`0xC004F056.`, `0xC004F200 (non-genuine).`).
fn reason_code(value: &str) -> Option<String> {
    let token = value.split_whitespace().next()?.trim_end_matches('.');
    let digits = token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))?;
    ((1..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| protocol::normalise_error_code(&format!("{digits:0>8}")))
        .flatten()
}

#[cfg(test)]
#[path = "slmgr_tests.rs"]
mod tests;
