//! Command-line flags of `stdnav-profiling`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;

use clap::Parser;

use stdnav_runtime::cli::{DataFlag, HomeFlag, LogFlags, RedisFlags, ServeFlags};

/// Serves stdnav.profiling.v1: validates, enriches and stores enterprise
/// profiles per tenant (in Redis, or embedded under --home), and computes
/// peer groups. Industry codes are checked against the code lists in --data
/// (without it: ../shared/data or another shared/data above the working
/// directory when present, else by form only).
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
    #[command(flatten)]
    pub redis: RedisFlags,
    #[command(flatten)]
    pub home: HomeFlag,
    #[command(flatten)]
    pub data: DataFlag,
    #[command(flatten)]
    pub serve: ServeFlags,
    #[command(flatten)]
    pub log: LogFlags,
}
