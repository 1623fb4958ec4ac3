//! `stdnav-changes`: the changes service as its own process.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tonic::service::Routes;

use stdnav_changes::cli::Args;
use stdnav_changes::{Changes, ChangesGrpc, SERVICE_NAME, open_log};
use stdnav_runtime::server::{self, Health};
use stdnav_standards::Standards;
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-changes")?;
    let log = open_log(args.redis_url.as_deref(), &args.redis_prefix, &args.home)
        .await
        .context("opening the change event log")?;
    let profiles =
        stdnav_profiling::open_store(args.redis_url.as_deref(), &args.redis_prefix, &args.home)
            .await
            .context("opening the profile store")?;
    let listener = server::bind(args.listen).await?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let standards = Arc::new(Standards::new());
    let kind = log.kind();
    let changes = Arc::new(Changes::new(log, profiles, standards.clone()));
    let routes = Routes::new(ChangesGrpc::new(changes.clone()).into_server());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        stdnav_runtime::shutdown::signal().await;
        let _ = stop.send(true);
    };
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        args.serve.options()?,
        shutdown,
    )?;
    tracing::info!(addr = %handle.local_addr, log = kind, "changes service listening (NOT_SERVING until the catalogue is loaded)");
    let dir = args.home.join("standards");
    let sources = default_sources(args.data.as_deref());
    let catalogue =
        tokio::task::spawn_blocking(move || CatalogueStore::open(&dir, &sources, &Silent))
            .await?
            .context("loading the catalogue")?;
    standards.set_store(Arc::new(catalogue));
    let mut stopped_rx = stopped.clone();
    let fanout = changes.spawn_fanout(async move {
        let _ = stopped_rx.wait_for(|s| *s).await;
    });
    health.set_all(tonic_health::ServingStatus::Serving).await;
    handle.join.await??;
    fanout.abort();
    Ok(())
}
