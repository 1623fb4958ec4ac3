//! The scoring domain: the current model (swapped atomically on reload), batch
//! validation and scoring, the first-run training of a missing artifact, and
//! the watcher that reloads a changed artifact without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use stdnav_models::{Contribution, Model, ModelError, Signals};

use crate::error::ScoringError;

/// Most candidates one call may score.
pub const MAX_CANDIDATES: usize = 5_000;
/// How often the watcher looks at the artifact by default.
pub const DEFAULT_RELOAD_INTERVAL: Duration = Duration::from_secs(5);
/// Seed of the default model trained on a fresh machine.
pub const DEFAULT_SEED: u64 = 42;
/// At most this many field violations are listed in one error.
const MAX_VIOLATIONS: usize = 20;
/// Batches up to this size are scored on the calling task: scoring them
/// costs less than the hop to the blocking pool would add. Larger ones go
/// to the blocking pool.
pub const INLINE_BATCH: usize = 512;

/// The artifact under a stdnav home: `<home>/models/scoring.json`.
pub fn default_model_path(home: &Path) -> PathBuf {
    home.join("models").join("scoring.json")
}

/// One scored candidate, in words and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCandidate {
    pub id: String,
    /// Probability of relevance, 0..1.
    pub score: f64,
    /// Largest |effect| first.
    pub contributions: Vec<Contribution>,
    pub reasons: Vec<stdnav_core::reason::Reason>,
}

/// The scores of one batch, in the order of the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreBatch {
    pub model_id: String,
    pub scored: Vec<ScoredCandidate>,
}

/// What ModelInfo reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub model_id: String,
    pub kind: String,
    pub features: Vec<String>,
    pub trained_at: String,
    pub training_data_hash: String,
    /// Sorted by name.
    pub metrics: Vec<(String, f64)>,
    /// Where the model was loaded from; empty when set in memory.
    pub path: String,
}

struct Current {
    model: Arc<Model>,
    source: Option<PathBuf>,
}

/// Scores candidates with the current model. Cheap to share: readers take
/// an `Arc` of the model under a read lock held for a pointer copy, so a
/// reload never waits for a batch and a batch never sees two models.
#[derive(Default)]
pub struct Scorer {
    current: RwLock<Option<Current>>,
}

/// Checks a batch: its size, the as-of year, and every number a model would
/// otherwise silently clamp. Returns (field, why) pairs, at most 20 listed
/// plus one that counts the rest.
pub fn validate(batch: &[Signals], as_of_year: i32) -> Vec<(String, String)> {
    let mut bad = Vec::new();
    if batch.len() > MAX_CANDIDATES {
        bad.push((
            "candidates".to_string(),
            format!(
                "at most {MAX_CANDIDATES} candidates per call, got {}; split the batch",
                batch.len()
            ),
        ));
        return bad;
    }
    if as_of_year != 0 && !(1900..=2200).contains(&as_of_year) {
        bad.push((
            "as_of_year".to_string(),
            format!("{as_of_year} is not a year between 1900 and 2200 (0 means this year)"),
        ));
    }
    for (i, s) in batch.iter().enumerate() {
        if !(s.text_score.is_finite() && s.text_score >= 0.0) {
            bad.push((
                format!("candidates[{i}].text_score"),
                format!("must be a finite number ≥ 0, got {}", s.text_score),
            ));
        }
        // Shares, strengths and weights: each between 0 and 1.
        let units = [
            ("peer_adoption", "share", s.peer_adoption),
            ("cocitation", "strength", s.cocitation),
            ("regulation", "weight", s.regulation),
            ("product_kind", "weight", s.product_kind),
            ("series_match", "strength", s.series_match),
        ];
        for (field, what, value) in units {
            if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
                bad.push((
                    format!("candidates[{i}].{field}"),
                    format!("must be a {what} between 0 and 1, got {value}"),
                ));
            }
        }
        if s.published_year != 0 && !(1800..=2200).contains(&s.published_year) {
            bad.push((
                format!("candidates[{i}].published_year"),
                format!(
                    "{} is not a year between 1800 and 2200 (0 when unknown)",
                    s.published_year
                ),
            ));
        }
    }
    if bad.len() > MAX_VIOLATIONS {
        let more = bad.len() - MAX_VIOLATIONS;
        bad.truncate(MAX_VIOLATIONS);
        bad.push((
            "candidates".to_string(),
            format!("{more} more invalid fields not listed"),
        ));
    }
    bad
}

impl Scorer {
    /// A scorer without a model: calls answer UNAVAILABLE until one is set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// A scorer serving `model`.
    pub fn with_model(model: Model) -> Self {
        let s = Self::empty();
        s.set_model(model);
        s
    }

