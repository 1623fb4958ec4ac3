//! What one service reads of another's facts when both run in one process:
//! the current catalogue, the enterprises of a tenant, word of an ingest.
//! The owning crates implement these (the standards service's domain and
//! store, the profiling service's store); the change service consumes them,
//! or its own gRPC clients of the same, without importing either crate.

use std::sync::Arc;

use async_trait::async_trait;

use crate::catalogue::Catalogue;
use crate::enterprise::EnterpriseRecord;

/// The catalogue at one moment, however its owner holds it: a snapshot of
/// the standards service, or a replica of its records.
pub trait CatalogueView: Send + Sync {
    fn catalogue(&self) -> &Catalogue;
}

/// Where the current catalogue comes from.
pub trait CatalogueSource: Send + Sync {
    /// The catalogue now; None while it is still loading.
    fn snapshot(&self) -> Option<Arc<dyn CatalogueView>>;
}

/// Told about every ingest that changed the catalogue: the catalogue
/// before, after, and the source's name. An error fails the ingest call;
/// the catalogue keeps the change.
pub type IngestObserver =
    Arc<dyn Fn(&Catalogue, &Catalogue, &str) -> Result<(), String> + Send + Sync>;

/// Why a page of enterprises could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProfileSourceError {
    /// Worth retrying: the store or service is down or busy.
    #[error("profiles unavailable: {0}")]
    Unavailable(String),
    #[error("profiles: {0}")]
    Internal(String),
}

/// A page of a tenant's enterprises.
#[derive(Debug, Default)]
pub struct ProfilePage {
    pub records: Vec<EnterpriseRecord>,
    /// The token of the next page; None on the last.
    pub next: Option<String>,
}

/// Where a tenant's enterprises come from.
#[async_trait]
pub trait ProfileSource: Send + Sync {
    /// A page of at most `size` of `tenant`'s enterprises, after the page
    /// token `after` (None: from the first); `next` continues it.
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<ProfilePage, ProfileSourceError>;
}

#[async_trait]
impl<T: ProfileSource + ?Sized> ProfileSource for Arc<T> {
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<ProfilePage, ProfileSourceError> {
        (**self).page(tenant, after, size).await
    }
}
