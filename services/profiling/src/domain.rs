//! The profiling domain: validate, enrich, store per tenant, peer groups.

use std::collections::HashMap;
use std::sync::Arc;

use stdnav_core::catalogue::base_of;
use stdnav_core::enterprise::{self, EnterpriseRecord, FieldError, Profile};
use stdnav_core::reference::Reference;

use crate::store::{EnterpriseStore, ListFilter, Page, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ProfilingError {
    #[error("invalid profile: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("enterprise {0} not found")]
    NotFound(String),
    #[error("version conflict: expected {expected}, stored {actual}")]
    Conflict { expected: u64, actual: u64 },
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for ProfilingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { expected, actual } => Self::Conflict { expected, actual },
            StoreError::Unavailable(m) => Self::Unavailable(m),
            StoreError::BadPageToken => Self::Invalid(vec![FieldError {
                field: "page_token".into(),
                reason: "is not a token from a previous page".into(),
            }]),
            StoreError::Internal(m) => Self::Internal(m),
        }
    }
}

pub const MAX_PAGE_SIZE: usize = 1000;
/// Peer groups are computed over at most this many stored enterprises.
pub const MAX_POPULATION: usize = 100_000;

/// An enterprise's peer group and the distributions the advisor needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerGroup {
    pub group_id: String,
    pub method: String,
    pub size: u32,
    /// (standard line, e.g. `GB/T 19001`, share of peers holding any edition).
    pub shares: Vec<(String, f64)>,
    pub coverage_percentile: f64,
}

pub enum Subject {
    Stored(String),
    Inline(Box<Profile>),
}

pub struct Profiling {
    store: Arc<dyn EnterpriseStore>,
}

impl Profiling {
    pub fn new(store: Arc<dyn EnterpriseStore>) -> Self {
        Self { store }
    }

    pub fn store_kind(&self) -> &'static str {
        self.store.kind()
    }

    /// Validates and enriches without storing.
    pub fn enrich(
        &self,
        tenant: &str,
        profile: &Profile,
    ) -> Result<EnterpriseRecord, ProfilingError> {
        let reference = Reference::get();
        let valid = enterprise::validate(profile, reference).map_err(ProfilingError::Invalid)?;
        let enrichment = enterprise::enrich(&valid, reference);
        Ok(EnterpriseRecord {
            profile: valid.profile,
            enrichment,
            tenant: tenant.to_string(),
            version: 0,
            updated_at_ms: 0,
        })
    }

    pub async fn upsert(
        &self,
        tenant: &str,
        profile: &Profile,
        expected_version: Option<u64>,
    ) -> Result<EnterpriseRecord, ProfilingError> {
        // Validation comes first: nothing is written for a bad profile.
        let record = self.enrich(tenant, profile)?;
        Ok(self.store.put(record, expected_version).await?)
    }

    pub async fn get(&self, tenant: &str, uscc: &str) -> Result<EnterpriseRecord, ProfilingError> {
        let uscc = normalize_uscc(uscc)?;
        self.store
            .get(tenant, &uscc)
            .await?
            .ok_or(ProfilingError::NotFound(uscc))
    }

    pub async fn list(
        &self,
        tenant: &str,
        filter: &ListFilter,
        page_size: usize,
        page_token: &str,
    ) -> Result<Page, ProfilingError> {
        let page_size = if page_size == 0 { 100 } else { page_size };
        if page_size > MAX_PAGE_SIZE {
            return Err(ProfilingError::Invalid(vec![FieldError {
                field: "page_size".into(),
                reason: format!("at most {MAX_PAGE_SIZE}"),
            }]));
        }
        let after = if page_token.is_empty() {
            None
        } else {
            Some(decode_token(page_token)?)
        };
        let mut page = self
            .store
            .list(tenant, filter, page_size, after.as_deref())
            .await?;
        page.next = page.next.map(|n| encode_token(&n));
        Ok(page)
    }

    pub async fn delete(
        &self,
        tenant: &str,
        uscc: &str,
        expected_version: Option<u64>,
    ) -> Result<bool, ProfilingError> {
        let uscc = normalize_uscc(uscc)?;
        Ok(self.store.delete(tenant, &uscc, expected_version).await?)
    }

    /// Every stored enterprise of a tenant (bounded).
    pub async fn population(&self, tenant: &str) -> Result<Vec<EnterpriseRecord>, ProfilingError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .list(
                    tenant,
                    &ListFilter::default(),
                    MAX_PAGE_SIZE,
                    after.as_deref(),
                )
                .await?;
            all.extend(page.records);
            match page.next {
                Some(n) if all.len() < MAX_POPULATION => after = Some(n),
                _ => break,
            }
        }
        Ok(all)
    }

    /// Peers are the tenant's stored enterprises in the same GB/T 4754
    /// division (the issue on peer groups replaces this with k-means).
    pub async fn peer_group(
        &self,
        tenant: &str,
        subject: Subject,
    ) -> Result<PeerGroup, ProfilingError> {
        let record = match subject {
            Subject::Stored(uscc) => self.get(tenant, &uscc).await?,
            Subject::Inline(profile) => self.enrich(tenant, &profile)?,
        };
        let population = self.population(tenant).await?;
        Ok(peer_group_of(&record, &population))
    }
}

fn division(r: &EnterpriseRecord) -> String {
    r.enrichment
        .industries
        .first()
        .and_then(|i| i.get(..2))
        .unwrap_or("")
        .to_string()
}

fn held_lines(r: &EnterpriseRecord) -> Vec<String> {
    let mut lines: Vec<String> = r.enrichment.held.iter().map(|h| base_of(&h.code)).collect();
    lines.sort();
    lines.dedup();
    lines
}

/// Peer group of `record` within `population` (the record itself excluded).
pub fn peer_group_of(record: &EnterpriseRecord, population: &[EnterpriseRecord]) -> PeerGroup {
    let div = division(record);
    let peers: Vec<&EnterpriseRecord> = population
        .iter()
        .filter(|p| p.profile.uscc != record.profile.uscc && division(p) == div)
        .collect();
    let mut counts: HashMap<String, u32> = HashMap::new();
    for p in &peers {
        for line in held_lines(p) {
            *counts.entry(line).or_insert(0) += 1;
        }
    }
    let size = peers.len() as u32;
    let mut shares: Vec<(String, f64)> = counts
        .into_iter()
        .map(|(k, n)| (k, n as f64 / size.max(1) as f64))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mine = held_lines(record).len();
    let coverage_percentile = if peers.is_empty() {
        50.0
    } else {
        let below = peers.iter().filter(|p| held_lines(p).len() < mine).count() as f64;
        let equal = peers.iter().filter(|p| held_lines(p).len() == mine).count() as f64;
        100.0 * (below + 0.5 * equal) / peers.len() as f64
    };
    PeerGroup {
        group_id: format!("division-{div}"),
        method: "industry-division".into(),
        size,
        shares,
        coverage_percentile,
    }
}

fn normalize_uscc(uscc: &str) -> Result<String, ProfilingError> {
    stdnav_core::uscc::validate(uscc).map_err(|e| {
        ProfilingError::Invalid(vec![FieldError {
            field: "uscc".into(),
            reason: e.to_string(),
        }])
    })
}

/// Page tokens are opaque to callers: the last USCC, hex-encoded.
fn encode_token(last: &str) -> String {
    hex::encode(last.as_bytes())
}

fn decode_token(token: &str) -> Result<String, ProfilingError> {
    hex::decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(ProfilingError::from(StoreError::BadPageToken))
}
