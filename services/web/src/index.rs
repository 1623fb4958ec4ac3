//! The province map (一张图) and the standardization development index by
//! prefecture city, computed from the tenant's chain batch results joined to
//! its stored enterprise records, or from the records alone when it has no
//! batch results (pure but for reading the results' files: records and
//! results in, figures out), for the whole province or one slice of it (a
//! GB/T 4754 division, an industry chain). The formula, weights and data
//! date are in docs/INDEX.md; change them here and there together.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

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

/// What the figures are computed from: the chain batch results (`stdnav
/// batch`, joined to the stored records by USCC) when the tenant has any,
/// else the stored records alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    BatchResults,
    StoredRecords,
}

impl Basis {
    /// The parts of the composite on this basis and their weights (sum 1).
    pub fn parts(self) -> &'static [(&'static str, f64)] {
        match self {
            Self::BatchResults => &BATCH_PARTS,
            Self::StoredRecords => &RECORD_PARTS,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::BatchResults => "batch_results",
            Self::StoredRecords => "stored_records",
        }
    }
}

/// The parts and weights from the chain batch results (docs/INDEX.md).
/// Participation in drafting standards is not known to stdnav yet: weight 0,
/// so it is left out rather than guessed.
pub const BATCH_PARTS: [(&str, f64); 6] = [
    ("mandatory_coverage", 0.30),
    ("edition_currency", 0.20),
    ("international_alignment", 0.15),
    ("management_systems", 0.15),
    ("enterprise_standards", 0.10),
    ("data_management", 0.10),
];

/// The parts and weights from the stored records alone (no batch results).
pub const RECORD_PARTS: [(&str, f64); 4] = [
    ("management_systems", 0.35),
    ("standards_held", 0.35),
    ("enterprise_standards", 0.15),
    ("data_management", 0.15),
];

/// Every part name either basis may show, for parameter checks.
pub const ALL_PARTS: [&str; 7] = [
    "mandatory_coverage",
    "edition_currency",
    "international_alignment",
    "management_systems",
    "standards_held",
    "enterprise_standards",
    "data_management",
];

/// Held standards per enterprise that count as full marks for `standards_held`.
pub const HELD_FULL_MARKS: f64 = 10.0;

/// One city's figures. Every part is 0..1 (absent when its basis does not
/// have it); `index` is 0..100, absent for a city with no enterprise.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CityIndex {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Enterprises counted (on the batch basis: those with a chain result).
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
    /// Batch basis: mean share of the mandatory standards held in their current edition.
    pub mandatory_coverage: Option<f64>,
    /// Batch basis: mean share of held standards needing no upgrade.
    pub edition_currency: Option<f64>,
    /// Batch basis: share of enterprises holding an international standard (ISO, IEC, ITU).
    pub international_alignment: Option<f64>,
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
            "mandatory_coverage" => self.mandatory_coverage.map(|v| v * 100.0),
            "edition_currency" => self.edition_currency.map(|v| v * 100.0),
            "international_alignment" => self.international_alignment.map(|v| v * 100.0),
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

/// One enterprise's result of a chain run, as `stdnav batch` writes it in
/// `results.jsonl` (the fields the index reads; others are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BatchResult {
    pub uscc: String,
    pub maturity: f64,
    pub mandatory_coverage: f64,
    pub upgrades: u32,
    pub unmatched_products: Vec<String>,
    pub error: String,
}

/// The chain batch results of one tenant.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// One result per enterprise (failed ones left out).
    pub by_uscc: HashMap<String, BatchResult>,
    /// The chains of the runs read (their `summary.json`), in run order.
    pub chains: Vec<String>,
    /// The newest run's date (its `results.jsonl` written), `YYYY-MM-DD` UTC.
    pub data_date: String,
}

/// Most runs read per tenant, and the largest `results.jsonl` read: a
/// larger one is skipped with a warning (a chain of a million enterprises
/// is ~300 MB).
pub const MAX_RUNS: usize = 64;
pub const MAX_RESULTS_BYTES: u64 = 512 * 1024 * 1024;

