//! Profiling benchmark: a thousand demo enterprises upserted and grouped.
//!
//! `cargo bench -p stdnav-profiling --bench population [-- --count N]`
//!
//! For each store (embedded redb in a temporary directory; Redis on
//! 127.0.0.1:6379 or STDNAV_TEST_REDIS_URL when it answers), in one run:
//! generating the seeded demo population, upserting every enterprise
//! through the profiling domain (validation, enrichment, versioned write;
//! one at a time, so latencies are per call), training the k-means peer
//! model on the stored population, and a PeerGroup for every enterprise.

use std::sync::Arc;
use std::time::{Duration, Instant};

use stdnav_profiling::domain::{Profiling, Subject};
use stdnav_profiling::store::EnterpriseStore;
use stdnav_profiling::store::embedded::EmbeddedStore;
use stdnav_profiling::store::redis_store::RedisStore;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn summary(name: &str, mut times: Vec<Duration>, total: Duration) {
    times.sort();
    println!(
        "  {name:<12} n={:<5} total {:>8.1} ms  {:>8.0}/s  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        times.len(),
        total.as_secs_f64() * 1e3,
        times.len() as f64 / total.as_secs_f64(),
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    );
}

async fn run(label: &str, store: Arc<dyn EnterpriseStore>, count: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let profiling = Profiling::new(store, stdnav_core::industry::IndustryData::form_only())
        .with_peer_artifacts(dir.path());
    let tenant = "bench";
    println!("{label}:");

    let start = Instant::now();
    let profiles = stdnav_core::population::generate(count, 42);
    let generated = start.elapsed();
    println!(
        "  generate     n={count:<5} total {:>8.1} ms",
        generated.as_secs_f64() * 1e3
    );

    let mut times = Vec::with_capacity(count);
    let start = Instant::now();
    for p in &profiles {
        let t = Instant::now();
        profiling.upsert(tenant, p, None).await.expect("upsert");
        times.push(t.elapsed());
    }
    summary("upsert", times, start.elapsed());

    let start = Instant::now();
    let model = profiling.train_peers(tenant).await.expect("train");
    println!(
        "  train        n={:<5} total {:>8.1} ms  k={} (list population + k-means + save artifact)",
        model.population,
        start.elapsed().as_secs_f64() * 1e3,
        model.k
    );

    let mut times = Vec::with_capacity(count);
    let mut sizes = Vec::with_capacity(count);
    let start = Instant::now();
    for p in &profiles {
        let t = Instant::now();
        let g = profiling
            .peer_group(tenant, Subject::Stored(p.uscc.clone()))
            .await
            .expect("peer group");
        times.push(t.elapsed());
        sizes.push(g.size);
    }
    summary("peer_group", times, start.elapsed());
    sizes.sort_unstable();
    println!(
        "  group sizes  min {} median {} max {}",
        sizes[0],
        sizes[sizes.len() / 2],
        sizes[sizes.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let embedded = EmbeddedStore::open(&dir.path().join("profiles.redb")).expect("redb");
    run("embedded (redb)", Arc::new(embedded), count).await;

    let url = std::env::var("STDNAV_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    let prefix = format!("stdnav-bench-{}", std::process::id());
    match RedisStore::connect(&url, &prefix).await {
        Ok(store) => run(&format!("redis ({url})"), Arc::new(store), count).await,
        Err(e) => println!("redis: skipped, no Redis at {url}: {e}"),
    }
}
