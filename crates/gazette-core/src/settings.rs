use crate::{CoreError, CoreResult, Site};
use gazette_domain::ModerationPolicy;
use gazette_domain::records::NewAudit;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

const KEY: &str = "site.settings";

/// What the newsroom changes from the settings page. Kept in the database so every node agrees;
/// the configuration file gives the values a new site starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSettings {
    /// Shown in the header and page titles.
    pub title: String,
    /// Shown under the title.
    pub tagline: String,
    /// Which comments wait for a moderator.
    pub moderation: ModerationPolicy,
    /// How deep replies nest.
    pub max_depth: u32,
    /// Comments per page.
    pub comments_per_page: u32,
    /// Close comments this many days after publication; 0 = never.
    pub close_after_days: u32,
    /// A comment containing one of these goes straight to spam.
    pub blocklist: Vec<String>,
    /// A comment containing one of these is held.
    pub hold_words: Vec<String>,
    /// A comment with more links than this is held.
    pub max_links: u32,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self::from_config(&crate::Config::default())
    }
}

impl SiteSettings {
    /// The settings a new site starts with.
    pub fn from_config(config: &crate::Config) -> Self {
        Self {
            title: config.site.title.clone(),
            tagline: config.site.tagline.clone(),
            moderation: config.comments.moderation,
            max_depth: config.comments.max_depth,
            comments_per_page: config.comments.per_page,
            close_after_days: config.comments.close_after_days,
            blocklist: Vec::new(),
            hold_words: Vec::new(),
            max_links: 2,
        }
    }

    /// Checks every value, saying which is wrong.
    pub fn check(self) -> CoreResult<Self> {
        let bad = |m: &str| Err(CoreError::BadInput(m.to_owned()));
        if self.title.trim().is_empty() || self.title.chars().count() > 100 {
            return bad("The site title must be 1 to 100 characters.");
        }
        if self.tagline.chars().count() > 200 {
            return bad("The tagline must be at most 200 characters.");
        }
        if !(1..=20).contains(&self.max_depth) {
            return bad("Nesting depth must be between 1 and 20.");
        }
        if !(1..=1000).contains(&self.comments_per_page) {
            return bad("Comments per page must be between 1 and 1000.");
        }
        if self.close_after_days > 36_500 {
            return bad("Closing comments after more than 100 years is the same as never (0).");
        }
        if self.max_links > 100 {
            return bad("The link limit must be at most 100.");
        }
        if self.blocklist.len() + self.hold_words.len() > 5000 {
            return bad("The word lists may hold at most 5,000 entries together.");
        }
        Ok(self)
    }
}

/// A node's copy of the settings and when it was read.
#[derive(Debug)]
pub(crate) struct SettingsCache {
    read_at: Instant,
    settings: Arc<SiteSettings>,
}

impl SettingsCache {
    pub(crate) fn new(settings: SiteSettings) -> Self {
        Self {
            read_at: Instant::now(),
            settings: Arc::new(settings),
        }
    }
}

impl Site {
    /// The settings in force (this process's copy; `upkeep` reloads it every few seconds, and a
    /// save on this process replaces it at once).
    pub async fn settings(&self) -> CoreResult<Arc<SiteSettings>> {
        Ok(self.cached_settings())
    }

    /// Reads the settings again from the database; if another process changed them, pages go stale.
    pub async fn reload_settings(&self) -> CoreResult<()> {
        let fresh = Arc::new(self.load_settings().await?);
        let changed = match self.settings.write() {
            Ok(mut cache) => {
                let changed = cache.settings != fresh;
                cache.read_at = Instant::now();
                cache.settings = fresh;
                changed
            }
            Err(_) => false,
        };
        if changed {
            self.freshness.everything_changed();
        }
        Ok(())
    }

    /// The settings this node last read, without asking the database (for error pages, which must
    /// render when the database is down).
    pub fn cached_settings(&self) -> Arc<SiteSettings> {
        match self.settings.read() {
            Ok(cache) => cache.settings.clone(),
            Err(_) => Arc::new(SiteSettings::from_config(&self.config)),
        }
    }

    pub(crate) async fn load_settings(&self) -> CoreResult<SiteSettings> {
        match self.store.setting(KEY).await {
            Ok(json) => serde_json::from_str(&json)
                .map_err(|e| CoreError::Storage(format!("stored settings are not valid: {e}"))),
            Err(gazette_store::StoreError::NotFound(_)) => {
                Ok(SiteSettings::from_config(&self.config))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Saves new settings (checked first) and logs who changed them.
    pub async fn save_settings(
        &self,
        actor: &crate::auth::Staff,
        settings: SiteSettings,
    ) -> CoreResult<Arc<SiteSettings>> {
        actor.require(gazette_domain::Permission::ManageSettings)?;
        let settings = settings.check()?;
        let json =
            serde_json::to_string(&settings).map_err(|e| CoreError::Storage(e.to_string()))?;
        self.store.put_setting(KEY, &json).await?;
        self.store
            .record_audit(NewAudit {
                at: self.now(),
                actor: Some(actor.user.id),
                actor_name: actor.user.display_name.clone(),
                action: "settings.update".into(),
                comment_id: None,
                article_id: None,
                detail: format!(
                    "policy {:?}, depth {}, {} per page, close after {} days, {} blocked words, {} hold words, {} links",
                    settings.moderation,
                    settings.max_depth,
                    settings.comments_per_page,
                    settings.close_after_days,
                    settings.blocklist.len(),
                    settings.hold_words.len(),
                    settings.max_links
                ),
            })
            .await?;
        let settings = Arc::new(settings);
        if let Ok(mut cache) = self.settings.write() {
            cache.read_at = Instant::now();
            cache.settings = settings.clone();
        }
        self.everything_changed().await?;
        Ok(settings)
    }
}
