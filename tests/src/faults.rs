//! Faults made on loopback for the fault tests: a small file system that fills up, and a
//! PostgreSQL server of the test's own that can be stopped and started again — never the
//! shared one the other tests use.
//!
//! Both need what a CI machine's root has: mounting a tmpfs, and starting PostgreSQL as
//! its own `postgres` account (`initdb` refuses to run as root).

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

/// A tmpfs of a fixed size, mounted on a temporary folder until dropped.
#[derive(Debug)]
pub struct SmallDisk {
    folder: TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `mib` MiB (as root, or through `sudo -n`).
    pub fn mount(mib: u32) -> SmallDisk {
        let folder = tempfile::Builder::new()
            .prefix("portal-small-disk-")
            .tempdir()
            .expect("a temporary folder");
        let size = format!("size={mib}m,mode=0700");
        run_as_root(&[
            "mount",
            "-t",
            "tmpfs",
            "-o",
            &size,
            "tmpfs",
            utf8(folder.path()),
        ]);
        SmallDisk { folder }
    }

    /// The mounted folder.
    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Fills what is left of the disk with a file; answers the file, which frees the
    /// space again when removed.
    pub fn fill(&self) -> PathBuf {
        let ballast = self.path().join("ballast");
        let mut file = File::create(&ballast).expect("create the ballast file");
        let chunk = vec![0xA5_u8; 64 * 1024];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::StorageFull => break,
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // Whatever a smaller write still fits, byte by byte at the end.
        let mut byte = [0_u8; 512];
        while file.write(&byte).is_ok_and(|n| n > 0) {
            byte[0] = byte[0].wrapping_add(1);
        }
        let _ = file.sync_all();
        ballast
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if let Some(path) = self.folder.path().to_str() {
            let _ = root_command(&["umount", "-l", path]).status();
        }
    }
}

/// A PostgreSQL server of the test's own: `initdb` into a temporary folder, listening on
/// a free loopback port (and a socket in that folder), trust authentication.
#[derive(Debug)]
pub struct PrivatePostgres {
    folder: TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Creates and starts the server.
    pub fn start() -> PrivatePostgres {
        let bin = postgres_bin();
        let folder = tempfile::Builder::new()
            .prefix("portal-postgres-")
            .tempdir()
            .expect("a temporary folder");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let server = PrivatePostgres { folder, bin, port };
        if is_root() {
            run_as_root(&["chown", "postgres:postgres", utf8(server.folder.path())]);
        }
        let data = server.data();
        let initdb = server.bin.join("initdb");
        server.run(&[
            utf8(&initdb),
            "-D",
            utf8(&data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]);
        server.pg_ctl("start");
        server
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: sessions are ended, as on a restart).
    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    /// Starts it again.
    pub fn start_again(&self) {
        self.pg_ctl("start");
    }

    fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    fn pg_ctl(&self, action: &str) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=on",
            self.port,
            self.folder.path().display()
        );
        let log = self.folder.path().join("server.log");
        let mut args = vec![utf8(&pg_ctl), action, "-D", utf8(&data), "-w", "-t", "60"];
        match action {
            "start" => args.extend(["-o", &options, "-l", utf8(&log)]),
            _ => args.extend(["-m", "fast"]),
        }
        self.run(&args);
    }

    /// Runs a PostgreSQL program, as the `postgres` account when this is root.
    fn run(&self, args: &[&str]) {
        let output = as_postgres(args)
            .current_dir(self.folder.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", args[0]));
        assert!(
            output.status.success(),
            "{} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data();
        let args = [utf8(&pg_ctl), "stop", "-D", utf8(&data), "-m", "immediate"];
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).args(args);
            c
        } else {
            let mut c = Command::new(args[0]);
            c.args(&args[1..]);
            c
        };
        let _ = command.stdout(Stdio::null()).stderr(Stdio::null()).status();
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The installed PostgreSQL's programs (`/usr/lib/postgresql/N/bin`, the newest N).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed under /usr/lib/postgresql")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("an initdb under /usr/lib/postgresql")
}

/// `args` as a command run by the `postgres` account (through `runuser` when root).
fn as_postgres(args: &[&str]) -> Command {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(args[0]);
        c
    } else {
        Command::new(args[0])
    };
    command.args(&args[1..]);
    command
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn root_command(args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        c
    } else {
        let mut c = Command::new("sudo");
        c.arg("-n").args(args);
        c
    }
}

fn run_as_root(args: &[&str]) {
    let output = root_command(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", args[0]));
    assert!(
        output.status.success(),
        "{} failed (the fault tests need root or passwordless sudo): {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}
