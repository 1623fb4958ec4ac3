//! One start-up path for every stdnav server — the service binaries, both
//! servers of the all-in-one, and the servers tests run: the gRPC services
//! it serves become its routes, its health names and its reflection list in
//! one step, so the three cannot disagree; [`crate::server::spawn`] adds the
//! limits, deadlines, metrics and graceful shutdown.

use std::convert::Infallible;
use std::future::Future;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::codegen::Service;
use tonic::codegen::http::Request;
use tonic::server::NamedService;
use tonic::service::Routes;

use crate::server::{self, Health, ServeOptions, ServerHandle};
use crate::shutdown::StopStreams;

/// A server about to start: its options and the services it will serve.
///
/// ```ignore
/// let server = Launch::new(flags.options()?)
///     .add_service(ProfilingGrpc::new(domain).into_server())
///     .start(server::bind(addr).await?, shutdown::signal())
///     .await?;
/// server.health.set_all(ServingStatus::Serving).await;
/// server.join.await??;
/// ```
pub struct Launch {
    options: ServeOptions,
    routes: Routes,
    names: Vec<&'static str>,
}

impl Launch {
    pub fn new(options: ServeOptions) -> Self {
        Self {
            options,
            routes: Routes::default(),
            names: Vec::new(),
        }
    }

    /// Serves `service`; health reports it under its gRPC name, NOT_SERVING
    /// until the caller says it is loaded.
    pub fn add_service<S>(mut self, service: S) -> Self
    where
        S: Service<Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        self.routes = self.routes.add_service(service);
        self.names.push(S::NAME);
        self
    }

    /// The signal raised when the drain ends, for services with long-lived
    /// streams to end them by (they are built before the server starts).
    pub fn stop_streams(&self) -> StopStreams {
        self.options.stop_streams.clone()
    }

    /// Serves on `listener` at once, every service NOT_SERVING until marked
    /// through the handle's health, until `shutdown` resolves (see
    /// [`server::spawn`] for what follows it).
    pub async fn start(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<ServerHandle> {
        let (reporter, health_service) = tonic_health::server::health_reporter();
        let health = Health::new(reporter, &self.names).await;
        server::spawn(
            listener,
            self.routes,
            health,
            health_service,
            self.options,
            shutdown,
        )
    }

    /// Serves on a free loopback port until the returned sender is sent to
    /// or dropped, every service NOT_SERVING until marked: a server started
    /// inside a test or tool.
    pub async fn start_on_loopback(
        self,
    ) -> std::io::Result<(ServerHandle, tokio::sync::oneshot::Sender<()>)> {
        let listener = server::bind(([127, 0, 0, 1], 0).into()).await?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = self
            .start(listener, async {
                let _ = stopped.await;
            })
            .await?;
        Ok((handle, stop))
    }

    /// [`Launch::start_on_loopback`], every service SERVING at once: for
    /// services that load nothing first.
    pub async fn serve_on_loopback(
        self,
    ) -> std::io::Result<(ServerHandle, tokio::sync::oneshot::Sender<()>)> {
        let (handle, stop) = self.start_on_loopback().await?;
        handle
            .health
            .set_all(tonic_health::ServingStatus::Serving)
            .await;
        Ok((handle, stop))
    }
}

impl Default for Launch {
    /// The default options: no keys, no TLS, shutdown without a drain.
    fn default() -> Self {
        Self::new(ServeOptions::default())
    }
}
