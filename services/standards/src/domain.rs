//! The standards service's domain: what each RPC does, without transport types.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, OnceLock};

use stdnav_core::catalogue::{self, Format};
use stdnav_core::code;
use stdnav_core::source::{CatalogueSource, CatalogueView, IngestObserver};
use stdnav_core::standard::{AdoptionDegree, Standard, Status};

use crate::error::StandardsError;
use crate::progress::Silent;
use crate::search::{CandidateHit, FacetKind, Filters, SearchParams};
use crate::snapshot::Snapshot;
use crate::store::{CatalogueStore, IngestReport};
use crate::{check, extract};
use stdnav_core::retrieval::CandidateQuery;

/// A record with what the catalogue graph knows about it.
#[derive(Debug, Clone)]
pub struct StandardView {
    pub standard: Standard,
    pub adopted_by: Vec<String>,
    pub in_degree: u32,
    /// The record's line (code without year).
    pub line: Arc<str>,
}

impl StandardView {
    pub fn as_ref(&self) -> StandardRef<'_> {
        StandardRef {
            standard: &self.standard,
            adopted_by: &self.adopted_by,
            in_degree: self.in_degree,
            line: &self.line,
        }
    }
}

/// A [`StandardView`] borrowed from a snapshot: converting a few hundred
/// candidates copies each record once, into the answer.
#[derive(Debug, Clone, Copy)]
pub struct StandardRef<'a> {
    pub standard: &'a Standard,
    pub adopted_by: &'a [String],
    pub in_degree: u32,
    pub line: &'a str,
}

