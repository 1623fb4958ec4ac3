//! Responses whose client does not read (issue 20, item 4).
//!
//! A server stream is computed only as fast as the transport takes its
//! messages: hyper polls a response body for its next frame only once the
//! previous one fits the client's HTTP/2 flow-control window, so a stream
//! whose client stops reading stops being polled — and a stream that
//! computes its items when polled (ScoreChain) or from a bounded channel
//! (WatchChanges) stops computing. But such a stream would stay open, and
//! counted in flight, for as long as the connection lives.
//!
//! This layer ends it: a response that has handed the transport a frame
//! and has not been asked for the next one for `timeout` (the call timeout)
//! is cut. Its body — and with it the stream's producer, its admission
//! places and its in-flight count — is dropped at once; when the client
//! reads again it gets what was already sent, then `DEADLINE_EXCEEDED`
//! with ErrorInfo reason `STREAM_NOT_READ`. A stream waiting for items of
//! its own (an idle watch) is not stalled: it was asked and has nothing
//! yet.
//!
//! One sweeper task per server checks the responses that have sent data,
//! a few times per timeout.

use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tonic::codegen::http;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::around::Data;
use crate::status::DOMAIN;

/// ErrorInfo reason of a response cut because its client did not read it.
pub const REASON_NOT_READ: &str = "STREAM_NOT_READ";

type Body = tonic::body::Body;
type BodyError = <Body as http_body::Body>::Error;

/// The responses being watched, shared by a server's layer and its sweeper.
#[derive(Default)]
struct Registry {
    watched: Mutex<Vec<Weak<Shared>>>,
}

/// One response: its body (taken away when it is cut) and since when the
/// transport has held its last frame without asking for the next.
struct Shared {
    body: Mutex<Option<Body>>,
    waiting_since: Mutex<Option<Instant>>,
    path: String,
}

/// The tower layer; clones share one registry.
#[derive(Clone)]
pub struct StallLayer {
    timeout: Duration,
    registry: Arc<Registry>,
}

impl StallLayer {
    /// A layer cutting responses not read for `timeout` (zero: never), with
    /// its sweeper spawned on the current runtime; the sweeper ends when
    /// the last clone of the layer is dropped.
    pub fn new(timeout: Duration) -> Self {
        let registry = Arc::new(Registry::default());
        if !timeout.is_zero() {
            let weak = Arc::downgrade(&registry);
            let every = (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let Some(registry) = weak.upgrade() else {
                        return;
                    };
                    sweep(&registry, timeout);
                }
            });
        }
        Self { timeout, registry }
    }
}

/// Cuts what has waited too long; forgets what has ended.
fn sweep(registry: &Registry, timeout: Duration) {
    let mut cut = Vec::new();
    {
        let mut watched = registry.watched.lock().unwrap_or_else(|e| e.into_inner());
        watched.retain(|weak| {
            let Some(shared) = weak.upgrade() else {
                return false;
            };
            let stalled = shared
                .waiting_since
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some_and(|since| since.elapsed() >= timeout);
            if stalled {
                cut.push(shared);
            }
            !stalled
        });
    }
    for shared in cut {
        let body = shared.body.lock().unwrap_or_else(|e| e.into_inner()).take();
        if body.is_some() {
            tracing::info!(
                rpc = %shared.path,
                timeout_ms = timeout.as_millis() as u64,
                "client did not read its response; stream ended"
            );
        }
        // Dropped outside the lock: the stream's producer, admission places
        // and metrics go with it.
        drop(body);
    }
}

impl<S> tower::Layer<S> for StallLayer {
    type Service = StallService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        StallService {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct StallService<S> {
    inner: S,
    layer: StallLayer,
}

impl<S, B> tower::Service<http::Request<B>> for StallService<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<Body>> + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if self.layer.timeout.is_zero() {
            return Box::pin(self.inner.call(request));
        }
        let path = request.uri().path().to_string();
        let future = self.inner.call(request);
        let registry = self.layer.registry.clone();
        let timeout = self.layer.timeout;
        Box::pin(async move {
            let response = future.await?;
            let (parts, body) = response.into_parts();
            let shared = Arc::new(Shared {
                body: Mutex::new(Some(body)),
                waiting_since: Mutex::new(None),
                path,
            });
            Ok(http::Response::from_parts(
                parts,
                Body::new(Watched {
                    shared,
                    registry: Some(registry),
                    timeout,
                    ended: false,
                }),
            ))
        })
    }
}

/// The body the transport sees.
struct Watched {
    shared: Arc<Shared>,
    /// Where to register at the first data frame (then None).
    registry: Option<Arc<Registry>>,
    timeout: Duration,
    ended: bool,
}

impl Watched {
    fn not_read(&self) -> http::HeaderMap {
        let details = ErrorDetails::with_error_info(
            REASON_NOT_READ,
            DOMAIN,
            std::collections::HashMap::<String, String>::new(),
        );
        let status = Status::with_error_details(
            Code::DeadlineExceeded,
            format!(
                "the client did not read this stream for {} s; it was ended",
                self.timeout.as_secs_f64()
            ),
            details,
        );
        let mut trailers = http::HeaderMap::new();
        let _ = status.add_header(&mut trailers);
        trailers
    }
}

impl http_body::Body for Watched {
    type Data = Data;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Data>, BodyError>>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        let polled = {
            let mut body = this.shared.body.lock().unwrap_or_else(|e| e.into_inner());
            match body.as_mut() {
                Some(body) => Pin::new(body).poll_frame(cx),
                None => {
                    // Cut by the sweeper while the transport held a frame.
                    this.ended = true;
                    return Poll::Ready(Some(Ok(http_body::Frame::trailers(this.not_read()))));
                }
            }
        };
        let data = matches!(&polled, Poll::Ready(Some(Ok(frame))) if frame.is_data());
        *this
            .shared
            .waiting_since
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = data.then(Instant::now);
        if data && let Some(registry) = this.registry.take() {
            registry
                .watched
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Arc::downgrade(&this.shared));
        }
        if matches!(polled, Poll::Ready(None)) {
            this.ended = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.ended
            || self
                .shared
                .body
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .is_some_and(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.shared
            .body
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|b| b.size_hint())
            .unwrap_or_default()
    }
}
