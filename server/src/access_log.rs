//! The access log: one line per request, written when it is answered.
//!
//! `GET / 200 0.41 ms` with the request's id, at `info`; a server error at `error`, with
//! its cause when our handler knew it ([`Failure`]). Only the path is logged, never the
//! query string (it may one day carry a token) nor any header.
//!
//! There is deliberately no `info` span per request: creating, entering and closing one
//! was a tenth of the CPU time of a cached page. Lines logged while a request is handled
//! find their request through the `error` field of its access line, or, with
//! `RUST_LOG=debug`, through a `request` span carrying its id.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Instrument;

/// The header carrying a request's id, set by [`RequestIds`] and sent back.
pub const REQUEST_ID: &str = "x-request-id";

/// Why a request failed on our side, put in its response by `Error::into_response` for
/// its access line: the cause is logged once, beside the request it belongs to.
#[derive(Clone, Debug)]
pub struct Failure(pub String);

/// Request ids: this process's start time and a counter, unique without asking the
/// kernel for random bytes per request as a random UUID does. They identify a request in
/// the log; they authenticate nothing.
#[derive(Clone, Debug)]
pub struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for RequestIds {
    /// Ids beginning with the current time, so that a restarted portal does not repeat
    /// its predecessor's.
    fn default() -> RequestIds {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        RequestIds {
            prefix: format!("{:x}{:05x}", started.as_secs(), started.subsec_micros()).into(),
            next: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Middleware: answers the request, then logs its line. Inside the request id layer.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let response = next
        .run(request)
        .instrument(tracing::debug_span!("request", request_id = %id))
        .await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let latency_ms = (latency_ms * 100.0).round() / 100.0;
    if response.status().is_server_error() {
        let error = response
            .extensions()
            .get::<Failure>()
            .map_or("", |f| f.0.as_str());
        tracing::error!(target: "access", %method, path, status, latency_ms, request_id = id, error, "answered");
    } else {
        tracing::info!(target: "access", %method, path, status, latency_ms, request_id = id, "answered");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_differ_and_fit_in_a_header() {
        let mut ids = RequestIds::default();
        let request = axum::http::Request::new(());
        let a = ids.make_request_id(&request).unwrap();
        let b = ids.clone().make_request_id(&request).unwrap();
        let (a, b) = (
            a.header_value().to_str().unwrap(),
            b.header_value().to_str().unwrap(),
        );
        assert_ne!(a, b, "clones share the counter");
        assert!(a.len() < 40 && a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'));
    }
}
