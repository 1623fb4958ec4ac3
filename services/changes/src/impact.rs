//! Impact: which of a tenant's enterprises a change affects, and why.
//!
//! Rules, for an event about edition `X` of line `L`:
//! 1. **holds** — the enterprise holds `X`; for a new edition or one now in
//!    force, holding another edition of `L` counts too (it has to move);
//! 2. **references** — a standard it holds references `X` (or `L`
//!    undated) normatively, directly or through up to [`MAX_REF_DEPTH`]
//!    references; the path from the held standard to `X` is given;
//! 3. **mandatory** — `X` is a mandatory national standard, the enterprise
//!    sells in China (or names no market), and `X` is classified in one of
//!    the ICS groups its industries and products map to;
//! 4. **recommended** — otherwise, for a new edition, a standard now in
//!    force or coming into force: `X` is a voluntary standard in one of
//!    those ICS groups (the retrieval rule the advisor's recommendations
//!    start from). A voluntary standard the enterprise does not hold being
//!    withdrawn, replaced or renamed does not affect it.
//!
//! Only the enterprises passed in are considered: callers pass one
//! tenant's enterprises, so an impact never crosses tenants.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use stdnav_core::catalogue::{Catalogue, base_of};
use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_core::standard::Standard;

use crate::event::{ChangeEvent, ChangeKind};

/// How deep reference chains are followed from a held standard.
pub const MAX_REF_DEPTH: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Holds this edition.
    Holds { held: String },
    /// Holds another edition of the same standard.
    HoldsOtherEdition { held: String },
    /// A held standard references this one normatively; `path` runs from
    /// the held standard to this one.
    References { held: String, path: Vec<String> },
    /// Mandatory in China and classified in the enterprise's ICS group `ics`
    /// (its industry `industry`).
    Mandatory { industry: String, ics: String },
    /// A voluntary standard in the enterprise's ICS group `ics`.
    Recommended { ics: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub uscc: String,
    pub name: String,
    pub reasons: Vec<Reason>,
}

/// The canonical codes an enterprise holds.
pub fn held_codes(r: &EnterpriseRecord) -> Vec<String> {
    let mut out: Vec<String> = r.enrichment.held.iter().map(|h| h.code.clone()).collect();
    if out.is_empty() {
        out = r
            .profile
            .standards_held
            .iter()
            .filter_map(|s| stdnav_core::code::normalize(s).ok())
            .collect();
    }
    out
}

/// What an enterprise is exposed to, computed once per catalogue: its held
/// editions and lines, every standard those reference normatively (up to
/// [`MAX_REF_DEPTH`] deep, with the shortest path), its ICS groups and
/// market. Evaluating an event against it is a few hash lookups, so a
/// batch of events over a tenant's enterprises costs one reference walk
/// per enterprise, not one per event.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub uscc: String,
    pub name: String,
    /// (held code, its line).
    held: Vec<(String, String)>,
    refs: Vec<HeldRefs>,
    /// ICS groups (at least `97.040`, not a whole field).
    ics_groups: Vec<String>,
    in_china: bool,
    industry: String,
}

/// From one held standard: for each reference reached (by code as written,
/// and by its line), the path from the held standard up to the standard
/// that makes the reference.
#[derive(Debug, Clone)]
struct HeldRefs {
    held: String,
    base: String,
    by_id: HashMap<String, Vec<String>>,
    by_base: HashMap<String, Vec<String>>,
}

impl HeldRefs {
    fn walk(catalogue: &Catalogue, held: &str) -> Self {
        let mut refs = HeldRefs {
            held: held.to_string(),
            base: base_of(held),
            by_id: HashMap::new(),
            by_base: HashMap::new(),
        };
        let Some(start) = record(catalogue, held) else {
            return refs;
        };
        let mut queue: VecDeque<(&Standard, Vec<String>)> = VecDeque::new();
        let mut seen: HashSet<&str> = HashSet::new();
        seen.insert(start.id.as_str());
        queue.push_back((start, vec![held.to_string()]));
        while let Some((s, path)) = queue.pop_front() {
            if path.len() > MAX_REF_DEPTH {
                continue;
            }
            for r in &s.normative_refs {
                refs.by_id.entry(r.clone()).or_insert_with(|| path.clone());
                refs.by_base
                    .entry(base_of(r))
                    .or_insert_with(|| path.clone());
                if let Some(next) = record(catalogue, r)
                    && seen.insert(next.id.as_str())
                {
                    let mut p = path.clone();
                    p.push(next.id.clone());
                    queue.push_back((next, p));
                }
            }
        }
        refs
    }

