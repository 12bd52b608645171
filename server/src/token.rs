//! Download tokens: each download's `activator.toml` carries one, and it authenticates
//! that download's reports.
//!
//! `v1.{id}.{expires}.{mac}`: a random 96-bit id (hex), the expiry as Unix seconds, and
//! HMAC-SHA256 over the id, the expiry and the product slug with the server's secret
//! (hex). Checking one needs no database: the MAC is recomputed for the report's product
//! and compared in constant time, so a token for Office cannot vouch for a Windows
//! report. Revocation is a set of ids kept in memory (`revoked_tokens`).

use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::RwLock;

use anyhow::{Context, bail};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::config::Config;
use crate::secret::Secret;

/// The secret that signs tokens. Its `Debug` never shows it.
pub struct TokenKey {
    key: Vec<u8>,
}

/// A newly issued token.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The token's id (24 hex digits), recorded with the download.
    pub id: String,
    /// The whole token, written into `activator.toml`.
    pub token: Secret,
    /// When it stops authenticating reports.
    pub expires_at: OffsetDateTime,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` token of a token's form.
    Missing,
    /// Not a token of ours at all.
    Malformed,
    /// Signed by someone else, or for another product.
    BadSignature,
    /// Past its expiry.
    Expired,
    /// Revoked by staff.
    Revoked,
}

impl Refusal {
    /// What is wrong, after "The download token …", in English.
    pub fn en(self) -> &'static str {
        match self {
            Refusal::Missing => "is missing or malformed",
            Refusal::Malformed => "is malformed",
            Refusal::BadSignature => "is not valid for this product",
            Refusal::Expired => "has expired",
            Refusal::Revoked => "has been revoked",
        }
    }

    /// The same, after 「下載憑證無效：」.
    pub fn zh(self) -> &'static str {
        match self {
            Refusal::Missing => "沒有附上，或格式不正確",
            Refusal::Malformed => "格式不正確",
            Refusal::BadSignature => "不是這個產品的憑證",
            Refusal::Expired => "已過期",
            Refusal::Revoked => "已被撤銷",
        }
    }
}

/// A set of token ids checked without a database query: the revoked ones, the
/// deployments' ones.
#[derive(Debug, Default)]
pub struct TokenIds {
    ids: RwLock<HashSet<String>>,
}

/// The name of the secret's file in `data_dir`.
pub const SECRET_FILE: &str = "token-secret";

const ID_BYTES: usize = 12;

impl TokenKey {
    /// The configured secret, or the one in `data_dir`, generated there on first start
    /// (readable by the owner only).
    pub fn load(config: &Config) -> anyhow::Result<TokenKey> {
        if let Some(secret) = &config.token_secret {
            return Ok(TokenKey {
                key: decode_hex(secret.expose()).context("token_secret is not hex")?,
            });
        }
        let path = config.data_dir.join(SECRET_FILE);
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let key = decode_hex(text.trim())
                .with_context(|| format!("{} is not hex", path.display()))?;
            if key.len() < 32 {
                bail!("{} holds fewer than 32 bytes", path.display());
            }
            return Ok(TokenKey { key });
        }
        let mut key = vec![0_u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        write_private(&path, encode_hex(&key).as_bytes())?;
        tracing::info!(path = %path.display(), "generated the download-token secret");
        Ok(TokenKey { key })
    }

    /// A key from bytes, for tests and benchmarks.
    pub fn from_bytes(key: &[u8]) -> TokenKey {
        TokenKey { key: key.to_vec() }
    }

    /// Issues a token for `product`, valid until `expires_at`.
    pub fn issue(&self, product: &str, expires_at: OffsetDateTime) -> anyhow::Result<Issued> {
        let mut id = [0_u8; ID_BYTES];
        getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        let id = encode_hex(&id);
        Ok(Issued {
            token: Secret::new(self.token(&id, product, expires_at)),
            id,
            expires_at,
        })
    }

    /// The token with the id `id` for `product`, valid until `expires_at`: the same every
    /// time, so a deployment's token is recomputed rather than stored.
    pub fn token(&self, id: &str, product: &str, expires_at: OffsetDateTime) -> String {
        let expires = expires_at.unix_timestamp();
        let mac = encode_hex(&self.mac(id, expires, product).finalize().into_bytes());
        format!("v1.{id}.{expires}.{mac}")
    }

    /// Checks `token` for `product` at `now`; answers the token's id.
    pub fn verify(
        &self,
        token: &str,
        product: &str,
        now: OffsetDateTime,
        revoked: &TokenIds,
    ) -> Result<String, Refusal> {
        let mut parts = token.split('.');
        let (Some("v1"), Some(id), Some(expires), Some(mac), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Refusal::Malformed);
        };
        if !is_id(id) || expires.len() > 12 || mac.len() != 64 {
            return Err(Refusal::Malformed);
        }
        let expires: i64 = expires.parse().map_err(|_| Refusal::Malformed)?;
        let mac = decode_hex(mac).map_err(|_| Refusal::Malformed)?;
        self.mac(id, expires, product)
            .verify_slice(&mac)
            .map_err(|_| Refusal::BadSignature)?;
        if expires < now.unix_timestamp() {
            return Err(Refusal::Expired);
        }
        if revoked.contains(id) {
            return Err(Refusal::Revoked);
        }
        Ok(id.to_owned())
    }

    /// The signature of `message` for `purpose` (e.g. `calendar v1`), as hex: the same
    /// every time, so a link made from it is recomputed rather than stored.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        encode_hex(&self.keyed(purpose, message).finalize().into_bytes())
    }

    /// Whether `signature` (hex) is [`TokenKey::sign`]'s for `purpose` and `message`,
    /// compared in constant time.
    pub fn signed(&self, purpose: &str, message: &str, signature: &str) -> bool {
        signature.len() == 64
            && decode_hex(signature)
                .is_ok_and(|mac| self.keyed(purpose, message).verify_slice(&mac).is_ok())
    }

    fn mac(&self, id: &str, expires: i64, product: &str) -> Hmac<Sha256> {
        self.keyed("download v1", &format!("{id}\n{expires}\n{product}"))
    }

    fn keyed(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        // A key of any length is valid for HMAC, so this cannot fail.
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(format!("campus-license-portal {purpose}\n{message}").as_bytes());
        mac
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(***)")
    }
}

impl TokenIds {
    /// Whether `id` is revoked.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.read().is_ok_and(|ids| ids.contains(id))
    }

    /// Replaces the set, e.g. after reading `revoked_tokens`.
    pub fn replace(&self, ids: HashSet<String>) {
        if let Ok(mut current) = self.ids.write() {
            *current = ids;
        }
    }
}

/// Whether `id` has a token id's shape: 24 lower-case hex digits, as issued.
pub fn is_id(id: &str) -> bool {
    id.len() == ID_BYTES * 2 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `bytes` as lower-case hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        bail!("odd number of hex digits");
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).context("not a hex digit"))
        .collect()
}

/// Writes a file only its owner can read, creating its folder.
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

    fn key() -> TokenKey {
        TokenKey::from_bytes(&[7; 32])
    }

    #[test]
    fn only_token_ids_are_ids() {
        assert!(is_id("0123456789abcdef01234567"));
        for bad in [
            "",
            "0123456789ABCDEF01234567",
            "0123456789abcdef0123456",
            "../../etc/passwd",
        ] {
            assert!(!is_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_token_verifies_for_its_product_only() {
        let issued = key()
            .issue("office-2019-proplus", NOW + time::Duration::days(365))
            .unwrap();
        let revoked = TokenIds::default();
        assert!(issued.token.expose().len() <= protocol::config::MAX_TOKEN_BYTES);
        assert_eq!(
            key().verify(issued.token.expose(), "office-2019-proplus", NOW, &revoked),
            Ok(issued.id.clone())
        );
        assert_eq!(
            key().verify(
                issued.token.expose(),
                "windows-10-enterprise",
                NOW,
                &revoked
            ),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            TokenKey::from_bytes(&[8; 32]).verify(
                issued.token.expose(),
                "office-2019-proplus",
                NOW,
                &revoked
            ),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn expiry_and_revocation_are_enforced() {
        let issued = key()
            .issue("project-2016", NOW + time::Duration::seconds(10))
            .unwrap();
        let revoked = TokenIds::default();
        assert_eq!(
            key().verify(
                issued.token.expose(),
                "project-2016",
                NOW + time::Duration::seconds(11),
                &revoked
            ),
            Err(Refusal::Expired)
        );
        revoked.replace(HashSet::from([issued.id.clone()]));
        assert_eq!(
            key().verify(issued.token.expose(), "project-2016", NOW, &revoked),
            Err(Refusal::Revoked)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let issued = key()
            .issue("office-2016-proplus", NOW + time::Duration::days(1))
            .unwrap();
        let revoked = TokenIds::default();
        let longer = issued.token.expose().replacen(
            &format!(".{}.", (NOW + time::Duration::days(1)).unix_timestamp()),
            &format!(".{}.", (NOW + time::Duration::days(900)).unix_timestamp()),
            1,
        );
        assert_eq!(
            key().verify(&longer, "office-2016-proplus", NOW, &revoked),
            Err(Refusal::BadSignature)
        );
        for bad in [
            "",
            "v1",
            "v2.a.b.c",
            "v1.zz.1.aa",
            &format!("{}.extra", issued.token.expose()),
            &issued.token.expose().replace("v1.", "v1.."),
        ] {
            assert_eq!(
                key().verify(bad, "office-2016-proplus", NOW, &revoked),
                Err(Refusal::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_secret_is_generated_once_and_private() {
        let dir = std::env::temp_dir().join(format!("portal-secret-{}", std::process::id()));
        let config = Config {
            data_dir: dir.clone(),
            ..Config::default()
        };
        let first = TokenKey::load(&config).unwrap();
        let second = TokenKey::load(&config).unwrap();
        assert_eq!(first.key, second.key);
        assert_eq!(format!("{first:?}"), "TokenKey(***)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
