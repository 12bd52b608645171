//! A harness for end-to-end tests: the real `portal` binary on loopback, each instance
//! with its own temporary database.
//!
//! [`Portal::start`] builds the binary once per test process (with the cargo and profile
//! that built the running test), starts it on `127.0.0.1:0` with SQLite in a fresh
//! temporary directory, learns the port from its JSON log and waits until `/healthz`
//! answers. Dropping the [`Portal`] kills the process and removes the directory.
//! [`Portal::kill`] and [`Portal::restart`] let a test crash it with SIGKILL and bring it
//! back on the same database and address.
//!
//! The portal sees none of the caller's `PORTAL_*` variables, only the ones set here and
//! in [`PortalOptions`], so a developer's own configuration never leaks into a test.
//! Everything here panics with a message on failure: it runs inside tests only.

#![expect(
    clippy::disallowed_methods,
    reason = "the test harness is where programs are spawned: cargo to build the portal, \
              the portal itself, and the browser or Wine that tests drive"
)]

mod cargo;
pub mod database;
pub mod fakes;
pub mod faults;
pub mod http;
pub mod load;
pub mod signing;
pub mod smtp;
pub mod staff;
pub mod stand_ins;
pub mod wine;

pub use cargo::{portal_binary, target_dir, workspace_root};

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long one request made by the harness may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What to start the portal with beyond the harness's own settings.
#[derive(Clone, Debug)]
pub struct PortalOptions {
    env: Vec<(String, String)>,
    start_timeout: Duration,
}

/// A running (or deliberately stopped) portal process with its own database.
#[derive(Debug)]
pub struct Portal {
    options: PortalOptions,
    address: SocketAddr,
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
    /// The threads copying the current process's stdout and stderr into `log`.
    readers: Vec<thread::JoinHandle<()>>,
    // Declared last so it is removed only after `Drop` has killed the process.
    data_dir: TempDir,
}

impl Default for PortalOptions {
    fn default() -> Self {
        Self {
            env: Vec::new(),
            start_timeout: Duration::from_secs(30),
        }
    }
}

impl PortalOptions {
    /// The harness's settings only: loopback, a fresh SQLite database, JSON logs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an environment variable for the portal, e.g. `PORTAL_KMS__HOST`; applied
    /// after the harness's own, so it may override `PORTAL_BIND` or `RUST_LOG`.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// How long to wait for the portal to listen and answer `/healthz` (30 s by default).
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }
}

