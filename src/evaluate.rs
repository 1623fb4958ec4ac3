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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};

use stdnav_advisor::Advisor;
use stdnav_advisor::orchestrate::{CallContext, Subject};
use stdnav_core::catalogue::base_of;
use stdnav_core::cocited::CoCited;
use stdnav_core::enterprise::Profile;
use stdnav_core::market::Regimes;
use stdnav_core::population;
use stdnav_models::checkset::{CheckCase, DivisionGroup, Half, Lang};
use stdnav_models::metrics::{RankingMetrics, ranking};
use stdnav_models::{Model, Signals, features};
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::progress::{Bar, Progress};

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
    progress.stage(stage, Some(subjects.len() as u64));
    let gathered = gather(advisor, subjects, progress).await;
    progress.finish();
    gathered
}

/// [`gather_all`] within a stage the caller reports.
async fn gather(
    advisor: &Advisor,
    subjects: Vec<Subject>,
    progress: &dyn Progress,
) -> anyhow::Result<Vec<Gathered>> {
    use futures::StreamExt;
    let results: Vec<anyhow::Result<Gathered>> = futures::stream::iter(subjects)
        .map(|subject| {
            let advisor = advisor.clone();
            async move {
                let g = advisor
                    .gather(&context(), subject)
                    .await
                    .map_err(|e| anyhow::anyhow!("gathering signals: {e}"))?;
                progress.inc(1);
                Ok(Gathered {
                    signals: to_signals(g.batch),
                })
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

/// A check-set run to gather: the case's index and case, the language, its
/// product names in that language and the lines judged relevant.
type PlannedRun = (
    usize,
    &'static CheckCase,
    Lang,
    Vec<String>,
    BTreeSet<String>,
);

/// The dev half's runs, each case retrieved with the co-cited links mined
/// without it (`CoCited::replace`): the bundled table was mined from these
/// very cases, and a case's own naming would otherwise bring its lines to it.
/// Cases run one after another, as the table is the process's. (Two cases
/// with the same products, industries and markets within a minute would
/// share the advisor's cached candidates; the check set has none.)
async fn gather_leaving_each_out(
    advisor: &Advisor,
    planned: &[PlannedRun],
    progress: &dyn Progress,
    stage: &str,
) -> anyhow::Result<Vec<Gathered>> {
    let lists = crate::mine_cocited::dev_lists();
    progress.stage(stage, Some(planned.len() as u64));
    let mut gathered = Vec::with_capacity(planned.len());
    for case in planned.chunk_by(|a, b| a.0 == b.0) {
        let subjects = case
            .iter()
            .map(|(i, c, _, products, _)| Subject::Inline(Box::new(check_profile(*i, c, products))))
            .collect();
        let _table = CoCited::replace(crate::mine_cocited::without_case(&lists, &case[0].1.id));
        gathered.extend(gather(advisor, subjects, progress).await?);
    }
    progress.finish();
    Ok(gathered)
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
    // The check set's dev half is real evidence of what regulation names
    // for a product: it is trained on (and takes part in model selection);
    // its test half is never gathered here.
    let mut client = StandardsServiceClient::connect(format!("http://{}", bench.addr)).await?;
    let dev = check_runs(&bench.advisor, &mut client, &[Half::Dev], &bar).await?;
    let (mut x, mut y) = training_rows(train_cases.iter().copied().zip(&gathered), year);
    let synthetic_rows = y.len();
    let (dx, dy) = dev_rows(dev.iter(), year);
    append_rows(&mut x, &mut y, &dx, &dy);
    let positives = y.iter().filter(|l| **l).count();
    eprintln!(
        "training on {} candidates of {} enterprises and {} of {} check-set dev runs (each {DEV_WEIGHT}×) ({} relevant)",
        synthetic_rows,
        train_cases.len(),
        y.len() - synthetic_rows,
        dev.len(),
        positives
    );
    let kind = match kind {
        Some(kind) => kind,
        None => choose_kind(&train_cases, &gathered, &dev, seed, year).await?,
    };
    let model = tokio::task::spawn_blocking(move || stdnav_models::train_kind(&x, &y, seed, kind))
        .await?
        .context("training")?;
    Ok(model)
}

/// How many times each check-set dev row is repeated in training: the dev
/// half has fewer rows than the synthetic population, and repeated,
/// real evidence of what regulation names outweighs the synthetic world,
/// whose labels follow peers by construction (docs/EVALUATION.md compares
/// weights). `STDNAV_DEV_WEIGHT` overrides it for such comparisons.
const DEV_WEIGHT: usize = 8;

fn dev_weight() -> usize {
    std::env::var("STDNAV_DEV_WEIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEV_WEIGHT)
}

/// Training rows of check-set runs: each candidate labelled by whether the
/// case's regulation names its line, repeated [`DEV_WEIGHT`] times.
fn dev_rows<'a>(
    runs: impl IntoIterator<Item = &'a CheckRun<'a>>,
    as_of_year: i32,
) -> (Vec<f64>, Vec<bool>) {
    let weight = dev_weight();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for run in runs {
        for s in &run.gathered.signals {
            let f = features(s, as_of_year);
            let label = run.relevant.contains(&base_of(&s.id));
            for _ in 0..weight {
                rows.extend_from_slice(&f);
                labels.push(label);
            }
        }
    }
    (rows, labels)
}

fn append_rows(x: &mut Array2<f64>, y: &mut Array1<bool>, rows: &[f64], labels: &[bool]) {
    let more = ndarray::ArrayView2::from_shape((labels.len(), stdnav_models::NUM_FEATURES), rows)
        .expect("rows are whole feature vectors");
    x.append(ndarray::Axis(0), more)
        .expect("same number of features");
    y.append(ndarray::Axis(0), ndarray::ArrayView1::from(labels))
        .expect("one axis");
}

/// An enterprise and its gathered candidates.
type WithSignals<'a> = (&'a Case, &'a Gathered);

/// Picks the model kind by what the product does with a model — rank an
/// enterprise's candidates. Each kind is judged by NDCG@10 on two rankings:
/// 20 % of the training enterprises held out (synthetic validation) and the
/// dev half of the real-world check set (every case in each of its
/// languages), by two-fold cross-validation — the dev runs are split in two
/// folds by a hash of the case id, and each fold is ranked by a model fitted
/// on the other 80 % of the synthetic enterprises plus the other fold, as the
/// final model fits on the whole half. Judging every dev run rather than one
/// fold halves the noise of a near tie. The kind with the higher mean of the
/// two NDCG@10 is kept (logistic on a tie; the synthetic one alone when no
/// dev run has a catalogued line). The check set's test half is never used.
/// Row-level AUC rewarded the logistic model while the tree ranked better.
async fn choose_kind(
    cases: &[&Case],
    gathered: &[Gathered],
    dev: &[CheckRun<'_>],
    seed: u64,
    year: i32,
) -> anyhow::Result<stdnav_models::ModelKind> {
    use stdnav_models::ModelKind;
    debug_assert!(dev.iter().all(|r| r.case.half() == Half::Dev));
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
    let in_fold = |r: &CheckRun<'_>| hash64(&[b"dev-fold", r.case.id.as_bytes()]).is_multiple_of(2);
    let (fold_a, fold_b): (Vec<&CheckRun<'_>>, Vec<&CheckRun<'_>>) =
        dev.iter().partition(|r| in_fold(r));
    let mut best = (ModelKind::Logistic, f64::NEG_INFINITY);
    for kind in [
        ModelKind::Logistic,
        ModelKind::DecisionTree,
        ModelKind::Forest,
    ] {
        let mut synthetic = Vec::new();
        let mut real = Vec::new();
        for (judged, fitted) in [(&fold_a, &fold_b), (&fold_b, &fold_a)] {
            let (mut x, mut y) = (x.clone(), y.clone());
            let (dx, dy) = dev_rows(fitted.iter().copied(), year);
            append_rows(&mut x, &mut y, &dx, &dy);
            let model =
                tokio::task::spawn_blocking(move || stdnav_models::train_kind(&x, &y, seed, kind))
                    .await?
                    .context("training for model selection")?;
            synthetic.extend(val.iter().map(|(c, g)| {
                let exclude = visible_lines(&c.profile);
                ranking(&model_ranking(&model, g, &exclude, year), &c.relevant, K)
            }));
            real.extend(judged.iter().map(|r| {
                ranking(
                    &model_ranking(&model, &r.gathered, &BTreeSet::new(), year),
                    &r.relevant,
                    K,
                )
            }));
        }
        let synthetic = average(&synthetic).ndcg;
        let score = if real.is_empty() {
            synthetic
        } else {
            (synthetic + average(&real).ndcg) / 2.0
        };
        eprintln!(
            "model selection: {} NDCG@{K} {synthetic:.3} on {} validation enterprises, {:.3} on {} check-set dev runs (two folds); mean {score:.3}",
            kind.as_str(),
            val.len(),
            average(&real).ndcg,
            real.len(),
        );
        if score > best.1 {
            best = (kind, score);
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
    // `+ 0.0` turns a sum of no hits (-0.0 in IEEE) into 0.0 for printing.
    let mean = |f: fn(&RankingMetrics) -> f64| all.iter().map(f).sum::<f64>() / n + 0.0;
    Averages {
        recall: mean(|m| m.recall),
        ndcg: mean(|m| m.ndcg),
        mrr: mean(|m| m.reciprocal_rank),
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
    // Each named line the catalogue knows, counted as the line of its
    // edition in force: a regulation naming GB 5296.4 is met by
    // GB/T 5296.4-2012, the number's edition now (the nature changed).
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    for chunk in codes.chunks(500) {
        let resolved = client
            .resolve(stpb::ResolveRequest {
                codes: chunk.to_vec(),
            })
            .await
            .map_err(|s| anyhow::anyhow!("resolve: {}", s.message()))?
            .into_inner();
        for (code, r) in chunk.iter().zip(resolved.resolutions) {
            if r.standard.is_none() {
                continue;
            }
            let line = r
                .current
                .map(|c| base_of(&c.id))
                .unwrap_or_else(|| code.clone());
            known.insert(code.clone(), line);
        }
    }
    let total: usize = sets.iter().map(|s| s.len()).sum();
    for set in sets.iter_mut() {
        *set = set.iter().filter_map(|l| known.get(l).cloned()).collect();
    }
    let kept: usize = sets.iter().map(|s| s.len()).sum();
    Ok((total - kept, total))
}

/// Which halves of the real-world check set `evaluate` runs.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetChoice {
    /// The dev half only (the one tuning and model selection may use).
    Dev,
    /// The test half only (reported, never tuned on).
    Test,
    /// Both halves.
    All,
}

impl SetChoice {
    fn halves(self) -> Vec<Half> {
        match self {
            SetChoice::Dev => vec![Half::Dev],
            SetChoice::Test => vec![Half::Test],
            SetChoice::All => vec![Half::Dev, Half::Test],
        }
    }
}

/// What `evaluate` measures besides the model.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The check set's halves to run.
    pub set: SetChoice,
    /// Also the held-out synthetic enterprises.
    pub held_out: bool,
    /// Write each check-set run's relevant lines with their rank in the
    /// model's ranking (absent: not among the candidates) as JSON Lines.
    pub misses: Option<std::path::PathBuf>,
    /// Write every dev-half candidate with its features and label as JSON
    /// Lines (the test half is never written: it judges, it is not studied).
    pub dev_candidates: Option<std::path::PathBuf>,
}

/// One row of the evaluation: a method's averages on one slice of one set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// `held-out`, `dev` or `test`.
    pub set: String,
    /// `all`, `regime:CN|EU|other`, `lang:zh|en`, `group:13-16` … (`group:none` outside 13–43).
    pub slice: String,
    /// `model`, `bm25` or `popularity`.
    pub method: String,
    /// The model's kind for `model`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Enterprises (held-out) or runs (a check case in one language).
    pub n: usize,
    pub recall: f64,
    pub ndcg: f64,
    pub mrr: f64,
}

/// The three methods in report order.
const METHODS: [&str; 3] = ["model", "bm25", "popularity"];

/// One evaluated case: the three methods' metrics and what the report
/// slices it by.
struct Scored {
    /// The slices it counts in besides `all`.
    slices: Vec<String>,
    /// Model, BM25, popularity.
    metrics: [RankingMetrics; 3],
}

/// The report's slices of a check-set run: its market regimes (CN and EU
/// both when it sells in both; `other` when neither), its language, and its
/// main class's division group.
fn run_slices(case: &CheckCase, lang: Lang) -> Vec<String> {
    let regimes = Regimes::of(&case.markets);
    let mut out = Vec::new();
    if regimes.china {
        out.push("regime:CN".to_string());
    }
    if regimes.eu {
        out.push("regime:EU".to_string());
    }
    if !regimes.china && !regimes.eu {
        out.push("regime:other".to_string());
    }
    out.push(format!("lang:{}", lang.as_str()));
    out.push(match case.division_group() {
        Some(g) => format!("group:{}", g.key),
        None => "group:none".to_string(),
    });
    out
}

/// Slice keys in report order.
fn slice_order() -> Vec<String> {
    let mut keys: Vec<String> = [
        "all",
        "regime:CN",
        "regime:EU",
        "regime:other",
        "lang:zh",
        "lang:en",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    keys.extend(
        stdnav_models::checkset::DIVISION_GROUPS
            .iter()
            .map(|g| format!("group:{}", g.key)),
    );
    keys.push("group:none".into());
    keys
}

/// A slice key as the Markdown table names it.
fn slice_label(key: &str) -> String {
    let group = |k: &str| -> Option<&'static DivisionGroup> {
        stdnav_models::checkset::DIVISION_GROUPS
            .iter()
            .find(|g| g.key == k)
    };
    match key.split_once(':') {
        Some(("regime", r)) => format!("market regime {r}"),
        Some(("lang", "zh")) => "Chinese product names".into(),
        Some(("lang", "en")) => "English product names".into(),
        Some(("group", "none")) => "outside manufacturing (13–43)".into(),
        Some(("group", k)) => match group(k) {
            Some(g) => format!("divisions {}–{} {}", g.divisions.0, g.divisions.1, g.name),
            None => key.to_string(),
        },
        _ => "all".into(),
    }
}

fn set_label(set: &str, seed: u64) -> String {
    match set {
        "held-out" => format!("held-out synthetic enterprises (seed {seed})"),
        "dev" => "real-world check set, dev half (case × language runs)".into(),
        "test" => "real-world check set, test half (case × language runs)".into(),
        other => other.to_string(),
    }
}

/// Rows of every non-empty slice of one set.
fn rows_of(set: &str, kind: &str, scored: &[Scored], rows: &mut Vec<Row>) {
    for slice in slice_order() {
        let members: Vec<&Scored> = scored
            .iter()
            .filter(|s| slice == "all" || s.slices.contains(&slice))
            .collect();
        if members.is_empty() {
            continue;
        }
        for (m, method) in METHODS.iter().enumerate() {
            let metrics: Vec<RankingMetrics> = members.iter().map(|s| s.metrics[m]).collect();
            let a = average(&metrics);
            rows.push(Row {
                set: set.to_string(),
                slice: slice.clone(),
                method: method.to_string(),
                kind: (m == 0).then(|| kind.to_string()),
                n: a.cases,
                recall: a.recall,
                ndcg: a.ndcg,
                mrr: a.mrr,
            });
        }
    }
}

/// One check-set case in one language: an inline enterprise declaring the
/// case's class, markets and only that language's product names.
pub struct CheckRun<'a> {
    pub case: &'a CheckCase,
    pub lang: Lang,
    pub products: Vec<String>,
    /// The named lines the catalogue has.
    pub relevant: BTreeSet<String>,
    pub gathered: Gathered,
}

/// The runs of the check set's `halves`: every case in each language it has
/// product names in, gathered through the advisor, judged on the named lines
/// the catalogue has (cases with none are left out). Prints on stderr, per
/// half, the lines not counted and the runs left out.
async fn check_runs(
    advisor: &Advisor,
    client: &mut StandardsServiceClient<tonic::transport::Channel>,
    halves: &[Half],
    progress: &dyn Progress,
) -> anyhow::Result<Vec<CheckRun<'static>>> {
    let all = stdnav_models::checkset::cases();
    let mut runs = Vec::new();
    for &half in halves {
        let cases: Vec<(usize, &'static CheckCase)> = all
            .iter()
            .enumerate()
            .filter(|(_, c)| c.half() == half)
            .collect();
        let mut sets: Vec<BTreeSet<String>> = cases
            .iter()
            .map(|(_, c)| c.relevant_lines().into_iter().collect())
            .collect();
        let (dropped, total) = keep_catalogued(client, &mut sets).await?;
        let h = half.as_str();
        eprintln!(
            "check set {h}: {dropped} of {total} regulation-named lines are not in the catalogue and not counted"
        );
        let empty = sets.iter().filter(|s| s.is_empty()).count();
        if empty > 0 {
            eprintln!(
                "check set {h}: {empty} of {} cases have no named line in the catalogue and are left out",
                cases.len()
            );
        }
        let mut planned = Vec::new();
        let mut missing = [0usize; 2];
        for ((i, case), relevant) in cases.iter().zip(sets) {
            if relevant.is_empty() {
                continue;
            }
            for (l, lang) in Lang::ALL.iter().enumerate() {
                let products = case.products_in(*lang);
                if products.is_empty() {
                    missing[l] += 1;
                    continue;
                }
                planned.push((*i, *case, *lang, products, relevant.clone()));
            }
        }
        for (l, lang) in Lang::ALL.iter().enumerate() {
            if missing[l] > 0 {
                eprintln!(
                    "check set {h}: {} cases have no {} product name (no {} run)",
                    missing[l],
                    if *lang == Lang::Zh {
                        "Chinese"
                    } else {
                        "English"
                    },
                    lang.as_str()
                );
            }
        }
        let stage = format!("gathering check-set {h} signals");
        let gathered = if half == Half::Dev && !CoCited::get().is_empty() {
            gather_leaving_each_out(advisor, &planned, progress, &stage).await?
        } else {
            let subjects: Vec<Subject> = planned
                .iter()
                .map(|(i, case, _, products, _)| {
                    Subject::Inline(Box::new(check_profile(*i, case, products)))
                })
                .collect();
            gather_all(advisor, subjects, progress, &stage).await?
        };
        for ((_, case, lang, products, relevant), gathered) in planned.into_iter().zip(gathered) {
            runs.push(CheckRun {
                case,
                lang,
                products,
                relevant,
                gathered,
            });
        }
    }
    Ok(runs)
}

/// Evaluates `model` and both baselines on the held-out demo enterprises
/// (when `options.held_out`) and on the chosen halves of the real-world
/// check set, each overall and by slice.
pub async fn evaluate(
    home: &Path,
    data: Option<PathBuf>,
    count: usize,
    seed: u64,
    model: &Model,
    options: EvalOptions,
) -> anyhow::Result<Vec<Row>> {
    let survey = load_survey(data.as_deref())?;
    let all = cases(count, seed, survey.as_ref());
    let bench = start(home, data, &all).await?;
    let year = stdnav_models::time::current_year();
    let kind = model.kind().to_string();
    let popularity = Popularity::fit(
        &all.iter()
            .filter(|c| !c.test)
            .map(|c| &c.profile)
            .collect::<Vec<_>>(),
    );
    let mut client = StandardsServiceClient::connect(format!("http://{}", bench.addr)).await?;
    let bar = Bar::new();
    let mut rows = Vec::new();

    if options.held_out {
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
        let mut scored = Vec::new();
        let mut ceiling = Vec::new();
        for (case, g) in test.iter().zip(&gathered) {
            let exclude = visible_lines(&case.profile);
            let ranked = model_ranking(model, g, &exclude, year);
            ceiling.push(ranking(&ranked, &case.relevant, usize::MAX));
            let bm25 = bm25_ranking(&mut client, &case.profile.products, &exclude).await?;
            let pop = popularity.rank(&first_class(&case.profile), &exclude);
            scored.push(Scored {
                slices: Vec::new(),
                metrics: [
                    ranking(&ranked, &case.relevant, K),
                    ranking(&bm25, &case.relevant, K),
                    ranking(&pop, &case.relevant, K),
                ],
            });
        }
        rows_of("held-out", &kind, &scored, &mut rows);
        let c = average(&ceiling);
        eprintln!(
            "held-out: the model's candidates contain {:.1}% of the relevant lines (its Recall@10 ceiling)",
            100.0 * c.recall
        );
    }

    // The real-world check set: inline enterprises declaring the category,
    // each case once per language.
    let runs = check_runs(&bench.advisor, &mut client, &options.set.halves(), &bar).await?;
    let none = BTreeSet::new();
    let mut misses = String::new();
    let mut dev_candidates = String::new();
    for half in options.set.halves() {
        let mut scored = Vec::new();
        let mut ceiling = Vec::new();
        for run in runs.iter().filter(|r| r.case.half() == half) {
            let ranked = model_ranking(model, &run.gathered, &none, year);
            ceiling.push(ranking(&ranked, &run.relevant, usize::MAX));
            if options.misses.is_some() {
                let ranks: BTreeMap<&str, Option<usize>> = run
                    .relevant
                    .iter()
                    .map(|l| {
                        (
                            l.as_str(),
                            ranked.iter().position(|r| r == l).map(|i| i + 1),
                        )
                    })
                    .collect();
                let mut line = serde_json::json!({
                    "id": run.case.id,
                    "half": half.as_str(),
                    "lang": run.lang.as_str(),
                    "products": run.products,
                    "candidates": ranked.len(),
                    "ranks": ranks,
                });
                // What outranks the relevant lines, for the half one may study.
                if half == Half::Dev {
                    line["top"] = serde_json::json!(&ranked[..ranked.len().min(K)]);
                }
                misses.push_str(&line.to_string());
                misses.push('\n');
            }
            if options.dev_candidates.is_some() && half == Half::Dev {
                for s in &run.gathered.signals {
                    let line = base_of(&s.id);
                    let row = serde_json::json!({
                        "case": run.case.id,
                        "lang": run.lang.as_str(),
                        "id": s.id,
                        "line": line,
                        "relevant": run.relevant.contains(&line),
                        "matched_product": s.matched_product,
                        "peer_level": s.peer_level.map(|l| format!("{l:?}")),
                        "features": features(s, year).to_vec(),
                    });
                    dev_candidates.push_str(&row.to_string());
                    dev_candidates.push('\n');
                }
            }
            let bm25 = bm25_ranking(&mut client, &run.products, &none).await?;
            let class = run.case.industries.first().cloned().unwrap_or_default();
            let pop = popularity.rank(&class, &none);
            scored.push(Scored {
                slices: run_slices(run.case, run.lang),
                metrics: [
                    ranking(&ranked, &run.relevant, K),
                    ranking(&bm25, &run.relevant, K),
                    ranking(&pop, &run.relevant, K),
                ],
            });
        }
        rows_of(half.as_str(), &kind, &scored, &mut rows);
        if !ceiling.is_empty() {
            eprintln!(
                "check set {}: the model's candidates contain {:.1}% of the relevant lines (its Recall@10 ceiling)",
                half.as_str(),
                100.0 * average(&ceiling).recall
            );
        }
    }
    if let Some(path) = &options.misses {
        std::fs::write(path, misses).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &options.dev_candidates {
        std::fs::write(path, dev_candidates)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(rows)
}

/// An inline profile for a check-set case: a synthetic enterprise in Jinan
/// declaring the category's industry and products.
fn check_profile(
    i: usize,
    case: &CheckCase,
    products: &[String],
) -> stdnav_proto::profiling::v1::Enterprise {
    let body = format!("91370100MA{:07}", 1_000_000 + i);
    let check = stdnav_core::uscc::check_character(&body).unwrap_or('0');
    let profile = Profile {
        uscc: format!("{body}{check}"),
        name: format!("核验示例企业{i}（{}）", case.category_zh),
        region: "370100".into(),
        industries: case.industries.clone(),
        products: products.to_vec(),
        markets: case.markets.clone(),
        employees: 300,
        flags: vec![population::SYNTHETIC_FLAG.to_string()],
        ..Default::default()
    };
    stdnav_proto::convert::profile::profile_to_pb(&profile)
}

fn method_label(method: &str, kind: Option<&str>) -> String {
    match method {
        "model" => format!("model ({})", kind.unwrap_or("?")),
        "bm25" => "BM25 over product text".into(),
        "popularity" => "popularity in the industry".into(),
        other => other.to_string(),
    }
}

/// The report as Markdown: the overall table (each set, each method), then
/// for each half of the check set its slices with the three methods side
/// by side (the best of the three in bold).
pub fn markdown(rows: &[Row], seed: u64) -> String {
    let mut out = String::from(
        "| set | method | n | Recall@10 | NDCG@10 | MRR |\n|---|---|---|---|---|---|\n",
    );
    for r in rows.iter().filter(|r| r.slice == "all") {
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} |\n",
            set_label(&r.set, seed),
            method_label(&r.method, r.kind.as_deref()),
            r.n,
            r.recall,
            r.ndcg,
            r.mrr
        ));
    }
    for set in ["test", "dev"] {
        let of_set: Vec<&Row> = rows.iter().filter(|r| r.set == set).collect();
        if of_set.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{}, by slice (model / BM25 / popularity):\n\n",
            set_label(set, seed)
        ));
        out.push_str(
            "| slice | runs | Recall@10 model | BM25 | popularity | NDCG@10 model | BM25 | popularity | MRR model | BM25 | popularity |\n\
             |---|---|---|---|---|---|---|---|---|---|---|\n",
        );
        for slice in slice_order() {
            let of_slice: Vec<&&Row> = of_set.iter().filter(|r| r.slice == slice).collect();
            let by = |method: &str| of_slice.iter().find(|r| r.method == method);
            let (Some(m), Some(b), Some(p)) = (by("model"), by("bm25"), by("popularity")) else {
                continue;
            };
            let cells = |f: fn(&Row) -> f64| -> String {
                let v = [f(m), f(b), f(p)];
                let best = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                v.iter()
                    .map(|x| {
                        if *x == best && best > 0.0 {
                            format!("**{x:.3}**")
                        } else {
                            format!("{x:.3}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                slice_label(&slice),
                m.n,
                cells(|r| r.recall),
                cells(|r| r.ndcg),
                cells(|r| r.mrr)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, class: &str, markets: &[&str]) -> CheckCase {
        let json = format!(
            r#"{{"about": "t", "as_of": "2026-11", "cases": [{{
            "id": "{id}", "category_zh": "空调", "category_en": "AC",
            "industries": ["{class}"], "products": ["空调器", "air conditioner"],
            "markets": {markets:?}, "standards": ["GB 4706.1-2024", "GB 21455-2019"],
            "source": {{"title": "t", "issuer": "i"}}}}]}}"#
        );
        stdnav_models::checkset::parse(&json).unwrap().remove(0)
    }

    fn metrics(recall: f64) -> RankingMetrics {
        RankingMetrics {
            recall,
            ndcg: recall,
            reciprocal_rank: recall,
        }
    }

    #[test]
    fn runs_are_sliced_by_regime_language_and_group() {
        let both = case("a", "3852", &["CN", "DE"]);
        assert_eq!(
            run_slices(&both, Lang::En),
            ["regime:CN", "regime:EU", "lang:en", "group:38-40"]
        );
        let elsewhere = case("b", "0511", &["US"]);
        assert_eq!(
            run_slices(&elsewhere, Lang::Zh),
            ["regime:other", "lang:zh", "group:none"]
        );
    }

    #[test]
    fn rows_average_each_slice_and_the_table_shows_them() {
        let scored = vec![
            Scored {
                slices: vec!["regime:CN".into(), "lang:zh".into()],
                metrics: [metrics(1.0), metrics(0.0), metrics(0.5)],
            },
            Scored {
                slices: vec!["regime:EU".into(), "lang:en".into()],
                metrics: [metrics(0.5), metrics(0.0), metrics(0.5)],
            },
        ];
        let mut rows = Vec::new();
        rows_of("test", "decision_tree", &scored, &mut rows);
        // all, CN, EU, zh, en: three methods each; empty slices left out.
        assert_eq!(rows.len(), 15);
        let all = &rows[0];
        assert_eq!(
            (all.slice.as_str(), all.method.as_str(), all.n),
            ("all", "model", 2)
        );
        assert!((all.recall - 0.75).abs() < 1e-12);
        assert!(rows.iter().all(|r| r.slice != "regime:other"));
        let table = markdown(&rows, 42);
        assert!(table.contains("| real-world check set, test half (case × language runs) | model (decision_tree) | 2 | 0.750 |"), "{table}");
        assert!(
            table.contains("| market regime EU | 1 | **0.500** | 0.000 | **0.500** |"),
            "{table}"
        );
        // No -0.000 for a method that found nothing.
        assert!(!table.contains("-0.000"), "{table}");
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(json[0]["kind"], "decision_tree");
        assert!(json[1].get("kind").is_none());
    }
}
