//! Text handling shared by profiling and retrieval: Chinese word cutting
//! (jieba), English normalization, and expansion of product words through the
//! bundled zh↔en term list so that "空调" reaches "air-conditioners".

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use jieba_rs::Jieba;

use crate::reference::Reference;

/// The process-wide jieba segmenter (its dictionary loads once).
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Words too common in product descriptions and titles to carry meaning.
const STOP_WORDS: &[&str] = &[
    "的",
    "和",
    "与",
    "及",
    "用",
    "类",
    "等",
    "其他",
    "产品",
    "系列",
    "有限公司",
    "公司",
    "the",
    "and",
    "for",
    "of",
    "a",
    "an",
    "in",
    "on",
    "with",
    "to",
    "by",
    "or",
    "other",
    "products",
    "product",
];

/// Keywords of a free-text product or title: Chinese cut by jieba in search
/// mode, English lower-cased and split; stop words and single Latin letters dropped.
pub fn keywords(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let lower = text.to_lowercase();
    let words: Vec<&str> = if has_cjk(&lower) {
        jieba()
            .cut_for_search(&lower, true)
            .into_iter()
            .map(|t| t.word)
            .collect()
    } else {
        lower
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .collect()
    };
    for w in words {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty()
            || STOP_WORDS.contains(&w)
            || (w.chars().count() == 1 && !w.chars().all(is_cjk))
        {
            continue;
        }
        if seen.insert(w.to_string()) {
            out.push(w.to_string());
        }
    }
    out
}

/// What one product phrase expands to through the term list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// Chinese terms matched or reached.
    pub zh: Vec<String>,
    /// English catalogue phrasings reached.
    pub en: Vec<String>,
    /// ICS codes the matched terms point to.
    pub ics: Vec<String>,
}

