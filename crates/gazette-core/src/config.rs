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
    /// Folder whose files override the built-in templates (empty: none).
    #[serde(with = "optional::path")]
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
    /// Imports uploaded in the newsroom (`/admin/import`).
    pub import: ImportConfig,
    /// RSS and Atom feeds.
    pub feeds: FeedsConfig,
    /// The readers' search (`/search`).
    pub search: SearchConfig,
    /// Uploaded images (`/admin/media`).
    pub media: MediaConfig,
}

/// Uploaded images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Largest image an editor may upload, in megabytes, from 1 to 100.
    pub max_upload_megabytes: u32,
    /// A folder for the stored image files, for a site on one node. Unset (the default), they
    /// are kept in the database, so that every node serves them.
    #[serde(with = "optional::path")]
    pub dir: Option<std::path::PathBuf>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            max_upload_megabytes: 20,
            dir: None,
        }
    }
}

impl MediaConfig {
    /// The upload limit in bytes.
    pub fn max_upload_bytes(&self) -> u64 {
        u64::from(self.max_upload_megabytes) * 1024 * 1024
    }
}

/// The readers' search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Results on each page, from 1 to 50.
    pub per_page: u32,
    /// How long one search may run in the database, in milliseconds (it is stopped and the
    /// reader asked to narrow it), from 100 to 30000.
    pub timeout_ms: u32,
    /// Searches that may run at once on this node; more wait (up to `timeout_ms`) for a turn,
    /// so searches never take every database connection. From 1 to 64.
    pub concurrent: u32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            per_page: 10,
            timeout_ms: 2000,
            concurrent: 4,
        }
    }
}

/// RSS and Atom feeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// Entries in each feed (the latest ones), from 1 to 100.
    pub items: u32,
    /// A WebSub hub (`https://pubsubhubbub.appspot.com/`): feeds name it, and publishing an
    /// article tells it which feeds changed (from the jobs, never inside the request). Empty:
    /// none. Needs `site.base_url`.
    pub websub_hub: String,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        Self {
            items: 20,
            websub_hub: String::new(),
        }
    }
}

impl FeedsConfig {
    /// The hub, when one is set.
    pub fn hub(&self) -> Option<&str> {
        Some(self.websub_hub.trim()).filter(|h| !h.is_empty())
    }
}

/// Imports uploaded in the newsroom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Largest export an admin may upload, in megabytes; a larger one is refused.
    pub max_upload_megabytes: u32,
    /// Seconds an upload may take (it is exempt from `server.request_timeout_seconds`).
    pub upload_timeout_seconds: u32,
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self {
            max_upload_megabytes: 512,
            upload_timeout_seconds: 3600,
        }
    }
}

impl ImportConfig {
    /// The upload limit in bytes.
    pub fn max_upload_bytes(&self) -> u64 {
        u64::from(self.max_upload_megabytes) * 1024 * 1024
    }
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
    /// listener no longer answers `/metrics` at all. Empty: none.
    #[serde(with = "optional::address")]
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
    /// The publication's logo (an absolute address, or a path on this site), named as the
    /// publisher in articles' structured data. Empty: none.
    pub logo_url: String,
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
            import: ImportConfig::default(),
            feeds: FeedsConfig::default(),
            search: SearchConfig::default(),
            media: MediaConfig::default(),
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
            logo_url: String::new(),
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

/// `GAZETTE_*` variables that are not settings: read by the binary itself.
const NOT_SETTINGS: &[&str] = &["GAZETTE_CONFIG", "GAZETTE_LOG_FORMAT"];
/// Variables under this prefix belong to the test suites.
const TEST_PREFIX: &str = "GAZETTE_TEST_";

impl Config {
    /// Every setting's key, dotted as in the TOML file (`site.title`), in the struct's order.
    /// Derived from the struct itself, so a new field is a new key everywhere: the file, the
    /// environment, `print-config`, and the README's list (a test compares them).
    pub fn keys() -> Vec<String> {
        let mut keys = Vec::new();
        collect_keys(&defaults_table(), "", &mut keys);
        keys
    }

    /// The environment variable for a key: `site.base_url` → `GAZETTE_SITE_BASE_URL`.
    pub fn env_name(key: &str) -> String {
        format!("GAZETTE_{}", key.replace('.', "_").to_uppercase())
    }

