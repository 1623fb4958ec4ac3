//! Training: a logistic regression (linfa-logistic) and a decision tree
//! (linfa-trees) on the same seeded 80/20 split; the one with the higher
//! validation AUC is kept (ties go to the logistic model, whose
//! contributions are exact), with the validation metrics of both in its
//! artifact. [`train_kind`] fits one kind, including a forest of bagged
//! linfa-trees trees (each on a bootstrap sample of rows and a random share
//! of the features), which `stdnav train` weighs against the other two by
//! ranking.
//!
//! The parameters are stored in stdnav's own artifact layout rather than as
//! linfa's serde structs: linfa-logistic's positive class is whichever label
//! is *more frequent* in the training data (so its probabilities may be those
//! of "irrelevant"), and linfa-trees predicts labels only. The artifact keeps
//! log-odds weights of "relevant" and a tree whose nodes carry smoothed
//! relevant rates (one per tree of a forest), which is what scoring and
//! explanations need.

use std::collections::BTreeMap;
use std::time::SystemTime;

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use linfa_trees::DecisionTree;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use crate::features::{FEATURES, NUM_FEATURES};
use crate::metrics;
use crate::model::{
    Artifact, FORMAT_VERSION, Linear, Model, ModelError, ModelKind, Params, TreeNode,
};
use crate::synthetic::synthetic_training_set;

/// Rows of synthetic data [`train_default`] trains on.
pub const DEFAULT_TRAINING_ROWS: usize = 20_000;
/// Share of rows held out for validation.
pub const VALIDATION_SHARE: f64 = 0.2;
/// L2 penalty of the logistic regression (on a summed, not averaged, loss).
const LOGISTIC_ALPHA: f64 = 1.0;
const TREE_MAX_DEPTH: usize = 8;
const TREE_MIN_LEAF_WEIGHT: f32 = 20.0;
/// The tree is fitted with class weights balancing relevant against
/// irrelevant rows: linfa-trees prunes sibling leaves that predict the same
/// label, and without balancing most of the tree (every leaf where relevant
/// rows are a minority) collapses into one. Leaf rates are then counted
/// without weights. Weight of an irrelevant row when fitting the tree. linfa-trees picks a
/// node's label from a HashMap, so an exact tie between the classes would
/// make the fit depend on the process's hash seed; a weight of 1 − 2⁻¹³ makes
/// exact ties impossible below 16,383 rows per node.
const TREE_NEGATIVE_WEIGHT: f32 = 1.0 - 1.0 / 8192.0;

/// sha256 hex of the training data: the matrix as f64 little-endian in
/// row-major order, then one byte (0 or 1) per label.
pub fn training_data_hash(x: &Array2<f64>, y: &Array1<bool>) -> String {
    let mut h = Sha256::new();
    for v in x.iter() {
        h.update(v.to_le_bytes());
    }
    for l in y.iter() {
        h.update([u8::from(*l)]);
    }
    hex::encode(h.finalize())
}

/// AUC (when both classes occur), log-loss and accuracy of `model` on rows `x` with labels `y`.
pub fn evaluate(model: &Model, x: &Array2<f64>, y: &Array1<bool>) -> BTreeMap<String, f64> {
    let p: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| match r.as_slice() {
            Some(s) => model.probability(s),
            None => model.probability(&r.to_vec()),
        })
        .collect();
    let labels = y.to_vec();
    metric_map(&p, &labels)
}

fn metric_map(p: &[f64], labels: &[bool]) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    // No AUC without both classes (JSON has no NaN to store it as).
    if let Some(auc) = metrics::auc(p, labels) {
        m.insert("auc".to_string(), auc);
    }
    m.insert("log_loss".to_string(), metrics::log_loss(p, labels));
    m.insert("accuracy".to_string(), metrics::accuracy(p, labels));
    m
}

fn training_error(e: impl std::fmt::Display) -> ModelError {
    ModelError::Training(e.to_string())
}

fn fit_logistic(x: &Array2<f64>, y: &Array1<bool>) -> Result<Params, ModelError> {
    let Linear { weights, intercept } = fit_linear(x, y)?;
    Ok(Params::Logistic { weights, intercept })
}