impl Expansion {
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// The words jieba cuts a Chinese text into, punctuation and spaces left
/// out.
pub fn words_zh(text: &str) -> Vec<&str> {
    jieba()
        .cut(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// Lower-case words of Latin text (letters and digits; `-` and other
/// punctuation separate words).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Expands a product phrase in either language. A Chinese phrase matches
/// every term it contains, longest first, and reaches the terms' English
/// wordings and ICS codes. An English phrase matches terms whose wording it
/// contains and reaches their Chinese terms and ICS codes only: its own
/// words already search the English titles, and a term's other English
/// synonyms would drift ("quality management systems" is not "regulatory
/// purposes").
pub fn expand(product: &str, reference: &Reference) -> Expansion {
    expand_in(product, reference, zh_by_first_char(reference))
}

/// [`expand`], with the index of Chinese terms by first character, or
/// without (a scan of every term).
fn expand_in(
    product: &str,
    reference: &Reference,
    zh_index: Option<&HashMap<char, Vec<usize>>>,
) -> Expansion {
    let lower = product.to_lowercase();
    let mut e = Expansion::default();
    let terms = reference.terms();
    if has_cjk(&lower) {
        // Byte spans already explained by a longer term: "灭菌乳" (sterilized
        // milk) must not also bring in "灭菌" (sterilization of medical
        // devices), while "热泵热水器" without a term of its own still finds
        // both "热泵" and "热水器".
        let mut covered: Vec<(usize, usize)> = Vec::new();
        // Only terms starting with a character of the phrase can be in it;
        // they are visited in the list's order, as a scan of all would.
        let candidates: Vec<usize> = match zh_index {
            Some(index) => {
                let mut found: Vec<usize> = lower
                    .chars()
                    .filter_map(|c| index.get(&c))
                    .flatten()
                    .copied()
                    .collect();
                found.sort_unstable();
                found.dedup();
                found
            }
            None => (0..terms.len()).collect(),
        };
        for term in candidates.into_iter().map(|i| &terms[i]) {
            // Every place of the term, left to right without overlaps.
            let mut places: Vec<(usize, usize)> = Vec::new();
            while let Some(at) = find_from(&lower, &term.zh, places.last().map_or(0, |p| p.1)) {
                places.push((at, at + term.zh.len()));
            }
            let fresh: Vec<(usize, usize)> = places
                .into_iter()
                .filter(|(a, b)| !covered.iter().any(|(x, y)| x <= a && b <= y))
                .collect();
            if fresh.is_empty() {
                continue;
            }
            covered.extend(fresh);
            push_unique(&mut e.zh, &term.zh);
            for en in &term.en {
                push_unique(&mut e.en, en);
            }
            for ics in &term.ics {
                push_unique(&mut e.ics, ics);
            }
        }
    } else {
        let mut seen = std::collections::BTreeSet::new();
        let mut candidates: Vec<usize> = words(&lower)
            .filter(|w| seen.insert(*w))
            .flat_map(|w| reference.terms_starting_with(w).iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let term = &terms[i];
            if term.en.iter().any(|en| contains_phrase(&lower, en)) {
                push_unique(&mut e.zh, &term.zh);
                for ics in &term.ics {
                    push_unique(&mut e.ics, ics);
                }
            }
        }
        // A trade word the catalogue words otherwise ("boat" for "small
        // craft") also searches the catalogue's wording, unless the name
        // already holds it.
        for w in reference.en_wordings() {
            if contains_phrase(&lower, &w.trade)
                && !w.catalogue.iter().any(|c| contains_phrase(&lower, c))
            {
                for c in &w.catalogue {
                    push_unique(&mut e.en, c);
                }
            }
        }
    }
    e
}

/// Indexes into the term list by the first character of each term's
/// Chinese, built once for the bundled list ([`Reference::get`]), so a
/// Chinese phrase is searched only for the terms that start with one of its
/// characters, not for every term on every call. None for another list,
/// which is scanned.
fn zh_by_first_char(reference: &Reference) -> Option<&'static HashMap<char, Vec<usize>>> {
    static INDEX: OnceLock<HashMap<char, Vec<usize>>> = OnceLock::new();
    if !std::ptr::eq(reference, Reference::get()) {
        return None;
    }
    Some(INDEX.get_or_init(|| {
        let mut index: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, term) in reference.terms().iter().enumerate() {
            if let Some(c) = term.zh.chars().next() {
                index.entry(c).or_default().push(i);
            }
        }
        index
    }))
}

/// The first place of `needle` in `haystack` at or after `from` (a
/// character boundary), as `haystack[from..].find(needle)` gives it, but
/// `None` for an empty needle. It finds the needle's first character with
/// `memchr` and compares the rest: for the short texts and words searched
/// here, on every query, `str::find` spends more setting up its two-way
/// searcher than searching.
pub fn find_from(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let first = needle.chars().next()?;
    let width = first.len_utf8();
    let mut at = from;
    while let Some(skip) = haystack.get(at..)?.find(first) {
        at += skip;
        if haystack.as_bytes()[at..].starts_with(needle.as_bytes()) {
            return Some(at);
        }
        at += width;
    }
    None
}

/// Whole-word phrase containment for Latin text ("heat pump" in "air-to-water heat pumps").
fn contains_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(at) = find_from(text, phrase, start) {
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &text[at + phrase.len()..];
        // Allow a plural or inflected tail: "heat pumps", "refrigerators".
        let after_ok = after
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() || c == 's');
        if before_ok && after_ok {
            return true;
        }
        start = at + phrase.len();
    }
    false
}

/// How many characters of a caller's value an error message quotes.
pub const QUOTE_CHARS: usize = 40;

