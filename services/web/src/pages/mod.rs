//! The server-rendered pages: each handler reads its parameters, asks the
//! [`crate::backend::Backend`] (through the same calls as the JSON API),
//! shapes a view and renders a template. Templates escape every value
//! (minijinja's HTML auto-escape); the one value marked safe is a search
//! hit's highlighted title, checked (in `search`) to hold no tag but `<b>`.
//!
//! This module holds what every page shares: the browser session and CSRF
//! checks, the templates, links and rendering, the error page. The pages
//! themselves are in one file per family, their handlers re-exported here
//! for the router.

mod changes;
mod check;
mod enterprise;
mod login;
mod map;
mod search;

pub(crate) use changes::changes;
pub(crate) use check::{check_get, check_post};
pub(crate) use enterprise::{enterprise_get, enterprise_post};
pub(crate) use login::{login_get, login_post, logout};
pub(crate) use map::{city, index_csv, index_page, map};
pub(crate) use search::{search, standard};

use std::sync::OnceLock;

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{AppState, IndexParams};
use crate::backend::Caller;
use crate::error::ApiError;
use crate::i18n::{Lang, words};
use crate::index;
use crate::session::{self, SessionView};

/// What a page request carries beside its parameters: the key of its
/// browser session (when it presented no key of its own), the session's
/// CSRF token for the page's forms, and whether `Secure` cookies would be
/// refused (plain HTTP to a loopback host).
#[derive(Debug, Clone, Default)]
pub(crate) struct PageCtx {
    key: Option<String>,
    session_id: Option<String>,
    pub session: Option<SessionView>,
    plain_loopback: bool,
}

tokio::task_local! {
    /// The page request being answered, for [`render`] (the logout form's token).
    static PAGE: PageCtx;
}

/// Middleware of the pages: finds the browser session, hands it to the
/// handler (request extension) and to the templates (task-local).
pub(crate) async fn page_session(
    State(s): State<AppState>,
    mut request: Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers();
    let mut ctx = PageCtx {
        plain_loopback: session::plain_loopback(headers),
        ..PageCtx::default()
    };
    if !Caller::from_headers(headers).has_key()
        && let Some(id) = session::cookie(headers, session::COOKIE)
        && let Some((key, view)) = s.sessions.get(id)
    {
        ctx.key = Some(key);
        ctx.session_id = Some(id.to_string());
        ctx.session = Some(view);
    }
    request.extensions_mut().insert(ctx.clone());
    PAGE.scope(ctx, next.run(request)).await
}

/// The caller of a page: its own key or tenant header, else its browser
/// session's key; and the session, if any.
pub(crate) struct PageWho(pub Caller, pub Option<SessionView>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageWho {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        let ctx = parts
            .extensions
            .get::<PageCtx>()
            .cloned()
            .unwrap_or_default();
        let caller = match &ctx.key {
            Some(key) => Caller::with_key(key),
            None => Caller::from_headers(&parts.headers),
        };
        Ok(Self(caller, ctx.session))
    }
}

/// Whether a form POSTed with a browser session carries that session's
/// CSRF token and comes from this site; a POST without a session (a key
/// in a header, or no keys at all) has no ambient credential to abuse.
fn csrf_ok(session: &Option<SessionView>, headers: &axum::http::HeaderMap, token: &str) -> bool {
    match session {
        None => true,
        Some(view) => session::same_origin(headers) && session::same_token(&view.csrf, token),
    }
}

