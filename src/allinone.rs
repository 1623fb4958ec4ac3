//! The all-in-one server: the four services on one port in one process,
//! with the embedded store (or Redis) and the local index and model. The
//! served advisor still reaches the other three through gRPC clients —
//! pointed at a loopback port of this process serving them, which closes
//! only after the public port has finished (so calls accepted before a
//! SIGTERM keep their backends) — so it runs the same code path as a
//! distributed deployment (keys, limits, metrics and traces per backend
//! call). In-process callers (batch, evaluation) get an advisor that calls
//! the same services directly (`in_process.rs`), without encoding or a
//! loopback hop.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tonic_health::ServingStatus;

use stdnav_advisor::{Advisor, AdvisorGrpc, BackendAddrs, Backends};
use stdnav_core::industry::IndustryData;
use stdnav_profiling::{Profiling, ProfilingGrpc, open_store};
use stdnav_runtime::progress::Progress;
use stdnav_runtime::{Launch, ServeOptions, ServerHandle};
use stdnav_standards::store::{CatalogueStore, default_sources};
use stdnav_standards::{Standards, StandardsGrpc};

use crate::in_process::{LocalProfiles, LocalScoring, LocalStandards};

/// The data directory a command was given (or found), with the industry code
/// lists read from it once: the profiling service of every server the
/// command starts in this process checks codes against these, so the lists
/// always come from the directory the catalogues come from.
#[derive(Debug, Clone)]
pub struct DataDir {
    /// The real catalogues and code lists, when present.
    pub path: Option<PathBuf>,
    /// The code lists under `path`; none without it (codes checked by form only).
    pub industry: Arc<IndustryData>,
}

