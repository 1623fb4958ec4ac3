//! The changes domain: recording catalogue changes, fanning them out to
//! the tenants that watch them, subscriptions, feeds, reminders and
//! digests — no transport types.

use std::sync::Arc;
use std::time::Duration;

use stdnav_core::catalogue::Catalogue;
use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_core::source::{CatalogueSource, CatalogueView, IngestObserver, ProfileSource};
use tokio::sync::{Notify, mpsc};

use crate::error::ChangesError;
use crate::event::{ChangeEvent, diff};
use crate::impact::{exposures, impacts};
use crate::log::{ChangeLog, FeedEntry, FeedItem};
use crate::subscription::{Subscription, Target, TargetKind, check_note};

/// Largest page of ListChanges.
pub const MAX_PAGE: u32 = 500;
/// Impacts a ListChanges or WatchChanges entry carries when the request
/// does not say (its `impact_count` tells how many there are; ListImpacts
/// pages through them).
pub const DEFAULT_ENTRY_IMPACTS: u32 = 10;
/// Most impacts a ListChanges or WatchChanges entry carries: a page of 500
/// entries stays well under the 16 MiB message limit.
pub const MAX_ENTRY_IMPACTS: u32 = 100;
/// ListImpacts' page size when the request does not say, and its largest.
pub const DEFAULT_IMPACTS_PAGE: u32 = 100;
pub const MAX_IMPACTS_PAGE: u32 = 1000;

/// A page of one feed entry's impacts.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactsPage {
    pub impacts: Vec<crate::impact::Impact>,
    /// How many the entry has in all.
    pub impact_count: usize,
    /// The token of the next page; None on the last.
    pub next: Option<String>,
}

const FANOUT_BATCH: usize = 100;
/// How often the fan-out applies the retention.
const TRIM_EVERY: Duration = Duration::from_secs(3600);
const WATCH_BATCH: usize = 100;

pub struct Changes {
    log: Arc<dyn ChangeLog>,
    profiles: Arc<dyn ProfileSource>,
    catalogue: Arc<dyn CatalogueSource>,
    /// Woken when a feed grows in this process.
    feed_grew: Arc<Notify>,
    /// Woken when the catalogue log grows in this process.
    published: Arc<Notify>,
    /// This process's name in the fan-out consumer group.
    consumer: String,
    /// How often watchers and the fan-out look for what other processes wrote.
    poll: Duration,
    /// What the log keeps; the fan-out trims the rest.
    retention: crate::log::Retention,
}

