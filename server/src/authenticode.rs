//! Who signed a Windows executable: its Authenticode signature, read, not trusted.
//!
//! A signed PE file carries a PKCS#7 `SignedData` in its certificate table (the
//! optional header's security directory, `IMAGE_DIRECTORY_ENTRY_SECURITY`). This module
//! finds it, takes the signer's certificate (the one its `SignerInfo` names by issuer and
//! serial number) and reads the subject's common name and organisation, and recomputes
//! the image's Authenticode digest (the file without its checksum, the security directory
//! entry and the certificate table) to compare with the one signed in
//! `SpcIndirectDataContent`: a file changed after signing says so.
//!
//! It does not check the signature's cryptography or the certificate chain: Windows does
//! that on every PC (SmartScreen, UAC's "verified publisher"), and the signing tests check
//! both with `osslsigncode verify`. The portal reads the signature to tell people and IT
//! staff what Windows will show, and to warn when there is none.
//!
//! Formats: Microsoft's "Windows Authenticode Portable Executable Signature Format" and
//! the PE format (`WIN_CERTIFICATE`); RFC 5652 (CMS `SignedData`), RFC 5280
//! (`Certificate`, `Name`). DER is read with the small reader below: only definite
//! lengths, which DER requires.

use sha2::{Digest, Sha256};

/// What an executable's signature says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signature {
    /// No certificate table.
    Unsigned,
    /// Signed by `signer`; `intact` is false when the file was changed after signing
    /// (its digest is no longer the signed one), and `None` when the signed digest uses
    /// an algorithm other than SHA-256, which the portal does not recompute.
    Signed {
        signer: Signer,
        intact: Option<bool>,
    },
    /// A certificate table that is not a readable Authenticode signature.
    Unreadable(&'static str),
}

/// The signing certificate's subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// Its common name (CN): what Windows shows as the publisher.
    pub name: String,
    /// Its organisation (O), when the certificate names one.
    pub organization: Option<String>,
    /// The issuer's common name: the certification authority.
    pub issuer: String,
}

/// What people are told about a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed, and the file is what was signed (or signed with a digest the portal does
    /// not recompute).
    Signed,
    /// Not signed: Windows warns ("Windows protected your PC", an unknown publisher).
    Unsigned,
    /// A signature Windows will reject: the file changed after signing, or the table
    /// does not parse.
    Broken,
}

impl Signature {
    /// What people are told about it.
    pub fn verdict(&self) -> Verdict {
        match self {
            Signature::Unsigned => Verdict::Unsigned,
            Signature::Signed {
                intact: Some(false),
                ..
            }
            | Signature::Unreadable(_) => Verdict::Broken,
            Signature::Signed { .. } => Verdict::Signed,
        }
    }

    /// Whether Windows would see a signature at all (intact or not).
    pub fn is_signed(&self) -> bool {
        matches!(self, Signature::Signed { .. })
    }

    /// One word for machines (`/readyz`): `signed`, `unsigned`, `altered` or
    /// `unreadable`.
    pub fn status(&self) -> &'static str {
        match self {
            Signature::Unsigned => "unsigned",
            Signature::Signed {
                intact: Some(false),
                ..
            } => "altered",
            Signature::Signed { .. } => "signed",
            Signature::Unreadable(_) => "unreadable",
        }
    }

    /// The signer, when there is one.
    pub fn signer(&self) -> Option<&Signer> {
        match self {
            Signature::Signed { signer, .. } => Some(signer),
            _ => None,
        }
    }
}

impl Signer {
    /// `Name (Organisation)`, or the name alone when the organisation is the same or
    /// missing.
    pub fn display(&self) -> String {
        match &self.organization {
            Some(organization) if *organization != self.name => {
                format!("{} ({organization})", self.name)
            }
            _ => self.name.clone(),
        }
    }
}

/// `WIN_CERTIFICATE.wCertificateType` for a PKCS#7 `SignedData`.
const WIN_CERT_TYPE_PKCS_SIGNED_DATA: u16 = 2;
/// 1.2.840.113549.1.7.2, `id-signedData`.
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// 2.16.840.1.101.3.4.2.1, `id-sha256`.
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// 2.5.4.3, `id-at-commonName`.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// 2.5.4.10, `id-at-organizationName`.
const OID_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];

