//! Synthetic, labelled training data for the relevance model.
//!
//! There is no public record of which enterprise adopted which standard, so
//! the labels are **generated** by the documented, seeded process below
//! (ChaCha8 from the seed: the same seed and size give the same rows on every
//! machine). It encodes the domain rules the product promises (mandatory
//! first, nothing withdrawn, nothing already held, upgrades of old editions)
//! and plausible soft effects, and adds noise so that the model has to weigh
//! evidence rather than read the answer off one signal. A later issue replaces
//! it with generation over the demo population and ISO Survey certificate
//! frequencies; everything downstream only sees [`synthetic_training_set`].
//!
//! # The process
//!
//! Enterprises come in turn, each with [`CANDIDATES_PER_ENTERPRISE`]
//! candidates (the last one gets what remains of `n`). An enterprise sells in
//! China with probability 0.75 and in the EU with 0.3, and has a
//! standardization *maturity* m ~ U(0.4, 1.0) that scales how much its peers
//! hold.
//!
//! For each candidate a hidden **topic** decides how relevant it really is:
//! core to the enterprise's products (12 %), related (23 %) or unrelated
//! (65 % — retrieval returns mostly weak matches). The observable signals are
//! noisy functions of the topic:
//!
//! - `text_score` = exp(N(μ, σ)) with (μ, σ) = (2.0, 0.45) core, (1.3, 0.5)
//!   related, (0.5, 0.6) unrelated; a non-core candidate found only through
//!   ICS or a reference has 0 (10 %).
//! - `match_strength` (relative to the product's best hit) = N(0.75, 0.2)
//!   core, N(0.45, 0.2) related, N(0.25, 0.2) unrelated, clamped to 0..=1;
//!   0 when `text_score` is 0.
//! - `ics_match_depth` 0..=3 with weights (5, 15, 35, 45) % core,
//!   (15, 35, 35, 15) % related, (55, 30, 12, 3) % unrelated.
//! - `level`: international 35 %, regional 5 %, national 35 %, industry 12 %,
//!   local 4 %, group 6 %, enterprise 1 %, unknown 2 %.
//! - `mandatory`: 22 % of national, 3 % of industry standards.
//! - `mandatory_in_market`: a mandatory national standard when the enterprise
//!   sells in China and the scope covers its product (90 % core, 40 %
//!   related, 2 % unrelated); a regional one when it sells in the EU and the
//!   standard is harmonised (30 %) and covers its product (same rates).
//! - `status`: current 74 %, withdrawn 10 %, replaced 9 %, upcoming 4 %,
//!   draft 3 %; `published_year` ≈ as-of year − Exp(9) for current editions,
//!   8 + Exp(12) years earlier for withdrawn or replaced ones, this or last
//!   year for upcoming ones and drafts, unknown (0) for 5 %.
//! - 8 % are **general parts** (IEC 60335-1 and the like): `in_degree` =
//!   exp(N(3.5, 0.8)), `referenced` 70 % when on topic; other standards
//!   have `in_degree` = exp(N(0.7, 1.0)) − 1 and `referenced` 6 %.
//! - `international_alignment`: 55 % of international, 60 % of regional,
//!   45 % of national, 5 % of other standards.
//! - the enterprise's **peers** (drawn once per enterprise, as the profiling
//!   service forms them): the same GB/T 4754 class 60 %, group 15 %,
//!   division 15 %, none 10 %; `peer_count` = round(exp(N(ln μ, 0.8))),
//!   at least 1, with μ = 15 class, 20 group, 30 division (0 with none).
//! - the hidden **true share** of enterprises like this one holding the
//!   candidate = m × base + N(0, 0.08), clamped to 0..=1, with base
//!   0.35 core, 0.12 related, 0.02 unrelated, 0.75 when mandatory in the
//!   market, +0.15 for a referenced general part, halved when withdrawn or
//!   replaced — correlated with relevance, not a copy of it.
//! - `peer_adoption` is what the peers show of it: each of `peer_count`
//!   peers holds the candidate with probability true share (class), 0.7 ×
//!   true share + 0.3 × m × 0.06 (group) or 0.4 × true share + 0.6 × m ×
//!   0.06 (division: a wider industry dilutes the signal), and the share is
//!   the holders over `peer_count`; 0 with no peers. Small and distant peer
//!   groups thus give noisy shares, which `peer_count_log` and
//!   `peer_closeness` let the model weigh.
//! - `holding`: held with probability 0.05 + 0.8 × true share (0.01 for
//!   unrelated); a held current edition is held in an older edition 35 % of
//!   the time (an upgrade is due), otherwise this very edition.
//!
//! The **label** (should this be recommended?) then follows, in order:
//!
//! 1. withdrawn, replaced or draft → not relevant (nothing to adopt);
//! 2. held in this edition → not relevant (we don't recommend what is held);
//! 3. held in an older edition → relevant (upgrade);
//! 4. mandatory in the market → relevant;
//! 5. otherwise relevant with probability sigmoid(u), where
//!
//! ```text
//! u = −2.3 + topic (2.7 core, 0.9 related, −2.2 unrelated)
//!     + 2.5 × true share + 0.9 × referenced + 0.35 × international_alignment
//!     + level (0.25 international, 0.1 regional, 0.3 national, 0 industry,
//!              −0.4 local, −0.3 group, −1.2 enterprise, −0.5 unknown)
//!     + 0.2 × ln(1 + in_degree) − 0.04 × max(0, age − 12)
//!     − 0.3 if upcoming
//!     + N(0, 0.6)
//! ```
//!
//! Finally 2 % of all labels are flipped (annotation noise).
//!
//! Features are computed with [`crate::features`] at [`SYNTHETIC_AS_OF_YEAR`].

