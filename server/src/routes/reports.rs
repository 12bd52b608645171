//! `POST /api/v1/reports`: the activator's report, stored once per `report_id`.
//!
//! Checked in order, cheapest first, and nothing is stored unless every check passes:
//! content type (415), size (413), the sender's network's rate (429), the token's shape
//! (401), the report itself, strictly (422, naming the field), the token's signature for
//! the report's product, expiry and revocation (401), the token's rate (429). Then the
//! report joins the next group commit; 201 when it was new, 200 when it was stored before,
//! 403 when its download's token already reported from as many other PCs as it may.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use protocol::report::{MAX_REPORT_BYTES, Report};
use serde::Serialize;

use crate::db::reports::{Incoming, Stored};
use crate::error::{Error, Result};
use crate::extract::{self, ClientAddr};
use crate::network::network_of;
use crate::state::AppState;

/// The answer to an accepted report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// `stored`, or `already stored` for a repeat.
    pub status: &'static str,
    /// The report's id.
    pub report_id: String,
}

/// `POST /api/v1/reports`
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "activator",
    request_body(content = Report, content_type = "application/json", description = "The activator's report; at most 96 KiB"),
    security(("download_token" = [])),
    responses(
        (status = 201, description = "Stored", body = Accepted),
        (status = 200, description = "Stored before (same report_id); counted once", body = Accepted),
        (status = 401, description = "Missing, malformed, expired, revoked, or another product's download token", body = crate::middleware::ApiError),
        (status = 403, description = "The download token already reported from as many PCs as one download may (`limits.machines_per_download_token`): download the activator on this PC", body = crate::middleware::ApiError),
        (status = 413, description = "Larger than 96 KiB", body = crate::middleware::ApiError),
        (status = 415, description = "Not application/json", body = crate::middleware::ApiError),
        (status = 422, description = "Not an acceptable report; `field` names the field", body = crate::middleware::ApiError),
        (status = 429, description = "Too many reports from this token or network; see Retry-After", body = crate::middleware::ApiError),
    )
)]
pub async fn post_report(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>)> {
    extract::require_json(&headers)?;
    if body.len() > MAX_REPORT_BYTES {
        return Err(Error::PayloadTooLarge);
    }
    let network = network_of(client, &state.config);
    let now = Instant::now();
    state
        .limiters
        .reports_per_network
        .admit(&network.label, now)?;
    let token = extract::bearer(&headers)?;
    let report = Report::from_json(&body).map_err(|v| Error::Unprocessable {
        field: v.field,
        message: v.message,
    })?;
    let received_at = state.now();
    let token_id = state
        .tokens
        .verify(token, &report.product, received_at, &state.revoked)
        .map_err(Error::Unauthorized)?;
    // A download's token is one PC's (a few runs a minute at most); a deployment's is a
    // whole lab's, limited per PC instead.
    let deployment = state.deployments.contains(&token_id);
    let limited = if deployment {
        format!("{token_id}/{}", report.machine.id)
    } else {
        token_id.clone()
    };
    state.limiters.reports_per_token.admit(&limited, now)?;
    let report_id = report.report_id.clone();
    let outcome = report.outcome;
    let incoming = Incoming {
        report,
        token_id,
        network: network.label,
        received_at,
        day: state.local_date(received_at),
        machine_limit: (!deployment).then_some(state.config.limits.machines_per_download_token),
    };
    let stored = state.ingest.submit(incoming).await?;
    // The access log already has a line per request; this one is for debugging.
    tracing::debug!(
        report.outcome = outcome.as_str(),
        report.new = stored == Stored::New,
        "report received"
    );
    let new = if stored == Stored::New {
        "true"
    } else {
        "false"
    };
    metrics::counter!("reports_total", "outcome" => outcome.as_str(), "new" => new).increment(1);
    Ok(match stored {
        Stored::New => (
            StatusCode::CREATED,
            Json(Accepted {
                status: "stored",
                report_id,
            }),
        ),
        Stored::Repeat => (
            StatusCode::OK,
            Json(Accepted {
                status: "already stored",
                report_id,
            }),
        ),
        Stored::TooManyMachines => return Err(Error::TooManyMachines),
    })
}
