//! The one normalizer for standard codes (DESIGN.md §3).
//!
//! Codes arrive as `GB/T19001—2016`, `ＧＢ／Ｔ　１９００１－２０１６`, `iso 9001 2015`,
//! `IEC60335-2-40:2018`, `EN 60335-1:2012/A11:2014` and so on. [`StdCode::parse`] reads
//! them all and [`StdCode::canonical`] writes one form:
//!
//! | families | canonical form |
//! |---|---|
//! | Chinese: `GB`, `GB/T`, `GB/Z`, `GBZ`, industry (`JB/T`, `YY`, `NB/SH/T` …), local (`DB37/T`, `DB44`), group (`T/CAS`), enterprise (`Q/ABC`) | `GB/T 19001-2016`, `GB 4706.1-2005`, `DB37/T 1234-2020`; year after `-`; amendment sheets as `/XG1-2020` |
//! | ISO, IEC, ISO/IEC, CISPR, ITU, IWA, foreign national (ANSI, BS, DIN, JIS …) | `ISO 9001:2015`, `ISO/TR 10013:2001`, `IEC TS 62257-1:2003`, `JIS C 9335-1:2014`; year after `:`; amendments after `/` as `AMD1:2013`, `COR1:2019`, `ADD1:1985`, `ISH1:2020` |
//! | EN, CEN, CENELEC, HD, and national adoptions of EN (`BS EN`, `DIN EN`) | `EN 60335-1:2012+A11:2014`; amendments after `+` as `A11:2014`, `AC:2014` |
//! | ETSI | `ETSI EN 300 328 V2.2.2 (2019-07)`: as published, spacing and case normalised |
//!
//! Heuristics, and why:
//! - **Year or part?** After `:` always a year. For Chinese codes a group after `-`, a dash
//!   or a space is the year too, since Chinese numbers mark parts with `.`; two-digit years
//!   of old codes (`GB 8978-88`) become 19xx from 50 up and 20xx below. For every other
//!   family the last group after `-`, `/` or a space is a year only if it has exactly four
//!   digits in 1900–2099 and is not the first group (`IEC 60335-2-40-2018`, `ISO 9001-2015`,
//!   `iso 9001 2015`); no ISO or IEC part number in their catalogues (~100k ids) falls in
//!   that range, so `IEC 60335-2-40` keeps its parts and has no year.
//! - **Prefix spelling.** `GBT`, `GB-T`, `GB T`, `GB／T` are `GB/T`; `GBZ` stays as it is,
//!   because it is a real prefix (national occupational-health standards, mandatory).
//!   ISO writes `ISO/TR`, `ISO/DIS`, `ISO Guide`; IEC and joint bodies write `IEC TR`,
//!   `ISO/IEC TS`, `ISO/IEC Guide` (both as in their own catalogues); `ISO IEC` is `ISO/IEC`.
//!   A mandatory local code loses its dangling slash: `DB44/ 1234-2020` is `DB44 1234-2020`.
//! - **A cover's adoption note** `GB/T 19001-2016/ISO 9001:2015` reads as `GB/T 19001-2016`
//!   (the adopted code must itself be valid; it is not kept).
//! - **One amendment spelling** for ISO and IEC alike (`/Amd 1:2024`, `/Amd.1:2024`,
//!   `+A1:2024` all become `/AMD1:2024`), so the ISO and IEC catalogues' spellings of one
//!   ISO/IEC amendment meet. IEC's consolidated `…+AMD1:2019 CSV` therefore has the same id
//!   as the amendment `…/AMD1:2019`; publication variants (`CSV`, `RLV`, `EXV`, …) are
//!   dropped from the id and reported by [`variant_of`].
//! - **Unknown prefixes are rejected** rather than guessed: a code is only accepted when its
//!   prefix is a known body, so `hello 123` is an error, not a standard.
//! - **ETSI** ids keep their version and date, which live in `number`
//!   (`300 328 V2.2.2 (2019-07)`, `year` is 2019); `base()` drops them and `number_key`
//!   gives `300328`. Case is normalised too, so the catalogue's `ETSI GR mWT 008` is
//!   `ETSI GR MWT 008`. ETSI ENs cited without `ETSI` (`EN 300 328 V2.2.2`) are read as ETSI.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

use crate::standard::{Level, Nature};

/// Longest input accepted, in characters; real codes are far shorter.
pub const MAX_CODE_LEN: usize = 100;

/// One standard code, parsed. Fields hold canonical spellings; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StdCode {
    /// `GB/T`, `DB37/T`, `T/CAS`, `Q/ABC`, `ISO/IEC`, `ISO/TR`, `IEC TS`, `EN ISO`, `ETSI EN`, `JIS C`.
    pub prefix: String,
    /// `19001`, `4706.32`, `60335-2-40`, `105-E01`; for ETSI also version and date,
    /// `300 328 V2.2.2 (2019-07)`.
    pub number: String,
    pub year: Option<u16>,
    /// Amendments and corrigenda in order, canonical spelling without the joiner:
    /// `AMD1:2013`, `COR1:2019` (ISO, IEC …), `A11:2014`, `AC:2014` (EN), `XG1-2020` (Chinese).
    pub amendments: Vec<String>,
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    #[error("standard code is empty")]
    Empty,
    #[error("standard code is {len} characters long; at most {max} are allowed")]
    TooLong { len: usize, max: usize },
    #[error("standard code {0:?} contains no number")]
    NoNumber(String),
    #[error("standard code {0:?} has no prefix such as GB/T, ISO or IEC before its number")]
    NoPrefix(String),
    #[error("standard code {code:?} has an unknown prefix {prefix:?}")]
    UnknownPrefix { code: String, prefix: String },
    #[error("standard code {code:?} contains the unexpected character {ch:?}")]
    InvalidChar { code: String, ch: char },
    #[error("standard code {code:?} has an invalid year {year:?}")]
    InvalidYear { code: String, year: String },
    #[error("standard code {code:?} has unreadable text {rest:?}")]
    Trailing { code: String, rest: String },
}

impl StdCode {
    pub fn parse(input: &str) -> Result<StdCode, CodeError> {
        parse_full(input).map(|(code, _)| code)
    }

    /// Full canonical id, with year and amendments: `IEC 60335-1:2010/AMD1:2013`.
    pub fn canonical(&self) -> String {
        let mut out = self.edition_id();
        let joiner = if style_of(&self.prefix) == Style::En {
            '+'
        } else {
            '/'
        };
        for amendment in &self.amendments {
            out.push(joiner);
            out.push_str(amendment);
        }
        out
    }

    /// Canonical id with year but without amendments: `IEC 60335-1:2010`.
    pub fn edition_id(&self) -> String {
        let style = style_of(&self.prefix);
        let mut out = self.head(&self.number);
        if let Some(year) = self.year
            && style != Style::Etsi
        {
            out.push(if style == Style::Chinese { '-' } else { ':' });
            out.push_str(&year.to_string());
        }
        out
    }

    /// Canonical id without year or amendments: `GB/T 19001`, `IEC 60335-2-40`, `ETSI EN 300 328`.
    pub fn base(&self) -> String {
        self.head(self.deliverable())
    }

    /// The prefix family: the whole prefix for Chinese codes (`GB/T`, `DB37/T`, `T/CAS`);
    /// otherwise the publishing bodies without document type or adopted body
    /// (`ISO/TR` → `ISO`, `ISO/IEC Guide` → `ISO/IEC`, `EN ISO` → `EN`, `ETSI EN` → `ETSI`).
    pub fn family(&self) -> &str {
        family_of(&self.prefix)
    }

    pub fn level(&self) -> Level {
        let family = self.family();
        if style_of(&self.prefix) == Style::Chinese {
            let first = family.split('/').next().unwrap_or("");
            return match first {
                "T" => Level::Group,
                "Q" => Level::Enterprise,
                f if is_local(f) => Level::Local,
                f if CN_NATIONAL.contains(&f) => Level::National,
                _ => Level::Industry,
            };
        }
        let body = family.split(['/', '-', ' ']).next().unwrap_or("");
        if INTERNATIONAL.contains(&body) {
            Level::International
        } else if REGIONAL.contains(&body) {
            Level::Regional
        } else if FOREIGN_NATIONAL.contains(&body) {
            Level::National
        } else {
            Level::Unknown
        }
    }

    /// In China a code without `/T` or `/Z` is mandatory (group, enterprise and JJF
    /// metrology specifications excepted); elsewhere standards are voluntary.
    pub fn nature(&self) -> Nature {
        if style_of(&self.prefix) != Style::Chinese {
            return Nature::Recommended;
        }
        let first = self.prefix.split('/').next().unwrap_or("");
        let last = self.prefix.rsplit('/').next().unwrap_or("");
        match (first, last) {
            ("T" | "Q" | "JJF", _) => Nature::Recommended,
            (_, "T") => Nature::Recommended,
            (_, "Z") => Nature::Guidance,
            _ => Nature::Mandatory,
        }
    }

    /// The number as the search index keys it: no spaces, no year, no ETSI version.
    fn key(&self) -> String {
        self.deliverable()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// `number` without the ETSI version and date.
    fn deliverable(&self) -> &str {
        if style_of(&self.prefix) != Style::Etsi {
            return &self.number;
        }
        let cut = [" V", " ed.", " ("]
            .iter()
            .filter_map(|marker| self.number.find(marker))
            .min()
            .unwrap_or(self.number.len());
        &self.number[..cut]
    }

    fn head(&self, number: &str) -> String {
        if number.is_empty() {
            self.prefix.clone()
        } else {
            format!("{} {}", self.prefix, number)
        }
    }
}

impl fmt::Display for StdCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl FromStr for StdCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StdCode::parse(s)
    }
}

/// Parses and writes the canonical id: `normalize("GB/T19001—2016") == Ok("GB/T 19001-2016")`.
pub fn normalize(input: &str) -> Result<String, CodeError> {
    StdCode::parse(input).map(|code| code.canonical())
}

/// Digits-and-separators key used by the search index so "60335-2-40", "IEC 60335-2-40" and
/// "IEC60335-2-40:2018" all reach the record: the number part only, e.g. "60335-2-40".
/// Chinese numbers keep their dots (`4706.1`); ETSI numbers lose their spaces
/// (`ETSI EN 300 328 V2.2.2`, `EN 300 328` and `300 328` all give `300328`).
/// A bare number is read like an international one, so `8978-88` stays `8978-88`.
pub fn number_key(input: &str) -> Option<String> {
    if let Ok(code) = StdCode::parse(input) {
        return Some(code.key());
    }
    let norm = prepare(input).ok()?;
    if !norm.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // "EN" is a neutral stand-in prefix: international number rules, and ETSI's "300 328".
    let stand_in = format!("EN {norm}");
    parse_normalized(&stand_in, input.trim())
        .ok()
        .map(|(code, _)| code.key())
}

