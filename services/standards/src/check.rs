//! Document check (标准有效性核查, issue 21): which of the standards a
//! document cites are still in force, and what replaced the others.
//!
//! [`check`] takes documents (text, PDF, DOCX, XLSX, CSV — [`crate::extract`]),
//! finds every code they cite with the one code normalizer
//! ([`stdnav_core::code::find_codes`]), merges repeats of a code into one
//! citation with its places, and resolves each against the catalogue: the
//! record, its status and whether the status is known or inferred, the
//! edition in force and the path of editions to it, whole or partial
//! replacement, the international standard it adopts and whether that has
//! been revised since, and whether it is mandatory. An undated reference
//! resolves to the current edition, and says so. A code the catalogue
//! lacks is listed apart (`unknown`), never dropped.

use std::collections::HashMap;

use serde::Serialize;

use stdnav_core::catalogue::{Catalogue, base_of};
use stdnav_core::code::{self, StdCode};
use stdnav_core::standard::{AdoptionDegree, Nature, Provenance, Standard, Status};

pub use stdnav_core::citation::CitationStatus;

use crate::extract::{self, DocFormat, ExtractError, Limits, Location};

/// Documents in one check.
pub const MAX_DOCUMENTS: usize = 100;
/// Characters of a document's name.
pub const MAX_NAME_CHARS: usize = 200;
/// Distinct citations reported; more are counted (`truncated`), not listed.
pub const MAX_CITATIONS: usize = 20_000;
/// Places listed for one citation; `occurrences` counts them all.
pub const MAX_PLACES: usize = 20;
/// Characters of text kept each side of a citation.
const CONTEXT_CHARS: usize = 30;

/// One document to check.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub content: Vec<u8>,
    /// None: detected from the content.
    pub format: Option<DocFormat>,
}

/// Where a citation was found, as written there, with the text around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub location: Location,
    pub cited_as: String,
    pub context: String,
}

/// An international standard a cited national one adopts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptedInfo {
    pub id: String,
    pub degree: Option<AdoptionDegree>,
    /// The adopted standard's edition in force, when the catalogue knows it.
    pub current: Option<String>,
    /// The adopted edition has been replaced since (`current` is newer).
    pub revised: bool,
}

/// One standard a document cites (all its places merged) and what it resolves to.
#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    /// The canonical code as cited (`GB/T 19001-2008`, `IEC 60335-2-40`).
    pub code: String,
    /// The citation names no year: it resolves to the current edition.
    pub undated: bool,
    /// An edition number cited (`Ed.6`); catalogues date editions, they do
    /// not number them, so it is reported, not matched.
    pub edition_number: Option<u16>,
    /// The record the citation resolves to (an id in the catalogue), "" when unknown.
    pub resolved: String,
    pub title_zh: String,
    pub title_en: String,
    pub status: CitationStatus,
    /// The status is inferred from the editions of the number (the national
    /// list gives none), not stated by the catalogue's source.
    pub status_inferred: bool,
    /// The edition in force now, "" when none is (withdrawn without
    /// replacement, or unknown).
    pub in_force: String,
    /// Editions from the cited one to the one in force (both included).
    pub path: Vec<String>,
    /// Replaced in part only (部分代替): the cited edition may stay in force for the rest.
    pub partly_replaced_by: Vec<String>,
    /// Date of entry into force of an upcoming edition, or of withdrawal.
    pub effective: String,
    pub withdrawn: String,
    pub mandatory: bool,
    pub adopts: Vec<AdoptedInfo>,
    /// Why, in words (English; the text report words it in either language).
    pub notes: Vec<String>,
    /// How many times it is cited, over all documents.
    pub occurrences: u32,
    /// The first [`MAX_PLACES`] places.
    pub places: Vec<Place>,
}

/// What the check read of one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub name: String,
    pub format: DocFormat,
    pub encoding: String,
    pub pages: u32,
    /// Lines, paragraphs or cells with text.
    pub segments: u32,
    pub citations: u32,
}