    /// The path from the held standard to `target` (or its line).
    fn path_to(&self, target: &str, target_base: &str) -> Option<Vec<String>> {
        let prefix = self
            .by_id
            .get(target)
            .or_else(|| self.by_base.get(target_base))?;
        let mut path = prefix.clone();
        path.push(target.to_string());
        Some(path)
    }
}

impl Exposure {
    pub fn new(e: &EnterpriseRecord, catalogue: &Catalogue) -> Self {
        let held: Vec<(String, String)> = held_codes(e)
            .into_iter()
            .map(|h| {
                let base = base_of(&h);
                (h, base)
            })
            .collect();
        let refs = held
            .iter()
            .map(|(h, _)| HeldRefs::walk(catalogue, h))
            .collect();
        Exposure {
            uscc: e.profile.uscc.clone(),
            name: e.profile.name.clone(),
            held,
            refs,
            ics_groups: e
                .enrichment
                .ics_groups
                .iter()
                .filter(|g| g.contains('.'))
                .cloned()
                .collect(),
            in_china: e.profile.markets.is_empty() || e.profile.markets.iter().any(|m| m == "CN"),
            industry: e.enrichment.industries.first().cloned().unwrap_or_default(),
        }
    }

    /// Why `event` (about a standard of line `base`) affects this enterprise, if it does.
    pub fn impact(&self, event: &ChangeEvent, base: &str) -> Option<Impact> {
        let mut reasons = Vec::new();
        let other_edition_counts = matches!(
            event.kind,
            ChangeKind::NewEdition
                | ChangeKind::NowInForce
                | ChangeKind::ComingIntoForce
                | ChangeKind::TransitionDeadline
        );
        let mut holds_it = false;
        for (h, h_base) in &self.held {
            if *h == event.standard {
                reasons.push(Reason::Holds { held: h.clone() });
                holds_it = true;
            } else if other_edition_counts && h_base == base {
                reasons.push(Reason::HoldsOtherEdition { held: h.clone() });
                holds_it = true;
            }
        }
        for refs in &self.refs {
            if refs.base == base {
                continue;
            }
            if let Some(path) = refs.path_to(&event.standard, base) {
                reasons.push(Reason::References {
                    held: refs.held.clone(),
                    path,
                });
            }
        }
        if !holds_it && let Some(ics) = ics_match(&event.ics, &self.ics_groups) {
            if event.mandatory {
                if self.in_china {
                    reasons.push(Reason::Mandatory {
                        industry: self.industry.clone(),
                        ics,
                    });
                }
            } else if other_edition_counts {
                // Something new to adopt; a voluntary standard one does not
                // hold being withdrawn or renamed is not news.
                reasons.push(Reason::Recommended { ics });
            }
        }
        (!reasons.is_empty()).then(|| Impact {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            reasons,
        })
    }
}

/// The exposure of each enterprise, in their order.
pub fn exposures(enterprises: &[EnterpriseRecord], catalogue: &Catalogue) -> Vec<Exposure> {
    enterprises
        .iter()
        .map(|e| Exposure::new(e, catalogue))
        .collect()
}

/// Every enterprise the event affects, in their order.
pub fn impacts(event: &ChangeEvent, exposures: &[Exposure]) -> Vec<Impact> {
    let base = event.base();
    exposures
        .iter()
        .filter_map(|x| x.impact(event, &base))
        .collect()
}

/// Why `event` affects enterprise `e`, if it does (one event, one enterprise).
pub fn impact(event: &ChangeEvent, catalogue: &Catalogue, e: &EnterpriseRecord) -> Option<Impact> {
    Exposure::new(e, catalogue).impact(event, &event.base())
}

