//! The JSON API under `/v1/`: each handler reads its parameters, calls the
//! [`Backend`], converts the answer to its JSON form ([`crate::model`]).
//! The OpenAPI document is generated from these handlers and types.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::changes::v1 as cpb;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::standards::v1 as stpb;

use crate::backend::{Backend, Caller};
use crate::check::{CheckParams, CheckUpload};
use crate::error::{ApiError, ErrorBody};
use crate::index::{self, CityIndex};
use crate::model::*;

/// Largest request body accepted (a profile with every list at its limit
/// is far smaller).
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub backend: Arc<dyn Backend>,
    /// Browser sessions (login with a key).
    pub sessions: Arc<crate::session::Sessions>,
    /// The map's and the index's snapshots, per caller.
    pub figures: Arc<crate::figures::Figures>,
}

impl AppState {
    pub fn new(backend: Arc<dyn Backend>, figures: crate::figures::Figures) -> Self {
        Self {
            backend,
            sessions: Arc::default(),
            figures: Arc::new(figures),
        }
    }
}

/// A JSON body; a malformed or oversized one is INVALID_ARGUMENT on `body`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large(BODY_LIMIT))
            }
            Err(r) => Err(ApiError::invalid("body", r.body_text())),
        }
    }
}

/// Query parameters; bad ones are INVALID_ARGUMENT on `query`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|r| ApiError::invalid("query", r.body_text()))
    }
}

