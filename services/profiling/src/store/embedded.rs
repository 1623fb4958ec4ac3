//! The embedded store: one redb file under the state directory. redb is
//! ACID and crash-safe, so an acknowledged write survives a restart.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use stdnav_core::enterprise::EnterpriseRecord;

use super::{EnterpriseStore, ListFilter, Page, StoreError, now_ms};

/// Key: `tenant \x1f uscc`; value: the record as JSON.
const ENTERPRISES: TableDefinition<&str, &[u8]> = TableDefinition::new("enterprises");
const SEP: char = '\u{1f}';

pub struct EmbeddedStore {
    db: Arc<Database>,
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn key(tenant: &str, uscc: &str) -> String {
    format!("{tenant}{SEP}{uscc}")
}

impl EmbeddedStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(internal)?;
        }
        let db = Database::create(path)
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        let tx = db.begin_write().map_err(internal)?;
        tx.open_table(ENTERPRISES).map_err(internal)?;
        tx.commit().map_err(internal)?;
        Ok(Self { db: Arc::new(db) })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(internal)?
    }
}

fn decode(bytes: &[u8]) -> Result<EnterpriseRecord, StoreError> {
    serde_json::from_slice(bytes).map_err(internal)
}

#[async_trait]
impl EnterpriseStore for EmbeddedStore {
    fn kind(&self) -> &'static str {
        "embedded"
    }

    async fn get(&self, tenant: &str, uscc: &str) -> Result<Option<EnterpriseRecord>, StoreError> {
        // A point read, on the calling thread: redb serves it from cached
        // pages in microseconds, less than the hop to the blocking pool and
        // back costs (readers never wait for a writer).
        let tx = self.db.begin_read().map_err(internal)?;
        let table = tx.open_table(ENTERPRISES).map_err(internal)?;
        match table.get(key(tenant, uscc).as_str()).map_err(internal)? {
            Some(v) => Ok(Some(decode(v.value())?)),
            None => Ok(None),
        }
    }

    async fn put(
        &self,
        mut record: EnterpriseRecord,
        expected_version: Option<u64>,
    ) -> Result<EnterpriseRecord, StoreError> {
        self.blocking(move |db| {
            let k = key(&record.tenant, &record.profile.uscc);
            // One write transaction: the version check and the write are atomic.
            let tx = db.begin_write().map_err(internal)?;
            {
                let mut table = tx.open_table(ENTERPRISES).map_err(internal)?;
                let stored = match table.get(k.as_str()).map_err(internal)? {
                    Some(v) => decode(v.value())?.version,
                    None => 0,
                };
                if let Some(expected) = expected_version
                    && expected != stored
                {
                    return Err(StoreError::Conflict {
                        expected,
                        actual: stored,
                    });
                }
                record.version = stored + 1;
                record.updated_at_ms = now_ms();
                let bytes = serde_json::to_vec(&record).map_err(internal)?;
                table
                    .insert(k.as_str(), bytes.as_slice())
                    .map_err(internal)?;
            }
            tx.commit().map_err(internal)?;
            Ok(record)
        })
        .await
    }

    async fn delete(
        &self,
        tenant: &str,
        uscc: &str,
        expected_version: Option<u64>,
    ) -> Result<bool, StoreError> {
        let k = key(tenant, uscc);
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(internal)?;
            let removed = {
                let mut table = tx.open_table(ENTERPRISES).map_err(internal)?;
                let stored = match table.get(k.as_str()).map_err(internal)? {
                    Some(v) => Some(decode(v.value())?.version),
                    None => None,
                };
                match (stored, expected_version) {
                    (None, _) => false,
                    (Some(actual), Some(expected)) if actual != expected => {
                        return Err(StoreError::Conflict { expected, actual });
                    }
                    (Some(_), _) => {
                        table.remove(k.as_str()).map_err(internal)?;
                        true
                    }
                }
            };
            tx.commit().map_err(internal)?;
            Ok(removed)
        })
        .await
    }

    async fn list(
        &self,
        tenant: &str,
        filter: &ListFilter,
        page_size: usize,
        after: Option<&str>,
    ) -> Result<Page, StoreError> {
        let prefix = format!("{tenant}{SEP}");
        let start = match after {
            // Strictly after the last USCC of the previous page.
            Some(a) => format!("{prefix}{a}\u{0}"),
            None => prefix.clone(),
        };
        let end = format!("{tenant}{}", char::from_u32(SEP as u32 + 1).unwrap_or(SEP));
        let filter = filter.clone();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(internal)?;
            let table = tx.open_table(ENTERPRISES).map_err(internal)?;
            let mut records = Vec::new();
            let mut more = false;
            for item in table
                .range(start.as_str()..end.as_str())
                .map_err(internal)?
            {
                let (_, v) = item.map_err(internal)?;
                let r = decode(v.value())?;
                if !filter.matches(&r) {
                    continue;
                }
                if records.len() == page_size {
                    more = true;
                    break;
                }
                records.push(r);
            }
            let next = if more {
                records.last().map(|r| r.profile.uscc.clone())
            } else {
                None
            };
            Ok(Page { records, next })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn embedded_store_passes_the_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("profiles.redb")).unwrap();
        super::super::suite::run(&store, "t").await;
    }

    #[tokio::test]
    async fn writes_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.redb");
        {
            let store = EmbeddedStore::open(&path).unwrap();
            let mut r = EnterpriseRecord {
                profile: Default::default(),
                enrichment: Default::default(),
                tenant: "t".into(),
                version: 0,
                updated_at_ms: 0,
            };
            r.profile.uscc = "U1".into();
            store.put(r, None).await.unwrap();
        }
        let store = EmbeddedStore::open(&path).unwrap();
        assert_eq!(store.get("t", "U1").await.unwrap().unwrap().version, 1);
    }
}