/// Reads the chain runs of `tenant` under `dir`: `dir/<tenant>/<run>/`
/// with `results.jsonl` and `summary.json` (the `--out` of `stdnav batch`),
/// runs in name order, the first result of an enterprise kept. None when
/// there is no run; unreadable runs and lines are skipped with a warning.
pub fn load_batch(dir: &Path, tenant: &str) -> Option<Batch> {
    // A tenant name is checked before it becomes a path (no `..`, no `/`).
    let valid = !tenant.is_empty()
        && tenant.len() <= 64
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return None;
    }
    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir.join(tenant))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("results.jsonl").is_file())
        .collect();
    runs.sort();
    runs.truncate(MAX_RUNS);
    let mut batch = Batch::default();
    let mut newest: Option<std::time::SystemTime> = None;
    for run in &runs {
        let results = run.join("results.jsonl");
        let Ok(meta) = std::fs::metadata(&results) else {
            continue;
        };
        if meta.len() > MAX_RESULTS_BYTES {
            tracing::warn!(path = %results.display(), "chain results too large for the index; skipped");
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&results) else {
            tracing::warn!(path = %results.display(), "chain results unreadable; skipped");
            continue;
        };
        let mut bad = 0usize;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<BatchResult>(line) {
                Ok(r) if r.error.is_empty() && !r.uscc.is_empty() => {
                    batch.by_uscc.entry(r.uscc.clone()).or_insert(r);
                }
                Ok(_) => {}
                Err(_) => bad += 1,
            }
        }
        if bad > 0 {
            tracing::warn!(path = %results.display(), bad, "lines of chain results not understood");
        }
        let chain = std::fs::read_to_string(run.join("summary.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["chain"].as_str().map(str::to_string))
            .unwrap_or_else(|| {
                run.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            });
        batch.chains.push(chain);
        if let Ok(modified) = meta.modified() {
            newest = newest.max(Some(modified));
        }
    }
    if batch.chains.is_empty() {
        return None;
    }
    batch.data_date = newest.map(date_of).unwrap_or_default();
    Some(batch)
}

/// `YYYY-MM-DD` (UTC) of a time.
pub fn date_of(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The GB/T 4754 division (2 digits) of a record: its first class's.
pub fn division_of(r: &EnterpriseRecord) -> Option<String> {
    let class = r.enrichment.industries.first()?;
    let digits: String = class.chars().filter(char::is_ascii_digit).take(2).collect();
    (digits.len() == 2).then_some(digits)
}

/// GB/T 4754-2017 manufacturing divisions (大类 13–43, section C), the
/// divisions the demo population and most chains use; others show by code.
pub const DIVISIONS: [(&str, &str, &str); 31] = [
    ("13", "农副食品加工业", "Agri-food processing"),
    ("14", "食品制造业", "Food manufacturing"),
    (
        "15",
        "酒、饮料和精制茶制造业",
        "Liquor, beverages and refined tea",
    ),
    ("16", "烟草制品业", "Tobacco products"),
    ("17", "纺织业", "Textiles"),
    ("18", "纺织服装、服饰业", "Apparel and clothing"),
    (
        "19",
        "皮革、毛皮、羽毛及其制品和制鞋业",
        "Leather, fur, feathers and footwear",
    ),
    (
        "20",
        "木材加工和木、竹、藤、棕、草制品业",
        "Wood, bamboo, rattan, palm and straw products",
    ),
    ("21", "家具制造业", "Furniture"),
    ("22", "造纸和纸制品业", "Paper and paper products"),
    ("23", "印刷和记录媒介复制业", "Printing and recorded media"),
    (
        "24",
        "文教、工美、体育和娱乐用品制造业",
        "Stationery, crafts, sports and toys",
    ),
    (
        "25",
        "石油、煤炭及其他燃料加工业",
        "Petroleum, coal and other fuels",
    ),
    (
        "26",
        "化学原料和化学制品制造业",
        "Chemicals and chemical products",
    ),
    ("27", "医药制造业", "Pharmaceuticals"),
    ("28", "化学纤维制造业", "Chemical fibres"),
    ("29", "橡胶和塑料制品业", "Rubber and plastic products"),
    ("30", "非金属矿物制品业", "Non-metallic mineral products"),
    (
        "31",
        "黑色金属冶炼和压延加工业",
        "Ferrous metal smelting and rolling",
    ),
    (
        "32",
        "有色金属冶炼和压延加工业",
        "Non-ferrous metal smelting and rolling",
    ),
    ("33", "金属制品业", "Metal products"),
    ("34", "通用设备制造业", "General-purpose machinery"),
    ("35", "专用设备制造业", "Special-purpose machinery"),
    ("36", "汽车制造业", "Motor vehicles"),
    (
        "37",
        "铁路、船舶、航空航天和其他运输设备制造业",
        "Railway, ships, aircraft and other transport equipment",
    ),
    (
        "38",
        "电气机械和器材制造业",
        "Electrical machinery and equipment",
    ),
    (
        "39",
        "计算机、通信和其他电子设备制造业",
        "Computers, communication and electronic equipment",
    ),
    ("40", "仪器仪表制造业", "Instruments and meters"),
    ("41", "其他制造业", "Other manufacturing"),
    ("42", "废弃资源综合利用业", "Recycling of waste resources"),
    (
        "43",
        "金属制品、机械和设备修理业",
        "Repair of metal products, machinery and equipment",
    ),
];

/// A division's name in Chinese and English (`38 大类` / `Division 38` when
/// not in [`DIVISIONS`]).
pub fn division_names(code: &str) -> (String, String) {
    DIVISIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| (zh.to_string(), en.to_string()))
        .unwrap_or_else(|| (format!("{code} 大类"), format!("Division {code}")))
}

