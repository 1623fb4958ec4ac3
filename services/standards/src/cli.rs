//! Command-line flags of `stdnav-standards`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use stdnav_runtime::cli::{LogFlags, ServeFlags};

/// Serves stdnav.standards.v1: search, lineage, statistics and candidates
/// over the catalogue. Builds the index on first start (or when the
/// catalogue sources change) and caches it under --home.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// Address to listen on.
    #[arg(
        long,
        env = "STDNAV_STANDARDS_LISTEN",
        default_value = "127.0.0.1:50062"
    )]
    pub listen: SocketAddr,
    /// Directory with the real catalogues (relaton-iso/, relaton-iec/, …); the bundled demo catalogue alone when absent.
    #[arg(long, env = "STDNAV_DATA")]
    pub data: Option<PathBuf>,
    /// Directory for stdnav's own state (index cache, store, models).
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    pub home: PathBuf,
    /// Serve the catalogue cached under --home as it is, writing nothing
    /// there (an index volume mounted read-only, built by `stdnav search`
    /// or the index job); fails if there is none, and refuses Ingest.
    #[arg(long, env = "STDNAV_READ_ONLY_INDEX")]
    pub read_only_index: bool,
    #[command(flatten)]
    pub serve: ServeFlags,
    #[command(flatten)]
    pub log: LogFlags,
}
