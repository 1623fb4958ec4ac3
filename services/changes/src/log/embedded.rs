//! The embedded event log: one redb file (ACID, crash-safe), for the
//! all-in-one server and one-shot commands without Redis.
//!
//! Cursors are the entry's sequence number, zero-padded to 20 digits. The
//! fan-out's "consumer group" is the set of acknowledged sequence numbers
//! plus a watermark below which everything is acknowledged; the file is
//! held by one process, so one consumer is all there is.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::{ChangeLog, FeedEntry, FeedItem, LogError, Logged, Retention, Trimmed, page_of};
use crate::event::ChangeEvent;
use crate::impact::Impact;
use crate::subscription::Subscription;

/// seq → event JSON.
const CATALOGUE: TableDefinition<u64, &[u8]> = TableDefinition::new("catalogue");
/// event id → seq.
const CATALOGUE_IDS: TableDefinition<&str, u64> = TableDefinition::new("catalogue_ids");
/// seq → () for acknowledged fan-out entries above the watermark.
const ACKED: TableDefinition<u64, ()> = TableDefinition::new("fanout_acked");
/// "watermark" → every seq ≤ it is acknowledged.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// (tenant, seq) → feed item JSON (the event, the impact count, the
/// subscriptions; entries of files written before `feed_impacts` embed
/// their impacts).
const FEED: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("feed");
/// (tenant, seq, n) → the n-th impact JSON of the entry at seq: written
/// in the entry's transaction, removed in its trim's.
const IMPACTS: TableDefinition<(&str, u64, u32), &[u8]> = TableDefinition::new("feed_impacts");
/// (tenant, event id) → seq.
const FEED_IDS: TableDefinition<(&str, &str), u64> = TableDefinition::new("feed_ids");
/// (tenant, ms) → the first seq appended to the tenant's feed at that
/// instant (instants kept increasing per tenant): ListChanges' `since`
/// seeks here. Entries of files written before it have no instant.
const FEED_TIME: TableDefinition<(&str, u64), u64> = TableDefinition::new("feed_time");
/// tenant → the last seq its feed gave, kept when a trim empties the feed
/// so that seqs (cursors) never repeat.
const FEED_SEQ: TableDefinition<&str, u64> = TableDefinition::new("feed_seq");
/// (tenant, subscription id) → subscription JSON.
const SUBS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("subscriptions");

const WATERMARK: &str = "watermark";

pub struct EmbeddedLog {
    db: Arc<Database>,
}

fn internal(e: impl std::fmt::Display) -> LogError {
    LogError::Internal(e.to_string())
}

fn cursor(seq: u64) -> String {
    format!("{seq:020}")
}

fn parse_cursor(c: &str) -> Result<u64, LogError> {
    if c.len() != 20 {
        return Err(LogError::BadCursor);
    }
    c.parse().map_err(|_| LogError::BadCursor)
}

impl EmbeddedLog {
    /// Opens (or creates) the log at `path`. Fails when another process
    /// holds the file.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(internal)?;
        }
        let db = Database::create(path)
            .map_err(|e| LogError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        let tx = db.begin_write().map_err(internal)?;
        tx.open_table(CATALOGUE).map_err(internal)?;
        tx.open_table(CATALOGUE_IDS).map_err(internal)?;
        tx.open_table(ACKED).map_err(internal)?;
        tx.open_table(META).map_err(internal)?;
        tx.open_table(FEED).map_err(internal)?;
        tx.open_table(FEED_IDS).map_err(internal)?;
        tx.open_table(IMPACTS).map_err(internal)?;
        tx.open_table(FEED_TIME).map_err(internal)?;
        tx.open_table(FEED_SEQ).map_err(internal)?;
        tx.open_table(SUBS).map_err(internal)?;
        tx.commit().map_err(internal)?;
        Ok(Self { db: Arc::new(db) })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, LogError> + Send + 'static,
    ) -> Result<T, LogError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(internal)?
    }
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, LogError> {
    serde_json::from_slice(bytes).map_err(internal)
}

