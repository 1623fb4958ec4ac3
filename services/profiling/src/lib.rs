//! The profiling service: validates and enriches enterprise profiles,
//! stores them per tenant (Redis or an embedded redb file) and places each
//! enterprise in a peer group. `domain` holds the logic, `grpc` the transport.

pub mod cli;
pub mod client;
pub mod domain;
pub mod grpc;
pub mod peers;
pub mod store;

pub use domain::Profiling;
pub use grpc::{ProfilingGrpc, SERVICE_NAME};

use std::path::Path;
use std::sync::Arc;

use store::{EnterpriseStore, StoreError, embedded::EmbeddedStore, redis_store::RedisStore};

/// The store to use: Redis when a URL is given, else the embedded file
/// `<home>/profiles.redb`.
pub async fn open_store(
    redis_url: Option<&str>,
    redis_prefix: &str,
    home: &Path,
) -> Result<Arc<dyn EnterpriseStore>, StoreError> {
    match redis_url {
        Some(url) if !url.is_empty() => Ok(Arc::new(RedisStore::connect(url, redis_prefix).await?)),
        _ => Ok(Arc::new(EmbeddedStore::open(&home.join("profiles.redb"))?)),
    }
}