/// Reads the Authenticode signature of the PE file `exe`.
pub fn read(exe: &[u8]) -> Signature {
    let Some(layout) = Layout::of(exe) else {
        return Signature::Unreadable("not a PE file");
    };
    let Some((offset, size)) = layout.certificate_table else {
        return Signature::Unsigned;
    };
    if offset < layout.security_entry + 8 {
        return Signature::Unreadable("the certificate table overlaps the headers");
    }
    let Some(table) = offset
        .checked_add(size)
        .and_then(|end| exe.get(offset..end))
    else {
        return Signature::Unreadable("the certificate table lies outside the file");
    };
    // WIN_CERTIFICATE: dwLength, wRevision, wCertificateType, then the certificate.
    let (Some(length), Some(kind)) = (le_u32(table, 0), le_u16(table, 6)) else {
        return Signature::Unreadable("the certificate table is too short");
    };
    if kind != WIN_CERT_TYPE_PKCS_SIGNED_DATA {
        return Signature::Unreadable("the certificate is not PKCS#7 signed data");
    }
    let Some(pkcs7) = table.get(8..length as usize) else {
        return Signature::Unreadable("the certificate's length is wrong");
    };
    match parse_signed_data(pkcs7) {
        Some((signer, digest)) => {
            let intact = digest.map(|(algorithm, signed)| {
                algorithm == OID_SHA256 && layout.sha256(exe, offset) == signed
            });
            Signature::Signed { signer, intact }
        }
        None => Signature::Unreadable("the signature is not an Authenticode SignedData"),
    }
}

/// Where the parts Authenticode leaves out of the image digest are.
struct Layout {
    /// The optional header's `CheckSum` field.
    checksum: usize,
    /// The security directory entry (8 bytes).
    security_entry: usize,
    /// The certificate table's file offset and size, when it has one.
    certificate_table: Option<(usize, usize)>,
}

impl Layout {
    fn of(exe: &[u8]) -> Option<Layout> {
        if exe.get(..2)? != b"MZ" {
            return None;
        }
        let pe = le_u32(exe, 0x3C)? as usize;
        if exe.get(pe..pe + 4)? != b"PE\0\0" {
            return None;
        }
        let optional = pe + 4 + 20;
        // The data directories start at 96 (PE32) or 112 (PE32+); the security one is the
        // fifth, after a count of them at 92 or 108.
        let (count_at, directories) = match le_u16(exe, optional)? {
            0x10B => (optional + 92, optional + 96),
            0x20B => (optional + 108, optional + 112),
            _ => return None,
        };
        if le_u32(exe, count_at)? < 5 {
            return None;
        }
        let security_entry = directories + 4 * 8;
        let offset = le_u32(exe, security_entry)? as usize;
        let size = le_u32(exe, security_entry + 4)? as usize;
        Some(Layout {
            checksum: optional + 64,
            security_entry,
            certificate_table: (offset != 0 && size != 0).then_some((offset, size)),
        })
    }

    /// The Authenticode SHA-256 of `exe` whose certificate table starts at `table`.
    fn sha256(&self, exe: &[u8], table: usize) -> Vec<u8> {
        let mut hash = Sha256::new();
        hash.update(&exe[..self.checksum]);
        hash.update(&exe[self.checksum + 4..self.security_entry]);
        hash.update(&exe[self.security_entry + 8..table.min(exe.len())]);
        hash.finalize().to_vec()
    }
}

/// The signer of a PKCS#7 `ContentInfo` holding `SignedData`, and the digest algorithm
/// and value its `SpcIndirectDataContent` signs, when it has one.
fn parse_signed_data(der: &[u8]) -> Option<(Signer, Option<SignedDigest<'_>>)> {
    let content_info = Der::new(der).sequence()?;
    let mut content_info = Der::new(content_info);
    if content_info.expect(0x06)? != OID_SIGNED_DATA {
        return None;
    }
    let signed_data = Der::new(content_info.expect(0xA0)?).sequence()?;
    let mut signed_data = Der::new(signed_data);
    signed_data.expect(0x02)?; // version
    signed_data.expect(0x31)?; // digestAlgorithms
    let digest = indirect_digest(signed_data.expect(0x30)?);
    let mut certificates = Vec::new();
    let mut signer_infos = None;
    while let Some((tag, value)) = signed_data.next() {
        match tag {
            0xA0 => certificates = Der::new(value).all(0x30)?,
            0x31 => signer_infos = Some(value),
            _ => {}
        }
    }
    // The first SignerInfo: SEQUENCE { version, IssuerAndSerialNumber, … }.
    let signer_info = Der::new(signer_infos?).sequence()?;
    let mut signer_info = Der::new(signer_info);
    signer_info.expect(0x02)?;
    let issuer_and_serial = Der::new(signer_info.expect(0x30)?);
    let mut issuer_and_serial = issuer_and_serial;
    let issuer = issuer_and_serial.expect(0x30)?;
    let serial = issuer_and_serial.expect(0x02)?;
    let subject = certificates.into_iter().find_map(|certificate| {
        let tbs = Der::new(Der::new(certificate).sequence()?).sequence()?;
        let mut tbs = Der::new(tbs);
        if tbs.peek_tag()? == 0xA0 {
            tbs.next()?; // [0] version
        }
        let matches = tbs.expect(0x02)? == serial;
        tbs.expect(0x30)?; // signature algorithm
        let cert_issuer = tbs.expect(0x30)?;
        tbs.expect(0x30)?; // validity
        let subject = tbs.expect(0x30)?;
        (matches && cert_issuer == issuer).then_some(subject)
    })?;
    let signer = Signer {
        name: attribute(subject, OID_COMMON_NAME)?,
        organization: attribute(subject, OID_ORGANIZATION),
        issuer: attribute(issuer, OID_COMMON_NAME)
            .or_else(|| attribute(issuer, OID_ORGANIZATION))
            .unwrap_or_default(),
    };
    Some((signer, digest))
}

