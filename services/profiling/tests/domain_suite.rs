//! The profiling domain over each store: validation writes nothing, tenants
//! never see each other, versions guard writes, and peer groups come from
//! the k-means model trained on the tenant's own population. The same
//! suite runs on the embedded store and on the real Redis.

use std::sync::Arc;

use stdnav_core::enterprise::Profile;
use stdnav_core::industry::IndustryData;
use stdnav_core::population;
use stdnav_profiling::domain::{Profiling, ProfilingError, Subject};
use stdnav_profiling::peers::{MIN_PEERS, artifact_path};
use stdnav_profiling::store::embedded::EmbeddedStore;
use stdnav_profiling::store::redis_store::RedisStore;
use stdnav_profiling::store::{EnterpriseStore, ListFilter};

/// A demo population (the seeded generator), shared by the suites.
fn demo(n: usize) -> Vec<Profile> {
    population::generate(n, 7)
}

async fn upsert_all(p: &Profiling, tenant: &str, profiles: &[Profile]) {
    for profile in profiles {
        p.upsert(tenant, profile, None).await.unwrap();
    }
}

/// The shared industry code lists when present, as the profiling binary
/// run from the checkout loads them (core looks for none itself), else none.
fn industry_lists() -> IndustryData {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    stdnav_core::demo::find_shared_data(manifest)
        .map(|dir| IndustryData::load(&dir).expect("shared industry lists load"))
        .unwrap_or_default()
}

