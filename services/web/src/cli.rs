//! Command-line flags of `stdnav-web`, public so tests and tooling can read them.

use std::net::SocketAddr;

use clap::Parser;

use stdnav_runtime::cli::{ClientFlags, LogFlags};

/// Serves stdnav's web face (JSON API, OpenAPI, pages) over the gRPC
/// services: API keys are passed on to them, so they decide tenant and scope.
#[derive(Parser, Debug)]
#[command(version)]
pub struct Args {
    /// HTTP address to listen on.
    #[arg(long, env = "STDNAV_HTTP_LISTEN", default_value = "127.0.0.1:8080")]
    pub http_listen: SocketAddr,
    /// Address of the advisor service.
    #[arg(long, env = "STDNAV_ADVISOR_ADDR", default_value = "127.0.0.1:50060")]
    pub advisor: String,
    /// Address of the profiling service.
    #[arg(long, env = "STDNAV_PROFILING_ADDR", default_value = "127.0.0.1:50061")]
    pub profiling: String,
    /// Address of the standards service.
    #[arg(long, env = "STDNAV_STANDARDS_ADDR", default_value = "127.0.0.1:50062")]
    pub standards: String,
    /// Address of the changes service.
    #[arg(long, env = "STDNAV_CHANGES_ADDR", default_value = "127.0.0.1:50064")]
    pub changes: String,
    #[command(flatten)]
    pub cors: CorsFlags,
    #[command(flatten)]
    pub figures: FiguresFlags,
    /// Serve Prometheus metrics (the web face's requests) at http://ADDR/metrics.
    #[arg(long, env = "STDNAV_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// TLS towards the services.
    #[command(flatten)]
    pub client: ClientFlags,
    #[command(flatten)]
    pub log: LogFlags,
}

/// CORS of the JSON API, shared by `stdnav-web` and `stdnav serve`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CorsFlags {
    /// An origin allowed to call the JSON API (/v1/…, /openapi.json) from a
    /// browser, e.g. https://portal.example.cn; repeatable (the environment
    /// variable takes a comma-separated list). None: CORS off.
    #[arg(
        long = "cors-origin",
        env = "STDNAV_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = crate::cors::parse_origin
    )]
    pub cors_origins: Vec<crate::cors::Origin>,
}

/// The index's chain batch results and the map's figures cache, shared by
/// `stdnav-web` and `stdnav serve`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FiguresFlags {
    /// Where the development index reads chain batch results:
    /// DIR/<tenant>/<run>/results.jsonl and summary.json, each run the
    /// `--out` of `stdnav batch` (docs/INDEX.md). Absent: `stdnav serve`
    /// reads --home/batch, `stdnav-web` none (stored records only).
    #[arg(long, env = "STDNAV_BATCH_RESULTS")]
    pub batch_results: Option<std::path::PathBuf>,
    /// Seconds the map's figures are kept per caller, 0..=3600 (0: read on
    /// every page).
    #[arg(long, env = "STDNAV_MAP_CACHE_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub map_cache_secs: u64,
}

impl FiguresFlags {
    /// The web face's options with `cors`; `default_batch` is read when no
    /// --batch-results is given.
    pub fn options(
        &self,
        cors: crate::cors::Cors,
        default_batch: Option<&std::path::Path>,
    ) -> crate::server::Options {
        crate::server::Options {
            cors,
            batch_results: self
                .batch_results
                .clone()
                .or_else(|| default_batch.map(std::path::Path::to_path_buf)),
            figures_ttl: std::time::Duration::from_secs(self.map_cache_secs),
        }
    }
}

impl CorsFlags {
    pub fn cors(&self) -> crate::cors::Cors {
        crate::cors::Cors::new(self.cors_origins.iter().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_from_flags() {
        let args = Args::try_parse_from([
            "stdnav-web",
            "--cors-origin",
            "https://a.example",
            "--cors-origin",
            "https://b.example:8443",
        ])
        .unwrap();
        assert_eq!(args.cors.cors_origins.len(), 2);
        assert!(!args.cors.cors().is_off());
        assert!(Args::try_parse_from(["stdnav-web", "--cors-origin", "*"]).is_err());
    }
}
