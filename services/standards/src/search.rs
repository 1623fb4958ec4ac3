//! Search, statistics and candidate retrieval over a [`Snapshot`].

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery,
    EnableScoring, Occur, PhraseQuery, Query, RangeQuery, Scorer, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use stdnav_core::catalogue::base_of;
use stdnav_core::cocited::CoCited;
use stdnav_core::code::{StdCode, number_key};
use stdnav_core::market::Regimes;
use stdnav_core::reference::Reference;
use stdnav_core::regulation::NamedByRegulation;
use stdnav_core::standard::{Level, Nature, Standard, Status};
use stdnav_core::text;

use crate::error::StandardsError;
use crate::index::{self, level_str, nature_str, status_str};
use crate::snapshot::{ProductHit, ProductHits, Snapshot, TermDocs, Wording};

/// Limits on requests, documented in docs/API.md.
pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE: u32 = 10_000;
pub const MAX_CANDIDATES: usize = 2000;
pub const MAX_FILTER_VALUES: usize = 50;

/// An unfiltered text query whose terms' document frequencies add up to at
/// least this is ranked with pruning ([`Snapshot::run_pruned`]): below it,
/// one scoring pass was faster on the benchmark's queries.
const PRUNE_FROM_MATCHES: u64 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetKind {
    Family,
    Level,
    Nature,
    Status,
    IcsField,
    Year,
    Committee,
    /// The Chinese catalogue's category (product, method, basic, safety …).
    Category,
    /// Degree of the first adoption (IDT, MOD, NEQ, EQV), `none` when nothing is adopted.
    Adoption,
}

impl FacetKind {
    fn path(self) -> &'static str {
        match self {
            FacetKind::Family => "/family",
            FacetKind::Level => "/level",
            FacetKind::Nature => "/nature",
            FacetKind::Status => "/status",
            FacetKind::IcsField => "/ics",
            FacetKind::Year => "/year",
            FacetKind::Committee => "/committee",
            FacetKind::Category => "/category",
            FacetKind::Adoption => "/adoption",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub levels: Vec<Level>,
    pub natures: Vec<Nature>,
    pub statuses: Vec<Status>,
    pub ics_prefixes: Vec<String>,
    pub families: Vec<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
            && self.natures.is_empty()
            && self.statuses.is_empty()
            && self.ics_prefixes.is_empty()
            && self.families.is_empty()
            && self.from_year.is_none()
            && self.to_year.is_none()
    }

    /// Checks values a caller typed (ICS codes, families, years).
    pub fn validate(&self) -> Result<(), StandardsError> {
        let mut bad = Vec::new();
        for (name, n) in [
            ("filters.ics_prefixes", self.ics_prefixes.len()),
            ("filters.families", self.families.len()),
            ("filters.levels", self.levels.len()),
            ("filters.natures", self.natures.len()),
            ("filters.statuses", self.statuses.len()),
        ] {
            if n > MAX_FILTER_VALUES {
                bad.push((
                    name.to_string(),
                    format!("at most {MAX_FILTER_VALUES} values"),
                ));
            }
        }
        for (i, p) in self.ics_prefixes.iter().enumerate() {
            if !is_ics_code(p) {
                bad.push((
                    format!("filters.ics_prefixes[{i}]"),
                    format!("{p:?} is not an ICS code such as \"97\", \"97.040\" or \"97.040.30\""),
                ));
            }
        }
        for (i, f) in self.families.iter().enumerate() {
            if f.trim().is_empty() || f.len() > 40 {
                bad.push((
                    format!("filters.families[{i}]"),
                    "must be 1-40 characters".into(),
                ));
            }
        }
        if let (Some(a), Some(b)) = (self.from_year, self.to_year)
            && a > b
        {
            bad.push((
                "filters.published_from_year".into(),
                format!("{a} is after published_to_year {b}"),
            ));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(StandardsError::InvalidArgument(bad))
        }
    }
}

/// "97", "97.040", "97.040.30".
pub fn is_ics_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let widths = [2, 3, 2];
    parts.len() <= 3
        && parts
            .iter()
            .zip(widths)
            .all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub query: String,
    pub filters: Filters,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    pub facets: Vec<FacetKind>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub ord: u64,
    pub score: f32,
    pub highlighted_title: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: u64,
    pub facets: Vec<(FacetKind, Vec<(String, u64)>)>,
}

/// Clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Mutually exclusive qualifiers of a product: when the product has one of
/// a group and a title has another of the same group but not the product's,
/// the title is about another kind of product. Lower-case substrings of
/// Chinese and English wording; a word may imply its group (注塑 → plastics).
const QUALIFIER_GROUPS: &[&[&[&str]]] = &[
    // Energy: gas-fired against electric.
    &[
        &["gas", "燃气"],
        &["electric", "电器", "电热", "电动", "电气"],
    ],
    // Heat source of a water heater or boiler: gas-fired, heat pump or
    // electric resistance (储水式电热水器 is not a heat-pump water heater).
    &[
        &["gas", "燃气"],
        &["heat pump", "热泵"],
        &["电热", "electric storage", "electric water heater"],
    ],
    // Material worked.
    &[
        &["woodworking", "wood", "木工", "木材", "人造板"],
        &[
            "plastic",
            "rubber",
            "injection mould",
            "injection-mould",
            "注塑",
            "塑料",
            "橡胶",
        ],
        &[
            "metal-working",
            "metalworking",
            "metal cutting",
            "金属切削",
            "金属加工",
        ],
    ],
];

/// Applications that a title names and a product must name too: a cement
/// maker is not an oil-well cement maker.
const NICHE_CONTEXTS: &[&[&str]] = &[
    &[
        "petroleum and natural gas",
        "oil and gas",
        "oil-well",
        "oil well",
        "石油天然气",
        "油井",
    ],
    &["aircraft", "aerospace", "航空", "航天"],
    &["ships and marine", "shipbuilding", "船舶"],
    &["nuclear", "核电", "核设施"],
    &["medical", "医用"],
];

/// Ranking factor for a title against a product's words (both lower case):
/// 0.3 for a conflicting qualifier, 0.6 for a niche the product does not
/// name, 1 otherwise.
fn qualifier_factor(product: &str, title: &str) -> f32 {
    let has = |text: &str, words: &[&str]| words.iter().any(|w| text.contains(w));
    for group in QUALIFIER_GROUPS {
        let mine: Vec<usize> = (0..group.len())
            .filter(|&i| has(product, group[i]))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let title_has_mine = mine.iter().any(|&i| has(title, group[i]));
        let title_has_other = (0..group.len()).any(|i| !mine.contains(&i) && has(title, group[i]));
        if title_has_other && !title_has_mine {
            return 0.3;
        }
    }
    for niche in NICHE_CONTEXTS {
        if has(title, niche) && !has(product, niche) {
            return 0.6;
        }
    }
    1.0
}

/// Boost of a Chinese query word on Chinese titles. Since the national
/// catalogue gives ~16,000 GB editions a Chinese title (their own or the
/// adopted standard's Chinese name), a Chinese word found in a Chinese
/// title is the most direct evidence there is, ahead of the English
/// wordings its terms reach (0.8, phrases boosted by their words' IDF).
const ZH_TITLE_BOOST: f32 = 3.0;

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// Term and phrase clauses of a text query, each (field, words) once with
/// its boosts summed. The same word reached by the query and again by its
/// expansion ("test" in "plastics test methods" and in "test methods",
/// "安全" in three expansions) used to be scored once per clause; a sum of
/// equal BM25 scores is the score times the summed boost, so ranking is
/// unchanged and each posting list is read once.
#[derive(Default)]
struct TextClauses {
    items: Vec<(Field, Vec<String>, f32)>,
}

impl TextClauses {
    fn add(&mut self, field: Field, words: &[String], boost: f32) {
        if words.is_empty() {
            return;
        }
        match self
            .items
            .iter_mut()
            .find(|(f, w, _)| *f == field && w == words)
        {
            Some(item) => item.2 += boost,
            None => self.items.push((field, words.to_vec(), boost)),
        }
    }

