//! `stdnav batch`: score every enterprise of an industry chain, with a
//! progress bar, bounded concurrency and a checkpoint, and write per-
//! enterprise JSON Lines and CSV plus the chain summary.
//!
//! Each result is checkpointed (Redis with --redis-url, else a redb file in
//! the output directory) as soon as it is done; the output files are written
//! from the checkpoint at the end, each to a temporary name then renamed. A
//! run killed at any point (kill -9 included) and started again skips what
//! is done and ends with exactly one result per enterprise.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use futures::StreamExt;

use stdnav_advisor::chain::{self, ChainSummary, MemberResult};
use stdnav_advisor::orchestrate::CallContext;
use stdnav_runtime::progress::{Bar, Progress};

use crate::allinone;
use crate::checkpoint::{Checkpoint, EmbeddedCheckpoint, RedisCheckpoint, run_id};
use crate::population::StoreArgs;

/// File names in the output directory.
pub const RESULTS_JSONL: &str = "results.jsonl";
pub const RESULTS_CSV: &str = "results.csv";
pub const SUMMARY_JSON: &str = "summary.json";
pub const CHECKPOINT: &str = "checkpoint.redb";
/// Most results committed to the checkpoint at once.
pub const CHECKPOINT_GROUP: usize = 256;
/// How long a group of results gathers before it is committed.
const CHECKPOINT_GATHER: std::time::Duration = std::time::Duration::from_millis(20);

#[derive(clap::Args, Debug)]
pub struct BatchArgs {
    /// The chain: its id (nev, appliances, food, chemicals), its Chinese
    /// name (家电产业链) or any chain name stored profiles use.
    #[arg(long)]
    pub chain: String,
    /// Output directory (created): results.jsonl, results.csv, summary.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Enterprises advised at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Recommendations kept per enterprise.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Start at most this many enterprises per second (0: no limit), so a
    /// batch on a shared deployment leaves room for interactive calls.
    #[arg(long, default_value_t = 0.0)]
    pub max_rate: f64,
    /// Score only shard I of N (I/N, 0-based): the enterprises whose USCC
    /// hashes to I (first 8 bytes of its SHA-256, little-endian, mod N), so
    /// N processes or cluster jobs split a chain with no coordination.
    #[arg(long, default_value = "0/1", value_parser = parse_shard)]
    pub shard: Shard,
    /// Instead of scoring, merge the outputs of shard runs (their --out
    /// directories) into --out: one result per enterprise and the summary
    /// of the whole chain.
    #[arg(long, num_args = 1..)]
    pub merge: Vec<PathBuf>,
    /// Forget the checkpoint and score every enterprise again.
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Shard I of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?}: expected I/N, e.g. 0/4"))?;
    let index: u64 = i
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: I is not a number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: N is not a number"))?;
    if count == 0 || index >= count {
        return Err(format!("{s:?}: need 0 <= I < N"));
    }
    Ok(Shard { index, count })
}

/// The shard an enterprise belongs to among `count`.
pub fn shard_of(uscc: &str, count: u64) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(uscc.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first) % count
}

/// The chain's name as profiles spell it.
fn chain_name(given: &str) -> String {
    stdnav_core::chains::chain_by_id_or_name(given)
        .map(|c| c.name_zh.clone())
        .unwrap_or_else(|| given.trim().to_string())
}

