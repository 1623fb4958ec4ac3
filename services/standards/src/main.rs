//! `stdnav-standards`: the standards service as its own process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tonic::service::Routes;

use stdnav_runtime::server::{self, Health, ServeOptions};
use stdnav_runtime::telemetry::{self, LogFormat};
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};
use stdnav_standards::{SERVICE_NAME, Standards, StandardsGrpc};

/// Serves stdnav.standards.v1: search, lineage, statistics and candidates
/// over the catalogue. Builds the index on first start (or when the
/// catalogue sources change) and caches it under --home.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(
        long,
        env = "STDNAV_STANDARDS_LISTEN",
        default_value = "127.0.0.1:50062"
    )]
    listen: SocketAddr,
    /// Directory with the real catalogues (relaton-iso/, relaton-iec/, …); the bundled demo catalogue alone when absent.
    #[arg(long, env = "STDNAV_DATA")]
    data: Option<PathBuf>,
    /// Directory for stdnav's own state (index cache, store, models).
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    home: PathBuf,
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
    let listener = server::bind(args.listen).await?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let domain = Arc::new(Standards::new());
    let routes = Routes::new(StandardsGrpc::new(domain.clone()).into_server());
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        ServeOptions::with_keys(args.keys.as_deref())?,
        stdnav_runtime::shutdown::signal(),
    )?;
    tracing::info!(addr = %handle.local_addr, "standards service listening (NOT_SERVING until the catalogue is loaded)");
    let dir = args.home.join("standards");
    let data = args.data.clone();
    let store = tokio::task::spawn_blocking(move || {
        CatalogueStore::open(&dir, &default_sources(data.as_deref()), &Silent)
    })
    .await?
    .context("loading the catalogue")?;
    tracing::info!(
        records = store.snapshot().catalogue.len(),
        "catalogue loaded"
    );
    domain.set_store(Arc::new(store));
    health.set_all(tonic_health::ServingStatus::Serving).await;
    handle.join.await??;
    Ok(())
}
