//! The server entry on real sockets: TLS and mutual TLS (certificates made
//! here with rcgen), load shedding, per-tenant rate limits and the Prometheus
//! endpoint, against a test service whose calls take as long as asked.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::codegen::http;
use tonic::server::NamedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Status};
use tonic_prost::ProstCodec;
use tonic_types::StatusExt;

use stdnav_runtime::Launch;
use stdnav_runtime::admission::{REASON_OVERLOADED, REASON_RATE_LIMITED};
use stdnav_runtime::cli::{ClientFlags, ServeFlags};
use stdnav_runtime::server::{self, ServerHandle};

/// `test.Slow/Call`: answers after the delay it was built with.
#[derive(Clone)]
struct Slow {
    delay: Duration,
}

impl NamedService for Slow {
    const NAME: &'static str = "test.Slow";
}

struct Handler(Duration);

impl tonic::server::UnaryService<()> for Handler {
    type Response = ();
    type Future = BoxFuture<'static, Result<tonic::Response<()>, Status>>;
    fn call(&mut self, request: tonic::Request<()>) -> Self::Future {
        let delay = self.0;
        // `x-test-fail: <code>` makes the call fail with a message full of
        // internals, as a careless handler would.
        let fail = request
            .metadata()
            .get("x-test-fail")
            .and_then(|v| v.to_str().ok()?.parse::<i32>().ok());
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            match fail {
                Some(code) => Err(Status::new(
                    Code::from(code),
                    "redis://10.1.2.3:6379 refused: password=hunter2",
                )),
                None => Ok(tonic::Response::new(())),
            }
        })
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for Slow {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let delay = self.delay;
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(ProstCodec::<(), ()>::default());
            Ok(grpc.unary(Handler(delay), request).await)
        })
    }
}

async fn start(flags: &ServeFlags, delay: Duration) -> ServerHandle {
    start_until(flags, delay, std::future::pending()).await
}

async fn start_until(
    flags: &ServeFlags,
    delay: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> ServerHandle {
    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let handle = Launch::new(flags.options().expect("server options"))
        .add_service(Slow { delay })
        .start(listener, shutdown)
        .await
        .expect("server starts");
    handle
        .health
        .set_all(tonic_health::ServingStatus::Serving)
        .await;
    handle
}

async fn call(channel: Channel, tenant: &str) -> Result<(), Status> {
    call_failing(channel, tenant, None).await
}

async fn call_failing(channel: Channel, tenant: &str, fail: Option<Code>) -> Result<(), Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let mut request = tonic::Request::new(());
    request
        .metadata_mut()
        .insert("x-stdnav-tenant", tenant.parse().unwrap());
    if let Some(code) = fail {
        request
            .metadata_mut()
            .insert("x-test-fail", (code as i32).to_string().parse().unwrap());
    }
    grpc.unary(
        request,
        http::uri::PathAndQuery::from_static("/test.Slow/Call"),
        ProstCodec::<(), ()>::default(),
    )
    .await
    .map(|_| ())
}

async fn plain_channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn reason(status: &Status) -> String {
    status
        .get_details_error_info()
        .map(|i| i.reason)
        .unwrap_or_default()
}

