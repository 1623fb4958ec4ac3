//! The durable event log behind one trait, in two stores: Redis Streams
//! (when Redis is configured) and an embedded redb file otherwise.
//!
//! Three parts, all keyed so that one tenant's data never mixes with
//! another's:
//! - the **catalogue log**: every catalogue change event once (deduplicated
//!   by event id), in the order detected; the fan-out reads it as a
//!   consumer group (Redis: `XREADGROUP` / `XACK`, with `XAUTOCLAIM` for
//!   entries a dead consumer left unacknowledged), so an event is fanned
//!   out at least once even when a process dies mid-way;
//! - one **feed per tenant**: the events that matter to it, deduplicated
//!   by event id, each entry at a cursor (`WatchChanges` and `ListChanges`
//!   read from a cursor on). An entry holds the event, the subscriptions it
//!   matched and how many of the tenant's enterprises it affects; the
//!   impacts themselves are stored apart, one record each under (tenant,
//!   entry), written in the same transaction as the entry and trimmed with
//!   it, so an entry's size does not grow with the enterprises it affects.
//!   Entries of older stores embed their impacts and are still read;
//! - the tenant's **subscriptions**.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::event::ChangeEvent;
use crate::impact::Impact;
use crate::subscription::Subscription;

pub mod embedded;
pub mod redis_log;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("event log unavailable: {0}")]
    Unavailable(String),
    #[error("event log error: {0}")]
    Internal(String),
    #[error("bad cursor")]
    BadCursor,
}

/// One entry of a tenant's feed, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub event: ChangeEvent,
    /// The tenant's enterprises it affects, and why: all of them when
    /// appended; as read from a feed, only those asked for
    /// ([`ChangeLog::preview`], [`ChangeLog::impacts`]).
    #[serde(default)]
    pub impacts: Vec<Impact>,
    /// How many enterprises it affects, however many `impacts` holds
    /// (set by the store; ignored when appending).
    #[serde(default)]
    pub impact_count: usize,
    /// Ids of the tenant's subscriptions it matched (empty for reminders
    /// that were asked for directly).
    #[serde(default)]
    pub subscriptions: Vec<String>,
}

impl FeedItem {
    pub fn new(event: ChangeEvent, impacts: Vec<Impact>, subscriptions: Vec<String>) -> Self {
        Self {
            event,
            impact_count: impacts.len(),
            impacts,
            subscriptions,
        }
    }

    /// The entry as stored: its impacts counted, not embedded (the store
    /// writes them apart, with the entry).
    pub(crate) fn stored(&self) -> FeedItem {
        FeedItem {
            event: self.event.clone(),
            impacts: Vec::new(),
            impact_count: self.impacts.len(),
            subscriptions: self.subscriptions.clone(),
        }
    }

    /// A stored entry as read. An entry written before impacts were stored
    /// apart embeds them all and has no count.
    pub(crate) fn read(mut self) -> FeedItem {
        if !self.impacts.is_empty() {
            self.impact_count = self.impacts.len();
        }
        self
    }

    /// Whether the stored entry embeds its impacts (written before they
    /// were stored apart).
    pub(crate) fn embeds_impacts(&self) -> bool {
        !self.impacts.is_empty()
    }
}

/// The page `offset..offset + limit` of `impacts`.
pub(crate) fn page_of(impacts: &[Impact], offset: usize, limit: usize) -> Vec<Impact> {
    impacts.iter().skip(offset).take(limit).cloned().collect()
}

/// A feed entry with its cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    pub cursor: String,
    pub item: FeedItem,
}

/// How much of the log is kept (issue 20, item 8): entries older than
/// `max_age`, and beyond the newest `max_entries`, are dropped from the
/// catalogue log (once fanned out) and from every tenant's feed, with
/// their ids. Zero keeps everything by that rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_age: std::time::Duration,
    /// Per feed, and for the catalogue log.
    pub max_entries: u64,
}

/// Entries kept by default: two years, and 100,000 per feed (catalogue
/// changes are a few thousand a year; a replay of two years of the real
/// catalogues is about 11,000 events).
pub const DEFAULT_RETENTION_DAYS: u64 = 730;
pub const DEFAULT_RETENTION_ENTRIES: u64 = 100_000;