/// A chain's name in Chinese and English, as profiles name it (the known
/// chains have both; another name is shown as stored).
pub fn chain_names(name: &str) -> (String, String) {
    stdnav_core::chains::chain_by_id_or_name(name)
        .map(|c| (c.name_zh.clone(), c.name_en.clone()))
        .unwrap_or_else(|| (name.to_string(), name.to_string()))
}

/// A slice of the province's enterprises the map and the index are drawn
/// for: one GB/T 4754 division, one industry chain, or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slice {
    /// A division, two digits (`38`).
    pub industry: Option<String>,
    /// A chain as profiles name it (`家电产业链`).
    pub chain: Option<String>,
}

/// Longest chain parameter accepted (a chain name in UTF-8).
pub const MAX_CHAIN_LEN: usize = 128;

impl Slice {
    /// From the `industry` and `chain` parameters: a division is two digits
    /// (a letter before them and longer classes are cut to it: `C3851` →
    /// `38`); a chain is its id (`appliances`), Chinese name or any name
    /// stored profiles use, at most [`MAX_CHAIN_LEN`] bytes. Empty: all.
    pub fn parse(industry: &str, chain: &str) -> Result<Self, (String, String)> {
        let industry = industry.trim();
        let industry = if industry.is_empty() {
            None
        } else {
            let digits: String = industry
                .trim_start_matches(|c: char| c.is_ascii_uppercase())
                .chars()
                .take(2)
                .collect();
            if industry.len() > 8
                || digits.len() != 2
                || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return Err((
                    "industry".into(),
                    "a GB/T 4754 division: two digits, e.g. 38 (or a class such as C3851)".into(),
                ));
            }
            Some(digits)
        };
        let chain = chain.trim();
        let chain = if chain.is_empty() {
            None
        } else if chain.len() > MAX_CHAIN_LEN {
            return Err(("chain".into(), format!("at most {MAX_CHAIN_LEN} bytes")));
        } else {
            Some(
                stdnav_core::chains::chain_by_id_or_name(chain)
                    .map(|c| c.name_zh.clone())
                    .unwrap_or_else(|| chain.to_string()),
            )
        };
        Ok(Self { industry, chain })
    }

    pub fn is_all(&self) -> bool {
        self.industry.is_none() && self.chain.is_none()
    }

    pub fn admits(&self, r: &EnterpriseRecord) -> bool {
        self.industry
            .as_ref()
            .is_none_or(|d| division_of(r).as_deref() == Some(d.as_str()))
            && self
                .chain
                .as_ref()
                .is_none_or(|c| r.enterprise.chains.iter().any(|m| &m.chain == c))
    }
}

/// Whether a held code is an international standard (ISO, IEC, ISO/IEC, ITU).
fn international(code: &str) -> bool {
    let c = code.trim().to_ascii_uppercase();
    ["ISO ", "ISO/", "IEC ", "ITU"]
        .iter()
        .any(|p| c.starts_with(p))
}

