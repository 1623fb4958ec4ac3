//! The JSON forms of the API: the gRPC messages with enum values as
//! lower-case names (`mandatory`, `held_old_edition`) instead of numbers,
//! each with its OpenAPI schema. Conversions from protobuf live here, in
//! one place; the enterprise profile converts both ways (it is written).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stdnav_core::reason::{Lang as ReasonLang, Reason};
use utoipa::ToSchema;

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::changes::v1 as cpb;
use stdnav_proto::convert::{level_from_pb, nature_from_pb, status_from_pb};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::standards::v1 as stpb;

/// A protobuf enum's name without its prefix, lower-case
/// (`HOLDING_STATE_HELD` → `held`); `unspecified` for unknown numbers.
fn pb_name(name: Option<&str>, prefix: &str) -> String {
    name.map(|n| n.strip_prefix(prefix).unwrap_or(n).to_ascii_lowercase())
        .unwrap_or_else(|| "unspecified".into())
}

pub fn level(v: i32) -> String {
    level_from_pb(v).map_or("unspecified", |l| l.name()).into()
}
pub fn nature(v: i32) -> String {
    nature_from_pb(v).map_or("unspecified", |n| n.name()).into()
}
pub fn status(v: i32) -> String {
    status_from_pb(v).map_or("unspecified", |s| s.name()).into()
}
/// `fn name(v: i32) -> String` for each protobuf enum: its value's name
/// without the prefix, lower-case.
macro_rules! pb_names {
    ($($(#[$m:meta])* $vis:vis fn $f:ident: $t:ty = $prefix:literal;)*) => {$(
        $(#[$m])*
        $vis fn $f(v: i32) -> String {
            pb_name(<$t>::try_from(v).ok().map(|e| e.as_str_name()), $prefix)
        }
    )*};
}

pb_names! {
    fn holding: apb::HoldingState = "HOLDING_STATE_";
    fn comparator: stpb::Comparator = "COMPARATOR_";
    pub fn phase: apb::Phase = "PHASE_";
    fn action: apb::Action = "ACTION_";
    pub fn segment: ppb::Segment = "SEGMENT_";
    fn edge_kind: stpb::EdgeKind = "EDGE_KIND_";
    fn degree: stpb::AdoptionDegree = "ADOPTION_DEGREE_";
    pub fn change_kind: cpb::ChangeKind = "CHANGE_KIND_";
    fn reason_kind: cpb::ReasonKind = "REASON_KIND_";
    pub fn facet_field: stpb::FacetField = "FACET_FIELD_";
    pub fn citation_status: stpb::CitationStatus = "CITATION_STATUS_";
    fn document_format: stpb::DocumentFormat = "DOCUMENT_FORMAT_";
}

// ---------------------------------------------------------------- solution

/// One reason as a code with its arguments (docs/API.md lists the codes),
/// worded in Chinese and in English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReasonCode {
    /// e.g. `mandatory-gb-china`, `applies-to-product`, `peers-hold`.
    pub code: String,
    /// The code's arguments by name, e.g. `{"product": "房间空调器"}`.
    pub args: BTreeMap<String, String>,
    pub zh: String,
    pub en: String,
}

impl ReasonCode {
    pub fn of(r: &Reason) -> Self {
        Self {
            code: r.code().to_string(),
            args: r.args(),
            zh: r.render(ReasonLang::Zh),
            en: r.en(),
        }
    }

    /// The reasons of a must or should item, from its codes (or, from an
    /// advisor that sends none, its English sentences).
    fn list(codes: &[apb::Reason], sentences: &[String]) -> Vec<Self> {
        stdnav_proto::convert::reasons_from_advisor_pb(codes, sentences)
            .iter()
            .map(Self::of)
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MustItem {
    pub id: String,
    pub title: String,
    /// `not_held`, `held` or `held_old_edition`.
    pub holding: String,
    pub held_as: String,
    /// Why, in English (the `en` of `reason_codes`).
    pub reasons: Vec<String>,
    /// Why, as codes, in both languages.
    pub reason_codes: Vec<ReasonCode>,
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShouldItem {
    pub id: String,
    pub title: String,
    /// Probability of relevance, 0..1.
    pub score: f64,
    /// Why, in English (the `en` of `reason_codes`).
    pub reasons: Vec<String>,
    /// Why, as codes, in both languages.
    pub reason_codes: Vec<ReasonCode>,
    pub level: String,
    pub nature: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Upgrade {
    pub held: String,
    pub current: String,
    pub title: String,
    pub held_status: String,
    pub status_inferred: bool,
    pub path: Vec<String>,
    pub years_between: f64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EditionGap {
    pub held: String,
    pub current: String,
    pub years_between: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlignmentGap {
    pub national: String,
    pub international: String,
    pub international_current: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PortfolioGap {
    pub id: String,
    pub title: String,
    /// Share of peers holding it, 0..1.
    pub peer_adoption: f64,
    pub mandatory: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorGap {
    pub indicator: String,
    pub unit: String,
    pub value: f64,
    pub threshold: f64,
    /// `le`, `ge` or `range`.
    pub comparator: String,
    pub max: Option<f64>,
    pub absolute_gap: f64,
    pub relative_gap: f64,
    pub meets: bool,
    pub standard_id: String,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Gaps {
    pub edition: Vec<EditionGap>,
    pub alignment: Vec<AlignmentGap>,
    pub portfolio: Vec<PortfolioGap>,
    pub indicators: Vec<IndicatorGap>,
    /// Coverage percentile among peers, 0..100.
    pub coverage_percentile: f64,
    pub peer_group_size: u32,
    pub peer_basis: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoadmapStep {
    /// `now`, `within_6_months` or `within_12_months`.
    pub phase: String,
    pub standard_id: String,
    pub title: String,
    /// `adopt`, `upgrade`, `certify` or `draft_enterprise_standard`.
    pub action: String,
    pub why: String,
    pub after: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaturityPart {
    pub name: String,
    pub score: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Maturity {
    pub score: f64,
    pub percentile: f64,
    pub parts: Vec<MaturityPart>,
}

/// The solution for one enterprise (docs/SOLUTION.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Solution {
    pub uscc: String,
    pub name: String,
    pub must: Vec<MustItem>,
    pub should: Vec<ShouldItem>,
    pub upgrades: Vec<Upgrade>,
    pub gaps: Gaps,
    pub roadmap: Vec<RoadmapStep>,
    pub maturity: Maturity,
    pub unmatched_products: Vec<String>,
    pub unknown_held: Vec<String>,
    pub model_id: String,
    pub partial: bool,
    pub missing: Vec<String>,
}

impl From<apb::Gaps> for Gaps {
    fn from(g: apb::Gaps) -> Self {
        Self {
            edition: g
                .edition
                .into_iter()
                .map(|e| EditionGap {
                    held: e.held,
                    current: e.current,
                    years_between: e.years_between,
                })
                .collect(),
            alignment: g
                .alignment
                .into_iter()
                .map(|a| AlignmentGap {
                    national: a.national,
                    international: a.international,
                    international_current: a.international_current,
                    note: a.note,
                })
                .collect(),
            portfolio: g
                .portfolio
                .into_iter()
                .map(|p| PortfolioGap {
                    id: p.id,
                    title: p.title,
                    peer_adoption: p.peer_adoption,
                    mandatory: p.mandatory,
                })
                .collect(),
            indicators: g
                .indicators
                .into_iter()
                .map(|i| IndicatorGap {
                    comparator: comparator(i.comparator),
                    indicator: i.indicator,
                    unit: i.unit,
                    value: i.value,
                    threshold: i.threshold,
                    max: i.max,
                    absolute_gap: i.absolute_gap,
                    relative_gap: i.relative_gap,
                    meets: i.meets,
                    standard_id: i.standard_id,
                    illustrative: i.illustrative,
                })
                .collect(),
            coverage_percentile: g.coverage_percentile,
            peer_group_size: g.peer_group_size,
            peer_basis: g.peer_basis,
        }
    }
}

impl From<apb::Solution> for Solution {
    fn from(s: apb::Solution) -> Self {
        let maturity = s.maturity.unwrap_or_default();
        Self {
            uscc: s.uscc,
            name: s.name,
            must: s
                .must
                .into_iter()
                .map(|m| MustItem {
                    holding: holding(m.holding),
                    level: level(m.level),
                    id: m.id,
                    title: m.title,
                    held_as: m.held_as,
                    reason_codes: ReasonCode::list(&m.reason_codes, &m.reasons),
                    reasons: m.reasons,
                })
                .collect(),
            should: s
                .should
                .into_iter()
                .map(|m| ShouldItem {
                    level: level(m.level),
                    nature: nature(m.nature),
                    id: m.id,
                    title: m.title,
                    score: m.score,
                    reason_codes: ReasonCode::list(&m.reason_codes, &m.reasons),
                    reasons: m.reasons,
                })
                .collect(),
            upgrades: s
                .upgrades
                .into_iter()
                .map(|u| Upgrade {
                    held_status: status(u.held_status),
                    held: u.held,
                    current: u.current,
                    title: u.title,
                    status_inferred: u.status_inferred,
                    path: u.path,
                    years_between: u.years_between,
                    note: u.note,
                })
                .collect(),
            gaps: s.gaps.unwrap_or_default().into(),
            roadmap: s
                .roadmap
                .into_iter()
                .map(|r| RoadmapStep {
                    phase: phase(r.phase),
                    action: action(r.action),
                    standard_id: r.standard_id,
                    title: r.title,
                    why: r.why,
                    after: r.after,
                })
                .collect(),
            maturity: Maturity {
                score: maturity.score,
                percentile: maturity.percentile,
                parts: maturity
                    .parts
                    .into_iter()
                    .map(|p| MaturityPart {
                        name: p.name,
                        score: p.score,
                        weight: p.weight,
                    })
                    .collect(),
            },
            unmatched_products: s.unmatched_products,
            unknown_held: s.unknown_held,
            model_id: s.model_id,
            partial: s.partial,
            missing: s.missing,
        }
    }
}

// --------------------------------------------------------------- standards

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adoption {
    pub id: String,
    /// `idt`, `mod`, `neq` or `eqv`.
    pub degree: String,
}

/// One edition of one standard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Standard {
    pub id: String,
    pub line: String,
    pub family: String,
    pub level: String,
    pub nature: String,
    pub status: String,
    pub title_zh: String,
    pub title_en: String,
    pub title_fr: String,
    pub scope: String,
    pub ics: Vec<String>,
    pub ccs: Vec<String>,
    pub committee: String,
    pub category: String,
    pub published: String,
    pub effective: String,
    pub withdrawn: String,
    pub replaces: Vec<String>,
    pub replaced_by: Vec<String>,
    pub normative_refs: Vec<String>,
    pub adopts: Vec<Adoption>,
    pub adopted_by: Vec<String>,
    pub source: String,
    pub illustrative: bool,
}

impl From<stpb::Standard> for Standard {
    fn from(s: stpb::Standard) -> Self {
        Self {
            level: level(s.level),
            nature: nature(s.nature),
            status: status(s.status),
            id: s.id,
            line: s.line,
            family: s.family,
            title_zh: s.title_zh,
            title_en: s.title_en,
            title_fr: s.title_fr,
            scope: s.scope,
            ics: s.ics,
            ccs: s.ccs,
            committee: s.committee,
            category: s.category,
            published: s.published,
            effective: s.effective,
            withdrawn: s.withdrawn,
            replaces: s.replaces,
            replaced_by: s.replaced_by,
            normative_refs: s.normative_refs,
            adopts: s
                .adopts
                .into_iter()
                .map(|a| Adoption {
                    degree: degree(a.degree),
                    id: a.id,
                })
                .collect(),
            adopted_by: s.adopted_by,
            source: s.source,
            illustrative: s.illustrative,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    pub standard: Standard,
    pub score: f32,
    /// The title with the matched words in `<b>…</b>`, the rest HTML-escaped.
    pub highlighted_title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Facet {
    /// `family`, `level`, `nature`, `status`, `ics_field`, `published_year`,
    /// `committee`, `category` or `adoption`.
    pub field: String,
    pub counts: Vec<FacetCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResult {
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub hits: Vec<SearchHit>,
    pub facets: Vec<Facet>,
}

fn counts(c: Vec<stpb::FacetCount>) -> Vec<FacetCount> {
    c.into_iter()
        .map(|c| FacetCount {
            value: c.value,
            count: c.count,
        })
        .collect()
}

impl From<stpb::SearchResponse> for SearchResult {
    fn from(r: stpb::SearchResponse) -> Self {
        Self {
            total: r.total,
            page: r.page,
            page_size: r.page_size,
            hits: r
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    standard: h.standard.unwrap_or_default().into(),
                    score: h.score,
                    highlighted_title: h.highlighted_title,
                })
                .collect(),
            facets: r
                .facets
                .into_iter()
                .map(|f| Facet {
                    field: facet_field(f.field),
                    counts: counts(f.counts),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Statistics {
    pub total: u64,
    pub buckets: Vec<FacetCount>,
}

impl From<stpb::StatisticsResponse> for Statistics {
    fn from(r: stpb::StatisticsResponse) -> Self {
        Self {
            total: r.total,
            buckets: counts(r.buckets),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LineageNode {
    pub id: String,
    pub title: String,
    pub status: String,
    pub published: String,
    pub known: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LineageEdge {
    pub from: String,
    pub to: String,
    /// `replaces`, `normative_ref` or `adopts`.
    pub kind: String,
    pub degree: String,
}

/// Editions, adoptions and references around one standard (文件溯源).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lineage {
    pub root: String,
    pub nodes: Vec<LineageNode>,
    pub edges: Vec<LineageEdge>,
}

impl From<stpb::LineageResponse> for Lineage {
    fn from(r: stpb::LineageResponse) -> Self {
        Self {
            root: r.root,
            nodes: r
                .nodes
                .into_iter()
                .map(|n| LineageNode {
                    status: status(n.status),
                    id: n.id,
                    title: n.title,
                    published: n.published,
                    known: n.known,
                })
                .collect(),
            edges: r
                .edges
                .into_iter()
                .map(|e| LineageEdge {
                    kind: edge_kind(e.kind),
                    degree: degree(e.degree),
                    from: e.from,
                    to: e.to,
                })
                .collect(),
        }
    }
}

// ------------------------------------------------------------- enterprises

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainMembership {
    pub chain: String,
    /// `upstream`, `midstream` or `downstream`.
    #[serde(default)]
    pub segment: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuredIndicator {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub value: f64,
    #[serde(default)]
    pub product: String,
}

/// An enterprise profile as declared (docs/API.md, validation of a profile).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    /// GB/T 2260 code.
    pub region: String,
    pub industries: Vec<String>,
    pub products: Vec<String>,
    pub hs_codes: Vec<String>,
    pub employees: u32,
    pub revenue_cny: f64,
    pub markets: Vec<String>,
    pub chains: Vec<ChainMembership>,
    pub standards_held: Vec<String>,
    pub certifications: Vec<String>,
    pub indicators: Vec<MeasuredIndicator>,
    pub dcmm_level: u32,
    pub flags: Vec<String>,
}

/// A segment name (`upstream` …, or the protobuf spelling) as its number;
/// unknown names are unspecified and profiling names the field.
fn segment_from_name(name: &str) -> i32 {
    let upper = name.trim().to_ascii_uppercase();
    let full = if upper.starts_with("SEGMENT_") {
        upper
    } else {
        format!("SEGMENT_{upper}")
    };
    ppb::Segment::from_str_name(&full).map_or(0, |s| s as i32)
}

/// The profile's fields carried across as they are, both ways; only the
/// chain segment changes form (`$segment` maps it).
macro_rules! convert_enterprise {
    ($e:expr, $chain:ident, $indicator:ident, $segment:expr) => {{
        let e = $e;
        Self {
            uscc: e.uscc,
            name: e.name,
            region: e.region,
            industries: e.industries,
            products: e.products,
            hs_codes: e.hs_codes,
            employees: e.employees,
            revenue_cny: e.revenue_cny,
            markets: e.markets,
            chains: e
                .chains
                .into_iter()
                .map(|c| $chain {
                    segment: $segment(c.segment),
                    chain: c.chain,
                })
                .collect(),
            standards_held: e.standards_held,
            certifications: e.certifications,
            indicators: e
                .indicators
                .into_iter()
                .map(|i| $indicator {
                    name: i.name,
                    unit: i.unit,
                    value: i.value,
                    product: i.product,
                })
                .collect(),
            dcmm_level: e.dcmm_level,
            flags: e.flags,
        }
    }};
}

impl From<Enterprise> for ppb::Enterprise {
    fn from(e: Enterprise) -> Self {
        use ppb::{ChainMembership as PbChain, MeasuredIndicator as PbIndicator};
        convert_enterprise!(e, PbChain, PbIndicator, |s: String| segment_from_name(&s))
    }
}

impl From<ppb::Enterprise> for Enterprise {
    fn from(e: ppb::Enterprise) -> Self {
        convert_enterprise!(e, ChainMembership, MeasuredIndicator, segment)
    }
}

/// What profiling derived from a profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Enrichment {
    /// Held codes in canonical spelling.
    pub held: Vec<String>,
    /// GB/T 4754-2017 classes.
    pub industries: Vec<String>,
    pub industry_names: Vec<String>,
    pub ics_groups: Vec<String>,
    pub keywords: Vec<String>,
    pub region_name: String,
    pub province: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnterpriseRecord {
    pub enterprise: Enterprise,
    pub enrichment: Enrichment,
    pub tenant: String,
    pub version: u64,
}

impl From<ppb::EnterpriseRecord> for EnterpriseRecord {
    fn from(r: ppb::EnterpriseRecord) -> Self {
        let e = r.enrichment.unwrap_or_default();
        Self {
            enterprise: r.enterprise.unwrap_or_default().into(),
            enrichment: Enrichment {
                held: e.held.into_iter().map(|h| h.code).collect(),
                industries: e.industries,
                industry_names: e.industry_names,
                ics_groups: e.ics_groups,
                keywords: e.keywords,
                region_name: e.region_name,
                province: e.province,
            },
            tenant: r.tenant,
            version: r.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnterprisePage {
    pub enterprises: Vec<EnterpriseRecord>,
    /// Empty on the last page.
    pub next_page_token: String,
}

impl From<ppb::ListEnterprisesResponse> for EnterprisePage {
    fn from(r: ppb::ListEnterprisesResponse) -> Self {
        Self {
            enterprises: r.enterprises.into_iter().map(Into::into).collect(),
            next_page_token: r.next_page_token,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StandardShare {
    pub id: String,
    /// Share of peers holding it, 0..1.
    pub share: f64,
}

/// The enterprise's peer group (docs/PEERS.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeerGroup {
    pub group_id: String,
    pub method: String,
    pub size: u32,
    pub shares: Vec<StandardShare>,
    pub coverage_percentile: f64,
}

impl From<ppb::PeerGroupResponse> for PeerGroup {
    fn from(r: ppb::PeerGroupResponse) -> Self {
        Self {
            group_id: r.group_id,
            method: r.method,
            size: r.size,
            shares: r
                .shares
                .into_iter()
                .map(|s| StandardShare {
                    id: s.id,
                    share: s.share,
                })
                .collect(),
            coverage_percentile: r.coverage_percentile,
        }
    }
}

// ----------------------------------------------------------------- changes

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeEvent {
    pub id: String,
    /// `new_edition`, `withdrawn`, `replaced`, `now_in_force`,
    /// `title_changed`, `classification_changed`, `review_due`,
    /// `coming_into_force` or `transition_deadline`.
    pub kind: String,
    pub standard: String,
    pub title_zh: String,
    pub title_en: String,
    pub replacements: Vec<String>,
    pub previous: String,
    pub source: String,
    pub detected_ms: i64,
    pub effective: String,
    pub due: String,
    pub mandatory: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImpactReason {
    /// `holds`, `holds_other_edition`, `references`, `recommended` or `mandatory`.
    pub kind: String,
    pub held: String,
    pub path: Vec<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Impact {
    pub uscc: String,
    pub name: String,
    pub reasons: Vec<ImpactReason>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedEvent {
    pub cursor: String,
    pub event: ChangeEvent,
    /// The first impacts (10 at most); `impact_count` says how many there are.
    pub impacts: Vec<Impact>,
    /// How many of the tenant's enterprises the change affects (ListImpacts
    /// over gRPC lists them all).
    pub impact_count: u32,
    pub subscriptions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangesPage {
    pub events: Vec<FeedEvent>,
    pub next_page_token: String,
}

impl From<cpb::ListChangesResponse> for ChangesPage {
    fn from(r: cpb::ListChangesResponse) -> Self {
        Self {
            events: r
                .events
                .into_iter()
                .map(|f| {
                    let e = f.event.unwrap_or_default();
                    FeedEvent {
                        cursor: f.cursor,
                        event: ChangeEvent {
                            kind: change_kind(e.kind),
                            id: e.id,
                            standard: e.standard,
                            title_zh: e.title_zh,
                            title_en: e.title_en,
                            replacements: e.replacements,
                            previous: e.previous,
                            source: e.source,
                            detected_ms: e.detected_ms,
                            effective: e.effective,
                            due: e.due,
                            mandatory: e.mandatory,
                        },
                        impacts: f
                            .impacts
                            .into_iter()
                            .map(|i| Impact {
                                uscc: i.uscc,
                                name: i.name,
                                reasons: i
                                    .reasons
                                    .into_iter()
                                    .map(|r| ImpactReason {
                                        kind: reason_kind(r.kind),
                                        held: r.held,
                                        path: r.path,
                                        detail: r.detail,
                                    })
                                    .collect(),
                            })
                            .collect(),
                        impact_count: f.impact_count,
                        subscriptions: f.subscriptions,
                    }
                })
                .collect(),
            next_page_token: r.next_page_token,
        }
    }
}

// ---------------------------------------------------------- document check

/// Where a citation was found.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitationPlace {
    pub document: String,
    /// PDF page, from 1; 0 for other formats.
    pub page: u32,
    /// Line of a text file or a PDF page, paragraph of a DOCX, from 1; 0 for cells.
    pub line: u32,
    /// `Sheet1!B3` (XLSX), `B3` (CSV); empty otherwise.
    pub cell: String,
    /// The citation as written there.
    pub cited_as: String,
    /// The text around it, on one line.
    pub context: String,
}

/// An international standard a cited national one adopts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitationAdoption {
    pub id: String,
    /// `idt`, `mod`, `neq` or `unspecified`.
    pub degree: String,
    /// Its edition in force, empty when unknown.
    pub current: String,
    /// The adopted edition has been revised since (`current` is newer).
    pub revised: bool,
}

/// One code the documents cite (every place merged) and what it resolves to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    /// Canonical code as cited: `GB/T 19001-2008`, `IEC 60335-2-40`.
    pub code: String,
    /// No year cited: resolved to the current edition.
    pub undated: bool,
    /// An edition number cited (`Ed.6`), 0 when none; reported, not matched.
    pub edition_number: u32,
    /// The catalogue record it resolves to; empty for an unknown code.
    pub resolved: String,
    pub title_zh: String,
    pub title_en: String,
    /// The title in the request's `lang` (the other language when it has none).
    pub title: String,
    /// `current`, `superseded`, `withdrawn`, `upcoming` or `unknown`.
    pub status: String,
    /// The status in words of the request's `lang` (`被代替`, `superseded`).
    pub status_label: String,
    /// The status is inferred from the editions of the number, not stated by the source.
    pub status_inferred: bool,
    /// The edition in force now; empty when none is.
    pub in_force: String,
    /// Editions from the cited one to the one in force, both included.
    pub path: Vec<String>,
    /// Replaced in part only (部分代替).
    pub partly_replaced_by: Vec<String>,
    /// Entry into force (of an upcoming edition), ISO 8601 or empty.
    pub effective: String,
    pub withdrawn: String,
    pub mandatory: bool,
    pub adopts: Vec<CitationAdoption>,
    /// Why, in English words.
    pub notes: Vec<String>,
    /// Times cited over all documents.
    pub occurrences: u32,
    /// The first 20 places.
    pub places: Vec<CitationPlace>,
}

/// What was read of one document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckedDocument {
    pub name: String,
    /// `text`, `pdf`, `docx`, `xlsx` or `csv`.
    pub format: String,
    /// Text encoding of a text or CSV document (`UTF-8`, `GB18030`, …).
    pub encoding: String,
    pub pages: u32,
    /// Lines, paragraphs or cells with text.
    pub segments: u32,
    /// Citations found (before merging).
    pub citations: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckSummary {
    /// Distinct codes cited, known and unknown.
    pub total: u32,
    /// Every status, zeros included.
    pub by_status: Vec<StatusCount>,
    /// Superseded and withdrawn codes in the order to update them:
    /// mandatory first, then withdrawn before superseded.
    pub update_first: Vec<String>,
}

/// The document check's report (标准有效性核查).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckReport {
    pub documents: Vec<CheckedDocument>,
    /// Codes the catalogue knows, in order of first appearance.
    pub citations: Vec<Citation>,
    /// Codes it lacks, listed apart.
    pub unknown: Vec<Citation>,
    pub summary: CheckSummary,
    /// What could not be read without failing the check (pages without a text layer …).
    pub warnings: Vec<String>,
    /// More than 20,000 distinct codes: the rest are not listed.
    pub truncated: bool,
}

/// A status's words (`superseded` → `被代替`).
pub fn status_label(status: &str, lang: crate::i18n::Lang) -> String {
    let words = crate::i18n::words(lang);
    words
        .get(format!("cstatus_{status}").as_str())
        .map_or_else(|| status.to_string(), |w| w.to_string())
}

fn citation(c: stpb::Citation, lang: crate::i18n::Lang) -> Citation {
    let status = citation_status(c.status);
    let title = match lang {
        crate::i18n::Lang::Zh if !c.title_zh.is_empty() => c.title_zh.clone(),
        _ if !c.title_en.is_empty() => c.title_en.clone(),
        _ => c.title_zh.clone(),
    };
    Citation {
        status_label: status_label(&status, lang),
        status,
        title,
        code: c.code,
        undated: c.undated,
        edition_number: c.edition_number,
        resolved: c.resolved,
        title_zh: c.title_zh,
        title_en: c.title_en,
        status_inferred: c.status_inferred,
        in_force: c.in_force,
        path: c.path,
        partly_replaced_by: c.partly_replaced_by,
        effective: c.effective,
        withdrawn: c.withdrawn,
        mandatory: c.mandatory,
        adopts: c
            .adopts
            .into_iter()
            .map(|a| CitationAdoption {
                degree: degree(a.degree),
                id: a.id,
                current: a.current,
                revised: a.revised,
            })
            .collect(),
        notes: c.notes,
        occurrences: c.occurrences,
        places: c
            .places
            .into_iter()
            .map(|p| CitationPlace {
                document: p.document,
                page: p.page,
                line: p.line,
                cell: p.cell,
                cited_as: p.cited_as,
                context: p.context,
            })
            .collect(),
    }
}

impl CheckReport {
    /// The service's answer, titles and status words in `lang`.
    pub fn from_pb(r: stpb::CheckCitationsResponse, lang: crate::i18n::Lang) -> Self {
        let summary = r.summary.unwrap_or_default();
        Self {
            documents: r
                .documents
                .into_iter()
                .map(|d| CheckedDocument {
                    format: document_format(d.format),
                    name: d.name,
                    encoding: d.encoding,
                    pages: d.pages,
                    segments: d.segments,
                    citations: d.citations,
                })
                .collect(),
            citations: r.citations.into_iter().map(|c| citation(c, lang)).collect(),
            unknown: r.unknown.into_iter().map(|c| citation(c, lang)).collect(),
            summary: CheckSummary {
                total: summary.total,
                by_status: summary
                    .by_status
                    .into_iter()
                    .map(|s| StatusCount {
                        status: citation_status(s.status),
                        count: s.count,
                    })
                    .collect(),
                update_first: summary.update_first,
            },
            warnings: r.warnings,
            truncated: r.truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_lower_case_without_prefix() {
        assert_eq!(
            holding(apb::HoldingState::HeldOldEdition as i32),
            "held_old_edition"
        );
        assert_eq!(phase(apb::Phase::Within6Months as i32), "within_6_months");
        assert_eq!(level(stpb::Level::National as i32), "national");
        assert_eq!(nature(stpb::Nature::Mandatory as i32), "mandatory");
        assert_eq!(holding(99), "unspecified");
        assert_eq!(
            segment_from_name("midstream"),
            ppb::Segment::Midstream as i32
        );
        assert_eq!(
            segment_from_name("SEGMENT_UPSTREAM"),
            ppb::Segment::Upstream as i32
        );
        assert_eq!(segment_from_name("nowhere"), 0);
        assert_eq!(
            citation_status(stpb::CitationStatus::Superseded as i32),
            "superseded"
        );
        assert_eq!(document_format(stpb::DocumentFormat::Xlsx as i32), "xlsx");
    }
}
