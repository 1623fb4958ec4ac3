//! `stdnav-web`: the web face as its own process, over the gRPC services.

use std::sync::Arc;

use clap::Parser;

use stdnav_web::cli::Args;
use stdnav_web::{GrpcBackend, ServiceAddrs};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = args.log.init("stdnav-web")?;
    let backend = GrpcBackend::connect_lazy(&ServiceAddrs {
        advisor: args.advisor,
        standards: args.standards,
        profiling: args.profiling,
        changes: args.changes,
        tls: args.client.tls()?,
    })?;
    if let Some(addr) = args.metrics_listen {
        stdnav_runtime::metrics::serve(std::net::TcpListener::bind(addr)?)?;
    }
    let listener = tokio::net::TcpListener::bind(args.http_listen).await?;
    let handle = stdnav_web::spawn_with_options(
        listener,
        Arc::new(backend),
        &args.figures.options(args.cors.cors(), None),
        stdnav_runtime::shutdown::signal(),
    )?;
    handle.join.await??;
    Ok(())
}