    fn into_clauses(self) -> Clauses {
        self.items
            .into_iter()
            .map(|(field, words, boost)| {
                let q: Box<dyn Query> = if words.len() == 1 {
                    term_query(field, &words[0])
                } else {
                    Box::new(PhraseQuery::new(
                        words
                            .iter()
                            .map(|w| Term::from_field_text(field, w))
                            .collect(),
                    ))
                };
                (Occur::Should, boosted(q, boost))
            })
            .collect()
    }

    /// The single-word clauses (as should-clauses of one union) and the
    /// phrases, apart.
    fn split(self) -> (Clauses, Vec<Box<dyn Query>>) {
        let mut terms = Clauses::new();
        let mut phrases = Vec::new();
        for (field, words, boost) in self.items {
            if words.len() == 1 {
                terms.push((Occur::Should, boosted(term_query(field, &words[0]), boost)));
            } else {
                phrases.push(boosted(
                    Box::new(PhraseQuery::new(
                        words
                            .iter()
                            .map(|w| Term::from_field_text(field, w))
                            .collect(),
                    )),
                    boost,
                ));
            }
        }
        (terms, phrases)
    }
}

/// Whether `docset` holds `doc`, moving it forward to `doc` when behind.
/// Called with increasing `doc`s.
fn on(docset: &mut Box<dyn Scorer>, doc: DocId) -> bool {
    if docset.doc() < doc {
        docset.seek(doc);
    }
    docset.doc() == doc
}

/// The best `k` documents by score, ties to the lower address, as
/// `TopDocs` ranks them.
struct TopPage {
    k: usize,
    heap: BinaryHeap<Ranked>,
}

/// A scored document; the greater is the worse, so the heap's top is the
/// document to drop first.
struct Ranked {
    score: Score,
    address: (u32, DocId),
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.address.cmp(&other.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

impl TopPage {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    fn push(&mut self, score: Score, segment_ord: u32, doc: DocId) {
        let ranked = Ranked {
            score,
            address: (segment_ord, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(ranked);
        } else if self.heap.peek().is_some_and(|worst| ranked < *worst) {
            self.heap.pop();
            self.heap.push(ranked);
        }
    }

    /// Scores at or below this cannot enter the page. Just below the
    /// lowest score on a full page, so that a tie still reaches `push`
    /// and is settled by address.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => worst.score.next_down(),
            _ => Score::MIN,
        }
    }

    /// Best first, from `offset`.
    fn into_page(self, offset: usize) -> Vec<(Score, DocAddress)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .skip(offset)
            .map(|r| (r.score, DocAddress::new(r.address.0, r.address.1)))
            .collect()
    }
}

/// BM25 statistics for one query, as the searcher gives them: the
/// snapshot's per-field token totals and document count (read once per
/// snapshot, not once per term of every query), and the document
/// frequencies the query has already read from the term dictionary
/// ([`Snapshot::drop_absent_terms`]); other terms (those of phrases) are
/// looked up as usual. Same numbers, so same scores.
struct QueryStats<'a> {
    snapshot: &'a Snapshot,
    searcher: Searcher,
    doc_freqs: Vec<(Term, u64)>,
}

impl<'a> QueryStats<'a> {
    fn new(snapshot: &'a Snapshot, doc_freqs: Vec<(Term, u64)>) -> Self {
        Self {
            snapshot,
            searcher: snapshot.searcher(),
            doc_freqs,
        }
    }
}

impl Bm25StatisticsProvider for QueryStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.snapshot.field_tokens.get(&field) {
            Some(total) => Ok(*total),
            None => Bm25StatisticsProvider::total_num_tokens(&self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.snapshot.num_docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match self.doc_freqs.iter().find(|(t, _)| t == term) {
            Some((_, freq)) => Ok(*freq),
            None => self.searcher.doc_freq(term),
        }
    }
}

/// A query's filters, read per document: the documents of each filter's
/// values ([`Snapshot::docs_with`]) and the year of every document; the
/// same records as the filter clauses of [`Snapshot::filter_clauses`].
struct DocFilter {
    /// For each filter, the documents of each of its values.
    all_of: Vec<Vec<TermDocs>>,
    from_year: Option<i32>,
    to_year: Option<i32>,
}

impl DocFilter {
    fn new(snapshot: &Snapshot, filters: &Filters) -> Result<Self, StandardsError> {
        let all_of = snapshot
            .filter_terms(filters)
            .iter()
            .map(|terms| {
                terms
                    .iter()
                    .map(|t| snapshot.docs_with(t))
                    .collect::<tantivy::Result<Vec<_>>>()
            })
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(StandardsError::index)?;
        Ok(Self {
            all_of,
            from_year: filters.from_year,
            to_year: filters.to_year,
        })
    }

    fn keeps(&self, segment_ord: usize, years: Option<&Arc<[i32]>>, doc: DocId) -> bool {
        if self.from_year.is_some() || self.to_year.is_some() {
            let year = years
                .and_then(|y| y.get(doc as usize))
                .copied()
                .unwrap_or(i32::MIN);
            if year == i32::MIN
                || self.from_year.is_some_and(|from| year < from)
                || self.to_year.is_some_and(|to| year > to)
            {
                return false;
            }
        }
        self.all_of.iter().all(|any| {
            any.iter()
                .any(|docs| docs.get(segment_ord).is_some_and(|d| d.contains(doc)))
        })
    }
}

fn any_of(field: Field, values: impl IntoIterator<Item = String>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        values
            .into_iter()
            .map(|v| (Occur::Should, term_query(field, &v)))
            .collect(),
    ))
}

/// Whether a query is a standard code rather than words: it parses as a
/// code, or is a bare number such as `60335-2-40` or `19001`.
pub fn code_like(query: &str) -> Option<Vec<String>> {
    let q = query.trim();
    if q.is_empty() || q.chars().count() > 80 || !q.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if text::has_cjk(q) {
        return None;
    }
    let mut keys = Vec::new();
    if let Ok(code) = StdCode::parse(q) {
        if code.year.is_some() {
            keys.push(code.edition_id().to_lowercase());
        }
        keys.push(code.base().to_lowercase());
    } else if q.split_whitespace().count() <= 2
        && let Some(number) = number_key(q)
    {
        keys.push(number.to_lowercase());
    }
    if q.to_lowercase().starts_with("etsi ") {
        keys.push(q.to_lowercase());
        if let Some((base, _)) = stdnav_core::catalogue::relaton::etsi_version(&q.to_uppercase()) {
            keys.push(base.to_lowercase());
        }
    }
    if keys.is_empty() { None } else { Some(keys) }
}

impl Snapshot {
    /// The filters on indexed values, each as the terms of which a record
    /// must carry one.
    fn filter_terms(&self, filters: &Filters) -> Vec<Vec<Term>> {
        let f = &self.fields;
        let terms = |field: Field, values: Vec<String>| -> Vec<Term> {
            values
                .iter()
                .map(|v| Term::from_field_text(field, v))
                .collect()
        };
        let mut out = Vec::new();
        if !filters.levels.is_empty() {
            out.push(terms(
                f.level,
                filters
                    .levels
                    .iter()
                    .map(|l| level_str(*l).to_string())
                    .collect(),
            ));
        }
        if !filters.natures.is_empty() {
            out.push(terms(
                f.nature,
                filters
                    .natures
                    .iter()
                    .map(|l| nature_str(*l).to_string())
                    .collect(),
            ));
        }
        if !filters.statuses.is_empty() {
            out.push(terms(
                f.status,
                filters
                    .statuses
                    .iter()
                    .map(|l| status_str(*l).to_string())
                    .collect(),
            ));
        }
        if !filters.ics_prefixes.is_empty() {
            out.push(terms(f.ics, filters.ics_prefixes.clone()));
        }
        if !filters.families.is_empty() {
            out.push(terms(
                f.family,
                filters
                    .families
                    .iter()
                    .map(|s| s.trim().to_string())
                    .collect(),
            ));
        }
        out
    }

    fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .filter_terms(filters)
            .into_iter()
            .map(|terms| {
                let any: Box<dyn Query> = Box::new(BooleanQuery::new(
                    terms
                        .into_iter()
                        .map(|t| {
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                            (Occur::Should, q)
                        })
                        .collect(),
                ));
                (Occur::Must, any)
            })
            .collect();
        if filters.from_year.is_some() || filters.to_year.is_some() {
            let lo = filters
                .from_year
                .map(|y| Bound::Included(Term::from_field_i64(f.year, y as i64)))
                .unwrap_or(Bound::Unbounded);
            let hi = filters
                .to_year
                .map(|y| Bound::Included(Term::from_field_i64(f.year, y as i64)))
                .unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        clauses
    }

