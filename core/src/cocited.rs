//! Standards that regulations name together.
//!
//! A certification rule or a list of harmonised standards names a product
//! standard together with the horizontal ones the product must also meet
//! (electromagnetic compatibility, radio, food contaminants, machinery
//! safety). Product words rarely reach the horizontal ones; the company they
//! keep in regulations does. The links are mined from the dev half of the
//! real-world check set only (`stdnav mine-cocited`), so the test half still
//! judges them, and kept as the project's data file `core/data/cocited.tsv`.
//!
//! Besides standard lines, a list holds industry keys ([`industry_keys`]:
//! the GB/T 4754 division and group in each market regime), so the table
//! also says which lines regulations name for an industry in a market — the
//! machinery safety basics for any machine sold in the EU, the contaminant
//! and labelling standards for any food sold in China — where no product
//! standard is found to bring them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock, RwLock};

use crate::market::Regimes;

/// Written by `stdnav mine-cocited`.
const COCITED: &str = include_str!("../data/cocited.tsv");
/// The data file's header row.
const COLUMNS: &str = "from\tto\tsupport\tconfidence";

/// Marks an industry key, which is never a standard code.
const INDUSTRY_KEY: char = '@';

/// The industry keys of an enterprise (or a regulation's product category):
/// `@<division>/<regime>` and `@<group>/<regime>` for each GB/T 4754 class
/// or group and each market regime (`CN`, `EU`) it sells in; none outside
/// those regimes.
pub fn industry_keys(industries: &[String], markets: &[String]) -> Vec<String> {
    industry_keys_at(industries, markets, &[2, 3])
}