use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::features::{Holding, IndustryLevel, Level, NUM_FEATURES, Signals, Status, features};

/// Candidates generated for each synthetic enterprise.
pub const CANDIDATES_PER_ENTERPRISE: usize = 50;

/// The as-of year of the synthetic data (recency is measured from it).
pub const SYNTHETIC_AS_OF_YEAR: i32 = 2025;

/// Share of labels flipped at the end.
const LABEL_NOISE: f64 = 0.02;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Topic {
    Core,
    Related,
    Unrelated,
}

/// A standard normal variate (Box–Muller), so that no extra crate is needed.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// An exponential variate with the given mean.
fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    -mean * u.ln()
}

/// Index drawn from percentage weights.
fn pick(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

struct Enterprise {
    in_cn: bool,
    in_eu: bool,
    maturity: f64,
    peer_level: Option<IndustryLevel>,
    peer_count: u32,
}

/// The peers of a synthetic enterprise: their level and number.
fn peers(rng: &mut ChaCha8Rng) -> (Option<IndustryLevel>, u32) {
    let (level, median) = match pick(rng, &[60, 15, 15, 10]) {
        0 => (Some(IndustryLevel::Class), 15.0f64),
        1 => (Some(IndustryLevel::Group), 20.0),
        2 => (Some(IndustryLevel::Division), 30.0),
        _ => return (None, 0),
    };
    let count = (median.ln() + 0.8 * normal(rng))
        .exp()
        .round()
        .clamp(1.0, 1000.0);
    (level, count as u32)
}

/// The share of `count` peers holding a candidate each holds with probability `p`.
fn observed_share(rng: &mut ChaCha8Rng, count: u32, p: f64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let p = p.clamp(0.0, 1.0);
    let holders = (0..count).filter(|_| rng.random_bool(p)).count();
    holders as f64 / f64::from(count)
}

fn candidate(rng: &mut ChaCha8Rng, e: &Enterprise, n: usize) -> (Signals, bool) {
    let as_of = SYNTHETIC_AS_OF_YEAR;
    let topic = match pick(rng, &[12, 23, 65]) {
        0 => Topic::Core,
        1 => Topic::Related,
        _ => Topic::Unrelated,
    };
    let on_topic = topic != Topic::Unrelated;
    let scope_rate = match topic {
        Topic::Core => 0.9,
        Topic::Related => 0.4,
        Topic::Unrelated => 0.02,
    };

    let (mu, sigma) = match topic {
        Topic::Core => (2.0, 0.45),
        Topic::Related => (1.3, 0.5),
        Topic::Unrelated => (0.5, 0.6),
    };
    let text_score = if topic != Topic::Core && rng.random_bool(0.10) {
        0.0
    } else {
        (mu + sigma * normal(rng)).exp()
    };
    let ics_match_depth = pick(
        rng,
        match topic {
            Topic::Core => &[5, 15, 35, 45],
            Topic::Related => &[15, 35, 35, 15],
            Topic::Unrelated => &[55, 30, 12, 3],
        },
    ) as u32;

    let level = match pick(rng, &[35, 5, 35, 12, 4, 6, 1, 2]) {
        0 => Level::International,
        1 => Level::Regional,
        2 => Level::National,
        3 => Level::Industry,
        4 => Level::Local,
        5 => Level::Group,
        6 => Level::Enterprise,
        _ => Level::Unknown,
    };
    let mandatory = match level {
        Level::National => rng.random_bool(0.22),
        Level::Industry => rng.random_bool(0.03),
        _ => false,
    };
    let mandatory_in_market = match level {
        Level::National => mandatory && e.in_cn && rng.random_bool(scope_rate),
        Level::Regional => e.in_eu && rng.random_bool(0.3) && rng.random_bool(scope_rate),
        _ => false,
    };

    let status = match pick(rng, &[74, 10, 9, 4, 3]) {
        0 => Status::Current,
        1 => Status::Withdrawn,
        2 => Status::Replaced,
        3 => Status::Upcoming,
        _ => Status::Draft,
    };
    let published_year = if rng.random_bool(0.05) {
        0
    } else {
        match status {
            Status::Withdrawn | Status::Replaced => {
                as_of - 8 - exponential(rng, 12.0).min(40.0) as i32
            }
            Status::Upcoming | Status::Draft => as_of - rng.random_range(0..=1),
            _ => as_of - exponential(rng, 9.0).min(45.0) as i32,
        }
    };

    let general_part = rng.random_bool(0.08);
    let in_degree = if general_part {
        (3.5 + 0.8 * normal(rng)).exp().floor()
    } else {
        ((0.7 + normal(rng)).exp() - 1.0).floor().max(0.0)
    } as u32;
    let referenced = if general_part && on_topic {
        rng.random_bool(0.7)
    } else {
        rng.random_bool(0.06)
    };
    let international_alignment = rng.random_bool(match level {
        Level::International => 0.55,
        Level::Regional => 0.6,
        Level::National => 0.45,
        _ => 0.05,
    });

    let mut base = if mandatory_in_market {
        0.75
    } else {
        match topic {
            Topic::Core => 0.35,
            Topic::Related => 0.12,
            Topic::Unrelated => 0.02,
        }
    };
    if general_part && referenced {
        base += 0.15;
    }
    if matches!(status, Status::Withdrawn | Status::Replaced) {
        base *= 0.5;
    }
    let true_share = (e.maturity * base + 0.08 * normal(rng)).clamp(0.0, 1.0);
    let industry_rate = e.maturity * 0.06;
    let peer_adoption = match e.peer_level {
        None => 0.0,
        Some(IndustryLevel::Class) => observed_share(rng, e.peer_count, true_share),
        Some(IndustryLevel::Group) => {
            observed_share(rng, e.peer_count, 0.7 * true_share + 0.3 * industry_rate)
        }
        Some(IndustryLevel::Division) => {
            observed_share(rng, e.peer_count, 0.4 * true_share + 0.6 * industry_rate)
        }
    };

    let p_held = if on_topic {
        0.05 + 0.8 * true_share
    } else {
        0.01
    };
    let holding = if !rng.random_bool(p_held.clamp(0.0, 1.0)) {
        Holding::NotHeld
    } else if matches!(status, Status::Current | Status::Upcoming) && rng.random_bool(0.35) {
        Holding::HeldOldEdition
    } else {
        Holding::HeldCurrent
    };

    let relevant = if !crate::features::in_force(Some(status)) || holding == Holding::HeldCurrent {
        false
    } else if holding == Holding::HeldOldEdition || mandatory_in_market {
        true
    } else {
        let age = if published_year <= 0 {
            10.0
        } else {
            f64::from(as_of - published_year)
        };
        let u =
            -2.3 + match topic {
                Topic::Core => 2.7,
                Topic::Related => 0.9,
                Topic::Unrelated => -2.2,
            } + 2.5 * true_share
                + if referenced { 0.9 } else { 0.0 }
                + if international_alignment { 0.35 } else { 0.0 }
                + match level {
                    Level::International => 0.25,
                    Level::Regional => 0.1,
                    Level::National => 0.3,
                    Level::Industry => 0.0,
                    Level::Local => -0.4,
                    Level::Group => -0.3,
                    Level::Enterprise => -1.2,
                    Level::Unknown => -0.5,
                }
                + 0.2 * f64::from(in_degree).ln_1p()
                - 0.04 * (age - 12.0).max(0.0)
                - if status == Status::Upcoming { 0.3 } else { 0.0 }
                + 0.6 * normal(rng);
        rng.random_bool(sigmoid(u))
    };
    let relevant = relevant ^ rng.random_bool(LABEL_NOISE);

    // Relative to a product's best hit: core topics near the top.
    let match_strength = if text_score == 0.0 {
        0.0
    } else {
        let top = match topic {
            Topic::Core => 0.75,
            Topic::Related => 0.45,
            Topic::Unrelated => 0.25,
        };
        (top + 0.2 * normal(rng)).clamp(0.0, 1.0)
    };
    let signals = Signals {
        id: format!("SYN-{n}"),
        text_score,
        match_strength,
        cocitation: 0.0,
        regulation: 0.0,
        product_kind: 0.0,
        series_match: 0.0,
        ics_match_depth,
        mandatory,
        mandatory_in_market,
        level,
        status: Some(status),
        published_year,
        in_degree,
        peer_adoption,
        peer_count: e.peer_count,
        peer_level: e.peer_level,
        peer_code: String::new(),
        international_alignment,
        holding,
        referenced,
        matched_product: String::new(),
        adopted_as: String::new(),
    };
    (signals, relevant)
}

/// `n` labelled candidates from the process in the module docs.
pub fn synthetic_candidates(seed: u64, n: usize) -> Vec<(Signals, bool)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let enterprise = Enterprise {
            in_cn: rng.random_bool(0.75),
            in_eu: rng.random_bool(0.3),
            maturity: rng.random_range(0.4..1.0),
            peer_level: None,
            peer_count: 0,
        };
        let (peer_level, peer_count) = peers(&mut rng);
        let enterprise = Enterprise {
            peer_level,
            peer_count,
            ..enterprise
        };
        for _ in 0..CANDIDATES_PER_ENTERPRISE.min(n - out.len()) {
            let i = out.len();
            out.push(candidate(&mut rng, &enterprise, i));
        }
    }
    out
}

