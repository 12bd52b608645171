//! `GET /openapi.json`: the JSON API described in OpenAPI 3.1, generated from the handlers
//! and the wire types themselves (utoipa), so the document cannot drift from the code.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Campus License Portal API",
        description = "The public catalogue, the activator's report endpoint, and health checks. \
                       Errors are `{\"error\", \"message\", \"field\"}`."
    ),
    paths(
        crate::routes::api::get_catalog,
        crate::routes::reports::post_report,
        crate::routes::health::get_healthz,
                crate::routes::health::get_readyz,
        crate::admin::dashboard::export::get_export,
    ),
    modifiers(&DownloadToken),
    tags(
        (name = "public", description = "What anyone may read"),
        (name = "activator", description = "What the activator sends, with its download's token"),
                (name = "operations", description = "Probes for load balancers"),
        (name = "admin", description = "Staff exports; signed in (session cookie), admins and viewers"),
    )
)]
pub struct ApiDoc;

/// The download token, sent as `Authorization: Bearer v1.…`.
struct DownloadToken;

impl Modify for DownloadToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "download_token",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("v1.{id}.{expiry}.{hmac}")
                        .build(),
                ),
            );
            components.add_security_scheme(
                "staff_session",
                SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                    utoipa::openapi::security::ApiKeyValue::new("__Host-portal_session"),
                )),
            );
        }
    }
}

/// `GET /openapi.json`
pub async fn get_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
