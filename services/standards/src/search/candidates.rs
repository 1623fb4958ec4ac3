//! Candidate retrieval for an enterprise: its products, industries, ICS
//! groups and markets, the standards regulations name with them, and the
//! standards those reference.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use stdnav_core::cocited::CoCited;
use stdnav_core::code::StdCode;
use stdnav_core::market::{EuLines, Regimes};
use stdnav_core::reference::Reference;
use stdnav_core::regulation::{NamedByRegulation, ProductName, ProductRule, most_specific_kinds};
use stdnav_core::retrieval::{CandidateQuery, Retrieval};
use stdnav_core::standard::{AdoptionDegree, Level, Nature, Standard, Status};
use stdnav_core::text;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};

use crate::error::StandardsError;
use crate::index::{level_str, nature_str, status_str};
use crate::snapshot::{ProductHit, ProductHits, Snapshot};

use super::generic::GENERIC_ONLY;
use super::pruning::QueryStats;
use super::qualifiers::{conflicting_qualifier, qualifier_factor};
use super::query::{any_of, boosted, term_query};
use super::{Hit, MAX_CANDIDATES, is_ics_code};

/// One candidate: its record's ordinal, the query terms its titles matched
/// and the evidence retrieval found for it.
#[derive(Debug, Clone, Default)]
pub struct CandidateHit {
    pub ord: u64,
    pub matched_terms: Vec<String>,
    pub retrieval: Retrieval,
}

#[derive(Debug, Clone, Default)]
pub struct CandidatesResult {
    pub candidates: Vec<CandidateHit>,
    pub unmatched_products: Vec<String>,
    pub expanded_terms: Vec<String>,
}

/// Most candidates added for the company they keep in regulations, besides
/// the lines the industry's regulations name.
const MAX_COCITED: usize = 40;

/// A line brought in at least this strongly brings its own linked lines …
const SECOND_HOP_FROM: f32 = 0.3;
/// … at this fraction of its strength times the link's confidence.
const SECOND_HOP_WEIGHT: f32 = 0.4;

/// How strongly an industry key brings the lines regulations name for the
/// industry in a market, against 0.5–1 for a candidate standard.
const INDUSTRY_WEIGHT: f32 = 1.0;

/// How strongly the lines regulations name for the enterprise's industry in
/// its markets (`stdnav_core::regulation`) are brought, times their weight.
const REGULATION_WEIGHT: f32 = 0.6;

/// The lines regulations name for the enterprise in `markets` (its own, with
/// the EU for one selling beyond the EU and not in it): for its
/// industry (class, group, division; `NamedByRegulation::for_industries`)
/// and for the kinds of product it names, a kind's line counting fully, as a
/// class's does — each line at its strongest. A kind whose names carry a
/// qualifier the product contradicts (gas against electric) is not the
/// product's, nor one a longer name of another kind holds ("truck" in
/// "forklift truck": `most_specific_kinds`). Also each product-named
/// line's product, in the enterprise's words, and the weight its strongest
/// kind gives it; and the products that name no kind there, or only kinds
/// whose lines are none of them `catalogued` (an EU kind naming EN-only
/// standards finds nothing, and leaves the product as bare as no kind).
fn named_lines<'t, 'p>(
    table: &'t NamedByRegulation,
    p: &'p CandidateQuery,
    markets: &[String],
    catalogued: impl Fn(&str) -> bool,
) -> NamedLines<'t, 'p> {
    let mut named = NamedLines {
        lines: table.for_industries(&p.industries, markets),
        named_for: HashMap::new(),
        kindless: Vec::new(),
    };
    // Each kind the enterprise's products name, with the first product
    // (in the enterprise's order) that names it, in the file's order.
    let mut kinds: Vec<(usize, &ProductRule, &str)> = Vec::new();
    let mut kinds_by_product = Vec::with_capacity(p.products.len());
    for name in &p.products {
        let mut names_a_line = false;
        for reading in ProductName::readings(name).all() {
            let (product, found, surety) = kinds_of_name_or_head(table, reading, markets);
            names_a_line |= found
                .iter()
                .any(|(_, rule)| rule.lines.iter().any(|(line, _)| catalogued(line)));
            for &(k, rule) in &found {
                if kinds.iter().all(|(seen, _, _)| *seen != k) {
                    kinds.push((k, rule, name.as_str()));
                }
            }
            kinds_by_product.push(KindsOfName::new(&product, &found, surety));
        }
        if !names_a_line {
            named.kindless.push(name.as_str());
        }
    }
    kinds.sort_by_key(|(k, _, _)| *k);
    for (k, rule, product) in kinds {
        for (position, (line, weight)) in rule.lines.iter().enumerate() {
            // As surely as the most specific product naming the kind says.
            let share = kinds_by_product
                .iter()
                .filter(|of_name| of_name.kinds.contains(&k))
                .map(|of_name| of_name.share_of_kinds_naming(line))
                .fold(0.0, f32::max);
            named.add(line, weight * share, product, centrality(position));
        }
    }
    named
}

