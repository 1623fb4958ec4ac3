//! The real-world check set: product categories a Chinese enterprise may
//! declare, each with the standards that public regulation names for it and
//! the public document that names them: a CCC implementation rule, a China
//! Energy Label rule, an MIIT or SAMR announcement, or a mandatory standard
//! whose own scope or clauses call the others up. `stdnav evaluate` gives each
//! case to the recommender as an enterprise declaring the category's industry
//! and products, and measures how many of the named standards come back.
//!
//! The set is the project's own compilation, written by hand from public
//! documents and kept in `models/data/checkset.json`; it is not a copy of any
//! data set. Each case records its source, and its `note` says where the
//! compilers were unsure. Codes carry the edition the source names, or the
//! current edition where the source names only the standard line;
//! evaluation compares lines ([`CheckCase::relevant_lines`]), so editions do
//! not change the result. Some named standards are not in the catalogue
//! stdnav searches; they are kept, so the evaluation shows that honestly.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The bundled check set, `models/data/checkset.json`.
pub const CHECKSET_JSON: &str = include_str!("../data/checkset.json");

/// One product category and the standards public regulation names for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckCase {
    /// Stable kebab-case id, e.g. `ccc-room-air-conditioner`.
    pub id: String,
    pub category_zh: String,
    pub category_en: String,
    /// GB/T 4754-2017 classes (4 digits) an enterprise making the products declares.
    pub industries: Vec<String>,
    /// Product names as an enterprise would declare them, Chinese and English.
    pub products: Vec<String>,
    /// ISO 3166 alpha-2 markets, `["CN"]`.
    pub markets: Vec<String>,
    /// Codes with year, canonical (`GB 4706.1-2024`, `GB/T 31486-2024`).
    pub standards: Vec<String>,
    /// The public document that names the standards.
    pub source: Source,
    /// Further documents that name some of the standards (each lists which in `names`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Source>,
    /// What the compilers were unsure of, and what was left out and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A public document naming standards for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Title as published (Chinese).
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub issuer: String,
    /// Document number, e.g. `CNCA-C07-01:2017`, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Date of issue, as precise as known (`2020-05-12`, `2017`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where to find it: the issuer's site or the standards text system, not a deep link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Which of the case's standards this document names; empty means all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

impl Source {
    /// Whether this document names `code` (one of its case's standards).
    pub fn names(&self, code: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|n| n == code)
    }
}

impl CheckCase {
    /// The standard lines (codes without year) to find, in order, without
    /// duplicates: `GB 4706.1-2005` → `GB 4706.1`, `GB/T 31486-2015` → `GB/T 31486`.
    pub fn relevant_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::with_capacity(self.standards.len());
        for code in &self.standards {
            let line = line_of(code);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        lines
    }

    /// The documents that name `code`: the main source and any of `also`.
    pub fn named_by<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Source> + 'a {
        std::iter::once(&self.source)
            .chain(&self.also)
            .filter(move |s| s.names(code))
    }
}

/// The file's layout: the cases with a short description and the date they
/// were checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSetFile {
    #[serde(rename = "about")]
    _about: String,
    #[serde(rename = "as_of")]
    _as_of: String,
    cases: Vec<CheckCase>,
}

/// Reads a check set in the layout of `models/data/checkset.json`.
pub fn parse(json: &str) -> Result<Vec<CheckCase>, serde_json::Error> {
    serde_json::from_str::<CheckSetFile>(json).map(|file| file.cases)
}

/// The bundled check set, parsed once.
pub fn cases() -> &'static [CheckCase] {
    static CASES: OnceLock<Vec<CheckCase>> = OnceLock::new();
    CASES.get_or_init(|| {
        // The file is compiled in; `tests::bundled_set_parses` proves it parses.
        parse(CHECKSET_JSON).expect("models/data/checkset.json parses")
    })
}

/// The line of a canonical code: the code without its year. Written for the
/// canonical forms `stdnav_core::code` produces (this crate does not depend on
/// it): Chinese codes end in `-YYYY`, international ones in `:YYYY`. Anything
/// else is returned as it is. It agreed with `stdnav_core::catalogue::base_of`
/// on every code of the bundled set when the set was written.
fn line_of(code: &str) -> String {
    let code = code.trim();
    // ETSI: `ETSI EN 300 328 V2.2.2 (2019-07)` → `ETSI EN 300 328`.
    if code.starts_with("ETSI ")
        && let Some(i) = code.find(" V")
        && code[i + 2..].starts_with(|c: char| c.is_ascii_digit())
    {
        return code[..i].to_string();
    }
    if let Some((head, year)) = code.split_once(':')
        && is_year(year.split(['/', '+']).next().unwrap_or(""))
    {
        return head.to_string();
    }
    if let Some((head, year)) = code.rsplit_once('-')
        && is_year(year)
        && is_chinese_prefix(head.split(' ').next().unwrap_or(""))
    {
        return head.to_string();
    }
    code.to_string()
}

