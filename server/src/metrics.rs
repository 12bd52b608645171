//! Prometheus metrics: requests and latencies by route, reports by outcome, ingestion
//! batch sizes, downloads, and the database pool.
//!
//! The recorder is process-global, so it is installed once (`OnceLock`) however many
//! apps a test process builds. Scrapes are served to signed-in admins at
//! `/admin/metrics`, and, when `metrics_bind` is set, on a listener of their own (meant
//! for a loopback or internal address a Prometheus server reaches).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::auth::Staff;
use crate::error::Result;
use crate::state::AppState;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder (once per process); later calls return the same handle.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::warn!(error = %error, "cannot install the metrics recorder");
                None
            }
        })
        .as_ref()
}

/// Counts each request and times it, by its route pattern (never the raw path, so
/// slugs and codes do not multiply the series).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// The text exposition of every metric, with the pool's gauges read now.
pub fn render(state: &AppState) -> String {
    let (size, idle) = state.db.pool_sizes();
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    install().map(PrometheusHandle::render).unwrap_or_default()
}

/// `GET /admin/metrics`: the scrape, for signed-in admins.
pub async fn get_metrics(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require_admin()?;
    Ok(exposition(&state))
}

/// The scrape on the separate metrics listener.
pub async fn get_metrics_open(State(state): State<AppState>) -> Response {
    exposition(&state)
}

fn exposition(state: &AppState) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        render(state),
    )
        .into_response()
}
