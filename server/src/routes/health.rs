//! Health checks for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

/// `GET /healthz`: the process is up. Touches nothing else, so a slow database never
/// makes an orchestrator restart a healthy process.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up", body = String)))]
pub async fn get_healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the process can serve pages, i.e. its database answers. It also says
/// whether the activator executable is there to download (`"activator": "missing"`
/// leaves the portal ready, but degraded: pages work, downloads do not).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "`{\"status\": \"ready\"|\"degraded\", \"database\", \"activator\": \"ready\"|\"missing\"}`", body = Object),
        (status = 503, description = "The database does not answer", body = Object),
    )
)]
pub async fn get_readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.db.backend();
    let activator = match state.bundles.ready().await {
        Some(_) => "ready",
        None => "missing",
    };
    match state.db.ping().await {
        Ok(()) => {
            let status = if activator == "ready" {
                "ready"
            } else {
                "degraded"
            };
            (
                StatusCode::OK,
                Json(json!({ "status": status, "database": backend, "activator": activator })),
            )
        }
        Err(error) => {
            tracing::warn!(error = %error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "database": backend, "reason": "database unreachable" }),
                ),
            )
        }
    }
}
