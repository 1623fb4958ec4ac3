//! `stdnav batch` killed with SIGKILL at growing moments and run again ends
//! with exactly one result per enterprise of the chain, resuming from its
//! checkpoint rather than starting over.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

// The checkpoint is the binary's own module: read here as the binary reads it.
#[allow(dead_code)]
#[path = "../src/checkpoint.rs"]
mod checkpoint;
use checkpoint::{Checkpoint, EmbeddedCheckpoint, run_id};

const CHAIN: &str = "家电产业链";
// Enough appliance-chain members (54 of 400 since the population spans
// fourteen chains; 150 gave 26) that a paced run lasts past the first kills.
const POPULATION: usize = 400;

/// The binary on a home of its own, over the bundled demo catalogue only
/// (an empty data directory), so the index builds in a moment.
fn stdnav(home: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stdnav"));
    cmd.arg("--home").arg(home).arg("--data").arg(data);
    cmd
}

fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("stdnav runs");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

async fn checkpointed(out: &Path) -> usize {
    let path = out.join("checkpoint.redb");
    if !path.exists() {
        return 0;
    }
    let checkpoint = EmbeddedCheckpoint::open(&path, &run_id("default", CHAIN, "0/1"))
        .expect("the checkpoint opens once the run is dead");
    checkpoint.all().await.expect("readable").len()
}

#[tokio::test]
async fn a_killed_batch_resumes_and_ends_with_one_result_per_enterprise() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = home.path().join("out");
    run_ok(stdnav(home.path(), data.path()).args([
        "demo-data",
        "--count",
        &POPULATION.to_string(),
        "--upsert",
    ]));
    let members: BTreeSet<String> = stdnav_core::population::generate(POPULATION, 42)
        .into_iter()
        .filter(|p| p.chains.iter().any(|c| c.chain == CHAIN))
        .map(|p| p.uscc)
        .collect();
    assert!(members.len() >= 20, "{} members", members.len());

    // Kill it at growing moments until one run gets to finish by itself;
    // paced at 10 enterprises/s so that kills land while it works (at 25/s
    // a loaded machine once saw the first two kills land before the first
    // commit and the third run finish).
    let mut partial = Vec::new();
    let mut finished = false;
    for attempt in 1..=8u64 {
        let mut child = stdnav(home.path(), data.path())
            .args([
                "batch",
                "--chain",
                "appliances",
                "--concurrency",
                "2",
                "--max-rate",
                "10",
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(home.path().join("batch.err")).unwrap(),
            ))
            .spawn()
            .expect("batch starts");
        tokio::time::sleep(Duration::from_millis(600 * attempt)).await;
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "batch failed: {}",
                std::fs::read_to_string(home.path().join("batch.err")).unwrap_or_default()
            );
            finished = true;
            break;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        partial.push(checkpointed(&out).await);
    }
    eprintln!("checkpointed results after each kill: {partial:?}");
    assert!(
        partial.iter().any(|n| *n > 0 && *n < members.len()),
        "no kill landed mid-run: {partial:?}"
    );

    // Run to the end (again, if the last attempt already finished: it only
    // rewrites the outputs from the checkpoint).
    let last = run_ok(
        stdnav(home.path(), data.path())
            .args(["batch", "--chain", "appliances", "--out"])
            .arg(&out),
    );
    let said = String::from_utf8_lossy(&last.stderr);
    if !finished {
        let done = partial.last().copied().unwrap_or(0);
        assert!(
            said.contains(&format!("{done} already done")),
            "resumes from the checkpoint: {said}"
        );
    }

    let jsonl = std::fs::read_to_string(out.join("results.jsonl")).unwrap();
    let usccs: Vec<String> = jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
            assert_eq!(v["error"], serde_json::Value::Null, "{l}");
            v["uscc"].as_str().unwrap().to_string()
        })
        .collect();
    let unique: BTreeSet<String> = usccs.iter().cloned().collect();
    assert_eq!(usccs.len(), unique.len(), "one result per enterprise");
    assert_eq!(unique, members, "exactly the chain's enterprises");

    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), members.len() + 1);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["enterprises"], members.len());
    assert_eq!(summary["chain"], CHAIN);
    assert!(!summary["segments"].as_array().unwrap().is_empty());
    assert!(
        std::fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")),
        "no temporary file left"
    );
}

/// N shards, each run on its own, then merged, give exactly the
/// single-process results and summary.
#[tokio::test]
async fn shards_merged_equal_the_single_run() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    run_ok(stdnav(home.path(), data.path()).args(["demo-data", "--count", "120", "--upsert"]));
    let dir = |name: &str| home.path().join(name);
    run_ok(
        stdnav(home.path(), data.path())
            .args(["batch", "--chain", "food", "--out"])
            .arg(dir("single")),
    );
    for i in 0..3 {
        run_ok(
            stdnav(home.path(), data.path())
                .args([
                    "batch",
                    "--chain",
                    "food",
                    "--shard",
                    &format!("{i}/3"),
                    "--out",
                ])
                .arg(dir(&format!("shard{i}"))),
        );
    }
    run_ok(
        stdnav(home.path(), data.path())
            .args(["batch", "--chain", "food", "--out"])
            .arg(dir("merged"))
            .arg("--merge")
            .args((0..3).map(|i| dir(&format!("shard{i}")))),
    );
    for file in ["results.jsonl", "results.csv", "summary.json"] {
        let single = std::fs::read_to_string(dir("single").join(file)).unwrap();
        let merged = std::fs::read_to_string(dir("merged").join(file)).unwrap();
        assert_eq!(single, merged, "{file}");
    }
    // Each shard holds a part, the parts are disjoint and cover the chain.
    let sizes: Vec<usize> = (0..3)
        .map(|i| {
            std::fs::read_to_string(dir(&format!("shard{i}")).join("results.jsonl"))
                .unwrap()
                .lines()
                .count()
        })
        .collect();
    let total = std::fs::read_to_string(dir("single").join("results.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(sizes.iter().sum::<usize>(), total);
    assert!(sizes.iter().all(|n| *n > 0), "{sizes:?}");
}
