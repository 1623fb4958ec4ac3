//! Peer groups: linfa k-means over what makes two enterprises comparable for
//! standards — industry first, then chains, size, market and region.
//!
//! A [`PeerModel`] is trained on a tenant's stored population and saved as a
//! JSON artifact; it keeps, for every member, its cluster and the standard
//! lines it holds, so a PeerGroup answer (shares of peers holding each
//! standard, coverage percentile) needs no second pass over the store.
//! Encoding and weights are documented in docs/PEERS.md.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use linfa::DatasetBase;
use linfa::traits::{Fit, Predict};
use linfa_clustering::KMeans;
use linfa_nn::distance::L2Dist;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::EnterpriseRecord;

use crate::domain::PeerGroup;

/// Artifact format; bumped when the encoding changes so old files retrain.
pub const FORMAT: u32 = 1;
/// A group smaller than this is widened with the nearest clusters.
pub const MIN_PEERS: usize = 5;
/// Most clusters a model has, whatever the population.
pub const MAX_CLUSTERS: usize = 64;

// Why these weights: one-hot blocks put two enterprises that differ in a
// block at distance weight·√2, so industry (division, then class) dominates,
// chain membership comes next, and size, export and region only separate
// enterprises that are otherwise alike.
const W_DIVISION: f64 = 3.0;
const W_CLASS: f64 = 1.5;
const W_CHAIN: f64 = 1.5;
const W_SIZE: f64 = 1.0;
const W_EXPORT: f64 = 0.5;
const W_PREFECTURE: f64 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("k-means training failed: {0}")]
    Training(String),
    #[error("peer model artifact {path}: {reason}")]
    Artifact { path: String, reason: String },
}

/// Turns an enterprise into a point; its vocabularies and scaling are fitted
/// on the training population and saved with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    pub divisions: Vec<String>,
    pub classes: Vec<String>,
    pub chains: Vec<String>,
    pub prefectures: Vec<String>,
    pub size_mean: f64,
    pub size_std: f64,
}

fn divisions_of(r: &EnterpriseRecord) -> BTreeSet<String> {
    r.enrichment
        .industries
        .iter()
        .filter_map(|i| i.get(..2).map(str::to_string))
        .collect()
}

fn classes_of(r: &EnterpriseRecord) -> BTreeSet<String> {
    r.enrichment
        .industries
        .iter()
        .filter(|i| i.len() == 4)
        .cloned()
        .collect()
}

fn chains_of(r: &EnterpriseRecord) -> BTreeSet<String> {
    r.profile.chains.iter().map(|c| c.chain.clone()).collect()
}

fn prefecture_of(r: &EnterpriseRecord) -> String {
    r.profile.region.get(..4).unwrap_or("").to_string()
}

fn log_size(r: &EnterpriseRecord) -> f64 {
    (r.profile.employees as f64).ln_1p()
}

fn exports(r: &EnterpriseRecord) -> bool {
    r.profile.markets.iter().any(|m| m != "CN")
}

/// The standard lines (`GB/T 19001`, any edition) an enterprise holds.
pub fn held_lines(r: &EnterpriseRecord) -> Vec<String> {
    let lines: BTreeSet<String> = r.enrichment.held.iter().map(|h| base_of(&h.code)).collect();
    lines.into_iter().collect()
}

fn vocabulary(
    records: &[EnterpriseRecord],
    of: impl Fn(&EnterpriseRecord) -> BTreeSet<String>,
) -> Vec<String> {
    let all: BTreeSet<String> = records.iter().flat_map(of).collect();
    all.into_iter().collect()
}

fn one_hot(out: &mut Vec<f64>, vocabulary: &[String], present: &BTreeSet<String>, weight: f64) {
    out.extend(
        vocabulary
            .iter()
            .map(|v| if present.contains(v) { weight } else { 0.0 }),
    );
}

