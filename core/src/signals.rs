//! The raw signals about one (enterprise, candidate standard) pair: what the
//! advisor gathers for each candidate and the scoring model reads (the
//! model's features are made from them in `stdnav-models`). One type on
//! both sides of the `Score` call.

use crate::industry::IndustryLevel;
use crate::standard::{Level, Status};

/// Whether the enterprise already holds the candidate, as `stdnav.scoring.v1.Holding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Holding {
    #[default]
    NotHeld,
    /// Holds this very edition.
    HeldCurrent,
    /// Holds an older edition of it (an upgrade is due).
    HeldOldEdition,
}

/// Current or upcoming (or not said): something an enterprise can adopt.
pub fn in_force(status: Option<Status>) -> bool {
    status.is_none_or(Status::is_in_force_or_coming)
}

/// Raw signals about one candidate for one enterprise, mirroring
/// `stdnav.scoring.v1.CandidateSignals`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signals {
    /// Canonical code of the candidate, e.g. `GB 4706.32-2012`.
    pub id: String,
    /// Retrieval score of the candidate against the enterprise's products and
    /// industry (BM25-like, ≥ 0; 0 when found only through ICS or a reference).
    pub text_score: f64,
    /// The candidate's best product match relative to the best hit of that
    /// product, 0..=1 (0 when found through ICS, peers or a reference only).
    pub match_strength: f64,
    /// How strongly regulations name it together with a standard matched by
    /// a product, 0..=1 (0 when no regulation we know does).
    pub cocitation: f64,
    /// How broadly the regulations of the enterprise's industry in its
    /// markets name it, 0..=1 (0 when they do not).
    pub regulation: f64,
    /// How broadly a regulation names it for a kind of product the
    /// enterprise names, 0..=1 (0 when none does).
    pub product_kind: f64,
    /// How strongly another part of its series is the product's (matched
    /// or named for its kind), 0..=1 (0 when none is or the series is too
    /// large to tell).
    pub series_match: f64,
    /// How deep the candidate's ICS code matches the enterprise's ICS groups:
    /// 0 none, 1 field, 2 group, 3 sub-group.
    pub ics_match_depth: u32,
    /// Mandatory by nature (in China a `GB` code without `/T` or `/Z`).
    pub mandatory: bool,
    /// Mandatory (or giving presumption of conformity) in a market where the
    /// enterprise sells, for a product it makes.
    pub mandatory_in_market: bool,
    pub level: Level,
    /// `None` when the caller did not say: treated as in force, since the
    /// catalogue marks every withdrawn or replaced record.
    pub status: Option<Status>,
    /// Year of publication, 0 when unknown.
    pub published_year: i32,
    /// How many standards reference it normatively.
    pub in_degree: u32,
    /// Share of the enterprise's peers holding it, 0..=1; ignored when
    /// `peer_count` is 0.
    pub peer_adoption: f64,
    /// How many peers `peer_adoption` was measured on; 0 when the
    /// enterprise has no peers (the peer signal is absent, not 0 %).
    pub peer_count: u32,
    /// What the enterprise shares with its peers; `None` without peers.
    pub peer_level: Option<IndustryLevel>,
    /// The GB/T 4754 code at `peer_level`, e.g. `3852` (for reasons).
    pub peer_code: String,
    /// Adopts, or is adopted as, an international standard.
    pub international_alignment: bool,
    pub holding: Holding,
    /// Pulled in as a normative reference of another candidate.
    pub referenced: bool,
    /// The product it matched, in the enterprise's words (for reasons).
    pub matched_product: String,
    /// The national standard that adopts it, or the international one it
    /// adopts (for reasons).
    pub adopted_as: String,
}
