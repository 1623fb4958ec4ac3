//! The standard record: one edition of one standard (DESIGN.md §3).

use serde::{Deserialize, Serialize};

/// Where a standard sits in the hierarchy of standardisation bodies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    International,
    Regional,
    National,
    Industry,
    Local,
    Group,
    Enterprise,
    #[default]
    Unknown,
}

/// Legal force of a standard. In China a `GB` code without `/T` or `/Z` is mandatory.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    Mandatory,
    #[default]
    Recommended,
    Guidance,
}

/// Life-cycle status of one edition.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Current,
    Withdrawn,
    Replaced,
    /// Published but not yet in force.
    Upcoming,
    /// Under development (ISO stage below 60): not a standard yet.
    Draft,
}

impl Status {
    /// Whether an enterprise can adopt this edition today.
    pub fn is_in_force(self) -> bool {
        matches!(self, Status::Current)
    }
}

/// Degree to which a national standard adopts an international one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AdoptionDegree {
    /// Identical.
    #[serde(rename = "IDT")]
    Idt,
    /// Modified.
    #[serde(rename = "MOD")]
    Mod,
    /// Not equivalent.
    #[serde(rename = "NEQ")]
    Neq,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Adoption {
    /// Canonical code of the adopted (international) standard.
    pub id: String,
    pub degree: Option<AdoptionDegree>,
}

/// How an indicator's value is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// The measured value must be at most `value` (e.g. standby power ≤ 0.5 W).
    Le,
    /// The measured value must be at least `value` (e.g. APF ≥ 5.00).
    Ge,
    /// The measured value must lie in `value..=max`.
    Range,
}

/// A key technical indicator a standard sets for a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub comparator: Comparator,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub product: String,
}

/// One edition of one standard, in the project's own JSON Lines format
/// (docs/DATA.md). Only `id` is required; `family`, `level` and `nature`
/// are derived from the code when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// Canonical code with year, e.g. `GB/T 19001-2016`, `IEC 60335-2-40:2018`.
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub family: String,
    #[serde(default)]
    pub level: Level,
    #[serde(default)]
    pub nature: Nature,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_fr: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ccs: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub committee: String,
    #[serde(default)]
    pub status: Status,
    /// ISO 8601 date, possibly partial (`2016-12`, `2016`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub normative_refs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopts: Vec<Adoption>,
    /// Amendments and corrigenda of this edition (`IEC 60335-1:2010/AMD1:2013`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<String>,
    /// Other publications of the same edition (consolidated `CSV`, redline `RLV`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
    /// Free-text keywords from the source (ETSI tags them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Which file or feed the record came from (一数一源).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// SHA-256 of the record's content fields; set by ingestion.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub checksum: String,
    /// True when some content (e.g. an indicator value) is illustrative demo data, not taken from the standard.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
}
