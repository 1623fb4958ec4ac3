//! SIGTERM under load, on the real binary: health goes NOT_SERVING first
//! while calls are still served for the drain period, then the listener
//! closes, calls in flight finish, and the process exits cleanly. No call
//! the server accepted fails; later ones are refused with UNAVAILABLE (a
//! client retries them on another replica).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tonic::Code;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use stdnav_proto::scoring::v1 as pb;
use stdnav_proto::scoring::v1::scoring_service_client::ScoringServiceClient;

fn candidates(n: usize) -> Vec<pb::CandidateSignals> {
    (0..n)
        .map(|i| pb::CandidateSignals {
            id: format!("GB/T {}-2016", 10_000 + i),
            text_score: (i % 13) as f32,
            ics_match_depth: (i % 4) as u32,
            level: 3,
            status: 1,
            published_year: 2000 + (i % 25) as i32,
            holding: pb::Holding::NotHeld as i32,
            ..Default::default()
        })
        .collect()
}

async fn channel(addr: &str) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(1))
        .connect_lazy()
}

async fn status(addr: &str) -> Option<i32> {
    let mut health = HealthClient::new(channel(addr).await);
    let response = health
        .check(HealthCheckRequest {
            service: stdnav_scoring::SERVICE_NAME.into(),
        })
        .await
        .ok()?;
    Some(response.into_inner().status)
}

/// A call the server never accepted: the connection was refused; the call
/// was opened after the server's GOAWAY (NO_ERROR), so by RFC 9113 §6.8 it
/// was not processed; the client's connection closed while the call was
/// still queued in it, unsent (hyper's `Canceled`); or the server had closed
/// the connection, having answered every call it read, as the call was
/// written (a broken pipe). All are safe to retry.
fn refused_unprocessed(status: &tonic::Status) -> bool {
    let source = format!("{:?}", std::error::Error::source(status));
    match status.code() {
        Code::Unavailable => true,
        Code::Internal => source.contains("GoAway") && source.contains("NO_ERROR"),
        Code::Cancelled => source.contains("Canceled") && source.contains("connection closed"),
        Code::Unknown => source.contains("BrokenPipe") && source.contains("stream closed"),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_fails_no_accepted_call_and_reports_not_serving_first() {
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let drain = Duration::from_millis(1500);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdnav-scoring"))
        .arg("--listen")
        .arg(&addr)
        .arg("--home")
        .arg(home.path())
        .arg("--drain-secs")
        .arg(drain.as_secs_f64().to_string())
        .env("STDNAV_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("stdnav-scoring starts");

    let ready = Instant::now() + Duration::from_secs(60);
    while status(&addr).await != Some(ServingStatus::Serving as i32) {
        assert!(Instant::now() < ready, "never SERVING");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Load: four clients on their own connections, back to back.
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = ScoringServiceClient::new(channel(&addr).await);
        let (stop, served) = (stop.clone(), served.clone());
        workers.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let mut request = tonic::Request::new(pb::ScoreRequest {
                    candidates: candidates(300),
                    as_of_year: 2026,
                    explain_top: 0,
                });
                request.set_timeout(Duration::from_secs(10));
                match client.clone().score(request).await {
                    Ok(_) => {
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(status) => {
                        errors.push((Instant::now(), status));
                        // The server is gone; don't spin.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            errors
        }));
    }
    while served.load(Ordering::Relaxed) < 50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let term = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    // Health says NOT_SERVING at once, while calls are still served.
    let mut not_serving_at = None;
    while term.elapsed() < drain / 2 {
        if status(&addr).await == Some(ServingStatus::NotServing as i32) {
            not_serving_at = Some(term.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let not_serving_at = not_serving_at.expect("NOT_SERVING soon after SIGTERM");
    let served_then = served.load(Ordering::Relaxed);
    tokio::time::sleep(drain / 4).await;
    assert!(
        served.load(Ordering::Relaxed) > served_then,
        "calls are still served while draining"
    );

    // The process exits by itself, cleanly.
    let exited = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < exited, "did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit: {exit:?}");
    stop.store(true, Ordering::Relaxed);

    let mut refused = 0;
    for worker in workers {
        for (at, status) in worker.await.unwrap() {
            assert!(
                at.duration_since(term) >= drain - Duration::from_millis(100),
                "a call failed during the drain: {status:?}"
            );
            assert!(
                refused_unprocessed(&status),
                "only refused calls may fail, not accepted ones: {status:?}"
            );
            refused += 1;
        }
    }
    eprintln!(
        "NOT_SERVING {not_serving_at:?} after SIGTERM; {} calls served; {refused} refused after the listener closed",
        served.load(Ordering::Relaxed)
    );
}
