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

use tonic::{Code, Status};
use tower::retry::budget::{Budget, TpsBudget};

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

    /// Runs one idempotent read: `call` gets a fresh request (tenant, key,
    /// deadline, trace context) for each attempt.
    pub async fn read<T, R, F, Fut>(
        &self,
        ctx: &CallContext,
        message: T,
        mut call: F,
    ) -> Result<tonic::Response<R>, Status>
    where
        T: Clone,
        F: FnMut(tonic::Request<T>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<R>, Status>>,
    {
        self.budget.deposit();
        match call(ctx.request(message.clone())?).await {
            Err(status) if self.may_retry(ctx, &status) => {
                tracing::debug!(code = ?status.code(), "retrying an idempotent read");
                tokio::time::sleep(BACKOFF).await;
                call(ctx.request(message)?).await
            }
            other => other,
        }
    }

    fn may_retry(&self, ctx: &CallContext, status: &Status) -> bool {
        status.code() == Code::Unavailable
            && stdnav_runtime::deadline::remaining(ctx.deadline, crate::orchestrate::DEFAULT_BUDGET)
                > MIN_LEFT + BACKOFF
            && self.budget.withdraw()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

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
            .read(ctx, 7u32, |request: tonic::Request<u32>| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                let value = *request.get_ref();
                async move {
                    if n < failures {
                        Err(Status::new(code, "down"))
                    } else {
                        Ok(tonic::Response::new(value))
                    }
                }
            })
            .await
            .map(|r| r.into_inner())
            .map_err(|s| s.code());
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