impl Encoder {
    pub fn fit(records: &[EnterpriseRecord]) -> Self {
        let n = records.len().max(1) as f64;
        let size_mean = records.iter().map(log_size).sum::<f64>() / n;
        let variance = records
            .iter()
            .map(|r| (log_size(r) - size_mean).powi(2))
            .sum::<f64>()
            / n;
        Self {
            divisions: vocabulary(records, divisions_of),
            classes: vocabulary(records, classes_of),
            chains: vocabulary(records, chains_of),
            prefectures: vocabulary(records, |r| BTreeSet::from([prefecture_of(r)])),
            size_mean,
            // A population of one size would divide by zero.
            size_std: variance.sqrt().max(1e-6),
        }
    }

    pub fn dims(&self) -> usize {
        self.divisions.len() + self.classes.len() + self.chains.len() + self.prefectures.len() + 2
    }

    /// The point of an enterprise; values outside the vocabularies (an
    /// inline profile in an industry no member has) contribute nothing.
    pub fn encode(&self, r: &EnterpriseRecord) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.dims());
        one_hot(&mut out, &self.divisions, &divisions_of(r), W_DIVISION);
        one_hot(&mut out, &self.classes, &classes_of(r), W_CLASS);
        one_hot(&mut out, &self.chains, &chains_of(r), W_CHAIN);
        one_hot(
            &mut out,
            &self.prefectures,
            &BTreeSet::from([prefecture_of(r)]),
            W_PREFECTURE,
        );
        out.push(W_SIZE * (log_size(r) - self.size_mean) / self.size_std);
        out.push(if exports(r) { W_EXPORT } else { 0.0 });
        out
    }
}

/// A member of the training population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub uscc: String,
    pub cluster: usize,
    pub lines: Vec<String>,
}

/// A trained peer model: the artifact `stdnav peers train` writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerModel {
    pub format: u32,
    pub tenant: String,
    pub trained_at_ms: u64,
    /// Hash of the population (USCC and version of every member).
    pub population_hash: String,
    pub population: usize,
    pub k: usize,
    pub inertia: f64,
    pub encoder: Encoder,
    /// None for an empty population.
    pub kmeans: Option<KMeans<f64, L2Dist>>,
    pub members: Vec<Member>,
    /// Members by USCC and by cluster, built on first use (not stored).
    #[serde(skip)]
    index: std::sync::OnceLock<MemberIndex>,
}

#[derive(Debug, Clone, Default)]
struct MemberIndex {
    by_uscc: HashMap<String, usize>,
    by_cluster: Vec<Vec<usize>>,
    /// What each cluster's members hold, tallied once: a peer group adds up
    /// its clusters' tallies instead of reading every member on each call.
    tallies: Vec<Tally>,
}

/// Lines held by a set of members, and how many lines each member holds.
#[derive(Debug, Clone, Default)]
struct Tally {
    members: usize,
    lines: HashMap<String, u32>,
    /// Members by the number of lines they hold.
    by_holding: HashMap<usize, u32>,
}

impl Tally {
    fn add(&mut self, m: &Member) {
        self.members += 1;
        for line in &m.lines {
            *self.lines.entry(line.clone()).or_insert(0) += 1;
        }
        *self.by_holding.entry(m.lines.len()).or_insert(0) += 1;
    }
}

/// The number of clusters for a population: √n, so groups average about √n
/// members (32 for 1,000). The rule of thumb √(n/2) merged chains that share
/// an industry division (chain purity 0.80 against 0.95 on the demo
/// population; docs/PEERS.md).
pub fn choose_k(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(1, MAX_CLUSTERS.min(n.max(1)))
}

