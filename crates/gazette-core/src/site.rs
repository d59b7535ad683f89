use crate::secrets::Secrets;
use crate::{Config, CoreResult};
use gazette_store::Store;
use std::sync::Arc;

/// The navigation's categories and the stamp they were read under.
pub(crate) type CachedNavigation = (crate::freshness::Stamp, Vec<gazette_domain::Term>);

/// Staff names as readers may not use them, and when they were read.
pub(crate) type ReservedNames =
    Arc<std::sync::Mutex<Option<(std::time::Instant, Arc<std::collections::HashSet<String>>)>>>;

/// One Gazette site: its store, configuration and secrets. Cheap to clone; every use case is a
/// method on it (see the `reading`, `commenting`, `moderating`, `publishing` and `accounts` modules).
#[derive(Clone)]
pub struct Site {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: Arc<Config>,
    pub(crate) secrets: Secrets,
    pub(crate) settings: Arc<std::sync::RwLock<crate::settings::SettingsCache>>,
    pub(crate) freshness: Arc<crate::freshness::Freshness>,
    /// The navigation's categories and the era they were read in.
    pub(crate) navigation: Arc<std::sync::Mutex<Option<CachedNavigation>>>,
    /// Staff names' lookalike forms (readers may not post under them), and when they were read.
    pub(crate) reserved_names: ReservedNames,
    /// Rendering Markdown, off the async threads.
    pub(crate) render: crate::cpu::CpuPool,
    /// Hashing and checking passwords (argon2: 19 MiB and ~25 ms each), off the async threads.
    pub(crate) hashing: crate::cpu::CpuPool,
    /// Imports this node is running (uploaded in the newsroom), with their progress.
    pub(crate) imports: crate::importing::runs::RunningImports,
    /// The start of every feed id, fixed on the site's first start (`feeds::ID_BASE_SETTING`).
    pub(crate) feed_id_base: Arc<str>,
    /// Turns for searches (`[search] concurrent`), so that they never hold every connection.
    pub(crate) search_turns: Arc<tokio::sync::Semaphore>,
    /// Processing uploaded images (up to 256 MiB and a second or two each): one at a time.
    pub(crate) images: crate::cpu::CpuPool,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Site {
    /// Opens a site on a migrated store: loads (or creates) its secrets and, on a brand-new site,
    /// writes the welcome article.
    pub async fn open(store: Arc<dyn Store>, config: Config) -> CoreResult<Self> {
        let secrets = Secrets::load_or_create(store.as_ref()).await?;
        let feed_id_base =
            Self::load_feed_id_base(store.as_ref(), &config, jiff::Timestamp::now().as_second())
                .await?;
        let initial = crate::settings::SiteSettings::from_config(&config);
        let config_search_turns = config.search.concurrent.max(1) as usize;
        let mut site = Self {
            store,
            config: Arc::new(config),
            secrets,
            settings: Arc::new(std::sync::RwLock::new(crate::settings::SettingsCache::new(
                initial,
            ))),
            freshness: Arc::new(crate::freshness::Freshness::default()),
            navigation: Arc::new(std::sync::Mutex::new(None)),
            reserved_names: Arc::new(std::sync::Mutex::new(None)),
            render: crate::cpu::CpuPool::per_core(),
            hashing: crate::cpu::CpuPool::per_core(),
            imports: Default::default(),
            feed_id_base: feed_id_base.into(),
            search_turns: Arc::new(tokio::sync::Semaphore::new(config_search_turns)),
            images: crate::cpu::CpuPool::new(1),
        };
        let stored = site.load_settings().await?;
        site.settings = Arc::new(std::sync::RwLock::new(crate::settings::SettingsCache::new(
            stored,
        )));
        crate::welcome::seed_once(&site).await?;
        site.ensure_search_index().await?;
        site.refresh_schedule().await?;
        site.skip_past_changes().await?;
        Ok(site)
    }

    /// Background upkeep for a serving process, to call about once a second (`tick` counts from
    /// 1): applies changes logged by other processes, reloads settings every few seconds, queues
    /// the periodic jobs every minute, and runs due jobs (those no other node has claimed).
    pub async fn upkeep(&self, tick: u64) -> CoreResult<()> {
        self.apply_changes().await?;
        if tick.is_multiple_of(5) {
            self.reload_settings().await?;
        }
        if tick % 60 == 1 {
            self.queue_periodic_jobs().await?;
        }
        self.run_due_jobs(10).await?;
        Ok(())
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The site's secrets (cookie signing needs them in the web layer).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The store, for operations that have no use case of their own yet (health checks).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Now, in unix seconds.
    pub fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }
}
