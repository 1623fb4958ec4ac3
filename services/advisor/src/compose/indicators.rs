//! The gap of a measured indicator against a threshold.

use stdnav_core::standard::Comparator;

use crate::solution::*;

use super::{IndicatorSpec, StandardInfo};

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
