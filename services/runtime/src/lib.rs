//! What every stdnav server shares: the start-up path ([`Launch`]: health,
//! reflection, tracing, limits, graceful shutdown), the flags, error
//! details, deadlines, tenants, client channels and telemetry.

pub mod admission;
pub mod around;
pub mod auth;
pub mod cli;
pub mod client;
pub mod conn;
pub mod deadline;
pub mod launch;
pub mod limits;
pub mod metrics;
pub mod progress;
pub mod redis;
pub mod server;
pub mod shutdown;
pub mod stall;
pub mod status;
pub mod telemetry;
pub mod tenant;

pub use launch::Launch;
pub use server::{ServeOptions, ServerHandle};
