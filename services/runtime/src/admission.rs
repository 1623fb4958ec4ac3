//! Admission control in front of every service: a global cap on calls in
//! flight, answered at once with UNAVAILABLE when full (load shedding: a
//! queue would only turn overload into timeouts), and a per-tenant rate limit
//! answered with RESOURCE_EXHAUSTED, both with `google.rpc.RetryInfo` and a
//! stable `ErrorInfo` reason. Health and reflection are never shed, so probes
//! keep telling the truth under load.
//!
//! The tenant is read from `x-stdnav-tenant`, which the API-key layer in front
//! of this one sets from the key when keys are on.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::codegen::http;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::around::AroundLayer;
use crate::status::DOMAIN;
use crate::tenant::{DEFAULT_TENANT, TENANT_HEADER};

/// ErrorInfo reason of a call shed because the server is full.
pub const REASON_OVERLOADED: &str = "OVERLOADED";
/// ErrorInfo reason of a call over its tenant's rate.
pub const REASON_RATE_LIMITED: &str = "RATE_LIMITED";

/// What the admission layer enforces; zero switches a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Calls in flight across all connections before new ones are shed.
    pub max_in_flight: usize,
    /// Calls per second each tenant may make on average.
    pub tenant_rate: u32,
    /// Calls a tenant may make at once above its rate.
    pub tenant_burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 1024,
            tenant_rate: 0,
            tenant_burst: 0,
        }
    }
}

type TenantLimiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// The admission check; clones share one budget.
#[derive(Clone)]
pub struct Admission {
    in_flight: Option<Arc<Semaphore>>,
    tenants: Option<Arc<TenantLimiter>>,
}

impl Admission {
    pub fn new(limits: Limits) -> Self {
        let in_flight =
            (limits.max_in_flight > 0).then(|| Arc::new(Semaphore::new(limits.max_in_flight)));
        let tenants = NonZeroU32::new(limits.tenant_rate).map(|rate| {
            let burst = NonZeroU32::new(limits.tenant_burst).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        Self { in_flight, tenants }
    }
}

/// The tower layer of [`Admission`].
pub type AdmissionLayer = AroundLayer<Admission>;

impl AdmissionLayer {
    pub fn new(limits: Limits) -> Self {
        AroundLayer(Admission::new(limits))
    }
}

/// Calls that are never limited: probes and tooling.
fn exempt(path: &str) -> bool {
    path.starts_with("/grpc.health.v1.") || path.starts_with("/grpc.reflection.")
}

fn refusal(code: Code, reason: &str, message: &str, retry_after: Duration) -> Status {
    let mut details = ErrorDetails::with_error_info(
        reason,
        DOMAIN,
        std::collections::HashMap::<String, String>::new(),
    );
    details.set_retry_info(Some(retry_after));
    Status::with_error_details(code, message, details)
}

impl crate::around::Around for Admission {
    /// The call's place in the in-flight budget, when there is one.
    type State = Option<OwnedSemaphorePermit>;

    fn before<B>(&self, request: &mut http::Request<B>) -> Result<Self::State, Status> {
        if exempt(request.uri().path()) {
            return Ok(None);
        }
        if let Some(limiter) = &self.tenants {
            let tenant = request
                .headers()
                .get(TENANT_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(DEFAULT_TENANT);
            if let Err(not_until) = limiter.check_key(&tenant.to_string()) {
                return Err(refusal(
                    Code::ResourceExhausted,
                    REASON_RATE_LIMITED,
                    "rate limit of this tenant reached; retry later",
                    not_until.wait_time_from(DefaultClock::default().now()),
                ));
            }
        }
        match &self.in_flight {
            None => Ok(None),
            Some(semaphore) => semaphore
                .clone()
                .try_acquire_owned()
                .map(Some)
                .map_err(|_| {
                    refusal(
                        Code::Unavailable,
                        REASON_OVERLOADED,
                        "server is at capacity; retry on another replica or later",
                        Duration::from_millis(100),
                    )
                }),
        }
    }

    /// The permit lives as long as the response body, so a stream counts as
    /// in flight until it ends.
    fn after(
        permit: Self::State,
        response: http::Response<tonic::body::Body>,
    ) -> http::Response<tonic::body::Body> {
        match permit {
            None => response,
            Some(permit) => crate::around::guard_body(response, permit),
        }
    }
}
