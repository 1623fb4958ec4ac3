//! The enterprise profile as declared (DESIGN.md §3), its validation and the
//! stored record. Validation reports every bad field at once.

use serde::{Deserialize, Serialize};

use crate::industry::{IndustryData, IndustryMapping, Scheme};
use crate::reference::Reference;
use crate::{code, uscc};

pub use crate::industry::section_of;

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
    /// HS codes: at most 50, each at most 20 characters (`8415.10.10`).
    pub const HS_CODES: usize = 50;
    pub const HS_CODE_CHARS: usize = 20;
    /// An industry code as declared (`NACE C27.51`, `NAICS 335220`).
    pub const INDUSTRY_CHARS: usize = 50;
    /// A held standard's code as declared (the normalizer's own limit).
    pub const STANDARD_CHARS: usize = crate::code::MAX_CODE_LEN;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Upstream,
    Midstream,
    Downstream,
}

impl Segment {
    pub const ALL: [Segment; 3] = [Self::Upstream, Self::Midstream, Self::Downstream];

    /// The segment as profiles (JSON) write it: `upstream`, `midstream`, `downstream`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Upstream => "upstream",
            Self::Midstream => "midstream",
            Self::Downstream => "downstream",
        }
    }
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
    /// GB/T 4754 codes without the section letter: the declared ones and
    /// those ISIC, NACE and NAICS codes map to, in order without repeats.
    pub industries: Vec<String>,
    /// How each declared ISIC, NACE or NAICS code was mapped.
    #[serde(default)]
    pub industry_mappings: Vec<IndustryMapping>,
    pub held: Vec<HeldStandard>,
}

/// Normalizes a GB/T 4754-2017 code (`C3852`, `3852`, `c 3852`) to its
/// digits, by form only. [`validate`] also checks the code list and maps
/// ISIC, NACE and NAICS codes ([`crate::industry`]).
pub fn normalize_industry(input: &str) -> Result<String, String> {
    crate::industry::normalize_gbt4754(input).map_err(|e| e.to_string())
}

/// Resolves the declared industries to GB/T 4754-2017 codes, in order without
/// repeats; a foreign code gives way to its mapped codes, and its mapping is
/// kept so callers can show it. Every bad entry is named.
fn resolve_industries(
    inputs: &[String],
    data: &IndustryData,
    errors: &mut Vec<FieldError>,
) -> (Vec<String>, Vec<IndustryMapping>) {
    let mut codes: Vec<String> = Vec::new();
    let mut mappings: Vec<IndustryMapping> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match data.resolve(input) {
            Ok(mapping) => {
                for code in &mapping.gbt4754 {
                    if !codes.contains(code) {
                        codes.push(code.clone());
                    }
                }
                if mapping.scheme != Scheme::Gbt4754 && !mappings.contains(&mapping) {
                    mappings.push(mapping);
                }
            }
            Err(e) => errors.push(FieldError::new(format!("industries[{i}]"), e.to_string())),
        }
    }
    (codes, mappings)
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

