//! Composes a solution from what the other services returned. Pure: no
//! transport, no I/O, so every rule here is unit-tested.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, OnceLock};

use stdnav_core::catalogue::base_of;
use stdnav_core::management::is_management_system;
use stdnav_core::reason::Reason;
use stdnav_core::standard::{AdoptionDegree, Comparator, Level, Nature, Status};

use crate::solution::*;

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
const LINE_CACHE_ENTRIES: u64 = 65_536;

/// The line of a standard code (`base_of`), parsed once per process: the
/// same codes (candidates, references, adoptions, held standards) recur in
/// every answer, and parsing one costs more than the rest of its use.
pub fn line_of(code: &str) -> Arc<str> {
    static LINES: LazyLock<moka::sync::Cache<String, Arc<str>>> = LazyLock::new(|| {
        moka::sync::Cache::builder()
            .max_capacity(LINE_CACHE_ENTRIES)
            .build()
    });
    if let Some(line) = LINES.get(code) {
        return line;
    }
    let line: Arc<str> = base_of(code).into();
    LINES.insert(code.to_string(), line.clone());
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

#[derive(Debug, Clone, Default)]
pub struct CandidateInfo {
    /// Shared by every cached candidate answer that holds the standard.
    pub standard: Arc<StandardInfo>,
    pub text_score: f32,
    pub ics_match_depth: u32,
    pub matched_products: Vec<String>,
    pub mandatory_in_market: bool,
    pub referenced_by: String,
    /// Relevance relative to the best match of the same product, 0..1.
    pub match_strength: f32,
    /// How strongly regulations name it with a product-matched standard, 0..1.
    pub cocitation: f32,
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
    /// `class` (4 digits), `group` (3) or `division` (2).
    pub level: &'static str,
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

fn year_diff(a: &StandardInfo, b: &StandardInfo) -> f64 {
    if a.published_year > 0 && b.published_year > 0 {
        (b.published_year - a.published_year) as f64
    } else {
        0.0
    }
}

/// How the enterprise holds a standard: the exact edition, an older
/// edition of the same line, or not at all.
fn holding_of(s: &StandardInfo, held: &[HeldInfo]) -> (Holding, Option<String>) {
    let id = s.id.as_str();
    if let Some(h) = held
        .iter()
        .find(|h| h.standard.as_ref().is_some_and(|s| s.id == id) || h.code == id)
    {
        return (Holding::Held, Some(h.code.clone()));
    }
    let line = s.line();
    if let Some(h) = held
        .iter()
        .find(|h| h.line() == line || h.path.iter().any(|p| p == id))
    {
        return (Holding::HeldOldEdition, Some(h.code.clone()));
    }
    (Holding::NotHeld, None)
}

/// `IDT` (the adoption degree's code), or empty when it is not known.
fn degree_code(degree: Option<AdoptionDegree>) -> String {
    degree.map(|d| d.code().to_string()).unwrap_or_default()
}

/// ` (IDT)` after an adopted code, or nothing when the degree is not known.
fn degree_note(degree: Option<AdoptionDegree>) -> String {
    degree
        .map(|d| format!(" ({})", d.code()))
        .unwrap_or_default()
}

fn mandatory_reason(c: &CandidateInfo) -> Reason {
    if c.standard
        .keywords
        .iter()
        .any(|k| k == "Harmonised Standard")
    {
        Reason::HarmonisedEu
    } else {
        Reason::MandatoryGbChina
    }
}

/// A product match counts as the standard's scope only when it scores at
/// least this share of the product's best match; weaker matches share a
/// word ("电池") but not the subject.
pub const STRONG_MATCH: f32 = 0.5;

/// The whole solution: [`assess`], then the roadmap and the maturity score.
pub fn compose(input: &Inputs) -> Solution {
    let mut solution = assess(input);
    solution.roadmap = roadmap(&solution, input);
    solution.maturity = maturity(&solution, input);
    solution
}

/// Must, should, upgrades and gaps, without the roadmap and the maturity
/// score (benchmarking needs no more).
pub fn assess(input: &Inputs) -> Solution {
    let e = input.enterprise;
    let mut solution = Solution {
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        unmatched_products: input.unmatched_products.to_vec(),
        unknown_held: input
            .held
            .iter()
            .filter(|h| h.standard.is_none())
            .map(|h| h.input.clone())
            .collect(),
        ..Default::default()
    };

    // must: mandatory in a market, current, and really about this
    // enterprise: it names one of its products, or a standard that does
    // references it. Sharing an ICS sub-group is not enough: since the
    // national list gives hundreds of GB editions the ICS of what they adopt,
    // a sub-group such as 97.040 holds every appliance's safety part.
    let mut must_ids: HashSet<&str> = HashSet::new();
    for c in input.candidates {
        let s = &c.standard;
        // Mandatory within its scope: the scope must be the enterprise's
        // (a product matched, a matched standard references it, or it sits
        // in the enterprise's ICS sub-group).
        let strong_match = !c.matched_products.is_empty() && c.match_strength >= STRONG_MATCH;
        let relevant = strong_match || !c.referenced_by.is_empty();
        if !(c.mandatory_in_market
            && s.status == Status::Current
            && relevant
            && must_ids.insert(s.id.as_str()))
        {
            continue;
        }
        let (holding, held_as) = holding_of(s, input.held);
        let mut reasons = vec![mandatory_reason(c)];
        if let Some(p) = c.matched_products.first().filter(|_| strong_match) {
            reasons.push(Reason::AppliesToProduct { product: p.clone() });
        }
        if !c.referenced_by.is_empty() {
            reasons.push(Reason::ReferencedBy {
                standard: c.referenced_by.clone(),
            });
        }
        if let Some((a, d)) = s.adopts.first() {
            reasons.push(Reason::Adopts {
                standard: a.clone(),
                degree: degree_code(*d),
            });
        }
        if holding == Holding::HeldOldEdition {
            reasons.push(Reason::OlderEditionHeld {
                held: held_as.clone().unwrap_or_default(),
            });
        }
        solution.must.push(MustItem {
            id: s.id.clone(),
            title: s.title().to_string(),
            holding,
            held_as,
            reasons,
            level: s.level,
        });
    }
    // The current editions of mandatory standards the enterprise holds
    // (possibly in an old edition) apply too, matched or not.
    for h in input.held {
        let Some(cur) = h.current.as_ref().or(h.standard.as_ref()) else {
            continue;
        };
        let applies = cur.is_mandatory()
            && cur.status == Status::Current
            && cur.level == Level::National
            && e.markets.iter().any(|m| m == "CN");
        if !applies || !must_ids.insert(cur.id.as_str()) {
            continue;
        }
        let (holding, held_as) = holding_of(cur, input.held);
        let mut reasons = vec![Reason::MandatoryGbChina];
        if holding == Holding::HeldOldEdition {
            reasons.push(Reason::OlderEditionHeld {
                held: held_as.clone().unwrap_or_default(),
            });
        } else {
            reasons.push(Reason::DeclaredHeld);
        }
        solution.must.push(MustItem {
            id: cur.id.clone(),
            title: cur.title().to_string(),
            holding,
            held_as,
            reasons,
            level: cur.level,
        });
    }
    solution.must.sort_by(|a, b| {
        (a.holding == Holding::Held, &a.id).cmp(&(b.holding == Holding::Held, &b.id))
    });

    // should: everything else in force, not already held in this edition,
    // ranked; items are made for the `top` best only.
    let scoring_available = !input.scores.is_empty();
    let mut ranked: Vec<(f64, &CandidateInfo, Option<&Scored>)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for c in input.candidates {
        let s = &c.standard;
        // A mandatory standard outside the enterprise's scope (it failed the
        // `must` test above) is not a recommendation either: it governs
        // other products.
        if must_ids.contains(s.id.as_str())
            || c.mandatory_in_market
            || s.status != Status::Current
            || !seen.insert(s.id.as_str())
        {
            continue;
        }
        // Held editions need nothing; newer editions of held ones are upgrades.
        if holding_of(s, input.held).0 != Holding::NotHeld {
            continue;
        }
        match input.scores.get(&s.id) {
            Some(sc) => ranked.push((sc.score, c, Some(sc))),
            None if scoring_available => continue,
            // Scoring unavailable: rank by retrieval relevance, and say so.
            None => ranked.push(((c.text_score as f64 / 20.0).min(1.0), c, None)),
        }
    }
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.standard.id.cmp(&b.1.standard.id))
    });
    ranked.truncate(input.top);
    solution.should = ranked
        .into_iter()
        .map(|(score, c, scored)| {
            let s = &c.standard;
            let mut reasons = match scored {
                Some(sc) => sc.reasons.clone(),
                None => vec![Reason::TextRelevanceOnly],
            };
            if reasons.is_empty()
                && let Some(p) = c.matched_products.first()
            {
                reasons.push(Reason::MatchesProduct { product: p.clone() });
            }
            ShouldItem {
                id: s.id.clone(),
                title: s.title().to_string(),
                score,
                reasons,
                level: s.level,
                nature: s.nature,
            }
        })
        .collect();

    // upgrades and edition gaps: held editions no longer in force.
    for h in input.held {
        let (Some(s), Some(cur)) = (&h.standard, &h.current) else {
            continue;
        };
        if s.status == Status::Current || cur.id == s.id {
            continue;
        }
        let years = year_diff(s, cur);
        let note = cur
            .adopts
            .first()
            .map(|(a, d)| format!("{} adopts {a}{}", cur.id, degree_note(*d)))
            .unwrap_or_default();
        solution.upgrades.push(Upgrade {
            held: s.id.clone(),
            current: cur.id.clone(),
            title: cur.title().to_string(),
            held_status: s.status,
            status_inferred: s.status_inferred,
            path: h.path.clone(),
            years_between: years,
            note,
        });
        solution.gaps.edition.push(EditionGap {
            held: s.id.clone(),
            current: cur.id.clone(),
            years_between: years,
        });
    }

    // international alignment: a held national standard adopts an
    // international edition that has since been revised.
    // The last current candidate of each line (no map: most answers look
    // up one or two lines).
    let current_candidates = || {
        input
            .candidates
            .iter()
            .rev()
            .map(|c| &*c.standard)
            .filter(|s| s.status == Status::Current)
    };
    for h in input.held {
        let Some(s) = h.current.as_ref().or(h.standard.as_ref()) else {
            continue;
        };
        for (intl, degree) in &s.adopts {
            let intl_line = line_of(intl);
            let current_intl = input
                .held
                .iter()
                .filter_map(|x| x.current.as_ref().or(x.standard.as_ref()))
                .chain(current_candidates())
                .find(|x| x.line() == &*intl_line && x.status == Status::Current);
            if let Some(ci) = current_intl
                && ci.id != *intl
            {
                solution.gaps.alignment.push(AlignmentGap {
                        national: s.id.clone(),
                        international: intl.clone(),
                        international_current: ci.id.clone(),
                        note: format!(
                            "{} adopts {intl}{}; the international standard has since been revised as {}",
                            s.id,
                            degree_note(*degree),
                            ci.id
                        ),
                    });
            }
        }
    }

    // portfolio gaps against peers.
    let mut portfolio: Vec<PortfolioGap> = solution
        .must
        .iter()
        .filter(|m| m.holding != Holding::Held)
        .map(|m| PortfolioGap {
            id: m.id.clone(),
            title: m.title.clone(),
            peer_adoption: input
                .peers
                .shares
                .get(&*line_of(&m.id))
                .copied()
                .unwrap_or(0.0),
            mandatory: true,
        })
        .collect();
    portfolio.extend(solution.should.iter().take(20).map(|s| {
        PortfolioGap {
            id: s.id.clone(),
            title: s.title.clone(),
            peer_adoption: input
                .peers
                .shares
                .get(&*line_of(&s.id))
                .copied()
                .unwrap_or(0.0),
            mandatory: false,
        }
    }));
    portfolio.sort_by(|a, b| {
        b.mandatory
            .cmp(&a.mandatory)
            .then(b.peer_adoption.total_cmp(&a.peer_adoption))
            .then_with(|| a.id.cmp(&b.id))
    });
    solution.gaps.portfolio = portfolio;
    solution.gaps.coverage_percentile = input.peers.coverage_percentile;
    solution.gaps.peer_group_size = input.peers.size;
    if let Some(b) = &input.peers.basis {
        solution.gaps.peer_basis = format!("{} {}", b.level, b.code);
    }

    // indicator gaps against thresholds of relevant and held standards.
    let mut sources: Vec<&StandardInfo> = input.candidates.iter().map(|c| &*c.standard).collect();
    sources.extend(
        input
            .held
            .iter()
            .filter_map(|h| h.current.as_ref().or(h.standard.as_ref())),
    );
    let mut done = HashSet::new();
    for (name, unit, value) in &e.indicators {
        for s in &sources {
            for spec in &s.indicators {
                if !spec.name.eq_ignore_ascii_case(name)
                    || !(spec.unit.is_empty() || unit.is_empty() || spec.unit == *unit)
                    || !done.insert((
                        s.id.clone(),
                        spec.name.clone(),
                        spec.comparator,
                        spec.value.to_bits(),
                    ))
                {
                    continue;
                }
                solution
                    .gaps
                    .indicators
                    .push(indicator_gap(name, unit, *value, spec, s));
            }
        }
    }

    solution
}

