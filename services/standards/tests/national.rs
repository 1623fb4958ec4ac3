//! The Chinese national catalogue (../shared/data/cn-gb-national): the
//! national list, the platform export sample and the titled list of every
//! level, ingested beside ISO, IEC and ETSI. Skips (with a printed reason)
//! when the data is absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use stdnav_core::catalogue::{self, Catalogue, Format};
use stdnav_core::retrieval::CandidateQuery;
use stdnav_core::standard::{AdoptionDegree, Category, Level, Nature, Provenance, Status};
use stdnav_standards::domain::{EdgeKind, Standards};
use stdnav_standards::progress::Silent;
use stdnav_standards::search::{FacetKind, SearchParams};
use stdnav_standards::store::{CatalogueStore, default_sources};

fn data() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = stdnav_core::demo::find_shared_data(&manifest);
    match data {
        Some(d) if d.join("cn-gb-national/gb_national.csv").is_file() => Some(d),
        _ => {
            eprintln!("skipping: ../shared/data/cn-gb-national is absent");
            None
        }
    }
}

type Real = (Arc<CatalogueStore>, Arc<Standards>);

fn real() -> Option<Real> {
    static DOMAIN: OnceLock<Option<Real>> = OnceLock::new();
    DOMAIN
        .get_or_init(|| {
            let data = data()?;
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("standards-real");
            let store = CatalogueStore::open(&dir, &default_sources(Some(&data)), &Silent)
                .expect("catalogue builds");
            let store = Arc::new(store);
            Some((store.clone(), Arc::new(Standards::with_store(store))))
        })
        .clone()
}

/// The ids on the first page of a search for `query`.
fn first_page(d: &Standards, query: &str) -> Vec<String> {
    d.search(&SearchParams {
        query: query.into(),
        page_size: 10,
        ..Default::default()
    })
    .unwrap()
    .hits
    .into_iter()
    .map(|h| h.standard.standard.id)
    .collect()
}

fn read(path: &Path) -> catalogue::Parsed {
    catalogue::read_file(path, Some(Format::GbCsv)).expect("readable")
}

#[test]
fn the_three_files_parse_with_level_nature_and_category_from_the_code() {
    let Some(data) = data() else { return };
    let list = read(&data.join("cn-gb-national/gb_national.csv"));
    eprintln!(
        "national list: {} records, {} rejected, {} rows name an adoption ({} unparsed)",
        list.standards.len(),
        list.rejections.len(),
        list.adoptions.rows,
        list.adoptions.unparsed
    );
    assert!(list.standards.len() >= 72_000, "{}", list.standards.len());
    assert!(list.rejections.len() < 50, "{:?}", &list.rejections[..5]);
    assert!(list.adoptions.rows >= 25_000);
    let by_id: HashMap<&str, _> = list.standards.iter().map(|s| (s.id.as_str(), s)).collect();
    // The odd spelling of the source, through the one normalizer.
    assert!(by_id.contains_key("GB 19147-2013"));
    let gb = by_id["GB 4706.32-2012"];
    assert_eq!((gb.level, gb.nature), (Level::National, Nature::Mandatory));
    assert_eq!(gb.status_source, Provenance::Inferred);
    assert_eq!(gb.adopts[0].id, "IEC 60335-2-40:2005");
    assert_eq!(gb.adopts[0].degree, Some(AdoptionDegree::Idt));
    assert_eq!(gb.title_source, Provenance::Adopted);
    assert!(gb.title_zh.contains("热泵"), "{}", gb.title_zh);
    let t = by_id["GB/T 19001-2016"];
    assert_eq!(
        (t.nature, t.category),
        (Nature::Recommended, Some(Category::Management))
    );
    assert!(list.standards.iter().any(|s| s.nature == Nature::Guidance));
    assert!(list.standards.iter().any(|s| {
        s.adopts
            .iter()
            .any(|a| a.degree == Some(AdoptionDegree::Eqv))
    }));

    let sample = read(&data.join("cn-gb-national/gb_temporal_sample.csv"));
    assert!(
        sample.standards.len() >= 1_990,
        "{}",
        sample.standards.len()
    );
    assert!(sample.rejections.len() < 10, "{:?}", sample.rejections);
    let s: HashMap<&str, _> = sample
        .standards
        .iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let old = s["GB/T 1.1-2009"];
    assert_eq!(old.status, Status::Replaced);
    assert_eq!(old.status_source, Provenance::Source);
    assert_eq!(old.replaced_by, ["GB/T 1.1-2020"]);
    assert_eq!(old.withdrawn.as_deref(), Some("2020-10-01"));
    // 代替标准 with "(全部代替)": wholly replaces both.
    assert_eq!(old.replaces, ["GB/T 1.1-2000", "GB/T 1.2-2002"]);

    let titled = read(&data.join("cn-gb-national/cn_titled_sports.csv"));
    assert!(
        titled.standards.len() >= 1_300,
        "{}",
        titled.standards.len()
    );
    let levels: std::collections::BTreeSet<Level> =
        titled.standards.iter().map(|s| s.level).collect();
    for l in [Level::National, Level::Industry, Level::Local, Level::Group] {
        assert!(levels.contains(&l), "{l:?} missing: {levels:?}");
    }
    assert!(titled.standards.iter().any(|s| s.id.starts_with("DB37")));
}

