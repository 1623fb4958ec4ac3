//! Command-line flags of `stdnav-changes`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;

use clap::Parser;

use stdnav_runtime::cli::{ClientFlags, HomeFlag, LogFlags, RedisFlags, ServeFlags};

/// Serves stdnav.changes.v1: subscriptions, change feeds (WatchChanges,
/// ListChanges) and the fan-out of catalogue change events to the tenants
/// that watch them. Keeps its event log in Redis or embedded under --home;
/// reads the tenants' enterprises from the profiling service at --profiling
/// and the catalogue from the standards service at --standards (no index
/// and no profile store of its own), and records each new version of the
/// catalogue as change events.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_CHANGES_LISTEN", default_value = "127.0.0.1:50064")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub redis: RedisFlags,
    #[command(flatten)]
    pub home: HomeFlag,
    /// Address of the standards service, whose catalogue this service
    /// replicates through ExportCatalogue.
    #[arg(long, env = "STDNAV_STANDARDS_ADDR", default_value = "127.0.0.1:50062")]
    pub standards: String,
    /// API key presented to the standards service when it requires keys
    /// (a read key of any tenant: the catalogue is the same for all).
    #[arg(long, env = "STDNAV_CHANGES_STANDARDS_KEY", hide_env_values = true)]
    pub standards_key: Option<String>,
    /// Address of the profiling service, whose ListEnterprises this service
    /// reads each tenant's enterprises through (acting for each in turn).
    #[arg(long, env = "STDNAV_PROFILING_ADDR", default_value = "127.0.0.1:50061")]
    pub profiling: String,
    /// API key presented to the profiling service when it requires keys:
    /// a key of the `service` scope, which reads for the tenant each call
    /// names (any other key would read its own tenant only).
    #[arg(long, env = "STDNAV_CHANGES_PROFILING_KEY", hide_env_values = true)]
    pub profiling_key: Option<String>,
    /// How often to ask the standards service whether its catalogue changed
    /// (seconds); each new version becomes change events.
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
    /// TLS towards the standards and profiling services.
    #[command(flatten)]
    pub client: ClientFlags,
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
