use std::sync::Arc;

use stdnav_core::retrieval::Retrieval;
use stdnav_core::standard::{AdoptionDegree, Comparator, Level};

use super::*;

/// A level, nature or status by its name (`mandatory`, `current` …).
fn named<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(serde_json::Value::from(name)).unwrap()
}

fn std_info(id: &str, nature: &str, status: &str, year: i32) -> StandardInfo {
    StandardInfo {
        id: id.into(),
        title_en: format!("title of {id}"),
        level: Level::National,
        nature: named(nature),
        status: named(status),
        published_year: year,
        ..Default::default()
    }
}

#[test]
fn indicator_gap_sign_and_direction() {
    let s = std_info("GB 21455-2019", "mandatory", "current", 2019);
    let ge = IndicatorSpec {
        name: "APF".into(),
        comparator: Comparator::Ge,
        value: 5.0,
        ..Default::default()
    };
    let g = indicator_gap("APF", "", 4.5, &ge, &s);
    assert!(!g.meets && g.absolute_gap == -0.5 && (g.relative_gap + 0.1).abs() < 1e-9);
    let g = indicator_gap("APF", "", 5.5, &ge, &s);
    assert!(g.meets && g.absolute_gap == 0.5);
    let le = IndicatorSpec {
        name: "standby".into(),
        comparator: Comparator::Le,
        value: 0.5,
        ..Default::default()
    };
    let g = indicator_gap("standby", "W", 0.8, &le, &s);
    assert!(!g.meets && (g.absolute_gap - 0.3).abs() < 1e-9);
    assert!(indicator_gap("standby", "W", 0.4, &le, &s).meets);
    let range = IndicatorSpec {
        name: "pH".into(),
        comparator: Comparator::Range,
        value: 6.0,
        max: Some(8.0),
        ..Default::default()
    };
    assert!(indicator_gap("pH", "", 7.0, &range, &s).meets);
    assert_eq!(indicator_gap("pH", "", 9.0, &range, &s).absolute_gap, 1.0);
    assert_eq!(indicator_gap("pH", "", 5.0, &range, &s).absolute_gap, -1.0);
}

#[test]
fn upgrades_must_and_roadmap_order() {
    let mut gb2016 = std_info("GB/T 19001-2016", "recommended", "current", 2016);
    gb2016.adopts = vec![("ISO 9001:2015".into(), Some(AdoptionDegree::Idt))];
    let held = vec![HeldInfo {
        input: "GB/T19001-2008".into(),
        code: "GB/T 19001-2008".into(),
        standard: Some(std_info("GB/T 19001-2008", "recommended", "replaced", 2008)),
        current: Some(gb2016.clone()),
        path: vec!["GB/T 19001-2008".into(), "GB/T 19001-2016".into()],
        line: Default::default(),
    }];
    let mut particular = std_info("GB 4706.32-2012", "mandatory", "current", 2012);
    particular.normative_refs = vec!["GB 4706.1-2005".into()];
    let general = std_info("GB 4706.1-2024", "mandatory", "current", 2024);
    let candidates = [
        CandidateInfo {
            standard: Arc::new(particular),
            retrieval: Retrieval {
                matched_products: vec!["空调".into()],
                match_strength: 1.0,
                mandatory_in_market: true,
                ..Default::default()
            },
        },
        CandidateInfo {
            standard: Arc::new(general),
            retrieval: Retrieval {
                mandatory_in_market: true,
                referenced_by: "GB 4706.32-2012".into(),
                ..Default::default()
            },
        },
    ]
    .map(Arc::new);
    let enterprise = EnterpriseInfo::default();
    let peers = Peers::default();
    let scores = HashMap::default();
    let s = compose(&Inputs {
        enterprise: &enterprise,
        candidates: &candidates,
        held: &held,
        peers: &peers,
        scores: &scores,
        unmatched_products: &[],
        top: 10,
    });
    assert_eq!(s.upgrades.len(), 1);
    assert_eq!(s.upgrades[0].current, "GB/T 19001-2016");
    assert!(s.upgrades[0].note.contains("ISO 9001:2015"));
    assert!(!s.upgrades[0].status_inferred);

    // An upgrade resting on a status inferred from editions says so.
    let mut inferred_held = held.clone();
    if let Some(old) = inferred_held[0].standard.as_mut() {
        old.status_inferred = true;
    }
    let s2 = compose(&Inputs {
        enterprise: &enterprise,
        candidates: &candidates,
        held: &inferred_held,
        peers: &peers,
        scores: &scores,
        unmatched_products: &[],
        top: 10,
    });
    assert!(s2.upgrades[0].status_inferred);
    let must: Vec<_> = s.must.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(must, ["GB 4706.1-2024", "GB 4706.32-2012"]);
    let order: Vec<_> = s.roadmap.iter().map(|r| r.standard_id.as_str()).collect();
    let general_at = order.iter().position(|x| *x == "GB 4706.1-2024").unwrap();
    let particular_at = order.iter().position(|x| *x == "GB 4706.32-2012").unwrap();
    assert!(general_at < particular_at, "{order:?}");
    assert!(
        s.roadmap[particular_at]
            .after
            .contains(&"GB 4706.1-2024".to_string())
    );
}

