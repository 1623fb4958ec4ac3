//! `stdnav-load`: a load generator for the advisor's gRPC API.
//!
//! Open loop at a fixed rate (`--rate`, requests are due at start + i/rate
//! and latency is measured from when each was due, so a slow server cannot
//! hide queueing — no coordinated omission), or closed loop (`--rate 0`,
//! `--connections` workers back to back). Every response status is counted;
//! latencies go into an HDR histogram. Before the run it can store the demo
//! population through the profiling service so Advise works on stored
//! enterprises with real peers.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use tonic::transport::{Channel, ClientTlsConfig};

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Load generator for the stdnav advisor (Advise over gRPC)"
)]
struct Args {
    /// The advisor (or an all-in-one `stdnav serve`).
    #[arg(long, default_value = "http://127.0.0.1:50060")]
    addr: String,
    /// The profiling service, to store the demo population first.
    #[arg(long, default_value = "http://127.0.0.1:50061")]
    profiling: String,
    /// Demo enterprises to store and advise, round robin (seed 42).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    population: u64,
    /// Requests per second (open loop); 0 for closed loop.
    #[arg(long, default_value_t = 300.0)]
    rate: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Warm-up seconds at the same rate, not measured.
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// HTTP/2 connections to spread calls over (and closed-loop workers).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Recommendations per answer.
    #[arg(long, default_value_t = 10)]
    top: u32,
    /// Per-call deadline in milliseconds.
    #[arg(long, default_value_t = 2000)]
    deadline_ms: u64,
    /// Most calls in flight in open loop; beyond it a due call is counted as
    /// `client_overloaded` and not sent.
    #[arg(long, default_value_t = 2000)]
    max_in_flight: usize,
    /// Wait until these servers' grpc.health.v1 says SERVING (all their
    /// services) before starting; repeat for each. Default: --addr and --profiling.
    #[arg(long)]
    ready: Vec<String>,
    /// How long to wait for readiness, in seconds.
    #[arg(long, default_value_t = 300.0)]
    ready_timeout: f64,
    /// TLS towards the servers.
    #[command(flatten)]
    client: stdnav_runtime::cli::ClientFlags,
}