impl Portal {
    /// Builds the portal if this process has not yet, and starts it on a free loopback
    /// port with an empty database, returning once `/healthz` answers.
    pub fn start(options: PortalOptions) -> Portal {
        let data_dir = tempfile::Builder::new()
            .prefix("portal-e2e-")
            .tempdir()
            .expect("cannot create a temporary directory for the portal");
        let mut portal = Portal {
            options,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            child: None,
            log: Arc::default(),
            readers: Vec::new(),
            data_dir,
        };
        portal.spawn("127.0.0.1:0");
        portal
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the portal listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The temporary directory holding the database; also the portal's working directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The `sqlite://` URL of this portal's database.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.data_dir().join("portal.db").display())
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Every line the portal has written to stdout and stderr so far, across restarts.
    pub fn log_lines(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|lines| lines.clone())
            .unwrap_or_default()
    }

    /// Sends `GET path` (e.g. `/api/v1/catalog`) and returns the response.
    pub fn get(&self, path: &str) -> http::Response {
        http::get(self.address, path, REQUEST_TIMEOUT)
            .unwrap_or_else(|error| panic!("GET {path} from the portal failed: {error}"))
    }

    /// Kills the portal with SIGKILL, as a crash or power cut would, and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Fails only if it has already exited, which is what we want anyway.
            let _ = child.kill();
            let _ = child.wait();
            self.join_readers();
        }
    }

    /// Asks the portal to shut down gracefully (SIGTERM) and waits for it to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the portal is not running");
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("cannot run kill(1)");
        assert!(signalled.success(), "kill -TERM failed: {signalled}");
        let deadline = Instant::now() + self.options.start_timeout;
        loop {
            if let Some(status) = child.try_wait().expect("cannot wait for the portal") {
                self.join_readers();
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the portal did not exit after SIGTERM\n{}", self.log_text());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the portal again on the same database and address, killing it first (with
    /// SIGKILL) if it still runs.
    pub fn restart(&mut self) {
        self.kill();
        let bind = self.address.to_string();
        self.spawn(&bind);
    }

    /// Starts the process, learns its address and waits until it is healthy.
    fn spawn(&mut self, bind: &str) {
        let mut command = Command::new(portal_binary());
        // The portal reads PORTAL_*; keep the caller's own out of the test.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PORTAL_") {
                command.env_remove(key);
            }
        }
        command
            .current_dir(self.data_dir())
            .env("PORTAL_BIND", bind)
            .env("PORTAL_DATABASE_URL", self.database_url())
            .env("PORTAL_LOG_FORMAT", "json")
            // The "portal listening" line is at INFO; a caller's RUST_LOG could hide it.
            .env("RUST_LOG", "info,sqlx=warn")
            .envs(self.options.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("cannot start the portal binary");
        let (address_tx, address_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        self.readers = vec![
            collect_lines(stdout, Arc::clone(&self.log), Some(address_tx)),
            collect_lines(stderr, Arc::clone(&self.log), None),
        ];
        self.child = Some(child);

        let started = Instant::now();
        let address = match address_rx.recv_timeout(self.options.start_timeout) {
            Ok(address) => address,
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                panic!(
                    "the portal did not log \"portal listening\" within {:?}\n{}",
                    self.options.start_timeout,
                    self.log_text()
                );
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.take().and_then(|mut c| c.wait().ok());
                // It has exited, so its pipes are closed: wait for its last lines (the error).
                self.join_readers();
                panic!(
                    "the portal exited before listening ({status:?})\n{}",
                    self.log_text()
                );
            }
        };
        self.address = address;
        self.wait_until_healthy(started + self.options.start_timeout);
    }

    fn wait_until_healthy(&mut self, deadline: Instant) {
        loop {
            let last = match http::get(self.address, "/healthz", REQUEST_TIMEOUT) {
                Ok(response) if response.status == 200 => return,
                Ok(response) => format!("status {}", response.status),
                Err(error) => error.to_string(),
            };
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "/healthz did not answer 200 in time (last: {last})\n{}",
                    self.log_text()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until every line of an exited process is in the log; its pipes are closed,
    /// so the readers end (the portal starts no children that could hold them open).
    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    fn log_text(&self) -> String {
        format!("portal output:\n{}", self.log_lines().join("\n"))
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Copies `stream`'s lines into `log` on a thread; on stdout, also sends the address
/// from the first `"portal listening"` line, then drops the sender so a closed stream
/// before that line reads as an early exit.
fn collect_lines(
    stream: impl Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
    mut address_tx: Option<mpsc::Sender<SocketAddr>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(address) = address_tx.as_ref().and_then(|_| listening_address(&line))
                && let Some(tx) = address_tx.take()
            {
                let _ = tx.send(address);
            }
            if let Ok(mut lines) = log.lock() {
                lines.push(line);
            }
        }
    })
}

/// The `address` field of a JSON log line whose message is `portal listening`.
fn listening_address(line: &str) -> Option<SocketAddr> {
    let event: serde_json::Value = serde_json::from_str(line).ok()?;
    // tracing-subscriber nests fields under "fields" unless events are flattened.
    let fields = event.get("fields").unwrap_or(&event);
    if fields.get("message")?.as_str()? != "portal listening" {
        return None;
    }
    fields.get("address")?.as_str()?.parse().ok()
}

/// Runs the `portal` binary once with `args`, extra environment and `stdin`, as an
/// operator would from a shell (e.g. `portal admin add …`); answers whether it succeeded
/// and everything it printed.
pub fn run_portal_command(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (bool, String) {
    use std::io::Write as _;
    let mut command = Command::new(portal_binary());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PORTAL_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the portal binary");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("cannot write to the portal's stdin");
    let output = child
        .wait_with_output()
        .expect("cannot wait for the portal binary");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// Adds the staff account `user` with `role` to the portal's database with
/// `portal admin add`, the password typed on standard input, as an operator would.
pub fn add_staff(portal: &Portal, user: &str, role: &str, password: &str) {
    let database = portal.database_url();
    let data_dir = portal.data_dir().display().to_string();
    let (ok, text) = run_portal_command(
        &["admin", "add", user, "--role", role],
        &[
            ("PORTAL_DATABASE_URL", database.as_str()),
            ("PORTAL_DATA_DIR", data_dir.as_str()),
        ],
        &format!("{password}\n"),
    );
    assert!(ok, "portal admin add {user}: {text}");
}

/// Runs the staff-flow script `script` of `tests/browser` (`node SCRIPT BASE_URL OUT_DIR
/// USER PASSWORD`) against the portal, and asserts that it succeeded and passed each of
/// `steps`; answers what it printed.
pub fn run_staff_flow(
    script: &str,
    portal: &Portal,
    out_dir: &Path,
    credentials: (&str, &str),
    steps: &[&str],
) -> String {
    let browser_dir = workspace_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run scripts/setup first"
    );
    let output = node(&browser_dir)
        .arg(script)
        .args([
            &portal.base_url(),
            &out_dir.display().to_string(),
            credentials.0,
            credentials.1,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("cannot run node");
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{script}:\n{log}");
    for step in steps {
        assert!(
            log.contains(&format!("ok   {step}")),
            "{script}: {step} did not pass:\n{log}"
        );
    }
    log
}

/// Runs `git` with `args` in the workspace; answers whether it succeeded, and its output.
pub fn git(args: &[&str]) -> (bool, String) {
    let output = Command::new("git")
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Runs schemathesis (PyPI; `scripts/setup` installs it) against the OpenAPI document
/// at `schema_url` with the settings file `config`, every check, a bounded number of
/// cases; answers whether it passed, and everything it printed.
pub fn schemathesis(config: &Path, schema_url: &str) -> (bool, String) {
    let output = Command::new("schemathesis")
        .args(["--no-color", "--config-file"])
        .arg(config)
        .args([
            "run",
            schema_url,
            "--checks",
            "all",
            "--max-examples",
            "150",
        ])
        .args(["--seed", "14", "--generation-database", ":memory:"])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .current_dir(config.parent().unwrap_or(config))
        .stdin(Stdio::null())
        .output()
        .expect("schemathesis runs (scripts/setup installs it)");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// A `node` command for a script in `browser_dir` (`tests/browser`), run from there.
pub fn node(browser_dir: &Path) -> Command {
    let mut command = Command::new("node");
    command.current_dir(browser_dir).stdin(Stdio::null());
    command
}

#[cfg(test)]
mod tests {
    use super::listening_address;

    #[test]
    fn listening_address_is_read_from_the_json_log() {
        let line = r#"{"timestamp":"2026-11-24T20:41:36Z","level":"INFO","fields":{"message":"portal listening","address":"127.0.0.1:39941","database":"sqlite"},"target":"server"}"#;
        assert_eq!(
            listening_address(line),
            Some("127.0.0.1:39941".parse().unwrap())
        );
        let other = line.replace("portal listening", "portal stopped");
        assert_eq!(listening_address(&other), None);
        assert_eq!(listening_address("portal: invalid configuration"), None);
    }
}
