//! Where the tenants' enterprises come from: the profile store the
//! profiling service keeps (Redis shared with it, or the embedded store of
//! this process), or the profiling service itself through ListEnterprises.

use async_trait::async_trait;
use tonic::transport::Channel;

use stdnav_profiling::convert::record_from_pb;
use stdnav_profiling::store::{EnterpriseStore, ListFilter, Page, StoreError};
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;

#[async_trait]
pub trait ProfileSource: Send + Sync {
    /// A page of at most `size` of `tenant`'s enterprises, after the page
    /// token `after` (None: from the first); `next` continues it.
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<Page, StoreError>;
}

#[async_trait]
impl<S: EnterpriseStore + ?Sized> ProfileSource for std::sync::Arc<S> {
    async fn page(
        &self,
        tenant: &str,
        after: Option<&str>,
        size: usize,
    ) -> Result<Page, StoreError> {
        self.list(tenant, &ListFilter::default(), size, after).await
    }
}

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
    ) -> Result<Page, StoreError> {
        let mut request = tonic::Request::new(ppb::ListEnterprisesRequest {
            page_size: size as u32,
            page_token: after.unwrap_or_default().to_string(),
            ..Default::default()
        });
        stdnav_runtime::tenant::set_tenant(&mut request, tenant);
        if let Some(key) = &self.key {
            stdnav_runtime::auth::present_key(&mut request, key)
                .map_err(|why| StoreError::Internal(why.into()))?;
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
                    | tonic::Code::ResourceExhausted => StoreError::Unavailable(why),
                    _ => StoreError::Internal(why),
                }
            })?
            .into_inner();
        let records = page
            .enterprises
            .into_iter()
            .map(|r| {
                record_from_pb(r, "").map_err(|errors| {
                    StoreError::Internal(format!(
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
        Ok(Page {
            records,
            next: Some(page.next_page_token).filter(|t| !t.is_empty()),
        })
    }
}
