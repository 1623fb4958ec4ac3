//! One consistent view of the catalogue and its index. Ingestion builds a
//! new snapshot and swaps it in whole, so readers never see half an update.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Index, IndexReader, Searcher, SegmentReader, TERMINATED, Term};

use stdnav_core::catalogue::Catalogue;
use stdnav_core::reference::Reference;
use stdnav_core::source::CatalogueView;
use stdnav_core::standard::Standard;

use crate::index::{EN, Fields, JIEBA, status_weight};

/// Ranking weight of every document by status, per segment (indexed by doc id).
pub(crate) type StatusWeights = HashMap<SegmentId, Arc<[f32]>>;

/// The `ord` fast field of every segment, opened once.
pub(crate) type OrdColumns = HashMap<SegmentId, Column<u64>>;

/// The published year of every document, per segment (`i32::MIN`: none).
pub(crate) type Years = HashMap<SegmentId, Arc<[i32]>>;

/// A set of documents of one segment, one bit per document.
pub(crate) struct DocBits(Box<[u64]>);

impl DocBits {
    fn new(max_doc: DocId) -> Self {
        Self(vec![0; (max_doc as usize).div_ceil(64)].into())
    }

    fn insert(&mut self, doc: DocId) {
        self.0[doc as usize / 64] |= 1 << (doc % 64);
    }

    pub(crate) fn contains(&self, doc: DocId) -> bool {
        self.0
            .get(doc as usize / 64)
            .is_some_and(|word| word >> (doc % 64) & 1 == 1)
    }
}

/// The documents that carry a term, per segment (in the searcher's order).
pub(crate) type TermDocs = Arc<[DocBits]>;

pub struct Snapshot {
    pub catalogue: Catalogue,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    zh: TextAnalyzer,
    en: TextAnalyzer,
    /// Read once here rather than from the fast field for every matching
    /// document of every query.
    pub(crate) status_weights: StatusWeights,
    /// Opening a fast field column decodes its block index, so `ord` is
    /// opened once here rather than for every hit of every query.
    ord_columns: OrdColumns,
    /// Each product's retrieval for the enterprise's ICS groups, and each
    /// record's references in force: enterprises of a chain share products
    /// and industries, so most Candidates calls are made of known parts.
    /// Both live as long as the snapshot (an ingest makes a new one).
    pub(crate) product_hits: moka::sync::Cache<ProductKey, Arc<ProductHits>>,
    pub(crate) references: moka::sync::Cache<u64, Arc<[u64]>>,
    /// The mandatory national standards in force of a set of ICS groups
    /// (enterprises of one industry share the set).
    pub(crate) mandatory_hits: moka::sync::Cache<Vec<String>, Arc<[u64]>>,
    /// The parts of each series, made with the snapshot: made on the first
    /// Candidates call instead, every call arriving meanwhile would wait.
    pub(crate) series: crate::search::SeriesIndex,
    /// The national standards in force adopting each international or
    /// regional line, made with the snapshot like `series`.
    pub(crate) national_adopters: crate::search::NationalAdopters,
    /// Every English wording of the bundled term list as a query clause,
    /// and the Chinese tokens of every Chinese term, made once: a query's
    /// expansion adds up to 24 wordings and 12 terms, which would otherwise
    /// be tokenized (stemming, jieba) on every query.
    wordings: HashMap<&'static str, Wording>,
    term_tokens_zh: HashMap<&'static str, Vec<String>>,
    /// BM25's per-field token totals and document count, which a snapshot
    /// never changes: summed once here instead of for every term of every
    /// query.
    pub(crate) field_tokens: HashMap<Field, u64>,
    pub(crate) num_docs: u64,
    /// Filters read per document ([`Snapshot::docs_with`], `years`)
    /// instead of intersecting postings: the documents of each filter value
    /// (a status, an ICS prefix …), made on first use, and every
    /// document's year.
    term_docs: moka::sync::Cache<Term, TermDocs>,
    pub(crate) years: Years,
}

