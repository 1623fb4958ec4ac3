//! `stdnav-scoring`: the scoring service as its own process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tonic::service::Routes;

use stdnav_runtime::server::{self, Health, ServeOptions};
use stdnav_runtime::telemetry::{self, LogFormat};
use stdnav_scoring::{DEFAULT_SEED, SERVICE_NAME, Scorer, ScoringGrpc, default_model_path};

/// Serves stdnav.scoring.v1: scores candidate standards for an enterprise
/// with the model artifact, trained under --home on first start when
/// missing, and reloaded without a restart when the file changes.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "STDNAV_SCORING_LISTEN", default_value = "127.0.0.1:50063")]
    listen: SocketAddr,
    /// Directory for stdnav's own state (index cache, store, models).
    #[arg(long, env = "STDNAV_HOME", default_value = ".stdnav")]
    home: PathBuf,
    /// Model artifact; <home>/models/scoring.json when not given.
    #[arg(long, env = "STDNAV_MODEL")]
    model: Option<PathBuf>,
    /// Seed of the default model trained when the artifact is missing.
    #[arg(long, env = "STDNAV_MODEL_SEED", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Seconds between checks of the artifact for a new version (0: never reload).
    #[arg(long, env = "STDNAV_MODEL_RELOAD_SECS", default_value_t = 5.0)]
    reload_secs: f64,
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
        ServeOptions::with_keys(args.keys.as_deref())?,
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
