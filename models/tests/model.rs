//! Training, artifacts, scoring and reasons of the relevance model.

use std::sync::OnceLock;

use stdnav_models::{
    FEATURES, Holding, IndustryLevel, Level, Model, ModelError, ModelKind, Params, Signals, Status,
    WITHIN_LEAF_SHARE, features, synthetic_training_set, train, train_default, train_kind,
};

/// The default model, trained once for the whole test binary.
fn default_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| train_default(42).expect("default training succeeds"))
}

/// A decision tree on a smaller set, for the tree-specific paths.
fn tree_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (x, y) = synthetic_training_set(5, 6_000);
        train_kind(&x, &y, 5, ModelKind::DecisionTree).expect("tree training succeeds")
    })
}

/// A forest on the same smaller set.
fn forest_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (x, y) = synthetic_training_set(5, 6_000);
        train_kind(&x, &y, 5, ModelKind::Forest).expect("forest training succeeds")
    })
}

fn relevant() -> Signals {
    Signals {
        id: "GB 4706.32-2012".into(),
        text_score: 12.0,
        match_strength: 1.0,
        cocitation: 0.0,
        regulation: 0.0,
        product_kind: 0.0,
        series_match: 0.0,
        ics_match_depth: 3,
        mandatory: true,
        mandatory_in_market: true,
        level: Level::National,
        status: Some(Status::Current),
        published_year: 2012,
        in_degree: 4,
        peer_adoption: 0.64,
        peer_count: 25,
        peer_level: Some(IndustryLevel::Class),
        peer_code: "3852".into(),
        international_alignment: true,
        holding: Holding::NotHeld,
        referenced: false,
        matched_product: "房间空调器".into(),
        adopted_as: "IEC 60335-2-40:2018".into(),
    }
}

fn irrelevant() -> Signals {
    Signals {
        id: "ISO 1234:1990".into(),
        text_score: 0.4,
        match_strength: 0.1,
        ics_match_depth: 0,
        level: Level::International,
        status: Some(Status::Withdrawn),
        published_year: 1990,
        peer_adoption: 0.0,
        ..Default::default()
    }
}

#[test]
fn feature_function_has_one_value_per_name() {
    assert_eq!(features(&relevant(), 2025).len(), FEATURES.len());
    assert_eq!(default_model().features(), FEATURES);
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let (x, y) = synthetic_training_set(11, 4_000);
    let a = train(&x, &y, 11).unwrap();
    let b = train(&x, &y, 11).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(a.artifact().params, b.artifact().params);
    assert_eq!(a.metrics(), b.metrics());
    assert_eq!(a.training_data_hash(), b.training_data_hash());
    let (x2, y2) = synthetic_training_set(12, 4_000);
    let c = train(&x2, &y2, 12).unwrap();
    assert_ne!(a.id(), c.id());
    assert_ne!(a.training_data_hash(), c.training_data_hash());
}

#[test]
fn default_model_is_validated_and_described() {
    let m = default_model();
    for key in [
        "validation_auc",
        "validation_log_loss",
        "validation_accuracy",
        "logistic.validation_auc",
        "decision_tree.validation_auc",
        "train_rows",
        "validation_rows",
    ] {
        assert!(m.metrics().contains_key(key), "missing metric {key}");
    }
    let auc = m.metrics()["validation_auc"];
    assert!(auc > 0.75, "validation AUC {auc}");
    // The kept model is the better of the two on AUC.
    let best =
        m.metrics()["logistic.validation_auc"].max(m.metrics()["decision_tree.validation_auc"]);
    assert_eq!(auc, best);
    assert!(m.id().starts_with(m.kind().as_str()));
    assert_eq!(m.seed(), 42);
    assert_eq!(m.training_data_hash().len(), 64);
    assert!(m.trained_at().ends_with('Z') && m.trained_at().len() == 20);
}

#[test]
fn relevant_candidate_outranks_irrelevant_one() {
    for m in [default_model(), tree_model(), forest_model()] {
        let hi = m.score(&relevant(), 2025).score;
        let lo = m.score(&irrelevant(), 2025).score;
        assert!(hi > lo, "{}: {hi} vs {lo}", m.kind());
        assert!((0.0..=1.0).contains(&hi) && (0.0..=1.0).contains(&lo));
    }
    let m = default_model();
    // Held in this edition: not recommended; held in an older one: upgrade.
    let held = Signals {
        holding: Holding::HeldCurrent,
        ..relevant()
    };
    let old = Signals {
        holding: Holding::HeldOldEdition,
        mandatory_in_market: false,
        peer_adoption: 0.1,
        ..relevant()
    };
    let fresh = Signals {
        mandatory_in_market: false,
        peer_adoption: 0.1,
        ..relevant()
    };
    assert!(m.score(&held, 2025).score < m.score(&relevant(), 2025).score);
    assert!(m.score(&old, 2025).score > m.score(&fresh, 2025).score);
}

