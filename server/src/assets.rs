//! Static assets compiled into the binary, served with long cache lifetimes.
//!
//! Each asset's URL carries a hash of its bytes (`/static/style.css?v=…`), so a changed
//! file gets a new URL and browsers may cache every version forever.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// One static file.
#[derive(Debug)]
pub struct Asset {
    /// The file's bytes.
    pub bytes: &'static [u8],
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// A short hash of its bytes, used in its URL and as its `ETag`.
    pub hash: String,
    /// The URL pages link to.
    pub url: String,
}

/// Finds the asset called `name`.
pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.get(name)
}

/// The versioned URL of the asset `name`; assets are fixed at build time, so an unknown
/// name is a programming error caught by the tests that render every page.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .get(name)
        .map_or("/static/missing", |asset| asset.url.as_str())
}

const FILES: [(&str, &[u8], &str); 4] = [
    (
        "style.css",
        include_bytes!("../../static/style.css"),
        "text/css; charset=utf-8",
    ),
    (
        "admin.css",
        include_bytes!("../../static/admin.css"),
        "text/css; charset=utf-8",
    ),
    (
        "admin-forms.css",
        include_bytes!("../../static/admin-forms.css"),
        "text/css; charset=utf-8",
    ),
    (
        "favicon.svg",
        include_bytes!("../../static/favicon.svg"),
        "image/svg+xml",
    ),
];

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .into_iter()
        .map(|(name, bytes, content_type)| {
            let digest = Sha256::digest(bytes);
            let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
            let url = format!("/static/{name}?v={hash}");
            (
                name,
                Asset {
                    bytes,
                    content_type,
                    hash,
                    url,
                },
            )
        })
        .collect()
});
