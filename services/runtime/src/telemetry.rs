//! One place that sets up logging and tracing for every binary: logs on
//! stderr (plain or JSON), and, with an OTLP endpoint, OpenTelemetry traces
//! exported over OTLP/gRPC. Trace context crosses services in the W3C
//! `traceparent` metadata: clients inject it ([`inject_context`]), servers
//! adopt it as the parent of their call span ([`server_span`]), so one
//! Advise is one trace across the four services.

use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tonic::codegen::http;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Plain,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "plain" | "text" => Ok(Self::Plain),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format {other:?} (plain or json)")),
        }
    }
}

/// Keeps the trace exporter alive; dropping it flushes the spans not yet sent.
#[must_use = "traces stop being exported when the guard is dropped"]
#[derive(Default)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends every finished span now (tests, and before exiting).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(e) = provider.force_flush()
        {
            eprintln!("warning: flushing traces failed: {e}");
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs the global subscriber: filter from `STDNAV_LOG` (or `RUST_LOG`),
/// defaulting to `default_filter`; logs go to stderr so stdout stays clean
/// for command output. Calling it twice is harmless (the first wins).
pub fn init(format: LogFormat, default_filter: &str) {
    let _ = init_with(format, default_filter, None, "stdnav");
}

/// [`init`] plus OpenTelemetry traces sent to `otlp_endpoint` (an OTLP/gRPC
/// collector such as `http://127.0.0.1:4317`) as `service_name`. Must run
/// inside a Tokio runtime when an endpoint is given.
pub fn init_with(
    format: LogFormat,
    default_filter: &str,
    otlp_endpoint: Option<&str>,
    service_name: &str,
) -> anyhow::Result<Telemetry> {
    let filter = std::env::var("STDNAV_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .map(EnvFilter::new)
        .unwrap_or_else(|_| EnvFilter::new(default_filter));
    let provider = match otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build()?;
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(
                        opentelemetry_sdk::Resource::builder()
                            .with_service_name(service_name.to_string())
                            .build(),
                    )
                    .build(),
            )
        }
        None => None,
    };
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    // Call spans are exported whatever the log filter says about `info`.
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("stdnav"))
            .with_filter(EnvFilter::new("info"))
    });
    let registry = tracing_subscriber::registry().with(otel);
    let installed = match format {
        LogFormat::Plain => registry
            .with(
                fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_filter(filter),
            )
            .try_init(),
    };
    if installed.is_err() {
        // Another subscriber came first; its tracing stays as it was.
        return Ok(Telemetry::default());
    }
    if let Some(endpoint) = otlp_endpoint {
        tracing::info!(
            endpoint,
            service = service_name,
            "exporting traces over OTLP"
        );
    }
    Ok(Telemetry { provider })
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

struct MetadataInjector<'a>(&'a mut tonic::metadata::MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            tonic::metadata::MetadataKey::from_bytes(key.as_bytes()),
            tonic::metadata::MetadataValue::try_from(value.as_str()),
        ) {
            self.0.insert(key, value);
        }
    }
}

/// The span of one incoming call, a child of the caller's span when the
/// call carries a `traceparent`.
pub fn server_span(request: &http::Request<()>) -> tracing::Span {
    let rpc = request.uri().path();
    let span = tracing::info_span!(
        "grpc",
        otel.name = %rpc,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc = %rpc,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&HeaderExtractor(request.headers()))
    });
    let _ = span.set_parent(parent);
    span
}

/// Puts the current span's context into an outgoing call's metadata.
pub fn inject_context(metadata: &mut tonic::metadata::MetadataMap) {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&context, &mut MetadataInjector(metadata))
    });
}
