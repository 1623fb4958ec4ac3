//! Standardization maturity, 0–100 (docs/MATURITY.md).

use std::collections::HashSet;

use stdnav_core::management::is_management_system;
use stdnav_core::standard::{Level, Status};

use crate::solution::*;

use super::{HeldInfo, Inputs};

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
