use gazette_domain::ModerationPolicy;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything an operator can set. Layers, later wins: defaults → TOML file → `GAZETTE_*`
/// environment → command-line flags. Passed around in state, never global.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Database URL: `sqlite:PATH` or `postgres://...`.
    pub db: String,
    /// Folder whose files override the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// The site's identity.
    pub site: SiteConfig,
    /// The discussion under articles.
    pub comments: CommentsConfig,
    /// Spam defences that are the operator's to tune.
    pub spam: SpamConfig,
    /// Reverse proxies whose client-address header is believed.
    pub proxy: ProxyConfig,
    /// The in-memory cache of rendered pages.
    pub cache: CacheConfig,
    /// Live comment streams (server-sent events) on article pages.
    pub live: LiveConfig,
    /// Who may read `/metrics`.
    pub metrics: MetricsConfig,
    /// Connections: how many, and how long a client may take.
    pub server: ServerConfig,
}

/// Limits on client connections, so that clients that connect and send nothing (or a header line
/// every few seconds) cannot hold the node's connections or file descriptors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Most client connections open at once (live streams included); beyond them a new
    /// connection is answered 503 and closed. Kept below the process's open-file limit.
    pub max_connections: u32,
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open waiting for the next request.
    pub header_timeout_seconds: u32,
    /// Seconds to read a request's body and answer it (a slow upload is cut off).
    pub request_timeout_seconds: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_timeout_seconds: 10,
            request_timeout_seconds: 30,
        }
    }
}

/// Who may read `/metrics`, and where.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Addresses besides loopback allowed to scrape, e.g. the Prometheus server's. Decided on
    /// the client address as the trusted proxy reports it, like everything else.
    pub allow: Vec<std::net::IpAddr>,
    /// A separate address serving only `/metrics` (e.g. `127.0.0.1:9090`); when set, the main
    /// listener no longer answers `/metrics` at all.
    pub listen: Option<SocketAddr>,
}

/// Live comment streams on article pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Most readers streaming at once on this node (0 turns the streams off); more are told to
    /// reload instead.
    pub max_connections: u32,
    /// Seconds between heartbeats on a quiet stream (keeps proxies from closing it).
    pub heartbeat_seconds: u32,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            heartbeat_seconds: 15,
        }
    }
}

/// The in-memory cache of rendered public pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Most memory the cached pages may take, in MiB; 0 turns the cache off.
    pub max_megabytes: u32,
    /// A cached page is rendered again after this long even if nothing changed (its comment form
    /// carries a token that must stay fresh).
    pub max_age_seconds: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_megabytes: 32,
            max_age_seconds: 600,
        }
    }
}

/// Spam defences that are the operator's to tune (word lists and links are site settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpamConfig {
    /// A form sent sooner than this after the page was served is refused (bots are fast).
    pub min_form_seconds: u32,
    /// A form older than this is refused (stale pages, replayed tokens).
    pub max_form_age_seconds: u32,
    /// The window the per-address and per-network limits count over.
    pub rate_window_seconds: u32,
    /// Comments one address may send in the window; 0 turns this limit off.
    pub per_ip_limit: u32,
    /// Comments one /24 (IPv4) or /64 (IPv6) network may send in the window; 0 turns it off.
    pub per_network_limit: u32,
    /// The classifier holds a comment it scores at or above this (0.5 to 1).
    pub classifier_threshold: f64,
}

impl Default for SpamConfig {
    fn default() -> Self {
        Self {
            min_form_seconds: 3,
            max_form_age_seconds: 86_400,
            rate_window_seconds: 600,
            per_ip_limit: 10,
            per_network_limit: 30,
            classifier_threshold: 0.9,
        }
    }
}

/// Which peers are reverse proxies, and the header they put the client's address in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyConfig {
    /// Addresses of trusted proxies; empty: the peer is the client.
    pub trusted: Vec<std::net::IpAddr>,
    /// The header they set: `x-forwarded-for` (the entry the last proxy added is used) or e.g. `x-real-ip`.
    pub header: String,
}

/// The site's identity and reading settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Shown in the header and page titles.
    pub title: String,
    /// Shown under the title.
    pub tagline: String,
    /// Public address, e.g. `https://news.example.com`, for canonical links. Empty: relative links.
    pub base_url: String,
    /// IANA time zone for datelines, e.g. `Europe/Paris`.
    pub timezone: String,
    /// Language of the pages, for `<html lang>`.
    pub language: String,
    /// Articles per page on the front page and archives.
    pub articles_per_page: u32,
}

