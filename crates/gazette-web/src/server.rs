//! The connection loop. `axum::serve` accepts every connection and gives it unlimited time to
//! send its request, so clients that connect and say nothing (or a header line every few
//! seconds) held descriptors until the process ran out and stopped answering anyone. Here:
//!
//! - at most `server.max_connections` connections at once, and never more than the process's
//!   open-file limit leaves room for; a connection beyond the cap is answered with a short 503
//!   and closed, so a crowd is told to come back rather than left hanging;
//! - hyper's header-read timeout (`server.header_timeout_seconds`), which also ends a keep-alive
//!   connection idle for that long between requests;
//! - a failed accept (out of descriptors) waits a moment instead of spinning;
//! - on shutdown, no new connections; those in flight finish (idle ones close at once), live
//!   streams end, and whatever is still open after 30 seconds is dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Descriptors kept back from the connection cap: the database pool, files, the metrics port.
const RESERVED_DESCRIPTORS: u64 = 64;
/// Refusals being written at once; past this, connections over the cap are closed unanswered.
const REFUSALS: usize = 64;
/// How long shutdown waits for connections still open.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What a connection may do.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once, at most.
    pub max_connections: usize,
    /// Time to send a request's headers (and most idle time between requests).
    pub header_timeout: Duration,
}

impl ConnectionLimits {
    /// From the configuration, lowered to what the open-file limit allows (with a warning that
    /// says how to raise it).
    pub fn from_config(config: &gazette_core::config::ServerConfig) -> Self {
        let wanted = u64::from(config.max_connections);
        let allowed = open_file_limit()
            .map(|limit| limit.saturating_sub(RESERVED_DESCRIPTORS).max(16))
            .unwrap_or(wanted);
        if allowed < wanted {
            tracing::warn!(
                wanted,
                allowed,
                "server.max_connections is above what the open-file limit allows; using the lower \
                 number (raise LimitNOFILE in the service unit, or `ulimit -n`)"
            );
        }
        Self {
            max_connections: usize::try_from(wanted.min(allowed)).unwrap_or(usize::MAX),
            header_timeout: Duration::from_secs(u64::from(config.header_timeout_seconds)),
        }
    }
}

/// The soft limit on open files, if it can be read and is finite.
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// Serves `app` on `listener` until `shutdown` resolves; `on_shutdown` runs when it does (to end
/// streams that never end by themselves).
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_shutdown: impl FnOnce() + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(100);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, or a connection reset before it was accepted.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusing);
                });
            }
            continue;
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let service = connection_service(app.clone(), peer);
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    on_shutdown();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after the grace period; closing them");
        }
    }
    Ok(())
}

/// The router for one connection, told who is on the other end (`ConnectInfo`, as axum sets it).
fn connection_service(
    app: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    })
}

/// Tells a client beyond the cap to come back, then closes; a client that does not read this
/// within a second is simply dropped.
async fn refuse(mut stream: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Retry-After: 5\r\n\
        Connection: close\r\n\
        Content-Length: 57\r\n\r\n\
        This server is busy. Please try again in a few seconds.\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(BUSY).await?;
        stream.shutdown().await
    })
    .await;
}
