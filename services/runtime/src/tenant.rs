//! The tenant a call acts for: from the `x-stdnav-tenant` metadata, which the
//! API-key layer (`auth`) sets from the key when keys are on; the advisor passes
//! it on to every downstream call.

use tonic::metadata::{MetadataMap, MetadataValue};

use crate::status::{Violation, invalid_argument};

pub const TENANT_HEADER: &str = "x-stdnav-tenant";
pub const DEFAULT_TENANT: &str = "default";

/// The tenant of a request: letters, digits, `-` and `_`, at most 64 characters.
pub fn tenant_of(metadata: &MetadataMap) -> Result<String, tonic::Status> {
    let Some(value) = metadata.get(TENANT_HEADER) else {
        return Ok(DEFAULT_TENANT.to_string());
    };
    let tenant = value.to_str().unwrap_or("");
    if tenant.is_empty()
        || tenant.len() > 64
        || !tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid_argument(&[Violation::new(
            TENANT_HEADER,
            "tenant must be 1-64 ASCII letters, digits, '-' or '_'",
        )]));
    }
    Ok(tenant.to_string())
}

/// Sets the tenant on an outgoing request.
pub fn set_tenant<T>(request: &mut tonic::Request<T>, tenant: &str) {
    if let Ok(value) = MetadataValue::try_from(tenant) {
        request.metadata_mut().insert(TENANT_HEADER, value);
    }
}
