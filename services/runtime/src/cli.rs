//! Command-line flags every stdnav server binary shares, so the four
//! services, the all-in-one server and the deployment manifests agree on
//! one set of names (each flag also reads a `STDNAV_*` environment variable).

use std::path::PathBuf;

use crate::server::ServeOptions;
use crate::telemetry::{self, LogFormat};

/// Logging flags of the service binaries (the `stdnav` CLI has its own,
/// global to its subcommands).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct LogFlags {
    /// Log format on stderr: plain or json (filter with STDNAV_LOG).
    #[arg(long, env = "STDNAV_LOG_FORMAT", default_value = "plain")]
    pub log_format: LogFormat,
}

impl LogFlags {
    /// Installs logging as the flags say.
    pub fn init(&self) {
        telemetry::init(self.log_format, "info");
    }
}

/// Flags of the server side shared by every server binary and `stdnav serve`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ServeFlags {
    /// API key file (`stdnav keys create`); when set every call needs a key
    /// and its tenant and scope come from the key.
    #[arg(long, env = "STDNAV_KEYS")]
    pub keys: Option<PathBuf>,
}

impl ServeFlags {
    /// The server options these flags ask for.
    pub fn options(&self) -> anyhow::Result<ServeOptions> {
        Ok(ServeOptions::with_keys(self.keys.as_deref())?)
    }
}
