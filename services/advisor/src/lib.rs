//! The advisor: composes profiling, standards retrieval and scoring into a
//! customised standardization solution per enterprise, with benchmarking
//! gaps, a roadmap and chain-level batch scoring.
//! `compose` holds the rules (pure), `orchestrate` the calls to the other
//! services through the traits of `backend` (whose gRPC clients live there
//! too), `grpc` the transport, `report` the text rendering.

pub mod backend;
pub mod chain;
pub mod cli;
pub mod compose;
pub mod convert;
pub mod error;
pub mod grpc;
pub mod orchestrate;
pub mod report;
pub mod retry;
pub mod solution;
#[cfg(test)]
mod tests;

pub use backend::{BackendAddrs, Backends, ProfilesBackend, ScoringBackend, StandardsBackend};
pub use error::AdvisorError;
pub use grpc::{AdvisorGrpc, SERVICE_NAME};
pub use orchestrate::Advisor;