#[test]
fn must_holds_titles_about_the_product_not_ones_sharing_a_modifier() {
    let mandatory = |id: &str, title_zh: &str, product_kind: f32| {
        let mut info = std_info(id, "mandatory", "current", 2020);
        info.title_zh = title_zh.into();
        Arc::new(CandidateInfo {
            standard: Arc::new(info),
            retrieval: Retrieval {
                matched_products: vec!["汽车启动电池".into()],
                match_strength: 0.8,
                mandatory_in_market: true,
                product_kind,
                ..Default::default()
            },
        })
    };
    let candidates = [
        mandatory("GB 15082-2008", "汽车用车速表", 0.0),
        mandatory("GB 38031-2025", "电动汽车用动力蓄电池安全要求", 0.0),
        // A kind of product a regulation names it for: its title may say
        // no more than the aspect it rules.
        mandatory(
            "GB 17625.1-2022",
            "电磁兼容 限值 第1部分：谐波电流发射限值",
            0.6,
        ),
        // A family's share (a kind among dozens its head names), not its
        // own kind: the title must still be about the product.
        mandatory("GB 99001-2020", "汽车用灯丝灯泡前照灯", 0.05),
        mandatory("GB 99002-2020", "汽车启动电池用蓄电池安全要求", 0.05),
    ];
    let enterprise = EnterpriseInfo::default();
    let s = compose(&Inputs {
        enterprise: &enterprise,
        candidates: &candidates,
        held: &[],
        peers: &Peers::default(),
        scores: &HashMap::default(),
        unmatched_products: &[],
        top: 10,
    });
    let must: Vec<_> = s.must.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(must, ["GB 17625.1-2022", "GB 38031-2025", "GB 99002-2020"]);
}

fn held(code: &str, status: &str, level: &str, adopts: bool) -> HeldInfo {
    let mut info = std_info(code, "recommended", status, 2016);
    info.level = named(level);
    if adopts {
        info.adopts = vec![("ISO 9001:2015".into(), Some(AdoptionDegree::Idt))];
    }
    HeldInfo {
        input: code.into(),
        code: code.into(),
        standard: (level != "unknown").then_some(info),
        current: None,
        path: Vec::new(),
        line: Default::default(),
    }
}

fn maturity_of(must: &[Holding], held: &[HeldInfo], enterprise: &EnterpriseInfo) -> Maturity {
    let solution = Solution {
        must: must
            .iter()
            .map(|h| MustItem {
                id: String::new(),
                title: String::new(),
                holding: *h,
                held_as: None,
                reasons: Vec::new(),
                level: Level::Unknown,
            })
            .collect(),
        ..Default::default()
    };
    let peers = Peers {
        coverage_percentile: 62.5,
        ..Default::default()
    };
    let scores = HashMap::default();
    maturity(
        &solution,
        &Inputs {
            enterprise,
            candidates: &[],
            held,
            peers: &peers,
            scores: &scores,
            unmatched_products: &[],
            top: 10,
        },
    )
}

fn part(m: &Maturity, name: &str) -> f64 {
    m.parts.iter().find(|p| p.name == name).unwrap().score
}

#[test]
fn maturity_parts_follow_the_documented_formula() {
    let none = maturity_of(&[], &[], &EnterpriseInfo::default());
    // No applicable mandatory standard counts as covered; nothing else held.
    assert_eq!(part(&none, "mandatory_coverage"), 1.0);
    assert_eq!(none.score, 35.0);
    assert_eq!(none.percentile, 62.5);

    let held = vec![
        held("GB/T 19001-2016", "current", "national", true),
        held("GB/T 24001-2004", "replaced", "national", false),
        held("ISO 45001:2018", "current", "international", false),
        held("Q/ABC 001-2024", "current", "unknown", false),
    ];
    let enterprise = EnterpriseInfo {
        certifications: vec!["ISO 14001".into()],
        indicators: vec![("APF".into(), "".into(), 4.6)],
        ..Default::default()
    };
    let m = maturity_of(
        &[
            Holding::Held,
            Holding::HeldOldEdition,
            Holding::NotHeld,
            Holding::Held,
        ],
        &held,
        &enterprise,
    );
    assert_eq!(part(&m, "mandatory_coverage"), 0.5);
    // Q/ABC is not in the catalogue: 2 of 3 known standards are current.
    assert!((part(&m, "edition_currency") - 2.0 / 3.0).abs() < 1e-9);
    // GB/T 19001 adopts ISO 9001; ISO 45001 is international.
    assert!((part(&m, "international_standards") - 2.0 / 3.0).abs() < 1e-9);
    // GB/T 19001, GB/T 24001, ISO 45001 and the ISO 14001 certificate: ≥ 3 lines.
    assert_eq!(part(&m, "management_systems"), 1.0);
    assert_eq!(part(&m, "enterprise_standards"), 1.0);
    let expected: f64 = 100.0 * (0.35 * 0.5 + 0.20 * 2.0 / 3.0 + 0.15 * 2.0 / 3.0 + 0.20 + 0.10);
    assert!(
        (m.score - (expected * 10.0).round() / 10.0).abs() < 1e-9,
        "{}",
        m.score
    );

    // Indicators without an own standard: half the last part.
    let no_own: Vec<HeldInfo> = held[..3].to_vec();
    let m = maturity_of(&[], &no_own, &enterprise);
    assert_eq!(part(&m, "enterprise_standards"), 0.5);
}

#[test]
fn maturity_is_bounded() {
    let held: Vec<HeldInfo> = (0..10)
        .map(|i| {
            held(
                &format!("ISO {}:2015", 9000 + i),
                "current",
                "international",
                false,
            )
        })
        .collect();
    let enterprise = EnterpriseInfo {
        certifications: vec!["ISO 9001".into(), "ISO 14001".into(), "ISO 45001".into()],
        indicators: vec![("x".into(), "".into(), 1.0)],
        ..Default::default()
    };
    let m = maturity_of(&[Holding::Held], &held, &enterprise);
    assert!(m.score <= 100.0 && m.score >= 90.0, "{}", m.score);
    assert!(m.parts.iter().all(|p| (0.0..=1.0).contains(&p.score)));
    let weights: f64 = m.parts.iter().map(|p| p.weight).sum();
    assert!((weights - 1.0).abs() < 1e-9);
}
