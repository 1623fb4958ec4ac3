//! The relaton-derived JSON Lines catalogues of ISO, IEC and ETSI.
//!
//! One line is one publication, and the catalogues list every publication
//! as its own line: editions, but also consolidated versions (`… CSV`),
//! redlines (`RLV`), commented and extended versions (`CMV`, `EXV`),
//! amendments (`/AMD1:2005`, `/Amd 1:2024`), corrigenda (`/COR1`, `/Cor 1`)
//! and fragments (`/FRAG2`). Only editions become records; the rest are
//! attached to the edition they belong to.

use serde::Deserialize;

use crate::code::StdCode;
use crate::standard::{Level, Nature, Standard, Status};

#[derive(Debug, Deserialize)]
struct Line {
    docid: String,
    title_en: Option<String>,
    title_fr: Option<String>,
    title_any: Option<String>,
    stage: Option<String>,
    substage: Option<String>,
    edition: Option<String>,
    #[serde(default)]
    dates: Dates,
    #[serde(default)]
    committees: Vec<String>,
    #[serde(default)]
    ics: Vec<String>,
    #[serde(default)]
    relations: Vec<Relation>,
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
struct Dates {
    published: Option<String>,
    obsoleted: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Relation {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "ref")]
    reference: String,
}

/// A publication that belongs to an edition rather than being one.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Canonical code of the edition without year, e.g. `IEC 60335-2-40`.
    pub base: String,
    /// The edition's year when the publication names it.
    pub year: Option<u16>,
    /// The edition number from the catalogue (`"6"`, `"4.2"` → 4).
    pub edition: Option<u32>,
    pub kind: AttachmentKind,
    /// The publication's own code, e.g. `IEC 60335-2-40:2018 RLV`.
    pub label: String,
    pub published: Option<String>,
    /// Titles, to build the edition when only variants of it are listed.
    pub standard: Standard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Amendment,
    Variant,
}

#[derive(Debug)]
pub enum Item {
    Edition(Standard),
    Attachment(Attachment),
}

fn non_empty(s: Option<String>) -> String {
    s.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s != "Titre manque")
        .unwrap_or_default()
}

const VARIANT_SUFFIXES: &[&str] = &["EXV-CMV", "CSV", "RLV", "CMV", "EXV", "PRV", "SER"];

/// ISO stage codes: below 60 under development, 60.00 being published,
/// 60.60 published, 90.xx under review (still current), 95.99 withdrawn.
fn iso_status(stage: &str, substage: &str, newer_edition: bool) -> Status {
    match stage.parse::<u32>() {
        Ok(s) if s < 60 => Status::Draft,
        Ok(60) if substage == "00" => Status::Upcoming,
        Ok(60) | Ok(90) => Status::Current,
        Ok(_) if newer_edition => Status::Replaced,
        Ok(_) => Status::Withdrawn,
        Err(_) => match stage {
            "PUBLISHED" => Status::Current,
            "REVISED" | "REPLACED" => Status::Replaced,
            "WITHDRAWN" => Status::Withdrawn,
            _ => Status::Current,
        },
    }
}

