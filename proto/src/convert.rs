//! The one place where core's vocabulary (a standard's level, nature,
//! status, comparator, adoption degree, provenance; an industry level) meets
//! its protobuf enums.
//! Every service and client converts through here, so a new variant is added
//! once and the compiler names every match that misses it.

use std::collections::BTreeMap;

use stdnav_core::citation::{CitationStatus, DocFormat};
use stdnav_core::industry::IndustryLevel;
use stdnav_core::reason::Reason;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::standard::{
    Adoption, AdoptionDegree, Category, Comparator, Indicator, Level, Nature, Provenance, Standard,
    Status,
};

use crate::standards::v1 as pb;

pub mod profile;
pub mod scoring;

pub fn level_to_pb(l: Level) -> pb::Level {
    match l {
        Level::International => pb::Level::International,
        Level::Regional => pb::Level::Regional,
        Level::National => pb::Level::National,
        Level::Industry => pb::Level::Industry,
        Level::Local => pb::Level::Local,
        Level::Group => pb::Level::Group,
        Level::Enterprise => pb::Level::Enterprise,
        Level::Unknown => pb::Level::Unspecified,
    }
}

/// `None` for LEVEL_UNSPECIFIED and for a code outside the enum.
pub fn level_from_pb(v: i32) -> Option<Level> {
    Some(match pb::Level::try_from(v).ok()? {
        pb::Level::International => Level::International,
        pb::Level::Regional => Level::Regional,
        pb::Level::National => Level::National,
        pb::Level::Industry => Level::Industry,
        pb::Level::Local => Level::Local,
        pb::Level::Group => Level::Group,
        pb::Level::Enterprise => Level::Enterprise,
        pb::Level::Unspecified => return None,
    })
}

pub fn nature_to_pb(n: Nature) -> pb::Nature {
    match n {
        Nature::Mandatory => pb::Nature::Mandatory,
        Nature::Recommended => pb::Nature::Recommended,
        Nature::Guidance => pb::Nature::Guidance,
    }
}

/// `None` for NATURE_UNSPECIFIED and for a code outside the enum.
pub fn nature_from_pb(v: i32) -> Option<Nature> {
    Some(match pb::Nature::try_from(v).ok()? {
        pb::Nature::Mandatory => Nature::Mandatory,
        pb::Nature::Recommended => Nature::Recommended,
        pb::Nature::Guidance => Nature::Guidance,
        pb::Nature::Unspecified => return None,
    })
}

pub fn status_to_pb(s: Status) -> pb::Status {
    match s {
        Status::Current => pb::Status::Current,
        Status::Withdrawn => pb::Status::Withdrawn,
        Status::Replaced => pb::Status::Replaced,
        Status::Upcoming => pb::Status::Upcoming,
        Status::Draft => pb::Status::Draft,
    }
}

/// `None` for STATUS_UNSPECIFIED and for a code outside the enum.
pub fn status_from_pb(v: i32) -> Option<Status> {
    Some(match pb::Status::try_from(v).ok()? {
        pb::Status::Current => Status::Current,
        pb::Status::Withdrawn => Status::Withdrawn,
        pb::Status::Replaced => Status::Replaced,
        pb::Status::Upcoming => Status::Upcoming,
        pb::Status::Draft => Status::Draft,
        pb::Status::Unspecified => return None,
    })
}

pub fn comparator_to_pb(c: Comparator) -> pb::Comparator {
    match c {
        Comparator::Le => pb::Comparator::Le,
        Comparator::Ge => pb::Comparator::Ge,
        Comparator::Range => pb::Comparator::Range,
    }
}

/// `None` for COMPARATOR_UNSPECIFIED and for a code outside the enum.
pub fn comparator_from_pb(v: i32) -> Option<Comparator> {
    Some(match pb::Comparator::try_from(v).ok()? {
        pb::Comparator::Le => Comparator::Le,
        pb::Comparator::Ge => Comparator::Ge,
        pb::Comparator::Range => Comparator::Range,
        pb::Comparator::Unspecified => return None,
    })
}

pub fn degree_to_pb(d: Option<AdoptionDegree>) -> pb::AdoptionDegree {
    match d {
        Some(AdoptionDegree::Idt) => pb::AdoptionDegree::Idt,
        Some(AdoptionDegree::Mod) => pb::AdoptionDegree::Mod,
        Some(AdoptionDegree::Neq) => pb::AdoptionDegree::Neq,
        Some(AdoptionDegree::Eqv) => pb::AdoptionDegree::Eqv,
        None => pb::AdoptionDegree::Unspecified,
    }
}

