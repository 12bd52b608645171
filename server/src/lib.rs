//! The Campus License Portal server: catalogue, tutorials, error-code pages and the JSON
//! API, on SQLite or PostgreSQL.
//!
//! [`app`] builds the router that `main` serves and tests drive; [`prepare`] opens,
//! migrates and seeds the database; [`run`] does both and serves until a shutdown signal.

pub mod access_log;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod authenticode;
pub mod bundle;
pub mod calendar;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod content;
pub mod dashboard;
pub mod db;
pub mod download;
pub mod error;
pub mod error_codes;
pub mod extract;
pub mod ingest;
pub mod lang;
pub mod layout;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod middleware;
pub mod network;
pub mod openapi;
pub mod page_cache;
pub mod rate_limit;
pub mod router;
pub mod routes;
pub mod secret;
pub mod serve;
pub mod settings;
pub mod state;
pub mod texts;
pub mod token;

use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::StatusCode;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use crate::config::Config;
use crate::content::DefaultContent;
use crate::db::Db;
use crate::state::AppState;

/// The largest request body any route accepts, in bytes.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// Builds the portal's router with all middleware, for `main` and for tests.
pub fn app(state: AppState) -> Router {
    metrics::install();
    let request_id = axum::http::HeaderName::from_static(access_log::REQUEST_ID);
    let request_timeout = Duration::from_secs(u64::from(state.config.limits.request_timeout_secs));
    let router = router::routes()
        // On routes, after matching, so metrics are labelled by route pattern.
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), access_log::RequestIds::default()))
                .layer(axum::middleware::from_fn(access_log::log))
                .layer(PropagateRequestIdLayer::new(request_id))
                                // Zips are compressed already; compressing them again only costs CPU.
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/zip"))
                        .and(middleware::Uncompressed),
                ))
                .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::decorate))
                .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::invalidate_after_edits))
                                .layer(axum::middleware::from_fn(middleware::limit_uri))
                .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::same_origin_only))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout))
                // Innermost: it changes the request body type, which only routes accept.
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
        )
        .with_state(state);
    // Outermost: every response, even one refused by the layers above, carries them.
    router.layer(axum::middleware::from_fn(middleware::security_headers))
}

/// Opens the database, applies migrations and loads the default content if it is empty.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let content = DefaultContent::load().context("the built-in default content is invalid")?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    if db::seed::seed_defaults(&db, &content)
        .await
        .context("loading the default content")?
    {
        tracing::info!(
            database = db.backend(),
            "loaded the default catalogue, tutorials and error codes"
        );
    }
    let tokens = token::TokenKey::load(&config)?;
    let state = AppState::new(config, db, tokens)?;
    refresh_token_ids(&state).await?;
    settings::reload(&state.db, &state.site).await?;
    let reloader = state.clone();
    tokio::spawn(async move {
        // Another instance on the same database may have saved new settings.
        let start = tokio::time::Instant::now() + settings::RELOAD_EVERY;
        let mut every = tokio::time::interval_at(start, settings::RELOAD_EVERY);
        loop {
            every.tick().await;
            if let Err(error) = settings::reload(&reloader.db, &reloader.site).await {
                tracing::warn!(error = %error, "cannot reload the institution settings");
            }
        }
    });
    let refresher = state.clone();
    tokio::spawn(async move {
        // Other instances on the same database may revoke tokens or add deployments too.
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            every.tick().await;
            if let Err(error) = refresh_token_ids(&refresher).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "cannot refresh the revoked and deployment token ids"
                );
            }
        }
    });
    let sweeper = state.clone();
    tokio::spawn(async move {
        // Sessions that expired or sat idle are refused when used; this removes them, so
        // the table holds live sessions only.
        let mut every = tokio::time::interval(SESSION_SWEEP_EVERY);
        loop {
            every.tick().await;
            if let Err(error) = sweep_sessions(&sweeper).await {
                tracing::warn!(error = %error, "cannot remove ended sessions");
            }
        }
    });
    Ok(state)
}

/// How often ended sessions are removed.
pub const SESSION_SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// Removes the sessions that expired or sat idle longer than the configured limit, and
/// failed sign-ins old enough to forget; answers how many sessions went.
pub async fn sweep_sessions(state: &AppState) -> sqlx::Result<u64> {
    let now = state.now();
    let idle = time::Duration::minutes(i64::from(state.config.admin.session_idle_minutes));
    let removed = db::accounts::delete_stale_sessions(&state.db, now, now - idle).await?;
    if removed > 0 {
        tracing::info!(removed, "removed ended sessions");
    }
    let forgotten = auth::throttle::sweep(state).await?;
    if forgotten > 0 {
        tracing::info!(forgotten, "forgot old failed sign-ins");
    }
    Ok(removed)
}

/// Reloads the revoked token ids, and the deployments' ones, from the database.
pub async fn refresh_token_ids(state: &AppState) -> anyhow::Result<()> {
    let ids = db::downloads::revoked_ids(&state.db).await?;
    state.revoked.replace(ids.into_iter().collect());
    let ids = db::deployments::ids(&state.db).await?;
    state.deployments.replace(ids.into_iter().collect());
    Ok(())
}

/// Prepares the database and serves the portal on the configured address until SIGINT
/// or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let state = prepare(config).await?;
    if let Some(password) = auth::ensure_first_account(&state).await? {
        // Shown once, on the console only (never logged): the way in for a newcomer.
        eprintln!(
            "\nNo staff account existed, so one was created:\n  username: admin\n  password: {password}\n\
             Sign in at {}/admin/login and choose your own password (you will be asked to).\n\
             More accounts: portal admin add NAME --role admin|viewer\n",
            state.config.public_url
        );
    }
    mail::spawn(&state)?;
    let db = state.db.clone();
    let shutdown = shutdown_signal();
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(address = %listener.local_addr()?, database = db.backend(), "portal listening");
    if let Some(metrics_bind) = state.config.metrics_bind {
        let metrics_listener = TcpListener::bind(metrics_bind)
            .await
            .with_context(|| format!("cannot listen on {metrics_bind}"))?;
        let metrics_app = Router::new()
            .route("/metrics", axum::routing::get(metrics::get_metrics_open))
            .with_state(state.clone());
        tracing::info!(address = %metrics_bind, "metrics listening");
        tokio::spawn(async move {
            if let Err(error) = axum::serve(metrics_listener, metrics_app).await {
                tracing::error!(error = %error, "the metrics listener failed");
            }
        });
    }
    let limits = serve::Connections {
        header_timeout: Duration::from_secs(u64::from(state.config.limits.header_timeout_secs)),
        max_connections: state.config.limits.max_connections as usize,
    };
    serve::serve(listener, app(state), limits, shutdown).await?;
    db.close().await;
    tracing::info!("portal stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled: a signal that arrives once the portal says it is
/// listening must find them in place, or it kills the process outright.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        tokio::select! {
            () = received(interrupt, "Ctrl-C") => {}
            () = received(terminate, "SIGTERM") => {}
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutdown signal received; finishing open requests");
    }
}

/// Completes when `signal` arrives; never, if it could not be listened for.
#[cfg(unix)]
async fn received(signal: std::io::Result<tokio::signal::unix::Signal>, name: &str) {
    match signal {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(error) => {
            tracing::error!(error = %error, "cannot listen for {name}");
            std::future::pending::<()>().await;
        }
    }
}
