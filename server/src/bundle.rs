//! The download zip: `activator.exe`, `activator.toml`, `README.txt`, `SHA256SUMS`.
//!
//! The executable is compressed once per build of it: [`Bundles::current`] keeps a
//! one-entry zip of it and, for each download, that entry is copied raw into a new zip
//! beside the small per-download files, so a download costs a memory copy, not a
//! compression. A new build on disk (another size or modification time) is picked up at
//! the next download without a restart.

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use anyhow::Context;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::token::encode_hex;

/// The executable as prepared for downloads.
#[derive(Debug)]
pub struct Prepared {
    /// SHA-256 of `activator.exe`, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    stamp: (SystemTime, u64),
    entry_zip: Vec<u8>,
}

/// Watches the executable on disk and prepares it when it changes.
#[derive(Debug)]
pub struct Bundles {
    path: PathBuf,
    current: RwLock<Option<Arc<Prepared>>>,
}

/// A file to put beside the executable.
pub struct Extra<'a> {
    /// Its name in the zip.
    pub name: &'a str,
    /// Its contents.
    pub contents: &'a [u8],
}

impl Bundles {
    /// Watches `path`.
    pub fn new(path: PathBuf) -> Bundles {
        Bundles {
            path,
            current: RwLock::new(None),
        }
    }

    /// The executable, prepared; `None` when it has not been built. Blocking: call it
    /// from `spawn_blocking` (it compresses when the file changed).
    pub fn current(&self) -> Option<Arc<Prepared>> {
        let metadata = std::fs::metadata(&self.path).ok()?;
        let stamp = (metadata.modified().ok()?, metadata.len());
        if let Some(prepared) = self.current.read().ok()?.as_ref()
            && prepared.stamp == stamp
        {
            return Some(Arc::clone(prepared));
        }
        match prepare(&self.path, stamp) {
            Ok(prepared) => {
                let prepared = Arc::new(prepared);
                tracing::info!(path = %self.path.display(), bytes = prepared.size, sha256 = %prepared.sha256, "prepared the activator for downloads");
                if let Ok(mut current) = self.current.write() {
                    *current = Some(Arc::clone(&prepared));
                }
                Some(prepared)
            }
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "cannot prepare the activator");
                None
            }
        }
    }

    /// The path watched, for messages.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Prepared {
    /// A zip of the executable and `extras`, with `SHA256SUMS` over all of them.
    pub fn zip(&self, extras: &[Extra<'_>]) -> anyhow::Result<Vec<u8>> {
        let mut archive = ZipArchive::new(Cursor::new(self.entry_zip.as_slice()))?;
        let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(
            self.entry_zip.len() + 16 * 1024,
        )));
        out.raw_copy_file(archive.by_index_raw(0)?)?;
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        let mut sums = format!("{}  activator.exe\r\n", self.sha256);
        for extra in extras {
            out.start_file(extra.name, options)?;
            out.write_all(extra.contents)?;
            sums.push_str(&format!(
                "{}  {}\r\n",
                encode_hex(&Sha256::digest(extra.contents)),
                extra.name
            ));
        }
        out.start_file("SHA256SUMS", options)?;
        out.write_all(sums.as_bytes())?;
        Ok(out.finish()?.into_inner())
    }
}

fn prepare(path: &std::path::Path, stamp: (SystemTime, u64)) -> anyhow::Result<Prepared> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut entry = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    entry.start_file("activator.exe", options)?;
    entry.write_all(&bytes)?;
    Ok(Prepared {
        sha256: encode_hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        stamp,
        entry_zip: entry.finish()?.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn zips_hold_the_executable_and_extras_with_checksums() {
        let dir = std::env::temp_dir().join(format!("portal-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("activator.exe");
        std::fs::write(&exe, b"MZ first build").unwrap();
        let bundles = Bundles::new(exe.clone());
        let first = bundles.current().unwrap();
        assert!(
            Arc::ptr_eq(&first, &bundles.current().unwrap()),
            "prepared once"
        );
        let zip = first
            .zip(&[Extra {
                name: "activator.toml",
                contents: b"schema = 1\n",
            }])
            .unwrap();
        let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        let mut exe_text = String::new();
        archive
            .by_name("activator.exe")
            .unwrap()
            .read_to_string(&mut exe_text)
            .unwrap();
        assert_eq!(exe_text, "MZ first build");
        let mut sums = String::new();
        archive
            .by_name("SHA256SUMS")
            .unwrap()
            .read_to_string(&mut sums)
            .unwrap();
        assert!(sums.contains(&format!("{}  activator.exe", first.sha256)));
        assert!(sums.contains("  activator.toml"));

        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&exe, b"MZ second, longer build").unwrap();
        let second = bundles.current().unwrap();
        assert_ne!(first.sha256, second.sha256, "a new build is picked up");
        std::fs::remove_file(&exe).unwrap();
        assert!(bundles.current().is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