    /// Should-clauses for free text in either language, expanded across
    /// languages through the term list.
    fn text_clauses(&self, query: &str) -> (Clauses, Vec<String>) {
        let (clauses, terms, _) = self.text_parts(query);
        (clauses.into_clauses(), terms)
    }

    /// The (field, words, boost) items behind [`Self::text_clauses`], the
    /// query's words, and the English words its Chinese terms reached
    /// (`空调` → `air`, `condition`, `heat`, `pump` …): both are marked in
    /// the titles of a search's hits, so an English title found by a
    /// Chinese query shows why.
    fn text_parts(&self, query: &str) -> (TextClauses, Vec<String>, Vec<String>) {
        let f = &self.fields;
        let mut clauses = TextClauses::default();
        let mut terms = Vec::new();
        let mut reached: Vec<String> = Vec::new();
        for t in self.zh_tokens(query) {
            let word = std::slice::from_ref(&t);
            clauses.add(f.title_zh, word, ZH_TITLE_BOOST);
            clauses.add(f.ics_zh, word, 0.3);
            terms.push(t);
        }
        if !text::has_cjk(query) {
            for t in self.en_tokens(query) {
                let word = std::slice::from_ref(&t);
                clauses.add(f.title_en, word, 1.0);
                clauses.add(f.scope, word, 0.3);
                clauses.add(f.keywords, word, 0.5);
                clauses.add(f.title_fr, word, 0.3);
                if !terms.contains(&t) {
                    terms.push(t);
                }
            }
        }
        let expansion = text::expand(query, Reference::get());
        // The catalogue's English wordings, on titles: a word on
        // `title_en`, a phrase by its key, indexed where it is in a title.
        for wording in expansion.en.iter().take(24) {
            let wording = self.wording(wording);
            let mut reach = |word: &str| {
                if !reached.iter().any(|w| w == word) {
                    reached.push(word.to_string());
                }
            };
            match &*wording {
                Wording::Word(word) => {
                    clauses.add(f.title_en, std::slice::from_ref(word), 0.8);
                    reach(word);
                }
                Wording::Phrase { key, boost } => {
                    clauses.add(f.title_phrases, std::slice::from_ref(key), 0.8 * boost);
                    index::phrase_words(key).for_each(reach);
                }
                Wording::Nothing => {}
            }
        }
        if !text::has_cjk(query) {
            for zh in expansion.zh.iter().take(12) {
                for t in self.term_zh_tokens(zh).iter() {
                    clauses.add(f.title_zh, std::slice::from_ref(t), 0.8);
                }
            }
        }
        (clauses, terms, reached)
    }

    pub fn search(&self, p: &SearchParams) -> Result<SearchResult, StandardsError> {
        validate_query(&p.query, !p.filters.is_empty())?;
        p.filters.validate()?;
        let page = p.page.max(1);
        let page_size = if p.page_size == 0 { 10 } else { p.page_size };
        if page_size > MAX_PAGE_SIZE {
            return Err(StandardsError::invalid(
                "page_size",
                format!("at most {MAX_PAGE_SIZE}"),
            ));
        }
        if page > MAX_PAGE {
            return Err(StandardsError::invalid(
                "page",
                format!("at most {MAX_PAGE}"),
            ));
        }
        let offset = ((page - 1) * page_size) as usize;

        // A code goes to the exact code keys first; titles are only
        // searched when no record carries that code.
        if let Some(keys) = code_like(&p.query) {
            let exact = keys.first().cloned();
            let q = self.code_query(&p.filters, keys);
            // A code matches few records (the editions of one line): rank
            // them all, then cut the page.
            let result = self.run(&q, 0, 500, &p.facets, &QueryStats::new(self, Vec::new()))?;
            if result.total > 0 {
                let mut result = result;
                // The exact edition first, then editions in force, newest first.
                let mut hits = result.hits;
                let rank = |h: &Hit| {
                    let s = self.record(h.ord);
                    let exact_match = s.is_some_and(|s| Some(s.id.to_lowercase()) == exact);
                    let status = s.map(|s| index::status_rank(s.status)).unwrap_or(9);
                    let year = s.and_then(index::year_of).unwrap_or(0);
                    (!exact_match, status, -year)
                };
                hits.sort_by_key(rank);
                let mut hits: Vec<Hit> = hits
                    .into_iter()
                    .skip(offset)
                    .take(page_size as usize)
                    .collect();
                for h in &mut hits {
                    h.highlighted_title = self
                        .record(h.ord)
                        .map(|s| highlight(display_title(s), &[]))
                        .unwrap_or_default();
                }
                result.hits = hits;
                return Ok(result);
            }
        }

        let (mut parts, mut terms, reached) = self.text_parts(&p.query);
        let searcher = self.searcher();
        let (matches_bound, doc_freqs) = self.drop_absent_terms(&searcher, &mut parts);
        let stats = QueryStats::new(self, doc_freqs);
        // A query whose terms match many documents is cheaper pruned; one
        // that matches few is cheaper scored in one pass with its count
        // (measured in docs/BENCHMARKS.md). Filters go to the one pass too:
        // the intersection is led by the filter's postings there.
        let mut result =
            if p.facets.is_empty() && p.filters.is_empty() && matches_bound >= PRUNE_FROM_MATCHES {
                self.run_pruned(&searcher, &stats, parts, offset, page_size as usize)?
            } else if p.facets.is_empty()
                && !p.filters.is_empty()
                && !parts.items.is_empty()
                && self.filter_is_broad(&searcher, &p.filters, matches_bound)
            {
                self.run_filtered(
                    &searcher,
                    &stats,
                    parts,
                    &p.filters,
                    offset,
                    page_size as usize,
                )?
            } else {
                let query = self.text_query(&p.filters, parts);
                self.run(&*query, offset, page_size as usize, &p.facets, &stats)?
            };
        for word in reached {
            if !terms.contains(&word) {
                terms.push(word);
            }
        }
        let highlighter = Highlighter::new(&terms);
        for h in &mut result.hits {
            if let Some(s) = self.record(h.ord) {
                h.highlighted_title = highlighter.mark(display_title(s));
            }
        }
        Ok(result)
    }

    /// A code query: the exact code keys, with the filters.
    fn code_query(&self, filters: &Filters, keys: Vec<String>) -> BooleanQuery {
        let mut clauses = self.filter_clauses(filters);
        clauses.push((Occur::Must, any_of(self.fields.code_key, keys)));
        BooleanQuery::new(clauses)
    }

    /// A text query, with the filters.
    fn text_query(&self, filters: &Filters, text: TextClauses) -> Box<dyn Query> {
        // Filters select and do not score. (A scored filter ranked a record
        // lower for every ICS code it has, and the page changed with the
        // filter: now a filtered page is the unfiltered ranking, filtered.)
        let mut clauses: Clauses = self
            .filter_clauses(filters)
            .into_iter()
            .map(|(occur, q)| {
                let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(q, 0.0));
                (occur, q)
            })
            .collect();
        let text = text.into_clauses();
        if text.is_empty() {
            if clauses.is_empty() {
                return Box::new(EmptyQuery);
            }
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(text))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The Tantivy query [`Self::search`] builds for `p`: its code query
    /// when a record carries the code, else its text query after expansion,
    /// with the filters. For the benchmark's like-for-like baseline, which
    /// runs it bare (top 10 by score alone: no status weight, no count, no
    /// pruning of our own, no highlighting, no records), so that the time
    /// our layers add shows apart from the time the expanded query takes.
    pub fn query_for(&self, p: &SearchParams) -> Result<Box<dyn Query>, StandardsError> {
        let searcher = self.searcher();
        if let Some(keys) = code_like(&p.query) {
            let q = self.code_query(&p.filters, keys);
            if searcher.search(&q, &Count).map_err(StandardsError::index)? > 0 {
                return Ok(Box::new(q));
            }
        }
        let (mut parts, _, _) = self.text_parts(&p.query);
        self.drop_absent_terms(&searcher, &mut parts);
        Ok(self.text_query(&p.filters, parts))
    }