/// The publication variant an IEC id names after its edition (`CSV`, `RLV`, `EXV-CMV`, …),
/// which [`StdCode::parse`] leaves out of the id.
pub fn variant_of(input: &str) -> Option<String> {
    parse_full(input)
        .ok()
        .and_then(|(_, extras)| extras.variant)
}

/// The edition number a citation names after the code (`IEC 60335-2-40 Ed.6`,
/// `ISO 9001 edition 5`), which [`StdCode::parse`] leaves out of the id: the
/// catalogues date editions, they do not number them.
pub fn edition_of(input: &str) -> Option<u16> {
    parse_full(input)
        .ok()
        .and_then(|(_, extras)| extras.edition)
}

/// What a spelling says beside the id: a publication variant, an edition number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extras {
    variant: Option<String>,
    edition: Option<u16>,
}

// ---------------------------------------------------------------------------------------
// Finding codes in running text.

/// A code found in running text by [`find_codes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range of the citation in the text searched.
    pub start: usize,
    pub end: usize,
    pub code: StdCode,
    /// The edition number cited (`Ed.6`), see [`edition_of`].
    pub edition: Option<u16>,
    /// Read from a list after another code, taking its prefix: `4706.32` in
    /// `GB 4706.1、4706.32`.
    pub listed: bool,
}

/// Longest run of code characters tried as one citation, in characters.
const MAX_CANDIDATE_CHARS: usize = 80;

/// Every standard code cited in `text`, in order, in any spelling
/// [`StdCode::parse`] reads: `GB/T 19001—2016`, `ＧＢ４７０６．１－２００５`,
/// `GB4706.1`, `ISO 9001:2015`, `IEC 60335-2-40 Ed.6`, `EN ISO 13849-1`,
/// `IEC 60335-2-40:2018+AMD1:2023`, and the numbers of a list that follow a
/// code with its prefix (`GB 4706.1、4706.32`).
///
/// A citation starts at a known prefix written in capitals (so English words
/// such as "is" or "as" never start one) after a character that is not a
/// letter or digit, and is the longest run of code characters from there
/// that parses. Full-width forms count as their ASCII forms; offsets are
/// those of `text` as given.
pub fn find_codes(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut prev_alnum = false;
    let mut skip_to = 0;
    for (at, c) in text.char_indices() {
        let f = fold(c);
        let starts = !prev_alnum && f.is_ascii_uppercase() && at >= skip_to;
        prev_alnum = f.is_ascii_alphanumeric();
        if !starts {
            continue;
        }
        let Some(found) = code_at(text, at) else {
            continue;
        };
        skip_to = found.end;
        let (prefix, end) = (found.code.prefix.clone(), found.end);
        out.push(found);
        skip_to = listed_after(text, end, &prefix, &mut out).max(skip_to);
    }
    out
}

/// Full-width ASCII as ASCII, the ideographic space as a space, every dash as `-`.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        c => c,
    }
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " /-:.+()".contains(c)
}

/// The first word at `at` (capital letters, folded) opens a citation.
fn is_anchor(word: &str, next: Option<char>) -> bool {
    match word {
        // Capitalised English words that are also bodies open a citation
        // only as a joint prefix (`AS/NZS 60335.1`).
        "T" | "Q" | "AS" | "IS" | "SI" | "MS" | "NS" | "DS" | "SS" | "PD" => next == Some('/'),
        "DB" => true,
        w => {
            is_cn_base(w)
                || is_body(w)
                || w.strip_suffix('T').is_some_and(is_cn_base)
                || (w.len() >= 4
                    && INTERNATIONAL
                        .iter()
                        .chain(REGIONAL)
                        .any(|b| w.starts_with(b)))
        }
    }
}

/// The longest citation starting at byte `at` of `text`.
fn code_at(text: &str, at: usize) -> Option<Found> {
    // The run of code characters from `at`: folded chars and their byte offsets.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut word = String::new();
    let mut in_word = true;
    for (i, c) in text[at..].char_indices() {
        let f = fold(c);
        let space = f == ' ' || f == '\t';
        if !(is_code_char(f) || space) || run.len() >= MAX_CANDIDATE_CHARS {
            break;
        }
        // One space between parts; a line break or two spaces end the citation.
        if space && run.last().is_some_and(|&(_, p)| p == ' ') {
            break;
        }
        if in_word {
            if f.is_ascii_uppercase() {
                word.push(f);
            } else {
                in_word = false;
                if !is_anchor(&word, Some(f)) {
                    return None;
                }
            }
        }
        run.push((at + i, if space { ' ' } else { f }));
    }
    if in_word {
        return None;
    }
    // Cut after each letter or digit run, longest first.
    let folded: String = run.iter().map(|&(_, c)| c).collect();
    let cuts: Vec<usize> = (0..run.len())
        .filter(|&k| {
            run[k].1.is_ascii_alphanumeric()
                && run.get(k + 1).is_none_or(|n| !n.1.is_ascii_alphanumeric())
        })
        .collect();
    for &k in cuts.iter().rev() {
        // `folded` is ASCII: char k is byte k.
        let candidate = &folded[..=k];
        if !candidate.bytes().any(|b| b.is_ascii_digit()) {
            break;
        }
        if let Ok((code, extras)) = parse_full(candidate) {
            let last_at = run[k].0;
            return Some(Found {
                start: at,
                end: last_at + text[last_at..].chars().next().map_or(1, char::len_utf8),
                code,
                edition: extras.edition,
                listed: false,
            });
        }
    }
    None
}

/// Numbers listed after a code at `end` with its prefix (`、4706.32`,
/// `，4706.32—2012`, ` 和 4706.2`), pushed to `out`; returns where the list ends.
fn listed_after(text: &str, mut end: usize, prefix: &str, out: &mut Vec<Found>) -> usize {
    loop {
        let rest = &text[end..];
        let trimmed = rest.trim_start_matches([' ', '\u{3000}']);
        let Some(sep) = ["、", "，", "；", "和", "及", "与", ", ", "; "]
            .iter()
            .find(|s| trimmed.starts_with(**s))
        else {
            return end;
        };
        let after_sep = &trimmed[sep.len()..];
        let number = after_sep.trim_start_matches([' ', '\u{3000}']);
        let start = end + (rest.len() - number.len());
        // A number: digits, dots and one dash or colon with a year.
        let mut len = 0;
        for (i, c) in number.char_indices() {
            let f = fold(c);
            if f.is_ascii_digit() || ((f == '.' || f == '-' || f == ':') && i > 0) {
                len = i + c.len_utf8();
            } else {
                break;
            }
        }
        let digits = number[..len].trim_end_matches(|c: char| !fold(c).is_ascii_digit());
        if digits.is_empty() || !fold(digits.chars().next().unwrap_or(' ')).is_ascii_digit() {
            return end;
        }
        let spelled: String = digits.chars().map(fold).collect();
        // A bare year is not a part number ("GB/T 19001-2016, 2017 edition"),
        // nor, after an ASCII comma, a number without a part or year.
        let plain = !spelled.contains(['.', '-', ':']);
        if plain && (plausible_year(&spelled).is_some() || sep.is_ascii()) {
            return end;
        }
        let Ok((code, extras)) = parse_full(&format!("{prefix} {spelled}")) else {
            return end;
        };
        end = start + digits.len();
        out.push(Found {
            start,
            end,
            code,
            edition: extras.edition,
            listed: true,
        });
    }
}

// ---------------------------------------------------------------------------------------
// Known prefixes.

/// Chinese national codes other than GB/T and GB/Z: occupational health (GBZ), old
/// construction codes (GBJ), national metrology regulations (JJG) and specifications (JJF).
const CN_NATIONAL: &[&str] = &["GB", "GBZ", "GBJ", "JJF", "JJG"];

/// Chinese industry standard codes (行业标准代号). `DB` alone is the earthquake industry;
/// `DB` with digits is a local standard.
const CN_INDUSTRY: &[&str] = &[
    "AQ", "BB", "CB", "CH", "CJ", "CY", "DA", "DB", "DL", "DZ", "EJ", "FZ", "GA", "GH", "GM", "GY",
    "HB", "HG", "HJ", "HS", "HY", "JB", "JC", "JG", "JR", "JT", "JY", "LB", "LD", "LS", "LY", "MH",
    "MT", "MZ", "NB", "NY", "QB", "QC", "QJ", "QX", "RB", "SB", "SC", "SF", "SH", "SJ", "SL", "SN",
    "SW", "SY", "TB", "TD", "TY", "WB", "WH", "WJ", "WM", "WS", "WW", "XB", "YB", "YC", "YD", "YS",
    "YY", "YZ", "ZY", "CJJ", "JGJ",
];

const INTERNATIONAL: &[&str] = &["ISO", "IEC", "CISPR", "ITU", "IWA", "CIE", "OIML"];

const REGIONAL: &[&str] = &["EN", "CEN", "CLC", "CENELEC", "HD", "ETSI"];

/// Families whose amendments follow the European `+A11:2014` convention.
const EN_FAMILIES: &[&str] = &["EN", "CEN", "CLC", "CENELEC", "HD"];

const FOREIGN_NATIONAL: &[&str] = &[
    "ANSI", "ASME", "ASTM", "API", "AWS", "IEEE", "NFPA", "UL", "SAE", "NEMA", "TIA", "ASHRAE",
    "AHRI", "NSF", "IPC", "JEDEC", "ISA", "CSA", "BS", "PD", "DIN", "VDE", "VDI", "NF", "UTE",
    "JIS", "JASO", "KS", "GOST", "AS", "NZS", "NEN", "UNE", "UNI", "CEI", "SS", "SIS", "DS", "SFS",
    "NS", "IS", "SANS", "NBR", "ABNT", "TCVN", "SNI", "MS", "SI", "TIS", "CNS", "PN", "CSN", "STN",
    "MSZ", "IRAM", "NOM", "NMX", "SASO", "GSO", "ONORM", "OENORM", "HL7", "OECD", "UNDP",
];

/// Bodies that publish jointly with ISO or IEC, written with `/` between them.
const JOINT: &[&str] = &[
    "ISO", "IEC", "IEEE", "ASTM", "CIE", "HL7", "SAE", "ASME", "API", "OECD", "UNDP",
];

/// Bodies whose codes carry a one-letter division before the number: `JIS C 9335-1`.
const DIVISION_BODIES: &[&str] = &["JIS", "KS", "OIML"];

