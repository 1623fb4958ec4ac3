//! The process-wide shutdown signal (SIGTERM or ctrl-c), and the signal a
//! server gives its long-lived streams when it stops accepting calls.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// ErrorInfo reason of a stream ended because its server is shutting down.
pub const REASON_SHUTTING_DOWN: &str = "SHUTTING_DOWN";

/// Resolves on SIGTERM or ctrl-c.
pub async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Raised by the server when it stops accepting calls (after the drain):
/// streams that would otherwise stay open for ever (WatchChanges) end then,
/// telling their callers to resume elsewhere, so the server's graceful
/// shutdown — which waits for every open call — can complete. Clones share
/// one signal.
#[derive(Clone)]
pub struct StopStreams(Arc<watch::Sender<bool>>);

impl Default for StopStreams {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }
}

impl std::fmt::Debug for StopStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("StopStreams").field(&self.raised()).finish()
    }
}

impl StopStreams {
    /// Raises the signal (idempotent).
    pub fn raise(&self) {
        self.0.send_replace(true);
    }

    pub fn raised(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the signal is raised (at once if it already is).
    pub fn wait(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.0.subscribe();
        async move {
            let _ = rx.wait_for(|raised| *raised).await;
        }
    }
}

/// The status that ends a stream because the server is shutting down:
/// UNAVAILABLE (clients retry it) with ErrorInfo `SHUTTING_DOWN`, RetryInfo,
/// and in the ErrorInfo metadata what to resume from (e.g. `cursor`).
pub fn shutting_down(message: &str, resume: &[(&str, &str)]) -> Status {
    let metadata: std::collections::HashMap<String, String> = resume
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut details =
        ErrorDetails::with_error_info(REASON_SHUTTING_DOWN, crate::status::DOMAIN, metadata);
    details.set_retry_info(Some(Duration::from_millis(100)));
    Status::with_error_details(Code::Unavailable, message, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_resolves_when_raised_and_after() {
        let stop = StopStreams::default();
        let waiting = tokio::spawn(stop.wait());
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        stop.clone().raise();
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("woken")
            .unwrap();
        // Raised before waiting: at once.
        tokio::time::timeout(Duration::from_millis(100), stop.wait())
            .await
            .expect("already raised");
        assert!(stop.raised());
    }
}
