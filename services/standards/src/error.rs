//! The standards service's one error type and its one mapping to gRPC status.

use stdnav_runtime::status::{self, Violation};

#[derive(Debug, thiserror::Error)]
pub enum StandardsError {
    /// Bad fields in a request: (field, why).
    #[error("invalid argument: {0:?}")]
    InvalidArgument(Vec<(String, String)>),
    #[error("standard {0:?} not found")]
    NotFound(String),
    #[error("catalogue is not loaded yet")]
    NotReady,
    /// The catalogue is served from a read-only index.
    #[error("the catalogue is read-only here")]
    ReadOnly,
    #[error("index error: {0}")]
    Index(String),
    #[error("storage error: {0}")]
    Io(String),
}

impl StandardsError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![(field.into(), reason.into())])
    }

    pub fn index(e: impl std::fmt::Display) -> Self {
        Self::Index(e.to_string())
    }

    pub fn io(e: impl std::fmt::Display) -> Self {
        Self::Io(e.to_string())
    }
}

impl From<StandardsError> for tonic::Status {
    fn from(e: StandardsError) -> Self {
        match e {
            StandardsError::InvalidArgument(v) => status::invalid_argument(
                &v.into_iter()
                    .map(|(f, d)| Violation::new(f, d))
                    .collect::<Vec<_>>(),
            ),
            StandardsError::NotFound(id) => status::with_reason(
                tonic::Code::NotFound,
                "STANDARD_NOT_FOUND",
                format!("no standard {} in the catalogue", status::quote(&id)),
            ),
            StandardsError::NotReady => status::with_reason(
                tonic::Code::Unavailable,
                "NOT_READY",
                "the catalogue is still loading",
            ),
            StandardsError::ReadOnly => status::with_reason(
                tonic::Code::FailedPrecondition,
                "READ_ONLY_CATALOGUE",
                "this server serves a read-only index: ingest where the index is built",
            ),
            e @ (StandardsError::Index(_) | StandardsError::Io(_)) => status::internal(&e),
        }
    }
}