impl Default for Retention {
    fn default() -> Self {
        Self {
            max_age: std::time::Duration::from_secs(DEFAULT_RETENTION_DAYS * 86_400),
            max_entries: DEFAULT_RETENTION_ENTRIES,
        }
    }
}

impl Retention {
    /// Keeps everything.
    pub const FOREVER: Retention = Retention {
        max_age: std::time::Duration::ZERO,
        max_entries: 0,
    };

    /// The default, changed by `STDNAV_CHANGES_RETENTION_DAYS` and
    /// `STDNAV_CHANGES_RETENTION_ENTRIES` as `env` gives them.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut r = Self::default();
        if let Some(days) = env("STDNAV_CHANGES_RETENTION_DAYS") {
            let days: f64 = days
                .trim()
                .parse()
                .ok()
                .filter(|d: &f64| d.is_finite() && *d >= 0.0)
                .ok_or_else(|| {
                    format!("STDNAV_CHANGES_RETENTION_DAYS: not a number of days: {days:?}")
                })?;
            r.max_age = std::time::Duration::from_secs_f64(days * 86_400.0);
        }
        if let Some(n) = env("STDNAV_CHANGES_RETENTION_ENTRIES") {
            r.max_entries = n.trim().parse().map_err(|_| {
                format!("STDNAV_CHANGES_RETENTION_ENTRIES: not a number of entries: {n:?}")
            })?;
        }
        Ok(r)
    }

    /// Entries appended before this instant are too old (None: no age limit).
    pub fn cutoff_ms(&self, now_ms: u64) -> Option<u64> {
        (!self.max_age.is_zero()).then(|| now_ms.saturating_sub(self.max_age.as_millis() as u64))
    }
}

/// What a trim dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trimmed {
    pub catalogue: u64,
    pub feeds: u64,
}

/// A catalogue event with its place in the catalogue log.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub cursor: String,
    pub event: ChangeEvent,
}

#[async_trait]
pub trait ChangeLog: Send + Sync {
    /// "redis" or "embedded".
    fn kind(&self) -> &'static str;

    /// Whether `cursor` has the form this store gives its cursors.
    fn valid_cursor(&self, cursor: &str) -> bool;

    /// Appends the catalogue events not logged before (by id), in order;
    /// returns how many were new. Atomic per call in both stores.
    async fn publish(&self, events: &[ChangeEvent]) -> Result<usize, LogError>;

    /// Catalogue events after `after`, oldest first.
    async fn catalogue(&self, after: Option<&str>, limit: usize) -> Result<Vec<Logged>, LogError>;

    /// Catalogue events for the fan-out: first those delivered to
    /// `consumer` and not acknowledged, then those another consumer left
    /// unacknowledged for long, then new ones.
    async fn claim(&self, consumer: &str, limit: usize) -> Result<Vec<Logged>, LogError>;

    /// Acknowledges fanned-out catalogue events.
    async fn ack(&self, cursors: &[String]) -> Result<(), LogError>;

    /// Appends to the tenant's feed the items whose event id is not in it
    /// yet, each with its impacts (stored apart from the entry, in the same
    /// transaction); returns how many were new.
    async fn append_feed(&self, tenant: &str, items: &[FeedItem]) -> Result<usize, LogError>;