/// A caller's value as error messages quote it: escaped like `{:?}`, and
/// when longer than [`QUOTE_CHARS`] characters only its prefix, followed by
/// `…` and its length — so a 5 MB field never comes back in an error
/// (issue 20). The one quoting helper: core's validators use it here, the
/// services through `stdnav_runtime::status::quote`.
pub fn quote(value: &str) -> String {
    let mut chars = value.char_indices();
    match chars.nth(QUOTE_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => {
            let n = value.chars().count();
            format!("{:?}… ({n} characters)", &value[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_bounds_a_value_and_escapes_it() {
        assert_eq!(quote("GB/T 1"), "\"GB/T 1\"");
        assert_eq!(quote("a\u{0}b"), "\"a\\0b\"");
        let huge = "区".repeat(5_000_000);
        let q = quote(&huge);
        assert!(q.chars().count() < QUOTE_CHARS + 40, "{q}");
        assert!(q.ends_with("… (5000000 characters)"), "{q}");
        assert_eq!(
            quote(&"x".repeat(QUOTE_CHARS)),
            format!("{:?}", "x".repeat(QUOTE_CHARS))
        );
    }

    #[test]
    fn chinese_keywords_are_cut() {
        let k = keywords("房间空气调节器");
        assert!(k.iter().any(|w| w == "空气"), "{k:?}");
        let k = keywords("Air-conditioners and heat pumps");
        assert!(k.contains(&"air-conditioners".to_string()) && k.contains(&"heat".to_string()));
        assert!(!k.contains(&"and".to_string()));
    }

    #[test]
    fn chinese_products_reach_english_wording() {
        let r = Reference::get();
        let e = expand("房间空调器", r);
        assert!(e.en.iter().any(|w| w.contains("air-conditioner")), "{e:?}");
        let e = expand("家用冰箱", r);
        assert!(e.en.iter().any(|w| w.contains("refrigerat")), "{e:?}");
        let e = expand("heat pump water heaters", r);
        assert!(!e.zh.is_empty(), "{e:?}");
        // No term in it (探测 "detection" is one since the mined terms).
        assert!(expand("量子引力仪", r).is_empty());
        // A longer term explains its parts: sterilized milk is not sterilization.
        let e = expand("灭菌乳", r);
        assert!(
            e.zh.contains(&"灭菌乳".to_string()) && !e.zh.contains(&"灭菌".to_string()),
            "{e:?}"
        );
        assert!(!e.ics.iter().any(|c| c.starts_with("11.")), "{e:?}");
    }

    #[test]
    fn an_english_trade_word_also_searches_the_catalogue_wording() {
        let r = Reference::get();
        let e = expand("boat fuel systems", r);
        assert!(e.en.iter().any(|w| w == "small craft"), "{:?}", e.en);
        // A name already in the catalogue's words gains nothing.
        assert!(expand("small craft fuel systems", r).en.is_empty());
        // Whole words only: "bikes" is "bike", "biker" is not.
        assert!(
            expand("mountain bikes", r)
                .en
                .iter()
                .any(|w| w == "bicycle")
        );
        assert!(expand("biker jackets", r).en.is_empty());
    }

    #[test]
    fn indexed_expansion_equals_a_scan_of_every_term() {
        let r = Reference::get();
        let index = zh_by_first_char(r);
        assert!(index.is_some());
        let mut phrases: Vec<String> = r.terms().iter().map(|t| t.zh.clone()).collect();
        for pair in r.terms().windows(2) {
            phrases.push(format!("{}和{}", pair[0].zh, pair[1].zh));
        }
        phrases.extend(
            [
                "家用电器安全",
                "热泵热水器",
                "5G基站",
                "空调 air conditioner",
                "量子引力探测仪",
            ]
            .map(String::from),
        );
        for phrase in &phrases {
            assert_eq!(
                expand_in(phrase, r, index),
                expand_in(phrase, r, None),
                "{phrase}"
            );
        }
    }

    #[test]
    fn find_from_finds_as_str_find() {
        let texts = [
            "air-to-water heat pumps",
            "热泵热水器和热泵",
            "aaa",
            "",
            "é e é",
        ];
        let needles = [
            "heat",
            "pump",
            "热泵",
            "热水器",
            "a",
            "aa",
            "é",
            " e",
            "x",
            "热",
        ];
        for text in texts {
            for needle in needles {
                for from in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                    assert_eq!(
                        find_from(text, needle, from),
                        text[from..].find(needle).map(|p| p + from),
                        "{text:?} {needle:?} {from}"
                    );
                }
            }
        }
        assert_eq!(find_from("abc", "", 0), None);
    }

    #[test]
    fn phrase_containment_respects_word_edges() {
        assert!(contains_phrase("air-to-water heat pumps", "heat pump"));
        assert!(!contains_phrase("preheat pump", "heat pump"));
    }
}