/// Document types and development stages that follow the body: `ISO/TR`, `IEC TS`, `ISO/DIS`.
const DOC_TYPES: &[&str] = &[
    "TR", "TS", "PAS", "GUIDE", "DGUIDE", "ISP", "DIS", "FDIS", "CD", "WD", "AWI", "NP", "PWI",
    "PRF", "DTR", "DTS", "DPAS", "R", "SRD", "TEC", "TTA", "ITA", "DATA",
];

/// Stages written before an amendment: `ISO 10087:2022/CD Amd 1`.
const AMD_STAGES: &[&str] = &["CD", "WD", "AWI", "NP", "PWI", "PRF", "DIS", "FDIS"];

/// ETSI deliverable types, as the catalogue writes them after `ETSI` (`I` is
/// the start of `I-ETS`).
const ETSI_TYPES: &[&str] = &[
    "TS", "TR", "EN", "ETS", "GS", "ES", "ETR", "GR", "GTS", "EG", "I", "SR", "TCRTR", "NET", "TBR",
];

/// IEC publication variants of one edition.
const VARIANTS: &[&str] = &["CSV", "RLV", "EXV", "CMV", "SER", "PRV", "DB"];

fn is_doc_type(word: &str) -> bool {
    DOC_TYPES.iter().any(|t| t.eq_ignore_ascii_case(word))
}

fn is_body(word: &str) -> bool {
    INTERNATIONAL.contains(&word)
        || REGIONAL.contains(&word)
        || FOREIGN_NATIONAL.contains(&word)
        || word.starts_with("ITU-")
}

fn is_cn_base(word: &str) -> bool {
    CN_NATIONAL.contains(&word) || CN_INDUSTRY.contains(&word)
}

/// `DB37`, `DB3701`: a local (provincial or city) prefix.
fn is_local(word: &str) -> bool {
    word.len() > 2 && word.starts_with("DB") && word[2..].bytes().all(|b| b.is_ascii_digit())
}

fn is_chinese_prefix(prefix: &str) -> bool {
    let first = prefix.split('/').next().unwrap_or("");
    first == "T" || first == "Q" || is_cn_base(first) || is_local(first)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Chinese,
    Intl,
    En,
    Etsi,
}

fn style_of(prefix: &str) -> Style {
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

fn family_of(prefix: &str) -> &str {
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

// ---------------------------------------------------------------------------------------
// Reading.

fn parse_full(input: &str) -> Result<(StdCode, Extras), CodeError> {
    let norm = prepare(input)?;
    let (code, extras) = parse_normalized(&norm, input.trim())?;
    // The canonical spelling can be longer than the input (spaces, `/AMD1`
    // for `+A1`); it must stay within the limit to read back as itself.
    let len = code.canonical().chars().count();
    if len > MAX_CODE_LEN {
        return Err(CodeError::TooLong {
            len,
            max: MAX_CODE_LEN,
        });
    }
    Ok((code, extras))
}

/// NFKC, one kind of dash and space, upper case, wrappers trimmed; rejects what cannot be a code.
fn prepare(input: &str) -> Result<String, CodeError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CodeError::Empty);
    }
    let len = trimmed.chars().count();
    if len > MAX_CODE_LEN {
        return Err(CodeError::TooLong {
            len,
            max: MAX_CODE_LEN,
        });
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    let mut push = |c: char| {
        let c = match c {
            // Chinese codes write the year after an em dash; dashes of every width are one.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return,
            c if c.is_whitespace() => {
                pending_space = true;
                return;
            }
            c => c,
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c.to_ascii_uppercase());
    };
    // NFKC leaves ASCII as it is; most codes are ASCII and skip its tables.
    if trimmed.is_ascii() {
        trimmed.chars().for_each(&mut push);
    } else {
        trimmed.nfkc().for_each(&mut push);
    }
    // Pasted codes come wrapped in quotes or title marks, or end a sentence.
    let out = out
        .trim_matches(|c| "\"'“”‘’《》〈〉「」『』【】".contains(c))
        .trim_end_matches(['.', ',', ';', ':', '。'])
        .trim();
    if out.is_empty() {
        return Err(CodeError::Empty);
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return Err(CodeError::NoNumber(trimmed.to_string()));
    }
    if let Some(ch) = out
        .chars()
        .find(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || " /-:.+()".contains(c)))
    {
        return Err(CodeError::InvalidChar {
            code: trimmed.to_string(),
            ch,
        });
    }
    Ok(out.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Sep(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    /// Whitespace came before this token.
    spaced: bool,
    /// Byte offset in the normalized string.
    start: usize,
}

/// Letters, digits and single separators; `s` is ASCII (checked by `prepare`).
fn lex(s: &str) -> Vec<Tok<'_>> {
    let bytes = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < bytes.len() {
        let start = i;
        let kind = if bytes[i] == b' ' {
            spaced = true;
            i += 1;
            continue;
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            Kind::Word
        } else if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            Kind::Num
        } else {
            i += 1;
            Kind::Sep(bytes[start])
        };
        toks.push(Tok {
            kind,
            text: &s[start..i],
            spaced,
            start,
        });
        spaced = false;
    }
    toks
}

fn parse_normalized(norm: &str, code: &str) -> Result<(StdCode, Extras), CodeError> {
    let mut p = Parser {
        norm,
        toks: lex(norm),
        i: 0,
        code,
        extras: Extras::default(),
    };
    if p.word_at(0).is_none() {
        return Err(CodeError::NoPrefix(code.to_string()));
    }
    // Compact ETSI ids: "etsien300362v1.3.1(2004-01)".
    p.split_glued_etsi();
    let parsed = if p.word_at(0) == Some("ETSI") {
        p.i = 1;
        let prefix = p.etsi_prefix();
        p.etsi_rest(prefix)?
    } else {
        let prefix = match p.chinese_prefix()? {
            Some(prefix) => prefix,
            None => p.intl_prefix()?,
        };
        // One stray separator between prefix and number: "ISO-9001", "DB44/ 1234".
        if (p.sep_at(0, b'-') || p.sep_at(0, b'/')) && p.num_at(1).is_some() {
            p.i += 1;
        }
        match style_of(&prefix) {
            Style::Chinese => p.chinese_rest(prefix)?,
            style => p.intl_rest(prefix, style)?,
        }
    };
    Ok((parsed, p.extras))
}

struct Parser<'a> {
    norm: &'a str,
    toks: Vec<Tok<'a>>,
    i: usize,
    /// The input as given (trimmed), for error messages.
    code: &'a str,
    extras: Extras,
}

