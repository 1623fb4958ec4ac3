//! Calls the other services through the [`crate::backend`] traits (gRPC
//! clients across processes, the services themselves in one), passing on
//! the tenant and the caller's deadline, and turns their answers into the
//! composer's inputs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use stdnav_core::enterprise::{EnterpriseRecord, Profile};
use stdnav_core::market::Regimes;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::signals::{Holding, Signals};
use stdnav_core::standard::{Level, Provenance, Status};

use crate::backend::{
    Backends, CandidateQuery, CandidateSet, CatalogueStandard, ListQuery, Resolution, ScoreQuery,
};
use crate::compose::{
    self, CandidateInfo, EnterpriseInfo, FastHash, HashMap, HashSet, HeldInfo, IndicatorSpec,
    Inputs, Peers, Scored, StandardInfo,
};
use crate::error::AdvisorError;
use crate::retry::ReadRetry;
use crate::solution::{Gaps, Solution};

/// Who is calling and by when the answer is due.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub tenant: String,
    pub deadline: Option<Instant>,
    /// The caller's API key headers, passed on to the backends so they
    /// authorize the call as the caller (empty without keys).
    pub credentials: tonic::metadata::MetadataMap,
}

/// Default bound on a whole Advise when the caller gives no deadline.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

impl CallContext {
    /// The time a backend call has: what is left before the deadline
    /// ([`DEFAULT_BUDGET`] without one); an error once it has passed.
    pub fn time_left(&self) -> Result<Duration, AdvisorError> {
        let remaining = stdnav_runtime::deadline::remaining(self.deadline, DEFAULT_BUDGET);
        if remaining.is_zero() {
            return Err(AdvisorError::DeadlineExceeded(
                "the deadline passed before the call",
            ));
        }
        Ok(remaining)
    }
}

#[derive(Debug, Clone)]
pub enum Subject {
    /// A stored enterprise, read from the profiling service.
    Uscc(String),
    /// A profile given in the request, validated and enriched first.
    Inline(Box<Profile>),
    /// A stored enterprise's record the caller has already read (a chain
    /// run's listing): not read again.
    Record(Box<EnterpriseRecord>),
}

/// How much of a solution a call needs.
#[derive(Clone, Copy)]
enum Scope {
    Whole,
    Gaps,
}

/// What the advisor reads of a catalogue standard.
pub fn standard_info(s: &CatalogueStandard) -> StandardInfo {
    let st = &s.standard;
    StandardInfo {
        id: st.id.clone(),
        title_zh: st.title_zh.clone(),
        title_en: st.title_en.clone(),
        level: st.level,
        nature: st.nature,
        status: st.status,
        status_inferred: st.status_source == Provenance::Inferred,
        published_year: st
            .published
            .as_deref()
            .and_then(|p| p.get(..4))
            .and_then(|y| y.parse().ok())
            .unwrap_or(0),
        normative_refs: st.normative_refs.clone(),
        adopts: st.adopts.iter().map(|a| (a.id.clone(), a.degree)).collect(),
        adopted_by: s.adopted_by.clone(),
        indicators: st
            .indicators
            .iter()
            .map(|i| IndicatorSpec {
                name: i.name.clone(),
                unit: i.unit.clone(),
                comparator: i.comparator,
                value: i.value,
                max: i.max,
                product: i.product.clone(),
            })
            .collect(),
        illustrative: st.illustrative,
        keywords: st.keywords.clone(),
        // Without the catalogue's line (a standards service older than
        // it), the line is parsed from the id when first asked for.
        line: if s.line.is_empty() {
            Default::default()
        } else {
            std::sync::OnceLock::from(std::sync::Arc::<str>::from(s.line.as_str()))
        },
    }
}

/// A candidate as the advisor keeps it between enterprises: what the
/// composer reads, and the signals that depend on the standard and the
/// retrieval alone. Shared by every enterprise with the same query.
pub struct Retrieved {
    pub info: Arc<CandidateInfo>,
    /// Holding and peer adoption are left unset: they are the enterprise's.
    signals: Signals,
}

