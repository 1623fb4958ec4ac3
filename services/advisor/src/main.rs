//! `stdnav-advisor`: the advisor as its own process.

use clap::Parser;
use tonic_health::ServingStatus;

use stdnav_advisor::cli::Args;
use stdnav_advisor::{Advisor, AdvisorGrpc, BackendAddrs, Backends};
use stdnav_runtime::{Launch, server, shutdown};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-advisor")?;
    let backends = Backends::connect_lazy(&BackendAddrs {
        profiling: args.profiling,
        standards: args.standards,
        scoring: args.scoring,
        tls: args.client.tls()?,
    })?;
    let listener = server::bind(args.listen).await?;
    let server = Launch::new(args.serve.options()?)
        .add_service(AdvisorGrpc::new(Advisor::new(backends)).into_server())
        .start(listener, shutdown::signal())
        .await?;
    // The advisor holds no state: it serves as soon as it listens; its
    // backends report their own readiness.
    server.health.set_all(ServingStatus::Serving).await;
    tracing::info!(addr = %server.local_addr, "advisor serving");
    server.join.await??;
    Ok(())
}
