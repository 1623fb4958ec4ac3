//! The advisor's protobuf boundary, one place each direction: the
//! Advise and BenchmarkGaps answers (domain → proto), and the gRPC
//! backends' requests (domain → proto) and answers (proto → domain).

use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_core::reason::Reason;
use stdnav_proto::advisor::v1 as pb;
use stdnav_proto::convert::scoring::signals_to_pb;
use stdnav_proto::convert::{
    comparator_to_pb, industry_level_from_pb, level_to_pb, nature_to_pb, reason_to_advisor_pb,
    reasons_from_scoring_pb, retrieval_from_pb, standard_from_pb, status_to_pb,
};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::scoring::v1 as spb;
use stdnav_proto::standards::v1 as stpb;

use crate::backend::{
    Candidate, CandidateQuery, CandidateSet, CatalogueStandard, EnterprisePage, ListQuery,
    Resolution, ScoreQuery, ScoredCandidate, Scores,
};
use crate::compose::{PeerBasis, Peers};
use crate::error::AdvisorError;
use crate::solution::*;

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

// --------------------------------------------------------------- backends

/// A record the profiling service gave.
pub fn record_from_pb(r: ppb::EnterpriseRecord) -> Result<EnterpriseRecord, AdvisorError> {
    stdnav_proto::convert::profile::record_from_pb(r, "").map_err(|errors| {
        tracing::warn!(?errors, "an enterprise record the advisor cannot read");
        AdvisorError::Internal("the profiling service answered an unreadable record")
    })
}

pub fn list_query_to_pb(q: &ListQuery) -> ppb::ListEnterprisesRequest {
    ppb::ListEnterprisesRequest {
        chain: q.chain.clone(),
        page_size: q.page_size,
        page_token: q.page_token.clone(),
        ..Default::default()
    }
}

pub fn page_from_pb(p: ppb::ListEnterprisesResponse) -> Result<EnterprisePage, AdvisorError> {
    Ok(EnterprisePage {
        enterprises: p
            .enterprises
            .into_iter()
            .map(record_from_pb)
            .collect::<Result<_, _>>()?,
        next_page_token: p.next_page_token,
    })
}

pub fn peers_from_pb(p: ppb::PeerGroupResponse) -> Peers {
    Peers {
        size: p.size,
        shares: p.shares.into_iter().map(|s| (s.id, s.share)).collect(),
        coverage_percentile: p.coverage_percentile,
        // INDUSTRY_LEVEL_NONE: no peers, no basis.
        basis: p.basis.and_then(|b| {
            Some(PeerBasis {
                level: industry_level_from_pb(b.level)?,
                code: b.code,
            })
        }),
    }
}

pub fn candidate_query_to_pb(q: &CandidateQuery) -> stpb::CandidatesRequest {
    stpb::CandidatesRequest {
        products: q.products.clone(),
        industries: q.industries.clone(),
        ics_groups: q.ics_groups.clone(),
        markets: q.markets.clone(),
        limit: q.limit,
        // What the composer reads of each standard, not the whole record.
        view: stpb::StandardView::Basic as i32,
    }
}

fn catalogue_standard_from_pb(mut s: stpb::Standard) -> CatalogueStandard {
    let adopted_by = std::mem::take(&mut s.adopted_by);
    let line = std::mem::take(&mut s.line);
    let in_degree = s.in_degree;
    CatalogueStandard {
        standard: standard_from_pb(s),
        adopted_by,
        in_degree,
        line,
    }
}

pub fn candidates_from_pb(r: stpb::CandidatesResponse) -> CandidateSet {
    CandidateSet {
        candidates: r
            .candidates
            .into_iter()
            .filter_map(|mut c| {
                let standard = catalogue_standard_from_pb(c.standard.take()?);
                Some(Candidate {
                    standard,
                    retrieval: retrieval_from_pb(c),
                })
            })
            .collect(),
        unmatched_products: r.unmatched_products,
    }
}

pub fn resolution_from_pb(r: stpb::Resolution) -> Resolution {
    Resolution {
        input: r.input,
        normalized: r.normalized,
        standard: r.standard.map(catalogue_standard_from_pb),
        current: r.current.map(catalogue_standard_from_pb),
        path: r.path,
        error: r.error,
    }
}

