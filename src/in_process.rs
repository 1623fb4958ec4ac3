//! The services in this process, called without encoding messages or a
//! loopback HTTP/2 hop. This is how the one-shot commands reach a service
//! (`advise` and `batch` through the advisor built on these backends, and
//! `advise` stores its demo peers through [`LocalProfiles`]); `stdnav
//! serve`'s advisor uses gRPC clients of its own port, as a separate advisor
//! process would. (`evaluate` still calls its local server over loopback
//! gRPC for retrieval and for storing its population.)
//!
//! The advisor's backends call the services' domains in its domain types:
//! retrieval and resolution on the blocking pool and scoring where the
//! handlers run them, each within the caller's deadline, a domain error
//! reaching the advisor as the service's status for it. Reads and writes of
//! stored enterprises go through the profiling handler ([`LocalProfiles`]).
//!
//! Calls skip the server layers (API keys, admission, per-RPC metrics): the
//! caller is this process, not a client. Direct calls skip the handlers'
//! limits on request fields too, which guard a service from clients; the
//! domains' own checks still apply.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use tonic::{Request, Response, Status};

use stdnav_advisor::backend::{
    Candidate, CandidateQuery, CandidateSet, CatalogueStandard, EnterprisePage, ListQuery,
    Resolution, ScoreQuery, ScoredCandidate, Scores,
};
use stdnav_advisor::compose::{PeerBasis, Peers};
use stdnav_advisor::convert::{list_query_to_pb, page_from_pb, record_from_pb};
use stdnav_advisor::orchestrate::CallContext;
use stdnav_advisor::{AdvisorError, ProfilesBackend, ScoringBackend, StandardsBackend};
use stdnav_core::enterprise::{EnterpriseRecord, Profile};
use stdnav_profiling::domain::Subject as PeerSubject;
use stdnav_profiling::{Profiling, ProfilingGrpc};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_server::ProfilingService;
use stdnav_scoring::Scorer;
use stdnav_standards::Standards;
use stdnav_standards::domain::StandardRef;
use stdnav_standards::error::StandardsError;

/// One call of a handler, keeping the request's deadline (its
/// `grpc-timeout`) as the server's timeout layer would.
async fn call<T, R, Fut>(
    ctx: &CallContext,
    message: T,
    handler: impl FnOnce(Request<T>) -> Fut,
) -> Result<R, AdvisorError>
where
    Fut: Future<Output = Result<Response<R>, Status>>,
{
    let request = ctx.request(message)?;
    let budget = stdnav_runtime::deadline::deadline_of(request.metadata())
        .map(|d| d.saturating_duration_since(Instant::now()));
    let answer = handler(request);
    let result = match budget {
        Some(budget) => tokio::time::timeout(budget, answer)
            .await
            .unwrap_or_else(|_| Err(Status::deadline_exceeded("deadline exceeded"))),
        None => answer.await,
    };
    result
        .map(Response::into_inner)
        .map_err(AdvisorError::from_backend)
}

/// One call of a domain within the time the context leaves it, as a
/// request's deadline bounds a handler.
async fn within<R>(
    ctx: &CallContext,
    answer: impl Future<Output = Result<R, AdvisorError>>,
) -> Result<R, AdvisorError> {
    let budget = ctx.time_left()?;
    tokio::time::timeout(budget, answer)
        .await
        .unwrap_or_else(|_| {
            Err(AdvisorError::from_backend(Status::deadline_exceeded(
                "deadline exceeded",
            )))
        })
}

/// The profiling service in this process. Enrichment and peer groups call
/// its domain. Reads of stored enterprises (`get`, `list`) and the writes
/// go through its handler: that is where the service keeps the audit trail
/// of enterprise data (who read or wrote which enterprise) and checks the
/// request's limits, which the domain does not.
pub struct LocalProfiles {
    handler: ProfilingGrpc,
    domain: Arc<Profiling>,
}

impl LocalProfiles {
    pub fn new(domain: Arc<Profiling>) -> Self {
        Self {
            handler: ProfilingGrpc::new(domain.clone()),
            domain,
        }
    }
}

pub struct LocalStandards(pub Arc<Standards>);
pub struct LocalScoring(pub Arc<Scorer>);

/// A profiling domain error as the service's answer would carry it (bad
/// fields named as the profile's).
fn profiling_error(e: stdnav_profiling::domain::ProfilingError) -> AdvisorError {
    AdvisorError::from_backend(stdnav_profiling::grpc::to_status(e, ""))
}

#[async_trait]
impl ProfilesBackend for LocalProfiles {
    async fn get(&self, ctx: &CallContext, uscc: &str) -> Result<EnterpriseRecord, AdvisorError> {
        let request = ppb::GetEnterpriseRequest {
            uscc: uscc.to_string(),
        };
        record_from_pb(call(ctx, request, |r| self.handler.get_enterprise(r)).await?)
    }

    async fn enrich(
        &self,
        ctx: &CallContext,
        profile: &Profile,
    ) -> Result<EnterpriseRecord, AdvisorError> {
        within(ctx, async {
            self.domain
                .enrich(&ctx.tenant, profile)
                .map_err(profiling_error)
        })
        .await
    }

