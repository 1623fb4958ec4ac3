//! `stdnav-standards`: the standards service as its own process.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tonic_health::ServingStatus;

use stdnav_runtime::{Launch, server, shutdown};
use stdnav_standards::cli::Args;
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};
use stdnav_standards::{Standards, StandardsGrpc};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-standards")?;
    let listener = server::bind(args.listen).await?;
    let domain = Arc::new(Standards::new());
    let server = Launch::new(args.serve.options()?)
        .add_service(StandardsGrpc::new(domain.clone()).into_server())
        .start(listener, shutdown::signal())
        .await?;
    tracing::info!(addr = %server.local_addr, "standards service listening (NOT_SERVING until the catalogue is loaded)");
    let dir = args.home.path.join("standards");
    let data = args.data.path.clone();
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
    server.health.set_all(ServingStatus::Serving).await;
    server.join.await??;
    Ok(())
}
