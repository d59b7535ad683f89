use crate::cli::{Cli, Command};
use anyhow::Context;
use gazette_core::Config;
use gazette_store::Store;
use std::sync::Arc;

/// The configuration: defaults → TOML file → `GAZETTE_*` environment → flags.
pub fn config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Config::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Config::default(),
    };
    config = config.with_env(std::env::vars())?;
    if let Some(db) = &cli.db {
        config.db = db.clone();
    }
    if let Command::Serve(args) = &cli.command
        && let Some(listen) = args.listen
    {
        config.listen = listen;
    }
    Ok(config.check()?)
}

/// Opens (creating and migrating) the database a URL names; the database is chosen here, at run
/// time, from the URL's scheme.
pub async fn open_backend(url: &str) -> anyhow::Result<gazette_store_sql::SqlStore> {
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://"))
    {
        anyhow::bail!(
            "database URL must start with sqlite: or postgres:// (got {:?})",
            redact(url)
        );
    }
    gazette_store_sql::SqlStore::connect(url)
        .await
        .with_context(|| format!("opening {}", redact(url)))
}

/// Opens the database a URL names as the `Store` the site runs on.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    Ok(Arc::new(open_backend(url).await?))
}

/// A URL fit for logs: any password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:gazette.db"), "sqlite:gazette.db");
    }
}
