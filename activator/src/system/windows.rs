//! The real [`System`]: Windows, through the standard library, `ureq` and a few Win32 calls.
//!
//! This is the only code in the project that spawns processes, reads the registry or calls
//! Win32, and it must stay thin: no decisions, no parsing, no wording. Everything here runs
//! on Windows 7 to 11, 32- and 64-bit, x64 and ARM64, from one 32-bit executable (built
//! for `i686-win7-windows-gnu`, see `scripts/build-activator`), so it calls only functions
//! Windows 7 has (later ones are looked up at run time), it reaches Windows' own programs
//! through `Sysnative` and reads both registry views, and it runs under Wine 8, where the
//! end-to-end tests run it. `process.rs` runs programs, `win32.rs` holds the
//! Win32 calls; the files, registry, network and clock are here.
//!
//! Console text: [`WindowsSystem::new`] switches the console's output code page to UTF-8
//! and `Drop` puts the old one back. Our own text does not need it (the standard library
//! writes to a console with `WriteConsoleW`, and to a pipe or file as UTF-8 either way);
//! it is for whatever writes bytes to the console we share, so Chinese is not shown as
//! mojibake. Programs we start get pipes, not the console, and `cscript` writes to a pipe
//! in the OEM code page unless given `//U` (UTF-16LE): always pass `//U`.

#![expect(
    clippy::disallowed_methods,
    reason = "this is the activator's Windows layer, the one place that spawns programs \
              (cscript) and reads the environment (%ProgramFiles%, %TEMP%)"
)]

mod acl;
mod process;
mod win32;

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use time::{OffsetDateTime, UtcOffset};
use ureq::http;
use ureq::tls::{RootCerts, TlsConfig};
use windows_sys::Win32::System::Registry::{KEY_WOW64_32KEY, KEY_WOW64_64KEY};

use crate::system::{Hive, HttpRequest, HttpResponse, OsVersion, Output, Platform, System};

/// The most of a response body kept; the portal's answers are far smaller.
const MAX_BODY: u64 = 64 * 1024;

/// The PC itself. Create one per run, inside the function that returns the exit code (not
/// in `main` before `std::process::exit`, which skips `Drop` and so would leave the
/// console on UTF-8).
#[derive(Debug)]
pub struct WindowsSystem {
    /// Makes every HTTP request; it keeps the connection to the portal alive between them.
    agent: ureq::Agent,
    /// The console output code page before [`WindowsSystem::new`], restored on drop; `None`
    /// when there is no console or it was already UTF-8.
    previous_code_page: Option<u32>,
}

impl WindowsSystem {
    /// Sets the console output code page to UTF-8 (see the module documentation) and
    /// prepares the HTTP client.
    pub fn new() -> Self {
        Self {
            agent: http_agent(),
            previous_code_page: win32::console_to_utf8(),
        }
    }

    /// Sends one request with its own overall timeout.
    fn send<S: ureq::AsSendBody>(
        &self,
        request: Result<http::Request<S>, http::Error>,
        timeout: Duration,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let request = self
            .agent
            .configure_request(request?)
            .timeout_global(Some(timeout))
            .build();
        self.agent.run(request)
    }
}

