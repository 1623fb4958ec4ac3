//! For callers of the profiling service: storing many enterprises.

use anyhow::Context;
use futures::StreamExt;
use tonic::transport::Channel;

use stdnav_core::enterprise::Profile;
use stdnav_proto::profiling::v1 as pb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;

use stdnav_proto::convert::profile::profile_to_pb;

/// Upserts in flight at once.
pub const UPSERT_PARALLELISM: usize = 8;

/// Upserts `profiles` through the profiling service (replacing any stored
/// version), [`UPSERT_PARALLELISM`] calls at a time, calling `on_stored`
/// after each; the first failure stops it and names the enterprise.
pub async fn upsert_all(
    client: &ProfilingServiceClient<Channel>,
    profiles: &[Profile],
    on_stored: impl Fn(),
) -> anyhow::Result<()> {
    let mut writes = futures::stream::iter(profiles)
        .map(|p| {
            let mut client = client.clone();
            async move {
                client
                    .upsert_enterprise(pb::UpsertEnterpriseRequest {
                        enterprise: Some(profile_to_pb(p)),
                        expected_version: None,
                    })
                    .await
                    .with_context(|| format!("storing enterprise {}", p.uscc))
            }
        })
        .buffer_unordered(UPSERT_PARALLELISM);
    while let Some(write) = writes.next().await {
        write?;
        on_stored();
    }
    Ok(())
}
