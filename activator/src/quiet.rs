//! `--quiet`: for PCs that IT deploys by the hundred (a GPO start-up script, SCCM,
//! Intune, a scheduled task). Nothing is shown and nothing is asked: what the activator
//! would have printed goes to a log file in its administrators-only folder under
//! `%ProgramData%`, and the exit code says how it went.
//!
//! [`Quiet`] wraps the real [`System`]: console output is collected instead of written,
//! there is no key to wait for and no one to answer a question (so an edition upgrade
//! happens only with `--upgrade-edition`). [`Quiet::save`] appends the run to
//! `activator.log`, keeping its last [`LOG_LIMIT`] bytes.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::deliver;
use crate::system::{Hive, HttpRequest, HttpResponse, OsVersion, Output, Platform, System};

/// The log keeps at most this many bytes: the latest runs, a few hundred of them.
pub const LOG_LIMIT: usize = 256 * 1024;

/// A [`System`] that shows nothing and asks nothing.
pub struct Quiet<'a> {
    inner: &'a dyn System,
    log: RefCell<String>,
}

/// The log file: `%ProgramData%\CampusLicensePortal\activator.log`.
pub fn log_path(system: &dyn System) -> PathBuf {
    PathBuf::from(format!(
        r"{}\activator.log",
        deliver::data_dir(system).to_string_lossy()
    ))
}

impl<'a> Quiet<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn System) -> Quiet<'a> {
        Quiet {
            inner,
            log: RefCell::new(String::new()),
        }
    }

    /// Appends this run (a heading with the time, the version and `args`, what it would
    /// have printed, and its exit code) to the log, in the administrators-only folder; an
    /// old log is cut at a line so that it stays under [`LOG_LIMIT`]. Errors are ignored:
    /// the exit code is the answer, the log only its explanation.
    pub fn save(&self, args: &[String], code: i32) {
        let system = self.inner;
        let at = system
            .now_utc()
            .to_offset(system.local_offset())
            .format(&Rfc3339)
            .unwrap_or_default();
        let run = format!(
            "=== {at} activator {} {} ===\r\n{}exit code {code}\r\n\r\n",
            env!("CARGO_PKG_VERSION"),
            args.join(" "),
            self.log
                .borrow()
                .replace("\r\n", "\n")
                .replace('\n', "\r\n"),
        );
        if !deliver::secure_data_dir(system) {
            return;
        }
        let path = log_path(system);
        let mut log = system.read_file(&path).unwrap_or_default();
        log.extend_from_slice(run.as_bytes());
        if log.len() > LOG_LIMIT {
            let cut = log.len() - LOG_LIMIT;
            let start = log[cut..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(log.len(), |i| cut + i + 1);
            log.drain(..start);
        }
        let _ = system.write_file(&path, &log);
    }
}

impl System for Quiet<'_> {
    fn run(&self, program: &Path, args: &[&str], timeout: Duration) -> io::Result<Output> {
        self.inner.run(program, args, timeout)
    }
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.inner.read_file(path)
    }
    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        self.inner.write_file(path, contents)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.inner.remove_file(path)
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.inner.list_dir(path)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn secure_dir(&self, path: &Path) -> io::Result<()> {
        self.inner.secure_dir(path)
    }
    fn is_reparse_point(&self, path: &Path) -> bool {
        self.inner.is_reparse_point(path)
    }
    fn env(&self, name: &str) -> Option<String> {
        self.inner.env(name)
    }
    fn registry_string(&self, hive: Hive, key: &str, name: &str) -> Option<String> {
        self.inner.registry_string(hive, key, name)
    }
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        self.inner.resolve(host, port)
    }
    fn tcp_connect(&self, address: SocketAddr, timeout: Duration) -> io::Result<Duration> {
        self.inner.tcp_connect(address, timeout)
    }
    fn http(&self, request: &HttpRequest) -> io::Result<HttpResponse> {
        self.inner.http(request)
    }
    fn now_utc(&self) -> OffsetDateTime {
        self.inner.now_utc()
    }
    fn local_offset(&self) -> UtcOffset {
        self.inner.local_offset()
    }
    fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration);
    }
    fn is_elevated(&self) -> bool {
        self.inner.is_elevated()
    }
    fn machine_guid(&self) -> Option<String> {
        self.inner.machine_guid()
    }
    fn os_version(&self) -> OsVersion {
        self.inner.os_version()
    }
    fn platform(&self) -> Platform {
        self.inner.platform()
    }
    fn ui_language(&self) -> String {
        self.inner.ui_language()
    }
    fn random(&self, buffer: &mut [u8]) -> io::Result<()> {
        self.inner.random(buffer)
    }
    fn exe_dir(&self) -> PathBuf {
        self.inner.exe_dir()
    }
    /// Collected for the log, not shown.
    fn write_out(&self, text: &str) {
        self.log.borrow_mut().push_str(text);
    }
    /// No one is there to press a key.
    fn wait_for_key(&self) {}
    /// No one is there to answer.
    fn read_line(&self) -> Option<String> {
        None
    }
}
