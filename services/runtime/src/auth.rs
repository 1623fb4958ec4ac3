//! API keys: a tenant and scopes per key, kept in a key file as SHA-256
//! hashes, checked in constant time by a tower layer in front of every
//! service. With keys configured, the tenant of a call comes from its key —
//! a client's own `x-stdnav-tenant` is overwritten — and a key without the
//! scope an RPC needs gets PERMISSION_DENIED.
//!
//! A key is `snk_<id>_<secret>`; only `sha256(secret)` is stored. The file
//! is re-read when it changes, so `stdnav keys revoke` takes effect on
//! running servers within a second.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tonic::codegen::http;
use tonic::metadata::MetadataMap;

use crate::tenant::TENANT_HEADER;

/// Metadata naming the key a call was authenticated with (for audit logs).
pub const KEY_ID_HEADER: &str = "x-stdnav-key-id";
/// Where clients put the key (also accepted: `x-api-key`).
pub const AUTHORIZATION: &str = "authorization";
pub const API_KEY_HEADER: &str = "x-api-key";

/// What a key may do. Read, write and admin each include the ones before
/// them and act for the key's tenant; a service key reads for whichever
/// tenant each call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Search, advise, read enterprises.
    Read,
    /// Also store enterprises.
    Write,
    /// Also ingest catalogues, train models, delete enterprises.
    Admin,
    /// Read only, for the tenant the call names in `x-stdnav-tenant` (the
    /// key's own when it names none): for a service acting for every
    /// tenant, as stdnav-changes reading each tenant's enterprises to tell
    /// them what a catalogue change affects.
    Service,
}

impl Scope {
    /// Whether a key of this scope may make a call that needs `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        match self {
            Scope::Service => needed == Scope::Read,
            own => needed != Scope::Service && own >= needed,
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "admin" => Ok(Self::Admin),
            "service" => Ok(Self::Service),
            other => Err(format!(
                "unknown scope {other:?}: read, write, admin or service"
            )),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
            Self::Service => "service",
        })
    }
}

/// The scope an RPC needs, by its method name.
pub fn required_scope(path: &str) -> Scope {
    let method = path.rsplit('/').next().unwrap_or("");
    match method {
        "Ingest" | "TrainPeerModel" | "DeleteEnterprise" => Scope::Admin,
        "UpsertEnterprise" | "Subscribe" | "Unsubscribe" => Scope::Write,
        _ => Scope::Read,
    }
}

/// One key as stored: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredKey {
    pub id: String,
    pub tenant: String,
    pub scope: Scope,
    /// Hex SHA-256 of the secret.
    pub secret_sha256: String,
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<StoredKey>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

fn rfc3339_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn read_file(path: &Path) -> Result<KeyFile, KeyError> {
    let err = |reason: String| KeyError::File {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| err(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeyFile::default()),
        Err(e) => Err(err(e.to_string())),
    }
}

