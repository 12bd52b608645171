//! The whole URL surface in one table, grouped by audience.

use axum::Router;
use axum::routing::{get, post};

use crate::middleware::not_found;
use crate::routes::{api, assets, catalog, downloads, errors, health, reports, tutorials};
use crate::state::AppState;

/// Every route the portal answers, before middleware.
pub fn routes() -> Router<AppState> {
    Router::new()
        // Public pages: people looking for software, guides and error explanations.
        .route("/", get(catalog::get_catalog))
        .route("/catalog/{slug}", get(catalog::get_version))
        .route("/tutorials", get(tutorials::list_tutorials))
        .route("/tutorials/{slug}", get(tutorials::get_tutorial))
        .route("/errors", get(errors::list_error_codes))
        .route("/errors/{code}", get(errors::get_error_code))
        .route("/static/{name}", get(assets::get_asset))
                // Downloads: the activator zip, with a token of its own.
        .route(
            "/download/{slug}",
            get(downloads::get_download).head(downloads::head_download),
        )
        // Public JSON API.
                .route("/api/v1/catalog", get(api::get_catalog))
        .route("/openapi.json", get(crate::openapi::get_openapi))
        // Activator API: reports, authenticated by the download's token.
        .route("/api/v1/reports", post(reports::post_report))
                // Staff: sign-in and the pages behind it, refused when a browser says another site
        // sent the request.
        .merge(crate::admin::routes())
        // Operations: probes for load balancers and orchestrators.
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .fallback(not_found)
}
