//! The national standards adopting an international or regional line: for
//! an enterprise selling in China the GB is the form it adopts, and a GB
//! titled only in Chinese (GB/T 2272) is reached by an English product name
//! through the standard it adopts (ISO 5445), as a Chinese name abroad
//! reaches the ISO through its adopters' titles.

use std::collections::HashMap;

use stdnav_core::catalogue::Catalogue;
use stdnav_core::standard::Level;

use super::Hit;
use crate::snapshot::Snapshot;

/// Each international or regional line's adopting national standards in
/// force (any edition adopted counts), made once per snapshot: the
/// Candidates path then reads one map entry per hit.
#[derive(Debug, Default)]
pub(crate) struct NationalAdopters {
    of_line: HashMap<String, Vec<u64>>,
}

impl NationalAdopters {
    pub(crate) fn build(catalogue: &Catalogue) -> Self {
        let mut of_line: HashMap<String, Vec<u64>> = HashMap::new();
        for (i, s) in catalogue.records().iter().enumerate() {
            if !matches!(s.level, Level::International | Level::Regional) {
                continue;
            }
            for adopter in catalogue.adopted_by_at(i) {
                let Some(ord) = catalogue
                    .in_force_of_line(&catalogue.line_of(adopter))
                    .filter(|gb| gb.level == Level::National)
                    .and_then(|gb| catalogue.position(&gb.id))
                else {
                    continue;
                };
                let ords = of_line.entry(catalogue.line_at(i).to_string()).or_default();
                if !ords.contains(&(ord as u64)) {
                    ords.push(ord as u64);
                }
            }
        }
        NationalAdopters { of_line }
    }

    pub(crate) fn len(&self) -> usize {
        self.of_line.len()
    }

    pub(super) fn of(&self, line: &str) -> &[u64] {
        self.of_line.get(line).map_or(&[], Vec::as_slice)
    }
}

impl Snapshot {
    /// Makes the national standard in force adopting an international or
    /// regional hit a hit as strong (for an enterprise selling in China).
    pub(super) fn add_national_adopters(&self, hits: &mut Vec<(Hit, String)>) {
        let mut strongest: HashMap<u64, f32> = HashMap::new();
        for (hit, _) in hits.iter() {
            for &ord in self
                .national_adopters
                .of(self.catalogue.line_at(hit.ord as usize))
            {
                let score = strongest.entry(ord).or_default();
                *score = score.max(hit.score);
            }
        }
        for (ord, score) in strongest {
            if let Some((hit, _)) = hits.iter_mut().find(|(h, _)| h.ord == ord) {
                hit.score = hit.score.max(score);
                continue;
            }
            hits.push((
                Hit {
                    ord,
                    score,
                    highlighted_title: String::new(),
                },
                self.titles_lower(self.record(ord)),
            ));
        }
    }
}
