//! `stdnav-scoring`: the scoring service as its own process.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tonic_health::ServingStatus;

use stdnav_runtime::{Launch, server, shutdown};
use stdnav_scoring::cli::Args;
use stdnav_scoring::{Scorer, ScoringGrpc, default_model_path};

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
        .unwrap_or_else(|| default_model_path(&args.home.path));
    let listener = server::bind(args.listen).await?;
    let scorer = Arc::new(Scorer::empty());
    let server = Launch::new(args.serve.options()?)
        .add_service(ScoringGrpc::new(scorer.clone()).into_server())
        .start(listener, shutdown::signal())
        .await?;
    tracing::info!(addr = %server.local_addr, "scoring service listening (NOT_SERVING until the model is loaded)");
    scorer
        .activate(&model_path, args.seed, reload_every)
        .await
        .with_context(|| format!("loading the scoring model {}", model_path.display()))?;
    server.health.set_all(ServingStatus::Serving).await;
    server.join.await??;
    Ok(())
}
