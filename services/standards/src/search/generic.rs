//! Titles that share only generic words with a product: "safety belt"
//! shares "safety" with food-safety standards and "安全带" shares "安全"
//! with blasting safety rules, and neither is about belts.

use std::collections::HashSet;

use stdnav_core::standard::{Provenance, Standard};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::query::TextClauses;
use crate::index;
use crate::snapshot::Snapshot;

/// A title word found in one record in this many or more is generic
/// (安全, safety, equipment, 技术).
const GENERIC_ONE_IN: u64 = 100;

/// What a hit sharing only generic words with the product keeps of its
/// score: less than the quarter of the best hit a product keeps.
pub(super) const GENERIC_ONLY: f32 = 0.2;

/// A product query's title words, specific and generic.
#[derive(Debug, Default)]
pub(super) struct ProductWords {
    specific: HashSet<(Field, String)>,
    generic: HashSet<(Field, String)>,
}

impl ProductWords {
    /// Files `word` of `field` as generic when `bar` records or more hold it.
    fn classify(&mut self, searcher: &Searcher, field: Field, word: &str, bar: u64) {
        let records = searcher
            .doc_freq(&Term::from_field_text(field, word))
            .unwrap_or(0);
        let set = if records >= bar {
            &mut self.generic
        } else {
            &mut self.specific
        };
        set.insert((field, word.to_string()));
    }
}

impl Snapshot {
    /// The words of a product query's title clauses, each specific or
    /// generic by how many records carry it, the words of an English
    /// wording found whole in titles (`title_phrases`) each by its own.
    pub(super) fn product_words(&self, searcher: &Searcher, parts: &TextClauses) -> ProductWords {
        let f = self.fields;
        let bar = (self.num_docs / GENERIC_ONE_IN).max(1);
        let mut words = ProductWords::default();
        for (field, clause, _) in &parts.items {
            if *field == f.title_phrases {
                // Each word of a wording by its own frequency: "safety
                // requirements", which 安全 expands to, holds no specific one.
                for word in clause.iter().flat_map(|key| index::phrase_words(key)) {
                    words.classify(searcher, f.title_en, word, bar);
                }
                continue;
            }
            let [word] = clause.as_slice() else {
                continue;
            };
            if *field != f.title_zh && *field != f.title_en {
                continue;
            }
            words.classify(searcher, *field, word, bar);
        }
        words
    }

    /// Whether `s`'s indexed titles share words with the product, all of
    /// them generic, while the product has specific words too. A Chinese
    /// word is looked for as a substring of the title (each token the
    /// segmenter makes is one), so the hot path segments no title; English
    /// words are stems, and only the English title is analysed.
    pub(super) fn shares_only_generic_words(&self, words: &ProductWords, s: &Standard) -> bool {
        if words.specific.is_empty() || words.generic.is_empty() {
            return false;
        }
        let f = self.fields;
        // An international record's Chinese words are its adopters' titles
        // (the field `adopters_clauses` searches for a market outside China).
        let mut zh_title = s.title_zh.to_lowercase();
        for title in index::adopters_titles_zh(&self.catalogue, s) {
            zh_title.push(' ');
            zh_title.push_str(&title.to_lowercase());
        }
        let in_zh = |set: &HashSet<(Field, String)>| {
            set.iter()
                .any(|(field, word)| *field == f.title_zh && zh_title.contains(word.as_str()))
        };
        if in_zh(&words.specific) {
            return false;
        }
        let mut generic = in_zh(&words.generic);
        // An English title taken from the adopted standard is not indexed.
        let en_words =
            |set: &HashSet<(Field, String)>| set.iter().any(|(field, _)| *field == f.title_en);
        if s.title_source != Provenance::Adopted
            && (en_words(&words.specific) || (!generic && en_words(&words.generic)))
        {
            let tokens = self.en_tokens(&s.title_en);
            let in_en = |set: &HashSet<(Field, String)>| {
                tokens
                    .iter()
                    .any(|t| set.contains(&(f.title_en, t.clone())))
            };
            if in_en(&words.specific) {
                return false;
            }
            generic = generic || in_en(&words.generic);
        }
        generic
    }
}
