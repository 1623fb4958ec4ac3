//! `stdnav-advisor`: the advisor as its own process.

use std::net::SocketAddr;

use clap::Parser;
use tonic::service::Routes;

use stdnav_advisor::{Advisor, AdvisorGrpc, BackendAddrs, Backends, SERVICE_NAME};
use stdnav_runtime::server::{self, Health, ServeOptions};
use stdnav_runtime::telemetry::{self, LogFormat};

/// Serves stdnav.advisor.v1: composes the profiling, standards and scoring
/// services into solutions, benchmarking gaps and chain reports.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_ADVISOR_LISTEN", default_value = "127.0.0.1:50060")]
    listen: SocketAddr,
    /// Address of the profiling service.
    #[arg(long, env = "STDNAV_PROFILING_ADDR", default_value = "127.0.0.1:50061")]
    profiling: String,
    /// Address of the standards service.
    #[arg(long, env = "STDNAV_STANDARDS_ADDR", default_value = "127.0.0.1:50062")]
    standards: String,
    /// Address of the scoring service.
    #[arg(long, env = "STDNAV_SCORING_ADDR", default_value = "127.0.0.1:50063")]
    scoring: String,
    /// API key file (`stdnav keys create`); when set every call needs a key
    /// and its tenant and scope come from the key.
    #[arg(long, env = "STDNAV_KEYS")]
    keys: Option<std::path::PathBuf>,
    /// Log format: plain or json.
    #[arg(long, env = "STDNAV_LOG_FORMAT", default_value = "plain")]
    log_format: LogFormat,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    telemetry::init(args.log_format, "info");
    let backends = Backends::connect_lazy(&BackendAddrs {
        profiling: args.profiling,
        standards: args.standards,
        scoring: args.scoring,
    })?;
    let listener = server::bind(args.listen).await?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let routes = Routes::new(AdvisorGrpc::new(Advisor::new(backends)).into_server());
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        ServeOptions::with_keys(args.keys.as_deref())?,
        stdnav_runtime::shutdown::signal(),
    )?;
    // The advisor holds no state: it serves as soon as it listens; its
    // backends report their own readiness.
    health.set_all(tonic_health::ServingStatus::Serving).await;
    tracing::info!(addr = %handle.local_addr, "advisor serving");
    handle.join.await??;
    Ok(())
}