impl Default for WindowsSystem {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for WindowsSystem {
    fn drop(&mut self) {
        // The console is shared with the shell that started us: give it its code page back.
        if let Some(code_page) = self.previous_code_page {
            win32::restore_console(code_page);
        }
    }
}

impl System for WindowsSystem {
    fn run(&self, program: &Path, args: &[&str], timeout: Duration) -> io::Result<Output> {
        process::run(program, args, timeout)
    }

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a file path", path.display()),
            ));
        };
        fs::create_dir_all(folder)?;
        let mut temp_name = name.to_os_string();
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = folder.join(temp_name);
        let written = File::create(&temp)
            .and_then(|mut file| file.write_all(contents).and_then(|()| file.sync_all()))
            // `rename` replaces an existing file (MoveFileEx with REPLACE_EXISTING).
            .and_then(|()| fs::rename(&temp, path));
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    /// Files and folders alike, sorted by path.
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let entries = match fs::read_dir(path) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut paths = entries
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<io::Result<Vec<_>>>()?;
        paths.sort();
        Ok(paths)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn secure_dir(&self, path: &Path) -> io::Result<()> {
        acl::secure_dir(path)
    }

    fn is_reparse_point(&self, path: &Path) -> bool {
        acl::is_reparse_point(path)
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var_os(name)?.into_string().ok()
    }

    /// Opened with `KEY_WOW64_64KEY`, then `KEY_WOW64_32KEY`: the activator is a 32-bit
    /// program, which without a flag would see only the 32-bit view. On 32-bit Windows
    /// both flags are ignored and the one view is read (twice, if the value is absent).
    fn registry_string(&self, hive: Hive, key: &str, name: &str) -> Option<String> {
        let root = match hive {
            Hive::LocalMachine => windows_registry::LOCAL_MACHINE,
            Hive::CurrentUser => windows_registry::CURRENT_USER,
        };
        [KEY_WOW64_64KEY, KEY_WOW64_32KEY]
            .into_iter()
            .find_map(|view| {
                let opened = root.options().read().access(view).open(key).ok()?;
                opened.get_string(name).ok()
            })
    }

    /// The system resolver, which has no timeout of its own.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }

    fn tcp_connect(&self, address: SocketAddr, timeout: Duration) -> io::Result<Duration> {
        let started = Instant::now();
        TcpStream::connect_timeout(&address, timeout).map(|_stream| started.elapsed())
    }

    /// A status of 4xx or 5xx is an answer, not an error; a redirect is returned as is.
    /// The body is cut at 64 KiB; a timeout is `ErrorKind::TimedOut`. Under Wine 8 a
    /// certificate from a private CA fails with `CERT_E_REVOCATION_FAILURE` even once
    /// trusted (Wine's crypt32 ignores the "revocation unknown is fine" flag), so the
    /// end-to-end tests use plain HTTP on loopback.
    fn http(&self, request: &HttpRequest) -> io::Result<HttpResponse> {
        let mut builder = http::Request::builder()
            .method(request.method)
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        // An empty body is sent as none, so a GET carries no `Content-Length: 0`.
        let response = if request.body.is_empty() {
            self.send(builder.body(()), request.timeout)
        } else {
            self.send(builder.body(request.body.as_slice()), request.timeout)
        };
        let mut response = response.map_err(io_error)?;
        let header = |name: &str| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some(value.to_owned())
        };
        let (date, retry_after) = (header("date"), header("retry-after"));
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)?;
        Ok(HttpResponse {
            status: response.status().as_u16(),
            date,
            retry_after,
            body,
        })
    }

    fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn local_offset(&self) -> UtcOffset {
        win32::local_offset()
    }

    fn sleep(&self, duration: Duration) {
        thread::sleep(duration);
    }

    fn is_elevated(&self) -> bool {
        win32::is_elevated()
    }

    fn machine_guid(&self) -> Option<String> {
        self.registry_string(
            Hive::LocalMachine,
            r"SOFTWARE\Microsoft\Cryptography",
            "MachineGuid",
        )
    }

    /// The kernel's version (`RtlGetVersion`), with the build as the registry's
    /// `CurrentBuildNumber` gives it on Windows 10 and later (what `winver` shows). On
    /// Windows the two agree; Wine 8's kernel knows no build after 18362, so the
    /// end-to-end tests make a Windows 11 (22000 and later) through the registry.
    fn os_version(&self) -> OsVersion {
        let kernel = win32::os_version();
        let registry_build = self
            .registry_string(
                Hive::LocalMachine,
                r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
                "CurrentBuildNumber",
            )
            .and_then(|build| build.trim().parse::<u32>().ok())
            .filter(|build| *build >= 10240);
        match registry_build {
            Some(build) if kernel.major >= 10 => OsVersion { build, ..kernel },
            _ => kernel,
        }
    }

    fn platform(&self) -> Platform {
        win32::platform()
    }

    fn ui_language(&self) -> String {
        win32::ui_language()
    }

    fn random(&self, buffer: &mut [u8]) -> io::Result<()> {
        win32::random(buffer)
    }

    fn exe_dir(&self) -> PathBuf {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."))
    }

    fn write_out(&self, text: &str) {
        let mut stdout = io::stdout().lock();
        // Nothing sensible can be done if the console is gone.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    fn wait_for_key(&self) {
        win32::wait_for_key();
    }

    /// From standard input: a closed one (a scheduled or scripted run) answers `None`.
    fn read_line(&self) -> Option<String> {
        let mut line = String::new();
        match io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
        }
    }
}

/// The one HTTP client: statuses are answers, not errors; redirects are not followed (the
/// activator talks to the configured portal only, never to wherever it points); no proxy
/// from the environment (the portal is on the campus network, and Windows keeps its proxy
/// settings elsewhere, so honouring only `HTTP_PROXY` would be a surprise). Certificates
/// are checked by Windows (`rustls-platform-verifier`: the Windows certificate store,
/// including an institution's own root CA installed there).
fn http_agent() -> ureq::Agent {
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .proxy(None)
        .user_agent(concat!("campus-activator/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls)
        .build()
        .into()
}

/// A ureq error as an I/O error; a timeout keeps its kind, so the flow can tell "the
/// portal is slow" from "the portal refused".
fn io_error(error: ureq::Error) -> io::Error {
    match error {
        ureq::Error::Timeout(_) => io::Error::new(io::ErrorKind::TimedOut, error),
        other => other.into_io(),
    }
}