/// The inference (newest edition current, each older one superseded) against
/// the statuses the platform export records. docs/DATA.md quotes the figure.
#[test]
fn inferred_status_agrees_with_the_known_statuses() {
    let Some(data) = data() else { return };
    let list = read(&data.join("cn-gb-national/gb_national.csv"));
    let inferred = Catalogue::build(list.standards);
    let sample = read(&data.join("cn-gb-national/gb_temporal_sample.csv"));
    let (mut agree, mut total) = (0u32, 0u32);
    let mut confusion: HashMap<(&str, &str), u32> = HashMap::new();
    for known in &sample.standards {
        let Some(guess) = inferred.get(&known.id) else {
            continue;
        };
        let k = if known.status.is_in_force() || known.status == Status::Upcoming {
            "in force"
        } else {
            "not in force"
        };
        let g = if guess.status.is_in_force() {
            "in force"
        } else {
            "not in force"
        };
        total += 1;
        agree += u32::from(k == g);
        *confusion.entry((k, g)).or_default() += 1;
    }
    let share = f64::from(agree) / f64::from(total);
    eprintln!(
        "inferred status agrees on {agree} of {total} ({:.1}%): {confusion:?}",
        100.0 * share
    );
    assert!(total >= 1_900, "{total}");
    assert!(share >= 0.88, "{share}");
}

#[test]
fn adoptions_link_gb_to_iso_iec_with_derived_titles_and_drift() {
    let Some((store, d)) = real() else { return };
    let snapshot = store.snapshot();
    let cat = &snapshot.catalogue;
    let links = cat.adoption_links();
    eprintln!("adoption links: {links:?}");
    assert!(links.resolved >= 10_000, "{links:?}");
    let gb = cat.get("GB 4706.25-2008").expect("GB 4706.25-2008");
    assert_eq!(gb.adopts[0].id, "IEC 60335-2-5:2005");
    assert_eq!(gb.ics_source, Provenance::Adopted);
    assert!(!gb.ics.is_empty());
    // The project's own title (core/data/gb_titles.csv) wins over the one
    // the adopted edition would lend.
    assert_eq!(gb.title_source, Provenance::Source);
    assert!(gb.title_zh.contains("洗碗机"), "{}", gb.title_zh);
    // A GB without a title of its own takes the adopted edition's.
    let derived = cat.get("GB 4706.109-2013").expect("GB 4706.109-2013");
    assert_eq!(derived.adopts[0].id, "IEC 60335-2-108:2008");
    assert_eq!(derived.title_source, Provenance::Adopted);
    assert!(
        derived.title_en.to_lowercase().contains("electrolysers"),
        "{}",
        derived.title_en
    );
    assert!(derived.title_zh.contains("电解槽"), "{}", derived.title_zh);
    // Drift: IEC has revised what the GB adopts.
    let latest = cat.latest_of("IEC 60335-2-5").expect("IEC line");
    assert!(latest.id.as_str() > "IEC 60335-2-5:2005", "{}", latest.id);
    // Lineage: the GB's adoption edge, and an adopted IEC edition lists its adopters.
    let lineage = d.lineage("GB 4706.25-2008", 1).expect("lineage");
    assert!(
        lineage.edges.iter().any(|e| e.kind == EdgeKind::Adopts),
        "{:?}",
        lineage.edges
    );
    let adopters = cat.adopted_by("ISO 9001:2015");
    assert!(
        adopters.iter().any(|a| a == "GB/T 19001-2016"),
        "{adopters:?}"
    );
}

#[test]
fn known_status_wins_and_supersession_is_found() {
    let Some((store, _)) = real() else { return };
    let snapshot = store.snapshot();
    let cat = &snapshot.catalogue;
    let old = cat.get("GB/T 2828.1-2003").expect("GB/T 2828.1-2003");
    assert_ne!(old.status, Status::Current);
    assert!(
        old.replaced_by.iter().any(|r| r == "GB/T 2828.1-2012"),
        "{:?}",
        old.replaced_by
    );
    // Known from the platform export (the sample): never overridden.
    let known = cat.get("GB/T 1.1-2009").expect("GB/T 1.1-2009");
    assert_eq!(known.status_source, Provenance::Source);
    assert_eq!(known.withdrawn.as_deref(), Some("2020-10-01"));
    // The newest edition of a number without a known status is current, inferred.
    let newest = cat.latest_of("GB 4706.32").expect("GB 4706.32");
    assert_eq!(newest.status, Status::Current);
}