/// Hash identifying a population state: which enterprises, which versions.
pub fn population_hash(records: &[EnterpriseRecord]) -> String {
    let mut keys: Vec<(&str, u64)> = records
        .iter()
        .map(|r| (r.profile.uscc.as_str(), r.version))
        .collect();
    keys.sort_unstable();
    let mut h = Sha256::new();
    for (uscc, version) in keys {
        h.update(uscc.as_bytes());
        h.update(version.to_le_bytes());
    }
    hex::encode(&h.finalize()[..12])
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl PeerModel {
    /// Trains on a population (deterministic: linfa's k-means with its fixed
    /// seed, records in USCC order).
    pub fn train(tenant: &str, population: &[EnterpriseRecord]) -> Result<Self, PeerError> {
        let mut records: Vec<&EnterpriseRecord> = population.iter().collect();
        records.sort_by(|a, b| a.profile.uscc.cmp(&b.profile.uscc));
        let owned: Vec<EnterpriseRecord> = records.into_iter().cloned().collect();
        let encoder = Encoder::fit(&owned);
        let hash = population_hash(&owned);
        if owned.is_empty() {
            return Ok(Self {
                format: FORMAT,
                tenant: tenant.to_string(),
                trained_at_ms: now_ms(),
                population_hash: hash,
                population: 0,
                k: 0,
                inertia: 0.0,
                encoder,
                kmeans: None,
                members: Vec::new(),
                index: Default::default(),
            });
        }
        let dims = encoder.dims();
        let flat: Vec<f64> = owned.iter().flat_map(|r| encoder.encode(r)).collect();
        let x = Array2::from_shape_vec((owned.len(), dims), flat)
            .map_err(|e| PeerError::Training(e.to_string()))?;
        let k = choose_k(owned.len());
        let dataset = DatasetBase::from(x.clone());
        let kmeans = KMeans::params(k)
            .n_runs(4)
            .max_n_iterations(200)
            .tolerance(1e-5)
            .fit(&dataset)
            .map_err(|e| PeerError::Training(e.to_string()))?;
        let assignment: Array1<usize> = kmeans.predict(&x);
        let members = owned
            .iter()
            .zip(assignment.iter())
            .map(|(r, &cluster)| Member {
                uscc: r.profile.uscc.clone(),
                cluster,
                lines: held_lines(r),
            })
            .collect();
        Ok(Self {
            format: FORMAT,
            tenant: tenant.to_string(),
            trained_at_ms: now_ms(),
            population_hash: hash,
            population: owned.len(),
            k,
            inertia: kmeans.inertia(),
            encoder,
            kmeans: Some(kmeans),
            members,
            index: Default::default(),
        })
    }

    fn index(&self) -> &MemberIndex {
        self.index.get_or_init(|| {
            let mut index = MemberIndex {
                by_uscc: HashMap::with_capacity(self.members.len()),
                by_cluster: vec![Vec::new(); self.k],
                tallies: vec![Tally::default(); self.k],
            };
            for (i, m) in self.members.iter().enumerate() {
                index.by_uscc.insert(m.uscc.clone(), i);
                if let Some(list) = index.by_cluster.get_mut(m.cluster) {
                    list.push(i);
                    index.tallies[m.cluster].add(m);
                }
            }
            index
        })
    }

    /// Clusters ordered by distance of their centroid from the enterprise's
    /// point, nearest first.
    fn clusters_by_distance(&self, kmeans: &KMeans<f64, L2Dist>, point: &[f64]) -> Vec<usize> {
        let mut order: Vec<(f64, usize)> = kmeans
            .centroids()
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let d: f64 = c.iter().zip(point).map(|(a, b)| (a - b).powi(2)).sum();
                (d, i)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        order.into_iter().map(|(_, i)| i).collect()
    }

    /// The enterprise's peer group: its cluster (a stored member keeps the
    /// cluster it was trained in, anyone else goes to the nearest centroid),
    /// widened with the nearest clusters until it has [`MIN_PEERS`]; the
    /// enterprise itself is never its own peer.
    pub fn peer_group(&self, record: &EnterpriseRecord) -> PeerGroup {
        let method = format!("kmeans(k={}, n={})", self.k, self.population);
        let Some(kmeans) = &self.kmeans else {
            return PeerGroup {
                group_id: "none".into(),
                method,
                size: 0,
                shares: Vec::new(),
                coverage_percentile: 50.0,
                model: None,
            };
        };
        let uscc = &record.profile.uscc;
        let point = self.encoder.encode(record);
        let mut order = self.clusters_by_distance(kmeans, &point);
        let index = self.index();
        let own = index.by_uscc.get(uscc).copied();
        if let Some(own) = own {
            let cluster = self.members[own].cluster;
            order.retain(|c| *c != cluster);
            order.insert(0, cluster);
        }
        // The enterprise itself, when it is a member of a chosen cluster.
        let own = own.map(|i| &self.members[i]);
        let mut chosen = Vec::new();
        let mut size = 0;
        for c in order {
            let Some(tally) = index.tallies.get(c) else {
                continue;
            };
            chosen.push(c);
            size += tally.members - own.filter(|m| m.cluster == c).map_or(0, |_| 1);
            if size >= MIN_PEERS {
                break;
            }
        }
        let own = own.filter(|m| chosen.contains(&m.cluster));
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut below = 0;
        let mut equal = 0;
        let mine = held_lines(record).len();
        for tally in chosen.iter().map(|c| &index.tallies[*c]) {
            for (line, n) in &tally.lines {
                *counts.entry(line.as_str()).or_insert(0) += n;
            }
            for (held, n) in &tally.by_holding {
                below += if *held < mine { *n } else { 0 };
                equal += if *held == mine { *n } else { 0 };
            }
        }
        if let Some(m) = own {
            for line in &m.lines {
                if let Some(n) = counts.get_mut(line.as_str()) {
                    *n -= 1;
                }
            }
            below -= (m.lines.len() < mine) as u32;
            equal -= (m.lines.len() == mine) as u32;
        }
        let group_id = chosen
            .iter()
            .map(|c| format!("k{c:02}"))
            .collect::<Vec<_>>()
            .join("+");
        distributions(group_id, method, size, counts, below, equal)
    }

    pub fn save(&self, path: &Path) -> Result<(), PeerError> {
        let err = |reason: String| PeerError::Artifact {
            path: path.display().to_string(),
            reason,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let json = serde_json::to_vec(self).map_err(|e| err(e.to_string()))?;
        // Write then rename, so a reader never sees half a model.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }

    /// Loads an artifact; `Ok(None)` when there is none, an error when it is
    /// unreadable, corrupt or of another format.
    pub fn load(path: &Path) -> Result<Option<Self>, PeerError> {
        let err = |reason: String| PeerError::Artifact {
            path: path.display().to_string(),
            reason,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(err(e.to_string())),
        };
        let model: Self = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
        if model.format != FORMAT {
            return Err(err(format!(
                "format {} (this build reads {FORMAT}); retrain with `stdnav peers train`",
                model.format
            )));
        }
        Ok(Some(model))
    }
}

/// Share of peers holding each standard line and the enterprise's coverage
/// percentile (peers holding fewer lines, ties counted half).
/// The peer group of `size` peers holding lines `counts` times, `below`
/// of them holding fewer lines than the enterprise and `equal` as many.
fn distributions(
    group_id: String,
    method: String,
    size: usize,
    counts: HashMap<&str, u32>,
    below: u32,
    equal: u32,
) -> PeerGroup {
    let mut shares: Vec<(String, f64)> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n as f64 / size.max(1) as f64))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let coverage_percentile = if size == 0 {
        50.0
    } else {
        100.0 * (below as f64 + 0.5 * equal as f64) / size as f64
    };
    PeerGroup {
        group_id,
        method,
        size: size as u32,
        shares,
        coverage_percentile,
        model: None,
    }
}

/// File name of a tenant's artifact: the tenant hex-encoded, so any tenant
/// id is a safe file name.
pub fn artifact_path(dir: &Path, tenant: &str) -> std::path::PathBuf {
    dir.join(format!("peers-{}.json", hex::encode(tenant.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_core::enterprise::{ChainMembership, Enrichment, HeldStandard, Profile, Segment};

    fn record(i: usize, class: &str, chain: &str, held: &[&str]) -> EnterpriseRecord {
        EnterpriseRecord {
            profile: Profile {
                uscc: format!("U{i:05}"),
                region: if i.is_multiple_of(2) {
                    "370200"
                } else {
                    "370700"
                }
                .into(),
                employees: 50 + (i as u32 * 37) % 900,
                markets: vec!["CN".into()],
                chains: vec![ChainMembership {
                    chain: chain.into(),
                    segment: Segment::Midstream,
                }],
                ..Default::default()
            },
            enrichment: Enrichment {
                industries: vec![class.into()],
                held: held
                    .iter()
                    .map(|c| HeldStandard {
                        input: c.to_string(),
                        code: c.to_string(),
                    })
                    .collect(),
                ..Default::default()
            },
            tenant: "t".into(),
            version: 1,
            updated_at_ms: 0,
        }
    }

    /// 30 appliance makers, 30 battery makers, 30 dairies.
    fn population() -> Vec<EnterpriseRecord> {
        (0..90)
            .map(|i| match i % 3 {
                0 => record(
                    i,
                    "3852",
                    "家电产业链",
                    &["GB 4706.1-2005", "GB/T 19001-2016"],
                ),
                1 => record(i, "3841", "新能源汽车产业链", &["GB 38031-2020"]),
                _ => record(
                    i,
                    "1441",
                    "食品产业链",
                    &["GB 19301-2010", "GB/T 19001-2016", "GB 14881-2013"],
                ),
            })
            .collect()
    }

    #[test]
    fn peers_share_the_industry() {
        let pop = population();
        let model = PeerModel::train("t", &pop).unwrap();
        assert_eq!(model.k, choose_k(90));
        for r in &pop {
            let group = model.peer_group(r);
            assert!(group.size as usize >= MIN_PEERS, "{group:?}");
            let line = held_lines(r)[0].clone();
            // Every peer is in the same industry, so holds the same first line.
            assert_eq!(
                group.shares.iter().find(|(l, _)| *l == line).map(|s| s.1),
                Some(1.0),
                "{} {group:?}",
                r.profile.uscc
            );
        }
    }

    #[test]
    fn enterprise_is_not_its_own_peer_and_percentile_counts_ties_half() {
        let pop = population();
        let model = PeerModel::train("t", &pop).unwrap();
        let me = &pop[0];
        let group = model.peer_group(me);
        let own = model
            .members
            .iter()
            .find(|m| m.uscc == me.profile.uscc)
            .unwrap()
            .cluster;
        assert!(
            group.group_id.starts_with(&format!("k{own:02}")),
            "{group:?}"
        );
        let in_group = model
            .members
            .iter()
            .filter(|m| group.group_id.contains(&format!("k{:02}", m.cluster)))
            .count();
        assert_eq!(group.size as usize, in_group - 1);
        // Every peer holds as many lines as `me`: all ties.
        assert_eq!(group.coverage_percentile, 50.0);
        let mut more = me.clone();
        more.profile.uscc = "NEW".into();
        more.enrichment.held.push(HeldStandard {
            input: "ISO 9001:2015".into(),
            code: "ISO 9001:2015".into(),
        });
        assert_eq!(model.peer_group(&more).coverage_percentile, 100.0);
    }

    #[test]
    fn inline_profile_goes_to_the_nearest_cluster() {
        let model = PeerModel::train("t", &population()).unwrap();
        let dairy = record(999, "1441", "食品产业链", &[]);
        let group = model.peer_group(&dairy);
        assert_eq!(group.shares[0].1, 1.0);
        assert!(group.shares.iter().any(|(l, _)| l == "GB 19301"));
        assert!(!group.shares.iter().any(|(l, _)| l == "GB 38031"));
    }

    #[test]
    fn training_is_deterministic_and_artifacts_round_trip() {
        let mut pop = population();
        let a = PeerModel::train("t", &pop).unwrap();
        pop.reverse();
        let b = PeerModel::train("t", &pop).unwrap();
        assert_eq!(a.members, b.members);
        assert_eq!(a.population_hash, b.population_hash);

        let dir = tempfile::tempdir().unwrap();
        let path = artifact_path(dir.path(), "tenant/with:odd chars");
        assert!(PeerModel::load(&path).unwrap().is_none());
        a.save(&path).unwrap();
        let loaded = PeerModel::load(&path).unwrap().unwrap();
        assert_eq!(loaded.members, a.members);
        assert_eq!(loaded.peer_group(&pop[3]), a.peer_group(&pop[3]));

        std::fs::write(&path, b"{not json").unwrap();
        let err = PeerModel::load(&path).unwrap_err().to_string();
        assert!(err.contains("peer model artifact"), "{err}");
    }

    #[test]
    fn empty_and_tiny_populations() {
        let empty = PeerModel::train("t", &[]).unwrap();
        let g = empty.peer_group(&record(1, "3852", "家电产业链", &[]));
        assert_eq!((g.size, g.coverage_percentile), (0, 50.0));
        let one = PeerModel::train("t", &[record(1, "3852", "家电产业链", &[])]).unwrap();
        assert_eq!(one.k, 1);
        assert_eq!(
            one.peer_group(&record(1, "3852", "家电产业链", &[])).size,
            0
        );
        assert_eq!(
            one.peer_group(&record(2, "3852", "家电产业链", &[])).size,
            1
        );
    }

    #[test]
    fn k_grows_with_the_square_root_of_the_population() {
        assert_eq!(choose_k(1), 1);
        assert_eq!(choose_k(8), 3);
        assert_eq!(choose_k(1000), 32);
        assert_eq!(choose_k(1_000_000), MAX_CLUSTERS);
    }

    /// On the demo population, cluster-mates share the industry division and
    /// the chain: the measure quoted in docs/PEERS.md.
    #[test]
    fn demo_population_clusters_are_homogeneous() {
        use stdnav_core::enterprise::{enrich, validate};
        use stdnav_core::reference::Reference;
        let reference = Reference::get();
        let records: Vec<EnterpriseRecord> = stdnav_core::population::generate(1000, 42)
            .iter()
            .map(|p| {
                let valid = validate(p, reference).unwrap();
                EnterpriseRecord {
                    enrichment: enrich(&valid, reference),
                    profile: valid.profile,
                    tenant: "t".into(),
                    version: 1,
                    updated_at_ms: 0,
                }
            })
            .collect();
        let model = PeerModel::train("t", &records).unwrap();
        let by_uscc: HashMap<&str, &EnterpriseRecord> = records
            .iter()
            .map(|r| (r.profile.uscc.as_str(), r))
            .collect();
        let (mut same_division, mut same_chain, mut pairs) = (0usize, 0usize, 0usize);
        for a in &model.members {
            for b in model
                .members
                .iter()
                .filter(|b| b.cluster == a.cluster && b.uscc != a.uscc)
            {
                let (ra, rb) = (by_uscc[a.uscc.as_str()], by_uscc[b.uscc.as_str()]);
                pairs += 1;
                same_division += (divisions_of(ra) == divisions_of(rb)) as usize;
                same_chain +=
                    (chains_of(ra).intersection(&chains_of(rb)).next().is_some()) as usize;
            }
        }
        let division_purity = same_division as f64 / pairs as f64;
        let chain_purity = same_chain as f64 / pairs as f64;
        eprintln!(
            "k={} division purity {division_purity:.3}, chain purity {chain_purity:.3}",
            model.k
        );
        assert!(division_purity >= 0.9, "{division_purity}");
        assert!(chain_purity >= 0.9, "{chain_purity}");
    }
}
