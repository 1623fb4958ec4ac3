//! A seeded generator of a synthetic demo population: enterprises of Shandong's
//! 16 prefecture-level cities in fourteen industry chains — the four demo
//! chains and ten named after Shandong's key chains, so that every GB/T
//! 4754-2017 manufacturing division occurs (docs/DEMO_DATA.md).
//!
//! Every enterprise is made up (its name carries 示例, its flags "synthetic"),
//! but its codes are real: GB/T 2260 regions, GB/T 4754-2017 classes, standard
//! codes with real editions, and USCCs with valid check characters. The chains
//! and their enterprise archetypes are project data in core/data/chains.json.
//!
//! Randomness comes from a SplitMix64 stream written here rather than from
//! `rand`: one seed then gives the same population on every platform and
//! after every dependency upgrade (rand's `StdRng` does not promise that), and
//! stdnav-core needs no new dependency.

use std::collections::HashSet;
use std::io::Write;

use crate::chains::{
    Archetype, ChainSpec, CommonStandard, IndicatorRange, OtherChain, chains, common_standards,
};
use crate::enterprise::{ChainMembership, MeasuredIndicator, Profile, Segment};
use crate::uscc;

/// The seed the docs use; the CLI's default.
pub const DEFAULT_SEED: u64 = 42;

/// The flag every generated profile carries, so demo data is never mistaken
/// for a real enterprise.
pub const SYNTHETIC_FLAG: &str = "synthetic";

// ---------------------------------------------------------------------------------------
// Cities

/// A prefecture-level city of Shandong and its county-level divisions
/// (GB/T 2260, as of 2023; core/data/regions.tsv lists only the city).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct City {
    pub code: &'static str,
    /// Short name, as used in enterprise names (`青岛`, not `青岛市`).
    pub name: &'static str,
    /// Relative share of enterprises, before the chains' hub multipliers.
    pub weight: f64,
    pub districts: &'static [(&'static str, &'static str)],
}