/// Counts, and what to update first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Distinct citations (known and unknown).
    pub total: u32,
    /// Per status name, every status listed (zeros too).
    pub by_status: Vec<(CitationStatus, u32)>,
    /// Codes of the superseded and withdrawn citations in the order to
    /// update them: mandatory first, then withdrawn before superseded,
    /// then by code.
    pub update_first: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub documents: Vec<DocumentInfo>,
    /// Citations the catalogue knows, in order of first appearance.
    pub citations: Vec<Citation>,
    /// Citations of codes the catalogue lacks, in order of first appearance.
    pub unknown: Vec<Citation>,
    pub summary: Summary,
    pub warnings: Vec<String>,
    /// More than [`MAX_CITATIONS`] distinct codes: the rest are not listed.
    pub truncated: bool,
}

impl CheckReport {
    /// Something cited is superseded or withdrawn (`--fail-on outdated`).
    pub fn has_outdated(&self) -> bool {
        self.citations.iter().any(|c| c.status.is_outdated())
    }
}

/// A document that cannot be read: its index, name and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document {name:?} {error}")]
pub struct DocumentError {
    pub index: usize,
    pub name: String,
    pub error: ExtractError,
}

/// Reads every document and checks what they cite against `catalogue`.
/// The first document that cannot be read fails the whole check (nothing
/// half-read is reported as if it were complete).
pub fn check(
    catalogue: &Catalogue,
    documents: &[Document],
    limits: &Limits,
) -> Result<CheckReport, DocumentError> {
    let mut infos = Vec::new();
    let mut warnings = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut truncated = false;
    for (index, doc) in documents.iter().enumerate() {
        let extracted =
            extract::extract(&doc.name, &doc.content, doc.format, limits).map_err(|error| {
                DocumentError {
                    index,
                    name: doc.name.clone(),
                    error,
                }
            })?;
        let mut count = 0u32;
        for segment in &extracted.segments {
            for f in code::find_codes(&segment.text) {
                count += 1;
                let key = f.code.canonical();
                let at = match by_code.get(&key) {
                    Some(&at) => at,
                    None if found.len() >= MAX_CITATIONS => {
                        truncated = true;
                        continue;
                    }
                    None => {
                        by_code.insert(key.clone(), found.len());
                        found.push(Found {
                            code: f.code.clone(),
                            edition: None,
                            occurrences: 0,
                            places: Vec::new(),
                        });
                        found.len() - 1
                    }
                };
                let entry = &mut found[at];
                entry.occurrences += 1;
                entry.edition = entry.edition.or(f.edition);
                if entry.places.len() < MAX_PLACES {
                    entry.places.push(Place {
                        location: segment.location.clone(),
                        cited_as: segment.text[f.start..f.end].to_string(),
                        context: context(&segment.text, f.start, f.end),
                    });
                }
            }
        }
        warnings.extend(
            extracted
                .warnings
                .iter()
                .map(|w| format!("{}: {w}", doc.name)),
        );
        infos.push(DocumentInfo {
            name: doc.name.clone(),
            format: extracted.format,
            encoding: extracted.encoding,
            pages: extracted.pages,
            segments: extracted.segments.len() as u32,
            citations: count,
        });
    }
    if truncated {
        warnings.push(format!(
            "more than {MAX_CITATIONS} distinct codes: only the first {MAX_CITATIONS} are listed"
        ));
    }
    let (mut citations, mut unknown) = (Vec::new(), Vec::new());
    for f in found {
        let c = resolve(catalogue, f);
        if c.resolved.is_empty() {
            unknown.push(c);
        } else {
            citations.push(c);
        }
    }
    let summary = summarize(&citations, &unknown);
    Ok(CheckReport {
        documents: infos,
        citations,
        unknown,
        summary,
        warnings,
        truncated,
    })
}

/// A code as found, before resolution.
struct Found {
    code: StdCode,
    edition: Option<u16>,
    occurrences: u32,
    places: Vec<Place>,
}