    /// The tenant's feed after `after`, oldest first; each entry with its
    /// `impact_count` and no impacts (entries written before impacts were
    /// stored apart: all of them). [`ChangeLog::preview`] reads some.
    async fn feed(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FeedEntry>, LogError>;

    /// A page of the impacts of the tenant's feed entry at `cursor`: from
    /// the `offset`-th, at most `limit`, with how many the entry has in
    /// all. None when the tenant's feed has no entry there (never, or
    /// trimmed).
    async fn impacts(
        &self,
        tenant: &str,
        cursor: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Option<(usize, Vec<Impact>)>, LogError>;

    /// Sets each entry's `impacts` (as [`ChangeLog::feed`] read them) to
    /// its first `limit`, in one read.
    async fn preview(
        &self,
        tenant: &str,
        entries: &mut [FeedEntry],
        limit: usize,
    ) -> Result<(), LogError>;

    /// The cursor of the tenant's last feed entry.
    async fn feed_end(&self, tenant: &str) -> Result<Option<String>, LogError>;

    /// A cursor from which the tenant's feed holds every entry appended at
    /// or after `since_ms`, found by a seek, not a scan (None: from the
    /// start). Entries after it may be older (the caller filters); none
    /// before it is as new.
    async fn feed_at(&self, tenant: &str, since_ms: u64) -> Result<Option<String>, LogError>;

    /// How far this store's clock (the instants `feed_at` seeks by) may run
    /// behind the clocks of the processes that detect events: the embedded
    /// store's is the detecting process's own.
    fn clock_margin_ms(&self) -> u64 {
        0
    }

    /// Drops what `retention` no longer keeps, with the ids that
    /// deduplicate it: from every feed, and from the catalogue log what the
    /// fan-out has acknowledged. Safe to run from several processes.
    async fn trim(&self, retention: Retention, now_ms: u64) -> Result<Trimmed, LogError>;

    async fn put_subscription(&self, sub: &Subscription) -> Result<(), LogError>;
    async fn delete_subscription(&self, tenant: &str, id: &str) -> Result<bool, LogError>;
    async fn subscriptions(&self, tenant: &str) -> Result<Vec<Subscription>, LogError>;
    /// Tenants with at least one subscription.
    async fn subscribed_tenants(&self) -> Result<Vec<String>, LogError>;
}

/// The conformance suite both stores pass.
#[cfg(test)]
pub mod suite {
    use super::*;
    use crate::event::{ChangeEvent, ChangeKind};
    use crate::subscription::{Target, TargetKind};
    use stdnav_core::standard::Standard;

    pub fn event(code: &str, kind: ChangeKind) -> ChangeEvent {
        let s = Standard {
            id: code.into(),
            ..Default::default()
        };
        ChangeEvent::about(kind, &s, "suite", 1).seal(&[])
    }

    fn item(code: &str) -> FeedItem {
        FeedItem::new(event(code, ChangeKind::Withdrawn), Vec::new(), Vec::new())
    }

    /// An impact on enterprise `n`, about as large as a real one.
    pub fn impact(n: usize) -> Impact {
        Impact {
            uscc: format!("91110000{n:010}"),
            name: format!("示例企业 {n} 有限公司"),
            reasons: vec![crate::impact::Reason::References {
                held: "GB 4706.13-2014".into(),
                path: vec!["GB 4706.13-2014".into(), "GB 4706.1-2005".into()],
            }],
        }
    }

    /// The feed entries of [`impacts_written`]: a tenant's entries
    /// affecting 10 and 2,000 enterprises, and another tenant's.
    pub struct Written {
        pub tenant: String,
        pub small: String,
        pub large: String,
        pub other_tenant: String,
        pub other: String,
    }

    /// Impacts are stored apart from their entries and paged (issue 20,
    /// item 8): the entry holds their count; a preview and the pages read
    /// them back in order, each exactly once, per tenant.
    pub async fn impacts_written(log: &dyn ChangeLog, ns: &str) -> Written {
        let t = format!("{ns}-imp");
        let t2 = format!("{ns}-imp2");
        let small: Vec<Impact> = (0..10).map(impact).collect();
        let large: Vec<Impact> = (0..2000).map(impact).collect();
        let items = [
            FeedItem::new(
                event("GB 1:2000", ChangeKind::Withdrawn),
                small.clone(),
                vec!["s".into()],
            ),
            FeedItem::new(
                event("GB 2:2000", ChangeKind::Withdrawn),
                large.clone(),
                vec!["s".into()],
            ),
        ];
        assert_eq!(log.append_feed(&t, &items).await.unwrap(), 2);
        // Appended again: nothing new, impacts not doubled.
        assert_eq!(log.append_feed(&t, &items).await.unwrap(), 0);
        let theirs: Vec<Impact> = (5000..5005).map(impact).collect();
        let other = FeedItem::new(
            event("GB 3:2000", ChangeKind::Withdrawn),
            theirs.clone(),
            vec![],
        );
        assert_eq!(log.append_feed(&t2, &[other]).await.unwrap(), 1);

        let mut feed = log.feed(&t, None, 10).await.unwrap();
        assert_eq!(
            feed.iter()
                .map(|e| (e.item.impact_count, e.item.impacts.len()))
                .collect::<Vec<_>>(),
            [(10, 0), (2000, 0)],
            "entries count their impacts and hold none"
        );
        log.preview(&t, &mut feed, 3).await.unwrap();
        assert_eq!(feed[0].item.impacts, small[..3]);
        assert_eq!(feed[1].item.impacts, large[..3]);

        // Pages of 300 through the 2,000: each exactly once, in order.
        let (large_at, small_at) = (feed[1].cursor.clone(), feed[0].cursor.clone());
        let mut paged = Vec::new();
        loop {
            let (total, page) = log
                .impacts(&t, &large_at, paged.len(), 300)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(total, 2000);
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        assert_eq!(paged, large);
        let (total, page) = log.impacts(&t, &small_at, 8, 100).await.unwrap().unwrap();
        assert_eq!((total, page.as_slice()), (10, &small[8..]));

        // Per tenant: another tenant's cursor names nothing of this one's.
        let other_at = log.feed(&t2, None, 10).await.unwrap()[0].cursor.clone();
        let (total, page) = log.impacts(&t2, &other_at, 0, 100).await.unwrap().unwrap();
        assert_eq!((total, page), (5, theirs));
        assert_eq!(log.impacts(&t2, &large_at, 0, 100).await.unwrap(), None);
        assert_eq!(
            log.impacts("nobody", &small_at, 0, 100).await.unwrap(),
            None
        );
        Written {
            tenant: t,
            small: small_at,
            large: large_at,
            other_tenant: t2,
            other: other_at,
        }
    }

    /// Retention trims an entry's impacts with it.
    pub async fn impacts_trimmed(log: &dyn ChangeLog, w: &Written) {
        let one = Retention {
            max_age: std::time::Duration::ZERO,
            max_entries: 1,
        };
        log.trim(one, crate::now_ms()).await.unwrap();
        assert_eq!(
            log.impacts(&w.tenant, &w.small, 0, 100).await.unwrap(),
            None
        );
        let (total, page) = log
            .impacts(&w.tenant, &w.large, 0, 5)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((total, page.len()), (2000, 5));
        assert!(
            log.impacts(&w.other_tenant, &w.other, 0, 5)
                .await
                .unwrap()
                .is_some()
        );
    }

    pub async fn run(log: &dyn ChangeLog, ns: &str) {
        // Catalogue log: dedupe by id, order kept, paging by cursor.
        let a = event("ISO 1:2000", ChangeKind::Withdrawn);
        let b = event("ISO 2:2000", ChangeKind::NewEdition);
        let c = event("ISO 3:2000", ChangeKind::Replaced);
        assert_eq!(log.publish(&[a.clone(), b.clone()]).await.unwrap(), 2);
        assert_eq!(
            log.publish(&[a.clone(), b.clone(), c.clone()])
                .await
                .unwrap(),
            1
        );
        let all = log.catalogue(None, 10).await.unwrap();
        let ids: Vec<_> = all.iter().map(|l| l.event.id.clone()).collect();
        assert_eq!(ids, [a.id.clone(), b.id.clone(), c.id.clone()]);
        assert!(all.iter().all(|l| log.valid_cursor(&l.cursor)));
        let rest = log.catalogue(Some(&all[0].cursor), 10).await.unwrap();
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[0].event, b);

        // Fan-out: claimed events come back until acknowledged.
        let first = log.claim("w1", 2).await.unwrap();
        assert_eq!(first.len(), 2);
        // Not acknowledged: the same consumer gets them again first.
        // (Redis gives the pending ones alone, redb may add new ones after them.)
        let again = log.claim("w1", 10).await.unwrap();
        assert_eq!(
            again
                .iter()
                .take(2)
                .map(|l| &l.event.id)
                .collect::<Vec<_>>(),
            first.iter().map(|l| &l.event.id).collect::<Vec<_>>()
        );
        log.ack(&first.iter().map(|l| l.cursor.clone()).collect::<Vec<_>>())
            .await
            .unwrap();
        let next = log.claim("w1", 10).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].event, c);
        log.ack(&[next[0].cursor.clone()]).await.unwrap();
        assert!(log.claim("w1", 10).await.unwrap().is_empty());

        // Feeds: per tenant, deduplicated, resumable.
        let t1 = format!("{ns}-t1");
        let t2 = format!("{ns}-t2");
        assert_eq!(log.feed_end(&t1).await.unwrap(), None);
        assert_eq!(
            log.append_feed(&t1, &[item("A:1"), item("B:1")])
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            log.append_feed(&t1, &[item("B:1"), item("C:1")])
                .await
                .unwrap(),
            1
        );
        let feed = log.feed(&t1, None, 10).await.unwrap();
        let codes: Vec<_> = feed
            .iter()
            .map(|e| e.item.event.standard.as_str())
            .collect();
        assert_eq!(codes, ["A:1", "B:1", "C:1"]);
        let after = log.feed(&t1, Some(&feed[1].cursor), 10).await.unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].item.event.standard, "C:1");
        assert_eq!(
            log.feed_end(&t1).await.unwrap(),
            Some(feed[2].cursor.clone())
        );
        assert!(log.feed(&t2, None, 10).await.unwrap().is_empty());
        // Another tenant may hold the same event: feeds dedupe per tenant.
        assert_eq!(log.append_feed(&t2, &[item("A:1")]).await.unwrap(), 1);
        assert_eq!(log.feed(&t1, None, 10).await.unwrap().len(), 3);

        // Seeks by time: from a cursor at or before the first entry appended
        // since then; nothing skipped that is as new.
        let now = crate::now_ms();
        let at = log.feed_at(&t1, now + 60_000).await.unwrap();
        assert!(
            log.feed(&t1, at.as_deref(), 10).await.unwrap().is_empty(),
            "nothing appended in the future"
        );
        let at = log.feed_at(&t1, now - 600_000).await.unwrap();
        assert_eq!(log.feed(&t1, at.as_deref(), 10).await.unwrap().len(), 3);

        // Retention: by count, ids dropped with the entries (an event
        // appended again after its entry was trimmed is new again).
        let kept = Retention {
            max_age: std::time::Duration::ZERO,
            max_entries: 2,
        };
        let trimmed = log.trim(kept, now).await.unwrap();
        assert!(trimmed.feeds >= 1, "{trimmed:?}");
        let feed = log.feed(&t1, None, 10).await.unwrap();
        let codes: Vec<_> = feed
            .iter()
            .map(|e| e.item.event.standard.as_str())
            .collect();
        assert_eq!(codes, ["B:1", "C:1"]);
        assert_eq!(log.catalogue(None, 10).await.unwrap().len(), 2);
        assert_eq!(log.append_feed(&t1, &[item("A:1")]).await.unwrap(), 1);
        // By age: everything appended before the cutoff.
        let old = Retention {
            max_age: std::time::Duration::from_secs(1),
            max_entries: 0,
        };
        let last = log.feed_end(&t1).await.unwrap().unwrap();
        log.trim(old, now + 3_600_000).await.unwrap();
        assert!(log.feed(&t1, None, 10).await.unwrap().is_empty());
        // Cursors never repeat, even after the feed was emptied.
        assert_eq!(log.append_feed(&t1, &[item("D:1")]).await.unwrap(), 1);
        let order = |c: &str| -> (u64, u64) {
            let (a, b) = c.split_once('-').unwrap_or((c, "0"));
            (a.parse().unwrap(), b.parse().unwrap())
        };
        let fresh = log.feed(&t1, None, 10).await.unwrap();
        assert_eq!(fresh.len(), 1);
        assert!(
            order(&fresh[0].cursor) > order(&last),
            "{fresh:?} after {last}"
        );
        assert!(log.catalogue(None, 10).await.unwrap().is_empty());
        assert_eq!(log.publish(std::slice::from_ref(&a)).await.unwrap(), 1);

        // Subscriptions, per tenant.
        let target = Target::parse(Some(TargetKind::IcsGroup), "97.040").unwrap();
        let s1 = Subscription::new(&t1, target.clone(), "", 5);
        log.put_subscription(&s1).await.unwrap();
        log.put_subscription(&s1).await.unwrap();
        assert_eq!(
            log.subscriptions(&t1).await.unwrap(),
            std::slice::from_ref(&s1)
        );
        assert!(log.subscriptions(&t2).await.unwrap().is_empty());
        assert!(log.subscribed_tenants().await.unwrap().contains(&t1));
        assert!(!log.delete_subscription(&t2, &s1.id).await.unwrap());
        assert!(log.delete_subscription(&t1, &s1.id).await.unwrap());
        assert!(log.subscriptions(&t1).await.unwrap().is_empty());
        assert!(!log.subscribed_tenants().await.unwrap().contains(&t1));
    }
}