/// A wording of the term list as a query on English titles.
#[derive(Debug, Clone)]
pub(crate) enum Wording {
    /// One word: a term of `title_en`.
    Word(String),
    /// Several words: their key in `title_phrases`, and the boost that
    /// makes a match score as the phrase query on `title_en` did. BM25
    /// weighs a phrase by the sum of its words' IDFs in `title_en`, a key
    /// by its own IDF: the boost is the first over the second.
    Phrase { key: String, boost: f32 },
    /// No English token (cannot match).
    Nothing,
}

/// A product's retrieval: the product, the enterprise's ICS groups (they
/// boost the score) and how many hits are taken per product.
/// A product's words, the enterprise's ICS groups, hits kept, and whether
/// China's standards are in its markets.
pub(crate) type ProductKey = (String, Vec<String>, usize, bool);

/// Hits kept for one product (empty: no standard was found for it), and the
/// English words its Chinese terms expanded to.
#[derive(Debug, Default)]
pub(crate) struct ProductHits {
    pub best: f32,
    pub kept: Vec<ProductHit>,
    pub expanded: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct ProductHit {
    pub ord: u64,
    pub score: f32,
    pub matched_terms: Vec<String>,
}

/// Products' retrievals kept per snapshot.
const PRODUCT_HITS_KEPT: u64 = 20_000;
/// ICS group sets whose mandatory standards are kept per snapshot.
const MANDATORY_HITS_KEPT: u64 = 10_000;
/// Records whose references in force are kept per snapshot.
const REFERENCES_KEPT: u64 = 100_000;
/// Filter values whose documents are kept per snapshot (one bit per
/// document each).
const TERM_DOCS_KEPT: u64 = 1_000;

impl CatalogueView for Snapshot {
    fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
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
            .expect("English analyzer registered by index::open");
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
        let ord_columns = reader
            .searcher()
            .segment_readers()
            .iter()
            .filter_map(|segment| {
                let column = segment.fast_fields().u64("ord").ok()?;
                Some((segment.segment_id(), column))
            })
            .collect();
        let searcher = reader.searcher();
        let field_tokens: HashMap<Field, u64> = index
            .schema()
            .fields()
            .filter(|(_, entry)| entry.is_indexed())
            .filter_map(|(field, _)| {
                let total = searcher
                    .segment_readers()
                    .iter()
                    .map(|segment| segment.inverted_index(field).map(|i| i.total_num_tokens()))
                    .sum::<tantivy::Result<u64>>()
                    .ok()?;
                Some((field, total))
            })
            .collect();
        let num_docs = searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum();
        let years = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let column = segment.fast_fields().i64("year").ok();
                let years: Arc<[i32]> = (0..segment.max_doc())
                    .map(|doc| {
                        column
                            .as_ref()
                            .and_then(|c| c.first(doc))
                            .and_then(|y| i32::try_from(y).ok())
                            .unwrap_or(i32::MIN)
                    })
                    .collect();
                (segment.segment_id(), years)
            })
            .collect();
        let mut wordings = HashMap::new();
        let mut term_tokens_zh = HashMap::new();
        for term in Reference::get().terms() {
            for wording in &term.en {
                wordings.entry(wording.as_str()).or_insert_with(|| {
                    wording_of(&searcher, &fields, num_docs, &mut en.clone(), wording)
                });
            }
            term_tokens_zh
                .entry(term.zh.as_str())
                .or_insert_with(|| tokens(&mut zh.clone(), &term.zh));
        }
        let series = timed(
            "series",
            || crate::search::SeriesIndex::build(&catalogue),
            |s| s.len(),
        );
        let national_adopters = timed(
            "national adopters",
            || crate::search::NationalAdopters::build(&catalogue),
            |a| a.len(),
        );
        Self {
            catalogue,
            index,
            reader,
            fields,
            zh,
            en,
            status_weights,
            ord_columns,
            product_hits: moka::sync::Cache::new(PRODUCT_HITS_KEPT),
            references: moka::sync::Cache::new(REFERENCES_KEPT),
            mandatory_hits: moka::sync::Cache::new(MANDATORY_HITS_KEPT),
            series,
            national_adopters,
            wordings,
            term_tokens_zh,
            field_tokens,
            num_docs,
            term_docs: moka::sync::Cache::new(TERM_DOCS_KEPT),
            years,
        }
    }

    /// The documents that carry `term` (a filter value), per segment.
    pub(crate) fn docs_with(&self, term: &Term) -> tantivy::Result<TermDocs> {
        if let Some(docs) = self.term_docs.get(term) {
            return Ok(docs);
        }
        let docs: TermDocs = self
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| {
                let mut bits = DocBits::new(segment.max_doc());
                let postings = segment
                    .inverted_index(term.field())?
                    .read_postings(term, IndexRecordOption::Basic)?;
                if let Some(mut postings) = postings {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        bits.insert(doc);
                        doc = postings.advance();
                    }
                }
                Ok(bits)
            })
            .collect::<tantivy::Result<_>>()?;
        self.term_docs.insert(term.clone(), docs.clone());
        Ok(docs)
    }

    /// The catalogue ordinal of a document of a segment.
    pub(crate) fn ord_of_doc(&self, segment: &SegmentReader, doc: DocId) -> Option<u64> {
        match self.ord_columns.get(&segment.segment_id()) {
            Some(column) => column.first(doc),
            None => segment.fast_fields().u64("ord").ok()?.first(doc),
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

    /// A wording of the term list as a query clause on English titles,
    /// made once per snapshot. (Expansions only bring wordings of the
    /// bundled list, whose phrases the index holds; another wording's
    /// phrase would have no key in the index and match nothing.)
    pub(crate) fn wording(&self, wording: &str) -> Cow<'_, Wording> {
        match self.wordings.get(wording) {
            Some(w) => Cow::Borrowed(w),
            None => Cow::Owned(wording_of(
                &self.searcher(),
                &self.fields,
                self.num_docs,
                &mut self.en.clone(),
                wording,
            )),
        }
    }

    /// [`Self::zh_tokens`] of a Chinese term of the term list, made once.
    pub(crate) fn term_zh_tokens(&self, term: &str) -> Cow<'_, [String]> {
        match self.term_tokens_zh.get(term) {
            Some(tokens) => Cow::Borrowed(tokens),
            None => Cow::Owned(self.zh_tokens(term)),
        }
    }
}

