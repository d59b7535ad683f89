//! What operators and load balancers ask: `/healthz` (the process answers), `/readyz` (the
//! database answers and its schema is current), and `/metrics` (Prometheus text format).

use crate::AppState;
use crate::client::ClientInfo;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gazette_domain::records::CommentFilter;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long `/readyz` waits for the database before saying it is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 4 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

/// The node's metrics. Requests are counted by route pattern (never by raw path, so the label
/// set stays small); gauges are read when scraped.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    comments: Family<StatusLabels, Gauge>,
    live_streams: Gauge,
    change_feed_connected: Gauge,
    jobs_pending: Gauge,
}

impl Metrics {
    /// Registers everything, including the page cache's hit and miss counters.
    pub fn new(cache: &crate::cache::PageCache) -> Self {
        let mut registry = Registry::with_prefix("gazette");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (to the response head), by route",
            latency.clone(),
        );
        registry.register(
            "page_cache_hits",
            "Public pages answered from the rendered-page cache",
            cache.hits.clone(),
        );
        registry.register(
            "page_cache_misses",
            "Cacheable public pages that had to be rendered",
            cache.misses.clone(),
        );
        let comments = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "comments",
            "Comments in the database, by status",
            comments.clone(),
        );
        let live_streams = Gauge::default();
        registry.register(
            "live_streams",
            "Live comment streams open on this node",
            live_streams.clone(),
        );
        let change_feed_connected = Gauge::default();
        registry.register(
            "change_feed_connected",
            "1 while this node listens for other nodes' changes (PostgreSQL), else 0",
            change_feed_connected.clone(),
        );
        let jobs_pending = Gauge::default();
        registry.register(
            "jobs_pending",
            "Background jobs due and not finished, for the whole site",
            jobs_pending.clone(),
        );
        Self {
            registry,
            jobs_pending,
            requests,
            latency,
            comments,
            live_streams,
            change_feed_connected,
        }
    }

    /// Sets whether the change feed is connected (the serving loop calls this).
    pub fn set_change_feed_connected(&self, connected: bool) {
        self.change_feed_connected.set(i64::from(connected));
    }
}

/// Counts and times every request by its route pattern.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16().to_string(),
        })
        .inc();
    response
}

/// `GET /healthz`: the process is alive and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers within two seconds and has every migration this
/// build needs; 503 with the reason otherwise (a load balancer takes the node out meanwhile).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let answer = tokio::time::timeout(READY_TIMEOUT, state.site.store().ready()).await;
    let (status, text) = match answer {
        Ok(Ok(())) => (StatusCode::OK, "ready\n".to_owned()),
        Ok(Err(error)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {error}\n"),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database did not answer within 2 seconds\n".to_owned(),
        ),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// `GET /metrics`: loopback and the configured addresses only (the peer of the connection, never
/// a forwarded header: a proxy in front must not make every client look local).
pub async fn metrics(State(state): State<AppState>, client: ClientInfo) -> Response {
    // The client as the trusted proxy reports it: behind a proxy on the same host every peer is
    // 127.0.0.1, which says nothing about who is asking.
    let ip = client
        .ip
        .as_deref()
        .and_then(|ip| ip.parse::<IpAddr>().ok());
    let allowed =
        ip.is_some_and(|ip| ip.is_loopback() || state.site.config().metrics.allow.contains(&ip));
    if !allowed {
        return crate::error::AppError::Forbidden(
            "Metrics are only served to loopback and to the addresses in [metrics] allow.".into(),
        )
        .into_response();
    }
    metrics_text(&state).await
}

/// `GET /metrics` on the separate `[metrics] listen` address: whoever can reach that address
/// may read it (bind it to a private interface).
pub async fn metrics_on_own_listener(State(state): State<AppState>) -> Response {
    metrics_text(&state).await
}

async fn metrics_text(state: &AppState) -> Response {
    let metrics = &state.metrics;
    metrics
        .live_streams
        .set(i64::try_from(state.live.open_streams()).unwrap_or(i64::MAX));
    // Counts need the database; when it is away the other metrics still matter most.
    if let Ok(Ok(counts)) = tokio::time::timeout(
        READY_TIMEOUT,
        state
            .site
            .store()
            .comment_status_counts(&CommentFilter::default()),
    )
    .await
    {
        for (status, count) in counts {
            metrics
                .comments
                .get_or_create(&StatusLabels {
                    status: status.as_str().to_owned(),
                })
                .set(count);
        }
    }
    if let Ok(Ok(pending)) = tokio::time::timeout(READY_TIMEOUT, state.site.pending_jobs()).await {
        metrics.jobs_pending.set(pending);
    }
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &metrics.registry) {
        tracing::error!(%error, "encoding metrics");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}
