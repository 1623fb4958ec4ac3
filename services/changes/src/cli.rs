//! Command-line flags of `stdnav-changes`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use stdnav_runtime::cli::{LogFlags, ServeFlags};

/// Serves stdnav.changes.v1: subscriptions, change feeds (WatchChanges,
/// ListChanges) and the fan-out of catalogue change events to the tenants
/// that watch them.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_CHANGES_LISTEN", default_value = "127.0.0.1:50064")]
    pub listen: SocketAddr,
    /// Redis URL for the event log and the profile store (e.g.
    /// redis://127.0.0.1:6379); embedded files under --home when absent.
    #[arg(long, env = "STDNAV_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments can share a Redis.
    #[arg(long, env = "STDNAV_REDIS_PREFIX", default_value = "stdnav")]
    pub redis_prefix: String,
    /// Directory for stdnav's own state: the catalogue cache (standards/),
    /// and the embedded stores.
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    pub home: PathBuf,
    /// Directory with the real catalogues; default: the bundled demo catalogue.
    #[arg(long, env = "STDNAV_DATA")]
    pub data: Option<PathBuf>,
    /// How often to look for a catalogue changed on disk by the standards
    /// service sharing --home (seconds); each change becomes change events.
    #[arg(long, env = "STDNAV_CHANGES_RELOAD_SECS", default_value_t = 5)]
    pub reload_secs: u64,
    /// Days of change events kept in the log and the feeds (0: no age limit).
    #[arg(long, env = "STDNAV_CHANGES_RETENTION_DAYS", default_value_t = crate::log::DEFAULT_RETENTION_DAYS as f64)]
    pub retention_days: f64,
    /// Entries kept per feed and in the catalogue log (0: no limit).
    #[arg(long, env = "STDNAV_CHANGES_RETENTION_ENTRIES", default_value_t = crate::log::DEFAULT_RETENTION_ENTRIES)]
    pub retention_entries: u64,
    #[command(flatten)]
    pub serve: ServeFlags,
    #[command(flatten)]
    pub log: LogFlags,
}

impl Args {
    /// The retention the flags ask for.
    pub fn retention(&self) -> anyhow::Result<crate::log::Retention> {
        let max_age = std::time::Duration::try_from_secs_f64(self.retention_days * 86_400.0)
            .map_err(|_| anyhow::anyhow!("--retention-days must be a number of days ≥ 0"))?;
        Ok(crate::log::Retention {
            max_age,
            max_entries: self.retention_entries,
        })
    }
}