    /// Drops the single-word clauses whose word is not in the index (an
    /// English word looked up in the Chinese titles, say): they match
    /// nothing and add nothing to a score, but each still cost a BM25
    /// weight and a second dictionary lookup. Keeps them all when none
    /// would be left, so an empty query stays what it was. Returns the sum
    /// of the document frequencies of the single-word clauses: an upper
    /// bound of how many documents the terms match, read from the term
    /// dictionary without touching postings.
    /// The document frequencies read are kept for the query's
    /// [`QueryStats`], so building its weights does not read them again.
    fn drop_absent_terms(
        &self,
        searcher: &Searcher,
        text: &mut TextClauses,
    ) -> (u64, Vec<(Term, u64)>) {
        let freqs: Vec<Option<(Term, u64)>> = text
            .items
            .iter()
            .map(|(field, words, _)| {
                (words.len() == 1).then(|| {
                    let term = Term::from_field_text(*field, &words[0]);
                    let freq = searcher.doc_freq(&term).unwrap_or(0);
                    (term, freq)
                })
            })
            .collect();
        let absent = |f: &Option<(Term, u64)>| matches!(f, Some((_, 0)));
        if freqs.iter().any(|f| !absent(f)) {
            let mut freq = freqs.iter();
            text.items.retain(|_| !freq.next().is_some_and(absent));
        }
        let freqs: Vec<(Term, u64)> = freqs.into_iter().flatten().collect();
        (freqs.iter().map(|(_, f)| f).sum(), freqs)
    }

    /// One page of an unfiltered text query ranked by score × status
    /// weight, as [`Self::run`] ranks it, without scoring every match.
    ///
    /// Block-max WAND ([`tantivy::query::Weight::for_each_pruning`]) skips the blocks of
    /// postings that cannot reach the page, but only for a union of term
    /// clauses at the top of a query. So the query is taken apart:
    /// - the phrase clauses match few documents: those are scored in full
    ///   (their phrases plus their terms) first;
    /// - the term clauses then run pruned against the lowest score on the
    ///   page so far. A status weight is at most 1, so a document whose
    ///   unweighted score cannot beat that threshold cannot beat it
    ///   weighted either: the page is the one scoring everything gives.
    ///
    /// The total is counted apart, without scores or positions: the term
    /// union, plus the phrase documents outside it.
    fn run_pruned(
        &self,
        searcher: &Searcher,
        stats: &QueryStats,
        text: TextClauses,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResult, StandardsError> {
        let scoring = EnableScoring::enabled_from_statistics_provider(stats, searcher);
        let (terms, phrases) = text.split();
        let weight = |q: &dyn Query, scoring| q.weight(scoring).map_err(StandardsError::index);
        let (term_weight, count_weight) = if terms.is_empty() {
            (None, None)
        } else {
            let union = BooleanQuery::new(terms);
            (
                Some(weight(&union, scoring)?),
                Some(weight(
                    &union,
                    EnableScoring::disabled_from_searcher(searcher),
                )?),
            )
        };
        let phrase_weights = phrases
            .iter()
            .map(|q| weight(q.as_ref(), scoring))
            .collect::<Result<Vec<_>, _>>()?;

        let mut top = TopPage::new(offset + limit);
        let mut total = 0u64;
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let segment_ord = segment_ord as u32;
            let weight_of = self.status_weight_of(segment);
            let alive = segment.alive_bitset();
            let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
            if let Some(count) = &count_weight {
                total += u64::from(count.count(segment).map_err(StandardsError::index)?);
            }

            // Documents a phrase matches, with their phrase scores summed.
            let mut phrase_docs: Vec<(DocId, Score)> = Vec::new();
            for w in &phrase_weights {
                let mut phrase = w.scorer(segment, 1.0).map_err(StandardsError::index)?;
                let mut doc = phrase.doc();
                while doc != TERMINATED {
                    phrase_docs.push((doc, phrase.score()));
                    doc = phrase.advance();
                }
            }
            phrase_docs.sort_unstable_by_key(|(doc, _)| *doc);
            phrase_docs.dedup_by(|next, first| {
                let same = next.0 == first.0;
                if same {
                    first.1 += next.1;
                }
                same
            });
            if !phrase_docs.is_empty() {
                let mut term_union = term_weight
                    .as_ref()
                    .map(|w| w.scorer(segment, 1.0))
                    .transpose()
                    .map_err(StandardsError::index)?;
                for &(doc, phrase_score) in phrase_docs.iter().filter(|(doc, _)| is_alive(*doc)) {
                    let term_score = term_union
                        .as_mut()
                        .and_then(|t| on(t, doc).then(|| t.score()));
                    if term_score.is_none() {
                        // Not in the term union, so not counted there.
                        total += 1;
                    }
                    let score = (term_score.unwrap_or(0.0) + phrase_score) * weight_of(doc);
                    top.push(score, segment_ord, doc);
                }
            }
            if let Some(term_weight) = &term_weight {
                let mut phrase_docs = phrase_docs.iter().map(|(doc, _)| *doc).peekable();
                term_weight
                    .for_each_pruning(top.threshold(), segment, &mut |doc, score| {
                        // Phrase documents were scored in full above.
                        while phrase_docs.next_if(|d| *d < doc).is_some() {}
                        if phrase_docs.peek() != Some(&doc) && is_alive(doc) {
                            top.push(score * weight_of(doc), segment_ord, doc);
                        }
                        top.threshold()
                    })
                    .map_err(StandardsError::index)?;
            }
        }
        self.page_of(searcher, top, offset, total)
    }

    /// Whether the narrowest filter keeps at least two thirds as many
    /// documents as the text clauses may match (`matches_bound`, from
    /// [`Self::drop_absent_terms`]). Then reading the filters per document
    /// ([`Self::run_filtered`]) is cheaper than the intersection; a narrower
    /// filter is cheaper leading it. Measured on the bench's filtered
    /// queries: per document, `status = current` (42,000 records) was
    /// 5-30% faster for every query, up to unions of 54,000 matches; ICS 97
    /// (1,300 records) was 10-45% faster below about 1,500 matches and up
    /// to 2× slower above.
    fn filter_is_broad(&self, searcher: &Searcher, filters: &Filters, matches_bound: u64) -> bool {
        let narrowest = self
            .filter_terms(filters)
            .iter()
            .map(|terms| {
                terms
                    .iter()
                    .map(|t| searcher.doc_freq(t).unwrap_or(0))
                    .sum::<u64>()
            })
            .min()
            .unwrap_or(self.num_docs);
        narrowest.saturating_mul(3) >= matches_bound.saturating_mul(2)
    }

    /// One page of a filtered text query, ranked and counted as
    /// [`Self::run`] ranks and counts the text query intersected with the
    /// filters. The filters are read per document instead ([`DocFilter`]):
    /// in the intersection, Tantivy led with the filter's postings (tens of
    /// thousands of current standards, or of ICS 97) and sought the union
    /// of text clauses at each of them, which cost more than the text query
    /// alone. A filter scored nothing (`ConstScoreQuery(…, 0)`), so the
    /// scores are the text query's.
    fn run_filtered(
        &self,
        searcher: &Searcher,
        stats: &QueryStats,
        text: TextClauses,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResult, StandardsError> {
        let filter = DocFilter::new(self, filters)?;
        let query = BooleanQuery::new(text.into_clauses());
        let weight = query
            .weight(EnableScoring::enabled_from_statistics_provider(
                stats, searcher,
            ))
            .map_err(StandardsError::index)?;
        let mut top = TopPage::new(offset + limit);
        let mut total = 0u64;
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let weight_of = self.status_weight_of(segment);
            let years = self.years.get(&segment.segment_id());
            let alive = segment.alive_bitset();
            weight
                .for_each(segment, &mut |doc, score| {
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && filter.keeps(segment_ord, years, doc)
                    {
                        total += 1;
                        top.push(score * weight_of(doc), segment_ord as u32, doc);
                    }
                })
                .map_err(StandardsError::index)?;
        }
        self.page_of(searcher, top, offset, total)
    }