    /// Serves `model` from now on (a model built in memory: no source path).
    pub fn set_model(&self, model: impl Into<Arc<Model>>) {
        self.swap(model.into(), None);
    }

    /// Serves `model`, loaded from `path`, from now on.
    pub fn set_model_from(&self, path: impl Into<PathBuf>, model: impl Into<Arc<Model>>) {
        self.swap(model.into(), Some(path.into()));
    }

    fn swap(&self, model: Arc<Model>, source: Option<PathBuf>) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = Some(Current { model, source });
    }

    /// The model in service.
    pub fn model(&self) -> Result<Arc<Model>, ScoringError> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|c| c.model.clone())
            .ok_or(ScoringError::NoModel)
    }

    pub fn is_ready(&self) -> bool {
        self.model().is_ok()
    }

    fn source(&self) -> Option<PathBuf> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(|c| c.source.clone())
    }

    /// Scores a batch (at most [`MAX_CANDIDATES`]) in its order, with
    /// recency measured at `as_of_year` (0: this year). CPU-bound: callers
    /// on an async runtime run large batches on the blocking pool.
    pub fn score(&self, batch: &[Signals], as_of_year: i32) -> Result<ScoreBatch, ScoringError> {
        self.score_explained(batch, as_of_year, 0)
    }

    /// Scores a batch, explaining (contributions and reasons) only the
    /// candidates scoring at least the `explain_top`-th highest score, ties
    /// included; 0 explains all.
    pub fn score_explained(
        &self,
        batch: &[Signals],
        as_of_year: i32,
        explain_top: usize,
    ) -> Result<ScoreBatch, ScoringError> {
        let bad = validate(batch, as_of_year);
        if !bad.is_empty() {
            return Err(ScoringError::InvalidArgument(bad));
        }
        let model = self.model()?;
        let year = if as_of_year == 0 {
            stdnav_models::time::current_year()
        } else {
            as_of_year
        };
        // Scores first, contributions only for the candidates explained
        // (most of a batch is not, and working them out costs more than
        // the score).
        let scores: Vec<f64> = batch.iter().map(|s| model.score_value(s, year)).collect();
        let threshold = if explain_top == 0 || explain_top >= scores.len() {
            f64::NEG_INFINITY
        } else {
            let mut sorted = scores.clone();
            sorted.select_nth_unstable_by(explain_top - 1, |a, b| b.total_cmp(a));
            sorted[explain_top - 1]
        };
        let scored = batch
            .iter()
            .zip(scores)
            .map(|(s, score)| {
                if score < threshold {
                    return ScoredCandidate {
                        id: s.id.clone(),
                        score,
                        contributions: Vec::new(),
                        reasons: Vec::new(),
                    };
                }
                let scored = model.score(s, year);
                ScoredCandidate {
                    id: s.id.clone(),
                    score: scored.score,
                    reasons: model.reason_codes(s, &scored),
                    contributions: scored.contributions,
                }
            })
            .collect();
        Ok(ScoreBatch {
            model_id: model.id().to_string(),
            scored,
        })
    }

    /// [`Self::score_explained`] from async code: a batch of up to
    /// [`INLINE_BATCH`] candidates on the calling task, a larger one on the
    /// blocking pool. What the handler and in-process callers use.
    pub async fn score_batch(
        self: &Arc<Self>,
        batch: &[Signals],
        as_of_year: i32,
        explain_top: usize,
    ) -> Result<ScoreBatch, ScoringError> {
        if batch.len() <= INLINE_BATCH {
            return self.score_explained(batch, as_of_year, explain_top);
        }
        let (scorer, batch) = (self.clone(), batch.to_vec());
        tokio::task::spawn_blocking(move || scorer.score_explained(&batch, as_of_year, explain_top))
            .await
            .map_err(|e| ScoringError::Internal(e.to_string()))?
    }

    /// Describes the model in service.
    pub fn info(&self) -> Result<ModelInfo, ScoringError> {
        let model = self.model()?;
        Ok(ModelInfo {
            model_id: model.id().to_string(),
            kind: model.kind().to_string(),
            features: model.features().to_vec(),
            trained_at: model.trained_at().to_string(),
            training_data_hash: model.training_data_hash().to_string(),
            metrics: model
                .metrics()
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            path: self
                .source()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        })
    }

    /// Makes sure the artifact exists (training it on a fresh machine), loads
    /// it, serves it, and starts watching the file every `reload_every`
    /// (zero: never). Blocking work runs on the blocking pool.
    pub async fn activate(
        self: &Arc<Self>,
        path: impl Into<PathBuf>,
        seed: u64,
        reload_every: Duration,
    ) -> Result<Arc<Model>, ScoringError> {
        let path = path.into();
        let p = path.clone();
        let model = Arc::new(
            tokio::task::spawn_blocking(move || ensure_model(&p, seed))
                .await
                .map_err(|e| ScoringError::Internal(format!("model loading task failed: {e}")))??,
        );
        tracing::info!(model = %model.id(), kind = model.kind().as_str(), path = %path.display(), "scoring model loaded");
        self.set_model_from(&path, model.clone());
        if !reload_every.is_zero() {
            watch(self.clone(), path, reload_every);
        }
        Ok(model)
    }
}

