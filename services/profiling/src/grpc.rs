//! gRPC adapter of the profiling service.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_core::enterprise::FieldError;
use stdnav_proto::convert::industry_level_to_pb;
use stdnav_proto::profiling::v1 as pb;
use stdnav_proto::profiling::v1::profiling_service_server::{
    ProfilingService, ProfilingServiceServer,
};
use stdnav_runtime::auth::key_id_of;
use stdnav_runtime::limits::{self, Checker, FieldLimit};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::status::{self, Violation};
use stdnav_runtime::tenant::tenant_of;

use crate::domain::{PeerModelSummary, Profiling, ProfilingError, Subject};
use crate::store::ListFilter;
use stdnav_proto::convert::profile::{profile_from_pb, record_from_pb, record_to_pb};

pub const SERVICE_NAME: &str = "stdnav.profiling.v1.ProfilingService";

/// Longest USCC a request may give (the code has 18 characters; spaces
/// around it are trimmed).
pub const MAX_USCC_CHARS: usize = 64;

/// Limits on every request field of the service (docs/API.md, "Limits",
/// is tested against this table). `Enterprise` rows hold wherever an
/// enterprise is given (UpsertEnterprise, EnrichEnterprise, PeerGroup, and
/// Advise's inline profile) and are enforced by the profile's validation
/// ([`stdnav_core::enterprise::validate`]); the others by the handlers.
pub const LIMITS: &[FieldLimit] = &{
    use stdnav_core::enterprise::limits::*;
    [
        limits::chars("Enterprise", "name", NAME_CHARS),
        limits::items("Enterprise", "industries", INDUSTRIES),
        limits::chars("Enterprise", "industries", INDUSTRY_CHARS),
        limits::items("Enterprise", "products", PRODUCTS),
        limits::chars("Enterprise", "products", PRODUCT_CHARS),
        limits::items("Enterprise", "hs_codes", HS_CODES),
        limits::chars("Enterprise", "hs_codes", HS_CODE_CHARS),
        limits::items("Enterprise", "markets", MARKETS),
        limits::items("Enterprise", "chains", CHAINS),
        limits::chars("Enterprise", "chains.chain", TEXT_CHARS),
        limits::items("Enterprise", "standards_held", STANDARDS_HELD),
        limits::chars("Enterprise", "standards_held", STANDARD_CHARS),
        limits::items("Enterprise", "certifications", CERTIFICATIONS),
        limits::chars("Enterprise", "certifications", TEXT_CHARS),
        limits::items("Enterprise", "indicators", INDICATORS),
        limits::chars("Enterprise", "indicators.name", TEXT_CHARS),
        limits::chars("Enterprise", "indicators.unit", TEXT_CHARS),
        limits::chars("Enterprise", "indicators.product", TEXT_CHARS),
        limits::items("Enterprise", "flags", FLAGS),
        limits::chars("Enterprise", "flags", TEXT_CHARS),
        limits::max("Enterprise", "dcmm_level", 5),
        limits::chars("GetEnterprise", "uscc", MAX_USCC_CHARS),
        limits::chars("DeleteEnterprise", "uscc", MAX_USCC_CHARS),
        limits::chars("PeerGroup", "uscc", MAX_USCC_CHARS),
        limits::chars("ListEnterprises", "chain", TEXT_CHARS),
        limits::chars("ListEnterprises", "region_prefix", 6),
        limits::chars("ListEnterprises", "industry_prefix", 8),
        limits::max(
            "ListEnterprises",
            "page_size",
            crate::domain::MAX_PAGE_SIZE as u64,
        ),
        limits::chars("ListEnterprises", "page_token", 200),
    ]
};

/// Field errors as INVALID_ARGUMENT, each field under `prefix`.
pub fn invalid(errors: &[FieldError], prefix: &str) -> Status {
    status::invalid_argument(
        &errors
            .iter()
            .map(|e| {
                let field = if e.field.starts_with(prefix) {
                    e.field.clone()
                } else {
                    format!("{prefix}{}", e.field)
                };
                Violation::new(field, e.reason.clone())
            })
            .collect::<Vec<_>>(),
    )
}

