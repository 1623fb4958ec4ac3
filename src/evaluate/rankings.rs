//! The rankings compared: the model's, and the BM25 and popularity baselines'.

use std::collections::{BTreeSet, HashMap};

use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::Profile;
use stdnav_models::{Model, features};
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;

use super::bench::Gathered;
use super::cases::visible_lines;

/// Lines in order of first appearance, skipping `exclude`.
fn dedup_lines(ids: impl IntoIterator<Item = String>, exclude: &BTreeSet<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    ids.into_iter()
        .map(|id| base_of(&id))
        .filter(|l| !exclude.contains(l) && seen.insert(l.clone()))
        .collect()
}

/// The model's ranking: candidates by probability, best first.
pub(super) fn model_ranking(
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
pub(super) async fn bm25_ranking(
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
pub(super) struct Popularity {
    by_class: HashMap<String, Vec<(String, usize)>>,
    by_division: HashMap<String, Vec<(String, usize)>>,
}

fn ranked_counts(counts: HashMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

pub(super) fn first_class(p: &Profile) -> String {
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
