//! Enterprise profiles behind one trait, with two implementations: Redis
//! (when configured) and an embedded redb file under the state directory.
//! Both give tenant isolation, a version and updated-at on every write,
//! optimistic concurrency and paged, filtered listing.

use async_trait::async_trait;

use stdnav_core::enterprise::EnterpriseRecord;
use stdnav_core::source::{ProfilePage, ProfileSource, ProfileSourceError};

pub mod embedded;
pub mod redis_store;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stored version differs from the expected one.
    #[error("version conflict: expected {expected}, stored {actual}")]
    Conflict { expected: u64, actual: u64 },
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("store error: {0}")]
    Internal(String),
    #[error("bad page token")]
    BadPageToken,
}

/// Filters of a listing, combined with AND; empty means any.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub chain: String,
    pub region_prefix: String,
    pub industry_prefix: String,
}

impl ListFilter {
    pub fn matches(&self, r: &EnterpriseRecord) -> bool {
        (self.chain.is_empty() || r.profile.chains.iter().any(|c| c.chain == self.chain))
            && r.profile.region.starts_with(&self.region_prefix)
            && (self.industry_prefix.is_empty()
                || r.enrichment
                    .industries
                    .iter()
                    .any(|i| i.starts_with(&self.industry_prefix)))
    }
}

/// One page of a listing; `next` continues after the last record.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub records: Vec<EnterpriseRecord>,
    pub next: Option<String>,
}

#[async_trait]
pub trait EnterpriseStore: Send + Sync {
    /// "redis" or "embedded", for logs and health.
    fn kind(&self) -> &'static str;

    async fn get(&self, tenant: &str, uscc: &str) -> Result<Option<EnterpriseRecord>, StoreError>;

    /// Writes `record` (its version and time are assigned here). With
    /// `expected_version`, the write happens only if the stored version
    /// equals it (0: the enterprise must not exist yet).
    async fn put(
        &self,
        record: EnterpriseRecord,
        expected_version: Option<u64>,
    ) -> Result<EnterpriseRecord, StoreError>;

    async fn delete(
        &self,
        tenant: &str,
        uscc: &str,
        expected_version: Option<u64>,
    ) -> Result<bool, StoreError>;

    /// Records of `tenant` in USCC order after `after`, filtered.
    async fn list(
        &self,
        tenant: &str,
        filter: &ListFilter,
        page_size: usize,
        after: Option<&str>,
    ) -> Result<Page, StoreError>;
}