    /// Reads a TOML document over the defaults. A key the configuration does not have is refused
    /// with the closest one it does.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError(e.to_string()))?;
        let known = Self::keys();
        let mut given = Vec::new();
        collect_keys(&table, "", &mut given);
        for key in &given {
            if !known
                .iter()
                .any(|k| k == key || k.starts_with(&format!("{key}.")))
            {
                return Err(ConfigError(format!(
                    "unknown key `{key}`{}",
                    suggestion(key, known.iter().map(String::as_str))
                )));
            }
        }
        let config: Self = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        config.check()
    }

    /// Applies `GAZETTE_*` variables from `vars` (e.g. `std::env::vars()`), then checks the
    /// result. Each setting's variable is its key in capitals (`GAZETTE_SITE_TITLE`); lists are
    /// comma-separated. A `GAZETTE_*` variable that names no setting is refused with the closest
    /// one that does (`GAZETTE_COMENTS_PER_PAGE` is a typo, not a no-op).
    pub fn with_env(
        self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let keys = Self::keys();
        let names: Vec<String> = keys.iter().map(|k| Self::env_name(k)).collect();
        let mut table = toml::Table::try_from(&self).map_err(|e| ConfigError(e.to_string()))?;
        let mut vars: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(name, _)| {
                name.starts_with("GAZETTE_")
                    && !name.starts_with(TEST_PREFIX)
                    && !NOT_SETTINGS.contains(&name.as_str())
            })
            .collect();
        // The same result whatever order the environment lists them in.
        vars.sort();
        for (name, value) in vars {
            let Some(index) = names.iter().position(|n| *n == name) else {
                return Err(ConfigError(format!(
                    "{name} is not a setting{}",
                    suggestion(&name, names.iter().map(String::as_str))
                )));
            };
            let key = &keys[index];
            let slot = lookup(&mut table, key)
                .ok_or_else(|| ConfigError(format!("{name}: no such key {key}")))?;
            *slot = from_env_text(slot, &value)
                .ok_or_else(|| ConfigError(format!("{name}={value:?} is not {}", kind_of(slot))))?;
            // Typed now, so the message names the variable that is wrong.
            Self::deserialize(toml::Value::Table(table.clone()))
                .map_err(|e| ConfigError(format!("{name}={value:?} is not valid: {e}")))?;
        }
        let config =
            Self::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError(e.to_string()))?;
        config.check()
    }

    /// Refuses values that would make the site misbehave.
    pub fn check(mut self) -> Result<Self, ConfigError> {
        self.proxy.header = self.proxy.header.to_ascii_lowercase();
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
        if self.import.max_upload_megabytes == 0 || self.import.upload_timeout_seconds == 0 {
            return Err(ConfigError(
                "import.max_upload_megabytes and import.upload_timeout_seconds must be positive"
                    .into(),
            ));
        }
        let base = self.site.base_url.trim();
        if !base.is_empty()
            && !gazette_render::Url::parse(base)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        {
            return Err(ConfigError(format!(
                "site.base_url {base:?} must be an http:// or https:// address, like https://news.example.com"
            )));
        }
        if let Some(hub) = self.feeds.hub() {
            if !gazette_render::Url::parse(hub)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            {
                return Err(ConfigError(format!(
                    "feeds.websub_hub {hub:?} must be an http:// or https:// address"
                )));
            }
            if base.is_empty() {
                return Err(ConfigError(
                    "feeds.websub_hub needs site.base_url: a hub is told the feeds' absolute addresses"
                        .into(),
                ));
            }
        }
        if !(1..=100).contains(&self.feeds.items) {
            return Err(ConfigError(format!(
                "feeds.items must be from 1 to 100, not {}",
                self.feeds.items
            )));
        }
        if !(1..=50).contains(&self.search.per_page)
            || !(100..=30_000).contains(&self.search.timeout_ms)
            || !(1..=64).contains(&self.search.concurrent)
        {
            return Err(ConfigError(
                "search.per_page must be from 1 to 50, search.timeout_ms from 100 to 30000 and search.concurrent from 1 to 64".into(),
            ));
        }
        if !(1..=100).contains(&self.media.max_upload_megabytes) {
            return Err(ConfigError(format!(
                "media.max_upload_megabytes must be from 1 to 100, not {}",
                self.media.max_upload_megabytes
            )));
        }
        if self
            .media
            .dir
            .as_ref()
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            return Err(ConfigError(
                "media.dir must name a folder (or be left out to keep images in the database)"
                    .into(),
            ));
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

/// The defaults as a TOML table (every key present: optional ones as "").
fn defaults_table() -> toml::Table {
    toml::Table::try_from(Config::default()).unwrap_or_default()
}

fn collect_keys(table: &toml::Table, prefix: &str, keys: &mut Vec<String>) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => collect_keys(inner, &key, keys),
            _ => keys.push(key),
        }
    }
}

