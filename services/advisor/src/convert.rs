//! Solution: domain → proto, for the Advise and BenchmarkGaps answers.

use stdnav_core::reason::Reason;
use stdnav_core::standard::{Comparator, Level, Nature, Status};
use stdnav_proto::advisor::v1 as pb;
use stdnav_proto::convert::{
    comparator_from_pb, comparator_to_pb, level_from_pb, level_to_pb, nature_from_pb, nature_to_pb,
    reason_to_advisor_pb, status_from_pb, status_to_pb,
};

use crate::solution::*;

// Unset or unknown codes read as the core defaults, as a standard record
// without them does: level unknown, recommended, current, a range.
pub(crate) fn level_from(v: i32) -> Level {
    level_from_pb(v).unwrap_or_default()
}

pub(crate) fn nature_from(v: i32) -> Nature {
    nature_from_pb(v).unwrap_or_default()
}

pub(crate) fn status_from(v: i32) -> Status {
    status_from_pb(v).unwrap_or_default()
}

pub(crate) fn comparator_from(v: i32) -> Comparator {
    comparator_from_pb(v).unwrap_or(Comparator::Range)
}

pub fn gaps_to_pb(g: &Gaps) -> pb::Gaps {
    pb::Gaps {
        edition: g
            .edition
            .iter()
            .map(|e| pb::EditionGap {
                held: e.held.clone(),
                current: e.current.clone(),
                years_between: e.years_between,
            })
            .collect(),
        alignment: g
            .alignment
            .iter()
            .map(|a| pb::AlignmentGap {
                national: a.national.clone(),
                international: a.international.clone(),
                international_current: a.international_current.clone(),
                note: a.note.clone(),
            })
            .collect(),
        portfolio: g
            .portfolio
            .iter()
            .map(|p| pb::PortfolioGap {
                id: p.id.clone(),
                title: p.title.clone(),
                peer_adoption: p.peer_adoption,
                mandatory: p.mandatory,
            })
            .collect(),
        indicators: g
            .indicators
            .iter()
            .map(|i| pb::IndicatorGap {
                indicator: i.indicator.clone(),
                unit: i.unit.clone(),
                value: i.value,
                threshold: i.threshold,
                comparator: comparator_to_pb(i.comparator) as i32,
                absolute_gap: i.absolute_gap,
                relative_gap: i.relative_gap,
                meets: i.meets,
                standard_id: i.standard_id.clone(),
                illustrative: i.illustrative,
                max: i.max,
            })
            .collect(),
        coverage_percentile: g.coverage_percentile,
        peer_group_size: g.peer_group_size,
        peer_basis: g.peer_basis.clone(),
    }
}

fn holding_to_pb(h: Holding) -> i32 {
    (match h {
        Holding::NotHeld => pb::HoldingState::NotHeld,
        Holding::Held => pb::HoldingState::Held,
        Holding::HeldOldEdition => pb::HoldingState::HeldOldEdition,
    }) as i32
}

fn phase_to_pb(p: Phase) -> i32 {
    (match p {
        Phase::Now => pb::Phase::Now,
        Phase::Within6Months => pb::Phase::Within6Months,
        Phase::Within12Months => pb::Phase::Within12Months,
    }) as i32
}

fn action_to_pb(a: Action) -> i32 {
    (match a {
        Action::Adopt => pb::Action::Adopt,
        Action::Upgrade => pb::Action::Upgrade,
        Action::Certify => pb::Action::Certify,
        Action::DraftEnterpriseStandard => pb::Action::DraftEnterpriseStandard,
    }) as i32
}

pub fn solution_to_pb(s: &Solution) -> pb::Solution {
    pb::Solution {
        uscc: s.uscc.clone(),
        name: s.name.clone(),
        must: s
            .must
            .iter()
            .map(|m| pb::MustItem {
                id: m.id.clone(),
                title: m.title.clone(),
                holding: holding_to_pb(m.holding),
                held_as: m.held_as.clone().unwrap_or_default(),
                reasons: m.reasons.iter().map(Reason::en).collect(),
                level: level_to_pb(m.level) as i32,
                reason_codes: m.reasons.iter().map(reason_to_advisor_pb).collect(),
            })
            .collect(),
        should: s
            .should
            .iter()
            .map(|x| pb::ShouldItem {
                id: x.id.clone(),
                title: x.title.clone(),
                score: x.score,
                reasons: x.reasons.iter().map(Reason::en).collect(),
                level: level_to_pb(x.level) as i32,
                nature: nature_to_pb(x.nature) as i32,
                reason_codes: x.reasons.iter().map(reason_to_advisor_pb).collect(),
            })
            .collect(),
        upgrades: s
            .upgrades
            .iter()
            .map(|u| pb::Upgrade {
                held: u.held.clone(),
                current: u.current.clone(),
                held_status: status_to_pb(u.held_status) as i32,
                status_inferred: u.status_inferred,
                path: u.path.clone(),
                years_between: u.years_between,
                note: u.note.clone(),
                title: u.title.clone(),
            })
            .collect(),
        gaps: Some(gaps_to_pb(&s.gaps)),
        roadmap: s
            .roadmap
            .iter()
            .map(|r| pb::RoadmapStep {
                phase: phase_to_pb(r.phase),
                standard_id: r.standard_id.clone(),
                action: action_to_pb(r.action),
                why: r.why.clone(),
                after: r.after.clone(),
                title: r.title.clone(),
            })
            .collect(),
        maturity: Some(pb::Maturity {
            score: s.maturity.score,
            percentile: s.maturity.percentile,
            parts: s
                .maturity
                .parts
                .iter()
                .map(|p| pb::MaturityPart {
                    name: p.name.clone(),
                    score: p.score,
                    weight: p.weight,
                })
                .collect(),
        }),
        unmatched_products: s.unmatched_products.clone(),
        unknown_held: s.unknown_held.clone(),
        model_id: s.model_id.clone(),
        partial: s.partial,
        missing: s.missing.clone(),
    }
}
