//! Where the workspace and its target directory are, and building the `portal` binary
//! with the cargo that runs the tests, once per test process.
//!
//! The binary goes into the running test's own profile directory, so `cargo test` and
//! `cargo test --release` each test the portal built like themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The workspace's root directory (the one holding the root `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e package sits one level below the workspace root")
        .to_path_buf()
}

/// The cargo target directory the running test was built into, e.g. `target/`.
pub fn target_dir() -> PathBuf {
    profile_dir()
        .parent()
        .expect("the profile directory sits inside the target directory")
        .to_path_buf()
}

/// The profile directory of the running test, e.g. `target/debug/`: the test executable
/// lives in its `deps/` folder.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("cannot locate the running test executable");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test executable sits in <target>/<profile>/deps/")
        .to_path_buf()
}

/// Variables cargo sets for the package under test (besides `CARGO_PKG_*` and
/// `CARGO_CRATE_*`), which must not reach a nested cargo.
const CARGO_SET_FOR_TESTS: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_BIN_NAME",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// The `portal` binary, built on first use by this process.
pub fn portal_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_portal)
}

/// Runs `cargo build -p server --bin portal` into the running test's own profile
/// directory, so the binary matches the code under test.
fn build_portal() -> PathBuf {
    let profile_dir = profile_dir();
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(other) => other.to_owned(),
        None => panic!("unexpected profile directory {}", profile_dir.display()),
    };
    let mut command = Command::new(env!("CARGO"));
    // Cargo gives the running test variables describing the e2e package. Passed on, some
    // build scripts (ring's) see them change and rebuild, and the next plain
    // `cargo build` rebuilds again: a minute lost each way. So the inner cargo gets none.
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if CARGO_SET_FOR_TESTS.contains(&key_text.as_ref())
            || key_text.starts_with("CARGO_PKG_")
            || key_text.starts_with("CARGO_CRATE_")
        {
            command.env_remove(&key);
        }
    }
    let output = command
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "server", "--bin", "portal"])
        .args(["--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir())
        .stdin(Stdio::null())
        .output()
        .expect("cannot run cargo");
    assert!(
        output.status.success(),
        "cargo build -p server --bin portal failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let binary = profile_dir.join(format!("portal{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "cargo built the portal but {} does not exist",
        binary.display()
    );
    binary
}
