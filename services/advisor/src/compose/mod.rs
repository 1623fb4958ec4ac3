//! Composes a solution from what the other services returned. Pure: no
//! transport, no I/O, so every rule here is unit-tested.

mod assess;
mod indicators;
mod inputs;
mod maturity;
mod roadmap;
#[cfg(test)]
mod tests;

pub use assess::{STRONG_MATCH, assess};
pub use indicators::indicator_gap;
pub use inputs::{
    CandidateInfo, EnterpriseInfo, FastHash, HashMap, HashSet, HeldInfo, IndicatorSpec, Inputs,
    PeerBasis, Peers, Scored, StandardInfo, line_of,
};
pub use maturity::maturity;

use crate::solution::*;

use roadmap::roadmap;

/// The whole solution: [`assess`], then the roadmap and the maturity score.
pub fn compose(input: &Inputs) -> Solution {
    let mut solution = assess(input);
    solution.roadmap = roadmap(&solution, input);
    solution.maturity = maturity(&solution, input);
    solution
}
