//! Change alerts: typed events when the catalogue changes, the enterprises
//! each one affects and why, per-tenant subscriptions and feeds stored
//! durably (Redis Streams or redb), reminders and digests. `domain` holds
//! the logic, `grpc` the transport (stdnav.changes.v1).

pub mod cli;
pub mod digest;
pub mod domain;
pub mod error;
pub mod event;
pub mod grpc;
pub mod impact;
pub mod log;
pub mod profiles;
pub mod remind;
pub mod replica;
pub mod subscription;

pub use domain::Changes;
pub use grpc::{ChangesGrpc, SERVICE_NAME};

use std::path::Path;
use std::sync::Arc;

use log::{ChangeLog, LogError, embedded::EmbeddedLog, redis_log::RedisLog};

/// The event log to use: Redis Streams when a URL is given, else the
/// embedded file `<home>/changes.redb`.
pub async fn open_log(
    redis_url: Option<&str>,
    redis_prefix: &str,
    home: &Path,
) -> Result<Arc<dyn ChangeLog>, LogError> {
    match redis_url {
        Some(url) if !url.is_empty() => Ok(Arc::new(RedisLog::connect(url, redis_prefix).await?)),
        _ => Ok(Arc::new(EmbeddedLog::open(&home.join("changes.redb"))?)),
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
