//! The services in this process: their own handlers, called directly — the
//! same validation and answers as over gRPC, without encoding messages or a
//! loopback HTTP/2 hop. This is how the one-shot commands reach a service
//! (`advise` and `batch` through the advisor built on these backends, and
//! `advise` stores its demo peers through [`LocalProfiles`]); `stdnav
//! serve`'s advisor uses gRPC clients of its own port, as a separate advisor
//! process would. (`evaluate` still calls its local server over loopback
//! gRPC for retrieval and for storing its population.)
//!
//! Calls skip the server layers (API keys, admission, per-RPC metrics): the
//! caller is this process, not a client.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use tonic::{Request, Response, Status};

use stdnav_advisor::orchestrate::CallContext;
use stdnav_advisor::{AdvisorError, ProfilesBackend, ScoringBackend, StandardsBackend};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_server::ProfilingService;
use stdnav_proto::scoring::v1 as spb;
use stdnav_proto::scoring::v1::scoring_service_server::ScoringService;
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_server::StandardsService;

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

pub struct LocalProfiles(pub Arc<dyn ProfilingService>);
pub struct LocalStandards(
    pub Arc<dyn StandardsService<ExportCatalogueStream = stdnav_standards::grpc::ExportStream>>,
);
pub struct LocalScoring(pub Arc<dyn ScoringService>);

#[async_trait]
impl ProfilesBackend for LocalProfiles {
    async fn get(
        &self,
        ctx: &CallContext,
        uscc: String,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError> {
        call(ctx, ppb::GetEnterpriseRequest { uscc }, |r| {
            self.0.get_enterprise(r)
        })
        .await
    }

    async fn enrich(
        &self,
        ctx: &CallContext,
        enterprise: ppb::Enterprise,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError> {
        let request = ppb::EnrichEnterpriseRequest {
            enterprise: Some(enterprise),
        };
        call(ctx, request, |r| self.0.enrich_enterprise(r)).await
    }

    async fn peer_group(
        &self,
        ctx: &CallContext,
        request: ppb::PeerGroupRequest,
    ) -> Result<ppb::PeerGroupResponse, AdvisorError> {
        call(ctx, request, |r| self.0.peer_group(r)).await
    }

    async fn list(
        &self,
        ctx: &CallContext,
        request: ppb::ListEnterprisesRequest,
    ) -> Result<ppb::ListEnterprisesResponse, AdvisorError> {
        call(ctx, request, |r| self.0.list_enterprises(r)).await
    }
}

impl LocalProfiles {
    /// Whether the tenant has no stored enterprise.
    pub async fn is_empty(&self, ctx: &CallContext) -> Result<bool, AdvisorError> {
        let request = ppb::ListEnterprisesRequest {
            page_size: 1,
            ..Default::default()
        };
        let page = call(ctx, request, |r| self.0.list_enterprises(r)).await?;
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
                call(ctx, request, |r| self.0.upsert_enterprise(r))
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
            self.0.train_peer_model(r)
        })
        .await
        .map(|_| ())
    }
}

#[async_trait]
impl StandardsBackend for LocalStandards {
    async fn candidates(
        &self,
        ctx: &CallContext,
        request: stpb::CandidatesRequest,
    ) -> Result<stpb::CandidatesResponse, AdvisorError> {
        call(ctx, request, |r| self.0.candidates(r)).await
    }

    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: Vec<String>,
    ) -> Result<Vec<stpb::Resolution>, AdvisorError> {
        call(ctx, stpb::ResolveRequest { codes }, |r| self.0.resolve(r))
            .await
            .map(|r| r.resolutions)
    }
}

#[async_trait]
impl ScoringBackend for LocalScoring {
    async fn score(
        &self,
        ctx: &CallContext,
        request: spb::ScoreRequest,
    ) -> Result<spb::ScoreResponse, AdvisorError> {
        call(ctx, request, |r| self.0.score(r)).await
    }
}
