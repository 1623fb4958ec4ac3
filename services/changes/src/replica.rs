//! The catalogue as the standards service keeps it, replicated in the
//! stdnav-changes process: fetched through ExportCatalogue and built as the
//! standards service builds it, then checked every few seconds; when its
//! version changed (an ingest there), the difference between the two
//! versions is recorded as change events. Replicas doing the same record the
//! same ids, which the log stores once. No index and no volume of the
//! standards service's: only its gRPC API.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use tonic::transport::Channel;

use stdnav_core::catalogue::Catalogue;
use stdnav_core::source::{CatalogueSource, CatalogueView};
use stdnav_core::standard::Standard;
use stdnav_proto::standards::v1 as spb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;

use crate::domain::Changes;
use crate::error::ChangesError;

/// One version of the standards service's catalogue.
pub struct Replica {
    pub version: String,
    catalogue: Catalogue,
}

impl CatalogueView for Replica {
    fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
}

/// The standards service's catalogue, replicated.
pub struct RemoteCatalogue {
    client: StandardsServiceClient<Channel>,
    /// Where the standards service is, for logs and the events' source.
    address: String,
    /// Presented as `authorization: Bearer <key>` when the standards service requires keys.
    key: Option<String>,
    current: RwLock<Option<Arc<Replica>>>,
}

impl RemoteCatalogue {
    /// Nothing fetched yet: [`RemoteCatalogue::load`] does it.
    pub fn new(channel: Channel, address: &str, key: Option<String>) -> Self {
        Self {
            client: StandardsServiceClient::new(channel)
                .max_decoding_message_size(stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES),
            address: address.to_string(),
            key: key.filter(|k| !k.is_empty()),
            current: RwLock::new(None),
        }
    }

    fn current(&self) -> Option<Arc<Replica>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set(&self, replica: Option<Arc<Replica>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = replica;
    }

    /// The catalogue unless it is still at `unless_version` (then None).
    async fn fetch(&self, unless_version: &str) -> Result<Option<Replica>, ChangesError> {
        let mut request = tonic::Request::new(spb::ExportCatalogueRequest {
            unless_version: unless_version.to_string(),
        });
        if let Some(key) = &self.key {
            stdnav_runtime::auth::present_key(&mut request, key)
                .map_err(|why| ChangesError::Catalogue(why.into()))?;
        }
        let unreachable = |e: tonic::Status| {
            ChangesError::Catalogue(format!(
                "standards service at {}: {} ({:?})",
                self.address,
                e.message(),
                e.code()
            ))
        };
        let mut parts = self
            .client
            .clone()
            .export_catalogue(request)
            .await
            .map_err(unreachable)?
            .into_inner();
        let mut version = None;
        let mut records = Vec::new();
        while let Some(part) = parts.next().await {
            let part = part.map_err(unreachable)?;
            version.get_or_insert(part.version);
            records.extend_from_slice(&part.records_jsonl);
        }
        let version = version
            .ok_or_else(|| ChangesError::Catalogue("ExportCatalogue answered nothing".into()))?;
        if version == unless_version && records.is_empty() {
            return Ok(None);
        }
        let catalogue = tokio::task::spawn_blocking(move || build(&records))
            .await
            .map_err(|e| ChangesError::Catalogue(e.to_string()))??;
        Ok(Some(Replica { version, catalogue }))
    }

    /// Fetches the catalogue (again).
    pub async fn load(&self) -> Result<(), ChangesError> {
        let replica = self.fetch("").await?;
        self.set(replica.map(Arc::new));
        Ok(())
    }

    /// Checks every `interval` until `shutdown`; each new version of the
    /// catalogue is recorded as change events.
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
                    tracing::warn!(error = %e, "catalogue check failed; retrying");
                }
            }
        })
    }

    /// One check: when the catalogue has a new version, replaces the replica
    /// and records the events (on failure the old one is put back, so the
    /// next check records them).
    pub async fn check(&self, changes: &Changes) -> Result<usize, ChangesError> {
        let Some(old) = self.current() else {
            self.load().await?;
            return Ok(0);
        };
        let Some(new) = self.fetch(&old.version).await? else {
            return Ok(0);
        };
        let new = Arc::new(new);
        self.set(Some(new.clone()));
        let source = format!("catalogue of the standards service at {}", self.address);
        match changes
            .record_ingest(&old.catalogue, &new.catalogue, &source)
            .await
        {
            Ok(events) => {
                tracing::info!(events = events.len(), version = %new.version, "catalogue changed");
                Ok(events.len())
            }
            Err(e) => {
                self.set(Some(old));
                Err(e)
            }
        }
    }
}

impl CatalogueSource for RemoteCatalogue {
    fn snapshot(&self) -> Option<Arc<dyn CatalogueView>> {
        self.current().map(|r| -> Arc<dyn CatalogueView> { r })
    }
}

/// The catalogue of the records file ExportCatalogue streams (one JSON
/// record a line), built as the standards service builds its own.
fn build(records: &[u8]) -> Result<Catalogue, ChangesError> {
    let records = records
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(serde_json::from_slice::<Standard>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ChangesError::Catalogue(format!("a record of ExportCatalogue: {e}")))?;
    Ok(Catalogue::build(records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::ChangeLog;
    use crate::log::embedded::EmbeddedLog;
    use stdnav_core::catalogue::Format;
    use stdnav_standards::progress::Silent;
    use stdnav_standards::store::{CatalogueStore, Source};
    use stdnav_standards::{Standards, StandardsGrpc};

    /// No tenant has enterprises: the events are logged, none is fanned out.
    struct NoEnterprises;

    #[async_trait::async_trait]
    impl stdnav_core::source::ProfileSource for NoEnterprises {
        async fn page(
            &self,
            _: &str,
            _: Option<&str>,
            _: usize,
        ) -> Result<stdnav_core::source::ProfilePage, stdnav_core::source::ProfileSourceError>
        {
            Ok(Default::default())
        }
    }

    /// The standards service ingests; the replica notices its new version
    /// and records the events.
    #[tokio::test]
    async fn a_new_version_of_the_catalogue_becomes_events() {
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
        let store = CatalogueStore::open(&dir.path().join("standards"), &sources, &Silent).unwrap();
        let standards = Arc::new(Standards::with_store(Arc::new(store)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = stdnav_runtime::Launch::default()
            .add_service(StandardsGrpc::new(standards.clone()).into_server())
            .start(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        let address = server.local_addr.to_string();
        let channel = stdnav_runtime::client::lazy_channel(&address, None).unwrap();
        let catalogue = Arc::new(RemoteCatalogue::new(channel, &address, None));
        assert!(catalogue.snapshot().is_none(), "nothing before the load");
        catalogue.load().await.unwrap();
        let log: Arc<dyn ChangeLog> =
            Arc::new(EmbeddedLog::open(&dir.path().join("changes.redb")).unwrap());
        let changes = Changes::new(log.clone(), NoEnterprises, catalogue.clone());
        assert_eq!(
            catalogue.check(&changes).await.unwrap(),
            0,
            "nothing changed"
        );

        standards
            .ingest(
                br#"{"id": "ISO 99901:2010", "title_en": "A", "status": "withdrawn"}
"#,
                Format::StdnavJsonl,
                "update",
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
                .catalogue()
                .get("ISO 99901:2010")
                .unwrap()
                .status,
            stdnav_core::standard::Status::Withdrawn
        );
        assert_eq!(catalogue.check(&changes).await.unwrap(), 0, "seen once");
        let _ = stop.send(());
    }
}