/// The group (among `groups`) that one of the standard's ICS codes falls in.
pub fn ics_match(standard_ics: &[String], groups: &[String]) -> Option<String> {
    groups
        .iter()
        .filter(|g| g.contains('.'))
        .find(|g| {
            standard_ics.iter().any(|i| {
                i.starts_with(g.as_str())
                    && (i.len() == g.len() || i.as_bytes().get(g.len()) == Some(&b'.'))
            })
        })
        .cloned()
}

fn record<'a>(catalogue: &'a Catalogue, code: &str) -> Option<&'a Standard> {
    catalogue.get(code).or_else(|| catalogue.resolve(code))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use stdnav_core::enterprise::{Enrichment, HeldStandard, Profile};
    use stdnav_core::standard::{Level, Nature, Status};

    /// A stored enterprise selling in China, industry 3851.
    pub(crate) fn ent(uscc: &str, held: &[&str], ics: &[&str]) -> EnterpriseRecord {
        EnterpriseRecord {
            profile: Profile {
                uscc: uscc.into(),
                name: format!("企业{uscc}"),
                markets: vec!["CN".into()],
                ..Default::default()
            },
            enrichment: Enrichment {
                held: held
                    .iter()
                    .map(|h| HeldStandard {
                        input: h.to_string(),
                        code: h.to_string(),
                    })
                    .collect(),
                industries: vec!["3851".into()],
                ics_groups: ics.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            tenant: "t".into(),
            version: 1,
            updated_at_ms: 0,
        }
    }

    fn catalogue() -> Catalogue {
        let gb = |id: &str, refs: &[&str]| Standard {
            id: id.into(),
            nature: Nature::Mandatory,
            level: Level::National,
            status: Status::Current,
            ics: vec!["97.040.30".into()],
            normative_refs: refs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        Catalogue::build(vec![
            gb("GB 4706.13-2014", &["GB 4706.1-2005"]),
            gb("GB 4706.1-2005", &["GB/T 2423.1"]),
            Standard {
                id: "GB/T 2423.1-2008".into(),
                ics: vec!["19.040".into()],
                ..Default::default()
            },
        ])
    }

    #[test]
    fn holds_references_with_path_and_mandatory() {
        let cat = catalogue();
        let withdrawn = ChangeEvent::about(
            ChangeKind::Withdrawn,
            cat.get("GB/T 2423.1-2008").unwrap(),
            "s",
            1,
        )
        .seal(&[]);
        let a = ent("A", &["GB 4706.13-2014"], &[]);
        let b = ent("B", &["GB/T 2423.1-2008"], &[]);
        let c = ent("C", &[], &["97.040"]);
        let got = impacts(&withdrawn, &exposures(&[a, b, c.clone()], &cat));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0].reasons,
            [Reason::References {
                held: "GB 4706.13-2014".into(),
                path: vec![
                    "GB 4706.13-2014".into(),
                    "GB 4706.1-2005".into(),
                    "GB/T 2423.1-2008".into()
                ]
            }]
        );
        assert_eq!(
            got[1].reasons,
            [Reason::Holds {
                held: "GB/T 2423.1-2008".into()
            }]
        );

        // A mandatory standard in C's ICS group affects C, who holds nothing.
        let new = ChangeEvent::about(
            ChangeKind::NewEdition,
            cat.get("GB 4706.1-2005").unwrap(),
            "s",
            1,
        )
        .seal(&[]);
        let got = impacts(&new, &exposures(&[c], &cat));
        assert_eq!(
            got[0].reasons,
            [Reason::Mandatory {
                industry: "3851".into(),
                ics: "97.040".into()
            }]
        );
    }

    #[test]
    fn other_editions_count_only_for_new_editions() {
        let cat = catalogue();
        let s = cat.get("GB 4706.1-2005").unwrap();
        let holder = ent("A", &["GB 4706.1-1998"], &[]);
        let new = ChangeEvent::about(ChangeKind::NewEdition, s, "s", 1).seal(&[]);
        assert_eq!(
            impact(&new, &cat, &holder).unwrap().reasons,
            [Reason::HoldsOtherEdition {
                held: "GB 4706.1-1998".into()
            }]
        );
        let title = ChangeEvent::about(ChangeKind::TitleChanged, s, "s", 1).seal(&[]);
        assert!(impact(&title, &cat, &holder).is_none());
    }
}
