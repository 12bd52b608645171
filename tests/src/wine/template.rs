//! The template Wine prefix the tests' prefixes are copied from, and the `cscript.exe`
//! stand-in compiled for them.
//!
//! Both live under `<target>/wine/`. The template is named after the Wine version, made
//! once (about 7.5 s) and kept across runs; a process that finds none builds one in a
//! temporary directory and renames it into place, so two test processes starting at once
//! both succeed and one template wins.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

use super::{Bits, WINE64};
use crate::target_dir;

/// Wine's server: `-k` kills a prefix's processes, `-w` waits until it has exited.
pub(super) const WINESERVER: &str = "/usr/lib/wine/wineserver";

/// The stand-in's source, compiled with mingw-w64 on first use.
const CSCRIPT_SHIM_SOURCE: &str = include_str!("cscript_shim.c");

/// A new prefix: a copy of the template in a fresh directory under `<target>/wine/`.
///
/// Regular files under `drive_c/windows` are hard-linked (same file system) or copied;
/// the registry, `dosdevices` and everything else are copied. The user folders Wine
/// links to the Unix home (`Desktop`, `Documents`, …) become empty folders, so nothing a
/// test runs can write into the developer's home.
pub(super) fn copy_template(bits: Bits) -> TempDir {
    let template = template(bits);
    let prefixes = wine_dir().join("prefixes");
    fs::create_dir_all(&prefixes).expect("cannot create target/wine/prefixes");
    let dir = tempfile::Builder::new()
        .prefix("prefix-")
        .tempdir_in(&prefixes)
        .expect("cannot create a directory for a Wine prefix");
    copy_tree(template, template, dir.path())
        .unwrap_or_else(|e| panic!("cannot copy the template Wine prefix: {e}"));
    give_own_machine_guid(dir.path());
    dir
}

/// The `cscript.exe` stand-in (see `cscript_shim.c`) for a prefix's own `System32`,
/// compiled once per test process and kind of Windows.
pub(super) fn cscript_shim(bits: Bits) -> &'static Path {
    static SHIM_64: OnceLock<PathBuf> = OnceLock::new();
    static SHIM_32: OnceLock<PathBuf> = OnceLock::new();
    let (cell, compiler, name) = match bits {
        Bits::Win64 => (&SHIM_64, "x86_64-w64-mingw32-gcc", "cscript-shim-64"),
        Bits::Win32 => (&SHIM_32, "i686-w64-mingw32-gcc", "cscript-shim-32"),
    };
    cell.get_or_init(|| {
        let dir = wine_dir();
        fs::create_dir_all(&dir).expect("cannot create target/wine");
        let id = std::process::id();
        let source = dir.join(format!("{name}-{id}.c"));
        let exe = dir.join(format!("{name}-{id}.exe"));
        fs::write(&source, CSCRIPT_SHIM_SOURCE).expect("cannot write the cscript stand-in");
        let output = Command::new(compiler)
            .args(["-municode", "-O2", "-s", "-o"])
            .arg(&exe)
            .arg(&source)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler} (scripts/setup): {e}"));
        let _ = fs::remove_file(&source);
        assert!(
            output.status.success(),
            "compiling the cscript stand-in failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // Renamed into place so a concurrent test process never copies a half-written one.
        let shim = dir.join(format!("{name}.exe"));
        fs::rename(&exe, &shim).expect("cannot move the cscript stand-in into place");
        shim
    })
}

/// Replaces the template's `MachineGuid` in the copy's registry file (before any Wine
/// process reads it), so every prefix is a different PC to the portal.
fn give_own_machine_guid(prefix: &Path) {
    let registry = prefix.join("system.reg");
    let text = fs::read_to_string(&registry).expect("cannot read the prefix's system.reg");
    let key = "\"MachineGuid\"=\"";
    let start = text.find(key).expect("the template has a MachineGuid") + key.len();
    let end = start + text[start..].find('"').expect("the MachineGuid value ends");
    let text = format!("{}{}{}", &text[..start], random_guid(), &text[end..]);
    // Replaced, not written into: the registry files are copies, but stay safe anyway.
    fs::remove_file(&registry).expect("cannot replace the prefix's system.reg");
    fs::write(&registry, text).expect("cannot write the prefix's system.reg");
}

