//! Calls the other services through the [`crate::backend`] traits (gRPC
//! clients across processes, the services' handlers in one), passing on the
//! tenant and the caller's deadline, and turns their answers into the
//! composer's inputs.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use stdnav_core::market::Regimes;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::standard::{Level, Provenance, Status};
use stdnav_proto::convert::{
    degree_from_pb, industry_level_from_pb, level_to_pb, peer_level_to_pb, provenance_from_pb,
    retrieval_from_pb, status_from_pb, status_to_pb,
};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::scoring::v1 as spb;
use stdnav_proto::standards::v1 as stpb;

use crate::backend::Backends;
use crate::compose::{
    self, CandidateInfo, EnterpriseInfo, HeldInfo, IndicatorSpec, Inputs, PeerBasis, Peers, Scored,
    StandardInfo,
};
use crate::convert::{comparator_from, level_from, nature_from, status_from};
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

pub enum Subject {
    /// A stored enterprise, read from the profiling service.
    Uscc(String),
    /// A profile given in the request, validated and enriched first.
    Inline(Box<ppb::Enterprise>),
    /// A stored enterprise's record the caller has already read (a chain
    /// run's listing): not read again.
    Record(Box<ppb::EnterpriseRecord>),
}

/// How much of a solution a call needs.
#[derive(Clone, Copy)]
enum Scope {
    Whole,
    Gaps,
}

pub fn standard_info(s: &stpb::Standard) -> StandardInfo {
    StandardInfo {
        id: s.id.clone(),
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        level: level_from(s.level),
        nature: nature_from(s.nature),
        status: status_from(s.status),
        status_inferred: provenance_from_pb(s.status_source) == Some(Provenance::Inferred),
        published_year: s
            .published
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0),
        normative_refs: s.normative_refs.clone(),
        adopts: s
            .adopts
            .iter()
            .map(|a| (a.id.clone(), degree_from_pb(a.degree)))
            .collect(),
        adopted_by: s.adopted_by.clone(),
        indicators: s
            .indicators
            .iter()
            .map(|i| IndicatorSpec {
                name: i.name.clone(),
                unit: i.unit.clone(),
                comparator: comparator_from(i.comparator),
                value: i.value,
                max: i.max,
                product: i.product.clone(),
            })
            .collect(),
        illustrative: s.illustrative,
        keywords: s.keywords.clone(),
        // A standards service older than the `line` field leaves it empty:
        // the line is then parsed from the id when first asked for.
        line: if s.line.is_empty() {
            Default::default()
        } else {
            std::sync::OnceLock::from(std::sync::Arc::<str>::from(s.line.as_str()))
        },
    }
}

