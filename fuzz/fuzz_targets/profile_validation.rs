//! Enterprise profile validation (`stdnav_core::enterprise::validate`).
//!
//! An input that is a JSON profile (the seed corpus holds the examples in
//! examples/enterprises/) is validated as `--profile FILE.json` would be;
//! any other input is read as structured data (`arbitrary`) and turned into
//! a profile whose fields mix real values (valid USCCs, regions, industry
//! and standard codes) with arbitrary text, so mutations get past the first
//! checks and every field's checks run.
//!
//! Properties, for every profile, against the shared industry code lists
//! when present and by form only:
//! - nothing panics;
//! - a rejection names at least one field, each a field of the profile
//!   (`uscc`, `products[3]`, `indicators[0].value`, …) with a reason;
//! - an accepted profile validates again to the same result (idempotent),
//!   its held standards are canonical codes without repeats, its industries
//!   GB/T 4754 digits without repeats and its markets two capital letters;
//! - a profile survives a JSON round trip unchanged.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use stdnav_core::code;
use stdnav_core::enterprise::{
    ChainMembership, FieldError, MeasuredIndicator, Profile, Segment, validate,
};
use stdnav_core::industry::IndustryData;
use stdnav_core::reference::Reference;

const FIELDS: &[&str] = &[
    "uscc",
    "name",
    "region",
    "industries",
    "products",
    "hs_codes",
    "employees",
    "revenue_cny",
    "markets",
    "chains",
    "standards_held",
    "certifications",
    "indicators",
    "dcmm_level",
    "flags",
];

const USCCS: &[&str] = &[
    "91440400192548256N",
    "91150123701526945J",
    " 91440400192548256n ",
    "91100000MA0000000X",
];
const REGIONS: &[&str] = &["440400", "150123", "110000", "440404", "999999", " 320500 "];
const INDUSTRIES: &[&str] = &[
    "C3852",
    "3852",
    "c 3852",
    "1441",
    "C",
    "2710",
    "27.51",
    "336111",
    "ISIC 2750",
    "NACE 27.51",
];
const CODES: &[&str] = &[
    "GB/T 19001—2016",
    "ＩＳＯ９００１：２０１５",
    "iec60335-2-40:2018",
    "IEC 60335-2-40:2024+AMD1:2025",
    "GB 4706.1-2005",
    "GB/T19001-2016/ISO 9001:2015",
    "EN 60335-1:2012/A11:2014",
    "ETSI EN 300 328 V2.2.2 (2019-07)",
    "DB44/ 1234-2020",
    "T/CAS 115-2005",
];
const MARKETS: &[&str] = &["CN", "eu", " de ", "USA", "", "中国"];

/// A value from `pool`, or arbitrary text.
fn text(u: &mut Unstructured, pool: &[&str]) -> arbitrary::Result<String> {
    if u.ratio(3, 4)? {
        Ok((*u.choose(pool)?).to_string())
    } else {
        String::arbitrary(u)
    }
}

fn texts(u: &mut Unstructured, pool: &[&str], max: usize) -> arbitrary::Result<Vec<String>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| text(u, pool)).collect()
}

fn structured(u: &mut Unstructured) -> arbitrary::Result<Profile> {
    let segments = [Segment::Upstream, Segment::Midstream, Segment::Downstream];
    Ok(Profile {
        uscc: text(u, USCCS)?,
        name: text(u, &["示例空调制造有限公司", " Example Co. ", ""])?,
        region: text(u, REGIONS)?,
        industries: texts(u, INDUSTRIES, 22)?,
        products: texts(u, &["房间空调器", "pasteurized milk", " ", "锂离子电池"], 8)?,
        hs_codes: texts(u, &["8415.10", "0401"], 3)?,
        employees: u.arbitrary()?,
        revenue_cny: u.arbitrary()?,
        markets: texts(u, MARKETS, 6)?,
        chains: (0..u.int_in_range(0..=3)?)
            .map(|_| {
                Ok(ChainMembership {
                    chain: text(u, &["家电产业链", " "])?,
                    segment: *u.choose(&segments)?,
                })
            })
            .collect::<arbitrary::Result<_>>()?,
        standards_held: texts(u, CODES, 12)?,
        certifications: texts(u, &["CCC", "CE"], 3)?,
        indicators: (0..u.int_in_range(0..=3)?)
            .map(|_| {
                Ok(MeasuredIndicator {
                    name: text(u, &["能效比", ""])?,
                    unit: String::arbitrary(u)?,
                    value: u.arbitrary()?,
                    product: String::arbitrary(u)?,
                })
            })
            .collect::<arbitrary::Result<_>>()?,
        dcmm_level: u.int_in_range(0..=7)?,
        flags: texts(u, &["export"], 3)?,
    })
}

