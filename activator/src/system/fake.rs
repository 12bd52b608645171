//! A scripted [`System`] for tests on Linux: an in-memory Windows with files, registry,
//! environment, and programs and network answers chosen by the test. It records what
//! the activator did (commands run, requests sent, console output, sleeps).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use time::{OffsetDateTime, UtcOffset};

use protocol::report::Architecture;

use super::{Hive, HttpRequest, HttpResponse, OsVersion, Output, Platform, System};

/// Answers a program run: `(program, args) -> output`.
pub type ProgramFn = Box<dyn FnMut(&str, &[&str]) -> io::Result<Output>>;

/// Answers an HTTP request.
pub type HttpFn = Box<dyn FnMut(&HttpRequest) -> io::Result<HttpResponse>>;

/// The fake PC and network.
pub struct FakeSystem {
    /// Everything the fake holds; tests edit it directly.
    pub state: RefCell<FakeState>,
}

/// The fake's contents and its record of what happened.
pub struct FakeState {
    /// Files by Windows path, e.g. `C:\Program Files\Microsoft Office\Office16\OSPP.VBS`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Environment variables.
    pub env: HashMap<String, String>,
    /// Registry strings by `(hive, key, name)`.
    pub registry: HashMap<(Hive, String, String), String>,
    /// Answers program runs.
    pub programs: ProgramFn,
    /// Answers HTTP requests.
    pub http: HttpFn,
    /// The TCP connect result for any address not in `tcp_by_address`.
    pub tcp: Result<Duration, io::ErrorKind>,
    /// TCP connect results for particular addresses.
    pub tcp_by_address: HashMap<SocketAddr, Result<Duration, io::ErrorKind>>,
    /// What a host name resolves to; a name not here resolves to 192.0.2.10.
    pub dns: HashMap<String, Vec<IpAddr>>,
    /// The clock; advanced by `sleep` and by each program run.
    pub now: OffsetDateTime,
    /// The PC's offset from UTC.
    pub offset: UtcOffset,
    /// Runs elevated.
    pub elevated: bool,
    /// The machine GUID.
    pub machine_guid: Option<String>,
    /// The Windows version.
    pub os_version: OsVersion,
    /// The processor, and whether the activator runs under WoW64. Under WoW64 the file
    /// system is redirected as Windows does it: `System32` is `SysWOW64`, `Sysnative` is
    /// the real `System32`; and the registry's 32-bit view is `SOFTWARE\WOW6432Node`.
    pub platform: Platform,
    /// The UI language.
    pub ui_language: String,
    /// Where the executable is.
    pub exe_dir: String,
    /// Next random byte (a counter, so ids differ and are repeatable).
    pub next_random: u8,
    /// Every program run, as `program arg arg …`.
    pub commands: Vec<String>,
    /// Every HTTP request.
    pub requests: Vec<HttpRequest>,
    /// Every TCP connect, as `host:port`.
    pub connects: Vec<String>,
    /// Everything written to the console.
    pub out: String,
    /// Every sleep.
    pub sleeps: Vec<Duration>,
    /// How many times a key was waited for.
    pub key_waits: usize,
    /// Lines the person will type, in order; none left means standard input is closed.
    pub typed: Vec<String>,
    /// Folders made safe by `secure_dir` (only administrators may use them).
    pub secured: Vec<String>,
    /// Folders that exist and anyone may write to (made by a standard user first).
    pub loose: Vec<String>,
    /// Paths that are junctions or links.
    pub reparse_points: Vec<String>,
    /// `secure_dir` cannot take over a loose folder (as without administrator rights).
    pub cannot_secure: bool,
}

