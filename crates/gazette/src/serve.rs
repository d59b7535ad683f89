use crate::setup;
use anyhow::Context;
use gazette_core::{Config, Site};
use gazette_web::AppState;

/// Opens the site and serves it until SIGINT or SIGTERM, then lets requests in flight finish.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = setup::open_store(&config.db).await?;
    let listen = config.listen;
    let db = setup::redact(&config.db);
    let site = Site::open(store, config)
        .await
        .context("opening the site")?;
    let state = AppState::new(site.clone()).context("loading templates")?;
    tokio::spawn(upkeep(site.clone()));
    tokio::spawn(follow_changes(site, state.metrics.clone()));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to find the port when asked for port 0.
    println!("Gazette listening on http://{address} (database {db})");
    tracing::info!(%address, "serving");
    gazette_web::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Once a second: apply changes other processes logged (so cached pages go stale), reload
/// settings, prune old log rows. Failures (the database away) are logged once, not every second.
async fn upkeep(site: Site) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut failing = false;
    for tick in 1u64.. {
        interval.tick().await;
        match site.upkeep(tick).await {
            Ok(()) if failing => {
                tracing::info!("upkeep works again");
                failing = false;
            }
            Ok(()) => {}
            Err(error) if !failing => {
                tracing::warn!(%error, "upkeep failed; retrying every second");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

/// Applies changes as other nodes record them, from the store's feed (PostgreSQL LISTEN/NOTIFY),
/// so their writes show here at once rather than at the next poll. When the feed's connection
/// drops, notices may have been missed: once a new feed listens, everything cached goes stale.
/// On SQLite there is no feed and this returns at once (polling in `upkeep` covers the CLI).
async fn follow_changes(site: Site, metrics: std::sync::Arc<gazette_web::ops::Metrics>) {
    let mut lost = false;
    loop {
        let mut feed = match site.store().change_feed().await {
            Ok(Some(feed)) => feed,
            Ok(None) => return,
            Err(error) => {
                if !lost {
                    tracing::warn!(%error, "cannot listen for changes; retrying every second");
                    lost = true;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if lost {
            match site.resync().await {
                Ok(()) => tracing::info!("listening for changes again; cached pages dropped"),
                Err(error) => {
                    tracing::warn!(%error, "cannot re-check after reconnecting");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        metrics.set_change_feed_connected(true);
        // The feed only ends by being lost.
        loop {
            match feed.next().await {
                Ok(Some(change)) => {
                    if let Err(error) = site.apply_notice(change).await {
                        tracing::warn!(%error, "cannot apply a change notice");
                    }
                }
                Ok(None) | Err(_) => {
                    tracing::warn!("lost the change feed; reconnecting");
                    // Stale at once: writes from now until the feed is back are not announced.
                    site.freshness().everything_changed();
                    metrics.set_change_feed_connected(false);
                    lost = true;
                    break;
                }
            }
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
