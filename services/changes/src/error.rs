//! The changes service's one error type and its one mapping to gRPC status.

use stdnav_core::source::ProfileSourceError;
use stdnav_runtime::status::{self, Violation};

use crate::log::LogError;

#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error("invalid argument: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidArgument(Vec<Violation>),
    /// The tenant's feed has no entry at the cursor given (never, or trimmed).
    #[error("no such feed entry")]
    EntryNotFound,
    /// The catalogue is still loading.
    #[error("the catalogue is still loading")]
    NotReady,
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Profiles(#[from] ProfileSourceError),
    /// The catalogue could not be (re)loaded.
    #[error("catalogue: {0}")]
    Catalogue(String),
}

impl ChangesError {
    pub fn invalid(field: &str, why: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![Violation::new(field, why)])
    }
}

impl From<ChangesError> for tonic::Status {
    fn from(e: ChangesError) -> Self {
        match e {
            ChangesError::InvalidArgument(v) => status::invalid_argument(&v),
            ChangesError::Log(LogError::BadCursor) => status::invalid_argument(&[Violation::new(
                "cursor",
                "not a cursor this service gave out",
            )]),
            ChangesError::EntryNotFound => status::with_reason(
                tonic::Code::NotFound,
                "ENTRY_NOT_FOUND",
                "the tenant's feed has no entry at this cursor (or it was trimmed)",
            ),
            ChangesError::NotReady => status::with_reason(
                tonic::Code::Unavailable,
                "CATALOGUE_LOADING",
                "the catalogue is still loading",
            ),
            ChangesError::Log(LogError::Unavailable(_))
            | ChangesError::Profiles(ProfileSourceError::Unavailable(_)) => {
                tracing::warn!(error = %e, "store unavailable");
                status::with_reason(
                    tonic::Code::Unavailable,
                    "STORE_UNAVAILABLE",
                    "the event store is unavailable; retry",
                )
            }
            e @ (ChangesError::Log(_) | ChangesError::Profiles(_) | ChangesError::Catalogue(_)) => {
                status::internal(&e)
            }
        }
    }
}