async fn suite(store: Arc<dyn EnterpriseStore>, artifacts: &std::path::Path) {
    let lists = Arc::new(industry_lists());
    let profiling = Profiling::new(store.clone(), lists.clone()).with_peer_artifacts(artifacts);
    let people = demo(120);
    let (a, b) = ("tenant-a", "tenant-b");

    // Validation: every bad field named at once, nothing written.
    let mut bad = people[0].clone();
    bad.region = "379999".into();
    bad.industries = vec!["C9999".into(), "ISIC 9999".into()];
    bad.products = vec!["x".repeat(201)];
    match profiling.upsert(a, &bad, None).await {
        Err(ProfilingError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                ["region", "industries[0]", "industries[1]", "products[0]"],
                "{errors:?}"
            );
        }
        other => panic!("expected INVALID, got {other:?}"),
    }
    assert!(matches!(
        profiling.get(a, &bad.uscc).await,
        Err(ProfilingError::NotFound(_))
    ));

    // Versions and optimistic concurrency.
    let first = profiling.upsert(a, &people[0], Some(0)).await.unwrap();
    assert_eq!(first.version, 1);
    assert!(first.updated_at_ms > 0);
    let second = profiling.upsert(a, &people[0], Some(1)).await.unwrap();
    assert_eq!(second.version, 2);
    assert!(second.updated_at_ms >= first.updated_at_ms);
    assert!(matches!(
        profiling.upsert(a, &people[0], Some(1)).await,
        Err(ProfilingError::Conflict {
            expected: 1,
            actual: 2
        })
    ));
    assert!(matches!(
        profiling.delete(a, &people[0].uscc, Some(1)).await,
        Err(ProfilingError::Conflict { .. })
    ));

    // Tenants: b neither reads, lists, groups with nor deletes a's enterprises.
    upsert_all(&profiling, a, &people).await;
    assert!(matches!(
        profiling.get(b, &people[1].uscc).await,
        Err(ProfilingError::NotFound(_))
    ));
    let listed = profiling
        .list(b, &ListFilter::default(), 100, "")
        .await
        .unwrap();
    assert!(listed.records.is_empty());
    assert!(!profiling.delete(b, &people[1].uscc, None).await.unwrap());
    let outsider = profiling
        .peer_group(b, Subject::Inline(Box::new(people[1].clone())))
        .await
        .unwrap();
    assert_eq!(outsider.size, 0, "tenant b has no population: {outsider:?}");
    assert_eq!(profiling.get(a, &people[1].uscc).await.unwrap().version, 1);

    // Listing by chain, region and industry, with paging.
    let chain = people[2].chains[0].chain.clone();
    let filter = ListFilter {
        chain: chain.clone(),
        ..Default::default()
    };
    let mut seen = 0;
    let mut token = String::new();
    loop {
        let page = profiling.list(a, &filter, 7, &token).await.unwrap();
        assert!(page.records.len() <= 7);
        assert!(
            page.records
                .iter()
                .all(|r| r.profile.chains.iter().any(|c| c.chain == chain))
        );
        seen += page.records.len();
        match page.next {
            Some(next) => token = next,
            None => break,
        }
    }
    let expected = people
        .iter()
        .filter(|p| p.chains.iter().any(|c| c.chain == chain))
        .count();
    assert_eq!(seen, expected);

    // Peer groups: from a's population, of the enterprise's industry
    // (class, group or division), at least MIN_PEERS when its division has
    // them, never itself.
    let division = |p: &Profile| p.industries[0].get(..2).unwrap_or("").to_string();
    let me = people
        .iter()
        .position(|p| people.iter().filter(|q| division(q) == division(p)).count() > MIN_PEERS)
        .expect("a division with enough enterprises among 120");
    let group = profiling
        .peer_group(a, Subject::Stored(people[me].uscc.clone()))
        .await
        .unwrap();
    assert!(group.size as usize >= MIN_PEERS, "{group:?}");
    assert!(group.method.starts_with("gbt4754"), "{group:?}");
    let basis = group.basis.clone().unwrap();
    assert!(
        people[me]
            .industries
            .iter()
            .any(|i| i.starts_with(&basis.code)),
        "{group:?}"
    );
    let model = group.model.clone().unwrap();
    assert_eq!(model.population, people.len());
    assert!((0.0..=100.0).contains(&group.coverage_percentile));
    assert!(artifact_path(artifacts, a).is_file());

    // A new process over the same store and artifacts reuses the model…
    let again = Profiling::new(store.clone(), lists.clone()).with_peer_artifacts(artifacts);
    let reused = again
        .peer_group(a, Subject::Stored(people[me].uscc.clone()))
        .await
        .unwrap();
    assert_eq!(reused.model.unwrap().trained_at_ms, model.trained_at_ms);
    assert_eq!(reused.shares, group.shares);
    // …unless the population changed since, then it retrains.
    again
        .delete(a, &people[(me + 1) % people.len()].uscc, None)
        .await
        .unwrap();
    let third = Profiling::new(store, lists).with_peer_artifacts(artifacts);
    let retrained = third
        .peer_group(a, Subject::Stored(people[me].uscc.clone()))
        .await
        .unwrap();
    assert_eq!(retrained.model.unwrap().population, people.len() - 1);
}

#[tokio::test]
async fn embedded_store_passes_the_domain_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("profiles.redb")).unwrap();
    suite(Arc::new(store), &dir.path().join("models")).await;
}

/// Against the real Redis on 127.0.0.1:6379 (STDNAV_TEST_REDIS_URL
/// overrides), with a key prefix per run; required under CI.
#[tokio::test]
async fn redis_store_passes_the_domain_suite() {
    let Some(store) = RedisStore::for_tests("domain").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    suite(Arc::new(store), dir.path()).await;
}

/// A peer model's training finishes, and is kept, when the call that
/// started it gives up first (its deadline passed): under load a training
/// can outlast one call's deadline, and if each next call started it
/// afresh no peer group would ever be answered.
#[tokio::test]
async fn a_training_outlives_the_call_that_started_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("profiles.redb")).unwrap();
    let artifacts = dir.path().join("models");
    let profiling =
        Profiling::new(Arc::new(store), industry_lists()).with_peer_artifacts(&artifacts);
    upsert_all(&profiling, "t", &demo(300)).await;
    let gave_up = tokio::time::timeout(
        std::time::Duration::from_micros(1),
        profiling.peer_model("t"),
    )
    .await;
    assert!(gave_up.is_err(), "the training took no time at all");
    let artifact = artifact_path(&artifacts, "t");
    let start = std::time::Instant::now();
    while !artifact.exists() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the abandoned training never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