/// The caller of a request (its key or tenant header).
pub struct Who(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Who {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(Caller::from_headers(&parts.headers)))
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A stored enterprise (`uscc`) or an inline profile (`profile`), exactly one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdviseBody {
    pub uscc: Option<String>,
    pub profile: Option<Enterprise>,
    /// Recommendations in `should`, 1..=200; absent: 20.
    pub top: Option<u32>,
}

impl AdviseBody {
    pub fn to_pb(self) -> Result<apb::AdviseRequest, ApiError> {
        use apb::advise_request::Subject;
        let subject = match (self.uscc, self.profile) {
            (Some(uscc), None) => Subject::Uscc(uscc),
            (None, Some(p)) => Subject::Profile(p.into()),
            _ => {
                return Err(ApiError::invalid(
                    "subject",
                    "give exactly one of `uscc` and `profile`",
                ));
            }
        };
        Ok(apb::AdviseRequest {
            subject: Some(subject),
            top: self.top.unwrap_or(0),
        })
    }
}

#[utoipa::path(post, path = "/v1/advise", tag = "advisor",
    request_body = AdviseBody,
    responses((status = 200, body = Solution), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// The solution for one enterprise: must, should, upgrades, gaps, roadmap, maturity.
pub async fn advise(
    State(s): State<AppState>,
    Who(c): Who,
    JsonBody(body): JsonBody<AdviseBody>,
) -> ApiResult<Solution> {
    let solution = s.backend.advise(&c, body.to_pb()?).await?;
    Ok(Json(solution.into()))
}

#[utoipa::path(post, path = "/v1/benchmark-gaps", tag = "advisor",
    request_body = AdviseBody,
    responses((status = 200, body = Gaps), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// The benchmarking gaps (对标达标) of one enterprise.
pub async fn benchmark_gaps(
    State(s): State<AppState>,
    Who(c): Who,
    JsonBody(body): JsonBody<AdviseBody>,
) -> ApiResult<Gaps> {
    let gaps = s.backend.benchmark_gaps(&c, body.to_pb()?).await?;
    Ok(Json(gaps.into()))
}

/// Catalogue filters; lists are comma-separated names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchParams {
    /// Words in Chinese or English, or a standard code.
    pub q: String,
    /// e.g. `national,international`.
    pub level: String,
    /// e.g. `mandatory`.
    pub nature: String,
    /// e.g. `current`.
    pub status: String,
    /// ICS prefixes, e.g. `97.040`.
    pub ics: String,
    /// Families, e.g. `GB,GB/T`.
    pub family: String,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    /// 1-based.
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|v| !v.is_empty())
}

/// Names of a protobuf enum (`national` → LEVEL_NATIONAL) as numbers; an
/// unknown name is a violation of `field`.
fn enum_values(
    field: &str,
    names: &str,
    prefix: &str,
    parse: fn(&str) -> Option<i32>,
    bad: &mut Vec<(String, String)>,
) -> Vec<i32> {
    list(names)
        .filter_map(|n| {
            let v = parse(&format!("{prefix}{}", n.to_ascii_uppercase()));
            if v.is_none() {
                bad.push((field.to_string(), format!("unknown value {n:?}")));
            }
            v
        })
        .collect()
}

impl SearchParams {
    pub fn filters(&self) -> Result<stpb::Filters, ApiError> {
        let mut bad = Vec::new();
        let filters = stpb::Filters {
            levels: enum_values(
                "level",
                &self.level,
                "LEVEL_",
                |n| stpb::Level::from_str_name(n).map(|v| v as i32),
                &mut bad,
            ),
            natures: enum_values(
                "nature",
                &self.nature,
                "NATURE_",
                |n| stpb::Nature::from_str_name(n).map(|v| v as i32),
                &mut bad,
            ),
            statuses: enum_values(
                "status",
                &self.status,
                "STATUS_",
                |n| stpb::Status::from_str_name(n).map(|v| v as i32),
                &mut bad,
            ),
            ics_prefixes: list(&self.ics).map(str::to_string).collect(),
            families: list(&self.family).map(str::to_string).collect(),
            published_from_year: self.from_year,
            published_to_year: self.to_year,
        };
        if bad.is_empty() {
            Ok(filters)
        } else {
            Err(ApiError::invalid_fields(bad))
        }
    }

    pub fn to_pb(&self) -> Result<stpb::SearchRequest, ApiError> {
        Ok(stpb::SearchRequest {
            query: self.q.clone(),
            filters: Some(self.filters()?),
            page: self.page.unwrap_or(0),
            page_size: self.page_size.unwrap_or(0),
            facets: FACETS.iter().map(|f| *f as i32).collect(),
        })
    }
}

/// The facets every search returns.
pub const FACETS: [stpb::FacetField; 7] = [
    stpb::FacetField::Level,
    stpb::FacetField::Nature,
    stpb::FacetField::Status,
    stpb::FacetField::IcsField,
    stpb::FacetField::Category,
    stpb::FacetField::PublishedYear,
    stpb::FacetField::Family,
];

#[utoipa::path(get, path = "/v1/search", tag = "standards", params(SearchParams),
    responses((status = 200, body = SearchResult), (status = 400, body = ErrorBody)))]
/// Search the catalogue (要素筛查): hits with highlighted titles, facets with counts.
pub async fn search(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<SearchParams>,
) -> ApiResult<SearchResult> {
    let r = s.backend.search(&c, p.to_pb()?).await?;
    Ok(Json(r.into()))
}

/// How to group statistics (the filters are [`SearchParams`], read from
/// the same query string).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupBy {
    pub group_by: String,
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/statistics", tag = "standards",
    params(("group_by" = String, Query, description = "family, level, nature, status, ics_field, published_year, committee, category or adoption"),
           ("q" = Option<String>, Query, description = "words or a code"),
           ("limit" = Option<u32>, Query, description = "most frequent buckets")),
    responses((status = 200, body = Statistics), (status = 400, body = ErrorBody)))]
