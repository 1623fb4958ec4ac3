//! gRPC channels to the other services. Channels connect lazily so a server
//! can hold a channel to itself (the all-in-one process) before it listens.

use std::time::Duration;

use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

/// A lazily connecting channel to `address` (`host:port`, `http://host:port`
/// or `https://host:port`); with `tls` the connection is TLS whatever the
/// scheme says, so a plaintext fallback cannot happen by mistake.
pub fn lazy_channel(
    address: &str,
    tls: Option<&ClientTlsConfig>,
) -> Result<Channel, tonic::transport::Error> {
    endpoint(address, tls).map(|e| e.connect_lazy())
}

/// The endpoint behind [`lazy_channel`], for callers that connect eagerly.
pub fn endpoint(
    address: &str,
    tls: Option<&ClientTlsConfig>,
) -> Result<Endpoint, tonic::transport::Error> {
    let host = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"))
        .unwrap_or(address);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{host}"))?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true);
    if let Some(tls) = tls {
        endpoint = endpoint.tls_config(tls.clone())?;
    }
    Ok(endpoint)
}
