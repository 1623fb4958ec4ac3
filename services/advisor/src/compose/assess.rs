//! Must, should, upgrades and gaps: which candidates an enterprise must
//! adopt, which it should, which held editions it should upgrade.

use stdnav_core::reason::Reason;
use stdnav_core::regulation::{NamedByRegulation, ProductName};
use stdnav_core::standard::{AdoptionDegree, Level, Status};

use crate::solution::*;

use super::{
    CandidateInfo, HashSet, HeldInfo, Inputs, Scored, StandardInfo, indicator_gap, line_of,
};

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

/// Must, should, upgrades and gaps, without the roadmap and the maturity
/// score (benchmarking needs no more).
pub fn assess(input: &Inputs) -> Solution {
    let e = input.enterprise;
    let (must, must_ids) = must_items(input);
    let should = should_items(input, &must_ids);
    let (upgrades, edition) = upgrades(input);
    let gaps = Gaps {
        edition,
        alignment: alignment_gaps(input),
        portfolio: portfolio_gaps(input, &must, &should),
        indicators: indicator_gaps(input),
        coverage_percentile: input.peers.coverage_percentile,
        peer_group_size: input.peers.size,
        peer_basis: input
            .peers
            .basis
            .as_ref()
            .map(|b| format!("{} {}", b.level.name(), b.code))
            .unwrap_or_default(),
    };
    Solution {
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        unmatched_products: input.unmatched_products.to_vec(),
        unknown_held: input
            .held
            .iter()
            .filter(|h| h.standard.is_none())
            .map(|h| h.input.clone())
            .collect(),
        must,
        should,
        upgrades,
        gaps,
        ..Default::default()
    }
}

/// The least kind weight that says a regulation names the line for the
/// product's own kind. Below it the weight is a share of a family of kinds
/// the name's head names (食品 of 方便食品 names every kind of food, and
/// 饼干's line is one kind's of dozens), which says nothing of this product.
const OWN_KIND_WEIGHT: f32 = 0.15;

/// The product whose scope a candidate's title covers: one it matched at
/// least [`STRONG_MATCH`] strongly, named by a regulation for the product's
/// kind, or else whose head the title holds (a title sharing only a
/// modifier word, 汽车 of 汽车启动电池, is about another product).
fn product_in_scope(c: &CandidateInfo) -> Option<&String> {
    let r = &c.retrieval;
    if r.match_strength < STRONG_MATCH {
        return None;
    }
    if r.product_kind >= OWN_KIND_WEIGHT {
        return r.matched_products.first();
    }
    let s = &c.standard;
    r.matched_products
        .iter()
        .find(|p| ProductName::new(p).head_in_title(&s.title_zh, &s.title_en))
}