/// `None` for ADOPTION_DEGREE_UNSPECIFIED and for a code outside the enum.
pub fn degree_from_pb(v: i32) -> Option<AdoptionDegree> {
    Some(match pb::AdoptionDegree::try_from(v).ok()? {
        pb::AdoptionDegree::Idt => AdoptionDegree::Idt,
        pb::AdoptionDegree::Mod => AdoptionDegree::Mod,
        pb::AdoptionDegree::Neq => AdoptionDegree::Neq,
        pb::AdoptionDegree::Eqv => AdoptionDegree::Eqv,
        pb::AdoptionDegree::Unspecified => return None,
    })
}

pub fn provenance_to_pb(p: Provenance) -> pb::Provenance {
    match p {
        Provenance::Source => pb::Provenance::Source,
        Provenance::Adopted => pb::Provenance::Adopted,
        Provenance::Inferred => pb::Provenance::Inferred,
    }
}

/// `None` for a code outside the enum (PROVENANCE_SOURCE is 0).
pub fn provenance_from_pb(v: i32) -> Option<Provenance> {
    Some(match pb::Provenance::try_from(v).ok()? {
        pb::Provenance::Source => Provenance::Source,
        pb::Provenance::Adopted => Provenance::Adopted,
        pb::Provenance::Inferred => Provenance::Inferred,
    })
}

/// The profiling service's level of a peer basis.
pub fn industry_level_to_pb(l: IndustryLevel) -> crate::profiling::v1::IndustryLevel {
    use crate::profiling::v1::IndustryLevel as P;
    match l {
        IndustryLevel::Class => P::Class,
        IndustryLevel::Group => P::Group,
        IndustryLevel::Division => P::Division,
    }
}

/// `None` for no level (no peers) and for an unknown value.
pub fn industry_level_from_pb(v: i32) -> Option<IndustryLevel> {
    use crate::profiling::v1::IndustryLevel as P;
    match P::try_from(v).ok()? {
        P::Class => Some(IndustryLevel::Class),
        P::Group => Some(IndustryLevel::Group),
        P::Division => Some(IndustryLevel::Division),
        P::None => None,
    }
}

/// The scoring service's peer level of a candidate; `None` = no peers.
pub fn peer_level_to_pb(l: Option<IndustryLevel>) -> crate::scoring::v1::PeerLevel {
    use crate::scoring::v1::PeerLevel as P;
    match l {
        None => P::None,
        Some(IndustryLevel::Class) => P::Class,
        Some(IndustryLevel::Group) => P::Group,
        Some(IndustryLevel::Division) => P::Division,
    }
}

/// `Some(None)` for no peers, `None` for an unknown value.
pub fn peer_level_from_pb(v: i32) -> Option<Option<IndustryLevel>> {
    use crate::scoring::v1::PeerLevel as P;
    Some(match P::try_from(v).ok()? {
        P::None => None,
        P::Class => Some(IndustryLevel::Class),
        P::Group => Some(IndustryLevel::Group),
        P::Division => Some(IndustryLevel::Division),
    })
}

/// A candidate's retrieval evidence with its standard (and the query terms
/// it matched, which only the standards service's callers display).
pub fn candidate_to_pb(
    standard: pb::Standard,
    matched_terms: Vec<String>,
    r: &Retrieval,
) -> pb::Candidate {
    pb::Candidate {
        standard: Some(standard),
        text_score: r.text_score,
        ics_match_depth: r.ics_match_depth,
        matched_terms,
        matched_products: r.matched_products.clone(),
        mandatory_in_market: r.mandatory_in_market,
        referenced_by: r.referenced_by.clone(),
        match_strength: r.match_strength,
        cocitation: r.cocitation,
        regulation: r.regulation,
        product_kind: r.product_kind,
        series_match: r.series_match,
    }
}

/// The retrieval evidence a candidate carries.
pub fn retrieval_from_pb(c: pb::Candidate) -> Retrieval {
    Retrieval {
        text_score: c.text_score,
        ics_match_depth: c.ics_match_depth,
        matched_products: c.matched_products,
        mandatory_in_market: c.mandatory_in_market,
        referenced_by: c.referenced_by,
        match_strength: c.match_strength,
        cocitation: c.cocitation,
        regulation: c.regulation,
        product_kind: c.product_kind,
        series_match: c.series_match,
    }
}

