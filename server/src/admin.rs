//! The staff pages under `/admin`: sign-in and password change (`login.rs`), on top of
//! accounts and sessions (`auth.rs`).
//!
//! Every route here takes a [`auth::Staff`] (signed in) except the sign-in page itself;
//! changes also call `Staff::require_admin` and `Staff::check_csrf`. A test walks this
//! router's routes so that none can be added without the checks.

pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod dashboard;
pub mod demo;
pub mod deployments;
pub mod downloads;
pub mod edit_texts;
pub mod errors;
pub mod form;
pub mod login;
pub mod settings;
pub mod strength;
pub mod texts;
pub mod throttle;
pub mod tutorials;

use axum::Router;
use axum::routing::{MethodRouter, get, post};

use crate::state::AppState;

/// What every signed-in admin page shows above its content (`templates/admin/nav.html`):
/// who is signed in, the admin sections, and the sign-out form with its CSRF token.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The signed-in login name.
    pub username: String,
    /// Whether the account may change things (viewers see no edit controls).
    pub can_edit: bool,
    /// The session's CSRF token, for every form on the page.
    pub csrf: String,
    /// The current section: `dashboard`, `catalogue`, `tutorials`, `errors`, `settings`,
    /// `downloads`, `deployments`, `audit`.
    pub section: &'static str,
}

impl Chrome {
    /// The chrome for `staff` on a page of `section`.
    pub fn new(staff: &auth::Staff, section: &'static str) -> Chrome {
        Chrome {
            username: staff.username.clone(),
            can_edit: staff.role == auth::Role::Admin,
            csrf: staff.csrf_token.expose().to_owned(),
            section,
        }
    }

    /// `aria-current="page"` on the current section's link.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// Every admin route: the router is built from this table and nothing else, and a test
/// walks it, so no route can be added without being checked for sign-in and roles.
/// Path parameters are written `{name}`.
pub fn table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        (
            "/admin/login",
            get(login::get_login).post(login::post_login),
        ),
        ("/admin/logout", post(login::post_logout)),
        (
            "/admin/password",
            get(login::get_password).post(login::post_password),
        ),
        ("/admin/metrics", get(crate::metrics::get_metrics)),
        ("/admin", get(dashboard::page::get_dashboard)),
        ("/admin/export/{file}", get(dashboard::export::get_export)),
        // Editing the catalogue (catalogue.rs and its submodules).
        ("/admin/catalogue", get(catalogue::get_catalogue)),
        (
            "/admin/catalogue/agreements/new",
            get(catalogue::agreements::get_new_agreement)
                .post(catalogue::agreements::post_new_agreement),
        ),
        (
            "/admin/catalogue/agreements/{slug}/edit",
            get(catalogue::agreements::get_agreement).post(catalogue::agreements::post_agreement),
        ),
        (
            "/admin/catalogue/agreements/{slug}/delete",
            get(catalogue::agreements::get_delete_agreement)
                .post(catalogue::agreements::post_delete_agreement),
        ),
        (
            "/admin/catalogue/products/new",
            get(catalogue::products::get_new_product).post(catalogue::products::post_new_product),
        ),
        (
            "/admin/catalogue/products/{slug}/edit",
            get(catalogue::products::get_product).post(catalogue::products::post_product),
        ),
        (
            "/admin/catalogue/products/{slug}/delete",
            get(catalogue::products::get_delete_product)
                .post(catalogue::products::post_delete_product),
        ),
        (
            "/admin/catalogue/versions/new",
            get(catalogue::versions::get_new_version).post(catalogue::versions::post_new_version),
        ),
        (
            "/admin/catalogue/versions/{slug}/edit",
            get(catalogue::versions::get_version).post(catalogue::versions::post_version),
        ),
        (
            "/admin/catalogue/versions/{slug}/delete",
            get(catalogue::versions::get_delete_version)
                .post(catalogue::versions::post_delete_version),
        ),
        // Editing tutorials, error-code texts and institution settings; the change log.
        ("/admin/tutorials", get(tutorials::get_tutorials)),
        (
            "/admin/tutorials/{slug}/{lang}",
            get(tutorials::get_tutorial).post(tutorials::post_tutorial),
        ),
        ("/admin/errors", get(errors::get_errors)),
        (
            "/admin/errors/new",
            get(errors::get_new_error).post(errors::post_new_error),
        ),
        (
            "/admin/errors/{code}",
            get(errors::get_error).post(errors::post_error),
        ),
        (
            "/admin/settings",
            get(settings::get_settings).post(settings::post_settings),
        ),
        ("/admin/settings/reset", post(settings::post_reset_settings)),
        // Download tokens: the passed-around ones, and revoking (downloads.rs).
        ("/admin/downloads", get(downloads::get_downloads)),
        ("/admin/downloads/revoke", post(downloads::post_revoke)),
        // Deployment tokens for managed labs (deployments.rs).
        (
            "/admin/deployments",
            get(deployments::get_deployments).post(deployments::post_deployment),
        ),
        (
            "/admin/deployments/{id}/zip",
            get(deployments::get_deployment_zip),
        ),
        (
            "/admin/deployments/{id}/revoke",
            post(deployments::post_revoke_deployment),
        ),
        ("/admin/audit", get(audit::get_audit)),
    ]
}

/// The routes that answer without a session: only signing in.
pub const PUBLIC: [&str; 1] = ["/admin/login"];

/// The admin routes (`lib::app` applies the same-origin check to every change).
pub fn routes() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, methods)
        })
}
