//! Known prefixes: the bodies, families, document types and variants a code
//! may start with or carry.

/// Chinese national codes other than GB/T and GB/Z: occupational health (GBZ), old
/// construction codes (GBJ), national metrology regulations (JJG) and specifications (JJF).
pub(super) const CN_NATIONAL: &[&str] = &["GB", "GBZ", "GBJ", "JJF", "JJG"];

/// Chinese industry standard codes (行业标准代号). `DB` alone is the earthquake industry;
/// `DB` with digits is a local standard.
pub(super) const CN_INDUSTRY: &[&str] = &[
    "AQ", "BB", "CB", "CH", "CJ", "CY", "DA", "DB", "DL", "DZ", "EJ", "FZ", "GA", "GH", "GM", "GY",
    "HB", "HG", "HJ", "HS", "HY", "JB", "JC", "JG", "JR", "JT", "JY", "LB", "LD", "LS", "LY", "MH",
    "MT", "MZ", "NB", "NY", "QB", "QC", "QJ", "QX", "RB", "SB", "SC", "SF", "SH", "SJ", "SL", "SN",
    "SW", "SY", "TB", "TD", "TY", "WB", "WH", "WJ", "WM", "WS", "WW", "XB", "YB", "YC", "YD", "YS",
    "YY", "YZ", "ZY", "CJJ", "JGJ",
];

pub(super) const INTERNATIONAL: &[&str] = &["ISO", "IEC", "CISPR", "ITU", "IWA", "CIE", "OIML"];

pub(super) const REGIONAL: &[&str] = &["EN", "CEN", "CLC", "CENELEC", "HD", "ETSI"];

/// Families whose amendments follow the European `+A11:2014` convention.
const EN_FAMILIES: &[&str] = &["EN", "CEN", "CLC", "CENELEC", "HD"];

pub(super) const FOREIGN_NATIONAL: &[&str] = &[
    "ANSI", "ASME", "ASTM", "API", "AWS", "IEEE", "NFPA", "UL", "SAE", "NEMA", "TIA", "ASHRAE",
    "AHRI", "NSF", "IPC", "JEDEC", "ISA", "CSA", "BS", "PD", "DIN", "VDE", "VDI", "NF", "UTE",
    "JIS", "JASO", "KS", "GOST", "AS", "NZS", "NEN", "UNE", "UNI", "CEI", "SS", "SIS", "DS", "SFS",
    "NS", "IS", "SANS", "NBR", "ABNT", "TCVN", "SNI", "MS", "SI", "TIS", "CNS", "PN", "CSN", "STN",
    "MSZ", "IRAM", "NOM", "NMX", "SASO", "GSO", "ONORM", "OENORM", "HL7", "OECD", "UNDP",
];

/// Bodies that publish jointly with ISO or IEC, written with `/` between them.
pub(super) const JOINT: &[&str] = &[
    "ISO", "IEC", "IEEE", "ASTM", "CIE", "HL7", "SAE", "ASME", "API", "OECD", "UNDP",
];

/// Bodies whose codes carry a one-letter division before the number: `JIS C 9335-1`.
pub(super) const DIVISION_BODIES: &[&str] = &["JIS", "KS", "OIML"];

/// Document types and development stages that follow the body: `ISO/TR`, `IEC TS`, `ISO/DIS`.
const DOC_TYPES: &[&str] = &[
    "TR", "TS", "PAS", "GUIDE", "DGUIDE", "ISP", "DIS", "FDIS", "CD", "WD", "AWI", "NP", "PWI",
    "PRF", "DTR", "DTS", "DPAS", "R", "SRD", "TEC", "TTA", "ITA", "DATA",
];

/// Stages written before an amendment: `ISO 10087:2022/CD Amd 1`.
pub(super) const AMD_STAGES: &[&str] = &["CD", "WD", "AWI", "NP", "PWI", "PRF", "DIS", "FDIS"];

/// ETSI deliverable types, as the catalogue writes them after `ETSI` (`I` is
/// the start of `I-ETS`).
pub(super) const ETSI_TYPES: &[&str] = &[
    "TS", "TR", "EN", "ETS", "GS", "ES", "ETR", "GR", "GTS", "EG", "I", "SR", "TCRTR", "NET", "TBR",
];

/// IEC publication variants of one edition.
pub(super) const VARIANTS: &[&str] = &["CSV", "RLV", "EXV", "CMV", "SER", "PRV", "DB"];

pub(super) fn is_doc_type(word: &str) -> bool {
    DOC_TYPES.iter().any(|t| t.eq_ignore_ascii_case(word))
}

pub(super) fn is_body(word: &str) -> bool {
    INTERNATIONAL.contains(&word)
        || REGIONAL.contains(&word)
        || FOREIGN_NATIONAL.contains(&word)
        || word.starts_with("ITU-")
}

pub(super) fn is_cn_base(word: &str) -> bool {
    CN_NATIONAL.contains(&word) || CN_INDUSTRY.contains(&word)
}

/// `DB37`, `DB3701`: a local (provincial or city) prefix.
pub(super) fn is_local(word: &str) -> bool {
    word.len() > 2 && word.starts_with("DB") && word[2..].bytes().all(|b| b.is_ascii_digit())
}

fn is_chinese_prefix(prefix: &str) -> bool {
    let first = prefix.split('/').next().unwrap_or("");
    first == "T" || first == "Q" || is_cn_base(first) || is_local(first)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Chinese,
    Intl,
    En,
    Etsi,
}

pub(super) fn style_of(prefix: &str) -> Style {
    if is_chinese_prefix(prefix) {
        Style::Chinese
    } else if prefix == "ETSI" || prefix.starts_with("ETSI ") {
        Style::Etsi
    } else if EN_FAMILIES.contains(&family_of(prefix)) || prefix.split(' ').any(|w| w == "EN") {
        Style::En
    } else {
        Style::Intl
    }
}

pub(super) fn family_of(prefix: &str) -> &str {
    if is_chinese_prefix(prefix) {
        return prefix;
    }
    let group = prefix.split(' ').next().unwrap_or("");
    let mut end = 0;
    for (k, component) in group.split('/').enumerate() {
        if k > 0 {
            if is_doc_type(component) {
                break;
            }
            end += 1;
        }
        end += component.len();
    }
    &group[..end]
}
