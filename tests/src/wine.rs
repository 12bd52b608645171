//! Windows for end-to-end tests: a fresh Wine prefix per test, files put where Windows
//! programs look for them, and the activator run in it with a timeout.
//!
//! [`WinePrefix::new`] gives each test its own `WINEPREFIX` (its own `C:`, registry and
//! wineserver), so tests run in parallel without sharing state. `wineboot --init` takes
//! about 7.5 s on this machine kind (2 cores), too slow per test, so a template prefix is
//! made once per target directory and Wine version (`target/wine/template-*`, kept
//! across runs) and each test gets a copy: the 630 MB under `drive_c/windows` is
//! hard-linked, the registry and user folders are copied, and each copy gets its own
//! `MachineGuid`, so every prefix is a different PC.
//! Nothing a test does may change a file in place under `C:\windows` — Wine does not,
//! and [`WinePrefix::install_file`] replaces files rather than writing into them — or the
//! template would change with it. After the template exists, a prefix takes about
//! 0.03 s to copy, its first program about 0.4 s to start (the wineserver and Wine's
//! services come up), later ones about 0.05 s, and dropping it about 0.5 s.
//!
//! Two kinds of Windows ([`Bits`]): a 64-bit one (the default; with Debian's wine32 a
//! 32-bit program in it runs under WoW64, with `SysWOW64`, `Sysnative` and both registry
//! views, as on 64-bit Windows) and a 32-bit one (`WINEARCH=win32`: one `System32`, one
//! Program Files). Each has its own template.
//!
//! Headless: Wine runs with no `DISPLAY`, `WINEDEBUG=-all`, and Mono and Gecko disabled
//! (`WINEDLLOVERRIDES="mscoree,mshtml="`), so no dialog ever waits for a click. Programs
//! run through `/usr/lib/wine/wine64` or `/usr/lib/wine/wine` directly (Debian's `wine`
//! wrapper is not installed); `wine64` hands a 32-bit program to `wine` itself.
//!
//! Wine 8's `cscript` differs from Windows' in ways the tests must know (measured, see
//! `wine/cscript_shim.c`): it rejects `//U` (exit 1, no output), writes in the OEM code
//! page (437 in English, 950 with `LC_ALL=zh_TW.UTF-8`), passes `WScript.Quit N` through,
//! ends a script that hits a run-time error silently with exit 0, and lacks `ChrW` and
//! `WScript.StdOut`. The prefix's `cscript.exe` is therefore a small stand-in that runs
//! Wine's and does `//U` itself; fake scripts should use plain `WScript.Echo` with text
//! saved in the code page of the language under test (CP950 for zh-TW).
//!
//! Everything here panics with a message on failure: it runs inside tests only.

mod build;
mod template;

pub use build::activator_exe;

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Wine's 64-bit loader, run directly.
pub const WINE64: &str = "/usr/lib/wine/wine64";

/// Wine's 32-bit loader (Debian's `wine32:i386`), for a 32-bit Windows.
pub const WINE32: &str = "/usr/lib/wine/wine";

/// Where the tests put the activator in a prefix.
pub const ACTIVATOR: &str = r"C:\activator\activator.exe";
/// Its settings beside it.
pub const ACTIVATOR_TOML: &str = r"C:\activator\activator.toml";

/// Which Windows a prefix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bits {
    /// 64-bit Windows (x64), which runs 32-bit programs under WoW64.
    Win64,
    /// 32-bit Windows (x86).
    Win32,
}

impl Bits {
    /// The loader that starts this Windows' programs.
    pub fn loader(self) -> &'static str {
        match self {
            Bits::Win64 => WINE64,
            Bits::Win32 => WINE32,
        }
    }
}

/// How long [`WinePrefix::run`] lets a program take unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// One Windows: a Wine prefix of its own in a temporary directory, removed on drop.
#[derive(Debug)]
pub struct WinePrefix {
    timeout: Duration,
    bits: Bits,
    // Declared last so it is removed only after `Drop` has stopped the wineserver.
    dir: TempDir,
}