/// Shandong's 16 prefecture-level cities. Weights follow the rough size of
/// each city's industrial economy: Qingdao, Jinan, Yantai and Weifang lead.
pub const SHANDONG_CITIES: &[City] = &[
    City {
        code: "370100",
        name: "济南",
        weight: 13.0,
        districts: &[
            ("370102", "历下区"),
            ("370103", "市中区"),
            ("370104", "槐荫区"),
            ("370105", "天桥区"),
            ("370112", "历城区"),
            ("370113", "长清区"),
            ("370114", "章丘区"),
            ("370115", "济阳区"),
            ("370116", "莱芜区"),
            ("370117", "钢城区"),
            ("370124", "平阴县"),
            ("370126", "商河县"),
        ],
    },
    City {
        code: "370200",
        name: "青岛",
        weight: 15.0,
        districts: &[
            ("370202", "市南区"),
            ("370203", "市北区"),
            ("370211", "黄岛区"),
            ("370212", "崂山区"),
            ("370213", "李沧区"),
            ("370214", "城阳区"),
            ("370215", "即墨区"),
            ("370281", "胶州市"),
            ("370283", "平度市"),
            ("370285", "莱西市"),
        ],
    },
    City {
        code: "370300",
        name: "淄博",
        weight: 7.0,
        districts: &[
            ("370302", "淄川区"),
            ("370303", "张店区"),
            ("370304", "博山区"),
            ("370305", "临淄区"),
            ("370306", "周村区"),
            ("370321", "桓台县"),
            ("370322", "高青县"),
            ("370323", "沂源县"),
        ],
    },
    City {
        code: "370400",
        name: "枣庄",
        weight: 3.5,
        districts: &[
            ("370402", "市中区"),
            ("370403", "薛城区"),
            ("370404", "峄城区"),
            ("370405", "台儿庄区"),
            ("370406", "山亭区"),
            ("370481", "滕州市"),
        ],
    },
    City {
        code: "370500",
        name: "东营",
        weight: 4.5,
        districts: &[
            ("370502", "东营区"),
            ("370503", "河口区"),
            ("370505", "垦利区"),
            ("370522", "利津县"),
            ("370523", "广饶县"),
        ],
    },
    City {
        code: "370600",
        name: "烟台",
        weight: 10.0,
        districts: &[
            ("370602", "芝罘区"),
            ("370611", "福山区"),
            ("370612", "牟平区"),
            ("370613", "莱山区"),
            ("370614", "蓬莱区"),
            ("370681", "龙口市"),
            ("370682", "莱阳市"),
            ("370683", "莱州市"),
            ("370685", "招远市"),
            ("370686", "栖霞市"),
            ("370687", "海阳市"),
        ],
    },
    City {
        code: "370700",
        name: "潍坊",
        weight: 10.0,
        districts: &[
            ("370702", "潍城区"),
            ("370703", "寒亭区"),
            ("370704", "坊子区"),
            ("370705", "奎文区"),
            ("370724", "临朐县"),
            ("370725", "昌乐县"),
            ("370781", "青州市"),
            ("370782", "诸城市"),
            ("370783", "寿光市"),
            ("370784", "安丘市"),
            ("370785", "高密市"),
            ("370786", "昌邑市"),
        ],
    },
    City {
        code: "370800",
        name: "济宁",
        weight: 6.0,
        districts: &[
            ("370811", "任城区"),
            ("370812", "兖州区"),
            ("370826", "微山县"),
            ("370827", "鱼台县"),
            ("370828", "金乡县"),
            ("370829", "嘉祥县"),
            ("370830", "汶上县"),
            ("370831", "泗水县"),
            ("370832", "梁山县"),
            ("370881", "曲阜市"),
            ("370883", "邹城市"),
        ],
    },
    City {
        code: "370900",
        name: "泰安",
        weight: 4.0,
        districts: &[
            ("370902", "泰山区"),
            ("370911", "岱岳区"),
            ("370921", "宁阳县"),
            ("370923", "东平县"),
            ("370982", "新泰市"),
            ("370983", "肥城市"),
        ],
    },
    City {
        code: "371000",
        name: "威海",
        weight: 4.5,
        districts: &[
            ("371002", "环翠区"),
            ("371003", "文登区"),
            ("371082", "荣成市"),
            ("371083", "乳山市"),
        ],
    },
    City {
        code: "371100",
        name: "日照",
        weight: 3.0,
        districts: &[
            ("371102", "东港区"),
            ("371103", "岚山区"),
            ("371121", "五莲县"),
            ("371122", "莒县"),
        ],
    },
    City {
        code: "371300",
        name: "临沂",
        weight: 8.0,
        districts: &[
            ("371302", "兰山区"),
            ("371311", "罗庄区"),
            ("371312", "河东区"),
            ("371321", "沂南县"),
            ("371322", "郯城县"),
            ("371323", "沂水县"),
            ("371324", "兰陵县"),
            ("371325", "费县"),
            ("371326", "平邑县"),
            ("371327", "莒南县"),
            ("371328", "蒙阴县"),
            ("371329", "临沭县"),
        ],
    },
    City {
        code: "371400",
        name: "德州",
        weight: 4.5,
        districts: &[
            ("371402", "德城区"),
            ("371403", "陵城区"),
            ("371422", "宁津县"),
            ("371423", "庆云县"),
            ("371424", "临邑县"),
            ("371425", "齐河县"),
            ("371426", "平原县"),
            ("371427", "夏津县"),
            ("371428", "武城县"),
            ("371481", "乐陵市"),
            ("371482", "禹城市"),
        ],
    },
    City {
        code: "371500",
        name: "聊城",
        weight: 4.0,
        districts: &[
            ("371502", "东昌府区"),
            ("371503", "茌平区"),
            ("371521", "阳谷县"),
            ("371522", "莘县"),
            ("371524", "东阿县"),
            ("371525", "冠县"),
            ("371526", "高唐县"),
            ("371581", "临清市"),
        ],
    },
    City {
        code: "371600",
        name: "滨州",
        weight: 4.0,
        districts: &[
            ("371602", "滨城区"),
            ("371603", "沾化区"),
            ("371621", "惠民县"),
            ("371622", "阳信县"),
            ("371623", "无棣县"),
            ("371625", "博兴县"),
            ("371681", "邹平市"),
        ],
    },
    City {
        code: "371700",
        name: "菏泽",
        weight: 5.0,
        districts: &[
            ("371702", "牡丹区"),
            ("371703", "定陶区"),
            ("371721", "曹县"),
            ("371722", "单县"),
            ("371723", "成武县"),
            ("371724", "巨野县"),
            ("371725", "郓城县"),
            ("371726", "鄄城县"),
            ("371728", "东明县"),
        ],
    },
];

// ---------------------------------------------------------------------------------------
// Randomness

/// SplitMix64 (Steele, Lea & Flood, 2014): tiny, fast, statistically sound
/// for demo data, and fixed, so a seed always yields the same population.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: ln is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// An item chosen with probability proportional to its weight.
    fn pick_weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> Option<&'a T> {
        let total: f64 = items.iter().map(|(_, w)| w.max(0.0)).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < w.max(0.0) {
                return Some(item);
            }
            x -= w.max(0.0);
        }
        items.last().map(|(item, _)| item)
    }

    /// `k` distinct indices of `0..n`, ascending (partial Fisher–Yates).
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all.sort_unstable();
        all
    }
}

// ---------------------------------------------------------------------------------------
// The plan: chain data resolved once per call