/// Loads the artifact at `path`; when there is none, trains the default
/// model for `seed`, saves it there and loads it back (what a fresh machine
/// does on first run). A corrupt or incompatible artifact is an error, never
/// replaced: someone has to look at it. Blocking: seconds when it trains.
pub fn ensure_model(path: &Path, seed: u64) -> Result<Model, ScoringError> {
    match Model::load(path) {
        Err(ModelError::NotFound { .. }) => {
            tracing::info!(path = %path.display(), seed, "no scoring model artifact; training the default model");
            let started = std::time::Instant::now();
            let model = stdnav_models::train_default(seed)?;
            model.save(path)?;
            tracing::info!(
                model = %model.id(),
                kind = model.kind().as_str(),
                validation_auc = model.metrics().get("validation_auc").copied().unwrap_or(f64::NAN),
                elapsed = ?started.elapsed(),
                path = %path.display(),
                "trained and saved the default scoring model"
            );
            Ok(Model::load(path)?)
        }
        other => Ok(other?),
    }
}

/// What identifies one version of the file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    modified: Option<SystemTime>,
    len: u64,
    /// The inode on Unix: an atomic replace (write + rename) always changes it.
    inode: u64,
}

fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Ok(Fingerprint {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

/// What one look at the artifact found.
#[derive(Debug)]
enum Check {
    Unchanged,
    /// A new model was loaded and is now served.
    Reloaded(Arc<Model>),
    /// The file changed but holds the model already served.
    Same,
    /// The file changed and could not be used; the old model keeps serving.
    Rejected(ScoringError),
}

/// The watcher's memory of the file: the fingerprint last looked at.
struct Watch {
    path: PathBuf,
    seen: Option<Result<Fingerprint, std::io::ErrorKind>>,
}

impl Watch {
    fn check(&mut self, scorer: &Scorer) -> Check {
        let now = fingerprint(&self.path).map_err(|e| e.kind());
        if self.seen.as_ref() == Some(&now) {
            return Check::Unchanged;
        }
        // Remember it before reading: a file still being written changes
        // again, and is looked at again on the next tick.
        self.seen = Some(now);
        match Model::load(&self.path) {
            Ok(model) => match scorer.model() {
                Ok(current) if *current == model => {
                    scorer.set_model_from(&self.path, current);
                    Check::Same
                }
                _ => {
                    let model = Arc::new(model);
                    scorer.set_model_from(&self.path, model.clone());
                    Check::Reloaded(model)
                }
            },
            Err(e) => Check::Rejected(e.into()),
        }
    }
}

/// Watches `path` every `every` on a background task and serves each new,
/// cleanly loading artifact without a restart; a corrupt, incompatible or
/// missing file is logged once and the model in service keeps serving.
/// The first look happens at once (so a file replaced since the model was
/// loaded is caught). The task ends when the scorer is dropped.
pub fn watch(scorer: Arc<Scorer>, path: PathBuf, every: Duration) -> tokio::task::JoinHandle<()> {
    let weak = Arc::downgrade(&scorer);
    drop(scorer);
    let mut state = Watch { path, seen: None };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(scorer) = weak.upgrade() else {
                return;
            };
            let path = state.path.clone();
            let result = tokio::task::spawn_blocking(move || {
                let check = state.check(&scorer);
                (state, check)
            })
            .await;
            let check;
            (state, check) = match result {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "model watcher task failed; reloading stops");
                    return;
                }
            };
            match check {
                Check::Unchanged | Check::Same => {}
                Check::Reloaded(model) => tracing::info!(
                    model = %model.id(),
                    kind = model.kind().as_str(),
                    path = %path.display(),
                    "scoring model reloaded"
                ),
                Check::Rejected(e) => tracing::warn!(
                    error = %e,
                    path = %path.display(),
                    "scoring model artifact changed but cannot be used; the previous model keeps serving"
                ),
            }
        }
    })
}

/// Starts scoring from the artifact at `model_path` (trained there first
/// when missing), reloading it every [`DEFAULT_RELOAD_INTERVAL`] when it
/// changes. What the all-in-one server and tests call.
pub async fn start(model_path: impl Into<PathBuf>, seed: u64) -> Result<Arc<Scorer>, ScoringError> {
    start_with(model_path, seed, DEFAULT_RELOAD_INTERVAL).await
}

