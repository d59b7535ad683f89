//! Gazette over HTTP. Handlers turn requests into calls on [`gazette_core::Site`] and results into
//! pages or JSON; no SQL and no business rule lives here.

/// The newsroom under `/admin`.
mod admin;
/// The JSON read API under `/api/v1`.
mod api;
/// The stylesheet and identicons.
mod assets;
/// Rendered public pages kept in memory, invalidated by the writes that change them.
pub mod cache;
/// Who is asking: client address and User-Agent.
mod client;
/// Cookies: the reader's own comment ids (signed) and saved commenter details.
mod cookies;
/// The one error type and the middleware that renders it as an HTML page or a JSON envelope.
pub mod error;
/// Live comments over server-sent events.
pub mod live;
/// Health, readiness and metrics for operators.
pub mod ops;
/// Reader-facing pages: front page, archives, article page, comment form.
mod pages;
/// Parsing query parameters with messages a reader understands.
mod params;
/// Security headers and the cross-site request check.
mod security;
/// The connection loop: connection cap, header-read timeout, graceful shutdown.
pub mod server;
/// Shared state: the site, the templates, the cookie key.
mod state;

pub use state::AppState;

use axum::Router;
use axum::http::HeaderName;
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The header carrying each request's id, in logs and in the response.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The largest request body accepted (a 10,000-character comment, percent-encoded, fits with room).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Every route of the site, with its middleware.
pub fn router(state: AppState) -> Router {
    let request_timeout = Duration::from_secs(u64::from(
        state.site.config().server.request_timeout_seconds,
    ));
    let import = &state.site.config().import;
    // The file plus the form's other fields and the multipart framing.
    let upload_limit = usize::try_from(import.max_upload_bytes())
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let upload_timeout = Duration::from_secs(u64::from(import.upload_timeout_seconds));
    let image_limit = usize::try_from(state.site.config().media.max_upload_bytes())
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    // With a metrics listener of its own, the public one does not answer /metrics at all.
    let metrics_here = state.site.config().metrics.listen.is_none();
    let routes = Router::new()
        .route("/", get(pages::front::front_page))
        .route("/articles/{slug}", get(pages::article::article_page))
        .route(
            "/articles/{slug}/comments",
            post(pages::submit::submit_comment),
        )
        .route("/articles/{slug}/live", get(live::live_comments))
        .route("/sitemap.xml", get(pages::sitemaps::index))
        .route("/sitemap-news.xml", get(pages::sitemaps::news))
        .route("/sitemaps/{file}", get(pages::sitemaps::file))
        .route("/robots.txt", get(pages::sitemaps::robots))
        .route("/corrections", get(pages::corrections::corrections))
        .route("/search", get(pages::search::search))
        .route("/feed", get(pages::feeds::site_rss))
        .route("/feed/atom", get(pages::feeds::site_atom))
        .route("/comments/feed", get(pages::feeds::comments_rss))
        .route("/comments/feed/atom", get(pages::feeds::comments_atom))
        .route(
            "/articles/{slug}/comments/feed",
            get(pages::feeds::discussion_rss),
        )
        .route(
            "/articles/{slug}/comments/feed/atom",
            get(pages::feeds::discussion_atom),
        )
        .route("/category/{slug}/feed", get(pages::feeds::category_rss))
        .route(
            "/category/{slug}/feed/atom",
            get(pages::feeds::category_atom),
        )
        .route("/tag/{slug}/feed", get(pages::feeds::tag_rss))
        .route("/tag/{slug}/feed/atom", get(pages::feeds::tag_atom))
        .route("/author/{slug}/feed", get(pages::feeds::author_rss))
        .route("/author/{slug}/feed/atom", get(pages::feeds::author_atom))
        .route("/category/{slug}", get(pages::archive::category))
        .route("/tag/{slug}", get(pages::archive::tag))
        .route("/author/{slug}", get(pages::archive::author))
        .route("/avatar/{file}", get(assets::avatar))
        .route("/media/{id}/{file}", get(admin::media::file))
        .route("/static/gazette.css", get(assets::stylesheet))
        .route("/static/live.js", get(assets::live_script))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/{slug}", get(pages::static_page::static_page))
        .route("/{slug}/", get(pages::static_page::static_page_with_slash))
        .route("/{year}/{month}/", get(pages::archive::month))
        .route("/{year}/{month}/{day}/", get(pages::archive::day));
    let routes = if metrics_here {
        routes.route("/metrics", get(ops::metrics))
    } else {
        routes
    };
    routes
        .route("/api/v1/articles", get(api::articles::list))
        .route("/api/v1/articles/{id}", get(api::articles::show))
        .route("/api/v1/articles/{id}/comments", get(api::comments::list))
        .route("/api/v1/counts", get(api::counts::counts))
        .merge(admin::routes())
        .fallback(|| async {
            error::AppError::NotFound("There is nothing at this address.".into())
        })
        // Innermost first: each layer below wraps the ones above it.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        // An export upload, up to import.max_upload_megabytes, may take longer than any other
        // request: it has a limit and a timeout of its own (admins only; the session is checked
        // before the body is read).
        .merge(
            Router::new()
                .route("/admin/import/upload", post(admin::import::upload))
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    upload_timeout,
                )),
        )
        // An image upload, up to media.max_upload_megabytes, under the same timeout.
        .merge(
            Router::new()
                .route("/admin/media/upload", post(admin::media::upload))
                .layer(axum::extract::DefaultBodyLimit::max(image_limit))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    upload_timeout,
                )),
        )
        .layer(axum::middleware::from_fn(security::refuse_cross_site_posts))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        // Pages from the cache come compressed already (Content-Encoding set), so this only
        // compresses what is rendered per request.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::extract::Request| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only: query strings can carry what logs should not keep.
                    tracing::info_span!(
                        "request",
                        id = %id,
                        method = %request.method(),
                        path = %request.uri().path()
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        // Every request has an id (the proxy's, if it sent a safe one) before anything logs.
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // Outermost: an id that could forge log lines is dropped before anyone reads it.
        .layer(axum::middleware::from_fn(security::check_request_id))
        .with_state(state)
}

/// Serves the site on `listener` until `shutdown` resolves, then finishes requests in flight.
/// With `[metrics] listen` set, `/metrics` is served there instead.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::ConnectionLimits::from_config(&state.site.config().server);
    if let Some(address) = state.site.config().metrics.listen {
        let metrics_listener = tokio::net::TcpListener::bind(address).await?;
        tracing::info!(%address, "serving /metrics");
        let metrics = Router::new()
            .route("/metrics", get(ops::metrics_on_own_listener))
            .with_state(state.clone());
        let small = server::ConnectionLimits {
            max_connections: 16,
            ..limits
        };
        tokio::spawn(server::serve_connections(
            metrics_listener,
            metrics,
            small,
            std::future::pending(),
            || {},
        ));
    }
    let live = state.live.clone();
    // Live streams never end by themselves; end them so the shutdown can finish.
    server::serve_connections(listener, router(state), limits, shutdown, move || {
        live.close()
    })
    .await
}
