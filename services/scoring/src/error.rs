//! The scoring service's one error type and its one mapping to gRPC status.

use stdnav_models::ModelError;
use stdnav_runtime::status::{self, Violation};

#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    /// Bad fields in a request: (field, why).
    #[error("invalid argument: {0:?}")]
    InvalidArgument(Vec<(String, String)>),
    /// No model is loaded yet (first start still training or loading).
    #[error("no scoring model is loaded")]
    NoModel,
    /// The artifact could not be loaded, saved or trained.
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ScoringError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![(field.into(), reason.into())])
    }
}

impl From<ScoringError> for tonic::Status {
    fn from(e: ScoringError) -> Self {
        match e {
            ScoringError::InvalidArgument(v) => status::invalid_argument(
                &v.into_iter()
                    .map(|(f, d)| Violation::new(f, d))
                    .collect::<Vec<_>>(),
            ),
            ScoringError::NoModel => status::with_reason(
                tonic::Code::Unavailable,
                "MODEL_NOT_LOADED",
                "the scoring model is still loading",
            ),
            e @ (ScoringError::Model(_) | ScoringError::Internal(_)) => status::internal(&e),
        }
    }
}
