//! The profiling domain: validate, enrich, store per tenant, peer groups.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::peers::{PeerModel, artifact_path, population_hash};
use stdnav_core::enterprise::{self, EnterpriseRecord, FieldError, Profile};
use stdnav_core::industry::{IndustryData, IndustryLevel};
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

/// What an enterprise and its peers have in common.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerBasis {
    pub level: IndustryLevel,
    /// The GB/T 4754-2017 code at `level`, e.g. `3852`.
    pub code: String,
    /// The industry set was large and was narrowed to the enterprise's
    /// k-means cluster inside it (never beyond the code).
    pub narrowed: bool,
}

/// An enterprise's peer group and the distributions the advisor needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerGroup {
    pub group_id: String,
    pub method: String,
    /// Peers in the group, the enterprise itself excluded; 0 with no basis.
    pub size: u32,
    /// `None` when no enterprise shares even the division: the peer signal
    /// is then absent, not "held by 0 % of peers".
    pub basis: Option<PeerBasis>,
    /// (standard line, e.g. `GB/T 19001`, share of peers holding any edition).
    pub shares: Vec<(String, f64)>,
    pub coverage_percentile: f64,
    pub model: Option<PeerModelSummary>,
}

/// What identifies a trained peer model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerModelSummary {
    pub population_hash: String,
    pub population: usize,
    pub k: usize,
    pub inertia: f64,
    pub trained_at_ms: u64,
}

impl PeerModelSummary {
    pub fn of(model: &PeerModel) -> Self {
        Self {
            population_hash: model.population_hash.clone(),
            population: model.population,
            k: model.k,
            inertia: model.inertia,
            trained_at_ms: model.trained_at_ms,
        }
    }
}

impl PeerGroup {
    fn with_model(mut self, model: &PeerModel) -> Self {
        self.model = Some(PeerModelSummary::of(model));
        self
    }
}

pub enum Subject {
    Stored(String),
    /// Validated and enriched first.
    Inline(Box<Profile>),
    /// A record the caller was already given (enriched, or read from the
    /// store): used as it is.
    Record(Box<EnterpriseRecord>),
}

/// Cheap to clone: clones share the store, the industry code lists and the
/// peer models.
#[derive(Clone)]
pub struct Profiling {
    store: Arc<dyn EnterpriseStore>,
    /// The lists profiles are validated and enriched with, given by whoever
    /// starts the service (it knows the data directory).
    industry: Arc<IndustryData>,
    peers: Arc<PeerModels>,
}

/// Peer models per tenant and the writes each tenant saw since its model
/// was trained (in this process).
#[derive(Default)]
struct PeerModels {
    dir: Option<PathBuf>,
    state: Mutex<PeerState>,
    /// Held while a model is loaded or trained: after a burst of writes the
    /// next calls all find the model stale, and one of them trains it while
    /// the others wait for its result instead of training their own.
    training: Mutex<()>,
}

#[derive(Default)]
struct PeerState {
    models: HashMap<String, Arc<PeerModel>>,
    writes: HashMap<String, u64>,
}

impl Profiling {
    /// Industry codes are checked against `industry` (pass
    /// [`IndustryData::form_only`] to check them by form only); peer models
    /// are kept in memory only.
    pub fn new(store: Arc<dyn EnterpriseStore>, industry: impl Into<Arc<IndustryData>>) -> Self {
        Self {
            store,
            industry: industry.into(),
            peers: Arc::default(),
        }
    }

