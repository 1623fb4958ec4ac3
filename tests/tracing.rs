//! One Advise is one trace across the four services: each server exports its
//! spans over OTLP to a receiver run by this test, and the backends' call
//! spans hang under the advisor's through the `traceparent` metadata.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;
use stdnav_runtime::telemetry::{LogFormat, init_with, inject_context};

/// An OTLP/gRPC trace receiver that keeps every span it is sent.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().unwrap();
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_advise_is_one_trace_across_the_four_services() {
    let receiver = Receiver::default();
    let listener = support::listener().await;
    let otlp = listener.local_addr().unwrap();
    let server = receiver.clone();
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(server))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
    });
    let telemetry = init_with(
        LogFormat::Plain,
        "warn",
        Some(&format!("http://{otlp}")),
        "stdnav-test",
    )
    .expect("tracing set up");

    let services = support::four_services().await;
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    let profile = support::demo_profile("air-conditioner.json");
    // The caller (an enterprise portal) has a trace of its own.
    let portal = tracing::info_span!("portal-request");
    let mut request = tonic::Request::new(apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Profile(
            stdnav_proto::convert::profile::profile_to_pb(&profile),
        )),
        top: 10,
    });
    request.set_timeout(Duration::from_secs(20));
    portal.in_scope(|| inject_context(request.metadata_mut()));
    advisor.advise(request).await.expect("advise");
    drop(portal);

    // Server spans end just after their responses are written.
    tokio::time::sleep(Duration::from_millis(200)).await;
    telemetry.flush();
    let spans = receiver.spans.lock().unwrap().clone();
    let by_id: HashMap<&[u8], &Span> = spans.iter().map(|s| (s.span_id.as_slice(), s)).collect();
    let named = |name: &str| -> Vec<&Span> { spans.iter().filter(|s| s.name == name).collect() };

    let portal = named("portal-request");
    assert_eq!(portal.len(), 1, "the caller's span was exported");
    let portal = portal[0];
    let advise = named("/stdnav.advisor.v1.AdvisorService/Advise");
    assert_eq!(advise.len(), 1, "one Advise span");
    let advise = advise[0];
    assert_eq!(
        advise.trace_id, portal.trace_id,
        "Advise joins the caller's trace"
    );
    assert_eq!(
        advise.parent_span_id, portal.span_id,
        "Advise is the caller's child"
    );
    assert_eq!(advise.kind, 2, "SPAN_KIND_SERVER");

    // Every backend call of this Advise is in the same trace, below Advise.
    let under_advise = |span: &Span| -> bool {
        let mut current = span;
        for _ in 0..16 {
            if current.span_id == advise.span_id {
                return true;
            }
            match by_id.get(current.parent_span_id.as_slice()) {
                Some(parent) => current = parent,
                None => return false,
            }
        }
        false
    };
    for service in [
        "/stdnav.profiling.v1.ProfilingService/",
        "/stdnav.standards.v1.StandardsService/",
        "/stdnav.scoring.v1.ScoringService/",
    ] {
        let calls: Vec<&Span> = spans
            .iter()
            .filter(|s| s.name.starts_with(service))
            .collect();
        assert!(
            !calls.is_empty(),
            "no span of {service} in {:?}",
            names(&spans)
        );
        for call in calls {
            assert_eq!(
                call.trace_id, advise.trace_id,
                "{} in the Advise trace",
                call.name
            );
            assert!(
                under_advise(call),
                "{} is a descendant of Advise",
                call.name
            );
        }
    }
}

fn names(spans: &[Span]) -> Vec<&str> {
    spans.iter().map(|s| s.name.as_str()).collect()
}