impl WinePrefix {
    /// A 64-bit Windows with the built `activator.exe` and `settings` as its
    /// `activator.toml` in `C:\activator` ([`ACTIVATOR`], [`ACTIVATOR_TOML`]).
    pub fn with_activator(settings: &str) -> WinePrefix {
        let prefix = WinePrefix::new();
        let exe = fs::read(activator_exe()).expect("the built activator.exe");
        prefix.install_file(ACTIVATOR, &exe);
        prefix.install_file(ACTIVATOR_TOML, settings.as_bytes());
        prefix
    }
    /// A fresh 64-bit Windows copied from the template (made first if this target
    /// directory has none for the installed Wine), with the `cscript.exe` stand-in that
    /// handles `//U`.
    pub fn new() -> WinePrefix {
        Self::with_bits(Bits::Win64)
    }

    /// A fresh 32-bit Windows (`WINEARCH=win32`), with the `cscript.exe` stand-in.
    /// Wine 8's 32-bit `cscript` crashes at the end of a script with CP950 text or one
    /// that uses `Scripting.FileSystemObject` (see shared/stack.md): fake scripts for it
    /// are English and keep no state in files.
    pub fn new_32_bit() -> WinePrefix {
        Self::with_bits(Bits::Win32)
    }

    /// A fresh prefix of either kind with the `cscript.exe` stand-in. The stand-in is
    /// native to the prefix, in its `System32`: the 64-bit one on 64-bit Windows, where
    /// the activator reaches it through `Sysnative`.
    pub fn with_bits(bits: Bits) -> WinePrefix {
        let prefix = Self::bare_with_bits(bits);
        let system32 = prefix.unix_path(r"C:\windows\system32");
        fs::rename(
            system32.join("cscript.exe"),
            system32.join("cscript-wine.exe"),
        )
        .expect("cannot move Wine's cscript.exe aside");
        fs::copy(template::cscript_shim(bits), system32.join("cscript.exe"))
            .expect("cannot install the cscript.exe stand-in");
        prefix
    }

    /// A fresh 64-bit prefix with Wine's own `cscript.exe`, to observe Wine itself.
    pub fn bare() -> WinePrefix {
        Self::bare_with_bits(Bits::Win64)
    }

    /// A fresh prefix of either kind with Wine's own `cscript.exe`.
    pub fn bare_with_bits(bits: Bits) -> WinePrefix {
        let dir = template::copy_template(bits);
        WinePrefix {
            timeout: DEFAULT_TIMEOUT,
            bits,
            dir,
        }
    }

    /// Which Windows this is.
    pub fn bits(&self) -> Bits {
        self.bits
    }

    /// Sets how long [`WinePrefix::run`] waits before it kills the program and panics.
    pub fn with_timeout(mut self, timeout: Duration) -> WinePrefix {
        self.timeout = timeout;
        self
    }

    /// The prefix directory (`WINEPREFIX`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The Unix directory that is `C:\`.
    pub fn drive_c(&self) -> PathBuf {
        self.path().join("drive_c")
    }

