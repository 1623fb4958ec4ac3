//! Peer groups: enterprises of the same GB/T 4754-2017 class, falling back
//! to the group and then the division while fewer than [`MIN_PEERS`] are
//! found, never mixing divisions; a large set is narrowed by linfa k-means
//! (industry, chains, size, market and region) inside it.
//!
//! A [`PeerModel`] is trained on a tenant's stored population and saved as a
//! JSON artifact; it keeps, for every member, its industry codes, its
//! cluster and the standard lines it holds, so a PeerGroup answer (shares of
//! peers holding each standard, coverage percentile) needs no second pass
//! over the store. The rules and the k-means encoding are in docs/PEERS.md.

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
use stdnav_core::industry::IndustryLevel;

use crate::domain::{PeerBasis, PeerGroup};

/// Artifact format; bumped when the encoding changes so old files retrain.
/// 2: members keep their industry codes (peer groups by GB/T 4754 code).
pub const FORMAT: u32 = 2;
/// Fewer peers than this at one level: look one level up (class → group →
/// division).
pub const MIN_PEERS: usize = 5;
/// An industry set with more peers than this is narrowed to the
/// enterprise's k-means cluster inside it …
pub const NARROW_ABOVE: usize = 60;
/// … when at least this many peers remain.
pub const NARROW_MIN: usize = 20;
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

/// The enterprise's GB/T 4754 codes (2-4 digits, declared or mapped).
fn industry_codes(r: &EnterpriseRecord) -> Vec<String> {
    r.enrichment
        .industries
        .iter()
        .filter(|i| (2..=4).contains(&i.len()) && i.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect()
}

/// The distinct codes at `level` of some industry codes, in their order;
/// a code shorter than the level has none.
fn codes_at(industries: &[String], level: IndustryLevel) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for code in industries {
        if let Some(prefix) = code.get(..level.digits())
            && !out.contains(&prefix)
        {
            out.push(prefix);
        }
    }
    out
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
    /// Its GB/T 4754-2017 codes (2-4 digits).
    pub industries: Vec<String>,
    pub cluster: usize,
    pub lines: Vec<String>,
}

impl Member {
    /// Whether the member has `code` (of any level) among its codes' prefixes.
    fn has(&self, code: &str) -> bool {
        self.industries.iter().any(|i| i.starts_with(code))
    }
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
    /// Members by USCC, tallies by industry code, built on first use (not stored).
    #[serde(skip)]
    index: std::sync::OnceLock<MemberIndex>,
}