/// One archetype with what the generator needs resolved.
struct Slot<'a> {
    chain_name: &'a str,
    segment: Segment,
    archetype: &'a Archetype,
    /// Second memberships, chain ids resolved to names.
    also: Vec<ChainMembership>,
    /// Cities weighted by base weight × this chain's hub multiplier.
    cities: Vec<(&'static City, f64)>,
    manufacturing: bool,
}

struct Plan<'a> {
    slots: Vec<(Slot<'a>, f64)>,
    common: &'a [CommonStandard],
}

impl<'a> Plan<'a> {
    fn new(chains: &'a [ChainSpec], common: &'a [CommonStandard]) -> Self {
        let mut slots = Vec::new();
        for chain in chains {
            let cities: Vec<(&'static City, f64)> = SHANDONG_CITIES
                .iter()
                .map(|c| (c, c.weight * chain.hubs.get(c.code).copied().unwrap_or(1.0)))
                .collect();
            let chain_total: f64 = chain
                .segments
                .iter()
                .flat_map(|s| &s.archetypes)
                .map(|a| a.weight)
                .sum();
            for segment in &chain.segments {
                for archetype in &segment.archetypes {
                    let slot = Slot {
                        chain_name: &chain.name_zh,
                        segment: segment.segment,
                        archetype,
                        also: resolve_also(chains, &archetype.also),
                        cities: cities.clone(),
                        manufacturing: archetype
                            .industries
                            .first()
                            .is_some_and(|c| is_manufacturing(&c.code)),
                    };
                    // A chain's weight is shared among its archetypes.
                    let weight = chain.weight * archetype.weight / chain_total.max(f64::EPSILON);
                    slots.push((slot, weight));
                }
            }
        }
        Plan { slots, common }
    }
}

fn resolve_also(chains: &[ChainSpec], also: &[OtherChain]) -> Vec<ChainMembership> {
    also.iter()
        .filter_map(|o| {
            chains
                .iter()
                .find(|c| c.id == o.chain)
                .map(|c| ChainMembership {
                    chain: c.name_zh.clone(),
                    segment: o.segment,
                })
        })
        .collect()
}

/// GB/T 4754-2017 section C: divisions 13-43.
fn is_manufacturing(class: &str) -> bool {
    class
        .get(..2)
        .and_then(|d| d.parse::<u32>().ok())
        .is_some_and(|d| (13..=43).contains(&d))
}

// ---------------------------------------------------------------------------------------
// Generation

/// `count` synthetic enterprise profiles, the same for the same seed. Every
/// profile passes `enterprise::validate`; USCCs and names are unique within
/// the population. Fewer than `count` only if the bundled chain data were broken.
pub fn generate(count: usize, seed: u64) -> Vec<Profile> {
    let plan = Plan::new(chains(), common_standards());
    let mut rng = Rng(seed);
    let mut taken = Taken::default();
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        match enterprise(&plan, &mut rng, &mut taken) {
            Some(p) => out.push(p),
            None => break,
        }
    }
    out
}

/// Names and USCCs already given out.
#[derive(Default)]
struct Taken {
    names: HashSet<String>,
    usccs: HashSet<String>,
}

fn enterprise(plan: &Plan, rng: &mut Rng, taken: &mut Taken) -> Option<Profile> {
    let slot = rng.pick_weighted(&plan.slots)?;
    let a = slot.archetype;
    let city = *rng.pick_weighted(&slot.cities)?;
    let region = region_in(rng, city);
    let employees = employees(rng, a.employees_median);
    let size = size_of(employees);
    let exporter = rng.chance((a.export_share * (0.6 + 0.8 * size)).min(0.95));
    let standards_held = standards_held(rng, a, plan.common, size, exporter);
    let certifications = certifications(rng, a, &standards_held, size, exporter);
    let stem = rng.pick(&a.name_stems)?;
    Some(Profile {
        uscc: unique_uscc(rng, &mut taken.usccs, &region)?,
        name: unique_name(rng, &mut taken.names, city, stem)?,
        region,
        industries: industries(rng, a),
        products: products(rng, a, size, exporter),
        hs_codes: Vec::new(),
        employees,
        revenue_cny: revenue(rng, employees, a.revenue_per_employee_cny),
        markets: markets(rng, exporter, size),
        chains: memberships(rng, slot),
        standards_held,
        certifications,
        indicators: indicators(rng, a),
        dcmm_level: dcmm_level(rng, employees),
        flags: flags(rng, slot.manufacturing, employees, size),
    })
}

/// A county-level division of the city, or (for some) the city itself.
fn region_in(rng: &mut Rng, city: &City) -> String {
    match rng.pick(city.districts) {
        Some((code, _)) if !rng.chance(0.15) => code.to_string(),
        _ => city.code.to_string(),
    }
}

/// Lognormal around the archetype's median: many small firms, a long tail
/// of large ones, within 10-20,000.
fn employees(rng: &mut Rng, median: u32) -> u32 {
    let ln = f64::from(median.max(1)).ln() + 0.9 * rng.normal();
    ln.exp().round().clamp(10.0, 20_000.0) as u32
}

