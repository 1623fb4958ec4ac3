//! stdnav recommendation models: features, synthetic training data, linfa training, artifacts, evaluation
