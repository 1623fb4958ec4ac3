//! What candidate retrieval learnt about one standard for one enterprise:
//! the standards service computes it, the advisor composes and scores with
//! it. One type for each side of the `Candidates` call: the question
//! ([`CandidateQuery`]) and the evidence per standard ([`Retrieval`]).

/// What retrieval is asked for one enterprise. Also the key of the
/// advisor's candidate cache: enterprises asking the same share an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CandidateQuery {
    /// Product names in Chinese or English.
    pub products: Vec<String>,
    /// GB/T 4754-2017 class codes (normalized, e.g. `3852`).
    pub industries: Vec<String>,
    /// ICS groups the profile points to (from profiling).
    pub ics_groups: Vec<String>,
    /// ISO 3166 alpha-2 codes or `EU`.
    pub markets: Vec<String>,
    /// Most candidates to return; 0 means the service's default.
    pub limit: u32,
}

/// The evidence that made a standard a candidate for an enterprise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Retrieval {
    /// Full-text relevance (BM25) of the best product query it matched.
    pub text_score: f32,
    /// Deepest ICS level shared with the enterprise's ICS groups: 0 none,
    /// 1 field, 2 group, 3 sub-group.
    pub ics_match_depth: u32,
    /// The products (as given) it matched, the one it matched most
    /// strongly first.
    pub matched_products: Vec<String>,
    /// Mandatory in one of the enterprise's markets.
    pub mandatory_in_market: bool,
    /// The candidate that references it normatively (or whose general part
    /// it is); empty when retrieved on its own.
    pub referenced_by: String,
    /// Relevance relative to the best match of the same product, 0..1.
    pub match_strength: f32,
    /// How strongly regulations name it together with a standard a product
    /// matched, 0..1 (the link's confidence × that standard's match
    /// strength; 0 when none).
    pub cocitation: f32,
    /// How broadly the regulations of the enterprise's industry in its
    /// markets name its line (`crate::regulation` weight, 0..1; 0 when they
    /// do not name it).
    pub regulation: f32,
    /// How broadly a regulation names its line for a kind of product the
    /// enterprise names (`crate::regulation::ProductRule` weight, 0..1; 0
    /// when no kind of its products does): the product's own lines, apart
    /// from the industry's in `regulation`.
    pub product_kind: f32,
    /// How strongly another part of its series
    /// (`crate::code::StdCode::series`) is the product's: the strongest
    /// `match_strength` or `product_kind` among them, 0..1; 0 when none is
    /// or the series is too large to tell (IEC 60335, IEC 61000).
    pub series_match: f32,
}