/// How central a kind's line is by its place in the kind's list: the file's
/// writers list a kind's principal standards first (GB 7258 and the crash,
/// emission and fuel-consumption rules before the forty other type-approval
/// lines of a passenger car), so among the many lines a kind names at 1.0 the
/// first count fully and the twentieth and later at half.
fn centrality(position: usize) -> f32 {
    1.0 - 0.5 * position.min(CENTRAL_SPAN) as f32 / CENTRAL_SPAN as f32
}

/// The places over which [`centrality`] falls to half.
const CENTRAL_SPAN: usize = 20;

/// How many kinds a product name may name before it reads as the name of a
/// family rather than of one kind (变压器 for a dozen kinds of transformer).
const FAMILY_KINDS: usize = 3;

/// The kinds one product name names and, for the name of a family — of
/// [`FAMILY_KINDS`] kinds or more, or a broader name of two (轮椅 for the
/// manual and the electric wheelchair) — how many of them name each line.
struct KindsOfName<'t> {
    kinds: Vec<usize>,
    family: Option<HashMap<&'t str, usize>>,
    /// 1 for kinds the name names, [`HEAD_SURETY`] for kinds only its head
    /// names.
    surety: f32,
}

/// How surely kinds that only a name's head names are the product's
/// ("tyres" for "TBR tyres"): a kind of its kind, not it.
const HEAD_SURETY: f32 = 0.5;

impl<'t> KindsOfName<'t> {
    fn new(product: &ProductName, found: &[(usize, &'t ProductRule)], surety: f32) -> Self {
        let is_family = found.len() >= FAMILY_KINDS
            || (found.len() >= 2 && found.iter().all(|(_, rule)| !rule.named_within(product)));
        let family = is_family.then(|| {
            let mut naming: HashMap<&str, usize> = HashMap::new();
            for (_, rule) in found {
                let lines: HashSet<&str> = rule.lines.iter().map(|(l, _)| l.as_str()).collect();
                for line in lines {
                    *naming.entry(line).or_default() += 1;
                }
            }
            naming
        });
        Self {
            kinds: found.iter().map(|(k, _)| *k).collect(),
            family,
            surety,
        }
    }

    /// How surely a line applies to a product of these kinds: for a family's
    /// name, the share of its kinds naming the line (the general part every
    /// kind of transformer names holds, a toy transformer's particular part
    /// is one kind's of twelve); otherwise fully.
    fn share_of_kinds_naming(&self, line: &str) -> f32 {
        self.surety
            * match &self.family {
                None => 1.0,
                Some(naming) => {
                    naming.get(line).copied().unwrap_or(0) as f32 / self.kinds.len() as f32
                }
            }
    }
}

/// What [`named_lines`] finds: the lines with their values, each
/// product-named line's product and weight, and the products that name no
/// kind.
struct NamedLines<'t, 'p> {
    lines: Vec<(&'t str, f32)>,
    named_for: HashMap<&'t str, NamedFor<'p>>,
    kindless: Vec<&'p str>,
}

impl<'t, 'p> NamedLines<'t, 'p> {
    /// A line a kind of `product` names, at its strongest; as the
    /// product's own line (`NamedFor::weight`), also as central to the kind
    /// as its place in the kind's list says ([`centrality`]).
    fn add(&mut self, line: &'t str, weight: f32, product: &'p str, centrality: f32) {
        match self.lines.iter_mut().find(|(l, _)| *l == line) {
            Some(entry) => entry.1 = entry.1.max(weight),
            None => self.lines.push((line, weight)),
        }
        let entry = self.named_for.entry(line).or_insert(NamedFor {
            product,
            weight: 0.0,
        });
        entry.weight = entry.weight.max(weight * centrality);
    }
}

/// The kinds of product of these markets' regimes a product name names: not
/// one whose names carry a qualifier the product contradicts (gas against
/// electric), nor one a longer name of another kind holds ("truck" in
/// "forklift truck": `most_specific_kinds`).
fn kinds_of<'t>(
    table: &'t NamedByRegulation,
    product: &ProductName,
    markets: &[String],
) -> Vec<(usize, &'t ProductRule)> {
    kinds_qualified_by(table, product, product, markets)
}

/// The kinds `name` names, less those whose qualifier `whole`, the full
/// product name `name` is or ends, contradicts.
fn kinds_qualified_by<'t>(
    table: &'t NamedByRegulation,
    name: &ProductName,
    whole: &ProductName,
    markets: &[String],
) -> Vec<(usize, &'t ProductRule)> {
    let named: Vec<(usize, &ProductRule)> = table
        .kinds_named_by(name, markets)
        .into_iter()
        .filter(|(_, rule)| !conflicting_qualifier(whole.text(), rule.wording()))
        .collect();
    most_specific_kinds(name, named)
}

/// The kinds a product name names or, where it names none, the kinds the
/// longest of its heads naming some names (`ProductName::heads`: "sterile
/// single-use syringes" as syringes, 道路交通信号灯 as 交通信号灯), with the
/// name that named them and how surely they are the product's (1, or
/// [`HEAD_SURETY`] for a head's). The whole name still rules out a kind
/// whose qualifier it contradicts.
fn kinds_of_name_or_head<'t>(
    table: &'t NamedByRegulation,
    product: ProductName,
    markets: &[String],
) -> (ProductName, Vec<(usize, &'t ProductRule)>, f32) {
    let found = kinds_of(table, &product, markets);
    if !found.is_empty() {
        return (product, found, 1.0);
    }
    for head in product.heads() {
        let found = kinds_qualified_by(table, &head, &product, markets);
        if !found.is_empty() {
            return (head, found, HEAD_SURETY);
        }
    }
    (product, Vec::new(), 1.0)
}

/// How much a line counts that the other regime's regulation names for the
/// product, where the enterprise's own markets name no kind of it, through
/// the standard adopted (China's GB for an infusion pump names IEC 60601-2-24
/// as GB 9706.224): another market's rule, not this one's.
const OTHER_REGIME_WEIGHT: f32 = 0.6;

/// What [`Snapshot::add_cocited`] links the candidates to besides the
/// company they keep: the industry keys, the lines the industry's and the
/// products' regulations name, and for which product.
struct Links<'a> {
    industry_keys: &'a [String],
    regulation: &'a [(&'a str, f32)],
    named_for: &'a HashMap<&'a str, NamedFor<'a>>,
    /// Only international lines are linked (`EuLines::International`),
    /// and China's own when the enterprise sells there.
    international_only: bool,
    china: bool,
}

