//! A trained relevance model: its JSON artifact, loading with strict checks,
//! atomic saving, scoring with per-feature contributions, and reasons in words.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use stdnav_core::reason::{IcsDepth, Reason};

use crate::features::{FEATURES, Holding, NUM_FEATURES, Signals, Status, features, idx};

/// Version of the artifact layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Everything that can go wrong with a model artifact or with training.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model artifact {} does not exist", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read or write model artifact {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("model artifact {} is not a valid artifact: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "model artifact {} has format_version {found:?}; this build reads version {expected}",
        path.display()
    )]
    FormatVersion {
        path: PathBuf,
        /// `None` when the field is missing.
        found: Option<u64>,
        expected: u32,
    },
    #[error(
        "model artifact {} was trained on features {found:?}, but this build computes {expected:?}; retrain it with `stdnav train`, or delete the file and the default model is trained at the next start",
        path.display()
    )]
    FeatureMismatch {
        path: PathBuf,
        found: Vec<String>,
        expected: Vec<String>,
    },
    #[error("model artifact {} is invalid: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("training failed: {0}")]
    Training(String),
}

/// One node of a decision tree as stored in an artifact. `rate` is the
/// smoothed share of relevant training rows reaching the node:
/// (positives + 2 × parent rate) / (rows + 2), the root's parent rate being ½.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "node", rename_all = "snake_case", deny_unknown_fields)]
pub enum TreeNode {
    /// Rows with `features[feature] < threshold` go `below`, the others `above`
    /// (the routing of linfa-trees' own prediction).
    Split {
        feature: usize,
        threshold: f64,
        rate: f64,
        samples: u64,
        below: Box<TreeNode>,
        above: Box<TreeNode>,
    },
    Leaf {
        rate: f64,
        samples: u64,
    },
}

impl TreeNode {
    pub fn rate(&self) -> f64 {
        match self {
            Self::Split { rate, .. } | Self::Leaf { rate, .. } => *rate,
        }
    }

    fn validate(&self, depth: usize) -> Result<(), String> {
        if depth > 64 {
            return Err("tree deeper than 64 levels".into());
        }
        let rate = self.rate();
        if !(rate.is_finite() && rate > 0.0 && rate < 1.0) {
            return Err(format!("tree node rate {rate} outside (0, 1)"));
        }
        if let Self::Split {
            feature,
            threshold,
            below,
            above,
            ..
        } = self
        {
            if *feature >= NUM_FEATURES {
                return Err(format!("tree splits on feature index {feature}"));
            }
            if !threshold.is_finite() {
                return Err("tree threshold is not finite".into());
            }
            below.validate(depth + 1)?;
            above.validate(depth + 1)?;
        }
        Ok(())
    }
}

/// The kinds of model training can fit, one per [`Params`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Logistic,
    DecisionTree,
    Forest,
}

impl ModelKind {
    /// The name used in artifacts, model ids and metrics (the `kind` tag of
    /// [`Params`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logistic => "logistic",
            Self::DecisionTree => "decision_tree",
            Self::Forest => "forest",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Params {
    pub fn kind(&self) -> ModelKind {
        match self {
            Params::Logistic { .. } => ModelKind::Logistic,
            Params::DecisionTree { .. } => ModelKind::DecisionTree,
            Params::Forest { .. } => ModelKind::Forest,
        }
    }
}

/// The fitted parameters, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Params {
    /// log-odds(relevant) = intercept + Σ weights[i] × features[i].
    Logistic { weights: Vec<f64>, intercept: f64 },
    DecisionTree {
        tree: TreeNode,
        /// Orders the candidates that reach one leaf, which share its rate:
        /// a logistic model fitted on the same rows moves the score by at
        /// most [`WITHIN_LEAF_SHARE`]. Absent in artifacts of older builds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_leaf: Option<Linear>,
    },
    /// Bagged trees (a random forest): each fitted on a bootstrap sample of
    /// the rows and a random share of the features; the score is the mean of
    /// their leaf rates, ordered within ties as a tree's.
    Forest {
        trees: Vec<TreeNode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_leaf: Option<Linear>,
    },
}

/// A linear log-odds model: log-odds(relevant) = intercept + Σ weights[i] × features[i].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    pub weights: Vec<f64>,
    pub intercept: f64,
}

