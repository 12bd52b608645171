//! The download zip: `activator.exe`, `activator.toml`, `README.txt`, `SHA256SUMS`.
//!
//! The executable is compressed once per build of it: [`Bundles::current`] keeps a
//! one-entry zip of it. Every download's zip starts with the same bytes, that entry's
//! local header and compressed data, which are sent from the shared buffer as they are;
//! per download only the rest is written: the small files and the central directory,
//! appended to the one-entry zip by `ZipWriter::new_append` (a few kilobytes). A new
//! build on disk (another size or modification time) is picked up at the next download
//! without a restart.
//!
//! Zip entries carry a local date and time: the executable its build's, the other files
//! the download's, both in the institution's time zone (what Explorer shows).

mod parts;

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use anyhow::{Context as _, bail};
use axum::body::Bytes;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use self::parts::{Appending, Chunks};
use crate::authenticode::{self, Signature};
use crate::token::encode_hex;

/// The executable as prepared for downloads.
#[derive(Debug)]
pub struct Prepared {
    /// SHA-256 of `activator.exe`, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its Authenticode signature: who signed it, if anyone.
    pub signature: Signature,
    stamp: (SystemTime, u64),
    /// The institution's time zone, for the entries' dates.
    zone: TimeZone,
    /// A zip holding only the executable.
    entry_zip: Bytes,
    /// Where `entry_zip`'s central directory starts: the bytes before it begin every
    /// download.
    head_len: usize,
}

/// Watches the executable on disk and prepares it when it changes.
#[derive(Debug)]
pub struct Bundles {
    path: PathBuf,
    zone: TimeZone,
    current: RwLock<Option<Arc<Prepared>>>,
}

/// A file shared by many downloads (the portal's `errors.toml`), deflated once and copied
/// raw into each zip with its SHA-256 already known.
#[derive(Clone, Debug)]
pub struct Shared {
    /// A zip holding only this file.
    entry_zip: Bytes,
    /// Its SHA-256, hex.
    sha256: String,
    /// Its name in the zip.
    name: String,
}

/// A file to put beside the executable.
pub struct Extra<'a> {
    /// Its name in the zip.
    pub name: &'a str,
    /// Its contents.
    pub contents: &'a [u8],
}

/// One download's zip: the executable's entry, shared by every download, then this
/// download's own files and the central directory.
#[derive(Debug)]
pub struct Zip {
    head: Bytes,
    tail: Bytes,
}

impl Bundles {
    /// Watches `path`; entries are dated in `zone`.
    pub fn new(path: PathBuf, zone: TimeZone) -> Bundles {
        Bundles {
            path,
            zone,
            current: RwLock::new(None),
        }
    }

