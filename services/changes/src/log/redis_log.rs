//! The Redis event log: Redis Streams.
//!
//! Keys, all under the deployment's prefix `{p}`:
//! - `{p}:chg:log` — stream of catalogue events (fields `id`, `d` = JSON),
//!   with `{p}:chg:log:ids`, the set of event ids already in it;
//! - consumer group `fanout` on `{p}:chg:log`: the fan-out reads with
//!   `XREADGROUP`, acknowledges with `XACK`, and takes over entries a dead
//!   consumer left pending with `XAUTOCLAIM`;
//! - `{p}:chg:feed:{tenant}` — stream of the tenant's feed (fields `id`,
//!   `d` = the entry without its impacts, counted), with
//!   `{p}:chg:feed:{tenant}:ids` for deduplication, and
//!   `{p}:chg:feed:{tenant}:imp:{entry id}`, the list of the entry's
//!   impacts (JSON each), written by the script that adds the entry and
//!   deleted in the `MULTI` that deletes it;
//! - `{p}:chg:feeds` — the set of tenants with a feed (for retention);
//! - `{p}:chg:subs:{tenant}` — hash of subscription id → JSON, and
//!   `{p}:chg:tenants`, the set of tenants with subscriptions.
//!
//! Appends run as one Lua script (`SADD` the id, `XADD` only if it was
//! new, then `RPUSH` its impacts), so a retried append never duplicates an
//! entry and an entry is never without its impacts. The scripts name keys
//! they derive from their `KEYS` (a single Redis, not a cluster). Cursors are stream
//! entry ids (`1700000000000-0`). Durability is Redis's: with
//! `appendonly yes` an acknowledged `XADD` survives a restart.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamRangeReply, StreamReadOptions,
    StreamReadReply,
};
use redis::{AsyncCommands, Script};

use super::{ChangeLog, FeedEntry, FeedItem, LogError, Logged, Retention, Trimmed, page_of};
use crate::event::ChangeEvent;
use crate::impact::Impact;
use crate::subscription::Subscription;

const GROUP: &str = "fanout";
/// Pending entries idle this long belong to a consumer presumed dead.
const CLAIM_IDLE: Duration = Duration::from_secs(30);

/// KEYS[1] stream, KEYS[2] id set; ARGV: id1, json1, id2, json2, …
const APPEND: &str = r#"
local added = 0
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'd', ARGV[i + 1])
    added = added + 1
  end
end
return added
"#;

/// KEYS[1] the feed stream, KEYS[2] its id set; ARGV: id, json, n, then
/// the n impacts' JSON, for each entry. An entry's impacts go to the list
/// `KEYS[1]:imp:<entry id>`, pushed a thousand at a time (Lua's stack).
const APPEND_FEED: &str = r#"
local added = 0
local i = 1
while i <= #ARGV do
  local n = tonumber(ARGV[i + 2])
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    local at = redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'd', ARGV[i + 1])
    local last = i + 2 + n
    for j = i + 3, last, 1000 do
      redis.call('RPUSH', KEYS[1] .. ':imp:' .. at, unpack(ARGV, j, math.min(j + 999, last)))
    end
    added = added + 1
  end
  i = i + 3 + n
end
return added
"#;

/// KEYS[1] the tenant's subscriptions, KEYS[2] the tenants set; ARGV[1]
/// the id, ARGV[2] the tenant. One script, so a concurrent Subscribe cannot
/// land between the count and the removal from the tenants set.
const UNSUBSCRIBE: &str = r#"
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
end
return removed
"#;

pub struct RedisLog {
    conn: ConnectionManager,
    prefix: String,
    append: Script,
    append_feed: Script,
    unsubscribe: Script,
}

fn unavailable(e: redis::RedisError) -> LogError {
    LogError::Unavailable(e.to_string())
}

fn internal(e: impl std::fmt::Display) -> LogError {
    LogError::Internal(e.to_string())
}