#[test]
fn logistic_contributions_add_up_and_are_sorted() {
    let (x, y) = synthetic_training_set(3, 4_000);
    let m = train_kind(&x, &y, 3, ModelKind::Logistic).unwrap();
    let Params::Logistic { intercept, .. } = m.artifact().params else {
        panic!("logistic expected");
    };
    let scored = m.score(&relevant(), 2025);
    let z: f64 = intercept + scored.contributions.iter().map(|c| c.effect).sum::<f64>();
    assert!((1.0 / (1.0 + (-z).exp()) - scored.score).abs() < 1e-12);
    assert!(
        scored
            .contributions
            .windows(2)
            .all(|w| w[0].effect.abs() >= w[1].effect.abs())
    );
}

#[test]
fn tree_contributions_add_up_to_the_leaf() {
    let m = tree_model();
    let Params::DecisionTree { tree, .. } = &m.artifact().params else {
        panic!("tree expected");
    };
    let logit = |p: f64| (p / (1.0 - p)).ln();
    for s in [relevant(), irrelevant()] {
        let scored = m.score(&s, 2025);
        let z = logit(tree.rate()) + scored.contributions.iter().map(|c| c.effect).sum::<f64>();
        let leaf_rate = 1.0 / (1.0 + (-z).exp());
        // The order within the leaf moves the score a little from its rate.
        assert!((leaf_rate - scored.score).abs() <= WITHIN_LEAF_SHARE + 1e-9);
    }
}

#[test]
fn forest_averages_its_trees_and_their_contributions() {
    let m = forest_model();
    assert_eq!(m.kind(), ModelKind::Forest);
    let Params::Forest { trees, .. } = &m.artifact().params else {
        panic!("forest expected");
    };
    assert!(trees.len() > 1, "{} trees", trees.len());
    // Trees fitted on different samples and features differ.
    assert!(trees.windows(2).any(|w| w[0] != w[1]));
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let root = trees.iter().map(|t| logit(t.rate())).sum::<f64>() / trees.len() as f64;
    let hi = m.score(&relevant(), 2025);
    let lo = m.score(&irrelevant(), 2025);
    // The mean of each tree's path effects moves the mean root log-odds
    // the way the score went.
    let moved = |s: &stdnav_models::Scored| s.contributions.iter().map(|c| c.effect).sum::<f64>();
    assert!(root + moved(&hi) > root + moved(&lo));
    assert!(hi.score > lo.score);
    // The same seed gives the same forest.
    let (x, y) = synthetic_training_set(5, 6_000);
    let again = train_kind(&x, &y, 5, ModelKind::Forest).unwrap();
    assert_eq!(again.artifact().params, m.artifact().params);
}

#[test]
fn reasons_name_the_facts() {
    let m = default_model();
    let s = relevant();
    let reasons = m.reasons(&s, &m.score(&s, 2025));
    for expected in [
        "matches your product 房间空调器",
        "mandatory in your market",
        "held by 16 of 25 peers in class 3852",
        "adopted as IEC 60335-2-40:2018",
    ] {
        assert!(
            reasons.iter().any(|r| r == expected),
            "{expected:?} not in {reasons:?}"
        );
    }
    let upgrade = Signals {
        holding: Holding::HeldOldEdition,
        ..relevant()
    };
    let reasons = m.reasons(&upgrade, &m.score(&upgrade, 2025));
    assert!(
        reasons.contains(&"you hold an older edition".to_string()),
        "{reasons:?}"
    );
    let reasons = m.reasons(&irrelevant(), &m.score(&irrelevant(), 2025));
    assert!(reasons.contains(&"withdrawn".to_string()), "{reasons:?}");
    // The tree did not necessarily look at them, but the facts still show.
    let t = tree_model();
    let reasons = t.reasons(&s, &t.score(&s, 2025));
    assert!(
        reasons.contains(&"mandatory in your market".to_string()),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"matches your product 房间空调器".to_string()),
        "{reasons:?}"
    );
}

#[test]
fn no_peers_give_no_peer_reason() {
    let m = default_model();
    let alone = Signals {
        peer_adoption: 0.0,
        peer_count: 0,
        peer_level: None,
        peer_code: String::new(),
        mandatory_in_market: false,
        ..relevant()
    };
    let reasons = m.reasons(&alone, &m.score(&alone, 2025));
    assert!(!reasons.iter().any(|r| r.contains("peer")), "{reasons:?}");
    // Peers that hold it rarely are a reason against, with their basis.
    let few = Signals {
        peer_adoption: 0.0,
        peer_count: 30,
        peer_level: Some(IndustryLevel::Group),
        peer_code: "385".into(),
        ..alone
    };
    let s = m.score(&few, 2025);
    let reasons = m.reasons(&few, &s);
    if s.score < 0.5 {
        assert!(
            reasons.contains(&"held by none of 30 peers in group 385".to_string()),
            "{reasons:?}"
        );
    }
}

