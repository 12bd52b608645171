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