    /// Peer models are also saved to and loaded from `dir`
    /// (`peers-<tenant hex>.json`).
    pub fn with_peer_artifacts(mut self, dir: impl Into<PathBuf>) -> Self {
        self.peers = Arc::new(PeerModels {
            dir: Some(dir.into()),
            ..Default::default()
        });
        self
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
        let valid = enterprise::validate(profile, reference, &self.industry)
            .map_err(ProfilingError::Invalid)?;
        let enrichment = enterprise::enrich(&valid, reference, &self.industry);
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
        let stored = self.store.put(record, expected_version).await?;
        self.note_write(tenant).await;
        Ok(stored)
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
        let deleted = self.store.delete(tenant, &uscc, expected_version).await?;
        if deleted {
            self.note_write(tenant).await;
        }
        Ok(deleted)
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

    /// The enterprise's peer group from the tenant's k-means peer model
    /// (trained on demand, see [`Profiling::peer_model`]).
    pub async fn peer_group(
        &self,
        tenant: &str,
        subject: Subject,
    ) -> Result<PeerGroup, ProfilingError> {
        let record = match subject {
            Subject::Stored(uscc) => self.get(tenant, &uscc).await?,
            Subject::Inline(profile) => self.enrich(tenant, &profile)?,
            Subject::Record(record) => *record,
        };
        let model = self.peer_model(tenant).await?;
        Ok(model.peer_group(&record).with_model(&model))
    }

    /// Trains the tenant's peer model on its stored population now, saves
    /// the artifact (when an artifact directory is set) and serves it.
    pub async fn train_peers(&self, tenant: &str) -> Result<Arc<PeerModel>, ProfilingError> {
        let population = self.population(tenant).await?;
        self.train_on(tenant, population).await
    }

    async fn train_on(
        &self,
        tenant: &str,
        population: Vec<EnterpriseRecord>,
    ) -> Result<Arc<PeerModel>, ProfilingError> {
        let tenant_owned = tenant.to_string();
        // k-means is CPU work: off the async runtime.
        let model =
            tokio::task::spawn_blocking(move || PeerModel::train(&tenant_owned, &population))
                .await
                .map_err(|e| ProfilingError::Internal(e.to_string()))?
                .map_err(|e| ProfilingError::Internal(e.to_string()))?;
        if let Some(dir) = &self.peers.dir {
            model
                .save(&artifact_path(dir, tenant))
                .map_err(|e| ProfilingError::Internal(e.to_string()))?;
        }
        tracing::info!(
            tenant,
            k = model.k,
            population = model.population,
            "peer model trained"
        );
        Ok(self.serve_model(tenant, model).await)
    }

    /// Makes `model` the tenant's, with no writes since.
    async fn serve_model(&self, tenant: &str, model: PeerModel) -> Arc<PeerModel> {
        let model = Arc::new(model);
        let mut state = self.peers.state.lock().await;
        state.models.insert(tenant.to_string(), model.clone());
        state.writes.insert(tenant.to_string(), 0);
        model
    }

    /// The tenant's peer model: the one in memory while fewer than a tenth
    /// of its population was written since it was trained; else the saved
    /// artifact if it was trained on exactly the stored population; else a
    /// new one trained now.
    pub async fn peer_model(&self, tenant: &str) -> Result<Arc<PeerModel>, ProfilingError> {
        if let Some(model) = self.fresh_model(tenant).await {
            return Ok(model);
        }
        // Loading or training runs to its end even when the call that
        // started it gives up: under load a training can outlast a caller's
        // deadline, and one restarted by every next call would never finish.
        let this = self.clone();
        let tenant = tenant.to_string();
        tokio::spawn(async move { this.refresh_model(&tenant).await })
            .await
            .map_err(|e| ProfilingError::Internal(e.to_string()))?
    }

    /// [`Profiling::peer_model`]'s loading or training, one at a time.
    async fn refresh_model(&self, tenant: &str) -> Result<Arc<PeerModel>, ProfilingError> {
        let _training = self.peers.training.lock().await;
        // Another call may have trained it while this one waited.
        if let Some(model) = self.fresh_model(tenant).await {
            return Ok(model);
        }
        let in_memory = self.peers.state.lock().await.models.contains_key(tenant);
        let population = self.population(tenant).await?;
        if !in_memory && let Some(dir) = &self.peers.dir {
            match PeerModel::load(&artifact_path(dir, tenant)) {
                Ok(Some(model)) if model.population_hash == population_hash(&population) => {
                    return Ok(self.serve_model(tenant, model).await);
                }
                Ok(_) => {}
                // A corrupt artifact is replaced, and said so.
                Err(e) => tracing::warn!(error = %e, "peer model artifact unusable; retraining"),
            }
        }
        self.train_on(tenant, population).await
    }

    /// The tenant's model in memory if fewer than a tenth of its
    /// population was written since it was trained.
    async fn fresh_model(&self, tenant: &str) -> Option<Arc<PeerModel>> {
        let state = self.peers.state.lock().await;
        let model = state.models.get(tenant)?;
        let writes = state.writes.get(tenant).copied().unwrap_or(0);
        (writes * 10 < (model.population as u64).max(10)).then(|| model.clone())
    }

    async fn note_write(&self, tenant: &str) {
        *self
            .peers
            .state
            .lock()
            .await
            .writes
            .entry(tenant.to_string())
            .or_insert(0) += 1;
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
