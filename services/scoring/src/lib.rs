//! The scoring service: turns (enterprise, candidate standard) signals into a
//! relevance score with the features that drove it and reasons in words,
//! using the model artifact trained by `stdnav-models`. `domain` holds the
//! logic (the model in service, validation, first-run training, reload on
//! change), `grpc` the transport.

pub mod cli;
pub mod domain;
pub mod error;
pub mod grpc;

pub use domain::{
    DEFAULT_RELOAD_INTERVAL, DEFAULT_SEED, MAX_CANDIDATES, ModelInfo, ScoreBatch, ScoredCandidate,
    Scorer, default_model_path, ensure_model, start, start_with, validate, watch,
};
pub use error::ScoringError;
pub use grpc::{SERVICE_NAME, ScoringGrpc};
