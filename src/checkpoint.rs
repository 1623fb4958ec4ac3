//! Checkpoints of a chain batch run: every finished enterprise's result is
//! stored durably the moment it is done, keyed by USCC, so a run killed at
//! any point and started again skips what is done and still ends with
//! exactly one result per enterprise. In Redis (a hash per run) when the
//! deployment has Redis, else in a redb file in the output directory.
//! Only `stdnav batch` keeps one (tests/batch.rs reads it too).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use stdnav_advisor::chain::MemberResult;

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint store unavailable: {0}")]
    Unavailable(String),
    #[error(
        "checkpoint {0} belongs to another run ({1}); use another --out directory or --restart"
    )]
    OtherRun(String, String),
    #[error("checkpoint store: {0}")]
    Internal(String),
}

fn internal(e: impl std::fmt::Display) -> CheckpointError {
    CheckpointError::Internal(e.to_string())
}

/// A run's identity: which tenant's which chain (and which shard).
pub fn run_id(tenant: &str, chain: &str, shard: &str) -> String {
    format!("{tenant}\u{1f}{chain}\u{1f}{shard}")
}

#[async_trait]
pub trait Checkpoint: Send + Sync {
    fn kind(&self) -> &'static str;
    /// Stores results (each replacing an earlier one for the same USCC), all
    /// or none; durable when this returns. A batch commits many at once: one
    /// commit per result would cost a disk sync each.
    async fn put_all(&self, results: &[MemberResult]) -> Result<(), CheckpointError>;
    /// Every stored result, in USCC order.
    async fn all(&self) -> Result<Vec<MemberResult>, CheckpointError>;
    /// Forgets every result of the run.
    async fn clear(&self) -> Result<(), CheckpointError>;
}

/// Key: USCC; value: the result as JSON.
const RESULTS: TableDefinition<&str, &[u8]> = TableDefinition::new("results");
/// `run`: the run id the file belongs to.
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");

/// A redb file (ACID, crash-safe: a committed result survives kill -9).
pub struct EmbeddedCheckpoint {
    db: Arc<Database>,
}

impl EmbeddedCheckpoint {
    /// Opens (or creates) the checkpoint file of run `run`; a file of
    /// another run is refused.
    pub fn open(path: &Path, run: &str) -> Result<Self, CheckpointError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(internal)?;
        }
        let db = Database::create(path).map_err(|e| {
            CheckpointError::Unavailable(format!("cannot open {}: {e}", path.display()))
        })?;
        let tx = db.begin_write().map_err(internal)?;
        {
            tx.open_table(RESULTS).map_err(internal)?;
            let mut meta = tx.open_table(META).map_err(internal)?;
            let stored = meta
                .get("run")
                .map_err(internal)?
                .map(|v| v.value().to_string());
            match stored {
                Some(other) if other != run => {
                    return Err(CheckpointError::OtherRun(
                        path.display().to_string(),
                        other.replace('\u{1f}', " / "),
                    ));
                }
                Some(_) => {}
                None => {
                    meta.insert("run", run).map_err(internal)?;
                }
            }
        }
        tx.commit().map_err(internal)?;
        Ok(Self { db: Arc::new(db) })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, CheckpointError> + Send + 'static,
    ) -> Result<T, CheckpointError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(internal)?
    }
}

#[async_trait]
impl Checkpoint for EmbeddedCheckpoint {
    fn kind(&self) -> &'static str {
        "embedded"
    }

    async fn put_all(&self, results: &[MemberResult]) -> Result<(), CheckpointError> {
        let entries = results
            .iter()
            .map(|r| Ok((r.uscc.clone(), serde_json::to_vec(r).map_err(internal)?)))
            .collect::<Result<Vec<_>, CheckpointError>>()?;
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            {
                let mut table = tx.open_table(RESULTS).map_err(internal)?;
                for (key, value) in &entries {
                    table
                        .insert(key.as_str(), value.as_slice())
                        .map_err(internal)?;
                }
            }
            tx.commit().map_err(internal)
        })
        .await
    }

    async fn all(&self) -> Result<Vec<MemberResult>, CheckpointError> {
        self.blocking(|db| {
            let tx = db.begin_read().map_err(internal)?;
            let table = tx.open_table(RESULTS).map_err(internal)?;
            let mut out = Vec::new();
            for entry in table.iter().map_err(internal)? {
                let (_, v) = entry.map_err(internal)?;
                out.push(serde_json::from_slice(v.value()).map_err(internal)?);
            }
            Ok(out)
        })
        .await
    }

    async fn clear(&self) -> Result<(), CheckpointError> {
        self.blocking(|db| {
            let tx = db.begin_write().map_err(internal)?;
            tx.delete_table(RESULTS).map_err(internal)?;
            tx.open_table(RESULTS).map_err(internal)?;
            tx.commit().map_err(internal)
        })
        .await
    }
}