/// The gap of a measured value against one threshold. `absolute_gap` is
/// value − threshold for ≤ and ≥ (so its sign says which side the value
/// is on); for a range it is the signed distance outside the range (0 inside).
pub fn indicator_gap(
    name: &str,
    unit: &str,
    value: f64,
    spec: &IndicatorSpec,
    s: &StandardInfo,
) -> IndicatorGap {
    let (absolute_gap, meets) = match spec.comparator {
        Comparator::Le => (value - spec.value, value <= spec.value),
        Comparator::Ge => (value - spec.value, value >= spec.value),
        Comparator::Range => {
            let max = spec.max.unwrap_or(f64::INFINITY);
            if value < spec.value {
                (value - spec.value, false)
            } else if value > max {
                (value - max, false)
            } else {
                (0.0, true)
            }
        }
    };
    // Six decimals: enough for any indicator, and no float noise in reports.
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let absolute_gap = round(absolute_gap);
    let relative_gap = if spec.value != 0.0 {
        absolute_gap / spec.value.abs()
    } else {
        0.0
    };
    IndicatorGap {
        indicator: name.to_string(),
        unit: if unit.is_empty() {
            spec.unit.clone()
        } else {
            unit.to_string()
        },
        value,
        threshold: spec.value,
        comparator: spec.comparator,
        max: spec.max,
        absolute_gap,
        relative_gap: round(relative_gap),
        meets,
        standard_id: s.id.clone(),
        illustrative: s.illustrative,
    }
}

