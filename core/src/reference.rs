//! The project's own reference data, compiled into the binary (core/data/):
//! GB/T 2260 regions, Chinese ICS titles, the GB/T 4754 → ICS concordance and
//! the zh↔en term list (hand-written, plus the terms mined from aligned
//! titles for Chinese words it lacks). See core/data/README.md for how each
//! was made.

use std::collections::HashMap;
use std::sync::OnceLock;

const REGIONS: &str = include_str!("../data/regions.tsv");
const ICS_ZH: &str = include_str!("../data/ics_zh.tsv");
const GBT4754_ICS: &str = include_str!("../data/gbt4754_ics.tsv");
const TERMS: &str = include_str!("../data/terms.tsv");
/// Written by `stdnav mine-terms` (crate::vocab); under the hand-written list.
const TERMS_MINED: &str = include_str!("../data/terms_mined.tsv");
const EN_WORDINGS: &str = include_str!("../data/en_wordings.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: RegionLevel,
}

/// One row of the term list: a Chinese term and the catalogue's English wordings.
#[derive(Debug, Clone)]
pub struct Term {
    pub zh: String,
    pub en: Vec<String>,
    pub ics: Vec<String>,
    pub domain: String,
}

/// An English product word as enterprises write it and the wordings the
/// catalogue's titles use for that product instead ("boat", "small craft").
#[derive(Debug, Clone)]
pub struct EnWording {
    pub trade: String,
    pub catalogue: Vec<String>,
}

#[derive(Debug)]
pub struct Reference {
    regions: HashMap<String, Region>,
    ics_zh: HashMap<String, String>,
    concordance: HashMap<String, Vec<String>>,
    /// Longest Chinese term first, so longer terms explain their parts.
    terms: Vec<Term>,
    /// First word of each English phrasing → the terms that have it.
    by_first_word: HashMap<String, Vec<usize>>,
    en_wordings: Vec<EnWording>,
}

/// Data rows of a bundled TSV file: comments and the header skipped.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
}