/// BM25's inverse document frequency, as Tantivy computes it.
fn idf(doc_freq: u64, num_docs: u64) -> f32 {
    let x = (num_docs.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

fn wording_of(
    searcher: &Searcher,
    fields: &Fields,
    num_docs: u64,
    en: &mut TextAnalyzer,
    wording: &str,
) -> Wording {
    let mut words = crate::index::token_seq(en, wording);
    match words.len() {
        0 => Wording::Nothing,
        1 => Wording::Word(words.remove(0)),
        _ => {
            let doc_freq = |field: Field, text: &str| {
                searcher
                    .doc_freq(&Term::from_field_text(field, text))
                    .unwrap_or(0)
            };
            let key = crate::index::phrase_key(&words);
            let words_idf: f32 = words
                .iter()
                .map(|w| idf(doc_freq(fields.title_en, w), num_docs))
                .sum();
            let key_idf = idf(doc_freq(fields.title_phrases, &key), num_docs);
            Wording::Phrase {
                key,
                boost: words_idf / key_idf,
            }
        }
    }
}

/// Builds one of a snapshot's lookup tables, logging its size and time.
fn timed<T>(table: &str, build: impl FnOnce() -> T, size: impl Fn(&T) -> usize) -> T {
    let started = std::time::Instant::now();
    let built = build();
    tracing::debug!(
        table,
        entries = size(&built),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "snapshot table built"
    );
    built
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