/// A line a kind of product names: the first of the enterprise's products
/// (in its order) naming the kind, and the strongest kind's weight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NamedFor<'p> {
    product: &'p str,
    weight: f32,
}

/// `IEC 60335-2-40` → `IEC 60335-1`: the general part of a particular part.
fn general_part_base(id: &str) -> Option<String> {
    let code = StdCode::parse(id).ok()?;
    let base = code.base();
    let (prefix, number) = base.rsplit_once(' ')?;
    let mut parts = number.split('-');
    let series = parts.next()?;
    if parts.next()? == "2" && parts.next().is_some() {
        Some(format!("{prefix} {series}-1"))
    } else {
        None
    }
}

/// The levels a Chinese code has (`StdCode::level`): industry, local, group
/// and enterprise are Chinese only; national is also the level of a foreign
/// national body's code (DIN, BS …), which the catalogues read today do not
/// hold — were one ingested, an enterprise abroad would not be matched
/// against it either.
const CHINESE_LEVELS: [Level; 5] = [
    Level::National,
    Level::Industry,
    Level::Local,
    Level::Group,
    Level::Enterprise,
];

impl Snapshot {
    pub fn candidates(&self, p: &CandidateQuery) -> Result<CandidatesResult, StandardsError> {
        let f = self.fields;
        let limit = if p.limit == 0 {
            200
        } else {
            (p.limit as usize).min(MAX_CANDIDATES)
        };
        let regimes = Regimes::of(&p.markets);
        let (china, eu) = (regimes.china, regimes.eu);
        let mut ics_groups: Vec<String> = p.ics_groups.clone();
        let reference = Reference::get();
        for industry in &p.industries {
            for ics in reference.ics_for_industry(industry) {
                if !ics_groups.contains(&ics) {
                    ics_groups.push(ics);
                }
            }
        }
        let ics_boost: Vec<(Occur, Box<dyn Query>)> = ics_groups
            .iter()
            .filter(|g| is_ics_code(g))
            .map(|g| (Occur::Should, boosted(term_query(f.ics, g), 0.5)))
            .collect();

        let mut found: HashMap<u64, CandidateHit> = HashMap::new();
        let mut unmatched = Vec::new();
        let mut expanded: Vec<String> = Vec::new();
        let searcher = self.searcher();
        let per_product = (limit * 2 / p.products.len().max(1)).clamp(20, 150);
        for product in &p.products {
            let key = (product.clone(), ics_groups.clone(), per_product, china);
            let hits = match self.product_hits.get(&key) {
                Some(hits) => hits,
                None => {
                    let hits = Arc::new(self.product_hits(
                        &searcher,
                        product,
                        &ics_boost,
                        per_product,
                        china,
                    )?);
                    self.product_hits.insert(key, hits.clone());
                    hits
                }
            };
            for t in &hits.expanded {
                if !expanded.contains(t) {
                    expanded.push(t.clone());
                }
            }
            if hits.kept.is_empty() {
                unmatched.push(product.clone());
                continue;
            }
            let best = hits.best;
            for h in &hits.kept {
                let entry = found.entry(h.ord).or_insert_with(|| CandidateHit {
                    ord: h.ord,
                    ..Default::default()
                });
                entry.retrieval.text_score = entry.retrieval.text_score.max(h.score);
                let strength = if best > 0.0 { h.score / best } else { 0.0 };
                // The product the title is most about first: a reason names
                // it ("applies to 冷柜", not the enterprise's first product).
                if strength > entry.retrieval.match_strength {
                    entry.retrieval.match_strength = strength;
                    entry.retrieval.matched_products.insert(0, product.clone());
                } else {
                    entry.retrieval.matched_products.push(product.clone());
                }
                for t in &h.matched_terms {
                    if !entry.matched_terms.contains(t) {
                        entry.matched_terms.push(t.clone());
                    }
                }
            }
        }

        // Mandatory national standards of the industry's ICS groups (China).
        if china && !ics_groups.is_empty() {
            for &ord in self.mandatory_of(&searcher, &ics_groups)?.iter() {
                found.entry(ord).or_insert_with(|| CandidateHit {
                    ord,
                    ..Default::default()
                });
            }
        }

        // Management systems every enterprise is offered.
        for base in stdnav_core::management::offered(china) {
            if let Some(s) = self.catalogue.latest_of(base)
                && s.status == Status::Current
                && let Some(ord) = self.ord_of(&s.id)
            {
                found.entry(ord).or_insert_with(|| CandidateHit {
                    ord,
                    matched_terms: vec!["management system".into()],
                    ..Default::default()
                });
            }
        }

        // Keep the best by text relevance, then add what they reference:
        // normative references and the general part of a particular part.
        let mut list: Vec<CandidateHit> = found.into_values().collect();
        list.sort_by(|a, b| {
            b.retrieval
                .text_score
                .partial_cmp(&a.retrieval.text_score)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.ord.cmp(&b.ord))
        });
        list.truncate(limit);
        let mut have: HashSet<u64> = list.iter().map(|c| c.ord).collect();
        let mut referenced = Vec::new();
        for c in &list {
            let Some(s) = self.record(c.ord) else {
                continue;
            };
            for &ord in self.references_in_force(c.ord).iter() {
                if have.insert(ord) {
                    referenced.push(CandidateHit {
                        ord,
                        retrieval: Retrieval {
                            text_score: c.retrieval.text_score * 0.5,
                            matched_products: c.retrieval.matched_products.clone(),
                            referenced_by: s.id.clone(),
                            ..Default::default()
                        },
                        ..Default::default()
                    });
                }
            }
        }
        list.extend(referenced);
        // Selling beyond the EU and not in it, the enterprise is offered
        // what the EU's regulations name (`Regimes::eu_lines_abroad`),
        // beside China's own when it sells there too.
        let abroad = regimes.eu_lines_abroad();
        let rule_markets: Cow<'_, [String]> = match abroad {
            Some(_) => {
                let mut markets = regimes.regulated();
                markets.push("EU".to_string());
                Cow::Owned(markets)
            }
            None => Cow::Borrowed(&p.markets),
        };
        let industry_keys = stdnav_core::cocited::industry_keys(&p.industries, &rule_markets);
        let table = NamedByRegulation::get();
        let mut named = named_lines(table, p, &rule_markets, |line| {
            self.catalogue.in_force_of_line(line).is_some()
        });
        self.add_other_regime_lines(table, &mut named, &rule_markets);
        let NamedLines {
            lines: regulation,
            named_for,
            ..
        } = named;
        self.add_cocited(
            &mut list,
            &mut have,
            Links {
                industry_keys: &industry_keys,
                regulation: &regulation,
                named_for: &named_for,
                international_only: abroad == Some(EuLines::International),
                china,
            },
        );
        self.add_series(&mut list, &mut have);

        for c in &mut list {
            if let Some(s) = self.record(c.ord) {
                c.retrieval.ics_match_depth = stdnav_core::ics::match_depth(&s.ics, &ics_groups);
                c.retrieval.mandatory_in_market =
                    (china && s.nature == Nature::Mandatory && s.level == Level::National)
                        || (eu && s.keywords.iter().any(|k| k == "Harmonised Standard"));
            }
        }
        Ok(CandidatesResult {
            candidates: list,
            unmatched_products: unmatched,
            expanded_terms: expanded,
        })
    }

    /// For products no kind of the enterprise's regimes names, the lines a
    /// kind of the other regime names, as the standards of this one they
    /// are adopted as or adopt (identical or modified), at
    /// [`OTHER_REGIME_WEIGHT`]: for a market beyond China the international
    /// standard a GB adopts, for China the GB adopting an international
    /// one. Each stands for the product whose kind named it.
    fn add_other_regime_lines<'s, 'p>(
        &'s self,
        table: &NamedByRegulation,
        named: &mut NamedLines<'s, 'p>,
        markets: &[String],
    ) {
        let regimes = Regimes::of(markets);
        let (other, to_china) = match (regimes.china, regimes.eu) {
            (true, false) => ("EU", true),
            (false, true) => ("CN", false),
            _ => return,
        };
        let other = [other.to_string()];
        for name in std::mem::take(&mut named.kindless) {
            let readings = ProductName::readings(name).all();
            let found = readings
                .into_iter()
                .flat_map(|reading| kinds_of_name_or_head(table, reading, &other).1);
            for (_, rule) in found {
                for (line, weight) in &rule.lines {
                    for equivalent in self.equivalent_lines(line, to_china) {
                        named.add(equivalent, weight * OTHER_REGIME_WEIGHT, name, 1.0);
                    }
                }
            }
        }
    }

    /// The lines of the other regime a line stands for: the GB in force
    /// adopting an international or regional line (`to_china`), or the
    /// international standard in force a GB in force adopts identically or
    /// modified.
    fn equivalent_lines(&self, line: &str, to_china: bool) -> Vec<&str> {
        if to_china {
            return self
                .national_adopters
                .of(line)
                .iter()
                .map(|&ord| self.catalogue.line_at(ord as usize))
                .collect();
        }
        let Some(gb) = self.catalogue.in_force_of_line(line) else {
            return Vec::new();
        };
        gb.adopts
            .iter()
            .filter(|a| matches!(a.degree, Some(AdoptionDegree::Idt | AdoptionDegree::Mod)))
            .filter_map(|a| {
                let adopted = self
                    .catalogue
                    .in_force_of_line(&self.catalogue.line_of(&a.id))?;
                Some(
                    self.catalogue
                        .line_at(self.catalogue.position(&adopted.id)?),
                )
            })
            .collect()
    }

    /// Standards regulations name together with the candidates, and for the
    /// enterprise's industry in its markets (`stdnav_core::cocited`): each
    /// in-force edition of a linked line combines (noisy-or) `confidence ×
    /// weight` over its links, and strongly brought lines bring theirs one
    /// hop further, damped — a candidate weighs `0.5 + 0.5 × match
    /// strength` (a reference counts with its referrer's strength), an
    /// industry key [`INDUSTRY_WEIGHT`], a line the industry's regulations
    /// name [`REGULATION_WEIGHT`] times its value — and those not yet
    /// candidates are added (every line the regulations name, at most
    /// [`MAX_COCITED`] others), carrying the products of the standard that
    /// brought them.
    fn add_cocited(&self, list: &mut Vec<CandidateHit>, have: &mut HashSet<u64>, links: Links<'_>) {
        let Links {
            industry_keys,
            regulation,
            named_for,
            international_only,
            china,
        } = links;
        let table = CoCited::get();
        if table.is_empty() && regulation.is_empty() {
            return;
        }
        // A general part or normative reference stands for the product its
        // referrer matched (IEC 60335-1 for the heat pump of IEC 60335-2-40).
        let matched: HashMap<&str, f32> = list
            .iter()
            .filter(|c| c.retrieval.match_strength > 0.0)
            .filter_map(|c| Some((self.record(c.ord)?.id.as_str(), c.retrieval.match_strength)))
            .collect();
        // Per edition: the combined value, the candidate of its strongest
        // link (none for an industry key) and that link's value.
        let mut strength = HashMap::new();
        type Strengths = HashMap<u64, (f32, Option<usize>, f32)>;
        // Links `line`'s edition in force; gives its ord (None: no such edition).
        let link = |strength: &mut Strengths,
                    line: &str,
                    value: f32,
                    from: Option<usize>|
         -> Option<u64> {
            let edition = self.catalogue.in_force_of_line(line)?;
            if international_only
                && edition.level != Level::International
                && !(china && CHINESE_LEVELS.contains(&edition.level))
            {
                return None;
            }
            let ord = self.ord_of(&edition.id)?;
            // Several links to one line are several regulations' worth of
            // evidence: combined as independent ones (noisy-or), the
            // strongest link's candidate kept as the one that brought it.
            let entry = strength.entry(ord).or_insert((0.0, from, 0.0));
            entry.0 = 1.0 - (1.0 - entry.0) * (1.0 - value.clamp(0.0, 1.0));
            if value > entry.2 {
                entry.1 = from;
                entry.2 = value;
            }
            Some(ord)
        };
        for (i, c) in list.iter().enumerate() {
            let trigger = matched
                .get(c.retrieval.referenced_by.as_str())
                .map_or(c.retrieval.match_strength, |m| {
                    m.max(c.retrieval.match_strength)
                });
            // Any candidate brings its company (a contaminants standard found
            // through the food ICS group brings the others); one its product
            // names, twice as strongly as one found otherwise.
            let weight = 0.5 + 0.5 * trigger.clamp(0.0, 1.0);
            for (line, confidence) in table.of(self.catalogue.line_at(c.ord as usize)) {
                link(&mut strength, line, confidence * weight, Some(i));
            }
        }
        for key in industry_keys {
            for (line, confidence) in table.of(key) {
                link(&mut strength, line, confidence * INDUSTRY_WEIGHT, None);
            }
        }
        let mut named: HashMap<u64, f32> = HashMap::new();
        for (line, weight) in regulation {
            if let Some(ord) = link(&mut strength, line, weight * REGULATION_WEIGHT, None) {
                let best = named.entry(ord).or_insert(0.0);
                *best = best.max(*weight);
            }
        }
        // One hop further: a line brought in strongly (a horizontal the
        // industry's regulations name) brings its own company, damped.
        let mut first_hop: Vec<(u64, f32, Option<usize>)> = strength
            .iter()
            .filter(|(_, (value, _, _))| *value >= SECOND_HOP_FROM)
            .map(|(ord, (value, from, _))| (*ord, *value, *from))
            .collect();
        // In a fixed order: noisy-or is exact only without rounding, so
        // the map's order would change the last bits from call to call.
        first_hop.sort_unstable_by_key(|(ord, _, _)| *ord);
        for (ord, value, from) in first_hop {
            for (line, confidence) in table.of(self.catalogue.line_at(ord as usize)) {
                link(
                    &mut strength,
                    line,
                    value * confidence * SECOND_HOP_WEIGHT,
                    from,
                );
            }
        }
        // Only an edition the regulations name (the line's in force) has
        // its kind's weight, as only it has `regulation`.
        let kind_weight = |ord: u64| {
            if !named.contains_key(&ord) {
                return 0.0;
            }
            named_for
                .get(self.catalogue.line_at(ord as usize))
                .map_or(0.0, |n| n.weight)
        };
        for c in list.iter_mut() {
            if let Some((value, _, _)) = strength.get(&c.ord) {
                c.retrieval.cocitation = *value;
            }
            c.retrieval.regulation = named.get(&c.ord).copied().unwrap_or(0.0);
            c.retrieval.product_kind = kind_weight(c.ord);
        }
        let mut added: Vec<(u64, f32, Option<usize>)> = strength
            .into_iter()
            .filter(|(ord, _)| !have.contains(ord))
            .map(|(ord, (value, from, _))| (ord, value, from))
            .collect();
        // What the industry's regulations name always comes in (a few dozen
        // lines at most); the company others keep, the strongest first.
        added.sort_by(|a, b| {
            let named_a = named.contains_key(&a.0);
            let named_b = named.contains_key(&b.0);
            named_b
                .cmp(&named_a)
                .then(b.1.total_cmp(&a.1))
                .then(a.0.cmp(&b.0))
        });
        let keep = added.iter().filter(|a| named.contains_key(&a.0)).count() + MAX_COCITED;
        added.truncate(keep);
        for (ord, value, from) in added {
            have.insert(ord);
            // A line named for a kind of product the enterprise makes stands
            // for that product; else for the products of what brought it.
            let named_product = named_for.get(self.catalogue.line_at(ord as usize));
            let matched_products = match (named_product, from) {
                (Some(named), _) => vec![named.product.to_string()],
                (None, Some(i)) => list[i].retrieval.matched_products.clone(),
                (None, None) => Vec::new(),
            };
            list.push(CandidateHit {
                ord,
                retrieval: Retrieval {
                    matched_products,
                    cocitation: value,
                    regulation: named.get(&ord).copied().unwrap_or(0.0),
                    product_kind: kind_weight(ord),
                    ..Default::default()
                },
                ..Default::default()
            });
        }
    }

    /// The mandatory national standards in force of ICS groups (at most
    /// 100, best first), searched once per set of groups.
    fn mandatory_of(
        &self,
        searcher: &tantivy::Searcher,
        ics_groups: &[String],
    ) -> Result<Arc<[u64]>, StandardsError> {
        if let Some(hits) = self.mandatory_hits.get(ics_groups) {
            return Ok(hits);
        }
        let f = self.fields;
        let groups: Vec<String> = ics_groups
            .iter()
            .filter(|g| is_ics_code(g))
            .cloned()
            .collect();
        let ords: Arc<[u64]> = if groups.is_empty() {
            Arc::from([])
        } else {
            let q = BooleanQuery::new(vec![
                (Occur::Must, any_of(f.ics, groups)),
                (
                    Occur::Must,
                    term_query(f.nature, nature_str(Nature::Mandatory)),
                ),
                (Occur::Must, term_query(f.level, level_str(Level::National))),
                (
                    Occur::Must,
                    any_of(
                        f.status,
                        [Status::Current, Status::Upcoming].map(|s| status_str(s).into()),
                    ),
                ),
            ]);
            let top = searcher
                .search(&q, &TopDocs::with_limit(100).order_by_score())
                .map_err(StandardsError::index)?;
            self.hits(searcher, top)?.iter().map(|h| h.ord).collect()
        };
        self.mandatory_hits
            .insert(ics_groups.to_vec(), ords.clone());
        Ok(ords)
    }

    /// One product's retrieval (see [`Snapshot::candidates`]): its words in
    /// force, boosted by the enterprise's ICS groups; only hits reasonably
    /// close to the best are kept. For an enterprise not selling in China
    /// (`china` false) China's national, industry, local and group standards
    /// are out of its markets and not searched: a Chinese title matching a
    /// Chinese product name would otherwise set the best score that the
    /// international standards' strength is measured against, and cut them.
    /// Their Chinese titles still lead a Chinese name to the international
    /// standards they adopt.
    fn product_hits(
        &self,
        searcher: &tantivy::Searcher,
        product: &str,
        ics_boost: &[(Occur, Box<dyn Query>)],
        per_product: usize,
        china: bool,
    ) -> Result<ProductHits, StandardsError> {
        let f = self.fields;
        let (parts, terms, _) = self.text_parts(product);
        let words = self.product_words(searcher, &parts);
        let mut text = parts.into_clauses();
        if !china {
            text.extend(self.adopters_clauses(product));
        }
        let mut out = ProductHits {
            expanded: text::expand(product, Reference::get()).en,
            ..Default::default()
        };
        if text.is_empty() {
            return Ok(out);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(text))),
            (
                Occur::Must,
                any_of(
                    f.status,
                    [Status::Current, Status::Upcoming].map(|s| status_str(s).into()),
                ),
            ),
        ];
        if !china {
            clauses.push((
                Occur::MustNot,
                any_of(f.level, CHINESE_LEVELS.map(|l| level_str(l).into())),
            ));
        }
        clauses.extend(ics_boost.iter().map(|(o, q)| (*o, q.box_clone())));
        let q = BooleanQuery::new(clauses);
        let top = searcher
            .search_with_statistics_provider(
                &q,
                &TopDocs::with_limit(per_product).order_by_score(),
                &QueryStats::new(self, Vec::new()),
            )
            .map_err(StandardsError::index)?;
        // A title whose qualifier contradicts the product's (a gas water
        // heater and electric storage water heaters), that names a niche
        // application the product does not (oil-well cements for cement) or
        // that shares only generic words with it (food safety for a safety
        // belt) shares words with it but is not about it.
        let product_lower = product.to_lowercase();
        // Each hit with its titles, lower case, read once for the qualifier
        // check and the matched terms.
        let mut generic_only: HashSet<u64> = HashSet::new();
        let mut hits: Vec<(Hit, String)> = self
            .hits(searcher, top)?
            .into_iter()
            .map(|mut h| {
                let record = self.record(h.ord);
                let title = self.titles_lower(record);
                h.score *= qualifier_factor(&product_lower, &title);
                if record.is_some_and(|s| self.shares_only_generic_words(&words, s)) {
                    h.score *= GENERIC_ONLY;
                    generic_only.insert(h.ord);
                }
                (h, title)
            })
            .collect();
        // Titles sharing only generic words go when any title shares a
        // specific one: 安全 with its expansion "safety" can outscore 座椅
        // for a 安全座椅 even at a fifth.
        if hits.iter().any(|(h, _)| !generic_only.contains(&h.ord)) {
            hits.retain(|(h, _)| !generic_only.contains(&h.ord));
        }
        if china {
            self.add_national_adopters(&mut hits);
        }
        hits.sort_by(|(a, _), (b, _)| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
        // A product word that also appears in unrelated titles should not
        // drag in the whole catalogue.
        out.best = hits.first().map(|(h, _)| h.score).unwrap_or(0.0);
        let best = out.best;
        out.kept = hits
            .into_iter()
            .filter(|(h, _)| h.score >= best * 0.25)
            .map(|(h, title)| {
                let mut matched_terms: Vec<String> = Vec::new();
                for t in &terms {
                    if title.contains(t.as_str()) && !matched_terms.contains(t) {
                        matched_terms.push(t.clone());
                    }
                }
                ProductHit {
                    ord: h.ord,
                    score: h.score,
                    matched_terms,
                }
            })
            .collect();
        Ok(out)
    }

    /// A hit's Chinese and English titles in lower case, for the qualifier
    /// check and the matched terms.
    pub(super) fn titles_lower(&self, record: Option<&Standard>) -> String {
        record
            .map(|s| format!("{} {}", s.title_zh, s.title_en).to_lowercase())
            .unwrap_or_default()
    }

    /// The current editions a record references normatively, and the
    /// general part of a particular part, in force; computed once per record.
    fn references_in_force(&self, ord: u64) -> Arc<[u64]> {
        if let Some(refs) = self.references.get(&ord) {
            return refs;
        }
        let mut refs: Vec<String> = Vec::new();
        if let Some(s) = self.record(ord) {
            refs.extend(s.normative_refs.iter().filter_map(|r| {
                let path = self.catalogue.path_to_current(r);
                path.last().cloned()
            }));
            if let Some(general) = general_part_base(&s.id)
                && let Some(g) = self.catalogue.latest_of(&general)
            {
                refs.push(g.id.clone());
            }
        }
        let ords: Arc<[u64]> = refs
            .iter()
            .filter_map(|r| self.ord_of(r))
            .filter(|o| self.record(*o).is_none_or(|x| x.status == Status::Current))
            .collect();
        self.references.insert(ord, ords.clone());
        ords
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_codes_and_general_parts() {
        assert_eq!(
            general_part_base("IEC 60335-2-40:2022").as_deref(),
            Some("IEC 60335-1")
        );
        assert_eq!(general_part_base("IEC 60335-1:2020"), None);
        assert!(is_ics_code("97.040.30") && is_ics_code("97") && !is_ics_code("9a"));
    }

    #[test]
    fn a_product_kind_brings_its_own_lines_and_not_a_contradicting_kinds() {
        let table = NamedByRegulation::get();
        let has = |lines: &[(&str, f32)], line: &str| lines.iter().any(|(l, _)| *l == line);

        let gas = query(&["燃气热水器"], &["CN"]);
        let NamedLines {
            lines, named_for, ..
        } = named_lines(table, &gas, &gas.markets, |_| true);
        assert!(has(&lines, "GB 6932") && !has(&lines, "GB 4706.12"));
        assert_eq!(
            named_for.get("GB 6932").map(|n| n.product),
            Some("燃气热水器")
        );
        assert!(named_for["GB 6932"].weight > 0.0);

        let gas_en = query(&["Gas storage water heaters"], &["CN"]);
        let NamedLines {
            lines, named_for, ..
        } = named_lines(table, &gas_en, &gas_en.markets, |_| true);
        assert!(has(&lines, "GB 6932") && !has(&lines, "GB 4706.12"));
        assert_eq!(
            named_for.get("GB 6932").map(|n| n.product),
            Some("Gas storage water heaters")
        );

        // A forklift truck is not a road truck: the longer kind's name wins.
        let forklift = query(&["forklift truck"], &["CN"]);
        let NamedLines {
            lines, named_for, ..
        } = named_lines(table, &forklift, &forklift.markets, |_| true);
        assert!(has(&lines, "GB/T 10827.1") && !has(&lines, "GB 7258"));
        assert_eq!(named_for["GB/T 10827.1"].weight, 1.0);

        let electric = query(&["电热水器"], &["CN"]);
        let NamedLines { lines, .. } = named_lines(table, &electric, &electric.markets, |_| true);
        assert!(has(&lines, "GB 4706.12") && !has(&lines, "GB 6932"));

        // A kind whose names say the niche it is in (医用, "medical") is the
        // product's though the enterprise's name does not repeat it.
        let thermometer = query(&["clinical thermometer"], &["EU"]);
        let NamedLines { lines, .. } =
            named_lines(table, &thermometer, &thermometer.markets, |_| true);
        assert!(has(&lines, "ISO 80601-2-56"));

        // Only the regimes of the enterprise's markets.
        let elsewhere = query(&["燃气热水器"], &["US"]);
        let NamedLines {
            lines, named_for, ..
        } = named_lines(table, &elsewhere, &elsewhere.markets, |_| true);
        assert!(lines.is_empty() && named_for.is_empty());
    }

    fn query(products: &[&str], markets: &[&str]) -> CandidateQuery {
        CandidateQuery {
            products: products.iter().map(|p| p.to_string()).collect(),
            markets: markets.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        }
    }

    fn weight_of(lines: &[(&str, f32)], line: &str) -> Option<f32> {
        lines.iter().find(|(l, _)| *l == line).map(|(_, w)| *w)
    }

    /// The weight at which the kinds of `products` in `markets` bring `line`.
    fn named_weight(products: &[&str], markets: &[&str], line: &str) -> Option<f32> {
        let p = query(products, markets);
        let named = named_lines(NamedByRegulation::get(), &p, &p.markets, |_| true);
        weight_of(&named.lines, line)
    }

    #[test]
    fn a_family_name_weighs_a_line_by_the_share_of_its_kinds_naming_it() {
        // 变压器 names every kind of transformer, a toy transformer only one.
        let particular = "IEC 61558-2-7";
        let (of_family, of_toy) = (
            named_weight(&["变压器"], &["EU"], particular).expect("the family brings the toy part"),
            named_weight(&["玩具变压器"], &["EU"], particular)
                .expect("the toy kind names its part"),
        );
        assert!(of_family < 0.5 * of_toy, "{of_family} against {of_toy}");
        // The general part most kinds of transformer name keeps more.
        let general = named_weight(&["变压器"], &["EU"], "IEC 61558-1").expect("general part");
        assert!(general > of_family, "{general} against {of_family}");
        // A specific name alongside the family name counts fully.
        let both = named_weight(&["变压器", "玩具变压器"], &["EU"], particular);
        assert_eq!(both, Some(of_toy));
    }

    #[test]
    fn a_name_broader_than_two_kinds_weighs_a_line_by_their_share() {
        // 轮椅 is the manual and the electric wheelchair kinds' broader name.
        let particular = "GB/T 12996";
        let (of_broad, of_electric) = (
            named_weight(&["轮椅"], &["CN"], particular)
                .expect("the broad name brings the electric kind"),
            named_weight(&["电动轮椅"], &["CN"], particular)
                .expect("the electric kind names its standard"),
        );
        assert!(of_broad < of_electric, "{of_broad} against {of_electric}");
        // A line both kinds name keeps its weight.
        assert!(named_weight(&["轮椅"], &["CN"], "GB/T 18029.1") > Some(0.0));
    }

    #[test]
    fn a_product_whose_kinds_name_nothing_catalogued_names_no_kind() {
        let table = NamedByRegulation::get();
        let lift = query(&["passenger lift"], &["EU"]);
        let named = named_lines(table, &lift, &lift.markets, |_| true);
        assert!(named.kindless.is_empty() && !named.named_for.is_empty());
        // The same kind, in a catalogue holding none of its lines, leaves
        // the product bare: the other regime's kind may stand in.
        let named = named_lines(table, &lift, &lift.markets, |_| false);
        assert_eq!(named.kindless, vec!["passenger lift"]);
    }
}