fn write_file(path: &Path, file: &KeyFile) -> Result<(), KeyError> {
    let err = |reason: String| KeyError::File {
        path: path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    let json = serde_json::to_vec_pretty(file).map_err(|e| err(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(|e| err(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
}

fn valid_tenant(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Creates a key for `tenant` with `scope` in the key file; returns the
/// key (shown once: only its hash is kept) and what was stored.
pub fn create_key(
    path: &Path,
    tenant: &str,
    scope: Scope,
    note: &str,
) -> Result<(String, StoredKey), KeyError> {
    if !valid_tenant(tenant) {
        return Err(KeyError::Invalid(
            "tenant must be 1-64 ASCII letters, digits, '-' or '_'".into(),
        ));
    }
    let mut file = read_file(path)?;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut id_bytes = [0u8; 4];
    rand::rng().fill_bytes(&mut id_bytes);
    let id = hex::encode(id_bytes);
    let stored = StoredKey {
        id: id.clone(),
        tenant: tenant.to_string(),
        scope,
        secret_sha256: sha256_hex(&secret),
        created: rfc3339_now(),
        revoked: None,
        note: note.to_string(),
    };
    file.keys.push(stored.clone());
    write_file(path, &file)?;
    Ok((format!("snk_{id}_{secret}"), stored))
}

pub fn list_keys(path: &Path) -> Result<Vec<StoredKey>, KeyError> {
    Ok(read_file(path)?.keys)
}

/// Marks key `id` revoked; false when there is no such key.
pub fn revoke_key(path: &Path, id: &str) -> Result<bool, KeyError> {
    let mut file = read_file(path)?;
    let Some(key) = file.keys.iter_mut().find(|k| k.id == id) else {
        return Ok(false);
    };
    if key.revoked.is_none() {
        key.revoked = Some(rfc3339_now());
    }
    write_file(path, &file)?;
    Ok(true)
}

/// Who a call is: the key's id, tenant and scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub key_id: String,
    pub tenant: String,
    pub scope: Scope,
}

/// The keys servers check against, re-read when the file changes.
pub struct KeyStore {
    path: PathBuf,
    state: RwLock<Loaded>,
}

struct Loaded {
    keys: BTreeMap<String, StoredKey>,
    modified: Option<SystemTime>,
    checked: Instant,
}

const RECHECK: Duration = Duration::from_secs(1);

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("path", &self.path)
            .finish()
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl KeyStore {
    /// Opens the key file (it may not exist yet: then no key is valid).
    pub fn open(path: impl Into<PathBuf>) -> Result<Arc<Self>, KeyError> {
        let path = path.into();
        let keys = read_file(&path)?
            .keys
            .into_iter()
            .map(|k| (k.id.clone(), k))
            .collect();
        Ok(Arc::new(Self {
            state: RwLock::new(Loaded {
                keys,
                modified: modified(&path),
                checked: Instant::now(),
            }),
            path,
        }))
    }

    fn refresh(&self) {
        let stale = {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            s.checked.elapsed() >= RECHECK
        };
        if !stale {
            return;
        }
        let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
        s.checked = Instant::now();
        let now = modified(&self.path);
        if now != s.modified {
            match read_file(&self.path) {
                Ok(file) => {
                    s.keys = file.keys.into_iter().map(|k| (k.id.clone(), k)).collect();
                    s.modified = now;
                    tracing::info!(path = %self.path.display(), keys = s.keys.len(), "API keys reloaded");
                }
                // Keep the keys we had: a half-written or broken file must not open the door.
                Err(e) => {
                    tracing::warn!(error = %e, "API key file unreadable; keeping the keys loaded before")
                }
            }
        }
    }

    /// The principal of a presented key, or why it is refused.
    pub fn verify(&self, presented: &str) -> Result<Principal, &'static str> {
        self.refresh();
        let rest = presented.strip_prefix("snk_").ok_or("malformed API key")?;
        let (id, secret) = rest.split_once('_').ok_or("malformed API key")?;
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        // Hash what was presented even for an unknown id, so timing says
        // nothing about which ids exist.
        let presented_hash = Sha256::digest(secret.as_bytes());
        let Some(key) = s.keys.get(id) else {
            return Err("unknown or revoked API key");
        };
        let stored = hex::decode(&key.secret_sha256).unwrap_or_default();
        if stored.len() != presented_hash.len()
            || !bool::from(presented_hash.as_slice().ct_eq(stored.as_slice()))
            || key.revoked.is_some()
        {
            return Err("unknown or revoked API key");
        }
        Ok(Principal {
            key_id: key.id.clone(),
            tenant: key.tenant.clone(),
            scope: key.scope,
        })
    }
}

/// The key a request presents: `authorization: Bearer <key>` or `x-api-key`.
fn presented_key(headers: &http::HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        let key = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .unwrap_or(v);
        return Some(key.trim().to_string());
    }
    headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
}

/// Presents `key` on an outgoing request as `authorization: Bearer <key>`
/// (a service calling another with its own key); Err when the key cannot
/// be a header value.
pub fn present_key<T>(request: &mut tonic::Request<T>, key: &str) -> Result<(), &'static str> {
    let value = format!("Bearer {key}")
        .parse()
        .map_err(|_| "the API key is not a header value")?;
    request.metadata_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// Copies the caller's key onto an outgoing request (the advisor calling
/// its backends on the caller's behalf).
pub fn forward_key<T>(from: &MetadataMap, to: &mut tonic::Request<T>) {
    for name in [AUTHORIZATION, API_KEY_HEADER] {
        if let Some(v) = from.get(name) {
            to.metadata_mut().insert(name, v.clone());
        }
    }
}

/// The key id a call was authenticated with, for audit logs ("-" without keys).
pub fn key_id_of(metadata: &MetadataMap) -> String {
    metadata
        .get(KEY_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// Checks one request: health checks pass untouched; everything else needs
/// a valid key with the RPC's scope. On success the key id header is set
/// from the key, and so is the tenant header — but for a service key, which
/// keeps the tenant the call names (checked where it is read).
fn check<B>(keys: &KeyStore, request: &mut http::Request<B>) -> Result<(), tonic::Status> {
    let path = request.uri().path().to_string();
    if path.starts_with("/grpc.health.v1.Health/") {
        return Ok(());
    }
    // Never trust these from outside.
    request.headers_mut().remove(KEY_ID_HEADER);
    let Some(key) = presented_key(request.headers()) else {
        return Err(tonic::Status::unauthenticated(
            "an API key is required: send `authorization: Bearer <key>`",
        ));
    };
    let principal = keys.verify(&key).map_err(tonic::Status::unauthenticated)?;
    let needed = required_scope(&path);
    if !principal.scope.allows(needed) {
        return Err(tonic::Status::permission_denied(format!(
            "{path} needs the {needed} scope; key {} has {}",
            principal.key_id, principal.scope
        )));
    }
    let headers = request.headers_mut();
    let names_tenant = headers.contains_key(TENANT_HEADER);
    if (principal.scope != Scope::Service || !names_tenant)
        && let Ok(v) = http::HeaderValue::from_str(&principal.tenant)
    {
        headers.insert(TENANT_HEADER, v);
    }
    if let Ok(v) = http::HeaderValue::from_str(&principal.key_id) {
        headers.insert(KEY_ID_HEADER, v);
    }
    Ok(())
}

/// The API-key check in front of every service; with no key store every
/// call passes (local use).
#[derive(Clone, Default)]
pub struct ApiKeys(Option<Arc<KeyStore>>);

impl crate::around::Around for ApiKeys {
    type State = ();
    fn before<B>(&self, request: &mut http::Request<B>) -> Result<(), tonic::Status> {
        match &self.0 {
            Some(keys) => check(keys, request),
            None => Ok(()),
        }
    }
}

/// The tower layer of [`ApiKeys`].
pub type AuthLayer = crate::around::AroundLayer<ApiKeys>;

impl AuthLayer {
    pub fn new(keys: Option<Arc<KeyStore>>) -> Self {
        crate::around::AroundLayer(ApiKeys(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_verified_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        let (key, stored) = create_key(&path, "agency-a", Scope::Write, "test").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let secret = key.rsplit('_').next().unwrap();
        assert!(!text.contains(secret), "the secret is never stored");
        assert!(text.contains(&stored.secret_sha256));

        let store = KeyStore::open(&path).unwrap();
        let p = store.verify(&key).unwrap();
        assert_eq!((p.tenant.as_str(), p.scope), ("agency-a", Scope::Write));
        assert!(store.verify(&format!("{key}x")).is_err());
        assert!(store.verify("snk_00000000_abc").is_err());
        assert!(store.verify("garbage").is_err());

        assert!(revoke_key(&path, &stored.id).unwrap());
        assert!(!revoke_key(&path, "nope").unwrap());
        // A running store sees the revocation once the file changed.
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        assert!(store.verify(&key).is_err());
        assert!(create_key(&path, "bad tenant!", Scope::Read, "").is_err());
    }

    #[test]
    fn scopes_by_rpc() {
        assert_eq!(
            required_scope("/stdnav.advisor.v1.AdvisorService/Advise"),
            Scope::Read
        );
        assert_eq!(
            required_scope("/stdnav.profiling.v1.ProfilingService/UpsertEnterprise"),
            Scope::Write
        );
        for write in ["Subscribe", "Unsubscribe"] {
            assert_eq!(
                required_scope(&format!("/stdnav.changes.v1.ChangesService/{write}")),
                Scope::Write
            );
        }
        for admin in ["Ingest", "TrainPeerModel", "DeleteEnterprise"] {
            assert_eq!(required_scope(&format!("/x.Y/{admin}")), Scope::Admin);
        }
        assert!(Scope::Admin > Scope::Write && Scope::Write > Scope::Read);
        assert!(rfc3339_now().ends_with('Z'));
    }

    #[test]
    fn a_service_key_reads_only_and_for_any_tenant_it_names() {
        for (scope, needed, allowed) in [
            (Scope::Service, Scope::Read, true),
            (Scope::Service, Scope::Write, false),
            (Scope::Service, Scope::Admin, false),
            (Scope::Admin, Scope::Read, true),
            (Scope::Admin, Scope::Admin, true),
            (Scope::Write, Scope::Admin, false),
            (Scope::Read, Scope::Read, true),
        ] {
            assert_eq!(scope.allows(needed), allowed, "{scope} for {needed}");
        }
        assert_eq!("service".parse::<Scope>(), Ok(Scope::Service));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        let (service, _) = create_key(&path, "changes", Scope::Service, "").unwrap();
        let (admin, _) = create_key(&path, "agency-a", Scope::Admin, "").unwrap();
        let store = KeyStore::open(&path).unwrap();
        let call = |key: &str, method: &str, tenant: Option<&str>| {
            let mut builder = http::Request::builder()
                .uri(format!(
                    "http://x/stdnav.profiling.v1.ProfilingService/{method}"
                ))
                .header(AUTHORIZATION, format!("Bearer {key}"));
            if let Some(t) = tenant {
                builder = builder.header(TENANT_HEADER, t);
            }
            let mut request = builder.body(()).unwrap();
            check(&store, &mut request).map(|()| {
                request.headers()[TENANT_HEADER]
                    .to_str()
                    .unwrap()
                    .to_string()
            })
        };
        // The tenant a service key's call names is kept; without one, the key's.
        assert_eq!(
            call(&service, "ListEnterprises", Some("agency-b")).unwrap(),
            "agency-b"
        );
        assert_eq!(call(&service, "ListEnterprises", None).unwrap(), "changes");
        let denied = call(&service, "UpsertEnterprise", Some("agency-b")).unwrap_err();
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        // Any other key acts for its own tenant, whatever the call names.
        assert_eq!(
            call(&admin, "ListEnterprises", Some("agency-b")).unwrap(),
            "agency-a"
        );
    }
}
