//! Helpers shared by the standards service's integration tests: a catalogue
//! over the bundled demo catalogue only (fast, no ../shared/data needed) and
//! a real server on a free loopback port.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tonic::transport::Channel;

use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::Launch;
use stdnav_standards::progress::Silent;
use stdnav_standards::search::SearchParams;
use stdnav_standards::store::{CatalogueStore, default_sources};
use stdnav_standards::{Standards, StandardsGrpc};

/// A catalogue of the bundled demo records in `dir`.
pub fn demo_store(dir: &Path) -> CatalogueStore {
    CatalogueStore::open(dir, &default_sources(None), &Silent).expect("demo catalogue builds")
}

/// Ids of the first page (20 hits) of a search.
pub fn search_ids(store: &CatalogueStore, query: &str) -> Vec<String> {
    let snap = store.snapshot();
    snap.search(&SearchParams {
        query: query.into(),
        page_size: 20,
        ..Default::default()
    })
    .expect("search runs")
    .hits
    .iter()
    .filter_map(|h| snap.record(h.ord))
    .map(|s| s.id.clone())
    .collect()
}

/// Every record id of the catalogue, sorted.
pub fn all_ids(store: &CatalogueStore) -> Vec<String> {
    let mut ids: Vec<String> = store
        .snapshot()
        .catalogue
        .records()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    ids.sort();
    ids
}

/// A standards server answering from `domain`; stops when the sender drops.
pub struct Server {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn serve(domain: Arc<Standards>) -> Server {
    let (handle, stop) = Launch::default()
        .add_service(StandardsGrpc::new(domain).into_server())
        .serve_on_loopback()
        .await
        .expect("server starts");
    Server {
        addr: handle.local_addr,
        _stop: stop,
    }
}

pub async fn client(addr: SocketAddr) -> StandardsServiceClient<Channel> {
    StandardsServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("client connects")
}