/// Phases: mandatory and withdrawn first (now), then upgrades and the best
/// recommendations (6 months), then the rest (12 months). A standard's
/// normative references are placed no later than it and listed in `after`.
fn roadmap(solution: &Solution, input: &Inputs) -> Vec<RoadmapStep> {
    let info: HashMap<&str, &StandardInfo> = input
        .candidates
        .iter()
        .map(|c| (c.standard.id.as_str(), &*c.standard))
        .collect();
    let mut steps: Vec<RoadmapStep> = Vec::new();
    for m in &solution.must {
        match m.holding {
            Holding::Held => {}
            Holding::NotHeld => steps.push(RoadmapStep {
                phase: Phase::Now,
                standard_id: m.id.clone(),
                title: m.title.clone(),
                action: Action::Adopt,
                why: format!(
                    "mandatory: {}",
                    m.reasons.first().map(Reason::en).unwrap_or_default()
                ),
                after: Vec::new(),
            }),
            Holding::HeldOldEdition => steps.push(RoadmapStep {
                phase: Phase::Now,
                standard_id: m.id.clone(),
                title: m.title.clone(),
                action: Action::Upgrade,
                why: format!(
                    "mandatory, and you hold the older edition {}",
                    m.held_as.clone().unwrap_or_default()
                ),
                after: Vec::new(),
            }),
        }
    }
    for u in &solution.upgrades {
        if steps.iter().any(|s| s.standard_id == u.current) {
            continue;
        }
        let withdrawn = u.held_status == Status::Withdrawn;
        let mandatory = input
            .held
            .iter()
            .filter_map(|h| h.current.as_ref())
            .chain(info.values().copied())
            .any(|s| s.id == u.current && s.is_mandatory());
        steps.push(RoadmapStep {
            phase: if withdrawn || mandatory {
                Phase::Now
            } else {
                Phase::Within6Months
            },
            standard_id: u.current.clone(),
            title: u.title.clone(),
            action: Action::Upgrade,
            why: format!(
                "{} is {}; the edition in force is {}{}",
                u.held,
                u.held_status,
                u.current,
                if u.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", u.note)
                }
            ),
            after: Vec::new(),
        });
    }
    for (i, s) in solution.should.iter().take(10).enumerate() {
        if steps.iter().any(|x| x.standard_id == s.id) {
            continue;
        }
        let certify = is_management_system(&line_of(&s.id));
        steps.push(RoadmapStep {
            phase: if i < 5 {
                Phase::Within6Months
            } else {
                Phase::Within12Months
            },
            standard_id: s.id.clone(),
            title: s.title.clone(),
            action: if certify {
                Action::Certify
            } else {
                Action::Adopt
            },
            why: s
                .reasons
                .first()
                .map_or_else(|| "recommended".into(), Reason::en),
            after: Vec::new(),
        });
    }
    for p in &solution.unmatched_products {
        steps.push(RoadmapStep {
            phase: Phase::Within12Months,
            standard_id: p.clone(),
            title: format!("enterprise standard for {p}"),
            action: Action::DraftEnterpriseStandard,
            why: format!("no standard was found for {p}: codify its requirements in an enterprise standard (Q/…), and consider a group standard"),
            after: Vec::new(),
        });
    }
    // Normative references before the standards that cite them.
    let ids: Vec<String> = steps.iter().map(|s| s.standard_id.clone()).collect();
    let id_lines: Vec<Arc<str>> = ids.iter().map(|id| line_of(id)).collect();
    #[allow(clippy::needless_range_loop)] // steps[i] is read and written in the body
    for i in 0..steps.len() {
        let Some(s) = info.get(steps[i].standard_id.as_str()) else {
            continue;
        };
        let mut refs: Vec<String> = s
            .normative_refs
            .iter()
            .filter_map(|r| {
                let line = line_of(r);
                let at = id_lines.iter().position(|l| *l == line)?;
                Some(ids[at].clone())
            })
            .collect();
        // The general part of a particular part (IEC 60335-2-40 → IEC 60335-1).
        for c in input.candidates {
            if c.referenced_by == steps[i].standard_id && ids.contains(&c.standard.id) {
                refs.push(c.standard.id.clone());
            }
        }
        refs.retain(|r| *r != steps[i].standard_id);
        refs.sort();
        refs.dedup();
        steps[i].after = refs;
    }
    // Pull references forward to the phase of the earliest dependant.
    for _ in 0..steps.len() {
        let mut changed = false;
        for i in 0..steps.len() {
            for r in steps[i].after.clone() {
                if let Some(j) = steps.iter().position(|s| s.standard_id == r)
                    && steps[j].phase > steps[i].phase
                {
                    steps[j].phase = steps[i].phase;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Order: by phase, references first within a phase.
    let mut ordered: Vec<RoadmapStep> = Vec::new();
    let mut remaining = steps;
    remaining.sort_by_key(|s| s.phase);
    while !remaining.is_empty() {
        let placed: HashSet<String> = ordered.iter().map(|s| s.standard_id.clone()).collect();
        let pos = remaining
            .iter()
            .position(|s| {
                s.after
                    .iter()
                    .all(|a| placed.contains(a) || !remaining.iter().any(|r| &r.standard_id == a))
            })
            .unwrap_or(0);
        ordered.push(remaining.remove(pos));
    }
    ordered
}

/// Standardization maturity, 0–100, from documented parts (docs/MATURITY.md).
pub fn maturity(solution: &Solution, input: &Inputs) -> Maturity {
    let must_total = solution.must.len();
    let must_held = solution
        .must
        .iter()
        .filter(|m| m.holding == Holding::Held)
        .count();
    let mandatory_coverage = if must_total == 0 {
        1.0
    } else {
        must_held as f64 / must_total as f64
    };
    let known: Vec<&HeldInfo> = input.held.iter().filter(|h| h.standard.is_some()).collect();
    let current_held = known
        .iter()
        .filter(|h| {
            h.standard
                .as_ref()
                .is_some_and(|s| s.status == Status::Current)
        })
        .count();
    let edition_currency = if known.is_empty() {
        0.0
    } else {
        current_held as f64 / known.len() as f64
    };
    let international = known
        .iter()
        .filter(|h| {
            h.standard.as_ref().is_some_and(|s| {
                matches!(s.level, Level::International | Level::Regional) || !s.adopts.is_empty()
            })
        })
        .count();
    let international_part = (international as f64 / 3.0).min(1.0);
    let certified: HashSet<String> = input
        .enterprise
        .certifications
        .iter()
        .chain(input.held.iter().map(|h| &h.code))
        .filter_map(|c| stdnav_core::code::StdCode::parse(c).ok())
        .map(|c| c.base())
        .filter(|b| is_management_system(b))
        .collect();
    let certification_part = (certified.len() as f64 / 3.0).min(1.0);
    // Own enterprise standards (Q/…) count fully only when the enterprise
    // also measures itself against indicators: a standard with numbers.
    let own_standards = input
        .held
        .iter()
        .any(|h| h.code.trim_start().to_uppercase().starts_with("Q/"));
    let measured = !input.enterprise.indicators.is_empty();
    let enterprise_part = 0.5 * (own_standards as u8 as f64) + 0.5 * (measured as u8 as f64);
    let parts = vec![
        MaturityPart {
            name: "mandatory_coverage".into(),
            score: mandatory_coverage,
            weight: 0.35,
        },
        MaturityPart {
            name: "edition_currency".into(),
            score: edition_currency,
            weight: 0.20,
        },
        MaturityPart {
            name: "international_standards".into(),
            score: international_part,
            weight: 0.15,
        },
        MaturityPart {
            name: "management_systems".into(),
            score: certification_part,
            weight: 0.20,
        },
        MaturityPart {
            name: "enterprise_standards".into(),
            score: enterprise_part,
            weight: 0.10,
        },
    ];
    let score = 100.0 * parts.iter().map(|p| p.score * p.weight).sum::<f64>();
    Maturity {
        score: (score * 10.0).round() / 10.0,
        percentile: input.peers.coverage_percentile,
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A level, nature or status by its name (`mandatory`, `current` …).
    fn named<T: serde::de::DeserializeOwned>(name: &str) -> T {
        serde_json::from_value(serde_json::Value::from(name)).unwrap()
    }

    fn std_info(id: &str, nature: &str, status: &str, year: i32) -> StandardInfo {
        StandardInfo {
            id: id.into(),
            title_en: format!("title of {id}"),
            level: Level::National,
            nature: named(nature),
            status: named(status),
            published_year: year,
            ..Default::default()
        }
    }

    #[test]
    fn indicator_gap_sign_and_direction() {
        let s = std_info("GB 21455-2019", "mandatory", "current", 2019);
        let ge = IndicatorSpec {
            name: "APF".into(),
            comparator: Comparator::Ge,
            value: 5.0,
            ..Default::default()
        };
        let g = indicator_gap("APF", "", 4.5, &ge, &s);
        assert!(!g.meets && g.absolute_gap == -0.5 && (g.relative_gap + 0.1).abs() < 1e-9);
        let g = indicator_gap("APF", "", 5.5, &ge, &s);
        assert!(g.meets && g.absolute_gap == 0.5);
        let le = IndicatorSpec {
            name: "standby".into(),
            comparator: Comparator::Le,
            value: 0.5,
            ..Default::default()
        };
        let g = indicator_gap("standby", "W", 0.8, &le, &s);
        assert!(!g.meets && (g.absolute_gap - 0.3).abs() < 1e-9);
        assert!(indicator_gap("standby", "W", 0.4, &le, &s).meets);
        let range = IndicatorSpec {
            name: "pH".into(),
            comparator: Comparator::Range,
            value: 6.0,
            max: Some(8.0),
            ..Default::default()
        };
        assert!(indicator_gap("pH", "", 7.0, &range, &s).meets);
        assert_eq!(indicator_gap("pH", "", 9.0, &range, &s).absolute_gap, 1.0);
        assert_eq!(indicator_gap("pH", "", 5.0, &range, &s).absolute_gap, -1.0);
    }

    #[test]
    fn upgrades_must_and_roadmap_order() {
        let mut gb2016 = std_info("GB/T 19001-2016", "recommended", "current", 2016);
        gb2016.adopts = vec![("ISO 9001:2015".into(), Some(AdoptionDegree::Idt))];
        let held = vec![HeldInfo {
            input: "GB/T19001-2008".into(),
            code: "GB/T 19001-2008".into(),
            standard: Some(std_info("GB/T 19001-2008", "recommended", "replaced", 2008)),
            current: Some(gb2016.clone()),
            path: vec!["GB/T 19001-2008".into(), "GB/T 19001-2016".into()],
            line: Default::default(),
        }];
        let mut particular = std_info("GB 4706.32-2012", "mandatory", "current", 2012);
        particular.normative_refs = vec!["GB 4706.1-2005".into()];
        let general = std_info("GB 4706.1-2024", "mandatory", "current", 2024);
        let candidates = [
            CandidateInfo {
                standard: Arc::new(particular),
                matched_products: vec!["空调".into()],
                match_strength: 1.0,
                mandatory_in_market: true,
                ..Default::default()
            },
            CandidateInfo {
                standard: Arc::new(general),
                mandatory_in_market: true,
                referenced_by: "GB 4706.32-2012".into(),
                ..Default::default()
            },
        ]
        .map(Arc::new);
        let enterprise = EnterpriseInfo::default();
        let peers = Peers::default();
        let scores = HashMap::new();
        let s = compose(&Inputs {
            enterprise: &enterprise,
            candidates: &candidates,
            held: &held,
            peers: &peers,
            scores: &scores,
            unmatched_products: &[],
            top: 10,
        });
        assert_eq!(s.upgrades.len(), 1);
        assert_eq!(s.upgrades[0].current, "GB/T 19001-2016");
        assert!(s.upgrades[0].note.contains("ISO 9001:2015"));
        assert!(!s.upgrades[0].status_inferred);

        // An upgrade resting on a status inferred from editions says so.
        let mut inferred_held = held.clone();
        if let Some(old) = inferred_held[0].standard.as_mut() {
            old.status_inferred = true;
        }
        let s2 = compose(&Inputs {
            enterprise: &enterprise,
            candidates: &candidates,
            held: &inferred_held,
            peers: &peers,
            scores: &scores,
            unmatched_products: &[],
            top: 10,
        });
        assert!(s2.upgrades[0].status_inferred);
        let must: Vec<_> = s.must.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(must, ["GB 4706.1-2024", "GB 4706.32-2012"]);
        let order: Vec<_> = s.roadmap.iter().map(|r| r.standard_id.as_str()).collect();
        let general_at = order.iter().position(|x| *x == "GB 4706.1-2024").unwrap();
        let particular_at = order.iter().position(|x| *x == "GB 4706.32-2012").unwrap();
        assert!(general_at < particular_at, "{order:?}");
        assert!(
            s.roadmap[particular_at]
                .after
                .contains(&"GB 4706.1-2024".to_string())
        );
    }

    fn held(code: &str, status: &str, level: &str, adopts: bool) -> HeldInfo {
        let mut info = std_info(code, "recommended", status, 2016);
        info.level = named(level);
        if adopts {
            info.adopts = vec![("ISO 9001:2015".into(), Some(AdoptionDegree::Idt))];
        }
        HeldInfo {
            input: code.into(),
            code: code.into(),
            standard: (level != "unknown").then_some(info),
            current: None,
            path: Vec::new(),
            line: Default::default(),
        }
    }

    fn maturity_of(must: &[Holding], held: &[HeldInfo], enterprise: &EnterpriseInfo) -> Maturity {
        let solution = Solution {
            must: must
                .iter()
                .map(|h| MustItem {
                    id: String::new(),
                    title: String::new(),
                    holding: *h,
                    held_as: None,
                    reasons: Vec::new(),
                    level: Level::Unknown,
                })
                .collect(),
            ..Default::default()
        };
        let peers = Peers {
            coverage_percentile: 62.5,
            ..Default::default()
        };
        let scores = HashMap::new();
        maturity(
            &solution,
            &Inputs {
                enterprise,
                candidates: &[],
                held,
                peers: &peers,
                scores: &scores,
                unmatched_products: &[],
                top: 10,
            },
        )
    }

    fn part(m: &Maturity, name: &str) -> f64 {
        m.parts.iter().find(|p| p.name == name).unwrap().score
    }

    #[test]
    fn maturity_parts_follow_the_documented_formula() {
        let none = maturity_of(&[], &[], &EnterpriseInfo::default());
        // No applicable mandatory standard counts as covered; nothing else held.
        assert_eq!(part(&none, "mandatory_coverage"), 1.0);
        assert_eq!(none.score, 35.0);
        assert_eq!(none.percentile, 62.5);

        let held = vec![
            held("GB/T 19001-2016", "current", "national", true),
            held("GB/T 24001-2004", "replaced", "national", false),
            held("ISO 45001:2018", "current", "international", false),
            held("Q/ABC 001-2024", "current", "unknown", false),
        ];
        let enterprise = EnterpriseInfo {
            certifications: vec!["ISO 14001".into()],
            indicators: vec![("APF".into(), "".into(), 4.6)],
            ..Default::default()
        };
        let m = maturity_of(
            &[
                Holding::Held,
                Holding::HeldOldEdition,
                Holding::NotHeld,
                Holding::Held,
            ],
            &held,
            &enterprise,
        );
        assert_eq!(part(&m, "mandatory_coverage"), 0.5);
        // Q/ABC is not in the catalogue: 2 of 3 known standards are current.
        assert!((part(&m, "edition_currency") - 2.0 / 3.0).abs() < 1e-9);
        // GB/T 19001 adopts ISO 9001; ISO 45001 is international.
        assert!((part(&m, "international_standards") - 2.0 / 3.0).abs() < 1e-9);
        // GB/T 19001, GB/T 24001, ISO 45001 and the ISO 14001 certificate: ≥ 3 lines.
        assert_eq!(part(&m, "management_systems"), 1.0);
        assert_eq!(part(&m, "enterprise_standards"), 1.0);
        let expected: f64 =
            100.0 * (0.35 * 0.5 + 0.20 * 2.0 / 3.0 + 0.15 * 2.0 / 3.0 + 0.20 + 0.10);
        assert!(
            (m.score - (expected * 10.0).round() / 10.0).abs() < 1e-9,
            "{}",
            m.score
        );

        // Indicators without an own standard: half the last part.
        let no_own: Vec<HeldInfo> = held[..3].to_vec();
        let m = maturity_of(&[], &no_own, &enterprise);
        assert_eq!(part(&m, "enterprise_standards"), 0.5);
    }

    #[test]
    fn maturity_is_bounded() {
        let held: Vec<HeldInfo> = (0..10)
            .map(|i| {
                held(
                    &format!("ISO {}:2015", 9000 + i),
                    "current",
                    "international",
                    false,
                )
            })
            .collect();
        let enterprise = EnterpriseInfo {
            certifications: vec!["ISO 9001".into(), "ISO 14001".into(), "ISO 45001".into()],
            indicators: vec![("x".into(), "".into(), 1.0)],
            ..Default::default()
        };
        let m = maturity_of(&[Holding::Held], &held, &enterprise);
        assert!(m.score <= 100.0 && m.score >= 90.0, "{}", m.score);
        assert!(m.parts.iter().all(|p| (0.0..=1.0).contains(&p.score)));
        let weights: f64 = m.parts.iter().map(|p| p.weight).sum();
        assert!((weights - 1.0).abs() < 1e-9);
    }
}