#[derive(Debug, Clone, Default)]
struct MemberIndex {
    by_uscc: HashMap<String, usize>,
    /// What the members of each industry code (division, group and class
    /// codes alike: their lengths keep them apart) hold, tallied once: a
    /// peer group reads one tally instead of every member on each call.
    by_code: HashMap<String, Tally>,
    /// The same for the members of one code and one k-means cluster.
    by_code_cluster: HashMap<(String, usize), Tally>,
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
/// members (32 for 1,000).
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

/// The industry set an enterprise's peers come from, before narrowing.
#[derive(Debug, Clone, PartialEq)]
struct Basis<'a> {
    level: IndustryLevel,
    code: &'a str,
    /// Members of the code, the enterprise itself not counted.
    peers: usize,
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
                industries: industry_codes(r),
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
                ..Default::default()
            };
            for (i, m) in self.members.iter().enumerate() {
                index.by_uscc.insert(m.uscc.clone(), i);
                for level in IndustryLevel::ALL {
                    for code in codes_at(&m.industries, level) {
                        index.by_code.entry(code.to_string()).or_default().add(m);
                        index
                            .by_code_cluster
                            .entry((code.to_string(), m.cluster))
                            .or_default()
                            .add(m);
                    }
                }
            }
            index
        })
    }

    /// Clusters ordered by the distance of their centroid from the
    /// enterprise's point, nearest first; a stored member's own cluster
    /// (the one it was trained in) comes first whatever the distance.
    fn clusters_by_distance(&self, record: &EnterpriseRecord, own: Option<&Member>) -> Vec<usize> {
        let Some(kmeans) = self.kmeans.as_ref() else {
            return Vec::new();
        };
        let point = self.encoder.encode(record);
        let mut order: Vec<(f64, usize)> = kmeans
            .centroids()
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let d: f64 = c.iter().zip(&point).map(|(a, b)| (a - b).powi(2)).sum();
                (d, i)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
        if let Some(m) = own {
            order.retain(|c| *c != m.cluster);
            order.insert(0, m.cluster);
        }
        order
    }

    /// Where the enterprise's peers come from: for each level from class to
    /// division, the enterprise's code at that level with the most members
    /// (the first declared on ties); the first level with at least
    /// [`MIN_PEERS`] peers wins. When none has that many, the narrowest
    /// level with the most peers (class 3, group 3, division 4 → the
    /// division); `None` when not even the division has one.
    fn basis<'r>(&self, industries: &'r [String], own: Option<&Member>) -> Option<Basis<'r>> {
        let index = self.index();
        let mut best: Option<Basis> = None;
        for level in IndustryLevel::ALL {
            for code in codes_at(industries, level) {
                let members = index.by_code.get(code).map_or(0, |t| t.members);
                let peers = members - own.filter(|m| m.has(code)).map_or(0, |_| 1).min(members);
                if peers > best.as_ref().map_or(0, |b| b.peers) {
                    best = Some(Basis { level, code, peers });
                }
            }
            if best.as_ref().is_some_and(|b| b.peers >= MIN_PEERS) {
                break;
            }
        }
        best
    }

    /// The enterprise's peer group: the members of its industry class,
    /// group or division ([`PeerModel::basis`]); when that set has more than
    /// [`NARROW_ABOVE`] peers, only its members in the enterprise's k-means
    /// cluster and the next nearest ones, until they are [`NARROW_MIN`]. The enterprise itself
    /// is never its own peer. No peers: no basis, size 0, no shares.
    pub fn peer_group(&self, record: &EnterpriseRecord) -> PeerGroup {
        let method = format!(
            "gbt4754 class>group>division, kmeans(k={}, n={})",
            self.k, self.population
        );
        let index = self.index();
        let own = index
            .by_uscc
            .get(&record.profile.uscc)
            .map(|&i| &self.members[i]);
        let industries = industry_codes(record);
        let Some(basis) = self.basis(&industries, own) else {
            return PeerGroup {
                group_id: "none".into(),
                method,
                size: 0,
                basis: None,
                shares: Vec::new(),
                coverage_percentile: 50.0,
                model: None,
            };
        };
        let code = basis.code.to_string();
        let own = own.filter(|m| m.has(&code));
        // The industry set, or the members of its clusters nearest to the
        // enterprise until they hold NARROW_MIN peers.
        let mut tallies: Vec<(&Tally, Option<&Member>)> = vec![(&index.by_code[&code], own)];
        let mut narrowed = Vec::new();
        if basis.peers > NARROW_ABOVE {
            let mut chosen = Vec::new();
            let mut peers = 0;
            for c in self.clusters_by_distance(record, own) {
                let Some(t) = index.by_code_cluster.get(&(code.clone(), c)) else {
                    continue;
                };
                let own_in = own.filter(|m| m.cluster == c);
                peers += t.members - own_in.map_or(0, |_| 1);
                chosen.push((t, own_in));
                narrowed.push(c);
                if peers >= NARROW_MIN {
                    break;
                }
            }
            if peers >= NARROW_MIN && peers < basis.peers {
                tallies = chosen;
            } else {
                narrowed.clear();
            }
        }
        let mine = held_lines(record).len();
        let mut size = 0;
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let (mut below, mut equal) = (0, 0);
        for (tally, own) in tallies {
            size += tally.members;
            for (line, n) in &tally.lines {
                *counts.entry(line.as_str()).or_insert(0) += n;
            }
            for (held, n) in &tally.by_holding {
                below += if *held < mine { *n } else { 0 };
                equal += if *held == mine { *n } else { 0 };
            }
            if let Some(m) = own {
                size -= 1;
                for line in &m.lines {
                    if let Some(n) = counts.get_mut(line.as_str()) {
                        *n -= 1;
                    }
                }
                below -= (m.lines.len() < mine) as u32;
                equal -= (m.lines.len() == mine) as u32;
            }
        }
        let mut group_id = format!("{}:{code}", basis.level.name());
        for (i, c) in narrowed.iter().enumerate() {
            group_id.push_str(&format!("{}k{c:02}", if i == 0 { "/" } else { "+" }));
        }
        let mut group = distributions(group_id, method, size, counts, below, equal);
        group.basis = Some(PeerBasis {
            level: basis.level,
            code,
            narrowed: !narrowed.is_empty(),
        });
        group
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
/// percentile (peers holding fewer lines, ties counted half), for a group
/// of `size` peers holding lines `counts` times, `below` of them holding
/// fewer lines than the enterprise and `equal` as many.
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
        basis: None,
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

    fn level_and_code(g: &PeerGroup) -> Option<(IndustryLevel, &str)> {
        g.basis.as_ref().map(|b| (b.level, b.code.as_str()))
    }

    #[test]
    fn peers_share_the_industry() {
        let pop = population();
        let model = PeerModel::train("t", &pop).unwrap();
        assert_eq!(model.k, choose_k(90));
        for r in &pop {
            let group = model.peer_group(r);
            assert_eq!(group.size, 29, "{group:?}");
            let class = r.enrichment.industries[0].as_str();
            assert_eq!(level_and_code(&group), Some((IndustryLevel::Class, class)));
            let line = held_lines(r)[0].clone();
            // Every peer is in the same class, so holds the same first line.
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
        assert_eq!(group.group_id, "class:3852");
        assert_eq!(group.size, 29);
        // Every peer holds as many lines as `me`: all ties.
        assert_eq!(group.coverage_percentile, 50.0);
        let mut more = me.clone();
        more.profile.uscc = "NEW".into();
        more.enrichment.held.push(HeldStandard {
            input: "ISO 9001:2015".into(),
            code: "ISO 9001:2015".into(),
        });
        let group = model.peer_group(&more);
        // Not a member: all 30 of the class are its peers.
        assert_eq!((group.size, group.coverage_percentile), (30, 100.0));
    }

    #[test]
    fn inline_profile_gets_the_peers_of_its_class() {
        let model = PeerModel::train("t", &population()).unwrap();
        let dairy = record(999, "1441", "食品产业链", &[]);
        let group = model.peer_group(&dairy);
        assert_eq!(level_and_code(&group), Some((IndustryLevel::Class, "1441")));
        assert_eq!(group.shares[0].1, 1.0);
        assert!(group.shares.iter().any(|(l, _)| l == "GB 19301"));
        assert!(!group.shares.iter().any(|(l, _)| l == "GB 38031"));
    }

    /// 3 air-conditioner makers (3852), 3 other household appliance makers
    /// of group 385 (3851, 3853, 3854), 4 makers in division 38 outside
    /// group 385 (3841 batteries, 3812 motors) and 40 machinery makers of
    /// division 35 — with the same chain, region and size as the rest, so a
    /// clustering could mix them.
    fn ladder() -> Vec<EnterpriseRecord> {
        let mut out = Vec::new();
        let mut add = |class: &str, n: usize, held: &[&str]| {
            for _ in 0..n {
                let i = out.len();
                out.push(record(i, class, "家电产业链", held));
            }
        };
        add("3852", 3, &["GB 4706.32-2012"]);
        add("3851", 1, &["GB 4706.13-2014"]);
        add("3853", 1, &["GB 4706.1-2005"]);
        add("3854", 1, &["GB 4706.1-2005"]);
        add("3841", 2, &["GB 38031-2020"]);
        add("3812", 2, &["GB 18613-2020"]);
        add("3523", 40, &["GB 22530-2008"]);
        out
    }

    #[test]
    fn class_falls_back_to_group_then_division_never_across_divisions() {
        let pop = ladder();
        let model = PeerModel::train("t", &pop).unwrap();
        // An air-conditioner maker: 2 other class peers, 5 in group 385.
        let group = model.peer_group(&pop[0]);
        assert_eq!(level_and_code(&group), Some((IndustryLevel::Group, "385")));
        assert_eq!(group.size, 5);
        assert_eq!(group.group_id, "group:385");
        // A battery maker: 1 class peer, 1 in group 384, 9 in division 38.
        let battery = &pop[6];
        let group = model.peer_group(battery);
        assert_eq!(
            level_and_code(&group),
            Some((IndustryLevel::Division, "38"))
        );
        assert_eq!(group.size, 9);
        // Never a line of the 40 machinery makers of division 35.
        for r in &pop[..10] {
            let g = model.peer_group(r);
            assert!(!g.shares.iter().any(|(l, _)| l == "GB 22530"), "{g:?}");
        }
        // A machinery maker finds its 39 class peers, none of division 38.
        let g = model.peer_group(&pop[20]);
        assert_eq!(
            (level_and_code(&g), g.size),
            (Some((IndustryLevel::Class, "3523")), 39)
        );
        assert_eq!(g.shares, vec![("GB 22530".to_string(), 1.0)]);
    }

    #[test]
    fn fewer_than_the_minimum_everywhere_keeps_the_narrowest_largest_set() {
        // 3 of a class and nobody else in the division: the class, not the
        // division (same peers, closer basis).
        let mut pop: Vec<EnterpriseRecord> =
            (0..4).map(|i| record(i, "2231", "造纸", &[])).collect();
        pop.push(record(9, "3523", "x", &[]));
        let model = PeerModel::train("t", &pop).unwrap();
        let g = model.peer_group(&pop[0]);
        assert_eq!(
            (level_and_code(&g), g.size),
            (Some((IndustryLevel::Class, "2231")), 3)
        );
        // A declared division alone is looked for at the division only.
        let g = model.peer_group(&record(99, "22", "造纸", &[]));
        assert_eq!(
            (level_and_code(&g), g.size),
            (Some((IndustryLevel::Division, "22")), 4)
        );
    }

    #[test]
    fn no_peers_in_the_division_means_no_peer_signal() {
        let pop = ladder();
        let model = PeerModel::train("t", &pop).unwrap();
        // Paper (division 22): nobody shares even the division.
        let paper = record(500, "2221", "造纸", &["GB/T 19001-2016"]);
        let g = model.peer_group(&paper);
        assert_eq!(g.basis, None);
        assert_eq!((g.size, g.shares.len()), (0, 0));
        assert_eq!(g.group_id, "none");
        // The only member of its division is not its own peer either.
        let mut pop = pop;
        pop.push(paper.clone());
        let model = PeerModel::train("t", &pop).unwrap();
        assert_eq!(model.peer_group(&paper).basis, None);
    }

    #[test]
    fn a_large_class_is_narrowed_by_kmeans_inside_it() {
        // 150 of one class: 75 small makers in Qingdao selling in CN, 75
        // large exporters in another chain.
        let pop: Vec<EnterpriseRecord> = (0..150)
            .map(|i| {
                let mut r = record(i, "3852", if i < 75 { "家电产业链" } else { "出口" }, &[]);
                if i >= 75 {
                    r.profile.employees = 5000 + i as u32;
                    r.profile.markets.push("EU".into());
                    r.enrichment.held.push(HeldStandard {
                        input: "IEC 60335-1:2020".into(),
                        code: "IEC 60335-1:2020".into(),
                    });
                }
                r
            })
            .collect();
        let model = PeerModel::train("t", &pop).unwrap();
        for r in [&pop[0], &pop[120]] {
            let g = model.peer_group(r);
            let basis = g.basis.clone().unwrap();
            assert_eq!(
                (basis.level, basis.code.as_str()),
                (IndustryLevel::Class, "3852")
            );
            assert!(basis.narrowed, "{g:?}");
            assert!((NARROW_MIN as u32..149).contains(&g.size), "{g:?}");
            assert!(g.group_id.starts_with("class:3852/k"), "{g:?}");
            // Narrowing keeps exporters with exporters.
            let iec = g
                .shares
                .iter()
                .find(|(l, _)| l == "IEC 60335-1")
                .map_or(0.0, |s| s.1);
            assert_eq!(
                iec,
                if r.profile.employees > 1000 { 1.0 } else { 0.0 },
                "{g:?}"
            );
        }
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
        assert_eq!((g.size, g.coverage_percentile, g.basis), (0, 50.0, None));
        let one = PeerModel::train("t", &[record(1, "3852", "家电产业链", &[])]).unwrap();
        assert_eq!(one.k, 1);
        let alone = one.peer_group(&record(1, "3852", "家电产业链", &[]));
        assert_eq!((alone.size, alone.basis), (0, None));
        let g = one.peer_group(&record(2, "3852", "家电产业链", &[]));
        assert_eq!(
            (g.size, level_and_code(&g)),
            (1, Some((IndustryLevel::Class, "3852")))
        );
    }

    #[test]
    fn k_grows_with_the_square_root_of_the_population() {
        assert_eq!(choose_k(1), 1);
        assert_eq!(choose_k(8), 3);
        assert_eq!(choose_k(1000), 32);
        assert_eq!(choose_k(1_000_000), MAX_CLUSTERS);
    }

    /// Peer groups over the demo population: how many enterprises find
    /// peers at each level, and that every peer shares the basis code (so
    /// never another division) — the figures quoted in docs/PEERS.md.
    #[test]
    fn demo_population_peer_groups() {
        use stdnav_core::enterprise::{enrich, validate};
        use stdnav_core::industry::IndustryData;
        use stdnav_core::reference::Reference;
        let reference = Reference::get();
        let lists = IndustryData::form_only();
        let records: Vec<EnterpriseRecord> = stdnav_core::population::generate(1000, 42)
            .iter()
            .map(|p| {
                let valid = validate(p, reference, &lists).unwrap();
                EnterpriseRecord {
                    enrichment: enrich(&valid, reference, &lists),
                    profile: valid.profile,
                    tenant: "t".into(),
                    version: 1,
                    updated_at_ms: 0,
                }
            })
            .collect();
        let model = PeerModel::train("t", &records).unwrap();
        let mut by_level: std::collections::BTreeMap<String, (usize, Vec<u32>)> =
            Default::default();
        let mut narrowed = 0;
        for r in &records {
            let g = model.peer_group(r);
            let key = match &g.basis {
                Some(b) => {
                    let in_basis = model
                        .members
                        .iter()
                        .filter(|m| m.uscc != r.profile.uscc && m.has(&b.code))
                        .count();
                    if b.narrowed {
                        narrowed += 1;
                        assert!(g.size as usize <= in_basis, "{g:?}");
                    } else {
                        assert_eq!(g.size as usize, in_basis, "{g:?}");
                    }
                    // The basis is one of the enterprise's own codes.
                    assert!(
                        r.enrichment
                            .industries
                            .iter()
                            .any(|i| i.starts_with(&b.code))
                    );
                    b.level.name().to_string()
                }
                None => "none".to_string(),
            };
            let e = by_level.entry(key).or_default();
            e.0 += 1;
            e.1.push(g.size);
        }
        for (level, (n, sizes)) in &mut by_level {
            sizes.sort_unstable();
            eprintln!(
                "{level}: {n} enterprises, peers min {} median {} max {}",
                sizes[0],
                sizes[sizes.len() / 2],
                sizes[sizes.len() - 1]
            );
        }
        eprintln!("narrowed by k-means: {narrowed}");
        let class = by_level.get("class").map_or(0, |e| e.0);
        assert!(class >= 700, "{by_level:?}");
        assert!(
            by_level.get("none").map_or(0, |e| e.0) <= 10,
            "{by_level:?}"
        );
    }
}