/// 0 for 10 employees, 1 for 20,000, on a log scale.
fn size_of(employees: u32) -> f64 {
    let (lo, hi) = (10f64.ln(), 20_000f64.ln());
    ((f64::from(employees).ln() - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// Revenue in CNY, rounded to 10,000 (万元) as enterprises report it.
fn revenue(rng: &mut Rng, employees: u32, per_employee: f64) -> f64 {
    let raw = f64::from(employees) * per_employee * (0.35 * rng.normal()).exp();
    ((raw / 10_000.0).round() * 10_000.0).max(10_000.0)
}

fn industries(rng: &mut Rng, a: &Archetype) -> Vec<String> {
    let mut out = Vec::new();
    for (i, class) in a.industries.iter().enumerate() {
        if i == 0 || rng.chance(0.25) {
            out.push(class.code.clone());
        }
    }
    out
}

/// Bigger enterprises make more products; exporters often name one in English.
fn products(rng: &mut Rng, a: &Archetype, size: f64, exporter: bool) -> Vec<String> {
    let n = a.products.len();
    let k = 1 + rng.below(n.min(3)) + (size * 2.0) as usize;
    let mut out: Vec<String> = rng
        .sample(n, k)
        .into_iter()
        .filter_map(|i| a.products.get(i).cloned())
        .collect();
    if rng.chance(if exporter { 0.6 } else { 0.2 })
        && let Some(en) = rng.pick(&a.products_en)
    {
        out.push(en.clone());
    }
    out
}

/// Export markets, weighted by how often Shandong manufacturers sell there.
const EXPORT_MARKETS: &[(&str, f64)] = &[
    ("EU", 0.30),
    ("US", 0.16),
    ("JP", 0.08),
    ("KR", 0.08),
    ("RU", 0.06),
    ("AU", 0.05),
    ("VN", 0.05),
    ("GB", 0.04),
    ("SA", 0.04),
    ("AE", 0.04),
    ("TH", 0.04),
    ("ID", 0.04),
    ("MY", 0.03),
    ("BR", 0.03),
    ("MX", 0.03),
];

fn markets(rng: &mut Rng, exporter: bool, size: f64) -> Vec<String> {
    let mut out = vec!["CN".to_string()];
    if exporter {
        let wanted = 1 + rng.below(1 + (size * 4.0) as usize);
        for _ in 0..wanted * 2 {
            if out.len() > wanted {
                break;
            }
            if let Some(m) = rng.pick_weighted(EXPORT_MARKETS)
                && !out.iter().any(|o| o == m)
            {
                out.push(m.to_string());
            }
        }
    }
    out
}

fn memberships(rng: &mut Rng, slot: &Slot) -> Vec<ChainMembership> {
    let mut out = vec![ChainMembership {
        chain: slot.chain_name.to_string(),
        segment: slot.segment,
    }];
    for other in &slot.also {
        if rng.chance(0.3) {
            out.push(other.clone());
        }
    }
    out
}

fn is_international(line: &[String]) -> bool {
    line.first()
        .is_some_and(|c| ["ISO", "IEC", "CISPR"].iter().any(|p| c.starts_with(p)))
}

/// Held standards: most mandatory lines, a size-dependent share of the
/// voluntary and common ones, sometimes an own enterprise standard. Each
/// enterprise lags on editions by its own amount, so upgrades occur.
fn standards_held(
    rng: &mut Rng,
    a: &Archetype,
    common: &[CommonStandard],
    size: f64,
    exporter: bool,
) -> Vec<String> {
    // Small firms update editions less often.
    let lag = rng.unit() * (0.65 - 0.35 * size);
    let mut held = Vec::new();
    for line in &a.mandatory {
        if rng.chance(0.55 + 0.4 * size) {
            push_edition(rng, &mut held, line, lag);
        }
    }
    for line in &a.voluntary {
        let boost = if exporter && is_international(line) {
            1.5
        } else {
            1.0
        };
        if rng.chance(((0.1 + 0.55 * size) * boost).min(0.95)) {
            push_edition(rng, &mut held, line, lag);
        }
    }
    for c in common {
        if rng.chance((c.adoption * (0.3 + 1.4 * size)).min(0.95)) {
            push_edition(rng, &mut held, &c.editions, lag);
        }
    }
    if rng.chance(0.05 + 0.35 * size) {
        held.push(enterprise_standard(rng));
    }
    held
}

/// The newest edition of a line, or with probability `lag` an older one.
fn push_edition(rng: &mut Rng, held: &mut Vec<String>, line: &[String], lag: f64) {
    let Some((newest, older)) = line.split_first() else {
        return;
    };
    let edition = match rng.pick(older) {
        Some(old) if rng.chance(lag) => old,
        _ => newest,
    };
    if !held.contains(edition) {
        held.push(edition.clone());
    }
}

/// Letters for enterprise-standard prefixes (`Q/` + an abbreviation).
const ABBREVIATION_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTWXYZ";

/// An own enterprise standard, `Q/ABCD 012-2023` style.
fn enterprise_standard(rng: &mut Rng) -> String {
    let abbreviation: String = (0..4)
        .filter_map(|_| rng.pick(ABBREVIATION_LETTERS).map(|b| char::from(*b)))
        .collect();
    let number = 1 + rng.below(30);
    let year = 2018 + rng.below(8);
    format!("Q/{abbreviation} {number:03}-{year}")
}

/// Held standards whose certification an enterprise usually also holds.
const SYSTEM_CERTIFICATIONS: &[(&[&str], &str)] = &[
    (&["GB/T 19001-", "ISO 9001:"], "ISO 9001"),
    (&["GB/T 24001-", "ISO 14001:"], "ISO 14001"),
    (&["GB/T 45001-", "ISO 45001:"], "ISO 45001"),
    (&["GB/T 23331-", "ISO 50001:"], "ISO 50001"),
    (&["GB/T 22000-", "ISO 22000:"], "ISO 22000"),
    (&["GB/T 27341-", "GB/T 27342-"], "HACCP"),
];

fn certifications(
    rng: &mut Rng,
    a: &Archetype,
    held: &[String],
    size: f64,
    exporter: bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (prefixes, cert) in SYSTEM_CERTIFICATIONS {
        let holds = held
            .iter()
            .any(|h| prefixes.iter().any(|p| h.starts_with(p)));
        if holds && rng.chance(0.8) {
            out.push(cert.to_string());
        }
    }
    for cert in &a.certifications {
        // CCC is compulsory for the products whose archetypes list it.
        let p = if cert == "CCC" {
            0.9
        } else {
            0.25 + 0.6 * size
        };
        if rng.chance(p) && !out.contains(cert) {
            out.push(cert.clone());
        }
    }
    if exporter {
        for cert in &a.export_certifications {
            if rng.chance(0.6) && !out.contains(cert) {
                out.push(cert.clone());
            }
        }
    }
    out
}

fn indicators(rng: &mut Rng, a: &Archetype) -> Vec<MeasuredIndicator> {
    let mut out = Vec::new();
    for range in &a.indicators {
        // Not every enterprise reports every indicator.
        if rng.chance(0.75) {
            out.push(MeasuredIndicator {
                name: range.name.clone(),
                unit: range.unit.clone(),
                value: draw(rng, range),
                product: range.product.clone(),
            });
        }
    }
    out
}

fn draw(rng: &mut Rng, range: &IndicatorRange) -> f64 {
    let raw = if range.log && range.min > 0.0 && range.max > 0.0 {
        rng.between(range.min.ln(), range.max.ln()).exp()
    } else {
        rng.between(range.min, range.max)
    };
    // Dividing by the power of ten gives the shortest decimal (4.6, not 4.6000000000000005).
    let scale = 10f64.powi(range.decimals.min(9) as i32);
    (raw * scale).round() / scale
}

/// DCMM (GB/T 36073) assessments are mostly taken by larger enterprises.
fn dcmm_level(rng: &mut Rng, employees: u32) -> u32 {
    if employees >= 500 && rng.chance(0.1) {
        1 + rng.below(3) as u32
    } else {
        0
    }
}

fn flags(rng: &mut Rng, manufacturing: bool, employees: u32, size: f64) -> Vec<String> {
    let mut out = vec![SYNTHETIC_FLAG.to_string()];
    if manufacturing && rng.chance(0.05 + 0.3 * size) {
        out.push("高新技术企业".to_string());
    }
    if manufacturing && (50..=1000).contains(&employees) && rng.chance(0.08) {
        out.push("专精特新".to_string());
    }
    out
}

/// Characters for trade names (字号): common, neutral ones.
const TRADE_NAME_CHARS: &[char] = &[
    '华', '信', '瑞', '德', '恒', '通', '泰', '丰', '源', '润', '宏', '远', '新', '越', '康', '和',
    '嘉', '鑫', '诚', '达', '博', '利', '盛', '安', '景', '明', '昌', '兴', '振', '海', '邦', '创',
    '益', '汇', '立', '正', '森', '启', '航', '晟',
];

const MAX_ATTEMPTS: u32 = 10_000;

/// `青岛示例瑞丰冰箱制造有限公司`: the 示例 marks it as made up. Collisions
/// get a longer trade name, then a serial number.
fn unique_name(
    rng: &mut Rng,
    taken: &mut HashSet<String>,
    city: &City,
    stem: &str,
) -> Option<String> {
    (0..MAX_ATTEMPTS).find_map(|attempt| {
        let trade = trade_name(rng, if attempt < 8 { 2 } else { 3 });
        let serial = if attempt < 32 {
            String::new()
        } else {
            attempt.to_string()
        };
        let name = format!("{}示例{trade}{stem}{serial}有限公司", city.name);
        taken.insert(name.clone()).then_some(name)
    })
}

fn trade_name(rng: &mut Rng, len: usize) -> String {
    let mut out: Vec<char> = Vec::with_capacity(len);
    while out.len() < len.min(TRADE_NAME_CHARS.len()) {
        if let Some(c) = rng.pick(TRADE_NAME_CHARS)
            && !out.contains(c)
        {
            out.push(*c);
        }
    }
    out.into_iter().collect()
}

/// `91` (an enterprise registered with market regulation) + region +
/// organization code + GB 32100 check character.
fn unique_uscc(rng: &mut Rng, taken: &mut HashSet<String>, region: &str) -> Option<String> {
    (0..MAX_ATTEMPTS).find_map(|_| {
        let first17 = format!("91{region}{}", organization_code(rng));
        let code = format!("{first17}{}", uscc::check_character(&first17).ok()?);
        taken.insert(code.clone()).then_some(code)
    })
}

/// Positions 9-17: an organization code (GB 11714), eight characters and its
/// own check character; codes issued since 2015 start with `MA`.
fn organization_code(rng: &mut Rng) -> String {
    let alphabet = uscc::ALPHABET.as_bytes();
    let mut body = String::with_capacity(9);
    if rng.chance(0.6) {
        body.push_str("MA");
        while body.len() < 8 {
            if let Some(b) = rng.pick(alphabet) {
                body.push(char::from(*b));
            }
        }
    } else {
        while body.len() < 8 {
            body.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    body.push(gb11714_check(&body));
    body
}

/// GB 11714 check: weights 3,7,9,10,5,8,4,2; letters count A=10 … Z=35.
fn gb11714_check(body: &str) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

/// Writes profiles as JSON Lines, one profile per line. Pass a buffered
/// writer for files.
pub fn write_jsonl<W: Write>(profiles: &[Profile], mut writer: W) -> std::io::Result<()> {
    for p in profiles {
        serde_json::to_writer(&mut writer, p)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chains::{CHAINS_JSON, parse_chain_data};
    use crate::code::StdCode;
    use crate::enterprise;
    use crate::reference::{Reference, RegionLevel};
    use crate::standard::{Nature, Status};
    use std::collections::{BTreeMap, BTreeSet};

    fn archetypes() -> impl Iterator<Item = (&'static ChainSpec, &'static Archetype)> {
        chains().iter().flat_map(|c| {
            c.segments
                .iter()
                .flat_map(move |s| s.archetypes.iter().map(move |a| (c, a)))
        })
    }

    fn all_lines() -> Vec<&'static [String]> {
        let mut lines: Vec<&[String]> = common_standards()
            .iter()
            .map(|c| c.editions.as_slice())
            .collect();
        for (_, a) in archetypes() {
            lines.extend(a.mandatory.iter().map(Vec::as_slice));
            lines.extend(a.voluntary.iter().map(Vec::as_slice));
        }
        lines
    }

    #[test]
    fn chain_data_parses_and_is_complete() {
        let parsed = parse_chain_data(CHAINS_JSON);
        assert!(parsed.is_ok(), "{:?}", parsed.err());
        let ids: Vec<&str> = chains().iter().map(|c| c.id.as_str()).collect();
        // The four demo chains first (their behaviour is what the examples
        // show), then the chains that cover every manufacturing division.
        assert_eq!(ids[..4], ["nev", "appliances", "food", "chemicals"]);
        assert!(ids.len() >= 14, "{ids:?}");
        for chain in chains() {
            let segments: Vec<Segment> = chain.segments.iter().map(|s| s.segment).collect();
            assert_eq!(
                segments,
                [Segment::Upstream, Segment::Midstream, Segment::Downstream],
                "{}",
                chain.id
            );
            for code in chain.hubs.keys() {
                assert!(
                    SHANDONG_CITIES.iter().any(|c| c.code == code),
                    "{}: hub {code}",
                    chain.id
                );
            }
        }
        let mut seen = HashSet::new();
        for (chain, a) in archetypes() {
            let id = format!("{}/{}", chain.id, a.id);
            assert!(seen.insert(a.id.clone()), "{id}: duplicate archetype id");
            assert!(!a.industries.is_empty(), "{id}: industries");
            assert!(!a.products.is_empty(), "{id}: products");
            assert!(!a.name_stems.is_empty(), "{id}: name_stems");
            assert!(a.weight > 0.0 && a.revenue_per_employee_cny > 0.0, "{id}");
            assert!((10..=20_000).contains(&a.employees_median), "{id}");
            assert!((0.0..=1.0).contains(&a.export_share), "{id}");
            for r in &a.indicators {
                assert!(r.min < r.max, "{id}: {}", r.name);
            }
            for o in &a.also {
                assert!(
                    o.chain != chain.id && chains().iter().any(|c| c.id == o.chain),
                    "{id}: also {}",
                    o.chain
                );
            }
            // No standard twice in one archetype's pools (common lines included).
            let mut codes = HashSet::new();
            let lines = a
                .mandatory
                .iter()
                .chain(&a.voluntary)
                .chain(common_standards().iter().map(|c| &c.editions));
            for code in lines.flatten() {
                assert!(codes.insert(code), "{id}: {code} twice");
            }
        }
    }

    #[test]
    fn every_standard_code_normalizes_and_lines_are_well_formed() {
        for line in all_lines() {
            assert!(!line.is_empty());
            for code in line {
                let normalized = crate::code::normalize(code);
                assert_eq!(normalized.as_deref(), Ok(code.as_str()), "{code}");
            }
        }
        for (_, a) in archetypes() {
            let nature = |line: &[String]| {
                line.first()
                    .and_then(|c| StdCode::parse(c).ok())
                    .map(|c| c.nature())
            };
            for line in &a.mandatory {
                assert_eq!(nature(line), Some(Nature::Mandatory), "{}: {line:?}", a.id);
            }
            for line in &a.voluntary {
                assert_ne!(nature(line), Some(Nature::Mandatory), "{}: {line:?}", a.id);
            }
        }
    }

    #[test]
    fn products_contain_terms_of_the_term_list() {
        let terms = Reference::get().terms();
        for (_, a) in archetypes() {
            for p in &a.products {
                assert!(
                    terms.iter().any(|t| p.contains(&t.zh)),
                    "{}: {p:?} contains no term of core/data/terms.tsv",
                    a.id
                );
            }
        }
    }

    #[test]
    fn indicators_match_catalogue_indicators() {
        let parsed = crate::catalogue::parse(
            crate::demo::CATALOGUE,
            crate::catalogue::Format::StdnavJsonl,
            "demo",
        );
        let known: HashSet<(String, String)> = parsed
            .standards
            .iter()
            .flat_map(|s| &s.indicators)
            .map(|i| (i.name.clone(), i.unit.clone()))
            .collect();
        for (_, a) in archetypes() {
            for r in &a.indicators {
                assert!(
                    known.contains(&(r.name.clone(), r.unit.clone())),
                    "{}: {} [{}] is no catalogue indicator",
                    a.id,
                    r.name,
                    r.unit
                );
            }
        }
    }

    #[test]
    fn industry_classes_exist_in_gbt4754() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(dir) = crate::demo::find_shared_data(root) else {
            eprintln!("skipped: ../shared/data not found (set STDNAV_DATA)");
            return;
        };
        let path = dir.join("cn-gbt4754-2017/gbt4754_2017.csv");
        let Ok(mut reader) = csv::Reader::from_path(&path) else {
            eprintln!("skipped: {} not readable", path.display());
            return;
        };
        let classes: BTreeMap<String, String> = reader
            .records()
            .filter_map(Result::ok)
            .filter(|r| r.get(1) == Some("4"))
            .filter_map(|r| Some((r.get(0)?.to_string(), r.get(6)?.trim().to_string())))
            .collect();
        assert!(classes.len() > 1000, "{} classes", classes.len());
        for (_, a) in archetypes() {
            for class in &a.industries {
                assert_eq!(
                    classes.get(&class.code),
                    Some(&class.name),
                    "{}: class {}",
                    a.id,
                    class.code
                );
            }
        }
    }

    #[test]
    fn cities_match_the_region_list() {
        let reference = Reference::get();
        assert_eq!(SHANDONG_CITIES.len(), 16);
        for city in SHANDONG_CITIES {
            let region = reference.region(city.code);
            assert!(
                region.is_some_and(|r| r.level == RegionLevel::Prefecture
                    && r.name_zh == format!("{}市", city.name)),
                "{}",
                city.code
            );
            for (code, _) in city.districts {
                assert!(code.starts_with(&city.code[..4]), "{code}");
                assert!(reference.is_known_region(code), "{code}");
            }
        }
    }

    #[test]
    fn same_seed_same_population_other_seed_other_population() {
        let a = generate(300, DEFAULT_SEED);
        assert_eq!(a.len(), 300);
        assert_eq!(a, generate(300, DEFAULT_SEED));
        assert_ne!(a, generate(300, DEFAULT_SEED + 1));
        // A prefix of a larger population is the smaller population.
        assert_eq!(a[..100], generate(100, DEFAULT_SEED)[..]);
    }

    #[test]
    fn generated_profiles_are_valid() {
        let reference = Reference::get();
        for p in generate(3_000, 7) {
            if let Err(errors) = enterprise::validate(&p, reference) {
                panic!("{}: {errors:?}", p.name);
            }
            assert!(p.flags.iter().any(|f| f == SYNTHETIC_FLAG));
            assert!(p.name.contains("示例"), "{}", p.name);
            assert!((10..=20_000).contains(&p.employees), "{}", p.employees);
            assert!(p.revenue_cny > 0.0);
            assert_eq!(p.markets.first().map(String::as_str), Some("CN"));
        }
    }

    #[test]
    fn usccs_and_names_are_unique_and_usccs_carry_the_region() {
        let population = generate(5_000, 11);
        let usccs: HashSet<&str> = population.iter().map(|p| p.uscc.as_str()).collect();
        let names: HashSet<&str> = population.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(usccs.len(), population.len());
        assert_eq!(names.len(), population.len());
        for p in &population {
            assert_eq!(uscc::validate(&p.uscc).as_deref(), Ok(p.uscc.as_str()));
            assert_eq!(uscc::region_code(&p.uscc), p.region);
            assert_eq!(p.uscc.len(), 18);
        }
    }

    #[test]
    fn a_thousand_cover_every_city_and_chain() {
        let population = generate(1_000, DEFAULT_SEED);
        let cities: BTreeSet<&str> = population
            .iter()
            .filter_map(|p| p.region.get(..4))
            .collect();
        assert_eq!(cities.len(), 16, "{cities:?}");
        let chain_names: BTreeSet<&str> = population
            .iter()
            .flat_map(|p| &p.chains)
            .map(|c| c.chain.as_str())
            .collect();
        let expected: BTreeSet<&str> = chains().iter().map(|c| c.name_zh.as_str()).collect();
        assert_eq!(chain_names, expected);
        for segment in [Segment::Upstream, Segment::Midstream, Segment::Downstream] {
            assert!(population.iter().any(|p| p.chains[0].segment == segment));
        }
        assert!(population.iter().any(|p| p.chains.len() > 1));
        assert!(population.iter().any(|p| p.markets.len() > 1));
        assert!(population.iter().any(|p| !p.indicators.is_empty()));
        // Uneven by design: Qingdao has more enterprises than Rizhao.
        let in_city = |prefix: &str| {
            population
                .iter()
                .filter(|p| p.region.starts_with(prefix))
                .count()
        };
        assert!(in_city("3702") > in_city("3711"));
    }

    /// Every GB/T 4754-2017 manufacturing division (13-43) is some
    /// archetype's main class, and a default population of 1,000 has at
    /// least 5 enterprises in each, so each finds peers in its division.
    #[test]
    fn every_manufacturing_division_has_enough_enterprises() {
        let mains: BTreeSet<String> = archetypes()
            .filter_map(|(_, a)| a.industries.first())
            .map(|c| c.code[..2].to_string())
            .collect();
        let population = generate(1_000, DEFAULT_SEED);
        let mut per_division: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &population {
            if let Some(d) = p.industries.first().and_then(|c| c.get(..2)) {
                *per_division.entry(d).or_insert(0) += 1;
            }
        }
        for d in 13..=43 {
            let d = d.to_string();
            assert!(
                mains.contains(&d),
                "division {d} is no archetype's main class"
            );
            let n = per_division.get(d.as_str()).copied().unwrap_or(0);
            assert!(
                n >= 5,
                "division {d}: {n} of 1,000 enterprises; {per_division:?}"
            );
        }
    }

    #[test]
    fn some_enterprises_hold_old_editions() {
        let parsed = crate::catalogue::parse(
            crate::demo::CATALOGUE,
            crate::catalogue::Format::StdnavJsonl,
            "demo",
        );
        let replaced: HashSet<&str> = parsed
            .standards
            .iter()
            .filter(|s| s.status == Status::Replaced)
            .map(|s| s.id.as_str())
            .collect();
        let population = generate(1_000, DEFAULT_SEED);
        let with_old = population
            .iter()
            .filter(|p| {
                p.standards_held
                    .iter()
                    .any(|h| replaced.contains(h.as_str()))
            })
            .count();
        assert!(with_old > 100 && with_old < 900, "{with_old} of 1000");
    }

    #[test]
    fn jsonl_round_trips() {
        let population = generate(50, 3);
        let mut out = Vec::new();
        assert!(write_jsonl(&population, &mut out).is_ok());
        let text = String::from_utf8(out).unwrap_or_default();
        let back: Vec<Profile> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(back, population);
    }

    #[test]
    fn organization_codes_have_gb11714_check_characters() {
        // By hand: 12345678 → 3+14+27+40+25+48+28+16 = 201, 201 mod 11 = 3, 11 - 3 = 8.
        assert_eq!(gb11714_check("12345678"), '8');
        let mut rng = Rng(1);
        for _ in 0..100 {
            let code = organization_code(&mut rng);
            assert_eq!(code.len(), 9);
            assert!(code.chars().all(|c| uscc::ALPHABET.contains(c)), "{code}");
        }
    }
}