impl Linear {
    pub fn probability(&self, x: &[f64]) -> f64 {
        sigmoid(self.intercept + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>())
    }

    fn validate(&self) -> Result<(), String> {
        if self.weights.len() != NUM_FEATURES {
            return Err(format!(
                "{} weights for {NUM_FEATURES} features",
                self.weights.len()
            ));
        }
        if !self
            .weights
            .iter()
            .chain([&self.intercept])
            .all(|w| w.is_finite())
        {
            return Err("a weight is not finite".into());
        }
        Ok(())
    }
}

/// How far the within-leaf order may move a tree's score:
/// `(1 − share) × leaf rate + share × linear probability`. Small, so that
/// leaves keep their order except where their rates barely differ; the
/// tree alone leaves dozens of an enterprise's candidates tied.
pub const WITHIN_LEAF_SHARE: f64 = 0.01;

/// [`WITHIN_LEAF_SHARE`], or `STDNAV_WITHIN_LEAF_SHARE` for comparisons;
/// read once, not per scored candidate.
fn within_leaf_share() -> f64 {
    static SHARE: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| {
        std::env::var("STDNAV_WITHIN_LEAF_SHARE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(WITHIN_LEAF_SHARE)
    });
    *SHARE
}

fn tree_score(rate: f64, within_leaf: Option<&Linear>, x: &[f64]) -> f64 {
    match within_leaf {
        Some(l) => {
            let share = within_leaf_share();
            (1.0 - share) * rate + share * l.probability(x)
        }
        None => rate,
    }
}

/// The artifact as stored on disk (serde JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub format_version: u32,
    pub model_id: String,
    /// `kind` plus `weights`/`intercept` or `tree`.
    #[serde(flatten)]
    pub params: Params,
    /// Feature names in the order the parameters use; must equal [`FEATURES`].
    pub features: Vec<String>,
    /// RFC 3339, UTC.
    pub trained_at: String,
    /// sha256 hex of the training matrix (f64 little-endian, row-major) followed by the labels (one byte each).
    pub training_data_hash: String,
    pub metrics: BTreeMap<String, f64>,
    pub seed: u64,
}

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub feature: &'static str,
    /// The feature's value for this candidate.
    pub value: f64,
    /// Signed effect on the log-odds of relevance.
    pub effect: f64,
}

/// A candidate's score and what drove it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Probability of relevance, 0..1.
    pub score: f64,
    /// Largest |effect| first. Features with no effect are left out.
    pub contributions: Vec<Contribution>,
}

/// A loaded, validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    artifact: Artifact,
    /// The tree or forest's trees laid out for scoring (empty for logistic).
    flat: FlatTrees,
}

/// Trees laid out flat for scoring: every node of every tree in one array
/// (no pointer chase through boxed children), each with the logit of its
/// rate computed once at load for the contributions.
#[derive(Debug, Clone, Default, PartialEq)]
struct FlatTrees {
    nodes: Vec<FlatNode>,
    /// Index of each tree's root in `nodes`, in the artifact's order.
    roots: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct FlatNode {
    /// The split's feature; `None` for a leaf.
    feature: Option<usize>,
    threshold: f64,
    below: usize,
    above: usize,
    rate: f64,
    logit: f64,
}

impl FlatTrees {
    fn of(trees: &[TreeNode]) -> Self {
        let mut flat = Self::default();
        for tree in trees {
            let root = flat.push(tree);
            flat.roots.push(root);
        }
        flat
    }

    /// Appends `node` and its subtree; returns its index.
    fn push(&mut self, node: &TreeNode) -> usize {
        let at = self.nodes.len();
        let rate = node.rate();
        self.nodes.push(FlatNode {
            feature: None,
            threshold: 0.0,
            below: 0,
            above: 0,
            rate,
            logit: logit(rate),
        });
        if let TreeNode::Split {
            feature,
            threshold,
            below,
            above,
            ..
        } = node
        {
            let below = self.push(below);
            let above = self.push(above);
            let n = &mut self.nodes[at];
            n.feature = Some(*feature);
            n.threshold = *threshold;
            n.below = below;
            n.above = above;
        }
        at
    }