#[test]
fn save_and_load_give_identical_scores() {
    let dir = tempfile::tempdir().unwrap();
    for m in [default_model(), tree_model(), forest_model()] {
        let path = dir.path().join("nested").join(format!("{}.json", m.kind()));
        m.save(&path).unwrap();
        let loaded = Model::load(&path).unwrap();
        assert_eq!(&loaded, m);
        for s in [relevant(), irrelevant()] {
            assert_eq!(loaded.score(&s, 2025), m.score(&s, 2025));
        }
        // No temporary files left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")),
            "{names:?}"
        );
    }
}

#[test]
fn bad_artifacts_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    assert!(matches!(
        Model::load(&missing),
        Err(ModelError::NotFound { .. })
    ));

    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let corrupt = write("corrupt.json", "{ this is not json");
    let err = Model::load(&corrupt).unwrap_err();
    assert!(matches!(err, ModelError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("corrupt.json"));

    let good: serde_json::Value = serde_json::from_str(&default_model().to_json()).unwrap();
    let variant = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };

    let truncated = write("truncated.json", &good.to_string()[..200]);
    assert!(matches!(
        Model::load(&truncated),
        Err(ModelError::Corrupt { .. })
    ));

    let version = write(
        "version.json",
        &variant(&|v| v["format_version"] = serde_json::json!(99)),
    );
    let err = Model::load(&version).unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::FormatVersion {
                found: Some(99),
                ..
            }
        ),
        "{err}"
    );

    let renamed = write(
        "features.json",
        &variant(&|v| v["features"][0] = serde_json::json!("bm25")),
    );
    let err = Model::load(&renamed).unwrap_err();
    assert!(matches!(err, ModelError::FeatureMismatch { .. }), "{err}");
    assert!(err.to_string().contains("bm25"));

    let fewer = write(
        "fewer.json",
        &variant(&|v| {
            v["features"].as_array_mut().unwrap().pop();
        }),
    );
    assert!(matches!(
        Model::load(&fewer),
        Err(ModelError::FeatureMismatch { .. })
    ));

    if good["kind"] == "logistic" {
        let weights = write(
            "weights.json",
            &variant(&|v| {
                v["weights"].as_array_mut().unwrap().pop();
            }),
        );
        assert!(matches!(
            Model::load(&weights),
            Err(ModelError::Invalid { .. })
        ));
    }
    let unknown_kind = write(
        "kind.json",
        &variant(&|v| v["kind"] = serde_json::json!("forest")),
    );
    assert!(matches!(
        Model::load(&unknown_kind),
        Err(ModelError::Corrupt { .. })
    ));
}

#[test]
fn score_value_is_the_score_bit_for_bit_for_every_kind() {
    let (x, y) = synthetic_training_set(5, 3_000);
    let logistic = train_kind(&x, &y, 5, ModelKind::Logistic).expect("logistic training succeeds");
    let mut rows = vec![relevant(), irrelevant()];
    for (i, year) in (0..40).zip((1985..).step_by(1)) {
        let f = f64::from(i) / 40.0;
        rows.push(Signals {
            id: format!("GB/T {i}-{year}"),
            text_score: 30.0 * f,
            match_strength: f,
            cocitation: 1.0 - f,
            regulation: f * f,
            product_kind: if i % 3 == 0 { f } else { 0.0 },
            series_match: if i % 4 == 0 { 1.0 - f } else { 0.0 },
            ics_match_depth: (i % 4) as u32,
            mandatory: i % 5 == 0,
            mandatory_in_market: i % 7 == 0,
            status: Some(if i % 6 == 0 {
                Status::Withdrawn
            } else {
                Status::Current
            }),
            published_year: year,
            in_degree: (i * 3) as u32,
            peer_adoption: f,
            peer_count: (i % 9) as u32,
            peer_level: (i % 9 != 0).then_some(IndustryLevel::Group),
            holding: if i % 8 == 0 {
                Holding::HeldOldEdition
            } else {
                Holding::NotHeld
            },
            ..relevant()
        });
    }
    for model in [&logistic, tree_model(), forest_model(), default_model()] {
        for s in &rows {
            assert_eq!(
                model.score_value(s, 2026).to_bits(),
                model.score(s, 2026).score.to_bits(),
                "{} on {}",
                model.kind(),
                s.id
            );
        }
    }
}