pub fn score_query_to_pb(q: &ScoreQuery) -> spb::ScoreRequest {
    spb::ScoreRequest {
        candidates: q.candidates.iter().map(signals_to_pb).collect(),
        as_of_year: q.as_of_year,
        explain_top: u32::try_from(q.explain_top).unwrap_or(u32::MAX),
    }
}

pub fn scores_from_pb(r: spb::ScoreResponse) -> Scores {
    Scores {
        model_id: r.model_id,
        scored: r
            .scored
            .into_iter()
            .map(|s| ScoredCandidate {
                reasons: reasons_from_scoring_pb(&s.reason_codes, &s.reasons),
                id: s.id,
                score: s.score,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use stdnav_core::industry::IndustryLevel;
    use stdnav_core::signals::{Holding, Signals};
    use stdnav_core::standard::{Level, Status};

    use super::*;

    #[test]
    fn candidates_keep_the_catalogues_graph_and_the_evidence() {
        let set = candidates_from_pb(stpb::CandidatesResponse {
            candidates: vec![
                stpb::Candidate {
                    standard: Some(stpb::Standard {
                        id: "IEC 60335-2-40:2018".into(),
                        level: stpb::Level::International as i32,
                        status: stpb::Status::Current as i32,
                        checksum: "c1".into(),
                        adopted_by: vec!["GB 4706.32-2024".into()],
                        in_degree: 7,
                        line: "IEC 60335-2-40".into(),
                        ..Default::default()
                    }),
                    text_score: 4.5,
                    matched_products: vec!["房间空调器".into()],
                    ..Default::default()
                },
                // A candidate without its standard cannot be used.
                stpb::Candidate::default(),
            ],
            unmatched_products: vec!["钠离子电池".into()],
            expanded_terms: vec!["air conditioner".into()],
        });
        assert_eq!(set.candidates.len(), 1);
        let c = &set.candidates[0];
        assert_eq!(c.standard.standard.id, "IEC 60335-2-40:2018");
        assert_eq!(c.standard.standard.level, Level::International);
        assert_eq!(c.standard.standard.checksum, "c1");
        assert_eq!(c.standard.in_degree, 7);
        assert_eq!(c.standard.line, "IEC 60335-2-40");
        assert_eq!(c.standard.adopted_by, ["GB 4706.32-2024"]);
        assert_eq!(c.retrieval.text_score, 4.5);
        assert_eq!(c.retrieval.matched_products, ["房间空调器"]);
        assert_eq!(set.unmatched_products, ["钠离子电池"]);
    }

    #[test]
    fn a_peer_group_without_a_level_has_no_basis() {
        let group = |level: ppb::IndustryLevel| ppb::PeerGroupResponse {
            size: 12,
            shares: vec![ppb::StandardShare {
                id: "GB/T 19001".into(),
                share: 0.25,
            }],
            coverage_percentile: 40.0,
            basis: Some(ppb::PeerBasis {
                level: level as i32,
                code: "3851".into(),
                narrowed: true,
            }),
            ..Default::default()
        };
        let peers = peers_from_pb(group(ppb::IndustryLevel::Class));
        assert_eq!(
            peers.basis,
            Some(PeerBasis {
                level: IndustryLevel::Class,
                code: "3851".into()
            })
        );
        assert_eq!((peers.size, peers.coverage_percentile), (12, 40.0));
        assert_eq!(peers.shares.get("GB/T 19001"), Some(&0.25));
        assert_eq!(peers_from_pb(group(ppb::IndustryLevel::None)).basis, None);
    }

    #[test]
    fn a_score_query_reaches_the_service_as_it_was_built() {
        let query = ScoreQuery {
            candidates: vec![
                Signals {
                    id: "ISO 9001:2015".into(),
                    text_score: f64::from(3.1f32),
                    level: Level::International,
                    status: Some(Status::Current),
                    peer_adoption: 0.5,
                    peer_count: 12,
                    peer_level: Some(IndustryLevel::Class),
                    peer_code: "3851".into(),
                    holding: Holding::NotHeld,
                    ..Default::default()
                },
                Signals::default(),
            ],
            as_of_year: 0,
            explain_top: 3,
        };
        let request = score_query_to_pb(&query);
        assert_eq!(request.explain_top, 3);
        // Read as the scoring service reads it.
        let mut bad = Vec::new();
        let read: Vec<Signals> = request
            .candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| stdnav_proto::convert::scoring::signals_from_pb(c, i, &mut bad))
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(read, query.candidates);
    }
}