impl StandardRef<'_> {
    pub fn to_view(self) -> StandardView {
        StandardView {
            standard: self.standard.clone(),
            adopted_by: self.adopted_by.to_vec(),
            in_degree: self.in_degree,
            line: self.line.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchHitView {
    pub standard: StandardView,
    pub score: f32,
    pub highlighted_title: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    pub hits: Vec<SearchHitView>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub facets: Vec<(FacetKind, Vec<(String, u64)>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub input: String,
    pub normalized: String,
    pub standard: Option<StandardView>,
    pub current: Option<StandardView>,
    pub path: Vec<String>,
    pub error: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    Replaces,
    NormativeRef,
    Adopts,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub degree: Option<AdoptionDegree>,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub published: String,
    pub known: bool,
}

#[derive(Debug, Clone)]
pub struct Lineage {
    pub root: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// An enterprise's candidates over the snapshot they were found in.
#[derive(Clone)]
pub struct Candidates {
    snapshot: Arc<Snapshot>,
    hits: Vec<CandidateHit>,
    pub unmatched_products: Vec<String>,
    pub expanded_terms: Vec<String>,
}

impl Candidates {
    /// Each candidate with its record, in retrieval order.
    pub fn iter(&self) -> impl Iterator<Item = (&CandidateHit, StandardRef<'_>)> {
        self.hits.iter().filter_map(|c| {
            Standards::view_ref(&self.snapshot, c.ord).map(|standard| (c, standard))
        })
    }
}

pub const MAX_RESOLVE: usize = 2000;
pub const MAX_LINEAGE_DEPTH: u32 = 10;

/// The standards domain. The catalogue loads after the server starts
/// listening; until then every call answers [`StandardsError::NotReady`].
#[derive(Default)]
pub struct Standards {
    store: OnceLock<Arc<CatalogueStore>>,
    observer: OnceLock<IngestObserver>,
}

/// The catalogue the change service reads in this process (none while loading).
impl CatalogueSource for Standards {
    fn snapshot(&self) -> Option<Arc<dyn CatalogueView>> {
        self.current_snapshot()
            .map(|s| -> Arc<dyn CatalogueView> { s })
    }
}

impl Standards {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_store(store: Arc<CatalogueStore>) -> Self {
        let s = Self::new();
        let _ = s.store.set(store);
        s
    }

    /// Installs the loaded catalogue; later calls are answered from it.
    pub fn set_store(&self, store: Arc<CatalogueStore>) {
        let _ = self.store.set(store);
    }

    /// Installs the ingest observer (once).
    pub fn set_ingest_observer(&self, observer: IngestObserver) {
        let _ = self.observer.set(observer);
    }

    /// The catalogue now, None while it is loading.
    pub fn current_snapshot(&self) -> Option<Arc<Snapshot>> {
        self.store.get().map(|s| s.snapshot())
    }

    /// The catalogue as stored, for a replica in another service
    /// ([`CatalogueStore::export`]).
    pub fn export(&self, unless_version: &str) -> Result<crate::store::Export, StandardsError> {
        self.store
            .get()
            .ok_or(StandardsError::NotReady)?
            .export(unless_version)
    }

    pub fn is_ready(&self) -> bool {
        self.store.get().is_some()
    }

    fn snapshot(&self) -> Result<Arc<Snapshot>, StandardsError> {
        Ok(self.store.get().ok_or(StandardsError::NotReady)?.snapshot())
    }

    fn view(snapshot: &Snapshot, s: &Standard) -> StandardView {
        snapshot
            .catalogue
            .position(&s.id)
            .and_then(|at| Self::view_ref(snapshot, at as u64))
            .map(StandardRef::to_view)
            // Not a catalogue record: nothing links to it.
            .unwrap_or_else(|| StandardView {
                standard: s.clone(),
                adopted_by: Vec::new(),
                in_degree: 0,
                line: catalogue::base_of(&s.id).into(),
            })
    }

    /// The view of the record at catalogue ordinal `ord` (a search hit):
    /// its links are found by ordinal, without hashing its id.
    fn view_at(snapshot: &Snapshot, ord: u64) -> Option<StandardView> {
        Self::view_ref(snapshot, ord).map(StandardRef::to_view)
    }

    /// `in_degree` is adopters plus referrers.
    fn view_ref(snapshot: &Snapshot, ord: u64) -> Option<StandardRef<'_>> {
        let standard = snapshot.record(ord)?;
        let (catalogue, at) = (&snapshot.catalogue, ord as usize);
        let adopted_by = catalogue.adopted_by_at(at);
        Some(StandardRef {
            standard,
            adopted_by,
            in_degree: (adopted_by.len() + catalogue.referenced_by_at(at).len()) as u32,
            line: catalogue.line_at(at),
        })
    }

    pub fn search(&self, params: &SearchParams) -> Result<SearchPage, StandardsError> {
        let snap = self.snapshot()?;
        let result = snap.search(params)?;
        let hits = result
            .hits
            .into_iter()
            .filter_map(|h| {
                Self::view_at(&snap, h.ord).map(|standard| SearchHitView {
                    standard,
                    score: h.score,
                    highlighted_title: h.highlighted_title,
                })
            })
            .collect();
        Ok(SearchPage {
            hits,
            total: result.total,
            page: params.page.max(1),
            page_size: if params.page_size == 0 {
                10
            } else {
                params.page_size
            },
            facets: result.facets,
        })
    }

    pub fn get(&self, id: &str) -> Result<StandardView, StandardsError> {
        if id.trim().is_empty() {
            return Err(StandardsError::invalid("id", "is empty"));
        }
        if id.chars().count() > 200 {
            return Err(StandardsError::invalid("id", "at most 200 characters"));
        }
        let snap = self.snapshot()?;
        snap.catalogue
            .resolve(id)
            .map(|s| Self::view(&snap, s))
            .ok_or_else(|| StandardsError::NotFound(id.to_string()))
    }

    pub fn resolve(&self, codes: &[String]) -> Result<Vec<Resolution>, StandardsError> {
        if codes.len() > MAX_RESOLVE {
            return Err(StandardsError::invalid(
                "codes",
                format!("at most {MAX_RESOLVE} codes per call"),
            ));
        }
        let snap = self.snapshot()?;
        Ok(codes
            .iter()
            .map(|input| {
                let mut r = Resolution {
                    input: input.clone(),
                    ..Default::default()
                };
                match code::normalize(input) {
                    Ok(n) => r.normalized = n,
                    Err(e) if !input.trim().to_uppercase().starts_with("ETSI ") => {
                        r.error = e.to_string();
                        return r;
                    }
                    Err(_) => r.normalized = input.trim().to_string(),
                }
                let Some(found) = snap.catalogue.resolve(input) else {
                    r.error = "not in the catalogue".into();
                    return r;
                };
                r.path = snap.catalogue.path_to_current(&found.id);
                if found.status != Status::Current
                    && let Some(cur) = r.path.last().and_then(|id| snap.catalogue.get(id))
                    && cur.id != found.id
                    && cur.status == Status::Current
                {
                    r.current = Some(Self::view(&snap, cur));
                }
                r.standard = Some(Self::view(&snap, found));
                r
            })
            .collect())
    }

    /// Editions both ways, adoptions both ways and normative references
    /// both ways, breadth-first up to `depth` edges from the root.
    pub fn lineage(&self, id: &str, depth: u32) -> Result<Lineage, StandardsError> {
        let depth = if depth == 0 { 5 } else { depth };
        if depth > MAX_LINEAGE_DEPTH {
            return Err(StandardsError::invalid(
                "depth",
                format!("at most {MAX_LINEAGE_DEPTH}"),
            ));
        }
        let root = self.get(id)?.standard.id;
        let snap = self.snapshot()?;
        let cat = &snap.catalogue;
        let mut edges: BTreeSet<Edge> = BTreeSet::new();
        let mut seen: HashSet<String> = HashSet::from([root.clone()]);
        let mut queue = VecDeque::from([(root.clone(), 0u32)]);
        while let Some((at, d)) = queue.pop_front() {
            if d >= depth {
                continue;
            }
            let mut next: Vec<(Edge, String)> = Vec::new();
            if let Some(s) = cat.get(&at) {
                for r in &s.replaces {
                    next.push((edge(&at, r, EdgeKind::Replaces, None), r.clone()));
                }
                for r in &s.replaced_by {
                    next.push((edge(r, &at, EdgeKind::Replaces, None), r.clone()));
                }
                for r in &s.normative_refs {
                    next.push((edge(&at, r, EdgeKind::NormativeRef, None), r.clone()));
                }
                for a in &s.adopts {
                    next.push((edge(&at, &a.id, EdgeKind::Adopts, a.degree), a.id.clone()));
                }
            }
            for by in cat.adopted_by(&at) {
                let degree = cat
                    .get(by)
                    .and_then(|s| s.adopts.iter().find(|a| a.id == at))
                    .and_then(|a| a.degree);
                next.push((edge(by, &at, EdgeKind::Adopts, degree), by.clone()));
            }
            for by in cat.referenced_by(&at) {
                next.push((edge(by, &at, EdgeKind::NormativeRef, None), by.clone()));
            }
            for (e, other) in next {
                edges.insert(e);
                if seen.insert(other.clone()) {
                    queue.push_back((other, d + 1));
                }
            }
        }
        let mut nodes: Vec<Node> = seen
            .into_iter()
            .map(|id| match cat.get(&id) {
                Some(s) => Node {
                    id: id.clone(),
                    title: crate::search::display_title(s).to_string(),
                    status: s.status,
                    published: s.published.clone().unwrap_or_default(),
                    known: true,
                },
                None => Node {
                    id,
                    title: String::new(),
                    status: Status::Current,
                    published: String::new(),
                    known: false,
                },
            })
            .collect();
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Lineage {
            root,
            nodes,
            edges: edges.into_iter().collect(),
        })
    }

    pub fn statistics(
        &self,
        query: &str,
        filters: &Filters,
        group_by: FacetKind,
        limit: usize,
    ) -> Result<(u64, Vec<(String, u64)>), StandardsError> {
        self.snapshot()?.statistics(query, filters, group_by, limit)
    }

    pub fn candidates(&self, params: &CandidateQuery) -> Result<Candidates, StandardsError> {
        let mut bad = Vec::new();
        if params.products.is_empty() && params.industries.is_empty() {
            bad.push((
                "products".to_string(),
                "give at least one product or industry".to_string(),
            ));
        }
        if params.products.len() > 200 {
            bad.push(("products".into(), "at most 200 products".into()));
        }
        for (i, p) in params.products.iter().enumerate() {
            if p.chars().count() > 200 {
                bad.push((format!("products[{i}]"), "at most 200 characters".into()));
            }
        }
        if params.limit as usize > crate::search::MAX_CANDIDATES {
            bad.push((
                "limit".into(),
                format!("at most {}", crate::search::MAX_CANDIDATES),
            ));
        }
        if !bad.is_empty() {
            return Err(StandardsError::InvalidArgument(bad));
        }
        let snap = self.snapshot()?;
        let result = snap.candidates(params)?;
        Ok(Candidates {
            snapshot: snap,
            hits: result.candidates,
            unmatched_products: result.unmatched_products,
            expanded_terms: result.expanded_terms,
        })
    }

    /// Document check (issue 21): what the documents cite and whether it is
    /// in force ([`crate::check`]). A document that cannot be read is an
    /// invalid `content`, naming the document and why.
    pub fn check_citations(
        &self,
        documents: &[check::Document],
    ) -> Result<check::CheckReport, StandardsError> {
        if documents.is_empty() {
            return Err(StandardsError::invalid("content", "no document given"));
        }
        if documents.len() > check::MAX_DOCUMENTS {
            return Err(StandardsError::invalid(
                "name",
                format!("at most {} documents per check", check::MAX_DOCUMENTS),
            ));
        }
        let snap = self.snapshot()?;
        check::check(&snap.catalogue, documents, &extract::Limits::default())
            .map_err(|e| StandardsError::invalid("content", e.to_string()))
    }

    /// Ingests one source's content (possibly gzip-compressed).
    pub fn ingest(
        &self,
        content: &[u8],
        format: Format,
        source: &str,
    ) -> Result<IngestReport, StandardsError> {
        if source.trim().is_empty() {
            return Err(StandardsError::invalid(
                "source",
                "name the source of the records",
            ));
        }
        let text = catalogue::decode(content)
            .map_err(|e| StandardsError::invalid("content", e.to_string()))?;
        let store = self.store.get().ok_or(StandardsError::NotReady)?;
        let before = store.snapshot();
        let report = store.ingest(&text, format, source, &Silent)?;
        if report.added + report.updated > 0
            && let Some(observe) = self.observer.get()
        {
            observe(&before.catalogue, &store.snapshot().catalogue, source)
                .map_err(|e| StandardsError::Io(format!("recording change events: {e}")))?;
        }
        Ok(report)
    }
}

fn edge(from: &str, to: &str, kind: EdgeKind, degree: Option<AdoptionDegree>) -> Edge {
    Edge {
        from: from.to_string(),
        to: to.to_string(),
        kind,
        degree,
    }
}
