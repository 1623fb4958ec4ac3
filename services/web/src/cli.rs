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
