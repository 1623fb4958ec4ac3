//! Search over the bundled demo catalogue: facets only when asked, counted
//! over every match; editions in force ranked before replaced ones.

mod support;

use stdnav_core::standard::Status;
use stdnav_standards::search::{FacetKind, SearchParams};

use support::demo_store;

#[test]
fn facets_are_counted_when_asked_and_only_then() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let snap = store.snapshot();
    let plain = snap
        .search(&SearchParams {
            query: "safety".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(plain.facets.is_empty());
    assert!(plain.total > 10, "{}", plain.total);

    let faceted = snap
        .search(&SearchParams {
            query: "safety".into(),
            facets: vec![FacetKind::Status, FacetKind::Level],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(faceted.total, plain.total);
    assert_eq!(
        faceted.facets.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [FacetKind::Status, FacetKind::Level]
    );
    for (kind, counts) in &faceted.facets {
        // Every record has one status and one level: the buckets add up to the total.
        let sum: u64 = counts.iter().map(|(_, n)| n).sum();
        assert_eq!(sum, faceted.total, "{kind:?}: {counts:?}");
    }
    let ids = |r: &stdnav_standards::search::SearchResult| -> Vec<u64> {
        r.hits.iter().map(|h| h.ord).collect()
    };
    assert_eq!(
        ids(&faceted),
        ids(&plain),
        "facets do not change the ranking"
    );
}

#[test]
fn editions_in_force_rank_before_replaced_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let snap = store.snapshot();
    // The editions of IEC 60335-2-40 share their title: status decides.
    let r = snap
        .search(&SearchParams {
            query: "heat pumps air-conditioners dehumidifiers".into(),
            page_size: 50,
            ..Default::default()
        })
        .unwrap();
    let line: Vec<_> = r
        .hits
        .iter()
        .filter_map(|h| snap.record(h.ord))
        .filter(|s| s.id.starts_with("IEC 60335-2-40:"))
        .collect();
    assert!(line.len() >= 2, "{line:?}");
    assert_eq!(line[0].status, Status::Current, "{:?}", line[0].id);
    assert!(line[1..].iter().all(|s| s.status != Status::Current));
    // Highlighting escapes markup and marks the matched words.
    let first = r
        .hits
        .iter()
        .find(|h| snap.record(h.ord).is_some_and(|s| s.id == line[0].id))
        .unwrap();
    assert!(
        first.highlighted_title.contains("<b>"),
        "{}",
        first.highlighted_title
    );
}

#[test]
fn words_absent_from_the_index_match_nothing_even_with_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let snap = store.snapshot();
    for facets in [vec![], vec![FacetKind::Status]] {
        let r = snap
            .search(&SearchParams {
                query: "qqzzxv wwyyxk".into(),
                filters: stdnav_standards::search::Filters {
                    statuses: vec![Status::Current],
                    ..Default::default()
                },
                facets,
                ..Default::default()
            })
            .unwrap();
        assert_eq!((r.total, r.hits.len()), (0, 0));
    }
    // One known word among absent ones still finds its records.
    let r = snap
        .search(&SearchParams {
            query: "qqzzxv safety".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(r.total > 10, "{}", r.total);
}