/// The value at a dotted key.
fn lookup<'t>(table: &'t mut toml::Table, key: &str) -> Option<&'t mut toml::Value> {
    let mut parts = key.split('.');
    let first = parts.next()?;
    let mut value = table.get_mut(first)?;
    for part in parts {
        value = value.as_table_mut()?.get_mut(part)?;
    }
    Some(value)
}

/// An environment variable's text as a value of the same kind as `current`.
fn from_env_text(current: &toml::Value, text: &str) -> Option<toml::Value> {
    Some(match current {
        toml::Value::String(_) => toml::Value::String(text.to_owned()),
        toml::Value::Integer(_) => toml::Value::Integer(text.trim().parse().ok()?),
        toml::Value::Float(_) => toml::Value::Float(text.trim().parse().ok()?),
        toml::Value::Boolean(_) => toml::Value::Boolean(match text.trim() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => return None,
        }),
        toml::Value::Array(_) => toml::Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        ),
        toml::Value::Datetime(_) | toml::Value::Table(_) => return None,
    })
}

fn kind_of(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Array(_) => "a comma-separated list",
        _ => "text",
    }
}

/// "; did you mean `X`?" for the known name closest to `given`, when one is close.
fn suggestion<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> String {
    let best = known
        .map(|k| {
            (
                strsim::levenshtein(&given.to_lowercase(), &k.to_lowercase()),
                k,
            )
        })
        .min_by_key(|(distance, _)| *distance);
    match best {
        Some((distance, name)) if distance <= given.len() / 3 + 2 => {
            format!("; did you mean `{name}`?")
        }
        _ => String::new(),
    }
}

/// Optional settings written as "" when unset, so that every key appears in the defaults (and
/// hence in `print-config`, the environment mapping and the README check).
mod optional {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) mod path {
        use super::*;
        use std::path::PathBuf;

        pub(crate) fn serialize<S: Serializer>(
            value: &Option<PathBuf>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(
                &value
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            )
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<PathBuf>, D::Error> {
            let text = String::deserialize(deserializer)?;
            Ok((!text.is_empty()).then(|| PathBuf::from(text)))
        }
    }

    pub(super) mod address {
        use super::*;
        use std::net::SocketAddr;