pub async fn batch(home: &Path, data: allinone::DataDir, args: BatchArgs) -> anyhow::Result<()> {
    let chain = chain_name(&args.chain);
    let tenant = args.store.tenant.clone();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    if !args.merge.is_empty() {
        return merge(&chain, &args.merge, &args.out);
    }
    let shard = args.shard;
    let run = run_id(&tenant, &chain, &shard.to_string());
    let checkpoint: Arc<dyn Checkpoint> = match &args.store.redis.url {
        Some(url) => Arc::new(RedisCheckpoint::connect(url, &args.store.redis.prefix, &run).await?),
        None => Arc::new(EmbeddedCheckpoint::open(&args.out.join(CHECKPOINT), &run)?),
    };
    if args.restart {
        checkpoint.clear().await?;
    }

    let local = allinone::start_local_with(
        home,
        data,
        false,
        false,
        args.store.redis.url.clone(),
        &args.store.redis.prefix,
    )
    .await?;
    let advisor = local.advisor();
    let ctx = CallContext {
        tenant: tenant.clone(),
        deadline: None,
        credentials: Default::default(),
    };
    let mut members = advisor
        .chain_members(&ctx, &chain)
        .await
        .map_err(|e| anyhow::anyhow!("listing the chain's enterprises: {e}"))?;
    if shard.count > 1 {
        members.retain(|m| shard_of(&m.profile.uscc, shard.count) == shard.index);
        eprintln!(
            "shard {shard}: {} of the chain's enterprises",
            members.len()
        );
    }
    if members.is_empty() {
        bail!(
            "no enterprise of tenant {tenant:?} is in chain {chain:?} (store some, e.g. `stdnav demo-data --upsert`)"
        );
    }
    let done: BTreeSet<String> = checkpoint
        .all()
        .await?
        .into_iter()
        .map(|r| r.uscc)
        .collect();
    let todo: Vec<_> = members
        .iter()
        .filter(|m| !done.contains(&m.profile.uscc))
        .cloned()
        .collect();
    eprintln!(
        "{chain}: {} enterprises; {} already done ({} checkpoint), {} to score",
        members.len(),
        members.len() - todo.len(),
        checkpoint.kind(),
        todo.len()
    );

    let bar = Arc::new(Bar::new());
    bar.stage("scoring the chain", Some(todo.len() as u64));
    // Results are committed in groups by a writer of their own, so scoring
    // goes on while a group is synced; a kill loses at most the results not
    // yet committed, and the next run scores those again.
    let (sender, mut received) = tokio::sync::mpsc::channel::<MemberResult>(CHECKPOINT_GROUP);
    let writer = {
        let checkpoint = checkpoint.clone();
        let bar = bar.clone();
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(CHECKPOINT_GROUP);
            while received.recv_many(&mut group, CHECKPOINT_GROUP).await > 0 {
                // Let a group gather: each commit is a disk sync.
                tokio::time::sleep(CHECKPOINT_GATHER).await;
                while group.len() < CHECKPOINT_GROUP
                    && let Ok(result) = received.try_recv()
                {
                    group.push(result);
                }
                checkpoint.put_all(&group).await?;
                bar.inc(group.len() as u64);
                group.clear();
            }
            anyhow::Ok(())
        })
    };
    let started = std::time::Instant::now();
    let scored = todo.len();
    let pace = (args.max_rate > 0.0).then(|| {
        let mut interval =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / args.max_rate));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    });
    let paced = futures::stream::unfold(
        (todo.into_iter(), pace),
        |(mut rest, mut pace)| async move {
            let next = rest.next()?;
            if let Some(p) = pace.as_mut() {
                p.tick().await;
            }
            Some((next, (rest, pace)))
        },
    );
    let results = paced
        .map(|record| chain::score_member(&advisor, &ctx, record, &chain, args.top))
        .buffer_unordered(usize::from(args.concurrency));
    let mut results = std::pin::pin!(results);
    while let Some(result) = results.next().await {
        if sender.send(result).await.is_err() {
            break; // the writer failed; its error is reported below
        }
    }
    drop(sender);
    writer.await??;
    bar.finish();
    let elapsed = started.elapsed();
    local.shutdown().await;

    let members: BTreeSet<String> = members.iter().map(|m| m.profile.uscc.clone()).collect();
    let mut results: Vec<MemberResult> = checkpoint
        .all()
        .await?
        .into_iter()
        .filter(|r| members.contains(&r.uscc))
        .collect();
    results.sort_by(|a, b| a.uscc.cmp(&b.uscc));
    let summary = chain::summarize(&chain, &results);
    write_outputs(&args.out, &results, &summary)?;
    eprintln!(
        "scored {scored} in {:.1} s ({:.0}/s); wrote {} results to {}",
        elapsed.as_secs_f64(),
        scored as f64 / elapsed.as_secs_f64().max(1e-9),
        results.len(),
        args.out.display()
    );
    print_summary(&summary);
    Ok(())
}