fn csrf_error() -> ApiError {
    ApiError::forbidden(
        "CSRF_FAILED",
        "the form's CSRF token is missing, stale or from another site",
    )
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("error.html", include_str!("../../templates/error.html")),
            ("map.html", include_str!("../../templates/map.html")),
            ("city.html", include_str!("../../templates/city.html")),
            ("index.html", include_str!("../../templates/index.html")),
            (
                "enterprise.html",
                include_str!("../../templates/enterprise.html"),
            ),
            ("search.html", include_str!("../../templates/search.html")),
            (
                "standard.html",
                include_str!("../../templates/standard.html"),
            ),
            ("changes.html", include_str!("../../templates/changes.html")),
            ("check.html", include_str!("../../templates/check.html")),
            ("login.html", include_str!("../../templates/login.html")),
        ] {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env
    })
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path?k=v&…` from pairs, empty values left out.
fn url(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// The page's own address in the other language.
fn switch_url(uri: &Uri, lang: Lang) -> String {
    let pairs: Vec<(String, String)> = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let mut kept: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    kept.push(("lang", lang.other().code().to_string()));
    url(uri.path(), &kept)
}

/// Renders `name` with the page's words, language and switch link.
fn render(name: &str, lang: Lang, uri: &Uri, status: StatusCode, mut ctx: Value) -> Response {
    if let Value::Object(map) = &mut ctx {
        map.insert("t".into(), json!(words(lang)));
        map.insert("lang".into(), json!(lang.code()));
        map.insert("switch_url".into(), json!(switch_url(uri, lang)));
        let session = PAGE
            .try_with(|p| p.session.clone())
            .ok()
            .flatten()
            .map(|v| json!({"csrf": v.csrf}));
        map.insert("session".into(), session.unwrap_or(Value::Null));
    }
    match templates().get_template(name).and_then(|t| t.render(&ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template = name, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn error_page(lang: Lang, uri: &Uri, e: ApiError) -> Response {
    if e.status() == StatusCode::UNAUTHORIZED {
        // Keys are on and the browser has no session: the login form, here.
        let next = uri.path_and_query().map_or("/", |p| p.as_str());
        return login::login_form(
            lang,
            uri,
            StatusCode::UNAUTHORIZED,
            next,
            "login_needed",
            false,
        );
    }
    if e.body().reason == "CSRF_FAILED" {
        let mut body = e.body().clone();
        body.message = words(lang)["csrf_failed"].to_string();
        return render(
            "error.html",
            lang,
            uri,
            e.status(),
            json!({ "error": body }),
        );
    }
    render(
        "error.html",
        lang,
        uri,
        e.status(),
        json!({ "error": e.body() }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LangParam {
    pub lang: Option<String>,
    pub part: Option<String>,
    /// The map's slice: a GB/T 4754 division (`38`).
    pub industry: String,
    /// The map's slice: a chain id or name (at most 128 bytes).
    pub chain: String,
}

impl LangParam {
    fn slice(&self) -> Result<index::Slice, ApiError> {
        IndexParams {
            industry: self.industry.clone(),
            chain: self.chain.clone(),
        }
        .slice()
    }
}

fn lang_of(p: &Option<String>) -> Lang {
    Lang::from_param(p.as_deref())
}

/// The `lang` parameter of a link: only English is spelt out.
fn lang_pair(lang: Lang) -> (&'static str, String) {
    let value = if lang == Lang::En { "en" } else { "" };
    ("lang", value.to_string())
}

/// The title in `lang` when there is one, else the other.
fn title_in<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.is_empty() || zh.is_empty() {
        en
    } else {
        zh
    }
}

/// `YYYY-MM-DD` of a Unix time in milliseconds (UTC).
fn humantime_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_dates() {
        assert_eq!(encode("GB/T 1 中"), "GB%2FT%201%20%E4%B8%AD");
        assert_eq!(
            url("/s", &[("q", "a b".into()), ("x", String::new())]),
            "/s?q=a%20b"
        );
        let uri: Uri = "/search?q=%E7%A9%BA%E8%B0%83&lang=en".parse().unwrap();
        assert_eq!(
            switch_url(&uri, Lang::En),
            "/search?q=%E7%A9%BA%E8%B0%83&lang=zh"
        );
        assert_eq!(humantime_date(0), "1970-01-01");
        assert_eq!(humantime_date(1_767_225_600_000), "2026-01-01");
    }

    #[test]
    fn every_template_parses() {
        for name in [
            "map.html",
            "city.html",
            "index.html",
            "enterprise.html",
            "search.html",
            "standard.html",
            "changes.html",
            "check.html",
            "error.html",
            "login.html",
        ] {
            templates().get_template(name).unwrap();
        }
    }
}
