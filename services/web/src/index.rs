//! The province map (一张图) and the standardization development index by
//! prefecture city, computed from the tenant's stored enterprise records
//! (pure: records in, figures out). The formula, weights and data date are
//! in docs/INDEX.md; change them here and there together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::EnterpriseRecord;

/// One prefecture city of Shandong on the tile grid: GB/T 2260 code, names,
/// and its cell (column, row) — neighbours stay neighbours, west to east,
/// north to south.
pub struct City {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub col: u32,
    pub row: u32,
}

/// Shandong's 16 prefecture-level cities (GB/T 2260, `core/data/regions.tsv`).
pub const SHANDONG: [City; 16] = [
    city("371400", "德州", "Dezhou", 1, 0),
    city("371600", "滨州", "Binzhou", 2, 0),
    city("370500", "东营", "Dongying", 3, 0),
    city("370600", "烟台", "Yantai", 5, 0),
    city("371000", "威海", "Weihai", 6, 0),
    city("371500", "聊城", "Liaocheng", 0, 1),
    city("370100", "济南", "Jinan", 1, 1),
    city("370300", "淄博", "Zibo", 2, 1),
    city("370700", "潍坊", "Weifang", 3, 1),
    city("370200", "青岛", "Qingdao", 4, 1),
    city("371700", "菏泽", "Heze", 0, 2),
    city("370800", "济宁", "Jining", 1, 2),
    city("370900", "泰安", "Tai'an", 2, 2),
    city("370400", "枣庄", "Zaozhuang", 1, 3),
    city("371300", "临沂", "Linyi", 2, 3),
    city("371100", "日照", "Rizhao", 3, 3),
];

const fn city(code: &'static str, zh: &'static str, en: &'static str, col: u32, row: u32) -> City {
    City {
        code,
        zh,
        en,
        col,
        row,
    }
}

pub fn city_by_code(code: &str) -> Option<&'static City> {
    SHANDONG.iter().find(|c| c.code == code)
}

/// The parts of the index and their weights (sum 1).
pub const PARTS: [(&str, f64); 4] = [
    ("management_systems", 0.35),
    ("standards_held", 0.35),
    ("enterprise_standards", 0.15),
    ("data_management", 0.15),
];

/// Held standards per enterprise that count as full marks for `standards_held`.
pub const HELD_FULL_MARKS: f64 = 10.0;

/// One city's figures. Every part is 0..1; `index` is 0..100, absent for a
/// city with no enterprise.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CityIndex {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub enterprises: u32,
    pub index: Option<f64>,
    /// Share of enterprises with at least one management-system certification.
    pub management_systems: f64,
    /// Mean standards held per enterprise over 10, at most 1.
    pub standards_held: f64,
    /// Share of enterprises disclosing an enterprise standard (a `Q/` code held).
    pub enterprise_standards: f64,
    /// Share of enterprises with a DCMM level (GB/T 36073).
    pub data_management: f64,
    /// Enterprises by GB/T 4754 division name (or code), most first.
    pub industries: Vec<Count>,
    /// Enterprises by industry chain, most first.
    pub chains: Vec<Count>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Count {
    pub name: String,
    pub count: u32,
}

impl CityIndex {
    /// The value of one part by name (`index` for the composite, 0..100).
    pub fn part(&self, name: &str) -> Option<f64> {
        match name {
            "management_systems" => Some(self.management_systems * 100.0),
            "standards_held" => Some(self.standards_held * 100.0),
            "enterprise_standards" => Some(self.enterprise_standards * 100.0),
            "data_management" => Some(self.data_management * 100.0),
            _ => self.index,
        }
        .filter(|_| self.enterprises > 0)
    }
}

