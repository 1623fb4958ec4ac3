//! How often enterprises of a sector hold ISO 9001, ISO 14001 and
//! ISO/IEC 27001, from the ISO Survey of Certifications, for the synthetic
//! training-data generator.
//!
//! # Source
//!
//! The ISO Survey's certificate counts by country, year and sector, as
//! converted by the StanDat project (Univ. of Oslo, MIT-licensed scripts; the
//! figures are ISO's — cite "ISO Survey"). The file is **not** part of the
//! project: [`IsoSurvey::load`] reads [`INDUSTRY_SURVEY_CSV`] under a data
//! directory the caller passes (e.g. `/work/shared/data`). Columns used:
//! `country`, `year`, `industry`, `ISO 9001`, `ISO 14001`, `ISO/IEC 27001`.
//!
//! Only the rows of mainland China are read: country label [`COUNTRY`]
//! (`"China"`); Hong Kong, Macau and Taiwan have labels of their own and are
//! not included. The `TOTAL` and `Sector unknown` rows are not sectors.
//!
//! # Sectors
//!
//! The survey's sectors are the 39 IAF sectors (IAF ID 1, after NACE
//! Rev. 1.1). The bundled, hand-written table `models/data/gbt4754_iaf.tsv`
//! assigns every GB/T 4754-2017 division (01–97) the one sector it mostly
//! falls under (see its notes for divisions that span several; as a
//! consequence Shipbuilding, Aerospace, Concrete/cement and Nuclear fuel are
//! not reached from any division). Labels are compared by [`sector_key`]:
//! lower case, `&` read as "and", punctuation and spacing collapsed, plus one
//! alias for the wholesale sector, whose wording changed in 2015.
//!
//! # Year
//!
//! Sector counts of ISO 9001 exist only for 2009–2014, so for each sector the
//! **most recent year with all three counts** is used. For China that is 2014
//! for every sector; [`IsoSurvey::year`] gives the most recent year used.
//! One year rather than an average keeps the figures traceable to one table
//! of the survey, at the price of its year-to-year noise (some sectors' counts
//! jump by several times between consecutive years).
//!
//! # Rates
//!
//! The survey counts certificates, not enterprises, and has no enterprise
//! counts per sector, so no rate below is "share of the sector's enterprises".
//! Each is in 0..=1 and defined from one sector's counts `c9001`, `c14001`,
//! `c27001` of the year chosen for it:
//!
//! - `iso9001` — an **intensity, not a probability**: `c9001 / max c9001`
//!   over the *manufacturing sectors* (those that a GB/T 4754 section C
//!   division, 13–43, maps to), capped at 1. The busiest manufacturing sector
//!   has 1; use it to scale a base probability of holding ISO 9001.
//! - `iso14001` — `c14001 / c9001`, capped at 1: read as the chance that an
//!   ISO 9001-certified enterprise of the sector also holds ISO 14001.
//! - `iso27001` — `c27001 / c9001`, capped at 1, read the same way.
//!
//! A ratio over `c9001 = 0` is 0 when its numerator is 0 and 1 otherwise.
//!
//! Caveats: a certificate covering several sectors may be counted in each of
//! them; the capping matters where a sector reports more ISO 14001 than
//! ISO 9001 certificates (construction, for China); and the sector breakdown
//! of ISO/IEC 27001 covers only a small part of China's certificates in the
//! survey's country totals, so `iso27001` is far below the real level — good
//! for ranking sectors against each other, not as an absolute probability.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The survey file, relative to the data directory given to [`IsoSurvey::load`].
pub const INDUSTRY_SURVEY_CSV: &str =
    "iso-survey-standat/industry_certification_survey_2009_2020.csv";

/// The survey's country label for (mainland) China.
pub const COUNTRY: &str = "China";

/// GB/T 4754-2017 division → ISO Survey sector: the project's own table.
const DIVISION_TABLE: &str = include_str!("../data/gbt4754_iaf.tsv");