/// [`industry_keys`] at the given lengths of GB/T 4754 code (2 division,
/// 3 group, 4 class).
pub fn industry_keys_at(
    industries: &[String],
    markets: &[String],
    levels: &[usize],
) -> Vec<String> {
    let regimes = Regimes::of(markets).regulated();
    let mut keys = Vec::new();
    for industry in industries {
        let digits = industry.trim();
        if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        for &level in levels {
            if digits.len() < level {
                continue;
            }
            for regime in &regimes {
                let key = format!("{INDUSTRY_KEY}{}/{regime}", &digits[..level]);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

/// Whether a list entry is an industry key rather than a standard line.
pub fn is_industry_key(entry: &str) -> bool {
    entry.starts_with(INDUSTRY_KEY)
}

/// Mining thresholds.
#[derive(Debug, Clone, Copy)]
pub struct MineParams {
    /// Fewest lists naming both lines.
    pub min_support: u32,
    /// Lowest share of the lists naming the first line that also name the
    /// second.
    pub min_confidence: f64,
}

impl Default for MineParams {
    fn default() -> Self {
        Self {
            min_support: 2,
            min_confidence: 0.3,
        }
    }
}

/// One directed link: lists that name `from` also name `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: String,
    pub to: String,
    /// Lists naming both.
    pub support: u32,
    /// `support` over the lists naming `from`.
    pub confidence: f64,
}

/// Links between the lines of `lists` (each a set of standard lines named
/// together) that meet `params`, ordered by `from`, then confidence.
pub fn mine(lists: &[BTreeSet<String>], params: MineParams) -> Vec<Link> {
    let mut naming: HashMap<&str, u32> = HashMap::new();
    let mut both: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for list in lists {
        for a in list {
            *naming.entry(a).or_default() += 1;
            for b in list {
                if a != b {
                    *both.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    let mut links: Vec<Link> = both
        .into_iter()
        // An industry key brings lines; a line never brings a key.
        .filter(|((_, to), _)| !is_industry_key(to))
        .filter_map(|((from, to), support)| {
            let confidence = f64::from(support) / f64::from(naming[from]);
            (support >= params.min_support && confidence >= params.min_confidence).then(|| Link {
                from: from.to_string(),
                to: to.to_string(),
                support,
                confidence,
            })
        })
        .collect();
    links.sort_by(|a, b| {
        a.from
            .cmp(&b.from)
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.to.cmp(&b.to))
    });
    links
}

/// The links as the data file: `header` (each line prefixed with `#`), the
/// column names, then `from<TAB>to<TAB>support<TAB>confidence` rows.
pub fn render(links: &[Link], header: &str) -> String {
    let mut out: String = header.lines().map(|l| format!("# {l}\n")).collect();
    out.push_str(COLUMNS);
    out.push('\n');
    for l in links {
        out.push_str(&format!(
            "{}\t{}\t{}\t{:.3}\n",
            l.from, l.to, l.support, l.confidence
        ));
    }
    out
}

/// The lines named together with a line, with the link's confidence.
#[derive(Debug, Default)]
pub struct CoCited {
    links: HashMap<String, Vec<(String, f32)>>,
}

/// The table retrieval reads: the bundled one, or a replacement while a
/// [`Replaced`] guard lives.
fn served() -> &'static RwLock<Arc<CoCited>> {
    static TABLE: OnceLock<RwLock<Arc<CoCited>>> = OnceLock::new();
    TABLE.get_or_init(|| RwLock::new(Arc::new(CoCited::bundled())))
}

/// Puts the previous table back when dropped.
#[must_use = "the replacement lasts while the guard lives"]
pub struct Replaced(Option<Arc<CoCited>>);

impl Drop for Replaced {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            *served().write().unwrap_or_else(|e| e.into_inner()) = previous;
        }
    }
}

impl CoCited {
    /// The table retrieval reads (see [`CoCited::replace`]).
    pub fn get() -> Arc<CoCited> {
        served().read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves `table` in this process until the guard drops. Only for
    /// judging the check set's dev half, whose cases the bundled table was
    /// mined from: `stdnav train` and `stdnav evaluate` retrieve each dev case
    /// with the links mined without it, so its own naming does not flatter
    /// it. Servers never call it.
    pub fn replace(table: CoCited) -> Replaced {
        let mut current = served().write().unwrap_or_else(|e| e.into_inner());
        Replaced(Some(std::mem::replace(&mut *current, Arc::new(table))))
    }

    /// The bundled table; empty when `STDNAV_COCITED=off` (to measure what it
    /// adds, docs/EVALUATION.md).
    pub fn bundled() -> CoCited {
        if Self::switched_off() {
            CoCited::default()
        } else {
            CoCited::parse(COCITED)
        }
    }

    /// Whether `STDNAV_COCITED=off` leaves the table out.
    pub fn switched_off() -> bool {
        std::env::var("STDNAV_COCITED").is_ok_and(|v| v == "off")
    }

    /// The table of freshly mined links.
    pub fn from_links(links: &[Link]) -> Self {
        let mut table: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for l in links {
            table
                .entry(l.from.clone())
                .or_default()
                .push((l.to.clone(), l.confidence as f32));
        }
        Self { links: table }
    }

    /// Reads the data file's rows; comment lines and malformed rows are
    /// skipped (the file is the project's own, written by `render`).
    pub fn parse(text: &str) -> Self {
        let mut links: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for row in text
            .lines()
            .filter(|l| !l.starts_with('#') && *l != COLUMNS)
        {
            let mut cols = row.split('\t');
            let (Some(from), Some(to), Some(_), Some(conf)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            if let Ok(conf) = conf.trim().parse::<f32>() {
                links
                    .entry(from.to_string())
                    .or_default()
                    .push((to.to_string(), conf));
            }
        }
        Self { links }
    }

    /// Lines that lists naming `line` also name, most confident first.
    pub fn of(&self, line: &str) -> &[(String, f32)] {
        self.links.get(line).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_keys_by_division_group_and_regime() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            industry_keys(&s(&["3435", "3852"]), &s(&["EU"])),
            s(&["@34/EU", "@343/EU", "@38/EU", "@385/EU"])
        );
        assert_eq!(
            industry_keys(&s(&["14"]), &s(&["CN", "DE"])),
            s(&["@14/CN", "@14/EU"])
        );
        // Outside the regimes, and junk classes: no keys.
        assert!(industry_keys(&s(&["3435"]), &s(&["US"])).is_empty());
        assert!(industry_keys(&s(&["x1", "3"]), &s(&["CN"])).is_empty());
    }

    fn set(lines: &[&str]) -> BTreeSet<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn links_need_support_and_confidence() {
        let lists = vec![
            set(&["IEC 60335-2-6", "CISPR 14-1", "IEC 61000-3-2"]),
            set(&["IEC 60335-2-40", "CISPR 14-1", "IEC 61000-3-2"]),
            set(&["IEC 60335-2-40", "CISPR 14-1"]),
            set(&["ISO 12100"]),
        ];
        let links = mine(&lists, MineParams::default());
        let find = |a: &str, b: &str| links.iter().find(|l| l.from == a && l.to == b);
        // Named together twice, and in every list naming the first.
        let l = find("IEC 60335-2-40", "CISPR 14-1").unwrap();
        assert_eq!((l.support, l.confidence), (2, 1.0));
        // Once only: below the support.
        assert!(find("IEC 60335-2-6", "CISPR 14-1").is_none());
        // Two of three lists naming CISPR 14-1 name IEC 61000-3-2.
        let l = find("CISPR 14-1", "IEC 61000-3-2").unwrap();
        assert!((l.confidence - 2.0 / 3.0).abs() < 1e-9);
        assert!(links.iter().all(|l| l.from != "ISO 12100"));

        let table = CoCited::parse(&render(&links, "test\nsecond line"));
        assert_eq!(table.of("IEC 60335-2-40")[0].0, "CISPR 14-1");
        assert!(table.of("ISO 12100").is_empty());
        let to = |t: &CoCited| -> Vec<String> {
            t.of("IEC 60335-2-40")
                .iter()
                .map(|(l, _)| l.clone())
                .collect()
        };
        assert_eq!(to(&CoCited::from_links(&links)), to(&table));

        // A replacement is served while its guard lives, then the bundled
        // table again.
        let bundled = CoCited::get().links.len();
        {
            let _guard = CoCited::replace(CoCited::from_links(&links));
            assert_eq!(to(&CoCited::get()), to(&table));
        }
        assert_eq!(CoCited::get().links.len(), bundled);
        // Industry keys link to lines, never the other way.
        let keyed = vec![
            set(&["@38/EU", "IEC 60335-1", "CISPR 14-1"]),
            set(&["@38/EU", "IEC 60335-1"]),
        ];
        let links = mine(&keyed, MineParams::default());
        assert!(
            links
                .iter()
                .any(|l| l.from == "@38/EU" && l.to == "IEC 60335-1")
        );
        assert!(links.iter().all(|l| !is_industry_key(&l.to)));

        let strict = mine(
            &lists,
            MineParams {
                min_support: 2,
                min_confidence: 0.9,
            },
        );
        assert!(strict.iter().all(|l| l.confidence >= 0.9));
    }
}
