//! Tests of [`decode_output`] and of robustness across both parsers: every fixture decodes
//! the same from UTF-16LE (with or without BOM), CRLF or UTF-8, and no prefix of any fixture,
//! nor any garbage, makes a parser panic.

use super::*;

macro_rules! fixtures {
    ($($dir:literal / $name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../tests/fixtures/activator/", $dir, "/", $name)))),*]
    };
}

const FIXTURES: [(&str, &str); 38] = fixtures![
    "ospp" / "act-success-seed.txt",
    "ospp" / "act-success-2024.txt",
    "ospp" / "act-error-0xC004F074.txt",
    "ospp" / "act-error-0xC004F038.txt",
    "ospp" / "act-error-0xC004F039.txt",
    "ospp" / "act-error-0xC004F042.txt",
    "ospp" / "act-error-0xC004C003.txt",
    "ospp" / "act-error-0x8007232B.txt",
    "ospp" / "act-error-0xC004F06C.txt",
    "ospp" / "act-partial.txt",
    "ospp" / "act-no-key.txt",
    "ospp" / "dstatus-volume.txt",
    "ospp" / "dstatus-retail-subscription-grace.txt",
    "ospp" / "dstatus-retail-notifications.txt",
    "ospp" / "sethst-ok.txt",
    "ospp" / "setprt-ok.txt",
    "ospp" / "inpkey-ok.txt",
    "ospp" / "inpkey-error.txt",
    "ospp" / "sethst-no-kms-licence.txt",
    "slmgr" / "ato-success.en.txt",
    "slmgr" / "ato-success.zh-TW.txt",
    "slmgr" / "ato-error-0xC004F074.en.txt",
    "slmgr" / "ato-error-0xC004F074.zh-TW.txt",
    "slmgr" / "ato-error-0xC004F035.zh-TW.txt",
    "slmgr" / "ato-error-0x80080005.en.txt",
    "slmgr" / "ato-failed-no-code.zh-TW.txt",
    "slmgr" / "skms-ok.en.txt",
    "slmgr" / "skms-ok.zh-TW.txt",
    "slmgr" / "ipk-ok.en.txt",
    "slmgr" / "ipk-ok.zh-TW.txt",
    "slmgr" / "ipk-error-0xC004F050.en.txt",
    "slmgr" / "ipk-error-0xC004E016.en.txt",
    "slmgr" / "ipk-error-0xC0000022.zh-CN.txt",
    "slmgr" / "dlv-kms-client.en.txt",
    "slmgr" / "dlv-kms-client.zh-TW.txt",
    "slmgr" / "dlv-retail.zh-TW.txt",
    "slmgr" / "dlv-notification.en.txt",
    "slmgr" / "dlv-no-key.en.txt",
];

/// What `cscript //U` writes: UTF-16LE code units, CRLF line ends.
fn as_cscript_writes(text: &str, bom: bool) -> Vec<u8> {
    let crlf = text.replace('\n', "\r\n");
    let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    bytes.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

#[test]
fn utf16le_with_and_without_bom_decodes_like_utf8() {
    for (name, text) in FIXTURES {
        assert_eq!(
            decode_output(&as_cscript_writes(text, true)),
            text,
            "{name} with BOM"
        );
        assert_eq!(
            decode_output(&as_cscript_writes(text, false)),
            text,
            "{name} without BOM"
        );
        assert_eq!(decode_output(text.as_bytes()), text, "{name} as UTF-8");
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(
            decode_output(crlf.as_bytes()),
            text,
            "{name} as UTF-8 with CRLF"
        );
    }
}

#[test]
fn decoding_handles_boms_lone_cr_and_broken_bytes() {
    assert_eq!(decode_output(b"\xEF\xBB\xBFok\r\n"), "ok\n");
    assert_eq!(decode_output(b"a\rb"), "a\nb");
    assert_eq!(decode_output(b""), "");
    assert_eq!(decode_output(b"\xFF\xFE"), "");
    // An odd trailing byte and an unpaired surrogate are dropped or replaced, not fatal.
    assert_eq!(decode_output(b"\xFF\xFEo\x00k\x00\x00"), "ok");
    assert_eq!(decode_output(b"o\x00k\x00\x00\xD8"), "ok\u{FFFD}");
    assert_eq!(decode_output(b"caf\xE9"), "caf\u{FFFD}");
}

#[test]
fn decoded_utf16_output_parses_like_the_text() {
    let (_, text) = FIXTURES[0];
    let decoded = decode_output(&as_cscript_writes(text, false));
    assert_eq!(ospp::parse_act(&decoded), ospp::parse_act(text));
    assert_eq!(ospp::parse_act(&decoded).products.len(), 2);
    let zh = include_str!("../../../tests/fixtures/activator/slmgr/ato-error-0xC004F074.zh-TW.txt");
    let decoded = decode_output(&as_cscript_writes(zh, true));
    assert_eq!(
        slmgr::parse_result(&decoded, 0),
        Err("0xC004F074".to_owned())
    );
}

#[test]
fn every_prefix_of_every_fixture_parses_without_panic() {
    for (_, text) in FIXTURES {
        let cuts = text.char_indices().map(|(at, _)| at).chain([text.len()]);
        for cut in cuts {
            run_all_parsers(&text[..cut]);
        }
    }
}

#[test]
fn garbage_gives_empty_results() {
    let garbage = [
        "",
        "\n\n\n",
        "::::",
        "：：",
        "---",
        "ERROR CODE:",
        "SKU ID:",
        "0x",
        "0xZZZZZZZZ",
        "錯誤：",
        "Name:\nDescription: channel",
        "\u{0}\u{FFFD}\u{202E}",
    ];
    for input in garbage {
        run_all_parsers(input);
        assert!(ospp::parse_dstatus(input).is_empty(), "{input:?}");
        assert!(ospp::parse_act(input).products.is_empty(), "{input:?}");
        assert!(slmgr::parse_dlv(input).is_empty(), "{input:?}");
        assert!(slmgr::parse_result(input, 1).is_err(), "{input:?}");
    }
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    run_all_parsers(&decode_output(&bytes));
}

fn run_all_parsers(text: &str) {
    let _ = ospp::parse_act(text);
    let _ = ospp::parse_dstatus(text);
    let _ = ospp::parse_simple(text);
    let _ = slmgr::parse_result(text, 0);
    let _ = slmgr::parse_result(text, -1);
    let _ = slmgr::parse_dlv(text);
}
