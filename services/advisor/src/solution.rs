//! The solution the advisor returns for one enterprise (DESIGN.md §3), in
//! domain form. Its JSON form (serde) is what `stdnav advise --format json`
//! prints; docs/SOLUTION.md documents it.

use serde::Serialize;
use stdnav_core::reason::Reason;
use stdnav_core::standard::{Comparator, Level, Nature, Status};

/// Reasons serialize as their English sentences, as they always did; the
/// codes are in the gRPC answer (`reason_codes`) and in `stdnav advise`'s
/// JSON (added by the CLI in the chosen language).
fn english<S: serde::Serializer>(reasons: &[Reason], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(reasons.iter().map(Reason::en))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    NotHeld,
    Held,
    HeldOldEdition,
}

#[derive(Debug, Clone, Serialize)]
pub struct MustItem {
    /// Canonical code with year.
    pub id: String,
    pub title: String,
    pub holding: Holding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_as: Option<String>,
    #[serde(serialize_with = "english")]
    pub reasons: Vec<Reason>,
    pub level: Level,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShouldItem {
    pub id: String,
    pub title: String,
    /// Probability of relevance from the scoring model, 0..1.
    pub score: f64,
    #[serde(serialize_with = "english")]
    pub reasons: Vec<Reason>,
    pub level: Level,
    pub nature: Nature,
}

#[derive(Debug, Clone, Serialize)]
pub struct Upgrade {
    pub held: String,
    pub current: String,
    pub title: String,
    pub held_status: Status,
    /// `held_status` rests on an inference from editions, not on the catalogue's word.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub status_inferred: bool,
    pub path: Vec<String>,
    pub years_between: f64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EditionGap {
    pub held: String,
    pub current: String,
    pub years_between: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlignmentGap {
    pub national: String,
    pub international: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub international_current: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortfolioGap {
    pub id: String,
    pub title: String,
    /// Share of peers holding it (any edition), 0..1.
    pub peer_adoption: f64,
    pub mandatory: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorGap {
    pub indicator: String,
    pub unit: String,
    pub value: f64,
    pub threshold: f64,
    /// `le` (value must be ≤ threshold), `ge` or `range` (in JSON).
    pub comparator: Comparator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// value − threshold (for a range: distance outside it, signed).
    pub absolute_gap: f64,
    /// absolute_gap / |threshold|.
    pub relative_gap: f64,
    pub meets: bool,
    pub standard_id: String,
    /// The threshold is illustrative demo data, not taken from the standard.
    pub illustrative: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Gaps {
    pub edition: Vec<EditionGap>,
    pub alignment: Vec<AlignmentGap>,
    pub portfolio: Vec<PortfolioGap>,
    pub indicators: Vec<IndicatorGap>,
    /// The enterprise's coverage percentile among its peers, 0..100.
    pub coverage_percentile: f64,
    pub peer_group_size: u32,
    /// What the peers share: `class 3852`, `group 385`, `division 38`;
    /// empty when the enterprise has no peers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer_basis: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Now,
    Within6Months,
    Within12Months,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Adopt,
    Upgrade,
    Certify,
    DraftEnterpriseStandard,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapStep {
    pub phase: Phase,
    /// The standard acted on (for a draft: the product it is for).
    pub standard_id: String,
    pub title: String,
    pub action: Action,
    pub why: String,
    /// Standards whose steps come first (normative references).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaturityPart {
    pub name: String,
    /// 0..1.
    pub score: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Maturity {
    /// 0..100.
    pub score: f64,
    /// Percentile among peers, 0..100.
    pub percentile: f64,
    pub parts: Vec<MaturityPart>,
}

#[derive(Debug, Clone, Default, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}