/// A domain error as this service answers it (bad fields under `prefix`);
/// in-process callers map the domain's errors through here too.
pub fn to_status(e: ProfilingError, prefix: &str) -> Status {
    match e {
        ProfilingError::Invalid(errors) => invalid(&errors, prefix),
        ProfilingError::NotFound(uscc) => status::with_reason(
            tonic::Code::NotFound,
            "ENTERPRISE_NOT_FOUND",
            format!("no enterprise {} for this tenant", status::quote(&uscc)),
        ),
        ProfilingError::Conflict { expected, actual } => status::with_reason(
            tonic::Code::Aborted,
            "VERSION_CONFLICT",
            format!(
                "expected version {expected}, stored version is {actual}: read it again and retry"
            ),
        ),
        ProfilingError::Unavailable(m) => {
            tracing::warn!(error = %m, "store unavailable");
            status::with_reason(
                tonic::Code::Unavailable,
                "STORE_UNAVAILABLE",
                "the profile store is unavailable; retry later",
            )
        }
        ProfilingError::Internal(m) => status::internal(&m),
    }
}

#[derive(Clone)]
pub struct ProfilingGrpc {
    domain: Arc<Profiling>,
}

impl ProfilingGrpc {
    pub fn new(domain: Arc<Profiling>) -> Self {
        Self { domain }
    }

    pub fn into_server(self) -> ProfilingServiceServer<Self> {
        ProfilingServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

fn require(e: Option<pb::Enterprise>, field: &str) -> Result<pb::Enterprise, Status> {
    e.ok_or_else(|| status::invalid_argument(&[Violation::new(field, "is required")]))
}

#[tonic::async_trait]
impl ProfilingService for ProfilingGrpc {
    #[instrument(skip(self, request))]
    async fn upsert_enterprise(
        &self,
        request: Request<pb::UpsertEnterpriseRequest>,
    ) -> Result<Response<pb::EnterpriseRecord>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let key = key_id_of(request.metadata());
        let r = request.into_inner();
        let profile = profile_from_pb(require(r.enterprise, "enterprise")?, "enterprise.")
            .map_err(|e| invalid(&e, "enterprise."))?;
        let result = self
            .domain
            .upsert(&tenant, &profile, r.expected_version)
            .await;
        audit(&key, &tenant, "UpsertEnterprise", &profile.uscc, &result);
        let record = result.map_err(|e| to_status(e, "enterprise."))?;
        Ok(Response::new(record_to_pb(&record)))
    }

    #[instrument(skip(self, request))]
    async fn enrich_enterprise(
        &self,
        request: Request<pb::EnrichEnterpriseRequest>,
    ) -> Result<Response<pb::EnterpriseRecord>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let r = request.into_inner();
        let profile = profile_from_pb(require(r.enterprise, "enterprise")?, "enterprise.")
            .map_err(|e| invalid(&e, "enterprise."))?;
        let record = self
            .domain
            .enrich(&tenant, &profile)
            .map_err(|e| to_status(e, "enterprise."))?;
        Ok(Response::new(record_to_pb(&record)))
    }

