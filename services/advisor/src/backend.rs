//! The advisor's three backends as plain async traits in domain terms, with
//! their gRPC clients. A deployment picks the implementation: separate
//! processes (and `stdnav serve`'s own port) use [`Backends::connect_lazy`];
//! one-shot commands in the all-in-one binary pass implementations that call
//! the services in the same process. The advisor itself sees only the
//! traits and the types below; only the gRPC clients here speak protobuf
//! (through [`crate::convert`]).

use std::sync::Arc;

use async_trait::async_trait;
use tonic::transport::Channel;

use stdnav_core::enterprise::{EnterpriseRecord, Profile};
use stdnav_core::reason::Reason;
pub use stdnav_core::retrieval::CandidateQuery;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::signals::Signals;
use stdnav_core::standard::Standard;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use stdnav_proto::scoring::v1::scoring_service_client::ScoringServiceClient;
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::client::lazy_channel;
use stdnav_runtime::tenant::set_tenant;

use crate::compose::Peers;
use crate::convert;
use crate::error::AdvisorError;
use crate::orchestrate::CallContext;

// ------------------------------------------------------------------ types

/// One page of a tenant's stored enterprises to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only the members of this chain; empty for every enterprise.
    pub chain: String,
    /// 1..=1000; 0 means 100.
    pub page_size: u32,
    /// From the page before; empty for the first page.
    pub page_token: String,
}

/// One page of stored enterprises.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnterprisePage {
    pub enterprises: Vec<EnterpriseRecord>,
    /// Empty on the last page.
    pub next_page_token: String,
}

/// One edition of a standard as the catalogue gives it: the record and what
/// the catalogue's graph adds to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogueStandard {
    pub standard: Standard,
    /// Standards that adopt this one.
    pub adopted_by: Vec<String>,
    /// How many catalogue records reference or adopt this one.
    pub in_degree: u32,
    /// The standard's line (its code without year); empty when the
    /// catalogue did not give it, and then parsed from the id when needed.
    pub line: String,
}

/// A candidate standard and the evidence retrieval found for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    pub standard: CatalogueStandard,
    pub retrieval: Retrieval,
}

/// The candidates of one query, in retrieval order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateSet {
    pub candidates: Vec<Candidate>,
    /// Products for which no standard matched (demand for new standards).
    pub unmatched_products: Vec<String>,
}

/// One code resolved against the catalogue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    /// The code as given.
    pub input: String,
    /// Canonical spelling; empty when the code could not be parsed.
    pub normalized: String,
    /// The edition found; `None` when the catalogue does not know it.
    pub standard: Option<CatalogueStandard>,
    /// The current edition when `standard` is replaced or withdrawn.
    pub current: Option<CatalogueStandard>,
    /// Editions from `standard` to `current`, both included.
    pub path: Vec<String>,
    /// Why the code did not resolve; empty when it did.
    pub error: String,
}

/// Candidates to score for one enterprise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreQuery {
    pub candidates: Vec<Signals>,
    /// Year recency is measured at; 0 means this year.
    pub as_of_year: i32,
    /// Reasons only for the candidates scoring at least the
    /// `explain_top`-th highest score (ties included); 0 explains all.
    pub explain_top: usize,
}

/// One candidate's score.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoredCandidate {
    pub id: String,
    /// Probability of relevance, 0..1.
    pub score: f64,
    /// Empty for a candidate not explained (see [`ScoreQuery::explain_top`]).
    pub reasons: Vec<Reason>,
}

/// The scores of a [`ScoreQuery`], in its order. The scoring service also
/// gives each score's feature contributions; the advisor does not read them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    pub model_id: String,
    pub scored: Vec<ScoredCandidate>,
}

// ----------------------------------------------------------------- traits

/// Enterprise records and peer groups (the profiling service).
#[async_trait]
pub trait ProfilesBackend: Send + Sync {
    /// A stored enterprise's record.
    async fn get(&self, ctx: &CallContext, uscc: &str) -> Result<EnterpriseRecord, AdvisorError>;
    /// An inline profile validated and enriched, not stored. Bad fields are
    /// named as the profile's (`uscc`, `chains[0].segment`).
    async fn enrich(
        &self,
        ctx: &CallContext,
        profile: &Profile,
    ) -> Result<EnterpriseRecord, AdvisorError>;
    /// The peer group of a record the backend gave (stored or enriched),
    /// taken as it is: neither read, validated nor enriched again.
    async fn peer_group(
        &self,
        ctx: &CallContext,
        record: &EnterpriseRecord,
    ) -> Result<Peers, AdvisorError>;
    /// One page of stored enterprises.
    async fn list(
        &self,
        ctx: &CallContext,
        query: &ListQuery,
    ) -> Result<EnterprisePage, AdvisorError>;
}

