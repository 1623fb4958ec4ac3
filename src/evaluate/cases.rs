//! The synthetic cases: the demo population split into visible profiles and hidden lines.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use sha2::{Digest, Sha256};

use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::Profile;
use stdnav_core::population;

/// Share of an enterprise's catalogue standards hidden as its relevant set.
const HIDDEN_SHARE: f64 = 1.0 / 3.0;
/// Percent of enterprises held out for testing.
const TEST_PERCENT: u64 = 20;

/// The demo population `train` and `evaluate` work on.
#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct PopulationArgs {
    /// Enterprises in the demo population (80 % train, 20 % held out).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed of the population, the hidden standards and the split.
    #[arg(long, default_value_t = population::DEFAULT_SEED)]
    pub seed: u64,
}

/// One enterprise of the evaluation: its visible profile and the standard
/// lines hidden from it.
#[derive(Debug, Clone)]
pub(super) struct Case {
    pub profile: Profile,
    pub relevant: BTreeSet<String>,
    pub test: bool,
}

pub(super) fn hash64(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]))
}

/// Management-system lines and the editions drawn for them (current
/// first; the older one is drawn a quarter of the time, so upgrades occur).
const ISO9001: [&str; 2] = ["GB/T 19001-2016", "GB/T 19001-2008"];
const ISO14001: [&str; 2] = ["GB/T 24001-2016", "GB/T 24001-2004"];
const ISO27001: [&str; 2] = ["GB/T 22080-2016", "GB/T 22080-2008"];
/// The sector split of the ISO Survey covers about 1/23 of China's ISO/IEC
/// 27001 certificates (52 of 1,210 in 2014); scaled back up.
const ISO27001_COVERAGE: f64 = 23.0;

/// A uniform draw in 0..1 from a hash, for seeded per-enterprise choices.
fn draw(seed: u64, uscc: &str, what: &str) -> f64 {
    (hash64(&[&seed.to_le_bytes(), uscc.as_bytes(), what.as_bytes()]) >> 11) as f64
        / (1u64 << 53) as f64
}

/// Redraws an enterprise's quality (ISO 9001), environmental (ISO 14001)
/// and information-security (ISO/IEC 27001) management-system standards
/// from the ISO Survey's certificate frequencies for its sector in China:
/// P(9001) = 0.25 + 0.6 × the sector's ISO 9001 intensity; given 9001,
/// P(14001) = the sector's 14001-per-9001 ratio, P(27001) = its
/// 27001-per-9001 ratio × 23 (both capped at 0.95).
fn redraw_management_systems(
    profile: &mut Profile,
    survey: &stdnav_models::iso_survey::IsoSurvey,
    seed: u64,
) {
    let Some(division) = profile.industries.first() else {
        return;
    };
    let Some(rates) = survey.rates(division) else {
        return;
    };
    let lines = [&ISO9001, &ISO14001, &ISO27001];
    profile
        .standards_held
        .retain(|c| !lines.iter().any(|l| base_of(c) == base_of(l[0])));
    let uscc = profile.uscc.clone();
    let mut add = |editions: &[&str; 2], p: f64, what: &str| {
        let held = draw(seed, &uscc, what) < p.min(0.95);
        if held {
            let old = draw(seed, &uscc, &format!("{what}-edition")) < 0.25;
            profile
                .standards_held
                .push(editions[usize::from(old)].to_string());
        }
        held
    };
    if add(&ISO9001, 0.25 + 0.6 * rates.iso9001, "9001") {
        add(&ISO14001, rates.iso14001, "14001");
        add(&ISO27001, rates.iso27001 * ISO27001_COVERAGE, "27001");
    }
}

/// Splits the population into visible profiles and hidden lines; with the
/// ISO Survey, management-system holdings follow its sector frequencies.
pub(super) fn cases(
    count: usize,
    seed: u64,
    survey: Option<&stdnav_models::iso_survey::IsoSurvey>,
) -> Vec<Case> {
    population::generate(count, seed)
        .into_iter()
        .map(|mut profile| {
            if let Some(survey) = survey {
                redraw_management_systems(&mut profile, survey, seed);
            }
            let salt = seed.to_le_bytes();
            let test = hash64(&[&salt, b"split", profile.uscc.as_bytes()]) % 100 < TEST_PERCENT;
            // Enterprise standards (Q/…) are in no catalogue: never hidden.
            let (own, mut public): (Vec<String>, Vec<String>) = profile
                .standards_held
                .iter()
                .cloned()
                .partition(|c| c.to_uppercase().starts_with("Q/"));
            let mut relevant = BTreeSet::new();
            if public.len() >= 2 {
                public.sort_by_key(|c| hash64(&[&salt, profile.uscc.as_bytes(), c.as_bytes()]));
                let n_hidden = ((public.len() as f64) * HIDDEN_SHARE).ceil() as usize;
                let hidden: Vec<String> = public.drain(..n_hidden).collect();
                let visible: BTreeSet<String> = public.iter().map(|c| base_of(c)).collect();
                relevant = hidden
                    .iter()
                    .map(|c| base_of(c))
                    .filter(|l| !visible.contains(l))
                    .collect();
            }
            public.extend(own);
            profile.standards_held = public;
            Case {
                profile,
                relevant,
                test,
            }
        })
        .collect()
}

/// The ISO Survey from the data directory; none without one (then the
/// generator's own management-system shares stay).
pub(super) fn load_survey(
    data: Option<&Path>,
) -> anyhow::Result<Option<stdnav_models::iso_survey::IsoSurvey>> {
    match data {
        Some(dir) => {
            let survey = stdnav_models::iso_survey::IsoSurvey::load(dir)
                .context("reading the ISO Survey certificate counts")?;
            Ok(Some(survey))
        }
        None => {
            eprintln!(
                "no data directory: management-system holdings are the generator's own, not the ISO Survey's"
            );
            Ok(None)
        }
    }
}

/// Lines an enterprise visibly holds: never recommended, never relevant.
pub(super) fn visible_lines(p: &Profile) -> BTreeSet<String> {
    p.standards_held.iter().map(|c| base_of(c)).collect()
}