    /// The status weight of each document of `segment` (1 when unknown).
    fn status_weight_of(&self, segment: &SegmentReader) -> impl Fn(DocId) -> f32 + use<'_> {
        let weights = self.status_weights.get(&segment.segment_id());
        move |doc| {
            weights
                .and_then(|w| w.get(doc as usize))
                .copied()
                .unwrap_or(1.0)
        }
    }

    /// The result of a page collected in `top` from `offset`, of `total` matches.
    fn page_of(
        &self,
        searcher: &Searcher,
        top: TopPage,
        offset: usize,
        total: u64,
    ) -> Result<SearchResult, StandardsError> {
        let hits = self.hits(searcher, top.into_page(offset))?;
        Ok(SearchResult {
            hits,
            total,
            facets: Vec::new(),
        })
    }

    /// Runs a query: one page of hits ranked by score × status weight,
    /// the total count and the requested facets, in one pass.
    fn run(
        &self,
        query: &dyn Query,
        offset: usize,
        limit: usize,
        facets: &[FacetKind],
        stats: &QueryStats,
    ) -> Result<SearchResult, StandardsError> {
        let searcher = self.searcher();
        let top = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .tweak_score({
                let weights = self.status_weights.clone();
                move |segment: &SegmentReader| {
                    let weights = weights.get(&segment.segment_id()).cloned();
                    move |doc: DocId, score: Score| {
                        let w = weights
                            .as_ref()
                            .and_then(|w| w.get(doc as usize))
                            .copied()
                            .unwrap_or(1.0);
                        score * w
                    }
                }
            });
        // The facet collector reads every matching document's facets even
        // when none is asked for: only add it when some are.
        let (top, total, facet_counts) = if facets.is_empty() {
            let (top, total) = searcher
                .search_with_statistics_provider(query, &(top, Count), stats)
                .map_err(StandardsError::index)?;
            (top, total, None)
        } else {
            let mut facet_collector = FacetCollector::for_field("facets");
            for kind in facets {
                facet_collector.add_facet(kind.path());
            }
            let (top, total, counts) = searcher
                .search_with_statistics_provider(query, &(top, Count, facet_collector), stats)
                .map_err(StandardsError::index)?;
            (top, total, Some(counts))
        };
        let hits = self.hits(&searcher, top)?;
        let facets = facet_counts
            .iter()
            .flat_map(|facet_counts| facets.iter().map(move |kind| (kind, facet_counts)))
            .map(|(kind, facet_counts)| {
                let mut counts: Vec<(String, u64)> = facet_counts
                    .get(kind.path())
                    .map(|(facet, n)| {
                        let path = facet.to_path();
                        (path.last().map(|s| s.to_string()).unwrap_or_default(), n)
                    })
                    .collect();
                sort_buckets(*kind, &mut counts);
                (*kind, counts)
            })
            .collect();
        Ok(SearchResult {
            hits: if limit == 0 { Vec::new() } else { hits },
            total: total as u64,
            facets,
        })
    }

    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        top: Vec<(Score, DocAddress)>,
    ) -> Result<Vec<Hit>, StandardsError> {
        top.into_iter()
            .map(|(score, addr)| {
                let segment = searcher.segment_reader(addr.segment_ord);
                let ord = self.ord_of_doc(segment, addr.doc_id).unwrap_or(0);
                Ok(Hit {
                    ord,
                    score,
                    highlighted_title: String::new(),
                })
            })
            .collect()
    }

    /// Counts by one facet over a query (empty: the whole catalogue) and filters.
    pub fn statistics(
        &self,
        query: &str,
        filters: &Filters,
        group_by: FacetKind,
        limit: usize,
    ) -> Result<(u64, Vec<(String, u64)>), StandardsError> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(StandardsError::invalid(
                "query",
                format!("at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        filters.validate()?;
        let mut clauses = self.filter_clauses(filters);
        if query.trim().is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else if let Some(keys) = code_like(query) {
            clauses.push((Occur::Must, any_of(self.fields.code_key, keys)));
        } else {
            let (text, _) = self.text_clauses(query);
            if text.is_empty() {
                return Ok((0, Vec::new()));
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(text))));
        }
        let q = BooleanQuery::new(clauses);
        let result = self.run(&q, 0, 0, &[group_by], &QueryStats::new(self, Vec::new()))?;
        let mut buckets = result
            .facets
            .into_iter()
            .next()
            .map(|(_, b)| b)
            .unwrap_or_default();
        if limit > 0 && group_by != FacetKind::Year {
            buckets.truncate(limit);
        }
        Ok((result.total, buckets))
    }
}

fn sort_buckets(kind: FacetKind, counts: &mut [(String, u64)]) {
    if kind == FacetKind::Year {
        counts.sort_by(|a, b| a.0.cmp(&b.0));
    } else {
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
}

fn validate_query(query: &str, has_filters: bool) -> Result<(), StandardsError> {
    let n = query.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(StandardsError::invalid(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters, got {n}"),
        ));
    }
    if query.trim().is_empty() && !has_filters {
        return Err(StandardsError::invalid(
            "query",
            "is empty: give words, a standard code, or at least one filter",
        ));
    }
    Ok(())
}

/// The title to show: Chinese when the record has one, else English.
pub fn display_title(s: &Standard) -> &str {
    if !s.title_zh.is_empty() {
        &s.title_zh
    } else if !s.title_en.is_empty() {
        &s.title_en
    } else {
        &s.title_fr
    }
}

/// Wraps words of `title` that match query terms in `<b>…</b>`: Chinese
/// terms by substring, English words by their stem prefix.
pub fn highlight(title: &str, terms: &[String]) -> String {
    Highlighter::new(terms).mark(title)
}

/// A query's terms, prepared once to highlight the title of every hit
/// ([`highlight`]).
///
/// This runs for every hit of every query, so it finds a term by its first
/// character ([`text::find_from`]: titles and terms are short, and setting
/// up `str::find`'s two-way searcher on every call cost more than the
/// search), only lower-cases a title that has upper-case letters, and
/// copies runs of the title rather than characters.
struct Highlighter<'a> {
    /// English terms of letters and digits (most of them: stems), marked
    /// where a word of the title starts with one, found in one pass over
    /// the title's words however many there are (a Chinese query brings a
    /// dozen English words from the term list).
    words: Vec<&'a str>,
    /// The lower-cased first bytes of `words`, one bit each: most words of
    /// a title start with none of them and are passed over at once.
    word_starts: u128,
    /// The other terms long enough to mark, and whether each is Chinese.
    others: Vec<(&'a str, bool)>,
    /// Whether some of `others` is not Chinese (so could be in an English
    /// title).
    latin_others: bool,
}

