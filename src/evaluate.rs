//! `stdnav train` and `stdnav evaluate`: the recommendation model trained and
//! measured on the demo population, through the same services and the same
//! signal builder that serve answers (docs/EVALUATION.md).
//!
//! The labels are synthetic — no public record says which enterprise holds
//! which standard. The process: generate the seeded demo population
//! (docs/DEMO_DATA.md); from every enterprise holding at least two
//! catalogue standards hide about a third of them (seeded per enterprise);
//! store the visible profiles; an enterprise's hidden standard lines are
//! what a good recommender should surface for it. Enterprises are split by
//! a hash of their USCC: 80 % train the model, 20 % are held out.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};

use stdnav_advisor::Advisor;
use stdnav_advisor::orchestrate::{CallContext, Subject};
use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::Profile;
use stdnav_core::population;
use stdnav_models::metrics::{RankingMetrics, ranking};
use stdnav_models::{Model, Signals, features};
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_standards::progress::{Bar, Progress};

use crate::allinone;

/// Cut-off of the ranking metrics.
pub const K: usize = 10;
/// Share of an enterprise's catalogue standards hidden as its relevant set.
const HIDDEN_SHARE: f64 = 1.0 / 3.0;
/// Percent of enterprises held out for testing.
const TEST_PERCENT: u64 = 20;
/// Enterprises gathered at once.
const CONCURRENCY: usize = 8;

/// The demo population `train` and `evaluate` work on.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct PopulationArgs {
    /// Enterprises in the demo population (80 % train, 20 % held out).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed of the population, the hidden standards and the split.
    #[arg(long, default_value_t = population::DEFAULT_SEED)]
    pub seed: u64,
}

/// One enterprise of the evaluation: its visible profile and the standard
/// lines hidden from it.
#[derive(Debug, Clone)]
pub struct Case {
    pub profile: Profile,
    pub relevant: BTreeSet<String>,
    pub test: bool,
}

fn hash64(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]))
}

/// Management-system lines and the editions drawn for them (current
/// first; the older one is drawn a quarter of the time, so upgrades occur).
const ISO9001: [&str; 2] = ["GB/T 19001-2016", "GB/T 19001-2008"];
const ISO14001: [&str; 2] = ["GB/T 24001-2016", "GB/T 24001-2004"];
const ISO27001: [&str; 2] = ["GB/T 22080-2016", "GB/T 22080-2008"];
/// The sector split of the ISO Survey covers about 1/23 of China's ISO/IEC
/// 27001 certificates (52 of 1,210 in 2014); scaled back up.
const ISO27001_COVERAGE: f64 = 23.0;

/// A uniform draw in 0..1 from a hash, for seeded per-enterprise choices.
fn draw(seed: u64, uscc: &str, what: &str) -> f64 {
    (hash64(&[&seed.to_le_bytes(), uscc.as_bytes(), what.as_bytes()]) >> 11) as f64
        / (1u64 << 53) as f64
}

/// Redraws an enterprise's quality (ISO 9001), environmental (ISO 14001)
/// and information-security (ISO/IEC 27001) management-system standards
/// from the ISO Survey's certificate frequencies for its sector in China:
/// P(9001) = 0.25 + 0.6 × the sector's ISO 9001 intensity; given 9001,
/// P(14001) = the sector's 14001-per-9001 ratio, P(27001) = its
/// 27001-per-9001 ratio × 23 (both capped at 0.95).
fn redraw_management_systems(
    profile: &mut Profile,
    survey: &stdnav_models::iso_survey::IsoSurvey,
    seed: u64,
) {
    let Some(division) = profile.industries.first() else {
        return;
    };
    let Some(rates) = survey.rates(division) else {
        return;
    };
    let lines = [&ISO9001, &ISO14001, &ISO27001];
    profile
        .standards_held
        .retain(|c| !lines.iter().any(|l| base_of(c) == base_of(l[0])));
    let uscc = profile.uscc.clone();
    let mut add = |editions: &[&str; 2], p: f64, what: &str| {
        let held = draw(seed, &uscc, what) < p.min(0.95);
        if held {
            let old = draw(seed, &uscc, &format!("{what}-edition")) < 0.25;
            profile
                .standards_held
                .push(editions[usize::from(old)].to_string());
        }
        held
    };
    if add(&ISO9001, 0.25 + 0.6 * rates.iso9001, "9001") {
        add(&ISO14001, rates.iso14001, "14001");
        add(&ISO27001, rates.iso27001 * ISO27001_COVERAGE, "27001");
    }
}