impl DataDir {
    /// Reads the industry code lists under `path`, when given.
    pub fn load(path: Option<PathBuf>) -> anyhow::Result<Self> {
        let industry = match &path {
            Some(dir) => IndustryData::load(dir).context("reading the industry code lists")?,
            None => IndustryData::form_only(),
        };
        Ok(Self {
            path,
            industry: Arc::new(industry),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// stdnav's own state: index cache, embedded store, model artifact.
    pub home: PathBuf,
    /// The real catalogues and industry code lists, when present.
    pub data: DataDir,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    /// The scoring model artifact; trained there on first start when missing.
    pub model: PathBuf,
    /// When the embedded store is held by another process (a `stdnav serve`
    /// on the same --home), use an empty temporary one instead of failing.
    /// For one-shot commands that store nothing.
    pub store_fallback: bool,
    /// Use an empty temporary profile store whatever is under `home`
    /// (evaluation runs that must not see or touch stored enterprises).
    pub fresh_store: bool,
    /// Server flags: API keys (every call then needs one, see `stdnav keys`).
    pub serve: stdnav_runtime::cli::ServeFlags,
    /// TLS of the advisor's calls to the other three services on this very
    /// server: needed when the server serves TLS.
    pub client: stdnav_runtime::cli::ClientFlags,
    /// Where to serve the web face (JSON API, OpenAPI, pages); None: not at all.
    pub http_listen: Option<std::net::SocketAddr>,
    /// How the web face runs: CORS origins of its JSON API, where it reads
    /// chain batch results for the index, how long it keeps the map's figures.
    pub web: stdnav_web::Options,
}

impl Config {
    pub fn model_path(home: &std::path::Path) -> PathBuf {
        stdnav_scoring::default_model_path(home)
    }
}

pub struct Running {
    pub handle: ServerHandle,
    /// The temporary store directory, when the fallback was used.
    _fallback: Option<tempfile::TempDir>,
    /// Completes when the catalogue and the model are loaded and every
    /// service reports SERVING.
    pub ready: JoinHandle<anyhow::Result<()>>,
    /// An advisor calling this server's services directly (the served one
    /// goes through its port), for in-process callers such as batch and
    /// evaluation.
    pub advisor: Advisor,
    /// The profiling service in this process, for in-process callers that
    /// store enterprises (the demo peers of `stdnav advise`).
    pub profiles: Arc<LocalProfiles>,
    /// Where the web face listens, when it does.
    pub http_addr: Option<std::net::SocketAddr>,
}

/// An empty embedded store in a temporary directory (removed with the guard).
async fn temporary_store() -> anyhow::Result<(
    Arc<dyn stdnav_profiling::store::EnterpriseStore>,
    tempfile::TempDir,
)> {
    let dir = tempfile::tempdir()?;
    let store = open_store(None, "", dir.path()).await?;
    Ok((store, dir))
}

/// Starts serving on `listener` at once (health NOT_SERVING) and loads the
/// catalogue and the model in the background.
pub async fn start(
    config: Config,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    progress: Arc<dyn Progress>,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let mut fallback = None;
    let store = if config.fresh_store {
        let (store, dir) = temporary_store().await?;
        fallback = Some(dir);
        store
    } else {
        match open_store(
            config.redis_url.as_deref(),
            &config.redis_prefix,
            &config.home,
        )
        .await
        {
            Ok(store) => store,
            Err(e) if config.store_fallback && config.redis_url.is_none() => {
                tracing::warn!(error = %e, "profile store in use by another process; using an empty temporary store");
                let (store, dir) = temporary_store().await?;
                fallback = Some(dir);
                store
            }
            Err(e) => return Err(e).context("opening the profile store"),
        }
    };
    let store_kind = store.kind();
    let standards = Arc::new(Standards::new());
    let scorer = Arc::new(stdnav_scoring::Scorer::empty());
    let options = config.serve.options()?;
    let client_tls = config.client.tls()?;
    if options.tls.is_some() && client_tls.is_none() {
        anyhow::bail!(
            "serving TLS needs --tls-ca (the CA of --tls-cert, and with mutual TLS \
             --tls-client-cert/--tls-client-key): the advisor calls the other services \
             on this server through it"
        );
    }
    // The served advisor reaches the other three through a loopback port of
    // their own, which stays open until the public server has finished: a
    // ScoreChain accepted before SIGTERM keeps its backends through the
    // drain and the grace, when the public port is already closed (issue 20).
    let internal_listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    // The web face binds now too, so a taken port fails the start.
    let http_listener = match config.http_listen {
        Some(http) => Some(
            TcpListener::bind(http)
                .await
                .with_context(|| format!("binding the web face to {http}"))?,
        ),
        None => None,
    };
    let internal_addr = internal_listener.local_addr()?;
    let backends = Backends::connect_lazy(&BackendAddrs {
        profiling: internal_addr.to_string(),
        standards: internal_addr.to_string(),
        scoring: internal_addr.to_string(),
        tls: client_tls.clone(),
    })?;
    // A temporary store keeps its peer model beside it, not in --home.
    let peer_dir = match &fallback {
        Some(dir) => dir.path().join("models"),
        None => config.home.join("models"),
    };
    let change_log = crate::changes::open_server_log(
        &config.home,
        config.redis_url.as_deref(),
        &config.redis_prefix,
        &mut fallback,
        config.store_fallback || config.fresh_store,
    )
    .await?;
    // The change log's retention: STDNAV_CHANGES_RETENTION_DAYS and
    // STDNAV_CHANGES_RETENTION_ENTRIES, as for stdnav-changes.
    let retention = stdnav_changes::log::Retention::from_env(|k| std::env::var(k).ok())
        .map_err(anyhow::Error::msg)?;
    let changes = Arc::new(
        stdnav_changes::Changes::new(change_log, store.clone(), standards.clone())
            .with_retention(retention),
    );
    standards.set_ingest_observer(changes.ingest_observer());
    let profiling_domain =
        Arc::new(Profiling::new(store, config.data.industry.clone()).with_peer_artifacts(peer_dir));
    let profiling = ProfilingGrpc::new(profiling_domain.clone());
    let standards_grpc = StandardsGrpc::new(standards.clone());
    let scoring = stdnav_scoring::ScoringGrpc::new(scorer.clone());
    let local_profiles = Arc::new(LocalProfiles::new(profiling_domain));
    let advisor = Advisor::new(Backends::new(
        local_profiles.clone(),
        Arc::new(LocalStandards(standards.clone())),
        Arc::new(LocalScoring(scorer.clone())),
    ));
    let internal_options = ServeOptions {
        drain: std::time::Duration::ZERO,
        metrics_listen: None,
        health_listen: None,
        stop_streams: Default::default(),
        ..options.clone()
    };
    let internal = Launch::new(internal_options)
        .add_service(profiling.clone().into_server())
        .add_service(standards_grpc.clone().into_server())
        .add_service(scoring.clone().into_server());
    let public = Launch::new(options);
    let changes_grpc =
        stdnav_changes::ChangesGrpc::new(changes.clone()).with_stop_streams(public.stop_streams());
    let public = public
        .add_service(profiling.into_server())
        .add_service(standards_grpc.into_server())
        .add_service(scoring.into_server())
        .add_service(AdvisorGrpc::new(Advisor::new(backends)).into_server())
        .add_service(changes_grpc.into_server());
    // The fan-out of change events stops with the server.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let mut web_stopped = stop.subscribe();
    changes.spawn_fanout(async move {
        let _ = stopped.wait_for(|s| *s).await;
    });
    // The web face calls the services through their gRPC clients on the
    // public port, as a separate `stdnav-web` would: the caller's key,
    // tenant, limits and metrics apply to every call it makes.
    let web = match http_listener {
        Some(listener) => {
            // A wildcard listen address is reached on loopback.
            let mut target = addr;
            if target.ip().is_unspecified() {
                target.set_ip(match target {
                    std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let backend = stdnav_web::GrpcBackend::connect_lazy(
                &stdnav_web::ServiceAddrs::all_at(&target.to_string(), client_tls.clone()),
            )?;
            Some(stdnav_web::spawn_with_options(
                listener,
                Arc::new(backend),
                &config.web,
                async move {
                    let _ = web_stopped.wait_for(|s| *s).await;
                },
            )?)
        }
        None => None,
    };
    let http_addr = web.as_ref().map(|w| w.local_addr);
    let shutdown = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    let public = public.start(listener, shutdown).await?;
    let (stop_internal, internal_stopped) = tokio::sync::oneshot::channel::<()>();
    let internal = internal
        .start(internal_listener, async {
            let _ = internal_stopped.await;
        })
        .await?;
    internal.health.set_all(ServingStatus::Serving).await;
    let health = public.health.clone();
    let public_join = public.join;
    let join = tokio::spawn(async move {
        let served = public_join.await;
        let _ = stop_internal.send(());
        let _ = internal.join.await;
        if let Some(web) = web {
            // Idle keep-alive connections close at once; a stuck one is not waited for.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), web.join).await;
        }
        match served {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Ok(()),
        }
    });
    let handle = ServerHandle {
        local_addr: public.local_addr,
        metrics_addr: public.metrics_addr,
        health_addr: public.health_addr,
        health: public.health,
        join,
    };
    health.set_serving(stdnav_profiling::SERVICE_NAME).await;
    tracing::info!(%addr, store = store_kind, "stdnav all-in-one listening");

    let ready = tokio::spawn(async move {
        let dir = config.home.join("standards");
        let sources = default_sources(config.data.path.as_deref());
        let p = progress.clone();
        let catalogue =
            tokio::task::spawn_blocking(move || CatalogueStore::open(&dir, &sources, &*p));
        let catalogue = catalogue.await?.context("loading the catalogue")?;
        tracing::info!(
            records = catalogue.snapshot().catalogue.len(),
            "catalogue loaded"
        );
        standards.set_store(Arc::new(catalogue));
        health.set_serving(stdnav_standards::SERVICE_NAME).await;
        let model = scorer
            .activate(
                &config.model,
                stdnav_scoring::DEFAULT_SEED,
                stdnav_scoring::DEFAULT_RELOAD_INTERVAL,
            )
            .await
            .context("loading the scoring model")?;
        tracing::info!(model = %model.id(), "scoring model loaded");
        health.set_serving(stdnav_scoring::SERVICE_NAME).await;
        health.set_all(ServingStatus::Serving).await;
        Ok(())
    });
    Ok(Running {
        handle,
        _fallback: fallback,
        ready,
        advisor,
        profiles: local_profiles,
        http_addr,
    })
}

/// The services on a free loopback port, loaded and ready, for a one-shot
/// command (advise, train, evaluate); stopped by [`Local::shutdown`] or
/// when dropped.
pub struct Local {
    pub running: Running,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Local {
    pub fn addr(&self) -> std::net::SocketAddr {
        self.running.handle.local_addr
    }

    pub fn advisor(&self) -> Advisor {
        self.running.advisor.clone()
    }

    /// The profiling service, in this process.
    pub fn profiles(&self) -> &LocalProfiles {
        &self.running.profiles
    }

    /// Stops serving and waits for in-flight calls to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.running.handle.join).await;
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts [`Local`] services over `home` (the embedded store there, or an
/// empty temporary one with `fresh_store`), with a progress bar while the
/// catalogue and model load.
pub async fn start_local(
    home: &std::path::Path,
    data: DataDir,
    fresh_store: bool,
) -> anyhow::Result<Local> {
    start_local_with(home, data, fresh_store, true, None, "stdnav").await
}

/// [`start_local`] with the profile store in Redis when `redis_url` is
/// given; `store_fallback` as in [`Config`].
pub async fn start_local_with(
    home: &std::path::Path,
    data: DataDir,
    fresh_store: bool,
    store_fallback: bool,
    redis_url: Option<String>,
    redis_prefix: &str,
) -> anyhow::Result<Local> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut running = start(
        Config {
            model: Config::model_path(home),
            home: home.to_path_buf(),
            data,
            store_fallback,
            redis_url,
            redis_prefix: redis_prefix.to_string(),
            fresh_store,
            serve: Default::default(),
            client: Default::default(),
            http_listen: None,
            web: Default::default(),
        },
        listener,
        async {
            let _ = stopped.await;
        },
        Arc::new(stdnav_runtime::progress::Bar::new()),
    )
    .await?;
    (&mut running.ready).await??;
    Ok(Local {
        running,
        stop: Some(stop),
    })
}
