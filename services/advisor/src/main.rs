//! `stdnav-advisor`: the advisor as its own process.

use clap::Parser;

use stdnav_advisor::cli::Args;
use tonic::service::Routes;

use stdnav_advisor::{Advisor, AdvisorGrpc, BackendAddrs, Backends, SERVICE_NAME};
use stdnav_runtime::server::{self, Health};

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
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health::new(reporter, &[SERVICE_NAME]).await;
    let routes = Routes::new(AdvisorGrpc::new(Advisor::new(backends)).into_server());
    let handle = server::spawn(
        listener,
        routes,
        health.clone(),
        health_service,
        args.serve.options()?,
        stdnav_runtime::shutdown::signal(),
    )?;
    // The advisor holds no state: it serves as soon as it listens; its
    // backends report their own readiness.
    health.set_all(tonic_health::ServingStatus::Serving).await;
    tracing::info!(addr = %handle.local_addr, "advisor serving");
    handle.join.await??;
    Ok(())
}
