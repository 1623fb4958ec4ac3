//! gRPC adapter: converts requests, runs the domain on the blocking pool
//! (Tantivy and catalogue work are CPU-bound), converts results and errors.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_core::catalogue::Format;
use stdnav_proto::convert::{
    candidate_to_pb, citation_status_to_pb, comparator_to_pb, degree_to_pb, doc_format_from_pb,
    doc_format_to_pb, level_from_pb, level_to_pb, nature_from_pb, nature_to_pb, provenance_to_pb,
    status_from_pb, status_to_pb,
};
use stdnav_proto::standards::v1 as pb;
use stdnav_proto::standards::v1::standards_service_server::{
    StandardsService, StandardsServiceServer,
};
use stdnav_runtime::limits::{self, Checker, FieldLimit};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::status::{Violation, invalid_argument};

use crate::check::{CheckReport, Citation, Document};
use crate::domain::{EdgeKind, StandardRef, Standards};
use crate::error::StandardsError;
use crate::search::{FacetKind, Filters, SearchParams};
use stdnav_core::retrieval::CandidateQuery;

#[derive(Clone)]
pub struct StandardsGrpc {
    domain: Arc<Standards>,
}

impl StandardsGrpc {
    pub fn new(domain: Arc<Standards>) -> Self {
        Self { domain }
    }

    pub fn into_server(self) -> StandardsServiceServer<Self> {
        StandardsServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Standards) -> Result<T, StandardsError> + Send + 'static,
    ) -> Result<T, Status> {
        let domain = self.domain.clone();
        tokio::task::spawn_blocking(move || f(&domain))
            .await
            .map_err(|e| stdnav_runtime::status::internal(&e))?
            .map_err(Status::from)
    }
}

pub const SERVICE_NAME: &str = "stdnav.standards.v1.StandardsService";

/// Longest code or id a request may give (a code is at most
/// [`stdnav_core::code::MAX_CODE_LEN`] characters; this leaves room for
/// spaces and spellings the normalizer reads).
pub const MAX_ID_CHARS: usize = 200;