impl Retrieved {
    /// `in_degree` is the one signal the advisor's [`StandardInfo`] does
    /// not keep: it is read from the catalogue's record here.
    fn new(info: CandidateInfo, in_degree: u32) -> Self {
        let st = &info.standard;
        let adopted_as = st
            .adopted_by
            .iter()
            .find(|a| a.starts_with("GB"))
            .cloned()
            .unwrap_or_default();
        let signals = Signals {
            id: st.id.clone(),
            text_score: f64::from(info.retrieval.text_score),
            match_strength: f64::from(info.retrieval.match_strength),
            cocitation: f64::from(info.retrieval.cocitation),
            regulation: f64::from(info.retrieval.regulation),
            product_kind: f64::from(info.retrieval.product_kind),
            series_match: f64::from(info.retrieval.series_match),
            ics_match_depth: info.retrieval.ics_match_depth,
            mandatory: st.is_mandatory(),
            mandatory_in_market: info.retrieval.mandatory_in_market,
            level: st.level,
            status: Some(st.status),
            published_year: st.published_year,
            in_degree,
            peer_adoption: 0.0,
            peer_count: 0,
            peer_level: None,
            peer_code: String::new(),
            international_alignment: !st.adopts.is_empty()
                || !st.adopted_by.is_empty()
                || st.level == Level::International,
            holding: Holding::NotHeld,
            referenced: !info.retrieval.referenced_by.is_empty(),
            matched_product: info
                .retrieval
                .matched_products
                .first()
                .cloned()
                .unwrap_or_default(),
            adopted_as,
        };
        Self {
            info: Arc::new(info),
            signals,
        }
    }

    /// Raw signals of this candidate for one enterprise, for the scoring service.
    fn signals(&self, held: &HeldLookup, peers: &Peers) -> Signals {
        let s = &self.info.standard;
        let line = s.line();
        Signals {
            holding: held.holding(&s.id, line),
            peer_adoption: peers.shares.get(line).copied().unwrap_or(0.0),
            // No basis, no peers: the peer signal is absent.
            peer_count: if peers.basis.is_some() { peers.size } else { 0 },
            peer_level: peers.basis.as_ref().map(|b| b.level),
            peer_code: peers
                .basis
                .as_ref()
                .map(|b| b.code.clone())
                .unwrap_or_default(),
            ..self.signals.clone()
        }
    }
}

/// What an enterprise holds, looked up once per candidate instead of
/// walking its held standards (and their paths) for each.
struct HeldLookup<'a> {
    /// Ids of the editions held.
    ids: HashSet<&'a str>,
    /// Lines of the codes held.
    lines: HashSet<&'a str>,
    /// Every edition on the held codes' paths to their current ones.
    on_paths: HashSet<&'a str>,
}

impl<'a> HeldLookup<'a> {
    fn new(held: &'a [HeldInfo]) -> Self {
        let mut lookup = Self {
            ids: HashSet::default(),
            lines: HashSet::default(),
            on_paths: HashSet::default(),
        };
        for h in held {
            if let Some(s) = &h.standard {
                lookup.ids.insert(s.id.as_str());
            }
            lookup.lines.insert(h.line());
            lookup.on_paths.extend(h.path.iter().map(String::as_str));
        }
        lookup
    }

    /// This edition held, another edition of its line (or one it replaced)
    /// held, or neither.
    fn holding(&self, id: &str, line: &str) -> Holding {
        if self.ids.contains(id) {
            Holding::HeldCurrent
        } else if self.lines.contains(line) || self.on_paths.contains(id) {
            Holding::HeldOldEdition
        } else {
            Holding::NotHeld
        }
    }
}

