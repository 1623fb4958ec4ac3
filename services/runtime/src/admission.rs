//! Admission control in front of every service: a global cap on calls in
//! flight, answered at once with UNAVAILABLE when full (load shedding: a
//! queue would only turn overload into timeouts), and a per-tenant rate limit
//! answered with RESOURCE_EXHAUSTED, both with `google.rpc.RetryInfo` and a
//! stable `ErrorInfo` reason. Health and reflection are never shed, so probes
//! keep telling the truth under load.
//!
//! The tenant is read from `x-stdnav-tenant`, which the API-key layer in front
//! of this one sets from the key when keys are on.
//!
//! Fairness (issue 20): a call takes its place in the budget only once its
//! request body is complete, so a client that announces a body and never
//! sends it (a stalled upload) holds no place; such a body must arrive
//! within `body_timeout` or the call ends with DEADLINE_EXCEEDED. And each
//! tenant may hold at most `tenant_max_in_flight` places: over it,
//! RESOURCE_EXHAUSTED `TENANT_IN_FLIGHT`, while other tenants are served.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http_body::Body as _;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::codegen::http;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::status::DOMAIN;
use crate::tenant::{DEFAULT_TENANT, TENANT_HEADER};

/// ErrorInfo reason of a call shed because the server is full.
pub const REASON_OVERLOADED: &str = "OVERLOADED";
/// ErrorInfo reason of a call over its tenant's rate.
pub const REASON_RATE_LIMITED: &str = "RATE_LIMITED";
/// ErrorInfo reason of a call over its tenant's share of the calls in flight.
pub const REASON_TENANT_IN_FLIGHT: &str = "TENANT_IN_FLIGHT";
/// ErrorInfo reason of a call whose request body did not arrive in time.
pub const REASON_BODY_TIMEOUT: &str = "REQUEST_BODY_TIMEOUT";

/// What the admission layer enforces; zero switches a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Calls in flight across all connections before new ones are shed.
    pub max_in_flight: usize,
    /// Calls per second each tenant may make on average.
    pub tenant_rate: u32,
    /// Calls a tenant may make at once above its rate.
    pub tenant_burst: u32,
    /// Calls in flight one tenant may hold (0: only the global cap).
    pub tenant_max_in_flight: usize,
    /// How long a request body may take to arrive, from its headers
    /// (zero: no limit).
    pub body_timeout: Duration,
}

/// A tenant's share of the calls in flight by default: a quarter, so one
/// tenant cannot take them all.
pub const DEFAULT_TENANT_MAX_IN_FLIGHT: usize = 256;
/// How long a request body may take by default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 1024,
            tenant_rate: 0,
            tenant_burst: 0,
            tenant_max_in_flight: DEFAULT_TENANT_MAX_IN_FLIGHT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

type TenantLimiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// Tenants' in-flight budgets; entries of idle tenants are dropped when the
/// map grows (tenants are caller-chosen without keys).
struct TenantSlots {
    cap: usize,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

const TENANT_SLOTS_KEPT: usize = 10_000;

impl TenantSlots {
    fn acquire(&self, tenant: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.len() >= TENANT_SLOTS_KEPT && !slots.contains_key(tenant) {
                let cap = self.cap;
                slots.retain(|_, s| s.available_permits() < cap);
            }
            slots
                .entry(tenant.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.cap)))
                .clone()
        };
        semaphore.try_acquire_owned().ok()
    }
}

/// The admission check; clones share one budget.
#[derive(Clone)]
pub struct Admission {
    in_flight: Option<Arc<Semaphore>>,
    tenants: Option<Arc<TenantLimiter>>,
    tenant_slots: Option<Arc<TenantSlots>>,
    body_timeout: Duration,
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
        let tenant_slots = (limits.tenant_max_in_flight > 0).then(|| {
            Arc::new(TenantSlots {
                cap: limits.tenant_max_in_flight,
                slots: Mutex::new(HashMap::new()),
            })
        });
        Self {
            in_flight,
            tenants,
            tenant_slots,
            body_timeout: limits.body_timeout,
        }
    }

    /// A place for a call of `tenant` whose request is complete: the
    /// tenant's, then the server's.
    fn admit(&self, tenant: &str) -> Result<Places, Status> {
        let tenant_place = match &self.tenant_slots {
            None => None,
            Some(slots) => Some(slots.acquire(tenant).ok_or_else(|| {
                refusal(
                    Code::ResourceExhausted,
                    REASON_TENANT_IN_FLIGHT,
                    "this tenant has as many calls in flight as it may; retry when some end",
                    Duration::from_millis(100),
                )
            })?),
        };
        let place = match &self.in_flight {
            None => None,
            Some(semaphore) => Some(semaphore.clone().try_acquire_owned().map_err(|_| {
                refusal(
                    Code::Unavailable,
                    REASON_OVERLOADED,
                    "server is at capacity; retry on another replica or later",
                    Duration::from_millis(100),
                )
            })?),
        };
        Ok(Places {
            _place: place,
            _tenant: tenant_place,
        })
    }
}

