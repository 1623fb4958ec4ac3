//! The report: each method's metrics averaged by set and slice, and the Markdown tables.

use stdnav_core::market::Regimes;
use stdnav_models::checkset::{CheckCase, DivisionGroup, Lang};
use stdnav_models::metrics::RankingMetrics;

/// Metrics of one method averaged over cases.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Averages {
    pub recall: f64,
    pub ndcg: f64,
    pub mrr: f64,
    pub cases: usize,
}

pub(super) fn average(all: &[RankingMetrics]) -> Averages {
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

/// One row of the evaluation: a method's averages on one slice of one set.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Row {
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
pub(super) struct Scored {
    /// The slices it counts in besides `all`.
    pub(super) slices: Vec<String>,
    /// Model, BM25, popularity.
    pub(super) metrics: [RankingMetrics; 3],
}

/// The report's slices of a check-set run: its market regimes (CN and EU
/// both when it sells in both; `other` when neither), its language, and its
/// main class's division group.
pub(super) fn run_slices(case: &CheckCase, lang: Lang) -> Vec<String> {
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
        "dev-category" => {
            "real-world check set, dev half, the regulation's category names (case × language runs)"
                .into()
        }
        "test-category" => {
            "real-world check set, test half, the regulation's category names (case × language runs)"
                .into()
        }
        other => other.to_string(),
    }
}

/// Rows of every non-empty slice of one set.
pub(super) fn rows_of(set: &str, kind: &str, scored: &[Scored], rows: &mut Vec<Row>) {
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
pub(crate) fn markdown(rows: &[Row], seed: u64) -> String {
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
    for set in ["test", "dev", "test-category", "dev-category"] {
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