/// Header of [`DIVISION_TABLE`]: the columns read (a `note` may follow).
const TABLE_COLUMNS: [&str; 3] = ["division", "name_zh", "iso_survey_sector"];

/// Rows of the survey that are not sectors (as [`sector_key`]s).
const NOT_SECTORS: [&str; 2] = ["total", "sector unknown"];

/// Label variants across survey years: [`sector_key`] of a later wording →
/// that of the wording used in the bundled table.
const ALIASES: [(&str, &str); 1] = [(
    "wholesale and retail trade repairs of motor vehicles motorcycles and personal and household goods",
    "wholesale and retail trade repairs of motor vehicles",
)];

/// GB/T 4754-2017 section C (manufacturing).
const MANUFACTURING_DIVISIONS: std::ops::RangeInclusive<u32> = 13..=43;

/// Relative certification frequencies of one sector; see the module
/// documentation for the definitions. All are in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CertificationRates {
    /// ISO 9001 intensity relative to the busiest manufacturing sector (not
    /// a probability).
    pub iso9001: f64,
    /// ISO 14001 certificates per ISO 9001 certificate, capped at 1.
    pub iso14001: f64,
    /// ISO/IEC 27001 certificates per ISO 9001 certificate, capped at 1.
    pub iso27001: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum IsoSurveyError {
    #[error("cannot read ISO Survey file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("malformed ISO Survey file {}: {message}", path.display())]
    Malformed { path: PathBuf, message: String },
    #[error(
        "ISO Survey file {} has no rows for {country:?} with ISO 9001, ISO 14001 and ISO/IEC 27001 counts",
        path.display()
    )]
    NoData { path: PathBuf, country: String },
}

/// Certificate counts of one sector in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    iso9001: u64,
    iso14001: u64,
    iso27001: u64,
}

#[derive(Debug, Clone)]
struct Sector {
    /// The label as spelled in the chosen year's row.
    label: String,
    year: i32,
    /// Kept for the tests' documentation table.
    #[cfg_attr(not(test), allow(dead_code))]
    counts: Counts,
    rates: CertificationRates,
}

/// China's certificate frequencies by ISO Survey sector.
#[derive(Debug, Clone)]
pub struct IsoSurvey {
    /// In the file's order of first appearance (the IAF order).
    sectors: Vec<Sector>,
    /// [`sector_key`] → index into `sectors`.
    by_key: HashMap<String, usize>,
}

