//! `stdnav-profiling`: the profiling service as its own process.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use stdnav_profiling::cli::Args;
use tonic::service::Routes;

use stdnav_core::industry::IndustryData;
use stdnav_profiling::{Profiling, ProfilingGrpc, SERVICE_NAME, open_store};
use stdnav_runtime::server::{self, Health};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-profiling")?;
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
        args.serve.options()?,
        stdnav_runtime::shutdown::signal(),
    )?;
    health.set_all(tonic_health::ServingStatus::Serving).await;
    tracing::info!(addr = %handle.local_addr, store = kind, "profiling service serving");
    handle.join.await??;
    Ok(())
}