/// Counts by any facet and by year (按需统计).
pub async fn statistics(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<GroupBy>,
    QueryParams(filter): QueryParams<SearchParams>,
) -> ApiResult<Statistics> {
    let group_by = stpb::FacetField::from_str_name(&format!(
        "FACET_FIELD_{}",
        p.group_by.trim().to_ascii_uppercase()
    ))
    .filter(|f| *f != stpb::FacetField::Unspecified)
    .ok_or_else(|| ApiError::invalid("group_by", format!("unknown facet {:?}", p.group_by)))?;
    let r = s
        .backend
        .statistics(
            &c,
            stpb::StatisticsRequest {
                query: filter.q.clone(),
                filters: Some(filter.filters()?),
                group_by: group_by as i32,
                limit: p.limit.unwrap_or(0),
            },
        )
        .await?;
    Ok(Json(r.into()))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdParams {
    /// A standard code in any spelling; without a year, the current edition.
    pub id: String,
    /// Lineage only: edges followed from the root, 1..=10 (absent: 5).
    pub depth: Option<u32>,
}

#[utoipa::path(get, path = "/v1/standard", tag = "standards", params(IdParams),
    responses((status = 200, body = Standard), (status = 404, body = ErrorBody)))]
/// One standard by code (any spelling).
pub async fn standard(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<IdParams>,
) -> ApiResult<Standard> {
    Ok(Json(s.backend.get_standard(&c, p.id).await?.into()))
}

#[utoipa::path(get, path = "/v1/lineage", tag = "standards", params(IdParams),
    responses((status = 200, body = Lineage), (status = 404, body = ErrorBody)))]
/// Editions, adoptions and normative references around a standard (文件溯源).
pub async fn lineage(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<IdParams>,
) -> ApiResult<Lineage> {
    let r = s
        .backend
        .lineage(
            &c,
            stpb::LineageRequest {
                id: p.id,
                depth: p.depth.unwrap_or(0),
            },
        )
        .await?;
    Ok(Json(r.into()))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListParams {
    /// Chain id or name.
    pub chain: String,
    /// GB/T 2260 prefix, e.g. `3702`.
    pub region_prefix: String,
    /// GB/T 4754 prefix, e.g. `385`.
    pub industry_prefix: String,
    /// 1..=1000; absent: 100.
    pub page_size: Option<u32>,
    pub page_token: String,
}

#[utoipa::path(get, path = "/v1/enterprises", tag = "enterprises", params(ListParams),
    responses((status = 200, body = EnterprisePage), (status = 400, body = ErrorBody)))]
/// The caller's tenant's enterprises, filtered and paged.
pub async fn list_enterprises(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<ListParams>,
) -> ApiResult<EnterprisePage> {
    let r = s
        .backend
        .list_enterprises(
            &c,
            ppb::ListEnterprisesRequest {
                chain: p.chain,
                region_prefix: p.region_prefix,
                industry_prefix: p.industry_prefix,
                page_size: p.page_size.unwrap_or(0),
                page_token: p.page_token,
            },
        )
        .await?;
    Ok(Json(r.into()))
}

#[utoipa::path(get, path = "/v1/enterprises/{uscc}", tag = "enterprises",
    params(("uscc" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = EnterpriseRecord), (status = 404, body = ErrorBody)))]
/// One stored enterprise of the caller's tenant.
pub async fn get_enterprise(
    State(s): State<AppState>,
    Who(c): Who,
    Path(uscc): Path<String>,
) -> ApiResult<EnterpriseRecord> {
    Ok(Json(s.backend.get_enterprise(&c, uscc).await?.into()))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertBody {
    pub enterprise: Enterprise,
    /// Write only if the stored version equals it (0: must not exist yet).
    pub expected_version: Option<u64>,
}

#[utoipa::path(post, path = "/v1/enterprises", tag = "enterprises", request_body = UpsertBody,
    responses((status = 200, body = EnterpriseRecord), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
/// Validate, enrich and store an enterprise (needs the `write` scope).
pub async fn upsert_enterprise(
    State(s): State<AppState>,
    Who(c): Who,
    JsonBody(body): JsonBody<UpsertBody>,
) -> ApiResult<EnterpriseRecord> {
    let r = s
        .backend
        .upsert_enterprise(
            &c,
            ppb::UpsertEnterpriseRequest {
                enterprise: Some(body.enterprise.into()),
                expected_version: body.expected_version,
            },
        )
        .await?;
    // The map of this caller shows the write on its next request.
    s.figures.forget(&c);
    Ok(Json(r.into()))
}

#[utoipa::path(get, path = "/v1/enterprises/{uscc}/peers", tag = "enterprises",
    params(("uscc" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = PeerGroup), (status = 404, body = ErrorBody)))]
