//! Embeds two Windows resources into `activator.exe`:
//!
//! - the application manifest: it asks for administrator rights (activation changes
//!   machine-wide licensing, so Windows shows the UAC prompt at start rather than the
//!   scripts failing with 0x80070005 later), and it declares Windows 7, 8, 8.1 and 10/11
//!   as supported, so Windows does not run the program in a compatibility mode that
//!   misreports its version (embed-manifest writes this resource itself);
//! - the version resource Explorer, SmartScreen and antivirus read: product, version,
//!   institution and description (`ACTIVATOR_INSTITUTION` at build time names the
//!   institution; `scripts/build-activator` passes it), compiled with mingw's `windres`.
//!
//! Only for Windows targets; the Linux build (tests with the fake system) gets nothing.
//! The resources go into binaries only (`cargo:rustc-link-arg-bins`), not into examples
//! or tests.

use std::path::PathBuf;

use embed_manifest::manifest::{ExecutionLevel, SupportedOS};
use embed_manifest::{embed_manifest, new_manifest};

#[expect(
    clippy::disallowed_methods,
    reason = "a build script learns the target from the variables cargo sets for it, and \
              runs windres"
)]
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ACTIVATOR_INSTITUTION");
    if std::env::var_os("CARGO_CFG_TARGET_OS").is_none_or(|os| os != "windows") {
        return;
    }
    let manifest = new_manifest("CampusLicensePortal.Activator")
        .requested_execution_level(ExecutionLevel::RequireAdministrator)
        .supported_os(SupportedOS::Windows7..=SupportedOS::Windows10);
    embed_manifest(manifest).expect("cannot embed the Windows manifest");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let institution = std::env::var("ACTIVATOR_INSTITUTION")
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "Campus License Portal".to_owned());
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets the version");
    let rc = out.join("version.rc");
    std::fs::write(&rc, version_rc(&version, &institution)).expect("cannot write version.rc");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets the arch");
    let windres = if arch == "x86" {
        "i686-w64-mingw32-windres"
    } else {
        "x86_64-w64-mingw32-windres"
    };
    let object = out.join("version.res.o");
    let status = std::process::Command::new(windres)
        .args(["--codepage=65001", "-O", "coff", "-i"])
        .arg(&rc)
        .arg("-o")
        .arg(&object)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {windres} (scripts/setup-windows-build): {e}"));
    assert!(status.success(), "{windres} failed on {}", rc.display());
    println!("cargo:rustc-link-arg-bins={}", object.display());
}

/// The `VERSIONINFO` resource script, in UTF-8 (windres reads it as code page 65001).
fn version_rc(version: &str, institution: &str) -> String {
    let numbers: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let (major, minor, patch) = (
        numbers.first().copied().unwrap_or(0),
        numbers.get(1).copied().unwrap_or(0),
        numbers.get(2).copied().unwrap_or(0),
    );
    let quoted = |text: &str| text.replace('"', "\"\"");
    format!(
        "1 VERSIONINFO\n\
         FILEVERSION {major},{minor},{patch},0\n\
         PRODUCTVERSION {major},{minor},{patch},0\n\
         FILEOS 0x40004\n\
         FILETYPE 0x1\n\
         BEGIN\n\
         \x20 BLOCK \"StringFileInfo\"\n\
         \x20 BEGIN\n\
         \x20   BLOCK \"040904B0\"\n\
         \x20   BEGIN\n\
         \x20     VALUE \"CompanyName\", \"{institution}\"\n\
         \x20     VALUE \"FileDescription\", \"Campus software activator: activates licensed Windows and Office against the institution's KMS host\"\n\
         \x20     VALUE \"FileVersion\", \"{version}\"\n\
         \x20     VALUE \"InternalName\", \"activator\"\n\
         \x20     VALUE \"OriginalFilename\", \"activator.exe\"\n\
         \x20     VALUE \"ProductName\", \"Campus License Portal activator\"\n\
         \x20     VALUE \"ProductVersion\", \"{version}\"\n\
         \x20   END\n\
         \x20 END\n\
         \x20 BLOCK \"VarFileInfo\"\n\
         \x20 BEGIN\n\
         \x20   VALUE \"Translation\", 0x409, 1200\n\
         \x20 END\n\
         END\n",
        institution = quoted(institution),
        version = quoted(version),
    )
}
