//! Bad input through the real gRPC Search, Statistics, GetStandard, Lineage
//! and Resolve RPCs: each answer is a clear INVALID_ARGUMENT naming the
//! field, NOT_FOUND, or an empty page — never a panic or INTERNAL.
//!
//! The server answers from the bundled demo catalogue (no ../shared/data needed).

mod support;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tonic::Code;
use tonic::transport::Channel;

use stdnav_proto::standards::v1 as pb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::status::field_violations;
use stdnav_standards::Standards;
use stdnav_standards::store::CatalogueStore;

use support::{Server, client, demo_store, serve};

/// One demo catalogue per test binary; each test runs its own server on it.
fn store() -> Arc<CatalogueStore> {
    static STORE: OnceLock<Arc<CatalogueStore>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("standards-bad-input");
            Arc::new(demo_store(&dir))
        })
        .clone()
}

async fn server() -> (Server, StandardsServiceClient<Channel>) {
    let store = tokio::task::spawn_blocking(store).await.unwrap();
    let server = serve(Arc::new(Standards::with_store(store))).await;
    let c = client(server.addr).await;
    (server, c)
}

/// Asserts INVALID_ARGUMENT whose google.rpc.BadRequest names exactly `fields`.
fn assert_invalid(e: &tonic::Status, fields: &[&str]) {
    assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
    let named: Vec<String> = field_violations(e).into_iter().map(|v| v.field).collect();
    assert_eq!(named, fields, "{e:?}");
    assert!(
        field_violations(e)
            .iter()
            .all(|v| !v.description.is_empty()),
        "{e:?}"
    );
    for f in fields {
        assert!(e.message().contains(f), "message names {f}: {e:?}");
    }
}

/// Never a panic (a panic on the blocking pool maps to INTERNAL) nor INTERNAL itself.
fn assert_not_internal<T: std::fmt::Debug>(r: &Result<T, tonic::Status>, what: &str) {
    if let Err(e) = r {
        assert!(
            !matches!(e.code(), Code::Internal | Code::Unknown),
            "{what}: {e:?}"
        );
    }
}

fn search(query: &str) -> pb::SearchRequest {
    pb::SearchRequest {
        query: query.into(),
        ..Default::default()
    }
}

fn filters(f: impl FnOnce(&mut pb::Filters)) -> Option<pb::Filters> {
    let mut out = pb::Filters::default();
    f(&mut out);
    Some(out)
}