/// Whether a code is a Chinese standard (GB, GB/T, industry, local, group).
fn is_chinese_standard(id: &str) -> bool {
    stdnav_core::code::StdCode::parse(id)
        .is_ok_and(|c| stdnav_core::catalogue::is_chinese_family(c.family()))
}

/// The candidates of one query, converted once.
pub struct RetrievedSet {
    pub candidates: Vec<Retrieved>,
    pub unmatched_products: Vec<String>,
}

impl RetrievedSet {
    fn new(set: CandidateSet, standard: impl Fn(&CatalogueStandard) -> Arc<StandardInfo>) -> Self {
        let candidates = set
            .candidates
            .into_iter()
            .map(|c| {
                let info = CandidateInfo {
                    standard: standard(&c.standard),
                    retrieval: c.retrieval,
                };
                Retrieved::new(info, c.standard.in_degree)
            })
            .collect();
        Self {
            candidates,
            unmatched_products: set.unmatched_products,
        }
    }
}

/// Whether a candidate can be a `should` item: not mandatory in a market
/// (those are `must` or out of scope), in force, and not held in any edition.
fn recommendable(c: &Signals) -> bool {
    !c.mandatory_in_market && c.status == Some(Status::Current) && c.holding == Holding::NotHeld
}

/// How many of the best-scored candidates need reasons: only `should`
/// items show them, the `top` best of the candidates that can be
/// recommended. Those that cannot (see [`recommendable`], or an id seen
/// before) may score above them, so they are counted in, whatever their
/// scores.
fn explain_top(batch: &[Signals], top: usize) -> usize {
    let mut seen = HashSet::default();
    let excluded = batch
        .iter()
        .filter(|c| !recommendable(c) || !seen.insert(c.id.as_str()))
        .count();
    top.max(1) + excluded
}

/// Distinct candidate requests kept.
pub const CANDIDATE_CACHE_ENTRIES: u64 = 4096;
/// How long cached candidates are used: a catalogue change shows within it.
pub const CANDIDATE_CACHE_TTL: Duration = Duration::from_secs(60);

/// Share of peers that must hold a standard line for it to become a candidate.
pub const PEER_CANDIDATE_SHARE: f64 = 0.05;
/// Most candidates taken from the peers.
pub const PEER_CANDIDATES: usize = 60;
/// Standards kept as the advisor reads them, shared by cached answers.
pub const STANDARD_CACHE_ENTRIES: u64 = 65_536;
/// Resolutions of codes (held codes, peer-held lines) kept.
pub const RESOLUTION_CACHE_ENTRIES: u64 = 16_384;

/// What [`Advisor::gather`] collects for one enterprise.
pub struct Gathered {
    pub profile: Profile,
    /// GB/T 4754 codes of the enterprise, declared and mapped (enrichment).
    pub industries: Vec<String>,
    pub infos: Vec<Arc<CandidateInfo>>,
    pub held: Vec<HeldInfo>,
    pub peers: Peers,
    /// Raw signals of each candidate, in the order of `infos`.
    pub batch: Vec<Signals>,
    pub unmatched_products: Vec<String>,
    /// Backends that did not answer (the answer is partial without them).
    pub missing: Vec<String>,
}

#[derive(Clone)]
pub struct Advisor {
    backends: Backends,
    /// Candidates retrieved per enterprise before scoring.
    pub candidate_limit: u32,
    /// Candidates by query (shared by clones).
    candidates: moka::sync::Cache<CandidateQuery, Arc<RetrievedSet>, FastHash>,
    /// Resolutions of held codes and peer-held lines, shared by clones.
    resolutions: moka::sync::Cache<String, Arc<Resolution>, FastHash>,
    /// What the advisor reads of each standard, by id, with the checksum of
    /// the record it was read from: the cached candidate answers of
    /// enterprises of one division hold the same standards, and need not
    /// each hold a copy (docs/BENCHMARKS.md).
    standards: moka::sync::Cache<String, (Arc<str>, Arc<StandardInfo>), FastHash>,
    /// Retries of idempotent reads, one budget for all backends.
    retry: ReadRetry,
}

