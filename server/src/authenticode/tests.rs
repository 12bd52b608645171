use super::*;

/// A 3 KB PE32 program, and the same signed by a test CA (tests/fixtures/authenticode).
const UNSIGNED: &[u8] = include_bytes!("../../../tests/fixtures/authenticode/tiny.exe");
const SIGNED: &[u8] = include_bytes!("../../../tests/fixtures/authenticode/tiny-signed.exe");

/// Where the fixture's certificate table starts.
fn table_offset(exe: &[u8]) -> usize {
    Layout::of(exe).unwrap().certificate_table.unwrap().0
}

#[test]
fn the_signer_of_a_signed_executable_is_its_certificates_subject() {
    let signature = read(SIGNED);
    assert_eq!(
        signature,
        Signature::Signed {
            signer: Signer {
                name: "IT Office Test Signing".to_owned(),
                organization: Some("國立範例大學".to_owned()),
                issuer: "Test Root CA for the Campus License Portal".to_owned(),
            },
            intact: Some(true),
        }
    );
    assert_eq!(signature.status(), "signed");
    assert_eq!(
        signature.signer().unwrap().display(),
        "IT Office Test Signing (國立範例大學)"
    );
}

#[test]
fn an_executable_without_a_certificate_table_is_unsigned() {
    assert_eq!(read(UNSIGNED), Signature::Unsigned);
    assert!(!read(UNSIGNED).is_signed());
}

#[test]
fn a_byte_changed_after_signing_is_seen_but_the_checksum_is_not_part_of_the_digest() {
    let mut code = SIGNED.to_vec();
    code[0x400] ^= 0x01;
    let signature = read(&code);
    assert!(signature.is_signed());
    assert_eq!(signature.status(), "altered");

    // The optional header's CheckSum is left out of the Authenticode digest: changing it
    // leaves the signature intact.
    let mut checksum = SIGNED.to_vec();
    let at = Layout::of(SIGNED).unwrap().checksum;
    checksum[at] ^= 0xFF;
    assert_eq!(read(&checksum).status(), "signed");
}

#[test]
fn a_file_that_is_not_a_signed_pe_is_unreadable_not_a_panic() {
    assert_eq!(read(b""), Signature::Unreadable("not a PE file"));
    assert_eq!(read(b"MZ"), Signature::Unreadable("not a PE file"));
    assert_eq!(read(b"#!/bin/sh\n"), Signature::Unreadable("not a PE file"));
    // Every truncation, and every byte of the certificate table overwritten: never a
    // panic.
    for end in 0..SIGNED.len() {
        let _ = read(&SIGNED[..end]);
    }
    let table = table_offset(SIGNED);
    for at in table..SIGNED.len() {
        for value in [0x00, 0x80, 0xFF] {
            let mut bad = SIGNED.to_vec();
            bad[at] = value;
            let _ = read(&bad);
        }
    }
}

#[test]
fn a_certificate_table_pointing_outside_the_file_or_into_the_headers_is_unreadable() {
    let layout = Layout::of(SIGNED).unwrap();
    let mut outside = SIGNED.to_vec();
    outside[layout.security_entry + 4..layout.security_entry + 8]
        .copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(read(&outside), Signature::Unreadable(_)));
    let mut headers = SIGNED.to_vec();
    headers[layout.security_entry..layout.security_entry + 4].copy_from_slice(&64u32.to_le_bytes());
    assert!(matches!(read(&headers), Signature::Unreadable(_)));
}