/// The discussion's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentsConfig {
    /// How deep replies nest (1 = no nesting).
    pub max_depth: u32,
    /// Comments per page of a discussion.
    pub per_page: u32,
    /// Close comments this many days after publication; 0 = never.
    pub close_after_days: u32,
    /// Which comments wait for a moderator.
    pub moderation: ModerationPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: "sqlite:gazette.db".into(),
            templates_dir: None,
            site: SiteConfig::default(),
            comments: CommentsConfig::default(),
            spam: SpamConfig::default(),
            cache: CacheConfig::default(),
            live: LiveConfig::default(),
            metrics: MetricsConfig::default(),
            server: ServerConfig::default(),
            proxy: ProxyConfig {
                trusted: Vec::new(),
                header: "x-forwarded-for".into(),
            },
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            title: "Gazette".into(),
            tagline: "News, and the conversation around it".into(),
            base_url: String::new(),
            timezone: "UTC".into(),
            language: "en".into(),
            articles_per_page: 10,
        }
    }
}

impl Default for CommentsConfig {
    fn default() -> Self {
        Self {
            max_depth: 5,
            per_page: 200,
            close_after_days: 0,
            moderation: ModerationPolicy::HoldFirst,
        }
    }
}

/// A configuration value was wrong; the message names it and says what is allowed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads a TOML document over the defaults.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        config.check()
    }

    /// Applies `GAZETTE_*` variables from `vars` (e.g. `std::env::vars()`), then checks the result.
    pub fn with_env(
        mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        for (key, value) in vars {
            let Some(name) = key.strip_prefix("GAZETTE_") else {
                continue;
            };
            let bad = |what: &str| ConfigError(format!("{key}={value:?} is not {what}"));
            match name {
                "LISTEN" => {
                    self.listen = value
                        .parse()
                        .map_err(|_| bad("an address like 127.0.0.1:8080"))?
                }
                "DB" => self.db = value,
                "TEMPLATES_DIR" => self.templates_dir = Some(PathBuf::from(value)),
                "SITE_TITLE" => self.site.title = value,
                "SITE_TAGLINE" => self.site.tagline = value,
                "SITE_BASE_URL" => self.site.base_url = value,
                "SITE_TIMEZONE" => self.site.timezone = value,
                "SITE_LANGUAGE" => self.site.language = value,
                "SITE_ARTICLES_PER_PAGE" => {
                    self.site.articles_per_page = value.parse().map_err(|_| bad("a number"))?
                }
                "COMMENTS_MAX_DEPTH" => {
                    self.comments.max_depth = value.parse().map_err(|_| bad("a number"))?
                }
                "COMMENTS_PER_PAGE" => {
                    self.comments.per_page = value.parse().map_err(|_| bad("a number"))?
                }
                "COMMENTS_CLOSE_AFTER_DAYS" => {
                    self.comments.close_after_days = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_MIN_FORM_SECONDS" => {
                    self.spam.min_form_seconds = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_MAX_FORM_AGE_SECONDS" => {
                    self.spam.max_form_age_seconds = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_RATE_WINDOW_SECONDS" => {
                    self.spam.rate_window_seconds = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_PER_IP_LIMIT" => {
                    self.spam.per_ip_limit = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_PER_NETWORK_LIMIT" => {
                    self.spam.per_network_limit = value.parse().map_err(|_| bad("a number"))?
                }
                "SPAM_CLASSIFIER_THRESHOLD" => {
                    self.spam.classifier_threshold =
                        value.parse().map_err(|_| bad("a number from 0.5 to 1"))?
                }
                "PROXY_TRUSTED" => {
                    self.proxy.trusted = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.parse())
                        .collect::<Result<_, _>>()
                        .map_err(|_| bad("a comma-separated list of IP addresses"))?
                }
                "PROXY_HEADER" => self.proxy.header = value.to_lowercase(),
                "CACHE_MAX_MEGABYTES" => {
                    self.cache.max_megabytes = value.parse().map_err(|_| bad("a number"))?
                }
                "CACHE_MAX_AGE_SECONDS" => {
                    self.cache.max_age_seconds = value.parse().map_err(|_| bad("a number"))?
                }
                "METRICS_ALLOW" => {
                    self.metrics.allow = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.parse())
                        .collect::<Result<_, _>>()
                        .map_err(|_| bad("a comma-separated list of IP addresses"))?
                }
                "METRICS_LISTEN" => {
                    self.metrics.listen = match value.trim() {
                        "" => None,
                        address => Some(
                            address
                                .parse()
                                .map_err(|_| bad("an address like 127.0.0.1:9090"))?,
                        ),
                    }
                }
                "SERVER_MAX_CONNECTIONS" => {
                    self.server.max_connections = value.parse().map_err(|_| bad("a number"))?
                }
                "SERVER_HEADER_TIMEOUT_SECONDS" => {
                    self.server.header_timeout_seconds =
                        value.parse().map_err(|_| bad("a number"))?
                }
                "SERVER_REQUEST_TIMEOUT_SECONDS" => {
                    self.server.request_timeout_seconds =
                        value.parse().map_err(|_| bad("a number"))?
                }
                "LIVE_MAX_CONNECTIONS" => {
                    self.live.max_connections = value.parse().map_err(|_| bad("a number"))?
                }
                "LIVE_HEARTBEAT_SECONDS" => {
                    self.live.heartbeat_seconds = value.parse().map_err(|_| bad("a number"))?
                }
                "COMMENTS_MODERATION" => {
                    self.comments.moderation = ModerationPolicy::parse(&value)
                        .map_err(|_| bad("one of hold-first, hold-all, no-hold"))?
                }
                // Read by the CLI itself (GAZETTE_CONFIG) or by tests (GAZETTE_TEST_*).
                _ => {}
            }
        }
        self.check()
    }

    /// Refuses values that would make the site misbehave.
    pub fn check(self) -> Result<Self, ConfigError> {
        if !(1..=20).contains(&self.comments.max_depth) {
            return Err(ConfigError(
                "comments.max_depth must be between 1 and 20".into(),
            ));
        }
        if !(1..=1000).contains(&self.comments.per_page) {
            return Err(ConfigError(
                "comments.per_page must be between 1 and 1000".into(),
            ));
        }
        if !(1..=100).contains(&self.site.articles_per_page) {
            return Err(ConfigError(
                "site.articles_per_page must be between 1 and 100".into(),
            ));
        }
        if !(0.5..=1.0).contains(&self.spam.classifier_threshold) {
            return Err(ConfigError(
                "spam.classifier_threshold must be between 0.5 and 1".into(),
            ));
        }
        if self.spam.rate_window_seconds == 0
            || self.spam.max_form_age_seconds <= self.spam.min_form_seconds
        {
            return Err(ConfigError(
                "spam.rate_window_seconds must be positive and spam.max_form_age_seconds above spam.min_form_seconds".into(),
            ));
        }
        if jiff::tz::TimeZone::get(&self.site.timezone).is_err() {
            return Err(ConfigError(format!(
                "site.timezone {:?} is not a known time zone (try \"UTC\" or \"Europe/Paris\")",
                self.site.timezone
            )));
        }
        if !(self.db.starts_with("sqlite:")
            || self.db.starts_with("postgres://")
            || self.db.starts_with("postgresql://"))
        {
            return Err(ConfigError(format!(
                "db {:?} must start with sqlite: or postgres://",
                self.db
            )));
        }
        if !(1..=300).contains(&self.live.heartbeat_seconds) {
            return Err(ConfigError(format!(
                "live.heartbeat_seconds must be from 1 to 300, not {}",
                self.live.heartbeat_seconds
            )));
        }
        if self.server.max_connections == 0
            || !(1..=300).contains(&self.server.header_timeout_seconds)
            || !(1..=3600).contains(&self.server.request_timeout_seconds)
        {
            return Err(ConfigError(
                "server.max_connections must be positive, server.header_timeout_seconds from 1 to 300 and server.request_timeout_seconds from 1 to 3600".into(),
            ));
        }
        Ok(self)
    }

    /// The site's time zone (checked when the configuration was built).
    pub fn timezone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.site.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_defaults_and_keeps_the_rest() {
        let config = Config::from_toml("[comments]\nmax_depth = 3\n[site]\ntitle = \"Daily\"")
            .expect("valid");
        assert_eq!(config.comments.max_depth, 3);
        assert_eq!(config.comments.per_page, 200);
        assert_eq!(config.site.title, "Daily");
        assert_eq!(config.db, "sqlite:gazette.db");
    }

    #[test]
    fn environment_wins_over_the_file() {
        let config = Config::from_toml("db = \"sqlite:a.db\"")
            .and_then(|c| {
                c.with_env([
                    ("GAZETTE_DB".to_owned(), "sqlite:b.db".to_owned()),
                    (
                        "GAZETTE_COMMENTS_MODERATION".to_owned(),
                        "hold-all".to_owned(),
                    ),
                    ("HOME".to_owned(), "/root".to_owned()),
                ])
            })
            .expect("valid");
        assert_eq!(config.db, "sqlite:b.db");
        assert_eq!(config.comments.moderation, ModerationPolicy::HoldAll);
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::default()
            .with_env([("GAZETTE_COMMENTS_MAX_DEPTH".to_owned(), "deep".to_owned())])
            .expect_err("invalid");
        assert!(err.0.contains("GAZETTE_COMMENTS_MAX_DEPTH"), "{err}");
        let err = Config::from_toml("[comments]\nmax_depth = 0").expect_err("invalid");
        assert!(err.0.contains("max_depth"), "{err}");
        let err = Config::from_toml("colour = \"red\"").expect_err("unknown key");
        assert!(err.0.contains("colour"), "{err}");
        let err = Config::from_toml("db = \"mysql://x\"").expect_err("unknown database");
        assert!(err.0.contains("sqlite:"), "{err}");
        let err = Config::from_toml("[site]\ntimezone = \"Mars/Olympus\"").expect_err("bad tz");
        assert!(err.0.contains("Mars/Olympus"), "{err}");
    }
}