    /// The Unix path of a `C:\…` path. Existing folders are matched without regard to
    /// case, as Windows would (`C:\Windows` is `drive_c/windows`), so a file put at
    /// `C:\Windows\System32\x` lands in the folder Wine uses, not a second one beside it.
    pub fn unix_path(&self, windows_path: &str) -> PathBuf {
        let relative = windows_path
            .strip_prefix("C:\\")
            .or_else(|| windows_path.strip_prefix("c:\\"))
            .unwrap_or_else(|| panic!("{windows_path} is not a C:\\ path"));
        let mut path = self.drive_c();
        for part in relative.split('\\').filter(|part| !part.is_empty()) {
            let existing = fs::read_dir(&path).ok().and_then(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name())
                    .find(|name| name.to_string_lossy().eq_ignore_ascii_case(part))
            });
            path.push(existing.unwrap_or_else(|| part.into()));
        }
        assert!(
            path.components().all(|c| c != Component::ParentDir),
            "{windows_path} leaves C:\\"
        );
        path
    }

    /// Puts a file at a `C:\…` path, e.g.
    /// `C:\Program Files\Microsoft Office\Office16\OSPP.VBS`, creating its folders and
    /// replacing (never writing into) a file already there. Returns the Unix path.
    pub fn install_file(&self, windows_path: &str, contents: &[u8]) -> PathBuf {
        let path = self.unix_path(windows_path);
        let folder = path.parent().expect("a C:\\ file path has a folder");
        fs::create_dir_all(folder)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", folder.display()));
        // Removing first breaks a hard link to the template instead of writing through it.
        let _ = fs::remove_file(&path);
        fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// Makes this Windows report `build` and the edition `edition_id`: Wine's own version
    /// setting for the kernel (`win10`, 10.0.18362, from build 10240 on; Wine 8 knows no
    /// later one) and the registry's `CurrentBuildNumber` and `EditionID`, which the
    /// activator reads (a fresh prefix is Windows 7, 6.1.7601, with no `EditionID`).
    pub fn set_windows(&self, build: u32, edition_id: &str) {
        let current = r"HKLM\Software\Microsoft\Windows NT\CurrentVersion";
        let mut values = vec![
            (current, "EditionID", edition_id.to_owned()),
            (current, "CurrentBuildNumber", build.to_string()),
            (current, "CurrentBuild", build.to_string()),
        ];
        if build >= 10240 {
            values.push((r"HKCU\Software\Wine", "Version", "win10".to_owned()));
        }
        for (key, name, value) in values {
            let output = self.run(
                r"C:\windows\system32\reg.exe",
                &["add", key, "/v", name, "/t", "REG_SZ", "/d", &value, "/f"],
                &[],
            );
            assert!(output.status.success(), "reg add {key} {name}: {output:?}");
        }
    }

    /// Runs `exe` (a `C:\…` path, or a Unix path Wine maps to `Z:\…`) with `args` and
    /// extra environment variables, and returns once it has exited. Standard input is
    /// empty and not a console, so a program waiting for a key returns at once.
    ///
    /// The environment is fixed unless `env` overrides it: `LC_ALL=en_US.UTF-8` (the UI
    /// language, e.g. `zh_TW.UTF-8` for zh-TW; Wine reads `LC_ALL` before `LANG`) and
    /// `TZ=UTC` (Wine takes the time zone from it). Exit codes pass through Unix, which
    /// keeps only their low byte. Past the timeout the program is killed and this panics.
    ///
    /// Output goes to files, not pipes: the wineserver and Wine's services, started by
    /// the first program of a prefix, inherit its standard handles and keep them for
    /// seconds after it ends, so reading a pipe to its end would wait for them.
    pub fn run(&self, exe: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let capture = || tempfile::tempfile_in(self.path()).expect("cannot create an output file");
        let (mut stdout, mut stderr) = (capture(), capture());
        let mut command = Command::new(self.bits.loader());
        command
            .arg(exe)
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("LC_ALL", "en_US.UTF-8")
            .env("TZ", "UTC");
        self.wine_env(&mut command);
        let mut child = command
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout.try_clone().expect("cannot share the output file"))
            .stderr(stderr.try_clone().expect("cannot share the output file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} (scripts/setup): {e}", self.bits.loader()));

        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait().expect("cannot wait for wine") {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                self.stop_wineserver();
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        let (stdout, stderr) = (read_all(&mut stdout), read_all(&mut stderr));
        let Some(status) = status else {
            panic!(
                "{exe} {args:?} did not finish within {:?}\nstdout:\n{}\nstderr:\n{}",
                self.timeout,
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            );
        };
        Output {
            status,
            stdout,
            stderr,
        }
    }

    /// The variables every Wine process of this prefix gets.
    fn wine_env(&self, command: &mut Command) {
        if self.bits == Bits::Win32 {
            command.env("WINEARCH", "win32");
        }
        let system32 = self.unix_path(r"C:\windows\system32");
        // The stand-in is a native program with a built-in's name: Wine would load its
        // own built-in cscript instead unless told to prefer the file (`=n`).
        let overrides = if system32.join("cscript-wine.exe").exists() {
            "mscoree,mshtml=;cscript.exe=n"
        } else {
            "mscoree,mshtml="
        };
        command
            .env("WINEPREFIX", self.path())
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", overrides);
    }

    /// Kills every process of this prefix and its wineserver, and waits for it to go. The
    /// next program starts Wine afresh: its desktop (`explorer.exe`) then takes that
    /// program's `DISPLAY`, where one started earlier without a display would have kept
    /// every later window off screen.
    pub fn stop_wineserver(&self) {
        for flag in ["-k", "-w"] {
            let mut command = Command::new(template::WINESERVER);
            self.wine_env(&mut command);
            // Fails (exit 1) when no wineserver runs, which is fine.
            let _ = command.arg(flag).stdin(Stdio::null()).output();
        }
    }
}

