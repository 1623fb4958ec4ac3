//! `stdnav-changes`: the changes service as its own process.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tonic_health::ServingStatus;

use stdnav_changes::cli::Args;
use stdnav_changes::profiles::RemoteProfiles;
use stdnav_changes::replica::RemoteCatalogue;
use stdnav_changes::{Changes, ChangesGrpc, open_log};
use stdnav_runtime::{Launch, client, server, shutdown};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-changes")?;
    let home = &args.home.path;
    let redis_url = args.redis.url.as_deref();
    let log = open_log(redis_url, &args.redis.prefix, home)
        .await
        .context("opening the change event log")?;
    let listener = server::bind(args.listen).await?;
    let tls = args.client.tls()?;
    let channel = client::lazy_channel(&args.standards, tls.as_ref())
        .context("the standards service's address")?;
    let catalogue = Arc::new(RemoteCatalogue::new(
        channel,
        &args.standards,
        args.standards_key.clone(),
    ));
    let kind = log.kind();
    let profiles = client::lazy_channel(&args.profiling, tls.as_ref())
        .context("the profiling service's address")?;
    let changes = Changes::new(
        log,
        RemoteProfiles::new(profiles, args.profiling_key.clone()),
        catalogue.clone(),
    );
    let changes = Arc::new(changes.with_retention(args.retention()?));
    let launch = Launch::new(args.serve.options()?);
    let grpc = ChangesGrpc::new(changes.clone()).with_stop_streams(launch.stop_streams());
    // The catalogue watch and the fan-out stop with the server.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown::signal().await;
        let _ = stop.send(true);
    };
    let server = launch
        .add_service(grpc.into_server())
        .start(listener, shutdown)
        .await?;
    tracing::info!(addr = %server.local_addr, log = kind, "changes service listening (NOT_SERVING until the catalogue is fetched)");
    let interval = Duration::from_secs(args.reload_secs.max(1));
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    // The standards service may still be starting: ask until it answers.
    let loaded = async {
        while let Err(e) = catalogue.load().await {
            tracing::warn!(error = %e, "catalogue not loaded yet; retrying");
            tokio::time::sleep(interval.min(Duration::from_secs(1))).await;
        }
    };
    tokio::select! {
        _ = loaded => {}
        _ = until_stopped(stopped.clone()) => {
            server.join.await??;
            return Ok(());
        }
    }
    // Each new version of the standards service's catalogue (an ingest
    // there) is recorded here as change events.
    let watch = catalogue.spawn_watch(changes.clone(), interval, until_stopped(stopped.clone()));
    let fanout = changes.spawn_fanout(until_stopped(stopped));
    server.health.set_all(ServingStatus::Serving).await;
    server.join.await??;
    let _ = tokio::join!(watch, fanout);
    Ok(())
}
