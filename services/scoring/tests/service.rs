//! The scoring service over real gRPC: a server on a pre-bound 127.0.0.1:0
//! listener, called through the generated client.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tonic::Code;
use tonic::transport::Channel;

use stdnav_models::{Model, ModelKind, synthetic_training_set, train_kind};
use stdnav_proto::scoring::v1 as pb;
use stdnav_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use stdnav_runtime::Launch;
use stdnav_runtime::status::field_violations;
use stdnav_scoring::{Scorer, ScoringGrpc, start_with};

/// A server for `scorer`; dropping the sender shuts it down.
struct TestServer {
    client: ScoringServiceClient<Channel>,
    _shutdown: oneshot::Sender<()>,
}

async fn serve(scorer: Arc<Scorer>) -> TestServer {
    let (handle, tx) = Launch::default()
        .add_service(ScoringGrpc::new(scorer).into_server())
        .serve_on_loopback()
        .await
        .unwrap();
    let client = ScoringServiceClient::connect(format!("http://{}", handle.local_addr))
        .await
        .unwrap();
    TestServer {
        client,
        _shutdown: tx,
    }
}

/// A quickly trained model, different for each seed.
fn small_model(seed: u64) -> Model {
    static MODELS: OnceLock<std::sync::Mutex<std::collections::HashMap<u64, Model>>> =
        OnceLock::new();
    let cache = MODELS.get_or_init(Default::default);
    if let Some(m) = cache.lock().unwrap().get(&seed) {
        return m.clone();
    }
    let (x, y) = synthetic_training_set(seed, 3_000);
    let m = train_kind(&x, &y, seed, ModelKind::Logistic).unwrap();
    cache.lock().unwrap().insert(seed, m.clone());
    m
}

fn relevant(id: &str) -> pb::CandidateSignals {
    pb::CandidateSignals {
        id: id.into(),
        text_score: 11.0,
        match_strength: 1.0,
        cocitation: 0.0,
        regulation: 0.0,
        product_kind: 0.0,
        series_match: 0.0,
        ics_match_depth: 3,
        mandatory: true,
        mandatory_in_market: true,
        level: 3,
        status: 1,
        published_year: 2012,
        in_degree: 5,
        peer_adoption: 0.64,
        international_alignment: true,
        holding: pb::Holding::NotHeld as i32,
        referenced: false,
        matched_product: "房间空调器".into(),
        adopted_as: "IEC 60335-2-40:2018".into(),
        peer_count: 25,
        peer_level: pb::PeerLevel::Class as i32,
        peer_code: "3852".into(),
    }
}

fn irrelevant(id: &str) -> pb::CandidateSignals {
    pb::CandidateSignals {
        id: id.into(),
        text_score: 0.3,
        level: 1,
        status: 2,
        published_year: 1991,
        holding: pb::Holding::NotHeld as i32,
        ..Default::default()
    }
}

async fn model_id(client: &mut ScoringServiceClient<Channel>) -> String {
    client
        .model_info(pb::ModelInfoRequest {})
        .await
        .unwrap()
        .into_inner()
        .model_id
}