impl<'a> Highlighter<'a> {
    fn new(terms: &'a [String]) -> Self {
        let mut words = Vec::new();
        let mut others = Vec::new();
        for t in terms {
            let cjk = text::has_cjk(t);
            if t.chars().count() < 2 && !cjk {
                continue;
            }
            if !cjk && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
                words.push(t.as_str());
            } else {
                others.push((t.as_str(), cjk));
            }
        }
        let word_starts = words.iter().fold(0, |bits, w| {
            bits | 1u128 << w.as_bytes()[0].to_ascii_lowercase()
        });
        let latin_others = others.iter().any(|&(_, cjk)| !cjk);
        Self {
            words,
            word_starts,
            others,
            latin_others,
        }
    }

    fn mark(&self, title: &str) -> String {
        let mut out = String::with_capacity(title.len() + 16);
        let mut marks: Vec<bool> = Vec::new();
        let mut mark = |from: usize, to: usize| {
            if marks.is_empty() {
                marks = vec![false; title.len()];
            }
            marks[from..to].fill(true);
        };
        // An English title, and no term but English words that could be in
        // it: no lower-cased copy (the words compare without case).
        if title.is_ascii() && !self.latin_others {
            self.mark_words(title.as_bytes(), &mut mark);
        } else {
            let lower: std::borrow::Cow<str> = if !title.is_ascii() {
                title.to_lowercase().into()
            } else if title.bytes().any(|b| b.is_ascii_uppercase()) {
                title.to_ascii_lowercase().into()
            } else {
                title.into()
            };
            // Lower-casing that changed the length would shift the marks:
            // such a title is shown unmarked.
            if lower.len() == title.len() {
                self.mark_words(lower.as_bytes(), &mut mark);
                for &(term, cjk) in &self.others {
                    let mut start = 0;
                    while let Some(at) = text::find_from(&lower, term, start) {
                        start = at + term.len();
                        let lower = lower.as_bytes();
                        // Extend English matches to the end of the word (stems are prefixes).
                        let mut end = at + term.len();
                        if !cjk {
                            if at > 0 && lower[at - 1].is_ascii_alphanumeric() {
                                continue;
                            }
                            while end < lower.len() && lower[end].is_ascii_alphanumeric() {
                                end += 1;
                            }
                        }
                        mark(at, end);
                    }
                }
            }
        }
        // Marks start and end on character boundaries (a match of UTF-8 in
        // UTF-8 does, and words extend over ASCII), so runs of equal marks
        // are runs of characters.
        let mut at = 0;
        while at < title.len() {
            let marked = marks.get(at).copied().unwrap_or(false);
            let end = marks
                .get(at..)
                .and_then(|rest| rest.iter().position(|&m| m != marked))
                .map_or(title.len(), |n| at + n);
            if marked {
                out.push_str("<b>");
            }
            push_escaped(&mut out, &title[at..end]);
            if marked {
                out.push_str("</b>");
            }
            at = end;
        }
        out
    }

    /// Marks each word (a run of ASCII letters and digits) of `title` that
    /// starts with one of [`Self::words`], ignoring case: where the other
    /// terms' search would find an English term at a word's start and
    /// extend the mark to the word's end.
    fn mark_words(&self, title: &[u8], mark: &mut impl FnMut(usize, usize)) {
        if self.words.is_empty() {
            return;
        }
        let mut at = 0;
        while at < title.len() {
            if !title[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let start = at;
            while at < title.len() && title[at].is_ascii_alphanumeric() {
                at += 1;
            }
            let word = &title[start..at];
            if self.word_starts & 1u128 << word[0].to_ascii_lowercase() != 0
                && self.words.iter().any(|w| {
                    word.len() >= w.len() && word[..w.len()].eq_ignore_ascii_case(w.as_bytes())
                })
            {
                mark(start, at);
            }
        }
    }
}

/// `text` with `&`, `<` and `>` escaped.
fn push_escaped(out: &mut String, text: &str) {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(escaped);
        run = i + 1;
    }
    out.push_str(&text[run..]);
}

/// What an enterprise brings to candidate retrieval.
#[derive(Debug, Clone, Default)]
pub struct CandidateParams {
    pub products: Vec<String>,
    pub industries: Vec<String>,
    pub ics_groups: Vec<String>,
    pub markets: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, Default)]
pub struct CandidateHit {
    pub ord: u64,
    pub text_score: f32,
    pub ics_match_depth: u32,
    pub matched_terms: Vec<String>,
    pub matched_products: Vec<String>,
    pub mandatory_in_market: bool,
    pub referenced_by: String,
    /// Score relative to the best hit of the same product, 0..1.
    pub match_strength: f32,
    /// How strongly regulations name it together with a standard matched by
    /// a product, 0..1: the link's confidence × that standard's match strength
    /// (the strongest over the matched standards; 0 when none).
    pub cocitation: f32,
}

#[derive(Debug, Clone, Default)]
pub struct CandidatesResult {
    pub candidates: Vec<CandidateHit>,
    pub unmatched_products: Vec<String>,
    pub expanded_terms: Vec<String>,
}

/// Most candidates added for the company they keep in regulations.
const MAX_COCITED: usize = 40;

/// A line brought in at least this strongly brings its own linked lines …
const SECOND_HOP_FROM: f32 = 0.3;
/// … at this fraction of its strength times the link's confidence.
const SECOND_HOP_WEIGHT: f32 = 0.4;

/// How strongly an industry key brings the lines regulations name for the
/// industry in a market, against 0.5–1 for a candidate standard.
const INDUSTRY_WEIGHT: f32 = 1.0;

/// How strongly the lines regulations name for the enterprise's industry in
/// its markets (`stdnav_core::regulation`) are brought, times their weight.
const REGULATION_WEIGHT: f32 = 0.6;

/// `IEC 60335-2-40` → `IEC 60335-1`: the general part of a particular part.
fn general_part_base(id: &str) -> Option<String> {
    let code = StdCode::parse(id).ok()?;
    let base = code.base();
    let (prefix, number) = base.rsplit_once(' ')?;
    let mut parts = number.split('-');
    let series = parts.next()?;
    if parts.next()? == "2" && parts.next().is_some() {
        Some(format!("{prefix} {series}-1"))
    } else {
        None
    }
}

impl Snapshot {
    pub fn candidates(&self, p: &CandidateParams) -> Result<CandidatesResult, StandardsError> {
        let f = self.fields;
        let limit = if p.limit == 0 {
            200
        } else {
            p.limit.min(MAX_CANDIDATES)
        };
        let in_force =
            || -> Box<dyn Query> { any_of(f.status, ["current".into(), "upcoming".into()]) };
        let Regimes { china, eu } = Regimes::of(&p.markets);
        let mut ics_groups: Vec<String> = p.ics_groups.clone();
        let reference = Reference::get();
        for industry in &p.industries {
            for ics in reference.ics_for_industry(industry) {
                if !ics_groups.contains(&ics) {
                    ics_groups.push(ics);
                }
            }
        }
        let ics_boost: Vec<(Occur, Box<dyn Query>)> = ics_groups
            .iter()
            .filter(|g| is_ics_code(g))
            .map(|g| (Occur::Should, boosted(term_query(f.ics, g), 0.5)))
            .collect();

        let mut found: HashMap<u64, CandidateHit> = HashMap::new();
        let mut unmatched = Vec::new();
        let mut expanded: Vec<String> = Vec::new();
        let searcher = self.searcher();
        let per_product = (limit * 2 / p.products.len().max(1)).clamp(20, 150);
        for product in &p.products {
            let key = (product.clone(), ics_groups.clone(), per_product);
            let hits = match self.product_hits.get(&key) {
                Some(hits) => hits,
                None => {
                    let hits =
                        Arc::new(self.product_hits(&searcher, product, &ics_boost, per_product)?);
                    self.product_hits.insert(key, hits.clone());
                    hits
                }
            };
            for t in &hits.expanded {
                if !expanded.contains(t) {
                    expanded.push(t.clone());
                }
            }
            if hits.kept.is_empty() {
                unmatched.push(product.clone());
                continue;
            }
            let best = hits.best;
            for h in &hits.kept {
                let entry = found.entry(h.ord).or_insert_with(|| CandidateHit {
                    ord: h.ord,
                    ..Default::default()
                });
                entry.text_score = entry.text_score.max(h.score);
                if best > 0.0 {
                    entry.match_strength = entry.match_strength.max(h.score / best);
                }
                entry.matched_products.push(product.clone());
                for t in &h.matched_terms {
                    if !entry.matched_terms.contains(t) {
                        entry.matched_terms.push(t.clone());
                    }
                }
            }
        }

        // Mandatory national standards of the industry's ICS groups (China).
        if china && !ics_groups.is_empty() {
            let groups: Vec<String> = ics_groups
                .iter()
                .filter(|g| is_ics_code(g))
                .cloned()
                .collect();
            if !groups.is_empty() {
                let q = BooleanQuery::new(vec![
                    (Occur::Must, any_of(f.ics, groups)),
                    (Occur::Must, term_query(f.nature, "mandatory")),
                    (Occur::Must, term_query(f.level, "national")),
                    (Occur::Must, in_force()),
                ]);
                let top = searcher
                    .search(&q, &TopDocs::with_limit(100).order_by_score())
                    .map_err(StandardsError::index)?;
                for h in self.hits(&searcher, top)? {
                    found.entry(h.ord).or_insert_with(|| CandidateHit {
                        ord: h.ord,
                        ..Default::default()
                    });
                }
            }
        }

        // Management systems every enterprise is offered.
        for base in stdnav_core::management::offered(china) {
            if let Some(s) = self.catalogue.latest_of(base)
                && s.status == Status::Current
                && let Some(ord) = self.ord_of(&s.id)
            {
                found.entry(ord).or_insert_with(|| CandidateHit {
                    ord,
                    matched_terms: vec!["management system".into()],
                    ..Default::default()
                });
            }
        }

        // Keep the best by text relevance, then add what they reference:
        // normative references and the general part of a particular part.
        let mut list: Vec<CandidateHit> = found.into_values().collect();
        list.sort_by(|a, b| {
            b.text_score
                .partial_cmp(&a.text_score)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.ord.cmp(&b.ord))
        });
        list.truncate(limit);
        let mut have: HashSet<u64> = list.iter().map(|c| c.ord).collect();
        let mut referenced = Vec::new();
        for c in &list {
            let Some(s) = self.record(c.ord) else {
                continue;
            };
            for &ord in self.references_in_force(c.ord).iter() {
                if have.insert(ord) {
                    referenced.push(CandidateHit {
                        ord,
                        text_score: c.text_score * 0.5,
                        matched_products: c.matched_products.clone(),
                        referenced_by: s.id.clone(),
                        ..Default::default()
                    });
                }
            }
        }
        list.extend(referenced);
        let industry_keys = stdnav_core::cocited::industry_keys(&p.industries, &p.markets);
        let regulation = NamedByRegulation::get().for_industries(&p.industries, &p.markets);
        self.add_cocited(&mut list, &mut have, &industry_keys, &regulation);