/// A stream entry id: `ms-seq`.
fn is_stream_id(c: &str) -> bool {
    match c.split_once('-') {
        Some((ms, seq)) => {
            !ms.is_empty()
                && !seq.is_empty()
                && ms.len() <= 20
                && seq.len() <= 20
                && ms.chars().all(|c| c.is_ascii_digit())
                && seq.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// A stream entry id as numbers, to compare.
fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// Entries trimmed per round trip.
const TRIM_BATCH: usize = 1000;

fn decode<T: serde::de::DeserializeOwned>(entry: &StreamId) -> Result<T, LogError> {
    let data: String = entry
        .get("d")
        .ok_or_else(|| LogError::Internal(format!("stream entry {} has no data", entry.id)))?;
    serde_json::from_str(&data).map_err(internal)
}

/// `n` as a list index.
fn isize_of(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// The last index of the page `offset..offset + limit` (`LRANGE` is
/// inclusive); with `limit` 0, 0 (the caller drops what that reads).
fn last_of(offset: usize, limit: usize) -> isize {
    if limit == 0 {
        return 0;
    }
    isize_of(offset.saturating_add(limit - 1))
}

fn decode_all(list: &[String]) -> Result<Vec<Impact>, LogError> {
    list.iter()
        .map(|i| serde_json::from_str(i).map_err(internal))
        .collect()
}

fn logged(entries: &[StreamId]) -> Result<Vec<Logged>, LogError> {
    entries
        .iter()
        .map(|e| {
            Ok(Logged {
                cursor: e.id.clone(),
                event: decode(e)?,
            })
        })
        .collect()
}

impl RedisLog {
    /// Connects to `url` (fails fast when nothing answers) and makes sure
    /// the fan-out consumer group exists.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, LogError> {
        let conn = stdnav_runtime::redis::connect(url)
            .await
            .map_err(LogError::Unavailable)?;
        let log = Self {
            conn,
            prefix: prefix.to_string(),
            append: Script::new(APPEND),
            append_feed: Script::new(APPEND_FEED),
            unsubscribe: Script::new(UNSUBSCRIBE),
        };
        log.ensure_group().await?;
        Ok(log)
    }

    fn log_key(&self) -> String {
        format!("{}:chg:log", self.prefix)
    }

    fn feed_key(&self, tenant: &str) -> String {
        format!("{}:chg:feed:{tenant}", self.prefix)
    }

    /// The list of the impacts of the entry `entry` of the feed `feed`.
    fn impacts_key(feed: &str, entry: &str) -> String {
        format!("{feed}:imp:{entry}")
    }

    fn subs_key(&self, tenant: &str) -> String {
        format!("{}:chg:subs:{tenant}", self.prefix)
    }

    fn feeds_key(&self) -> String {
        format!("{}:chg:feeds", self.prefix)
    }

    /// Deletes the oldest entries of `key` — those over `max_entries` (0:
    /// no limit) and those before `old` — but none at or after `safe`,
    /// with their ids from the id set and (`impacts`, a feed) their
    /// impacts, a batch at a time (each batch one MULTI, so an id or an
    /// impact never goes without its entry, nor outlives it).
    async fn trim_stream(
        &self,
        key: &str,
        old: Option<(u64, u64)>,
        safe: Option<(u64, u64)>,
        max_entries: u64,
        impacts: bool,
    ) -> Result<u64, LogError> {
        let mut conn = self.conn.clone();
        let mut gone = 0;
        loop {
            let len: u64 = conn.xlen(key).await.map_err(unavailable)?;
            let over = if max_entries > 0 {
                len.saturating_sub(max_entries)
            } else {
                0
            };
            let batch: StreamRangeReply = conn
                .xrange_count(key, "-", "+", TRIM_BATCH)
                .await
                .map_err(unavailable)?;
            let (mut entries, mut ids) = (Vec::new(), Vec::new());
            for (i, e) in batch.ids.iter().enumerate() {
                let Some(at) = parse_id(&e.id) else { break };
                let expired = (i as u64) < over || old.is_some_and(|o| at < o);
                if !expired || safe.is_some_and(|s| at >= s) {
                    break;
                }
                entries.push(e.id.clone());
                if let Some(id) = e.get::<String>("id") {
                    ids.push(id);
                }
            }
            if entries.is_empty() {
                return Ok(gone);
            }
            let mut pipe = redis::pipe();
            pipe.atomic().xdel(key, &entries).ignore();
            if !ids.is_empty() {
                pipe.srem(format!("{key}:ids"), &ids).ignore();
            }
            if impacts {
                let lists: Vec<String> =
                    entries.iter().map(|e| Self::impacts_key(key, e)).collect();
                pipe.del(&lists).ignore();
            }
            pipe.query_async::<()>(&mut conn)
                .await
                .map_err(unavailable)?;
            gone += entries.len() as u64;
            if entries.len() < batch.ids.len() || batch.ids.len() < TRIM_BATCH {
                return Ok(gone);
            }
        }
    }

    /// The first catalogue entry the fan-out may still need: the oldest
    /// pending one, or the one after the last delivered.
    async fn fanout_floor(&self) -> Result<Option<(u64, u64)>, LogError> {
        let mut conn = self.conn.clone();
        let groups: redis::streams::StreamInfoGroupsReply = conn
            .xinfo_groups(self.log_key())
            .await
            .map_err(unavailable)?;
        let Some(group) = groups.groups.iter().find(|g| g.name == GROUP) else {
            // No group (yet): nothing is known to be fanned out.
            return Ok(Some((0, 0)));
        };
        let mut floor = parse_id(&group.last_delivered_id).map(|(ms, seq)| (ms, seq + 1));
        let pending: redis::streams::StreamPendingReply = conn
            .xpending(self.log_key(), GROUP)
            .await
            .map_err(unavailable)?;
        if let redis::streams::StreamPendingReply::Data(p) = pending
            && let Some(first) = parse_id(&p.start_id)
        {
            floor = Some(floor.map_or(first, |f| f.min(first)));
        }
        Ok(floor.or(Some((0, 0))))
    }

    fn tenants_key(&self) -> String {
        format!("{}:chg:tenants", self.prefix)
    }

    /// Creates the consumer group (from the start of the stream) unless it exists.
    async fn ensure_group(&self) -> Result<(), LogError> {
        let mut conn = self.conn.clone();
        let created: Result<(), redis::RedisError> = conn
            .xgroup_create_mkstream(self.log_key(), GROUP, "0")
            .await;
        match created {
            Ok(()) => Ok(()),
            Err(e) if e.to_string().contains("BUSYGROUP") => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn append(
        &self,
        stream: String,
        items: Vec<(String, String)>,
    ) -> Result<usize, LogError> {
        if items.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn.clone();
        let mut invocation = self.append.key(&stream);
        invocation.key(format!("{stream}:ids"));
        for (id, json) in &items {
            invocation.arg(id).arg(json);
        }
        let added: usize = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(added)
    }

    async fn range(
        &self,
        key: String,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StreamId>, LogError> {
        if let Some(a) = after
            && !is_stream_id(a)
        {
            return Err(LogError::BadCursor);
        }
        let start = match after {
            Some(a) => format!("({a}"),
            None => "-".to_string(),
        };
        let mut conn = self.conn.clone();
        let reply: StreamRangeReply = conn
            .xrange_count(key, start, "+", limit)
            .await
            .map_err(unavailable)?;
        Ok(reply.ids)
    }

    async fn read_group(
        &self,
        consumer: &str,
        from: &str,
        limit: usize,
    ) -> Result<Vec<StreamId>, LogError> {
        let mut conn = self.conn.clone();
        let options = StreamReadOptions::default()
            .group(GROUP, consumer)
            .count(limit);
        let reply: Result<Option<StreamReadReply>, _> = conn
            .xread_options(&[self.log_key()], &[from], &options)
            .await;
        let reply = match reply {
            Ok(r) => r,
            // The group is gone (a Redis without persistence restarted): recreate it.
            Err(e) if e.to_string().contains("NOGROUP") => {
                self.ensure_group().await?;
                conn.xread_options(&[self.log_key()], &[from], &options)
                    .await
                    .map_err(unavailable)?
            }
            Err(e) => return Err(unavailable(e)),
        };
        Ok(reply
            .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
            .unwrap_or_default())
    }
}

#[async_trait]
impl ChangeLog for RedisLog {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn valid_cursor(&self, cursor: &str) -> bool {
        is_stream_id(cursor)
    }

    async fn publish(&self, events: &[ChangeEvent]) -> Result<usize, LogError> {
        let items = events
            .iter()
            .map(|e| Ok((e.id.clone(), serde_json::to_string(e).map_err(internal)?)))
            .collect::<Result<Vec<_>, LogError>>()?;
        self.append(self.log_key(), items).await
    }

    async fn catalogue(&self, after: Option<&str>, limit: usize) -> Result<Vec<Logged>, LogError> {
        logged(&self.range(self.log_key(), after, limit).await?)
    }

    async fn claim(&self, consumer: &str, limit: usize) -> Result<Vec<Logged>, LogError> {
        // 1. What this consumer was given and has not acknowledged.
        let own = self.read_group(consumer, "0", limit).await?;
        if !own.is_empty() {
            return logged(&own);
        }
        // 2. What another consumer left pending for long.
        let mut conn = self.conn.clone();
        let claimed: StreamAutoClaimReply = conn
            .xautoclaim_options(
                self.log_key(),
                GROUP,
                consumer,
                CLAIM_IDLE.as_millis() as u64,
                "0-0",
                StreamAutoClaimOptions::default().count(limit),
            )
            .await
            .map_err(unavailable)?;
        if !claimed.claimed.is_empty() {
            return logged(&claimed.claimed);
        }
        // 3. New entries.
        logged(&self.read_group(consumer, ">", limit).await?)
    }

    async fn ack(&self, cursors: &[String]) -> Result<(), LogError> {
        if cursors.is_empty() {
            return Ok(());
        }
        if !cursors.iter().all(|c| is_stream_id(c)) {
            return Err(LogError::BadCursor);
        }
        let mut conn = self.conn.clone();
        let _: usize = conn
            .xack(self.log_key(), GROUP, cursors)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn append_feed(&self, tenant: &str, items: &[FeedItem]) -> Result<usize, LogError> {
        if items.is_empty() {
            return Ok(0);
        }
        let stream = self.feed_key(tenant);
        let mut invocation = self.append_feed.key(&stream);
        invocation.key(format!("{stream}:ids"));
        for item in items {
            invocation
                .arg(&item.event.id)
                .arg(serde_json::to_string(&item.stored()).map_err(internal)?)
                .arg(item.impacts.len());
            for impact in &item.impacts {
                invocation.arg(serde_json::to_string(impact).map_err(internal)?);
            }
        }
        let mut conn = self.conn.clone();
        let added: usize = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if added > 0 {
            let mut conn = self.conn.clone();
            let _: usize = conn
                .sadd(self.feeds_key(), tenant)
                .await
                .map_err(unavailable)?;
        }
        Ok(added)
    }

    async fn feed(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FeedEntry>, LogError> {
        self.range(self.feed_key(tenant), after, limit)
            .await?
            .iter()
            .map(|e| {
                Ok(FeedEntry {
                    cursor: e.id.clone(),
                    item: decode::<FeedItem>(e)?.read(),
                })
            })
            .collect()
    }

    async fn impacts(
        &self,
        tenant: &str,
        at: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Option<(usize, Vec<Impact>)>, LogError> {
        if !is_stream_id(at) {
            return Err(LogError::BadCursor);
        }
        let feed = self.feed_key(tenant);
        let mut conn = self.conn.clone();
        // The entry and a page of its list, read together.
        let (entry, page): (StreamRangeReply, Vec<String>) = redis::pipe()
            .atomic()
            .xrange_count(&feed, at, at, 1)
            .lrange(
                Self::impacts_key(&feed, at),
                isize_of(offset),
                last_of(offset, limit),
            )
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        let Some(entry) = entry.ids.first() else {
            return Ok(None);
        };
        let item = decode::<FeedItem>(entry)?.read();
        if item.embeds_impacts() {
            return Ok(Some((
                item.impact_count,
                page_of(&item.impacts, offset, limit),
            )));
        }
        let page = if limit == 0 {
            Vec::new()
        } else {
            decode_all(&page)?
        };
        Ok(Some((item.impact_count, page)))
    }

    async fn preview(
        &self,
        tenant: &str,
        entries: &mut [FeedEntry],
        limit: usize,
    ) -> Result<(), LogError> {
        let feed = self.feed_key(tenant);
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut wanted = Vec::new();
        for (i, e) in entries.iter_mut().enumerate() {
            if e.item.embeds_impacts() {
                e.item.impacts.truncate(limit);
            } else if e.item.impact_count > 0 && limit > 0 {
                pipe.lrange(Self::impacts_key(&feed, &e.cursor), 0, last_of(0, limit));
                wanted.push(i);
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let lists: Vec<Vec<String>> = pipe.query_async(&mut conn).await.map_err(unavailable)?;
        for (i, list) in wanted.into_iter().zip(lists) {
            entries[i].item.impacts = decode_all(&list)?;
        }
        Ok(())
    }

    async fn feed_end(&self, tenant: &str) -> Result<Option<String>, LogError> {
        let mut conn = self.conn.clone();
        let reply: StreamRangeReply = conn
            .xrevrange_count(self.feed_key(tenant), "+", "-", 1)
            .await
            .map_err(unavailable)?;
        Ok(reply.ids.first().map(|e| e.id.clone()))
    }

    fn clock_margin_ms(&self) -> u64 {
        // Redis's clock stamps the entry ids; servers kept by NTP agree to
        // well within this.
        1_000
    }

    async fn feed_at(&self, _tenant: &str, since_ms: u64) -> Result<Option<String>, LogError> {
        // Entry ids are the instants Redis appended them: the cursor just
        // before `since_ms` is a seek by itself.
        Ok((since_ms > 0).then(|| format!("{}-{}", since_ms - 1, u64::MAX)))
    }

    async fn trim(&self, retention: Retention, now_ms: u64) -> Result<Trimmed, LogError> {
        if retention == Retention::FOREVER {
            return Ok(Trimmed::default());
        }
        let old = retention.cutoff_ms(now_ms).map(|ms| (ms, 0));
        let mut tenants: Vec<String> = {
            let mut conn = self.conn.clone();
            conn.smembers(self.feeds_key()).await.map_err(unavailable)?
        };
        tenants.extend(self.subscribed_tenants().await?);
        tenants.sort();
        tenants.dedup();
        let mut trimmed = Trimmed::default();
        for t in &tenants {
            trimmed.feeds += self
                .trim_stream(&self.feed_key(t), old, None, retention.max_entries, true)
                .await?;
        }
        let safe = self.fanout_floor().await?;
        trimmed.catalogue = self
            .trim_stream(&self.log_key(), old, safe, retention.max_entries, false)
            .await?;
        Ok(trimmed)
    }

    async fn put_subscription(&self, sub: &Subscription) -> Result<(), LogError> {
        let json = serde_json::to_string(sub).map_err(internal)?;
        let mut conn = self.conn.clone();
        redis::pipe()
            .atomic()
            .hset(self.subs_key(&sub.tenant), &sub.id, json)
            .ignore()
            .sadd(self.tenants_key(), &sub.tenant)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    async fn delete_subscription(&self, tenant: &str, id: &str) -> Result<bool, LogError> {
        let mut conn = self.conn.clone();
        let removed: usize = self
            .unsubscribe
            .key(self.subs_key(tenant))
            .key(self.tenants_key())
            .arg(id)
            .arg(tenant)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(removed > 0)
    }

    async fn subscriptions(&self, tenant: &str) -> Result<Vec<Subscription>, LogError> {
        let mut conn = self.conn.clone();
        let all: std::collections::BTreeMap<String, String> = conn
            .hgetall(self.subs_key(tenant))
            .await
            .map_err(unavailable)?;
        all.values()
            .map(|v| serde_json::from_str(v).map_err(internal))
            .collect()
    }

    async fn subscribed_tenants(&self) -> Result<Vec<String>, LogError> {
        let mut conn = self.conn.clone();
        let mut tenants: Vec<String> = conn
            .smembers(self.tenants_key())
            .await
            .map_err(unavailable)?;
        tenants.sort();
        Ok(tenants)
    }
}

impl RedisLog {
    /// For tests: the test Redis under a prefix of its own
    /// ([`stdnav_runtime::redis::for_tests`]).
    pub async fn for_tests(name: &str) -> Option<Self> {
        let (url, prefix) = stdnav_runtime::redis::for_tests(name).await?;
        RedisLog::connect(&url, &prefix).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn redis_log_passes_the_suite() {
        let Some(log) = RedisLog::for_tests("log").await else {
            return;
        };
        super::super::suite::run(&log, "t").await;
    }

    /// A feed entry's stored size does not grow with the enterprises it
    /// affects, and its impacts go with it (issue 20, item 8).
    #[tokio::test]
    async fn impacts_are_stored_apart_and_trimmed_with_their_entry() {
        let Some(log) = RedisLog::for_tests("impacts").await else {
            return;
        };
        let w = super::super::suite::impacts_written(&log, "t").await;
        let feed = log.feed_key(&w.tenant);
        let mut conn = log.conn.clone();
        for at in [&w.small, &w.large] {
            let entry: StreamRangeReply = conn.xrange_count(&feed, at, at, 1).await.unwrap();
            let data: String = entry.ids[0].get("d").unwrap();
            assert!(data.len() < 1024, "a stored entry of {} bytes", data.len());
        }
        let lists = [
            RedisLog::impacts_key(&feed, &w.small),
            RedisLog::impacts_key(&feed, &w.large),
        ];
        let lens: (usize, usize) = redis::pipe()
            .llen(&lists[0])
            .llen(&lists[1])
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(lens, (10, 2000));
        super::super::suite::impacts_trimmed(&log, &w).await;
        let exists: (bool, bool) = redis::pipe()
            .exists(&lists[0])
            .exists(&lists[1])
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(exists, (false, true), "no impact outlives its entry");
    }

    #[test]
    fn cursors_are_stream_ids() {
        assert!(is_stream_id("1700000000000-0"));
        assert!(!is_stream_id("1700000000000"));
        assert!(!is_stream_id("-0"));
        assert!(!is_stream_id("12-x"));
    }
}
