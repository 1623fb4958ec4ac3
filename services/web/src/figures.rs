//! What the map, the city pages and the index are drawn from — the
//! caller's stored enterprises in Shandong and its chain batch results —
//! fetched once and kept for a short time per caller, so a page does not
//! list every enterprise of the province on each request: that listing,
//! not drawing, sets the map's time to first byte.
//!
//! A kept snapshot is served only after the caller's credentials pass a
//! one-record read, so a revoked key stops seeing the map at once, not
//! when the snapshot ages out; writes through the web face drop the
//! writer's snapshot, and other writes show within [`DEFAULT_TTL`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use stdnav_proto::profiling::v1 as ppb;

use crate::api::province_records;
use crate::backend::{Backend, Caller};
use crate::error::ApiError;
use crate::index::{self, Batch};
use crate::model::EnterpriseRecord;

/// How long a snapshot is kept by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10);
/// Callers kept at once; beyond, the oldest snapshot goes.
pub const MAX_CALLERS: usize = 1024;

/// The records and batch results of one caller, as of `fetched`.
pub struct Snapshot {
    pub records: Vec<EnterpriseRecord>,
    pub batch: Option<Batch>,
    pub fetched: SystemTime,
}

impl Snapshot {
    /// The records of `slice`.
    pub fn sliced(&self, slice: &index::Slice) -> Vec<&EnterpriseRecord> {
        self.records.iter().filter(|r| slice.admits(r)).collect()
    }

    /// The data date shown with the figures: the newest batch run's, or
    /// when the records were read (`YYYY-MM-DD HH:MM UTC`).
    pub fn data_date(&self, basis: index::Basis) -> String {
        match (basis, &self.batch) {
            (index::Basis::BatchResults, Some(b)) => b.data_date.clone(),
            _ => {
                let secs = self
                    .fetched
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                format!(
                    "{} {:02}:{:02} UTC",
                    index::date_of(self.fetched),
                    secs / 3600 % 24,
                    secs / 60 % 60
                )
            }
        }
    }
}

/// A snapshot and when it was read, by caller fingerprint.
type Kept = HashMap<[u8; 32], (Instant, Arc<Snapshot>)>;

/// The snapshots, by caller.
pub struct Figures {
    ttl: Duration,
    batch_dir: Option<PathBuf>,
    kept: Mutex<Kept>,
}

impl Figures {
    /// `ttl` zero keeps nothing (every page reads afresh); `batch_dir` is
    /// where chain batch results are read (`<dir>/<tenant>/<run>/`).
    pub fn new(ttl: Duration, batch_dir: Option<PathBuf>) -> Self {
        Self {
            ttl,
            batch_dir,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The caller's snapshot: kept if fresh (after the credential check),
    /// else read now.
    pub async fn snapshot(
        &self,
        backend: &dyn Backend,
        c: &Caller,
    ) -> Result<Arc<Snapshot>, ApiError> {
        let key = c.fingerprint();
        let kept = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.get(&key)
                .filter(|(at, _)| at.elapsed() < self.ttl)
                .map(|(_, s)| s.clone())
        };
        if let Some(snapshot) = kept {
            backend
                .list_enterprises(
                    c,
                    ppb::ListEnterprisesRequest {
                        region_prefix: "37".into(),
                        page_size: 1,
                        ..Default::default()
                    },
                )
                .await?;
            return Ok(snapshot);
        }
        let records = province_records(backend, c).await?;
        // The tenant is the records' own (the services set it from the key),
        // so the batch results read are always the caller's tenant's.
        let batch = match (&self.batch_dir, records.first()) {
            (Some(dir), Some(r)) => {
                let (dir, tenant) = (dir.clone(), r.tenant.clone());
                tokio::task::spawn_blocking(move || index::load_batch(&dir, &tenant))
                    .await
                    .unwrap_or(None)
            }
            _ => None,
        };
        let snapshot = Arc::new(Snapshot {
            records,
            batch,
            fetched: SystemTime::now(),
        });
        if !self.ttl.is_zero() {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let ttl = self.ttl;
            kept.retain(|_, (at, _)| at.elapsed() < ttl);
            if kept.len() >= MAX_CALLERS
                && let Some(oldest) = kept.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k)
            {
                kept.remove(&oldest);
            }
            kept.insert(key, (Instant::now(), snapshot.clone()));
        }
        Ok(snapshot)
    }

    /// Drops the caller's snapshot (after it wrote through the web face).
    pub fn forget(&self, c: &Caller) {
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&c.fingerprint());
    }
}
