//! Progress of long work (reading catalogues, indexing), reported through
//! [`Progress`]; a terminal draws it as a bar (`stdnav_runtime::progress::Bar`),
//! a server logs it.

pub use stdnav_runtime::progress::Progress;

/// Reports nothing (servers log instead).
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, name: &str, _total: Option<u64>) {
        tracing::info!(stage = name, "catalogue");
    }
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}
