//! The enterprise profile as declared (DESIGN.md §3), its validation and the
//! stored record. Validation reports every bad field at once.

use serde::{Deserialize, Serialize};

use crate::reference::Reference;
use crate::{code, uscc};

/// Limits on a profile, documented in docs/API.md and tested at the boundary.
pub mod limits {
    pub const NAME_CHARS: usize = 200;
    pub const PRODUCTS: usize = 200;
    pub const PRODUCT_CHARS: usize = 200;
    pub const INDUSTRIES: usize = 20;
    pub const MARKETS: usize = 50;
    pub const CHAINS: usize = 50;
    pub const STANDARDS_HELD: usize = 2000;
    pub const CERTIFICATIONS: usize = 100;
    pub const INDICATORS: usize = 500;
    pub const FLAGS: usize = 20;
    pub const TEXT_CHARS: usize = 200;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Upstream,
    Midstream,
    Downstream,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainMembership {
    pub chain: String,
    pub segment: Segment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredIndicator {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub product: String,
}

/// A profile as the enterprise declares it: the JSON of `--profile FILE.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub uscc: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hs_codes: Vec<String>,
    #[serde(default)]
    pub employees: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revenue_cny: f64,
    #[serde(default)]
    pub markets: Vec<String>,
    #[serde(default)]
    pub chains: Vec<ChainMembership>,
    #[serde(default)]
    pub standards_held: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<MeasuredIndicator>,
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub dcmm_level: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

/// One bad field: its path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// A held standard: as declared and in canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldStandard {
    pub input: String,
    pub code: String,
}

/// A validated profile with its codes normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidProfile {
    pub profile: Profile,
    /// GB/T 4754 codes without the section letter.
    pub industries: Vec<String>,
    pub held: Vec<HeldStandard>,
}

/// GB/T 4754-2017 sections by division range.
const SECTIONS: &[(char, u32, u32)] = &[
    ('A', 1, 5),
    ('B', 6, 12),
    ('C', 13, 43),
    ('D', 44, 46),
    ('E', 47, 50),
    ('F', 51, 52),
    ('G', 53, 60),
    ('H', 61, 62),
    ('I', 63, 65),
    ('J', 66, 69),
    ('K', 70, 70),
    ('L', 71, 72),
    ('M', 73, 75),
    ('N', 76, 79),
    ('O', 80, 82),
    ('P', 83, 83),
    ('Q', 84, 85),
    ('R', 86, 90),
    ('S', 91, 96),
    ('T', 97, 97),
];

/// The GB/T 4754-2017 section letter of a division, if the division exists.
pub fn section_of(division: u32) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&division))
        .map(|(s, _, _)| *s)
}

/// Normalizes a GB/T 4754-2017 code (`C3852`, `3852`, `c 3852`) to its digits.
pub fn normalize_industry(input: &str) -> Result<String, String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let (letter, digits) = match compact.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => (Some(c), &compact[1..]),
        _ => (None, compact.as_str()),
    };
    if !(2..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{input:?} is not a GB/T 4754-2017 code: expected 2-4 digits with an optional section letter, e.g. \"C3852\" or \"3852\""
        ));
    }
    let division: u32 = digits[..2].parse().unwrap_or(0);
    let Some(section) = section_of(division) else {
        return Err(format!(
            "{input:?}: division {division:02} does not exist in GB/T 4754-2017"
        ));
    };
    if let Some(letter) = letter
        && letter != section
    {
        return Err(format!(
            "{input:?}: division {division:02} belongs to section {section}, not {letter}"
        ));
    }
    Ok(digits.to_string())
}

fn check_text(errors: &mut Vec<FieldError>, field: String, value: &str, max: usize) {
    let n = value.chars().count();
    if n > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} characters, got {n}"),
        ));
    }
}

fn check_count(errors: &mut Vec<FieldError>, field: &str, n: usize, max: usize) -> bool {
    if n > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} entries, got {n}"),
        ));
        return false;
    }
    true
}

