//! The HTTP server: the JSON API, the pages, the OpenAPI document, static
//! files and health on one router, with the security headers and the body
//! limit on every answer. The entry takes an already bound listener and a
//! shutdown signal, like the gRPC servers.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, BODY_LIMIT};
use crate::backend::Backend;
use crate::cors::Cors;
use crate::pages;

/// The Content-Security-Policy of every answer: nothing but this origin's
/// own files, no inline script or style, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const APP_JS: &str = include_str!("../static/app.js");
const STYLE_CSS: &str = include_str!("../static/style.css");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn healthz(State(s): State<AppState>) -> Response {
    if s.backend.ready().await {
        (StatusCode::OK, "SERVING\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "NOT_SERVING\n").into_response()
    }
}

async fn openapi() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOC.get_or_init(api::openapi_json).clone(),
    )
        .into_response()
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Counts every answer in the process's metrics, by route pattern
/// (unmatched paths under one label).
async fn metered(
    matched: Option<axum::extract::MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let route = matched
        .as_ref()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let response = next.run(request).await;
    stdnav_runtime::metrics::Metrics::global().observe_http(
        &route,
        response.status().as_u16(),
        started,
    );
    response
}

async fn not_found() -> Response {
    crate::error::ApiError::not_found("NOT_FOUND", "no such page or route").into_response()
}

/// How the web face runs beyond its backend.
#[derive(Debug, Clone)]
pub struct Options {
    /// CORS of the JSON API and the OpenAPI document.
    pub cors: Cors,
    /// Where chain batch results are read for the index
    /// (`<dir>/<tenant>/<run>/results.jsonl`); None: stored records only.
    pub batch_results: Option<std::path::PathBuf>,
    /// How long the map's figures are kept per caller (zero: not at all).
    pub figures_ttl: std::time::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cors: Cors::default(),
            batch_results: None,
            figures_ttl: crate::figures::DEFAULT_TTL,
        }
    }
}

/// Every route of the web face over `backend`, CORS off.
pub fn router(backend: Arc<dyn Backend>) -> Router {
    router_with(backend, &Cors::default())
}

/// Every route of the web face over `backend`; `cors` applies to the JSON
/// API and the OpenAPI document only.
pub fn router_with(backend: Arc<dyn Backend>, cors: &Cors) -> Router {
    router_with_options(
        backend,
        &Options {
            cors: cors.clone(),
            ..Options::default()
        },
    )
}

/// Every route of the web face over `backend`, run as `options` say.
pub fn router_with_options(backend: Arc<dyn Backend>, options: &Options) -> Router {
    let state = AppState::new(
        backend,
        crate::figures::Figures::new(options.figures_ttl, options.batch_results.clone()),
    );
    let mut api = api::routes().route("/openapi.json", get(openapi));
    if let Some(layer) = options.cors.layer() {
        api = api.layer(layer);
    }
    // The pages read a browser session (login with a key); the JSON API
    // never does (it takes `Authorization` only).
    let pages = Router::new()
        .route("/", get(pages::map))
        .route("/city/{code}", get(pages::city))
        .route("/index", get(pages::index_page))
        .route("/index.csv", get(pages::index_csv))
        .route(
            "/enterprise",
            get(pages::enterprise_get).post(pages::enterprise_post),
        )
        .route("/search", get(pages::search))
        .route("/standard", get(pages::standard))
        .route("/changes", get(pages::changes))
        .route(
            "/check",
            get(pages::check_get)
                .post(pages::check_post)
                .layer(DefaultBodyLimit::max(crate::check::BODY_LIMIT)),
        )
        .route("/login", get(pages::login_get).post(pages::login_post))
        .route("/logout", axum::routing::post(pages::logout))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::page_session,
        ));
    Router::new()
        .merge(api)
        .merge(pages)
        .route("/healthz", get(healthz))
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/static/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .route_layer(axum::middleware::from_fn(metered))
        .with_state(state)
}

/// A running HTTP server.
pub struct WebHandle {
    pub local_addr: SocketAddr,
    pub join: JoinHandle<std::io::Result<()>>,
}

/// Serves the web face on `listener` until `shutdown` completes, CORS off.
pub fn spawn(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<WebHandle> {
    spawn_with(listener, backend, &Cors::default(), shutdown)
}

/// [`spawn`] with the JSON API's CORS origins.
pub fn spawn_with(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    cors: &Cors,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<WebHandle> {
    spawn_with_options(
        listener,
        backend,
        &Options {
            cors: cors.clone(),
            ..Options::default()
        },
        shutdown,
    )
}

/// [`spawn`] run as `options` say.
pub fn spawn_with_options(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    options: &Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<WebHandle> {
    let local_addr = listener.local_addr()?;
    let app = router_with_options(backend, options);
    let join = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    });
    tracing::info!(addr = %local_addr, "web face on http://{local_addr}/");
    Ok(WebHandle { local_addr, join })
}