#[tokio::test]
async fn empty_and_oversized_queries() {
    let (_s, mut c) = server().await;

    // Empty without filters: there is nothing to search for.
    for q in ["", "   ", "\t\n"] {
        let e = c.search(search(q)).await.unwrap_err();
        assert_invalid(&e, &["query"]);
    }
    // Empty with a filter: every record the filter keeps.
    let r = c
        .search(pb::SearchRequest {
            filters: filters(|f| f.statuses = vec![pb::Status::Current as i32]),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.total > 0 && !r.hits.is_empty(), "{r:?}");
    assert!(
        r.hits
            .iter()
            .all(|h| h.standard.as_ref().unwrap().status == pb::Status::Current as i32)
    );
    // Statistics over everything is fine without a query.
    let r = c
        .statistics(pb::StatisticsRequest {
            group_by: pb::FacetField::Level as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.total > 0 && !r.buckets.is_empty(), "{r:?}");

    // A 100 KB query, in English and in Chinese.
    let long_en = "air conditioner safety ".repeat(100 * 1024 / 23);
    let long_zh = "空调".repeat(100 * 1024 / 6);
    for q in [&long_en, &long_zh] {
        assert!(q.len() >= 100 * 1000);
        let e = c.search(search(q)).await.unwrap_err();
        assert_invalid(&e, &["query"]);
        let e = c
            .statistics(pb::StatisticsRequest {
                query: q.clone(),
                group_by: pb::FacetField::Level as i32,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &["query"]);
        let e = c
            .get_standard(pb::GetStandardRequest { id: q.clone() })
            .await
            .unwrap_err();
        assert_invalid(&e, &["id"]);
        let e = c
            .lineage(pb::LineageRequest {
                id: q.clone(),
                depth: 0,
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &["id"]);
    }
    // Just under the limit still runs.
    let r = c.search(search(&"空调 ".repeat(300))).await;
    assert!(r.is_ok(), "{r:?}");
}

#[tokio::test]
async fn query_syntax_is_text_not_syntax() {
    let (_s, mut c) = server().await;
    // Nothing here is parsed as query syntax: each runs as words (or a
    // code) and answers a page, possibly empty — never an error.
    for q in [
        "\"air conditioner",
        "air conditioner\"",
        "title:(foo AND",
        "title_en:safety",
        "*?~^",
        "*",
        "?",
        "~2",
        "^10",
        "\\",
        "()",
        "[1 TO 5]",
        "{",
        "AND OR NOT",
        "-",
        "+",
        "!",
        ":",
        "/",
        "::::",
        "----",
        "IEC",
        "IEC :",
        "ISO 9001:0",
        "ISO 9001:99999",
        "GB/T",
        "ＧＢ／Ｔ　１９００１－２０１６",
        "GB/T 4706.1-2024/XG1-2025",
        "ISO 9001:2015/Amd",
        "99999999999999999999999999999",
        "ETSI",
        "etsi ",
        "ETSI EN 300 328 V",
        "ETSI EN 300 328 V9.9.9.9.9 (",
        "😀 空调 😀",
        "\u{200f}\u{202e}air",
        "a\u{0301}\u{0301}\u{0301}",
        "\u{0}",
        "air\u{0}conditioner",
        "空调\"",
        "空调 AND 冰箱",
    ] {
        let r = c.search(search(q)).await;
        assert!(r.is_ok(), "{q:?}: {r:?}");
        let r = c
            .statistics(pb::StatisticsRequest {
                query: q.into(),
                group_by: pb::FacetField::Status as i32,
                ..Default::default()
            })
            .await;
        assert!(r.is_ok(), "statistics {q:?}: {r:?}");
        let r = c
            .get_standard(pb::GetStandardRequest { id: q.into() })
            .await;
        assert_not_internal(&r, q);
        if let Err(e) = &r {
            assert!(
                matches!(e.code(), Code::NotFound | Code::InvalidArgument),
                "get {q:?}: {e:?}"
            );
        }
        let r = c
            .lineage(pb::LineageRequest {
                id: q.into(),
                depth: 2,
            })
            .await;
        assert_not_internal(&r, q);
        let r = c
            .resolve(pb::ResolveRequest {
                codes: vec![q.into()],
            })
            .await;
        assert!(r.is_ok(), "resolve {q:?}: {r:?}");
    }
    // Unbalanced quotes still find what the words name.
    let r = c
        .search(search("\"air conditioner"))
        .await
        .unwrap()
        .into_inner();
    assert!(
        r.hits.iter().any(|h| h
            .standard
            .as_ref()
            .unwrap()
            .id
            .starts_with("IEC 60335-2-40")),
        "{:?}",
        r.hits
            .iter()
            .map(|h| &h.standard.as_ref().unwrap().id)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn unknown_filter_values_name_their_field() {
    let (_s, mut c) = server().await;
    let cases: Vec<(Option<pb::Filters>, Vec<&str>)> = vec![
        (filters(|f| f.levels = vec![99]), vec!["filters.levels[0]"]),
        (
            filters(|f| f.levels = vec![pb::Level::National as i32, 0]),
            vec!["filters.levels[1]"],
        ),
        (
            filters(|f| f.natures = vec![-1]),
            vec!["filters.natures[0]"],
        ),
        (
            filters(|f| f.statuses = vec![1, 77]),
            vec!["filters.statuses[1]"],
        ),
        (
            filters(|f| f.ics_prefixes = vec!["9a.x".into()]),
            vec!["filters.ics_prefixes[0]"],
        ),
        (
            filters(|f| f.ics_prefixes = vec!["97".into(), "97.04".into(), "".into()]),
            vec!["filters.ics_prefixes[1]", "filters.ics_prefixes[2]"],
        ),
        (
            filters(|f| f.families = vec!["".into()]),
            vec!["filters.families[0]"],
        ),
        (
            filters(|f| f.families = vec!["X".repeat(41)]),
            vec!["filters.families[0]"],
        ),
        (
            filters(|f| f.ics_prefixes = vec!["97".into(); 51]),
            vec!["filters.ics_prefixes"],
        ),
        (
            filters(|f| {
                f.published_from_year = Some(2020);
                f.published_to_year = Some(2010);
            }),
            vec!["filters.published_from_year"],
        ),
        // Every bad enum value at once, each named.
        (
            filters(|f| {
                f.levels = vec![99];
                f.natures = vec![99];
                f.statuses = vec![99];
            }),
            vec![
                "filters.levels[0]",
                "filters.natures[0]",
                "filters.statuses[0]",
            ],
        ),
    ];
    for (f, fields) in cases {
        let e = c
            .search(pb::SearchRequest {
                query: "safety".into(),
                filters: f.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &fields);
        let e = c
            .statistics(pb::StatisticsRequest {
                filters: f,
                group_by: pb::FacetField::Level as i32,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &fields);
    }
    // Facets and group_by.
    let e = c
        .search(pb::SearchRequest {
            query: "safety".into(),
            facets: vec![pb::FacetField::Level as i32, 77],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&e, &["facets[1]"]);
    for group_by in [0, 99] {
        let e = c
            .statistics(pb::StatisticsRequest {
                group_by,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &["group_by"]);
    }
    // A well-formed filter nothing matches is an empty page, not an error.
    let r = c
        .search(pb::SearchRequest {
            query: "safety".into(),
            filters: filters(|f| f.families = vec!["NO SUCH".into()]),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r.total, r.hits.len()), (0, 0));
}

#[tokio::test]
async fn paging_limits_and_pages_past_the_end() {
    let (_s, mut c) = server().await;
    let page = |query: &str, page: u32, page_size: u32| pb::SearchRequest {
        query: query.into(),
        page,
        page_size,
        ..Default::default()
    };
    let e = c.search(page("safety", 1, 1000)).await.unwrap_err();
    assert_invalid(&e, &["page_size"]);
    let e = c.search(page("safety", 1, 101)).await.unwrap_err();
    assert_invalid(&e, &["page_size"]);
    let e = c.search(page("safety", 10_001, 10)).await.unwrap_err();
    assert_invalid(&e, &["page"]);
    let e = c.search(page("safety", u32::MAX, 100)).await.unwrap_err();
    assert_invalid(&e, &["page"]);

    // Defaults: page 0 is page 1, page_size 0 is 10.
    let first = c.search(page("safety", 0, 0)).await.unwrap().into_inner();
    assert_eq!((first.page, first.page_size), (1, 10));
    assert!(first.total > 10, "{}", first.total);
    assert_eq!(first.hits.len(), 10);

    // Past the end: an empty page with the true total, for text, code and
    // filter-only queries, up to the largest page allowed.
    let filter_only = pb::SearchRequest {
        filters: filters(|f| f.levels = vec![pb::Level::National as i32]),
        page: 500,
        page_size: 10,
        ..Default::default()
    };
    for (req, what) in [
        (page("safety", 500, 10), "text"),
        (page("IEC 60335-2-40", 3, 10), "code"),
        (page("safety", 10_000, 100), "last page allowed"),
        (filter_only, "filters only"),
    ] {
        let r = c.search(req).await.unwrap().into_inner();
        assert!(r.hits.is_empty(), "{what}: {r:?}");
        assert!(r.total > 0, "{what}: total is still counted");
    }
    // The code query's pages cover the editions once each.
    let mut seen = Vec::new();
    for p in 1..=3 {
        let r = c
            .search(page("IEC 60335-2-40", p, 2))
            .await
            .unwrap()
            .into_inner();
        seen.extend(r.hits.into_iter().map(|h| h.standard.unwrap().id));
        assert_eq!(r.total, 5);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5, "{seen:?}");
    assert_eq!(seen[0], "IEC 60335-2-40:2024");
}

#[tokio::test]
async fn lineage_and_get_standard_bad_input() {
    let (_s, mut c) = server().await;
    for depth in [11, 50, u32::MAX] {
        let e = c
            .lineage(pb::LineageRequest {
                id: "ISO 9001:2015".into(),
                depth,
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &["depth"]);
    }
    // The deepest allowed depth runs.
    let r = c
        .lineage(pb::LineageRequest {
            id: "GB 4706.1-2024".into(),
            depth: 10,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.root, "GB 4706.1-2024");
    assert!(
        r.edges
            .iter()
            .any(|e| e.kind == pb::EdgeKind::Replaces as i32)
    );

    for id in ["", "  "] {
        let e = c
            .get_standard(pb::GetStandardRequest { id: id.into() })
            .await
            .unwrap_err();
        assert_invalid(&e, &["id"]);
        let e = c
            .lineage(pb::LineageRequest {
                id: id.into(),
                depth: 0,
            })
            .await
            .unwrap_err();
        assert_invalid(&e, &["id"]);
    }
    for id in [
        "ISO 99999:2099",
        "GB/T 99999-2099",
        "IEC 60335-2-40:1901",
        "hello world",
    ] {
        let e = c
            .get_standard(pb::GetStandardRequest { id: id.into() })
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::NotFound, "{id}: {e:?}");
        assert!(e.message().contains(id), "{e:?}");
        let e = c
            .lineage(pb::LineageRequest {
                id: id.into(),
                depth: 3,
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::NotFound, "{id}: {e:?}");
    }
    // A known code in another spelling is found.
    let s = c
        .get_standard(pb::GetStandardRequest {
            id: "iec60335-2-40".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.id, "IEC 60335-2-40:2024");
}

#[tokio::test]
async fn resolve_and_candidates_limits() {
    let (_s, mut c) = server().await;
    let e = c
        .resolve(pb::ResolveRequest {
            codes: vec!["ISO 9001".into(); 2001],
        })
        .await
        .unwrap_err();
    assert_invalid(&e, &["codes"]);
    let r = c
        .resolve(pb::ResolveRequest {
            codes: vec!["".into(), "hello 1".into(), "ISO 99999:2099".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        r.resolutions
            .iter()
            .all(|x| !x.error.is_empty() && x.standard.is_none()),
        "{r:?}"
    );

    let e = c
        .candidates(pb::CandidatesRequest::default())
        .await
        .unwrap_err();
    assert_invalid(&e, &["products"]);
    let e = c
        .candidates(pb::CandidatesRequest {
            products: vec!["空调".into()],
            limit: 5000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&e, &["limit"]);
    let e = c
        .candidates(pb::CandidatesRequest {
            products: vec!["空调".into(), "x".repeat(201)],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&e, &["products[1]"]);
    // Syntax in product names is words too.
    let r = c
        .candidates(pb::CandidatesRequest {
            products: vec!["\"air conditioner".into(), "*?~^".into()],
            markets: vec!["CN".into()],
            ..Default::default()
        })
        .await;
    assert!(r.is_ok(), "{r:?}");
    let e = c
        .candidates(pb::CandidatesRequest {
            products: vec!["空调".into()],
            view: 7,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&e, &["view"]);

    // The basic view: the same candidates with the same evidence, and of
    // each standard only what composing advice reads.
    let ask = |view: pb::StandardView| pb::CandidatesRequest {
        products: vec!["房间空调器".into(), "dishwasher".into()],
        markets: vec!["CN".into(), "EU".into()],
        view: view as i32,
        ..Default::default()
    };
    let full = c.candidates(ask(pb::StandardView::Full)).await.unwrap();
    let basic = c.candidates(ask(pb::StandardView::Basic)).await.unwrap();
    let (full, basic) = (full.into_inner(), basic.into_inner());
    assert!(!full.candidates.is_empty());
    assert_eq!(full.candidates.len(), basic.candidates.len());
    assert!(basic.expanded_terms.is_empty());
    for (f, b) in full.candidates.iter().zip(&basic.candidates) {
        let (fs, bs) = (f.standard.clone().unwrap(), b.standard.clone().unwrap());
        assert_eq!(
            (
                &fs.id,
                &fs.line,
                &fs.title_zh,
                &fs.title_en,
                fs.level,
                fs.nature
            ),
            (
                &bs.id,
                &bs.line,
                &bs.title_zh,
                &bs.title_en,
                bs.level,
                bs.nature
            )
        );
        assert_eq!(
            (fs.status, fs.status_source, &fs.published, &fs.checksum),
            (bs.status, bs.status_source, &bs.published, &bs.checksum)
        );
        assert_eq!(
            (&fs.adopts, &fs.adopted_by, &fs.normative_refs, fs.in_degree),
            (&bs.adopts, &bs.adopted_by, &bs.normative_refs, bs.in_degree)
        );
        assert_eq!(
            (&fs.indicators, &fs.keywords, fs.illustrative),
            (&bs.indicators, &bs.keywords, bs.illustrative)
        );
        assert!(!fs.line.is_empty());
        assert!(bs.title_fr.is_empty() && bs.ics.is_empty() && bs.source.is_empty());
        assert!(b.matched_terms.is_empty());
        let evidence = |c: &pb::Candidate| pb::Candidate {
            standard: None,
            matched_terms: Vec::new(),
            ..c.clone()
        };
        assert_eq!(evidence(f), evidence(b));
    }
}