/// A candidate as the advisor keeps it between enterprises: what the
/// composer reads, and the signals that depend on the standard and the
/// retrieval alone. Shared by every enterprise with the same request.
pub struct Retrieved {
    pub info: Arc<CandidateInfo>,
    /// Holding and peer adoption are left unset: they are the enterprise's.
    signals: spb::CandidateSignals,
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
        let signals = spb::CandidateSignals {
            id: st.id.clone(),
            text_score: info.retrieval.text_score,
            match_strength: info.retrieval.match_strength,
            cocitation: info.retrieval.cocitation,
            regulation: info.retrieval.regulation,
            product_kind: info.retrieval.product_kind,
            series_match: info.retrieval.series_match,
            ics_match_depth: info.retrieval.ics_match_depth,
            mandatory: st.is_mandatory(),
            mandatory_in_market: info.retrieval.mandatory_in_market,
            level: level_to_pb(st.level) as i32,
            status: status_to_pb(st.status) as i32,
            published_year: st.published_year,
            in_degree,
            peer_adoption: 0.0,
            peer_count: 0,
            peer_level: peer_level_to_pb(None) as i32,
            peer_code: String::new(),
            international_alignment: !st.adopts.is_empty()
                || !st.adopted_by.is_empty()
                || st.level == Level::International,
            holding: spb::Holding::NotHeld as i32,
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
    fn signals(&self, held: &[HeldInfo], peers: &Peers) -> spb::CandidateSignals {
        let s = &self.info.standard;
        let line = s.line();
        let holding = if held
            .iter()
            .any(|h| h.standard.as_ref().is_some_and(|x| x.id == s.id))
        {
            spb::Holding::HeldCurrent
        } else if held
            .iter()
            .any(|h| h.line() == line || h.path.contains(&s.id))
        {
            spb::Holding::HeldOldEdition
        } else {
            spb::Holding::NotHeld
        };
        let (peer_level, peer_code) = match &peers.basis {
            Some(b) => (peer_level_to_pb(Some(b.level)), b.code.clone()),
            None => (peer_level_to_pb(None), String::new()),
        };
        spb::CandidateSignals {
            holding: holding as i32,
            peer_adoption: peers.shares.get(line).copied().unwrap_or(0.0),
            // No basis, no peers: the peer signal is absent.
            peer_count: if peers.basis.is_some() { peers.size } else { 0 },
            peer_level: peer_level as i32,
            peer_code,
            ..self.signals.clone()
        }
    }
}

/// Whether a code is a Chinese standard (GB, GB/T, industry, local, group).
fn is_chinese_standard(id: &str) -> bool {
    stdnav_core::code::StdCode::parse(id)
        .is_ok_and(|c| stdnav_core::catalogue::is_chinese_family(c.family()))
}

/// What the peers share, from the profiling answer; `None` without peers.
fn peer_basis(basis: Option<ppb::PeerBasis>, size: u32) -> Option<PeerBasis> {
    let b = basis.filter(|_| size > 0)?;
    let level = industry_level_from_pb(b.level)?;
    Some(PeerBasis {
        level,
        code: b.code,
    })
}

/// The candidates of one request, converted once.
pub struct RetrievedSet {
    pub candidates: Vec<Retrieved>,
    pub unmatched_products: Vec<String>,
}

impl RetrievedSet {
    fn from_response(
        response: stpb::CandidatesResponse,
        standard: impl Fn(&stpb::Standard) -> Arc<StandardInfo>,
    ) -> Self {
        let candidates = response
            .candidates
            .into_iter()
            .filter_map(|mut c| {
                let s = c.standard.take()?;
                let info = CandidateInfo {
                    standard: standard(&s),
                    retrieval: retrieval_from_pb(c),
                };
                Some(Retrieved::new(info, s.in_degree))
            })
            .collect();
        Self {
            candidates,
            unmatched_products: response.unmatched_products,
        }
    }
}

/// Whether a candidate can be a `should` item: not mandatory in a market
/// (those are `must` or out of scope), in force, and not held in any edition.
fn recommendable(c: &spb::CandidateSignals) -> bool {
    !c.mandatory_in_market
        && status_from_pb(c.status) == Some(Status::Current)
        && c.holding == spb::Holding::NotHeld as i32
}

/// How many of the best-scored candidates need reasons: only `should`
/// items show them, the `top` best of the candidates that can be
/// recommended. Those that cannot (see [`recommendable`], or an id seen
/// before) may score above them, so they are counted in, whatever their
/// scores.
fn explain_top(batch: &[spb::CandidateSignals], top: usize) -> u32 {
    let mut seen = HashSet::new();
    let excluded = batch
        .iter()
        .filter(|c| !recommendable(c) || !seen.insert(c.id.as_str()))
        .count();
    u32::try_from(top.max(1) + excluded).unwrap_or(u32::MAX)
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
    pub enterprise: ppb::Enterprise,
    pub infos: Vec<Arc<CandidateInfo>>,
    pub held: Vec<HeldInfo>,
    pub peers: Peers,
    /// Raw signals of each candidate, in the order of `infos`.
    pub batch: Vec<spb::CandidateSignals>,
    pub unmatched_products: Vec<String>,
    /// Backends that did not answer (the answer is partial without them).
    pub missing: Vec<String>,
}

#[derive(Clone)]
pub struct Advisor {
    backends: Backends,
    /// Candidates retrieved per enterprise before scoring.
    pub candidate_limit: u32,
    /// Candidates by encoded request (shared by clones).
    candidates: moka::sync::Cache<Vec<u8>, Arc<RetrievedSet>>,
    /// Resolutions of held codes and peer-held lines, shared by clones.
    resolutions: moka::sync::Cache<String, Arc<stpb::Resolution>>,
    /// What the advisor reads of each standard, by id and checksum: the
    /// cached candidate answers of enterprises of one division hold the same
    /// standards, and need not each hold a copy (docs/BENCHMARKS.md).
    standards: moka::sync::Cache<(String, String), Arc<StandardInfo>>,
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
                .build(),
            resolutions: moka::sync::Cache::builder()
                .max_capacity(RESOLUTION_CACHE_ENTRIES)
                .time_to_live(CANDIDATE_CACHE_TTL)
                .build(),
            standards: moka::sync::Cache::builder()
                .max_capacity(STANDARD_CACHE_ENTRIES)
                .time_to_live(CANDIDATE_CACHE_TTL)
                .build(),
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
        request: stpb::CandidatesRequest,
    ) -> Result<Arc<RetrievedSet>, AdvisorError> {
        let key = prost::Message::encode_to_vec(&request);
        if let Some(hit) = self.candidates.get(&key) {
            return Ok(hit);
        }
        let standards = &self.backends.standards;
        let response = Arc::new(RetrievedSet::from_response(
            self.retry
                .read(ctx, || standards.candidates(ctx, request.clone()))
                .await?,
            |s| self.standard_info(s),
        ));
        self.candidates.insert(key, response.clone());
        Ok(response)
    }

