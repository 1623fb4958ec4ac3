//! What the web face needs from the other services, as one plain async
//! trait, and its implementation over their gRPC clients. The pages and the
//! JSON API see only [`Backend`]; a deployment picks the implementation (the
//! `stdnav-web` binary and `stdnav serve` use [`GrpcBackend`], pointed at the
//! services' addresses or at the all-in-one's own port), so keys, tenants,
//! limits and metrics are the gRPC services' own on every call.

use std::time::Duration;

use async_trait::async_trait;
use tonic::Status;
use tonic::codegen::http::HeaderMap;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;
use stdnav_proto::changes::v1 as cpb;
use stdnav_proto::changes::v1::changes_service_client::ChangesServiceClient;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::auth::{API_KEY_HEADER, AUTHORIZATION};
use stdnav_runtime::client::lazy_channel;
use stdnav_runtime::tenant::TENANT_HEADER;

/// Who an HTTP request acts for: the credentials it presented, passed on to
/// every gRPC call unchanged, so the services authenticate and scope it
/// exactly as a gRPC caller (`authorization: Bearer <key>` or `x-api-key`;
/// without keys, `x-stdnav-tenant`).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    authorization: Option<String>,
    api_key: Option<String>,
    tenant: Option<String>,
}

impl Caller {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Self {
            authorization: get(AUTHORIZATION),
            api_key: get(API_KEY_HEADER),
            tenant: get(TENANT_HEADER),
        }
    }

    /// Whether the request presented a key of its own (a header), as
    /// opposed to none (then a browser session may supply one).
    pub fn has_key(&self) -> bool {
        self.authorization.is_some() || self.api_key.is_some()
    }

    /// A digest of the credentials, to key what is cached for this caller
    /// (the same key or tenant header gives the same digest; the key itself
    /// is not kept in the cache).
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for part in [&self.authorization, &self.api_key, &self.tenant] {
            match part {
                Some(v) => {
                    h.update([1u8]);
                    h.update((v.len() as u64).to_le_bytes());
                    h.update(v.as_bytes());
                }
                None => h.update([0u8]),
            }
        }
        h.finalize().into()
    }

    /// A caller presenting `key` (tests, tools).
    pub fn with_key(key: &str) -> Self {
        Self {
            authorization: Some(format!("Bearer {key}")),
            ..Self::default()
        }
    }

    /// `message` as a gRPC request carrying this caller's credentials and a
    /// deadline the services pass on.
    pub fn request<T>(&self, message: T) -> Result<tonic::Request<T>, Status> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(CALL_TIMEOUT);
        let metadata = request.metadata_mut();
        for (name, value) in [
            (AUTHORIZATION, &self.authorization),
            (API_KEY_HEADER, &self.api_key),
            (TENANT_HEADER, &self.tenant),
        ] {
            if let Some(value) = value {
                let value = MetadataValue::try_from(value.as_str()).map_err(|_| {
                    Status::unauthenticated(format!("header {name} is not valid ASCII"))
                })?;
                metadata.insert(name, value);
            }
        }
        Ok(request)
    }
}

/// The client stream of a document check: CheckCitations messages as the
/// upload produces them (a message with a `name` starts a document). A
/// named type rather than a boxed `dyn Stream`: with one, rustc cannot prove
/// the client-streaming call's future `Send` ("higher-ranked lifetime error").
pub struct DocumentStream(pub tokio::sync::mpsc::Receiver<stpb::CheckCitationsRequest>);

