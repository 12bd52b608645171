//! Serving the router on a listener, with the limits `axum::serve` lacks: it runs hyper
//! without a timer, so a connection that sends half a request head, or nothing, stays
//! open for ever, and any number may.
//!
//! Here every connection is served by hyper's HTTP/1.1 server with a timer: the head of
//! each request must arrive within `header_timeout`, counted from the connection's start
//! and, on a keep-alive connection, from the end of the previous response (an idle
//! timeout); the whole request, body included, has the router's `TimeoutLayer`. HTTP/1.1
//! only: hyper-util's `auto` builder (which adds cleartext HTTP/2) first waits for the
//! client's first bytes to tell the versions apart, with no time limit, so a connection
//! that sends nothing would never be closed; browsers speak HTTP/2 to the TLS-terminating
//! proxy in front of the portal, not to it. At most
//! `max_connections` are open at once: past that a new connection is closed at once,
//! without a byte, so it costs nothing and the ones being served go on. A graceful
//! shutdown lets open requests finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// The limits on connections.
#[derive(Clone, Copy, Debug)]
pub struct Connections {
    /// The time a request's head may take to arrive, and a connection may sit idle.
    pub header_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes open requests.
/// Each request carries `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            metrics::counter!("connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // The client's address, as `into_make_service_with_connect_info` would give it.
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                request
            },
        ));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
