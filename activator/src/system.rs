//! The activator's one seam to the outside world.
//!
//! Everything with a side effect — running `cscript`, the file system, the registry, the
//! network, the clock, the console — goes through [`System`]. The flow, the parsers and
//! the decisions are pure code over this trait: `system/windows.rs` is the real
//! implementation (the only code that spawns processes or calls Win32), `system/fake.rs`
//! the scripted one the tests use on Linux.

#[cfg(test)]
pub mod fake;
#[cfg(windows)]
pub mod windows;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use protocol::report::Architecture;
use time::{OffsetDateTime, UtcOffset};

/// A finished program: exit code and raw output (decoded by `parse::decode_output`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// The exit code (a Windows exit code is a u32; HRESULTs come out negative).
    pub status: i32,
    /// It did not finish within its time and was stopped; `status` means nothing then.
    pub timed_out: bool,
    /// Standard output, as bytes.
    pub stdout: Vec<u8>,
    /// Standard error, as bytes.
    pub stderr: Vec<u8>,
}

/// A registry hive the activator reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hive {
    /// `HKEY_LOCAL_MACHINE`.
    LocalMachine,
    /// `HKEY_CURRENT_USER`.
    CurrentUser,
}

/// The Windows version from the kernel, not from the (compatibility-shimmed) registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OsVersion {
    /// 10 for Windows 10 and 11, 6 for 7, 8 and 8.1.
    pub major: u32,
    /// 0 for Windows 10 and 11; 1, 2, 3 for 7, 8, 8.1.
    pub minor: u32,
    /// The build number, e.g. 19045.
    pub build: u32,
}

/// The processor Windows runs on, beneath the activator's own 32-bit process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    /// The PC's architecture: what the report states.
    pub native: Architecture,
    /// This process runs under WoW64 (32-bit on 64-bit Windows, x64 or ARM64): its
    /// `System32` is `SysWOW64`, so Windows' own programs are reached through `Sysnative`.
    pub wow64: bool,
}

/// An HTTP request the activator makes (to the portal only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `HEAD` or `POST`.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for GET and HEAD).
    pub body: Vec<u8>,
    /// How long the whole exchange may take.
    pub timeout: Duration,
}

/// The answer to an [`HttpRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Date` header, if present.
    pub date: Option<String>,
    /// The `Retry-After` header, if present.
    pub retry_after: Option<String>,
    /// The body, at most 64 KiB of it.
    pub body: Vec<u8>,
}

/// Everything the activator does to, or learns from, the PC and the network.
pub trait System {
    /// Runs `program` with `args` and waits at most `timeout` for it to finish.
    fn run(&self, program: &Path, args: &[&str], timeout: Duration) -> io::Result<Output>;

    /// Reads a whole file.
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Writes a whole file so that a crash leaves either the old or the new contents
    /// (write beside it, then rename), creating its folder if needed.
    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()>;

    /// Removes a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;

    /// The files in a folder (not recursive); an absent folder is empty.
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;

    /// Whether a file or folder exists.
    fn exists(&self, path: &Path) -> bool;

    /// Makes `path` a folder only SYSTEM and Administrators can use (owner Administrators,
    /// a protected access list): creates it so, or takes over an existing one; refuses a
    /// junction or other reparse point, which is never followed.
    fn secure_dir(&self, path: &Path) -> io::Result<()>;

    /// Whether `path` is a junction, symbolic link or other reparse point.
    fn is_reparse_point(&self, path: &Path) -> bool;

    /// An environment variable, e.g. `ProgramFiles`.
    fn env(&self, name: &str) -> Option<String>;

    /// A string (`REG_SZ` or `REG_EXPAND_SZ`, unexpanded) from the registry: its 64-bit
    /// view first, then its 32-bit one (`SOFTWARE\WOW6432Node`, where 32-bit Office and
    /// other 32-bit programs write on 64-bit Windows). 32-bit Windows has one view.
    fn registry_string(&self, hive: Hive, key: &str, name: &str) -> Option<String>;

    /// Every address `host` resolves to (IPv6 and IPv4, in the resolver's order), with
    /// `port`; an IP address literal resolves to itself.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;

    /// Opens a TCP connection to `address`, waiting at most `timeout`, and closes it,
    /// answering how long it took.
    fn tcp_connect(&self, address: SocketAddr, timeout: Duration) -> io::Result<Duration>;

    /// Makes an HTTP request.
    fn http(&self, request: &HttpRequest) -> io::Result<HttpResponse>;

    /// The current time, UTC, from the PC's clock.
    fn now_utc(&self) -> OffsetDateTime;

    /// The PC's current offset from UTC (its time zone and daylight saving).
    fn local_offset(&self) -> UtcOffset;

    /// Waits.
    fn sleep(&self, duration: Duration);

    /// Whether the process runs with administrator rights (an elevated token).
    fn is_elevated(&self) -> bool;

    /// The Windows machine GUID (`HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid`).
    fn machine_guid(&self) -> Option<String>;

    /// The Windows version.
    fn os_version(&self) -> OsVersion;

    /// The PC's processor and whether this process runs emulated beneath it.
    fn platform(&self) -> Platform;

    /// The user-interface language as a BCP 47 tag, e.g. `zh-TW` or `en-US`.
    fn ui_language(&self) -> String;

    /// Fills `buffer` with cryptographically random bytes.
    fn random(&self, buffer: &mut [u8]) -> io::Result<()>;

    /// The folder the executable is in (where `activator.toml` sits).
    fn exe_dir(&self) -> PathBuf;

    /// Writes text to the console, as is.
    fn write_out(&self, text: &str);

    /// Waits for the person to press a key (the program is started by double-click).
    fn wait_for_key(&self);

    /// A line the person types at the console, without its line end; `None` when there
    /// is no one to ask (standard input closed or not readable).
    fn read_line(&self) -> Option<String>;
}