/// A Redis hash per run: `<prefix>:batch:<run id hex>` (USCC → result JSON).
/// Every HSET is acknowledged before the result counts as done; durability
/// beyond that is Redis's own (AOF/RDB) configuration.
pub struct RedisCheckpoint {
    conn: ConnectionManager,
    key: String,
}

impl RedisCheckpoint {
    pub async fn connect(url: &str, prefix: &str, run: &str) -> Result<Self, CheckpointError> {
        let conn = stdnav_runtime::redis::connect(url)
            .await
            .map_err(CheckpointError::Unavailable)?;
        Ok(Self {
            conn,
            key: format!("{prefix}:batch:{}", hex::encode(run.as_bytes())),
        })
    }
}

#[async_trait]
impl Checkpoint for RedisCheckpoint {
    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn put_all(&self, results: &[MemberResult]) -> Result<(), CheckpointError> {
        if results.is_empty() {
            return Ok(());
        }
        let fields = results
            .iter()
            .map(|r| Ok((r.uscc.as_str(), serde_json::to_string(r).map_err(internal)?)))
            .collect::<Result<Vec<_>, CheckpointError>>()?;
        let mut conn = self.conn.clone();
        // One HSET of many fields: atomic on the server.
        conn.hset_multiple::<_, _, _, ()>(&self.key, &fields)
            .await
            .map_err(|e| CheckpointError::Unavailable(e.to_string()))
    }

    async fn all(&self) -> Result<Vec<MemberResult>, CheckpointError> {
        let mut conn = self.conn.clone();
        let map: std::collections::BTreeMap<String, String> = conn
            .hgetall(&self.key)
            .await
            .map_err(|e| CheckpointError::Unavailable(e.to_string()))?;
        map.values()
            .map(|v| serde_json::from_str(v).map_err(internal))
            .collect()
    }

    async fn clear(&self) -> Result<(), CheckpointError> {
        let mut conn = self.conn.clone();
        conn.del::<_, ()>(&self.key)
            .await
            .map_err(|e| CheckpointError::Unavailable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(uscc: &str, maturity: f64) -> MemberResult {
        let mut r = MemberResult::failed(uscc, "n", "upstream", String::new());
        r.maturity = maturity;
        r
    }

    async fn suite(c: &dyn Checkpoint) {
        c.clear().await.unwrap();
        c.put_all(&[result("B", 1.0)]).await.unwrap();
        c.put_all(&[result("A", 2.0)]).await.unwrap();
        c.put_all(&[result("B", 3.0)]).await.unwrap();
        let all = c.all().await.unwrap();
        let got: Vec<(&str, f64)> = all.iter().map(|r| (r.uscc.as_str(), r.maturity)).collect();
        assert_eq!(got, [("A", 2.0), ("B", 3.0)]);
        c.put_all(&[result("D", 5.0), result("A", 6.0)])
            .await
            .unwrap();
        c.put_all(&[]).await.unwrap();
        let all = c.all().await.unwrap();
        let got: Vec<(&str, f64)> = all.iter().map(|r| (r.uscc.as_str(), r.maturity)).collect();
        assert_eq!(got, [("A", 6.0), ("B", 3.0), ("D", 5.0)]);
        c.clear().await.unwrap();
        assert!(c.all().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn embedded_checkpoint_keeps_one_result_per_enterprise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.redb");
        let run = run_id("t", "家电产业链", "0/1");
        {
            let c = EmbeddedCheckpoint::open(&path, &run).unwrap();
            suite(&c).await;
            c.put_all(&[result("C", 4.0)]).await.unwrap();
        }
        // Reopened (a restarted run) it still holds what was put.
        let c = EmbeddedCheckpoint::open(&path, &run).unwrap();
        assert_eq!(c.all().await.unwrap().len(), 1);
        drop(c);
        let other = EmbeddedCheckpoint::open(&path, &run_id("t", "食品产业链", "0/1"));
        assert!(matches!(other, Err(CheckpointError::OtherRun(..))));
    }

    #[tokio::test]
    async fn redis_checkpoint_keeps_one_result_per_enterprise() {
        let url = std::env::var("STDNAV_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
        let prefix = format!("stdnav-test-ckpt-{}", std::process::id());
        match RedisCheckpoint::connect(&url, &prefix, &run_id("t", "c", "0/1")).await {
            Ok(c) => suite(&c).await,
            Err(e) if std::env::var("CI").is_ok() => panic!("Redis is required in CI: {e}"),
            Err(e) => eprintln!("skipping: no Redis at {url}: {e}"),
        }
    }
}