    #[instrument(skip(self, request))]
    async fn get_enterprise(
        &self,
        request: Request<pb::GetEnterpriseRequest>,
    ) -> Result<Response<pb::EnterpriseRecord>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let key = key_id_of(request.metadata());
        let r = request.into_inner();
        Checker::new(LIMITS, "GetEnterprise")
            .text("uscc", &r.uscc)
            .finish()?;
        let result = self.domain.get(&tenant, &r.uscc).await;
        audit(&key, &tenant, "GetEnterprise", &r.uscc, &result);
        let record = result.map_err(|e| to_status(e, ""))?;
        Ok(Response::new(record_to_pb(&record)))
    }

    #[instrument(skip(self, request))]
    async fn list_enterprises(
        &self,
        request: Request<pb::ListEnterprisesRequest>,
    ) -> Result<Response<pb::ListEnterprisesResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let key = key_id_of(request.metadata());
        let r = request.into_inner();
        Checker::new(LIMITS, "ListEnterprises")
            .text("chain", &r.chain)
            .text("region_prefix", &r.region_prefix)
            .text("industry_prefix", &r.industry_prefix)
            .number("page_size", r.page_size.into())
            .text("page_token", &r.page_token)
            .finish()?;
        let filter = ListFilter {
            chain: r.chain,
            region_prefix: r.region_prefix,
            industry_prefix: r.industry_prefix,
        };
        let result = self
            .domain
            .list(&tenant, &filter, r.page_size as usize, &r.page_token)
            .await;
        audit(&key, &tenant, "ListEnterprises", "*", &result);
        let page = result.map_err(|e| to_status(e, ""))?;
        Ok(Response::new(pb::ListEnterprisesResponse {
            enterprises: page.records.iter().map(record_to_pb).collect(),
            next_page_token: page.next.unwrap_or_default(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn delete_enterprise(
        &self,
        request: Request<pb::DeleteEnterpriseRequest>,
    ) -> Result<Response<pb::DeleteEnterpriseResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let key = key_id_of(request.metadata());
        let r = request.into_inner();
        Checker::new(LIMITS, "DeleteEnterprise")
            .text("uscc", &r.uscc)
            .finish()?;
        let result = self
            .domain
            .delete(&tenant, &r.uscc, r.expected_version)
            .await;
        audit(&key, &tenant, "DeleteEnterprise", &r.uscc, &result);
        let deleted = result.map_err(|e| to_status(e, ""))?;
        Ok(Response::new(pb::DeleteEnterpriseResponse { deleted }))
    }

    #[instrument(skip(self, request))]
    async fn peer_group(
        &self,
        request: Request<pb::PeerGroupRequest>,
    ) -> Result<Response<pb::PeerGroupResponse>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let subject = match request.into_inner().subject {
            Some(pb::peer_group_request::Subject::Uscc(u)) => {
                Checker::new(LIMITS, "PeerGroup")
                    .text("uscc", &u)
                    .finish()?;
                Subject::Stored(u)
            }
            Some(pb::peer_group_request::Subject::Enterprise(e)) => Subject::Inline(Box::new(
                profile_from_pb(e, "enterprise.").map_err(|e| invalid(&e, "enterprise."))?,
            )),
            Some(pb::peer_group_request::Subject::Record(r)) => Subject::Record(Box::new(
                record_from_pb(r, "record.").map_err(|e| invalid(&e, "record."))?,
            )),
            None => {
                return Err(status::invalid_argument(&[Violation::new(
                    "subject",
                    "give a uscc, an enterprise or a record",
                )]));
            }
        };
        let group = self
            .domain
            .peer_group(&tenant, subject)
            .await
            .map_err(|e| to_status(e, "enterprise."))?;
        Ok(Response::new(pb::PeerGroupResponse {
            group_id: group.group_id,
            method: group.method,
            size: group.size,
            shares: group
                .shares
                .into_iter()
                .map(|(id, share)| pb::StandardShare { id, share })
                .collect(),
            coverage_percentile: group.coverage_percentile,
            model: group.model.as_ref().map(model_info),
            basis: group.basis.map(|b| pb::PeerBasis {
                level: industry_level_to_pb(b.level) as i32,
                code: b.code,
                narrowed: b.narrowed,
            }),
        }))
    }

    #[instrument(skip(self, request))]
    async fn train_peer_model(
        &self,
        request: Request<pb::TrainPeerModelRequest>,
    ) -> Result<Response<pb::PeerModelInfo>, Status> {
        let tenant = tenant_of(request.metadata())?;
        let model = self
            .domain
            .train_peers(&tenant)
            .await
            .map_err(|e| to_status(e, ""))?;
        Ok(Response::new(model_info(&PeerModelSummary::of(&model))))
    }
}

fn model_info(m: &PeerModelSummary) -> pb::PeerModelInfo {
    pb::PeerModelInfo {
        population_hash: m.population_hash.clone(),
        population: m.population as u32,
        k: m.k as u32,
        inertia: m.inertia,
        trained_at: Some(prost_types::Timestamp {
            seconds: (m.trained_at_ms / 1000) as i64,
            nanos: ((m.trained_at_ms % 1000) * 1_000_000) as i32,
        }),
    }
}

/// One audit line per read or write of enterprise data: who (key id, or
/// `-` without keys), for which tenant, which enterprise, which RPC, and the
/// outcome; the log line carries the time. Target `audit`, so it can be
/// routed apart (`STDNAV_LOG=audit=info`).
fn audit<T>(key: &str, tenant: &str, rpc: &str, uscc: &str, result: &Result<T, ProfilingError>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(ProfilingError::NotFound(_)) => "not_found",
        Err(ProfilingError::Invalid(_)) => "invalid",
        Err(ProfilingError::Conflict { .. }) => "conflict",
        Err(_) => "error",
    };
    tracing::info!(target: "audit", key, tenant, rpc, uscc, outcome, "enterprise data");
}
