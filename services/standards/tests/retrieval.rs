//! Retrieval over the real ISO + IEC + ETSI + GB corpus from ../shared/data.
//! Skips (with a printed reason) when the data is absent.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use stdnav_core::retrieval::CandidateQuery;
use stdnav_core::standard::{Level, Status};
use stdnav_standards::domain::{Candidates, EdgeKind, Standards};
use stdnav_standards::progress::Silent;
use stdnav_standards::search::{FacetKind, Filters, SearchParams};
use stdnav_standards::store::{CatalogueStore, default_sources};

fn real() -> Option<Arc<Standards>> {
    static DOMAIN: OnceLock<Option<Arc<Standards>>> = OnceLock::new();
    DOMAIN
        .get_or_init(|| {
            let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let Some(data) = stdnav_core::demo::find_shared_data(&manifest) else {
                eprintln!("skipping: ../shared/data with the real catalogues is absent");
                return None;
            };
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("standards-real");
            let started = std::time::Instant::now();
            let store = CatalogueStore::open(&dir, &default_sources(Some(&data)), &Silent)
                .expect("catalogue builds");
            eprintln!("catalogue ready in {:?}", started.elapsed());
            Some(Arc::new(Standards::with_store(Arc::new(store))))
        })
        .clone()
}

/// The candidates for an enterprise making one product of one industry.
fn candidates_of(d: &Standards, product: &str, industry: &str, markets: &[&str]) -> Candidates {
    d.candidates(&CandidateQuery {
        products: vec![product.into()],
        industries: vec![industry.into()],
        markets: markets.iter().map(|m| m.to_string()).collect(),
        ..Default::default()
    })
    .unwrap()
}

fn top_ids(d: &Standards, query: &str, n: usize) -> Vec<String> {
    d.search(&SearchParams {
        query: query.into(),
        page_size: n as u32,
        ..Default::default()
    })
    .unwrap()
    .hits
    .into_iter()
    .map(|h| h.standard.standard.id)
    .collect()
}

#[test]
fn code_spellings_find_the_record() {
    let Some(d) = real() else { return };
    for q in [
        "IEC 60335-2-40",
        "60335-2-40",
        "iec60335-2-40:2018",
        "IEC 60335-2-40:2018",
    ] {
        let ids = top_ids(&d, q, 5);
        assert!(
            ids.first()
                .is_some_and(|id| id.starts_with("IEC 60335-2-40:")),
            "{q} → {ids:?}"
        );
    }
    // The exact edition first when a year is given.
    assert_eq!(
        top_ids(&d, "iec60335-2-40:2018", 1),
        ["IEC 60335-2-40:2018"]
    );
    // Without a year, the edition in force first.
    assert_eq!(top_ids(&d, "IEC 60335-2-40", 1), ["IEC 60335-2-40:2024"]);
}

#[test]
fn a_code_query_goes_to_the_code_not_to_titles_mentioning_it() {
    let Some(d) = real() else { return };
    // Only the editions of the line match: no title that merely mentions
    // "IEC" or "60335" ranks among them, and the ~40,000 records whose code
    // says IEC are not scored.
    for q in ["IEC 60335-2-40", "iec 60335-2-40", "IEC60335-2-40"] {
        let page = d
            .search(&SearchParams {
                query: q.into(),
                page_size: 50,
                ..Default::default()
            })
            .unwrap();
        let ids: Vec<&str> = page
            .hits
            .iter()
            .map(|h| h.standard.standard.id.as_str())
            .collect();
        assert!(
            (3..=20).contains(&page.total),
            "{q}: {} hits {ids:?}",
            page.total
        );
        assert_eq!(ids.len() as u64, page.total, "{q}");
        assert!(
            ids.iter().all(|id| id.starts_with("IEC 60335-2-40:")),
            "{q}: {ids:?}"
        );
        assert_eq!(ids[0], "IEC 60335-2-40:2024", "{q}");
    }
    // The same holds for ISO and GB codes.
    let ids = top_ids(&d, "ISO 9001", 20);
    assert_eq!(ids[0], "ISO 9001:2015");
    assert!(ids.iter().all(|id| id.starts_with("ISO 9001:")), "{ids:?}");
    let ids = top_ids(&d, "GB/T 19001", 20);
    assert_eq!(ids[0], "GB/T 19001-2016");
    assert!(
        ids.iter().all(|id| id.starts_with("GB/T 19001-")),
        "{ids:?}"
    );
}