impl Advisor {
    pub fn new(backends: Backends) -> Self {
        Self {
            backends,
            candidate_limit: 300,
            candidates: moka::sync::Cache::builder()
                .max_capacity(CANDIDATE_CACHE_ENTRIES)
                .time_to_live(CANDIDATE_CACHE_TTL)
                .build_with_hasher(FastHash::default()),
            resolutions: moka::sync::Cache::builder()
                .max_capacity(RESOLUTION_CACHE_ENTRIES)
                .time_to_live(CANDIDATE_CACHE_TTL)
                .build_with_hasher(FastHash::default()),
            standards: moka::sync::Cache::builder()
                .max_capacity(STANDARD_CACHE_ENTRIES)
                .time_to_live(CANDIDATE_CACHE_TTL)
                .build_with_hasher(FastHash::default()),
            retry: ReadRetry::default(),
        }
    }

    /// Candidates for a request: from the cache when an enterprise with the
    /// same products, industries, ICS groups and markets was advised within
    /// [`CANDIDATE_CACHE_TTL`] (enterprises of a chain share them), else
    /// from the standards service.
    async fn candidates(
        &self,
        ctx: &CallContext,
        query: CandidateQuery,
    ) -> Result<Arc<RetrievedSet>, AdvisorError> {
        if let Some(hit) = self.candidates.get(&query) {
            return Ok(hit);
        }
        let standards = &self.backends.standards;
        let set = Arc::new(RetrievedSet::new(
            self.retry
                .read(ctx, || standards.candidates(ctx, &query))
                .await?,
            |s| self.standard_info(s),
        ));
        self.candidates.insert(query, set.clone());
        Ok(set)
    }

    /// What the advisor reads of a standard, shared with every answer that
    /// holds the same edition (same id and checksum).
    fn standard_info(&self, s: &CatalogueStandard) -> Arc<StandardInfo> {
        let st = &s.standard;
        if let Some((checksum, info)) = self.standards.get(st.id.as_str())
            && *checksum == *st.checksum
        {
            return info;
        }
        let info = Arc::new(standard_info(s));
        self.standards
            .insert(st.id.clone(), (st.checksum.as_str().into(), info.clone()));
        info
    }