/// Fits on standardised columns (L-BFGS converges in a few dozen steps on
/// them, against hundreds on the raw ones, and the L2 penalty treats every
/// feature alike), then folds the scaling back into weights on raw features.
fn fit_linear(x: &Array2<f64>, y: &Array1<bool>) -> Result<Linear, ModelError> {
    let mean = x
        .mean_axis(Axis(0))
        .ok_or_else(|| training_error("no training rows"))?;
    let sd = x
        .std_axis(Axis(0), 0.0)
        .mapv(|v| if v > 1e-12 { v } else { 1.0 });
    let standardised = (x - &mean) / &sd;
    let dataset = Dataset::new(standardised, y.clone());
    let fitted = LogisticRegression::default()
        .alpha(LOGISTIC_ALPHA)
        .max_iterations(200)
        .fit(&dataset)
        .map_err(training_error)?;
    // linfa's positive class is the majority label; we want log-odds of `true`.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let mut intercept = sign * fitted.intercept();
    let mut weights = Vec::with_capacity(NUM_FEATURES);
    for (i, w) in fitted.params().iter().enumerate() {
        let w = sign * w / sd[i];
        intercept -= w * mean[i];
        weights.push(w);
    }
    Ok(Linear { weights, intercept })
}

/// A tree node with counts, before rates are smoothed.
enum Counted {
    Split {
        feature: usize,
        threshold: f64,
        counts: (u64, u64),
        below: Box<Counted>,
        above: Box<Counted>,
    },
    Leaf {
        counts: (u64, u64),
    },
}

impl Counted {
    /// The shape of linfa's tree fitted on the feature `columns` (its
    /// feature `i` is [`FEATURES`]`[columns[i]]`).
    fn from_linfa(node: &linfa_trees::TreeNode<f64, bool>, columns: &[usize]) -> Self {
        let children = node.children();
        match (node.is_leaf(), children[0], children[1]) {
            (false, Some(below), Some(above)) => {
                let (feature, threshold, _) = node.split();
                Self::Split {
                    feature: columns[feature],
                    threshold,
                    counts: (0, 0),
                    below: Box::new(Self::from_linfa(below, columns)),
                    above: Box::new(Self::from_linfa(above, columns)),
                }
            }
            _ => Self::Leaf { counts: (0, 0) },
        }
    }

    /// Counts (positives, rows) of one training row at every node on its path.
    fn count(&mut self, x: ArrayView1<'_, f64>, label: bool) {
        let mut node = self;
        loop {
            let counts = match node {
                Self::Split { counts, .. } | Self::Leaf { counts } => counts,
            };
            counts.0 += u64::from(label);
            counts.1 += 1;
            match node {
                Self::Split {
                    feature,
                    threshold,
                    below,
                    above,
                    ..
                } => {
                    node = if x[*feature] < *threshold {
                        below
                    } else {
                        above
                    };
                }
                Self::Leaf { .. } => return,
            }
        }
    }

    fn finish(self, parent_rate: f64) -> TreeNode {
        let smooth = |(pos, n): (u64, u64)| (pos as f64 + 2.0 * parent_rate) / (n as f64 + 2.0);
        match self {
            Self::Split {
                feature,
                threshold,
                counts,
                below,
                above,
            } => {
                let rate = smooth(counts);
                TreeNode::Split {
                    feature,
                    threshold,
                    rate,
                    samples: counts.1,
                    below: Box::new(below.finish(rate)),
                    above: Box::new(above.finish(rate)),
                }
            }
            Self::Leaf { counts } => TreeNode::Leaf {
                rate: smooth(counts),
                samples: counts.1,
            },
        }
    }
}

/// One tree fitted on the `rows` of `x`/`y` (indices, repeats allowed)
/// seeing only the feature `columns` (indices into [`FEATURES`]), its nodes'
/// rates counted on the same rows. The rows and columns are copied once, into
/// the matrix linfa fits on.
fn fit_one_tree(
    x: &Array2<f64>,
    y: &Array1<bool>,
    rows: &[usize],
    columns: &[usize],
    max_depth: usize,
    min_leaf_weight: f32,
) -> Result<TreeNode, ModelError> {
    let ys: Array1<bool> = rows.iter().map(|&r| y[r]).collect();
    let positives = ys.iter().filter(|l| **l).count().max(1);
    let balance = ((ys.len() - positives) as f32 / positives as f32).max(1.0);
    let weights = ys.mapv(|l| if l { balance } else { TREE_NEGATIVE_WEIGHT });
    let seen = Array2::from_shape_fn((rows.len(), columns.len()), |(i, j)| {
        x[[rows[i], columns[j]]]
    });
    let dataset = Dataset::new(seen, ys)
        .with_weights(weights)
        .with_feature_names(columns.iter().map(|&c| FEATURES[c]).collect());
    let fitted = DecisionTree::params()
        .max_depth(Some(max_depth))
        .min_weight_leaf(min_leaf_weight)
        .min_weight_split(2.0 * min_leaf_weight)
        .fit(&dataset)
        .map_err(training_error)?;
    let mut counted = Counted::from_linfa(fitted.root_node(), columns);
    for &r in rows {
        counted.count(x.row(r), y[r]);
    }
    Ok(counted.finish(0.5))
}