/// A random version-4 GUID, lowercase, e.g. `0f8fad5b-d9cb-469f-a165-70867728950e`, from
/// the standard library's randomly keyed hasher (tests need distinct, not secret, ids).
fn random_guid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    };
    let bytes: Vec<u8> = [random(), random()]
        .iter()
        .flat_map(|n| n.to_le_bytes())
        .collect();
    let hex: String = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            6 => format!("{:02x}", 0x40 | (b & 0x0f)),
            8 => format!("{:02x}", 0x80 | (b & 0x3f)),
            _ => format!("{b:02x}"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `<target>/wine/`.
fn wine_dir() -> PathBuf {
    target_dir().join("wine")
}

/// The template prefix of this kind for the installed Wine, made if missing.
fn template(bits: Bits) -> &'static Path {
    static TEMPLATE_64: OnceLock<PathBuf> = OnceLock::new();
    static TEMPLATE_32: OnceLock<PathBuf> = OnceLock::new();
    let (cell, arch) = match bits {
        Bits::Win64 => (&TEMPLATE_64, "win64"),
        Bits::Win32 => (&TEMPLATE_32, "win32"),
    };
    cell.get_or_init(|| {
        let version = wine_version();
        let name: String = version
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        // A 64-bit template made before wine32 was installed has no 32-bit Windows in it
        // (`SysWOW64`), hence "wow64" in the name.
        let kind = if arch == "win64" { "win64-wow64" } else { arch };
        let template = wine_dir().join(format!("template-{name}-{kind}"));
        if !template.join(".complete").exists() {
            make_template(&template, bits);
        }
        template
    })
}

/// `wine-8.0 (Debian 8.0~repack-4)`: a new Wine gets a new template.
fn wine_version() -> String {
    let output = Command::new(WINE64)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .expect("cannot run wine64 (scripts/setup installs it)");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Runs `wineboot --init` in a temporary directory, waits for the wineserver to write
/// the registry and exit, then renames the prefix to `template`.
fn make_template(template: &Path, bits: Bits) {
    let parent = template.parent().expect("the template sits in target/wine");
    fs::create_dir_all(parent).expect("cannot create target/wine");
    let building = tempfile::Builder::new()
        .prefix("template-building-")
        .tempdir_in(parent)
        .expect("cannot create a directory for the template prefix");
    let prefix = building.path().join("prefix");
    let wine = |program: &str, args: &[&str]| {
        let output = Command::new(program)
            .args(args)
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .envs((bits == Bits::Win32).then_some(("WINEARCH", "win32")))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    };
    wine(bits.loader(), &["wineboot", "--init"]);
    // The registry files are written when the wineserver exits.
    wine(WINESERVER, &["-w"]);
    fs::write(prefix.join(".complete"), b"").expect("cannot mark the template complete");
    if let Err(error) = fs::rename(&prefix, template) {
        // Another test process made it first; theirs is as good as ours.
        assert!(
            template.join(".complete").exists(),
            "cannot move the template prefix into place: {error}"
        );
    }
}

/// Copies the prefix `root`'s folder `from` into the existing directory `to` (see
/// [`copy_template`] for what is linked, copied or replaced).
fn copy_tree(root: &Path, from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let inside = source.strip_prefix(root).unwrap_or(&source);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            fs::create_dir(&target)?;
            copy_tree(root, &source, &target)?;
        } else if kind.is_symlink() && inside.starts_with("drive_c/users") {
            fs::create_dir(&target)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&source)?, &target)?;
        } else if !inside.starts_with("drive_c/windows") || fs::hard_link(&source, &target).is_err()
        {
            fs::copy(&source, &target)?;
        }
    }
    Ok(())
}
