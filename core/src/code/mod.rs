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

mod find;
mod prefixes;
mod read;
#[cfg(test)]
mod tests;

pub use find::{Found, find_codes};

use std::fmt;
use std::str::FromStr;

use crate::standard::{Level, Nature};

use prefixes::{
    CN_NATIONAL, FOREIGN_NATIONAL, INTERNATIONAL, REGIONAL, Style, family_of, is_local, style_of,
};
use read::{parse_full, parse_normalized, prepare};

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

    /// The series this code is a part of: its prefix and its number without
    /// the part — `GB 3565` for `GB/T 3565.1` and for `GB 3565.2` (a
    /// mandatory part and its recommended siblings are one series),
    /// `ISO 6185` for `ISO 6185-2`, `IEC 60335` for `IEC 60335-2-40`,
    /// `ETSI EN 301 489` for `ETSI EN 301 489-6`; `None` for a code that is
    /// not a part.
    pub fn series(&self) -> Option<String> {
        let chinese = style_of(&self.prefix) == Style::Chinese;
        let separator = if chinese { '.' } else { '-' };
        let (number, _part) = self.deliverable().split_once(separator)?;
        let prefix = if chinese {
            self.prefix.trim_end_matches("/T").trim_end_matches("/Z")
        } else {
            self.prefix.as_str()
        };
        Some(format!("{prefix} {number}"))
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