fn fit_tree(x: &Array2<f64>, y: &Array1<bool>) -> Result<Params, ModelError> {
    let all: Vec<usize> = (0..NUM_FEATURES).collect();
    let rows: Vec<usize> = (0..x.nrows()).collect();
    // Candidates of one enterprise often share a leaf: a linear model on
    // the same rows orders them.
    Ok(Params::DecisionTree {
        tree: fit_one_tree(x, y, &rows, &all, TREE_MAX_DEPTH, TREE_MIN_LEAF_WEIGHT)?,
        within_leaf: Some(fit_linear(x, y)?),
    })
}

/// Trees in a forest.
const FOREST_TREES: usize = 16;
/// Rows each tree of a forest is fitted on, drawn with replacement, as a
/// share of the training rows.
const FOREST_ROW_SHARE: f64 = 0.5;
/// Features each tree of a forest sees, as a share of all.
const FOREST_FEATURE_SHARE: f64 = 0.7;
/// Least weight of a forest's leaf: the check set's dev rows come repeated
/// (8 times each in training), and a leaf of the single tree's weight held
/// two or three distinct real rows, which a tree of a forest (seeing nearly
/// every repeated row) then memorised; this is 20 distinct rows at that
/// repetition (docs/EVALUATION.md, session 24).
const FOREST_MIN_LEAF_WEIGHT: f32 = 160.0;

/// The forest's shape: its trees, the share of features each sees, their
/// depth and their leaves' least weight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ForestShape {
    trees: usize,
    feature_share: f64,
    depth: usize,
    min_leaf_weight: f32,
}

/// [`FOREST_TREES`], [`FOREST_FEATURE_SHARE`], [`TREE_MAX_DEPTH`] and
/// [`FOREST_MIN_LEAF_WEIGHT`], or `STDNAV_FOREST=<trees>:<feature
/// share>:<depth>[:<least leaf weight>]` for comparisons
/// (docs/EVALUATION.md); read once.
fn forest_shape() -> ForestShape {
    static SHAPE: std::sync::LazyLock<ForestShape> =
        std::sync::LazyLock::new(|| parse_forest_shape(std::env::var("STDNAV_FOREST").ok()));
    *SHAPE
}

fn parse_forest_shape(text: Option<String>) -> ForestShape {
    let default = ForestShape {
        trees: FOREST_TREES,
        feature_share: FOREST_FEATURE_SHARE,
        depth: TREE_MAX_DEPTH,
        min_leaf_weight: FOREST_MIN_LEAF_WEIGHT,
    };
    let Some(text) = text else {
        return default;
    };
    let parts: Vec<&str> = text.split(':').collect();
    let (t, f, d, leaf) = match parts.as_slice() {
        [t, f, d] => (t, f, d, None),
        [t, f, d, leaf] => (t, f, d, Some(leaf)),
        _ => return default,
    };
    let leaf = match leaf.map(|l| l.parse::<f32>()) {
        None => Ok(default.min_leaf_weight),
        Some(parsed) => parsed,
    };
    match (t.parse(), f.parse(), d.parse(), leaf) {
        (Ok(trees), Ok(feature_share), Ok(depth), Ok(min_leaf_weight))
            if trees > 0
                && feature_share > 0.0
                && feature_share <= 1.0
                && depth > 0
                && min_leaf_weight > 0.0
                && min_leaf_weight.is_finite() =>
        {
            ForestShape {
                trees,
                feature_share,
                depth,
                min_leaf_weight,
            }
        }
        _ => default,
    }
}

