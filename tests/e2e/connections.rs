//! Connections that never finish a request cannot pile up: the real portal on loopback
//! closes idle and half-sent connections after `limits.header_timeout_secs`, answers
//! `/healthz` quickly meanwhile, and refuses connections past `limits.max_connections`
//! until some end.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use e2e::{Portal, PortalOptions, http};

/// Whether the server has closed `stream` (a read ends or fails) within `wait`.
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buffer = [0_u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            // An answer to a half-sent head (408) is followed by the close.
            Ok(_) => {}
            Err(error) => {
                return !matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
            }
        }
    }
}

fn healthz_time(portal: &Portal) -> Duration {
    let started = Instant::now();
    let response = http::get(portal.address(), "/healthz", Duration::from_secs(5)).unwrap();
    assert_eq!(response.status, 200);
    started.elapsed()
}

#[test]
fn idle_and_half_sent_connections_are_closed_in_time_while_the_portal_answers() {
    let portal = Portal::start(PortalOptions::new().env("PORTAL_LIMITS__HEADER_TIMEOUT_SECS", "2"));
    let opened = Instant::now();
    let mut idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(portal.address()).unwrap())
        .collect();
    let mut half: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut stream = TcpStream::connect(portal.address()).unwrap();
            stream
                .write_all(b"GET /?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
                .unwrap();
            stream
        })
        .collect();
    // After a first request, a keep-alive connection that sends nothing more is idle too.
    let mut kept: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = TcpStream::connect(portal.address()).unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut head = [0_u8; 12];
            stream.read_exact(&mut head).unwrap();
            assert_eq!(&head, b"HTTP/1.1 200");
            stream
        })
        .collect();
    for _ in 0..5 {
        let took = healthz_time(&portal);
        assert!(took < Duration::from_millis(500), "/healthz took {took:?}");
    }
    for stream in idle
        .iter_mut()
        .chain(half.iter_mut())
        .chain(kept.iter_mut())
    {
        assert!(
            closed_within(stream, Duration::from_secs(6)),
            "a connection was still open after {:?}",
            opened.elapsed()
        );
    }
    let all_closed = opened.elapsed();
    assert!(
        all_closed < Duration::from_secs(8),
        "closed after {all_closed:?}"
    );
    assert!(healthz_time(&portal) < Duration::from_millis(500));
}

#[test]
fn connections_past_the_cap_are_closed_at_once_until_some_end() {
    let portal = Portal::start(
        PortalOptions::new()
            .env("PORTAL_LIMITS__HEADER_TIMEOUT_SECS", "2")
            .env("PORTAL_LIMITS__MAX_CONNECTIONS", "20"),
    );
    // Portal::start's own readiness probes may still be closing: let them go.
    std::thread::sleep(Duration::from_millis(200));
    let held: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(portal.address()).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(portal.address()).unwrap();
    let started = Instant::now();
    assert!(
        closed_within(&mut extra, Duration::from_secs(1)),
        "the 21st was served"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
    // Once the held ones time out, the portal serves again.
    std::thread::sleep(Duration::from_secs(3));
    assert!(healthz_time(&portal) < Duration::from_millis(500));
    drop(held);
}