/// The basis the figures of `records` take with `batch`: the batch results
/// as soon as one of them is an enterprise of `records`.
pub fn basis<R: Borrow<EnterpriseRecord>>(records: &[R], batch: Option<&Batch>) -> Basis {
    match batch {
        Some(b)
            if records
                .iter()
                .any(|r| b.by_uscc.contains_key(&r.borrow().enterprise.uscc)) =>
        {
            Basis::BatchResults
        }
        _ => Basis::StoredRecords,
    }
}

/// The index of every city of Shandong from the enterprises given (others
/// are ignored), in the order of [`SHANDONG`], on the basis [`basis`] gives.
pub fn compute<R: Borrow<EnterpriseRecord>>(
    records: &[R],
    batch: Option<&Batch>,
) -> Vec<CityIndex> {
    let basis = basis(records, batch);
    let result = |r: &EnterpriseRecord| batch.and_then(|b| b.by_uscc.get(&r.enterprise.uscc));
    SHANDONG
        .iter()
        .map(|c| {
            let prefix = &c.code[..4];
            let members: Vec<&EnterpriseRecord> = records
                .iter()
                .map(Borrow::borrow)
                .filter(|r| r.enterprise.region.starts_with(prefix))
                .filter(|r| basis == Basis::StoredRecords || result(r).is_some())
                .collect();
            let n = members.len() as f64;
            let mean = |f: &dyn Fn(&EnterpriseRecord) -> f64| {
                if n == 0.0 {
                    0.0
                } else {
                    members.iter().map(|r| f(r)).sum::<f64>() / n
                }
            };
            let share =
                |f: &dyn Fn(&EnterpriseRecord) -> bool| mean(&|r| f64::from(u8::from(f(r))));
            let management_systems = share(&|r| !r.enterprise.certifications.is_empty());
            let enterprise_standards = share(&|r| {
                r.enterprise
                    .standards_held
                    .iter()
                    .any(|s| s.trim().to_ascii_uppercase().starts_with("Q/"))
            });
            let data_management = share(&|r| r.enterprise.dcmm_level > 0);
            let held_mean = mean(&|r| r.enterprise.standards_held.len() as f64);
            let standards_held = (held_mean / HELD_FULL_MARKS).min(1.0);
            let (mandatory_coverage, edition_currency, international_alignment) =
                if basis == Basis::BatchResults {
                    let coverage = mean(&|r| result(r).map_or(0.0, |x| x.mandatory_coverage));
                    // Enterprises holding nothing have no edition to be current in.
                    let holders: Vec<f64> = members
                        .iter()
                        .filter(|r| !r.enterprise.standards_held.is_empty())
                        .map(|r| {
                            let held = r.enterprise.standards_held.len() as f64;
                            let upgrades = result(r).map_or(0.0, |x| f64::from(x.upgrades));
                            1.0 - upgrades.min(held) / held
                        })
                        .collect();
                    let currency = if holders.is_empty() {
                        0.0
                    } else {
                        holders.iter().sum::<f64>() / holders.len() as f64
                    };
                    let aligned =
                        share(&|r| r.enterprise.standards_held.iter().any(|s| international(s)));
                    (Some(coverage), Some(currency), Some(aligned))
                } else {
                    (None, None, None)
                };
            let value = |part: &str| match part {
                "management_systems" => management_systems,
                "standards_held" => standards_held,
                "enterprise_standards" => enterprise_standards,
                "data_management" => data_management,
                "mandatory_coverage" => mandatory_coverage.unwrap_or(0.0),
                "edition_currency" => edition_currency.unwrap_or(0.0),
                "international_alignment" => international_alignment.unwrap_or(0.0),
                _ => 0.0,
            };
            let index = (n > 0.0).then(|| {
                let sum: f64 = basis.parts().iter().map(|&(p, w)| w * value(p)).sum();
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
                mandatory_coverage,
                edition_currency,
                international_alignment,
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

/// The index table as CSV (UTF-8, header first); parts a basis lacks are empty.
pub fn to_csv(cities: &[CityIndex]) -> String {
    let mut out = String::from("code,name_zh,name_en,enterprises,index");
    for p in ALL_PARTS {
        out.push(',');
        out.push_str(p);
    }
    out.push('\n');
    for c in cities {
        out.push_str(&format!(
            "{},{},{},{},{}",
            c.code,
            c.name_zh,
            c.name_en.replace(',', " "),
            c.enterprises,
            c.index.map(|v| format!("{v:.1}")).unwrap_or_default(),
        ));
        for p in ALL_PARTS {
            let v = match p {
                "management_systems" => Some(c.management_systems),
                "standards_held" => Some(c.standards_held),
                "enterprise_standards" => Some(c.enterprise_standards),
                "data_management" => Some(c.data_management),
                "mandatory_coverage" => c.mandatory_coverage,
                "edition_currency" => c.edition_currency,
                _ => c.international_alignment,
            };
            out.push(',');
            if let Some(v) = v {
                out.push_str(&format!("{v:.3}"));
            }
        }
        out.push('\n');
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
        let cities = compute(&records, None);
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

    #[test]
    fn slices_parse_and_admit() {
        let s = Slice::parse("C3851", "appliances").unwrap();
        assert_eq!(s.industry.as_deref(), Some("38"));
        assert_eq!(s.chain.as_deref(), Some("家电产业链"));
        assert!(Slice::parse("", "").unwrap().is_all());
        assert_eq!(Slice::parse("x1", "").unwrap_err().0, "industry");
        assert_eq!(Slice::parse("C3", "").unwrap_err().0, "industry");
        assert_eq!(Slice::parse("", &"链".repeat(50)).unwrap_err().0, "chain");
        let r = record("370211", &[], false, 0);
        assert_eq!(division_of(&r).as_deref(), Some("38"));
        assert!(Slice::parse("38", "").unwrap().admits(&r));
        assert!(!Slice::parse("13", "").unwrap().admits(&r));
        assert!(
            !Slice::parse("", "appliances").unwrap().admits(&r),
            "in no chain"
        );
        assert_eq!(division_names("38").1, "Electrical machinery and equipment");
        assert_eq!(division_names("99").0, "99 大类");
    }

    #[test]
    fn batch_results_are_read_per_tenant_and_joined() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("t/appliances");
        std::fs::create_dir_all(&run).unwrap();
        let mut a = record("370211", &["GB/T 19001-2016", "ISO 9001:2015"], true, 0);
        a.enterprise.uscc = "A".into();
        let mut b = record("370212", &["GB 1"], false, 0);
        b.enterprise.uscc = "B".into();
        std::fs::write(
            run.join("results.jsonl"),
            "{\"uscc\":\"A\",\"mandatory_coverage\":1.0,\"upgrades\":1,\"maturity\":70}\n\
             {\"uscc\":\"B\",\"error\":\"failed\"}\nnot json\n",
        )
        .unwrap();
        std::fs::write(run.join("summary.json"), "{\"chain\":\"家电产业链\"}").unwrap();
        assert!(load_batch(dir.path(), "other").is_none());
        assert!(
            load_batch(dir.path(), "../t").is_none(),
            "no path in a tenant"
        );
        let batch = load_batch(dir.path(), "t").unwrap();
        assert_eq!(batch.chains, ["家电产业链"]);
        assert_eq!(
            batch.by_uscc.len(),
            1,
            "the failed result and the bad line left out"
        );
        assert_eq!(batch.data_date.len(), 10);
        let records = vec![a, b];
        assert_eq!(basis(&records, Some(&batch)), Basis::BatchResults);
        assert_eq!(basis(&records, None), Basis::StoredRecords);
        let qingdao = compute(&records, Some(&batch))
            .into_iter()
            .find(|c| c.code == "370200")
            .unwrap();
        // Only A has a result: coverage 1, currency 1 - 1/2, aligned 1,
        // certified 1: 100 × (0.30 + 0.20·0.5 + 0.15 + 0.15) = 70.
        assert_eq!(qingdao.enterprises, 1);
        assert_eq!(qingdao.edition_currency, Some(0.5));
        assert_eq!(qingdao.index, Some(70.0));
        assert_eq!(qingdao.part("mandatory_coverage"), Some(100.0));
        assert!(BATCH_PARTS.iter().map(|p| p.1).sum::<f64>() - 1.0 < 1e-12);
    }

    #[test]
    fn dates() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600);
        assert_eq!(date_of(t), "2026-01-01");
        assert_eq!(date_of(std::time::UNIX_EPOCH), "1970-01-01");
    }
}
