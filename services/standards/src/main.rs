//! `stdnav-standards`: the standards service as its own process.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use stdnav_standards::cli::Args;
use tonic::service::Routes;

use stdnav_runtime::server::{self, Health};
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};
use stdnav_standards::{SERVICE_NAME, Standards, StandardsGrpc};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-standards")?;
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
        args.serve.options()?,
        stdnav_runtime::shutdown::signal(),
    )?;
    tracing::info!(addr = %handle.local_addr, "standards service listening (NOT_SERVING until the catalogue is loaded)");
    let dir = args.home.join("standards");
    let data = args.data.clone();
    let read_only = args.read_only_index;
    let store = tokio::task::spawn_blocking(move || {
        if read_only {
            CatalogueStore::open_read_only(&dir, &Silent)
        } else {
            CatalogueStore::open(&dir, &default_sources(data.as_deref()), &Silent)
        }
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
