//! One consistent view of the catalogue and its index. Ingestion builds a
//! new snapshot and swaps it in whole, so readers never see half an update.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, Searcher};

use stdnav_core::catalogue::Catalogue;
use stdnav_core::standard::Standard;

use crate::index::{EN, Fields, JIEBA, status_weight};

/// Ranking weight of every document by status, per segment (indexed by doc id).
pub(crate) type StatusWeights = HashMap<SegmentId, Arc<[f32]>>;

pub struct Snapshot {
    pub catalogue: Catalogue,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    zh: TextAnalyzer,
    en: TextAnalyzer,
    /// Read once here: reading the fast field for every matching document
    /// of every query cost about a tenth of search time.
    pub(crate) status_weights: StatusWeights,
}

impl Snapshot {
    pub fn new(catalogue: Catalogue, index: Index, reader: IndexReader, fields: Fields) -> Self {
        let zh = index
            .tokenizers()
            .get(JIEBA)
            .expect("jieba tokenizer registered by index::open");
        let en = index
            .tokenizers()
            .get(EN)
            .expect("en_stem is a tantivy default tokenizer");
        // The reader is never reloaded (ReloadPolicy::Manual; a new index
        // makes a new snapshot), so its segments are fixed.
        let status_weights = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| {
                let column = segment
                    .fast_fields()
                    .u64("status_rank")
                    .ok()
                    .map(|c| c.first_or_default_col(0));
                let weights: Arc<[f32]> = (0..segment.max_doc())
                    .map(|doc| status_weight(column.as_ref().map(|c| c.get_val(doc)).unwrap_or(0)))
                    .collect();
                (segment.segment_id(), weights)
            })
            .collect();
        Self {
            catalogue,
            index,
            reader,
            fields,
            zh,
            en,
            status_weights,
        }
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn record(&self, ord: u64) -> Option<&Standard> {
        self.catalogue.records().get(ord as usize)
    }

    /// Tokens of `text` as the Chinese fields index them.
    pub fn zh_tokens(&self, text: &str) -> Vec<String> {
        tokens(&mut self.zh.clone(), text)
    }

    /// Tokens of `text` as the English fields index them (lower-cased, stemmed).
    pub fn en_tokens(&self, text: &str) -> Vec<String> {
        tokens(&mut self.en.clone(), text)
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        let t = token.text.trim();
        if !t.is_empty() && !out.iter().any(|x: &String| x == t) {
            out.push(t.to_string());
        }
    }
    out
}