/// The enterprise's peer group and the share of peers holding each standard.
pub async fn peers(
    State(s): State<AppState>,
    Who(c): Who,
    Path(uscc): Path<String>,
) -> ApiResult<PeerGroup> {
    let r = s
        .backend
        .peer_group(
            &c,
            ppb::PeerGroupRequest {
                subject: Some(ppb::peer_group_request::Subject::Uscc(uscc)),
            },
        )
        .await?;
    Ok(Json(r.into()))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ChangesParams {
    /// YYYY-MM-DD or an RFC 3339 instant.
    pub since: String,
    /// 1..=500; absent: 100.
    pub page_size: Option<u32>,
    pub page_token: String,
}

#[utoipa::path(get, path = "/v1/changes", tag = "changes", params(ChangesParams),
    responses((status = 200, body = ChangesPage), (status = 400, body = ErrorBody)))]
/// The tenant's change feed: events, the enterprises they affect and why.
pub async fn changes(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<ChangesParams>,
) -> ApiResult<ChangesPage> {
    let r = s
        .backend
        .list_changes(
            &c,
            cpb::ListChangesRequest {
                since: p.since,
                page_size: p.page_size.unwrap_or(0),
                page_token: p.page_token,
                max_impacts: None,
            },
        )
        .await?;
    Ok(Json(r.into()))
}

/// The development index of every prefecture city (docs/INDEX.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MapIndex {
    /// Enterprises counted in the province (on the batch basis: those with a chain result).
    pub enterprises: u32,
    /// What the figures come from: `batch_results` or `stored_records`.
    pub basis: index::Basis,
    /// The newest chain run's date (`YYYY-MM-DD`), or when the records were read.
    pub data_date: String,
    /// The chains whose batch results were read (batch basis only).
    pub chains_read: Vec<String>,
    /// The slice drawn: a GB/T 4754 division, empty for all.
    pub industry: String,
    /// The slice drawn: a chain, empty for all.
    pub chain: String,
    /// Parts and weights of the composite.
    pub weights: Vec<Weight>,
    pub cities: Vec<CityIndex>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Weight {
    pub part: String,
    pub weight: f64,
}

/// Most records read for the map (pages of 1,000).
const MAP_MAX_PAGES: usize = 50;

/// Every stored enterprise of the caller's tenant in Shandong (GB/T 2260 `37`).
pub async fn province_records(
    backend: &dyn Backend,
    c: &Caller,
) -> Result<Vec<EnterpriseRecord>, ApiError> {
    let mut out = Vec::new();
    let mut token = String::new();
    for _ in 0..MAP_MAX_PAGES {
        let page = backend
            .list_enterprises(
                c,
                ppb::ListEnterprisesRequest {
                    region_prefix: "37".into(),
                    page_size: 1000,
                    page_token: token,
                    ..Default::default()
                },
            )
            .await?;
        out.extend(page.enterprises.into_iter().map(EnterpriseRecord::from));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    Ok(out)
}

/// The index of `slice` from a snapshot.
pub fn map_index_of<'a>(
    snapshot: &'a crate::figures::Snapshot,
    slice: &index::Slice,
) -> (MapIndex, Vec<&'a EnterpriseRecord>) {
    let records = snapshot.sliced(slice);
    let batch = snapshot.batch.as_ref();
    let basis = index::basis(&records, batch);
    let cities = index::compute(&records, batch);
    let index = MapIndex {
        enterprises: cities.iter().map(|c| c.enterprises).sum(),
        basis,
        data_date: snapshot.data_date(basis),
        chains_read: match (basis, batch) {
            (index::Basis::BatchResults, Some(b)) => b.chains.clone(),
            _ => Vec::new(),
        },
        industry: slice.industry.clone().unwrap_or_default(),
        chain: slice.chain.clone().unwrap_or_default(),
        weights: basis
            .parts()
            .iter()
            .map(|(part, weight)| Weight {
                part: part.to_string(),
                weight: *weight,
            })
            .collect(),
        cities,
    };
    (index, records)
}

