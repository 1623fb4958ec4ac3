//! The parts of a series beside the part a product matched: a standard in
//! parts (ISO 6185-1, -2, -3 for inflatable boats of three sizes; GB 3565.2
//! and GB/T 3565.1, .3, .4 for bicycles) is adopted as a whole, yet often
//! only one part's title names the product.

use std::collections::{HashMap, HashSet};

use stdnav_core::catalogue::Catalogue;
use stdnav_core::code::StdCode;
use stdnav_core::standard::Status;

use super::candidates::CandidateHit;
use crate::snapshot::Snapshot;

/// A series with more parts in force than this (IEC 60335, IEC 61000,
/// ISO 105, ISO 22915) is a family of products or tests, not one product's
/// standard: one part matching says nothing about the others.
const MAX_TOLD: usize = 12;

/// The parts of a series with at most this many parts in force are added as
/// candidates when one of them is the product's at least [`ADD_FROM`]
/// strongly.
const MAX_ADDED: usize = 8;
const ADD_FROM: f32 = 0.5;

/// Each line's series, and the in-force edition of every line of each
/// series, made once per snapshot.
#[derive(Debug, Default)]
pub(crate) struct SeriesIndex {
    of_line: HashMap<String, u32>,
    members: Vec<Vec<u64>>,
}

impl SeriesIndex {
    pub(crate) fn build(catalogue: &Catalogue) -> Self {
        let mut index = SeriesIndex::default();
        let mut by_name: HashMap<String, u32> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for i in 0..catalogue.len() {
            let line = catalogue.line_at(i);
            if !seen.insert(line) {
                continue;
            }
            let Some(series) = StdCode::parse(line).ok().and_then(|c| c.series()) else {
                continue;
            };
            let next = u32::try_from(by_name.len()).unwrap_or(u32::MAX);
            let id = *by_name.entry(series).or_insert(next);
            if id as usize == index.members.len() {
                index.members.push(Vec::new());
            }
            index.of_line.insert(line.to_string(), id);
            if let Some(s) = catalogue.in_force_of_line(line)
                && s.status == Status::Current
                && let Some(ord) = catalogue.position(&s.id)
            {
                index.members[id as usize].push(ord as u64);
            }
        }
        index
    }

    /// How many series the catalogue holds.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    fn series_of(&self, line: &str) -> Option<u32> {
        self.of_line.get(line).copied()
    }

    fn members(&self, series: u32) -> &[u64] {
        self.members.get(series as usize).map_or(&[], |m| m)
    }
}

impl Snapshot {
    /// Sets each candidate's `series_match` — how strongly another line of
    /// its series is the product's: matched by a product's words, or named
    /// by a regulation for its kind — and adds the in-force parts of a small
    /// series one of whose parts is strongly the product's, carrying that
    /// part's products.
    pub(super) fn add_series(&self, list: &mut Vec<CandidateHit>, have: &mut HashSet<u64>) {
        let index = &self.series;
        // Per series: the strongest match and its line and candidate, and
        // the strongest match of another line (for that line itself).
        struct Best<'a> {
            first: (f32, &'a str, usize),
            second: f32,
        }
        let mut best: HashMap<u32, Best> = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            let strength = c.retrieval.match_strength.max(c.retrieval.product_kind);
            if strength <= 0.0 {
                continue;
            }
            let line = self.catalogue.line_at(c.ord as usize);
            let Some(series) = index.series_of(line) else {
                continue;
            };
            let entry = best.entry(series).or_insert(Best {
                first: (0.0, "", i),
                second: 0.0,
            });
            if line == entry.first.1 {
                entry.first.0 = entry.first.0.max(strength);
            } else if strength > entry.first.0 {
                entry.second = entry.second.max(entry.first.0);
                entry.first = (strength, line, i);
            } else {
                entry.second = entry.second.max(strength);
            }
        }
        for c in list.iter_mut() {
            let line = self.catalogue.line_at(c.ord as usize);
            let Some(series) = index.series_of(line) else {
                continue;
            };
            if index.members(series).len() > MAX_TOLD {
                continue;
            }
            if let Some(b) = best.get(&series) {
                c.retrieval.series_match = if line == b.first.1 {
                    b.second
                } else {
                    b.first.0
                };
            }
        }
        let mut added = Vec::new();
        let mut strongest: Vec<(&u32, &Best)> = best.iter().collect();
        strongest.sort_by_key(|(series, _)| **series);
        for (&series, b) in strongest {
            let members = index.members(series);
            if b.first.0 < ADD_FROM || members.len() > MAX_ADDED {
                continue;
            }
            for &ord in members {
                if have.insert(ord) {
                    let mut hit = CandidateHit {
                        ord,
                        ..Default::default()
                    };
                    hit.retrieval.series_match = b.first.0;
                    hit.retrieval.matched_products =
                        list[b.first.2].retrieval.matched_products.clone();
                    added.push(hit);
                }
            }
        }
        list.extend(added);
    }
}