impl IsoSurvey {
    /// Reads China's rows of [`INDUSTRY_SURVEY_CSV`] under `data_dir`.
    pub fn load(data_dir: &Path) -> Result<IsoSurvey, IsoSurveyError> {
        let path = data_dir.join(INDUSTRY_SURVEY_CSV);
        let file = File::open(&path).map_err(|source| IsoSurveyError::Read {
            path: path.clone(),
            source,
        })?;
        let malformed = |message: String| IsoSurveyError::Malformed {
            path: path.clone(),
            message,
        };
        let mut reader = csv::Reader::from_reader(BufReader::new(file));
        let headers = reader
            .headers()
            .map_err(|e| malformed(format!("header: {e}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
                .ok_or_else(|| malformed(format!("no column {name:?}")))
        };
        let [country, year, industry, c9001, c14001, c27001] = [
            column("country")?,
            column("year")?,
            column("industry")?,
            column("ISO 9001")?,
            column("ISO 14001")?,
            column("ISO/IEC 27001")?,
        ];

        let mut sectors: Vec<(String, String, i32, Counts)> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| malformed(e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            if field(country) != COUNTRY {
                continue;
            }
            let label = field(industry);
            let key = sector_key(label);
            if key.is_empty() || NOT_SECTORS.contains(&key.as_str()) {
                continue;
            }
            let count = |i: usize, name: &str| {
                parse_count(field(i)).map_err(|e| malformed(format!("line {line}, {name}: {e}")))
            };
            let row_year = count(year, "year")?
                .and_then(|y| i32::try_from(y).ok())
                .ok_or_else(|| malformed(format!("line {line}: no year")))?;
            let (Some(iso9001), Some(iso14001), Some(iso27001)) = (
                count(c9001, "ISO 9001")?,
                count(c14001, "ISO 14001")?,
                count(c27001, "ISO/IEC 27001")?,
            ) else {
                continue;
            };
            let counts = Counts {
                iso9001,
                iso14001,
                iso27001,
            };
            let candidate = (key.clone(), label.to_string(), row_year, counts);
            match by_key.get(&key) {
                None => {
                    by_key.insert(key, sectors.len());
                    sectors.push(candidate);
                }
                Some(&i) if sectors[i].2 < row_year => sectors[i] = candidate,
                Some(&i) if sectors[i].2 == row_year => {
                    return Err(malformed(format!(
                        "line {line}: a second {COUNTRY} row for {label:?} in {row_year}"
                    )));
                }
                Some(_) => {}
            }
        }
        if sectors.is_empty() {
            return Err(IsoSurveyError::NoData {
                path,
                country: COUNTRY.to_string(),
            });
        }

        let manufacturing: HashSet<String> = table()
            .iter()
            .filter(|d| {
                d.code
                    .parse::<u32>()
                    .is_ok_and(|n| MANUFACTURING_DIVISIONS.contains(&n))
            })
            .map(|d| sector_key(d.sector))
            .collect();
        let max_manufacturing = sectors
            .iter()
            .filter(|(key, ..)| manufacturing.contains(key))
            .map(|(.., c)| c.iso9001)
            .max()
            .unwrap_or(0);
        let sectors = sectors
            .into_iter()
            .map(|(_, label, year, counts)| Sector {
                label,
                year,
                counts,
                rates: CertificationRates {
                    iso9001: share(counts.iso9001, max_manufacturing),
                    iso14001: share(counts.iso14001, counts.iso9001),
                    iso27001: share(counts.iso27001, counts.iso9001),
                },
            })
            .collect();
        Ok(IsoSurvey { sectors, by_key })
    }

    /// The most recent survey year used (each sector uses its most recent
    /// year with all three counts; for China all use 2014).
    pub fn year(&self) -> i32 {
        self.sectors.iter().map(|s| s.year).max().unwrap_or(0)
    }

    /// Rates for the sector of a GB/T 4754-2017 division: `"38"`, or a finer
    /// code (`"3852"`, `"C3852"`) whose first two digits give the division.
    /// `None` for an unknown division or a sector without survey data.
    pub fn rates(&self, division: &str) -> Option<CertificationRates> {
        let sector = survey_sector(division)?;
        let &i = self.by_key.get(&sector_key(sector))?;
        Some(self.sectors[i].rates)
    }

    /// Every sector with data, labelled as in its year's row, in survey order.
    pub fn sectors(&self) -> impl Iterator<Item = (&str, CertificationRates)> {
        self.sectors.iter().map(|s| (s.label.as_str(), s.rates))
    }
}

/// The ISO Survey sector label (as spelled in the bundled table) of a
/// GB/T 4754-2017 division or finer code; see [`IsoSurvey::rates`].
pub fn survey_sector(code: &str) -> Option<&'static str> {
    let division = division_of(code)?;
    table()
        .iter()
        .find(|d| d.code == division)
        .map(|d| d.sector)
}

/// A sector label's comparison form: lower case, `&` as "and", words of
/// letters and digits joined by single spaces, known later wordings mapped
/// to the earlier one.
pub fn sector_key(label: &str) -> String {
    let lower = label.to_lowercase().replace('&', " and ");
    let key = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match ALIASES.iter().find(|(from, _)| *from == key) {
        Some((_, to)) => (*to).to_string(),
        None => key,
    }
}

/// `part / base` capped at 1; over a zero base, 0 for nothing and 1 otherwise.
fn share(part: u64, base: u64) -> f64 {
    if base == 0 {
        if part == 0 { 0.0 } else { 1.0 }
    } else {
        (part as f64 / base as f64).min(1.0)
    }
}

/// A count cell: blank (or `NA`) is `None`; `12` and `12.0` are 12.
fn parse_count(cell: &str) -> Result<Option<u64>, String> {
    if cell.is_empty() || cell.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    if let Ok(n) = cell.parse::<u64>() {
        return Ok(Some(n));
    }
    match cell.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < 1e15 => Ok(Some(x as u64)),
        _ => Err(format!("{cell:?} is not a count")),
    }
}