/// The places a call holds until its response ends.
struct Places {
    _place: Option<OwnedSemaphorePermit>,
    _tenant: Option<OwnedSemaphorePermit>,
}

/// Where a call's places are kept: filled when its request body is
/// complete, emptied when its response body ends.
type Slot = Arc<Mutex<Option<Places>>>;

impl crate::around::BodyGuard for Slot {}

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

/// The tower layer of [`Admission`].
#[derive(Clone)]
pub struct AdmissionLayer(Admission);

impl AdmissionLayer {
    pub fn new(limits: Limits) -> Self {
        Self(Admission::new(limits))
    }
}

impl<S> tower::Layer<S> for AdmissionLayer {
    type Service = AdmissionService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AdmissionService {
            inner,
            admission: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct AdmissionService<S> {
    inner: S,
    admission: Admission,
}

type Body = tonic::body::Body;

impl<S> tower::Service<http::Request<Body>> for AdmissionService<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if exempt(request.uri().path()) {
            return Box::pin(self.inner.call(request));
        }
        let tenant = request
            .headers()
            .get(TENANT_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(DEFAULT_TENANT)
            .to_string();
        if let Some(limiter) = &self.admission.tenants
            && let Err(not_until) = limiter.check_key(&tenant)
        {
            let status = refusal(
                Code::ResourceExhausted,
                REASON_RATE_LIMITED,
                "rate limit of this tenant reached; retry later",
                not_until.wait_time_from(DefaultClock::default().now()),
            );
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let slot: Slot = Arc::default();
        let request = if request.body().is_end_stream() {
            // Nothing to wait for: admitted (or refused) now.
            match self.admission.admit(&tenant) {
                Ok(places) => {
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(places);
                    request
                }
                Err(status) => return Box::pin(async move { Ok(status.into_http()) }),
            }
        } else {
            let admission = self.admission.clone();
            let slot = slot.clone();
            let timeout = admission.body_timeout;
            request.map(|body| {
                Body::new(AdmittedBody {
                    body,
                    admission,
                    tenant,
                    slot,
                    deadline: (!timeout.is_zero()).then(|| Box::pin(tokio::time::sleep(timeout))),
                    done: false,
                })
            })
        };
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            // The places live as long as the response body, so a stream
            // counts as in flight until it ends.
            Ok(crate::around::guard_body(response, slot))
        })
    }
}

/// A request body that admits its call when it is complete, and fails when
/// it has not arrived within the timeout.
struct AdmittedBody {
    body: Body,
    admission: Admission,
    tenant: String,
    slot: Slot,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    done: bool,
}

impl AdmittedBody {
    /// Takes the call's places; the error ends the call.
    fn complete(&mut self) -> Result<(), Status> {
        self.done = true;
        self.deadline = None;
        let places = self.admission.admit(&self.tenant)?;
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(places);
        Ok(())
    }
}

impl http_body::Body for AdmittedBody {
    type Data = crate::around::Data;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Status>>> {
        let this = &mut *self;
        if this.done {
            return Pin::new(&mut this.body).poll_frame(cx);
        }
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(None) => Poll::Ready(this.complete().err().map(Err)),
            Poll::Ready(Some(Ok(frame))) => {
                if this.body.is_end_stream()
                    && let Err(status) = this.complete()
                {
                    return Poll::Ready(Some(Err(status)));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Pending => {
                if let Some(deadline) = this.deadline.as_mut()
                    && deadline.as_mut().poll(cx).is_ready()
                {
                    this.done = true;
                    this.deadline = None;
                    tracing::debug!(tenant = %this.tenant, "request body did not arrive in time");
                    return Poll::Ready(Some(Err(refusal(
                        Code::DeadlineExceeded,
                        REASON_BODY_TIMEOUT,
                        "the request body did not arrive in time",
                        Duration::from_millis(100),
                    ))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done && self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
