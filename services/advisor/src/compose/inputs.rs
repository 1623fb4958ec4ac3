//! What the advisor composes from: the standards, candidates, held
//! standards, peers and scores the other services returned, and the line of
//! a code.

use std::sync::{Arc, LazyLock, OnceLock, RwLock};

use stdnav_core::catalogue::base_of;
use stdnav_core::reason::Reason;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::standard::{AdoptionDegree, Comparator, Level, Nature, Status};

/// The hasher of the advisor's per-answer maps and its caches: their keys
/// are standard codes and lines from the catalogue, hashed hundreds of
/// times an answer (SipHash was a twentieth of the advisor's time).
pub type FastHash = foldhash::fast::RandomState;
pub use foldhash::{HashMap, HashSet};

/// What the advisor needs to know of one standard.
#[derive(Debug, Clone, Default)]
pub struct StandardInfo {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub level: Level,
    pub nature: Nature,
    pub status: Status,
    /// The status was inferred from the editions of the number, not stated
    /// by the catalogue (the national list gives none).
    pub status_inferred: bool,
    pub published_year: i32,
    pub normative_refs: Vec<String>,
    /// (adopted id, degree of adoption where known).
    pub adopts: Vec<(String, Option<AdoptionDegree>)>,
    pub adopted_by: Vec<String>,
    pub indicators: Vec<IndicatorSpec>,
    pub illustrative: bool,
    pub keywords: Vec<String>,
    /// The standard's line (code without year), as the catalogue gives it
    /// or else parsed once: holdings, peer shares and references are all
    /// matched by line, hundreds of times per answer.
    pub line: OnceLock<Arc<str>>,
}

impl StandardInfo {
    /// The line of the standard (`IEC 60335-2-40` for `IEC 60335-2-40:2018`).
    pub fn line(&self) -> &str {
        self.line.get_or_init(|| line_of(&self.id))
    }

    pub fn title(&self) -> &str {
        if self.title_zh.is_empty() {
            &self.title_en
        } else {
            &self.title_zh
        }
    }

    pub fn is_mandatory(&self) -> bool {
        self.nature == Nature::Mandatory
    }
}

/// Codes whose lines are kept: a chain's answers name a few thousand.
const LINE_CACHE_ENTRIES: usize = 65_536;

/// The line of a standard code (`base_of`), parsed once per process: the
/// same codes (candidates, references, adoptions, held standards) recur in
/// every answer, and parsing one costs more than the rest of its use.
pub fn line_of(code: &str) -> Arc<str> {
    // A memo, not a cache of changing data: a plain map under a read lock
    // costs a fraction of a policy-keeping cache's lookup, and when full it
    // is emptied (the codes of a catalogue's answers fill it again).
    static LINES: LazyLock<RwLock<HashMap<Box<str>, Arc<str>>>> = LazyLock::new(Default::default);
    if let Some(line) = LINES.read().unwrap_or_else(|e| e.into_inner()).get(code) {
        return line.clone();
    }
    let line: Arc<str> = base_of(code).into();
    let mut lines = LINES.write().unwrap_or_else(|e| e.into_inner());
    if lines.len() >= LINE_CACHE_ENTRIES {
        lines.clear();
    }
    lines.insert(code.into(), line.clone());
    line
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorSpec {
    pub name: String,
    pub unit: String,
    pub comparator: Comparator,
    pub value: f64,
    pub max: Option<f64>,
    pub product: String,
}

/// A candidate: the standard as the advisor reads it and the evidence
/// retrieval found for it.
#[derive(Debug, Clone, Default)]
pub struct CandidateInfo {
    /// Shared by every cached candidate answer that holds the standard.
    pub standard: Arc<StandardInfo>,
    pub retrieval: Retrieval,
}

#[derive(Debug, Clone, Default)]
pub struct HeldInfo {
    pub input: String,
    pub code: String,
    pub standard: Option<StandardInfo>,
    pub current: Option<StandardInfo>,
    pub path: Vec<String>,
    /// The line of `code`, parsed once (see [`StandardInfo::line`]).
    pub line: OnceLock<Arc<str>>,
}

impl HeldInfo {
    pub fn line(&self) -> &str {
        self.line.get_or_init(|| line_of(&self.code))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Peers {
    pub size: u32,
    /// Standard line (code without year) → share of peers holding it.
    pub shares: HashMap<String, f64>,
    pub coverage_percentile: f64,
    /// What the peers share with the enterprise; `None` when it has no
    /// peers (then there is no peer signal, not "0 % of peers").
    pub basis: Option<PeerBasis>,
}

/// The GB/T 4754-2017 code an enterprise shares with its peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerBasis {
    pub level: stdnav_core::industry::IndustryLevel,
    pub code: String,
}

#[derive(Debug, Clone, Default)]
pub struct Scored {
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseInfo {
    pub uscc: String,
    pub name: String,
    pub markets: Vec<String>,
    /// GB/T 4754 codes, the main industry first.
    pub industries: Vec<String>,
    pub certifications: Vec<String>,
    /// (name, unit, value).
    pub indicators: Vec<(String, String, f64)>,
}

pub struct Inputs<'a> {
    pub enterprise: &'a EnterpriseInfo,
    pub candidates: &'a [Arc<CandidateInfo>],
    pub held: &'a [HeldInfo],
    pub peers: &'a Peers,
    /// Scores by candidate id; empty when scoring was unavailable.
    pub scores: &'a HashMap<String, Scored>,
    pub unmatched_products: &'a [String],
    pub top: usize,
}
