//! Shared helpers of the cross-service tests: real servers on pre-bound
//! `127.0.0.1:0` listeners, waiting for SERVING through grpc.health.v1.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use stdnav_runtime::{Launch, ServerHandle};
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};

/// The real data directory when present (tests print why they skip parts).
pub fn shared_data() -> Option<PathBuf> {
    stdnav_core::demo::find_shared_data(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// One catalogue per test binary, built once and cached under the target
/// dir (the real corpus when present, else the bundled demo catalogue).
pub fn catalogue() -> Arc<CatalogueStore> {
    static STORE: OnceLock<Arc<CatalogueStore>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let data = shared_data();
            if data.is_none() {
                eprintln!("note: ../shared/data absent; using the bundled demo catalogue only");
            }
            let name = if data.is_some() {
                "catalogue-real"
            } else {
                "catalogue-demo"
            };
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
            Arc::new(
                CatalogueStore::open(&dir, &default_sources(data.as_deref()), &Silent)
                    .expect("catalogue builds"),
            )
        })
        .clone()
}

pub async fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// A grpc.health.v1 client (tonic-health's client is built from a channel).
pub async fn health_client(
    addr: SocketAddr,
) -> Result<HealthClient<tonic::transport::Channel>, tonic::transport::Error> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    Ok(HealthClient::new(channel))
}

/// Waits until `service` on `addr` reports SERVING (30 s at most).
pub async fn wait_serving(addr: SocketAddr, service: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut client) = health_client(addr).await
            && let Ok(r) = client
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await
            && r.into_inner().status == ServingStatus::Serving as i32
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{service} on {addr} never reported SERVING"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A standards server over [`catalogue`], serving once the catalogue is
/// loaded; the service stops when the sender is dropped or sent to.
#[allow(dead_code)] // not every test binary serves the standards alone
pub async fn standards_over_test_catalogue() -> (ServerHandle, tokio::sync::oneshot::Sender<()>) {
    let standards = Arc::new(stdnav_standards::Standards::new());
    let (handle, stop) = start(
        Launch::default()
            .add_service(stdnav_standards::StandardsGrpc::new(standards.clone()).into_server()),
    )
    .await;
    let store = tokio::task::spawn_blocking(catalogue).await.unwrap();
    standards.set_store(store);
    handle
        .health
        .set_all(tonic_health::ServingStatus::Serving)
        .await;
    (handle, stop)
}

/// Starts `launch` on a listener of its own (every service NOT_SERVING until
/// marked through the handle's health); the server stops when the sender is
/// dropped or sent to.
pub async fn start(launch: Launch) -> (ServerHandle, tokio::sync::oneshot::Sender<()>) {
    launch.start_on_loopback().await.expect("server starts")
}

/// [`start`], marked SERVING at once: services that load nothing.
pub async fn start_serving(launch: Launch) -> (ServerHandle, tokio::sync::oneshot::Sender<()>) {
    launch.serve_on_loopback().await.expect("server starts")
}

/// The four services as separate servers, each on its own port.
pub struct FourServices {
    pub advisor: SocketAddr,
    pub profiling: SocketAddr,
    pub standards: SocketAddr,
    pub scoring: SocketAddr,
    stops: Vec<(&'static str, tokio::sync::oneshot::Sender<()>)>,
    _dir: tempfile::TempDir,
}

impl FourServices {
    /// Stops one service (by its gRPC service name), as a crashed or
    /// scaled-away backend.
    pub fn stop(&mut self, service: &str) {
        let at = self
            .stops
            .iter()
            .position(|(name, _)| *name == service)
            .unwrap_or_else(|| panic!("no running service {service}"));
        let (_, stop) = self.stops.remove(at);
        let _ = stop.send(());
    }
}

pub async fn four_services() -> FourServices {
    four_services_with(catalogue).await
}

/// The bundled demo catalogue alone (141 standards; built once per test
/// binary), for tests that need a catalogue but not the real corpus.
pub fn demo_catalogue() -> Arc<CatalogueStore> {
    static STORE: OnceLock<Arc<CatalogueStore>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("catalogue-demo");
            Arc::new(
                CatalogueStore::open(&dir, &default_sources(None), &Silent)
                    .expect("catalogue builds"),
            )
        })
        .clone()
}

/// [`four_services`] over the catalogue `catalogue` gives.
pub async fn four_services_with(catalogue: fn() -> Arc<CatalogueStore>) -> FourServices {
    let dir = tempfile::tempdir().unwrap();

    let store = stdnav_profiling::open_store(None, "t", dir.path())
        .await
        .unwrap();
    let profiling = stdnav_profiling::ProfilingGrpc::new(Arc::new(
        stdnav_profiling::Profiling::new(store, stdnav_core::industry::IndustryData::form_only()),
    ));
    let (p, p_stop) = start_serving(Launch::default().add_service(profiling.into_server())).await;

    let standards = Arc::new(stdnav_standards::Standards::new());
    let (s, s_stop) = start(
        Launch::default()
            .add_service(stdnav_standards::StandardsGrpc::new(standards.clone()).into_server()),
    )
    .await;
    let catalogue = tokio::task::spawn_blocking(catalogue).await.unwrap();
    standards.set_store(catalogue);
    s.health.set_all(tonic_health::ServingStatus::Serving).await;

    let scorer = Arc::new(stdnav_scoring::Scorer::empty());
    let (c, c_stop) = start(
        Launch::default()
            .add_service(stdnav_scoring::ScoringGrpc::new(scorer.clone()).into_server()),
    )
    .await;
    let model_path = dir.path().join("scoring.json");
    let model = tokio::task::spawn_blocking(move || stdnav_scoring::ensure_model(&model_path, 42))
        .await
        .unwrap()
        .unwrap();
    scorer.set_model(model);
    c.health.set_all(tonic_health::ServingStatus::Serving).await;

    let backends = stdnav_advisor::Backends::connect_lazy(&stdnav_advisor::BackendAddrs {
        profiling: p.local_addr.to_string(),
        standards: s.local_addr.to_string(),
        scoring: c.local_addr.to_string(),
        tls: None,
    })
    .unwrap();
    let (a, a_stop) = start_serving(Launch::default().add_service(
        stdnav_advisor::AdvisorGrpc::new(stdnav_advisor::Advisor::new(backends)).into_server(),
    ))
    .await;

    for (addr, name) in [
        (p.local_addr, stdnav_profiling::SERVICE_NAME),
        (s.local_addr, stdnav_standards::SERVICE_NAME),
        (c.local_addr, stdnav_scoring::SERVICE_NAME),
        (a.local_addr, stdnav_advisor::SERVICE_NAME),
    ] {
        wait_serving(addr, name).await;
    }
    FourServices {
        advisor: a.local_addr,
        profiling: p.local_addr,
        standards: s.local_addr,
        scoring: c.local_addr,
        stops: vec![
            (stdnav_profiling::SERVICE_NAME, p_stop),
            (stdnav_standards::SERVICE_NAME, s_stop),
            (stdnav_scoring::SERVICE_NAME, c_stop),
            (stdnav_advisor::SERVICE_NAME, a_stop),
        ],
        _dir: dir,
    }
}

pub fn demo_profile(name: &str) -> stdnav_core::enterprise::Profile {
    stdnav_core::demo::enterprise(name).unwrap_or_else(|| panic!("demo enterprise {name}"))
}