impl futures::Stream for DocumentStream {
    type Item = stpb::CheckCitationsRequest;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// The deadline of every call the web face makes (a document check's
/// includes the upload it streams on).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The reads and writes the pages and the JSON API need.
#[async_trait]
pub trait Backend: Send + Sync {
    async fn advise(&self, c: &Caller, r: apb::AdviseRequest) -> Result<apb::Solution, Status>;
    async fn benchmark_gaps(&self, c: &Caller, r: apb::AdviseRequest) -> Result<apb::Gaps, Status>;
    async fn search(
        &self,
        c: &Caller,
        r: stpb::SearchRequest,
    ) -> Result<stpb::SearchResponse, Status>;
    async fn get_standard(&self, c: &Caller, id: String) -> Result<stpb::Standard, Status>;
    async fn lineage(
        &self,
        c: &Caller,
        r: stpb::LineageRequest,
    ) -> Result<stpb::LineageResponse, Status>;
    async fn statistics(
        &self,
        c: &Caller,
        r: stpb::StatisticsRequest,
    ) -> Result<stpb::StatisticsResponse, Status>;
    async fn get_enterprise(
        &self,
        c: &Caller,
        uscc: String,
    ) -> Result<ppb::EnterpriseRecord, Status>;
    async fn list_enterprises(
        &self,
        c: &Caller,
        r: ppb::ListEnterprisesRequest,
    ) -> Result<ppb::ListEnterprisesResponse, Status>;
    async fn upsert_enterprise(
        &self,
        c: &Caller,
        r: ppb::UpsertEnterpriseRequest,
    ) -> Result<ppb::EnterpriseRecord, Status>;
    async fn peer_group(
        &self,
        c: &Caller,
        r: ppb::PeerGroupRequest,
    ) -> Result<ppb::PeerGroupResponse, Status>;
    async fn list_changes(
        &self,
        c: &Caller,
        r: cpb::ListChangesRequest,
    ) -> Result<cpb::ListChangesResponse, Status>;
    /// The document check: `documents` is the client stream, sent on as it
    /// is produced (a message with a `name` starts a document).
    async fn check_citations(
        &self,
        c: &Caller,
        documents: DocumentStream,
    ) -> Result<stpb::CheckCitationsResponse, Status>;
    /// Whether every service behind reports SERVING (grpc.health.v1).
    async fn ready(&self) -> bool;
}

/// Addresses of the services the web face calls.
#[derive(Debug, Clone)]
pub struct ServiceAddrs {
    pub advisor: String,
    pub standards: String,
    pub profiling: String,
    pub changes: String,
    pub tls: Option<tonic::transport::ClientTlsConfig>,
}

impl ServiceAddrs {
    /// Every service at one address (the all-in-one server).
    pub fn all_at(addr: &str, tls: Option<tonic::transport::ClientTlsConfig>) -> Self {
        Self {
            advisor: addr.to_string(),
            standards: addr.to_string(),
            profiling: addr.to_string(),
            changes: addr.to_string(),
            tls,
        }
    }
}

/// The gRPC clients of the four services the web face reads.
#[derive(Clone)]
pub struct GrpcBackend {
    /// The channel and health name of each service, for readiness.
    health: Vec<(Channel, &'static str)>,
    advisor: AdvisorServiceClient<Channel>,
    standards: StandardsServiceClient<Channel>,
    profiling: ProfilingServiceClient<Channel>,
    changes: ChangesServiceClient<Channel>,
}

impl GrpcBackend {
    /// Clients connecting on first use.
    pub fn connect_lazy(addrs: &ServiceAddrs) -> Result<Self, tonic::transport::Error> {
        const MAX: usize = stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
        let channel = |addr: &str| lazy_channel(addr, addrs.tls.as_ref());
        let (a, s, p, c) = (
            channel(&addrs.advisor)?,
            channel(&addrs.standards)?,
            channel(&addrs.profiling)?,
            channel(&addrs.changes)?,
        );
        use stdnav_proto::advisor::v1::advisor_service_server::SERVICE_NAME as ADVISOR;
        use stdnav_proto::changes::v1::changes_service_server::SERVICE_NAME as CHANGES;
        use stdnav_proto::profiling::v1::profiling_service_server::SERVICE_NAME as PROFILING;
        use stdnav_proto::standards::v1::standards_service_server::SERVICE_NAME as STANDARDS;
        Ok(Self {
            health: vec![
                (a.clone(), ADVISOR),
                (s.clone(), STANDARDS),
                (p.clone(), PROFILING),
                (c.clone(), CHANGES),
            ],
            advisor: AdvisorServiceClient::new(a).max_decoding_message_size(MAX),
            standards: StandardsServiceClient::new(s).max_decoding_message_size(MAX),
            profiling: ProfilingServiceClient::new(p).max_decoding_message_size(MAX),
            changes: ChangesServiceClient::new(c).max_decoding_message_size(MAX),
        })
    }
}

/// One unary call: the caller's request, the answer's message.
macro_rules! unary {
    ($client:expr, $method:ident, $caller:expr, $message:expr) => {{
        let request = $caller.request($message)?;
        $client
            .clone()
            .$method(request)
            .await
            .map(tonic::Response::into_inner)
    }};
}

#[async_trait]
impl Backend for GrpcBackend {
    async fn advise(&self, c: &Caller, r: apb::AdviseRequest) -> Result<apb::Solution, Status> {
        unary!(self.advisor, advise, c, r)
    }
    async fn benchmark_gaps(&self, c: &Caller, r: apb::AdviseRequest) -> Result<apb::Gaps, Status> {
        unary!(self.advisor, benchmark_gaps, c, r)
    }
    async fn search(
        &self,
        c: &Caller,
        r: stpb::SearchRequest,
    ) -> Result<stpb::SearchResponse, Status> {
        unary!(self.standards, search, c, r)
    }
    async fn get_standard(&self, c: &Caller, id: String) -> Result<stpb::Standard, Status> {
        unary!(
            self.standards,
            get_standard,
            c,
            stpb::GetStandardRequest { id }
        )
    }
    async fn lineage(
        &self,
        c: &Caller,
        r: stpb::LineageRequest,
    ) -> Result<stpb::LineageResponse, Status> {
        unary!(self.standards, lineage, c, r)
    }
    async fn statistics(
        &self,
        c: &Caller,
        r: stpb::StatisticsRequest,
    ) -> Result<stpb::StatisticsResponse, Status> {
        unary!(self.standards, statistics, c, r)
    }
    async fn get_enterprise(
        &self,
        c: &Caller,
        uscc: String,
    ) -> Result<ppb::EnterpriseRecord, Status> {
        unary!(
            self.profiling,
            get_enterprise,
            c,
            ppb::GetEnterpriseRequest { uscc }
        )
    }
    async fn list_enterprises(
        &self,
        c: &Caller,
        r: ppb::ListEnterprisesRequest,
    ) -> Result<ppb::ListEnterprisesResponse, Status> {
        unary!(self.profiling, list_enterprises, c, r)
    }
    async fn upsert_enterprise(
        &self,
        c: &Caller,
        r: ppb::UpsertEnterpriseRequest,
    ) -> Result<ppb::EnterpriseRecord, Status> {
        unary!(self.profiling, upsert_enterprise, c, r)
    }
    async fn peer_group(
        &self,
        c: &Caller,
        r: ppb::PeerGroupRequest,
    ) -> Result<ppb::PeerGroupResponse, Status> {
        unary!(self.profiling, peer_group, c, r)
    }
    async fn list_changes(
        &self,
        c: &Caller,
        r: cpb::ListChangesRequest,
    ) -> Result<cpb::ListChangesResponse, Status> {
        unary!(self.changes, list_changes, c, r)
    }
    async fn check_citations(
        &self,
        c: &Caller,
        documents: DocumentStream,
    ) -> Result<stpb::CheckCitationsResponse, Status> {
        // A client stream: the request carries the caller like a unary one.
        unary!(self.standards, check_citations, c, documents)
    }
    async fn ready(&self) -> bool {
        use tonic_health::pb::HealthCheckRequest;
        use tonic_health::pb::health_check_response::ServingStatus;
        use tonic_health::pb::health_client::HealthClient;
        let checks = self.health.iter().map(|(channel, name)| async move {
            let mut request = tonic::Request::new(HealthCheckRequest {
                service: name.to_string(),
            });
            request.set_timeout(Duration::from_secs(2));
            HealthClient::new(channel.clone())
                .check(request)
                .await
                .is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32)
        });
        futures::future::join_all(checks)
            .await
            .into_iter()
            .all(|ok| ok)
    }
}
