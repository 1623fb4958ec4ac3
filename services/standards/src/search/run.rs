//! Running a search or a statistics query: one page of hits ranked by
//! score × status weight, the total and the facets.

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::error::StandardsError;
use crate::index;
use crate::snapshot::Snapshot;

use super::highlight::Highlighter;
use super::pruning::{QueryStats, TopPage};
use super::query::{any_of, validate_query};
use super::{
    FacetKind, Filters, Hit, MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SearchParams, SearchResult,
    code_like, display_title, highlight,
};

/// An unfiltered text query whose terms' document frequencies add up to at
/// least this is ranked with pruning ([`Snapshot::run_pruned`]): below it,
/// one scoring pass with its count is cheaper than pruning's second pass
/// (the count) and second set of weights.
const PRUNE_FROM_MATCHES: u64 = 5_000;

impl Snapshot {
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

    /// The status weight of each document of `segment` (1 when unknown).
    pub(super) fn status_weight_of(
        &self,
        segment: &SegmentReader,
    ) -> impl Fn(DocId) -> f32 + use<'_> {
        let weights = self.status_weights.get(&segment.segment_id());
        move |doc| {
            weights
                .and_then(|w| w.get(doc as usize))
                .copied()
                .unwrap_or(1.0)
        }
    }

    /// The result of a page collected in `top` from `offset`, of `total` matches.
    pub(super) fn page_of(
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

    pub(super) fn hits(
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
