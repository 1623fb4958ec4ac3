//! Command-line flags of `stdnav-scoring`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use stdnav_runtime::cli::{HomeFlag, LogFlags, ServeFlags};

use crate::DEFAULT_SEED;

/// Serves stdnav.scoring.v1: scores candidate standards for an enterprise
/// with the model artifact, trained under --home on first start when
/// missing, and reloaded without a restart when the file changes.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_SCORING_LISTEN", default_value = "127.0.0.1:50063")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub home: HomeFlag,
    /// Model artifact; <home>/models/scoring.json when not given.
    #[arg(long, env = "STDNAV_MODEL")]
    pub model: Option<PathBuf>,
    /// Seed of the default model trained when the artifact is missing.
    #[arg(long, env = "STDNAV_MODEL_SEED", default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Seconds between checks of the artifact for a new version (0: never reload).
    #[arg(long, env = "STDNAV_MODEL_RELOAD_SECS", default_value_t = 5.0)]
    pub reload_secs: f64,
    #[command(flatten)]
    pub serve: ServeFlags,
    #[command(flatten)]
    pub log: LogFlags,
}