/// Limits on every request field of the service (docs/API.md, "Limits",
/// is tested against this table; the handlers enforce it).
pub const LIMITS: &[FieldLimit] = &[
    limits::chars("Search", "query", crate::search::MAX_QUERY_CHARS),
    limits::max("Search", "page", crate::search::MAX_PAGE as u64),
    limits::max("Search", "page_size", crate::search::MAX_PAGE_SIZE as u64),
    limits::items("Search", "facets", 20),
    limits::items("Search", "filters.levels", crate::search::MAX_FILTER_VALUES),
    limits::items(
        "Search",
        "filters.natures",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::items(
        "Search",
        "filters.statuses",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::items(
        "Search",
        "filters.ics_prefixes",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::chars("Search", "filters.ics_prefixes", 20),
    limits::items(
        "Search",
        "filters.families",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::chars("Search", "filters.families", 20),
    limits::chars("GetStandard", "id", MAX_ID_CHARS),
    limits::items("Resolve", "codes", crate::domain::MAX_RESOLVE),
    limits::chars("Resolve", "codes", MAX_ID_CHARS),
    limits::chars("Lineage", "id", MAX_ID_CHARS),
    limits::max("Lineage", "depth", crate::domain::MAX_LINEAGE_DEPTH as u64),
    limits::chars("Statistics", "query", crate::search::MAX_QUERY_CHARS),
    limits::max("Statistics", "limit", 1000),
    limits::items(
        "Statistics",
        "filters.levels",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::items(
        "Statistics",
        "filters.natures",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::items(
        "Statistics",
        "filters.statuses",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::items(
        "Statistics",
        "filters.ics_prefixes",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::chars("Statistics", "filters.ics_prefixes", 20),
    limits::items(
        "Statistics",
        "filters.families",
        crate::search::MAX_FILTER_VALUES,
    ),
    limits::chars("Statistics", "filters.families", 20),
    limits::items("Candidates", "products", 200),
    limits::chars("Candidates", "products", 200),
    limits::items("Candidates", "industries", 200),
    limits::chars("Candidates", "industries", 50),
    limits::items("Candidates", "ics_groups", 500),
    limits::chars("Candidates", "ics_groups", 20),
    limits::items("Candidates", "markets", 50),
    limits::chars("Candidates", "markets", 10),
    limits::max("Candidates", "limit", crate::search::MAX_CANDIDATES as u64),
    limits::chars("Ingest", "source", 200),
    limits::chars("CheckCitations", "name", crate::check::MAX_NAME_CHARS),
    limits::max(
        "CheckCitations",
        "content",
        crate::extract::MAX_INPUT_BYTES as u64,
    ),
];

/// The filters of a Search or Statistics request within their limits.
fn check_filters(c: &mut Checker, f: Option<&pb::Filters>) {
    if let Some(f) = f {
        c.count("filters.levels", &f.levels)
            .count("filters.natures", &f.natures)
            .count("filters.statuses", &f.statuses)
            .strings("filters.ics_prefixes", &f.ics_prefixes)
            .strings("filters.families", &f.families);
    }
}

pub fn standard_to_pb(v: StandardRef<'_>) -> pb::Standard {
    let s = v.standard;
    pb::Standard {
        family: s.family.clone(),
        title_fr: s.title_fr.clone(),
        scope: s.scope.clone(),
        ics: s.ics.clone(),
        ccs: s.ccs.clone(),
        committee: s.committee.clone(),
        effective: s.effective.clone().unwrap_or_default(),
        withdrawn: s.withdrawn.clone().unwrap_or_default(),
        replaces: s.replaces.clone(),
        replaced_by: s.replaced_by.clone(),
        amendments: s.amendments.clone(),
        variants: s.variants.clone(),
        source: s.source.clone(),
        title_source: provenance_to_pb(s.title_source) as i32,
        ics_source: provenance_to_pb(s.ics_source) as i32,
        category: s.category.map(|c| c.name().to_string()).unwrap_or_default(),
        partly_replaced_by: s.partly_replaced_by.clone(),
        ..standard_to_pb_basic(v)
    }
}

/// [`pb::StandardView::Basic`]: the fields composing advice reads
/// ([`standard_to_pb`] adds the rest).
pub fn standard_to_pb_basic(v: StandardRef<'_>) -> pb::Standard {
    let s = v.standard;
    pb::Standard {
        id: s.id.clone(),
        level: level_to_pb(s.level) as i32,
        nature: nature_to_pb(s.nature) as i32,
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        status: status_to_pb(s.status) as i32,
        published: s.published.clone().unwrap_or_default(),
        normative_refs: s.normative_refs.clone(),
        adopts: adoptions_to_pb(&s.adopts),
        adopted_by: v.adopted_by.to_vec(),
        indicators: indicators_to_pb(&s.indicators),
        keywords: s.keywords.clone(),
        checksum: s.checksum.clone(),
        illustrative: s.illustrative,
        in_degree: v.in_degree,
        status_source: provenance_to_pb(s.status_source) as i32,
        line: v.line.to_string(),
        ..Default::default()
    }
}

fn adoptions_to_pb(adopts: &[stdnav_core::standard::Adoption]) -> Vec<pb::Adoption> {
    adopts
        .iter()
        .map(|a| pb::Adoption {
            id: a.id.clone(),
            degree: degree_to_pb(a.degree) as i32,
        })
        .collect()
}

fn indicators_to_pb(indicators: &[stdnav_core::standard::Indicator]) -> Vec<pb::Indicator> {
    indicators
        .iter()
        .map(|i| pb::Indicator {
            name: i.name.clone(),
            unit: i.unit.clone(),
            comparator: comparator_to_pb(i.comparator) as i32,
            value: i.value,
            max: i.max,
            product: i.product.clone(),
        })
        .collect()
}

fn facet_from_pb(value: i32, field: &str) -> Result<FacetKind, Violation> {
    match pb::FacetField::try_from(value) {
        Ok(pb::FacetField::Family) => Ok(FacetKind::Family),
        Ok(pb::FacetField::Level) => Ok(FacetKind::Level),
        Ok(pb::FacetField::Nature) => Ok(FacetKind::Nature),
        Ok(pb::FacetField::Status) => Ok(FacetKind::Status),
        Ok(pb::FacetField::IcsField) => Ok(FacetKind::IcsField),
        Ok(pb::FacetField::PublishedYear) => Ok(FacetKind::Year),
        Ok(pb::FacetField::Committee) => Ok(FacetKind::Committee),
        Ok(pb::FacetField::Category) => Ok(FacetKind::Category),
        Ok(pb::FacetField::Adoption) => Ok(FacetKind::Adoption),
        _ => Err(Violation::new(
            field,
            format!("unknown facet field {value}"),
        )),
    }
}

fn facet_to_pb(k: FacetKind) -> pb::FacetField {
    match k {
        FacetKind::Family => pb::FacetField::Family,
        FacetKind::Level => pb::FacetField::Level,
        FacetKind::Nature => pb::FacetField::Nature,
        FacetKind::Status => pb::FacetField::Status,
        FacetKind::IcsField => pb::FacetField::IcsField,
        FacetKind::Year => pb::FacetField::PublishedYear,
        FacetKind::Committee => pb::FacetField::Committee,
        FacetKind::Category => pb::FacetField::Category,
        FacetKind::Adoption => pb::FacetField::Adoption,
    }
}

/// Years a filter may name (four digits): beyond them a year is a
/// caller's mistake, not a filter that matches everything or nothing.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Converts proto filters, naming every unknown enum value and every year
/// out of range.
fn filters_from_pb(f: Option<pb::Filters>) -> Result<Filters, Status> {
    let Some(f) = f else {
        return Ok(Filters::default());
    };
    let mut bad = Vec::new();
    let mut out = Filters {
        ics_prefixes: f.ics_prefixes,
        families: f.families,
        from_year: f.published_from_year,
        to_year: f.published_to_year,
        ..Default::default()
    };
    for (field, year) in [
        ("filters.published_from_year", f.published_from_year),
        ("filters.published_to_year", f.published_to_year),
    ] {
        if let Some(y) = year
            && !YEARS.contains(&y)
        {
            bad.push(Violation::new(
                field,
                format!("a year from {} to {}, not {y}", YEARS.start(), YEARS.end()),
            ));
        }
    }
    for (i, v) in f.levels.iter().enumerate() {
        match level_from_pb(*v) {
            Some(l) => out.levels.push(l),
            None => bad.push(Violation::new(
                format!("filters.levels[{i}]"),
                format!("unknown level {v}"),
            )),
        }
    }
    for (i, v) in f.natures.iter().enumerate() {
        match nature_from_pb(*v) {
            Some(n) => out.natures.push(n),
            None => bad.push(Violation::new(
                format!("filters.natures[{i}]"),
                format!("unknown nature {v}"),
            )),
        }
    }
    for (i, v) in f.statuses.iter().enumerate() {
        match status_from_pb(*v) {
            Some(s) => out.statuses.push(s),
            None => bad.push(Violation::new(
                format!("filters.statuses[{i}]"),
                format!("unknown status {v}"),
            )),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(invalid_argument(&bad))
    }
}

/// Reads a CheckCitations stream into documents, refusing it as soon as it
/// is over a limit (nothing more is read).
async fn receive_documents(
    mut stream: tonic::Streaming<pb::CheckCitationsRequest>,
) -> Result<Vec<Document>, Status> {
    let mut documents: Vec<Document> = Vec::new();
    let mut total = 0usize;
    while let Some(message) = stream.message().await? {
        let mut c = Checker::new(LIMITS, "CheckCitations");
        c.text("name", &message.name);
        c.finish()?;
        if !message.name.is_empty() || documents.is_empty() {
            let Some(format) = doc_format_from_pb(message.format) else {
                return Err(invalid_argument(&[Violation::new(
                    "format",
                    format!("unknown document format {}", message.format),
                )]));
            };
            if documents.len() == crate::check::MAX_DOCUMENTS {
                return Err(invalid_argument(&[Violation::new(
                    "name",
                    format!(
                        "at most {} documents per check",
                        crate::check::MAX_DOCUMENTS
                    ),
                )]));
            }
            let name = if message.name.is_empty() {
                "document".to_string()
            } else {
                message.name.clone()
            };
            documents.push(Document {
                name,
                content: Vec::new(),
                format,
            });
        }
        total += message.content.len();
        if total > crate::extract::MAX_INPUT_BYTES {
            return Err(invalid_argument(&[Violation::new(
                "content",
                format!(
                    "the documents are more than {} bytes (60 MiB) in all; check fewer or smaller documents per call",
                    crate::extract::MAX_INPUT_BYTES
                ),
            )]));
        }
        if let Some(doc) = documents.last_mut() {
            doc.content.extend_from_slice(&message.content);
        }
    }
    Ok(documents)
}

fn citation_to_pb(c: &Citation) -> pb::Citation {
    pb::Citation {
        code: c.code.clone(),
        undated: c.undated,
        edition_number: c.edition_number.map_or(0, u32::from),
        resolved: c.resolved.clone(),
        title_zh: c.title_zh.clone(),
        title_en: c.title_en.clone(),
        status: citation_status_to_pb(c.status) as i32,
        status_inferred: c.status_inferred,
        in_force: c.in_force.clone(),
        path: c.path.clone(),
        partly_replaced_by: c.partly_replaced_by.clone(),
        effective: c.effective.clone(),
        withdrawn: c.withdrawn.clone(),
        mandatory: c.mandatory,
        adopts: c
            .adopts
            .iter()
            .map(|a| pb::CitationAdoption {
                id: a.id.clone(),
                degree: degree_to_pb(a.degree) as i32,
                current: a.current.clone().unwrap_or_default(),
                revised: a.revised,
            })
            .collect(),
        notes: c.notes.clone(),
        occurrences: c.occurrences,
        places: c
            .places
            .iter()
            .map(|p| pb::CitationPlace {
                document: p.location.document.clone(),
                page: p.location.page,
                line: p.location.line,
                cell: p.location.cell.clone(),
                cited_as: p.cited_as.clone(),
                context: p.context.clone(),
            })
            .collect(),
    }
}

pub fn check_report_to_pb(r: &CheckReport) -> pb::CheckCitationsResponse {
    pb::CheckCitationsResponse {
        documents: r
            .documents
            .iter()
            .map(|d| pb::CheckedDocument {
                name: d.name.clone(),
                format: doc_format_to_pb(d.format) as i32,
                encoding: d.encoding.clone(),
                pages: d.pages,
                segments: d.segments,
                citations: d.citations,
            })
            .collect(),
        citations: r.citations.iter().map(citation_to_pb).collect(),
        unknown: r.unknown.iter().map(citation_to_pb).collect(),
        summary: Some(pb::CheckSummary {
            total: r.summary.total,
            by_status: r
                .summary
                .by_status
                .iter()
                .map(|(s, n)| pb::CitationStatusCount {
                    status: citation_status_to_pb(*s) as i32,
                    count: *n,
                })
                .collect(),
            update_first: r.summary.update_first.clone(),
        }),
        warnings: r.warnings.clone(),
        truncated: r.truncated,
    }
}

/// The stream ExportCatalogue answers (named, so callers holding a
/// `dyn StandardsService` can name it).
pub type ExportStream = std::pin::Pin<
    Box<dyn tokio_stream::Stream<Item = Result<pb::ExportCatalogueResponse, Status>> + Send>,
>;

/// Largest part of an ExportCatalogue stream (whole records, so a record
/// longer than this is a part of its own).
const EXPORT_PART_BYTES: usize = 4 << 20;

/// The records file as parts of whole lines, each copied out when sent.
fn export_parts(
    version: String,
    records: Vec<u8>,
) -> impl Iterator<Item = pb::ExportCatalogueResponse> + Send {
    let mut at = 0;
    let mut first = true;
    std::iter::from_fn(move || {
        if at >= records.len() && !first {
            return None;
        }
        first = false;
        let end = (at + EXPORT_PART_BYTES).min(records.len());
        let end = match records[at..end].iter().rposition(|&b| b == b'\n') {
            Some(i) if end < records.len() => at + i + 1,
            _ if end < records.len() => records[end..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(records.len(), |i| end + i + 1),
            _ => end,
        };
        let part = records[at..end].to_vec();
        at = end;
        Some(pb::ExportCatalogueResponse {
            version: version.clone(),
            records_jsonl: part,
        })
    })
}

#[tonic::async_trait]
impl StandardsService for StandardsGrpc {
    type ExportCatalogueStream = ExportStream;

    #[instrument(skip(self, request))]
    async fn export_catalogue(
        &self,
        request: Request<pb::ExportCatalogueRequest>,
    ) -> Result<Response<Self::ExportCatalogueStream>, Status> {
        let unless = request.into_inner().unless_version;
        let export = self.blocking(move |d| d.export(&unless)).await?;
        let parts = export_parts(export.version, export.records.unwrap_or_default());
        Ok(Response::new(Box::pin(tokio_stream::iter(parts.map(Ok)))))
    }

    #[instrument(skip(self, request))]
    async fn check_citations(
        &self,
        request: Request<tonic::Streaming<pb::CheckCitationsRequest>>,
    ) -> Result<Response<pb::CheckCitationsResponse>, Status> {
        let documents = receive_documents(request.into_inner()).await?;
        let report = self
            .blocking(move |d| d.check_citations(&documents))
            .await?;
        Ok(Response::new(check_report_to_pb(&report)))
    }

    #[instrument(skip(self, request))]
    async fn search(
        &self,
        request: Request<pb::SearchRequest>,
    ) -> Result<Response<pb::SearchResponse>, Status> {
        let r = request.into_inner();
        let mut c = Checker::new(LIMITS, "Search");
        c.text("query", &r.query)
            .number("page", r.page.into())
            .number("page_size", r.page_size.into())
            .count("facets", &r.facets);
        check_filters(&mut c, r.filters.as_ref());
        c.finish()?;
        let filters = filters_from_pb(r.filters)?;
        let facets = r
            .facets
            .iter()
            .enumerate()
            .map(|(i, f)| facet_from_pb(*f, &format!("facets[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|v| invalid_argument(&[v]))?;
        let params = SearchParams {
            query: r.query,
            filters,
            page: r.page,
            page_size: r.page_size,
            facets,
        };
        let page = self.blocking(move |d| d.search(&params)).await?;
        Ok(Response::new(pb::SearchResponse {
            hits: page
                .hits
                .iter()
                .map(|h| pb::SearchHit {
                    standard: Some(standard_to_pb(h.standard.as_ref())),
                    score: h.score,
                    highlighted_title: h.highlighted_title.clone(),
                })
                .collect(),
            total: page.total,
            page: page.page,
            page_size: page.page_size,
            facets: page
                .facets
                .into_iter()
                .map(|(k, counts)| pb::Facet {
                    field: facet_to_pb(k) as i32,
                    counts: counts
                        .into_iter()
                        .map(|(value, count)| pb::FacetCount { value, count })
                        .collect(),
                })
                .collect(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn get_standard(
        &self,
        request: Request<pb::GetStandardRequest>,
    ) -> Result<Response<pb::Standard>, Status> {
        let id = request.into_inner().id;
        Checker::new(LIMITS, "GetStandard")
            .text("id", &id)
            .finish()?;
        let view = self.blocking(move |d| d.get(&id)).await?;
        Ok(Response::new(standard_to_pb(view.as_ref())))
    }

    #[instrument(skip(self, request))]
    async fn resolve(
        &self,
        request: Request<pb::ResolveRequest>,
    ) -> Result<Response<pb::ResolveResponse>, Status> {
        let codes = request.into_inner().codes;
        Checker::new(LIMITS, "Resolve")
            .strings("codes", &codes)
            .finish()?;
        let resolutions = self.blocking(move |d| d.resolve(&codes)).await?;
        Ok(Response::new(pb::ResolveResponse {
            resolutions: resolutions
                .iter()
                .map(|r| pb::Resolution {
                    input: r.input.clone(),
                    normalized: r.normalized.clone(),
                    standard: r.standard.as_ref().map(|v| standard_to_pb(v.as_ref())),
                    current: r.current.as_ref().map(|v| standard_to_pb(v.as_ref())),
                    path: r.path.clone(),
                    error: r.error.clone(),
                })
                .collect(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn lineage(
        &self,
        request: Request<pb::LineageRequest>,
    ) -> Result<Response<pb::LineageResponse>, Status> {
        let r = request.into_inner();
        Checker::new(LIMITS, "Lineage")
            .text("id", &r.id)
            .number("depth", r.depth.into())
            .finish()?;
        let lineage = self.blocking(move |d| d.lineage(&r.id, r.depth)).await?;
        Ok(Response::new(pb::LineageResponse {
            root: lineage.root,
            nodes: lineage
                .nodes
                .into_iter()
                .map(|n| pb::LineageNode {
                    id: n.id,
                    title: n.title,
                    status: status_to_pb(n.status) as i32,
                    published: n.published,
                    known: n.known,
                })
                .collect(),
            edges: lineage
                .edges
                .into_iter()
                .map(|e| pb::LineageEdge {
                    from: e.from,
                    to: e.to,
                    kind: match e.kind {
                        EdgeKind::Replaces => pb::EdgeKind::Replaces,
                        EdgeKind::NormativeRef => pb::EdgeKind::NormativeRef,
                        EdgeKind::Adopts => pb::EdgeKind::Adopts,
                    } as i32,
                    degree: degree_to_pb(e.degree) as i32,
                })
                .collect(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn statistics(
        &self,
        request: Request<pb::StatisticsRequest>,
    ) -> Result<Response<pb::StatisticsResponse>, Status> {
        let r = request.into_inner();
        let mut c = Checker::new(LIMITS, "Statistics");
        c.text("query", &r.query).number("limit", r.limit.into());
        check_filters(&mut c, r.filters.as_ref());
        c.finish()?;
        let filters = filters_from_pb(r.filters)?;
        let group_by = facet_from_pb(r.group_by, "group_by").map_err(|v| invalid_argument(&[v]))?;
        let (total, buckets) = self
            .blocking(move |d| d.statistics(&r.query, &filters, group_by, r.limit as usize))
            .await?;
        Ok(Response::new(pb::StatisticsResponse {
            total,
            buckets: buckets
                .into_iter()
                .map(|(value, count)| pb::FacetCount { value, count })
                .collect(),
        }))
    }

    #[instrument(skip(self, request))]
    async fn candidates(
        &self,
        request: Request<pb::CandidatesRequest>,
    ) -> Result<Response<pb::CandidatesResponse>, Status> {
        let r = request.into_inner();
        Checker::new(LIMITS, "Candidates")
            .strings("products", &r.products)
            .strings("industries", &r.industries)
            .strings("ics_groups", &r.ics_groups)
            .strings("markets", &r.markets)
            .number("limit", r.limit.into())
            .finish()?;
        let params = CandidateQuery {
            products: r.products,
            industries: r.industries,
            ics_groups: r.ics_groups,
            markets: r.markets,
            limit: r.limit,
        };
        let basic = match pb::StandardView::try_from(r.view) {
            Ok(pb::StandardView::Unspecified | pb::StandardView::Full) => false,
            Ok(pb::StandardView::Basic) => true,
            Err(_) => {
                return Err(invalid_argument(&[Violation::new(
                    "view",
                    format!(
                        "unknown view {}: STANDARD_VIEW_FULL or STANDARD_VIEW_BASIC",
                        r.view
                    ),
                )]));
            }
        };
        // Converted on the blocking pool too: a few hundred records.
        let response = self
            .blocking(move |d| {
                let found = d.candidates(&params)?;
                let candidates = found
                    .iter()
                    .map(|(c, v)| {
                        if basic {
                            candidate_to_pb(standard_to_pb_basic(v), Vec::new(), &c.retrieval)
                        } else {
                            candidate_to_pb(
                                standard_to_pb(v),
                                c.matched_terms.clone(),
                                &c.retrieval,
                            )
                        }
                    })
                    .collect();
                Ok(pb::CandidatesResponse {
                    candidates,
                    unmatched_products: found.unmatched_products,
                    expanded_terms: if basic {
                        Vec::new()
                    } else {
                        found.expanded_terms
                    },
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    #[instrument(skip(self, request))]
    async fn ingest(
        &self,
        request: Request<pb::IngestRequest>,
    ) -> Result<Response<pb::IngestResponse>, Status> {
        let r = request.into_inner();
        Checker::new(LIMITS, "Ingest")
            .text("source", &r.source)
            .finish()?;
        let format = match pb::SourceFormat::try_from(r.format) {
            Ok(pb::SourceFormat::StdnavJsonl) => Format::StdnavJsonl,
            Ok(pb::SourceFormat::RelatonJsonl) => Format::RelatonJsonl,
            Ok(pb::SourceFormat::GbCsv) => Format::GbCsv,
            _ => {
                return Err(invalid_argument(&[Violation::new(
                    "format",
                    "name the format: STDNAV_JSONL, RELATON_JSONL or GB_CSV",
                )]));
            }
        };
        let report = self
            .blocking(move |d| d.ingest(&r.content, format, &r.source))
            .await?;
        Ok(Response::new(pb::IngestResponse {
            added: report.added,
            updated: report.updated,
            unchanged: report.unchanged,
            rejected: report.rejected,
            rejections: report
                .rejections
                .into_iter()
                .take(1000)
                .map(|r| pb::Rejection {
                    line: r.line,
                    reason: r.reason,
                })
                .collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts hold whole lines, in order, each with the version; an empty
    /// catalogue (or one the caller holds) is one part without records.
    #[test]
    fn export_parts_are_whole_lines() {
        let line = |i: usize| {
            format!(
                "{{\"id\": \"{i}\", \"pad\": \"{}\"}}\n",
                "x".repeat(i % 7000)
            )
        };
        let records: String = (0..5000).map(line).collect();
        let parts: Vec<_> = export_parts("v".into(), records.clone().into_bytes()).collect();
        assert!(parts.len() > 2, "{} parts", parts.len());
        for p in &parts {
            assert_eq!(p.version, "v");
            assert!(p.records_jsonl.ends_with(b"\n"));
            assert!(p.records_jsonl.len() <= EXPORT_PART_BYTES);
        }
        let joined: Vec<u8> = parts.into_iter().flat_map(|p| p.records_jsonl).collect();
        assert_eq!(joined, records.into_bytes());
        let empty: Vec<_> = export_parts("v".into(), Vec::new()).collect();
        assert_eq!(
            empty,
            [pb::ExportCatalogueResponse {
                version: "v".into(),
                records_jsonl: Vec::new()
            }]
        );
    }
}