        pub(crate) fn serialize<S: Serializer>(
            value: &Option<SocketAddr>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&value.map(|a| a.to_string()).unwrap_or_default())
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<SocketAddr>, D::Error> {
            let text = String::deserialize(deserializer)?;
            match text.trim() {
                "" => Ok(None),
                address => address.parse().map(Some).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "{address:?} is not an address like 127.0.0.1:9090"
                    ))
                }),
            }
        }
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
        let err = Config::from_toml("[feeds]\nwebsub_hub = \"https://hub.example/\"")
            .expect_err("a hub without an address of our own");
        assert!(err.0.contains("needs site.base_url"), "{err}");
        let err = Config::from_toml(
            "[site]\nbase_url = \"https://news.example\"\n[feeds]\nwebsub_hub = \"hub.example\"",
        )
        .expect_err("not an address");
        assert!(err.0.contains("feeds.websub_hub"), "{err}");
        for bad in ["news.example.com", "ftp://news.example", "https://["] {
            let err = Config::from_toml(&format!("[site]\nbase_url = \"{bad}\""))
                .expect_err("not an address");
            assert!(err.0.contains("site.base_url"), "{bad}: {err}");
        }
        assert!(Config::from_toml("[site]\nbase_url = \"https://news.example/\"").is_ok());
        let err = Config::default()
            .with_env([(
                "GAZETTE_PROXY_TRUSTED".to_owned(),
                "10.0.0.1, proxy".to_owned(),
            )])
            .expect_err("not an address");
        assert!(err.0.contains("GAZETTE_PROXY_TRUSTED"), "{err}");
    }

    #[test]
    fn unknown_settings_are_refused_with_the_closest_name() {
        let err = Config::default()
            .with_env([("GAZETTE_COMENTS_PER_PAGE".to_owned(), "50".to_owned())])
            .expect_err("a typo");
        assert!(
            err.0.contains("GAZETTE_COMENTS_PER_PAGE is not a setting; did you mean `GAZETTE_COMMENTS_PER_PAGE`?"),
            "{err}"
        );
        let err = Config::from_toml("[comments]\nper_pgae = 50").expect_err("a typo");
        assert!(
            err.0
                .contains("unknown key `comments.per_pgae`; did you mean `comments.per_page`?"),
            "{err}"
        );
        let err = Config::from_toml("[sight]\ntitle = \"x\"").expect_err("unknown table");
        assert!(
            err.0
                .contains("unknown key `sight.title`; did you mean `site.title`?"),
            "{err}"
        );
        // What is not a setting, but is the binary's or the tests', passes untouched.
        Config::default()
            .with_env([
                ("GAZETTE_CONFIG".to_owned(), "/etc/gazette.toml".to_owned()),
                ("GAZETTE_LOG_FORMAT".to_owned(), "json".to_owned()),
                (
                    "GAZETTE_TEST_POSTGRES".to_owned(),
                    "postgres://x".to_owned(),
                ),
            ])
            .expect("not settings");
    }

    #[test]
    fn every_key_has_a_variable_and_lists_and_optional_keys_come_from_the_environment() {
        let config = Config::default()
            .with_env([
                (
                    "GAZETTE_PROXY_TRUSTED".to_owned(),
                    "10.0.0.1, ::1".to_owned(),
                ),
                (
                    "GAZETTE_METRICS_LISTEN".to_owned(),
                    "127.0.0.1:9090".to_owned(),
                ),
                (
                    "GAZETTE_TEMPLATES_DIR".to_owned(),
                    "/srv/templates".to_owned(),
                ),
                (
                    "GAZETTE_SPAM_CLASSIFIER_THRESHOLD".to_owned(),
                    "0.75".to_owned(),
                ),
                ("GAZETTE_SITE_ARTICLES_PER_PAGE".to_owned(), "25".to_owned()),
            ])
            .expect("valid");
        assert_eq!(config.proxy.trusted.len(), 2);
        assert_eq!(config.metrics.listen, "127.0.0.1:9090".parse().ok());
        assert_eq!(config.templates_dir, Some(PathBuf::from("/srv/templates")));
        assert!((config.spam.classifier_threshold - 0.75).abs() < 1e-9);
        assert_eq!(config.site.articles_per_page, 25);
        let keys = Config::keys();
        assert!(keys.contains(&"server.max_connections".to_owned()));
        assert!(
            keys.contains(&"metrics.listen".to_owned()),
            "optional keys are keys too"
        );
        assert_eq!(Config::env_name("site.base_url"), "GAZETTE_SITE_BASE_URL");
    }

    /// The README's configuration block lists every key with its variable, and nothing else.
    #[test]
    fn the_readme_lists_every_setting_and_its_variable() {
        let readme = include_str!("../../../README.md");
        let block = readme
            .split("## Configuration")
            .nth(1)
            .and_then(|rest| rest.split("```toml").nth(1))
            .and_then(|rest| rest.split("```").next())
            .expect("the README's configuration block");
        let mut section = String::new();
        let mut listed = Vec::new();
        for line in block.lines() {
            let line = line.trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_owned();
            } else if let Some((key, rest)) = line.split_once(" = ") {
                let key = if section.is_empty() {
                    key.trim().to_owned()
                } else {
                    format!("{section}.{}", key.trim())
                };
                let variable = Config::env_name(&key);
                assert!(
                    rest.contains(&variable),
                    "the README's line for {key} does not name {variable}: {line}"
                );
                listed.push(key);
            }
        }
        let mut keys = Config::keys();
        keys.sort();
        listed.sort();
        assert_eq!(
            listed, keys,
            "the README's keys and the configuration's differ"
        );
    }
}
