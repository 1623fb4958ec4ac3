//! gRPC adapter: converts requests (naming every bad field), scores on the
//! blocking pool when the batch is large, converts results and errors.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_models::Signals;
use stdnav_proto::convert::scoring::signals_from_pb;
use stdnav_proto::scoring::v1 as pb;
use stdnav_proto::scoring::v1::scoring_service_server::{ScoringService, ScoringServiceServer};
use stdnav_runtime::limits::{self, Checker, FieldLimit};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;

use crate::domain::{self, MAX_CANDIDATES, ScoreBatch, Scorer};
use crate::error::ScoringError;

pub const SERVICE_NAME: &str = "stdnav.scoring.v1.ScoringService";

/// Limits on every request field of the service (docs/API.md, "Limits",
/// is tested against this table; the handlers enforce it).
pub const LIMITS: &[FieldLimit] = &[
    limits::items("Score", "candidates", MAX_CANDIDATES),
    limits::chars("Score", "candidates.id", 200),
    limits::chars("Score", "candidates.matched_product", 200),
    limits::chars("Score", "candidates.adopted_as", 200),
    limits::chars("Score", "candidates.peer_code", 20),
    limits::max("Score", "explain_top", MAX_CANDIDATES as u64),
];

#[derive(Clone)]
pub struct ScoringGrpc {
    scorer: Arc<Scorer>,
}

impl ScoringGrpc {
    pub fn new(scorer: Arc<Scorer>) -> Self {
        Self { scorer }
    }

    pub fn into_server(self) -> ScoringServiceServer<Self> {
        // 5,000 candidates with product names fit in well under 16 MiB.
        ScoringServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

fn batch_to_pb(batch: ScoreBatch) -> pb::ScoreResponse {
    pb::ScoreResponse {
        model_id: batch.model_id,
        scored: batch
            .scored
            .into_iter()
            .map(|s| pb::Scored {
                id: s.id,
                score: s.score,
                contributions: s
                    .contributions
                    .into_iter()
                    .map(|c| pb::Contribution {
                        feature: c.feature.to_string(),
                        value: c.value,
                        effect: c.effect,
                    })
                    .collect(),
                reasons: s.reasons.iter().map(|r| r.en()).collect(),
                reason_codes: s
                    .reasons
                    .iter()
                    .map(stdnav_proto::convert::reason_to_scoring_pb)
                    .collect(),
            })
            .collect(),
    }
}

#[tonic::async_trait]
impl ScoringService for ScoringGrpc {
    #[instrument(skip(self, request), fields(candidates = request.get_ref().candidates.len()))]
    async fn score(
        &self,
        request: Request<pb::ScoreRequest>,
    ) -> Result<Response<pb::ScoreResponse>, Status> {
        let r = request.into_inner();
        if r.candidates.len() > MAX_CANDIDATES {
            return Err(ScoringError::invalid(
                "candidates",
                format!(
                    "at most {MAX_CANDIDATES} candidates per call, got {}; split the batch",
                    r.candidates.len()
                ),
            )
            .into());
        }
        let mut c = Checker::new(LIMITS, "Score");
        c.number("explain_top", r.explain_top.into());
        for (i, s) in r.candidates.iter().enumerate() {
            c.text_at("candidates.id", i, &s.id)
                .text_at("candidates.matched_product", i, &s.matched_product)
                .text_at("candidates.adopted_as", i, &s.adopted_as)
                .text_at("candidates.peer_code", i, &s.peer_code);
        }
        c.finish()?;
        let mut bad = Vec::new();
        let batch: Vec<Signals> = r
            .candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| signals_from_pb(c, i, &mut bad))
            .collect();
        if !bad.is_empty() {
            bad.extend(domain::validate(&batch, r.as_of_year));
            return Err(ScoringError::InvalidArgument(bad).into());
        }
        let scored = self
            .scorer
            .score_batch(&batch, r.as_of_year, r.explain_top as usize)
            .await?;
        Ok(Response::new(batch_to_pb(scored)))
    }

    #[instrument(skip(self, request))]
    async fn model_info(
        &self,
        request: Request<pb::ModelInfoRequest>,
    ) -> Result<Response<pb::ModelInfoResponse>, Status> {
        let _ = request;
        let info = self.scorer.info()?;
        Ok(Response::new(pb::ModelInfoResponse {
            model_id: info.model_id,
            kind: info.kind,
            features: info.features,
            trained_at: info.trained_at,
            training_data_hash: info.training_data_hash,
            metrics: info
                .metrics
                .into_iter()
                .map(|(name, value)| pb::Metric { name, value })
                .collect(),
            // The artifact's file name only: the server's directories are
            // none of a caller's business (issue 20).
            path: std::path::Path::new(&info.path)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }))
    }
}