/// The two-digit division of a GB/T 4754 code with or without its section
/// letter; the code list is not consulted.
fn division_of(code: &str) -> Option<&str> {
    let code = code.trim();
    let digits = code
        .strip_prefix(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(code)
        .trim_start();
    ((2..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| &digits[..2])
}

/// One row of the bundled table.
#[derive(Debug, Clone, Copy)]
struct Division {
    code: &'static str,
    /// For readers of the table; the tests check it against GB/T 4754.
    #[cfg_attr(not(test), allow(dead_code))]
    name_zh: &'static str,
    sector: &'static str,
}

fn table() -> &'static [Division] {
    static TABLE: OnceLock<Vec<Division>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse_table(DIVISION_TABLE).unwrap_or_else(|e| panic!("models/data/gbt4754_iaf.tsv: {e}"))
    })
}

fn parse_table(text: &'static str) -> Result<Vec<Division>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or("no header")?
        .1
        .split('\t')
        .map(str::trim)
        .collect();
    if header.get(..3) != Some(&TABLE_COLUMNS[..]) {
        return Err(format!(
            "header {header:?}, expected {TABLE_COLUMNS:?} first"
        ));
    }
    let mut rows: Vec<Division> = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [code, name_zh, sector, ..] = fields[..] else {
            return Err(format!("line {}: fewer than 3 columns", n + 1));
        };
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("line {}: division {code:?} is not 2 digits", n + 1));
        }
        if sector.is_empty() {
            return Err(format!("line {}: no sector", n + 1));
        }
        if rows.iter().any(|d| d.code == code) {
            return Err(format!("line {}: division {code} again", n + 1));
        }
        rows.push(Division {
            code,
            name_zh,
            sector,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn shared_data() -> Option<PathBuf> {
        stdnav_core::demo::find_shared_data(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    fn write_survey(dir: &Path, text: &str) {
        let path = dir.join(INDUSTRY_SURVEY_CSV);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const HEADER: &str = "country,year,industry,ISO 9001,ISO 14001,ISO/IEC 27001,obs\n";

    #[test]
    fn table_has_every_division_once() {
        let codes: Vec<&str> = table().iter().map(|d| d.code).collect();
        let expected: Vec<String> = (1..=97).map(|n| format!("{n:02}")).collect();
        assert_eq!(codes, expected);
        assert!(table().iter().all(|d| !d.name_zh.is_empty()));
    }

    #[test]
    fn codes_resolve_to_their_division() {
        assert_eq!(division_of("38"), Some("38"));
        assert_eq!(division_of("3852"), Some("38"));
        assert_eq!(division_of(" C3852 "), Some("38"));
        assert_eq!(division_of("c 385"), Some("38"));
        assert_eq!(division_of("3"), None);
        assert_eq!(division_of("38521"), None);
        assert_eq!(division_of("C"), None);
        assert_eq!(
            survey_sector("C1441"),
            Some("Food products, beverage and tobacco")
        );
        assert_eq!(survey_sector("6513"), Some("Information technology"));
        assert_eq!(survey_sector("99"), None);
    }

    #[test]
    fn label_variants_share_a_key() {
        let key = sector_key("Wholesale&retail trade,repairs of motor vehicles");
        assert_eq!(
            sector_key(
                "Wholesale & retail trade; repairs of motor vehicles, motorcycles & personal & household goods"
            ),
            key
        );
        assert_eq!(
            sector_key(
                "Wholesale & retail trade, repairs of motor vehicles, motorcycles & personal & household goods"
            ),
            key
        );
        assert_eq!(
            sector_key("Chemicals, chemical products & fibres"),
            sector_key("chemicals chemical products and  fibres")
        );
        assert_eq!(sector_key(" TOTAL "), "total");
    }

    #[test]
    fn counts_parse() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("NA"), Ok(None));
        assert_eq!(parse_count("12"), Ok(Some(12)));
        assert_eq!(parse_count("12.0"), Ok(Some(12)));
        assert!(parse_count("12.5").is_err());
        assert!(parse_count("-1").is_err());
        assert!(parse_count("many").is_err());
    }

    #[test]
    fn rates_follow_the_definitions() {
        let dir = tempfile::tempdir().unwrap();
        write_survey(
            dir.path(),
            &format!(
                "{HEADER}\
                 China,2013,Basic metal & fabricated metal products,100,10,0,\n\
                 China,2014,Basic metal & fabricated metal products,200,50,2,\n\
                 China,2015,Basic metal & fabricated metal products,,60,3,\n\
                 China,2014,Information technology,400,20,40,\n\
                 China,2014,Construction,50,80,0,\n\
                 China,2013,\"Wholesale&retail trade,repairs of motor vehicles\",40,8,1,\n\
                 China,2015,\"Wholesale & retail trade; repairs of motor vehicles, motorcycles & personal & household goods\",,9,1,\n\
                 China,2014,TOTAL,999999,9,9,\n\
                 \"Hong Kong, China\",2014,Information technology,100000,1,1,\n\
                 Germany,2020,Construction,,1,,\n"
            ),
        );
        let survey = IsoSurvey::load(dir.path()).unwrap();
        assert_eq!(survey.year(), 2014);
        let labels: Vec<&str> = survey.sectors().map(|(l, _)| l).collect();
        assert_eq!(
            labels,
            [
                "Basic metal & fabricated metal products",
                "Information technology",
                "Construction",
                "Wholesale&retail trade,repairs of motor vehicles"
            ]
        );
        // 2014 is the most recent complete year; 200 certificates is the
        // manufacturing maximum even though IT has more.
        let metal = survey.rates("3311").unwrap();
        assert_eq!(
            (metal.iso9001, metal.iso14001, metal.iso27001),
            (1.0, 0.25, 0.01)
        );
        let it = survey.rates("65").unwrap();
        assert_eq!((it.iso9001, it.iso14001, it.iso27001), (1.0, 0.05, 0.1));
        let construction = survey.rates("E4710").unwrap();
        assert_eq!((construction.iso9001, construction.iso14001), (0.25, 1.0));
        // Wholesale: only 2013 is complete.
        let trade = survey.rates("51").unwrap();
        assert_eq!(
            (trade.iso9001, trade.iso14001, trade.iso27001),
            (0.2, 0.2, 0.025)
        );
        assert_eq!(survey.rates("13"), None, "food has no rows");
        assert_eq!(survey.rates("99"), None);
    }

    #[test]
    fn missing_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = IsoSurvey::load(dir.path()).unwrap_err();
        assert!(matches!(err, IsoSurveyError::Read { .. }), "{err:?}");
        let message = err.to_string();
        let path = dir.path().join(INDUSTRY_SURVEY_CSV);
        assert!(message.contains(&path.display().to_string()), "{message}");
    }

    #[test]
    fn malformed_files_are_reported_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDUSTRY_SURVEY_CSV).display().to_string();
        let cases = [
            (
                "country,year,sector,ISO 9001\nChina,2014,x,1\n".to_string(),
                "no column",
            ),
            (
                format!("{HEADER}China,2014,Construction,many,1,1,\n"),
                "line 2, ISO 9001",
            ),
            (
                format!("{HEADER}China,2014,Construction,1,1,1,\nChina,2014,Construction,2,1,1,\n"),
                "a second",
            ),
            (
                format!("{HEADER}China,2014,Construction,1,1\n"),
                "malformed",
            ),
        ];
        for (text, expected) in &cases {
            write_survey(dir.path(), text);
            let message = IsoSurvey::load(dir.path()).unwrap_err().to_string();
            assert!(message.contains(&path), "{message}");
            assert!(message.contains(expected), "{message}");
        }
        write_survey(
            dir.path(),
            &format!("{HEADER}China,2015,Construction,,1,1,\n"),
        );
        let err = IsoSurvey::load(dir.path()).unwrap_err();
        assert!(matches!(err, IsoSurveyError::NoData { .. }), "{err:?}");
        assert!(err.to_string().contains(&path));
    }

    #[test]
    fn table_matches_gbt4754_and_the_survey() {
        let Some(dir) = shared_data() else {
            eprintln!("skipped: shared data not found (set STDNAV_DATA)");
            return;
        };
        let path = dir.join("cn-gbt4754-2017/gbt4754_2017.csv");
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let divisions: BTreeMap<String, String> = reader
            .records()
            .map(Result::unwrap)
            .filter(|r| r.get(1) == Some("2"))
            .map(|r| (r[0].to_string(), r[6].trim().to_string()))
            .collect();
        assert_eq!(divisions.len(), 97);
        let ours: BTreeMap<String, String> = table()
            .iter()
            .map(|d| (d.code.to_string(), d.name_zh.to_string()))
            .collect();
        assert_eq!(ours, divisions);

        let path = dir.join(INDUSTRY_SURVEY_CSV);
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let labels: BTreeSet<String> = reader
            .records()
            .map(|r| r.unwrap()[2].to_string())
            .collect();
        for d in table() {
            assert!(
                labels.contains(d.sector),
                "division {}: {:?} is not a survey label",
                d.code,
                d.sector
            );
        }
    }

    #[test]
    fn china_rates() {
        let Some(dir) = shared_data() else {
            eprintln!("skipped: shared data not found (set STDNAV_DATA)");
            return;
        };
        let survey = IsoSurvey::load(&dir).unwrap();
        assert_eq!(survey.year(), 2014);
        assert!(survey.sectors.iter().all(|s| s.year == 2014));
        assert_eq!(survey.sectors().count(), 39);
        for d in table() {
            let r = survey
                .rates(d.code)
                .unwrap_or_else(|| panic!("no rates for division {}", d.code));
            for x in [r.iso9001, r.iso14001, r.iso27001] {
                assert!((0.0..=1.0).contains(&x), "division {}: {r:?}", d.code);
            }
        }
        let it = survey.rates("65").unwrap();
        let food = survey.rates("14").unwrap();
        assert!(it.iso27001 > food.iso27001, "{it:?} vs {food:?}");
        let max = survey.sectors().map(|(_, r)| r.iso9001).fold(0.0, f64::max);
        assert_eq!(max, 1.0);

        println!(
            "ISO Survey, {COUNTRY}, {}: certificates and rates by sector\n",
            survey.year()
        );
        println!(
            "| Sector | Year | ISO 9001 | ISO 14001 | ISO/IEC 27001 | iso9001 (intensity) | iso14001 | iso27001 | GB/T 4754 divisions |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|---|");
        for s in &survey.sectors {
            let key = sector_key(&s.label);
            let divisions: Vec<&str> = table()
                .iter()
                .filter(|d| sector_key(d.sector) == key)
                .map(|d| d.code)
                .collect();
            println!(
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.4} | {} |",
                s.label,
                s.year,
                s.counts.iso9001,
                s.counts.iso14001,
                s.counts.iso27001,
                s.rates.iso9001,
                s.rates.iso14001,
                s.rates.iso27001,
                if divisions.is_empty() {
                    "—".to_string()
                } else {
                    divisions.join(", ")
                }
            );
        }
    }
}
