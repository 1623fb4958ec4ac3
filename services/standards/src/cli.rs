//! Command-line flags of `stdnav-standards`, public so tests and tooling (the
//! deployment manifests' check) can read them.

use std::net::SocketAddr;

use clap::Parser;

use stdnav_runtime::cli::{DataFlag, HomeFlag, LogFlags, ServeFlags};

/// Serves stdnav.standards.v1: search, lineage, statistics and candidates
/// over the catalogue: the real catalogues in --data with the bundled demo
/// catalogue (the demo catalogue alone without --data). Builds the index on
/// first start (or when the catalogue sources change) and caches it under
/// --home.
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
    #[command(flatten)]
    pub data: DataFlag,
    #[command(flatten)]
    pub home: HomeFlag,
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