/// A signed image digest: its algorithm's OID and its value.
type SignedDigest<'a> = (&'a [u8], Vec<u8>);

/// `EncapsulatedContentInfo { SpcIndirectDataContent { data, DigestInfo { algorithm,
/// digest } } }` → the algorithm's OID and the digest.
fn indirect_digest(content: &[u8]) -> Option<SignedDigest<'_>> {
    let mut content = Der::new(content);
    content.expect(0x06)?; // SPC_INDIRECT_DATA_OBJID
    let indirect = Der::new(content.expect(0xA0)?).sequence()?;
    let mut indirect = Der::new(indirect);
    indirect.expect(0x30)?; // SpcAttributeTypeAndOptionalValue
    let mut digest_info = Der::new(indirect.expect(0x30)?);
    let algorithm = Der::new(digest_info.expect(0x30)?).expect(0x06)?;
    Some((algorithm, digest_info.expect(0x04)?.to_vec()))
}

/// The first value of the attribute `oid` in the `Name` whose contents are `name`.
fn attribute(name: &[u8], oid: &[u8]) -> Option<String> {
    let mut rdns = Der::new(name);
    while let Some((_, rdn)) = rdns.next() {
        let mut pairs = Der::new(rdn);
        while let Some((_, pair)) = pairs.next() {
            let mut pair = Der::new(pair);
            if pair.expect(0x06)? == oid {
                let (tag, value) = pair.next()?;
                return match tag {
                    // BMPString: UTF-16 big-endian.
                    0x1E => {
                        let units: Vec<u16> = value
                            .chunks_exact(2)
                            .map(|c| u16::from_be_bytes([c[0], c[1]]))
                            .collect();
                        Some(String::from_utf16_lossy(&units))
                    }
                    // UTF8String, PrintableString, IA5String, T61String (read as Latin-1
                    // would be wrong for the rest; UTF-8 is what CAs write).
                    _ => Some(String::from_utf8_lossy(value).into_owned()),
                };
            }
        }
    }
    None
}

/// A cursor over consecutive DER values.
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Der<'a> {
        Der { rest: bytes }
    }

    /// The next value's tag and contents; `None` at the end or on a malformed length.
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            // Indefinite lengths (0x80) are not DER; four bytes is 4 GB.
            if count == 0 || count > 4 {
                return None;
            }
            let (bytes, after) = rest.split_at_checked(count)?;
            rest = after;
            bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b))
        };
        let (value, after) = rest.split_at_checked(length)?;
        self.rest = after;
        Some((tag, value))
    }

    /// The next value's tag, without moving.
    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next value's contents if its tag is `tag`.
    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (found, value) = self.next()?;
        (found == tag).then_some(value)
    }

    /// The contents of the SEQUENCE that is the next value.
    fn sequence(mut self) -> Option<&'a [u8]> {
        self.expect(0x30)
    }

    /// The whole value (tag and length too) of every remaining value, each of which must
    /// have the tag `tag`.
    fn all(mut self, tag: u8) -> Option<Vec<&'a [u8]>> {
        let mut values = Vec::new();
        while !self.rest.is_empty() {
            let before = self.rest;
            let (found, _) = self.next()?;
            if found != tag {
                return None;
            }
            values.push(&before[..before.len() - self.rest.len()]);
        }
        Some(values)
    }
}

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests;