impl Changes {
    /// `profiles`: [`crate::profiles::RemoteProfiles`], or the profile
    /// store of this process; `catalogue`: [`crate::replica::RemoteCatalogue`],
    /// or the standards domain or store of this process.
    pub fn new(
        log: Arc<dyn ChangeLog>,
        profiles: impl ProfileSource + 'static,
        catalogue: Arc<dyn CatalogueSource>,
    ) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        Self {
            log,
            profiles: Arc::new(profiles),
            catalogue,
            feed_grew: Arc::new(Notify::new()),
            published: Arc::new(Notify::new()),
            consumer: format!("{host}-{}", std::process::id()),
            poll: Duration::from_millis(500),
            retention: crate::log::Retention::default(),
        }
    }

    /// Keeps `retention` of the log instead of the default.
    pub fn with_retention(mut self, retention: crate::log::Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Applies the retention now.
    pub async fn trim(&self) -> Result<crate::log::Trimmed, ChangesError> {
        let trimmed = self.log.trim(self.retention, crate::now_ms()).await?;
        if trimmed != crate::log::Trimmed::default() {
            tracing::info!(
                catalogue = trimmed.catalogue,
                feeds = trimmed.feeds,
                "change log trimmed by the retention"
            );
        }
        Ok(trimmed)
    }

    /// Names this process in the fan-out consumer group (default: host and pid).
    pub fn with_consumer(mut self, consumer: &str) -> Self {
        self.consumer = consumer.to_string();
        self
    }

    pub fn with_poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    pub fn log(&self) -> &Arc<dyn ChangeLog> {
        &self.log
    }

    pub fn kind(&self) -> &'static str {
        self.log.kind()
    }

    /// Records the changes between two catalogues (before and after an
    /// ingest of `source`); returns the events detected (all of them,
    /// including any already logged).
    pub async fn record_ingest(
        &self,
        before: &Catalogue,
        after: &Catalogue,
        source: &str,
    ) -> Result<Vec<ChangeEvent>, ChangesError> {
        let events = diff(before, after, source, crate::now_ms());
        self.publish(&events).await?;
        Ok(events)
    }

    /// The standards service's ingest observer: records the difference
    /// as change events before the Ingest call returns. Call it on the
    /// runtime; the observer runs on the blocking pool, where Ingest runs.
    pub fn ingest_observer(self: &Arc<Self>) -> IngestObserver {
        let runtime = tokio::runtime::Handle::current();
        let this = self.clone();
        Arc::new(move |before, after, source| {
            runtime
                .block_on(this.record_ingest(before, after, source))
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    /// Appends catalogue events to the log (idempotent by id) and wakes the fan-out.
    pub async fn publish(&self, events: &[ChangeEvent]) -> Result<usize, ChangesError> {
        if events.is_empty() {
            return Ok(0);
        }
        let added = self.log.publish(events).await?;
        tracing::info!(
            detected = events.len(),
            new = added,
            "catalogue change events"
        );
        self.published.notify_waiters();
        Ok(added)
    }

    /// Every enterprise of `tenant`.
    pub async fn enterprises(&self, tenant: &str) -> Result<Vec<EnterpriseRecord>, ChangesError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.profiles.page(tenant, after.as_deref(), 500).await?;
            out.extend(page.records);
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// The catalogue now.
    pub fn catalogue_now(&self) -> Result<Arc<dyn CatalogueView>, ChangesError> {
        self.snapshot()
    }

    fn snapshot(&self) -> Result<Arc<dyn CatalogueView>, ChangesError> {
        self.catalogue.snapshot().ok_or(ChangesError::NotReady)
    }

    /// One round of fan-out: takes a batch of catalogue events (pending
    /// ones first), appends to each subscribed tenant's feed the ones that
    /// match its subscriptions, with their impacts on its enterprises, and
    /// only then acknowledges them. Returns how many events it handled.
    pub async fn fan_out_once(&self) -> Result<usize, ChangesError> {
        let batch = self.log.claim(&self.consumer, FANOUT_BATCH).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let snap = self.snapshot()?;
        for tenant in self.log.subscribed_tenants().await? {
            let subs = self.log.subscriptions(&tenant).await?;
            if subs.is_empty() {
                continue;
            }
            let enterprises = self.enterprises(&tenant).await?;
            let exposures = exposures(&enterprises, snap.catalogue());
            let mut items = Vec::new();
            for logged in &batch {
                let event = &logged.event;
                let found = impacts(event, &exposures);
                let matched: Vec<String> = subs
                    .iter()
                    .filter(|s| s.target.matches(event, &found, &enterprises))
                    .map(|s| s.id.clone())
                    .collect();
                if !matched.is_empty() {
                    items.push(FeedItem::new(event.clone(), found, matched));
                }
            }
            let added = self.log.append_feed(&tenant, &items).await?;
            if added > 0 {
                tracing::debug!(%tenant, added, "feed entries");
            }
        }
        let cursors: Vec<String> = batch.iter().map(|l| l.cursor.clone()).collect();
        self.log.ack(&cursors).await?;
        self.feed_grew.notify_waiters();
        Ok(batch.len())
    }

    /// Fans out until nothing is left; returns how many events it handled.
    pub async fn fan_out(&self) -> Result<usize, ChangesError> {
        let mut total = 0;
        loop {
            let n = self.fan_out_once().await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Runs the fan-out in the background until `shutdown` resolves:
    /// woken by this process's publishes, and polling for other processes'.
    /// Errors (Redis away, catalogue loading) are logged and retried; what
    /// was not acknowledged is taken again.
    pub fn spawn_fanout(
        self: &Arc<Self>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            let mut trimmed_at: Option<tokio::time::Instant> = None;
            loop {
                if trimmed_at.is_none_or(|t| t.elapsed() >= TRIM_EVERY) {
                    trimmed_at = Some(tokio::time::Instant::now());
                    if let Err(e) = this.trim().await {
                        tracing::warn!(error = %e, "trimming the change log failed; retrying later");
                    }
                }
                let woken = this.published.notified();
                let wait = match this.fan_out().await {
                    Ok(_) => this.poll,
                    Err(ChangesError::NotReady) => this.poll,
                    Err(e) => {
                        tracing::warn!(error = %e, "fan-out failed; retrying");
                        this.poll * 2
                    }
                };
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = woken => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        })
    }

    pub async fn subscribe(
        &self,
        tenant: &str,
        kind: Option<TargetKind>,
        value: &str,
        note: &str,
    ) -> Result<Subscription, ChangesError> {
        let mut violations = Vec::new();
        let target = Target::parse(kind, value)
            .map_err(|v| violations.extend(v))
            .ok();
        if let Err(v) = check_note(note) {
            violations.extend(v);
        }
        let Some(target) = target.filter(|_| violations.is_empty()) else {
            return Err(ChangesError::InvalidArgument(violations));
        };
        // Subscribing again keeps the first subscription (and its time).
        let sub = Subscription::new(tenant, target, note, crate::now_ms());
        if let Some(existing) = self
            .log
            .subscriptions(tenant)
            .await?
            .into_iter()
            .find(|s| s.id == sub.id)
        {
            return Ok(existing);
        }
        self.log.put_subscription(&sub).await?;
        Ok(sub)
    }

    pub async fn unsubscribe(&self, tenant: &str, id: &str) -> Result<bool, ChangesError> {
        if id.trim().is_empty() {
            return Err(ChangesError::invalid("id", "give the subscription id"));
        }
        Ok(self.log.delete_subscription(tenant, id).await?)
    }

    pub async fn subscriptions(&self, tenant: &str) -> Result<Vec<Subscription>, ChangesError> {
        Ok(self.log.subscriptions(tenant).await?)
    }

    fn check_cursor(&self, field: &str, cursor: &str) -> Result<(), ChangesError> {
        if !cursor.is_empty() && !self.log.valid_cursor(cursor) {
            return Err(ChangesError::invalid(
                field,
                "not a cursor this service gave out",
            ));
        }
        Ok(())
    }

    /// How many impacts an entry carries for a request's `max_impacts`
    /// (None: the default), or the violation.
    fn entry_impacts(max_impacts: Option<u32>) -> Result<usize, stdnav_runtime::status::Violation> {
        match max_impacts {
            None => Ok(DEFAULT_ENTRY_IMPACTS as usize),
            Some(n) if n <= MAX_ENTRY_IMPACTS => Ok(n as usize),
            Some(_) => Err(stdnav_runtime::status::Violation::new(
                "max_impacts",
                format!("at most {MAX_ENTRY_IMPACTS} (ListImpacts pages through the rest)"),
            )),
        }
    }

    /// A page of the impacts of the tenant's feed entry at `cursor`
    /// (`page_size` 0: the default; `page_token` the previous page's next).
    pub async fn list_impacts(
        &self,
        tenant: &str,
        cursor: &str,
        page_size: u32,
        page_token: &str,
    ) -> Result<ImpactsPage, ChangesError> {
        use stdnav_runtime::status::Violation;
        let mut violations = Vec::new();
        if cursor.is_empty() {
            violations.push(Violation::new(
                "cursor",
                "give the cursor of an entry of the feed",
            ));
        } else if !self.log.valid_cursor(cursor) {
            violations.push(Violation::new(
                "cursor",
                "not a cursor this service gave out",
            ));
        }
        if page_size > MAX_IMPACTS_PAGE {
            violations.push(Violation::new(
                "page_size",
                format!("at most {MAX_IMPACTS_PAGE}"),
            ));
        }
        let offset = if page_token.is_empty() {
            0
        } else {
            match page_token.parse::<usize>() {
                Ok(n) => n,
                Err(_) => {
                    violations.push(Violation::new(
                        "page_token",
                        "not a token this service gave out",
                    ));
                    0
                }
            }
        };
        if !violations.is_empty() {
            return Err(ChangesError::InvalidArgument(violations));
        }
        let size = if page_size == 0 {
            DEFAULT_IMPACTS_PAGE
        } else {
            page_size
        } as usize;
        let (total, impacts) = self
            .log
            .impacts(tenant, cursor, offset, size)
            .await?
            .ok_or(ChangesError::EntryNotFound)?;
        let end = offset.saturating_add(impacts.len());
        let next = (!impacts.is_empty() && end < total).then(|| end.to_string());
        Ok(ImpactsPage {
            impacts,
            impact_count: total,
            next,
        })
    }

    /// Completes `entry`'s impacts (a feed entry carries only some).
    pub async fn all_impacts(
        &self,
        tenant: &str,
        entry: &mut FeedEntry,
    ) -> Result<(), ChangesError> {
        let mut token = String::new();
        let mut all = Vec::new();
        loop {
            let page = self
                .list_impacts(tenant, &entry.cursor, MAX_IMPACTS_PAGE, &token)
                .await?;
            all.extend(page.impacts);
            match page.next {
                Some(n) => token = n,
                None => break,
            }
        }
        entry.item.impacts = all;
        Ok(())
    }

    /// A page of the tenant's feed: entries detected at or after `since`
    /// (a date or RFC 3339 instant; empty: all), after `page_token`.
    /// Each entry carries its first `max_impacts` impacts (None: the
    /// default).
    pub async fn list_changes(
        &self,
        tenant: &str,
        since: &str,
        page_size: u32,
        page_token: &str,
        max_impacts: Option<u32>,
    ) -> Result<(Vec<FeedEntry>, Option<String>), ChangesError> {
        let mut violations = Vec::new();
        let entry_impacts = Self::entry_impacts(max_impacts)
            .map_err(|v| violations.push(v))
            .unwrap_or(0);
        let since_ms = match parse_since(since) {
            Ok(ms) => ms,
            Err(why) => {
                violations.push(stdnav_runtime::status::Violation::new("since", why));
                0
            }
        };
        if page_size > MAX_PAGE {
            violations.push(stdnav_runtime::status::Violation::new(
                "page_size",
                format!("at most {MAX_PAGE}"),
            ));
        }
        if !page_token.is_empty() && !self.log.valid_cursor(page_token) {
            violations.push(stdnav_runtime::status::Violation::new(
                "page_token",
                "not a token this service gave out",
            ));
        }
        if !violations.is_empty() {
            return Err(ChangesError::InvalidArgument(violations));
        }
        let size = if page_size == 0 {
            100
        } else {
            page_size as usize
        };
        let (mut out, next) = self.page(tenant, since_ms, size, page_token).await?;
        self.log.preview(tenant, &mut out, entry_impacts).await?;
        Ok((out, next))
    }

    /// A page of `size` feed entries detected at or after `since_ms`.
    async fn page(
        &self,
        tenant: &str,
        since_ms: u64,
        size: usize,
        page_token: &str,
    ) -> Result<(Vec<FeedEntry>, Option<String>), ChangesError> {
        let mut out = Vec::new();
        // A page token continues a listing; a time seeks (less the margin
        // by which the store's clock may run behind the detecting
        // process's), so `since=now` reads nothing old however long the
        // feed.
        let mut after = if !page_token.is_empty() {
            Some(page_token.to_string())
        } else if since_ms > 0 {
            self.log
                .feed_at(tenant, since_ms.saturating_sub(self.log.clock_margin_ms()))
                .await?
        } else {
            None
        };
        loop {
            let batch = self.log.feed(tenant, after.as_deref(), size + 1).await?;
            let done = batch.len() < size + 1;
            for entry in batch {
                after = Some(entry.cursor.clone());
                if entry.item.event.detected_ms < since_ms {
                    continue;
                }
                if out.len() == size {
                    let next = out.last().map(|e: &FeedEntry| e.cursor.clone());
                    return Ok((out, next));
                }
                out.push(entry);
            }
            if done {
                return Ok((out, None));
            }
        }
    }

    /// Streams the tenant's feed after `cursor` (from the start when empty,
    /// from the end with `from_now`), then new entries as they are
    /// appended, until the receiver is dropped. With `only`, entries that
    /// match none of those subscriptions are skipped (reminders pass).
    /// A store outage pauses the stream and it carries on from the same
    /// cursor, so nothing is skipped. Each entry carries its first
    /// `max_impacts` impacts (None: the default).
    pub async fn watch(
        self: &Arc<Self>,
        tenant: &str,
        cursor: &str,
        only: Vec<String>,
        from_now: bool,
        max_impacts: Option<u32>,
    ) -> Result<mpsc::Receiver<Result<FeedEntry, ChangesError>>, ChangesError> {
        self.check_cursor("cursor", cursor)?;
        let entry_impacts =
            Self::entry_impacts(max_impacts).map_err(|v| ChangesError::InvalidArgument(vec![v]))?;
        let mut at = if !cursor.is_empty() {
            Some(cursor.to_string())
        } else if from_now {
            self.log.feed_end(tenant).await?
        } else {
            None
        };
        let (tx, rx) = mpsc::channel(WATCH_BATCH);
        let this = self.clone();
        let tenant = tenant.to_string();
        tokio::spawn(async move {
            loop {
                let woken = this.feed_grew.notified();
                let read = async {
                    let mut batch = this.log.feed(&tenant, at.as_deref(), WATCH_BATCH).await?;
                    this.log.preview(&tenant, &mut batch, entry_impacts).await?;
                    Ok(batch)
                };
                let batch = match read.await {
                    Ok(b) => b,
                    Err(crate::log::LogError::Unavailable(e)) => {
                        tracing::warn!(error = %e, "feed unavailable; the watch waits");
                        tokio::select! {
                            _ = tx.closed() => return,
                            _ = tokio::time::sleep(this.poll) => continue,
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        return;
                    }
                };
                let full = batch.len() == WATCH_BATCH;
                for entry in batch {
                    at = Some(entry.cursor.clone());
                    let wanted = only.is_empty()
                        || entry.item.event.kind.is_reminder()
                        || entry.item.subscriptions.iter().any(|s| only.contains(s));
                    if wanted && tx.send(Ok(entry)).await.is_err() {
                        return;
                    }
                }
                if !full {
                    tokio::select! {
                        _ = tx.closed() => return,
                        _ = woken => {}
                        _ = tokio::time::sleep(this.poll) => {}
                    }
                }
            }
        });
        Ok(rx)
    }

    /// Computes the reminders of `tenant`'s enterprises for `today_ms` and
    /// appends them to its feed (ids are stable, so running it every day
    /// adds only what is new); returns them all.
    pub async fn remind(
        &self,
        tenant: &str,
        today_ms: u64,
        horizon: Duration,
    ) -> Result<Vec<FeedItem>, ChangesError> {
        let snap = self.snapshot()?;
        let enterprises = self.enterprises(tenant).await?;
        let upcoming = crate::remind::upcoming(snap.catalogue(), today_ms);
        let items: Vec<FeedItem> = enterprises
            .iter()
            .flat_map(|e| {
                crate::remind::reminders(
                    snap.catalogue(),
                    &upcoming,
                    e,
                    today_ms,
                    horizon.as_millis() as u64,
                )
            })
            .collect();
        for chunk in items.chunks(500) {
            self.log.append_feed(tenant, chunk).await?;
        }
        self.feed_grew.notify_waiters();
        Ok(items)
    }

    /// What changed since `since_ms` for each of the tenant's enterprises:
    /// the catalogue events logged since then, with their impact computed
    /// now against the tenant's current enterprises and catalogue, and the
    /// reminders in the tenant's feed.
    pub async fn digest(
        &self,
        tenant: &str,
        since_ms: u64,
    ) -> Result<crate::digest::Digest, ChangesError> {
        let snap = self.snapshot()?;
        let enterprises = self.enterprises(tenant).await?;
        let exposures = exposures(&enterprises, snap.catalogue());
        let mut entries: Vec<FeedItem> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let batch = self.log.catalogue(after.as_deref(), 1000).await?;
            let done = batch.len() < 1000;
            for logged in batch {
                after = Some(logged.cursor);
                if logged.event.detected_ms < since_ms {
                    continue;
                }
                let found = impacts(&logged.event, &exposures);
                if !found.is_empty() {
                    entries.push(FeedItem::new(logged.event, found, Vec::new()));
                }
            }
            if done {
                break;
            }
        }
        let mut after: Option<String> = None;
        loop {
            let batch = self.log.feed(tenant, after.as_deref(), 1000).await?;
            let done = batch.len() < 1000;
            after = batch.last().map(|e| e.cursor.clone()).or(after);
            let mut reminders: Vec<FeedEntry> = batch
                .into_iter()
                .filter(|e| e.item.event.kind.is_reminder() && e.item.event.detected_ms >= since_ms)
                .collect();
            // A reminder is for one enterprise: its one impact.
            self.log.preview(tenant, &mut reminders, usize::MAX).await?;
            entries.extend(reminders.into_iter().map(|e| e.item));
            if done {
                break;
            }
        }
        Ok(crate::digest::Digest::build(
            tenant,
            since_ms,
            &enterprises,
            &entries,
        ))
    }
}

/// `since` as ms: empty is 0; `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) is its
/// first instant (UTC); otherwise an RFC 3339 instant.
pub fn parse_since(since: &str) -> Result<u64, String> {
    let since = since.trim();
    if since.is_empty() {
        return Ok(0);
    }
    if let Some(ms) = crate::remind::date_ms(since) {
        return Ok(ms);
    }
    humantime::parse_rfc3339_weak(since)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as u64)
        .ok_or_else(|| "a date (2026-01-31) or an RFC 3339 instant (2026-01-31T08:00:00Z)".into())
}
