//! The server entry under [`crate::launch::Launch`]: an already bound
//! listener, health and reflection registered, a tracing span per call,
//! explicit limits, and graceful shutdown that reports NOT_SERVING first.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_stream::StreamExt;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// Largest message any stdnav service accepts or sends by default (16 MiB):
/// Ingest carries catalogue files, everything else is far smaller.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How long calls still open when the listener closes may take to finish,
/// by default: room for calls near their end, without a rollout waiting on
/// a stuck one; with the default drain (5 s) it fits the manifests'
/// `terminationGracePeriodSeconds` of 45.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);

/// How long an accepted connection may stay silent before it is closed.
pub const DEFAULT_PREFACE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Upper bound on any call; the caller's `grpc-timeout` can only shorten it.
    pub request_timeout: Duration,
    /// A response whose client has not taken its next frame for this long
    /// is ended and stops counting in flight ([`crate::stall`]); zero:
    /// never. By default the call timeout.
    pub stall_timeout: Duration,
    pub concurrency_limit_per_connection: usize,
    /// How long health reports NOT_SERVING before the listener closes, so
    /// load balancers stop sending new calls first.
    pub drain: Duration,
    /// After the drain, how long calls still open may take to finish before
    /// the server stops waiting for them and returns (their connections are
    /// dropped with the process). Long-lived streams are told to end when
    /// the drain ends ([`crate::shutdown::StopStreams`]), so this bounds only
    /// calls that do not end by themselves.
    pub grace: Duration,
    /// Raised when the drain ends; long-lived streams end on it.
    pub stop_streams: crate::shutdown::StopStreams,
    pub max_connection_age: Duration,
    /// A connection that has not sent the HTTP/2 preface (or a TLS
    /// ClientHello) this long after it was accepted is closed; zero: never.
    pub preface_timeout: Duration,
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
            stall_timeout: Duration::from_secs(30),
            concurrency_limit_per_connection: 256,
            drain: Duration::from_millis(0),
            grace: DEFAULT_GRACE,
            stop_streams: Default::default(),
            max_connection_age: Duration::from_secs(30 * 60),
            preface_timeout: DEFAULT_PREFACE_TIMEOUT,
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

    /// Sets every name, the whole server's ("") too, to `status`.
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
    /// What health reports; mark services SERVING here once loaded.
    pub health: Health,
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
    // Reflection in both versions (stock v1alpha clients such as older
    // grpcurl builds still ask for it), advertising only the services this
    // server serves — the names its health reports — plus health and
    // reflection themselves.
    let reflection = || {
        let mut builder = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(stdnav_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
        for name in health.names.iter().filter(|n| !n.is_empty()) {
            builder = builder.with_service_name(name.clone());
        }
        builder
            .with_service_name("grpc.health.v1.Health")
            .with_service_name("grpc.reflection.v1.ServerReflection")
            .with_service_name("grpc.reflection.v1alpha.ServerReflection")
    };
    let reflection_v1 = reflection().build_v1().map_err(std::io::Error::other)?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(std::io::Error::other)?;
    let routes = routes
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);
    let drain = options.drain;
    let grace = options.grace;
    let stop_streams = options.stop_streams.clone();
    let shutdown_health = health.clone();
    let (closed, closing) = tokio::sync::oneshot::channel::<()>();
    // SIGTERM → NOT_SERVING → drain (calls still accepted) → streams told
    // to end, listener closed, GOAWAY → open calls get `grace` to finish.
    let shutdown = async move {
        shutdown.await;
        shutdown_health.set_all(ServingStatus::NotServing).await;
        if !drain.is_zero() {
            tokio::time::sleep(drain).await;
        }
        tracing::info!(
            grace_ms = grace.as_millis() as u64,
            "drain over: listener closing, streams ending"
        );
        stop_streams.raise();
        let _ = closed.send(());
    };
    let grace_over = async move {
        if closing.await.is_err() {
            // The server ended before shutting down (it failed).
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    // The builder's tcp_nodelay only applies to listeners tonic binds itself;
    // accepted sockets need it set here, or Nagle's algorithm meets delayed
    // ACKs and a response written in two parts waits 40 ms.
    let preface_timeout = options.preface_timeout;
    let incoming = TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .map(move |accepted| {
            accepted.map(|stream| crate::conn::PrefaceTimeout::new(stream, preface_timeout))
        });
    let auth = crate::auth::AuthLayer::new(options.keys.clone());
    let admission = crate::admission::AdmissionLayer::new(options.limits);
    let mut builder = Server::builder();
    if let Some(tls) = options.tls.clone() {
        builder = builder.tls_config(tls).map_err(std::io::Error::other)?;
    }
    let stall_timeout = options.stall_timeout;
    let join = tokio::spawn(async move {
        let serving = builder
            .timeout(options.request_timeout)
            .concurrency_limit_per_connection(options.concurrency_limit_per_connection)
            .max_connection_age(options.max_connection_age)
            .max_connection_age_grace(Duration::from_secs(30))
            .tcp_nodelay(true)
            .trace_fn(crate::telemetry::server_span)
            // gRPC-Web for browser clients (HTTP/1.1 or HTTP/2): translated
            // first, so everything below sees every call as gRPC.
            .accept_http1(true)
            .layer(tonic_web::GrpcWebLayer::new())
            // Outermost first: a response cut for not being read drops
            // everything inside (its metrics, its admission places); metrics
            // see every call, including those the key check or admission
            // refuse.
            .layer(crate::stall::StallLayer::new(stall_timeout))
            .layer(crate::metrics::METRICS_LAYER)
            .layer(crate::status::ERROR_MODEL_LAYER)
            .layer(auth)
            .layer(admission)
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, shutdown);
        // tonic's graceful shutdown waits for every connection without a
        // bound; past the grace, stop waiting (the connections' tasks end
        // with the process).
        tokio::select! {
            served = serving => served,
            () = grace_over => {
                tracing::warn!(
                    grace_ms = grace.as_millis() as u64,
                    "calls still open after the grace period; stopping without them"
                );
                Ok(())
            }
        }
    });
    Ok(ServerHandle {
        local_addr,
        metrics_addr,
        health_addr,
        health,
        join,
    })
}

/// Binds a listener, naming the address in the error.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}
