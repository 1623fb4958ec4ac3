//! The roadmap: what to adopt now, in 6 months and in 12, each standard
//! after its normative references.

use std::sync::Arc;

use stdnav_core::management::is_management_system;
use stdnav_core::reason::Reason;
use stdnav_core::standard::Status;

use crate::solution::*;

use super::{HashMap, HashSet, Inputs, StandardInfo, line_of};

/// Phases: mandatory and withdrawn first (now), then upgrades and the best
/// recommendations (6 months), then the rest (12 months). A standard's
/// normative references are placed no later than it and listed in `after`.
pub(super) fn roadmap(solution: &Solution, input: &Inputs) -> Vec<RoadmapStep> {
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
            if c.retrieval.referenced_by == steps[i].standard_id && ids.contains(&c.standard.id) {
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
    let mut placed: HashSet<String> = HashSet::default();
    let mut remaining = steps;
    remaining.sort_by_key(|s| s.phase);
    while !remaining.is_empty() {
        let pos = remaining
            .iter()
            .position(|s| {
                s.after
                    .iter()
                    .all(|a| placed.contains(a) || !remaining.iter().any(|r| &r.standard_id == a))
            })
            .unwrap_or(0);
        let step = remaining.remove(pos);
        placed.insert(step.standard_id.clone());
        ordered.push(step);
    }
    ordered
}