/// Waits until the server at `addr` reports SERVING for all its services
/// (the empty service name).
async fn wait_ready(
    addr: &str,
    tls: Option<&ClientTlsConfig>,
    timeout: Duration,
) -> anyhow::Result<()> {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let until = Instant::now() + timeout;
    loop {
        if let Ok(channel) = connect(addr, tls).await {
            let status = HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await
                .map(|r| r.into_inner().status);
            if matches!(status, Ok(s) if s == ServingStatus::Serving as i32) {
                return Ok(());
            }
        }
        if Instant::now() > until {
            anyhow::bail!("{addr} is not SERVING after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[derive(Default)]
struct Tally {
    histogram: Option<Histogram<u64>>,
    statuses: BTreeMap<String, u64>,
}

impl Tally {
    fn new() -> Self {
        Self {
            histogram: Histogram::new_with_bounds(1, 60_000_000, 3).ok(),
            statuses: BTreeMap::new(),
        }
    }

    fn count(&mut self, status: &str) {
        *self.statuses.entry(status.to_string()).or_insert(0) += 1;
    }

    fn record(&mut self, latency: Duration, status: &str) {
        if let Some(h) = &mut self.histogram {
            let _ = h.record(latency.as_micros().clamp(1, 60_000_000) as u64);
        }
        *self.statuses.entry(status.to_string()).or_insert(0) += 1;
    }
}

/// The tally, even if a recording task panicked while holding it.
fn lock(tally: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    tally.lock().unwrap_or_else(|e| e.into_inner())
}

async fn connect(addr: &str, tls: Option<&ClientTlsConfig>) -> anyhow::Result<Channel> {
    Ok(stdnav_runtime::client::endpoint(addr, tls)?
        .connect()
        .await?)
}

/// Stores the demo population (idempotent: upserts) and returns the USCCs.
async fn store_population(
    addr: &str,
    tls: Option<&ClientTlsConfig>,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let profiles = stdnav_core::population::generate(n, stdnav_core::population::DEFAULT_SEED);
    let client = ProfilingServiceClient::new(connect(addr, tls).await?);
    stdnav_profiling::client::upsert_all(&client, &profiles, || {}).await?;
    Ok(profiles.into_iter().map(|p| p.uscc).collect())
}

async fn advise_once(
    client: &mut AdvisorServiceClient<Channel>,
    uscc: &str,
    top: u32,
    deadline: Duration,
) -> String {
    let mut request = tonic::Request::new(apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Uscc(uscc.to_string())),
        top,
    });
    request.set_timeout(deadline);
    match client.advise(request).await {
        Ok(r) if r.get_ref().partial => "OK (partial)".to_string(),
        Ok(_) => "OK".to_string(),
        Err(s) => format!("{:?}", s.code()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tls = args.client.tls()?;
    let ready = if args.ready.is_empty() {
        vec![args.addr.clone(), args.profiling.clone()]
    } else {
        args.ready.clone()
    };
    for addr in &ready {
        wait_ready(
            addr,
            tls.as_ref(),
            Duration::from_secs_f64(args.ready_timeout),
        )
        .await?;
    }
    let started = Instant::now();
    let usccs = store_population(&args.profiling, tls.as_ref(), args.population as usize).await?;
    eprintln!(
        "stored {} demo enterprises in {:.1} s",
        usccs.len(),
        started.elapsed().as_secs_f64()
    );
    let mut clients = Vec::new();
    for _ in 0..args.connections.max(1) {
        clients.push(AdvisorServiceClient::new(
            connect(&args.addr, tls.as_ref()).await?,
        ));
    }
    let deadline = Duration::from_millis(args.deadline_ms);
    let usccs = Arc::new(usccs);

    for (phase, seconds, measured) in [
        ("warm-up", args.warmup, false),
        ("measured", args.duration, true),
    ] {
        if seconds <= 0.0 {
            continue;
        }
        let phase_tally = Arc::new(Mutex::new(Tally::new()));
        let started = Instant::now();
        let total = if args.rate > 0.0 {
            open_loop(&args, &clients, &usccs, &phase_tally, seconds, deadline).await
        } else {
            closed_loop(&args, &clients, &usccs, &phase_tally, seconds, deadline).await
        };
        let elapsed = started.elapsed().as_secs_f64();
        eprintln!("{phase}: {total} calls in {elapsed:.1} s");
        if measured {
            let t = lock(&phase_tally);
            report(&args, &t, elapsed);
            let failed: u64 = t
                .statuses
                .iter()
                .filter(|(k, _)| !k.starts_with("OK"))
                .map(|(_, v)| v)
                .sum();
            return Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends a call every 1/rate seconds regardless of answers.
async fn open_loop(
    args: &Args,
    clients: &[AdvisorServiceClient<Channel>],
    usccs: &Arc<Vec<String>>,
    tally: &Arc<Mutex<Tally>>,
    seconds: f64,
    deadline: Duration,
) -> u64 {
    let n = (args.rate * seconds).round() as u64;
    let start = Instant::now();
    let in_flight = Arc::new(tokio::sync::Semaphore::new(args.max_in_flight));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let due = start + Duration::from_secs_f64(i as f64 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            lock(tally).count("client_overloaded");
            continue;
        };
        let mut client = clients[i as usize % clients.len()].clone();
        let uscc = usccs[i as usize % usccs.len()].clone();
        let tally = tally.clone();
        let top = args.top;
        tasks.spawn(async move {
            let status = advise_once(&mut client, &uscc, top, deadline).await;
            // From when the call was due, not when it was sent.
            let latency = due.elapsed();
            lock(&tally).record(latency, &status);
            drop(permit);
        });
    }
    while tasks.join_next().await.is_some() {}
    n
}

/// `--connections` workers, each sending its next call when the last returns.
async fn closed_loop(
    args: &Args,
    clients: &[AdvisorServiceClient<Channel>],
    usccs: &Arc<Vec<String>>,
    tally: &Arc<Mutex<Tally>>,
    seconds: f64,
    deadline: Duration,
) -> u64 {
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for (w, client) in clients.iter().enumerate() {
        let mut client = client.clone();
        let usccs = usccs.clone();
        let tally = tally.clone();
        let top = args.top;
        let workers = clients.len();
        tasks.spawn(async move {
            let mut i = w;
            let mut sent = 0u64;
            while Instant::now() < end {
                let t = Instant::now();
                let status = advise_once(&mut client, &usccs[i % usccs.len()], top, deadline).await;
                lock(&tally).record(t.elapsed(), &status);
                i += workers;
                sent += 1;
            }
            sent
        });
    }
    let mut total = 0;
    while let Some(Ok(n)) = tasks.join_next().await {
        total += n;
    }
    total
}

fn report(args: &Args, t: &Tally, elapsed: f64) {
    let count: u64 = t.statuses.values().sum();
    let mode = if args.rate > 0.0 {
        format!("open loop at {} req/s", args.rate)
    } else {
        format!("closed loop, {} workers", args.connections)
    };
    println!(
        "{mode}: {count} calls in {elapsed:.1} s = {:.0} calls/s",
        count as f64 / elapsed
    );
    if let Some(h) = &t.histogram {
        let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            ms(0.50),
            ms(0.90),
            ms(0.99),
            ms(0.999),
            h.max() as f64 / 1000.0
        );
    }
    let statuses: Vec<String> = t
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!("statuses: {}", statuses.join(", "));
    // Useful throughput: complete answers, the figure that must hold up
    // under overload.
    let complete = t.statuses.get("OK").copied().unwrap_or(0);
    println!(
        "useful: {complete} complete answers = {:.0}/s",
        complete as f64 / elapsed
    );
}
