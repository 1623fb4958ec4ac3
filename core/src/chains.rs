//! The industry chains (产业链) the project knows: their ids and names,
//! segments, and the kinds of enterprise in each segment — project data in
//! core/data/chains.json. The demo population is drawn from them
//! ([`crate::population`]); batch runs and change subscriptions find a chain
//! by id or name here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::enterprise::Segment;

pub(crate) const CHAINS_JSON: &str = include_str!("../data/chains.json");

/// An industry chain of the demo population: its segments and, per segment,
/// the kinds of enterprise found there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    /// `nev`, `appliances`, `food`, `chemicals`, `textiles`, `machinery` …
    pub id: String,
    /// The name profiles use in `chains[].chain`, e.g. `家电产业链`.
    pub name_zh: String,
    pub name_en: String,
    /// Relative share of the demo population.
    pub weight: f64,
    /// Prefecture code → multiplier of that city's base weight: where the
    /// chain clusters (refineries in Dongying, appliances in Qingdao …).
    #[serde(default)]
    pub hubs: BTreeMap<String, f64>,
    pub segments: Vec<SegmentSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    pub segment: Segment,
    pub archetypes: Vec<Archetype>,
}

/// A GB/T 4754-2017 class with its official name (the name documents the
/// data and is checked against the classification in tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndustryClass {
    pub code: String,
    pub name: String,
}

/// A kind of enterprise: what it makes and the standards such an enterprise
/// plausibly holds. A standard line lists editions newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Archetype {
    pub id: String,
    pub name_zh: String,
    /// The main class first; the others are added to some enterprises.
    pub industries: Vec<IndustryClass>,
    /// Relative share within its chain.
    pub weight: f64,
    pub employees_median: u32,
    pub revenue_per_employee_cny: f64,
    /// Business words for the enterprise name, e.g. `冰箱制造`.
    pub name_stems: Vec<String>,
    /// Chinese products; each contains a term of core/data/terms.tsv.
    pub products: Vec<String>,
    #[serde(default)]
    pub products_en: Vec<String>,
    /// Share of (mid-size) enterprises that export.
    #[serde(default)]
    pub export_share: f64,
    /// Lines whose newest edition is a mandatory GB standard.
    #[serde(default)]
    pub mandatory: Vec<Vec<String>>,
    /// GB/T, ISO, IEC and industry lines.
    #[serde(default)]
    pub voluntary: Vec<Vec<String>>,
    #[serde(default)]
    pub certifications: Vec<String>,
    /// Certifications only exporters hold (CE, E-mark …).
    #[serde(default)]
    pub export_certifications: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<IndicatorRange>,
    /// Other chains some of these enterprises also belong to.
    #[serde(default)]
    pub also: Vec<OtherChain>,
}

/// The range a measured indicator is drawn from, spread around the
/// thresholds of catalogue records with the same name and unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRange {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub min: f64,
    pub max: f64,
    /// Draw uniformly on a log scale (counts spanning orders of magnitude).
    #[serde(default)]
    pub log: bool,
    #[serde(default)]
    pub decimals: u32,
    #[serde(default)]
    pub product: String,
}

/// A second chain membership: chain id and segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherChain {
    pub chain: String,
    pub segment: Segment,
}

/// A management-system or standardization line any enterprise may hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonStandard {
    pub editions: Vec<String>,
    /// Share of mid-size enterprises holding it.
    pub adoption: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChainData {
    /// Notes for readers of the JSON file.
    #[serde(default)]
    #[allow(dead_code)]
    about: Vec<String>,
    common_standards: Vec<CommonStandard>,
    chains: Vec<ChainSpec>,
}

pub(crate) fn parse_chain_data(text: &str) -> Result<ChainData, serde_json::Error> {
    serde_json::from_str(text)
}

fn data() -> &'static ChainData {
    static DATA: OnceLock<ChainData> = OnceLock::new();
    DATA.get_or_init(|| {
        parse_chain_data(CHAINS_JSON).unwrap_or_else(|e| {
            // Bundled data that a unit test parses: only a broken build gets here.
            tracing::error!("core/data/chains.json does not parse: {e}");
            ChainData::default()
        })
    })
}

/// The demo industry chains, parsed once per process.
pub fn chains() -> &'static [ChainSpec] {
    &data().chains
}

/// The management-system and standardization lines shared by all archetypes.
pub fn common_standards() -> &'static [CommonStandard] {
    &data().common_standards
}

/// A chain by id (`nev`), Chinese name (`家电产业链`, or `家电` without the
/// 产业链 suffix) or English name, ignoring case and surrounding space.
pub fn chain_by_id_or_name(key: &str) -> Option<&'static ChainSpec> {
    let key = key.trim();
    chains().iter().find(|c| {
        c.id.eq_ignore_ascii_case(key)
            || c.name_zh == key
            || c.name_zh.strip_suffix("产业链") == Some(key)
            || c.name_en.eq_ignore_ascii_case(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_found_by_id_or_name() {
        for key in [
            "nev",
            "NEV",
            "新能源汽车产业链",
            "新能源汽车",
            " New-energy vehicles ",
        ] {
            assert_eq!(chain_by_id_or_name(key).map(|c| c.id.as_str()), Some("nev"));
        }
        assert_eq!(
            chain_by_id_or_name("家电").map(|c| c.id.as_str()),
            Some("appliances")
        );
        assert!(chain_by_id_or_name("").is_none());
        assert_eq!(
            chain_by_id_or_name("纺织服装").map(|c| c.id.as_str()),
            Some("textiles")
        );
        assert!(chain_by_id_or_name("航天产业链").is_none());
    }
}