/// A standard's record from its wire form (the standards service writes it
/// in `standard_to_pb`). Unset or unknown codes read as a record without
/// them does: level unknown, recommended, current, stated by the source; an
/// indicator's comparator a range. Empty dates and category are absent.
/// `adopted_by`, `in_degree` and `line` are the catalogue graph's, not the
/// record's: the caller reads them before.
pub fn standard_from_pb(s: pb::Standard) -> Standard {
    let optional = |v: String| (!v.is_empty()).then_some(v);
    Standard {
        id: s.id,
        family: s.family,
        level: level_from_pb(s.level).unwrap_or_default(),
        nature: nature_from_pb(s.nature).unwrap_or_default(),
        title_zh: s.title_zh,
        title_en: s.title_en,
        title_fr: s.title_fr,
        title_source: provenance_from_pb(s.title_source).unwrap_or_default(),
        scope: s.scope,
        ics: s.ics,
        ics_source: provenance_from_pb(s.ics_source).unwrap_or_default(),
        ccs: s.ccs,
        committee: s.committee,
        status: status_from_pb(s.status).unwrap_or_default(),
        status_source: provenance_from_pb(s.status_source).unwrap_or_default(),
        category: Category::parse(&s.category),
        published: optional(s.published),
        effective: optional(s.effective),
        withdrawn: optional(s.withdrawn),
        replaces: s.replaces,
        replaced_by: s.replaced_by,
        partly_replaced_by: s.partly_replaced_by,
        normative_refs: s.normative_refs,
        adopts: s
            .adopts
            .into_iter()
            .map(|a| Adoption {
                id: a.id,
                degree: degree_from_pb(a.degree),
            })
            .collect(),
        amendments: s.amendments,
        variants: s.variants,
        indicators: s
            .indicators
            .into_iter()
            .map(|i| Indicator {
                name: i.name,
                unit: i.unit,
                comparator: comparator_from_pb(i.comparator).unwrap_or(Comparator::Range),
                value: i.value,
                max: i.max,
                product: i.product,
            })
            .collect(),
        keywords: s.keywords,
        source: s.source,
        checksum: s.checksum,
        illustrative: s.illustrative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips() {
        for l in [
            Level::International,
            Level::Regional,
            Level::National,
            Level::Industry,
            Level::Local,
            Level::Group,
            Level::Enterprise,
        ] {
            assert_eq!(level_from_pb(level_to_pb(l) as i32), Some(l));
        }
        assert_eq!(level_from_pb(level_to_pb(Level::Unknown) as i32), None);
        for n in [Nature::Mandatory, Nature::Recommended, Nature::Guidance] {
            assert_eq!(nature_from_pb(nature_to_pb(n) as i32), Some(n));
        }
        for s in Status::ALL {
            assert_eq!(status_from_pb(status_to_pb(s) as i32), Some(s));
        }
        for c in [Comparator::Le, Comparator::Ge, Comparator::Range] {
            assert_eq!(comparator_from_pb(comparator_to_pb(c) as i32), Some(c));
        }
        for d in [
            AdoptionDegree::Idt,
            AdoptionDegree::Mod,
            AdoptionDegree::Neq,
            AdoptionDegree::Eqv,
        ] {
            assert_eq!(degree_from_pb(degree_to_pb(Some(d)) as i32), Some(d));
        }
        for p in [
            Provenance::Source,
            Provenance::Adopted,
            Provenance::Inferred,
        ] {
            assert_eq!(provenance_from_pb(provenance_to_pb(p) as i32), Some(p));
        }
        for l in IndustryLevel::ALL {
            assert_eq!(
                industry_level_from_pb(industry_level_to_pb(l) as i32),
                Some(l)
            );
            assert_eq!(
                peer_level_from_pb(peer_level_to_pb(Some(l)) as i32),
                Some(Some(l))
            );
            // The two protos number a level by its digits.
            assert_eq!(peer_level_to_pb(Some(l)) as i32, l.digits() as i32);
            assert_eq!(industry_level_to_pb(l) as i32, l.digits() as i32);
        }
        assert_eq!(peer_level_from_pb(0), Some(None));
        assert_eq!(peer_level_from_pb(1), None);
        assert_eq!(industry_level_from_pb(0), None);
        assert_eq!(status_from_pb(0), None);
        assert_eq!(status_from_pb(99), None);
        assert_eq!(level_from_pb(-1), None);
    }

    #[test]
    fn a_standard_reads_from_its_wire_form() {
        let s = standard_from_pb(pb::Standard {
            id: "GB/T 19001-2016".into(),
            level: pb::Level::National as i32,
            nature: pb::Nature::Recommended as i32,
            status: pb::Status::Replaced as i32,
            status_source: pb::Provenance::Inferred as i32,
            published: "2016-12-30".into(),
            category: "management".into(),
            adopts: vec![pb::Adoption {
                id: "ISO 9001:2015".into(),
                degree: pb::AdoptionDegree::Idt as i32,
            }],
            indicators: vec![pb::Indicator {
                name: "APF".into(),
                comparator: pb::Comparator::Ge as i32,
                value: 5.0,
                ..Default::default()
            }],
            adopted_by: vec!["not the record's".into()],
            ..Default::default()
        });
        assert_eq!(s.level, Level::National);
        assert_eq!(s.status, Status::Replaced);
        assert_eq!(s.status_source, Provenance::Inferred);
        assert_eq!(s.published.as_deref(), Some("2016-12-30"));
        assert_eq!(s.effective, None);
        assert_eq!(s.category, Some(Category::Management));
        assert_eq!(s.adopts[0].degree, Some(AdoptionDegree::Idt));
        assert_eq!(s.indicators[0].comparator, Comparator::Ge);
        // Unset codes read as a record's defaults.
        let bare = standard_from_pb(pb::Standard::default());
        assert_eq!(bare, Standard::default());
    }

    #[test]
    fn retrieval_evidence_round_trips() {
        let r = Retrieval {
            text_score: 7.5,
            ics_match_depth: 2,
            matched_products: vec!["房间空调器".into()],
            mandatory_in_market: true,
            referenced_by: "IEC 60335-2-40:2022".into(),
            match_strength: 0.8,
            cocitation: 0.4,
            regulation: 0.6,
            product_kind: 0.3,
            series_match: 0.9,
        };
        let c = candidate_to_pb(pb::Standard::default(), vec!["空调".into()], &r);
        assert_eq!(c.matched_terms, ["空调"]);
        assert_eq!(retrieval_from_pb(c), r);
    }
}

pub fn citation_status_to_pb(s: CitationStatus) -> pb::CitationStatus {
    match s {
        CitationStatus::Current => pb::CitationStatus::Current,
        CitationStatus::Superseded => pb::CitationStatus::Superseded,
        CitationStatus::Withdrawn => pb::CitationStatus::Withdrawn,
        CitationStatus::Upcoming => pb::CitationStatus::Upcoming,
        CitationStatus::Unknown => pb::CitationStatus::Unknown,
    }
}

/// `None` for a code outside the enum; `Some(None)` for
/// DOCUMENT_FORMAT_UNSPECIFIED (detect the format).
pub fn doc_format_from_pb(v: i32) -> Option<Option<DocFormat>> {
    Some(match pb::DocumentFormat::try_from(v).ok()? {
        pb::DocumentFormat::Unspecified => None,
        pb::DocumentFormat::Text => Some(DocFormat::Text),
        pb::DocumentFormat::Pdf => Some(DocFormat::Pdf),
        pb::DocumentFormat::Docx => Some(DocFormat::Docx),
        pb::DocumentFormat::Xlsx => Some(DocFormat::Xlsx),
        pb::DocumentFormat::Csv => Some(DocFormat::Csv),
    })
}

pub fn doc_format_to_pb(f: DocFormat) -> pb::DocumentFormat {
    match f {
        DocFormat::Text => pb::DocumentFormat::Text,
        DocFormat::Pdf => pb::DocumentFormat::Pdf,
        DocFormat::Docx => pb::DocumentFormat::Docx,
        DocFormat::Xlsx => pb::DocumentFormat::Xlsx,
        DocFormat::Csv => pb::DocumentFormat::Csv,
    }
}

// ----------------------------------------------------------------- reasons

/// A reason's wire form in the scoring package: its code and arguments.
pub fn reason_to_scoring_pb(r: &Reason) -> crate::scoring::v1::Reason {
    crate::scoring::v1::Reason {
        code: r.code().to_string(),
        args: r.args().into_iter().collect(),
    }
}

/// A reason's wire form in the advisor package.
pub fn reason_to_advisor_pb(r: &Reason) -> crate::advisor::v1::Reason {
    crate::advisor::v1::Reason {
        code: r.code().to_string(),
        args: r.args().into_iter().collect(),
    }
}

fn sorted(args: &std::collections::HashMap<String, String>) -> BTreeMap<String, String> {
    args.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The reasons of a scored candidate: its codes, or its English sentences
/// as text when the server sent none (an older one).
pub fn reasons_from_scoring_pb(
    codes: &[crate::scoring::v1::Reason],
    sentences: &[String],
) -> Vec<Reason> {
    Reason::list_from_wire(
        codes.iter().map(|c| (c.code.as_str(), sorted(&c.args))),
        sentences,
    )
}

/// The reasons of a must or should item, as [`reasons_from_scoring_pb`].
pub fn reasons_from_advisor_pb(
    codes: &[crate::advisor::v1::Reason],
    sentences: &[String],
) -> Vec<Reason> {
    Reason::list_from_wire(
        codes.iter().map(|c| (c.code.as_str(), sorted(&c.args))),
        sentences,
    )
}
