//! `stdnav-profiling`: the profiling service as its own process.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tonic_health::ServingStatus;

use stdnav_core::industry::IndustryData;
use stdnav_profiling::cli::Args;
use stdnav_profiling::{Profiling, ProfilingGrpc, open_store};
use stdnav_runtime::{Launch, server, shutdown};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-profiling")?;
    let lists = Arc::new(industry_lists(args.data.path.as_deref())?);
    tracing::info!(
        gbt4754_list = lists.has_gbt4754_list(),
        "industry code lists ready"
    );
    let home = &args.home.path;
    let store = open_store(args.redis.url.as_deref(), &args.redis.prefix, home)
        .await
        .context("opening the profile store")?;
    let listener = server::bind(args.listen).await?;
    let kind = store.kind();
    let domain = Arc::new(Profiling::new(store, lists).with_peer_artifacts(home.join("models")));
    let server = Launch::new(args.serve.options()?)
        .add_service(ProfilingGrpc::new(domain).into_server())
        .start(listener, shutdown::signal())
        .await?;
    server.health.set_all(ServingStatus::Serving).await;
    tracing::info!(addr = %server.local_addr, store = kind, "profiling service serving");
    server.join.await??;
    Ok(())
}

/// The code lists of --data, else of a shared/data above the working
/// directory when present, else none (codes checked by form only); core
/// does not look for them itself. Unreadable lists fail the start only when
/// --data named them.
fn industry_lists(data: Option<&Path>) -> anyhow::Result<IndustryData> {
    if let Some(dir) = data {
        return IndustryData::load(dir).context("reading the industry code lists");
    }
    let Some(dir) =
        stdnav_core::demo::find_shared_data(&std::env::current_dir().unwrap_or_default())
    else {
        return Ok(IndustryData::form_only());
    };
    Ok(IndustryData::load(&dir).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "industry code lists unreadable: checking codes by form only");
        IndustryData::form_only()
    }))
}