fn is_year(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.starts_with("19") || s.starts_with("20"))
}

/// `GB`, `GB/T`, `YY/T`, `NB/SH/T`, `DB37/T`, `T/CAS`: upper-case letters,
/// digits (local codes) and slashes, and not an international body.
fn is_chinese_prefix(prefix: &str) -> bool {
    const FOREIGN: &[&str] = &["ISO", "IEC", "CISPR", "ITU", "EN", "ETSI", "IEEE", "ASTM"];
    !prefix.is_empty()
        && prefix.starts_with(|c: char| c.is_ascii_uppercase())
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '/')
        && !FOREIGN.iter().any(|f| prefix.split('/').any(|p| p == *f))
}

/// Salt of the dev/test split; changing it reshuffles the halves (don't).
pub const SPLIT_SALT: &str = "stdnav-checkset-v1:";

/// The half of the check set a case belongs to: **dev** cases may steer
/// tuning and model selection (`stdnav train` ranks them); **test** cases
/// are only reported, never tuned on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    Dev,
    Test,
}

impl Half {
    pub fn as_str(self) -> &'static str {
        match self {
            Half::Dev => "dev",
            Half::Test => "test",
        }
    }
}

/// The split, made once: SHA-256 of [`SPLIT_SALT`] followed by the case id;
/// the digest's first 8 bytes read as a little-endian integer, even → dev,
/// odd → test. It depends on the id alone, so a case keeps its half however
/// the set grows or is reordered, and about half of any set falls each way.
pub fn half_of(id: &str) -> Half {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(SPLIT_SALT.as_bytes())
        .chain_update(id.as_bytes())
        .finalize();
    let n = u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]));
    if n.is_multiple_of(2) {
        Half::Dev
    } else {
        Half::Test
    }
}

/// Which names a check-set run declares for its products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// The case's product names, as an enterprise writes them.
    #[default]
    Enterprise,
    /// The regulation's category name of the case.
    Category,
}

/// The language of a product name: Chinese when it has any CJK character,
/// else English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn of(text: &str) -> Lang {
        if text.chars().any(is_cjk) {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// CJK unified ideographs (with extension A and the compatibility block)
/// and the CJK punctuation, full-width forms and extensions B onwards.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff00}'..='\u{ffef}'
        | '\u{20000}'..='\u{3134f}')
}

impl CheckCase {
    /// The half of the split this case is in ([`half_of`] its id).
    pub fn half(&self) -> Half {
        half_of(&self.id)
    }

    /// The case's product names in one language (may be empty: then the
    /// case is not run in that language).
    pub fn products_in(&self, lang: Lang) -> Vec<String> {
        self.products
            .iter()
            .filter(|p| Lang::of(p) == lang)
            .cloned()
            .collect()
    }

    /// The products' names a run in `lang` declares: the case's names as
    /// an enterprise writes them, or the regulation's category name alone
    /// ("Industrial protective coatings (incl. marine and floor
    /// coatings)"), wording no session tuned the matching on.
    pub fn names_in(&self, lang: Lang, names: Names) -> Vec<String> {
        match names {
            Names::Enterprise => self.products_in(lang),
            Names::Category => {
                let category = match lang {
                    Lang::Zh => &self.category_zh,
                    Lang::En => &self.category_en,
                };
                let category = category.trim();
                if category.is_empty() || Lang::of(category) != lang {
                    Vec::new()
                } else {
                    vec![category.to_string()]
                }
            }
        }
    }

    /// The division group of the case's first (main) GB/T 4754 class.
    pub fn division_group(&self) -> Option<&'static DivisionGroup> {
        self.industries.first().and_then(|c| division_group(c))
    }
}

/// A group of GB/T 4754-2017 manufacturing divisions (13–43), for
/// reporting: divisions too small to report alone are grouped with their
/// neighbours in the classification.
#[derive(Debug, PartialEq, Eq)]
pub struct DivisionGroup {
    /// Short key, `13-16`.
    pub key: &'static str,
    pub name: &'static str,
    /// First and last division (inclusive).
    pub divisions: (u8, u8),
}