/// Validates a profile against the bundled reference data; on success the
/// codes are normalized, on failure every bad field is named.
pub fn validate(profile: &Profile, reference: &Reference) -> Result<ValidProfile, Vec<FieldError>> {
    use limits::*;
    let mut errors = Vec::new();
    let mut profile = profile.clone();

    match uscc::validate(&profile.uscc) {
        Ok(code) => {
            let division = uscc::region_code(&code);
            if reference.province_of(division).is_none() {
                errors.push(FieldError::new(
                    "uscc",
                    format!("positions 3-8 ({division}) are not a GB/T 2260 division code"),
                ));
            }
            profile.uscc = code;
        }
        Err(e) => errors.push(FieldError::new("uscc", e.to_string())),
    }

    profile.name = profile.name.trim().to_string();
    if profile.name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    check_text(&mut errors, "name".into(), &profile.name, NAME_CHARS);

    profile.region = profile.region.trim().to_string();
    if !reference.is_known_region(&profile.region) {
        errors.push(FieldError::new(
            "region",
            format!(
                "{:?} is not a known GB/T 2260 division code (6 digits of a province, prefecture or county)",
                profile.region
            ),
        ));
    }

    let mut industries = Vec::new();
    if profile.industries.is_empty() {
        errors.push(FieldError::new(
            "industries",
            "at least one GB/T 4754-2017 industry class is required",
        ));
    }
    if check_count(
        &mut errors,
        "industries",
        profile.industries.len(),
        INDUSTRIES,
    ) {
        for (i, code) in profile.industries.iter().enumerate() {
            match normalize_industry(code) {
                Ok(c) if !industries.contains(&c) => industries.push(c),
                Ok(_) => {}
                Err(reason) => errors.push(FieldError::new(format!("industries[{i}]"), reason)),
            }
        }
    }

    profile.products = profile
        .products
        .iter()
        .map(|p| p.trim().to_string())
        .collect();
    if profile.products.is_empty() {
        errors.push(FieldError::new(
            "products",
            "at least one product is required",
        ));
    }
    if check_count(&mut errors, "products", profile.products.len(), PRODUCTS) {
        for (i, p) in profile.products.iter().enumerate() {
            if p.is_empty() {
                errors.push(FieldError::new(format!("products[{i}]"), "is empty"));
            }
            check_text(&mut errors, format!("products[{i}]"), p, PRODUCT_CHARS);
        }
    }

    if check_count(&mut errors, "markets", profile.markets.len(), MARKETS) {
        for (i, m) in profile.markets.iter_mut().enumerate() {
            *m = m.trim().to_uppercase();
            if !(m.len() == 2 && m.bytes().all(|b| b.is_ascii_uppercase())) {
                errors.push(FieldError::new(
                    format!("markets[{i}]"),
                    format!("{m:?} is not an ISO 3166 alpha-2 country code or \"EU\""),
                ));
            }
        }
    }
    if profile.markets.is_empty() {
        // A profile that names no market sells at home.
        profile.markets.push("CN".to_string());
    }

    if check_count(&mut errors, "chains", profile.chains.len(), CHAINS) {
        for (i, c) in profile.chains.iter().enumerate() {
            if c.chain.trim().is_empty() {
                errors.push(FieldError::new(format!("chains[{i}].chain"), "is empty"));
            }
            check_text(
                &mut errors,
                format!("chains[{i}].chain"),
                &c.chain,
                TEXT_CHARS,
            );
        }
    }

    let mut held = Vec::new();
    if check_count(
        &mut errors,
        "standards_held",
        profile.standards_held.len(),
        STANDARDS_HELD,
    ) {
        for (i, input) in profile.standards_held.iter().enumerate() {
            match code::normalize(input) {
                Ok(code) => {
                    if !held.iter().any(|h: &HeldStandard| h.code == code) {
                        held.push(HeldStandard {
                            input: input.clone(),
                            code,
                        });
                    }
                }
                Err(e) => errors.push(FieldError::new(
                    format!("standards_held[{i}]"),
                    format!("{input:?} is not a standard code: {e}"),
                )),
            }
        }
    }

    check_count(
        &mut errors,
        "certifications",
        profile.certifications.len(),
        CERTIFICATIONS,
    );
    check_count(&mut errors, "flags", profile.flags.len(), FLAGS);
    if check_count(
        &mut errors,
        "indicators",
        profile.indicators.len(),
        INDICATORS,
    ) {
        for (i, ind) in profile.indicators.iter().enumerate() {
            if ind.name.trim().is_empty() {
                errors.push(FieldError::new(format!("indicators[{i}].name"), "is empty"));
            }
            if !ind.value.is_finite() {
                errors.push(FieldError::new(
                    format!("indicators[{i}].value"),
                    "must be a finite number",
                ));
            }
        }
    }
    if !(profile.revenue_cny.is_finite() && profile.revenue_cny >= 0.0) {
        errors.push(FieldError::new(
            "revenue_cny",
            "must be a finite number ≥ 0",
        ));
    }
    if profile.dcmm_level > 5 {
        errors.push(FieldError::new(
            "dcmm_level",
            "DCMM levels are 1-5 (0: none)",
        ));
    }

    if errors.is_empty() {
        Ok(ValidProfile {
            profile,
            industries,
            held,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Profile {
        Profile {
            uscc: "91440400192548256N".into(),
            name: "示例空调制造有限公司".into(),
            region: "440400".into(),
            industries: vec!["C3852".into()],
            products: vec!["房间空调器".into()],
            standards_held: vec!["GB/T19001-2008".into()],
            ..Default::default()
        }
    }

    fn fields(p: &Profile) -> Vec<String> {
        validate(p, Reference::get())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn valid_profile_is_normalized() {
        let v = validate(&good(), Reference::get()).unwrap();
        assert_eq!(v.industries, ["3852"]);
        assert_eq!(v.held[0].code, "GB/T 19001-2008");
        assert_eq!(v.profile.markets, ["CN"]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut p = good();
        p.uscc = "91440400192548256A".into();
        p.region = "999999".into();
        p.products.clear();
        p.industries = vec!["B3852".into()];
        assert_eq!(fields(&p), ["uscc", "region", "industries[0]", "products"]);
    }

    #[test]
    fn limits_hold_at_the_boundary() {
        let mut p = good();
        p.products = vec!["x".repeat(limits::PRODUCT_CHARS); limits::PRODUCTS];
        assert!(validate(&p, Reference::get()).is_ok());
        p.products.push("y".into());
        assert_eq!(fields(&p), ["products"]);
        p.products = vec!["x".repeat(limits::PRODUCT_CHARS + 1)];
        assert_eq!(fields(&p), ["products[0]"]);
    }

    #[test]
    fn industry_codes() {
        assert_eq!(normalize_industry("C3852").unwrap(), "3852");
        assert_eq!(normalize_industry(" 3852 ").unwrap(), "3852");
        assert_eq!(normalize_industry("c38").unwrap(), "38");
        assert!(normalize_industry("99").is_err());
        assert!(normalize_industry("A3852").is_err());
        assert!(normalize_industry("38521").is_err());
    }
}

/// What profiling derives from a valid profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enrichment {
    pub held: Vec<HeldStandard>,
    /// GB/T 4754 codes without the section letter.
    pub industries: Vec<String>,
    /// ICS groups the industries and products point to, most relevant first.
    pub ics_groups: Vec<String>,
    pub keywords: Vec<String>,
    pub region_name: String,
    pub province: String,
    pub features: Vec<f64>,
    pub feature_names: Vec<String>,
}

/// A stored enterprise: the declared profile, what was derived, and the
/// bookkeeping of its owner and versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseRecord {
    pub profile: Profile,
    pub enrichment: Enrichment,
    pub tenant: String,
    /// 1 on creation, +1 on every write; 0 for a record that was not stored.
    pub version: u64,
    /// Milliseconds since the Unix epoch.
    pub updated_at_ms: u64,
}

/// Names of the peer-grouping features in [`Enrichment::features`].
pub const PEER_FEATURES: &[&str] = &[
    "division",
    "log_employees",
    "log_products",
    "log_standards_held",
    "markets_abroad",
    "province",
];

/// Derives the enrichment of a validated profile: ICS groups from the
/// industries (concordance) and products (term list), product keywords
/// (jieba for Chinese), the region's names and the peer-grouping features.
pub fn enrich(valid: &ValidProfile, reference: &Reference) -> Enrichment {
    let mut ics_groups: Vec<String> = Vec::new();
    let push = |code: String, into: &mut Vec<String>| {
        if !into.contains(&code) {
            into.push(code);
        }
    };
    for industry in &valid.industries {
        for ics in reference.ics_for_industry(industry) {
            push(ics, &mut ics_groups);
        }
    }
    let mut keywords = Vec::new();
    for product in &valid.profile.products {
        for ics in crate::text::expand(product, reference).ics {
            push(ics, &mut ics_groups);
        }
        for k in crate::text::keywords(product) {
            push(k, &mut keywords);
        }
    }
    let region = &valid.profile.region;
    let province = reference
        .province_of(region)
        .map(|p| p.name_zh.clone())
        .unwrap_or_default();
    let division: f64 = valid
        .industries
        .first()
        .and_then(|i| i.get(..2))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    let abroad = valid.profile.markets.iter().filter(|m| *m != "CN").count() as f64;
    let features = vec![
        division,
        (valid.profile.employees as f64).ln_1p(),
        (valid.profile.products.len() as f64).ln_1p(),
        (valid.held.len() as f64).ln_1p(),
        abroad.min(10.0),
        region.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0.0),
    ];
    Enrichment {
        held: valid.held.clone(),
        industries: valid.industries.clone(),
        ics_groups,
        keywords,
        region_name: reference.region_name(region),
        province,
        features,
        feature_names: PEER_FEATURES.iter().map(|s| s.to_string()).collect(),
    }
}