/// Parses one line. `Ok(None)` for lines that are not standards at all
/// (ISO drafts without a number). Errors name the reason.
pub fn parse_line(line: &str, source: &str) -> Result<Option<Item>, String> {
    let raw: Line = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let docid = raw.docid.split_whitespace().collect::<Vec<_>>().join(" ");
    if docid.is_empty() {
        return Err("empty docid".into());
    }
    if docid.starts_with("ETSI ") {
        return parse_etsi(raw, docid, source).map(|s| Some(Item::Edition(s)));
    }
    let title_en = {
        let t = non_empty(raw.title_en.clone());
        if t.is_empty() {
            non_empty(raw.title_any.clone())
        } else {
            t
        }
    };
    let stage = raw.stage.clone().unwrap_or_default();
    let substage = raw.substage.clone().unwrap_or_default();

    // Variant suffix: "IEC 60335-2-40:2018 RLV", "…:2002+AMD1:2005+AMD2:2005 CSV".
    let (head, variant) = match docid.rsplit_once(' ') {
        Some((head, tail)) if VARIANT_SUFFIXES.contains(&tail) => (head.to_string(), true),
        _ => (docid.clone(), false),
    };
    // Consolidations name the base edition before the first '+'.
    let head_no_plus = head.split('+').next().unwrap_or(&head).to_string();
    // Amendments, corrigenda and fragments follow a '/' after the number.
    let (edition_part, amendment) = split_amendment(&head_no_plus);
    let is_draft_code = edition_part.contains("/DIS")
        || edition_part.contains("/FDIS")
        || edition_part.contains("/CD")
        || edition_part.contains("/WD")
        || edition_part.contains("/PRF")
        || edition_part.contains("/AWI")
        || edition_part.contains("/NP")
        || edition_part.contains("/PWI")
        || edition_part.contains(" DIS ")
        || edition_part.contains(" FDIS ")
        || edition_part.contains(" CD ")
        || edition_part.contains("/DTS")
        || edition_part.contains("/DTR")
        || edition_part.contains("/DPAS")
        || edition_part.contains("/DIS ")
        || edition_part.contains("/DAmd")
        || edition_part.contains("/DAM");
    if is_draft_code {
        // Drafts have no stable code; they are work items, not standards to adopt.
        return Ok(None);
    }
    let code = StdCode::parse(&edition_part).map_err(|e| format!("docid {docid:?}: {e}"))?;
    let edition_number = raw
        .edition
        .as_deref()
        .and_then(|e| e.split('.').next())
        .and_then(|e| e.parse::<u32>().ok());

    let mut standard = Standard {
        id: code.edition_id(),
        family: code.family().to_string(),
        level: code.level(),
        nature: code.nature(),
        title_en,
        title_fr: non_empty(raw.title_fr.clone()),
        ics: raw.ics.clone(),
        committee: raw.committees.first().cloned().unwrap_or_default(),
        published: raw.dates.published.clone(),
        keywords: raw.keywords.clone(),
        source: source.to_string(),
        ..Default::default()
    };
    if variant || amendment.is_some() {
        return Ok(Some(Item::Attachment(Attachment {
            base: code.base(),
            year: code.year,
            edition: edition_number,
            kind: if amendment.is_some() {
                AttachmentKind::Amendment
            } else {
                AttachmentKind::Variant
            },
            label: docid,
            published: raw.dates.published.clone(),
            standard,
        })));
    }
    if code.year.is_none() {
        // A number without a year is a project or a listing, not an edition.
        return Ok(None);
    }
    let base = code.base();
    let year = code.year.unwrap_or(0);
    let mut newer = false;
    for r in &raw.relations {
        let Ok(other) = StdCode::parse(split_amendment(&r.reference).0.as_str()) else {
            continue;
        };
        let same_line = other.base() == base;
        let other_id = other.edition_id();
        match r.kind.as_str() {
            // This record obsoletes an older one: it replaces it.
            "obsoletes"
                if other.year.is_some()
                    && other_id != standard.id
                    && !standard.replaces.contains(&other_id) =>
            {
                standard.replaces.push(other_id);
            }
            // This record is updated by a newer edition of the same line.
            "updates" if same_line && other.year.is_some_and(|y| y > year) => {
                newer = true;
                if !standard.replaced_by.contains(&other_id) {
                    standard.replaced_by.push(other_id);
                }
            }
            _ => {}
        }
    }
    standard.status = iso_status(&stage, &substage, newer);
    if matches!(standard.status, Status::Withdrawn | Status::Replaced) {
        standard.withdrawn = raw.dates.obsoleted.clone();
    }
    Ok(Some(Item::Edition(standard)))
}

/// Splits `IEC 60335-1:2010/AMD1:2013` into (`IEC 60335-1:2010`, Some(`AMD1:2013`)).
/// A slash that belongs to the prefix (`ISO/IEC`, `ISO/TS`) is not a split.
fn split_amendment(docid: &str) -> (String, Option<String>) {
    // The number starts at the first digit; amendments follow a '/' after it.
    let Some(first_digit) = docid.find(|c: char| c.is_ascii_digit()) else {
        return (docid.to_string(), None);
    };
    match docid[first_digit..].find('/') {
        Some(pos) => {
            let at = first_digit + pos;
            (
                docid[..at].trim().to_string(),
                Some(docid[at + 1..].trim().to_string()),
            )
        }
        None => (docid.to_string(), None),
    }
}