/// Splits the population into visible profiles and hidden lines; with the
/// ISO Survey, management-system holdings follow its sector frequencies.
pub fn cases(
    count: usize,
    seed: u64,
    survey: Option<&stdnav_models::iso_survey::IsoSurvey>,
) -> Vec<Case> {
    population::generate(count, seed)
        .into_iter()
        .map(|mut profile| {
            if let Some(survey) = survey {
                redraw_management_systems(&mut profile, survey, seed);
            }
            let salt = seed.to_le_bytes();
            let test = hash64(&[&salt, b"split", profile.uscc.as_bytes()]) % 100 < TEST_PERCENT;
            // Enterprise standards (Q/…) are in no catalogue: never hidden.
            let (own, mut public): (Vec<String>, Vec<String>) = profile
                .standards_held
                .iter()
                .cloned()
                .partition(|c| c.to_uppercase().starts_with("Q/"));
            let mut relevant = BTreeSet::new();
            if public.len() >= 2 {
                public.sort_by_key(|c| hash64(&[&salt, profile.uscc.as_bytes(), c.as_bytes()]));
                let n_hidden = ((public.len() as f64) * HIDDEN_SHARE).ceil() as usize;
                let hidden: Vec<String> = public.drain(..n_hidden).collect();
                let visible: BTreeSet<String> = public.iter().map(|c| base_of(c)).collect();
                relevant = hidden
                    .iter()
                    .map(|c| base_of(c))
                    .filter(|l| !visible.contains(l))
                    .collect();
            }
            public.extend(own);
            profile.standards_held = public;
            Case {
                profile,
                relevant,
                test,
            }
        })
        .collect()
}

/// The ISO Survey from the data directory; none without one (then the
/// generator's own management-system shares stay).
fn load_survey(
    data: Option<&Path>,
) -> anyhow::Result<Option<stdnav_models::iso_survey::IsoSurvey>> {
    match data {
        Some(dir) => {
            let survey = stdnav_models::iso_survey::IsoSurvey::load(dir)
                .context("reading the ISO Survey certificate counts")?;
            Ok(Some(survey))
        }
        None => {
            eprintln!(
                "no data directory: management-system holdings are the generator's own, not the ISO Survey's"
            );
            Ok(None)
        }
    }
}

/// Lines an enterprise visibly holds: never recommended, never relevant.
fn visible_lines(p: &Profile) -> BTreeSet<String> {
    p.standards_held.iter().map(|c| base_of(c)).collect()
}

/// The signals of one enterprise's candidates (as the advisor builds them).
pub struct Gathered {
    pub signals: Vec<Signals>,
}

/// Services over a fresh profile store holding the visible population,
/// and the advisor's view of them.
pub struct Bench {
    /// Kept alive: dropping it stops the services.
    _local: allinone::Local,
    pub addr: SocketAddr,
    pub advisor: Advisor,
}

/// Starts the services on a free port with an empty temporary profile store
/// and stores the visible profiles of `cases`.
pub async fn start(home: &Path, data: Option<PathBuf>, cases: &[Case]) -> anyhow::Result<Bench> {
    let local = allinone::start_local(home, data, true).await?;
    let addr = local.addr();
    let profiles: Vec<Profile> = cases.iter().map(|c| c.profile.clone()).collect();
    crate::population::upsert_over_grpc(addr, &profiles, "storing the visible population").await?;
    let advisor = local.advisor();
    Ok(Bench {
        _local: local,
        addr,
        advisor,
    })
}

fn context() -> CallContext {
    CallContext {
        tenant: "default".into(),
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(60)),
        credentials: Default::default(),
    }
}