fn check_rejection(errors: &[FieldError], profile: &Profile) {
    assert!(!errors.is_empty(), "rejected without a field: {profile:?}");
    for e in errors {
        let root = e.field.split(['[', '.']).next().unwrap_or_default();
        assert!(
            FIELDS.contains(&root),
            "unknown field {:?} for {profile:?}",
            e.field
        );
        assert!(!e.reason.is_empty(), "{} without a reason", e.field);
    }
}

fn check(profile: &Profile, lists: &IndustryData) {
    let reference = Reference::get();
    let valid = match validate(profile, reference, lists) {
        Err(errors) => return check_rejection(&errors, profile),
        Ok(valid) => valid,
    };
    let again = validate(&valid.profile, reference, lists)
        .unwrap_or_else(|e| panic!("accepted, then rejected once normalized: {e:?}"));
    assert_eq!(again, valid, "validation is not idempotent");

    for (i, held) in valid.held.iter().enumerate() {
        assert_eq!(
            code::normalize(&held.code).as_deref(),
            Ok(held.code.as_str()),
            "held standard not canonical"
        );
        assert!(
            valid.held[..i].iter().all(|h| h.code != held.code),
            "{} held twice",
            held.code
        );
        assert!(profile.standards_held.contains(&held.input));
    }
    for (i, industry) in valid.industries.iter().enumerate() {
        assert!(
            !industry.is_empty() && industry.bytes().all(|b| b.is_ascii_digit()),
            "industry {industry:?}"
        );
        assert!(
            !valid.industries[..i].contains(industry),
            "{industry} twice"
        );
    }
    assert!(!valid.industries.is_empty(), "accepted without an industry");
    assert!(
        valid
            .profile
            .markets
            .iter()
            .all(|m| m.len() == 2 && m.bytes().all(|b| b.is_ascii_uppercase())),
        "markets {:?}",
        valid.profile.markets
    );
}

fn round_trip(profile: &Profile) {
    let finite =
        profile.revenue_cny.is_finite() && profile.indicators.iter().all(|i| i.value.is_finite());
    if !finite {
        return;
    }
    let json = serde_json::to_vec(profile).expect("a profile serializes");
    let back: Profile = serde_json::from_slice(&json).expect("a serialized profile parses");
    assert_eq!(&back, profile, "JSON round trip");
}

fuzz_target!(|data: &[u8]| {
    static FORM_ONLY: std::sync::OnceLock<IndustryData> = std::sync::OnceLock::new();
    static SHARED: std::sync::OnceLock<IndustryData> = std::sync::OnceLock::new();
    let form_only = FORM_ONLY.get_or_init(IndustryData::form_only);
    // The shared lists when present, found from the working directory.
    let shared = SHARED.get_or_init(|| {
        let cwd = std::env::current_dir().unwrap_or_default();
        stdnav_core::demo::find_shared_data(&cwd)
            .and_then(|dir| IndustryData::load(&dir).ok())
            .unwrap_or_default()
    });
    let profile = match serde_json::from_slice::<Profile>(data) {
        Ok(profile) => profile,
        Err(_) => match structured(&mut Unstructured::new(data)) {
            Ok(profile) => profile,
            Err(_) => return,
        },
    };
    check(&profile, shared);
    check(&profile, form_only);
    round_trip(&profile);
});
