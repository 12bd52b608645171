//! Building `activator.exe` for the tests, once per test process, with the project's one
//! documented command (`scripts/build-activator`), so the tests run the executable that
//! ships: the Windows 7 target, the `activator` profile, nightly with `-Z build-std`.
//!
//! The first build takes about a minute (it compiles the standard library too); after
//! that cargo only relinks what changed (about 11 s when the activator's code did).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::{target_dir, workspace_root};

/// Variables that `cargo test` and rustup set for the running test and that must not
/// reach the nested build: cargo's describe the e2e package (and make build scripts
/// rerun), rustup's would pin the toolchain that runs the tests instead of nightly.
const NOT_FOR_THE_NESTED_BUILD: &[&str] = &[
    "CARGO",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_BIN_NAME",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
    "RUSTC",
    "RUSTDOC",
    "RUSTUP_TOOLCHAIN",
];

/// `activator.exe`, built on first use by this process into
/// `<target>/i686-win7-windows-gnu/activator/`.
pub fn activator_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(build)
}

fn build() -> PathBuf {
    let root = workspace_root();
    let mut command = Command::new(root.join("scripts/build-activator"));
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if NOT_FOR_THE_NESTED_BUILD.contains(&key_text.as_ref())
            || key_text.starts_with("CARGO_PKG_")
            || key_text.starts_with("CARGO_CRATE_")
        {
            command.env_remove(&key);
        }
    }
    let output = command
        .current_dir(&root)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .output()
        .expect("cannot run scripts/build-activator");
    assert!(
        output.status.success(),
        "scripts/build-activator failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let exe = target_dir().join("i686-win7-windows-gnu/activator/activator.exe");
    assert!(
        exe.is_file(),
        "scripts/build-activator succeeded but {} does not exist",
        exe.display()
    );
    exe
}
