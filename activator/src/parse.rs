//! Parsers for what Microsoft's scripts print: `ospp.vbs` (Office) and `slmgr.vbs` (Windows).
//!
//! Pure functions over text, no I/O: the Windows layer runs `cscript //nologo //U …`, hands
//! the raw bytes to [`decode_output`], and the activator reads the result with [`ospp`] or
//! [`slmgr`]. Nothing here may panic on any input, however cut short or garbled, because the
//! output of a script on a user's PC is outside our control.

pub mod ospp;
pub mod slmgr;
mod text;

#[cfg(test)]
mod tests;

/// Decodes a script's raw stdout: UTF-16LE (with or without BOM; detect by the NUL-byte pattern) as `cscript //U` writes on Windows, else UTF-8 (lossy). Normalises CRLF to LF.
///
/// A lone CR also becomes LF. Invalid sequences become U+FFFD rather than an error, so a
/// half-written pipe still yields the lines that did arrive.
pub fn decode_output(bytes: &[u8]) -> String {
    let decoded = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16le(rest)
    } else if looks_like_utf16le(bytes) {
        utf16le(bytes)
    } else {
        let rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        String::from_utf8_lossy(rest).into_owned()
    };
    decoded.replace("\r\n", "\n").replace('\r', "\n")
}

/// UTF-8 text never holds NUL bytes, while UTF-16LE puts one in the high (odd) byte of every
/// ASCII character, and both scripts print ASCII on every line (codes, GUIDs, dashes).
fn looks_like_utf16le(bytes: &[u8]) -> bool {
    let (mut odd, mut even) = (0usize, 0usize);
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == 0 {
            if index % 2 == 1 {
                odd += 1;
            } else {
                even += 1;
            }
        }
    }
    odd > even
}

fn utf16le(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
    let text: String = char::decode_utf16(units)
        .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}
