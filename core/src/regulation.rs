//! What regulations name for the products of an industry in a market.
//!
//! A CCC implementation rule, a food safety general standard or a list of
//! harmonised standards under an EU directive names the lines every maker of
//! a product kind must meet: GB 4706.1, GB 4343.1 and GB 17625.1 for a
//! household appliance sold in China; IEC 60335-1, CISPR 14-1 and
//! IEC 61000-3-2 for one sold in the EU; ISO 12100 and IEC 60204-1 for a
//! machine. The project's data file `core/data/regulation.tsv` keeps them
//! per GB/T 4754-2017 division, group or class and market regime, written
//! from the regulations themselves (not from the check set), each row with
//! the regulation it comes from. Where the mined co-citation table
//! ([`crate::cocited`]) knows an industry from the check set's dev half, this
//! table knows every industry the regulations cover.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::cocited::industry_keys_at;

/// Written by the project from public regulations (core/data/README.md).
const REGULATION: &str = include_str!("../data/regulation.tsv");
/// The data file's header row.
const COLUMNS: &str = "key\tline\tweight\tsource";

/// How much a row of a key with this many GB/T 4754 digits says about one
/// enterprise's products: a class's rule (4) fully, a group's (3) three
/// quarters, a division's (2) half. Ranking the check set's dev half by the
/// table alone, scaling thus found more of its lines in the first ten than
/// the weight alone (docs/EVALUATION.md).
pub fn key_specificity(digits: usize) -> f32 {
    match digits {
        0..=2 => 0.5,
        3 => 0.75,
        _ => 1.0,
    }
}

/// Lines named per industry key (`@<GB/T 4754 code>/<regime>`), with how
/// broadly the regulation names them: 1 for essentially every product of
/// the industry, less for many or some.
#[derive(Debug, Default)]
pub struct NamedByRegulation {
    by_key: HashMap<String, Vec<(String, f32)>>,
    /// Every line named under any key.
    lines: HashSet<String>,
}

impl NamedByRegulation {
    /// The bundled table, parsed once; empty when `STDNAV_REGULATION=off`
    /// (to measure what it adds, docs/EVALUATION.md).
    pub fn get() -> &'static NamedByRegulation {
        static TABLE: OnceLock<NamedByRegulation> = OnceLock::new();
        TABLE.get_or_init(|| {
            if std::env::var("STDNAV_REGULATION").is_ok_and(|v| v == "off") {
                NamedByRegulation::default()
            } else {
                NamedByRegulation::parse(REGULATION)
            }
        })
    }

    /// Reads the data file's rows; comment lines and malformed rows are
    /// skipped (the file is the project's own, checked by a test).
    pub fn parse(text: &str) -> Self {
        let mut by_key: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for row in text
            .lines()
            .filter(|l| !l.starts_with('#') && *l != COLUMNS && !l.trim().is_empty())
        {
            let mut cols = row.split('\t');
            let (Some(key), Some(line), Some(weight)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let Ok(weight) = weight.trim().parse::<f32>() else {
                continue;
            };
            let weight = weight.clamp(0.0, 1.0);
            let lines = by_key.entry(key.trim().to_string()).or_default();
            match lines.iter_mut().find(|(l, _)| l == line.trim()) {
                Some(entry) => entry.1 = entry.1.max(weight),
                None => lines.push((line.trim().to_string(), weight)),
            }
        }
        let lines = by_key
            .values()
            .flat_map(|v| v.iter().map(|(l, _)| l.clone()))
            .collect();
        Self { by_key, lines }
    }

    /// Whether some regulation names this line for some industry: evidence
    /// that the line is in force, since regulations name standards in force.
    pub fn names_line(&self, line: &str) -> bool {
        self.lines.contains(line)
    }

    /// The lines regulations name for an enterprise of these GB/T 4754
    /// codes selling in these markets, each with its strongest value over
    /// the enterprise's division, group and class: the row's weight times
    /// [`key_specificity`] (a rule for the class says more about its products
    /// than one for the whole division); sorted by line.
    pub fn for_industries(&self, industries: &[String], markets: &[String]) -> Vec<(&str, f32)> {
        let mut lines: HashMap<&str, f32> = HashMap::new();
        for level in [2, 3, 4] {
            for key in industry_keys_at(industries, markets, &[level]) {
                for (line, weight) in self.by_key.get(&key).map_or(&[][..], Vec::as_slice) {
                    let best = lines.entry(line.as_str()).or_insert(0.0);
                    *best = best.max(weight * key_specificity(level));
                }
            }
        }
        let mut out: Vec<(&str, f32)> = lines.into_iter().collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Every (key, line) row, for checks of the data file.
    #[cfg(test)]
    fn rows(&self) -> impl Iterator<Item = (&str, &str, f32)> {
        self.by_key
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |(l, w)| (k.as_str(), l.as_str(), *w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn lines_by_class_group_and_division_in_the_enterprise_markets() {
        let table = NamedByRegulation::parse(
            "# comment\nkey\tline\tweight\tsource\n\
             @38/EU\tIEC 61000-3-2\t0.6\tEMC\n\
             @385/EU\tIEC 60335-1\t1.0\tLVD\n\
             @3852/EU\tIEC 61000-3-2\t1.0\tEMC\n\
             @385/CN\tGB 4706.1\t1.0\tCCC\n\
             @386/EU\tISO 9999\tbad\tmalformed weight\n",
        );
        assert_eq!(
            table.for_industries(&s(&["3852"]), &s(&["DE"])),
            vec![("IEC 60335-1", 0.75), ("IEC 61000-3-2", 1.0)]
        );
        // The division's row counts half, the group's three quarters.
        assert_eq!(
            table.for_industries(&s(&["3851"]), &s(&["FR"])),
            vec![("IEC 60335-1", 0.75), ("IEC 61000-3-2", 0.3)]
        );
        assert_eq!(
            table.for_industries(&s(&["3852"]), &s(&["CN"])),
            vec![("GB 4706.1", 0.75)]
        );
        assert!(table.for_industries(&s(&["3852"]), &s(&["US"])).is_empty());
        assert_eq!(table.rows().count(), 4);
    }

    #[test]
    fn the_bundled_file_is_well_formed() {
        let mut rows = 0;
        let mut seen = std::collections::HashSet::new();
        for row in REGULATION.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            assert_eq!(cols.len(), 4, "{row}");
            let (code, regime) = cols[0]
                .strip_prefix('@')
                .and_then(|k| k.split_once('/'))
                .unwrap_or_else(|| panic!("bad key in {row}"));
            assert!(
                (2..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()),
                "{row}"
            );
            assert!(matches!(regime, "CN" | "EU"), "{row}");
            assert!(!cols[1].is_empty() && !cols[1].contains(':'), "{row}");
            assert!(matches!(cols[2], "1.0" | "0.6" | "0.3"), "{row}");
            assert!(!cols[3].is_empty(), "{row}");
            assert!(seen.insert((cols[0], cols[1])), "duplicate {row}");
            rows += 1;
        }
        assert!(rows > 2000, "{rows} rows");
        assert_eq!(NamedByRegulation::parse(REGULATION).rows().count(), rows);
    }
}
