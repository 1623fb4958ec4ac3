//! ListChanges at 100,000 feed entries (issue 20, item 8).
//!
//! `cargo bench -p stdnav-changes --bench feed` (`-- --entries N` for
//! another size)
//!
//! Fills one tenant's feed with N entries in the embedded store (and in
//! Redis when one answers at `STDNAV_TEST_REDIS_URL`, default
//! 127.0.0.1:6379, under a prefix of its own, trimmed away at the end),
//! then times through `Changes::list_changes` — what the RPC calls:
//! - `since=now` (a client polling for what is new: nothing);
//! - `since` = the instant the middle entry was appended, one page of 100;
//! - a `page_token` near the end, one page of 100;
//! - and, for comparison, the scan ListChanges did before the seek: the
//!   feed read from the start, filtered by time.
//!
//! Prints the percentiles of each.

use std::sync::Arc;
use std::time::{Duration, Instant};

use stdnav_changes::Changes;
use stdnav_changes::event::{ChangeEvent, ChangeKind};
use stdnav_changes::log::{ChangeLog, FeedItem, Retention};
use stdnav_core::source::{
    CatalogueSource, CatalogueView, ProfilePage, ProfileSource, ProfileSourceError,
};
use stdnav_core::standard::Standard;

const TENANT: &str = "bench";
/// More than the largest clock margin of a store (Redis: 1 s).
const MARGIN: Duration = Duration::from_millis(1100);

/// ListChanges reads the feed alone: neither enterprises nor the catalogue.
struct NoEnterprises;

#[async_trait::async_trait]
impl ProfileSource for NoEnterprises {
    async fn page(
        &self,
        _: &str,
        _: Option<&str>,
        _: usize,
    ) -> Result<ProfilePage, ProfileSourceError> {
        Ok(ProfilePage::default())
    }
}

struct NoCatalogue;

impl CatalogueSource for NoCatalogue {
    fn snapshot(&self) -> Option<Arc<dyn CatalogueView>> {
        None
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn item(i: usize) -> FeedItem {
    let s = Standard {
        id: format!("ISO {}:2024", 10_000 + i),
        title_en: format!("Bench standard number {i}"),
        ..Default::default()
    };
    FeedItem {
        event: ChangeEvent::about(
            ChangeKind::NewEdition,
            &s,
            "bench",
            stdnav_changes::now_ms(),
        )
        .seal(&[]),
        impacts: Vec::new(),
        impact_count: 0,
        subscriptions: vec!["0123456789abcdef".into()],
    }
}

fn percentiles(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q) as usize]);
    println!(
        "  {name:<44} p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms  ({} runs)",
        at(0.5),
        at(0.99),
        at(1.0),
        times.len()
    );
}

async fn time<F, Fut>(rounds: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        f().await;
    }
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f().await;
        out.push(t.elapsed());
    }
    out
}

async fn run(kind: &str, log: Arc<dyn ChangeLog>, entries: usize) {
    let changes = Arc::new(Changes::new(
        log.clone(),
        NoEnterprises,
        Arc::new(NoCatalogue),
    ));
    let filled = Instant::now();
    let mut middle_ms = 0;
    for start in (0..entries).step_by(1000) {
        if start == entries / 2 {
            // The middle instant stands apart from what came before by
            // more than the store's clock margin.
            tokio::time::sleep(MARGIN).await;
            middle_ms = stdnav_changes::now_ms();
        }
        let batch: Vec<FeedItem> = (start..(start + 1000).min(entries)).map(item).collect();
        log.append_feed(TENANT, &batch).await.expect("append");
    }
    // Likewise "now".
    tokio::time::sleep(MARGIN).await;
    println!(
        "{kind}: {entries} feed entries written in {:.1} s",
        filled.elapsed().as_secs_f64()
    );
    let now = chrono_free_rfc3339(stdnav_changes::now_ms() + 1);
    let middle = chrono_free_rfc3339(middle_ms);
    // The cursor 150 entries before the end (read once, from the start).
    let near_end = {
        let all = log.feed(TENANT, None, entries).await.expect("feed");
        assert_eq!(all.len(), entries);
        all[entries - 151].cursor.clone()
    };
    let rounds = 200;
    let c = changes.clone();
    percentiles(
        "since=now (nothing new)",
        time(rounds, || {
            let (c, now) = (c.clone(), now.clone());
            async move {
                let (page, next) = c.list_changes(TENANT, &now, 100, "", None).await.unwrap();
                assert!(page.is_empty() && next.is_none());
            }
        })
        .await,
    );
    percentiles(
        "since=middle instant, page of 100",
        time(rounds, || {
            let (c, middle) = (c.clone(), middle.clone());
            async move {
                let (page, next) = c
                    .list_changes(TENANT, &middle, 100, "", None)
                    .await
                    .unwrap();
                assert_eq!(page.len(), 100);
                assert!(next.is_some());
            }
        })
        .await,
    );
    percentiles(
        "page_token near the end, page of 100",
        time(rounds, || {
            let (c, token) = (c.clone(), near_end.clone());
            async move {
                let (page, _) = c.list_changes(TENANT, "", 100, &token, None).await.unwrap();
                assert_eq!(page.len(), 100);
            }
        })
        .await,
    );
    // What ListChanges(since=now) did before: read the whole feed.
    let now_ms = stdnav_changes::now_ms() + 1;
    percentiles(
        "before the seek: since=now as a scan",
        time(5, || {
            let log = log.clone();
            async move {
                let mut after: Option<String> = None;
                let mut kept = 0;
                loop {
                    let batch = log.feed(TENANT, after.as_deref(), 101).await.unwrap();
                    let done = batch.len() < 101;
                    for e in batch {
                        after = Some(e.cursor.clone());
                        if e.item.event.detected_ms >= now_ms {
                            kept += 1;
                        }
                    }
                    if done {
                        break;
                    }
                }
                assert_eq!(kept, 0);
            }
        })
        .await,
    );
    let trimmed = log
        .trim(
            Retention {
                max_age: Duration::from_millis(1),
                max_entries: 0,
            },
            stdnav_changes::now_ms() + 3_600_000,
        )
        .await
        .expect("trim");
    println!("  trimmed {} entries afterwards", trimmed.feeds);
}

/// An RFC 3339 instant of `ms`, as ListChanges' `since` takes it.
fn chrono_free_rfc3339(ms: u64) -> String {
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

#[tokio::main]
async fn main() {
    let mut entries = 100_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--entries" {
            entries = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--entries N");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let embedded: Arc<dyn ChangeLog> = Arc::new(
        stdnav_changes::log::embedded::EmbeddedLog::open(&dir.path().join("changes.redb"))
            .expect("embedded log"),
    );
    run("embedded (redb)", embedded, entries).await;
    match stdnav_changes::log::redis_log::RedisLog::for_tests("bench-feed").await {
        Some(redis) => run("Redis", Arc::new(redis), entries).await,
        None => println!("Redis: skipped (no Redis)"),
    }
}