/// The training matrix (one row of [`crate::FEATURES`] per candidate) and
/// labels (`true` = should be recommended) of `n` synthetic candidates.
/// This is the one entry point training uses, so the generator can be
/// swapped without touching the rest.
pub fn synthetic_training_set(seed: u64, n: usize) -> (Array2<f64>, Array1<bool>) {
    let rows = synthetic_candidates(seed, n);
    let mut x = Array2::zeros((rows.len(), NUM_FEATURES));
    let mut y = Array1::from_elem(rows.len(), false);
    for (i, (s, label)) in rows.iter().enumerate() {
        for (j, v) in features(s, SYNTHETIC_AS_OF_YEAR).into_iter().enumerate() {
            x[(i, j)] = v;
        }
        y[i] = *label;
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_rows() {
        let (x1, y1) = synthetic_training_set(7, 500);
        let (x2, y2) = synthetic_training_set(7, 500);
        assert_eq!(x1, x2);
        assert_eq!(y1, y2);
        let (x3, _) = synthetic_training_set(8, 500);
        assert_ne!(x1, x3);
    }

    #[test]
    fn rules_hold_up_to_label_noise() {
        let rows = synthetic_candidates(1, 20_000);
        assert_eq!(rows.len(), 20_000);
        let rate = |f: &dyn Fn(&Signals) -> bool| {
            let sel: Vec<_> = rows.iter().filter(|(s, _)| f(s)).collect();
            assert!(!sel.is_empty());
            sel.iter().filter(|(_, l)| *l).count() as f64 / sel.len() as f64
        };
        assert!(rate(&|s| s.status == Some(Status::Withdrawn)) < 0.05);
        assert!(rate(&|s| s.holding == Holding::HeldCurrent) < 0.05);
        assert!(rate(&|s| s.holding == Holding::HeldOldEdition) > 0.95);
        assert!(
            rate(&|s| s.mandatory_in_market
                && crate::features::in_force(s.status)
                && s.holding != Holding::HeldCurrent)
                > 0.95
        );
        let base = rate(&|_| true);
        assert!((0.1..0.4).contains(&base), "base rate {base}");
        // Most candidates are weak matches.
        let weak = rows.iter().filter(|(s, _)| s.text_score < 3.0).count();
        assert!(weak > rows.len() / 2);
    }
}