    /// What the advisor reads of a standard, shared with every answer that
    /// holds the same edition (same id and checksum).
    fn standard_info(&self, s: &stpb::Standard) -> Arc<StandardInfo> {
        self.standards
            .get_with((s.id.clone(), s.checksum.clone()), || {
                Arc::new(standard_info(s))
            })
    }

    /// Codes resolved (one resolution per code, in order): from the cache
    /// when known (enterprises of a chain hold, and their peers share, the
    /// same standards), the rest in one Resolve.
    async fn resolve_cached(
        &self,
        ctx: &CallContext,
        codes: Vec<String>,
    ) -> Result<Vec<Arc<stpb::Resolution>>, AdvisorError> {
        let mut out: Vec<Option<Arc<stpb::Resolution>>> =
            codes.iter().map(|c| self.resolutions.get(c)).collect();
        let unknown: Vec<usize> = (0..codes.len()).filter(|&i| out[i].is_none()).collect();
        if !unknown.is_empty() {
            let standards = &self.backends.standards;
            let asked: Vec<String> = unknown.iter().map(|&i| codes[i].clone()).collect();
            let resolved = self
                .retry
                .read(ctx, || standards.resolve(ctx, asked.clone()))
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
    ) -> Result<ppb::EnterpriseRecord, AdvisorError> {
        let profiles = &self.backends.profiles;
        match subject {
            Subject::Uscc(uscc) => {
                self.retry
                    .read(ctx, || profiles.get(ctx, uscc.clone()))
                    .await
            }
            Subject::Inline(e) => self
                .retry
                .read(ctx, || profiles.enrich(ctx, (*e).clone()))
                .await
                .map_err(|e| e.rename_fields("enterprise.", "profile.")),
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
        let enterprise = record.enterprise.clone().unwrap_or_default();
        let enrichment = record.enrichment.clone().unwrap_or_default();
        // The peer group is asked for the record in hand, beside retrieval:
        // the profiling service neither reads it again nor validates and
        // enriches an inline profile a second time.
        let peer_req = ppb::PeerGroupRequest {
            subject: Some(ppb::peer_group_request::Subject::Record(record)),
        };
        let profiles = &self.backends.profiles;

        let held_codes: Vec<String> = enrichment.held.iter().map(|h| h.code.clone()).collect();
        let candidates_req = stpb::CandidatesRequest {
            products: enterprise.products.clone(),
            industries: enrichment.industries.clone(),
            ics_groups: enrichment.ics_groups.clone(),
            // Only the regimes decide what is retrieved (mandatory in China,
            // harmonised in the EU, the EU's lists for one selling in
            // neither): enterprises selling in China and to the US or Japan
            // share one cached answer with those selling in China alone.
            markets: Regimes::of(&enterprise.markets).markets(),
            limit: self.candidate_limit,
            // What the composer reads of each standard, not the whole record.
            view: stpb::StandardView::Basic as i32,
        };
        let (candidates, resolved, peer) = tokio::join!(
            self.candidates(ctx, candidates_req),
            self.resolve_cached(ctx, held_codes),
            self.retry
                .read(ctx, || profiles.peer_group(ctx, peer_req.clone())),
        );
        let candidates = candidates?;
        let resolved = resolved?;
        let mut missing = Vec::new();
        let peers = match peer {
            Ok(p) => Peers {
                basis: peer_basis(p.basis, p.size),
                size: p.size,
                shares: p.shares.into_iter().map(|s| (s.id, s.share)).collect(),
                coverage_percentile: p.coverage_percentile,
            },
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
        let domestic =
            enterprise.markets.is_empty() || enterprise.markets.iter().any(|m| m == "CN");
        let all = || {
            candidates
                .candidates
                .iter()
                .chain(from_peers.iter())
                .filter(move |r| domestic || !is_chinese_standard(&r.info.standard.id))
        };
        let batch: Vec<spb::CandidateSignals> = all().map(|r| r.signals(&held, &peers)).collect();
        let infos: Vec<Arc<CandidateInfo>> = all().map(|r| r.info.clone()).collect();
        Ok(Gathered {
            enterprise,
            infos,
            held,
            peers,
            batch,
            unmatched_products: candidates.unmatched_products.clone(),
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
            enterprise,
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
        let request = spb::ScoreRequest {
            candidates: batch,
            as_of_year: 0,
            explain_top,
        };
        let (scores, model_id) = match self
            .retry
            .read(ctx, || scoring.score(ctx, request.clone()))
            .await
        {
            Ok(r) => (
                r.scored
                    .into_iter()
                    .map(|s| {
                        (
                            s.id.clone(),
                            Scored {
                                score: s.score,
                                reasons: stdnav_proto::convert::reasons_from_scoring_pb(
                                    &s.reason_codes,
                                    &s.reasons,
                                ),
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
                (HashMap::new(), String::new())
            }
        };
        let info = EnterpriseInfo {
            uscc: enterprise.uscc.clone(),
            name: enterprise.name.clone(),
            markets: enterprise.markets.clone(),
            certifications: enterprise.certifications.clone(),
            indicators: enterprise
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
        let current = self
            .resolve_cached(ctx, codes)
            .await?
            .into_iter()
            .filter_map(|r| {
                r.current
                    .clone()
                    .or_else(|| r.standard.clone())
                    .filter(|s| status_from_pb(s.status).is_some_and(Status::is_in_force_or_coming))
            });
        Ok(current
            .map(|s| {
                let info = CandidateInfo {
                    standard: self.standard_info(&s),
                    retrieval: Retrieval {
                        ics_match_depth: stdnav_core::ics::match_depth(&s.ics, ics_groups),
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
    ) -> Result<Vec<ppb::EnterpriseRecord>, AdvisorError> {
        let profiles = &self.backends.profiles;
        let mut all = Vec::new();
        let mut token = String::new();
        loop {
            let request = ppb::ListEnterprisesRequest {
                chain: chain.to_string(),
                page_size: 1000,
                page_token: token.clone(),
                ..Default::default()
            };
            let page = self
                .retry
                .read(ctx, || profiles.list(ctx, request.clone()))
                .await?;
            all.extend(page.enterprises);
            if page.next_page_token.is_empty() {
                return Ok(all);
            }
            token = page.next_page_token;
        }
    }
}
