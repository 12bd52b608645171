//! Embeds the Windows application manifest into `activator.exe`: it asks for
//! administrator rights (activation changes machine-wide licensing, so Windows shows the
//! UAC prompt at start rather than the scripts failing with 0x80070005 later), and it
//! declares Windows 7, 8, 8.1 and 10/11 as supported, so Windows does not run the program
//! in a compatibility mode that misreports its version.
//!
//! Only for Windows targets; the Linux build (tests with the fake system) gets nothing.
//! The manifest goes into binaries only (`cargo:rustc-link-arg-bins`), not into examples
//! or tests. embed-manifest writes the resource object itself, so no `windres` is needed.

use embed_manifest::manifest::{ExecutionLevel, SupportedOS};
use embed_manifest::{embed_manifest, new_manifest};

#[expect(
    clippy::disallowed_methods,
    reason = "a build script learns the target from the variables cargo sets for it"
)]
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_CFG_TARGET_OS").is_some_and(|os| os == "windows") {
        let manifest = new_manifest("CampusLicensePortal.Activator")
            .requested_execution_level(ExecutionLevel::RequireAdministrator)
            .supported_os(SupportedOS::Windows7..=SupportedOS::Windows10);
        embed_manifest(manifest).expect("cannot embed the Windows manifest");
    }
}