/// Bagged trees: each on a bootstrap sample of the rows and a random share
/// of the features, so that no one split decides for every candidate (a
/// single tree leaves dozens of an enterprise's candidates on one leaf and
/// follows whichever feature won its root).
fn fit_forest(x: &Array2<f64>, y: &Array1<bool>, seed: u64) -> Result<Params, ModelError> {
    use rand::Rng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xf0_2e57);
    let ForestShape {
        trees: count,
        feature_share,
        depth,
        min_leaf_weight,
    } = forest_shape();
    let rows = x.nrows();
    let sample = ((rows as f64) * FOREST_ROW_SHARE).round().max(1.0) as usize;
    let seen = ((NUM_FEATURES as f64) * feature_share).round() as usize;
    let mut trees = Vec::with_capacity(count);
    for _ in 0..count {
        let picked: Vec<usize> = (0..sample).map(|_| rng.random_range(0..rows)).collect();
        let mut columns: Vec<usize> = (0..NUM_FEATURES).collect();
        columns.shuffle(&mut rng);
        columns.truncate(seen.max(1));
        columns.sort_unstable();
        if !picked.iter().any(|&r| y[r]) {
            continue;
        }
        trees.push(fit_one_tree(
            x,
            y,
            &picked,
            &columns,
            depth,
            min_leaf_weight,
        )?);
    }
    if trees.is_empty() {
        return Err(training_error("no bootstrap sample held a relevant row"));
    }
    Ok(Params::Forest {
        trees,
        within_leaf: Some(fit_linear(x, y)?),
    })
}

fn with_params(
    params: Params,
    seed: u64,
    hash: &str,
    metrics: BTreeMap<String, f64>,
) -> Result<Model, ModelError> {
    let kind = params.kind();
    // The id names the content: the same data and parameters give the same id.
    let mut h = Sha256::new();
    h.update(hash.as_bytes());
    h.update(serde_json::to_vec(&params).map_err(training_error)?);
    let id = format!("{kind}-{}", &hex::encode(h.finalize())[..12]);
    Model::from_artifact(
        Artifact {
            format_version: FORMAT_VERSION,
            model_id: id,
            params,
            features: FEATURES.iter().map(|f| f.to_string()).collect(),
            trained_at: crate::time::rfc3339(SystemTime::now()),
            training_data_hash: hash.to_string(),
            metrics,
            seed,
        },
        std::path::Path::new("<trained>"),
    )
}

/// Seeded 80/20 split of checked training data.
struct Split {
    hash: String,
    x_train: Array2<f64>,
    y_train: Array1<bool>,
    x_val: Array2<f64>,
    y_val: Array1<bool>,
}

fn split(x: &Array2<f64>, y: &Array1<bool>, seed: u64) -> Result<Split, ModelError> {
    if x.nrows() != y.len() || x.ncols() != NUM_FEATURES {
        return Err(ModelError::Training(format!(
            "expected a matrix of {NUM_FEATURES} columns and one label per row, got {}×{} and {} labels",
            x.nrows(),
            x.ncols(),
            y.len()
        )));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(ModelError::Training(
            "the training matrix has non-finite values".into(),
        ));
    }
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    // A stream apart from the generator's, so the split does not echo it.
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x05ee_d0f5_b117));
    let n_val = ((x.nrows() as f64) * VALIDATION_SHARE).round() as usize;
    let (val_idx, train_idx) = order.split_at(n_val);
    let s = Split {
        hash: training_data_hash(x, y),
        x_train: x.select(Axis(0), train_idx),
        y_train: y.select(Axis(0), train_idx),
        x_val: x.select(Axis(0), val_idx),
        y_val: y.select(Axis(0), val_idx),
    };
    let positives = s.y_train.iter().filter(|l| **l).count();
    if positives == 0 || positives == s.y_train.len() || s.y_val.is_empty() {
        return Err(ModelError::Training(
            "need both classes among the training rows and some validation rows".into(),
        ));
    }
    Ok(s)
}

/// Fits one kind on the training part and validates it on the rest.
fn fit_and_validate(
    s: &Split,
    kind: ModelKind,
    seed: u64,
) -> Result<(Model, BTreeMap<String, f64>), ModelError> {
    let params = match kind {
        ModelKind::Logistic => fit_logistic(&s.x_train, &s.y_train)?,
        ModelKind::DecisionTree => fit_tree(&s.x_train, &s.y_train)?,
        ModelKind::Forest => fit_forest(&s.x_train, &s.y_train, seed)?,
    };
    let model = with_params(params, seed, &s.hash, BTreeMap::new())?;
    let metrics = evaluate(&model, &s.x_val, &s.y_val);
    tracing::debug!(model = kind.as_str(), ?metrics, "validated");
    Ok((model, metrics))
}

