//! The catalogue as another process keeps it: the standalone changes
//! service shares `--home/standards` with the standards service, notices
//! when an ingest there switched the catalogue (its manifest changed), and
//! records the difference as change events itself. Replicas doing the same
//! record the same ids, which the log stores once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use stdnav_standards::progress::Silent;
use stdnav_standards::snapshot::Snapshot;
use stdnav_standards::store::{CatalogueStore, Source};

use crate::domain::{CatalogueSource, Changes};
use crate::error::ChangesError;

/// The catalogue before and after a change on disk.
pub type Reloaded = (Arc<Snapshot>, Arc<Snapshot>);

pub struct ReloadingCatalogue {
    dir: PathBuf,
    sources: Vec<Source>,
    current: RwLock<Option<(Vec<u8>, Arc<CatalogueStore>)>>,
}

fn manifest(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("manifest.json")).unwrap_or_default()
}

impl ReloadingCatalogue {
    /// Nothing loaded yet: [`ReloadingCatalogue::load`] does it.
    pub fn new(dir: &Path, sources: Vec<Source>) -> Self {
        Self {
            dir: dir.to_path_buf(),
            sources,
            current: RwLock::new(None),
        }
    }

    /// Loads the catalogue (building it when the cache is missing). Blocking.
    pub fn load(&self) -> Result<(), ChangesError> {
        let before = manifest(&self.dir);
        let store = CatalogueStore::open(&self.dir, &self.sources, &Silent)
            .map_err(|e| ChangesError::Catalogue(e.to_string()))?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some((before, Arc::new(store)));
        Ok(())
    }

    /// When the manifest changed since the last load, loads the catalogue
    /// again and returns the old and new snapshots. Blocking.
    pub fn reload_if_changed(&self) -> Result<Option<Reloaded>, ChangesError> {
        let now = manifest(&self.dir);
        let old = {
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            match current.as_ref() {
                Some((seen, _)) if *seen == now => return Ok(None),
                Some((_, store)) => store.snapshot(),
                None => return Ok(None),
            }
        };
        self.load()?;
        Ok(self.snapshot().map(|new| (old, new)))
    }

    /// Checks every `interval` until `shutdown`; each change of the
    /// catalogue on disk is recorded as change events.
    pub fn spawn_watch(
        self: &Arc<Self>,
        changes: Arc<Changes>,
        interval: Duration,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep(interval) => {}
                }
                if let Err(e) = this.check(&changes).await {
                    tracing::warn!(error = %e, "catalogue reload failed; retrying");
                }
            }
        })
    }

    /// One check: reloads when the catalogue changed and records the events.
    pub async fn check(self: &Arc<Self>, changes: &Changes) -> Result<usize, ChangesError> {
        let this = self.clone();
        let reloaded = tokio::task::spawn_blocking(move || this.reload_if_changed())
            .await
            .map_err(|e| ChangesError::Catalogue(e.to_string()))??;
        let Some((old, new)) = reloaded else {
            return Ok(0);
        };
        let source = format!("catalogue {}", self.dir.display());
        let events = changes
            .record_ingest(&old.catalogue, &new.catalogue, &source)
            .await?;
        tracing::info!(events = events.len(), "catalogue changed on disk");
        Ok(events.len())
    }
}

impl CatalogueSource for ReloadingCatalogue {
    fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(_, store)| store.snapshot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::ChangeLog;
    use crate::log::embedded::EmbeddedLog;
    use stdnav_core::catalogue::Format;
    use stdnav_profiling::store::embedded::EmbeddedStore;

    /// The standards service (another store on the same directory) ingests;
    /// the changes service notices and records the events.
    #[tokio::test]
    async fn changes_on_disk_become_events() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v1.jsonl");
        std::fs::write(
            &file,
            r#"{"id": "ISO 99901:2010", "title_en": "A", "status": "current"}
"#,
        )
        .unwrap();
        let sources = vec![Source::File {
            path: file,
            format: Some(Format::StdnavJsonl),
        }];
        let cat_dir = dir.path().join("standards");
        let catalogue = Arc::new(ReloadingCatalogue::new(&cat_dir, sources.clone()));
        catalogue.load().unwrap();
        let log: Arc<dyn ChangeLog> =
            Arc::new(EmbeddedLog::open(&dir.path().join("changes.redb")).unwrap());
        let profiles = Arc::new(EmbeddedStore::open(&dir.path().join("profiles.redb")).unwrap());
        let changes = Changes::new(log.clone(), profiles, catalogue.clone());
        assert_eq!(
            catalogue.check(&changes).await.unwrap(),
            0,
            "nothing changed"
        );

        let standards = CatalogueStore::open(&cat_dir, &sources, &Silent).unwrap();
        standards
            .ingest(
                r#"{"id": "ISO 99901:2010", "title_en": "A", "status": "withdrawn"}
"#,
                Format::StdnavJsonl,
                "update",
                &Silent,
            )
            .unwrap();
        assert_eq!(catalogue.check(&changes).await.unwrap(), 1);
        let logged = log.catalogue(None, 10).await.unwrap();
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].event.kind, crate::event::ChangeKind::Withdrawn);
        assert_eq!(
            catalogue
                .snapshot()
                .unwrap()
                .catalogue
                .get("ISO 99901:2010")
                .unwrap()
                .status,
            stdnav_core::standard::Status::Withdrawn
        );
        assert_eq!(catalogue.check(&changes).await.unwrap(), 0, "seen once");
    }
}