    /// The executable, prepared; `None` when it has not been built. Blocking: from
    /// async code call [`Bundles::ready`] (it compresses when the file changed).
    pub fn current(&self) -> Option<Arc<Prepared>> {
        let stamp = self.stamp()?;
        if let Some(prepared) = self.prepared(stamp) {
            return Some(prepared);
        }
        match prepare(&self.path, stamp, &self.zone) {
            Ok(prepared) => {
                let prepared = Arc::new(prepared);
                let signer = prepared.signature.signer().map(|s| s.display());
                tracing::info!(path = %self.path.display(), bytes = prepared.size, sha256 = %prepared.sha256, signature = prepared.signature.status(), signer, "prepared the activator for downloads");
                if !prepared.signature.is_signed() {
                    tracing::warn!(path = %self.path.display(), "the activator is not signed: Windows will warn people who run it (scripts/build-activator --sign)");
                }
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

    /// [`Bundles::current`] from async code: when the executable has not changed since
    /// it was prepared, a `stat` on this thread and no more; otherwise on a blocking
    /// thread.
    pub async fn ready(self: &Arc<Self>) -> Option<Arc<Prepared>> {
        if let Some(prepared) = self.stamp().and_then(|stamp| self.prepared(stamp)) {
            return Some(prepared);
        }
        let bundles = Arc::clone(self);
        tokio::task::spawn_blocking(move || bundles.current())
            .await
            .ok()
            .flatten()
    }

    /// The executable's modification time and size; `None` when there is none.
    fn stamp(&self) -> Option<(SystemTime, u64)> {
        let metadata = std::fs::metadata(&self.path).ok()?;
        Some((metadata.modified().ok()?, metadata.len()))
    }

    /// The executable as prepared, if it was prepared as it is at `stamp`.
    fn prepared(&self, stamp: (SystemTime, u64)) -> Option<Arc<Prepared>> {
        let current = self.current.read().ok()?;
        current
            .as_ref()
            .filter(|prepared| prepared.stamp == stamp)
            .map(Arc::clone)
    }

    /// The path watched, for messages.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Shared {
    /// Deflates `contents` as the zip entry `name`, dated now in `zone`.
    pub fn new(name: &str, contents: &[u8], zone: &TimeZone) -> anyhow::Result<Shared> {
        let mut entry = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(local_time(SystemTime::now(), zone));
        entry.start_file(name, options)?;
        entry.write_all(contents)?;
        Ok(Shared {
            entry_zip: Bytes::from(entry.finish()?.into_inner()),
            sha256: encode_hex(&Sha256::digest(contents)),
            name: name.to_owned(),
        })
    }
}

impl Prepared {
    /// A zip of the executable, the `shared` files and `extras`, with `SHA256SUMS` over
    /// all of them.
    pub fn zip(&self, shared: &[&Shared], extras: &[Extra<'_>]) -> anyhow::Result<Zip> {
        let head = self.entry_zip.slice(..self.head_len);
        let mut out =
            ZipWriter::new_append(Appending::new(&head, &self.entry_zip[self.head_len..]))?;
        // Stored, not deflated: the files are a few kilobytes beside a megabyte, and a
        // deflater's set-up (hundreds of kilobytes zeroed per file) was a fifth of a
        // download's CPU time.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(local_time(SystemTime::now(), &self.zone));
        let mut sums = format!("{}  activator.exe\r\n", self.sha256);
        for file in shared {
            let mut archive = zip::ZipArchive::new(Cursor::new(file.entry_zip.as_ref()))?;
            out.raw_copy_file(archive.by_index_raw(0)?)?;
            sums.push_str(&format!("{}  {}\r\n", file.sha256, file.name));
        }
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
        let tail = out.finish()?.tail;
        Ok(Zip {
            head,
            tail: Bytes::from(tail),
        })
    }
}

impl Zip {
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    /// Whether it is empty (never: a zip has at least its end record).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole zip in one buffer (a copy, for tests and checks).
    pub fn to_vec(&self) -> Vec<u8> {
        [self.head.as_ref(), self.tail.as_ref()].concat()
    }

    /// A response body sending both parts without copying them, with its exact length.
    pub fn into_body(self) -> axum::body::Body {
        axum::body::Body::new(Chunks::new([self.head, self.tail]))
    }
}

fn prepare(
    path: &std::path::Path,
    stamp: (SystemTime, u64),
    zone: &TimeZone,
) -> anyhow::Result<Prepared> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut entry = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(local_time(stamp.0, zone));
    entry.start_file("activator.exe", options)?;
    entry.write_all(&bytes)?;
    let entry_zip = entry.finish()?.into_inner();
    Ok(Prepared {
        sha256: encode_hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        signature: authenticode::read(&bytes),
        stamp,
        zone: zone.clone(),
        head_len: directory_start(&entry_zip)?,
        entry_zip: Bytes::from(entry_zip),
    })
}

/// `at` as a zip entry's date and time, in `zone`; zip's earliest date (1980-01-01) when
/// it cannot say (before 1980, after 2107).
fn local_time(at: SystemTime, zone: &TimeZone) -> zip::DateTime {
    let Ok(at) = jiff::Timestamp::try_from(at) else {
        return zip::DateTime::DEFAULT;
    };
    let local = at.to_zoned(zone.clone());
    let part = |n: i8| u8::try_from(n).unwrap_or(0);
    u16::try_from(local.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(local.month()),
                part(local.day()),
                part(local.hour()),
                part(local.minute()),
                part(local.second()),
            )
            .ok()
        })
        .unwrap_or(zip::DateTime::DEFAULT)
}

/// Where a zip's central directory starts, from its end record (22 bytes, no comment).
fn directory_start(zip: &[u8]) -> anyhow::Result<usize> {
    let Some(end) = zip.len().checked_sub(22).and_then(|at| zip.get(at..)) else {
        bail!("the zip is too short");
    };
    if end[..4] != [0x50, 0x4b, 0x05, 0x06] || end[20..22] != [0, 0] {
        bail!("the zip does not end with a plain end record");
    }
    let start = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
    if start >= zip.len() - 22 {
        bail!("the zip's central directory is out of place");
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use zip::ZipArchive;

    #[test]
    fn zips_hold_the_executable_and_extras_with_checksums() {
        let dir = std::env::temp_dir().join(format!("portal-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("activator.exe");
        std::fs::write(&exe, b"MZ first build").unwrap();
        // Built at 2026-03-04 05:06:08 UTC: 13:06:08 in the institution's UTC+8.
        let built = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_772_600_768);
        std::fs::File::options()
            .write(true)
            .open(&exe)
            .unwrap()
            .set_modified(built)
            .unwrap();
        let zone = TimeZone::fixed(jiff::tz::offset(8));
        let bundles = Bundles::new(exe.clone(), zone.clone());
        let first = bundles.current().unwrap();
        assert!(
            Arc::ptr_eq(&first, &bundles.current().unwrap()),
            "prepared once"
        );
        let before = local_time(SystemTime::now(), &zone);
        let zip = first
            .zip(
                &[],
                &[Extra {
                    name: "activator.toml",
                    contents: b"schema = 1\n",
                }],
            )
            .unwrap();
        let after = local_time(SystemTime::now(), &zone);
        let mut archive = ZipArchive::new(Cursor::new(zip.to_vec())).unwrap();
        assert_eq!(
            archive.by_name("activator.exe").unwrap().last_modified(),
            Some(zip::DateTime::from_date_and_time(2026, 3, 4, 13, 6, 8).unwrap()),
            "the executable is dated by its build, in the institution's zone"
        );
        for name in ["activator.toml", "SHA256SUMS"] {
            let made = archive.by_name(name).unwrap().last_modified().unwrap();
            assert!(
                before <= made && made <= after,
                "{name} is dated by the download"
            );
        }
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
