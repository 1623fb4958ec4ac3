//! The standards service: the catalogue of standards on disk, a Tantivy
//! index over it with bilingual search, lineage, statistics and candidates
//! for an enterprise. `domain` holds the logic, `grpc` the transport.

pub mod check;
pub mod cli;
pub mod domain;
pub mod error;
pub mod extract;
pub mod grpc;
pub mod index;
pub mod progress;
pub mod search;
pub mod snapshot;
pub mod stem;
pub mod store;

pub use domain::Standards;
pub use grpc::{SERVICE_NAME, StandardsGrpc};
