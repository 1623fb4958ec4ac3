//! Command-line flags of `stdnav-advisor`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;

use clap::Parser;

use stdnav_runtime::cli::{ClientFlags, LogFlags, ServeFlags};

/// Serves stdnav.advisor.v1: composes the profiling, standards and scoring
/// services into solutions, benchmarking gaps and chain reports.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_ADVISOR_LISTEN", default_value = "127.0.0.1:50060")]
    pub listen: SocketAddr,
    /// Address of the profiling service.
    #[arg(long, env = "STDNAV_PROFILING_ADDR", default_value = "127.0.0.1:50061")]
    pub profiling: String,
    /// Address of the standards service.
    #[arg(long, env = "STDNAV_STANDARDS_ADDR", default_value = "127.0.0.1:50062")]
    pub standards: String,
    /// Address of the scoring service.
    #[arg(long, env = "STDNAV_SCORING_ADDR", default_value = "127.0.0.1:50063")]
    pub scoring: String,
    #[command(flatten)]
    pub serve: ServeFlags,
    /// TLS towards the backends.
    #[command(flatten)]
    pub client: ClientFlags,
    #[command(flatten)]
    pub log: LogFlags,
}