    /// Codes resolved (one resolution per code, in order): from the cache
    /// when known (enterprises of a chain hold, and their peers share, the
    /// same standards), the rest in one Resolve.
    async fn resolve_cached(
        &self,
        ctx: &CallContext,
        codes: Vec<String>,
    ) -> Result<Vec<Arc<Resolution>>, AdvisorError> {
        let mut out: Vec<Option<Arc<Resolution>>> =
            codes.iter().map(|c| self.resolutions.get(c)).collect();
        let unknown: Vec<usize> = (0..codes.len()).filter(|&i| out[i].is_none()).collect();
        if !unknown.is_empty() {
            let standards = &self.backends.standards;
            let asked: Vec<String> = unknown.iter().map(|&i| codes[i].clone()).collect();
            let resolved = self
                .retry
                .read(ctx, || standards.resolve(ctx, &asked))
                .await?;
            if resolved.len() != unknown.len() {
                return Err(AdvisorError::Internal(
                    "Resolve answered another number of codes",
                ));
            }
            for (&i, r) in unknown.iter().zip(resolved) {
                let r = Arc::new(r);
                self.resolutions.insert(codes[i].clone(), r.clone());
                out[i] = Some(r);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The enterprise record: given, stored, or validated and enriched inline.
    async fn profile(
        &self,
        ctx: &CallContext,
        subject: Subject,
    ) -> Result<EnterpriseRecord, AdvisorError> {
        let profiles = &self.backends.profiles;
        match subject {
            Subject::Uscc(uscc) => self.retry.read(ctx, || profiles.get(ctx, &uscc)).await,
            // Its fields as the caller's request names them.
            Subject::Inline(profile) => self
                .retry
                .read(ctx, || profiles.enrich(ctx, &profile))
                .await
                .map_err(|e| e.rename_fields("", "profile.")),
            Subject::Record(record) => Ok(*record),
        }
    }

    /// Everything known about one enterprise before scoring: its record,
    /// candidates, held standards resolved, peers, and the raw signals of
    /// every candidate — the same signals whether they are then scored for
    /// an answer or used to train and evaluate a model.
    pub async fn gather(
        &self,
        ctx: &CallContext,
        subject: Subject,
    ) -> Result<Gathered, AdvisorError> {
        let record = self.profile(ctx, subject).await?;
        let (profile, enrichment) = (&record.profile, &record.enrichment);
        let profiles = &self.backends.profiles;

        let held_codes: Vec<String> = enrichment.held.iter().map(|h| h.code.clone()).collect();
        let query = CandidateQuery {
            products: profile.products.clone(),
            industries: enrichment.industries.clone(),
            ics_groups: enrichment.ics_groups.clone(),
            // Only the regimes decide what is retrieved (mandatory in China,
            // harmonised in the EU, the EU's lists for one selling in
            // neither): enterprises selling in China and to the US or Japan
            // share one cached answer with those selling in China alone.
            markets: Regimes::of(&profile.markets).markets(),
            limit: self.candidate_limit,
        };
        // The peer group is asked for the record in hand, beside retrieval:
        // the profiling service neither reads it again nor validates and
        // enriches an inline profile a second time.
        let (candidates, resolved, peer) = tokio::join!(
            self.candidates(ctx, query),
            self.resolve_cached(ctx, held_codes),
            self.retry.read(ctx, || profiles.peer_group(ctx, &record)),
        );
        let candidates = candidates?;
        let resolved = resolved?;
        let mut missing = Vec::new();
        let peers = match peer {
            Ok(mut p) => {
                // No peers, no basis (and so no peer signal).
                if p.size == 0 {
                    p.basis = None;
                }
                p
            }
            Err(e) => {
                tracing::warn!(error = %e, "peer group unavailable; answering without it");
                missing.push("peer_group".to_string());
                Peers::default()
            }
        };

        let held: Vec<HeldInfo> = resolved
            .iter()
            .zip(enrichment.held.iter())
            .map(|(r, h)| {
                let standard = r.standard.as_ref().map(standard_info);
                // The catalogue's line when the code is the record's own id;
                // another spelling is parsed when first asked for.
                let line = match &standard {
                    Some(s) if s.id == h.code => s.line.clone(),
                    _ => Default::default(),
                };
                HeldInfo {
                    input: h.input.clone(),
                    code: h.code.clone(),
                    standard,
                    current: r.current.as_ref().map(standard_info),
                    path: r.path.clone(),
                    line,
                }
            })
            .collect();
        let from_peers = match self
            .peer_candidates(ctx, &peers, &candidates, &enrichment.ics_groups)
            .await
        {
            Ok(more) => more,
            Err(e) => {
                tracing::warn!(error = %e, "peer-held standards not resolved; retrieval candidates only");
                Vec::new()
            }
        };
        // Chinese national, industry, local and group standards serve an
        // enterprise that sells in China; one that only exports gets its
        // markets' standards (peers at home may hold GB ones all the same).
        let domestic = profile.markets.is_empty() || profile.markets.iter().any(|m| m == "CN");
        let all = || {
            candidates
                .candidates
                .iter()
                .chain(from_peers.iter())
                .filter(move |r| domestic || !is_chinese_standard(&r.info.standard.id))
        };
        let lookup = HeldLookup::new(&held);
        let batch: Vec<Signals> = all().map(|r| r.signals(&lookup, &peers)).collect();
        let infos: Vec<Arc<CandidateInfo>> = all().map(|r| r.info.clone()).collect();
        let unmatched_products = candidates.unmatched_products.clone();
        Ok(Gathered {
            industries: record.enrichment.industries,
            profile: record.profile,
            infos,
            held,
            peers,
            batch,
            unmatched_products,
            missing,
        })
    }

    /// The enterprise's solution with `top` recommendations.
    pub async fn advise(
        &self,
        ctx: &CallContext,
        subject: Subject,
        top: usize,
    ) -> Result<Solution, AdvisorError> {
        self.solve(ctx, subject, top, Scope::Whole).await
    }

    /// The enterprise's benchmarking gaps: the solution's `gaps`, without
    /// the roadmap, the maturity score or the reasons of recommendations
    /// (the portfolio gap needs their ranking, not their explanations).
    pub async fn benchmark_gaps(
        &self,
        ctx: &CallContext,
        subject: Subject,
        top: usize,
    ) -> Result<Gaps, AdvisorError> {
        Ok(self.solve(ctx, subject, top, Scope::Gaps).await?.gaps)
    }

    async fn solve(
        &self,
        ctx: &CallContext,
        subject: Subject,
        top: usize,
        scope: Scope,
    ) -> Result<Solution, AdvisorError> {
        let Gathered {
            profile,
            industries,
            infos,
            held,
            peers,
            batch,
            unmatched_products,
            mut missing,
        } = self.gather(ctx, subject).await?;
        let scoring = &self.backends.scoring;
        // Only candidates that can be recommended are read by their score:
        // the rest are `must`, held in some edition, or not in force.
        let (recommendable, others): (Vec<_>, Vec<_>) = batch.into_iter().partition(recommendable);
        let batch = if recommendable.is_empty() {
            others // scored all the same, for the model id the answer names
        } else {
            recommendable
        };
        let explain_top = match scope {
            Scope::Whole => explain_top(&batch, top),
            // 0 would explain every candidate: one is the fewest.
            Scope::Gaps => 1,
        };
        let query = ScoreQuery {
            candidates: batch,
            as_of_year: 0,
            explain_top,
        };
        let (scores, model_id) = match self.retry.read(ctx, || scoring.score(ctx, &query)).await {
            Ok(r) => (
                r.scored
                    .into_iter()
                    .map(|s| {
                        (
                            s.id,
                            Scored {
                                score: s.score,
                                reasons: s.reasons,
                            },
                        )
                    })
                    .collect::<HashMap<_, _>>(),
                r.model_id,
            ),
            Err(e) if e.is_invalid_argument() => {
                return Err(AdvisorError::Internal("scoring rejected the candidates"));
            }
            Err(e) => {
                tracing::warn!(error = %e, "scoring unavailable; ranking by retrieval only");
                missing.push("scoring".to_string());
                (HashMap::default(), String::new())
            }
        };
        let info = EnterpriseInfo {
            uscc: profile.uscc,
            name: profile.name,
            markets: profile.markets,
            industries,
            certifications: profile.certifications,
            indicators: profile
                .indicators
                .iter()
                .map(|i| (i.name.clone(), i.unit.clone(), i.value))
                .collect(),
        };
        let inputs = Inputs {
            enterprise: &info,
            candidates: &infos,
            held: &held,
            peers: &peers,
            scores: &scores,
            unmatched_products: &unmatched_products,
            top,
        };
        let mut solution = match scope {
            Scope::Whole => compose::compose(&inputs),
            Scope::Gaps => compose::assess(&inputs),
        };
        solution.model_id = model_id;
        solution.partial = !missing.is_empty();
        solution.missing = missing;
        Ok(solution)
    }

    /// Standards the enterprise's peers commonly hold, as candidates of
    /// their own: retrieval finds what the product words name, peers show
    /// what enterprises like this one actually adopt (quality management,
    /// test methods, supplier standards). Lines held by at least
    /// [`PEER_CANDIDATE_SHARE`] of the peers and not retrieved already are
    /// resolved to their current edition; at most [`PEER_CANDIDATES`].
    async fn peer_candidates(
        &self,
        ctx: &CallContext,
        peers: &Peers,
        retrieved: &RetrievedSet,
        ics_groups: &[String],
    ) -> Result<Vec<Retrieved>, AdvisorError> {
        let known: HashSet<&str> = retrieved
            .candidates
            .iter()
            .map(|r| r.info.standard.line())
            .collect();
        let mut lines: Vec<(&String, &f64)> = peers
            .shares
            .iter()
            .filter(|(line, share)| {
                **share >= PEER_CANDIDATE_SHARE && !known.contains(line.as_str())
            })
            .collect();
        lines.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
        lines.truncate(PEER_CANDIDATES);
        let codes = lines.iter().map(|(l, _)| (*l).clone()).collect();
        let resolved = self.resolve_cached(ctx, codes).await?;
        Ok(resolved
            .iter()
            .filter_map(|r| {
                r.current
                    .as_ref()
                    .or(r.standard.as_ref())
                    .filter(|s| s.standard.status.is_in_force_or_coming())
            })
            .map(|s| {
                let info = CandidateInfo {
                    standard: self.standard_info(s),
                    retrieval: Retrieval {
                        ics_match_depth: stdnav_core::ics::match_depth(&s.standard.ics, ics_groups),
                        ..Default::default()
                    },
                };
                Retrieved::new(info, s.in_degree)
            })
            .collect())
    }

    /// Enterprises of one chain (all pages), for batch scoring.
    pub async fn chain_members(
        &self,
        ctx: &CallContext,
        chain: &str,
    ) -> Result<Vec<EnterpriseRecord>, AdvisorError> {
        let profiles = &self.backends.profiles;
        let mut all = Vec::new();
        let mut query = ListQuery {
            chain: chain.to_string(),
            page_size: 1000,
            page_token: String::new(),
        };
        loop {
            let page = self.retry.read(ctx, || profiles.list(ctx, &query)).await?;
            all.extend(page.enterprises);
            if page.next_page_token.is_empty() {
                return Ok(all);
            }
            query.page_token = page.next_page_token;
        }
    }
}

#[cfg(test)]
mod held_lookup_tests {
    use super::*;

    fn held(code: &str, known: bool, path: &[&str]) -> HeldInfo {
        HeldInfo {
            input: code.to_string(),
            code: code.to_string(),
            standard: known.then(|| StandardInfo {
                id: code.to_string(),
                ..Default::default()
            }),
            current: None,
            path: path.iter().map(|p| p.to_string()).collect(),
            line: Default::default(),
        }
    }

    #[test]
    fn a_candidate_is_held_in_this_edition_in_another_or_not_at_all() {
        let held = [
            held(
                "GB/T 19001-2008",
                true,
                &["GB/T 19001-2008", "GB/T 19001-2016"],
            ),
            // Not in the catalogue: its line still says what it is.
            held("GB 4706.1-2005", false, &[]),
            // Replaced under another number: the path names the successor.
            held(
                "GB/T 1234-1990",
                true,
                &["GB/T 1234-1990", "GB/T 5678-2020"],
            ),
        ];
        let lookup = HeldLookup::new(&held);
        let cases = [
            ("GB/T 19001-2008", "GB/T 19001", Holding::HeldCurrent),
            ("GB/T 19001-2016", "GB/T 19001", Holding::HeldOldEdition),
            ("GB 4706.1-2024", "GB 4706.1", Holding::HeldOldEdition),
            ("GB/T 5678-2020", "GB/T 5678", Holding::HeldOldEdition),
            ("GB 4706.1-2005", "GB 4706.1", Holding::HeldOldEdition),
            ("GB/T 24001-2016", "GB/T 24001", Holding::NotHeld),
            ("GB 4706.10-2008", "GB 4706.10", Holding::NotHeld),
        ];
        for (id, line, want) in cases {
            assert_eq!(lookup.holding(id, line), want, "{id}");
        }
    }
}
