//! `GET /openapi.json`: the JSON API described in OpenAPI 3.1, generated from the handlers
//! and the wire types themselves (utoipa), so the document cannot drift from the code.

use axum::Json;
use serde_json::json;

use crate::dashboard::export::DATE_PATTERN;
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
        crate::dashboard::export::get_export,
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

/// `GET /openapi.json`: the document, with the report's rules between fields.
pub async fn get_openapi() -> Json<serde_json::Value> {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOCUMENT.get_or_init(document).clone())
}

/// The document as served.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(report) = document.pointer_mut("/components/schemas/Report") {
        report["allOf"] = report_rules();
    }
    let export = "/paths/~1admin~1export~1{file}/get/parameters";
    if let Some(serde_json::Value::Array(parameters)) = document.pointer_mut(export) {
        for parameter in parameters {
            if matches!(parameter["name"].as_str(), Some("from" | "to")) {
                parameter["schema"]["pattern"] = DATE_PATTERN.into();
            }
        }
    }
    document
}

/// The rules of `Report::validate` that tie fields together, which the types' own
/// schemas cannot say: the outcome follows from the findings and products; an activated
/// product has no error code; a failed one in an activation run has one; only a status
/// run says its licences' grace and KMS host. Each is a set of positive alternatives, so
/// that a client generating reports from the document can meet them.
fn report_rules() -> serde_json::Value {
    let product_outcome = |o: &str| json!({ "properties": { "outcome": { "const": o } } });
    let activated = json!({
        "properties": { "outcome": { "const": "activated" }, "error_code": { "type": "null" } }
    });
    json!([
        { "oneOf": [
            { "title": "aborted: a preflight check failed, nothing was tried",
              "properties": {
                "outcome": { "const": "aborted" },
                "products": { "maxItems": 0 },
                "findings": { "contains": { "properties": { "status": { "const": "fail" } } } } } },
            { "title": "failure: no check failed, and nothing was there to activate",
              "properties": {
                "outcome": { "const": "failure" },
                "products": { "maxItems": 0 },
                "findings": { "items": { "properties": { "status": { "enum": ["pass", "warn"] } } } } } },
            { "title": "success: every product activated",
              "properties": {
                "outcome": { "const": "success" },
                "products": { "minItems": 1, "items": product_outcome("activated") } } },
            { "title": "failure: no product activated",
              "properties": {
                "outcome": { "const": "failure" },
                "products": { "minItems": 1, "items": product_outcome("failed") } } },
            { "title": "partial: some products activated, some not",
              "properties": {
                "outcome": { "const": "partial" },
                "products": { "allOf": [
                    { "contains": product_outcome("activated") },
                    { "contains": product_outcome("failed") } ] } } }
        ] },
        { "anyOf": [
            { "title": "a status run: licences read, grace and KMS host may be said",
              "required": ["kind"],
              "properties": {
                "kind": { "const": "status" },
                "products": { "items": { "anyOf": [activated, product_outcome("failed")] } } } },
            { "title": "an activation run: a failed product says its error code",
              "properties": {
                "kind": { "const": "activation" },
                "products": { "items": {
                    "properties": { "grace_minutes": { "type": "null" }, "kms_host": { "type": "null" } },
                    "anyOf": [
                        activated,
                        { "required": ["error_code"],
                          "properties": { "outcome": { "const": "failed" }, "error_code": { "type": "string" } } }
                    ] } } } }
        ] }
    ])
}
