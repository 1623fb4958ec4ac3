//! The one server entry every stdnav binary uses: an already bound listener,
//! health and reflection registered, a tracing span per call, explicit limits,
//! and graceful shutdown that reports NOT_SERVING first.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// Largest message any stdnav service accepts or sends by default (16 MiB):
/// Ingest carries catalogue files, everything else is far smaller.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Upper bound on any call; the caller's `grpc-timeout` can only shorten it.
    pub request_timeout: Duration,
    pub concurrency_limit_per_connection: usize,
    /// How long health reports NOT_SERVING before the listener closes, so
    /// load balancers stop sending new calls first.
    pub drain: Duration,
    pub max_connection_age: Duration,
    /// API keys; None serves every caller (local use, tests).
    pub keys: Option<std::sync::Arc<crate::auth::KeyStore>>,
    /// Load shedding and per-tenant rate limits.
    pub limits: crate::admission::Limits,
    /// Where to serve Prometheus metrics, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// A second, plaintext listener serving only grpc.health.v1, for probes
    /// that cannot speak TLS (Kubernetes' gRPC probes).
    pub health_listen: Option<SocketAddr>,
    /// TLS (and, with a client CA, mTLS); None serves plaintext.
    pub tls: Option<tonic::transport::ServerTlsConfig>,
}

impl ServeOptions {
    /// The defaults, with API keys from `keys` when given (a missing file
    /// means no key is valid yet; an unreadable one is an error).
    pub fn with_keys(keys: Option<&std::path::Path>) -> Result<Self, crate::auth::KeyError> {
        let mut options = Self::default();
        if let Some(path) = keys {
            options.keys = Some(crate::auth::KeyStore::open(path)?);
            tracing::info!(path = %path.display(), "API keys required");
        }
        Ok(options)
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            concurrency_limit_per_connection: 256,
            drain: Duration::from_millis(0),
            max_connection_age: Duration::from_secs(30 * 60),
            keys: None,
            limits: crate::admission::Limits::default(),
            tls: None,
            metrics_listen: None,
            health_listen: None,
        }
    }
}

/// Health names a server reports: its gRPC service names plus "" for the whole server.
#[derive(Clone)]
pub struct Health {
    reporter: HealthReporter,
    names: Vec<String>,
}

impl Health {
    /// A reporter with every name NOT_SERVING until [`Health::set_serving`].
    pub async fn new(reporter: HealthReporter, names: &[&str]) -> Self {
        let mut all: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        all.push(String::new());
        let health = Self {
            reporter,
            names: all,
        };
        health.set_all(ServingStatus::NotServing).await;
        health
    }

    pub async fn set_serving(&self, name: &str) {
        self.reporter
            .set_service_status(name, ServingStatus::Serving)
            .await;
    }

    /// Marks the whole server serving once each named service is.
    pub async fn set_all(&self, status: ServingStatus) {
        for name in &self.names {
            self.reporter.set_service_status(name, status).await;
        }
    }
}

/// A running server: where it listens and how to wait for it.
pub struct ServerHandle {
    pub local_addr: SocketAddr,
    /// Where Prometheus metrics are served, when they are.
    pub metrics_addr: Option<SocketAddr>,
    /// The plaintext health-only listener, when there is one.
    pub health_addr: Option<SocketAddr>,
    pub join: JoinHandle<Result<(), tonic::transport::Error>>,
}

/// Serves `routes` (plus health and reflection) on `listener` until
/// `shutdown` resolves; then reports NOT_SERVING, drains, and stops
/// accepting while in-flight calls finish.
pub fn spawn(
    listener: TcpListener,
    routes: Routes,
    health: Health,
    health_service: tonic_health::pb::health_server::HealthServer<
        impl tonic_health::pb::health_server::Health,
    >,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<ServerHandle> {
    let local_addr = listener.local_addr()?;
    let metrics_addr = match options.metrics_listen {
        Some(addr) => Some(crate::metrics::serve(
            std::net::TcpListener::bind(addr).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen for metrics on {addr}: {e}"),
                )
            })?,
        )?),
        None => None,
    };
    let health_addr = match options.health_listen {
        Some(addr) => {
            let listener = std::net::TcpListener::bind(addr).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot listen for health on {addr}: {e}"))
            })?;
            listener.set_nonblocking(true)?;
            let local = listener.local_addr()?;
            let incoming =
                TcpIncoming::from(TcpListener::from_std(listener)?).with_nodelay(Some(true));
            let health_only = health_service.clone();
            // Lives as long as the process, so probes see NOT_SERVING
            // through the drain and until the end.
            tokio::spawn(async move {
                if let Err(e) = Server::builder()
                    .add_service(health_only)
                    .serve_with_incoming(incoming)
                    .await
                {
                    tracing::error!(error = %e, "health listener stopped");
                }
            });
            tracing::info!(addr = %local, "plaintext health checks");
            Some(local)
        }
        None => None,
    };
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(stdnav_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(std::io::Error::other)?;
    let routes = routes.add_service(health_service).add_service(reflection);
    let drain = options.drain;
    let shutdown_health = health.clone();
    let shutdown = async move {
        shutdown.await;
        shutdown_health.set_all(ServingStatus::NotServing).await;
        if !drain.is_zero() {
            tokio::time::sleep(drain).await;
        }
    };
    // The builder's tcp_nodelay only applies to listeners tonic binds itself;
    // accepted sockets need it set here, or Nagle's algorithm meets delayed
    // ACKs and a response written in two parts waits 40 ms.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let auth = crate::auth::AuthLayer::new(options.keys.clone());
    let admission = crate::admission::AdmissionLayer::new(options.limits);
    let mut builder = Server::builder();
    if let Some(tls) = options.tls.clone() {
        builder = builder.tls_config(tls).map_err(std::io::Error::other)?;
    }
    let join = tokio::spawn(async move {
        builder
            .timeout(options.request_timeout)
            .concurrency_limit_per_connection(options.concurrency_limit_per_connection)
            .max_connection_age(options.max_connection_age)
            .max_connection_age_grace(Duration::from_secs(30))
            .tcp_nodelay(true)
            .trace_fn(crate::telemetry::server_span)
            // Outermost first: metrics see every call, including those the
            // key check or admission refuse.
            .layer(crate::metrics::METRICS_LAYER)
            .layer(crate::status::ERROR_MODEL_LAYER)
            .layer(auth)
            .layer(admission)
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, shutdown)
            .await
    });
    Ok(ServerHandle {
        local_addr,
        metrics_addr,
        health_addr,
        join,
    })
}

/// Binds a listener, naming the address in the error.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}
