//! Scoring benchmark: 1,000 candidates for one enterprise, per model kind.
//!
//! `cargo bench -p stdnav-scoring --bench score`
//!
//! Trains both kinds on the default synthetic rows (seed 42), then scores
//! the same batch of 1,000 synthetic candidates 2,000 times through
//! `Scorer::score` — the call the Score RPC makes: validation of every
//! signal, features, probability, contributions and readable reasons,
//! ranked — and prints the latency percentiles of one batch.

use std::time::{Duration, Instant};

use stdnav_models::{ModelKind, synthetic_candidates, synthetic_training_set};
use stdnav_scoring::Scorer;

const BATCH: usize = 1000;
const ROUNDS: usize = 2000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let (x, y) = synthetic_training_set(42, stdnav_models::DEFAULT_TRAINING_ROWS);
    let batch: Vec<_> = synthetic_candidates(7, BATCH)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    for kind in [
        ModelKind::Logistic,
        ModelKind::DecisionTree,
        ModelKind::Forest,
    ] {
        let model = stdnav_models::train_kind(&x, &y, 42, kind).expect("training");
        let scorer = Scorer::empty();
        scorer.set_model(model);
        // Warm up caches and the allocator.
        for _ in 0..50 {
            scorer.score(&batch, 2026).expect("scores");
        }
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let scored = scorer.score(&batch, 2026).expect("scores");
            times.push(t.elapsed());
            std::hint::black_box(scored);
        }
        times.sort();
        let at = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
        println!(
            "{:<14} {BATCH} candidates × {ROUNDS}: p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({:.2} µs per candidate at p50)",
            kind.as_str(),
            at(0.50),
            at(0.99),
            at(1.0),
            at(0.50) * 1e3 / BATCH as f64
        );
    }
}
