//! The whole URL surface in one table, grouped by audience.

use axum::Router;
use axum::routing::{MethodRouter, get, post};

use crate::admin::editor;
use crate::middleware::not_found;
use crate::routes::{
    api, assets, calendar, catalog, downloads, errors, health, reports, tutorials,
};
use crate::state::AppState;
use crate::{admin, auth, dashboard, metrics};

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
        // With oidc.downloads: the campus sign-in before a download.
        .route("/download/{slug}/sign-in", get(auth::sso::get_download_sign_in))
        // Public JSON API.
                .route("/api/v1/catalog", get(api::get_catalog))
        .route("/openapi.json", get(crate::openapi::get_openapi))
        // Activator API: reports, authenticated by the download's token.
        .route("/api/v1/reports", post(reports::post_report))
                // Staff: sign-in and the pages behind it, refused when a browser says another site
        // sent the request.
        .merge(staff().into_iter().fold(Router::new(), |router, (path, methods)| router.route(path, methods)))
        // Staff members' licence calendars, behind a secret link each (no session).
        .route("/calendar.ics", get(calendar::get_calendar))
        // Operations: probes for load balancers and orchestrators.
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .fallback(not_found)
}

/// Every route under `/admin`: the router is built from this table and nothing else, and a test
/// walks it, so no route can be added without being checked for sign-in and roles.
/// Path parameters are written `{name}`.
pub fn staff() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        (
            "/admin/login",
            get(auth::login::get_login).post(auth::login::post_login),
        ),
        ("/admin/logout", post(auth::login::post_logout)),
        ("/admin/login/sso", get(auth::sso::get_sso)),
        ("/admin/login/sso/callback", get(auth::sso::get_callback)),
        (
            "/admin/password",
            get(auth::login::get_password).post(auth::login::post_password),
        ),
        (
            "/admin/mail",
            get(admin::mail::get_mail).post(admin::mail::post_mail),
        ),
        ("/admin/mail/calendar", post(admin::mail::post_calendar)),
        ("/admin/accounts", get(admin::accounts::get_accounts)),
        (
            "/admin/accounts/{username}",
            get(admin::mail::get_account).post(admin::mail::post_account),
        ),
        ("/admin/metrics", get(metrics::get_metrics)),
        ("/admin", get(dashboard::page::get_dashboard)),
        ("/admin/export/{file}", get(dashboard::export::get_export)),
        // Editing the catalogue (catalogue.rs and its submodules).
        ("/admin/catalogue", get(admin::catalogue::get_catalogue)),
        (
            "/admin/catalogue/agreements/new",
            editor::new_route::<admin::catalogue::agreements::Agreements>(),
        ),
        (
            "/admin/catalogue/agreements/{slug}/edit",
            editor::edit_route::<admin::catalogue::agreements::Agreements>(),
        ),
        (
            "/admin/catalogue/agreements/{slug}/delete",
            editor::delete_route::<admin::catalogue::agreements::Agreements>(),
        ),
        (
            "/admin/catalogue/products/new",
            editor::new_route::<admin::catalogue::products::Products>(),
        ),
        (
            "/admin/catalogue/products/{slug}/edit",
            editor::edit_route::<admin::catalogue::products::Products>(),
        ),
        (
            "/admin/catalogue/products/{slug}/delete",
            editor::delete_route::<admin::catalogue::products::Products>(),
        ),
        (
            "/admin/catalogue/versions/new",
            editor::new_route::<admin::catalogue::versions::Versions>(),
        ),
        (
            "/admin/catalogue/versions/{slug}/edit",
            editor::edit_route::<admin::catalogue::versions::Versions>(),
        ),
        (
            "/admin/catalogue/versions/{slug}/delete",
            editor::delete_route::<admin::catalogue::versions::Versions>(),
        ),
        // Editing tutorials, error-code texts and institution settings; the change log.
        ("/admin/tutorials", get(admin::tutorials::get_tutorials)),
        (
            "/admin/tutorials/{slug}/{lang}",
            get(admin::tutorials::get_tutorial).post(admin::tutorials::post_tutorial),
        ),
        ("/admin/errors", get(admin::errors::get_errors)),
        (
            "/admin/errors/new",
            editor::new_route::<admin::errors::ErrorCodes>(),
        ),
        (
            "/admin/errors/{code}",
            editor::edit_route::<admin::errors::ErrorCodes>(),
        ),
        (
            "/admin/settings",
            get(admin::settings::get_settings).post(admin::settings::post_settings),
        ),
        (
            "/admin/settings/reset",
            post(admin::settings::post_reset_settings),
        ),
        // Download tokens: the passed-around ones, and revoking (downloads.rs).
        ("/admin/downloads", get(admin::downloads::get_downloads)),
        (
            "/admin/downloads/revoke",
            post(admin::downloads::post_revoke),
        ),
        // Deployment tokens for managed labs (deployments.rs).
        (
            "/admin/deployments",
            get(admin::deployments::get_deployments).post(admin::deployments::post_deployment),
        ),
        (
            "/admin/deployments/{id}/zip",
            get(admin::deployments::get_deployment_zip),
        ),
        (
            "/admin/deployments/{id}/revoke",
            post(admin::deployments::post_revoke_deployment),
        ),
        ("/admin/audit", get(admin::audit::get_audit)),
    ]
}

/// The routes that answer without a session: only signing in (with a password, or with
/// the campus account and back).
pub const STAFF_PUBLIC: [&str; 3] = [
    "/admin/login",
    "/admin/login/sso",
    "/admin/login/sso/callback",
];