        for c in &mut list {
            if let Some(s) = self.record(c.ord) {
                c.ics_match_depth = stdnav_core::ics::match_depth(&s.ics, &ics_groups);
                c.mandatory_in_market =
                    (china && s.nature == Nature::Mandatory && s.level == Level::National)
                        || (eu && s.keywords.iter().any(|k| k == "Harmonised Standard"));
            }
        }
        Ok(CandidatesResult {
            candidates: list,
            unmatched_products: unmatched,
            expanded_terms: expanded,
        })
    }

    /// Standards regulations name together with the candidates, and for the
    /// enterprise's industry in its markets (`stdnav_core::cocited`): each
    /// in-force edition of a linked line combines (noisy-or) `confidence ×
    /// weight` over its links, and strongly brought lines bring theirs one
    /// hop further, damped — a candidate weighs `0.5 + 0.5 × match
    /// strength` (a reference counts with its referrer's strength), an
    /// industry key [`INDUSTRY_WEIGHT`], a line the industry's regulations
    /// name [`REGULATION_WEIGHT`] times its breadth — and those not yet candidates are
    /// added (at most [`MAX_COCITED`]), carrying the products of the standard
    /// that brought them.
    fn add_cocited(
        &self,
        list: &mut Vec<CandidateHit>,
        have: &mut HashSet<u64>,
        industry_keys: &[String],
        regulation: &[(&str, f32)],
    ) {
        let table = CoCited::get();
        if table.is_empty() && regulation.is_empty() {
            return;
        }
        // A general part or normative reference stands for the product its
        // referrer matched (IEC 60335-1 for the heat pump of IEC 60335-2-40).
        let matched: HashMap<&str, f32> = list
            .iter()
            .filter(|c| c.match_strength > 0.0)
            .filter_map(|c| Some((self.record(c.ord)?.id.as_str(), c.match_strength)))
            .collect();
        // Per edition: the combined value, the candidate of its strongest
        // link (none for an industry key) and that link's value.
        let mut strength = HashMap::new();
        type Strengths = HashMap<u64, (f32, Option<usize>, f32)>;
        let link = |strength: &mut Strengths, line: &str, value: f32, from: Option<usize>| {
            let Some(edition) = self.catalogue.in_force_of_line(line) else {
                return;
            };
            let Some(ord) = self.ord_of(&edition.id) else {
                return;
            };
            // Several links to one line are several regulations' worth of
            // evidence: combined as independent ones (noisy-or), the
            // strongest link's candidate kept as the one that brought it.
            let entry = strength.entry(ord).or_insert((0.0, from, 0.0));
            entry.0 = 1.0 - (1.0 - entry.0) * (1.0 - value.clamp(0.0, 1.0));
            if value > entry.2 {
                entry.1 = from;
                entry.2 = value;
            }
        };
        for (i, c) in list.iter().enumerate() {
            let trigger = matched
                .get(c.referenced_by.as_str())
                .map_or(c.match_strength, |m| m.max(c.match_strength));
            // Any candidate brings its company (a contaminants standard found
            // through the food ICS group brings the others); one its product
            // names, twice as strongly as one found otherwise.
            let weight = 0.5 + 0.5 * trigger.clamp(0.0, 1.0);
            let Some(s) = self.record(c.ord) else {
                continue;
            };
            for (line, confidence) in table.of(&base_of(&s.id)) {
                link(&mut strength, line, confidence * weight, Some(i));
            }
        }
        for key in industry_keys {
            for (line, confidence) in table.of(key) {
                link(&mut strength, line, confidence * INDUSTRY_WEIGHT, None);
            }
        }
        for (line, weight) in regulation {
            link(&mut strength, line, weight * REGULATION_WEIGHT, None);
        }
        // One hop further: a line brought in strongly (a horizontal the
        // industry's regulations name) brings its own company, damped.
        let first_hop: Vec<(u64, f32, Option<usize>)> = strength
            .iter()
            .filter(|(_, (value, _, _))| *value >= SECOND_HOP_FROM)
            .map(|(ord, (value, from, _))| (*ord, *value, *from))
            .collect();
        for (ord, value, from) in first_hop {
            let Some(s) = self.record(ord) else { continue };
            for (line, confidence) in table.of(&base_of(&s.id)) {
                link(
                    &mut strength,
                    line,
                    value * confidence * SECOND_HOP_WEIGHT,
                    from,
                );
            }
        }
        for c in list.iter_mut() {
            if let Some((value, _, _)) = strength.get(&c.ord) {
                c.cocitation = *value;
            }
        }
        let mut added: Vec<(u64, f32, Option<usize>)> = strength
            .into_iter()
            .filter(|(ord, _)| !have.contains(ord))
            .map(|(ord, (value, from, _))| (ord, value, from))
            .collect();
        added.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        added.truncate(MAX_COCITED);
        for (ord, value, from) in added {
            have.insert(ord);
            let matched_products = from
                .map(|i| list[i].matched_products.clone())
                .unwrap_or_default();
            list.push(CandidateHit {
                ord,
                matched_products,
                cocitation: value,
                ..Default::default()
            });
        }
    }

    /// One product's retrieval (see [`Snapshot::candidates`]): its words in
    /// force, boosted by the enterprise's ICS groups; only hits reasonably
    /// close to the best are kept.
    fn product_hits(
        &self,
        searcher: &tantivy::Searcher,
        product: &str,
        ics_boost: &[(Occur, Box<dyn Query>)],
        per_product: usize,
    ) -> Result<ProductHits, StandardsError> {
        let f = self.fields;
        let (text, terms) = self.text_clauses(product);
        let mut out = ProductHits {
            expanded: text::expand(product, Reference::get()).en,
            ..Default::default()
        };
        if text.is_empty() {
            return Ok(out);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(text))),
            (
                Occur::Must,
                any_of(f.status, ["current".into(), "upcoming".into()]),
            ),
        ];
        clauses.extend(ics_boost.iter().map(|(o, q)| (*o, q.box_clone())));
        let q = BooleanQuery::new(clauses);
        let top = searcher
            .search_with_statistics_provider(
                &q,
                &TopDocs::with_limit(per_product).order_by_score(),
                &QueryStats::new(self, Vec::new()),
            )
            .map_err(StandardsError::index)?;
        // A title whose qualifier contradicts the product's (a gas water
        // heater and electric storage water heaters) or that names a niche
        // application the product does not (oil-well cements for cement)
        // shares words with it but is not about it.
        let product_lower = product.to_lowercase();
        // Each hit with its titles, lower case, read once for the qualifier
        // check and the matched terms.
        let mut hits: Vec<(Hit, String)> = self
            .hits(searcher, top)?
            .into_iter()
            .map(|mut h| {
                let title = self
                    .record(h.ord)
                    .map(|s| format!("{} {}", s.title_zh, s.title_en).to_lowercase())
                    .unwrap_or_default();
                h.score *= qualifier_factor(&product_lower, &title);
                (h, title)
            })
            .collect();
        hits.sort_by(|(a, _), (b, _)| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
        // A product word that also appears in unrelated titles should not
        // drag in the whole catalogue.
        out.best = hits.first().map(|(h, _)| h.score).unwrap_or(0.0);
        let best = out.best;
        out.kept = hits
            .into_iter()
            .filter(|(h, _)| h.score >= best * 0.25)
            .map(|(h, title)| {
                let mut matched_terms: Vec<String> = Vec::new();
                for t in &terms {
                    if title.contains(t.as_str()) && !matched_terms.contains(t) {
                        matched_terms.push(t.clone());
                    }
                }
                ProductHit {
                    ord: h.ord,
                    score: h.score,
                    matched_terms,
                }
            })
            .collect();
        Ok(out)
    }

    /// The current editions a record references normatively, and the
    /// general part of a particular part, in force; computed once per record.
    fn references_in_force(&self, ord: u64) -> Arc<[u64]> {
        if let Some(refs) = self.references.get(&ord) {
            return refs;
        }
        let mut refs: Vec<String> = Vec::new();
        if let Some(s) = self.record(ord) {
            refs.extend(s.normative_refs.iter().filter_map(|r| {
                let path = self.catalogue.path_to_current(r);
                path.last().cloned()
            }));
            if let Some(general) = general_part_base(&s.id)
                && let Some(g) = self.catalogue.latest_of(&general)
            {
                refs.push(g.id.clone());
            }
        }
        let ords: Arc<[u64]> = refs
            .iter()
            .filter_map(|r| self.ord_of(r))
            .filter(|o| self.record(*o).is_none_or(|x| x.status == Status::Current))
            .collect();
        self.references.insert(ord, ords.clone());
        ords
    }

    /// The document ordinal of a record id.
    pub fn ord_of(&self, id: &str) -> Option<u64> {
        // Records are indexed in catalogue order, so the ordinal is the position.
        self.catalogue.position(id).map(|p| p as u64)
    }

    /// Facet counts over the whole catalogue, for reports.
    pub fn overview(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for s in self.catalogue.records() {
            *m.entry(status_str(s.status).to_string()).or_insert(0) += 1;
        }
        m
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn conflicting_qualifiers_and_unnamed_niches_count_against_a_title() {
        let q = |p: &str, t: &str| super::qualifier_factor(&p.to_lowercase(), &t.to_lowercase());
        let electric = "Household and similar electrical appliances - Safety - Part 2-21: Particular requirements for storage water heaters";
        assert_eq!(q("gas water heater", electric), 0.3);
        assert_eq!(
            q(
                "燃气热水器",
                "家用和类似用途电器的安全 储水式热水器的特殊要求"
            ),
            0.3
        );
        assert_eq!(q("electric water heater", electric), 1.0);
        assert_eq!(q("热泵热水器", "储水式电热水器能效限定值及能效等级"), 0.3);
        assert_eq!(q("热泵热水器", "家用和类似用途热泵热水器"), 1.0);
        assert_eq!(q("电热水器", "家用和类似用途热泵热水器"), 0.3);
        assert_eq!(
            q("gas water heater", "Gas-fired instantaneous water heaters"),
            1.0
        );
        let wood =
            "Safety of woodworking machines - Part 6: Single spindle vertical moulding machines";
        assert_eq!(q("injection moulding machine", wood), 0.3);
        assert_eq!(q("注塑机", "木工机床安全"), 0.3);
        assert_eq!(
            q(
                "injection moulding machine",
                "Plastics and rubber machines - Injection moulding machines - Safety requirements"
            ),
            1.0
        );
        let oil = "Petroleum and natural gas industries - Cements and materials for well cementing - Part 1: Specification";
        assert_eq!(q("cement", oil), 0.6);
        assert_eq!(q("oil-well cement", "Cements for oil-well cementing"), 1.0);
        assert_eq!(
            q(
                "cement",
                "Cement - Test methods - Determination of strength"
            ),
            1.0
        );
        assert_eq!(
            q(
                "热泵热水器",
                "家用燃气快速热水器和燃气采暖热水炉能效限定值及能效等级"
            ),
            0.3
        );
        assert_eq!(
            q("热泵热水器", "家用和类似用途电器的安全 第1部分：通用要求"),
            1.0
        );
    }

    use super::*;

    #[test]
    fn code_queries_are_recognised() {
        assert!(code_like("IEC 60335-2-40").is_some());
        assert!(code_like("60335-2-40").is_some());
        assert!(code_like("iec60335-2-40:2018").is_some());
        assert!(code_like("air conditioner safety").is_none());
        assert!(code_like("质量管理体系").is_none());
    }

    #[test]
    fn highlight_marks_words() {
        assert_eq!(
            highlight("Quality management systems", &["manag".to_string()]),
            "Quality <b>management</b> systems"
        );
        assert_eq!(
            highlight("质量管理体系 要求", &["管理".to_string()]),
            "质量<b>管理</b>体系 要求"
        );
        assert_eq!(highlight("a < b", &[]), "a &lt; b");
    }

    /// The highlighting of 2026-11-24, before it was made faster: the new
    /// one must give the same output. Wraps words of `title` that match
    /// query terms in `<b>…</b>`: Chinese terms by substring, English words by their stem prefix.
    fn highlight_before(title: &str, terms: &[String]) -> String {
        let escaped = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        if terms.is_empty() {
            return escaped(title);
        }
        let lower = title.to_lowercase();
        let mut marks = vec![false; title.len()];
        for term in terms
            .iter()
            .filter(|t| t.chars().count() >= 2 || text::has_cjk(t))
        {
            let mut start = 0;
            while let Some(pos) = lower[start..].find(term.as_str()) {
                let at = start + pos;
                if lower.len() == title.len() {
                    // Extend English matches to the end of the word (stems are prefixes).
                    let mut end = at + term.len();
                    if !text::has_cjk(term) {
                        while end < lower.len() && lower.as_bytes()[end].is_ascii_alphanumeric() {
                            end += 1;
                        }
                        let word_start =
                            at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
                        if !word_start {
                            start = at + term.len();
                            continue;
                        }
                    }
                    for m in &mut marks[at..end] {
                        *m = true;
                    }
                }
                start = at + term.len();
            }
        }
        let mut out = String::with_capacity(title.len() + 16);
        let mut open = false;
        for (i, c) in title.char_indices() {
            if marks[i] && !open {
                out.push_str("<b>");
                open = true;
            } else if !marks[i] && open {
                out.push_str("</b>");
                open = false;
            }
            // Escaped char by char without allocating (this runs for every hit).
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        if open {
            out.push_str("</b>");
        }
        out
    }

    #[test]
    fn highlight_is_unchanged() {
        let titles = [
            "Quality management systems — Requirements",
            "Household and similar electrical appliances - Safety - Part 2-40: Particular requirements for electrical heat pumps, air-conditioners and dehumidifiers",
            "QUALITY & safety <draft> of MANAGEMENT systems",
            "质量管理体系 要求",
            "家用和类似用途电器的安全 第1部分：通用要求",
            "Électricité — Sécurité des appareils électrodomestiques",
            "İstanbul ǅ test of the İİ management",
            "a < b && c > d",
            "",
            "Safety safety SAFETY safetyfirst unsafety",
            "Radio equipment 2,4 GHz; RLAN 5 GHz wide band",
        ];
        let term_sets: [&[&str]; 10] = [
            &[],
            &["manag", "system", "requir"],
            &["safeti", "safety", "air", "condition", "heat", "pump"],
            &["管理", "体系", "安全", "电器"],
            &["a", "b", "&", "<", "ab"],
            &["ty", "afe", "safety"],
            &["2", "4", "ghz", "rlan", "5"],
            &["é", "sécurité", "appar", "i̇stanbul", "i̇i̇"],
            &["quality", "of", "the", "test", "managem"],
            // A Chinese query with the English words its terms reached.
            &[
                "空调",
                "air",
                "condition",
                "heat",
                "pump",
                "dehumidifi",
                "电器",
            ],
        ];
        for title in titles {
            for terms in term_sets {
                let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
                assert_eq!(
                    highlight(title, &terms),
                    highlight_before(title, &terms),
                    "{title:?} {terms:?}"
                );
            }
        }
    }

    #[test]
    fn ics_codes_and_general_parts() {
        assert_eq!(
            general_part_base("IEC 60335-2-40:2022").as_deref(),
            Some("IEC 60335-1")
        );
        assert_eq!(general_part_base("IEC 60335-1:2020"), None);
        assert!(is_ics_code("97.040.30") && is_ics_code("97") && !is_ics_code("9a"));
    }
}