/// Validates a profile against the bundled reference data and the given
/// industry code lists ([`IndustryData::form_only`] checks codes by form
/// only); on success the codes are normalized, on failure every bad field is
/// named. The lists are a parameter, not a process-wide setting, so a caller
/// cannot silently validate against lists it never chose.
pub fn validate(
    profile: &Profile,
    reference: &Reference,
    industry_data: &IndustryData,
) -> Result<ValidProfile, Vec<FieldError>> {
    use limits::*;
    let mut errors = Vec::new();
    let mut profile = profile.clone();

    match uscc::validate(&profile.uscc) {
        Ok(code) => {
            let division = uscc::region_code(&code);
            // The registering authority's division: a province, prefecture or
            // county under a known prefecture; 100000 is the national level.
            if division != "100000" && !reference.is_known_region(division) {
                errors.push(FieldError::new(
                    "uscc",
                    format!("positions 3-8 ({division}) are not a known GB/T 2260 division code"),
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
                "{} is not a known GB/T 2260 division code (6 digits of a province, prefecture or county)",
                crate::text::quote(&profile.region)
            ),
        ));
    }

    let mut industries = Vec::new();
    let mut industry_mappings = Vec::new();
    if profile.industries.is_empty() {
        errors.push(FieldError::new(
            "industries",
            "at least one industry code is required (GB/T 4754-2017, or ISIC, NACE or NAICS)",
        ));
    }
    if check_count(
        &mut errors,
        "industries",
        profile.industries.len(),
        INDUSTRIES,
    ) {
        let before = errors.len();
        for (i, code) in profile.industries.iter().enumerate() {
            check_text(
                &mut errors,
                format!("industries[{i}]"),
                code,
                INDUSTRY_CHARS,
            );
        }
        if errors.len() == before {
            (industries, industry_mappings) =
                resolve_industries(&profile.industries, industry_data, &mut errors);
        }
    }
    if check_count(&mut errors, "hs_codes", profile.hs_codes.len(), HS_CODES) {
        for (i, code) in profile.hs_codes.iter().enumerate() {
            check_text(&mut errors, format!("hs_codes[{i}]"), code, HS_CODE_CHARS);
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
                    format!(
                        "{} is not an ISO 3166 alpha-2 country code or \"EU\"",
                        crate::text::quote(m)
                    ),
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
                    format!("{} is not a standard code: {e}", crate::text::quote(input)),
                )),
            }
        }
    }

    if check_count(
        &mut errors,
        "certifications",
        profile.certifications.len(),
        CERTIFICATIONS,
    ) {
        for (i, c) in profile.certifications.iter().enumerate() {
            check_text(&mut errors, format!("certifications[{i}]"), c, TEXT_CHARS);
        }
    }
    if check_count(&mut errors, "flags", profile.flags.len(), FLAGS) {
        for (i, f) in profile.flags.iter().enumerate() {
            check_text(&mut errors, format!("flags[{i}]"), f, TEXT_CHARS);
        }
    }
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
            check_text(
                &mut errors,
                format!("indicators[{i}].name"),
                &ind.name,
                TEXT_CHARS,
            );
            check_text(
                &mut errors,
                format!("indicators[{i}].unit"),
                &ind.unit,
                TEXT_CHARS,
            );
            check_text(
                &mut errors,
                format!("indicators[{i}].product"),
                &ind.product,
                TEXT_CHARS,
            );
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
            industry_mappings,
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

    /// Validates against the bundled reference data, industry codes by form only.
    fn validated(p: &Profile) -> Result<ValidProfile, Vec<FieldError>> {
        validate(p, Reference::get(), &IndustryData::form_only())
    }

    fn fields(p: &Profile) -> Vec<String> {
        validated(p)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn valid_profile_is_normalized() {
        let v = validated(&good()).unwrap();
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
    fn uscc_region_must_be_a_known_division() {
        let with_region = |region: &str| {
            let body = format!("91{region}MA0000000");
            let check = crate::uscc::check_character(&body).unwrap();
            let mut p = good();
            p.uscc = format!("{body}{check}");
            p
        };
        assert!(validated(&with_region("440404")).is_ok());
        assert!(validated(&with_region("100000")).is_ok());
        // Province 44 exists, prefecture 4499 does not.
        assert_eq!(fields(&with_region("449901")), ["uscc"]);
        assert_eq!(fields(&with_region("990000")), ["uscc"]);
    }

    #[test]
    fn limits_hold_at_the_boundary() {
        let mut p = good();
        p.products = vec!["x".repeat(limits::PRODUCT_CHARS); limits::PRODUCTS];
        assert!(validated(&p).is_ok());
        p.products.push("y".into());
        assert_eq!(fields(&p), ["products"]);
        p.products = vec!["x".repeat(limits::PRODUCT_CHARS + 1)];
        assert_eq!(fields(&p), ["products[0]"]);
    }

    #[test]
    fn every_bad_industry_is_named_at_once() {
        let mut p = good();
        p.industries = vec![
            "C3852".into(),
            "B3852".into(),
            "NAICS 33521".into(),
            "ISIC 2720".into(),
            "99".into(),
        ];
        let errors = validated(&p).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["industries[1]", "industries[2]", "industries[4]"]);
        assert!(errors[1].reason.contains("NAICS"), "{}", errors[1]);
    }

    #[test]
    fn foreign_industries_are_replaced_by_their_mapping() {
        let mut p = good();
        p.industries = vec!["3841".into(), "ISIC 2720".into(), "C3841".into()];
        let v = validated(&p).unwrap();
        assert_eq!(v.industries, ["3841", "3842", "3843", "3844", "3849"]);
        assert_eq!(v.industry_mappings.len(), 1);
        assert_eq!(v.industry_mappings[0].input, "ISIC 2720");
        assert_eq!(v.industry_mappings[0].scheme, Scheme::Isic4);
        let e = enrich(&v, Reference::get(), &IndustryData::form_only());
        assert_eq!(e.industry_mappings, v.industry_mappings);
        assert_eq!(e.industry_names.len(), e.industries.len());
    }

    #[test]
    fn enrichments_stored_before_industry_mappings_still_load() {
        let old = r#"{"held":[],"industries":["3852"],"ics_groups":[],"keywords":[],
            "region_name":"","province":"","features":[],"feature_names":[]}"#;
        let e: Enrichment = serde_json::from_str(old).unwrap();
        assert!(e.industry_mappings.is_empty() && e.industry_names.is_empty());
    }

    #[test]
    fn segment_names_are_their_json() {
        for s in Segment::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
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
    /// How each declared ISIC, NACE or NAICS code was mapped to `industries`.
    /// `serde(default)`: records stored before the field existed still load.
    #[serde(default)]
    pub industry_mappings: Vec<IndustryMapping>,
    /// The Chinese name of each of `industries`, in the same order, from the
    /// GB/T 4754-2017 list; empty strings when the list is absent.
    #[serde(default)]
    pub industry_names: Vec<String>,
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

/// The Chinese names of GB/T 4754 codes; empty where the list is absent.
fn industry_names(codes: &[String], data: &IndustryData) -> Vec<String> {
    codes
        .iter()
        .map(|c| data.name_zh(c).unwrap_or_default().to_string())
        .collect()
}

/// Derives the enrichment of a validated profile: ICS groups from the
/// industries (concordance) and products (term list), product keywords
/// (jieba for Chinese), the region's names, the industries' Chinese names
/// (from `industry_data`, the lists the profile was validated with) and the
/// peer-grouping features.
pub fn enrich(
    valid: &ValidProfile,
    reference: &Reference,
    industry_data: &IndustryData,
) -> Enrichment {
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
        industry_mappings: valid.industry_mappings.clone(),
        industry_names: industry_names(&valid.industries, industry_data),
        ics_groups,
        keywords,
        region_name: reference.region_name(region),
        province,
        features,
        feature_names: PEER_FEATURES.iter().map(|s| s.to_string()).collect(),
    }
}
