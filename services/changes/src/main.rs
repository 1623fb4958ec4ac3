//! `stdnav-changes`: the changes service as its own process.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tonic::service::Routes;

use stdnav_changes::cli::Args;
use stdnav_changes::reload::ReloadingCatalogue;
use stdnav_changes::{Changes, ChangesGrpc, SERVICE_NAME, open_log};
use stdnav_runtime::server::{self, Health};
use stdnav_standards::store::default_sources;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let catalogue = Arc::new(ReloadingCatalogue::new(
        &args.home.join("standards"),
        default_sources(args.data.as_deref()),
    ));
    let kind = log.kind();
    let changes =
        Arc::new(Changes::new(log, profiles, catalogue.clone()).with_retention(args.retention()?));
    let options = args.serve.options()?;
    let routes = Routes::new(
        ChangesGrpc::new(changes.clone())
            .with_stop_streams(options.stop_streams.clone())
            .into_server(),
    );
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
        options,
        shutdown,
    )?;
    tracing::info!(addr = %handle.local_addr, log = kind, "changes service listening (NOT_SERVING until the catalogue is loaded)");
    let loading = catalogue.clone();
    tokio::task::spawn_blocking(move || loading.load())
        .await?
        .context("loading the catalogue")?;
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    // An ingest by the standards service on the same --home switches the
    // catalogue on disk: recorded here as change events.
    let watch = catalogue.spawn_watch(
        changes.clone(),
        Duration::from_secs(args.reload_secs.max(1)),
        until_stopped(stopped.clone()),
    );
    let fanout = changes.spawn_fanout(until_stopped(stopped));
    health.set_all(tonic_health::ServingStatus::Serving).await;
    handle.join.await??;
    let _ = tokio::join!(watch, fanout);
    Ok(())
}
