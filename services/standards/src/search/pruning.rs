//! Ranking one page without scoring every match: a top-k heap, the query's
//! BM25 statistics read once, filters read per document, and the pruned and
//! filtered runs built on them.

use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, EnableScoring, Query, Scorer};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, Searcher, TERMINATED, Term};

use crate::error::StandardsError;
use crate::snapshot::{Snapshot, TermDocs};

use super::query::TextClauses;
use super::{Filters, SearchResult};

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
pub(super) struct TopPage {
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
    pub(super) fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub(super) fn push(&mut self, score: Score, segment_ord: u32, doc: DocId) {
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
    pub(super) fn into_page(self, offset: usize) -> Vec<(Score, DocAddress)> {
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
pub(super) struct QueryStats<'a> {
    snapshot: &'a Snapshot,
    searcher: Searcher,
    doc_freqs: Vec<(Term, u64)>,
}

impl<'a> QueryStats<'a> {
    pub(super) fn new(snapshot: &'a Snapshot, doc_freqs: Vec<(Term, u64)>) -> Self {
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

impl Snapshot {
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
    pub(super) fn run_pruned(
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
    /// ([`Self::run_filtered`]) is cheaper than the intersection, which
    /// seeks the text union at each of the filter's documents; a narrower
    /// filter is cheaper leading it.
    pub(super) fn filter_is_broad(
        &self,
        searcher: &Searcher,
        filters: &Filters,
        matches_bound: u64,
    ) -> bool {
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
    /// in the intersection, Tantivy leads with a broad filter's postings
    /// (every current standard, say) and seeks the union of text clauses at
    /// each of them, which costs more than the text query alone. A filter
    /// scores nothing (`ConstScoreQuery(…, 0)`), so the scores are the text
    /// query's.
    pub(super) fn run_filtered(
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
}