impl Default for WinePrefix {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for WinePrefix {
    fn drop(&mut self) {
        self.stop_wineserver();
    }
}

/// What `objdump -p` (mingw's) prints of a Windows executable's headers and resources.
pub fn pe_headers(exe: &Path) -> String {
    let output = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(exe)
        .output()
        .expect("cannot run x86_64-w64-mingw32-objdump (scripts/setup)");
    assert!(output.status.success(), "objdump -p {}", exe.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Everything written to a captured output file.
fn read_all(file: &mut File) -> Vec<u8> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut bytes))
        .expect("cannot read a captured output file");
    bytes
}

#[cfg(test)]
mod tests {
    use super::WinePrefix;

    /// `WScript.Echo "x" & Chr(233)` (é) then `WScript.Quit 3`, as an ANSI script.
    const SCRIPT: &[u8] = b"WScript.Echo \"x\" & Chr(233)\r\nWScript.Quit 3\r\n";

    #[test]
    fn cscript_stand_in_writes_utf16_for_u_and_keeps_the_exit_code() {
        let prefix = WinePrefix::new();
        prefix.install_file(r"C:\Test Scripts\echo.vbs", SCRIPT);
        let cscript = r"C:\Windows\System32\cscript.exe";
        let script = r"C:\Test Scripts\echo.vbs";

        let unicode = prefix.run(cscript, &["//nologo", "//U", script], &[]);
        assert_eq!(unicode.status.code(), Some(3), "{unicode:?}");
        assert_eq!(unicode.stdout, b"x\0\xe9\0\r\0\n\0", "UTF-16LE, no BOM");

        // Without //U: the OEM code page, 437 in English (é is 0x82).
        let oem = prefix.run(cscript, &["//nologo", script], &[]);
        assert_eq!(oem.status.code(), Some(3), "{oem:?}");
        assert_eq!(oem.stdout, b"x\x82\r\n");
    }

    #[test]
    fn wine_cscript_rejects_u_which_is_why_the_stand_in_exists() {
        let prefix = WinePrefix::bare();
        prefix.install_file(r"C:\echo.vbs", SCRIPT);
        let output = prefix.run(
            r"C:\Windows\System32\cscript.exe",
            &["//nologo", "//U", r"C:\echo.vbs"],
            &[],
        );
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert!(output.stdout.is_empty(), "{output:?}");
    }

    #[test]
    fn every_prefix_is_a_different_machine() {
        let guid = |prefix: &WinePrefix| {
            let registry = std::fs::read_to_string(prefix.path().join("system.reg")).unwrap();
            let line = registry
                .lines()
                .find(|l| l.starts_with("\"MachineGuid\"="))
                .unwrap();
            line.to_owned()
        };
        let (first, second) = (WinePrefix::bare(), WinePrefix::bare());
        assert_ne!(guid(&first), guid(&second));
        assert_eq!(guid(&first).len(), "\"MachineGuid\"=\"\"".len() + 36);
    }

    #[test]
    fn paths_match_existing_folders_without_regard_to_case() {
        let prefix = WinePrefix::bare();
        let path = prefix.install_file(r"C:\WINDOWS\Temp\probe.txt", b"x");
        assert_eq!(path, prefix.drive_c().join("windows/temp/probe.txt"));
        assert_eq!(std::fs::read(path).unwrap(), b"x");
    }
}