fn split_list(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn mined_terms_on() -> bool {
    std::env::var("STDNAV_TERMS_MINED").map_or(true, |v| v != "off")
}

/// Rows of a term-list file (terms.tsv, terms_mined.tsv): zh, en ('|'
/// separated, lower-cased), ics (';' separated), domain; further columns
/// (the mined file's evidence) are not read.
fn parse_terms(text: &str) -> Vec<Term> {
    rows(text)
        .filter(|r| r.len() >= 2 && !r[0].is_empty())
        .map(|r| Term {
            zh: r[0].to_string(),
            en: split_list(r[1], '|')
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            ics: r.get(2).map(|s| split_list(s, ';')).unwrap_or_default(),
            domain: r.get(3).map(|s| s.to_string()).unwrap_or_default(),
        })
        .collect()
}

/// The hand-written terms, then the mined ones for Chinese terms the
/// hand-written list lacks: where both have a term, the hand-written one
/// wins whole (its wordings, ICS codes and domain).
fn merge_terms(hand: Vec<Term>, mined: Vec<Term>) -> Vec<Term> {
    let known: std::collections::HashSet<String> = hand.iter().map(|t| t.zh.clone()).collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = hand;
    out.extend(
        mined
            .into_iter()
            .filter(|t| !known.contains(&t.zh) && seen.insert(t.zh.clone())),
    );
    out
}

impl Reference {
    /// The text of the bundled tables an index is built from (Chinese ICS
    /// titles, the term list): a cached index built with other tables is
    /// stale, so its fingerprint includes them.
    pub fn indexed_tables() -> [&'static str; 4] {
        [
            ICS_ZH,
            TERMS,
            if mined_terms_on() { TERMS_MINED } else { "" },
            EN_WORDINGS,
        ]
    }

    /// The bundled tables, parsed once per process.
    pub fn get() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(Reference::parse)
    }

    fn parse() -> Self {
        let regions = rows(REGIONS)
            .filter(|r| r.len() >= 4)
            .map(|r| {
                let level = match r[3] {
                    "province" => RegionLevel::Province,
                    "prefecture" => RegionLevel::Prefecture,
                    _ => RegionLevel::County,
                };
                (
                    r[0].to_string(),
                    Region {
                        code: r[0].to_string(),
                        name_zh: r[1].to_string(),
                        name_en: r[2].to_string(),
                        level,
                    },
                )
            })
            .collect();
        let ics_zh = rows(ICS_ZH)
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].to_string(), r[1].to_string()))
            .collect();
        let concordance = rows(GBT4754_ICS)
            .filter(|r| r.len() >= 2)
            .map(|r| (r[0].to_string(), split_list(r[1], ';')))
            .collect();
        // `STDNAV_TERMS_MINED=off` leaves the mined terms out, to measure
        // what they add (docs/EVALUATION.md); the index fingerprint follows.
        let mined = if mined_terms_on() {
            parse_terms(TERMS_MINED)
        } else {
            Vec::new()
        };
        let mut terms = merge_terms(parse_terms(TERMS), mined);
        terms.sort_by_key(|t: &Term| std::cmp::Reverse(t.zh.chars().count()));
        let mut by_first_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            for phrase in &t.en {
                if let Some(first) = crate::text::words(phrase).next() {
                    let list = by_first_word.entry(first.to_string()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        let en_wordings = rows(EN_WORDINGS)
            .filter(|r| r.len() >= 2)
            .map(|r| EnWording {
                trade: r[0].to_lowercase(),
                catalogue: split_list(&r[1].to_lowercase(), '|'),
            })
            .collect();
        Self {
            regions,
            ics_zh,
            concordance,
            terms,
            by_first_word,
            en_wordings,
        }
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// Whether `code` is a known GB/T 2260 division: a province, a
    /// prefecture, or a county-level code under a known prefecture.
    pub fn is_known_region(&self, code: &str) -> bool {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if self.regions.contains_key(code) {
            return true;
        }
        let prefecture = format!("{}00", &code[..4]);
        code[4..] != *"00" && self.regions.contains_key(&prefecture)
    }

    /// The province a division code belongs to.
    pub fn province_of(&self, code: &str) -> Option<&Region> {
        code.get(..2)
            .and_then(|p| self.regions.get(&format!("{p}0000")))
    }

    /// Human name of a division: "广东省 珠海市" style, most specific last.
    pub fn region_name(&self, code: &str) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.province_of(code) {
            parts.push(p.name_zh.clone());
        }
        if let Some(pref) = code
            .get(..4)
            .and_then(|p| self.regions.get(&format!("{p}00")))
            && pref.code != format!("{}0000", &code[..2])
            && pref.name_zh != "市辖区"
        {
            parts.push(pref.name_zh.clone());
        }
        if let Some(r) = self.regions.get(code)
            && !parts.contains(&r.name_zh)
            && r.name_zh != "市辖区"
        {
            parts.push(r.name_zh.clone());
        }
        parts.join(" ")
    }

    pub fn ics_title_zh(&self, code: &str) -> Option<&str> {
        self.ics_zh.get(code).map(String::as_str)
    }

    /// ICS codes for a GB/T 4754 class, by the longest known prefix
    /// (class `3852`, then group `385`, then division `38`).
    pub fn ics_for_industry(&self, class: &str) -> Vec<String> {
        (2..=class.len().min(4))
            .rev()
            .find_map(|n| class.get(..n).and_then(|p| self.concordance.get(p)))
            .cloned()
            .unwrap_or_default()
    }

    /// The English trade words and their catalogue wordings
    /// (core/data/en_wordings.tsv), lower case.
    pub fn en_wordings(&self) -> &[EnWording] {
        &self.en_wordings
    }

    /// The term list (hand-written, then mined for Chinese terms it lacks;
    /// domain `mined`), longest Chinese term first.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Indexes into [`Reference::terms`] of terms with an English phrasing
    /// starting with `word` (lower case).
    pub fn terms_starting_with(&self, word: &str) -> &[usize] {
        self.by_first_word
            .get(word)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn region_count(&self) -> usize {
        self.regions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_cover_provinces_and_prefectures() {
        let r = Reference::get();
        assert!(r.is_known_region("440400"), "Zhuhai");
        assert!(r.is_known_region("440402"), "a district under Zhuhai");
        assert!(r.is_known_region("110000"));
        assert!(!r.is_known_region("999999"));
        assert!(!r.is_known_region("44040"));
        assert!(!r.is_known_region("371200"), "Laiwu was merged into Jinan");
        assert_eq!(r.province_of("440402").unwrap().name_zh, "广东省");
        assert_eq!(r.region_name("440400"), "广东省 珠海市");
        // 31 mainland provinces + Taiwan, Hong Kong, Macao.
        let provinces = r
            .regions
            .values()
            .filter(|x| x.level == RegionLevel::Province)
            .count();
        assert_eq!(provinces, 34);
        assert!(r.region_count() > 330);
    }

    #[test]
    fn concordance_uses_longest_prefix() {
        let r = Reference::get();
        for division in 13..=43 {
            assert!(
                !r.ics_for_industry(&division.to_string()).is_empty(),
                "division {division} has no ICS groups"
            );
        }
        assert!(
            r.ics_for_industry("3852")
                .iter()
                .any(|c| c.starts_with("23.120"))
        );
        assert_eq!(r.ics_for_industry("38"), r.ics_for_industry("3899"));
    }

    #[test]
    fn ics_titles_and_terms_are_bilingual() {
        let r = Reference::get();
        assert_eq!(r.ics_title_zh("03.120"), Some("质量"));
        assert!(r.terms().len() >= 300);
        let ac = r.terms().iter().find(|t| t.zh == "空调").expect("空调");
        assert!(ac.en.iter().any(|e| e.contains("air-conditioner")));
    }

    #[test]
    fn mined_terms_only_add_what_the_hand_written_list_lacks() {
        let term = |zh: &str, en: &str, domain: &str| Term {
            zh: zh.into(),
            en: vec![en.into()],
            ics: vec![],
            domain: domain.into(),
        };
        let merged = merge_terms(
            vec![term("空调", "air-conditioner", "appliances")],
            vec![
                term("空调", "heat pumps", "mined"),
                term("除湿机", "dehumidifiers", "mined"),
                term("除湿机", "dryers", "mined"),
            ],
        );
        let got: Vec<(&str, &str, &str)> = merged
            .iter()
            .map(|t| (t.zh.as_str(), t.en[0].as_str(), t.domain.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("空调", "air-conditioner", "appliances"),
                ("除湿机", "dehumidifiers", "mined")
            ]
        );

        // The bundled lists: every hand-written row is there as written,
        // and a mined row only for a Chinese term the hand list lacks.
        let hand = parse_terms(TERMS);
        let mined = parse_terms(TERMS_MINED);
        let r = Reference::get();
        assert_eq!(
            r.terms().len(),
            merge_terms(hand.clone(), mined.clone()).len()
        );
        for h in &hand {
            let t = r
                .terms()
                .iter()
                .find(|t| t.zh == h.zh)
                .expect("hand-written term");
            assert_eq!((&t.en, &t.domain), (&h.en, &h.domain), "{}", h.zh);
        }
        assert!(mined.iter().all(|m| m.domain == "mined"));
        let zh: std::collections::HashSet<&str> = r.terms().iter().map(|t| t.zh.as_str()).collect();
        assert_eq!(zh.len(), r.terms().len(), "one row per Chinese term");
    }
}