    async fn peer_group(
        &self,
        ctx: &CallContext,
        record: &EnterpriseRecord,
    ) -> Result<Peers, AdvisorError> {
        let subject = PeerSubject::Record(Box::new(record.clone()));
        let group = within(ctx, async {
            self.domain
                .peer_group(&ctx.tenant, subject)
                .await
                .map_err(profiling_error)
        })
        .await?;
        Ok(Peers {
            size: group.size,
            shares: group.shares.into_iter().collect(),
            coverage_percentile: group.coverage_percentile,
            basis: group.basis.map(|b| PeerBasis {
                level: b.level,
                code: b.code,
            }),
        })
    }

    async fn list(
        &self,
        ctx: &CallContext,
        query: &ListQuery,
    ) -> Result<EnterprisePage, AdvisorError> {
        let request = list_query_to_pb(query);
        page_from_pb(call(ctx, request, |r| self.handler.list_enterprises(r)).await?)
    }
}

impl LocalProfiles {
    /// Whether the tenant has no stored enterprise.
    pub async fn is_empty(&self, ctx: &CallContext) -> Result<bool, AdvisorError> {
        let request = ppb::ListEnterprisesRequest {
            page_size: 1,
            ..Default::default()
        };
        let page = call(ctx, request, |r| self.handler.list_enterprises(r)).await?;
        Ok(page.enterprises.is_empty())
    }

    /// Stores `profiles` (replacing any stored version),
    /// [`stdnav_profiling::client::UPSERT_PARALLELISM`] at a time, calling
    /// `on_stored` after each; the first failure stops it and names the
    /// enterprise.
    pub async fn upsert_all(
        &self,
        ctx: &CallContext,
        profiles: &[stdnav_core::enterprise::Profile],
        on_stored: impl Fn(),
    ) -> anyhow::Result<()> {
        use anyhow::Context;
        use futures::StreamExt;

        let mut writes = futures::stream::iter(profiles)
            .map(|p| async move {
                let request = ppb::UpsertEnterpriseRequest {
                    enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(p)),
                    expected_version: None,
                };
                call(ctx, request, |r| self.handler.upsert_enterprise(r))
                    .await
                    .with_context(|| format!("storing enterprise {}", p.uscc))
            })
            .buffer_unordered(stdnav_profiling::client::UPSERT_PARALLELISM);
        while let Some(write) = writes.next().await {
            write?;
            on_stored();
        }
        Ok(())
    }

    /// Trains the tenant's peer model on what is stored now, so that an
    /// Advise that follows a bulk write does not spend its budget training it.
    pub async fn train_peers(&self, ctx: &CallContext) -> Result<(), AdvisorError> {
        call(ctx, ppb::TrainPeerModelRequest {}, |r| {
            self.handler.train_peer_model(r)
        })
        .await
        .map(|_| ())
    }
}

/// Retrieval and resolution on the blocking pool, as the standards handler
/// runs them: a few hundred records searched and copied.
async fn blocking<R: Send + 'static>(
    work: impl FnOnce() -> Result<R, StandardsError> + Send + 'static,
) -> Result<R, AdvisorError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AdvisorError::from_backend(stdnav_runtime::status::internal(&e)))?
        .map_err(|e| AdvisorError::from_backend(Status::from(e)))
}

/// A catalogue record with what the catalogue's graph adds to it.
fn catalogue_standard(v: StandardRef<'_>) -> CatalogueStandard {
    CatalogueStandard {
        standard: v.standard.clone(),
        adopted_by: v.adopted_by.to_vec(),
        in_degree: v.in_degree,
        line: v.line.to_string(),
    }
}

#[async_trait]
impl StandardsBackend for LocalStandards {
    async fn candidates(
        &self,
        ctx: &CallContext,
        query: &CandidateQuery,
    ) -> Result<CandidateSet, AdvisorError> {
        let params = query.clone();
        let domain = self.0.clone();
        let found = blocking(move || {
            let found = domain.candidates(&params)?;
            let candidates = found
                .iter()
                .map(|(hit, standard)| Candidate {
                    standard: catalogue_standard(standard),
                    retrieval: hit.retrieval.clone(),
                })
                .collect();
            Ok(CandidateSet {
                candidates,
                unmatched_products: found.unmatched_products,
            })
        });
        within(ctx, found).await
    }

    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: &[String],
    ) -> Result<Vec<Resolution>, AdvisorError> {
        let (domain, codes) = (self.0.clone(), codes.to_vec());
        let resolved = blocking(move || {
            Ok(domain
                .resolve(&codes)?
                .into_iter()
                .map(|r| Resolution {
                    input: r.input,
                    normalized: r.normalized,
                    standard: r.standard.as_ref().map(|v| catalogue_standard(v.as_ref())),
                    current: r.current.as_ref().map(|v| catalogue_standard(v.as_ref())),
                    path: r.path,
                    error: r.error,
                })
                .collect())
        });
        within(ctx, resolved).await
    }
}

#[async_trait]
impl ScoringBackend for LocalScoring {
    async fn score(&self, ctx: &CallContext, query: &ScoreQuery) -> Result<Scores, AdvisorError> {
        let batch = within(ctx, async {
            self.0
                .score_batch(&query.candidates, query.as_of_year, query.explain_top)
                .await
                .map_err(|e| AdvisorError::from_backend(Status::from(e)))
        })
        .await?;
        Ok(Scores {
            model_id: batch.model_id,
            scored: batch
                .scored
                .into_iter()
                .map(|s| ScoredCandidate {
                    id: s.id,
                    score: s.score,
                    reasons: s.reasons,
                })
                .collect(),
        })
    }
}