/// A CA, and certificates it signs for `localhost`/127.0.0.1.
struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Self {
            ca_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// (certificate PEM, key PEM) for a leaf.
    fn leaf(&self, name: &str) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec![name.to_string(), "127.0.0.1".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn client_tls(ca: &str, identity: Option<&(String, String)>) -> ClientTlsConfig {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    tls
}

async fn tls_channel(addr: SocketAddr, tls: ClientTlsConfig) -> Result<Channel, String> {
    Endpoint::from_shared(format!("https://{addr}"))
        .unwrap()
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test]
async fn mutual_tls_refuses_plaintext_a_wrong_ca_and_a_missing_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("stdnav test CA");
    let other = Pki::new("some other CA");
    let (server_cert, server_key) = pki.leaf("localhost");
    let client = pki.leaf("agency-client");
    let stranger = other.leaf("stranger");

    let flags = ServeFlags {
        tls_cert: Some(write(dir.path(), "server.pem", &server_cert)),
        tls_key: Some(write(dir.path(), "server.key", &server_key)),
        tls_client_ca: Some(write(dir.path(), "ca.pem", &pki.ca_pem)),
        health_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..ServeFlags::default()
    };
    let handle = start(&flags, Duration::ZERO).await;
    let addr = handle.local_addr;

    // Probes that cannot speak TLS use the plaintext health-only port; it
    // serves nothing else.
    let probe = plain_channel(handle.health_addr.expect("health listener")).await;
    let status = tonic_health::pb::health_client::HealthClient::new(probe.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "test.Slow".into(),
        })
        .await
        .expect("plaintext health check")
        .into_inner()
        .status;
    assert_eq!(status, 1, "SERVING");
    let status = call(probe, "a").await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented, "only health there");

    // The right CA and a client certificate it signed: served.
    let channel = tls_channel(addr, client_tls(&pki.ca_pem, Some(&client)))
        .await
        .expect("mTLS connects");
    call(channel, "a").await.expect("a call over mTLS succeeds");

    // The same through the flags the binaries take.
    let client_flags = ClientFlags {
        tls_ca: Some(write(dir.path(), "client-ca.pem", &pki.ca_pem)),
        tls_client_cert: Some(write(dir.path(), "client.pem", &client.0)),
        tls_client_key: Some(write(dir.path(), "client.key", &client.1)),
        tls_domain: Some("localhost".into()),
    };
    let channel =
        stdnav_runtime::client::endpoint(&addr.to_string(), client_flags.tls().unwrap().as_ref())
            .unwrap()
            .connect()
            .await
            .expect("connects with ClientFlags");
    call(channel, "a").await.expect("served");

    // Plaintext: the TLS server does not speak it.
    let plain = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(2))
        .connect_lazy();
    assert!(call(plain, "a").await.is_err(), "plaintext refused");

    // A client that trusts another CA refuses the server.
    let wrong_ca = match tls_channel(addr, client_tls(&other.ca_pem, Some(&client))).await {
        Err(_) => true,
        Ok(channel) => call(channel, "a").await.is_err(),
    };
    assert!(
        wrong_ca,
        "a server certificate from an untrusted CA is refused"
    );

    // No client certificate, or one from another CA: the server refuses.
    for identity in [None, Some(&stranger)] {
        let refused = match tls_channel(addr, client_tls(&pki.ca_pem, identity)).await {
            Err(_) => true,
            Ok(channel) => call(channel, "a").await.is_err(),
        };
        assert!(
            refused,
            "client certificate {:?} must be refused",
            identity.map(|_| "from another CA")
        );
    }
}

#[tokio::test]
async fn overload_is_shed_at_once_and_health_stays_answering() {
    let flags = ServeFlags {
        max_in_flight: 4,
        ..ServeFlags::default()
    };
    let handle = start(&flags, Duration::from_millis(400)).await;
    let channel = plain_channel(handle.local_addr).await;
    let started = Instant::now();
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let channel = channel.clone();
            tokio::spawn(async move {
                let t = Instant::now();
                (call(channel, "a").await, t.elapsed())
            })
        })
        .collect();
    // While the server is full, health still answers.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers under overload");
    assert_eq!(status.into_inner().status, 1, "SERVING");

    let mut ok = 0;
    let mut shed = 0;
    for call in calls {
        match call.await.unwrap() {
            (Ok(()), _) => ok += 1,
            (Err(status), took) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert_eq!(reason(&status), REASON_OVERLOADED);
                assert!(status.get_details_retry_info().is_some(), "RetryInfo");
                assert!(
                    took < Duration::from_millis(300),
                    "shed at once, not after waiting ({took:?})"
                );
                shed += 1;
            }
        }
    }
    assert_eq!((ok, shed), (4, 8), "4 in flight, the rest shed");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Once the calls end, their places are free again.
    call(channel, "a").await.expect("served after the burst");
}

