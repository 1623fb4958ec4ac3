use super::identity::{gb11714_check, organization_code};
use super::*;
use crate::chains::{CHAINS_JSON, parse_chain_data};
use crate::code::StdCode;
use crate::enterprise;
use crate::reference::{Reference, RegionLevel};
use crate::standard::{Nature, Status};
use crate::uscc;
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
            region
                .is_some_and(|r| r.level == RegionLevel::Prefecture
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
        let lists = crate::industry::IndustryData::for_tests();
        if let Err(errors) = enterprise::validate(&p, reference, lists) {
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