/// The text around `start..end`, on one line, at most [`CONTEXT_CHARS`] each side.
fn context(text: &str, start: usize, end: usize) -> String {
    let before: String = {
        let mut chars: Vec<char> = text[..start].chars().rev().take(CONTEXT_CHARS).collect();
        chars.reverse();
        chars.into_iter().collect()
    };
    let after: String = text[end..].chars().take(CONTEXT_CHARS).collect();
    let joined = format!("{before}{}{after}", &text[start..end]);
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn titles(c: &mut Citation, s: &Standard) {
    c.title_zh = s.title_zh.clone();
    c.title_en = s.title_en.clone();
}

fn resolve(catalogue: &Catalogue, f: Found) -> Citation {
    let code = f.code.canonical();
    let undated = f.code.year.is_none() && !f.code.prefix.starts_with("ETSI");
    let mut c = Citation {
        code: code.clone(),
        undated,
        edition_number: f.edition,
        resolved: String::new(),
        title_zh: String::new(),
        title_en: String::new(),
        status: CitationStatus::Unknown,
        status_inferred: false,
        in_force: String::new(),
        path: Vec::new(),
        partly_replaced_by: Vec::new(),
        effective: String::new(),
        withdrawn: String::new(),
        mandatory: f.code.nature() == Nature::Mandatory,
        adopts: Vec::new(),
        notes: Vec::new(),
        occurrences: f.occurrences,
        places: f.places,
    };
    if let Some(n) = f.edition {
        c.notes.push(format!(
            "edition {n} cited: the catalogue dates editions rather than numbering them, so the citation is read by its year (or as undated)"
        ));
    }
    if !f.code.amendments.is_empty() {
        c.notes.push(format!(
            "cites the amendments {} of {}",
            f.code.amendments.join(", "),
            f.code.edition_id()
        ));
    }
    let Some(record) = catalogue.resolve(&code) else {
        // An EN adoption of an ISO or IEC standard (EN ISO 13849-1): the
        // catalogue may know the adopted one.
        if let Some(adopted) = adopted_in_code(&f.code)
            && let Some(s) = catalogue.resolve(&adopted)
        {
            c.adopts.push(adoption(catalogue, &s.id, None));
            c.notes.push(format!(
                "not in the catalogue; it is the European adoption of {}, whose edition in force is {}",
                adopted_base(&adopted),
                c.adopts[0].current.as_deref().unwrap_or("unknown")
            ));
        } else {
            c.notes.push("not in the catalogue".into());
        }
        return c;
    };
    c.resolved = record.id.clone();
    titles(&mut c, record);
    c.mandatory = record.nature == Nature::Mandatory;
    c.status_inferred = record.status_source == Provenance::Inferred;
    c.effective = record.effective.clone().unwrap_or_default();
    c.withdrawn = record.withdrawn.clone().unwrap_or_default();
    c.partly_replaced_by = record.partly_replaced_by.clone();
    c.adopts = record
        .adopts
        .iter()
        .map(|a| adoption(catalogue, &a.id, a.degree))
        .collect();
    c.path = catalogue.path_to_current(&record.id);
    let end = c.path.last().and_then(|id| catalogue.get(id));
    let in_force = end.filter(|s| s.status == Status::Current);
    c.in_force = in_force.map(|s| s.id.clone()).unwrap_or_default();
    c.status = match record.status {
        Status::Current => CitationStatus::Current,
        Status::Upcoming => {
            // The edition it will replace is in force until then.
            c.in_force = record
                .replaces
                .iter()
                .filter_map(|r| catalogue.get(r))
                .find(|s| s.status == Status::Current)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            CitationStatus::Upcoming
        }
        Status::Replaced if in_force.is_some() => CitationStatus::Superseded,
        Status::Withdrawn if in_force.is_some() => CitationStatus::Superseded,
        Status::Replaced | Status::Withdrawn => CitationStatus::Withdrawn,
        Status::Draft => {
            c.notes.push("a draft, not a published standard".into());
            CitationStatus::Unknown
        }
    };
    if c.undated {
        c.notes.push(if c.status == CitationStatus::Current {
            format!(
                "undated reference: resolves to the current edition {}",
                record.id
            )
        } else {
            format!(
                "undated reference: no edition of the line is in force; the latest is {}",
                record.id
            )
        });
    }
    match c.status {
        CitationStatus::Superseded => {
            let other_line = base_of(&c.in_force) != base_of(&record.id);
            c.notes.push(format!(
                "{} is {}; the edition in force is {}{}",
                record.id,
                if record.status == Status::Withdrawn {
                    "withdrawn"
                } else {
                    "superseded"
                },
                c.in_force,
                if other_line {
                    " (replaced by another standard)"
                } else {
                    ""
                }
            ));
        }
        CitationStatus::Withdrawn => c.notes.push(format!(
            "{} is withdrawn{}, with no replacement in force in the catalogue",
            record.id,
            dated(" since", &c.withdrawn)
        )),
        CitationStatus::Upcoming => c.notes.push(format!(
            "{} comes into force{}",
            record.id,
            dated(" on", &c.effective)
        )),
        _ => {}
    }
    if !c.partly_replaced_by.is_empty() {
        c.notes.push(format!(
            "partly replaced by {}",
            c.partly_replaced_by.join(", ")
        ));
    }
    if c.status_inferred {
        c.notes.push(
            "status inferred from the editions of the number (the national list states none)"
                .into(),
        );
    }
    for a in &c.adopts {
        if a.revised {
            c.notes.push(format!(
                "adopts {}, since revised as {}",
                a.id,
                a.current.as_deref().unwrap_or("")
            ));
        }
    }
    c
}

/// ` on 2025-01-01`, or nothing without a date.
fn dated(word: &str, date: &str) -> String {
    if date.is_empty() {
        String::new()
    } else {
        format!("{word} {date}")
    }
}

/// The adopted standard's edition in force and whether it is newer.
fn adoption(catalogue: &Catalogue, id: &str, degree: Option<AdoptionDegree>) -> AdoptedInfo {
    let current = catalogue
        .latest_of(&base_of(id))
        .filter(|s| s.status == Status::Current)
        .map(|s| s.id.clone());
    let year = |x: &str| StdCode::parse(x).ok().and_then(|c| c.year);
    let revised = current
        .as_deref()
        .is_some_and(|cur| cur != id && year(cur) > year(id) && year(id).is_some());
    AdoptedInfo {
        id: id.to_string(),
        degree,
        current,
        revised,
    }
}

/// `ISO 13849-1` in `EN ISO 13849-1` (or `BS EN ISO …`), None for others.
fn adopted_in_code(code: &StdCode) -> Option<String> {
    let words: Vec<&str> = code.prefix.split(' ').collect();
    let at = words.iter().position(|w| *w == "EN")?;
    let rest = words[at + 1..].join(" ");
    if rest.is_empty() || !(rest.starts_with("ISO") || rest.starts_with("IEC")) {
        return None;
    }
    let mut id = format!("{rest} {}", code.number);
    if let Some(y) = code.year {
        id.push_str(&format!(":{y}"));
    }
    Some(id)
}

fn adopted_base(id: &str) -> String {
    base_of(id)
}

fn summarize(citations: &[Citation], unknown: &[Citation]) -> Summary {
    let mut counts: HashMap<CitationStatus, u32> = HashMap::new();
    for c in citations.iter().chain(unknown) {
        *counts.entry(c.status).or_default() += 1;
    }
    let mut outdated: Vec<&Citation> = citations
        .iter()
        .filter(|c| c.status.is_outdated())
        .collect();
    outdated.sort_by(|a, b| {
        (!a.mandatory, a.status != CitationStatus::Withdrawn, &a.code).cmp(&(
            !b.mandatory,
            b.status != CitationStatus::Withdrawn,
            &b.code,
        ))
    });
    Summary {
        total: (citations.len() + unknown.len()) as u32,
        by_status: CitationStatus::ALL
            .iter()
            .map(|s| (*s, counts.get(s).copied().unwrap_or(0)))
            .collect(),
        update_first: outdated.iter().map(|c| c.code.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_core::standard::Adoption;

    fn record(id: &str, status: Status) -> Standard {
        let code = StdCode::parse(id).unwrap();
        Standard {
            id: id.to_string(),
            family: code.family().to_string(),
            level: code.level(),
            nature: code.nature(),
            status,
            title_zh: format!("{id} 标题"),
            ..Default::default()
        }
    }

    fn catalogue() -> Catalogue {
        let mut gb_old = record("GB 4706.1-1998", Status::Replaced);
        gb_old.replaced_by = vec!["GB 4706.1-2005".into()];
        let mut gb = record("GB 4706.1-2005", Status::Current);
        gb.adopts = vec![Adoption {
            id: "IEC 60335-1:2004".into(),
            degree: Some(AdoptionDegree::Idt),
        }];
        let mut old = record("GB/T 19001-2008", Status::Replaced);
        old.replaced_by = vec!["GB/T 19001-2016".into()];
        let new = record("GB/T 19001-2016", Status::Current);
        let gone = record("GB/T 1234-1990", Status::Withdrawn);
        let iec_old = record("IEC 60335-1:2004", Status::Replaced);
        let iec = record("IEC 60335-1:2020", Status::Current);
        let iso = record("ISO 13849-1:2023", Status::Current);
        Catalogue::build(vec![gb_old, gb, old, new, gone, iec_old, iec, iso])
    }

    fn text(s: &str) -> Document {
        Document {
            name: "spec.txt".into(),
            content: s.as_bytes().to_vec(),
            format: None,
        }
    }

    #[test]
    fn statuses_paths_and_order() {
        let report = check(
            &catalogue(),
            &[text(
                "本规范引用：\nGB/T 19001-2008 质量管理体系\nGB 4706.1—1998、GB/T 1234-1990\nGB 4706.1 安全；EN ISO 13849-1；Q/XYZ 001-2020\nGB/T 19001—2008 again",
            )],
            &Limits::default(),
        )
        .unwrap();
        let by = |code: &str| {
            report
                .citations
                .iter()
                .chain(&report.unknown)
                .find(|c| c.code == code)
                .unwrap_or_else(|| panic!("{code} not found in {report:#?}"))
        };
        let old = by("GB/T 19001-2008");
        assert_eq!(old.status, CitationStatus::Superseded);
        assert_eq!(old.in_force, "GB/T 19001-2016");
        assert_eq!(old.path, ["GB/T 19001-2008", "GB/T 19001-2016"]);
        assert_eq!(old.occurrences, 2);
        assert_eq!(old.places[1].location.line, 5);
        assert_eq!(old.places[1].cited_as, "GB/T 19001—2008");
        assert!(old.places[0].context.contains("质量管理体系"));
        let gb = by("GB 4706.1-1998");
        assert!(gb.mandatory);
        let undated = by("GB 4706.1");
        assert!(undated.undated);
        assert_eq!(undated.resolved, "GB 4706.1-2005");
        assert_eq!(undated.status, CitationStatus::Current);
        assert!(undated.notes.iter().any(|n| n.contains("undated")));
        assert!(undated.adopts[0].revised);
        assert_eq!(
            undated.adopts[0].current.as_deref(),
            Some("IEC 60335-1:2020")
        );
        assert_eq!(by("GB/T 1234-1990").status, CitationStatus::Withdrawn);
        let en = by("EN ISO 13849-1");
        assert_eq!(en.status, CitationStatus::Unknown);
        assert_eq!(en.adopts[0].current.as_deref(), Some("ISO 13849-1:2023"));
        assert_eq!(by("Q/XYZ 001-2020").status, CitationStatus::Unknown);
        assert_eq!(report.unknown.len(), 2);
        // Mandatory first, then withdrawn before superseded.
        assert_eq!(
            report.summary.update_first,
            ["GB 4706.1-1998", "GB/T 1234-1990", "GB/T 19001-2008"]
        );
        assert_eq!(report.summary.total, 6);
        assert!(report.has_outdated());
    }

    #[test]
    fn unreadable_documents_are_named() {
        let err = check(
            &catalogue(),
            &[
                text("GB 4706.1"),
                Document {
                    name: "bad.pdf".into(),
                    content: b"%PDF-1.4 nothing".to_vec(),
                    format: None,
                },
            ],
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!((err.index, err.name.as_str()), (1, "bad.pdf"));
        assert!(matches!(err.error, ExtractError::CorruptPdf(_)));
    }
}
