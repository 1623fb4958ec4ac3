//! `stdnav-scoring`: the scoring service as its own process.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use stdnav_scoring::cli::Args;
use tonic::service::Routes;

use stdnav_runtime::server::{self, Health};
use stdnav_scoring::{SERVICE_NAME, Scorer, ScoringGrpc, default_model_path};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-scoring")?;
    let reload_every = Duration::try_from_secs_f64(args.reload_secs)
        .context("--reload-secs must be a number of seconds ≥ 0")?;
    let model_path = args
        .model
        .clone()
        .unwrap_or_else(|| default_model_path(&args.home));
    let listener = server::bind(args.listen).await?;
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let scorer = Arc::new(Scorer::empty());
    let routes = Routes::new(ScoringGrpc::new(scorer.clone()).into_server());
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        args.serve.options()?,
        stdnav_runtime::shutdown::signal(),
    )?;
    tracing::info!(addr = %handle.local_addr, "scoring service listening (NOT_SERVING until the model is loaded)");
    scorer
        .activate(&model_path, args.seed, reload_every)
        .await
        .with_context(|| format!("loading the scoring model {}", model_path.display()))?;
    health.set_all(tonic_health::ServingStatus::Serving).await;
    handle.join.await??;
    Ok(())
}