#[test]
fn an_old_edition_a_regulation_names_stays_in_force() {
    let Some((store, _)) = real() else { return };
    let snapshot = store.snapshot();
    let cat = &snapshot.catalogue;
    // Pre-2000 newest editions are inferred withdrawn, unless the regulation
    // table names the line (the drinking-water equipment evaluation of 1998
    // is in force, named for pipes, pumps and water treatment).
    let s = cat.get("GB/T 17219-1998").expect("GB/T 17219-1998");
    assert_eq!(s.status, Status::Current);
    assert_eq!(s.status_source, Provenance::Inferred);
    // One no regulation names: withdrawn, inferred.
    let unnamed = cat.get("GB/T 7702.5-1997").expect("GB/T 7702.5-1997");
    assert_eq!(unnamed.status, Status::Withdrawn);
    assert_eq!(unnamed.status_source, Provenance::Inferred);
}

#[test]
fn a_chinese_query_finds_the_gb_that_carries_a_particular_requirement() {
    let Some((_, d)) = real() else { return };
    let page = d
        .search(&SearchParams {
            query: "洗碗机的特殊要求".into(),
            page_size: 10,
            facets: vec![FacetKind::Category, FacetKind::Adoption],
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<&str> = page
        .hits
        .iter()
        .map(|h| h.standard.standard.id.as_str())
        .collect();
    assert!(ids.iter().any(|id| id.starts_with("GB 4706.25")), "{ids:?}");
    let facets: HashMap<_, _> = page.facets.iter().cloned().collect();
    assert!(
        facets[&FacetKind::Category]
            .iter()
            .any(|(k, _)| k == "product" || k == "safety")
    );
    assert!(facets[&FacetKind::Adoption].iter().any(|(k, _)| k == "IDT"));
}

#[test]
fn the_project_titles_make_mandatory_standards_findable() {
    let Some((store, d)) = real() else { return };
    let snapshot = store.snapshot();
    let cement = snapshot.catalogue.get("GB 175-2023").expect("GB 175-2023");
    assert_eq!(cement.title_zh, "通用硅酸盐水泥");
    // Titles only: the status is still inferred and the list's category kept.
    assert_eq!(cement.status_source, Provenance::Inferred);
    assert_eq!(cement.category, Some(Category::Product));
    let ids = first_page(&d, "硅酸盐水泥");
    assert!(ids.iter().any(|id| id == "GB 175-2023"), "{ids:?}");
}

#[test]
fn candidates_bring_the_standards_regulations_name_with_them() {
    let Some((store, d)) = real() else { return };
    let snapshot = store.snapshot();
    let params = CandidateQuery {
        products: vec!["household dishwasher".into()],
        markets: vec!["EU".into()],
        limit: 200,
        ..Default::default()
    };
    let found = d.candidates(&params).unwrap();
    let line_of = |ord: u64| catalogue::base_of(&snapshot.record(ord).unwrap().id);
    let cocited = |line: &str| {
        found
            .iter()
            .find(|(c, _)| line_of(c.ord) == line)
            .map(|(c, _)| c.retrieval.cocitation)
    };
    // The dishwasher part brings its general part, IEC 60335-1; the lists of
    // harmonised standards name the appliance EMC standards with it, which
    // no dishwasher word reaches.
    for line in ["CISPR 14-1", "CISPR 14-2", "IEC 61000-3-2"] {
        let strength = cocited(line).unwrap_or_else(|| panic!("{line} is not a candidate"));
        assert!(strength > 0.3, "{line}: {strength}");
    }
    // ... brought by the part the product names.
    let dishwasher = found
        .iter()
        .find(|(c, _)| line_of(c.ord) == "IEC 60335-2-5")
        .expect("the dishwasher part is found");
    assert!(dishwasher.0.retrieval.match_strength > 0.5);
}

/// The co-citation strength of `line`'s edition among the candidates of an
/// enterprise making `product` in GB/T 4754 class `industry`, selling in
/// `markets`; `None` when it is not a candidate.
fn cocitation_of(product: &str, industry: &str, markets: &[&str], line: &str) -> Option<f32> {
    let (store, d) = real()?;
    let snapshot = store.snapshot();
    let params = CandidateQuery {
        products: vec![product.into()],
        industries: vec![industry.into()],
        markets: markets.iter().map(|m| m.to_string()).collect(),
        limit: 200,
        ..Default::default()
    };
    d.candidates(&params)
        .unwrap()
        .iter()
        .find(|(c, _)| catalogue::base_of(&snapshot.record(c.ord).unwrap().id) == line)
        .map(|(c, _)| c.retrieval.cocitation)
}

#[test]
fn candidates_bring_what_regulations_name_for_the_industry_in_its_market() {
    if real().is_none() {
        return;
    }
    // A machine no catalogued title names, of GB/T 4754 class 3435
    // (division 34, general-purpose machinery). Sold in the EU: the
    // machinery directive's basic standard comes with the industry, though
    // no product standard was found to bring it.
    let machine =
        |markets: &[&str]| cocitation_of("zorbulating machine", "3435", markets, "ISO 12100");
    let strength = machine(&["EU"]).expect("ISO 12100 is a candidate");
    assert!(strength > 0.2, "ISO 12100: {strength}");
    // Sold in the US only: the international lines of the EU's lists
    // (ISO 12100 is one), as strongly.
    let abroad = machine(&["US"]).expect("ISO 12100 is a candidate in the US");
    assert!(
        (abroad - strength).abs() < 1e-6,
        "ISO 12100 in the US: {abroad}"
    );
}

#[test]
fn candidates_bring_what_the_industry_regulations_name_where_no_case_was_mined() {
    if real().is_none() {
        return;
    }
    // A furniture maker (class 2110): the mined co-citation table knows no
    // furniture case; the regulation table names the mandatory limits on
    // harmful substances for any furniture sold in China (a division row:
    // weight 1 × specificity 0.5 × 0.6).
    let cabinet =
        |markets: &[&str]| cocitation_of("zorbulated cabinet", "2110", markets, "GB 18584");
    let strength = cabinet(&["CN"]).expect("GB 18584 is a candidate");
    assert!(strength > 0.25, "GB 18584: {strength}");
    // Not a GB outside China, not even through the EU's lists.
    assert!(cabinet(&["US"]).is_none_or(|s| s == 0.0));
}

#[test]
fn a_mandatory_standard_turned_recommended_is_superseded_under_its_number() {
    let Some((store, _)) = real() else { return };
    let snapshot = store.snapshot();
    let cat = &snapshot.catalogue;
    // The list holds GB 18655-2002, then GB/T 18655-2010, -2018, -2025: one
    // number whose nature changed in a revision.
    let old = cat.get("GB 18655-2002").expect("GB 18655-2002");
    assert_eq!(old.status, Status::Replaced);
    assert_eq!(old.replaced_by, ["GB/T 18655-2010"]);
    let next = cat.get("GB/T 18655-2010").expect("GB/T 18655-2010");
    assert!(next.replaces.iter().any(|r| r == "GB 18655-2002"));
    // A line whose editions stop before the change leads to the edition in
    // force under the other nature, and a dated code cited under the wrong
    // nature resolves to that number's edition of that year.
    let now = cat.in_force_of_line("GB 5296.4").expect("in force");
    assert_eq!(now.id, "GB/T 5296.4-2012");
    assert_eq!(
        cat.resolve("GB 5296.4-2012").unwrap().id,
        "GB/T 5296.4-2012"
    );
    assert!(cat.resolve("GB 5296.4-2013").is_none());
    // A number that kept its nature is untouched by this.
    let appliance = cat.latest_of("GB 4706.32").expect("GB 4706.32");
    assert_eq!(appliance.status, Status::Current);
}

#[test]
fn food_safety_standards_the_list_lacks_come_from_the_project_supplement() {
    let Some((store, d)) = real() else { return };
    let snapshot = store.snapshot();
    let cat = &snapshot.catalogue;
    let contaminants = cat.get("GB 2762-2022").expect("GB 2762-2022");
    assert_eq!(contaminants.status, Status::Current);
    assert_eq!(contaminants.status_source, Provenance::Source);
    assert_eq!(contaminants.nature, Nature::Mandatory);
    assert!(contaminants.ics.iter().any(|i| i == "67.040"));
    // The list's newest edition of the number is now superseded by it.
    let listed = cat.get("GB 2762-2005").expect("GB 2762-2005");
    assert_eq!(listed.status, Status::Replaced);
    assert_eq!(cat.latest_of("GB 2762").unwrap().id, "GB 2762-2022");
    // An edition the list holds before 2000 (inferred withdrawn on its own)
    // has its successor now.
    assert_eq!(cat.latest_of("GB 14881").unwrap().id, "GB 14881-2013");
    for query in ["预包装食品标签", "prepackaged food labelling"] {
        let ids = first_page(&d, query);
        assert!(
            ids.iter().any(|id| id == "GB 7718-2011"),
            "{query}: {ids:?}"
        );
    }
}
