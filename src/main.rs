//! `stdnav`: the command line and the all-in-one server.

mod allinone;
mod batch;
mod changes;
mod check;
mod checkpoint;
mod cli;
mod evaluate;
mod in_process;
mod mine_cocited;
mod mine_terms;
mod population;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    // A server logs what it does; a one-shot command keeps stderr for
    // progress and errors.
    let default_filter = match args.command {
        cli::Command::Serve { .. } => "info",
        _ => "warn",
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The trace exporter's channel lives on the runtime.
    let _telemetry = {
        let _entered = runtime.enter();
        match stdnav_runtime::telemetry::init_with(
            args.log_format,
            default_filter,
            args.otlp_endpoint.as_deref(),
            "stdnav",
        ) {
            Ok(guard) => guard,
            Err(e) => {
                eprintln!("error: cannot set up tracing: {e:#}");
                return std::process::ExitCode::FAILURE;
            }
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
