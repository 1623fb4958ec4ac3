//! The stdnav-changes binary through the other services' APIs only (issue
//! 19, step 6): a standards server and a profiling server on sockets, each
//! with a home of its own; the change service gets their addresses and a
//! home with no index, no catalogue and no profile store. A catalogue
//! ingested on the standards server reaches the feed of a tenant whose
//! enterprise (stored on the profiling server) holds the withdrawn
//! standard.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tonic::Request;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use stdnav_core::catalogue::Format;
use stdnav_core::enterprise::Profile;
use stdnav_profiling::store::embedded::EmbeddedStore;
use stdnav_profiling::{Profiling, ProfilingGrpc};
use stdnav_proto::changes::v1 as pb;
use stdnav_proto::changes::v1::changes_service_client::ChangesServiceClient;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use stdnav_runtime::Launch;
use stdnav_runtime::tenant::set_tenant;
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, Source};
use stdnav_standards::{Standards, StandardsGrpc};

/// Hypothetical numbers (no real ISO standard has them).
const V1: &str = r#"{"id": "ISO 99903:2010", "title_en": "Test standard to be withdrawn", "ics": ["01.040.01"], "status": "current", "published": "2010-05"}
{"id": "ISO 99905:2019", "title_en": "Test standard that does not change", "ics": ["01.040.01"], "status": "current", "published": "2019-01"}
"#;
const V2: &str = r#"{"id": "ISO 99903:2010", "title_en": "Test standard to be withdrawn", "ics": ["01.040.01"], "status": "withdrawn", "published": "2010-05", "withdrawn": "2024-06"}
"#;

fn uscc(n: u32) -> String {
    let body = format!("91440400MA{n:07}");
    let check = stdnav_core::uscc::check_character(&body).expect("valid body");
    format!("{body}{check}")
}

fn with_tenant<T>(message: T, tenant: &str) -> Request<T> {
    let mut r = Request::new(message);
    set_tenant(&mut r, tenant);
    r
}

/// Serves `server` on 127.0.0.1:0, SERVING; stops when the sender drops.
async fn serve(launch: Launch) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (handle, stop) = launch.serve_on_loopback().await.unwrap();
    (handle.local_addr, stop)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serving(addr: &str) -> bool {
    let Ok(channel) = stdnav_runtime::client::endpoint(addr, None)
        .unwrap()
        .connect()
        .await
    else {
        return false;
    };
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: stdnav_changes::SERVICE_NAME.into(),
        })
        .await
        .is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32)
}

/// The first page of `tenant`'s feed.
async fn feed(
    changes: &mut ChangesServiceClient<tonic::transport::Channel>,
    tenant: &str,
) -> Vec<pb::FeedEvent> {
    changes
        .list_changes(with_tenant(pb::ListChangesRequest::default(), tenant))
        .await
        .unwrap()
        .into_inner()
        .events
}

fn files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reads_the_catalogue_and_the_profiles_through_the_services() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = dir.path().join("v1.jsonl");
    std::fs::write(&v1, V1).unwrap();
    let store = CatalogueStore::open(
        &dir.path().join("standards-home/standards"),
        &[Source::File {
            path: v1,
            format: Some(Format::StdnavJsonl),
        }],
        &Silent,
    )
    .unwrap();
    let standards = Arc::new(Standards::with_store(Arc::new(store)));
    let (standards_addr, _standards_stop) =
        serve(Launch::default().add_service(StandardsGrpc::new(standards.clone()).into_server()))
            .await;
    std::fs::create_dir_all(dir.path().join("profiling-home")).unwrap();
    let profiles =
        Arc::new(EmbeddedStore::open(&dir.path().join("profiling-home/profiles.redb")).unwrap());
    let (profiling_addr, _profiling_stop) = serve(
        Launch::default().add_service(
            ProfilingGrpc::new(Arc::new(Profiling::new(
                profiles,
                stdnav_core::industry::IndustryData::form_only(),
            )))
            .into_server(),
        ),
    )
    .await;
    let mut profiling = ProfilingServiceClient::connect(format!("http://{profiling_addr}"))
        .await
        .unwrap();
    let holder = Profile {
        uscc: uscc(1),
        name: "测试企业1".into(),
        region: "440400".into(),
        industries: vec!["3851".into()],
        products: vec!["家用电冰箱".into()],
        markets: vec!["CN".into()],
        employees: 100,
        standards_held: vec!["ISO 99903:2010".into()],
        ..Default::default()
    };
    profiling
        .upsert_enterprise(with_tenant(
            ppb::UpsertEnterpriseRequest {
                enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(&holder)),
                expected_version: None,
            },
            "acme",
        ))
        .await
        .unwrap();

    let home = dir.path().join("changes-home");
    std::fs::create_dir_all(&home).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _child = Killed(
        Command::new(env!("CARGO_BIN_EXE_stdnav-changes"))
            .args(["--listen", &addr])
            .arg("--home")
            .arg(&home)
            .args(["--standards", &standards_addr.to_string()])
            .args(["--profiling", &profiling_addr.to_string()])
            .args(["--reload-secs", "1"])
            .env_remove("STDNAV_REDIS_URL")
            .env_remove("STDNAV_DATA")
            .env_remove("STDNAV_KEYS")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("stdnav-changes starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !serving(&addr).await {
        assert!(Instant::now() < deadline, "stdnav-changes never served");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut changes = ChangesServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let sub = changes
        .subscribe(with_tenant(
            pb::SubscribeRequest {
                target: Some(pb::Target {
                    kind: pb::TargetKind::Enterprise as i32,
                    value: uscc(1),
                }),
                note: String::new(),
            },
            "acme",
        ))
        .await
        .unwrap()
        .into_inner();

    standards
        .ingest(V2.as_bytes(), Format::StdnavJsonl, "update")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let entries = loop {
        let listed = feed(&mut changes, "acme").await;
        if !listed.is_empty() {
            break listed;
        }
        assert!(
            Instant::now() < deadline,
            "the ingest never reached the feed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(entries.len(), 1, "{entries:?}");
    let event = entries[0].event.clone().unwrap();
    assert_eq!(event.kind, pb::ChangeKind::Withdrawn as i32);
    assert_eq!(event.standard, "ISO 99903:2010");
    assert_eq!(entries[0].subscriptions, [sub.id]);
    let impacted: Vec<&str> = entries[0].impacts.iter().map(|i| i.uscc.as_str()).collect();
    assert_eq!(impacted, [uscc(1)]);
    // Another tenant, with no enterprise, sees nothing.
    assert!(feed(&mut changes, "other").await.is_empty());
    // Its home holds its own event log only: no catalogue, index or profiles.
    assert_eq!(files(&home), ["changes.redb"]);
}
