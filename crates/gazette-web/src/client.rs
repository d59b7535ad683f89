use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// Who sent the request, as far as can be trusted.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The client's address: the peer's, or, when the peer is a configured trusted proxy, the
    /// address that proxy reports in its header.
    pub ip: Option<String>,
    /// The User-Agent header, if any and readable.
    pub user_agent: Option<String>,
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A dual-stack listener (`[::]:8080`) sees IPv4 clients as `::ffff:a.b.c.d`: in canonical
        // form they are IPv4 again, so limits, bans and the trusted-proxy list treat them as such.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        let proxy = &state.site.config().proxy;
        let ip = match peer {
            Some(peer) if proxy.trusted.iter().any(|t| t.to_canonical() == peer) => {
                forwarded_client(parts, &proxy.header).or(Some(peer))
            }
            other => other,
        };
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Self {
            ip: ip.map(|ip| ip.to_string()),
            user_agent,
        })
    }
}

/// The client address a trusted proxy reports: for `X-Forwarded-For`, the last entry (the one
/// that proxy appended; earlier ones are whatever the client claimed).
fn forwarded_client(parts: &Parts, header: &str) -> Option<IpAddr> {
    let value = parts.headers.get(header)?.to_str().ok()?;
    let ip: IpAddr = value.rsplit(',').next()?.trim().parse().ok()?;
    Some(ip.to_canonical())
}
