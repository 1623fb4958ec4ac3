//! `stdnav demo-data` and `stdnav peers`: the synthetic demo population and
//! the tenant's peer model, run in-process against the profile store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};

use stdnav_core::enterprise::Profile;
use stdnav_core::industry::IndustryData;
use stdnav_core::population;
use stdnav_profiling::domain::{Profiling, ProfilingError};
use stdnav_profiling::open_store;
use stdnav_runtime::cli::RedisFlags;
use stdnav_runtime::progress::{Bar, Progress};

/// Where the profile store is: Redis when a URL is given, else the
/// embedded store under --home.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    #[command(flatten)]
    pub redis: RedisFlags,
    /// Tenant whose enterprises are written or grouped.
    #[arg(long, env = "STDNAV_TENANT", default_value = "default")]
    pub tenant: String,
}

#[derive(Subcommand, Debug)]
pub enum PeersCommand {
    /// Re-train the tenant's peer model (k-means over industry, chains,
    /// size, market, region) on its stored enterprises and save the artifact
    /// under --home/models.
    Train {
        #[command(flatten)]
        store: StoreArgs,
    },
}

async fn open_profiling(
    home: &Path,
    industry: Arc<IndustryData>,
    store: &StoreArgs,
) -> anyhow::Result<Profiling> {
    let backend = open_store(store.redis.url.as_deref(), &store.redis.prefix, home)
        .await
        .context("opening the profile store (is `stdnav serve` running on the same --home?)")?;
    Ok(Profiling::new(backend, industry).with_peer_artifacts(home.join("models")))
}

/// Generates the demo population; writes it as JSON Lines and/or upserts it.
pub async fn demo_data(
    home: &Path,
    industry: Arc<IndustryData>,
    count: usize,
    seed: u64,
    out: Option<PathBuf>,
    upsert: bool,
    store: &StoreArgs,
) -> anyhow::Result<()> {
    let profiles = population::generate(count, seed);
    match &out {
        Some(path) if path.as_os_str() == "-" => {
            population::write_jsonl(&profiles, std::io::stdout().lock())?
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            population::write_jsonl(&profiles, std::io::BufWriter::new(file))?;
            eprintln!(
                "wrote {} synthetic enterprises (seed {seed}) to {}",
                profiles.len(),
                path.display()
            );
        }
        None => {}
    }
    if upsert {
        let profiling = Arc::new(open_profiling(home, industry, store).await?);
        let written = upsert_all(&profiling, &store.tenant, &profiles, &Bar::new()).await?;
        let model = profiling.train_peers(&store.tenant).await?;
        eprintln!(
            "upserted {written} synthetic enterprises into tenant {:?} ({}); peer model: k={} over {}",
            store.tenant,
            profiling.store_kind(),
            model.k,
            model.population
        );
    }
    if out.is_none() && !upsert {
        anyhow::bail!("nothing to do: pass --out FILE (or - for stdout) and/or --upsert");
    }
    Ok(())
}

/// Upserts profiles (replacing any stored version) through the domain, a
/// few at a time.
pub async fn upsert_all(
    profiling: &Arc<Profiling>,
    tenant: &str,
    profiles: &[Profile],
    progress: &dyn Progress,
) -> anyhow::Result<usize> {
    use futures::StreamExt;
    progress.stage("upserting enterprises", Some(profiles.len() as u64));
    let mut writes = futures::stream::iter(profiles)
        .map(|p| async move { (p, profiling.upsert(tenant, p, None).await) })
        .buffer_unordered(16);
    while let Some((p, write)) = writes.next().await {
        match write {
            Ok(_) => progress.inc(1),
            Err(ProfilingError::Invalid(errors)) => {
                anyhow::bail!("generated enterprise {} is invalid: {errors:?}", p.uscc)
            }
            Err(e) => return Err(e.into()),
        }
    }
    progress.finish();
    Ok(profiles.len())
}

pub async fn peers(
    home: &Path,
    industry: Arc<IndustryData>,
    command: PeersCommand,
) -> anyhow::Result<()> {
    match command {
        PeersCommand::Train { store } => {
            let profiling = open_profiling(home, industry, &store).await?;
            let model = profiling.train_peers(&store.tenant).await?;
            println!(
                "peer model for tenant {:?}: k={} clusters over {} enterprises, inertia {:.1}, population {}",
                store.tenant, model.k, model.population, model.inertia, model.population_hash
            );
            Ok(())
        }
    }
}

/// Before advising on an empty store, add the demo population so the
/// enterprise has peers to be compared with; says so on stderr. Stored
/// through the profiling service's handler in this process.
pub async fn seed_demo_if_empty(
    profiles: &crate::in_process::LocalProfiles,
    ctx: &stdnav_advisor::orchestrate::CallContext,
) -> anyhow::Result<()> {
    if !profiles.is_empty(ctx).await? {
        return Ok(());
    }
    let demo = population::generate(1000, population::DEFAULT_SEED);
    eprintln!(
        "no enterprises stored yet: adding the synthetic demo population ({} enterprises, seed {}; docs/DEMO_DATA.md) as peers",
        demo.len(),
        population::DEFAULT_SEED
    );
    let bar = Bar::new();
    bar.stage("storing demo enterprises", Some(demo.len() as u64));
    profiles.upsert_all(ctx, &demo, || bar.inc(1)).await?;
    bar.finish();
    // Trained here, not on demand inside the Advise that follows: training
    // k-means on a loaded machine can take much of its 10 s budget.
    profiles.train_peers(ctx).await?;
    Ok(())
}

/// Upserts profiles through the profiling service at `addr`, with a
/// progress bar.
pub async fn upsert_over_grpc(
    addr: std::net::SocketAddr,
    profiles: &[Profile],
    stage: &str,
) -> anyhow::Result<()> {
    use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;

    let client = ProfilingServiceClient::connect(format!("http://{addr}")).await?;
    let bar = Bar::new();
    bar.stage(stage, Some(profiles.len() as u64));
    stdnav_profiling::client::upsert_all(&client, profiles, || bar.inc(1)).await?;
    bar.finish();
    Ok(())
}