/// The reporting groups, in division order; every division 13–43 is in one.
pub const DIVISION_GROUPS: &[DivisionGroup] = &[
    DivisionGroup {
        key: "13-16",
        name: "food, beverages, tobacco",
        divisions: (13, 16),
    },
    DivisionGroup {
        key: "17-19",
        name: "textiles, apparel, leather, footwear",
        divisions: (17, 19),
    },
    DivisionGroup {
        key: "20-24",
        name: "wood, furniture, paper, printing, stationery, sports goods, toys",
        divisions: (20, 24),
    },
    DivisionGroup {
        key: "25-28",
        name: "petroleum, chemicals, pharmaceuticals, chemical fibres",
        divisions: (25, 28),
    },
    DivisionGroup {
        key: "29-30",
        name: "rubber, plastics, non-metallic minerals",
        divisions: (29, 30),
    },
    DivisionGroup {
        key: "31-33",
        name: "metals and metal products",
        divisions: (31, 33),
    },
    DivisionGroup {
        key: "34-35",
        name: "general and special-purpose machinery",
        divisions: (34, 35),
    },
    DivisionGroup {
        key: "36-37",
        name: "motor vehicles, railway, ships, aircraft, other transport",
        divisions: (36, 37),
    },
    DivisionGroup {
        key: "38-40",
        name: "electrical machinery, electronics, instruments",
        divisions: (38, 40),
    },
    DivisionGroup {
        key: "41-43",
        name: "other manufacturing, recycling, repair",
        divisions: (41, 43),
    },
];