/// must: mandatory in a market, current, and really about this enterprise:
/// it names one of its products, a standard that does references it, or a
/// regulation of the market requires it of every product of the
/// enterprise's class or group (GB 14881 of a food maker) and does not name
/// it for a few other kinds of product alone (GB 19645, pasteurised milk,
/// for a maker of sterilised milk); with the ids taken (a
/// candidate in `must` is not also in `should`).
fn must_items<'a>(input: &'a Inputs) -> (Vec<MustItem>, HashSet<&'a str>) {
    let e = input.enterprise;
    let mut must = Vec::new();
    // Sharing an ICS sub-group is not enough: since the
    // national list gives hundreds of GB editions the ICS of what they adopt,
    // a sub-group such as 97.040 holds every appliance's safety part.
    let mut must_ids: HashSet<&str> = HashSet::default();
    let table = NamedByRegulation::get();
    // Products the regulations know a kind of: a standard they name for
    // other kinds alone is those products', not this enterprise's.
    let names_a_kind = input
        .candidates
        .iter()
        .any(|c| c.retrieval.product_kind > 0.0);
    for c in input.candidates {
        let s = &c.standard;
        // Mandatory within its scope: the scope must be the enterprise's
        // (a product matched, a matched standard references it, or it sits
        // in the enterprise's ICS sub-group).
        if !(c.retrieval.mandatory_in_market && s.status == Status::Current) {
            continue;
        }
        let applies_to = product_in_scope(c);
        let other_kinds_line = names_a_kind
            && c.retrieval.product_kind == 0.0
            && table.names_for_particular_kinds(&e.markets, s.line());
        let required_for = (applies_to.is_none() && !other_kinds_line)
            .then(|| table.industry_requiring(&e.industries, &e.markets, s.line()))
            .flatten();
        let relevant =
            applies_to.is_some() || required_for.is_some() || !c.retrieval.referenced_by.is_empty();
        if !(relevant && must_ids.insert(s.id.as_str())) {
            continue;
        }
        let (holding, held_as) = holding_of(s, input.held);
        let mut reasons = vec![mandatory_reason(c)];
        if let Some(p) = applies_to {
            reasons.push(Reason::AppliesToProduct { product: p.clone() });
        }
        if let Some(code) = required_for {
            reasons.push(Reason::RequiredForIndustry { code });
        }
        if !c.retrieval.referenced_by.is_empty() {
            reasons.push(Reason::ReferencedBy {
                standard: c.retrieval.referenced_by.clone(),
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
        must.push(MustItem {
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
        must.push(MustItem {
            id: cur.id.clone(),
            title: cur.title().to_string(),
            holding,
            held_as,
            reasons,
            level: cur.level,
        });
    }
    must.sort_by(|a, b| {
        (a.holding == Holding::Held, &a.id).cmp(&(b.holding == Holding::Held, &b.id))
    });

    (must, must_ids)
}

/// should: everything else in force, not already held in this edition,
/// ranked; items are made for the `top` best only.
fn should_items(input: &Inputs, must_ids: &HashSet<&str>) -> Vec<ShouldItem> {
    let scoring_available = !input.scores.is_empty();
    let mut ranked: Vec<(f64, &CandidateInfo, Option<&Scored>)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::default();
    for c in input.candidates {
        let s = &c.standard;
        // A mandatory standard outside the enterprise's scope (it failed the
        // `must` test above) is not a recommendation either: it governs
        // other products.
        if must_ids.contains(s.id.as_str())
            || c.retrieval.mandatory_in_market
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
            None => ranked.push(((c.retrieval.text_score as f64 / 20.0).min(1.0), c, None)),
        }
    }
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.standard.id.cmp(&b.1.standard.id))
    });
    ranked.truncate(input.top);
    ranked
        .into_iter()
        .map(|(score, c, scored)| {
            let s = &c.standard;
            let mut reasons = match scored {
                Some(sc) => sc.reasons.clone(),
                None => vec![Reason::TextRelevanceOnly],
            };
            if reasons.is_empty()
                && let Some(p) = c.retrieval.matched_products.first()
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
        .collect()
}

/// Upgrades and edition gaps: held editions no longer in force.
fn upgrades(input: &Inputs) -> (Vec<Upgrade>, Vec<EditionGap>) {
    let mut upgrades = Vec::new();
    let mut edition = Vec::new();
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
        upgrades.push(Upgrade {
            held: s.id.clone(),
            current: cur.id.clone(),
            title: cur.title().to_string(),
            held_status: s.status,
            status_inferred: s.status_inferred,
            path: h.path.clone(),
            years_between: years,
            note,
        });
        edition.push(EditionGap {
            held: s.id.clone(),
            current: cur.id.clone(),
            years_between: years,
        });
    }
    (upgrades, edition)
}

/// International alignment: a held national standard adopts an
/// international edition that has since been revised.
fn alignment_gaps(input: &Inputs) -> Vec<AlignmentGap> {
    let mut alignment = Vec::new();
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
                alignment.push(AlignmentGap {
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
    alignment
}

/// Portfolio gaps against peers: the must items not held, then the first
/// 20 should items, by how many peers hold them.
fn portfolio_gaps(input: &Inputs, must: &[MustItem], should: &[ShouldItem]) -> Vec<PortfolioGap> {
    let mut portfolio: Vec<PortfolioGap> = must
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
    portfolio.extend(should.iter().take(20).map(|s| {
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
    portfolio
}

/// Indicator gaps against thresholds of relevant and held standards.
fn indicator_gaps(input: &Inputs) -> Vec<IndicatorGap> {
    let e = input.enterprise;
    let mut indicators = Vec::new();
    let mut sources: Vec<&StandardInfo> = input.candidates.iter().map(|c| &*c.standard).collect();
    sources.extend(
        input
            .held
            .iter()
            .filter_map(|h| h.current.as_ref().or(h.standard.as_ref())),
    );
    let mut done = HashSet::default();
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
                indicators.push(indicator_gap(name, unit, *value, spec, s));
            }
        }
    }
    indicators
}
