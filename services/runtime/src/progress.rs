//! Progress of long work (reading catalogues, indexing, batch runs): the
//! trait the crates doing the work report through, and the bar a terminal
//! shows. The bar lives here, with the binaries' other terminal concerns,
//! so that service crates report progress without drawing it.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

pub trait Progress: Send + Sync {
    /// A new stage; `total` units when known.
    fn stage(&self, name: &str, total: Option<u64>);
    fn inc(&self, n: u64);
    fn finish(&self);
}

/// An indicatif bar on stderr; hidden when stderr is not a terminal.
pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Self {
        Self {
            bar: Mutex::new(None),
        }
    }
}

impl Default for Bar {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: Option<u64>) {
        let mut slot = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{msg:>28} [{bar:40}] {pos}/{len} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_message(name.to_string());
        *slot = Some(bar);
    }

    fn inc(&self, n: u64) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}
