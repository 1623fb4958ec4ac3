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

impl Level {
    /// The level's name as the JSON form and the search index spell it.
    pub fn name(self) -> &'static str {
        match self {
            Level::International => "international",
            Level::Regional => "regional",
            Level::National => "national",
            Level::Industry => "industry",
            Level::Local => "local",
            Level::Group => "group",
            Level::Enterprise => "enterprise",
            Level::Unknown => "unknown",
        }
    }
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

impl Nature {
    /// The nature's name as the JSON form and the search index spell it.
    pub fn name(self) -> &'static str {
        match self {
            Nature::Mandatory => "mandatory",
            Nature::Recommended => "recommended",
            Nature::Guidance => "guidance",
        }
    }
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

    /// In force or coming into force: an edition to adopt or prepare for.
    pub fn is_in_force_or_coming(self) -> bool {
        matches!(self, Status::Current | Status::Upcoming)
    }

    /// The status's name as the JSON form and the search index spell it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Withdrawn => "withdrawn",
            Status::Replaced => "replaced",
            Status::Upcoming => "upcoming",
            Status::Draft => "draft",
        }
    }

    /// Every status.
    pub const ALL: [Status; 5] = [
        Status::Current,
        Status::Withdrawn,
        Status::Replaced,
        Status::Upcoming,
        Status::Draft,
    ];

    /// The status named as [`Self::name`] spells it.
    pub fn from_name(name: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The status in Chinese, as reports and the web face write it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Status::Current => "现行",
            Status::Withdrawn => "已废止",
            Status::Replaced => "已被代替",
            Status::Upcoming => "即将实施",
            Status::Draft => "草案",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
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
    /// Equivalent: the degree Chinese catalogues recorded before 2001
    /// (等效采用), between IDT and MOD.
    #[serde(rename = "EQV")]
    Eqv,
}

impl AdoptionDegree {
    pub const ALL: [Self; 4] = [Self::Idt, Self::Mod, Self::Neq, Self::Eqv];

    /// The degree from its code (`IDT`) or the Chinese catalogue's wording (`等同采用`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "IDT" | "等同采用" | "等同" => Some(Self::Idt),
            "MOD" | "修改采用" | "修改" => Some(Self::Mod),
            "NEQ" | "非等效采用" | "非等效" => Some(Self::Neq),
            "EQV" | "等效采用" | "等效" => Some(Self::Eqv),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Idt => "IDT",
            Self::Mod => "MOD",
            Self::Neq => "NEQ",
            Self::Eqv => "EQV",
        }
    }
}

/// Where a field's value came from, when not from the record's own source.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Stated by the source the record came from.
    #[default]
    Source,
    /// Taken from the international standard the record adopts (its ICS,
    /// its English title, the catalogue's Chinese name of it, 采标中文名称).
    Adopted,
    /// Inferred from the editions of the same number: the newest is taken
    /// as current, each older one as superseded by the next.
    Inferred,
}

impl Provenance {
    pub fn is_source(&self) -> bool {
        *self == Provenance::Source
    }
}

/// The Chinese catalogue's category of a standard (标准类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 产品
    Product,
    /// 方法
    Method,
    /// 基础
    Basic,
    /// 安全
    Safety,
    /// 管理
    Management,
    /// 卫生
    Hygiene,
    /// 环保
    Environment,
    /// 其他
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Self::Product,
        Self::Method,
        Self::Basic,
        Self::Safety,
        Self::Management,
        Self::Hygiene,
        Self::Environment,
        Self::Other,
    ];

    /// The category from the catalogue's Chinese label (`产品`) or its English name (`product`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.label_zh() == s || c.name() == s.to_ascii_lowercase())
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Method => "method",
            Self::Basic => "basic",
            Self::Safety => "safety",
            Self::Management => "management",
            Self::Hygiene => "hygiene",
            Self::Environment => "environment",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Product => "产品",
            Self::Method => "方法",
            Self::Basic => "基础",
            Self::Safety => "安全",
            Self::Management => "管理",
            Self::Hygiene => "卫生",
            Self::Environment => "环保",
            Self::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Adoption {
    /// Canonical code of the adopted (international) standard.
    pub id: String,
    pub degree: Option<AdoptionDegree>,
}

/// How an indicator's value is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// The measured value must be at most `value` (e.g. standby power ≤ 0.5 W).
    Le,
    /// The measured value must be at least `value` (e.g. APF ≥ 5.00).
    Ge,
    /// The measured value must lie in `value..=max`. The default: the
    /// advisor has always read an unknown comparator as a range.
    #[default]
    Range,
}

impl Comparator {
    /// The comparator as a report writes it: `≤`, `≥`, `∈` (a range).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Le => "≤",
            Comparator::Ge => "≥",
            Comparator::Range => "∈",
        }
    }
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
    /// Where the titles came from: `adopted` when a record without titles
    /// of its own took those of the standard it adopts.
    #[serde(default, skip_serializing_if = "Provenance::is_source")]
    pub title_source: Provenance,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ics: Vec<String>,
    /// `adopted` when the ICS codes are those of the adopted standard.
    #[serde(default, skip_serializing_if = "Provenance::is_source")]
    pub ics_source: Provenance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ccs: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub committee: String,
    #[serde(default)]
    pub status: Status,
    /// `inferred` when the source gave no status and it was inferred from
    /// the editions of the same number; a known status always wins.
    #[serde(default, skip_serializing_if = "Provenance::is_source")]
    pub status_source: Provenance,
    /// The Chinese catalogue's category (产品, 方法, 基础 …), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
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
    /// Editions that replace part of this one (部分代替); this edition may stay in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partly_replaced_by: Vec<String>,
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

impl Standard {
    /// The standard's line: its code without year (`IEC 60335-2-40` for
    /// `IEC 60335-2-40:2018`), which editions, holdings and peer shares share.
    pub fn line(&self) -> String {
        crate::catalogue::base_of(&self.id)
    }
}

#[cfg(test)]
mod status_tests {
    use super::Status;

    #[test]
    fn every_status_reads_back_from_its_name() {
        for s in Status::ALL {
            assert_eq!(Status::from_name(s.name()), Some(s));
            assert!(!s.name_zh().is_empty());
        }
        assert_eq!(Status::from_name("obsolete"), None);
        assert!(Status::Upcoming.is_in_force_or_coming());
        assert!(!Status::Replaced.is_in_force_or_coming());
    }
}
