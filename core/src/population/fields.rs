//! What each field of a profile is drawn from: region, size, revenue,
//! industries, products, markets, chain memberships, held standards,
//! certifications, indicators and flags.

use crate::chains::{Archetype, CommonStandard, IndicatorRange};
use crate::enterprise::{ChainMembership, MeasuredIndicator};

use super::rng::Rng;
use super::{City, SYNTHETIC_FLAG, Slot};

/// A county-level division of the city, or (for some) the city itself.
pub(super) fn region_in(rng: &mut Rng, city: &City) -> String {
    match rng.pick(city.districts) {
        Some((code, _)) if !rng.chance(0.15) => code.to_string(),
        _ => city.code.to_string(),
    }
}

/// Lognormal around the archetype's median: many small firms, a long tail
/// of large ones, within 10-20,000.
pub(super) fn employees(rng: &mut Rng, median: u32) -> u32 {
    let ln = f64::from(median.max(1)).ln() + 0.9 * rng.normal();
    ln.exp().round().clamp(10.0, 20_000.0) as u32
}

/// 0 for 10 employees, 1 for 20,000, on a log scale.
pub(super) fn size_of(employees: u32) -> f64 {
    let (lo, hi) = (10f64.ln(), 20_000f64.ln());
    ((f64::from(employees).ln() - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// Revenue in CNY, rounded to 10,000 (万元) as enterprises report it.
pub(super) fn revenue(rng: &mut Rng, employees: u32, per_employee: f64) -> f64 {
    let raw = f64::from(employees) * per_employee * (0.35 * rng.normal()).exp();
    ((raw / 10_000.0).round() * 10_000.0).max(10_000.0)
}

pub(super) fn industries(rng: &mut Rng, a: &Archetype) -> Vec<String> {
    let mut out = Vec::new();
    for (i, class) in a.industries.iter().enumerate() {
        if i == 0 || rng.chance(0.25) {
            out.push(class.code.clone());
        }
    }
    out
}

/// Bigger enterprises make more products; exporters often name one in English.
pub(super) fn products(rng: &mut Rng, a: &Archetype, size: f64, exporter: bool) -> Vec<String> {
    let n = a.products.len();
    let k = 1 + rng.below(n.min(3)) + (size * 2.0) as usize;
    let mut out: Vec<String> = rng
        .sample(n, k)
        .into_iter()
        .filter_map(|i| a.products.get(i).cloned())
        .collect();
    if rng.chance(if exporter { 0.6 } else { 0.2 })
        && let Some(en) = rng.pick(&a.products_en)
    {
        out.push(en.clone());
    }
    out
}

/// Export markets, weighted by how often Shandong manufacturers sell there.
const EXPORT_MARKETS: &[(&str, f64)] = &[
    ("EU", 0.30),
    ("US", 0.16),
    ("JP", 0.08),
    ("KR", 0.08),
    ("RU", 0.06),
    ("AU", 0.05),
    ("VN", 0.05),
    ("GB", 0.04),
    ("SA", 0.04),
    ("AE", 0.04),
    ("TH", 0.04),
    ("ID", 0.04),
    ("MY", 0.03),
    ("BR", 0.03),
    ("MX", 0.03),
];

pub(super) fn markets(rng: &mut Rng, exporter: bool, size: f64) -> Vec<String> {
    let mut out = vec!["CN".to_string()];
    if exporter {
        let wanted = 1 + rng.below(1 + (size * 4.0) as usize);
        for _ in 0..wanted * 2 {
            if out.len() > wanted {
                break;
            }
            if let Some(m) = rng.pick_weighted(EXPORT_MARKETS)
                && !out.iter().any(|o| o == m)
            {
                out.push(m.to_string());
            }
        }
    }
    out
}

pub(super) fn memberships(rng: &mut Rng, slot: &Slot) -> Vec<ChainMembership> {
    let mut out = vec![ChainMembership {
        chain: slot.chain_name.to_string(),
        segment: slot.segment,
    }];
    for other in &slot.also {
        if rng.chance(0.3) {
            out.push(other.clone());
        }
    }
    out
}

fn is_international(line: &[String]) -> bool {
    line.first()
        .is_some_and(|c| ["ISO", "IEC", "CISPR"].iter().any(|p| c.starts_with(p)))
}

/// Held standards: most mandatory lines, a size-dependent share of the
/// voluntary and common ones, sometimes an own enterprise standard. Each
/// enterprise lags on editions by its own amount, so upgrades occur.
pub(super) fn standards_held(
    rng: &mut Rng,
    a: &Archetype,
    common: &[CommonStandard],
    size: f64,
    exporter: bool,
) -> Vec<String> {
    // Small firms update editions less often.
    let lag = rng.unit() * (0.65 - 0.35 * size);
    let mut held = Vec::new();
    for line in &a.mandatory {
        if rng.chance(0.55 + 0.4 * size) {
            push_edition(rng, &mut held, line, lag);
        }
    }
    for line in &a.voluntary {
        let boost = if exporter && is_international(line) {
            1.5
        } else {
            1.0
        };
        if rng.chance(((0.1 + 0.55 * size) * boost).min(0.95)) {
            push_edition(rng, &mut held, line, lag);
        }
    }
    for c in common {
        if rng.chance((c.adoption * (0.3 + 1.4 * size)).min(0.95)) {
            push_edition(rng, &mut held, &c.editions, lag);
        }
    }
    if rng.chance(0.05 + 0.35 * size) {
        held.push(enterprise_standard(rng));
    }
    held
}

/// The newest edition of a line, or with probability `lag` an older one.
fn push_edition(rng: &mut Rng, held: &mut Vec<String>, line: &[String], lag: f64) {
    let Some((newest, older)) = line.split_first() else {
        return;
    };
    let edition = match rng.pick(older) {
        Some(old) if rng.chance(lag) => old,
        _ => newest,
    };
    if !held.contains(edition) {
        held.push(edition.clone());
    }
}

/// Letters for enterprise-standard prefixes (`Q/` + an abbreviation).
const ABBREVIATION_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTWXYZ";

/// An own enterprise standard, `Q/ABCD 012-2023` style.
fn enterprise_standard(rng: &mut Rng) -> String {
    let abbreviation: String = (0..4)
        .filter_map(|_| rng.pick(ABBREVIATION_LETTERS).map(|b| char::from(*b)))
        .collect();
    let number = 1 + rng.below(30);
    let year = 2018 + rng.below(8);
    format!("Q/{abbreviation} {number:03}-{year}")
}

/// Held standards whose certification an enterprise usually also holds.
const SYSTEM_CERTIFICATIONS: &[(&[&str], &str)] = &[
    (&["GB/T 19001-", "ISO 9001:"], "ISO 9001"),
    (&["GB/T 24001-", "ISO 14001:"], "ISO 14001"),
    (&["GB/T 45001-", "ISO 45001:"], "ISO 45001"),
    (&["GB/T 23331-", "ISO 50001:"], "ISO 50001"),
    (&["GB/T 22000-", "ISO 22000:"], "ISO 22000"),
    (&["GB/T 27341-", "GB/T 27342-"], "HACCP"),
];

pub(super) fn certifications(
    rng: &mut Rng,
    a: &Archetype,
    held: &[String],
    size: f64,
    exporter: bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (prefixes, cert) in SYSTEM_CERTIFICATIONS {
        let holds = held
            .iter()
            .any(|h| prefixes.iter().any(|p| h.starts_with(p)));
        if holds && rng.chance(0.8) {
            out.push(cert.to_string());
        }
    }
    for cert in &a.certifications {
        // CCC is compulsory for the products whose archetypes list it.
        let p = if cert == "CCC" {
            0.9
        } else {
            0.25 + 0.6 * size
        };
        if rng.chance(p) && !out.contains(cert) {
            out.push(cert.clone());
        }
    }
    if exporter {
        for cert in &a.export_certifications {
            if rng.chance(0.6) && !out.contains(cert) {
                out.push(cert.clone());
            }
        }
    }
    out
}

pub(super) fn indicators(rng: &mut Rng, a: &Archetype) -> Vec<MeasuredIndicator> {
    let mut out = Vec::new();
    for range in &a.indicators {
        // Not every enterprise reports every indicator.
        if rng.chance(0.75) {
            out.push(MeasuredIndicator {
                name: range.name.clone(),
                unit: range.unit.clone(),
                value: draw(rng, range),
                product: range.product.clone(),
            });
        }
    }
    out
}

fn draw(rng: &mut Rng, range: &IndicatorRange) -> f64 {
    let raw = if range.log && range.min > 0.0 && range.max > 0.0 {
        rng.between(range.min.ln(), range.max.ln()).exp()
    } else {
        rng.between(range.min, range.max)
    };
    // Dividing by the power of ten gives the shortest decimal (4.6, not 4.6000000000000005).
    let scale = 10f64.powi(range.decimals.min(9) as i32);
    (raw * scale).round() / scale
}

/// DCMM (GB/T 36073) assessments are mostly taken by larger enterprises.
pub(super) fn dcmm_level(rng: &mut Rng, employees: u32) -> u32 {
    if employees >= 500 && rng.chance(0.1) {
        1 + rng.below(3) as u32
    } else {
        0
    }
}

pub(super) fn flags(rng: &mut Rng, manufacturing: bool, employees: u32, size: f64) -> Vec<String> {
    let mut out = vec![SYNTHETIC_FLAG.to_string()];
    if manufacturing && rng.chance(0.05 + 0.3 * size) {
        out.push("高新技术企业".to_string());
    }
    if manufacturing && (50..=1000).contains(&employees) && rng.chance(0.08) {
        out.push("专精特新".to_string());
    }
    out
}