/// Merges shard outputs: every shard's results, each enterprise once (a
/// USCC in two shards is an error: the shards were not of one split).
fn merge(chain: &str, shards: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let mut results: Vec<MemberResult> = Vec::new();
    let mut seen = BTreeSet::new();
    for dir in shards {
        let path = dir.join(RESULTS_JSONL);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (did that shard finish?)", path.display()))?;
        for (i, line) in text.lines().enumerate() {
            let r: MemberResult = serde_json::from_str(line)
                .with_context(|| format!("{} line {}", path.display(), i + 1))?;
            if !seen.insert(r.uscc.clone()) {
                bail!(
                    "{} is in more than one shard's results ({})",
                    r.uscc,
                    path.display()
                );
            }
            results.push(r);
        }
    }
    results.sort_by(|a, b| a.uscc.cmp(&b.uscc));
    let summary = chain::summarize(chain, &results);
    write_outputs(out, &results, &summary)?;
    eprintln!(
        "merged {} results from {} shards into {}",
        results.len(),
        shards.len(),
        out.display()
    );
    print_summary(&summary);
    Ok(())
}

/// Writes `name` in `dir` via a temporary file and a rename, so a reader
/// (or a killed run) never leaves half a file under the real name.
fn write_atomically(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?,
        );
        fill(&mut file)?;
        file.flush()?;
        file.get_ref().sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(name))?;
    Ok(())
}

pub fn write_outputs(
    dir: &Path,
    results: &[MemberResult],
    summary: &ChainSummary,
) -> anyhow::Result<()> {
    write_atomically(dir, RESULTS_JSONL, |w| {
        for r in results {
            serde_json::to_writer(&mut *w, r)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    write_atomically(dir, RESULTS_CSV, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "uscc",
            "name",
            "segment",
            "maturity",
            "mandatory_coverage",
            "must_not_held",
            "gaps",
            "upgrades",
            "top_recommendations",
            "unmatched_products",
            "error",
        ])?;
        for r in results {
            csv.write_record([
                r.uscc.as_str(),
                r.name.as_str(),
                r.segment.as_str(),
                &format!("{:.1}", r.maturity),
                &format!("{:.3}", r.mandatory_coverage),
                &r.must_not_held.to_string(),
                &r.gaps.join("; "),
                &r.upgrades.to_string(),
                &r.top_recommendations.join("; "),
                &r.unmatched_products.join("; "),
                r.error.as_str(),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    write_atomically(dir, SUMMARY_JSON, |w| {
        serde_json::to_writer_pretty(&mut *w, summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })
}

fn print_summary(s: &ChainSummary) {
    println!(
        "{}: {} enterprises ({} failed)",
        s.chain, s.enterprises, s.failed
    );
    for seg in &s.segments {
        let name = if seg.segment.is_empty() {
            "(no segment)"
        } else {
            seg.segment.as_str()
        };
        println!(
            "  {name:<11} {:>5} enterprises, mandatory coverage {:>5.1}%, mean maturity {:.1}",
            seg.enterprises,
            100.0 * seg.mandatory_coverage,
            seg.mean_maturity
        );
    }
    if !s.common_gaps.is_empty() {
        println!("  most common gaps:");
        for g in s.common_gaps.iter().take(5) {
            println!("    {:<24} {} enterprises", g.id, g.count);
        }
    }
    if !s.unmatched_products.is_empty() {
        println!("  products with no standard found:");
        for p in s.unmatched_products.iter().take(5) {
            println!("    {:<24} {} enterprises", p.id, p.count);
        }
    }
    println!("  lagging most: {}", s.lagging.join(", "));
}
