//! Health reports NOT_SERVING until the service is loaded and again while
//! it shuts down; reflection lists the services.

mod support;

use std::sync::Arc;
use std::time::Duration;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::{Launch, ServeOptions};

async fn status(addr: std::net::SocketAddr, service: &str) -> i32 {
    let mut client = support::health_client(addr).await.unwrap();
    client
        .check(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_serving_until_loaded_and_while_shutting_down() {
    let standards = Arc::new(stdnav_standards::Standards::new());
    let (handle, stop) = support::start(
        Launch::new(ServeOptions {
            drain: Duration::from_millis(800),
            ..Default::default()
        })
        .add_service(stdnav_standards::StandardsGrpc::new(standards.clone()).into_server()),
    )
    .await;
    let addr = handle.local_addr;

    // Listening, but the catalogue is not loaded: NOT_SERVING, calls UNAVAILABLE.
    assert_eq!(
        status(addr, stdnav_standards::SERVICE_NAME).await,
        ServingStatus::NotServing as i32
    );
    assert_eq!(status(addr, "").await, ServingStatus::NotServing as i32);
    let mut client = StandardsServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let err = client
        .search(stpb::SearchRequest {
            query: "safety".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unavailable);

    // Loaded: SERVING, and answers.
    standards.set_store(
        tokio::task::spawn_blocking(support::catalogue)
            .await
            .unwrap(),
    );
    handle
        .health
        .set_all(tonic_health::ServingStatus::Serving)
        .await;
    assert_eq!(
        status(addr, stdnav_standards::SERVICE_NAME).await,
        ServingStatus::Serving as i32
    );
    let hits = client
        .search(stpb::SearchRequest {
            query: "质量管理体系".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        hits.hits
            .iter()
            .any(|h| h.standard.as_ref().unwrap().id == "GB/T 19001-2016")
    );

    // Shutting down: NOT_SERVING during the drain, then the server stops.
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        status(addr, stdnav_standards::SERVICE_NAME).await,
        ServingStatus::NotServing as i32
    );
    tokio::time::timeout(Duration::from_secs(10), handle.join)
        .await
        .expect("server stops after the drain")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_exceeded_is_reported_not_hung() {
    let services = support::four_services().await;
    let mut advisor =
        stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient::connect(format!(
            "http://{}",
            services.advisor
        ))
        .await
        .unwrap();
    let profile = support::demo_profile("ev-battery.json");
    let mut request = tonic::Request::new(stdnav_proto::advisor::v1::AdviseRequest {
        subject: Some(stdnav_proto::advisor::v1::advise_request::Subject::Profile(
            stdnav_proto::convert::profile::profile_to_pb(&profile),
        )),
        top: 10,
    });
    request.set_timeout(Duration::from_micros(1));
    let started = std::time::Instant::now();
    let err = advisor.advise(request).await.unwrap_err();
    assert!(
        matches!(
            err.code(),
            tonic::Code::DeadlineExceeded | tonic::Code::Cancelled
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
