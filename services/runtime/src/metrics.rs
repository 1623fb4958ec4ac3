//! Per-RPC metrics in Prometheus text format: calls and errors by gRPC code,
//! a latency histogram and calls in flight, recorded by a tower layer on every
//! server of the process and served over HTTP at `/metrics`.
//!
//! A call's code is read from the response trailers (or the headers of a
//! trailers-only error), and its latency runs until the response body ends,
//! so streams are measured whole.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tonic::codegen::http;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    rpc: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RpcLabels {
    rpc: String,
}

type HistogramFamily = Family<RpcLabels, Histogram, fn() -> Histogram>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The process's RPC metrics (one registry shared by every server in it).
pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    errors: Family<CallLabels, Counter>,
    latency: HistogramFamily,
    in_flight: Family<RpcLabels, Gauge>,
    chain_members: Counter,
    http_requests: Family<HttpLabels, Counter>,
    http_latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

fn latency_histogram() -> Histogram {
    // 50 µs to ~26 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 20))
}

impl Metrics {
    /// The process-wide metrics.
    pub fn global() -> &'static Metrics {
        static METRICS: OnceLock<Metrics> = OnceLock::new();
        METRICS.get_or_init(|| {
            let mut registry = Registry::with_prefix("stdnav");
            let calls = Family::<CallLabels, Counter>::default();
            let errors = Family::<CallLabels, Counter>::default();
            let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
            let in_flight = Family::<RpcLabels, Gauge>::default();
            let chain_members = Counter::default();
            registry.register(
                "rpc_calls",
                "gRPC calls handled, by method and status code",
                calls.clone(),
            );
            registry.register(
                "rpc_errors",
                "gRPC calls that ended in a status other than OK",
                errors.clone(),
            );
            registry.register(
                "rpc_duration_seconds",
                "Time from a call's arrival to the end of its response",
                latency.clone(),
            );
            registry.register(
                "rpc_in_flight",
                "gRPC calls being handled",
                in_flight.clone(),
            );
            registry.register(
                "chain_members_advised",
                "Members of industry chains advised for ScoreChain streams",
                chain_members.clone(),
            );
            // The web face's requests (services/web), by route pattern.
            let http_requests = Family::<HttpLabels, Counter>::default();
            let http_latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
                Family::new_with_constructor(latency_histogram);
            registry.register(
                "http_requests",
                "HTTP requests answered by the web face, by route and status",
                http_requests.clone(),
            );
            registry.register(
                "http_request_duration_seconds",
                "Time from an HTTP request's arrival to its answer's headers",
                http_latency.clone(),
            );
            Metrics {
                registry,
                calls,
                errors,
                latency,
                in_flight,
                chain_members,
                http_requests,
                http_latency,
            }
        })
    }

    /// Counts one chain member advised for a ScoreChain stream.
    pub fn chain_member_advised(&self) {
        self.chain_members.inc();
    }

    /// Chain members advised for ScoreChain streams since the start.
    pub fn chain_members_advised(&self) -> u64 {
        self.chain_members.get()
    }

    /// Calls of `rpc` (its path, `/package.Service/Method`) in flight now.
    pub fn in_flight(&self, rpc: &str) -> i64 {
        self.in_flight
            .get_or_create(&RpcLabels {
                rpc: rpc.to_string(),
            })
            .get()
    }

    /// Everything in Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Records one HTTP request of the web face: `route` is the matched
    /// route pattern (`/v1/enterprises/{uscc}`), never the raw path, so
    /// paths cannot grow the series without bound.
    pub fn observe_http(&self, route: &str, status: u16, started: Instant) {
        self.http_requests
            .get_or_create(&HttpLabels {
                route: route.to_string(),
                status,
            })
            .inc();
        self.http_latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(started.elapsed().as_secs_f64());
    }

    fn finish(&self, rpc: &str, code: tonic::Code, started: Instant) {
        // Unknown methods are counted under one label, so random paths cannot
        // grow the series without bound.
        let rpc = if code == tonic::Code::Unimplemented {
            "unknown"
        } else {
            rpc
        };
        let labels = CallLabels {
            rpc: rpc.to_string(),
            code: format!("{code:?}"),
        };
        self.calls.get_or_create(&labels).inc();
        if code != tonic::Code::Ok {
            self.errors.get_or_create(&labels).inc();
        }
        self.latency
            .get_or_create(&RpcLabels {
                rpc: rpc.to_string(),
            })
            .observe(started.elapsed().as_secs_f64());
    }
}

/// Serves `GET /metrics` on `listener` (bound by the caller, so a bad
/// address fails at start-up) until the process ends.
pub fn serve(listener: std::net::TcpListener) -> std::io::Result<SocketAddr> {
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async {
            (
                [(
                    http::header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                Metrics::global().render(),
            )
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics endpoint stopped");
        }
    });
    tracing::info!(addr = %local, "metrics on http://{local}/metrics");
    Ok(local)
}

/// Records every call (used as `AroundLayer(Metered)`).
#[derive(Clone, Copy, Default)]
pub struct Metered;

/// The tower layer recording every call.
pub const METRICS_LAYER: crate::around::AroundLayer<Metered> = crate::around::AroundLayer(Metered);

fn code_in(headers: &http::HeaderMap) -> Option<tonic::Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?;
    Some(tonic::Code::from(value.parse::<i32>().ok()?))
}

impl crate::around::Around for Metered {
    type State = Call;

    fn before<B>(&self, request: &mut http::Request<B>) -> Result<Call, tonic::Status> {
        Ok(Call::start(request.uri().path()))
    }

    fn after(
        mut call: Call,
        response: http::Response<tonic::body::Body>,
    ) -> http::Response<tonic::body::Body> {
        call.code = code_in(response.headers());
        crate::around::guard_body(response, call)
    }

    fn failed(mut call: Call) {
        // The transport turns this into a status of its own.
        call.code = Some(tonic::Code::Unknown);
    }
}

/// One call being measured; recorded once, when dropped.
pub struct Call {
    rpc: Arc<str>,
    started: Instant,
    code: Option<tonic::Code>,
}

impl Call {
    fn start(path: &str) -> Self {
        let metrics = Metrics::global();
        let rpc: Arc<str> = Arc::from(path);
        metrics
            .in_flight
            .get_or_create(&RpcLabels {
                rpc: rpc.to_string(),
            })
            .inc();
        Self {
            rpc,
            started: Instant::now(),
            code: None,
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        let metrics = Metrics::global();
        metrics
            .in_flight
            .get_or_create(&RpcLabels {
                rpc: self.rpc.to_string(),
            })
            .dec();
        // A body dropped before its trailers means the client went away.
        let code = self.code.unwrap_or(tonic::Code::Cancelled);
        metrics.finish(&self.rpc, code, self.started);
    }
}

impl crate::around::BodyGuard for Call {
    fn on_frame(&mut self, frame: &http_body::Frame<crate::around::Data>) {
        if let Some(trailers) = frame.trailers_ref()
            && let Some(code) = code_in(trailers)
        {
            self.code = Some(code);
        }
    }
}
