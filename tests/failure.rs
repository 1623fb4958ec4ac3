//! A backend stopped: Advise still answers within its deadline — a solution
//! marked partial naming what is missing when the part can be left out
//! (scoring, peer groups), UNAVAILABLE when it cannot (the catalogue) —
//! unless the advisor's short-lived caches already hold what it needs.

mod support;

use std::time::{Duration, Instant};

use tonic::Code;

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;

async fn advise(
    advisor: &mut AdvisorServiceClient<tonic::transport::Channel>,
    deadline: Duration,
) -> (Result<apb::Solution, tonic::Status>, Duration) {
    advise_profile(advisor, deadline, "air-conditioner.json").await
}

async fn advise_profile(
    advisor: &mut AdvisorServiceClient<tonic::transport::Channel>,
    deadline: Duration,
    file: &str,
) -> (Result<apb::Solution, tonic::Status>, Duration) {
    let profile = support::demo_profile(file);
    let mut request = tonic::Request::new(apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Profile(
            stdnav_proto::convert::profile::profile_to_pb(&profile),
        )),
        top: 10,
    });
    request.set_timeout(deadline);
    let started = Instant::now();
    let result = advisor.advise(request).await.map(|r| r.into_inner());
    (result, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_backend_gives_a_partial_solution_or_unavailable_within_the_deadline() {
    let mut services = support::four_services().await;
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    let deadline = Duration::from_secs(3);

    let (whole, _) = advise(&mut advisor, deadline).await;
    let whole = whole.expect("all backends up");
    assert!(!whole.partial && whole.missing.is_empty());

    // Scoring gone: recommendations ranked by retrieval, marked partial.
    services.stop(stdnav_scoring::SERVICE_NAME);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (partial, took) = advise(&mut advisor, deadline).await;
    assert!(took < deadline, "answered within the deadline ({took:?})");
    let partial = partial.expect("a solution without scoring");
    assert!(partial.partial, "marked partial");
    assert!(
        partial.missing.iter().any(|m| m.contains("scoring")),
        "names what is missing: {:?}",
        partial.missing
    );
    assert!(!partial.should.is_empty(), "still recommends");
    assert_eq!(
        partial.must.iter().map(|m| &m.id).collect::<Vec<_>>(),
        whole.must.iter().map(|m| &m.id).collect::<Vec<_>>(),
        "mandatory standards do not depend on scoring"
    );

    // The catalogue gone too. An enterprise advised within the caches' 60 s
    // is answered from them (the same candidates and resolutions as before);
    // for one never seen nothing sound can be said — UNAVAILABLE, in time.
    services.stop(stdnav_standards::SERVICE_NAME);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (cached, took) = advise(&mut advisor, deadline).await;
    assert!(took < deadline, "answered within the deadline ({took:?})");
    let cached = cached.expect("answered from the advisor's caches");
    assert_eq!(
        cached.must.iter().map(|m| &m.id).collect::<Vec<_>>(),
        partial.must.iter().map(|m| &m.id).collect::<Vec<_>>(),
    );
    let (result, took) = advise_profile(&mut advisor, deadline, "dairy.json").await;
    assert!(took < deadline, "answered within the deadline ({took:?})");
    let status = result.expect_err("no solution without the catalogue");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
}
