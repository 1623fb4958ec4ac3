//! The Redis store (redis crate, async connection manager).
//!
//! Layout, all under a key prefix (one per deployment, or per test):
//! - `{p}:ent:{tenant}:{uscc}`: hash with `v` (version) and `d` (record JSON)
//! - `{p}:idx:{tenant}`: sorted set of the tenant's USCCs (score 0, ordered
//!   lexicographically) for paged listing
//!
//! Version checks and writes run as one Lua script, so concurrent writers
//! cannot interleave between the check and the write.

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

use stdnav_core::enterprise::EnterpriseRecord;

use super::{EnterpriseStore, ListFilter, Page, StoreError, now_ms};

const PUT: &str = r#"
local stored = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= stored then
  return {-1, stored}
end
local version = stored + 1
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[3])
return {version, stored}
"#;

const DELETE: &str = r#"
local stored = redis.call('HGET', KEYS[1], 'v')
if not stored then return 0 end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= tonumber(stored) then
  return {-1, tonumber(stored)}
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"#;

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    put: Script,
    delete: Script,
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl RedisStore {
    /// Connects to `url`; fails fast (2 s) when nothing answers.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let conn = stdnav_runtime::redis::connect(url)
            .await
            .map_err(StoreError::Unavailable)?;
        Ok(Self {
            conn,
            prefix: prefix.to_string(),
            put: Script::new(PUT),
            delete: Script::new(DELETE),
        })
    }

    fn ent_key(&self, tenant: &str, uscc: &str) -> String {
        format!("{}:ent:{tenant}:{uscc}", self.prefix)
    }

    fn idx_key(&self, tenant: &str) -> String {
        format!("{}:idx:{tenant}", self.prefix)
    }

    async fn load(&self, tenant: &str, uscc: &str) -> Result<Option<EnterpriseRecord>, StoreError> {
        let mut conn = self.conn.clone();
        let (version, data): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(self.ent_key(tenant, uscc))
            .arg("v")
            .arg("d")
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        match (version, data) {
            (Some(v), Some(d)) => {
                let mut r: EnterpriseRecord =
                    serde_json::from_str(&d).map_err(|e| StoreError::Internal(e.to_string()))?;
                r.version = v;
                Ok(Some(r))
            }
            _ => Ok(None),
        }
    }
}

#[async_trait]
impl EnterpriseStore for RedisStore {
    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn get(&self, tenant: &str, uscc: &str) -> Result<Option<EnterpriseRecord>, StoreError> {
        self.load(tenant, uscc).await
    }

    async fn put(
        &self,
        mut record: EnterpriseRecord,
        expected_version: Option<u64>,
    ) -> Result<EnterpriseRecord, StoreError> {
        record.updated_at_ms = now_ms();
        let data =
            serde_json::to_string(&record).map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut conn = self.conn.clone();
        let (version, stored): (i64, i64) = self
            .put
            .key(self.ent_key(&record.tenant, &record.profile.uscc))
            .key(self.idx_key(&record.tenant))
            .arg(expected_version.map(|v| v.to_string()).unwrap_or_default())
            .arg(&data)
            .arg(&record.profile.uscc)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        if version < 0 {
            return Err(StoreError::Conflict {
                expected: expected_version.unwrap_or(0),
                actual: stored as u64,
            });
        }
        record.version = version as u64;
        Ok(record)
    }

    async fn delete(
        &self,
        tenant: &str,
        uscc: &str,
        expected_version: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let result: redis::Value = self
            .delete
            .key(self.ent_key(tenant, uscc))
            .key(self.idx_key(tenant))
            .arg(expected_version.map(|v| v.to_string()).unwrap_or_default())
            .arg(uscc)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        match result {
            redis::Value::Int(1) => Ok(true),
            redis::Value::Int(_) => Ok(false),
            redis::Value::Array(items) => {
                let actual = match items.get(1) {
                    Some(redis::Value::Int(n)) => *n as u64,
                    _ => 0,
                };
                Err(StoreError::Conflict {
                    expected: expected_version.unwrap_or(0),
                    actual,
                })
            }
            other => Err(StoreError::Internal(format!("unexpected reply {other:?}"))),
        }
    }

    async fn list(
        &self,
        tenant: &str,
        filter: &ListFilter,
        page_size: usize,
        after: Option<&str>,
    ) -> Result<Page, StoreError> {
        let mut conn = self.conn.clone();
        let mut cursor = match after {
            Some(a) => format!("({a}"),
            None => "-".to_string(),
        };
        let mut records = Vec::new();
        // Read the index in batches until the page is full (filters may skip many).
        loop {
            let batch: Vec<String> = conn
                .zrangebylex_limit(self.idx_key(tenant), &cursor, "+", 0, 200)
                .await
                .map_err(unavailable)?;
            if batch.is_empty() {
                return Ok(Page {
                    records,
                    next: None,
                });
            }
            for uscc in &batch {
                cursor = format!("({uscc}");
                let Some(r) = self.load(tenant, uscc).await? else {
                    continue;
                };
                if !filter.matches(&r) {
                    continue;
                }
                if records.len() == page_size {
                    let next = records
                        .last()
                        .map(|r: &EnterpriseRecord| r.profile.uscc.clone());
                    return Ok(Page { records, next });
                }
                records.push(r);
            }
        }
    }
}

impl RedisStore {
    /// For tests: the real Redis on 127.0.0.1:6379 (STDNAV_TEST_REDIS_URL
    /// overrides) under a key prefix of its own, so runs never collide.
    /// None (with the reason printed) when Redis does not answer; under CI
    /// (`CI` set) that is a failure, not a skip.
    pub async fn for_tests(name: &str) -> Option<Self> {
        let (url, prefix) = stdnav_runtime::redis::for_tests(name).await?;
        RedisStore::connect(&url, &prefix).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same suite as the embedded store, against the real Redis on
    /// 127.0.0.1:6379 (STDNAV_TEST_REDIS_URL overrides), with a key prefix
    /// per run so runs never collide.
    #[tokio::test]
    async fn redis_store_passes_the_suite() {
        let Some(store) = RedisStore::for_tests("store").await else {
            return;
        };
        super::super::suite::run(&store, "t").await;
    }
}