/// The final model: `chosen`'s parameters with the metrics of every kind
/// tried (`tried`), the chosen one's also without prefix.
fn finish(
    s: &Split,
    seed: u64,
    chosen: &Model,
    tried: &[(ModelKind, BTreeMap<String, f64>)],
) -> Result<Model, ModelError> {
    let mut metrics = BTreeMap::new();
    for (kind, m) in tried {
        for (k, v) in m {
            metrics.insert(format!("{}.validation_{k}", kind.as_str()), *v);
            if *kind == chosen.kind() {
                metrics.insert(format!("validation_{k}"), *v);
            }
        }
    }
    metrics.insert("train_rows".into(), s.x_train.nrows() as f64);
    metrics.insert("validation_rows".into(), s.x_val.nrows() as f64);
    metrics.insert(
        "validation_base_rate".into(),
        s.y_val.iter().filter(|l| **l).count() as f64 / s.y_val.len() as f64,
    );
    with_params(chosen.artifact().params.clone(), seed, &s.hash, metrics)
}

/// Trains one kind of model on `x`/`y` (seeded 80/20 split, 80 % to fit,
/// 20 % to validate).
pub fn train_kind(
    x: &Array2<f64>,
    y: &Array1<bool>,
    seed: u64,
    kind: ModelKind,
) -> Result<Model, ModelError> {
    let s = split(x, y, seed)?;
    let (model, m) = fit_and_validate(&s, kind, seed)?;
    finish(&s, seed, &model, &[(kind, m)])
}

/// Trains both kinds on `x`/`y` (the same seeded 80/20 split) and keeps the
/// one with the higher validation AUC (the logistic one on a tie). Its
/// metrics hold `validation_auc`, `validation_log_loss` and
/// `validation_accuracy` of the kept model, the same prefixed
/// `logistic.` and `decision_tree.` for both, and `train_rows`,
/// `validation_rows`, `validation_base_rate`.
pub fn train(x: &Array2<f64>, y: &Array1<bool>, seed: u64) -> Result<Model, ModelError> {
    let s = split(x, y, seed)?;
    let (logistic, lm) = fit_and_validate(&s, ModelKind::Logistic, seed)?;
    let (tree, tm) = fit_and_validate(&s, ModelKind::DecisionTree, seed)?;
    let auc = |m: &BTreeMap<String, f64>| m.get("auc").copied().unwrap_or(f64::NAN);
    let chosen = if auc(&tm) > auc(&lm) {
        &tree
    } else {
        &logistic
    };
    finish(
        &s,
        seed,
        chosen,
        &[(ModelKind::Logistic, lm), (ModelKind::DecisionTree, tm)],
    )
}

/// Trains on [`DEFAULT_TRAINING_ROWS`] rows of
/// [`crate::synthetic_training_set`] for `seed`.
pub fn train_default(seed: u64) -> Result<Model, ModelError> {
    let (x, y) = synthetic_training_set(seed, DEFAULT_TRAINING_ROWS);
    train(&x, &y, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_shape_reads_three_or_four_fields_and_falls_back_on_anything_else() {
        let default = parse_forest_shape(None);
        assert_eq!(default.trees, FOREST_TREES);
        assert_eq!(default.min_leaf_weight, FOREST_MIN_LEAF_WEIGHT);
        let three = parse_forest_shape(Some("32:0.5:10".into()));
        assert_eq!((three.trees, three.depth), (32, 10));
        assert_eq!(three.min_leaf_weight, FOREST_MIN_LEAF_WEIGHT);
        let four = parse_forest_shape(Some("16:0.7:8:160".into()));
        assert_eq!(four.min_leaf_weight, 160.0);
        for bad in [
            "",
            "16:0.7",
            "16:0.7:8:0",
            "16:1.5:8",
            "16:0.7:8:x",
            "0:0.7:8",
        ] {
            assert_eq!(parse_forest_shape(Some(bad.into())), default, "{bad}");
        }
    }
}
