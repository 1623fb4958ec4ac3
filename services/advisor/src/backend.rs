//! The advisor's three backends as plain async traits, with their gRPC
//! clients. A deployment picks the implementation: separate processes (and
//! `stdnav serve`'s own port) use [`Backends::connect_lazy`]; one-shot
//! commands in the all-in-one binary pass implementations that call the
//! services in the same process. The advisor itself sees only the traits.

use std::sync::Arc;

use async_trait::async_trait;
use tonic::transport::Channel;

use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use stdnav_proto::scoring::v1 as spb;
use stdnav_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::client::lazy_channel;
use stdnav_runtime::tenant::set_tenant;

use crate::error::AdvisorError;
use crate::orchestrate::{CallContext, DEFAULT_BUDGET};

/// Enterprise records and peer groups (the profiling service).
#[async_trait]
pub trait ProfilesBackend: Send + Sync {
    /// A stored enterprise's record.
    async fn get(
        &self,
        ctx: &CallContext,
        uscc: String,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError>;
    /// An inline profile validated and enriched, not stored.
    async fn enrich(
        &self,
        ctx: &CallContext,
        enterprise: ppb::Enterprise,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError>;
    async fn peer_group(
        &self,
        ctx: &CallContext,
        request: ppb::PeerGroupRequest,
    ) -> Result<ppb::PeerGroupResponse, AdvisorError>;
    /// One page of stored enterprises.
    async fn list(
        &self,
        ctx: &CallContext,
        request: ppb::ListEnterprisesRequest,
    ) -> Result<ppb::ListEnterprisesResponse, AdvisorError>;
}

/// Candidate retrieval and code resolution (the standards service).
#[async_trait]
pub trait StandardsBackend: Send + Sync {
    async fn candidates(
        &self,
        ctx: &CallContext,
        request: stpb::CandidatesRequest,
    ) -> Result<stpb::CandidatesResponse, AdvisorError>;
    /// One resolution per code, in order.
    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: Vec<String>,
    ) -> Result<Vec<stpb::Resolution>, AdvisorError>;
}

/// The recommendation model (the scoring service).
#[async_trait]
pub trait ScoringBackend: Send + Sync {
    async fn score(
        &self,
        ctx: &CallContext,
        request: spb::ScoreRequest,
    ) -> Result<spb::ScoreResponse, AdvisorError>;
}

/// The three backends of one advisor.
#[derive(Clone)]
pub struct Backends {
    pub profiles: Arc<dyn ProfilesBackend>,
    pub standards: Arc<dyn StandardsBackend>,
    pub scoring: Arc<dyn ScoringBackend>,
}

/// Addresses of the services the advisor composes.
#[derive(Debug, Clone)]
pub struct BackendAddrs {
    pub profiling: String,
    pub standards: String,
    pub scoring: String,
    /// TLS towards the backends (None: plaintext).
    pub tls: Option<tonic::transport::ClientTlsConfig>,
}

impl Backends {
    pub fn new(
        profiles: Arc<dyn ProfilesBackend>,
        standards: Arc<dyn StandardsBackend>,
        scoring: Arc<dyn ScoringBackend>,
    ) -> Self {
        Self {
            profiles,
            standards,
            scoring,
        }
    }

