//! A real SMTP server on loopback for the mail tests: Debian's aiosmtpd (`scripts/setup`
//! installs `python3-aiosmtpd`), writing every message it accepts to a maildir that the
//! test reads back with a real MIME parser.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Debian's aiosmtpd command.
const AIOSMTPD: &str = "/usr/bin/aiosmtpd";

/// A running aiosmtpd; stopped when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    child: Child,
    address: SocketAddr,
    folder: TempDir,
}

/// A message as the server received it, parsed.
#[derive(Debug)]
pub struct Received {
    /// `From`, as sent.
    pub from: String,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// The decoded subject.
    pub subject: String,
    /// The `Content-Type` header as sent.
    pub content_type: String,
    /// The decoded plain-text body.
    pub body: String,
    /// Whether it has a `Date` and a `Message-ID`.
    pub dated_and_identified: bool,
}

impl SmtpServer {
    /// Starts aiosmtpd on a free loopback port and waits until it accepts connections.
    pub fn start() -> SmtpServer {
        assert!(
            std::path::Path::new(AIOSMTPD).is_file(),
            "{AIOSMTPD} is missing: run scripts/setup (it installs python3-aiosmtpd)"
        );
        let folder = tempfile::tempdir().expect("a temporary folder");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        // The maildir must not exist yet: the handler creates it with its subfolders.
        let maildir = folder.path().join("maildir");
        let child = Command::new(AIOSMTPD)
            .args([
                "-n",
                "-l",
                &address.to_string(),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start aiosmtpd");
        let server = SmtpServer {
            child,
            address,
            folder,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(address).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on {address}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The URL the portal's `mail.smtp_url` takes (plain SMTP: loopback only).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let new = self.maildir().join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("a maildir entry").path())
            .collect();
        files.sort_by_key(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|file| {
                let raw = std::fs::read(file).expect("a message file");
                parse(&raw)
            })
            .collect()
    }

    fn maildir(&self) -> PathBuf {
        self.folder.path().join("maildir")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(raw: &[u8]) -> Received {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parsable message");
    let addresses = |list: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        list.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    };
    let header_text = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Received {
        from: header_text("From"),
        to: addresses(message.to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        content_type: header_text("Content-Type"),
        body: message
            .body_text(0)
            .map(|b| b.into_owned())
            .unwrap_or_default(),
        dated_and_identified: message.date().is_some() && message.message_id().is_some(),
    }
}
