//! Health checks for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authenticode::Verdict;
use crate::state::AppState;

/// `GET /healthz`: the process is up. Touches nothing else, so a slow database never
/// makes an orchestrator restart a healthy process.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up", body = String)))]
pub async fn get_healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the process can serve pages, i.e. its database answers. It also says
/// whether the activator executable is there to download and who signed it, with a
/// warning for each problem: a missing executable or a broken signature leave the portal
/// ready but degraded (pages work, downloads do not, or Windows refuses the file); an
/// unsigned one only warns (Windows asks people to confirm an unknown publisher).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "`{\"status\": \"ready\"|\"degraded\", \"database\", \"activator\": \"ready\"|\"missing\", \"signature\": \"signed\"|\"unsigned\"|\"altered\"|\"unreadable\", \"signer\", \"warnings\": [..]}`", body = Object),
        (status = 503, description = "The database does not answer", body = Object),
    )
)]
pub async fn get_readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.db.backend();
    let prepared = state.bundles.ready().await;
    let mut warnings = Vec::new();
    let mut degraded = false;
    match prepared.as_ref().map(|p| p.signature.verdict()) {
        None => {
            degraded = true;
            warnings.push("the activator executable is missing: downloads fail");
        }
        Some(Verdict::Unsigned) => {
            warnings.push("the activator is not signed: Windows warns people who run it");
        }
        Some(Verdict::Broken) => {
            degraded = true;
            warnings.push("the activator's signature does not match it: Windows refuses it");
        }
        Some(Verdict::Signed) => {}
    }
    match state.db.ping().await {
        Ok(()) => {
            let status = if degraded { "degraded" } else { "ready" };
            let activator = match &prepared {
                Some(prepared) => json!({
                    "activator": "ready",
                    "signature": prepared.signature.status(),
                    "signer": prepared.signature.signer().map(|s| s.display()),
                }),
                None => json!({ "activator": "missing" }),
            };
            let mut body = json!({ "status": status, "database": backend, "warnings": warnings });
            if let (Value::Object(body), Value::Object(activator)) = (&mut body, activator) {
                body.extend(activator);
            }
            (StatusCode::OK, Json(body))
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
