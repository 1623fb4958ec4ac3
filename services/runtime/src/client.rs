//! gRPC channels to the other services. Channels connect lazily so a server
//! can hold a channel to itself (the all-in-one process) before it listens.

use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

/// A lazily connecting channel to `address` (`host:port` or `http://host:port`).
pub fn lazy_channel(address: &str) -> Result<Channel, tonic::transport::Error> {
    let uri = if address.starts_with("http://") || address.starts_with("https://") {
        address.to_string()
    } else {
        format!("http://{address}")
    };
    Ok(Endpoint::from_shared(uri)?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true)
        .connect_lazy())
}
