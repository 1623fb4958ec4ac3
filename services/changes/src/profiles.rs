//! The profiling service's ListEnterprises as a [`ProfileSource`]: how
//! stdnav-changes reads the tenants' enterprises. (A process that holds the
//! profile store itself, the all-in-one or the CLI, hands over the store,
//! which is a source too.)

use async_trait::async_trait;
use tonic::transport::Channel;

use stdnav_core::source::{ProfilePage, ProfileSource, ProfileSourceError};
use stdnav_proto::convert::profile::record_from_pb;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;

/// The profiling service's ListEnterprises, acting for each tenant through
/// `x-stdnav-tenant`. A profiling service with API keys takes the tenant
/// from the key, but for a `service` key, which reads for the tenant a call
/// names: that is the key to give here.
#[derive(Clone)]
pub struct RemoteProfiles {
    client: ProfilingServiceClient<Channel>,
    /// Presented as `authorization: Bearer <key>`.
    key: Option<String>,
}

impl RemoteProfiles {
    /// `key`: the service key the profiling service requires, if it does.
    pub fn new(channel: Channel, key: Option<String>) -> Self {
        let key = key.filter(|k| !k.is_empty());
        Self {
            client: ProfilingServiceClient::new(channel)
                .max_decoding_message_size(stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES),
            key,
        }
    }
}

#[async_trait]
impl ProfileSource for RemoteProfiles {
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<ProfilePage, ProfileSourceError> {
        let mut request = tonic::Request::new(ppb::ListEnterprisesRequest {
            page_size: size as u32,
            page_token: after.unwrap_or_default().to_string(),
            ..Default::default()
        });
        stdnav_runtime::tenant::set_tenant(&mut request, tenant);
        if let Some(key) = &self.key {
            stdnav_runtime::auth::present_key(&mut request, key)
                .map_err(|why| ProfileSourceError::Internal(why.into()))?;
        }
        let page = self
            .client
            .clone()
            .list_enterprises(request)
            .await
            .map_err(|e| {
                let why = format!("profiling service: {} ({:?})", e.message(), e.code());
                match e.code() {
                    tonic::Code::Unavailable
                    | tonic::Code::DeadlineExceeded
                    | tonic::Code::Cancelled
                    | tonic::Code::ResourceExhausted => ProfileSourceError::Unavailable(why),
                    _ => ProfileSourceError::Internal(why),
                }
            })?
            .into_inner();
        let records = page
            .enterprises
            .into_iter()
            .map(|r| {
                record_from_pb(r, "").map_err(|errors| {
                    ProfileSourceError::Internal(format!(
                        "profiling service answered a record it cannot have stored: {}",
                        errors
                            .iter()
                            .map(|e| format!("{}: {}", e.field, e.reason))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProfilePage {
            records,
            next: Some(page.next_page_token).filter(|t| !t.is_empty()),
        })
    }
}
