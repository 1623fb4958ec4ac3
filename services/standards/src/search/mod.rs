//! Search, statistics and candidate retrieval over a [`Snapshot`].

mod adopters;
mod candidates;
mod generic;
mod highlight;
mod pruning;
mod qualifiers;
mod query;
mod run;
mod series;

pub(crate) use adopters::NationalAdopters;
pub use candidates::{CandidateHit, CandidatesResult};
pub use highlight::{display_title, highlight};
pub use query::code_like;
pub(crate) use series::SeriesIndex;

use std::collections::BTreeMap;

use stdnav_core::standard::{Level, Nature, Status};

use crate::error::StandardsError;
use crate::index::status_str;
use crate::snapshot::Snapshot;

/// Limits on requests, documented in docs/API.md.
pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE: u32 = 10_000;
pub const MAX_CANDIDATES: usize = 2000;
pub const MAX_FILTER_VALUES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetKind {
    Family,
    Level,
    Nature,
    Status,
    IcsField,
    Year,
    Committee,
    /// The Chinese catalogue's category (product, method, basic, safety …).
    Category,
    /// Degree of the first adoption (IDT, MOD, NEQ, EQV), `none` when nothing is adopted.
    Adoption,
}

impl FacetKind {
    fn path(self) -> &'static str {
        match self {
            FacetKind::Family => "/family",
            FacetKind::Level => "/level",
            FacetKind::Nature => "/nature",
            FacetKind::Status => "/status",
            FacetKind::IcsField => "/ics",
            FacetKind::Year => "/year",
            FacetKind::Committee => "/committee",
            FacetKind::Category => "/category",
            FacetKind::Adoption => "/adoption",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub levels: Vec<Level>,
    pub natures: Vec<Nature>,
    pub statuses: Vec<Status>,
    pub ics_prefixes: Vec<String>,
    pub families: Vec<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
            && self.natures.is_empty()
            && self.statuses.is_empty()
            && self.ics_prefixes.is_empty()
            && self.families.is_empty()
            && self.from_year.is_none()
            && self.to_year.is_none()
    }

    /// Checks values a caller typed (ICS codes, families, years).
    pub fn validate(&self) -> Result<(), StandardsError> {
        let mut bad = Vec::new();
        for (name, n) in [
            ("filters.ics_prefixes", self.ics_prefixes.len()),
            ("filters.families", self.families.len()),
            ("filters.levels", self.levels.len()),
            ("filters.natures", self.natures.len()),
            ("filters.statuses", self.statuses.len()),
        ] {
            if n > MAX_FILTER_VALUES {
                bad.push((
                    name.to_string(),
                    format!("at most {MAX_FILTER_VALUES} values"),
                ));
            }
        }
        for (i, p) in self.ics_prefixes.iter().enumerate() {
            if !is_ics_code(p) {
                bad.push((
                    format!("filters.ics_prefixes[{i}]"),
                    format!("{p:?} is not an ICS code such as \"97\", \"97.040\" or \"97.040.30\""),
                ));
            }
        }
        for (i, f) in self.families.iter().enumerate() {
            if f.trim().is_empty() || f.len() > 40 {
                bad.push((
                    format!("filters.families[{i}]"),
                    "must be 1-40 characters".into(),
                ));
            }
        }
        if let (Some(a), Some(b)) = (self.from_year, self.to_year)
            && a > b
        {
            bad.push((
                "filters.published_from_year".into(),
                format!("{a} is after published_to_year {b}"),
            ));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(StandardsError::InvalidArgument(bad))
        }
    }
}

/// "97", "97.040", "97.040.30".
pub fn is_ics_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let widths = [2, 3, 2];
    parts.len() <= 3
        && parts
            .iter()
            .zip(widths)
            .all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub query: String,
    pub filters: Filters,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    pub facets: Vec<FacetKind>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub ord: u64,
    pub score: f32,
    pub highlighted_title: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: u64,
    pub facets: Vec<(FacetKind, Vec<(String, u64)>)>,
}

impl Snapshot {
    /// The document ordinal of a record id.
    pub fn ord_of(&self, id: &str) -> Option<u64> {
        // Records are indexed in catalogue order, so the ordinal is the position.
        self.catalogue.position(id).map(|p| p as u64)
    }

    /// Facet counts over the whole catalogue, for reports.
    pub fn overview(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for s in self.catalogue.records() {
            *m.entry(status_str(s.status).to_string()).or_insert(0) += 1;
        }
        m
    }
}