    /// gRPC clients of the three services, connecting on first use.
    pub fn connect_lazy(addrs: &BackendAddrs) -> Result<Self, tonic::transport::Error> {
        const MAX: usize = stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
        Ok(Self::new(
            Arc::new(
                ProfilingServiceClient::new(lazy_channel(&addrs.profiling, addrs.tls.as_ref())?)
                    .max_decoding_message_size(MAX),
            ),
            Arc::new(
                StandardsServiceClient::new(lazy_channel(&addrs.standards, addrs.tls.as_ref())?)
                    .max_decoding_message_size(MAX),
            ),
            Arc::new(
                ScoringServiceClient::new(lazy_channel(&addrs.scoring, addrs.tls.as_ref())?)
                    .max_decoding_message_size(MAX),
            ),
        ))
    }
}

// How a call context reaches a backend is the transport's business: the
// orchestration only hands the context on.
impl CallContext {
    /// A backend request carrying the tenant, the caller's key, the time
    /// left and the trace context.
    pub fn request<T>(&self, message: T) -> Result<tonic::Request<T>, AdvisorError> {
        let remaining = stdnav_runtime::deadline::remaining(self.deadline, DEFAULT_BUDGET);
        if remaining.is_zero() {
            return Err(AdvisorError::DeadlineExceeded(
                "the deadline passed before the call",
            ));
        }
        let mut request = tonic::Request::new(message);
        request.set_timeout(remaining);
        set_tenant(&mut request, &self.tenant);
        stdnav_runtime::auth::forward_key(&self.credentials, &mut request);
        stdnav_runtime::telemetry::inject_context(request.metadata_mut());
        Ok(request)
    }
}

/// The answer of a gRPC call, its error as the advisor's. (The calls name
/// the client's inherent methods: the trait's share their names.)
fn answer<T>(result: Result<tonic::Response<T>, tonic::Status>) -> Result<T, AdvisorError> {
    result
        .map(tonic::Response::into_inner)
        .map_err(AdvisorError::from_backend)
}

#[async_trait]
impl ProfilesBackend for ProfilingServiceClient<Channel> {
    async fn get(
        &self,
        ctx: &CallContext,
        uscc: String,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError> {
        let request = ctx.request(ppb::GetEnterpriseRequest { uscc })?;
        answer(ProfilingServiceClient::get_enterprise(&mut self.clone(), request).await)
    }

    async fn enrich(
        &self,
        ctx: &CallContext,
        enterprise: ppb::Enterprise,
    ) -> Result<ppb::EnterpriseRecord, AdvisorError> {
        let request = ctx.request(ppb::EnrichEnterpriseRequest {
            enterprise: Some(enterprise),
        })?;
        answer(ProfilingServiceClient::enrich_enterprise(&mut self.clone(), request).await)
    }

    async fn peer_group(
        &self,
        ctx: &CallContext,
        request: ppb::PeerGroupRequest,
    ) -> Result<ppb::PeerGroupResponse, AdvisorError> {
        let request = ctx.request(request)?;
        answer(ProfilingServiceClient::peer_group(&mut self.clone(), request).await)
    }

    async fn list(
        &self,
        ctx: &CallContext,
        request: ppb::ListEnterprisesRequest,
    ) -> Result<ppb::ListEnterprisesResponse, AdvisorError> {
        let request = ctx.request(request)?;
        answer(ProfilingServiceClient::list_enterprises(&mut self.clone(), request).await)
    }
}

#[async_trait]
impl StandardsBackend for StandardsServiceClient<Channel> {
    async fn candidates(
        &self,
        ctx: &CallContext,
        request: stpb::CandidatesRequest,
    ) -> Result<stpb::CandidatesResponse, AdvisorError> {
        let request = ctx.request(request)?;
        answer(StandardsServiceClient::candidates(&mut self.clone(), request).await)
    }

    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: Vec<String>,
    ) -> Result<Vec<stpb::Resolution>, AdvisorError> {
        let request = ctx.request(stpb::ResolveRequest { codes })?;
        answer(StandardsServiceClient::resolve(&mut self.clone(), request).await)
            .map(|r| r.resolutions)
    }
}

#[async_trait]
impl ScoringBackend for ScoringServiceClient<Channel> {
    async fn score(
        &self,
        ctx: &CallContext,
        request: spb::ScoreRequest,
    ) -> Result<spb::ScoreResponse, AdvisorError> {
        let request = ctx.request(request)?;
        answer(ScoringServiceClient::score(&mut self.clone(), request).await)
    }
}