#[tokio::test]
async fn each_tenant_has_its_own_rate() {
    let flags = ServeFlags {
        tenant_rate: 2,
        tenant_burst: 5,
        ..ServeFlags::default()
    };
    let handle = start(&flags, Duration::ZERO).await;
    let channel = plain_channel(handle.local_addr).await;
    let mut outcomes = Vec::new();
    for _ in 0..8 {
        outcomes.push(call(channel.clone(), "agency-a").await);
    }
    let passed = outcomes.iter().filter(|o| o.is_ok()).count();
    assert!(
        (5..=6).contains(&passed),
        "a burst of 5 (+1 refilled), got {passed}"
    );
    let refused = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert_eq!(reason(refused), REASON_RATE_LIMITED);
    let retry = refused.get_details_retry_info().expect("RetryInfo");
    assert!(retry.retry_delay.unwrap() <= Duration::from_secs(1));
    // Another tenant is not slowed by the first.
    call(channel.clone(), "agency-b")
        .await
        .expect("another tenant has its own budget");
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    text
}

#[tokio::test]
async fn metrics_count_calls_errors_and_latency_per_rpc() {
    let flags = ServeFlags {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        tenant_rate: 1,
        tenant_burst: 3,
        ..ServeFlags::default()
    };
    let handle = start(&flags, Duration::from_millis(5)).await;
    let channel = plain_channel(handle.local_addr).await;
    for _ in 0..5 {
        let _ = call(channel.clone(), "metrics-tenant").await;
    }
    let text = http_get(handle.metrics_addr.expect("metrics served"), "/metrics").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // Other tests in this binary share the process-wide registry, so count
    // at least what this test did.
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
    };
    assert!(value(r#"stdnav_rpc_calls_total{rpc="/test.Slow/Call",code="Ok"}"#) >= 3.0);
    assert!(
        value(r#"stdnav_rpc_errors_total{rpc="/test.Slow/Call",code="ResourceExhausted"}"#) >= 2.0
    );
    assert!(value(r#"stdnav_rpc_duration_seconds_count{rpc="/test.Slow/Call"}"#) >= 5.0);
    assert!(
        text.lines()
            .any(|l| l.starts_with("stdnav_rpc_duration_seconds_bucket{")
                && l.contains(r#"rpc="/test.Slow/Call""#)),
        "latency buckets per rpc"
    );
    assert!(text.contains("# EOF"));
}

#[tokio::test]
async fn every_error_carries_a_stable_reason_and_no_internals() {
    let handle = start(&ServeFlags::default(), Duration::ZERO).await;
    let channel = plain_channel(handle.local_addr).await;
    for (code, reason) in [
        (Code::NotFound, "NOT_FOUND"),
        (Code::FailedPrecondition, "FAILED_PRECONDITION"),
        (Code::Internal, "INTERNAL"),
        (Code::Unknown, "UNKNOWN"),
    ] {
        let status = call_failing(channel.clone(), "a", Some(code))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code);
        let info = status.get_details_error_info().expect("ErrorInfo");
        assert_eq!(
            (info.reason.as_str(), info.domain.as_str()),
            (reason, "stdnav")
        );
        if matches!(code, Code::Internal | Code::Unknown) {
            assert_eq!(status.message(), "internal error", "nothing internal leaks");
        }
    }
    // An unknown service, answered by tonic itself, gets one too.
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let status = grpc
        .unary(
            tonic::Request::new(()),
            http::uri::PathAndQuery::from_static("/test.NoSuchService/Call"),
            ProstCodec::<(), ()>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(
        status.get_details_error_info().unwrap().reason,
        "UNIMPLEMENTED"
    );
}

/// A call that outlives the shutdown does not hold the server for ever
/// (issue 20, 1): after the drain, calls still open get the grace and no
/// more; a call that ends within the grace is answered.
#[tokio::test]
async fn shutdown_waits_for_open_calls_at_most_the_grace() {
    for (delay, answered) in [
        (Duration::from_secs(60), false),
        (Duration::from_millis(300), true),
    ] {
        let flags = ServeFlags {
            drain_secs: 0.2,
            grace_secs: 1.0,
            ..ServeFlags::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = start_until(&flags, delay, async {
            let _ = stopped.await;
        })
        .await;
        let channel = plain_channel(handle.local_addr).await;
        let open = tokio::spawn(call(channel, "t"));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let term = Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), handle.join)
            .await
            .expect("the server returns within drain + grace")
            .unwrap()
            .unwrap();
        let took = term.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_millis(2_000),
            "drain 0.2 s + grace 1 s, took {took:?}"
        );
        if answered {
            open.await
                .unwrap()
                .expect("a call ending within the grace is answered");
        } else {
            assert!(
                took >= Duration::from_millis(1_100),
                "waited the grace: {took:?}"
            );
            open.abort();
        }
    }
}

/// A stalled upload: headers, then the first byte of a message framed as
/// 1,000 bytes, then nothing.
struct Stalled(bool);

impl http_body::Body for Stalled {
    type Data = tonic::codegen::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Infallible>>> {
        if self.0 {
            return std::task::Poll::Pending;
        }
        self.0 = true;
        let first = tonic::codegen::Bytes::from_static(&[0, 0, 0, 0x03, 0xE8, 0x08]);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(first))))
    }
}

/// Sends a stalled upload as `tenant`; its status and how long it took.
async fn stalled_call(channel: Channel, tenant: &str) -> (Status, Duration) {
    use tonic::codegen::Service;
    let started = Instant::now();
    let mut channel = channel;
    let request = http::Request::builder()
        .method("POST")
        .uri("http://localhost/test.Slow/Call")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("x-stdnav-tenant", tenant)
        .body(tonic::body::Body::new(Stalled(false)))
        .unwrap();
    futures::future::poll_fn(|cx| channel.poll_ready(cx))
        .await
        .unwrap();
    let response = channel.call(request).await.expect("an HTTP response");
    let status = Status::from_header_map(response.headers()).expect("trailers-only status");
    (status, started.elapsed())
}

/// Fair admission (issue 20, 3): one tenant's stalled uploads hold no place
/// in flight — another tenant is served meanwhile — and end after the body
/// timeout; and one tenant's complete calls take at most its share.
#[tokio::test]
async fn a_tenant_stalling_uploads_cannot_shed_another() {
    let flags = ServeFlags {
        max_in_flight: 8,
        tenant_max_in_flight: 4,
        body_timeout_secs: 1.0,
        ..ServeFlags::default()
    };
    let handle = start(&flags, Duration::ZERO).await;
    let attacker = plain_channel(handle.local_addr).await;
    let stalled: Vec<_> = (0..20)
        .map(|_| tokio::spawn(stalled_call(attacker.clone(), "a")))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let victim = plain_channel(handle.local_addr).await;
    for _ in 0..5 {
        call(victim.clone(), "b")
            .await
            .expect("tenant b is served while tenant a stalls 20 uploads");
    }
    for s in stalled {
        let (status, took) = tokio::time::timeout(Duration::from_secs(5), s)
            .await
            .expect("a stalled upload ends")
            .unwrap();
        assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
        assert_eq!(reason(&status), "REQUEST_BODY_TIMEOUT");
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "ended after the 1 s body timeout: {took:?}"
        );
    }

    // Complete calls: a tenant holds at most 4 of the 8 places.
    let slow = start(&flags, Duration::from_millis(500)).await;
    let a = plain_channel(slow.local_addr).await;
    let b = plain_channel(slow.local_addr).await;
    let calls: Vec<_> =
        (0..8)
            .map(|i| {
                let (channel, tenant) = if i % 2 == 0 {
                    (a.clone(), "a")
                } else {
                    (b.clone(), "b")
                };
                let burst = if tenant == "a" { 3 } else { 1 };
                tokio::spawn(async move {
                    let mut out = Vec::new();
                    for _ in 0..burst {
                        out.push((tenant, channel.clone()));
                    }
                    futures::future::join_all(out.into_iter().map(|(tenant, channel)| async move {
                        (tenant, call(channel, tenant).await)
                    }))
                    .await
                })
            })
            .collect();
    let mut served = std::collections::BTreeMap::<&str, usize>::new();
    let mut refused = 0;
    for c in calls {
        for (tenant, result) in c.await.unwrap() {
            match result {
                Ok(()) => *served.entry(tenant).or_default() += 1,
                Err(status) => {
                    assert_eq!(tenant, "a", "{status:?}");
                    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                    assert_eq!(reason(&status), "TENANT_IN_FLIGHT");
                    refused += 1;
                }
            }
        }
    }
    // a: 12 calls at once, 4 served; b: 4 calls, all served.
    assert_eq!(served.get("a"), Some(&4), "{served:?}");
    assert_eq!(served.get("b"), Some(&4), "{served:?}");
    assert_eq!(refused, 8);
}
