//! Small text helpers shared by the `ospp` and `slmgr` parsers: label splitting, error codes,
//! GUIDs. They work on shapes (hex digits, dashes, colons), never on sentences, because
//! `slmgr.vbs` is localised and only its codes and identifiers are the same in every language.

/// Splits `label: value` at the first ASCII or full-width colon, trimming both sides.
/// Full-width `：` appears in zh-TW output (`錯誤：0xC004F035`).
pub(super) fn split_label(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
    Some((line[..at].trim(), line[at + colon_len..].trim()))
}

/// Reads the code that follows an `ERROR CODE:` label. `ospp.vbs` prints `"0x" & Hex(n)`,
/// which drops leading zeros, so 1 to 8 hex digits are accepted and padded; a negative
/// decimal (a VBScript `Err.Number`) is read as the HRESULT it stands for.
pub(super) fn code_after_label(value: &str) -> Option<String> {
    let token = value.split_whitespace().next()?;
    let token = token.trim_end_matches(['.', ',', ')']);
    if let Some(digits) = token
        .strip_prefix("0x")
        .or_else(|| token.strip_prefix("0X"))
    {
        return padded_code(digits);
    }
    let number: i32 = token.parse().ok()?;
    // A negative Err.Number is an HRESULT's bit pattern read as signed.
    (number < 0).then(|| format!("0x{:08X}", number.cast_unsigned()))
}

fn padded_code(digits: &str) -> Option<String> {
    let valid = (1..=8).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_hexdigit());
    valid
        .then(|| format!("0x{digits:0>8}"))
        .and_then(|code| protocol::normalise_error_code(&code))
}

/// The minutes of a `N minute(s) (D day(s))` value in any language (`259200 分鐘 (180
/// 天)`, `180 days (259200 minute(s) before expiring)`): it holds exactly two whole
/// numbers, one of which is the other's days in minutes (`N / 1440` rounded either way).
/// The words and their order are the language's; the numbers' relation is not.
pub(super) fn grace_minutes(value: &str) -> Option<u64> {
    let numbers: Vec<u64> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [a, b] = numbers[..] else {
        return None;
    };
    let (minutes, days) = (a.max(b), a.min(b));
    (minutes / 1440 == days || minutes.div_ceil(1440) == days).then_some(minutes)
}

/// A KMS host as slmgr prints the one a client used (`kms.example.edu.tw:1688`,
/// `[2001:db8::10]:1688`): a host name or address, a colon and a port.
pub(super) fn kms_host(value: &str) -> Option<String> {
    let (host, port) = value.rsplit_once(':')?;
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c));
    let port_ok = !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    (host_ok && port_ok).then(|| value.to_owned())
}

/// A GUID as WMI prints it: 8-4-4-4-12 hex digits, optionally in braces.
pub(super) fn is_guid(value: &str) -> bool {
    let value = value.trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The last five characters of a product key: five upper-case letters or digits.
pub(super) fn is_key_fragment(value: &str) -> bool {
    value.len() == 5
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}