/// The caller's index of `slice` (its snapshot kept or read now).
pub async fn map_index(
    s: &AppState,
    c: &Caller,
    slice: &index::Slice,
) -> Result<MapIndex, ApiError> {
    let snapshot = s.figures.snapshot(&*s.backend, c).await?;
    Ok(map_index_of(&snapshot, slice).0)
}

/// A slice of the province: one GB/T 4754 division or one industry chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct IndexParams {
    /// A GB/T 4754 division, two digits (`38`; a class such as `C3851` is cut to it).
    pub industry: String,
    /// A chain id (`appliances`) or name (`家电产业链`), at most 128 bytes.
    pub chain: String,
}

impl IndexParams {
    pub fn slice(&self) -> Result<index::Slice, ApiError> {
        index::Slice::parse(&self.industry, &self.chain)
            .map_err(|(field, why)| ApiError::invalid(&field, why))
    }
}

#[utoipa::path(get, path = "/v1/index", tag = "index", params(IndexParams),
    responses((status = 200, body = MapIndex), (status = 400, body = ErrorBody)))]
/// The standardization development index by prefecture city, from the tenant's chain batch
/// results (or its stored enterprises when it has none), for the province or one slice.
pub async fn index_json(
    State(s): State<AppState>,
    Who(c): Who,
    QueryParams(p): QueryParams<IndexParams>,
) -> ApiResult<MapIndex> {
    Ok(Json(map_index(&s, &c, &p.slice()?).await?))
}

#[utoipa::path(post, path = "/v1/check", tag = "standards", params(CheckParams),
    request_body(description = "The documents: `multipart/form-data` (`file`, repeatable; `text`, a pasted list; `lang`), or one document as the raw body, named by `name`. 60 MiB of documents in all.",
        content((CheckUpload = "multipart/form-data"), ("application/octet-stream"))),
    responses((status = 200, body = CheckReport), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
/// Document check (标准有效性核查): every standard the documents cite, whether it
/// is still in force, what replaced it, and what to update first.
pub async fn check(
    State(s): State<AppState>,
    Who(c): Who,
    request: Request,
) -> ApiResult<CheckReport> {
    let (answer, lang) = crate::check::run(&*s.backend, &c, request).await?;
    Ok(Json(CheckReport::from_pb(answer, lang)))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "stdnav HTTP API", description = "The JSON face of stdnav (标准领航): the same services, keys, tenants and error reasons as its gRPC API (docs/API.md)."),
    paths(advise, benchmark_gaps, search, statistics, standard, lineage, list_enterprises,
          get_enterprise, upsert_enterprise, peers, changes, index_json, check),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer snk_…` when the server runs with --keys",
                    ))
                    .build(),
            ),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "api_key",
            Vec::<String>::new(),
        )]);
    }
}

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_json()
        .unwrap_or_else(|_| "{}".to_string())
}

/// The `/v1/` routes.
pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/v1/advise", post(advise))
        .route("/v1/benchmark-gaps", post(benchmark_gaps))
        .route("/v1/search", get(search))
        .route("/v1/statistics", get(statistics))
        .route("/v1/standard", get(standard))
        .route("/v1/lineage", get(lineage))
        .route(
            "/v1/enterprises",
            get(list_enterprises).post(upsert_enterprise),
        )
        .route("/v1/enterprises/{uscc}", get(get_enterprise))
        .route("/v1/enterprises/{uscc}/peers", get(peers))
        .route("/v1/changes", get(changes))
        .route("/v1/index", get(index_json))
        .route(
            "/v1/check",
            post(check).layer(axum::extract::DefaultBodyLimit::max(
                crate::check::BODY_LIMIT,
            )),
        )
}
