//! Trains the default model for a seed and prints its metrics; with a path,
//! saves the artifact there. `cargo run -p stdnav-models --example train -- 42 /tmp/scoring.json`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(42);
    let started = std::time::Instant::now();
    let model = stdnav_models::train_default(seed)?;
    println!(
        "{} ({}) trained in {:?}",
        model.id(),
        model.kind(),
        started.elapsed()
    );
    for (k, v) in model.metrics() {
        println!("  {k} = {v:.4}");
    }
    if let stdnav_models::Params::Logistic { weights, intercept } = &model.artifact().params {
        println!("  intercept = {intercept:.3}");
        for (f, w) in stdnav_models::FEATURES.iter().zip(weights) {
            println!("  w[{f}] = {w:.3}");
        }
    }
    if let Some(path) = args.next() {
        model.save(&path)?;
        println!("saved to {path}");
    }
    Ok(())
}
