//! The bundled demo data (examples/): a small catalogue of real standards and
//! a few illustrative enterprises, compiled in so a fresh clone runs with no
//! data directory. See examples/README.md for what is illustrative.

/// The demo catalogue in the project's own JSON Lines format.
pub const CATALOGUE: &str = include_str!("../../examples/catalogue.jsonl");

/// The demo enterprises, by file name.
pub const ENTERPRISES: &[(&str, &str)] = &[
    (
        "air-conditioner.json",
        include_str!("../../examples/enterprises/air-conditioner.json"),
    ),
    (
        "refrigerator.json",
        include_str!("../../examples/enterprises/refrigerator.json"),
    ),
    (
        "ev-battery.json",
        include_str!("../../examples/enterprises/ev-battery.json"),
    ),
    (
        "dairy.json",
        include_str!("../../examples/enterprises/dairy.json"),
    ),
    (
        "ict-hardware.json",
        include_str!("../../examples/enterprises/ict-hardware.json"),
    ),
];

/// The demo enterprise profile in `examples/enterprises/<name>`.
pub fn enterprise(name: &str) -> Option<crate::enterprise::Profile> {
    ENTERPRISES
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, json)| serde_json::from_str(json).ok())
}

/// The shared data directory (`../shared/data` beside the checkout), found
/// from `STDNAV_DATA` or by walking up from `start`. Tests and the CLI's
/// default use it when present.
pub fn find_shared_data(start: &std::path::Path) -> Option<std::path::PathBuf> {
    if let Ok(dir) = std::env::var("STDNAV_DATA") {
        let p = std::path::PathBuf::from(dir);
        return p.is_dir().then_some(p);
    }
    start
        .ancestors()
        .map(|a| a.join("shared").join("data"))
        .find(|p| p.join("relaton-iso").is_dir())
        .or_else(|| {
            start
                .ancestors()
                .map(|a| a.join("../shared/data"))
                .find(|p| p.join("relaton-iso").is_dir())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_enterprises_are_valid_profiles() {
        let reference = crate::reference::Reference::get();
        for (name, _) in ENTERPRISES {
            let p = enterprise(name).unwrap_or_else(|| panic!("{name} does not parse"));
            let lists = crate::industry::IndustryData::for_tests();
            if let Err(errors) = crate::enterprise::validate(&p, reference, lists) {
                panic!("{name}: {errors:?}");
            }
        }
    }

    #[test]
    fn demo_catalogue_parses_without_rejections() {
        let parsed =
            crate::catalogue::parse(CATALOGUE, crate::catalogue::Format::StdnavJsonl, "demo");
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert!(parsed.standards.len() >= 100);
    }
}
