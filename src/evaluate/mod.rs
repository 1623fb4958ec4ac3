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
//!
//! Here the `evaluate` entry and its options; the cases in `cases`, the
//! services and the gathering of candidates in `bench`, the real-world
//! check set's runs in `checkset`, training and model selection in
//! `train`, the rankings compared in `rankings`, the report in `report`.

mod bench;
mod cases;
mod checkset;
mod rankings;
mod report;
mod train;

pub(crate) use cases::PopulationArgs;
pub(crate) use report::{Row, markdown};
pub(crate) use train::train;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;

use stdnav_core::catalogue::base_of;
use stdnav_models::checkset::{Half, Names};
use stdnav_models::metrics::ranking;
use stdnav_models::{Model, features};
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::progress::Bar;

use crate::allinone::DataDir;
use bench::{Answer, gather_all, start, stored};
use cases::{Case, cases, load_survey, visible_lines};
use checkset::{check_runs, keep_catalogued};
use rankings::{Popularity, bm25_ranking, first_class, model_ranking};
use report::{Scored, average, rows_of, run_slices};

/// Cut-off of the ranking metrics.
pub(crate) const K: usize = 10;

/// Which halves of the real-world check set `evaluate` runs.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetChoice {
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

/// Which product names the check set's runs declare.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum NamesChoice {
    /// The case's names, as an enterprise writes them (what the figures
    /// and model selection use).
    #[default]
    Enterprise,
    /// The regulation's category name alone, in each language: a check of
    /// how product matching holds on wording it was not tuned on.
    Category,
}

impl NamesChoice {
    fn names(self) -> Names {
        match self {
            NamesChoice::Enterprise => Names::Enterprise,
            NamesChoice::Category => Names::Category,
        }
    }
}

/// What `evaluate` measures besides the model.
#[derive(Debug, Clone)]
pub(crate) struct EvalOptions {
    /// The check set's halves to run.
    pub set: SetChoice,
    /// The product names its runs declare.
    pub names: NamesChoice,
    /// Also the held-out synthetic enterprises.
    pub held_out: bool,
    /// Write each check-set run's relevant lines with their rank in the
    /// model's ranking (absent: not among the candidates) as JSON Lines.
    pub misses: Option<std::path::PathBuf>,
    /// Write every dev-half candidate with its features and label as JSON
    /// Lines (the test half is never written: it judges, it is not studied).
    pub dev_candidates: Option<std::path::PathBuf>,
}

/// How the check set's `must` lists agree with what the regulations name.
/// A must item the case's regulation does not name is not always wrong (a
/// regulation names what its scheme covers, not every mandatory standard
/// of the product), so the named share is a lower bound of precision.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct MustTally {
    /// The check set's half (`dev`, `test`, or with `-category`).
    pub set: String,
    pub runs: usize,
    /// Items in the runs' `must` lists, and those the case's regulation names.
    pub items: usize,
    pub named: usize,
    /// Named lines among the candidates that are mandatory in the run's
    /// market and in force: what `must` should hold.
    pub expected: usize,
    pub expected_in_must: usize,
}

impl MustTally {
    /// Counts one run; returns its must items the regulation does not name
    /// (`id (reason codes)`) and the named lines mandatory in its market that
    /// must lacks.
    fn add(&mut self, run: &checkset::CheckRun) -> (Vec<String>, Vec<String>) {
        let must = &run.gathered.must;
        let lines: BTreeSet<String> = must.iter().map(|id| base_of(id)).collect();
        let unnamed: Vec<String> = must
            .iter()
            .zip(&run.gathered.must_reasons)
            .filter(|(id, _)| !run.relevant.contains(&base_of(id)))
            .map(|(id, reasons)| format!("{id} ({})", reasons.join(",")))
            .collect();
        let expected: BTreeSet<String> = run
            .gathered
            .signals
            .iter()
            .filter(|s| s.mandatory_in_market && stdnav_core::signals::in_force(s.status))
            .map(|s| base_of(&s.id))
            .filter(|line| run.relevant.contains(line))
            .collect();
        self.runs += 1;
        self.items += must.len();
        self.named += must.len() - unnamed.len();
        self.expected += expected.len();
        self.expected_in_must += expected.intersection(&lines).count();
        let missing = expected.difference(&lines).cloned().collect();
        (unnamed, missing)
    }
}

impl std::fmt::Display for MustTally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let share = |a: usize, b: usize| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        write!(
            f,
            "must holds {} items in {} runs, {} ({:.1}%) named by the case's regulation; \
             of the {} named lines among the candidates that are mandatory in the market, {} ({:.1}%) are in must",
            self.items,
            self.runs,
            self.named,
            share(self.named, self.items),
            self.expected,
            self.expected_in_must,
            share(self.expected_in_must, self.expected)
        )
    }
}

/// What `evaluate` measured: the ranking rows, and per check-set half how
/// its `must` lists agree with the regulations.
pub(crate) struct Evaluation {
    pub rows: Vec<Row>,
    pub must: Vec<MustTally>,
}

/// Evaluates `model` and both baselines on the held-out demo enterprises
/// (when `options.held_out`) and on the chosen halves of the real-world
/// check set, each overall and by slice.
pub(crate) async fn evaluate(
    home: &Path,
    data: DataDir,
    count: usize,
    seed: u64,
    model: &Model,
    options: EvalOptions,
) -> anyhow::Result<Evaluation> {
    let survey = load_survey(data.path.as_deref())?;
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
            Answer::Signals,
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
    let runs = check_runs(
        &bench.advisor,
        &mut client,
        &options.set.halves(),
        options.names.names(),
        Answer::Must,
        &bar,
    )
    .await?;
    let none = BTreeSet::new();
    let mut misses = String::new();
    let mut musts = Vec::new();
    let mut dev_candidates = String::new();
    for half in options.set.halves() {
        let mut scored = Vec::new();
        let mut ceiling = Vec::new();
        let mut must = MustTally::default();
        for run in runs.iter().filter(|r| r.case.half() == half) {
            let ranked = model_ranking(model, &run.gathered, &none, year);
            ceiling.push(ranking(&ranked, &run.relevant, usize::MAX));
            let (unnamed_must, missing_must) = must.add(run);
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
                    line["must_unnamed"] = serde_json::json!(unnamed_must);
                    line["must_missing"] = serde_json::json!(missing_must);
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
        let set = match options.names {
            NamesChoice::Enterprise => half.as_str().to_string(),
            NamesChoice::Category => format!("{}-category", half.as_str()),
        };
        rows_of(&set, &kind, &scored, &mut rows);
        if !ceiling.is_empty() {
            eprintln!(
                "check set {}: the model's candidates contain {:.1}% of the relevant lines (its Recall@10 ceiling)",
                half.as_str(),
                100.0 * average(&ceiling).recall
            );
            eprintln!("check set {}: {must}", half.as_str());
        }
        must.set = set;
        musts.push(must);
    }
    if let Some(path) = &options.misses {
        std::fs::write(path, misses).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &options.dev_candidates {
        std::fs::write(path, dev_candidates)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Evaluation { rows, must: musts })
}
