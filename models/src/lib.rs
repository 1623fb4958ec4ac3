//! stdnav recommendation models: the features of an (enterprise, candidate
//! standard) pair, synthetic labelled training data, linfa training
//! (logistic regression and a decision tree, the better one kept), the JSON
//! artifact, and scoring with contributions and reasons.
//!
//! - [`features`] — [`Signals`], [`FEATURES`] and the one feature function
//!   shared by training and serving;
//! - [`synthetic`] — the documented, seeded generator of labelled candidates
//!   (there is no public record of who adopted what);
//! - [`train`] — fitting, validation and model choice;
//! - [`model`] — the artifact, [`Model::load`]/[`Model::save`],
//!   [`Model::score`] and [`Model::reasons`];
//! - [`metrics`] — AUC, log-loss, accuracy.

pub mod checkset;
pub mod features;
pub mod iso_survey;
pub mod metrics;
pub mod model;
pub mod synthetic;
pub mod time;
pub mod train;

pub use features::{
    FEATURES, Holding, IndustryLevel, Level, NUM_FEATURES, Signals, Status, features,
};
pub use model::{
    Artifact, Contribution, FORMAT_VERSION, Linear, Model, ModelError, ModelKind, Params, Scored,
    TreeNode, WITHIN_LEAF_SHARE,
};
pub use synthetic::{SYNTHETIC_AS_OF_YEAR, synthetic_candidates, synthetic_training_set};
pub use train::{
    DEFAULT_TRAINING_ROWS, evaluate, train, train_default, train_kind, training_data_hash,
};