/// The event id (and detection time) of a stored feed item or catalogue
/// event, read without decoding the rest.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: String,
    #[serde(default)]
    detected_ms: u64,
}

#[derive(serde::Deserialize)]
struct ItemIdOnly {
    event: IdOnly,
}

/// The first (or last) key of tenant `t` in a table keyed (tenant, n):
/// its n.
fn edge<V: redb::Value + 'static>(
    table: &impl ReadableTable<(&'static str, u64), V>,
    t: &str,
    last: bool,
) -> Result<Option<u64>, LogError> {
    let mut range = table.range((t, 0)..=(t, u64::MAX)).map_err(internal)?;
    let item = if last {
        range.next_back()
    } else {
        range.next()
    };
    Ok(item
        .transpose()
        .map_err(internal)?
        .map(|(k, _)| k.value().1))
}

/// The impacts of the tenant's entry at `seq`, from the `offset`-th, at most `limit`.
fn read_impacts(
    table: &impl ReadableTable<(&'static str, u64, u32), &'static [u8]>,
    t: &str,
    seq: u64,
    offset: usize,
    limit: usize,
) -> Result<Vec<Impact>, LogError> {
    let Ok(from) = u32::try_from(offset) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in table
        .range((t, seq, from)..=(t, seq, u32::MAX))
        .map_err(internal)?
        .take(limit)
    {
        let (_, v) = item.map_err(internal)?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Every seq up to it is acknowledged.
fn watermark(meta: &impl ReadableTable<&'static str, u64>) -> Result<u64, LogError> {
    Ok(meta
        .get(WATERMARK)
        .map_err(internal)?
        .map(|v| v.value())
        .unwrap_or(0))
}

/// The first seq the tenant's feed appended at or after `ms`.
fn first_seq_since(
    time: &impl ReadableTable<(&'static str, u64), u64>,
    t: &str,
    ms: u64,
) -> Result<Option<u64>, LogError> {
    Ok(time
        .range((t, ms)..=(t, u64::MAX))
        .map_err(internal)?
        .next()
        .transpose()
        .map_err(internal)?
        .map(|(_, seq)| seq.value()))
}

/// The first and last seq of the tenant's feed.
fn feed_bounds(
    feed: &impl ReadableTable<(&'static str, u64), &'static [u8]>,
    t: &str,
) -> Result<Option<(u64, u64)>, LogError> {
    Ok(edge(feed, t, false)?.zip(edge(feed, t, true)?))
}

/// Tenants with a feed, by skipping from one to the next.
fn feed_tenants(
    feed: &impl ReadableTable<(&'static str, u64), &'static [u8]>,
) -> Result<Vec<String>, LogError> {
    let mut out: Vec<String> = Vec::new();
    loop {
        let next = match out.last() {
            None => feed.first().map_err(internal)?,
            Some(t) => feed
                .range((t.as_str(), u64::MAX)..)
                .map_err(internal)?
                .next()
                .transpose()
                .map_err(internal)?,
        };
        match next {
            Some((k, _)) => out.push(k.value().0.to_string()),
            None => return Ok(out),
        }
    }
}

/// Trims one tenant's feed; returns how many entries went.
fn trim_feed(
    tx: &redb::WriteTransaction,
    t: &str,
    retention: Retention,
    now_ms: u64,
) -> Result<u64, LogError> {
    let mut feed = tx.open_table(FEED).map_err(internal)?;
    let mut ids = tx.open_table(FEED_IDS).map_err(internal)?;
    let mut time = tx.open_table(FEED_TIME).map_err(internal)?;
    let Some((first, last)) = feed_bounds(&feed, t)? else {
        return Ok(0);
    };
    let mut keep_from = first;
    if retention.max_entries > 0 && last - first + 1 > retention.max_entries {
        keep_from = last + 1 - retention.max_entries;
    }
    if let Some(cutoff) = retention.cutoff_ms(now_ms) {
        // The first instant at or after the cutoff starts what is kept;
        // with none, everything with an instant is older.
        let young = first_seq_since(&time, t, cutoff)?;
        let any_old = time
            .range((t, 0)..(t, cutoff))
            .map_err(internal)?
            .next_back()
            .transpose()
            .map_err(internal)?
            .is_some();
        match young {
            Some(seq) => keep_from = keep_from.max(seq),
            None if any_old => keep_from = last + 1,
            None => {}
        }
    }
    if keep_from <= first {
        return Ok(0);
    }
    let mut gone = Vec::new();
    for item in feed.range((t, first)..(t, keep_from)).map_err(internal)? {
        let (k, v) = item.map_err(internal)?;
        let id = decode::<ItemIdOnly>(v.value())?.event.id;
        gone.push((k.value().1, id));
    }
    for (seq, id) in &gone {
        feed.remove((t, *seq)).map_err(internal)?;
        ids.remove((t, id.as_str())).map_err(internal)?;
    }
    // Their impacts, in the same transaction.
    tx.open_table(IMPACTS)
        .map_err(internal)?
        .retain_in((t, first, 0)..(t, keep_from, 0), |_, _| false)
        .map_err(internal)?;
    if keep_from > last {
        tx.open_table(FEED_SEQ)
            .map_err(internal)?
            .insert(t, last)
            .map_err(internal)?;
    }
    // Instants of trimmed entries go; the last of them moves to the first
    // entry kept when that entry has no instant of its own.
    let mut stale = Vec::new();
    for item in time.range((t, 0)..=(t, u64::MAX)).map_err(internal)? {
        let (k, seq) = item.map_err(internal)?;
        if seq.value() >= keep_from {
            break;
        }
        stale.push(k.value().1);
    }
    let first_kept_has_instant = time
        .range((t, 0)..=(t, u64::MAX))
        .map_err(internal)?
        .any(|i| i.is_ok_and(|(_, seq)| seq.value() == keep_from));
    for ms in &stale {
        time.remove((t, *ms)).map_err(internal)?;
    }
    if let Some(ms) = stale.last()
        && !first_kept_has_instant
        && keep_from <= last
    {
        time.insert((t, *ms), keep_from).map_err(internal)?;
    }
    Ok(gone.len() as u64)
}

/// Trims the catalogue log's acknowledged entries.
fn trim_catalogue(
    tx: &redb::WriteTransaction,
    retention: Retention,
    now_ms: u64,
) -> Result<u64, LogError> {
    let watermark = watermark(&tx.open_table(META).map_err(internal)?)?;
    let mut log = tx.open_table(CATALOGUE).map_err(internal)?;
    let mut ids = tx.open_table(CATALOGUE_IDS).map_err(internal)?;
    let (Some(first), Some(last)) = (
        log.first().map_err(internal)?.map(|(k, _)| k.value()),
        log.last().map_err(internal)?.map(|(k, _)| k.value()),
    ) else {
        return Ok(0);
    };
    if watermark < first {
        // Nothing acknowledged is left.
        return Ok(0);
    }
    // Entries before `over` are beyond the count.
    let over = if retention.max_entries > 0 && last - first + 1 > retention.max_entries {
        last + 1 - retention.max_entries
    } else {
        first
    };
    let cutoff = retention.cutoff_ms(now_ms);
    let mut gone = Vec::new();
    for item in log.range(first..=watermark).map_err(internal)? {
        let (k, v) = item.map_err(internal)?;
        let seq = k.value();
        let event = decode::<IdOnly>(v.value())?;
        let old = cutoff.is_some_and(|c| event.detected_ms < c);
        if seq >= over && !old {
            break;
        }
        gone.push((seq, event.id));
    }
    for (seq, id) in &gone {
        log.remove(*seq).map_err(internal)?;
        ids.remove(id.as_str()).map_err(internal)?;
    }
    Ok(gone.len() as u64)
}

#[async_trait]
impl ChangeLog for EmbeddedLog {
    fn kind(&self) -> &'static str {
        "embedded"
    }

    fn valid_cursor(&self, cursor: &str) -> bool {
        parse_cursor(cursor).is_ok()
    }

    async fn publish(&self, events: &[ChangeEvent]) -> Result<usize, LogError> {
        let events = events.to_vec();
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            let mut added = 0;
            {
                let mut log = tx.open_table(CATALOGUE).map_err(internal)?;
                let mut ids = tx.open_table(CATALOGUE_IDS).map_err(internal)?;
                // Trimmed entries were all acknowledged: past the
                // watermark, seqs never repeat.
                let watermark = watermark(&tx.open_table(META).map_err(internal)?)?;
                let mut next = log
                    .last()
                    .map_err(internal)?
                    .map(|(k, _)| k.value() + 1)
                    .unwrap_or(1)
                    .max(watermark + 1);
                for e in &events {
                    if ids.get(e.id.as_str()).map_err(internal)?.is_some() {
                        continue;
                    }
                    let bytes = serde_json::to_vec(e).map_err(internal)?;
                    log.insert(next, bytes.as_slice()).map_err(internal)?;
                    ids.insert(e.id.as_str(), next).map_err(internal)?;
                    next += 1;
                    added += 1;
                }
            }
            tx.commit().map_err(internal)?;
            Ok(added)
        })
        .await
    }

    async fn catalogue(&self, after: Option<&str>, limit: usize) -> Result<Vec<Logged>, LogError> {
        let start = after.map(parse_cursor).transpose()?.unwrap_or(0) + 1;
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let log = tx.open_table(CATALOGUE).map_err(internal)?;
            let mut out = Vec::new();
            for item in log.range(start..).map_err(internal)?.take(limit) {
                let (k, v) = item.map_err(internal)?;
                out.push(Logged {
                    cursor: cursor(k.value()),
                    event: decode(v.value())?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn claim(&self, _consumer: &str, limit: usize) -> Result<Vec<Logged>, LogError> {
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let watermark = watermark(&tx.open_table(META).map_err(internal)?)?;
            let acked = tx.open_table(ACKED).map_err(internal)?;
            let log = tx.open_table(CATALOGUE).map_err(internal)?;
            let mut out = Vec::new();
            for item in log.range(watermark + 1..).map_err(internal)? {
                if out.len() == limit {
                    break;
                }
                let (k, v) = item.map_err(internal)?;
                if acked.get(k.value()).map_err(internal)?.is_some() {
                    continue;
                }
                out.push(Logged {
                    cursor: cursor(k.value()),
                    event: decode(v.value())?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn ack(&self, cursors: &[String]) -> Result<(), LogError> {
        let seqs = cursors
            .iter()
            .map(|c| parse_cursor(c))
            .collect::<Result<Vec<_>, _>>()?;
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            {
                let mut meta = tx.open_table(META).map_err(internal)?;
                let mut acked = tx.open_table(ACKED).map_err(internal)?;
                let mut watermark = watermark(&meta)?;
                for s in seqs {
                    if s > watermark {
                        acked.insert(s, ()).map_err(internal)?;
                    }
                }
                // Advance over the contiguous acknowledged run.
                while acked.remove(watermark + 1).map_err(internal)?.is_some() {
                    watermark += 1;
                }
                meta.insert(WATERMARK, watermark).map_err(internal)?;
            }
            tx.commit().map_err(internal)
        })
        .await
    }

    async fn append_feed(&self, tenant: &str, items: &[FeedItem]) -> Result<usize, LogError> {
        let tenant = tenant.to_string();
        let items = items.to_vec();
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            let mut added = 0;
            {
                let mut feed = tx.open_table(FEED).map_err(internal)?;
                let mut ids = tx.open_table(FEED_IDS).map_err(internal)?;
                let mut time = tx.open_table(FEED_TIME).map_err(internal)?;
                let mut impacts = tx.open_table(IMPACTS).map_err(internal)?;
                let t = tenant.as_str();
                let mut next = match edge(&feed, t, true)? {
                    Some(n) => n + 1,
                    None => {
                        tx.open_table(FEED_SEQ)
                            .map_err(internal)?
                            .get(t)
                            .map_err(internal)?
                            .map(|v| v.value())
                            .unwrap_or(0)
                            + 1
                    }
                };
                let first_new = next;
                for item in &items {
                    let id = item.event.id.as_str();
                    if ids.get((t, id)).map_err(internal)?.is_some() {
                        continue;
                    }
                    let bytes = serde_json::to_vec(&item.stored()).map_err(internal)?;
                    feed.insert((t, next), bytes.as_slice()).map_err(internal)?;
                    ids.insert((t, id), next).map_err(internal)?;
                    for (n, impact) in item.impacts.iter().enumerate() {
                        let n = u32::try_from(n).map_err(internal)?;
                        let bytes = serde_json::to_vec(impact).map_err(internal)?;
                        impacts
                            .insert((t, next, n), bytes.as_slice())
                            .map_err(internal)?;
                    }
                    next += 1;
                    added += 1;
                }
                if added > 0 {
                    // Instants increase per tenant, so a seek by time is a
                    // seek by seq.
                    let last_ms = edge(&time, t, true)?.unwrap_or(0);
                    let ms = crate::now_ms().max(last_ms);
                    if time.get((t, ms)).map_err(internal)?.is_none() {
                        time.insert((t, ms), first_new).map_err(internal)?;
                    }
                }
            }
            tx.commit().map_err(internal)?;
            Ok(added)
        })
        .await
    }

    async fn feed(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FeedEntry>, LogError> {
        let start = after
            .map(parse_cursor)
            .transpose()?
            .unwrap_or(0)
            .saturating_add(1);
        let tenant = tenant.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let feed = tx.open_table(FEED).map_err(internal)?;
            let t = tenant.as_str();
            let mut out = Vec::new();
            for item in feed
                .range((t, start)..=(t, u64::MAX))
                .map_err(internal)?
                .take(limit)
            {
                let (k, v) = item.map_err(internal)?;
                out.push(FeedEntry {
                    cursor: cursor(k.value().1),
                    item: decode::<FeedItem>(v.value())?.read(),
                });
            }
            Ok(out)
        })
        .await
    }

    async fn impacts(
        &self,
        tenant: &str,
        at: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Option<(usize, Vec<Impact>)>, LogError> {
        let seq = parse_cursor(at)?;
        let tenant = tenant.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let t = tenant.as_str();
            let Some(stored) = tx
                .open_table(FEED)
                .map_err(internal)?
                .get((t, seq))
                .map_err(internal)?
            else {
                return Ok(None);
            };
            let item = decode::<FeedItem>(stored.value())?.read();
            if item.embeds_impacts() {
                return Ok(Some((
                    item.impact_count,
                    page_of(&item.impacts, offset, limit),
                )));
            }
            let page = read_impacts(
                &tx.open_table(IMPACTS).map_err(internal)?,
                t,
                seq,
                offset,
                limit,
            )?;
            Ok(Some((item.impact_count, page)))
        })
        .await
    }

    async fn preview(
        &self,
        tenant: &str,
        entries: &mut [FeedEntry],
        limit: usize,
    ) -> Result<(), LogError> {
        let mut wanted = Vec::new();
        for (i, e) in entries.iter_mut().enumerate() {
            if e.item.embeds_impacts() {
                e.item.impacts.truncate(limit);
            } else if e.item.impact_count > 0 && limit > 0 {
                wanted.push((i, parse_cursor(&e.cursor)?));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let tenant = tenant.to_string();
        let read = self
            .blocking(move |db| {
                let tx = db.begin_read().map_err(internal)?;
                let table = tx.open_table(IMPACTS).map_err(internal)?;
                wanted
                    .into_iter()
                    .map(|(i, seq)| Ok((i, read_impacts(&table, &tenant, seq, 0, limit)?)))
                    .collect::<Result<Vec<_>, LogError>>()
            })
            .await?;
        for (i, impacts) in read {
            entries[i].item.impacts = impacts;
        }
        Ok(())
    }

    async fn feed_end(&self, tenant: &str) -> Result<Option<String>, LogError> {
        let tenant = tenant.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let feed = tx.open_table(FEED).map_err(internal)?;
            Ok(edge(&feed, &tenant, true)?.map(cursor))
        })
        .await
    }

    async fn feed_at(&self, tenant: &str, since_ms: u64) -> Result<Option<String>, LogError> {
        let tenant = tenant.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let time = tx.open_table(FEED_TIME).map_err(internal)?;
            let t = tenant.as_str();
            match edge(&time, t, false)? {
                // No instants (a file from before them), or everything may
                // be as new: from the start.
                None => Ok(None),
                Some(ms) if since_ms <= ms => Ok(None),
                Some(_) => {
                    match first_seq_since(&time, t, since_ms)? {
                        Some(seq) => Ok(Some(cursor(seq - 1))),
                        // Nothing as new: from the end.
                        None => {
                            let feed = tx.open_table(FEED).map_err(internal)?;
                            Ok(feed_bounds(&feed, t)?.map(|(_, last)| cursor(last)))
                        }
                    }
                }
            }
        })
        .await
    }

    async fn trim(&self, retention: Retention, now_ms: u64) -> Result<Trimmed, LogError> {
        if retention == Retention::FOREVER {
            return Ok(Trimmed::default());
        }
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            let tenants = feed_tenants(&tx.open_table(FEED).map_err(internal)?)?;
            let mut trimmed = Trimmed::default();
            for t in &tenants {
                trimmed.feeds += trim_feed(&tx, t, retention, now_ms)?;
            }
            trimmed.catalogue = trim_catalogue(&tx, retention, now_ms)?;
            tx.commit().map_err(internal)?;
            Ok(trimmed)
        })
        .await
    }

    async fn put_subscription(&self, sub: &Subscription) -> Result<(), LogError> {
        let sub = sub.clone();
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            {
                let mut subs = tx.open_table(SUBS).map_err(internal)?;
                let bytes = serde_json::to_vec(&sub).map_err(internal)?;
                subs.insert((sub.tenant.as_str(), sub.id.as_str()), bytes.as_slice())
                    .map_err(internal)?;
            }
            tx.commit().map_err(internal)
        })
        .await
    }

    async fn delete_subscription(&self, tenant: &str, id: &str) -> Result<bool, LogError> {
        let (tenant, id) = (tenant.to_string(), id.to_string());
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            let removed = {
                let mut subs = tx.open_table(SUBS).map_err(internal)?;
                subs.remove((tenant.as_str(), id.as_str()))
                    .map_err(internal)?
                    .is_some()
            };
            tx.commit().map_err(internal)?;
            Ok(removed)
        })
        .await
    }

    async fn subscriptions(&self, tenant: &str) -> Result<Vec<Subscription>, LogError> {
        let tenant = tenant.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let subs = tx.open_table(SUBS).map_err(internal)?;
            let t = tenant.as_str();
            // Ids are hex, so every id sorts below "\u{7f}".
            let mut out = Vec::new();
            for item in subs.range((t, "")..(t, "\u{7f}")).map_err(internal)? {
                let (_, v) = item.map_err(internal)?;
                out.push(decode(v.value())?);
            }
            Ok(out)
        })
        .await
    }

    async fn subscribed_tenants(&self) -> Result<Vec<String>, LogError> {
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let subs = tx.open_table(SUBS).map_err(internal)?;
            let mut out: Vec<String> = Vec::new();
            for item in subs.iter().map_err(internal)? {
                let (k, _) = item.map_err(internal)?;
                let tenant = k.value().0;
                if out.last().map(String::as_str) != Some(tenant) {
                    out.push(tenant.to_string());
                }
            }
            Ok(out)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn embedded_log_passes_the_suite() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(&dir.path().join("changes.redb")).unwrap();
        super::super::suite::run(&log, "t").await;
    }

    /// A feed entry's stored size does not grow with the enterprises it
    /// affects, and its impacts go with it (issue 20, item 8).
    #[tokio::test]
    async fn impacts_are_stored_apart_and_trimmed_with_their_entry() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(&dir.path().join("changes.redb")).unwrap();
        let w = super::super::suite::impacts_written(&log, "t").await;
        let stored = |t: &str, c: &str| {
            let tx = log.db.begin_read().unwrap();
            let feed = tx.open_table(FEED).unwrap();
            let bytes = feed.get((t, parse_cursor(c).unwrap())).unwrap().unwrap();
            bytes.value().len()
        };
        let rows = |t: &str| {
            let tx = log.db.begin_read().unwrap();
            let impacts = tx.open_table(IMPACTS).unwrap();
            impacts
                .range((t, 0, 0)..=(t, u64::MAX, u32::MAX))
                .unwrap()
                .count()
        };
        let (small, large) = (stored(&w.tenant, &w.small), stored(&w.tenant, &w.large));
        assert!(
            small < 1024 && large < 1024,
            "stored entries of {small} and {large} bytes"
        );
        assert_eq!(rows(&w.tenant), 2010);
        super::super::suite::impacts_trimmed(&log, &w).await;
        assert_eq!(rows(&w.tenant), 2000, "no impact outlives its entry");
        assert_eq!(rows(&w.other_tenant), 5);
    }

    /// Entries written before impacts were stored apart embed them: they
    /// are read, counted and paged as before.
    #[tokio::test]
    async fn entries_that_embed_their_impacts_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(&dir.path().join("changes.redb")).unwrap();
        let event = super::super::suite::event("GB 1:2000", crate::event::ChangeKind::Withdrawn);
        let impacts: Vec<Impact> = (0..3).map(super::super::suite::impact).collect();
        let old = serde_json::json!({ "event": event, "impacts": impacts, "subscriptions": ["s"] });
        {
            let tx = log.db.begin_write().unwrap();
            tx.open_table(FEED)
                .unwrap()
                .insert(("t", 1), serde_json::to_vec(&old).unwrap().as_slice())
                .unwrap();
            tx.open_table(FEED_IDS)
                .unwrap()
                .insert(("t", event.id.as_str()), 1)
                .unwrap();
            tx.commit().unwrap();
        }
        let mut feed = log.feed("t", None, 10).await.unwrap();
        assert_eq!(feed[0].item.impact_count, 3);
        log.preview("t", &mut feed, 2).await.unwrap();
        assert_eq!(feed[0].item.impacts, impacts[..2]);
        let (total, page) = log.impacts("t", &cursor(1), 1, 10).await.unwrap().unwrap();
        assert_eq!((total, page.as_slice()), (3, &impacts[1..]));
    }

    #[tokio::test]
    async fn unacknowledged_events_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("changes.redb");
        {
            let log = EmbeddedLog::open(&path).unwrap();
            let e = super::super::suite::event("ISO 1:2000", crate::event::ChangeKind::Withdrawn);
            log.publish(&[e]).await.unwrap();
            assert_eq!(log.claim("w", 10).await.unwrap().len(), 1);
        }
        let log = EmbeddedLog::open(&path).unwrap();
        let pending = log.claim("w", 10).await.unwrap();
        assert_eq!(
            pending.len(),
            1,
            "claimed but not acknowledged: delivered again"
        );
        log.ack(&[pending[0].cursor.clone()]).await.unwrap();
        assert!(log.claim("w", 10).await.unwrap().is_empty());
    }
}