impl FakeSystem {
    /// A 64-bit Windows 10 Enterprise PC in Taipei, with nothing installed, whose programs
    /// fail and whose network is down; the activator (a 32-bit program) runs elevated
    /// under WoW64 and sees the environment a 32-bit process gets.
    pub fn new() -> FakeSystem {
        let env = [
            ("SystemRoot", r"C:\Windows"),
            ("ProgramFiles", r"C:\Program Files (x86)"),
            ("ProgramFiles(x86)", r"C:\Program Files (x86)"),
            ("ProgramW6432", r"C:\Program Files"),
            ("ProgramData", r"C:\ProgramData"),
            ("PROCESSOR_ARCHITECTURE", "x86"),
            ("PROCESSOR_ARCHITEW6432", "AMD64"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let mut registry = HashMap::new();
        registry.insert(
            (
                Hive::LocalMachine,
                r"SOFTWARE\Microsoft\Windows NT\CurrentVersion".to_owned(),
                "EditionID".to_owned(),
            ),
            "Enterprise".to_owned(),
        );
        FakeSystem {
            state: RefCell::new(FakeState {
                files: BTreeMap::new(),
                env,
                registry,
                programs: Box::new(|program, _| {
                    Err(io::Error::new(io::ErrorKind::NotFound, program.to_owned()))
                }),
                http: Box::new(|_| {
                    Err(io::Error::new(
                        io::ErrorKind::ConnectionRefused,
                        "no network",
                    ))
                }),
                tcp: Err(io::ErrorKind::TimedOut),
                tcp_by_address: HashMap::new(),
                dns: HashMap::new(),
                now: time::macros::datetime!(2026-11-24 02:15:07 UTC),
                offset: time::macros::offset!(+8),
                elevated: true,
                machine_guid: Some("6a1f3e2d-0b4c-4d5e-8f6a-7b8c9d0e1f2a".to_owned()),
                os_version: OsVersion {
                    major: 10,
                    minor: 0,
                    build: 19045,
                },
                platform: Platform {
                    native: Architecture::X64,
                    wow64: true,
                },
                ui_language: "zh-TW".to_owned(),
                exe_dir: r"C:\Users\student\Downloads\activator-office-2019-proplus".to_owned(),
                next_random: 1,
                commands: Vec::new(),
                requests: Vec::new(),
                connects: Vec::new(),
                out: String::new(),
                sleeps: Vec::new(),
                key_waits: 0,
                typed: Vec::new(),
                secured: Vec::new(),
                loose: Vec::new(),
                reparse_points: Vec::new(),
                cannot_secure: false,
            }),
        }
    }

    /// Puts a file at a Windows path.
    pub fn add_file(&self, path: &str, contents: impl Into<Vec<u8>>) {
        self.state
            .borrow_mut()
            .files
            .insert(path.to_owned(), contents.into());
    }

    /// Sets a registry string.
    pub fn set_registry(&self, hive: Hive, key: &str, name: &str, value: &str) {
        self.state
            .borrow_mut()
            .registry
            .insert((hive, key.to_owned(), name.to_owned()), value.to_owned());
    }

    /// Makes this a 32-bit Windows (x86, no WoW64: one `System32`, one Program Files, one
    /// registry view), with the environment it gives programs.
    pub fn make_32_bit(&self) {
        let mut state = self.state.borrow_mut();
        state.platform = Platform {
            native: Architecture::X86,
            wow64: false,
        };
        for name in [
            "ProgramFiles(x86)",
            "ProgramW6432",
            "PROCESSOR_ARCHITEW6432",
        ] {
            state.env.remove(name);
        }
        state
            .env
            .insert("ProgramFiles".to_owned(), r"C:\Program Files".to_owned());
    }

    /// Files under a Windows folder (recursively), by path.
    pub fn files_under(&self, folder: &str) -> Vec<String> {
        let prefix = format!("{folder}\\");
        self.state
            .borrow()
            .files
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .cloned()
            .collect()
    }
}

impl Default for FakeSystem {
    fn default() -> Self {
        FakeSystem::new()
    }
}

fn key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl FakeState {
    /// The file a path names for this process: under WoW64, `System32` is redirected to
    /// `SysWOW64` and `Sysnative` to `System32` (in any letter case, as on Windows).
    fn file_key(&self, path: &Path) -> String {
        let path = key(path);
        if !self.platform.wow64 {
            return path;
        }
        let lower = path.to_ascii_lowercase();
        for (from, to) in [
            (r"\system32\", r"\SysWOW64\"),
            (r"\sysnative\", r"\System32\"),
        ] {
            if let Some(at) = lower.find(from) {
                return format!("{}{to}{}", &path[..at], &path[at + from.len()..]);
            }
        }
        path
    }
}

impl System for FakeSystem {
    /// The recorded command names the program as the activator gave it; the test's
    /// answer gets the file that runs (see [`FakeState::platform`]).
    fn run(&self, program: &Path, args: &[&str], _timeout: Duration) -> io::Result<Output> {
        let given = key(program);
        let mut state = self.state.borrow_mut();
        let program = state.file_key(program);
        state.commands.push(
            std::iter::once(given.as_str())
                .chain(args.iter().copied())
                .collect::<Vec<_>>()
                .join(" "),
        );
        state.now += Duration::from_millis(500);
        (state.programs)(&program, args)
    }

    fn secure_dir(&self, path: &Path) -> io::Result<()> {
        let path = key(path);
        let mut state = self.state.borrow_mut();
        if state.reparse_points.contains(&path) {
            return Err(io::ErrorKind::PermissionDenied.into());
        }
        if state.loose.contains(&path) {
            if state.cannot_secure {
                return Err(io::ErrorKind::PermissionDenied.into());
            }
            state.loose.retain(|p| *p != path);
        }
        if !state.secured.contains(&path) {
            state.secured.push(path);
        }
        Ok(())
    }

    fn is_reparse_point(&self, path: &Path) -> bool {
        self.state.borrow().reparse_points.contains(&key(path))
    }

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        let state = self.state.borrow();
        state
            .files
            .get(&state.file_key(path))
            .cloned()
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let mut state = self.state.borrow_mut();
        let path = state.file_key(path);
        state.files.insert(path, contents.to_vec());
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut state = self.state.borrow_mut();
        let path = state.file_key(path);
        state
            .files
            .remove(&path)
            .map(|_| ())
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let prefix = format!("{}\\", key(path));
        Ok(self
            .state
            .borrow()
            .files
            .keys()
            .filter(|p| {
                p.strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.contains('\\'))
            })
            .map(PathBuf::from)
            .collect())
    }

    fn exists(&self, path: &Path) -> bool {
        let state = self.state.borrow();
        let path = state.file_key(path);
        let prefix = format!("{path}\\");
        state
            .files
            .keys()
            .any(|p| *p == path || p.starts_with(&prefix))
    }

    fn env(&self, name: &str) -> Option<String> {
        self.state.borrow().env.get(name).cloned()
    }

    /// The 64-bit view, then (on 64-bit Windows) the 32-bit one: a key under `SOFTWARE\`
    /// as it appears under `SOFTWARE\WOW6432Node\`.
    fn registry_string(&self, hive: Hive, key: &str, name: &str) -> Option<String> {
        let state = self.state.borrow();
        let get = |key: &str| {
            state
                .registry
                .get(&(hive, key.to_owned(), name.to_owned()))
                .cloned()
        };
        let wow64_view = (state.platform.native != Architecture::X86)
            .then(|| key.strip_prefix(r"SOFTWARE\"))
            .flatten()
            .filter(|rest| !rest.starts_with(r"WOW6432Node\"))
            .map(|rest| format!(r"SOFTWARE\WOW6432Node\{rest}"));
        get(key).or_else(|| wow64_view.and_then(|key| get(&key)))
    }

    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let state = self.state.borrow();
        let ips = state
            .dns
            .get(host)
            .cloned()
            .unwrap_or_else(|| vec![IpAddr::from([192, 0, 2, 10])]);
        Ok(ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect())
    }

    fn tcp_connect(&self, address: SocketAddr, timeout: Duration) -> io::Result<Duration> {
        let mut state = self.state.borrow_mut();
        state.connects.push(address.to_string());
        let result = state
            .tcp_by_address
            .get(&address)
            .copied()
            .unwrap_or(state.tcp);
        if result == Err(io::ErrorKind::TimedOut) {
            state.now += timeout;
        }
        result.map_err(io::Error::from)
    }

    fn http(&self, request: &HttpRequest) -> io::Result<HttpResponse> {
        let mut state = self.state.borrow_mut();
        state.requests.push(request.clone());
        (state.http)(request)
    }

    fn now_utc(&self) -> OffsetDateTime {
        self.state.borrow().now
    }

    fn local_offset(&self) -> UtcOffset {
        self.state.borrow().offset
    }

    fn sleep(&self, duration: Duration) {
        let mut state = self.state.borrow_mut();
        state.sleeps.push(duration);
        state.now += duration;
    }

    fn is_elevated(&self) -> bool {
        self.state.borrow().elevated
    }

    fn machine_guid(&self) -> Option<String> {
        self.state.borrow().machine_guid.clone()
    }

    fn os_version(&self) -> OsVersion {
        self.state.borrow().os_version
    }

    fn platform(&self) -> Platform {
        self.state.borrow().platform
    }

    fn ui_language(&self) -> String {
        self.state.borrow().ui_language.clone()
    }

    fn random(&self, buffer: &mut [u8]) -> io::Result<()> {
        let mut state = self.state.borrow_mut();
        for byte in buffer {
            *byte = state.next_random;
            state.next_random = state.next_random.wrapping_add(1);
        }
        Ok(())
    }

    fn exe_dir(&self) -> PathBuf {
        PathBuf::from(self.state.borrow().exe_dir.clone())
    }

    fn write_out(&self, text: &str) {
        self.state.borrow_mut().out.push_str(text);
    }

    fn wait_for_key(&self) {
        self.state.borrow_mut().key_waits += 1;
    }

    fn read_line(&self) -> Option<String> {
        let mut state = self.state.borrow_mut();
        (!state.typed.is_empty()).then(|| state.typed.remove(0))
    }
}
