//! The two cookies a commenter's browser may hold. Neither is set for a reader who only reads.
//!
//! - `gazette_own`: signed list of the comment ids this browser posted, so that a held comment is
//!   shown to its author (and, being signed, to nobody who merely guesses ids).
//! - `gazette_commenter`: the name, email and website the commenter asked to have remembered,
//!   pre-filling the form. It is their own data, on their own machine, sent only to this site.

use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gazette_domain::CommentId;
use serde::{Deserialize, Serialize};

const OWN: &str = "gazette_own";
const DETAILS: &str = "gazette_commenter";
/// How many of their latest comments a browser remembers.
const OWN_KEEP: usize = 20;

/// Whether the request carries a commenter's cookie, so pages must be rendered for them alone
/// (their held comments, their saved details) and never taken from or put in the shared cache.
pub fn is_personal(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(OWN) || v.contains(DETAILS))
}

/// The ids of comments this browser posted, newest last.
pub fn own_comments(jar: &SignedCookieJar) -> Vec<CommentId> {
    jar.get(OWN)
        .map(|c| {
            c.value()
                .split('.')
                .filter_map(|id| id.parse::<i64>().ok())
                .map(CommentId)
                .collect()
        })
        .unwrap_or_default()
}

/// Remembers one more comment as this browser's own.
pub fn remember_own(jar: SignedCookieJar, id: CommentId, secure: bool) -> SignedCookieJar {
    let mut ids = own_comments(&jar);
    ids.push(id);
    let skip = ids.len().saturating_sub(OWN_KEEP);
    let value: Vec<String> = ids[skip..].iter().map(|id| id.0.to_string()).collect();
    jar.add(cookie(OWN, value.join("."), 30, secure))
}

/// What "save my details" keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommenterDetails {
    /// Name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Website.
    pub url: String,
}

/// The saved details, if any (a damaged cookie counts as none).
pub fn commenter_details(jar: &CookieJar) -> Option<CommenterDetails> {
    let raw = jar.get(DETAILS)?;
    let bytes = URL_SAFE_NO_PAD.decode(raw.value()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Saves the details, or forgets them when the box was unticked.
pub fn save_details(jar: CookieJar, details: Option<&CommenterDetails>, secure: bool) -> CookieJar {
    match details.and_then(|d| serde_json::to_vec(d).ok()) {
        Some(json) => jar.add(cookie(DETAILS, URL_SAFE_NO_PAD.encode(json), 365, secure)),
        None => jar.remove(Cookie::build(DETAILS).path("/")),
    }
}

fn cookie(name: &'static str, value: String, days: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(days))
        .build()
}
