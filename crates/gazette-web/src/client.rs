use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// Who sent the request, as far as the connection tells.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The peer's address (the proxy's, behind a reverse proxy, until trusted proxies are configured).
    pub ip: Option<String>,
    /// The User-Agent header, if any and readable.
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Self { ip, user_agent })
    }
}
