//! Loopback stand-ins for what the activator talks to: a KMS "host" that only accepts
//! TCP connections (the activator's reachability check; Microsoft's scripts are fakes in
//! these tests, so nothing ever speaks the KMS protocol), and a report receiver that
//! answers like the portal's `/healthz` and `POST /api/v1/reports`; and an X display
//! (Xvfb, no network) for a Windows dialog that must wait for a click that never comes.
//!
//! The listeners bind 127.0.0.1 on a free port; each stand-in stops when dropped.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Accepts TCP connections on loopback and closes them at once.
#[derive(Debug)]
pub struct KmsListener {
    address: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// `GET /healthz`, `POST /api/v1/reports` …
    pub request_line: String,
    /// Header names in lowercase, with values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Plays the portal for the activator: `/healthz` with a `Date`, and reports stored once
/// per `report_id` (201 new, 200 repeat), like the real endpoint's contract.
#[derive(Debug)]
pub struct ReportReceiver {
    address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl KmsListener {
    /// Starts listening on a free loopback port.
    pub fn start() -> KmsListener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind a loopback port");
        let address = listener.local_addr().expect("bound address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopping) = (Arc::clone(&accepted), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if stream.is_ok() {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        KmsListener {
            address,
            accepted,
            stop,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for KmsListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
    }
}

impl ReportReceiver {
    /// Starts on a free loopback port.
    pub fn start() -> ReportReceiver {
        ReportReceiver::start_on("127.0.0.1:0")
    }

    /// Starts on a given loopback address (to come back on the same port after a stop).
    pub fn start_on(address: &str) -> ReportReceiver {
        let listener = TcpListener::bind(address).expect("cannot bind the receiver's port");
        let address = listener.local_addr().expect("bound address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (Arc::clone(&received), Arc::clone(&stop));
        thread::spawn(move || {
            let seen = Arc::new(Mutex::new(HashSet::new()));
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (log, seen) = (Arc::clone(&log), Arc::clone(&seen));
                thread::spawn(move || serve(stream, &log, &seen));
            }
        });
        ReportReceiver {
            address,
            received,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("receiver log").clone()
    }

    /// The bodies of every report POST, as JSON, including repeats.
    pub fn reports(&self) -> Vec<serde_json::Value> {
        self.received()
            .into_iter()
            .filter(|r| r.request_line.starts_with("POST /api/v1/reports "))
            .filter_map(|r| serde_json::from_slice(&r.body).ok())
            .collect()
    }
}

impl Drop for ReportReceiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Received>>, seen: &Mutex<HashSet<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0_usize);
    let mut body = vec![0; length.min(1 << 20)];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let request_line = request_line.trim_end().to_owned();
    let (status, reply) = if request_line.starts_with("POST /api/v1/reports ") {
        let id = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["report_id"].as_str().map(str::to_owned));
        match id {
            Some(id) if seen.lock().expect("seen ids").insert(id.clone()) => {
                ("201 Created", r#"{"status":"stored"}"#)
            }
            Some(_) => ("200 OK", r#"{"status":"already stored"}"#),
            None => (
                "422 Unprocessable Entity",
                r#"{"error":"invalid","message":"not a report","field":""}"#,
            ),
        }
    } else {
        ("200 OK", "ok\n")
    };
    log.lock().expect("receiver log").push(Received {
        request_line,
        headers,
        body,
    });
    let date = http_date(time::OffsetDateTime::now_utc());
    let response = format!(
        "HTTP/1.1 {status}\r\nDate: {date}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
    let _ = writer.write_all(response.as_bytes());
}

/// Formats an HTTP date: `Tue, 24 Nov 2026 02:15:07 GMT`.
pub fn http_date(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.format(format).unwrap_or_default()
}

/// A virtual X display (`Xvfb`, from scripts/setup), on a Unix socket only
/// (`-nolisten tcp`): with it, a Windows message box under Wine shows and waits.
#[derive(Debug)]
pub struct Display {
    child: Child,
    name: String,
}

impl Display {
    /// Starts Xvfb on the first free display number, which it prints when it is ready.
    pub fn start() -> Display {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "800x600x24",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Xvfb (scripts/setup installs it): {e}"));
        let mut number = String::new();
        BufReader::new(child.stdout.take().expect("Xvfb's stdout"))
            .read_line(&mut number)
            .expect("Xvfb prints its display number");
        let number = number.trim();
        assert!(
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
            "Xvfb did not start: {number:?}"
        );
        Display {
            name: format!(":{number}"),
            child,
        }
    }

    /// The display's name, for `DISPLAY`: `:1`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