    /// The leaf row `x` reaches from `root`, calling `step(feature, node,
    /// next)` for each split on the way (routing as linfa-trees': below
    /// when `x[feature] < threshold`).
    fn walk(
        &self,
        root: usize,
        x: &[f64],
        mut step: impl FnMut(usize, &FlatNode, &FlatNode),
    ) -> &FlatNode {
        let mut node = &self.nodes[root];
        while let Some(feature) = node.feature {
            let next = &self.nodes[if x[feature] < node.threshold {
                node.below
            } else {
                node.above
            }];
            step(feature, node, next);
            node = next;
        }
        node
    }

    /// The mean leaf rate of `x` over the trees.
    fn mean_rate(&self, x: &[f64]) -> f64 {
        let sum: f64 = self
            .roots
            .iter()
            .map(|&r| self.walk(r, x, |_, _, _| {}).rate)
            .sum();
        sum / self.roots.len() as f64
    }

    /// The mean leaf rate of `x`, crediting each split on each tree's path
    /// to its feature in `effects` with `share × (logit(rate after) −
    /// logit(rate before))`, `share` being one over the number of trees.
    fn attribute(&self, x: &[f64], effects: &mut [f64; NUM_FEATURES]) -> f64 {
        let share = 1.0 / self.roots.len() as f64;
        let sum: f64 = self
            .roots
            .iter()
            .map(|&r| {
                self.walk(r, x, |feature, node, next| {
                    effects[feature] += share * (next.logit - node.logit);
                })
                .rate
            })
            .sum();
        sum * share
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Reasons taken from contributions at most (facts that always show come on top).
const MAX_REASONS: usize = 4;
/// Contributions smaller than this (in log-odds) give no reason.
const MIN_REASON_EFFECT: f64 = 0.25;

impl Model {
    /// Validates an artifact (`path` only names it in errors).
    pub fn from_artifact(artifact: Artifact, path: &Path) -> Result<Self, ModelError> {
        let invalid = |reason: String| ModelError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        if artifact.format_version != FORMAT_VERSION {
            return Err(ModelError::FormatVersion {
                path: path.to_path_buf(),
                found: Some(u64::from(artifact.format_version)),
                expected: FORMAT_VERSION,
            });
        }
        if artifact.features != FEATURES {
            return Err(ModelError::FeatureMismatch {
                path: path.to_path_buf(),
                found: artifact.features.clone(),
                expected: FEATURES.iter().map(|f| f.to_string()).collect(),
            });
        }
        if artifact.model_id.trim().is_empty() {
            return Err(invalid("model_id is empty".into()));
        }
        match &artifact.params {
            Params::Logistic { weights, intercept } => {
                if weights.len() != NUM_FEATURES {
                    return Err(invalid(format!(
                        "{} weights for {NUM_FEATURES} features",
                        weights.len()
                    )));
                }
                if !weights.iter().chain([intercept]).all(|w| w.is_finite()) {
                    return Err(invalid("a weight is not finite".into()));
                }
            }
            Params::DecisionTree { tree, within_leaf } => {
                tree.validate(0).map_err(invalid)?;
                if let Some(l) = within_leaf {
                    l.validate().map_err(invalid)?;
                }
            }
            Params::Forest { trees, within_leaf } => {
                if trees.is_empty() {
                    return Err(invalid("a forest without trees".into()));
                }
                for tree in trees {
                    tree.validate(0).map_err(invalid)?;
                }
                if let Some(l) = within_leaf {
                    l.validate().map_err(invalid)?;
                }
            }
        }
        let flat = match &artifact.params {
            Params::Logistic { .. } => FlatTrees::default(),
            Params::DecisionTree { tree, .. } => FlatTrees::of(std::slice::from_ref(tree)),
            Params::Forest { trees, .. } => FlatTrees::of(trees),
        };
        Ok(Self { artifact, flat })
    }

    /// Parses and validates an artifact from JSON text.
    pub fn from_json(json: &str, path: &Path) -> Result<Self, ModelError> {
        let corrupt = |source| ModelError::Corrupt {
            path: path.to_path_buf(),
            source,
        };
        // Version and features first, so that an artifact of another version
        // gets the error that says so rather than a field-level parse error.
        let value: serde_json::Value = serde_json::from_str(json).map_err(corrupt)?;
        let version = value.get("format_version").and_then(|v| v.as_u64());
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(ModelError::FormatVersion {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if let Some(found) = value.get("features").and_then(|f| f.as_array()) {
            let found: Vec<String> = found
                .iter()
                .map(|f| f.as_str().map_or_else(|| f.to_string(), str::to_string))
                .collect();
            if found != FEATURES {
                return Err(ModelError::FeatureMismatch {
                    path: path.to_path_buf(),
                    found,
                    expected: FEATURES.iter().map(|f| f.to_string()).collect(),
                });
            }
        }
        let artifact: Artifact = serde_json::from_value(value).map_err(corrupt)?;
        Self::from_artifact(artifact, path)
    }

    /// Loads an artifact. A missing file, corrupt JSON, another format
    /// version or another feature list is an error — never a fallback.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ModelError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                ModelError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        Self::from_json(&json, path)
    }

    /// The artifact as pretty JSON.
    pub fn to_json(&self) -> String {
        // An artifact is plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(&self.artifact).unwrap_or_default()
    }

    /// Writes the artifact atomically: to a temporary file beside `path`,
    /// flushed to disk, then renamed over `path`. Creates the directory.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = path.as_ref();
        let io = |source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let name = path
            .file_name()
            .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
        let tmp = path.with_file_name(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(self.to_json().as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    pub fn artifact(&self) -> &Artifact {
        &self.artifact
    }

    pub fn id(&self) -> &str {
        &self.artifact.model_id
    }

    /// The kind of its parameters (displayed as `logistic`, `decision_tree`
    /// or `forest`).
    pub fn kind(&self) -> ModelKind {
        self.artifact.params.kind()
    }

    pub fn features(&self) -> &[String] {
        &self.artifact.features
    }

    pub fn trained_at(&self) -> &str {
        &self.artifact.trained_at
    }

    pub fn training_data_hash(&self) -> &str {
        &self.artifact.training_data_hash
    }

    pub fn metrics(&self) -> &BTreeMap<String, f64> {
        &self.artifact.metrics
    }

    pub fn seed(&self) -> u64 {
        self.artifact.seed
    }

    /// Probability of relevance of one feature row.
    pub fn probability(&self, x: &[f64]) -> f64 {
        match &self.artifact.params {
            Params::Logistic { weights, intercept } => {
                sigmoid(intercept + weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>())
            }
            Params::DecisionTree { within_leaf, .. } | Params::Forest { within_leaf, .. } => {
                tree_score(self.flat.mean_rate(x), within_leaf.as_ref(), x)
            }
        }
    }

    /// Scores one candidate, with the contributions behind the score.
    ///
    /// - logistic: effect of feature i = weight i × value i (the intercept is
    ///   not listed), so log-odds = intercept + Σ effects;
    /// - decision tree: each split on the path from the root to the leaf is
    ///   credited to its feature with logit(rate after) − logit(rate before)
    ///   (Saabas' path attribution; a feature split on twice gets the sum), so
    ///   logit(leaf rate) = logit(root rate, the base rate) + Σ effects, and
    ///   the score moves from the leaf rate by at most [`WITHIN_LEAF_SHARE`]
    ///   (the order within the leaf). Features not on the path have no
    ///   effect and are not listed;
    /// - forest: each tree's effects divided by the number of trees (their
    ///   mean), the score the mean leaf rate, ordered within ties as a tree's.
    pub fn score(&self, s: &Signals, as_of_year: i32) -> Scored {
        let x = features(s, as_of_year);
        let mut effects = [0.0; NUM_FEATURES];
        let score = self.value(&x, &mut effects);
        let mut contributions: Vec<Contribution> = (0..NUM_FEATURES)
            .filter(|i| effects[*i] != 0.0)
            .map(|i| Contribution {
                feature: FEATURES[i],
                value: x[i],
                effect: effects[i],
            })
            .collect();
        contributions.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
        Scored {
            score,
            contributions,
        }
    }

    /// The score of [`Model::score`], bit for bit, without working out the
    /// contributions: what a batch needs for the candidates it does not
    /// explain.
    pub fn score_value(&self, s: &Signals, as_of_year: i32) -> f64 {
        // The same arithmetic as `score`, effects into a scratch array:
        // what costs there is the sorted contributions, not the effects.
        self.value(&features(s, as_of_year), &mut [0.0; NUM_FEATURES])
    }

    /// The score of a feature row, crediting each feature's effect in
    /// `effects`.
    fn value(&self, x: &[f64; NUM_FEATURES], effects: &mut [f64; NUM_FEATURES]) -> f64 {
        match &self.artifact.params {
            Params::Logistic { weights, intercept } => {
                let mut z = *intercept;
                for i in 0..NUM_FEATURES {
                    effects[i] = weights[i] * x[i];
                    z += effects[i];
                }
                sigmoid(z)
            }
            Params::DecisionTree { within_leaf, .. } | Params::Forest { within_leaf, .. } => {
                let rate = self.flat.attribute(x, effects);
                tree_score(rate, within_leaf.as_ref(), x)
            }
        }
    }

    /// Short reasons a person can read, built from the signals and the top
    /// contributions:
    ///
    /// 1. the facts that decide whatever the model says, when present:
    ///    mandatory in your market, an older edition held, this edition
    ///    held, not in force, the product it matched;
    /// 2. up to four reasons from the contributions, largest |effect| first,
    ///    each moving the log-odds by at least 0.25, and only those that
    ///    pushed the way the verdict went: towards relevance when the score
    ///    is above the base rate of the training data (`validation_base_rate`,
    ///    ½ when unknown), away from it otherwise — "held by 12 of 20 peers
    ///    in class 3852" for
    ///    a recommendation, "published in 1990" for a rejection;
    /// 3. the international standard it adopts or is adopted as, when named.
    ///
    /// Each reason appears once.
    pub fn reasons(&self, s: &Signals, scored: &Scored) -> Vec<String> {
        self.reason_codes(s, scored)
            .iter()
            .map(Reason::en)
            .collect()
    }

    /// [`Model::reasons`] as reason codes, to be worded in the reader's
    /// language (`stdnav_core::reason`).
    pub fn reason_codes(&self, s: &Signals, scored: &Scored) -> Vec<Reason> {
        let mut out: Vec<Reason> = Vec::new();
        let push = |out: &mut Vec<Reason>, reason: Option<Reason>| {
            if let Some(r) = reason
                && !out.contains(&r)
            {
                out.push(r);
            }
        };
        for i in FORCED_FIRST {
            if is_forced(i, s) {
                push(&mut out, reason_for(i, 0.0, s));
            }
        }
        let before = out.len();
        let base_rate = self
            .artifact
            .metrics
            .get("validation_base_rate")
            .copied()
            .filter(|r| r.is_finite())
            .unwrap_or(0.5);
        let supportive = scored.score >= base_rate;
        for c in &scored.contributions {
            if out.len() - before >= MAX_REASONS || c.effect.abs() < MIN_REASON_EFFECT {
                break;
            }
            if (c.effect > 0.0) != supportive {
                continue;
            }
            if let Some(i) = FEATURES.iter().position(|f| *f == c.feature) {
                push(&mut out, reason_for(i, c.effect, s));
            }
        }
        if is_forced(idx::INTERNATIONAL_ALIGNMENT, s) {
            push(&mut out, reason_for(idx::INTERNATIONAL_ALIGNMENT, 0.0, s));
        }
        out
    }
}

/// Features whose facts lead the reasons, in this order.
const FORCED_FIRST: [usize; 5] = [
    idx::MANDATORY_IN_MARKET,
    idx::HELD_OLD_EDITION,
    idx::HELD_CURRENT,
    idx::IN_FORCE,
    idx::TEXT_SCORE_LOG,
];

/// Whether feature `i` states a fact that is always given as a reason.
fn is_forced(i: usize, s: &Signals) -> bool {
    match i {
        idx::TEXT_SCORE_LOG => !s.matched_product.is_empty(),
        idx::MANDATORY_IN_MARKET => s.mandatory_in_market,
        idx::HELD_CURRENT => s.holding == Holding::HeldCurrent,
        idx::HELD_OLD_EDITION => s.holding == Holding::HeldOldEdition,
        idx::IN_FORCE => !crate::features::in_force(s.status),
        idx::INTERNATIONAL_ALIGNMENT => s.international_alignment && !s.adopted_as.is_empty(),
        _ => false,
    }
}

/// The reason feature `i` gives for `s`, if any, given its effect.
fn reason_for(i: usize, effect: f64, s: &Signals) -> Option<Reason> {
    Some(match i {
        idx::TEXT_SCORE_LOG if !s.matched_product.is_empty() => Reason::MatchesProduct {
            product: s.matched_product.clone(),
        },
        idx::TEXT_SCORE_LOG if effect > 0.0 => Reason::MatchesProductsOrIndustry,
        idx::ICS_DEPTH if effect > 0.0 => Reason::IcsMatch {
            depth: match s.ics_match_depth {
                0 => return None,
                1 => IcsDepth::Field,
                2 => IcsDepth::Group,
                _ => IcsDepth::SubGroup,
            },
        },
        idx::MANDATORY_IN_MARKET if s.mandatory_in_market => Reason::MandatoryInMarket,
        idx::MANDATORY if s.mandatory && !s.mandatory_in_market => Reason::MandatoryStandard,
        idx::IS_INTERNATIONAL if effect > 0.0 => Reason::InternationalStandard,
        idx::IS_REGIONAL if effect > 0.0 => Reason::RegionalStandard,
        idx::IS_NATIONAL if effect > 0.0 => Reason::NationalStandard,
        idx::IN_FORCE => match s.status {
            Some(Status::Withdrawn) => Reason::Withdrawn,
            Some(Status::Replaced) => Reason::Replaced,
            Some(Status::Draft) => Reason::Draft,
            Some(Status::Upcoming) if effect > 0.0 => Reason::ComingIntoForce,
            _ => return None,
        },
        idx::AGE if effect < 0.0 && s.published_year > 0 => Reason::PublishedIn {
            year: s.published_year,
        },
        idx::AGE if effect > 0.0 && s.published_year > 0 => Reason::RecentEdition {
            year: s.published_year,
        },
        idx::IN_DEGREE_LOG if s.in_degree > 0 && effect > 0.0 => {
            Reason::ReferencedByStandards { n: s.in_degree }
        }
        // No peers: no peer reason (never "held by 0 % of peers").
        idx::PEER_ADOPTION if s.peer_count > 0 => peer_reason(s),
        idx::INTERNATIONAL_ALIGNMENT if s.international_alignment => {
            if s.adopted_as.is_empty() {
                Reason::InternationalAlignment
            } else {
                Reason::AdoptedAs {
                    standard: s.adopted_as.clone(),
                }
            }
        }
        idx::HELD_CURRENT if s.holding == Holding::HeldCurrent => Reason::HeldCurrent,
        idx::HELD_OLD_EDITION if s.holding == Holding::HeldOldEdition => Reason::OlderEditionHeld {
            held: String::new(),
        },
        idx::COCITATION if s.cocitation > 0.0 && effect > 0.0 => Reason::RegulationNames,
        idx::REGULATION if s.regulation > 0.0 && effect > 0.0 => Reason::RegulationNames,
        idx::PRODUCT_KIND if s.product_kind > 0.0 && effect > 0.0 => Reason::RegulationNames,
        idx::SERIES_MATCH if s.series_match > 0.0 && effect > 0.0 => Reason::SeriesPartMatched,
        idx::REFERENCED if s.referenced => {
            if s.in_degree >= 10 {
                Reason::GeneralPartReferenced
            } else {
                Reason::ReferenceOfMatched
            }
        }
        _ => return None,
    })
}

/// "held by 12 of 20 peers in class 3852": how many of the peers hold it,
/// and what they share with the enterprise (the GB/T 4754 level and code).
fn peer_reason(s: &Signals) -> Reason {
    let count = s.peer_count;
    let held = (s.peer_adoption.clamp(0.0, 1.0) * f64::from(count)).round() as u32;
    Reason::PeersHold {
        held,
        of: count,
        level: s.peer_level.map_or("", |l| l.name()).to_string(),
        code: if s.peer_level.is_some() {
            s.peer_code.clone()
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names model ids and metrics print are the `kind` tags artifacts
    /// are written with: one list of names, checked both ways.
    #[test]
    fn a_kinds_name_is_its_artifact_tag() {
        let tree = TreeNode::Leaf {
            rate: 0.5,
            samples: 1,
        };
        for params in [
            Params::Logistic {
                weights: vec![0.0; NUM_FEATURES],
                intercept: 0.0,
            },
            Params::DecisionTree {
                tree: tree.clone(),
                within_leaf: None,
            },
            Params::Forest {
                trees: vec![tree],
                within_leaf: None,
            },
        ] {
            let json = serde_json::to_value(&params).unwrap();
            assert_eq!(json["kind"], params.kind().as_str(), "{params:?}");
            let back: Params = serde_json::from_value(json).unwrap();
            assert_eq!(back.kind(), params.kind());
        }
    }
}