impl<'a> Parser<'a> {
    fn peek(&self, k: usize) -> Option<Tok<'a>> {
        self.toks.get(self.i + k).copied()
    }

    fn sep_at(&self, k: usize, c: u8) -> bool {
        self.peek(k).is_some_and(|t| t.kind == Kind::Sep(c))
    }

    fn word_at(&self, k: usize) -> Option<&'a str> {
        self.peek(k)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text)
    }

    fn num_at(&self, k: usize) -> Option<Tok<'a>> {
        self.peek(k).filter(|t| t.kind == Kind::Num)
    }

    fn no_number(&self) -> CodeError {
        CodeError::NoNumber(self.code.to_string())
    }

    fn unknown(&self, prefix: String) -> CodeError {
        CodeError::UnknownPrefix {
            code: self.code.to_string(),
            prefix,
        }
    }

    fn bad_year(&self, year: &str) -> CodeError {
        CodeError::InvalidYear {
            code: self.code.to_string(),
            year: year.to_string(),
        }
    }

    /// Everything must have been read.
    fn finish(&self) -> Result<(), CodeError> {
        match self.peek(0) {
            None => Ok(()),
            Some(t) => Err(CodeError::Trailing {
                code: self.code.to_string(),
                rest: self.norm[t.start..].to_string(),
            }),
        }
    }

    // --- Chinese -------------------------------------------------------------------------

    /// `GB`, `GB/T`, `JB/T`, `NB/SH/T`, `DB37/T`, `T/CAS`, `Q/ABC`; `None` if not Chinese.
    fn chinese_prefix(&mut self) -> Result<Option<String>, CodeError> {
        let Some(word) = self.word_at(0) else {
            return Ok(None);
        };
        if (word == "T" || word == "Q") && self.sep_at(1, b'/') {
            self.i += 2;
            let org = self.org_code(word)?;
            return Ok(Some(format!("{word}/{org}")));
        }
        if word == "DB"
            && let Some(region) = self.num_at(1)
        {
            if !(2..=6).contains(&region.text.len()) {
                return Err(self.unknown(format!("DB{}", region.text)));
            }
            self.i += 2;
            let suffix = self.chinese_suffix();
            return Ok(Some(format!("DB{}{}", region.text, suffix)));
        }
        // "GBT 19001" and "JBT 1234" run the /T into the code.
        let (stem, implied) = if is_cn_base(word) {
            (word, "")
        } else if let Some(stem) = word.strip_suffix('T').filter(|s| is_cn_base(s)) {
            (stem, "/T")
        } else if let Some(stem) = word.strip_suffix('Z').filter(|s| is_cn_base(s)) {
            (stem, "/Z")
        } else {
            return Ok(None);
        };
        self.i += 1;
        let mut prefix = stem.to_string();
        if !implied.is_empty() {
            prefix.push_str(implied);
            return Ok(Some(prefix));
        }
        // Joint industry prefixes: NB/SH/T.
        while self.sep_at(0, b'/')
            && let Some(next) = self.word_at(1)
            && CN_INDUSTRY.contains(&next)
        {
            prefix.push('/');
            prefix.push_str(next);
            self.i += 2;
        }
        let suffix = self.chinese_suffix();
        // Bare "DB" before a number would read as a local code; the earthquake industry's is DB/T.
        if prefix == "DB" && suffix.is_empty() {
            return Err(self.unknown(prefix));
        }
        prefix.push_str(suffix);
        Ok(Some(prefix))
    }

    /// `/T`, `-T`, ` T` or nothing.
    fn chinese_suffix(&mut self) -> &'static str {
        let k = usize::from(self.sep_at(0, b'/') || self.sep_at(0, b'-'));
        let suffix = match self.word_at(k) {
            Some("T") => "/T",
            Some("Z") => "/Z",
            _ => return "",
        };
        self.i += k + 1;
        suffix
    }

    /// The organisation code after `T/` or `Q/`: letters and digits up to the last letter
    /// before the number (`CAS` in `T/CAS115`, `320500GXL` in `Q/320500GXL001`), or a
    /// purely numeric code followed by a space.
    fn org_code(&mut self, kind: &str) -> Result<String, CodeError> {
        let start = self.i;
        let mut end = start;
        let mut last_word = None;
        while let Some(t) = self.toks.get(end)
            && matches!(t.kind, Kind::Word | Kind::Num)
            && (end == start || !t.spaced)
        {
            if t.kind == Kind::Word {
                last_word = Some(end);
            }
            end += 1;
        }
        let stop = match last_word {
            Some(w) => w + 1,
            None if end > start
                && self
                    .toks
                    .get(end)
                    .is_some_and(|t| t.spaced && t.kind == Kind::Num) =>
            {
                end
            }
            None => return Err(self.unknown(format!("{kind}/"))),
        };
        let org: String = self.toks[start..stop].iter().map(|t| t.text).collect();
        self.i = stop;
        Ok(org)
    }

    fn chinese_rest(&mut self, prefix: String) -> Result<StdCode, CodeError> {
        let Some(first) = self.num_at(0) else {
            return Err(self.no_number());
        };
        let mut number = first.text.to_string();
        self.i += 1;
        while self.sep_at(0, b'.')
            && let Some(t) = self.num_at(1)
            && !t.spaced
        {
            number.push('.');
            number.push_str(t.text);
            self.i += 2;
        }
        let year = self.chinese_year()?;
        let amendments = self.amendments(Style::Chinese)?;
        // A cover writes the adopted standard after the code: "GB/T 19001-2016/ISO 9001:2015".
        // It must be a valid code, but it is not part of this one.
        if self.sep_at(0, b'/')
            && let Some(body) = self.word_at(1)
            && (INTERNATIONAL.contains(&body) || body == "EN")
        {
            let adopted = &self.norm[self.toks[self.i + 1].start..];
            parse_normalized(adopted, self.code)?;
            self.i = self.toks.len();
        }
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments,
        })
    }

    /// After `-`, `:` or a space: four digits, or two for old codes.
    fn chinese_year(&mut self) -> Result<Option<u16>, CodeError> {
        let k = if self.sep_at(0, b'-') || self.sep_at(0, b':') {
            1
        } else if self.num_at(0).is_some_and(|t| t.spaced) {
            0
        } else {
            return Ok(None);
        };
        let Some(t) = self.num_at(k) else {
            return Ok(None);
        };
        self.i += k + 1;
        let year = match t.text.len() {
            4 => plausible_year(t.text),
            2 => t
                .text
                .parse::<u16>()
                .ok()
                .map(|y| if y >= 50 { 1900 + y } else { 2000 + y }),
            _ => None,
        };
        year.map(Some).ok_or_else(|| self.bad_year(t.text))
    }

    // --- ISO, IEC, EN and foreign national ------------------------------------------------

    /// Body words, joint bodies and document types up to the number.
    fn intl_prefix(&mut self) -> Result<String, CodeError> {
        let mut words: Vec<String> = Vec::new();
        while let Some(word) = self.word_at(0) {
            let (word, used) = self.compound_word(word);
            // "IECTS", "ISOTR", "ENISO": bodies and types written without spaces.
            if used == 1
                && !is_body(&word)
                && !is_doc_type(&word)
                && self.split_glued_prefix(words.is_empty())
            {
                continue;
            }
            // The prefix as written, up to the word that is not understood.
            let seen = || {
                let end = self.peek(used - 1).map_or(0, |t| t.start + t.text.len());
                self.norm[..end].to_string()
            };
            if words.is_empty() && !is_body(&word) {
                return Err(self.unknown(seen()));
            }
            if !is_body(&word) && !is_doc_type(&word) {
                if word.len() == 1 && DIVISION_BODIES.contains(&words[0].as_str()) {
                    words.push(word);
                    self.i += used;
                    continue;
                }
                // A short word just before the digits starts the number: ASTM D638, ITU-T G.711.
                if word.len() <= 2 && self.starts_number(used) {
                    break;
                }
                return Err(self.unknown(seen()));
            }
            words.push(word);
            self.i += used;
            if (self.sep_at(0, b'/') || self.sep_at(0, b'-')) && self.word_at(1).is_some() {
                self.i += 1;
            }
        }
        Ok(render_intl_prefix(&words))
    }

    /// Replaces the word at the cursor by `pieces` (consecutive slices of it),
    /// each read as a word of its own.
    fn split_word(&mut self, pieces: &[usize]) {
        let t = self.toks[self.i];
        let mut start = 0;
        let toks: Vec<Tok<'a>> = pieces
            .iter()
            .enumerate()
            .map(|(k, &len)| {
                let piece = Tok {
                    kind: Kind::Word,
                    text: &t.text[start..start + len],
                    spaced: k > 0 || t.spaced,
                    start: t.start + start,
                };
                start += len;
                piece
            })
            .collect();
        self.toks.splice(self.i..self.i + 1, toks);
    }

    /// Splits a word of the prefix that runs known bodies and document
    /// types together (`IECTS` in `ISO/IECTS 9569`, `ISOTR`, `ENISO`) into
    /// them, longest piece first; the first piece of a code must be a body
    /// (other than ETSI, whose ids are read apart).
    /// Pieces have two letters or more, so a division letter (`JIS C`) or
    /// the letters of a number (`ASTM D638`) are never split off. False,
    /// and nothing changed, when the word is not such a run.
    fn split_glued_prefix(&mut self, first: bool) -> bool {
        fn pieces(word: &str, first: bool, out: &mut Vec<usize>) -> bool {
            if word.is_empty() {
                return out.len() >= 2;
            }
            for len in (2..=word.len()).rev() {
                let piece = &word[..len];
                // ETSI ids are read apart ([`Parser::split_glued_etsi`]).
                let known = (is_body(piece) && piece != "ETSI") || (!first && is_doc_type(piece));
                if known {
                    out.push(len);
                    if pieces(&word[len..], false, out) {
                        return true;
                    }
                    out.pop();
                }
            }
            false
        }
        let Some(word) = self.word_at(0) else {
            return false;
        };
        let mut out = Vec::new();
        if word.len() < 4 || !pieces(word, first, &mut out) {
            return false;
        }
        self.split_word(&out);
        true
    }

    /// `ETSIEN`, `ETSITS`, `ETSIGSNFV` (ETSI, the deliverable type and an
    /// ISG's name run together, as in `etsien300362v1.3.1(2004-01)`) become
    /// `ETSI EN`, `ETSI TS`, `ETSI GS NFV`. Only known deliverable types are
    /// split off; a group name may follow only GS and GR.
    fn split_glued_etsi(&mut self) {
        let Some(word) = self.word_at(0) else {
            return;
        };
        let Some(rest) = word.strip_prefix("ETSI").filter(|r| !r.is_empty()) else {
            return;
        };
        let Some(kind) = ETSI_TYPES
            .iter()
            .filter(|t| rest.starts_with(*t))
            .max_by_key(|t| t.len())
        else {
            return;
        };
        let group = rest.len() - kind.len();
        if group == 0 {
            self.split_word(&[4, kind.len()]);
        } else if matches!(*kind, "GS" | "GR") {
            self.split_word(&[4, kind.len(), group]);
        }
    }

    /// Body names that the lexer splits: `HL7`, `ITU-T`, `ITU-R`.
    fn compound_word(&self, word: &str) -> (String, usize) {
        if word == "HL" && self.num_at(1).is_some_and(|t| t.text == "7" && !t.spaced) {
            return ("HL7".to_string(), 2);
        }
        if word == "ITU"
            && self.sep_at(1, b'-')
            && let Some(series @ ("T" | "R")) = self.word_at(2)
        {
            return (format!("ITU-{series}"), 3);
        }
        match word {
            "ITUT" => ("ITU-T".to_string(), 1),
            "ITUR" => ("ITU-R".to_string(), 1),
            _ => (word.to_string(), 1),
        }
    }

    fn starts_number(&self, k: usize) -> bool {
        match self.peek(k).map(|t| t.kind) {
            Some(Kind::Num) => true,
            Some(Kind::Sep(b'.')) => self.num_at(k + 1).is_some(),
            _ => false,
        }
    }

    fn intl_rest(&mut self, prefix: String, style: Style) -> Result<StdCode, CodeError> {
        // ETSI ENs are often cited without "ETSI": "EN 300 328 V2.2.2".
        if prefix == "EN"
            && let (Some(a), Some(b)) = (self.num_at(0), self.num_at(1))
            && a.text.len() == 3
            && b.text.len() == 3
            && b.spaced
        {
            return self.etsi_rest("ETSI EN".to_string());
        }
        let mut number = self.part(true).ok_or_else(|| self.no_number())?;
        let mut parts = 1;
        let mut last = number.len();
        loop {
            // Old IEC sheets are numbered after a slash: "IEC 60695-2-1/1:1994".
            let sep = if self.sep_at(0, b'-') {
                '-'
            } else if self.sep_at(0, b'/') && self.num_at(1).is_some_and(|t| !t.spaced) {
                '/'
            } else {
                break;
            };
            let before = self.i;
            self.i += 1;
            match self.part(false) {
                Some(part) => {
                    last = number.len() + 1;
                    number.push(sep);
                    number.push_str(&part);
                    parts += 1;
                }
                None => {
                    self.i = before;
                    break;
                }
            }
        }
        let mut year = None;
        if self.sep_at(0, b':') {
            self.i += 1;
            year = Some(self.year4()?);
            self.skip_month();
        } else if parts > 1
            && let Some(y) = plausible_year(&number[last..])
        {
            number.truncate(last - 1);
            year = Some(y);
        } else if let Some(t) = self.num_at(0)
            && t.spaced
            && let Some(y) = plausible_year(t.text)
        {
            self.i += 1;
            year = Some(y);
        }
        // A corrigendum can follow a variant: "IEC 60068-2-6:1982+AMD1:1983 CSV/COR1:1984".
        let mut amendments = self.amendments(style)?;
        while self.skip_variants() {
            amendments.extend(self.amendments(style)?);
        }
        self.skip_edition();
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments,
        })
    }

    /// One `-`-separated group of the number: `60335`, `1A`, `E01`, `10993`, `1.2`, `G.711`,
    /// `D638`. Later groups may be letters only (`ISO/IEC/IEEE 8802-A`, `ISO 1234-F`).
    fn part(&mut self, first: bool) -> Option<String> {
        let start = self.i;
        let mut out = String::new();
        let mut has_num = false;
        while let Some(t) = self.peek(0) {
            match t.kind {
                Kind::Word | Kind::Num
                    if out.is_empty()
                        || !t.spaced
                        // "ASTM D 638"
                        || (!has_num && out.len() <= 2 && t.kind == Kind::Num) =>
                {
                    out.push_str(t.text);
                    has_num |= t.kind == Kind::Num;
                    self.i += 1;
                }
                Kind::Sep(b'.')
                    if !out.is_empty()
                        && self.peek(1).is_some_and(|n| {
                            matches!(n.kind, Kind::Word | Kind::Num) && !n.spaced
                        }) =>
                {
                    out.push('.');
                    self.i += 1;
                }
                _ => break,
            }
        }
        if has_num || (!first && (1..=3).contains(&out.len())) {
            Some(out)
        } else {
            self.i = start;
            None
        }
    }

    fn year4(&mut self) -> Result<u16, CodeError> {
        let Some(t) = self.num_at(0) else {
            return Err(self.bad_year(""));
        };
        self.i += 1;
        plausible_year(t.text).ok_or_else(|| self.bad_year(t.text))
    }

    /// DIN and others date an edition by month: `DIN EN 60335-1:2012-10`.
    fn skip_month(&mut self) {
        if self.sep_at(0, b'-')
            && let Some(t) = self.num_at(1)
            && t.text.len() == 2
            && t.text.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        {
            self.i += 2;
        }
    }

    fn amendments(&mut self, style: Style) -> Result<Vec<String>, CodeError> {
        let mut out = Vec::new();
        loop {
            let before = self.i;
            if self.sep_at(0, b'/') || self.sep_at(0, b'+') {
                self.i += 1;
            } else if !self
                .peek(0)
                .is_some_and(|t| t.spaced && t.kind == Kind::Word)
            {
                break;
            }
            match self.amendment(style)? {
                Some(amendment) => out.push(amendment),
                None => {
                    self.i = before;
                    break;
                }
            }
        }
        Ok(out)
    }

    /// `Amd 1:2024`, `Amd.1:2020`, `AMD1:2013`, `A11:2014`, `COR1:2019`, `AC:2014`,
    /// `CD Amd 1`, `DAM 1`, `XG1-2020`, written in the spelling of `style`.
    fn amendment(&mut self, style: Style) -> Result<Option<String>, CodeError> {
        let start = self.i;
        let mut stage = String::new();
        while let Some(word) = self.word_at(0)
            && AMD_STAGES.contains(&word)
            && self.word_at(1).is_some()
        {
            stage.push_str(word);
            stage.push(' ');
            self.i += 1;
        }
        let Some(word) = self.word_at(0) else {
            self.i = start;
            return Ok(None);
        };
        let en = style == Style::En;
        let kind = match word {
            "AMD" | "AM" | "A" if en => "A",
            "AMD" | "AM" | "A" => "AMD",
            "COR" | "CORR" | "C" | "AC" if en => "AC",
            "COR" | "CORR" | "C" | "AC" => "COR",
            "ADD" | "ISH" | "FRAG" | "SUPPL" | "EXT" | "DAM" | "FDAM" | "PDAM" | "DCOR"
            | "FDCOR" | "DAD" | "XG" => word,
            _ => {
                self.i = start;
                return Ok(None);
            }
        };
        self.i += 1;
        if self.sep_at(0, b'.') && self.num_at(1).is_some() {
            self.i += 1;
        }
        let mut out = format!("{stage}{kind}");
        if let Some(n) = self.num_at(0) {
            out.push_str(n.text);
            self.i += 1;
            // Draft iteration: "CD Amd 1.2".
            if self.sep_at(0, b'.')
                && let Some(iteration) = self.num_at(1)
            {
                out.push('.');
                out.push_str(iteration.text);
                self.i += 2;
            }
        }
        if (self.sep_at(0, b':') || self.sep_at(0, b'-'))
            && let Some(t) = self.num_at(1)
        {
            self.i += 2;
            let year = plausible_year(t.text).ok_or_else(|| self.bad_year(t.text))?;
            out.push(if style == Style::Chinese { '-' } else { ':' });
            out.push_str(&year.to_string());
        }
        Ok(Some(out))
    }

    /// `Ed.6`, `Ed 6`, `edition 6` after the code: kept aside for [`edition_of`].
    fn skip_edition(&mut self) {
        let Some(word @ ("ED" | "EDITION")) = self.word_at(0) else {
            return;
        };
        let k = if word == "ED" && self.sep_at(1, b'.') {
            2
        } else {
            1
        };
        if let Some(t) = self.num_at(k)
            && t.text.len() <= 3
            && let Ok(n) = t.text.parse::<u16>()
            && n > 0
        {
            self.extras.edition = Some(n);
            self.i += k + 1;
            // "Ed.6.0", as IEC writes editions with a minor number.
            if self.sep_at(0, b'.') && self.num_at(1).is_some_and(|t| t.text.len() <= 2) {
                self.i += 2;
            }
        }
    }

    /// `CSV`, `RLV`, `EXV-CMV` …: kept aside for [`variant_of`]. True if one was read.
    fn skip_variants(&mut self) -> bool {
        let mut variant = String::new();
        while let Some(t) = self.peek(0)
            && t.spaced
            && t.kind == Kind::Word
            && VARIANTS.contains(&t.text)
        {
            if !variant.is_empty() {
                variant.push(' ');
            }
            variant.push_str(t.text);
            self.i += 1;
            while self.sep_at(0, b'-')
                && let Some(next) = self.word_at(1)
                && VARIANTS.contains(&next)
            {
                variant.push('-');
                variant.push_str(next);
                self.i += 2;
            }
        }
        if variant.is_empty() {
            return false;
        }
        self.extras.variant = Some(variant);
        true
    }

    // --- ETSI ----------------------------------------------------------------------------

    /// `ETSI EN`, `ETSI I-ETS`, `ETSI GS NFV-IFA`, `ETSI GR F5G` (after the word ETSI).
    fn etsi_prefix(&mut self) -> String {
        let mut prefix = String::from("ETSI");
        while let Some(t) = self.peek(0)
            && t.kind == Kind::Word
        {
            prefix.push(' ');
            prefix.push_str(t.text);
            self.i += 1;
            loop {
                let glued = self.peek(0).filter(|n| !n.spaced);
                match glued.map(|n| n.kind) {
                    // Group names such as F5G and IP6 carry a digit; numbers have three or more.
                    Some(Kind::Word) => {}
                    Some(Kind::Num) if glued.is_some_and(|n| n.text.len() <= 2) => {}
                    Some(Kind::Sep(b'-')) if self.peek(1).is_some_and(|n| n.kind == Kind::Word) => {
                    }
                    _ => break,
                }
                if let Some(n) = glued {
                    prefix.push_str(n.text);
                }
                self.i += 1;
            }
        }
        prefix
    }

    /// `300 328 V2.2.2 (2019-07)`, `300 011/A1 ed.1 (1994-12)`.
    fn etsi_rest(&mut self, prefix: String) -> Result<StdCode, CodeError> {
        let mut number = String::new();
        let mut after_atom = false;
        while let Some(t) = self.peek(0) {
            if self.etsi_version_starts() {
                break;
            }
            match t.kind {
                Kind::Num => {
                    if after_atom && t.spaced {
                        number.push(' ');
                    }
                    after_atom = true;
                }
                Kind::Word if !(after_atom && t.spaced) => after_atom = true,
                Kind::Sep(b'-' | b'/' | b'.') => after_atom = false,
                _ => break,
            }
            number.push_str(t.text);
            self.i += 1;
        }
        // A dangling separator is not part of the number: "300 328. (2019-07)"
        // is "300 328 (2019-07)", as "300 328." alone is "300 328".
        let kept = number.trim_end_matches(['-', '/', '.']).len();
        number.truncate(kept);
        if !number.bytes().any(|b| b.is_ascii_digit()) {
            return Err(self.no_number());
        }
        // "300328" is "300 328".
        let b = number.as_bytes();
        if b.len() >= 6
            && b[..6].iter().all(u8::is_ascii_digit)
            && b.get(6).is_none_or(|c| !c.is_ascii_digit())
        {
            number.insert(3, ' ');
        }
        if self.word_at(0) == Some("V") {
            number.push_str(" V");
            self.i += 1;
            self.etsi_dotted(&mut number);
        } else if self.word_at(0) == Some("ED") {
            number.push_str(" ed.");
            self.i += 2;
            self.etsi_dotted(&mut number);
        }
        let mut year = None;
        if self.sep_at(0, b'(')
            && let Some(y) = self.num_at(1)
        {
            self.i += 2;
            year = Some(plausible_year(y.text).ok_or_else(|| self.bad_year(y.text))?);
            number.push_str(" (");
            number.push_str(y.text);
            if self.sep_at(0, b'-')
                && let Some(m) = self.num_at(1)
            {
                number.push('-');
                number.push_str(m.text);
                self.i += 2;
            }
            number.push(')');
            if self.sep_at(0, b')') {
                self.i += 1;
            }
        }
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments: Vec::new(),
        })
    }

    fn etsi_version_starts(&self) -> bool {
        match self.word_at(0) {
            Some("V") => self.num_at(1).is_some_and(|t| !t.spaced),
            Some("ED") => self.sep_at(1, b'.'),
            _ => false,
        }
    }

    /// `2.2.2` after `V`, `4` after `ed.`.
    fn etsi_dotted(&mut self, out: &mut String) {
        while let Some(t) = self.num_at(0) {
            out.push_str(t.text);
            self.i += 1;
            if self.sep_at(0, b'.') && self.num_at(1).is_some() {
                out.push('.');
                self.i += 1;
            } else {
                break;
            }
        }
    }
}