/// Candidate retrieval and code resolution (the standards service).
#[async_trait]
pub trait StandardsBackend: Send + Sync {
    /// The query's candidates. Of each standard only what composing advice
    /// reads need be given (the gRPC client asks for the basic view).
    async fn candidates(
        &self,
        ctx: &CallContext,
        query: &CandidateQuery,
    ) -> Result<CandidateSet, AdvisorError>;
    /// One resolution per code, in order.
    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: &[String],
    ) -> Result<Vec<Resolution>, AdvisorError>;
}

/// The recommendation model (the scoring service).
#[async_trait]
pub trait ScoringBackend: Send + Sync {
    async fn score(&self, ctx: &CallContext, query: &ScoreQuery) -> Result<Scores, AdvisorError>;
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

// ------------------------------------------------------------ gRPC clients

// How a call context reaches a backend is the transport's business: the
// orchestration only hands the context on.
impl CallContext {
    /// A backend request carrying the tenant, the caller's key, the time
    /// left and the trace context.
    pub fn request<T>(&self, message: T) -> Result<tonic::Request<T>, AdvisorError> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(self.time_left()?);
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
    async fn get(&self, ctx: &CallContext, uscc: &str) -> Result<EnterpriseRecord, AdvisorError> {
        let request = ctx.request(ppb::GetEnterpriseRequest {
            uscc: uscc.to_string(),
        })?;
        convert::record_from_pb(answer(
            ProfilingServiceClient::get_enterprise(&mut self.clone(), request).await,
        )?)
    }

    async fn enrich(
        &self,
        ctx: &CallContext,
        profile: &Profile,
    ) -> Result<EnterpriseRecord, AdvisorError> {
        let request = ctx.request(ppb::EnrichEnterpriseRequest {
            enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(profile)),
        })?;
        let record =
            answer(ProfilingServiceClient::enrich_enterprise(&mut self.clone(), request).await)
                // The request's field, not the profile's.
                .map_err(|e| e.rename_fields("enterprise.", ""))?;
        convert::record_from_pb(record)
    }

    async fn peer_group(
        &self,
        ctx: &CallContext,
        record: &EnterpriseRecord,
    ) -> Result<Peers, AdvisorError> {
        let request = ctx.request(ppb::PeerGroupRequest {
            subject: Some(ppb::peer_group_request::Subject::Record(
                stdnav_proto::convert::profile::record_to_pb(record),
            )),
        })?;
        answer(ProfilingServiceClient::peer_group(&mut self.clone(), request).await)
            .map(convert::peers_from_pb)
    }

    async fn list(
        &self,
        ctx: &CallContext,
        query: &ListQuery,
    ) -> Result<EnterprisePage, AdvisorError> {
        let request = ctx.request(convert::list_query_to_pb(query))?;
        convert::page_from_pb(answer(
            ProfilingServiceClient::list_enterprises(&mut self.clone(), request).await,
        )?)
    }
}

#[async_trait]
impl StandardsBackend for StandardsServiceClient<Channel> {
    async fn candidates(
        &self,
        ctx: &CallContext,
        query: &CandidateQuery,
    ) -> Result<CandidateSet, AdvisorError> {
        let request = ctx.request(convert::candidate_query_to_pb(query))?;
        answer(StandardsServiceClient::candidates(&mut self.clone(), request).await)
            .map(convert::candidates_from_pb)
    }

    async fn resolve(
        &self,
        ctx: &CallContext,
        codes: &[String],
    ) -> Result<Vec<Resolution>, AdvisorError> {
        let request = ctx.request(stpb::ResolveRequest {
            codes: codes.to_vec(),
        })?;
        answer(StandardsServiceClient::resolve(&mut self.clone(), request).await).map(|r| {
            r.resolutions
                .into_iter()
                .map(convert::resolution_from_pb)
                .collect()
        })
    }
}

#[async_trait]
impl ScoringBackend for ScoringServiceClient<Channel> {
    async fn score(&self, ctx: &CallContext, query: &ScoreQuery) -> Result<Scores, AdvisorError> {
        let request = ctx.request(convert::score_query_to_pb(query))?;
        answer(ScoringServiceClient::score(&mut self.clone(), request).await)
            .map(convert::scores_from_pb)
    }
}