async fn wait_for_model(client: &mut ScoringServiceClient<Channel>, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = model_id(client).await;
        if now == id {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "model {id} not served within 5 s (still {now})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn first_run_trains_then_scores_in_request_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("models").join("scoring.json");
    assert!(!path.exists());
    let scorer = start_with(&path, 42, Duration::ZERO).await.unwrap();
    assert!(path.exists(), "the default model is saved on first run");
    let mut server = serve(scorer).await;

    let info = server
        .client
        .model_info(pb::ModelInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(["logistic", "decision_tree"].contains(&info.kind.as_str()));
    assert_eq!(info.features, stdnav_models::FEATURES);
    // The artifact's name, never the server's directories (issue 20).
    assert_eq!(info.path, "scoring.json");
    assert!(!info.path.contains(&*dir.path().to_string_lossy()));
    assert_eq!(info.training_data_hash.len(), 64);
    assert!(!info.trained_at.is_empty());
    let auc = info
        .metrics
        .iter()
        .find(|m| m.name == "validation_auc")
        .expect("validation_auc reported")
        .value;
    assert!(auc > 0.75, "validation AUC {auc}");

    let response = server
        .client
        .score(three_candidates(0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.model_id, info.model_id);
    let ids: Vec<_> = response.scored.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ISO 1:1991", "GB 4706.32-2012", "ISO 2:1991"]);
    let good = &response.scored[1];
    assert!(good.score > response.scored[0].score);
    assert!(good.score > response.scored[2].score);
    assert!(
        good.reasons
            .contains(&"mandatory in your market".to_string()),
        "{:?}",
        good.reasons
    );
    assert!(
        good.reasons
            .contains(&"matches your product 房间空调器".to_string()),
        "{:?}",
        good.reasons
    );
    assert!(!good.contributions.is_empty());
    assert!(
        good.contributions
            .windows(2)
            .all(|w| w[0].effect.abs() >= w[1].effect.abs())
    );
    assert!(
        response.scored[0]
            .reasons
            .contains(&"withdrawn".to_string())
    );

    // explain_top 1: the same scores, reasons and contributions for the best only.
    let top_only = server
        .client
        .score(three_candidates(1))
        .await
        .unwrap()
        .into_inner();
    for (full, short) in response.scored.iter().zip(&top_only.scored) {
        assert_eq!((&full.id, full.score), (&short.id, short.score));
    }
    assert_eq!(top_only.scored[1].reasons, good.reasons);
    assert_eq!(top_only.scored[1].contributions, good.contributions);
    for i in [0, 2] {
        assert!(top_only.scored[i].reasons.is_empty());
        assert!(top_only.scored[i].contributions.is_empty());
    }

    // A large batch (scored on the blocking pool) keeps its order too;
    // as_of_year 0 means this year.
    let candidates: Vec<_> = (0..1_000)
        .map(|i| {
            if i % 2 == 0 {
                relevant(&format!("R{i}"))
            } else {
                irrelevant(&format!("I{i}"))
            }
        })
        .collect();
    let response = server
        .client
        .score(pb::ScoreRequest {
            candidates: candidates.clone(),
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.scored.len(), 1_000);
    for (c, s) in candidates.iter().zip(&response.scored) {
        assert_eq!(c.id, s.id);
    }
}

#[tokio::test]
async fn bad_input_is_invalid_argument_naming_the_field() {
    let scorer = Arc::new(Scorer::with_model(small_model(1)));
    let mut server = serve(scorer).await;

    let too_many = vec![irrelevant("X"); 5_001];
    let status = server
        .client
        .score(pb::ScoreRequest {
            candidates: too_many,
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let fields: Vec<_> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["candidates"]);

    let mut nan = relevant("NaN");
    nan.text_score = f32::NAN;
    let mut bad_level = relevant("L");
    bad_level.level = 9;
    let mut bad_peers = relevant("P");
    bad_peers.peer_adoption = 1.5;
    let status = server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![relevant("ok"), nan, bad_level, bad_peers],
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let fields: Vec<_> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(
        fields,
        [
            "candidates[2].level",
            "candidates[1].text_score",
            "candidates[3].peer_adoption"
        ]
    );

    let status = server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![relevant("ok")],
            as_of_year: -4,
            explain_top: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(field_violations(&status)[0].field, "as_of_year");

    // 5,000 is allowed.
    let ok = server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![irrelevant("X"); 5_000],
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap();
    assert_eq!(ok.into_inner().scored.len(), 5_000);
}

#[tokio::test]
async fn unavailable_until_a_model_is_loaded() {
    let mut server = serve(Arc::new(Scorer::empty())).await;
    let status = server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![relevant("A")],
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    let status = server
        .client
        .model_info(pb::ModelInfoRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
}

#[tokio::test]
async fn reloads_a_new_artifact_and_survives_a_corrupt_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scoring.json");
    let first = small_model(1);
    first.save(&path).unwrap();
    let scorer = start_with(&path, 42, Duration::from_millis(100))
        .await
        .unwrap();
    let mut server = serve(scorer).await;
    assert_eq!(model_id(&mut server.client).await, first.id());

    // A new artifact (another model id) is served without a restart.
    let second = small_model(2);
    assert_ne!(second.id(), first.id());
    second.save(&path).unwrap();
    wait_for_model(&mut server.client, second.id()).await;

    // A corrupt artifact written later is rejected; the last good model serves.
    std::fs::write(&path, b"{\"format_version\": 1, \"model_id\": \"broken\"").unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(model_id(&mut server.client).await, second.id());
    let response = server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![relevant("A"), irrelevant("B")],
            as_of_year: 2025,
            explain_top: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.model_id, second.id());
    assert!(response.scored[0].score > response.scored[1].score);

    // An artifact with another feature list is rejected the same way...
    let json = second
        .to_json()
        .replace("\"peer_adoption\"", "\"peer_share\"");
    std::fs::write(&path, json).unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(model_id(&mut server.client).await, second.id());

    // ...and a good one after it is picked up again.
    first.save(&path).unwrap();
    wait_for_model(&mut server.client, first.id()).await;
}

#[tokio::test]
async fn start_refuses_a_corrupt_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scoring.json");
    std::fs::write(&path, "not a model").unwrap();
    let err = start_with(&path, 42, Duration::ZERO)
        .await
        .err()
        .expect("no fallback");
    assert!(err.to_string().contains("scoring.json"), "{err}");
    assert_eq!(
        std::fs::read_to_string(Path::new(&path)).unwrap(),
        "not a model"
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_refused_and_the_server_carries_on() {
    let mut server = serve(Arc::new(Scorer::with_model(small_model(1)))).await;
    let limit = stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
    // The client is allowed to send it; the server must refuse it.
    let mut client = server.client.clone().max_encoding_message_size(4 * limit);
    let mut huge = relevant("HUGE");
    huge.matched_product = "空调".repeat(limit / 6 + 1);
    let status = client
        .score(pb::ScoreRequest {
            candidates: vec![huge],
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(status.code(), Code::OutOfRange | Code::ResourceExhausted),
        "{status:?}"
    );
    // A normal call on the same server still works.
    server
        .client
        .score(pb::ScoreRequest {
            candidates: vec![relevant("A")],
            as_of_year: 0,
            explain_top: 0,
        })
        .await
        .expect("served after refusing the oversized message");
}

/// A relevant candidate between two irrelevant ones, scored as of 2025.
fn three_candidates(explain_top: u32) -> pb::ScoreRequest {
    pb::ScoreRequest {
        candidates: vec![
            irrelevant("ISO 1:1991"),
            relevant("GB 4706.32-2012"),
            irrelevant("ISO 2:1991"),
        ],
        as_of_year: 2025,
        explain_top,
    }
}
