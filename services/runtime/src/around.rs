//! One tower middleware shape for the server's layers (metrics, error
//! model, API keys, admission): something done before a call, which may
//! answer it at once, and something done to its response after.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tonic::Status;
use tonic::codegen::http;

/// What a layer does around each call.
pub trait Around: Clone + Send + Sync + 'static {
    /// Carried from `before` to `after` (a timer, a permit…).
    type State: Send + 'static;

    /// Runs before the call; an error status answers it without calling on.
    fn before<B>(&self, request: &mut http::Request<B>) -> Result<Self::State, Status>;

    /// Runs on the response of a call that went on.
    fn after(
        state: Self::State,
        response: http::Response<tonic::body::Body>,
    ) -> http::Response<tonic::body::Body> {
        let _ = state;
        response
    }

    /// Runs instead of `after` when the inner service failed (the transport
    /// then answers with a status of its own).
    fn failed(state: Self::State) {
        let _ = state;
    }
}

/// The tower layer of an [`Around`].
#[derive(Clone)]
pub struct AroundLayer<A>(pub A);

impl<S, A: Around> tower::Layer<S> for AroundLayer<A> {
    type Service = AroundService<S, A>;
    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            inner,
            around: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct AroundService<S, A> {
    inner: S,
    around: A,
}

impl<S, A, B> tower::Service<http::Request<B>> for AroundService<S, A>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    A: Around,
    B: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let state = match self.around.before(&mut request) {
            Ok(state) => state,
            Err(status) => return Box::pin(async move { Ok(status.into_http()) }),
        };
        let future = self.inner.call(request);
        Box::pin(async move {
            match future.await {
                Ok(response) => Ok(A::after(state, response)),
                Err(e) => {
                    A::failed(state);
                    Err(e)
                }
            }
        })
    }
}

/// The data of a response body's frames.
pub type Data = <tonic::body::Body as http_body::Body>::Data;
type BodyError = <tonic::body::Body as http_body::Body>::Error;

/// Something a response body keeps until it is dropped (a permit, a timer),
/// shown each frame as it passes.
pub trait BodyGuard: Send + Unpin + 'static {
    fn on_frame(&mut self, frame: &http_body::Frame<Data>) {
        let _ = frame;
    }
}

impl BodyGuard for tokio::sync::OwnedSemaphorePermit {}

/// A response body with a guard that lives as long as it, so a stream is
/// accounted for until it ends.
pub fn guard_body(
    response: http::Response<tonic::body::Body>,
    guard: impl BodyGuard,
) -> http::Response<tonic::body::Body> {
    response.map(|body| tonic::body::Body::new(GuardedBody { body, guard }))
}

struct GuardedBody<G> {
    body: tonic::body::Body,
    guard: G,
}

impl<G: BodyGuard> http_body::Body for GuardedBody<G> {
    type Data = Data;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Data>, BodyError>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            self.guard.on_frame(frame);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
