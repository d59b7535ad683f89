//! Old addresses that moved here: answered with `301 Moved Permanently` where Gazette would
//! otherwise say 404. An import stores them (an imported site's permalinks, `/?p=ID`); an admin
//! lists, adds and deletes them in the newsroom.

use crate::auth::Staff;
use crate::moderating::Actor;
use crate::{CoreError, CoreResult, Site};
use gazette_domain::import::Redirect;
use gazette_domain::{Page, PageRequest, Permission};

/// Redirects per page in the newsroom.
const PER_PAGE: u32 = 100;

/// Whether `path` is a path on this site: one slash, then not another slash or a backslash
/// (browsers read `//host` and `/\\host` as another site).
fn same_site(path: &str) -> bool {
    path.starts_with('/') && !path[1..].starts_with(['/', '\\'])
}

/// Paths Gazette serves itself: a redirect there would never be asked for.
const OWN_PREFIXES: [&str; 6] = [
    "/admin", "/api/", "/static/", "/avatar/", "/healthz", "/readyz",
];

/// The path (and query) of an absolute or relative URL, without its trailing slash.
pub fn path_of(link: &str) -> Option<String> {
    let link = link.trim();
    let rest = match link.find("://") {
        Some(at) => {
            let after = &link[at + 3..];
            &after[after.find('/').unwrap_or(after.len())..]
        }
        None => link,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    if rest.is_empty() {
        return Some("/".into());
    }
    if !rest.starts_with('/') {
        return None;
    }
    Some(normal_path(rest))
}

/// A requested path as redirects are keyed: without a trailing slash (except the root's),
/// the query kept.
pub fn normal_path(path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    match query {
        Some(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

/// The page an old (WordPress) feed address is the feed of, and whether it asked for Atom;
/// `None` when it is no feed address.
fn old_feed(key: &str) -> Option<(&str, bool)> {
    for (suffix, atom) in [
        ("/feed/atom", true),
        ("/feed/rss2", false),
        ("/feed/rss", false),
        ("/feed/rdf", false),
        ("/feed", false),
    ] {
        if let Some(base) = key.strip_suffix(suffix) {
            return Some((base, atom));
        }
    }
    None
}

/// Gazette's feed of `base` when the old site's addresses were Gazette's own shapes:
/// `/articles/x` (its comments), a nested `/category/a/b` (the child's), `/tag/x`, `/author/x`.
fn own_feed(base: &str) -> Option<String> {
    let (route, rest) = base.strip_prefix('/')?.split_once('/')?;
    let last = rest.rsplit('/').next().filter(|s| !s.is_empty())?;
    match route {
        "articles" if !rest.contains('/') => Some(format!("/articles/{rest}/comments/feed")),
        "category" => Some(format!("/category/{last}/feed")),
        "tag" | "author" if !rest.contains('/') => Some(format!("/{route}/{rest}/feed")),
        _ => None,
    }
}

/// Query parameters WordPress answered on its front page with a single item or archive.
const OLD_QUERIES: [&str; 5] = ["p", "page_id", "cat", "tag", "attachment_id"];

impl Site {
    /// Where an address that Gazette does not serve has moved: a redirect an import stored (its
    /// permalink, `/?p=ID`), the same address without its trailing slash, an old feed's feed,
    /// or a nested category's own archive. `None`: it is simply not here. Costs at most two
    /// reads of the redirects table's key.
    pub async fn moved_to(&self, path: &str) -> CoreResult<Option<String>> {
        let key = normal_path(path);
        if let Some(target) = self.stored_redirect(&key).await? {
            return Ok(Some(target));
        }
        // WordPress's feeds: `/feed/`, `/feed/atom/`, `/category/x/feed/`, a post's
        // `/2019/07/17/slug/feed/` (its comments). Each leads to Gazette's feed of the same thing.
        if let Some((base, atom)) = old_feed(&key) {
            let suffix = if atom { "/atom" } else { "" };
            let target = match base {
                "" | "/" => Some("/feed".to_owned()),
                "/comments" => Some("/comments/feed".to_owned()),
                _ => match self.stored_redirect(base).await? {
                    Some(page) if page.starts_with("/articles/") => {
                        Some(format!("{page}/comments/feed"))
                    }
                    Some(page) if same_site(&page) && page != "/" => Some(format!("{page}/feed")),
                    Some(_) => Some("/feed".to_owned()),
                    None => own_feed(base),
                },
            };
            if let Some(target) = target.map(|t| format!("{t}{suffix}")) {
                // A feed of Gazette's own that answered 404 is not here: no redirect to itself.
                let asked = path.split_once('?').map_or(path, |(bare, _)| bare);
                return Ok((target != asked).then_some(target));
            }
        }
        // `/2026/12`: a date archive's address ends in a slash.
        let pieces: Vec<&str> = key.trim_start_matches('/').split('/').collect();
        if (2..=3).contains(&pieces.len())
            && let Some(date) = crate::reading::DateArchive::parse(
                pieces[0],
                pieces.get(1).copied(),
                pieces.get(2).copied(),
            )
            && !path.contains('?')
            && date.path() != path
        {
            return Ok(Some(date.path()));
        }
        // `/category/parent/child`: WordPress nests category archives; Gazette's are flat.
        if let Some(rest) = key.strip_prefix("/category/")
            && let Some((_, last)) = rest.rsplit_once('/')
            && !last.is_empty()
        {
            return Ok(Some(format!("/category/{last}")));
        }
        let (bare, _) = path.split_once('?').unwrap_or((path, ""));
        // `/tag/iran/`: WordPress's archives end in a slash, Gazette's do not.
        let gazette_route = ["/articles/", "/category/", "/tag/", "/author/"]
            .iter()
            .any(|prefix| key.starts_with(prefix));
        if gazette_route && bare.len() > 1 && bare.ends_with('/') && key != path {
            return Ok(Some(key));
        }
        Ok(None)
    }

    /// For the front page: the target of an old `/?p=ID` (or `page_id`, `cat`, `tag`) address.
    pub async fn moved_query(&self, query: &str) -> CoreResult<Option<String>> {
        for pair in query.split('&') {
            if let Some((name, value)) = pair.split_once('=')
                && OLD_QUERIES.contains(&name)
                && !value.is_empty()
                && value.len() <= 200
            {
                return self.stored_redirect(&format!("/?{name}={value}")).await;
            }
        }
        Ok(None)
    }

    async fn stored_redirect(&self, key: &str) -> CoreResult<Option<String>> {
        match self.store.redirect(key).await {
            Ok(target) => Ok(Some(target)),
            Err(gazette_store::StoreError::NotFound(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// One page of redirects (those whose old path starts with `prefix`); admins only.
    pub async fn redirects(
        &self,
        staff: &Staff,
        prefix: &str,
        page: u32,
    ) -> CoreResult<Page<Redirect>> {
        staff.require(Permission::ManageSettings)?;
        let prefix: String = prefix.trim().chars().take(2048).collect();
        Ok(self
            .store
            .redirects(&prefix, PageRequest::new(page, PER_PAGE))
            .await?)
    }

    /// Makes `from` (a path on this site) answer `301` with `to` (a path here, or an http(s)
    /// address elsewhere); admins only.
    pub async fn add_redirect(&self, staff: &Staff, from: &str, to: &str) -> CoreResult<Redirect> {
        staff.require(Permission::ManageSettings)?;
        let from = from.trim();
        let to = to.trim();
        if !same_site(from) {
            return Err(CoreError::BadInput(
                "The old address is a path on this site, starting with / (e.g. /2019/07/old-story/)."
                    .into(),
            ));
        }
        for (what, text) in [("old address", from), ("new address", to)] {
            if text.len() > 2048 || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(CoreError::BadInput(format!(
                    "The {what} must be at most 2,048 characters, without spaces or control characters."
                )));
            }
        }
        let path = normal_path(from);
        if path == "/" || OWN_PREFIXES.iter().any(|own| path.starts_with(own)) {
            return Err(CoreError::BadInput(format!(
                "{path} is one of Gazette's own addresses; a redirect there would never be used."
            )));
        }
        let elsewhere = to.starts_with("https://") || to.starts_with("http://");
        let here = same_site(to);
        if !(elsewhere || here) {
            return Err(CoreError::BadInput(
                "The new address is a path on this site (starting with /) or an http(s) address."
                    .into(),
            ));
        }
        if here && normal_path(to) == path {
            return Err(CoreError::BadInput(
                "An address cannot redirect to itself.".into(),
            ));
        }
        let redirect = Redirect {
            path,
            target: to.to_owned(),
            created_at: self.now(),
        };
        let mut audit = Actor::Staff(staff).audit(self.now(), "redirect.add");
        audit.detail = format!("{} → {}", redirect.path, redirect.target);
        match self.store.add_redirect(redirect.clone(), audit).await {
            Ok(()) => Ok(redirect),
            Err(gazette_store::StoreError::Conflict(_)) => Err(CoreError::Conflict(format!(
                "{} already redirects; delete that redirect first.",
                redirect.path
            ))),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes the redirect at `path`; admins only.
    pub async fn delete_redirect(&self, staff: &Staff, path: &str) -> CoreResult<()> {
        staff.require(Permission::ManageSettings)?;
        let mut audit = Actor::Staff(staff).audit(self.now(), "redirect.delete");
        audit.detail = format!("{path} no longer redirects");
        match self.store.delete_redirect(path, audit).await {
            Ok(()) => Ok(()),
            Err(gazette_store::StoreError::NotFound(_)) => Err(CoreError::NotFound("redirect")),
            Err(error) => Err(error.into()),
        }
    }
}
