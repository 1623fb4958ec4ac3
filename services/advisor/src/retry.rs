//! Retries of idempotent reads towards the backends, within a budget.
//!
//! Only reads are retried (get, enrich, candidates, resolve, peer group,
//! score, list: none changes anything), only on UNAVAILABLE (the call was
//! refused or its connection broke: a retry may reach another replica or a
//! reconnected one), at most once per call, and only while the caller's
//! deadline leaves room. A token budget (tower's `TpsBudget`: retries at most
//! 20% of calls plus a small floor) keeps retries from multiplying load when
//! a backend is down for everyone.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

use crate::error::AdvisorError;
use crate::orchestrate::CallContext;

/// Pause before the retry: long enough for a reconnect to start, short
/// against any deadline worth retrying in.
const BACKOFF: Duration = Duration::from_millis(25);
/// Below this much time left, a retry could not finish; fail at once instead.
const MIN_LEFT: Duration = Duration::from_millis(100);

#[derive(Clone)]
pub struct ReadRetry {
    budget: Arc<TpsBudget>,
}

impl Default for ReadRetry {
    fn default() -> Self {
        Self::with_budget(TpsBudget::new(Duration::from_secs(10), 5, 0.2))
    }
}

impl ReadRetry {
    pub fn with_budget(budget: TpsBudget) -> Self {
        Self {
            budget: Arc::new(budget),
        }
    }

    /// Runs one idempotent read; `call` makes each attempt afresh (a
    /// backend builds a new request, with the time then left, each time).
    pub async fn read<R, F, Fut>(&self, ctx: &CallContext, mut call: F) -> Result<R, AdvisorError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<R, AdvisorError>>,
    {
        self.budget.deposit();
        match call().await {
            Err(e) if self.may_retry(ctx, &e) => {
                tracing::debug!(error = %e, "retrying an idempotent read");
                tokio::time::sleep(BACKOFF).await;
                call().await
            }
            other => other,
        }
    }

    fn may_retry(&self, ctx: &CallContext, error: &AdvisorError) -> bool {
        error.is_unavailable()
            && stdnav_runtime::deadline::remaining(ctx.deadline, crate::orchestrate::DEFAULT_BUDGET)
                > MIN_LEFT + BACKOFF
            && self.budget.withdraw()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use tonic::{Code, Status};

    use super::*;

    fn ctx(deadline: Duration) -> CallContext {
        CallContext {
            tenant: "t".into(),
            deadline: Some(Instant::now() + deadline),
            credentials: Default::default(),
        }
    }

    /// A backend that fails its first `failures` calls with `code`.
    async fn run(
        retry: &ReadRetry,
        ctx: &CallContext,
        failures: usize,
        code: Code,
    ) -> (Result<u32, Code>, usize) {
        let calls = AtomicUsize::new(0);
        let result = retry
            .read(ctx, || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < failures {
                        Err(AdvisorError::from_backend(Status::new(code, "down")))
                    } else {
                        Ok(7u32)
                    }
                }
            })
            .await
            .map_err(|e| Status::from(e).code());
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn retries_once_on_unavailable_only() {
        let retry = ReadRetry::default();
        let c = ctx(Duration::from_secs(5));
        assert_eq!(run(&retry, &c, 1, Code::Unavailable).await, (Ok(7), 2));
        assert_eq!(
            run(&retry, &c, 2, Code::Unavailable).await,
            (Err(Code::Unavailable), 2),
            "once"
        );
        for code in [
            Code::InvalidArgument,
            Code::NotFound,
            Code::Internal,
            Code::DeadlineExceeded,
        ] {
            assert_eq!(
                run(&retry, &c, 1, code).await,
                (Err(code), 1),
                "{code:?} is not retried"
            );
        }
    }

    #[tokio::test]
    async fn no_retry_without_budget_or_time() {
        // A budget with no floor and no share of calls: nothing to spend.
        let broke = ReadRetry::with_budget(TpsBudget::new(Duration::from_secs(1), 0, 0.0));
        let c = ctx(Duration::from_secs(5));
        assert_eq!(
            run(&broke, &c, 1, Code::Unavailable).await,
            (Err(Code::Unavailable), 1)
        );
        // The deadline leaves no room for a second attempt.
        let retry = ReadRetry::default();
        assert_eq!(
            run(
                &retry,
                &ctx(Duration::from_millis(50)),
                1,
                Code::Unavailable
            )
            .await,
            (Err(Code::Unavailable), 1)
        );
    }

    #[tokio::test]
    async fn the_budget_caps_retries_when_a_backend_is_down_for_everyone() {
        let retry = ReadRetry::with_budget(TpsBudget::new(Duration::from_secs(10), 1, 0.2));
        let c = ctx(Duration::from_secs(5));
        let mut calls = 0;
        for _ in 0..100 {
            calls += run(&retry, &c, usize::MAX, Code::Unavailable).await.1;
        }
        // 100 first attempts, and retries for about a fifth of them plus the floor.
        assert!((100..=135).contains(&calls), "{calls} calls for 100 reads");
    }
}
