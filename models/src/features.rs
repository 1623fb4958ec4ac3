//! The one function that turns the raw signals about one (enterprise,
//! candidate standard) pair ([`Signals`], defined in core, where the advisor
//! builds them) into the model's features. Training ([`crate::synthetic`])
//! and serving ([`crate::Model::score`]) both call [`features`], so the two
//! can never drift apart; an artifact records the feature names it was
//! trained with and [`crate::Model::load`] refuses one whose list differs
//! from [`FEATURES`].

pub use stdnav_core::industry::IndustryLevel;
pub use stdnav_core::signals::{Holding, Signals, in_force};
pub use stdnav_core::standard::{Level, Status};

/// Names of the model's features, in the order of [`features`]'s output.
///
/// | name | value |
/// |---|---|
/// | `text_score_log` | `ln(1 + text_score)`: retrieval relevance, log-damped because BM25 scores are heavy-tailed |
/// | `ics_depth` | `min(ics_match_depth, 3) / 3`: 0 unrelated ICS, 1 same sub-group |
/// | `mandatory` | 1 if mandatory by nature |
/// | `mandatory_in_market` | 1 if mandatory in a market where the enterprise sells |
/// | `is_international` | 1 for ISO, IEC, ITU and other international standards |
/// | `is_regional` | 1 for EN and other regional standards |
/// | `is_national` | 1 for GB, GB/T, GB/Z and other national standards |
/// | `in_force` | 1 if current or upcoming (or status unknown), 0 if withdrawn, replaced or draft |
/// | `age` | years since publication, clamped to 0..=30, divided by 30; an unknown year counts as 10 years |
/// | `in_degree_log` | `ln(1 + in_degree)`: how many standards build on it |
/// | `peer_adoption` | share of peers holding it, clamped to 0..=1; 0 when there are no peers |
/// | `peer_count_log` | `ln(1 + peers) / ln(1 + 1000)`, peers capped at 1,000: how much evidence the share rests on (0: no peers) |
/// | `peer_closeness` | how close the peers' industry is: 1 same GB/T 4754 class, ⅔ same group, ⅓ same division, 0 no peers |
/// | `international_alignment` | 1 if it adopts or is adopted as an international standard |
/// | `held_current` | 1 if the enterprise already holds this edition |
/// | `held_old_edition` | 1 if the enterprise holds an older edition |
/// | `referenced` | 1 if it is a normative reference of another candidate |
/// | `peer_adoption_close` | `peer_adoption × peer_closeness`: the share counts fully among peers of the same class, a third among peers of the same division only |
/// | `cocitation` | how strongly regulations name it together with a standard the enterprise's products match, or for the enterprise's industry in its market, 0..=1 (the horizontal standards — EMC, radio, contaminants, machinery basics — product words do not reach) |
/// | `regulation` | how broadly the regulations of the enterprise's industry in its markets name it, 0..=1 (`core/data/regulation.tsv`): apart from `cocitation`, which mixes it with the company a standard keeps |
/// | `product_kind` | how broadly a regulation names it for a kind of product the enterprise names, 0..=1 (`core/data/products.tsv`): the product's own lines, which `regulation` mixes with the industry's |
/// | `match_strength` | its product match relative to the product's best hit, 0..=1: the standard that names the product outranks one that shares a word with it |
/// | `series_match` | how strongly another part of its series is the product's (`match_strength` or `product_kind`), 0..=1: a series is adopted whole though one part's title names the product (ISO 6185-2 and -3 beside -1 for an inflatable boat) |
pub const FEATURES: &[&str] = &[
    "text_score_log",
    "ics_depth",
    "mandatory",
    "mandatory_in_market",
    "is_international",
    "is_regional",
    "is_national",
    "in_force",
    "age",
    "in_degree_log",
    "peer_adoption",
    "international_alignment",
    "held_current",
    "held_old_edition",
    "referenced",
    "peer_count_log",
    "peer_closeness",
    "match_strength",
    "peer_adoption_close",
    "cocitation",
    "regulation",
    "product_kind",
    "series_match",
];

/// Number of features.
pub const NUM_FEATURES: usize = FEATURES.len();

/// Index of each feature in [`FEATURES`], for code that reads one back.
pub mod idx {
    pub const TEXT_SCORE_LOG: usize = 0;
    pub const ICS_DEPTH: usize = 1;
    pub const MANDATORY: usize = 2;
    pub const MANDATORY_IN_MARKET: usize = 3;
    pub const IS_INTERNATIONAL: usize = 4;
    pub const IS_REGIONAL: usize = 5;
    pub const IS_NATIONAL: usize = 6;
    pub const IN_FORCE: usize = 7;
    pub const AGE: usize = 8;
    pub const IN_DEGREE_LOG: usize = 9;
    pub const PEER_ADOPTION: usize = 10;
    pub const INTERNATIONAL_ALIGNMENT: usize = 11;
    pub const HELD_CURRENT: usize = 12;
    pub const HELD_OLD_EDITION: usize = 13;
    pub const REFERENCED: usize = 14;
    pub const PEER_COUNT_LOG: usize = 15;
    pub const PEER_CLOSENESS: usize = 16;
    pub const MATCH_STRENGTH: usize = 17;
    pub const PEER_ADOPTION_CLOSE: usize = 18;
    pub const COCITATION: usize = 19;
    pub const REGULATION: usize = 20;
    pub const PRODUCT_KIND: usize = 21;
    pub const SERIES_MATCH: usize = 22;
}