/// ETSI deliverables: `ETSI EN 300 328 V2.2.2 (2019-07)`. Every version is
/// its own record; supersession between versions is inferred later.
fn parse_etsi(raw: Line, docid: String, source: &str) -> Result<Standard, String> {
    let title = {
        let t = non_empty(raw.title_en.clone());
        if t.is_empty() {
            non_empty(raw.title_any.clone())
        } else {
            t
        }
    };
    let harmonised = raw
        .keywords
        .iter()
        .any(|k| k.eq_ignore_ascii_case("Harmonised Standard"))
        || title.contains("Harmonised Standard");
    let family = docid
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Standard {
        id: docid,
        family,
        level: Level::Regional,
        nature: Nature::Recommended,
        title_en: title,
        ics: raw.ics,
        committee: raw.committees.first().cloned().unwrap_or_default(),
        status: Status::Current,
        published: raw.dates.published,
        keywords: {
            let mut k = raw.keywords;
            if harmonised && !k.iter().any(|x| x == "Harmonised Standard") {
                k.push("Harmonised Standard".into());
            }
            k
        },
        source: source.to_string(),
        ..Default::default()
    })
}

/// `ETSI EN 300 328 V2.2.2 (2019-07)` → (`ETSI EN 300 328`, [2, 2, 2]).
pub fn etsi_version(id: &str) -> Option<(String, Vec<u32>)> {
    let pos = id.find(" V")?;
    let base = id[..pos].to_string();
    let rest = &id[pos + 2..];
    let version = rest.split_whitespace().next()?;
    let parts: Option<Vec<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
    Some((base, parts?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edition(line: &str) -> Standard {
        match parse_line(line, "t").unwrap().unwrap() {
            Item::Edition(s) => s,
            other => panic!("not an edition: {other:?}"),
        }
    }

    #[test]
    fn iso_edition_with_relations() {
        let s = edition(
            r#"{"docid": "ISO 9001:2008", "title_en": "Quality management systems - Requirements", "title_fr": "x", "stage": "95", "substage": "99", "edition": "4", "dates": {"published": "2008-11"}, "committees": ["ISO/TC 176/SC 2"], "ics": ["03.120.10"], "relations": [{"type": "obsoletes", "ref": "ISO 9001:2000"}, {"type": "updates", "ref": "ISO 9001:2015"}, {"type": "updates", "ref": "ISO 9001:2008/Cor 1:2009"}]}"#,
        );
        assert_eq!(s.id, "ISO 9001:2008");
        assert_eq!(s.status, Status::Replaced);
        assert_eq!(s.replaces, ["ISO 9001:2000"]);
        assert_eq!(s.replaced_by, ["ISO 9001:2015"]);
        assert_eq!(s.level, Level::International);
    }

    #[test]
    fn iec_variants_and_amendments_are_attachments() {
        for (docid, kind) in [
            ("IEC 60335-2-40:2018 RLV", AttachmentKind::Variant),
            (
                "IEC 60335-2-40:2002+AMD1:2005+AMD2:2005 CSV",
                AttachmentKind::Variant,
            ),
            ("IEC 60335-2-40:2002/AMD1:2005", AttachmentKind::Amendment),
            (
                "IEC 60335-2-40:2002/AMD1:2005/COR1:2006",
                AttachmentKind::Amendment,
            ),
            ("IEC 60335-2-40/FRAG2", AttachmentKind::Amendment),
            ("ISO 9001:2015/Amd 1:2024", AttachmentKind::Amendment),
        ] {
            let line = format!(
                r#"{{"docid": "{docid}", "title_en": "t", "stage": "REVISED", "edition": "6", "dates": {{}}}}"#
            );
            match parse_line(&line, "t").unwrap().unwrap() {
                Item::Attachment(a) => {
                    assert_eq!(a.kind, kind, "{docid}");
                    assert!(
                        a.base.ends_with(if docid.starts_with("ISO") {
                            "9001"
                        } else {
                            "60335-2-40"
                        }),
                        "{docid}: {}",
                        a.base
                    );
                }
                other => panic!("{docid}: {other:?}"),
            }
        }
    }

    #[test]
    fn drafts_are_skipped_and_garbage_rejected() {
        let draft = r#"{"docid": "ISO/DIS 9001", "stage": "40", "substage": "20", "dates": {}}"#;
        assert!(parse_line(draft, "t").unwrap().is_none());
        assert!(parse_line("{not json", "t").is_err());
    }

    #[test]
    fn etsi_versions() {
        assert_eq!(
            etsi_version("ETSI EN 300 328 V2.2.2 (2019-07)"),
            Some(("ETSI EN 300 328".to_string(), vec![2, 2, 2]))
        );
    }
}