/// [`start`] with the reload interval given (zero: no reloading).
pub async fn start_with(
    model_path: impl Into<PathBuf>,
    seed: u64,
    reload_every: Duration,
) -> Result<Arc<Scorer>, ScoringError> {
    let scorer = Arc::new(Scorer::empty());
    scorer.activate(model_path, seed, reload_every).await?;
    Ok(scorer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_models::{ModelKind, synthetic_training_set, train_kind};

    fn small_model(seed: u64) -> Model {
        let (x, y) = synthetic_training_set(seed, 2_000);
        train_kind(&x, &y, seed, ModelKind::Logistic).unwrap()
    }

    #[test]
    fn validation_names_the_fields() {
        let batch = vec![
            Signals::default(),
            Signals {
                text_score: f64::NAN,
                peer_adoption: 1.5,
                published_year: -3,
                product_kind: -0.5,
                ..Default::default()
            },
        ];
        let fields: Vec<_> = validate(&batch, 1492).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "as_of_year",
                "candidates[1].text_score",
                "candidates[1].peer_adoption",
                "candidates[1].product_kind",
                "candidates[1].published_year"
            ]
        );
        let big = vec![Signals::default(); MAX_CANDIDATES + 1];
        let bad = validate(&big, 0);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, "candidates");
        assert!(validate(&vec![Signals::default(); MAX_CANDIDATES], 0).is_empty());
        // Many bad rows: the list is capped and says how many more.
        let nans = vec![
            Signals {
                text_score: f64::INFINITY,
                ..Default::default()
            };
            100
        ];
        let bad = validate(&nans, 0);
        assert_eq!(bad.len(), MAX_VIOLATIONS + 1);
        assert!(bad.last().unwrap().1.starts_with("80 more"));
    }

    #[test]
    fn no_model_is_unavailable() {
        let s = Scorer::empty();
        assert!(matches!(s.score(&[], 0), Err(ScoringError::NoModel)));
        assert!(matches!(s.info(), Err(ScoringError::NoModel)));
        let status = tonic::Status::from(ScoringError::NoModel);
        assert_eq!(status.code(), tonic::Code::Unavailable);
    }

    #[test]
    fn scores_keep_the_batch_order() {
        let s = Scorer::with_model(small_model(1));
        let batch: Vec<Signals> = (0..10)
            .map(|i| Signals {
                id: format!("S{i}"),
                text_score: f64::from(i),
                ..Default::default()
            })
            .collect();
        let out = s.score(&batch, 2025).unwrap();
        let ids: Vec<_> = out.scored.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9"]
        );
        assert!(out.scored[9].score > out.scored[0].score);
        assert_eq!(s.info().unwrap().path, "");
    }

    #[test]
    fn watch_swaps_changed_files_and_keeps_serving_on_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scoring.json");
        let a = small_model(1);
        a.save(&path).unwrap();
        let scorer = Scorer::with_model(a.clone());
        let mut w = Watch {
            path: path.clone(),
            seen: None,
        };
        // First look: the same model, now known to come from the file.
        assert!(matches!(w.check(&scorer), Check::Same));
        assert_eq!(scorer.info().unwrap().path, path.display().to_string());
        assert!(matches!(w.check(&scorer), Check::Unchanged));

        let b = small_model(2);
        assert_ne!(a.id(), b.id());
        b.save(&path).unwrap();
        assert!(matches!(w.check(&scorer), Check::Reloaded(_)));
        assert_eq!(scorer.model().unwrap().id(), b.id());

        std::fs::write(&path, "{ not json").unwrap();
        assert!(matches!(w.check(&scorer), Check::Rejected(_)));
        // Rejected once, not again every tick; still serving b.
        assert!(matches!(w.check(&scorer), Check::Unchanged));
        assert_eq!(scorer.model().unwrap().id(), b.id());

        std::fs::remove_file(&path).unwrap();
        assert!(matches!(w.check(&scorer), Check::Rejected(_)));
        assert!(matches!(w.check(&scorer), Check::Unchanged));
        assert_eq!(scorer.model().unwrap().id(), b.id());
    }

    #[test]
    fn ensure_model_refuses_a_corrupt_artifact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scoring.json");
        std::fs::write(&path, "garbage").unwrap();
        let err = ensure_model(&path, 1).unwrap_err();
        assert!(
            matches!(err, ScoringError::Model(ModelError::Corrupt { .. })),
            "{err}"
        );
        // Left as it was for someone to look at.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage");
    }
}