/// Joins body and type words the way each body writes them (see the module docs).
fn render_intl_prefix(words: &[String]) -> String {
    let mut out = String::new();
    let mut typed = false;
    for (k, word) in words.iter().enumerate() {
        let doc_type = is_doc_type(word);
        if k > 0 {
            let prev = words[k - 1].as_str();
            let slash = if doc_type {
                let sole_iso = prev == "ISO" && !(k >= 2 && slash_pair(&words[k - 2], prev));
                !typed && word != "GUIDE" && (sole_iso || prev == "CEN" || prev == "CLC")
            } else {
                !typed && slash_pair(prev, word)
            };
            out.push(if slash { '/' } else { ' ' });
        }
        typed |= doc_type;
        out.push_str(match word.as_str() {
            "GUIDE" => "Guide",
            "DGUIDE" => "DGuide",
            w => w,
        });
    }
    out
}

fn slash_pair(prev: &str, word: &str) -> bool {
    (JOINT.contains(&prev) && JOINT.contains(&word))
        || (prev == "ANSI" && is_body(word))
        || (prev == "AS" && word == "NZS")
}

/// Four digits in 1900–2099.
fn plausible_year(s: &str) -> Option<u16> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|y| (1900..=2099).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real spellings and the canonical id each must give.
    const CANONICAL: &[(&str, &str)] = &[
        // Chinese national
        ("GB/T 19001-2016", "GB/T 19001-2016"),
        ("GB/T19001-2016", "GB/T 19001-2016"),
        ("GB/T19001—2016", "GB/T 19001-2016"),
        // Spellings of the national catalogue's files (cn-gb-national)
        ("GB 19147 -2013", "GB 19147-2013"),
        ("T/JSVA 008—2022", "T/JSVA 008-2022"),
        ("DB 37/T 2904-2019", "DB37/T 2904-2019"),
        ("DB12/ 684-2016", "DB12 684-2016"),
        ("DB15/T 2535—2025", "DB15/T 2535-2025"),
        ("T/CSSS 021.2—2024", "T/CSSS 021.2-2024"),
        ("ISO 20671-3：2023", "ISO 20671-3:2023"),
        ("IEC TS 61970-556：2016", "IEC TS 61970-556:2016"),
        ("IEC/TR 62726:2014", "IEC TR 62726:2014"),
        ("GB/T 19001–2016", "GB/T 19001-2016"),
        ("ＧＢ／Ｔ　１９００１－２０１６", "GB/T 19001-2016"),
        ("GB/T  19001 - 2016", "GB/T 19001-2016"),
        ("gb/t 19001-2016", "GB/T 19001-2016"),
        ("GBT 19001-2016", "GB/T 19001-2016"),
        ("GB-T 19001-2016", "GB/T 19001-2016"),
        ("GB／T 19001-2016", "GB/T 19001-2016"),
        ("GB T 19001 2016", "GB/T 19001-2016"),
        ("GB/T 19001:2016", "GB/T 19001-2016"),
        ("GB/T 19001", "GB/T 19001"),
        ("《GB/T 19001-2016》", "GB/T 19001-2016"),
        ("GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016"),
        ("GB 4706.1-2005", "GB 4706.1-2005"),
        ("GB 4706.32—2012", "GB 4706.32-2012"),
        ("GB/T 1.1-2020", "GB/T 1.1-2020"),
        ("GB/T 20000.1-2014", "GB/T 20000.1-2014"),
        ("GB/Z 17624.1-1998", "GB/Z 17624.1-1998"),
        ("GB 8978-88", "GB 8978-1988"),
        ("GB 4706.1-2005/XG1-2006", "GB 4706.1-2005/XG1-2006"),
        ("GBZ 2.1-2019", "GBZ 2.1-2019"),
        ("GB 50016-2014", "GB 50016-2014"),
        // Chinese industry, local, group, enterprise
        ("jb/t7118-2004", "JB/T 7118-2004"),
        ("QC/T 29106-2014", "QC/T 29106-2014"),
        ("YY 0505-2012", "YY 0505-2012"),
        ("YYT 0316-2016", "YY/T 0316-2016"),
        ("HG/T 20592-2009", "HG/T 20592-2009"),
        ("SJ/T 11364-2014", "SJ/T 11364-2014"),
        ("NB/SH/T 0001-2019", "NB/SH/T 0001-2019"),
        ("DL/T 5210.1-2012", "DL/T 5210.1-2012"),
        ("DB37/T 1234-2020", "DB37/T 1234-2020"),
        ("db37/t1234—2020", "DB37/T 1234-2020"),
        ("DB44/ 1234-2020", "DB44 1234-2020"),
        ("T/CAS 115-2005", "T/CAS 115-2005"),
        ("T/CAS115-2005", "T/CAS 115-2005"),
        ("Q/ABC 001-2019", "Q/ABC 001-2019"),
        // ISO and IEC
        ("ISO 9001:2015", "ISO 9001:2015"),
        ("ISO9001:2015", "ISO 9001:2015"),
        ("iso 9001 2015", "ISO 9001:2015"),
        ("ISO 9001-2015", "ISO 9001:2015"),
        ("ISO 9001：2015", "ISO 9001:2015"),
        ("ISO-9001", "ISO 9001"),
        ("ISO 9001:2015.", "ISO 9001:2015"),
        ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022"),
        ("ISO IEC 27001:2022", "ISO/IEC 27001:2022"),
        ("iso/iec27001:2013", "ISO/IEC 27001:2013"),
        ("iso/iec guide 98-3:2008", "ISO/IEC Guide 98-3:2008"),
        ("ISO GUIDE 73:2009", "ISO Guide 73:2009"),
        ("ISO/TS 16949:2009", "ISO/TS 16949:2009"),
        ("ISO TS 16949:2009", "ISO/TS 16949:2009"),
        ("ISO/TR 10013:2001", "ISO/TR 10013:2001"),
        ("IEC/TR 60083:1975", "IEC TR 60083:1975"),
        ("IEC/TS 62257-1:2003", "IEC TS 62257-1:2003"),
        ("ISO/IEC TR 29110-5-1-1:2012", "ISO/IEC TR 29110-5-1-1:2012"),
        ("ISO/CD TS 10303-1001", "ISO/CD TS 10303-1001"),
        ("ISO/DIS 10012", "ISO/DIS 10012"),
        ("ISO/CD 10993-1.2", "ISO/CD 10993-1.2"),
        ("ISO/R 10:1955", "ISO/R 10:1955"),
        ("IWA 1:2001", "IWA 1:2001"),
        ("ISO 105-E01:1987", "ISO 105-E01:1987"),
        ("IEC 60027-1A:1976", "IEC 60027-1A:1976"),
        (
            "ISO/IEC/IEEE 8802-1Q:2016/Amd 1:2017",
            "ISO/IEC/IEEE 8802-1Q:2016/AMD1:2017",
        ),
        ("ISO/HL7 10781:2009", "ISO/HL7 10781:2009"),
        // Bodies and types typed without spaces.
        ("iso/iects9569:2023", "ISO/IEC TS 9569:2023"),
        ("isots16949:2009", "ISO/TS 16949:2009"),
        ("isoiec27001:2022", "ISO/IEC 27001:2022"),
        ("iectr60083:1975", "IEC TR 60083:1975"),
        ("eniso9001:2015", "EN ISO 9001:2015"),
        ("dineniso9001:2015-11", "DIN EN ISO 9001:2015"),
        ("IEC 60335-2-40:2018", "IEC 60335-2-40:2018"),
        ("iec60335-2-40:2018", "IEC 60335-2-40:2018"),
        ("IEC 60335-2-40", "IEC 60335-2-40"),
        ("IEC 60335-2-40-2018", "IEC 60335-2-40:2018"),
        ("IEC 60335-2-40 2018", "IEC 60335-2-40:2018"),
        ("IEC 60335-1:2010/AMD1:2013", "IEC 60335-1:2010/AMD1:2013"),
        ("IEC 60335-1:2010+A1:2013", "IEC 60335-1:2010/AMD1:2013"),
        ("IEC 60335-1:2010/Amd.1:2013", "IEC 60335-1:2010/AMD1:2013"),
        ("ISO 9001:2015/Amd 1:2024", "ISO 9001:2015/AMD1:2024"),
        ("ISO 9001:2015 Amd 1:2024", "ISO 9001:2015/AMD1:2024"),
        ("ISO 10077-1:2006/Cor 1:2009", "ISO 10077-1:2006/COR1:2009"),
        ("IEC 62368-1:2018/COR1:2019", "IEC 62368-1:2018/COR1:2019"),
        ("ISO 10087:2022/CD Amd 1", "ISO 10087:2022/CD AMD1"),
        (
            "IEC 60068-2-6:1982+AMD1:1983+AMD2:1985 CSV",
            "IEC 60068-2-6:1982/AMD1:1983/AMD2:1985",
        ),
        ("IEC 60034-11:2020 RLV", "IEC 60034-11:2020"),
        ("IEC 60695-2-1/1:1994", "IEC 60695-2-1/1:1994"),
        ("CISPR 14-1:2016", "CISPR 14-1:2016"),
        ("cispr14-1:2016", "CISPR 14-1:2016"),
        ("ITU-T G.711", "ITU-T G.711"),
        ("ITU-R BT.709-6", "ITU-R BT.709-6"),
        // European
        ("EN 60335-1:2012+A11:2014", "EN 60335-1:2012+A11:2014"),
        ("EN 60335-1:2012/A11:2014", "EN 60335-1:2012+A11:2014"),
        ("EN 60335-1:2012/AC:2014", "EN 60335-1:2012+AC:2014"),
        ("EN ISO 9001:2015", "EN ISO 9001:2015"),
        ("EN IEC 60335-2-40:2024", "EN IEC 60335-2-40:2024"),
        ("BS EN 60335-1:2012+A11:2014", "BS EN 60335-1:2012+A11:2014"),
        ("DIN EN ISO 9001:2015-11", "DIN EN ISO 9001:2015"),
        ("CEN/TS 16555-1:2013", "CEN/TS 16555-1:2013"),
        // ETSI
        (
            "ETSI EN 300 328 V2.2.2 (2019-07)",
            "ETSI EN 300 328 V2.2.2 (2019-07)",
        ),
        (
            "etsi en 300328 v2.2.2(2019-07)",
            "ETSI EN 300 328 V2.2.2 (2019-07)",
        ),
        (
            "EN 300 328 V2.2.2 (2019-07)",
            "ETSI EN 300 328 V2.2.2 (2019-07)",
        ),
        (
            "ETSI ETS 300 001 ed.4 (1997-01)",
            "ETSI ETS 300 001 ed.4 (1997-01)",
        ),
        (
            "ETSI ETS 300 011/A1 ed.1 (1994-12)",
            "ETSI ETS 300 011/A1 ed.1 (1994-12)",
        ),
        (
            "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
            "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
        ),
        (
            "ETSI GR F5G 001 V1.1.1 (2020-12)",
            "ETSI GR F5G 001 V1.1.1 (2020-12)",
        ),
        (
            "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
            "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
        ),
        // ETSI ids typed without spaces.
        (
            "etsien300362v1.3.1(2004-01)",
            "ETSI EN 300 362 V1.3.1 (2004-01)",
        ),
        (
            "etsits100392-11-8v1.1.1(2000-09)",
            "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
        ),
        (
            "etsiets300001ed.4(1997-01)",
            "ETSI ETS 300 001 ed.4 (1997-01)",
        ),
        (
            "etsigsnfv-ifa001v1.1.1(2015-12)",
            "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
        ),
        (
            "etsigrf5g001v1.1.1(2020-12)",
            "ETSI GR F5G 001 V1.1.1 (2020-12)",
        ),
        // Foreign national
        ("ANSI/UL 1017", "ANSI/UL 1017"),
        ("UL 60335-1", "UL 60335-1"),
        ("JIS C 9335-1:2014", "JIS C 9335-1:2014"),
        ("JIS C9335-1:2014", "JIS C 9335-1:2014"),
        ("KS C IEC 60335-1", "KS C IEC 60335-1"),
        ("ASTM D638-14", "ASTM D638-14"),
        ("SAE J1772", "SAE J1772"),
        ("AS/NZS 60335.1:2011", "AS/NZS 60335.1:2011"),
        ("OIML R 76-1:2006", "OIML R 76-1:2006"),
        // As documents cite them (issue 21's list): full width, no space,
        // an edition number, EN adoptions, an amendment after the edition.
        ("ＧＢ４７０６．１－２００５", "GB 4706.1-2005"),
        ("GB4706.1", "GB 4706.1"),
        ("IEC 60335-2-40 Ed.6", "IEC 60335-2-40"),
        ("IEC 60335-2-40 Ed 6.0", "IEC 60335-2-40"),
        ("ISO 9001:2015 edition 5", "ISO 9001:2015"),
        ("EN ISO 13849-1", "EN ISO 13849-1"),
        (
            "IEC 60335-2-40:2018+AMD1:2023",
            "IEC 60335-2-40:2018/AMD1:2023",
        ),
    ];

    #[test]
    fn canonical_forms() {
        let mut failures = Vec::new();
        for &(input, expected) in CANONICAL {
            match normalize(input) {
                Ok(got) if got == expected => {}
                other => failures.push(format!("{input:?}: expected {expected:?}, got {other:?}")),
            }
            // Canonical ids are fixed points.
            assert_eq!(normalize(expected).as_deref(), Ok(expected), "{expected}");
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(CANONICAL.len() >= 50);
    }

    #[test]
    fn errors_name_the_reason() {
        let long = format!("GB/T {}", "1".repeat(MAX_CODE_LEN));
        type Check = fn(&CodeError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("", |e| *e == CodeError::Empty),
            ("  \u{3000} ", |e| *e == CodeError::Empty),
            ("《》", |e| *e == CodeError::Empty),
            ("hello world", |e| matches!(e, CodeError::NoNumber(_))),
            ("质量管理体系 要求", |e| {
                matches!(e, CodeError::NoNumber(_))
            }),
            ("GB/T", |e| matches!(e, CodeError::NoNumber(_))),
            ("ISO/IEC Guide", |e| matches!(e, CodeError::NoNumber(_))),
            ("GB/T ABC 1", |e| matches!(e, CodeError::NoNumber(_))),
            ("hello world 123", |e| {
                matches!(e, CodeError::UnknownPrefix { .. })
            }),
            ("HELLO 123", |e| {
                matches!(e, CodeError::UnknownPrefix { .. })
            }),
            ("TR 123", |e| matches!(e, CodeError::UnknownPrefix { .. })),
            ("19001-2016", |e| matches!(e, CodeError::NoPrefix(_))),
            ("(ISO 9001)", |e| matches!(e, CodeError::NoPrefix(_))),
            (
                &long,
                |e| matches!(e, CodeError::TooLong { len, max: MAX_CODE_LEN } if *len == MAX_CODE_LEN + 5),
            ),
            (
                "GB/T 19001-20166",
                |e| matches!(e, CodeError::InvalidYear { year, .. } if year == "20166"),
            ),
            ("GB/T 19001-1850", |e| {
                matches!(e, CodeError::InvalidYear { .. })
            }),
            ("ISO 9001:15", |e| {
                matches!(e, CodeError::InvalidYear { .. })
            }),
            ("ISO 9001:2015/Amd 1:1", |e| {
                matches!(e, CodeError::InvalidYear { .. })
            }),
            ("GB/T 19001-2016/ISO 9001:20155", |e| {
                matches!(e, CodeError::InvalidYear { .. })
            }),
            (
                "ISO 9001:2015 hello",
                |e| matches!(e, CodeError::Trailing { rest, .. } if rest == "HELLO"),
            ),
            ("GB/T 19001-2016-01", |e| {
                matches!(e, CodeError::Trailing { .. })
            }),
            ("GB/T 19001-2016 质量管理体系", |e| {
                matches!(e, CodeError::InvalidChar { ch: '质', .. })
            }),
            ("ISO 9001;2015", |e| {
                matches!(e, CodeError::InvalidChar { ch: ';', .. })
            }),
        ];
        for (input, check) in cases {
            let result = StdCode::parse(input);
            match &result {
                Err(e) if check(e) => assert!(!e.to_string().is_empty()),
                other => panic!("{input:?} gave {other:?}"),
            }
        }
        // Messages say what went wrong and quote the input.
        let message = normalize("HELLO 123").unwrap_err().to_string();
        assert!(
            message.contains("unknown prefix") && message.contains("HELLO 123"),
            "{message}"
        );
        assert_eq!(
            StdCode::parse("ISO/IEC JTC 1"),
            Err(CodeError::UnknownPrefix {
                code: "ISO/IEC JTC 1".into(),
                prefix: "ISO/IEC JTC".into()
            })
        );
    }

    #[test]
    fn fields_base_edition_and_family() {
        let code = StdCode::parse("IEC 60335-1:2010+A1:2013").unwrap();
        assert_eq!(code.prefix, "IEC");
        assert_eq!(code.number, "60335-1");
        assert_eq!(code.year, Some(2010));
        assert_eq!(code.amendments, ["AMD1:2013"]);
        assert_eq!(code.edition_id(), "IEC 60335-1:2010");
        assert_eq!(code.base(), "IEC 60335-1");
        assert_eq!(code.to_string(), "IEC 60335-1:2010/AMD1:2013");

        let en = StdCode::parse("EN 60335-1:2012+A11:2014").unwrap();
        assert_eq!(en.amendments, ["A11:2014"]);
        assert_eq!(en.edition_id(), "EN 60335-1:2012");

        let etsi: StdCode = "ETSI EN 300 328 V2.2.2 (2019-07)".parse().unwrap();
        assert_eq!(etsi.year, Some(2019));
        assert_eq!(etsi.base(), "ETSI EN 300 328");
        assert_eq!(etsi.edition_id(), "ETSI EN 300 328 V2.2.2 (2019-07)");
        // Found by fuzzing: an input within the length limit whose canonical
        // spelling is not was accepted, and its canonical id then refused.
        let long = format!("ISO 1{}", "+A1".repeat(23));
        assert!(long.len() <= MAX_CODE_LEN);
        assert!(matches!(
            StdCode::parse(&long),
            Err(CodeError::TooLong { .. })
        ));
        // Found by fuzzing: a separator before the date stayed in the number,
        // so the base ("ETSI EN 300 322.") read back as another code.
        let dangling = StdCode::parse("ETSI EN 300 322. (2019-07)").unwrap();
        assert_eq!(dangling.number, "300 322 (2019-07)");
        assert_eq!(dangling.base(), "ETSI EN 300 322");
        assert_eq!(
            StdCode::parse(&dangling.base()).unwrap().base(),
            "ETSI EN 300 322"
        );

        let bases = [
            ("GB/T 19001-2016", "GB/T 19001"),
            ("GB 4706.32-2012", "GB 4706.32"),
            ("IEC 60335-2-40:2018", "IEC 60335-2-40"),
            ("ISO/IEC 27001:2022/Amd 1:2024", "ISO/IEC 27001"),
            ("DB37/T 1234-2020", "DB37/T 1234"),
            ("ETSI ETS 300 001 ed.4 (1997-01)", "ETSI ETS 300 001"),
        ];
        for (input, base) in bases {
            assert_eq!(StdCode::parse(input).unwrap().base(), base, "{input}");
        }

        let families = [
            ("GB 4706.1-2005", "GB"),
            ("GB/T 19001-2016", "GB/T"),
            ("GB/Z 17624.1-1998", "GB/Z"),
            ("GBZ 2.1-2019", "GBZ"),
            ("ISO 9001:2015", "ISO"),
            ("ISO/TR 10013:2001", "ISO"),
            ("ISO/CD TS 10303-1001", "ISO"),
            ("ISO/IEC 27001:2022", "ISO/IEC"),
            ("ISO/IEC Guide 98-3:2008", "ISO/IEC"),
            ("ISO/IEC/IEEE 8802-3:2021", "ISO/IEC/IEEE"),
            ("IEC 60335-2-40:2018", "IEC"),
            ("IEC TS 62257-1:2003", "IEC"),
            ("CISPR 14-1:2016", "CISPR"),
            ("EN 60335-1:2012", "EN"),
            ("EN ISO 9001:2015", "EN"),
            ("CEN/TS 16555-1:2013", "CEN"),
            ("ETSI EN 300 328 V2.2.2 (2019-07)", "ETSI"),
            ("JB/T 7118-2004", "JB/T"),
            ("NB/SH/T 0001-2019", "NB/SH/T"),
            ("DB37/T 1234-2020", "DB37/T"),
            ("DB44 1234-2020", "DB44"),
            ("T/CAS 115-2005", "T/CAS"),
            ("Q/ABC 001-2019", "Q/ABC"),
            ("BS EN 60335-1:2012", "BS"),
            ("JIS C 9335-1:2014", "JIS"),
            ("ITU-T G.711", "ITU-T"),
            ("AS/NZS 60335.1:2011", "AS/NZS"),
        ];
        for (input, family) in families {
            assert_eq!(StdCode::parse(input).unwrap().family(), family, "{input}");
        }
    }

    #[test]
    fn level_and_nature() {
        use Level::*;
        use Nature::*;
        let cases = [
            ("GB 4706.1-2005", National, Mandatory),
            ("GB/T 19001-2016", National, Recommended),
            ("GB/Z 17624.1-1998", National, Guidance),
            ("GBZ 2.1-2019", National, Mandatory),
            ("ISO 9001:2015", International, Recommended),
            ("ISO/IEC 27001:2022", International, Recommended),
            ("IEC 60335-2-40:2018", International, Recommended),
            ("CISPR 14-1:2016", International, Recommended),
            ("ITU-T G.711", International, Recommended),
            ("EN 60335-1:2012", Regional, Recommended),
            ("EN ISO 9001:2015", Regional, Recommended),
            ("ETSI EN 300 328 V2.2.2 (2019-07)", Regional, Recommended),
            ("CEN/TS 16555-1:2013", Regional, Recommended),
            ("JB/T 7118-2004", Industry, Recommended),
            ("YY 0505-2012", Industry, Mandatory),
            ("HG/T 20592-2009", Industry, Recommended),
            ("DB/T 2-2003", Industry, Recommended),
            ("DB37/T 1234-2020", Local, Recommended),
            ("DB44 1234-2020", Local, Mandatory),
            ("T/CAS 115-2005", Group, Recommended),
            ("Q/ABC 001-2019", Enterprise, Recommended),
            ("ANSI/UL 1017", National, Recommended),
            ("BS EN 60335-1:2012", National, Recommended),
            ("DIN EN 60335-1:2012", National, Recommended),
            ("JIS C 9335-1:2014", National, Recommended),
            ("ASTM D638-14", National, Recommended),
            ("KS C IEC 60335-1", National, Recommended),
            ("NF C15-100", National, Recommended),
        ];
        for (input, level, nature) in cases {
            let code = StdCode::parse(input).unwrap();
            assert_eq!((code.level(), code.nature()), (level, nature), "{input}");
        }
    }

    #[test]
    fn number_keys() {
        let cases = [
            ("60335-2-40", "60335-2-40"),
            ("IEC 60335-2-40", "60335-2-40"),
            ("IEC60335-2-40:2018", "60335-2-40"),
            ("EN IEC 60335-2-40:2024", "60335-2-40"),
            ("GB/T 19001-2016", "19001"),
            ("19001-2016", "19001"),
            ("19001—2016", "19001"),
            ("GB 4706.1-2005", "4706.1"),
            ("4706.1-2005", "4706.1"),
            ("ISO 9001:2015/Amd 1:2024", "9001"),
            ("9001:2015", "9001"),
            ("ISO 105-E01", "105-E01"),
            ("ETSI EN 300 328 V2.2.2 (2019-07)", "300328"),
            ("EN 300 328", "300328"),
            ("300 328", "300328"),
            ("ASTM D638-14", "D638-14"),
        ];
        for (input, key) in cases {
            assert_eq!(number_key(input).as_deref(), Some(key), "{input}");
        }
        for input in ["", "hello", "GB/T", "ISO"] {
            assert_eq!(number_key(input), None, "{input}");
        }
    }

    #[test]
    fn editions_are_reported_not_kept() {
        assert_eq!(edition_of("IEC 60335-2-40 Ed.6"), Some(6));
        assert_eq!(edition_of("IEC 60335-2-40:2018 ED 7.0"), Some(7));
        assert_eq!(edition_of("ISO 9001 edition 5"), Some(5));
        assert_eq!(edition_of("IEC 60335-2-40"), None);
    }

    /// (text, [(cited text, canonical id)]) for [`find_codes`].
    const IN_TEXT: &[(&str, &[(&str, &str)])] = &[
        (
            "产品应符合GB/T 19001—2016《质量管理体系 要求》的规定。",
            &[("GB/T 19001—2016", "GB/T 19001-2016")],
        ),
        (
            "安全：ＧＢ４７０６．１－２００５，能效见GB4706.1。",
            &[
                ("ＧＢ４７０６．１－２００５", "GB 4706.1-2005"),
                ("GB4706.1", "GB 4706.1"),
            ],
        ),
        (
            "Certified to ISO 9001:2015 and tested per IEC 60335-2-40 Ed.6 (2022).",
            &[
                ("ISO 9001:2015", "ISO 9001:2015"),
                ("IEC 60335-2-40 Ed.6", "IEC 60335-2-40"),
            ],
        ),
        (
            "Safety of machinery: EN ISO 13849-1; IEC 60335-2-40:2018+AMD1:2023.",
            &[
                ("EN ISO 13849-1", "EN ISO 13849-1"),
                (
                    "IEC 60335-2-40:2018+AMD1:2023",
                    "IEC 60335-2-40:2018/AMD1:2023",
                ),
            ],
        ),
        (
            "引用标准：GB 4706.1、4706.32 和 GB/T 2828.1—2012",
            &[
                ("GB 4706.1", "GB 4706.1"),
                ("4706.32", "GB 4706.32"),
                ("GB/T 2828.1—2012", "GB/T 2828.1-2012"),
            ],
        ),
        (
            "(GB/T 19001-2016/ISO 9001:2015), T/CAS 115-2005, DB37/T 1234-2020.",
            &[
                ("GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016"),
                ("T/CAS 115-2005", "T/CAS 115-2005"),
                ("DB37/T 1234-2020", "DB37/T 1234-2020"),
            ],
        ),
        // English words are not prefixes; a year after a comma is not a part.
        (
            "It is 2 AS 3 in 2016, see GB/T 19001-2016, 2017 edition.",
            &[("GB/T 19001-2016", "GB/T 19001-2016")],
        ),
        ("THE ISOLATION OF 12 UNITS; ABC123 GB", &[]),
    ];

    #[test]
    fn codes_in_text() {
        for (text, expected) in IN_TEXT {
            let found: Vec<(&str, String)> = find_codes(text)
                .iter()
                .map(|f| (&text[f.start..f.end], f.code.canonical()))
                .collect();
            let expected: Vec<(&str, String)> =
                expected.iter().map(|(t, c)| (*t, c.to_string())).collect();
            assert_eq!(found, expected, "{text}");
        }
        let listed = find_codes("GB 4706.1、4706.32");
        assert_eq!(
            listed.iter().map(|f| f.listed).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(find_codes("IEC 60335-2-40 Ed.6")[0].edition, Some(6));
        // Odd text never panics and finds nothing out of nothing.
        for odd in ["", "GB", "GB/", "ＧＢ", "T/", "DB", "、4706", "\u{0}GB 1"] {
            let _ = find_codes(odd);
        }
    }

    #[test]
    fn variants_are_reported_not_kept() {
        assert_eq!(variant_of("IEC 60034-11:2020 RLV").as_deref(), Some("RLV"));
        assert_eq!(
            variant_of("IEC 60335-2-101:2024 EXV-CMV").as_deref(),
            Some("EXV-CMV")
        );
        assert_eq!(variant_of("IEC 60034-11:2020"), None);
    }

    /// Cheap deterministic generator for the no-panic test (no `rand` in core).
    fn lcg(state: &mut u64) -> usize {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 33) as usize
    }

    fn exercise(input: &str) {
        let _ = number_key(input);
        let _ = variant_of(input);
        for found in find_codes(input) {
            assert!(input.get(found.start..found.end).is_some(), "{input:?}");
            let canonical = found.code.canonical();
            assert_eq!(StdCode::parse(&canonical).as_ref(), Ok(&found.code));
        }
        if let Ok(code) = StdCode::parse(input) {
            let canonical = code.canonical();
            let _ = (code.base(), code.family(), code.level(), code.nature());
            // Whatever is accepted normalises to a fixed point.
            assert_eq!(
                StdCode::parse(&canonical),
                Ok(code),
                "{input:?} -> {canonical:?}"
            );
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "\u{0}",
            "\u{202E}GB/T 19001-2016",
            "GB/T\u{200B}19001-2016",
            "𝔾𝔹/𝕋 19001-2016",
            "ﷺ 1",
            "㍻12",
            "e\u{301}\u{301}\u{301} 1",
            "🙂 ISO 9001",
            "ISO 9001:2015🙂",
            "----",
            "////1",
            "((((1",
            "1:",
            ":1",
            "GB/T 1.",
            "GB/T .1",
            "GB/T 1..1",
            "ETSI",
            "ETSI 1",
            "ETSI (2019",
            "ETSI EN 300 328 V",
            "ETSI EN 300 328 ed.",
            "ETSI EN 300 328 (99999-1)",
            "EN 300 328 V2.",
            "T/",
            "T/1",
            "Q/",
            "Q/1",
            "Q/12345 1",
            "DB",
            "DB1",
            "DB1234567 1",
            "ISO 9001:2015/",
            "ISO 9001:2015+",
            "ISO 9001:2015/Amd",
            "ISO 9001:2015/Amd 1:",
            "ISO 9001:65535",
            "ISO 9001:99999999999999999999",
            "GB 1-99999999999999999999",
            "IEC 60335-2-40-",
            "ITU- 1",
            "HL7 1",
            "JIS C",
            "KS C C C 1",
        ];
        for input in odd {
            exercise(input);
        }
        let long = "GB/T 19001-2016 ".repeat(10_000);
        assert!(matches!(
            StdCode::parse(&long),
            Err(CodeError::TooLong { .. })
        ));
        exercise(&long);
        exercise(&"\u{FDFA}".repeat(MAX_CODE_LEN));
        exercise(&"1".repeat(MAX_CODE_LEN));

        // Random sequences of the pieces codes are made of.
        let pieces = [
            "GB", "T", "Z", "/", "-", "—", ":", ".", "+", " ", "(", ")", "ISO", "IEC", "EN",
            "ETSI", "V", "ED", "AMD", "Amd", "A", "COR", "AC", "XG", "CSV", "RLV", "DB", "37", "Q",
            "CAS", "1", "9001", "2015", "88", "60335", "300", "328", "TR", "TS", "Guide", "JIS",
            "C", "D", "ITU", "HL", "7", "ＧＢ", "／", "１", "é", "\u{0}",
        ];
        let mut state = 42;
        for _ in 0..20_000 {
            let len = 1 + lcg(&mut state) % 10;
            let input: String = (0..len)
                .map(|_| pieces[lcg(&mut state) % pieces.len()])
                .collect();
            exercise(&input);
        }
    }

    /// Every id in the ISO, IEC and ETSI catalogues (../shared/data) parses, except the few
    /// that are not standards, and its canonical form is a fixed point.
    #[test]
    fn catalogue_ids() {
        use std::io::BufRead;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let files = [
            "relaton-iso/iso_publications.jsonl.gz",
            "relaton-iec/iec_publications.jsonl.gz",
            "relaton-etsi/etsi_publications.jsonl.gz",
        ];
        for name in files {
            let Ok(file) = std::fs::File::open(dir.join(name)) else {
                eprintln!("skipping: {name} not found beside the project");
                continue;
            };
            let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
            let (mut total, mut failed) = (0usize, Vec::new());
            for line in reader.lines() {
                let line = line.unwrap();
                let record: serde_json::Value = serde_json::from_str(&line).unwrap();
                let Some(id) = record["docid"].as_str() else {
                    continue;
                };
                total += 1;
                match StdCode::parse(id) {
                    Ok(code) => {
                        let canonical = code.canonical();
                        let again = StdCode::parse(&canonical).unwrap();
                        assert_eq!(again, code, "{id} -> {canonical}");
                    }
                    Err(e) => failed.push(format!("{id}: {e}")),
                }
            }
            // White papers, trend reports and a handful of odd ids are not standards.
            assert!(
                failed.len() * 500 < total,
                "{name}: {} of {total} ids failed:\n{}",
                failed.len(),
                failed.join("\n")
            );
        }
    }
}