#[test]
fn bilingual_text_search() {
    let Some(d) = real() else { return };
    let ids = top_ids(&d, "质量管理体系", 5);
    assert!(ids.contains(&"GB/T 19001-2016".to_string()), "{ids:?}");
    // With the national catalogue, Chinese national standards with English
    // titles compete: GB 4706.32 (which adopts IEC 60335-2-40) leads, and
    // among international standards the IEC line does.
    let ids = top_ids(&d, "air conditioner safety", 10);
    assert!(
        ids.iter().any(|id| id.starts_with("GB 4706.32-")),
        "{ids:?}"
    );
    let international: Vec<String> = d
        .search(&SearchParams {
            query: "air conditioner safety".into(),
            page_size: 10,
            filters: Filters {
                levels: vec![Level::International],
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.standard.standard.id)
        .collect();
    assert!(
        international
            .iter()
            .any(|id| id.starts_with("IEC 60335-2-40:")),
        "{international:?}"
    );
}

#[test]
fn lineage_of_iso_9001() {
    let Some(d) = real() else { return };
    let l = d.lineage("ISO 9001:2015", 6).unwrap();
    let replaces: Vec<(String, String)> = l
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Replaces)
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    for (newer, older) in [
        ("ISO 9001:2015", "ISO 9001:2008"),
        ("ISO 9001:2008", "ISO 9001:2000"),
        ("ISO 9001:2000", "ISO 9001:1994"),
        ("ISO 9001:1994", "ISO 9001:1987"),
    ] {
        assert!(
            replaces.contains(&(newer.to_string(), older.to_string())),
            "{newer} → {older} missing in {replaces:?}"
        );
    }
    assert!(l.edges.iter().any(|e| e.kind == EdgeKind::Adopts
        && e.from == "GB/T 19001-2016"
        && e.to == "ISO 9001:2015"));
}

#[test]
fn held_old_editions_resolve_to_current() {
    let Some(d) = real() else { return };
    let r = d
        .resolve(&[
            "GB/T19001-2008".into(),
            "ISO 9001:2008".into(),
            "iso 9001".into(),
        ])
        .unwrap();
    assert_eq!(
        r[0].current.as_ref().unwrap().standard.id,
        "GB/T 19001-2016"
    );
    assert_eq!(r[1].current.as_ref().unwrap().standard.id, "ISO 9001:2015");
    assert_eq!(r[2].standard.as_ref().unwrap().standard.id, "ISO 9001:2015");
    assert_eq!(
        r[2].standard.as_ref().unwrap().standard.status,
        Status::Current
    );
}

#[test]
fn iec_variants_are_grouped_under_their_edition() {
    let Some(d) = real() else { return };
    let s = d.get("IEC 60335-2-40:2022").unwrap().standard;
    assert!(
        s.variants.iter().any(|v| v.ends_with("CMV")),
        "{:?}",
        s.variants
    );
    assert!(
        s.amendments.iter().any(|a| a.contains("COR1")),
        "{:?}",
        s.amendments
    );
    // A redline is never a record of its own.
    let ids = top_ids(&d, "IEC 60335-2-40:2018 RLV", 10);
    assert!(ids.iter().all(|id| !id.contains("RLV")), "{ids:?}");
}

#[test]
fn statistics_and_facets() {
    let Some(d) = real() else { return };
    let (total, buckets) = d
        .statistics("", &Filters::default(), FacetKind::Level, 0)
        .unwrap();
    assert!(total > 80_000, "{total}");
    assert!(
        buckets
            .iter()
            .any(|(k, n)| k == "international" && *n > 50_000)
    );
    let (_, years) = d
        .statistics(
            "",
            &Filters {
                families: vec!["IEC".into()],
                ..Default::default()
            },
            FacetKind::Year,
            0,
        )
        .unwrap();
    assert!(
        years.windows(2).all(|w| w[0].0 <= w[1].0),
        "years ascending"
    );
}

#[test]
fn candidates_reach_english_titles_from_chinese_products() {
    let Some(d) = real() else { return };
    let c = candidates_of(&d, "房间空调器", "3852", &["CN", "EU"]);
    let ids: Vec<&str> = c.iter().map(|(_, v)| v.standard.id.as_str()).collect();
    assert!(ids.contains(&"IEC 60335-2-40:2024"), "{ids:?}");
    // The general part comes with the particular part.
    assert!(
        ids.iter().any(|id| id.starts_with("IEC 60335-1:")),
        "{ids:?}"
    );
    assert!(c.iter().all(
        |(_, v)| v.standard.status == Status::Current || v.standard.status == Status::Upcoming
    ));
}

/// An enterprise not selling in China is not matched against China's
/// standards: a Chinese title would set the bar the international ones are
/// measured against (and is not in its markets).
#[test]
fn a_product_sold_abroad_is_matched_against_its_markets_standards() {
    let Some(d) = real() else { return };
    let of = |markets: &[&str]| candidates_of(&d, "房间空调器", "3852", markets);
    let matched_levels = |c: &Candidates| -> Vec<(String, Level)> {
        c.iter()
            .filter(|(h, _)| {
                !h.retrieval.matched_products.is_empty() && h.retrieval.referenced_by.is_empty()
            })
            .map(|(_, v)| (v.standard.id.clone(), v.standard.level))
            .collect()
    };
    let home = matched_levels(&of(&["CN"]));
    assert!(home.iter().any(|(_, l)| *l == Level::National), "{home:?}");
    let abroad = matched_levels(&of(&["EU"]));
    assert!(
        abroad
            .iter()
            .any(|(id, _)| id.starts_with("IEC 60335-2-40:")),
        "{abroad:?}"
    );
    assert!(
        abroad
            .iter()
            .all(|(_, l)| matches!(l, Level::International | Level::Regional | Level::Unknown)),
        "{abroad:?}"
    );
}

/// An enterprise selling beyond the EU and not in it is offered what the
/// EU's regulations name for its product: all of it in the UK, which
/// designates the same European standards; the international lines in the
/// US, whose FDA recognises those (ISO 80601-2-61 for a pulse oximeter),
/// beside China's own when it sells in China too.
#[test]
fn a_product_sold_beyond_the_eu_gets_the_lines_recognised_there() {
    let Some(d) = real() else { return };
    let named = |markets: &[&str]| -> Vec<(String, Level)> {
        let mut named: Vec<(String, Level)> = candidates_of(&d, "pulse oximeter", "3581", markets)
            .iter()
            .filter(|(h, _)| h.retrieval.regulation > 0.0)
            .map(|(_, v)| (v.standard.id.clone(), v.standard.level))
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        named
    };
    let eu = named(&["EU"]);
    let uk = named(&["GB"]);
    let us = named(&["US", "JP"]);
    for line in ["ISO 80601-2-61:", "IEC 60601-1:"] {
        assert!(
            us.iter().any(|(id, _)| id.starts_with(line)),
            "{line} in {us:?}"
        );
    }
    assert!(
        us.iter().all(|(_, l)| *l == Level::International),
        "only international lines outside the EU and the UK: {us:?}"
    );
    assert!(us.iter().all(|l| uk.contains(l)), "{us:?} within {uk:?}");
    assert_eq!(uk, eu, "the UK designates the EU's lines");
    // Selling in China too, it gets China's lines and, for the US, the
    // international ones the EU's lists name; no European-only line.
    let china = named(&["CN"]);
    let china_and_us = named(&["CN", "US"]);
    assert!(
        china.iter().all(|l| china_and_us.contains(l)),
        "{china:?} within {china_and_us:?}"
    );
    assert!(
        china_and_us
            .iter()
            .any(|(id, _)| id.starts_with("ISO 80601-2-61:")),
        "{china_and_us:?}"
    );
    assert!(
        !china
            .iter()
            .any(|(id, _)| id.starts_with("ISO 80601-2-61:")),
        "China alone names the GB, not the ISO: {china:?}"
    );
    assert!(
        china_and_us
            .iter()
            .filter(|l| !china.contains(l))
            .all(|(_, level)| *level == Level::International),
        "{china_and_us:?}"
    );
}

/// A Chinese product name reaches, for an enterprise selling only in the
/// EU, the ISO standards whose Chinese translations (GB/T 20897.x adopting
/// ISO 6185-x) name it; and every part of that small series comes with the
/// parts the product matched, carrying how strongly they did.
#[test]
fn a_chinese_name_abroad_reaches_a_whole_series_through_its_translations() {
    let Some(d) = real() else { return };
    let c = candidates_of(&d, "充气艇", "3732", &["EU"]);
    for part in ["ISO 6185-1:", "ISO 6185-2:", "ISO 6185-3:", "ISO 6185-4:"] {
        let hit = c
            .iter()
            .find(|(_, v)| v.standard.id.starts_with(part))
            .unwrap_or_else(|| {
                let ids: Vec<&str> = c.iter().map(|(_, v)| v.standard.id.as_str()).collect();
                panic!("{part} not among {ids:?}")
            });
        assert!(hit.0.retrieval.match_strength > 0.0, "{part}: {:?}", hit.0);
        assert!(hit.0.retrieval.series_match > 0.0, "{part}: {:?}", hit.0);
    }
    assert!(
        c.iter()
            .filter(|(h, _)| h.retrieval.match_strength > 0.0)
            .all(|(_, v)| v.standard.level != Level::National),
        "China's own standards are out of an EU-only enterprise's markets"
    );
}

/// An English name reaches, for an enterprise selling in China, the GB
/// adopting the international standard it matches: GB/T 2272 carries no
/// English title of its own and adopts ISO 5445 (ferrosilicon).
#[test]
fn an_english_name_in_china_reaches_the_gb_adopting_its_match() {
    let Some(d) = real() else { return };
    let matched = |markets: &[&str]| -> Vec<String> {
        candidates_of(&d, "ferrosilicon", "3150", markets)
            .iter()
            .filter(|(h, _)| h.retrieval.match_strength > 0.0)
            .map(|(_, v)| v.standard.id.clone())
            .collect()
    };
    let china = matched(&["CN"]);
    assert!(
        china.iter().any(|id| id.starts_with("GB/T 2272-")),
        "{china:?}"
    );
    let abroad = matched(&["EU"]);
    assert!(
        abroad.iter().all(|id| !id.starts_with("GB")),
        "an EU-only enterprise gets no GB: {abroad:?}"
    );
}

/// A title sharing only a generic word with the product is not the
/// product's: "safety belt" and 安全带 share "safety" / 安全 with food-safety
/// labelling (GB 7718), blasting rules (GB 6722) and hazardous-chemical
/// work (GB 30871), none of them about belts; 安全座椅 shares 安全 (and its
/// expansion "safety requirements", no word of which is specific) with
/// electric-bus safety (GB 38032), which outscored every 座椅 title.
#[test]
fn a_generic_word_alone_does_not_make_a_product_match() {
    let Some(d) = real() else { return };
    for (product, own, unrelated) in [
        (
            "safety belt",
            "GB 14166-",
            ["GB 7718-", "GB 6722-", "GB 30871-"],
        ),
        ("安全带", "GB 14166-", ["GB 7718-", "GB 6722-", "GB 30871-"]),
        (
            "安全座椅",
            "T/ZZB 1614-",
            ["GB 7718-", "GB 38032-", "GB 22361-"],
        ),
    ] {
        let c = candidates_of(&d, product, "3670", &["CN"]);
        let matched: Vec<&str> = c
            .iter()
            .filter(|(h, _)| h.retrieval.match_strength > 0.0)
            .map(|(_, v)| v.standard.id.as_str())
            .collect();
        assert!(
            matched.iter().any(|id| id.starts_with(own)),
            "{product}: {matched:?}"
        );
        for unrelated in unrelated {
            assert!(
                !matched.iter().any(|id| id.starts_with(unrelated)),
                "{product}: {unrelated} among {matched:?}"
            );
        }
    }
}

fn page(
    d: &Standards,
    query: &str,
    filters: Filters,
    page: u32,
    size: u32,
    facets: bool,
) -> (u64, Vec<(String, f32)>) {
    let r = d
        .search(&SearchParams {
            query: query.into(),
            filters,
            page,
            page_size: size,
            facets: if facets {
                vec![FacetKind::Status]
            } else {
                vec![]
            },
        })
        .unwrap();
    (
        r.total,
        r.hits
            .into_iter()
            .map(|h| (h.standard.standard.id, h.score))
            .collect(),
    )
}

/// Same ids in the same order, scores equal but for float rounding (the
/// pruned pass adds the same term scores in another order). Records whose
/// scores tie may come in either order: rounding decides which is first.
fn assert_same_page(a: &[(String, f32)], b: &[(String, f32)], what: &str) {
    let close = |x: f32, y: f32| (x - y).abs() <= 1e-4 * x.abs().max(1.0);
    assert_eq!(a.len(), b.len(), "{what}: {a:?} {b:?}");
    for (i, ((id_a, x), (id_b, y))) in a.iter().zip(b).enumerate() {
        assert!(close(*x, *y), "{what}: {id_a} {x} vs {id_b} {y}");
        if id_a != id_b {
            // A swap of a tie: each record's score equals the other's (and
            // its place on the other page, when it is there, scores the same).
            for (id, page) in [(id_a, b), (id_b, a)] {
                let elsewhere = page.iter().find(|(other, _)| other == id);
                assert!(
                    elsewhere.is_none_or(|(_, s)| close(*s, *x)),
                    "{what}: {id} at {i} is not a tie: {a:?} {b:?}"
                );
            }
        }
    }
}

/// Queries matching many records are ranked with pruning (block-max WAND)
/// when no facet is asked for, and in one full pass when one is: both give
/// the same pages, scores and exact totals.
#[test]
fn pruned_search_ranks_and_counts_as_the_full_pass() {
    let Some(d) = real() else { return };
    for q in [
        "quality management systems",
        "occupational health and safety",
        "plastics test methods",
        "信息安全",
        "工业机器人",
    ] {
        for (p, size) in [(1, 10), (3, 10), (1, 25)] {
            let pruned = page(&d, q, Filters::default(), p, size, false);
            let full = page(&d, q, Filters::default(), p, size, true);
            assert!(pruned.0 > 5000, "{q}: {} matches", pruned.0);
            assert_eq!(pruned.0, full.0, "{q}: total");
            assert_same_page(&pruned.1, &full.1, &format!("{q} page {p} of {size}"));
        }
        let (_, first) = page(&d, q, Filters::default(), 1, 10, false);
        let (_, third) = page(&d, q, Filters::default(), 3, 10, false);
        let (_, long) = page(&d, q, Filters::default(), 1, 30, false);
        assert_same_page(&first, &long[..10], q);
        assert_same_page(&third, &long[20..], q);
    }
}

/// Broad filters are read per document when no facet is asked for, and
/// intersected with the text query when one is: both give the same pages,
/// scores and exact totals. Status, ICS, year, level and family filters,
/// alone and together, broad and narrow.
#[test]
fn filters_read_per_document_rank_and_count_as_the_intersection() {
    let Some(d) = real() else { return };
    let filters = [
        Filters {
            statuses: vec![Status::Current],
            ..Default::default()
        },
        Filters {
            statuses: vec![Status::Current, Status::Replaced],
            from_year: Some(2010),
            ..Default::default()
        },
        Filters {
            ics_prefixes: vec!["97".into()],
            from_year: Some(2000),
            ..Default::default()
        },
        Filters {
            to_year: Some(1999),
            ..Default::default()
        },
        Filters {
            levels: vec![Level::International],
            families: vec!["IEC".into(), "ISO".into()],
            from_year: Some(2015),
            to_year: Some(2020),
            ..Default::default()
        },
    ];
    for q in [
        "air conditioner safety",
        "household refrigerator",
        "电动汽车",
        "welding",
    ] {
        for f in &filters {
            for (p, size) in [(1, 10), (2, 10), (1, 25)] {
                let per_doc = page(&d, q, f.clone(), p, size, false);
                let intersected = page(&d, q, f.clone(), p, size, true);
                let what = format!("{q} {f:?} page {p} of {size}");
                assert_eq!(per_doc.0, intersected.0, "{what}: total");
                assert_same_page(&per_doc.1, &intersected.1, &what);
            }
        }
    }
}

/// Filters select without scoring: a filtered page is the unfiltered
/// ranking with the records outside the filter left out.
#[test]
fn a_filtered_page_is_the_unfiltered_ranking_filtered() {
    let Some(d) = real() else { return };
    for q in [
        "air conditioner safety",
        "quality management systems",
        "电动汽车",
    ] {
        let (_, all) = page(&d, q, Filters::default(), 1, 100, false);
        let current = |id: &str| d.get(id).unwrap().standard.status == Status::Current;
        let expected: Vec<_> = all
            .iter()
            .filter(|(id, _)| current(id))
            .take(10)
            .cloned()
            .collect();
        assert_eq!(expected.len(), 10, "{q}");
        let filters = Filters {
            statuses: vec![Status::Current],
            ..Default::default()
        };
        let (_, filtered) = page(&d, q, filters, 1, 10, false);
        assert_same_page(&filtered, &expected, q);
    }
}

/// A Chinese query finds English titles through the term list, and their
/// highlighted titles mark the English words its terms reached.
#[test]
fn chinese_queries_mark_the_english_words_they_reached() {
    let Some(d) = real() else { return };
    let page = d
        .search(&SearchParams {
            query: "空调".into(),
            page_size: 10,
            ..Default::default()
        })
        .unwrap();
    let hit = page
        .hits
        .iter()
        .find(|h| h.standard.standard.id.starts_with("IEC 60335-2-40:"))
        .expect("IEC 60335-2-40 on the first page of 空调");
    let marked = &hit.highlighted_title;
    for word in ["<b>heat</b> <b>pumps</b>", "<b>air</b>-<b>conditioners</b>"] {
        assert!(marked.contains(word), "{word} in {marked}");
    }
    // A Chinese title is marked with the Chinese word itself.
    let gb = page
        .hits
        .iter()
        .find(|h| h.standard.standard.id.starts_with("GB 4706.32"))
        .expect("GB 4706.32 on the first page of 空调");
    assert!(
        gb.highlighted_title.contains("<b>空调</b>"),
        "{}",
        gb.highlighted_title
    );
}

/// A number beside words is no product match of its own: "Wi-Fi 6 router"
/// once matched every short title with a "Part 6" (cigarettes, sprinkler
/// valves, green tea) as strongly as a router's, and their mandatory ones
/// entered `must`.
#[test]
fn a_number_in_a_product_name_does_not_match_part_numbers() {
    let Some(d) = real() else { return };
    let c = candidates_of(&d, "Wi-Fi 6 router", "3921", &["CN"]);
    let about_the_product = |title: &str| {
        let t = title.to_lowercase();
        [
            "wi-fi", "wifi", "router", "wireless", "wlan", "路由", "无线",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    let by_number: Vec<&str> = c
        .iter()
        .filter(|(h, _)| h.retrieval.match_strength >= 0.5)
        .filter(|(_, v)| {
            v.standard.title_en.to_lowercase().contains("part 6")
                && !about_the_product(&v.standard.title_en)
                && !about_the_product(&v.standard.title_zh)
        })
        .map(|(_, v)| v.standard.id.as_str())
        .collect();
    assert!(
        by_number.is_empty(),
        "matched by the number alone: {by_number:?}"
    );
    assert!(
        c.iter()
            .any(|(h, v)| h.retrieval.match_strength > 0.0
                && about_the_product(&v.standard.title_zh)),
        "a router standard is matched"
    );
}

/// A standard two products match lists first the product its title is most
/// about, so that a `must` reason names that product: a commercial
/// freezer's standard "applies to 冷柜", not to the enterprise's first
/// product, 家用电冰箱.
#[test]
fn the_product_a_title_is_most_about_comes_first() {
    let Some(d) = real() else { return };
    let products = ["家用电冰箱", "冷柜"];
    let strength_alone = |product: &str| -> std::collections::HashMap<String, f32> {
        candidates_of(&d, product, "3851", &["CN"])
            .iter()
            .filter(|(h, _)| h.retrieval.match_strength > 0.0)
            .map(|(h, v)| (v.standard.id.clone(), h.retrieval.match_strength))
            .collect()
    };
    let alone: Vec<_> = products.iter().map(|p| strength_alone(p)).collect();
    let both = d
        .candidates(&CandidateQuery {
            products: products.iter().map(|p| p.to_string()).collect(),
            industries: vec!["3851".into()],
            markets: vec!["CN".into()],
            ..Default::default()
        })
        .unwrap();
    let mut second_first = 0;
    for (h, v) in both.iter() {
        let [first, second] = h.retrieval.matched_products.as_slice() else {
            continue;
        };
        let strength = |p: &String| {
            let i = products.iter().position(|q| q == p).unwrap();
            alone[i].get(&v.standard.id).copied().unwrap_or(0.0)
        };
        assert!(
            strength(first) >= strength(second),
            "{}: {first} ({}) listed before {second} ({})",
            v.standard.id,
            strength(first),
            strength(second)
        );
        if first == "冷柜" {
            second_first += 1;
        }
    }
    assert!(
        second_first > 0,
        "no standard both match is more about 冷柜 than about 家用电冰箱"
    );
}

/// A product no kind of its markets' regimes names takes the lines the
/// other regime's regulation names for it, as the standards adopted: no EU
/// kind names a smart toilet, China's names GB 4706.53, which adopts
/// IEC 60335-2-84; a maker selling in the US is offered that, standing for
/// its product.
#[test]
fn a_kind_of_the_other_regime_stands_in_through_the_standards_adopted() {
    let Some(d) = real() else { return };
    let c = candidates_of(&d, "smart toilet", "3856", &["US"]);
    let (hit, _) = c
        .iter()
        .find(|(_, v)| v.standard.id.starts_with("IEC 60335-2-84:"))
        .expect("IEC 60335-2-84 is a candidate");
    assert!(hit.retrieval.product_kind > 0.0, "{hit:?}");
    assert_eq!(hit.retrieval.matched_products, ["smart toilet"]);
    assert!(
        c.iter().all(|(_, v)| !v.standard.id.starts_with("GB 4706")),
        "a maker abroad gets the international standards, not China's"
    );
}