/// The group of a GB/T 4754 code (its division is the first two digits);
/// none outside manufacturing or for a malformed code.
pub fn division_group(class: &str) -> Option<&'static DivisionGroup> {
    let division: u8 = class.get(..2)?.parse().ok()?;
    DIVISION_GROUPS
        .iter()
        .find(|g| (g.divisions.0..=g.divisions.1).contains(&division))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// A canonical code: Chinese national (`GB 4706.1-2024`), ISO / IEC /
    /// CISPR / EN with `:YYYY` (`IEC 60335-2-40:2018`, `EN 71-1:2014+A1:2018`),
    /// or an ETSI deliverable with its version (`ETSI EN 300 328 V2.2.2 (2019-07)`).
    fn is_canonical(code: &str) -> bool {
        if code.starts_with("ETSI ") {
            return code.contains(" V") && code.ends_with(')');
        }
        if let Some((head, year)) = code.split_once(':') {
            let year = year.split(['/', '+']).next().unwrap_or("");
            let body = head.split(' ').next().unwrap_or("");
            return is_year(year)
                && [
                    "ISO",
                    "IEC",
                    "ISO/IEC",
                    "CISPR",
                    "EN",
                    "ISO/TS",
                    "ISO/TR",
                    "IEC/TS",
                    "IEC/TR",
                    "ISO/IEC/IEEE",
                    "IEEE",
                    "ISO/ASTM",
                ]
                .iter()
                .any(|b| body == *b || body.starts_with(&format!("{b}/")))
                && !head.contains("  ");
        }
        is_canonical_national(code)
    }

    /// `GB 4706.1-2024`, `GB/T 31486-2024`: a Chinese national code in canonical form.
    fn is_canonical_national(code: &str) -> bool {
        let Some((prefix, rest)) = code.split_once(' ') else {
            return false;
        };
        let Some((number, year)) = rest.rsplit_once('-') else {
            return false;
        };
        ["GB", "GB/T", "GB/Z"].contains(&prefix)
            && is_year(year)
            && !number.is_empty()
            && number
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    }

    #[test]
    fn bundled_set_parses() {
        let parsed = parse(CHECKSET_JSON).expect("models/data/checkset.json parses");
        assert_eq!(parsed.as_slice(), cases());
        assert!(cases().len() >= 200, "{}", cases().len());
    }

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = BTreeSet::new();
        for case in cases() {
            assert!(seen.insert(case.id.as_str()), "duplicate id {}", case.id);
            assert!(
                !case.id.is_empty()
                    && case
                        .id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "id {:?} is not kebab-case",
                case.id
            );
        }
    }

    #[test]
    fn every_case_is_complete() {
        for case in cases() {
            let id = &case.id;
            assert!(!case.category_zh.trim().is_empty(), "{id}: category_zh");
            assert!(!case.category_en.trim().is_empty(), "{id}: category_en");
            assert!(case.standards.len() >= 2, "{id}: fewer than 2 standards");
            let distinct: BTreeSet<_> = case.standards.iter().collect();
            assert_eq!(
                distinct.len(),
                case.standards.len(),
                "{id}: duplicate standard"
            );
            assert!(!case.source.title.trim().is_empty(), "{id}: source title");
            assert!(!case.source.issuer.trim().is_empty(), "{id}: source issuer");
            assert!(!case.industries.is_empty(), "{id}: no industry");
            assert!(!case.products.is_empty(), "{id}: no product");
            assert!(
                case.products.iter().any(|p| has_han(p)),
                "{id}: no Chinese product"
            );
            assert!(
                case.products.iter().all(|p| !p.trim().is_empty()),
                "{id}: empty product"
            );
            assert!(
                case.products.iter().any(|p| !has_han(p)),
                "{id}: no English product"
            );
            assert!(!case.markets.is_empty(), "{id}: markets");
            for m in &case.markets {
                assert!(
                    m.len() == 2 && m.bytes().all(|b| b.is_ascii_uppercase()),
                    "{id}: market {m:?} is not ISO 3166 alpha-2 or EU"
                );
            }
            for also in &case.also {
                assert!(!also.title.trim().is_empty(), "{id}: also title");
                assert!(!also.issuer.trim().is_empty(), "{id}: also issuer");
            }
        }
    }

    #[test]
    fn industries_are_gbt4754_classes() {
        // The GB/T 4754-2017 list beside the project, when present.
        let list = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/cn-gbt4754-2017/gbt4754_2017.csv");
        let list = std::fs::read_to_string(list).ok();
        for case in cases() {
            for code in &case.industries {
                assert!(
                    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()),
                    "{}: industry {code:?} is not a 4-digit class",
                    case.id
                );
                if let Some(list) = &list {
                    assert!(
                        list.contains(&format!("\"{code}\",\"4\",")),
                        "{}: {code} is not a GB/T 4754-2017 class",
                        case.id
                    );
                }
            }
        }
    }

    #[test]
    fn codes_are_canonical_and_lines_drop_the_year() {
        for case in cases() {
            for code in &case.standards {
                assert!(is_canonical(code), "{}: {code:?}", case.id);
                let line = line_of(code);
                assert!(line.len() < code.len(), "{}: {code} -> {line}", case.id);
                assert!(code.starts_with(&line), "{}: {code} -> {line}", case.id);
                if is_canonical_national(code) {
                    assert_eq!(code.len(), line.len() + 5, "{}: {code} -> {line}", case.id);
                }
            }
            assert!(!case.relevant_lines().is_empty());
        }
    }

    #[test]
    fn every_standard_has_a_source_that_names_it() {
        for case in cases() {
            let id = &case.id;
            let standards: BTreeSet<&str> = case.standards.iter().map(String::as_str).collect();
            for source in std::iter::once(&case.source).chain(&case.also) {
                for name in &source.names {
                    assert!(
                        standards.contains(name.as_str()),
                        "{id}: {name} named but not listed"
                    );
                }
            }
            for also in &case.also {
                assert!(
                    !also.names.is_empty(),
                    "{id}: an `also` source must say what it names"
                );
            }
            if !case.also.is_empty() {
                // Otherwise the main source would claim the others' standards too.
                assert!(
                    !case.source.names.is_empty(),
                    "{id}: source.names must be explicit"
                );
            }
            for code in &case.standards {
                assert!(
                    case.named_by(code).next().is_some(),
                    "{id}: nothing names {code}"
                );
            }
        }
    }

    #[test]
    fn relevant_lines_drop_years_and_duplicates() {
        let json = r#"{"about": "t", "as_of": "2026-11", "cases": [{
            "id": "x", "category_zh": "空调", "category_en": "AC",
            "industries": ["3852"], "products": ["空调器"], "markets": ["CN"],
            "standards": ["GB 4706.1-2005", "GB/T 31486-2015", "GB 4706.1-2024", "DB37/T 1234-2020"],
            "source": {"title": "t", "issuer": "i"}
        }]}"#;
        let case = &parse(json).unwrap()[0];
        assert_eq!(
            case.relevant_lines(),
            ["GB 4706.1", "GB/T 31486", "DB37/T 1234"]
        );
        assert!(case.also.is_empty() && case.note.is_none());
        assert!(case.named_by("GB 4706.1-2005").next().is_some());

        assert_eq!(line_of("IEC 60335-2-40:2018"), "IEC 60335-2-40");
        assert_eq!(line_of("ISO/IEC 27001:2022/AMD1:2024"), "ISO/IEC 27001");
        assert_eq!(line_of("IEC 60335-2-40"), "IEC 60335-2-40");
        assert_eq!(line_of("ISO 8000-2000"), "ISO 8000-2000");
        assert_eq!(line_of("GB 4706.1"), "GB 4706.1");

        let ac = cases()
            .iter()
            .find(|c| c.id == "ccc-room-air-conditioner")
            .expect("room AC case");
        assert_eq!(
            ac.relevant_lines(),
            [
                "GB 4706.1",
                "GB 4706.32",
                "GB 4343.1",
                "GB 17625.1",
                "GB 21455"
            ]
        );
    }

    #[test]
    fn a_run_declares_the_cases_names_or_the_regulations_category() {
        let json = r#"{"about": "t", "as_of": "2026-11", "cases": [{
            "id": "x", "category_zh": "房间空气调节器", "category_en": "Room air conditioners",
            "industries": ["3852"], "products": ["空调器", "房间空调", "room AC"], "markets": ["CN"],
            "standards": ["GB 4706.1-2024"], "source": {"title": "t", "issuer": "i"}
        }]}"#;
        let case = &parse(json).unwrap()[0];
        assert_eq!(
            case.names_in(Lang::Zh, Names::Enterprise),
            ["空调器", "房间空调"]
        );
        assert_eq!(case.names_in(Lang::En, Names::Enterprise), ["room AC"]);
        assert_eq!(case.names_in(Lang::Zh, Names::Category), ["房间空气调节器"]);
        assert_eq!(
            case.names_in(Lang::En, Names::Category),
            ["Room air conditioners"]
        );
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert!(parse("").is_err());
        assert!(parse("[]").is_err());
        assert!(parse(r#"{"about": "", "as_of": ""}"#).is_err());
        let typo = CHECKSET_JSON.replacen("\"standards\"", "\"standard\"", 1);
        let err = parse(&typo).unwrap_err().to_string();
        assert!(err.contains("standard"), "{err}");
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    /// The split is fixed: these ids keep their halves forever (a changed
    /// salt or hash would move them and fail here).
    #[test]
    fn the_split_is_stable() {
        for (id, half) in [
            ("ccc-room-air-conditioner", Half::Test),
            ("ev-passenger-car", Half::Test),
            ("infant-formula", Half::Test),
            ("ccc-plastic-toys", Half::Dev),
            ("ccc-microwave-oven", Half::Dev),
            ("ev-traction-battery", Half::Dev),
        ] {
            assert_eq!(half_of(id), half, "{id}");
        }
        // The same as SHA-256 computed elsewhere: the first byte's parity.
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(b"stdnav-checkset-v1:ccc-plastic-toys");
        assert_eq!(d[0] % 2, 0);
    }

    #[test]
    fn the_split_is_about_half_and_half() {
        let dev = (0..2000)
            .filter(|i| half_of(&format!("case-{i}")) == Half::Dev)
            .count();
        assert!((900..=1100).contains(&dev), "{dev} of 2000 in dev");
        let halves: Vec<Half> = cases().iter().map(CheckCase::half).collect();
        assert!(halves.contains(&Half::Dev) && halves.contains(&Half::Test));
    }

    #[test]
    fn languages_and_groups() {
        assert_eq!(Lang::of("房间空调器"), Lang::Zh);
        assert_eq!(Lang::of("EV DC charger"), Lang::En);
        assert_eq!(Lang::of("PVC 管材"), Lang::Zh);
        assert_eq!(Lang::ALL.map(|l| l.as_str()), ["zh", "en"], "report order");
        for d in 13..=43u8 {
            let g = division_group(&format!("{d}11")).expect("every manufacturing division");
            assert!((g.divisions.0..=g.divisions.1).contains(&d));
        }
        assert!(division_group("0511").is_none() && division_group("x").is_none());
        assert_eq!(division_group("3852").map(|g| g.key), Some("38-40"));
        let keys: Vec<u8> = DIVISION_GROUPS
            .iter()
            .flat_map(|g| [g.divisions.0, g.divisions.1])
            .collect();
        assert!(
            keys.windows(2).all(|w| w[0] <= w[1]),
            "groups in order, not overlapping"
        );
    }
}