fn sorted_counts(map: BTreeMap<String, u32>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(name, count)| Count { name, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    v
}

/// The index of every city of Shandong from the enterprises given (others
/// are ignored), in the order of [`SHANDONG`].
pub fn compute(records: &[EnterpriseRecord]) -> Vec<CityIndex> {
    SHANDONG
        .iter()
        .map(|c| {
            let prefix = &c.code[..4];
            let members: Vec<&EnterpriseRecord> = records
                .iter()
                .filter(|r| r.enterprise.region.starts_with(prefix))
                .collect();
            let n = members.len() as f64;
            let share = |f: &dyn Fn(&EnterpriseRecord) -> bool| {
                if n == 0.0 {
                    0.0
                } else {
                    members.iter().filter(|r| f(r)).count() as f64 / n
                }
            };
            let management_systems = share(&|r| !r.enterprise.certifications.is_empty());
            let enterprise_standards = share(&|r| {
                r.enterprise
                    .standards_held
                    .iter()
                    .any(|s| s.trim().to_ascii_uppercase().starts_with("Q/"))
            });
            let data_management = share(&|r| r.enterprise.dcmm_level > 0);
            let held_mean = if n == 0.0 {
                0.0
            } else {
                members
                    .iter()
                    .map(|r| r.enterprise.standards_held.len() as f64)
                    .sum::<f64>()
                    / n
            };
            let standards_held = (held_mean / HELD_FULL_MARKS).min(1.0);
            let values = [
                management_systems,
                standards_held,
                enterprise_standards,
                data_management,
            ];
            let index = (n > 0.0).then(|| {
                let sum: f64 = PARTS.iter().zip(values).map(|((_, w), v)| w * v).sum();
                (sum * 1000.0).round() / 10.0
            });
            let mut industries = BTreeMap::<String, u32>::new();
            let mut chains = BTreeMap::<String, u32>::new();
            for r in &members {
                let division = r
                    .enrichment
                    .industry_names
                    .first()
                    .filter(|n| !n.is_empty())
                    .cloned()
                    .or_else(|| r.enrichment.industries.first().cloned())
                    .unwrap_or_default();
                if !division.is_empty() {
                    *industries.entry(division).or_default() += 1;
                }
                for m in &r.enterprise.chains {
                    *chains.entry(m.chain.clone()).or_default() += 1;
                }
            }
            CityIndex {
                code: c.code.into(),
                name_zh: c.zh.into(),
                name_en: c.en.into(),
                enterprises: members.len() as u32,
                index,
                management_systems,
                standards_held,
                enterprise_standards,
                data_management,
                industries: sorted_counts(industries),
                chains: sorted_counts(chains),
            }
        })
        .collect()
}

/// The fill of a value 0..100 on a five-step sequential scale (light to
/// dark blue); grey for no data.
pub fn colour(value: Option<f64>) -> &'static str {
    const SCALE: [&str; 5] = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
    match value {
        None => "#e0e0e0",
        Some(v) => SCALE[((v / 20.0).floor() as usize).min(4)],
    }
}

/// The index table as CSV (UTF-8, header first).
pub fn to_csv(cities: &[CityIndex]) -> String {
    let mut out = String::from(
        "code,name_zh,name_en,enterprises,index,management_systems,standards_held,enterprise_standards,data_management\n",
    );
    for c in cities {
        out.push_str(&format!(
            "{},{},{},{},{},{:.3},{:.3},{:.3},{:.3}\n",
            c.code,
            c.name_zh,
            c.name_en.replace(',', " "),
            c.enterprises,
            c.index.map(|v| format!("{v:.1}")).unwrap_or_default(),
            c.management_systems,
            c.standards_held,
            c.enterprise_standards,
            c.data_management
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Enrichment, Enterprise};

    fn record(region: &str, held: &[&str], certified: bool, dcmm: u32) -> EnterpriseRecord {
        EnterpriseRecord {
            enterprise: Enterprise {
                region: region.into(),
                standards_held: held.iter().map(|s| s.to_string()).collect(),
                certifications: if certified {
                    vec!["ISO 9001".into()]
                } else {
                    vec![]
                },
                dcmm_level: dcmm,
                ..Enterprise::default()
            },
            enrichment: Enrichment {
                held: vec![],
                industries: vec!["3851".into()],
                industry_names: vec!["家用制冷电器具制造".into()],
                ics_groups: vec![],
                keywords: vec![],
                region_name: String::new(),
                province: String::new(),
            },
            tenant: "t".into(),
            version: 1,
        }
    }

    #[test]
    fn sixteen_cities_on_distinct_cells() {
        let mut cells: Vec<_> = SHANDONG.iter().map(|c| (c.col, c.row)).collect();
        cells.sort();
        cells.dedup();
        assert_eq!(cells.len(), 16);
        for c in &SHANDONG {
            let region = stdnav_core::reference::Reference::get().region(c.code);
            assert!(region.is_some(), "{} is a GB/T 2260 code", c.code);
        }
    }

    #[test]
    fn the_index_follows_the_documented_formula() {
        let records = vec![
            record("370211", &["GB/T 19001-2016", "Q/ABC 001-2023"], true, 2),
            record("370212", &[], false, 0),
            record("110000", &["GB 1"], true, 1),
        ];
        let cities = compute(&records);
        let qingdao = cities.iter().find(|c| c.code == "370200").unwrap();
        assert_eq!(qingdao.enterprises, 2);
        // 0.35*0.5 + 0.35*(1/10) + 0.15*0.5 + 0.15*0.5 = 0.36
        assert_eq!(qingdao.index, Some(36.0));
        assert_eq!(qingdao.industries[0].count, 2);
        let jinan = cities.iter().find(|c| c.code == "370100").unwrap();
        assert_eq!((jinan.enterprises, jinan.index), (0, None));
        assert_eq!(colour(None), "#e0e0e0");
        assert_eq!(colour(Some(100.0)), "#08519c");
        assert!(to_csv(&cities).lines().count() == 17);
    }
}
