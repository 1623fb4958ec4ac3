//! A seeded generator of a synthetic demo population: enterprises of Shandong's
//! 16 prefecture-level cities in fourteen industry chains — the four demo
//! chains and ten named after Shandong's key chains, so that every GB/T
//! 4754-2017 manufacturing division occurs (docs/DEMO_DATA.md).
//!
//! Every enterprise is made up (its name carries 示例, its flags "synthetic"),
//! but its codes are real: GB/T 2260 regions, GB/T 4754-2017 classes, standard
//! codes with real editions, and USCCs with valid check characters. The chains
//! and their enterprise archetypes are project data in core/data/chains.json.
//!
//! Randomness comes from a SplitMix64 stream written here rather than from
//! `rand`: one seed then gives the same population on every platform and
//! after every dependency upgrade (rand's `StdRng` does not promise that), and
//! stdnav-core needs no new dependency.

mod cities;
mod fields;
mod identity;
mod rng;
#[cfg(test)]
mod tests;

pub use cities::{City, SHANDONG_CITIES};

use std::collections::HashSet;
use std::io::Write;

use crate::chains::{Archetype, ChainSpec, CommonStandard, OtherChain, chains, common_standards};
use crate::enterprise::{ChainMembership, Profile, Segment};

use fields::{
    certifications, dcmm_level, employees, flags, indicators, industries, markets, memberships,
    products, region_in, revenue, size_of, standards_held,
};
use identity::{unique_name, unique_uscc};
use rng::Rng;

/// The seed the docs use; the CLI's default.
pub const DEFAULT_SEED: u64 = 42;

/// The flag every generated profile carries, so demo data is never mistaken
/// for a real enterprise.
pub const SYNTHETIC_FLAG: &str = "synthetic";

/// One archetype with what the generator needs resolved.
struct Slot<'a> {
    chain_name: &'a str,
    segment: Segment,
    archetype: &'a Archetype,
    /// Second memberships, chain ids resolved to names.
    also: Vec<ChainMembership>,
    /// Cities weighted by base weight × this chain's hub multiplier.
    cities: Vec<(&'static City, f64)>,
    manufacturing: bool,
}

struct Plan<'a> {
    slots: Vec<(Slot<'a>, f64)>,
    common: &'a [CommonStandard],
}

impl<'a> Plan<'a> {
    fn new(chains: &'a [ChainSpec], common: &'a [CommonStandard]) -> Self {
        let mut slots = Vec::new();
        for chain in chains {
            let cities: Vec<(&'static City, f64)> = SHANDONG_CITIES
                .iter()
                .map(|c| (c, c.weight * chain.hubs.get(c.code).copied().unwrap_or(1.0)))
                .collect();
            let chain_total: f64 = chain
                .segments
                .iter()
                .flat_map(|s| &s.archetypes)
                .map(|a| a.weight)
                .sum();
            for segment in &chain.segments {
                for archetype in &segment.archetypes {
                    let slot = Slot {
                        chain_name: &chain.name_zh,
                        segment: segment.segment,
                        archetype,
                        also: resolve_also(chains, &archetype.also),
                        cities: cities.clone(),
                        manufacturing: archetype
                            .industries
                            .first()
                            .is_some_and(|c| is_manufacturing(&c.code)),
                    };
                    // A chain's weight is shared among its archetypes.
                    let weight = chain.weight * archetype.weight / chain_total.max(f64::EPSILON);
                    slots.push((slot, weight));
                }
            }
        }
        Plan { slots, common }
    }
}

fn resolve_also(chains: &[ChainSpec], also: &[OtherChain]) -> Vec<ChainMembership> {
    also.iter()
        .filter_map(|o| {
            chains
                .iter()
                .find(|c| c.id == o.chain)
                .map(|c| ChainMembership {
                    chain: c.name_zh.clone(),
                    segment: o.segment,
                })
        })
        .collect()
}

/// GB/T 4754-2017 section C: divisions 13-43.
fn is_manufacturing(class: &str) -> bool {
    class
        .get(..2)
        .and_then(|d| d.parse::<u32>().ok())
        .is_some_and(|d| (13..=43).contains(&d))
}

/// `count` synthetic enterprise profiles, the same for the same seed. Every
/// profile passes `enterprise::validate`; USCCs and names are unique within
/// the population. Fewer than `count` only if the bundled chain data were broken.
pub fn generate(count: usize, seed: u64) -> Vec<Profile> {
    let plan = Plan::new(chains(), common_standards());
    let mut rng = Rng(seed);
    let mut taken = Taken::default();
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        match enterprise(&plan, &mut rng, &mut taken) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out
}

/// Names and USCCs already given out.
#[derive(Default)]
struct Taken {
    names: HashSet<String>,
    usccs: HashSet<String>,
}

fn enterprise(plan: &Plan, rng: &mut Rng, taken: &mut Taken) -> Option<Profile> {
    let slot = rng.pick_weighted(&plan.slots)?;
    let a = slot.archetype;
    let city = *rng.pick_weighted(&slot.cities)?;
    let region = region_in(rng, city);
    let employees = employees(rng, a.employees_median);
    let size = size_of(employees);
    let exporter = rng.chance((a.export_share * (0.6 + 0.8 * size)).min(0.95));
    let standards_held = standards_held(rng, a, plan.common, size, exporter);
    let certifications = certifications(rng, a, &standards_held, size, exporter);
    let stem = rng.pick(&a.name_stems)?;
    Some(Profile {
        uscc: unique_uscc(rng, &mut taken.usccs, &region)?,
        name: unique_name(rng, &mut taken.names, city, stem)?,
        region,
        industries: industries(rng, a),
        products: products(rng, a, size, exporter),
        hs_codes: Vec::new(),
        employees,
        revenue_cny: revenue(rng, employees, a.revenue_per_employee_cny),
        markets: markets(rng, exporter, size),
        chains: memberships(rng, slot),
        standards_held,
        certifications,
        indicators: indicators(rng, a),
        dcmm_level: dcmm_level(rng, employees),
        flags: flags(rng, slot.manufacturing, employees, size),
    })
}

/// Writes profiles as JSON Lines, one profile per line. Pass a buffered
/// writer for files.
pub fn write_jsonl<W: Write>(profiles: &[Profile], mut writer: W) -> std::io::Result<()> {
    for p in profiles {
        serde_json::to_writer(&mut writer, p)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()
}