/// The tenants' enterprises as the change service reads them when it runs
/// in the process that holds the store (the all-in-one, the CLI).
#[async_trait]
impl ProfileSource for dyn EnterpriseStore {
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<ProfilePage, ProfileSourceError> {
        let page = self
            .list(tenant, &ListFilter::default(), size, after)
            .await
            .map_err(|e| match e {
                StoreError::Unavailable(why) => ProfileSourceError::Unavailable(why),
                e => ProfileSourceError::Internal(e.to_string()),
            })?;
        Ok(ProfilePage {
            records: page.records,
            next: page.next,
        })
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The conformance suite both stores pass (run from each store's tests).
#[cfg(any(test, feature = "testsuite"))]
pub mod suite {
    use super::*;
    use stdnav_core::enterprise::{ChainMembership, Enrichment, Profile, Segment};

    fn record(
        tenant: &str,
        uscc: &str,
        region: &str,
        industry: &str,
        chain: &str,
    ) -> EnterpriseRecord {
        EnterpriseRecord {
            profile: Profile {
                uscc: uscc.into(),
                name: format!("企业 {uscc}"),
                region: region.into(),
                industries: vec![industry.into()],
                products: vec!["空调".into()],
                chains: vec![ChainMembership {
                    chain: chain.into(),
                    segment: Segment::Midstream,
                }],
                ..Default::default()
            },
            enrichment: Enrichment {
                industries: vec![industry.into()],
                ..Default::default()
            },
            tenant: tenant.into(),
            version: 0,
            updated_at_ms: 0,
        }
    }

    /// Runs every behaviour the trait promises against `store`. Tenants are
    /// made unique by `ns` so runs against a shared server do not collide.
    pub async fn run(store: &dyn EnterpriseStore, ns: &str) {
        let a = format!("{ns}-a");
        let b = format!("{ns}-b");

        // Create, read back, versions and time.
        let r1 = store
            .put(record(&a, "U1", "440400", "3852", "家电"), Some(0))
            .await
            .unwrap();
        assert_eq!(r1.version, 1);
        assert!(r1.updated_at_ms > 0);
        let got = store.get(&a, "U1").await.unwrap().unwrap();
        assert_eq!(got.version, 1);
        assert_eq!(got.profile.name, "企业 U1");

        // Optimistic concurrency: a stale version is rejected, nothing changes.
        let mut changed = record(&a, "U1", "440400", "3852", "家电");
        changed.profile.name = "改名".into();
        let err = store.put(changed.clone(), Some(0)).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    expected: 0,
                    actual: 1
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            store.get(&a, "U1").await.unwrap().unwrap().profile.name,
            "企业 U1"
        );
        let r2 = store.put(changed.clone(), Some(1)).await.unwrap();
        assert_eq!(r2.version, 2);
        // An unconditional write still bumps the version.
        assert_eq!(store.put(changed, None).await.unwrap().version, 3);

        // Tenant isolation: b sees nothing of a's, cannot delete it.
        assert!(store.get(&b, "U1").await.unwrap().is_none());
        assert!(!store.delete(&b, "U1", None).await.unwrap());
        assert!(store.get(&a, "U1").await.unwrap().is_some());
        let page = store
            .list(&b, &ListFilter::default(), 10, None)
            .await
            .unwrap();
        assert!(page.records.is_empty());

        // Listing with filters and paging.
        for (i, (region, industry, chain)) in [
            ("440400", "3852", "家电"),
            ("320500", "3841", "新能源汽车"),
            ("440300", "3922", "电子信息"),
            ("440402", "3851", "家电"),
        ]
        .iter()
        .enumerate()
        {
            store
                .put(
                    record(&a, &format!("U{}", i + 2), region, industry, chain),
                    None,
                )
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store
                .list(&a, &ListFilter::default(), 2, after.as_deref())
                .await
                .unwrap();
            assert!(page.records.len() <= 2);
            seen.extend(page.records.iter().map(|r| r.profile.uscc.clone()));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, ["U1", "U2", "U3", "U4", "U5"]);
        let by_chain = store
            .list(
                &a,
                &ListFilter {
                    chain: "家电".into(),
                    ..Default::default()
                },
                10,
                None,
            )
            .await
            .unwrap();
        let ids: Vec<_> = by_chain
            .records
            .iter()
            .map(|r| r.profile.uscc.as_str())
            .collect();
        assert_eq!(ids, ["U1", "U2", "U5"]);
        let by_region = store
            .list(
                &a,
                &ListFilter {
                    region_prefix: "4404".into(),
                    ..Default::default()
                },
                10,
                None,
            )
            .await
            .unwrap();
        assert_eq!(by_region.records.len(), 3);
        let by_industry = store
            .list(
                &a,
                &ListFilter {
                    industry_prefix: "385".into(),
                    ..Default::default()
                },
                10,
                None,
            )
            .await
            .unwrap();
        assert_eq!(by_industry.records.len(), 3);

        // Delete, with and without a version.
        let stale = store.delete(&a, "U2", Some(7)).await.unwrap_err();
        assert!(matches!(stale, StoreError::Conflict { .. }));
        assert!(store.delete(&a, "U2", Some(1)).await.unwrap());
        assert!(store.get(&a, "U2").await.unwrap().is_none());
        assert!(!store.delete(&a, "U2", None).await.unwrap());
        for u in ["U1", "U3", "U4", "U5"] {
            assert!(store.delete(&a, u, None).await.unwrap());
        }
        assert!(
            store
                .list(&a, &ListFilter::default(), 10, None)
                .await
                .unwrap()
                .records
                .is_empty()
        );
    }
}