/// Peers beyond this many add no evidence.
const MAX_PEERS: f64 = 1000.0;

/// Years assumed since publication when the year is unknown.
const UNKNOWN_AGE_YEARS: f64 = 10.0;
/// Age beyond which a standard counts as equally old.
const MAX_AGE_YEARS: f64 = 30.0;

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// The model's features for `s`, with recency measured at `as_of_year`.
/// See [`FEATURES`] for what each entry means. Non-finite or negative
/// inputs are clamped to 0 so that the output is always finite (callers
/// reject such inputs before scoring; this keeps training safe too).
pub fn features(s: &Signals, as_of_year: i32) -> [f64; NUM_FEATURES] {
    let text = if s.text_score.is_finite() {
        s.text_score.max(0.0)
    } else {
        0.0
    };
    let age = if s.published_year <= 0 {
        UNKNOWN_AGE_YEARS
    } else {
        f64::from(as_of_year - s.published_year).clamp(0.0, MAX_AGE_YEARS)
    };
    // No peers, no peer signal: a share without peers is not "0 % of peers".
    let (peers, peer_count, closeness) = if s.peer_count == 0 {
        (0.0, 0.0, 0.0)
    } else {
        let share = if s.peer_adoption.is_finite() {
            s.peer_adoption.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let count = f64::from(s.peer_count).min(MAX_PEERS).ln_1p() / MAX_PEERS.ln_1p();
        (
            share,
            count,
            s.peer_level.map_or(0.0, IndustryLevel::closeness),
        )
    };
    [
        text.ln_1p(),
        f64::from(s.ics_match_depth.min(3)) / 3.0,
        flag(s.mandatory),
        flag(s.mandatory_in_market),
        flag(s.level == Level::International),
        flag(s.level == Level::Regional),
        flag(s.level == Level::National),
        flag(in_force(s.status)),
        age / MAX_AGE_YEARS,
        f64::from(s.in_degree).ln_1p(),
        peers,
        flag(s.international_alignment),
        flag(s.holding == Holding::HeldCurrent),
        flag(s.holding == Holding::HeldOldEdition),
        flag(s.referenced),
        peer_count,
        closeness,
        unit(s.match_strength),
        peers * closeness,
        unit(s.cocitation),
        unit(s.regulation),
        unit(s.product_kind),
        unit(s.series_match),
    ]
}

/// A weight clamped to 0..=1, 0 when not finite.
fn unit(w: f64) -> f64 {
    if w.is_finite() {
        w.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_feature_name() {
        let f = features(&Signals::default(), 2025);
        assert_eq!(f.len(), FEATURES.len());
        assert_eq!(FEATURES[idx::REFERENCED], "referenced");
        assert_eq!(FEATURES[idx::PEER_ADOPTION], "peer_adoption");
        assert_eq!(FEATURES[idx::AGE], "age");
    }

    #[test]
    fn values_are_scaled_and_finite() {
        let s = Signals {
            text_score: f64::NAN,
            ics_match_depth: 9,
            published_year: 1950,
            peer_adoption: 3.0,
            peer_count: 5000,
            peer_level: Some(IndustryLevel::Group),
            status: Some(Status::Withdrawn),
            level: Level::National,
            holding: Holding::HeldOldEdition,
            ..Default::default()
        };
        let f = features(&s, 2025);
        assert!(f.iter().all(|v| v.is_finite()));
        assert_eq!(f[idx::TEXT_SCORE_LOG], 0.0);
        assert_eq!(f[idx::ICS_DEPTH], 1.0);
        assert_eq!(f[idx::AGE], 1.0);
        assert_eq!(f[idx::PEER_ADOPTION], 1.0);
        assert_eq!(f[idx::PEER_COUNT_LOG], 1.0);
        assert!((f[idx::PEER_CLOSENESS] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(f[idx::IN_FORCE], 0.0);
        assert_eq!(f[idx::IS_NATIONAL], 1.0);
        assert_eq!(f[idx::HELD_OLD_EDITION], 1.0);
        assert_eq!(f[idx::HELD_CURRENT], 0.0);
        // Unknown year: 10 of 30 years.
        let unknown = features(&Signals::default(), 2025);
        assert!((unknown[idx::AGE] - 1.0 / 3.0).abs() < 1e-12);
        // Published after the as-of year (upcoming): age 0.
        let future = Signals {
            published_year: 2027,
            ..Default::default()
        };
        assert_eq!(features(&future, 2025)[idx::AGE], 0.0);
    }

    #[test]
    fn no_peers_is_no_peer_signal_not_zero_percent() {
        let none = Signals {
            peer_adoption: 0.4,
            ..Default::default()
        };
        let f = features(&none, 2025);
        assert_eq!(
            (
                f[idx::PEER_ADOPTION],
                f[idx::PEER_COUNT_LOG],
                f[idx::PEER_CLOSENESS]
            ),
            (0.0, 0.0, 0.0)
        );
        let twenty = Signals {
            peer_adoption: 0.0,
            peer_count: 20,
            peer_level: Some(IndustryLevel::Class),
            ..Default::default()
        };
        let f = features(&twenty, 2025);
        assert_eq!(f[idx::PEER_ADOPTION], 0.0);
        assert!(f[idx::PEER_COUNT_LOG] > 0.4 && f[idx::PEER_COUNT_LOG] < 0.5);
        assert_eq!(f[idx::PEER_CLOSENESS], 1.0);
    }
}