fn to_signals(batch: Vec<stdnav_proto::scoring::v1::CandidateSignals>) -> Vec<Signals> {
    let mut bad = Vec::new();
    batch
        .into_iter()
        .enumerate()
        .map(|(i, c)| stdnav_scoring::grpc::signals_from_pb(c, i, &mut bad))
        .collect()
}

/// Signals for each subject, gathered a few at a time, in input order.
pub async fn gather_all(
    advisor: &Advisor,
    subjects: Vec<Subject>,
    progress: &dyn Progress,
    stage: &str,
) -> anyhow::Result<Vec<Gathered>> {
    use futures::StreamExt;
    progress.stage(stage, Some(subjects.len() as u64));
    let results: Vec<anyhow::Result<Gathered>> = futures::stream::iter(subjects)
        .map(|subject| {
            let advisor = advisor.clone();
            async move {
                let g = advisor
                    .gather(&context(), subject)
                    .await
                    .map_err(|s| anyhow::anyhow!("gathering signals: {}", s.message()))?;
                progress.inc(1);
                Ok(Gathered {
                    signals: to_signals(g.batch),
                })
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    progress.finish();
    results.into_iter().collect()
}

fn stored(cases: &[&Case]) -> Vec<Subject> {
    cases
        .iter()
        .map(|c| Subject::Uscc(c.profile.uscc.clone()))
        .collect()
}

/// The training matrix: one row per candidate of every training
/// enterprise, labelled by whether its line was hidden from it.
pub fn training_rows<'a>(
    enterprises: impl IntoIterator<Item = (&'a Case, &'a Gathered)>,
    as_of_year: i32,
) -> (Array2<f64>, Array1<bool>) {
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (case, g) in enterprises {
        for s in &g.signals {
            rows.extend_from_slice(&features(s, as_of_year));
            labels.push(case.relevant.contains(&base_of(&s.id)));
        }
    }
    let n = labels.len();
    let x = Array2::from_shape_vec((n, stdnav_models::NUM_FEATURES), rows)
        .unwrap_or_else(|_| Array2::zeros((0, stdnav_models::NUM_FEATURES)));
    (x, Array1::from(labels))
}

/// Trains the model on the training enterprises of the demo population.
pub async fn train(
    home: &Path,
    data: Option<PathBuf>,
    count: usize,
    seed: u64,
    kind: Option<stdnav_models::ModelKind>,
) -> anyhow::Result<Model> {
    let survey = load_survey(data.as_deref())?;
    let all = cases(count, seed, survey.as_ref());
    let bench = start(home, data, &all).await?;
    let train_cases: Vec<&Case> = all
        .iter()
        .filter(|c| !c.test && !c.relevant.is_empty())
        .collect();
    let bar = Bar::new();
    let gathered = gather_all(
        &bench.advisor,
        stored(&train_cases),
        &bar,
        "gathering training signals",
    )
    .await?;
    let year = stdnav_models::time::current_year();
    let (x, y) = training_rows(train_cases.iter().copied().zip(&gathered), year);
    let positives = y.iter().filter(|l| **l).count();
    eprintln!(
        "training on {} candidates of {} enterprises ({} relevant)",
        y.len(),
        train_cases.len(),
        positives
    );
    let kind = match kind {
        Some(kind) => kind,
        None => choose_kind(&train_cases, &gathered, seed, year).await?,
    };
    let model = tokio::task::spawn_blocking(move || stdnav_models::train_kind(&x, &y, seed, kind))
        .await?
        .context("training")?;
    Ok(model)
}

/// An enterprise and its gathered candidates.
type WithSignals<'a> = (&'a Case, &'a Gathered);

/// Picks the model kind by what the product does with a model — rank an
/// enterprise's candidates: both kinds are fitted on 80 % of the training
/// enterprises and the one with the higher NDCG@10 on the other 20 % is
/// kept (logistic on a tie). Row-level AUC rewarded the logistic model
/// while the tree ranked better.
async fn choose_kind(
    cases: &[&Case],
    gathered: &[Gathered],
    seed: u64,
    year: i32,
) -> anyhow::Result<stdnav_models::ModelKind> {
    use stdnav_models::ModelKind;
    let is_validation = |c: &Case| {
        hash64(&[
            &seed.to_le_bytes(),
            b"validation",
            c.profile.uscc.as_bytes(),
        ])
        .is_multiple_of(5)
    };
    let (val, fit): (Vec<WithSignals<'_>>, Vec<WithSignals<'_>>) = cases
        .iter()
        .copied()
        .zip(gathered)
        .partition(|(c, _)| is_validation(c));
    let (x, y) = training_rows(fit, year);
    let mut best = (ModelKind::Logistic, f64::NEG_INFINITY);
    for kind in [ModelKind::Logistic, ModelKind::DecisionTree] {
        let (x, y) = (x.clone(), y.clone());
        let model =
            tokio::task::spawn_blocking(move || stdnav_models::train_kind(&x, &y, seed, kind))
                .await?
                .context("training for model selection")?;
        let ndcg: Vec<RankingMetrics> = val
            .iter()
            .map(|(c, g)| {
                let exclude = visible_lines(&c.profile);
                ranking(&model_ranking(&model, g, &exclude, year), &c.relevant, K)
            })
            .collect();
        let ndcg = average(&ndcg).ndcg;
        eprintln!(
            "model selection: {} NDCG@{K} {ndcg:.3} on {} validation enterprises",
            kind.as_str(),
            val.len()
        );
        if ndcg > best.1 {
            best = (kind, ndcg);
        }
    }
    Ok(best.0)
}

/// Metrics of one method averaged over cases.
#[derive(Debug, Clone, Copy, Default)]
pub struct Averages {
    pub recall: f64,
    pub ndcg: f64,
    pub mrr: f64,
    pub cases: usize,
}

fn average(all: &[RankingMetrics]) -> Averages {
    let n = all.len().max(1) as f64;
    Averages {
        recall: all.iter().map(|m| m.recall).sum::<f64>() / n,
        ndcg: all.iter().map(|m| m.ndcg).sum::<f64>() / n,
        mrr: all.iter().map(|m| m.reciprocal_rank).sum::<f64>() / n,
        cases: all.len(),
    }
}

/// Lines in order of first appearance, skipping `exclude`.
fn dedup_lines(ids: impl IntoIterator<Item = String>, exclude: &BTreeSet<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    ids.into_iter()
        .map(|id| base_of(&id))
        .filter(|l| !exclude.contains(l) && seen.insert(l.clone()))
        .collect()
}

/// The model's ranking: candidates by probability, best first.
fn model_ranking(
    model: &Model,
    g: &Gathered,
    exclude: &BTreeSet<String>,
    year: i32,
) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = g
        .signals
        .iter()
        .map(|s| (model.probability(&features(s, year)), s.id.as_str()))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    dedup_lines(scored.into_iter().map(|(_, id)| id.to_string()), exclude)
}

/// Baseline 1: BM25 over the product text only (stdnav's search, current
/// standards), best first.
async fn bm25_ranking(
    client: &mut StandardsServiceClient<tonic::transport::Channel>,
    products: &[String],
    exclude: &BTreeSet<String>,
) -> anyhow::Result<Vec<String>> {
    let query: String = products.join(" ").chars().take(500).collect();
    let response = client
        .search(stpb::SearchRequest {
            query,
            filters: Some(stpb::Filters {
                statuses: vec![stpb::Status::Current as i32],
                ..Default::default()
            }),
            page: 1,
            page_size: 50,
            facets: Vec::new(),
        })
        .await
        .map_err(|s| anyhow::anyhow!("search: {}", s.message()))?
        .into_inner();
    Ok(dedup_lines(
        response
            .hits
            .into_iter()
            .filter_map(|h| h.standard.map(|s| s.id)),
        exclude,
    ))
}

/// Baseline 2: popularity within the industry — lines by how many training
/// enterprises of the same GB/T 4754 class (else division) hold them.
pub struct Popularity {
    by_class: HashMap<String, Vec<(String, usize)>>,
    by_division: HashMap<String, Vec<(String, usize)>>,
}

fn ranked_counts(counts: HashMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn first_class(p: &Profile) -> String {
    p.industries
        .first()
        .map(|i| {
            i.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .to_string()
        })
        .unwrap_or_default()
}

impl Popularity {
    pub fn fit(profiles: &[&Profile]) -> Self {
        let mut class: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let mut division: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for p in profiles {
            let c = first_class(p);
            let d = c.get(..2).unwrap_or("").to_string();
            for line in visible_lines(p) {
                *class
                    .entry(c.clone())
                    .or_default()
                    .entry(line.clone())
                    .or_default() += 1;
                *division
                    .entry(d.clone())
                    .or_default()
                    .entry(line)
                    .or_default() += 1;
            }
        }
        Self {
            by_class: class
                .into_iter()
                .map(|(k, v)| (k, ranked_counts(v)))
                .collect(),
            by_division: division
                .into_iter()
                .map(|(k, v)| (k, ranked_counts(v)))
                .collect(),
        }
    }

    pub fn rank(&self, industry_class: &str, exclude: &BTreeSet<String>) -> Vec<String> {
        let class = industry_class.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let list = self
            .by_class
            .get(class)
            .or_else(|| self.by_division.get(class.get(..2).unwrap_or("")));
        dedup_lines(list.into_iter().flatten().map(|(l, _)| l.clone()), exclude)
    }
}

/// Keeps, of each relevant set, the lines the catalogue knows (a
/// recommender can only name standards it has); returns how many lines
/// were dropped of how many.
async fn keep_catalogued(
    client: &mut StandardsServiceClient<tonic::transport::Channel>,
    sets: &mut [BTreeSet<String>],
) -> anyhow::Result<(usize, usize)> {
    let all: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    let codes: Vec<String> = all.iter().cloned().collect();
    let mut known = BTreeSet::new();
    for chunk in codes.chunks(500) {
        let resolved = client
            .resolve(stpb::ResolveRequest {
                codes: chunk.to_vec(),
            })
            .await
            .map_err(|s| anyhow::anyhow!("resolve: {}", s.message()))?
            .into_inner();
        for (code, r) in chunk.iter().zip(resolved.resolutions) {
            if r.standard.is_some() {
                known.insert(code.clone());
            }
        }
    }
    let total: usize = sets.iter().map(|s| s.len()).sum();
    for set in sets.iter_mut() {
        set.retain(|l| known.contains(l));
    }
    let kept: usize = sets.iter().map(|s| s.len()).sum();
    Ok((total - kept, total))
}

/// The evaluation table: one row per (set, method).
#[derive(Debug, Clone)]
pub struct Row {
    pub set: String,
    pub method: String,
    pub averages: Averages,
}

/// Evaluates `model` and both baselines on the held-out demo enterprises
/// and on the real-world check set.
pub async fn evaluate(
    home: &Path,
    data: Option<PathBuf>,
    count: usize,
    seed: u64,
    model: &Model,
) -> anyhow::Result<Vec<Row>> {
    let survey = load_survey(data.as_deref())?;
    let all = cases(count, seed, survey.as_ref());
    let bench = start(home, data, &all).await?;
    let year = stdnav_models::time::current_year();
    let popularity = Popularity::fit(
        &all.iter()
            .filter(|c| !c.test)
            .map(|c| &c.profile)
            .collect::<Vec<_>>(),
    );
    let mut client = StandardsServiceClient::connect(format!("http://{}", bench.addr)).await?;
    let bar = Bar::new();
    let mut rows = Vec::new();

    // Held-out synthetic enterprises, judged on the lines the catalogue has.
    let mut test: Vec<Case> = all.iter().filter(|c| c.test).cloned().collect();
    let mut sets: Vec<BTreeSet<String>> = test.iter().map(|c| c.relevant.clone()).collect();
    let (dropped, total) = keep_catalogued(&mut client, &mut sets).await?;
    eprintln!(
        "held-out: {dropped} of {total} hidden lines are not in the catalogue and not counted"
    );
    for (case, set) in test.iter_mut().zip(sets) {
        case.relevant = set;
    }
    let test: Vec<&Case> = test.iter().filter(|c| !c.relevant.is_empty()).collect();
    let gathered = gather_all(
        &bench.advisor,
        stored(&test),
        &bar,
        "gathering test signals",
    )
    .await?;
    let (mut m, mut b, mut p) = (Vec::new(), Vec::new(), Vec::new());
    let mut ceiling = Vec::new();
    for (case, g) in test.iter().zip(&gathered) {
        let exclude = visible_lines(&case.profile);
        let ranked = model_ranking(model, g, &exclude, year);
        ceiling.push(ranking(&ranked, &case.relevant, usize::MAX));
        m.push(ranking(&ranked, &case.relevant, K));
        let bm25 = bm25_ranking(&mut client, &case.profile.products, &exclude).await?;
        b.push(ranking(&bm25, &case.relevant, K));
        let pop = popularity.rank(&first_class(&case.profile), &exclude);
        p.push(ranking(&pop, &case.relevant, K));
    }
    let set = format!("held-out synthetic enterprises (seed {seed})");
    rows.push(row(&set, &format!("model ({})", model.kind()), &m));
    rows.push(row(&set, "BM25 over product text", &b));
    rows.push(row(&set, "popularity in the industry", &p));
    let c = average(&ceiling);
    eprintln!(
        "held-out: the model's candidates contain {:.1}% of the relevant lines (its Recall@10 ceiling)",
        100.0 * c.recall
    );

    // The real-world check set: inline enterprises declaring the category.
    let check = stdnav_models::checkset::cases();
    let subjects: Vec<Subject> = check
        .iter()
        .enumerate()
        .map(|(i, c)| Subject::Inline(Box::new(check_profile(i, c))))
        .collect();
    let gathered = gather_all(
        &bench.advisor,
        subjects,
        &bar,
        "gathering check-set signals",
    )
    .await?;
    let (mut m, mut b, mut p) = (Vec::new(), Vec::new(), Vec::new());
    let none = BTreeSet::new();
    let mut sets: Vec<BTreeSet<String>> = check
        .iter()
        .map(|c| c.relevant_lines().into_iter().collect())
        .collect();
    let (dropped, total) = keep_catalogued(&mut client, &mut sets).await?;
    eprintln!(
        "check set: {dropped} of {total} regulation-named lines are not in the catalogue and not counted"
    );
    for ((case, g), relevant) in check.iter().zip(&gathered).zip(sets) {
        if relevant.is_empty() {
            continue;
        }
        m.push(ranking(&model_ranking(model, g, &none, year), &relevant, K));
        let products: Vec<String> = case.products.clone();
        b.push(ranking(
            &bm25_ranking(&mut client, &products, &none).await?,
            &relevant,
            K,
        ));
        let class = case.industries.first().cloned().unwrap_or_default();
        p.push(ranking(&popularity.rank(&class, &none), &relevant, K));
    }
    let set = "real-world check set (regulation-named standards)".to_string();
    rows.push(row(&set, &format!("model ({})", model.kind()), &m));
    rows.push(row(&set, "BM25 over product text", &b));
    rows.push(row(&set, "popularity in the industry", &p));
    Ok(rows)
}

fn row(set: &str, method: &str, metrics: &[RankingMetrics]) -> Row {
    Row {
        set: set.to_string(),
        method: method.to_string(),
        averages: average(metrics),
    }
}

/// An inline profile for a check-set case: a synthetic enterprise in Jinan
/// declaring the category's industry and products.
fn check_profile(
    i: usize,
    case: &stdnav_models::checkset::CheckCase,
) -> stdnav_proto::profiling::v1::Enterprise {
    let body = format!("91370100MA{:07}", 1_000_000 + i);
    let check = stdnav_core::uscc::check_character(&body).unwrap_or('0');
    let profile = Profile {
        uscc: format!("{body}{check}"),
        name: format!("核验示例企业{i}（{}）", case.category_zh),
        region: "370100".into(),
        industries: case.industries.clone(),
        products: case.products.clone(),
        markets: case.markets.clone(),
        employees: 300,
        flags: vec![population::SYNTHETIC_FLAG.to_string()],
        ..Default::default()
    };
    stdnav_profiling::convert::profile_to_pb(&profile)
}

/// The table as Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| set | method | cases | Recall@10 | NDCG@10 | MRR |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let a = r.averages;
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} |\n",
            r.set, r.method, a.cases, a.recall, a.ndcg, a.mrr
        ));
    }
    out
}
