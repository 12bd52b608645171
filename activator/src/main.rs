//! `activator.exe`: builds the real Windows system and runs the flow; the exit code says
//! how it went (see `flow::EXIT_*`).

use std::process::ExitCode;

#[cfg(windows)]
fn main() -> ExitCode {
    let system = activator::system::windows::WindowsSystem::new();
    let code = activator::flow::main(&system, std::env::args().skip(1).collect());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

#[cfg(not(windows))]
fn main() -> ExitCode {
    eprintln!(
        "activator.exe runs on Windows only; its logic is tested on every platform with `cargo test -p activator`."
    );
    ExitCode::from(70)
}
