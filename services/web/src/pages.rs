//! The server-rendered pages: each handler reads its parameters, asks the
//! [`crate::backend::Backend`] (through the same calls as the JSON API),
//! shapes a view and renders a template. Templates escape every value
//! (minijinja's HTML auto-escape); the one value marked safe is a search
//! hit's highlighted title, checked here to hold no tag but `<b>`.

use std::sync::OnceLock;

use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Deserialize;
use serde_json::{Value, json};

use stdnav_core::standard::Status;
use stdnav_proto::changes::v1 as cpb;
use stdnav_proto::standards::v1 as stpb;

use crate::api::{self, AppState, IndexParams, QueryParams, SearchParams};
use crate::backend::Caller;
use crate::error::ApiError;
use crate::i18n::{Lang, words};
use crate::index::{self, CityIndex, SHANDONG};
use crate::model::{self, CheckReport, Enterprise, Solution};
use crate::session::{self, SessionView};

/// What a page request carries beside its parameters: the key of its
/// browser session (when it presented no key of its own), the session's
/// CSRF token for the page's forms, and whether `Secure` cookies would be
/// refused (plain HTTP to a loopback host).
#[derive(Debug, Clone, Default)]
pub struct PageCtx {
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
pub async fn page_session(
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
pub struct PageWho(pub Caller, pub Option<SessionView>);

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
            ("base.html", include_str!("../templates/base.html")),
            ("error.html", include_str!("../templates/error.html")),
            ("map.html", include_str!("../templates/map.html")),
            ("city.html", include_str!("../templates/city.html")),
            ("index.html", include_str!("../templates/index.html")),
            (
                "enterprise.html",
                include_str!("../templates/enterprise.html"),
            ),
            ("search.html", include_str!("../templates/search.html")),
            ("standard.html", include_str!("../templates/standard.html")),
            ("changes.html", include_str!("../templates/changes.html")),
            ("check.html", include_str!("../templates/check.html")),
            ("login.html", include_str!("../templates/login.html")),
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
        return login_form(
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
pub struct LangParam {
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

fn city_name(c: &CityIndex, lang: Lang) -> String {
    match lang {
        Lang::Zh => c.name_zh.clone(),
        Lang::En => c.name_en.clone(),
    }
}

fn part_label(part: &str, lang: Lang) -> String {
    words(lang).get(part).copied().unwrap_or(part).to_string()
}

fn fmt1(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// [`url`] for an HTML attribute: `&` as `&amp;`; the rest is already
/// percent-encoded, so templates may mark it safe (minijinja would turn
/// every `/` into `&#x2f;`).
fn attr_url(path: &str, pairs: &[(&str, String)]) -> String {
    url(path, pairs).replace('&', "&amp;")
}

/// The slice's parameters for a link (empty ones left out).
fn slice_pairs(slice: &index::Slice) -> Vec<(&'static str, String)> {
    vec![
        ("industry", slice.industry.clone().unwrap_or_default()),
        ("chain", slice.chain.clone().unwrap_or_default()),
    ]
}

/// The slice in words (`电气机械和器材制造业 · 家电产业链`), empty for all.
fn slice_label(slice: &index::Slice, lang: Lang) -> String {
    let pick = |(zh, en): (String, String)| if lang == Lang::Zh { zh } else { en };
    let mut words = Vec::new();
    if let Some(d) = &slice.industry {
        words.push(format!("{d} {}", pick(index::division_names(d))));
    }
    if let Some(c) = &slice.chain {
        words.push(pick(index::chain_names(c)));
    }
    words.join(" · ")
}

/// The basis line of the map and the index: what the figures come from, the
/// data date, the chains read.
fn basis_view(data: &api::MapIndex, lang: Lang) -> Value {
    let t = words(lang);
    let chains: Vec<String> = data
        .chains_read
        .iter()
        .map(|c| {
            let (zh, en) = index::chain_names(c);
            if lang == Lang::Zh { zh } else { en }
        })
        .collect();
    json!({
        "code": data.basis.code(),
        "label": t[format!("basis_{}", data.basis.code()).as_str()],
        "data_date": data.data_date,
        "chains": chains.join("、"),
    })
}

/// `/`: the province map, one tile per prefecture city, coloured by the
/// index or one of its parts, for the province or one slice (a GB/T 4754
/// division, an industry chain).
pub async fn map(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(p): Query<LangParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    let slice = match p.slice() {
        Ok(slice) => slice,
        Err(e) => return error_page(lang, &uri, e),
    };
    let snapshot = match s.figures.snapshot(&*s.backend, &c).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
    };
    let (data, _) = api::map_index_of(&snapshot, &slice);
    let part = p
        .part
        .filter(|p| data.basis.parts().iter().any(|(k, _)| k == p))
        .unwrap_or_else(|| "index".into());
    const W: u32 = 100;
    const H: u32 = 80;
    const GAP: u32 = 6;
    let no_data = words(lang)["no_data"];
    let mut city_pairs = slice_pairs(&slice);
    city_pairs.push(lang_pair(lang));
    let cells: Vec<Value> = SHANDONG
        .iter()
        .zip(&data.cities)
        .map(|(cell, city)| {
            let value = city.part(&part);
            let (x, y) = (cell.col * (W + GAP), cell.row * (H + GAP));
            json!({
                "code": city.code,
                "href": attr_url(&format!("/city/{}", city.code), &city_pairs),
                "name": city_name(city, lang),
                "enterprises": city.enterprises,
                "x": x, "y": y, "w": W, "h": H,
                "cx": x + W / 2, "cy": y + H / 2 - 4, "cy2": y + H / 2 + 16,
                "fill": index::colour(value),
                "text_class": if value.unwrap_or(0.0) >= 60.0 { "light" } else { "dark" },
                "value_text": value.map(|v| format!("{v:.1}")).unwrap_or_else(|| no_data.to_string()),
            })
        })
        .collect();
    let part_href = |key: &str| {
        let mut pairs = slice_pairs(&slice);
        pairs.push(("part", key.to_string()));
        pairs.push(lang_pair(lang));
        attr_url("/", &pairs)
    };
    let mut parts = vec![
        json!({"key": "index", "label": part_label("index", lang), "href": part_href("index")}),
    ];
    parts.extend(
        data.basis
            .parts()
            .iter()
            .map(|(k, _)| json!({"key": k, "label": part_label(k, lang), "href": part_href(k)})),
    );
    // The slices on offer: the divisions and chains of the tenant's
    // enterprises in the province, most enterprises first.
    let mut divisions = std::collections::BTreeMap::<String, u32>::new();
    let mut chains = std::collections::BTreeMap::<String, u32>::new();
    for r in &snapshot.records {
        if let Some(d) = index::division_of(r) {
            *divisions.entry(d).or_default() += 1;
        }
        for m in &r.enterprise.chains {
            *chains.entry(m.chain.clone()).or_default() += 1;
        }
    }
    let pick = |(zh, en): (String, String)| if lang == Lang::Zh { zh } else { en };
    let mut divisions: Vec<(String, u32)> = divisions.into_iter().collect();
    divisions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let divisions: Vec<Value> = divisions
        .iter()
        .map(|(code, n)| {
            json!({"value": code, "label": format!("{code} {}", pick(index::division_names(code))), "count": n,
                   "on": slice.industry.as_deref() == Some(code.as_str())})
        })
        .collect();
    let mut chains: Vec<(String, u32)> = chains.into_iter().collect();
    chains.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let chains: Vec<Value> = chains
        .iter()
        .map(|(name, n)| {
            json!({"value": name, "label": pick(index::chain_names(name)), "count": n,
                   "on": slice.chain.as_deref() == Some(name.as_str())})
        })
        .collect();
    let legend: Vec<Value> = [
        (0.0, "0–20"),
        (20.0, "20–40"),
        (40.0, "40–60"),
        (60.0, "60–80"),
        (80.0, "80–100"),
    ]
    .iter()
    .map(|(v, label)| json!({"fill": index::colour(Some(*v)), "label": label}))
    .chain(std::iter::once(
        json!({"fill": index::colour(None), "label": no_data}),
    ))
    .collect();
    render(
        "map.html",
        lang,
        &uri,
        StatusCode::OK,
        json!({
            "cells": cells, "parts": parts, "part": part, "legend": legend,
            "total": data.enterprises,
            "width": 7 * (W + GAP), "height": 4 * (H + GAP),
            "divisions": divisions, "chains": chains,
            "slice": slice_label(&slice, lang),
            "all_href": attr_url("/", &[lang_pair(lang)]),
            "basis": basis_view(&data, lang),
        }),
    )
}

/// `/city/{code}`: one city's index, industries, chains and the enterprises
/// lagging most, for the province's slice the map showed.
pub async fn city(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Path(code): Path<String>,
    Query(p): Query<LangParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    if index::city_by_code(&code).is_none() {
        return error_page(
            lang,
            &uri,
            ApiError::not_found("CITY_NOT_FOUND", "not a prefecture city of Shandong"),
        );
    }
    let slice = match p.slice() {
        Ok(slice) => slice,
        Err(e) => return error_page(lang, &uri, e),
    };
    let snapshot = match s.figures.snapshot(&*s.backend, &c).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
    };
    let (data, records) = api::map_index_of(&snapshot, &slice);
    let Some(city) = data.cities.iter().find(|x| x.code == code) else {
        return error_page(
            lang,
            &uri,
            ApiError::not_found("CITY_NOT_FOUND", "no such city"),
        );
    };
    let batch = snapshot
        .batch
        .as_ref()
        .filter(|_| data.basis == index::Basis::BatchResults);
    let result = |uscc: &str| batch.and_then(|b| b.by_uscc.get(uscc));
    let mut members: Vec<_> = records
        .iter()
        .filter(|r| r.enterprise.region.starts_with(&code[..4]))
        .filter(|r| batch.is_none() || result(&r.enterprise.uscc).is_some())
        .collect();
    // Lagging most: the lowest maturity when the chain results say it, else
    // the fewest standards held.
    if batch.is_some() {
        let maturity = |uscc: &str| result(uscc).map_or(0.0, |x| x.maturity);
        members.sort_by(|a, b| {
            maturity(&a.enterprise.uscc)
                .total_cmp(&maturity(&b.enterprise.uscc))
                .then(a.enterprise.uscc.cmp(&b.enterprise.uscc))
        });
    } else {
        members.sort_by_key(|r| (r.enterprise.standards_held.len(), r.enterprise.uscc.clone()));
    }
    let laggards: Vec<Value> = members
        .iter()
        .take(10)
        .map(|r| json!({
            "name": r.enterprise.name, "uscc": r.enterprise.uscc, "held": r.enterprise.standards_held.len(),
            "maturity": fmt1(result(&r.enterprise.uscc).map(|x| x.maturity)),
        }))
        .collect();
    // Products named with no standard found (标准需求挖掘), from the chain results.
    let mut unmatched = std::collections::BTreeMap::<&str, u32>::new();
    for r in &members {
        for product in result(&r.enterprise.uscc)
            .map(|x| x.unmatched_products.as_slice())
            .unwrap_or_default()
        {
            *unmatched.entry(product.as_str()).or_default() += 1;
        }
    }
    let mut unmatched: Vec<Value> = unmatched
        .into_iter()
        .map(|(name, count)| json!({"name": name, "count": count}))
        .collect();
    unmatched.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
    unmatched.truncate(20);
    let mut parts = vec![json!({"label": part_label("index", lang), "value": fmt1(city.index)})];
    parts.extend(
        data.basis
            .parts()
            .iter()
            .map(|(k, _)| json!({"label": part_label(k, lang), "value": fmt1(city.part(k))})),
    );
    let mut back = slice_pairs(&slice);
    back.push(lang_pair(lang));
    render(
        "city.html",
        lang,
        &uri,
        StatusCode::OK,
        json!({
            "city": {
                "name": city_name(city, lang), "enterprises": city.enterprises,
                "parts": parts, "industries": city.industries, "chains": city.chains,
            },
            "laggards": laggards,
            "batch": batch.is_some(),
            "unmatched": unmatched,
            "slice": slice_label(&slice, lang),
            "back_href": attr_url("/", &back),
            "basis": basis_view(&data, lang),
        }),
    )
}

/// `/index`: the development index table and chart.
pub async fn index_page(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(p): Query<LangParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    let slice = match p.slice() {
        Ok(slice) => slice,
        Err(e) => return error_page(lang, &uri, e),
    };
    let data = match api::map_index(&s, &c, &slice).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e),
    };
    let mut sorted: Vec<&CityIndex> = data.cities.iter().collect();
    sorted.sort_by(|a, b| {
        b.index
            .unwrap_or(-1.0)
            .total_cmp(&a.index.unwrap_or(-1.0))
            .then(a.code.cmp(&b.code))
    });
    const LEFT: f64 = 90.0;
    const SCALE: f64 = 5.0;
    let bars: Vec<Value> = sorted
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "name": city_name(c, lang), "y": i * 22 + 4,
                "w": (c.index.unwrap_or(0.0) * SCALE).round(),
                "fill": index::colour(c.index), "value_text": fmt1(c.index),
            })
        })
        .collect();
    let parts = data.basis.parts();
    let rows: Vec<Value> = sorted
        .iter()
        .map(|c| {
            json!({
                "code": c.code, "name": city_name(c, lang), "enterprises": c.enterprises,
                "index": fmt1(c.index),
                "parts": parts.iter().map(|(k, _)| fmt1(c.part(k))).collect::<Vec<_>>(),
            })
        })
        .collect();
    let weights: Vec<Value> = parts
        .iter()
        .map(|(k, w)| json!({"label": part_label(k, lang), "weight": w}))
        .collect();
    render(
        "index.html",
        lang,
        &uri,
        StatusCode::OK,
        json!({
            "chart": {"width": LEFT + 100.0 * SCALE + 60.0, "height": sorted.len() * 22 + 8, "left": LEFT, "bars": bars},
            "rows": rows, "weights": weights,
            "basis": basis_view(&data, lang),
            "slice": slice_label(&slice, lang),
            "csv_href": attr_url("/index.csv", &slice_pairs(&slice)),
        }),
    )
}

/// `/index.csv`: the index table for download.
pub async fn index_csv(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    Query(p): Query<LangParam>,
) -> Response {
    let slice = match p.slice() {
        Ok(slice) => slice,
        Err(e) => return e.into_response(),
    };
    match api::map_index(&s, &c, &slice).await {
        Ok(d) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"stdnav-index.csv\"",
                ),
            ],
            index::to_csv(&d.cities),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The login form's fields; limits in [`session`].
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub key: String,
    pub csrf: String,
    pub next: String,
    pub lang: Option<String>,
}

/// The login form with a fresh double-submit token (also set as a cookie
/// for ten minutes); `message` a word key, `error` whether it is one.
fn login_form(
    lang: Lang,
    uri: &Uri,
    status: StatusCode,
    next: &str,
    message: &str,
    error: bool,
) -> Response {
    let token = session::token();
    let plain = PAGE.try_with(|p| p.plain_loopback).unwrap_or(false);
    let cookie = session::set_cookie_for(
        plain,
        session::LOGIN_COOKIE,
        &token,
        std::time::Duration::from_secs(600),
    );
    let t = words(lang);
    let mut response = render(
        "login.html",
        lang,
        uri,
        status,
        json!({
            "login_csrf": token,
            "next": session::safe_next(next),
            "message": t.get(message).copied().unwrap_or_default(),
            "is_error": error,
        }),
    );
    set_cookie(&mut response, &cookie);
    response
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextParam {
    pub lang: Option<String>,
    pub next: String,
}

/// Whether the services take calls without a key (the server runs
/// without `--keys`): then there is nothing to log in to.
async fn keys_off(s: &AppState) -> bool {
    s.backend
        .list_enterprises(
            &Caller::default(),
            stdnav_proto::profiling::v1::ListEnterprisesRequest {
                page_size: 1,
                ..Default::default()
            },
        )
        .await
        .is_ok()
}

/// `GET /login`: the login form (or, without keys, a note that none is needed).
pub async fn login_get(
    State(s): State<AppState>,
    uri: Uri,
    Query(p): Query<NextParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    if keys_off(&s).await {
        return render(
            "login.html",
            lang,
            &uri,
            StatusCode::OK,
            json!({"no_keys": true, "message": words(lang)["login_not_needed"]}),
        );
    }
    login_form(lang, &uri, StatusCode::OK, &p.next, "", false)
}

/// `POST /login`: checks the key with a one-record read as that key, then
/// opens a session and returns to `next`.
pub async fn login_post(
    State(s): State<AppState>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Query(p): Query<NextParam>,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&form.lang.clone().or(p.lang));
    let expected = session::cookie(&headers, session::LOGIN_COOKIE).unwrap_or("");
    if !session::same_origin(&headers) || !session::same_token(expected, &form.csrf) {
        return login_form(
            lang,
            &uri,
            StatusCode::FORBIDDEN,
            &form.next,
            "login_expired",
            true,
        );
    }
    let key = form.key.trim();
    let well_formed = !key.is_empty()
        && key.len() <= session::MAX_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_graphic());
    if !well_formed {
        return login_form(
            lang,
            &uri,
            StatusCode::UNAUTHORIZED,
            &form.next,
            "login_wrong_key",
            true,
        );
    }
    if keys_off(&s).await {
        return render(
            "login.html",
            lang,
            &uri,
            StatusCode::OK,
            json!({"no_keys": true, "message": words(lang)["login_not_needed"]}),
        );
    }
    let probe = s
        .backend
        .list_enterprises(
            &Caller::with_key(key),
            stdnav_proto::profiling::v1::ListEnterprisesRequest {
                page_size: 1,
                ..Default::default()
            },
        )
        .await;
    match probe {
        Ok(_) => {}
        Err(status) if status.code() == tonic::Code::Unauthenticated => {
            return login_form(
                lang,
                &uri,
                StatusCode::UNAUTHORIZED,
                &form.next,
                "login_wrong_key",
                true,
            );
        }
        Err(status) => return error_page(lang, &uri, status.into()),
    }
    let (id, _) = s.sessions.create(key);
    let plain = session::plain_loopback(&headers);
    let mut response =
        axum::response::Redirect::to(&session::safe_next(&form.next)).into_response();
    for cookie in [
        session::set_cookie_for(plain, session::COOKIE, &id, session::ABSOLUTE),
        session::set_cookie_for(plain, session::LOGIN_COOKIE, "", std::time::Duration::ZERO),
    ] {
        set_cookie(&mut response, &cookie);
    }
    response
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    pub csrf: String,
}

/// `POST /logout`: ends the session (its CSRF token required) and clears the cookie.
pub async fn logout(
    State(s): State<AppState>,
    axum::Extension(ctx): axum::Extension<PageCtx>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(id) = &ctx.session_id {
        if !csrf_ok(&ctx.session, &headers, &form.csrf) {
            return error_page(Lang::Zh, &uri, csrf_error());
        }
        s.sessions.remove(id);
    }
    let mut response = axum::response::Redirect::to("/login").into_response();
    let cookie = session::set_cookie_for(
        ctx.plain_loopback,
        session::COOKIE,
        "",
        std::time::Duration::ZERO,
    );
    set_cookie(&mut response, &cookie);
    response
}

/// The profile form's fields as typed (lists as text).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProfileForm {
    pub uscc: String,
    pub name: String,
    pub region: String,
    pub industries: String,
    pub products: String,
    pub markets: String,
    pub standards_held: String,
    pub lang: Option<String>,
    /// The session's CSRF token (POST with a browser session only).
    #[serde(skip_serializing)]
    pub csrf: String,
}

fn split(text: &str, by: &[char]) -> Vec<String> {
    text.split(|c| by.contains(&c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl ProfileForm {
    fn enterprise(&self) -> Enterprise {
        Enterprise {
            uscc: self.uscc.trim().to_string(),
            name: self.name.trim().to_string(),
            region: self.region.trim().to_string(),
            industries: split(&self.industries, &[',', '，', ' ', '\n']),
            products: split(&self.products, &['\n', '；', ';']),
            markets: split(&self.markets, &[',', '，', ' ', '\n']),
            standards_held: split(&self.standards_held, &['\n', '；', ';']),
            ..Enterprise::default()
        }
    }
}

/// Why a roadmap step, in `lang`. The advisor writes it in English; in
/// Chinese it is said again from the solution's own items: the must or
/// should item's first reason, the upgrade's editions.
fn roadmap_why(solution: &Solution, step: &model::RoadmapStep, lang: Lang) -> String {
    if lang == Lang::En {
        return step.why.clone();
    }
    let id = step.standard_id.as_str();
    let first = |codes: &[model::ReasonCode]| codes.first().map(|r| r.zh.clone());
    if step.action == "draft_enterprise_standard" {
        return format!(
            "未找到适用于“{id}”的标准：将其要求制定为企业标准（Q/…），并考虑制定团体标准"
        );
    }
    if let Some(m) = solution.must.iter().find(|m| m.id == id) {
        return match (m.holding.as_str(), first(&m.reason_codes)) {
            ("held_old_edition", _) => format!("强制性标准，贵企业持有旧版本 {}", m.held_as),
            (_, Some(r)) => format!("强制性标准：{r}"),
            (_, None) => "强制性标准".into(),
        };
    }
    if let Some(u) = solution.upgrades.iter().find(|u| u.current == id) {
        let status = match Status::from_name(&u.held_status) {
            Some(s) => s.name_zh(),
            None => u.held_status.as_str(),
        };
        return format!("{} {status}，现行版本为 {}", u.held, u.current);
    }
    if let Some(x) = solution.should.iter().find(|x| x.id == id) {
        return first(&x.reason_codes).unwrap_or_else(|| "推荐采用".into());
    }
    step.why.clone()
}

/// The solution shaped for the page: the roadmap by phase, labels in `lang`.
fn solution_view(solution: &Solution, lang: Lang) -> Value {
    let t = words(lang);
    let phases: Vec<Value> = ["now", "within_6_months", "within_12_months"]
        .iter()
        .map(|phase| {
            let steps: Vec<Value> = solution
                .roadmap
                .iter()
                .filter(|s| s.phase == *phase)
                .map(|s| {
                    let action = t
                        .get(format!("action_{}", s.action).as_str())
                        .copied()
                        .unwrap_or(s.action.as_str());
                    json!({"action": action, "standard_id": s.standard_id, "title": s.title, "why": roadmap_why(solution, s, lang)})
                })
                .collect();
            json!({"label": t.get(format!("phase_{phase}").as_str()).copied().unwrap_or(phase), "steps": steps})
        })
        .collect();
    json!({ "solution": solution, "phases": phases })
}

async fn enterprise_page(
    s: AppState,
    c: crate::backend::Caller,
    uri: Uri,
    form: ProfileForm,
    request: Option<api::AdviseBody>,
) -> Response {
    let lang = lang_of(&form.lang);
    let mut ctx = json!({ "form": form });
    let mut status = StatusCode::OK;
    if let Some(body) = request {
        let answer = match body.to_pb() {
            Ok(r) => s.backend.advise(&c, r).await.map_err(ApiError::from),
            Err(e) => Err(e),
        };
        match answer {
            Ok(solution) => {
                let solution: Solution = solution.into();
                if let (Value::Object(ctx), Value::Object(view)) =
                    (&mut ctx, solution_view(&solution, lang))
                {
                    ctx.extend(view);
                }
            }
            // Keys on and no session: the login form rather than the error.
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => return error_page(lang, &uri, e),
            Err(e) => {
                status = e.status();
                ctx["error"] = json!(e.body());
            }
        }
    }
    render("enterprise.html", lang, &uri, status, ctx)
}

/// `GET /enterprise[?uscc=…]`: the form, and a stored enterprise's solution.
pub async fn enterprise_get(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(form): Query<ProfileForm>,
) -> Response {
    let request = (!form.uscc.trim().is_empty()).then(|| api::AdviseBody {
        uscc: Some(form.uscc.trim().to_string()),
        ..Default::default()
    });
    enterprise_page(s, c, uri, form, request).await
}

/// `POST /enterprise`: the solution for the profile typed in the form
/// (advised inline, not stored).
pub async fn enterprise_post(
    State(s): State<AppState>,
    PageWho(c, session): PageWho,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Query(p): Query<LangParam>,
    Form(mut form): Form<ProfileForm>,
) -> Response {
    if form.lang.is_none() {
        form.lang = p.lang;
    }
    if !csrf_ok(&session, &headers, &form.csrf) {
        return error_page(lang_of(&form.lang), &uri, csrf_error());
    }
    let request = api::AdviseBody {
        profile: Some(form.enterprise()),
        ..Default::default()
    };
    enterprise_page(s, c, uri, form, Some(request)).await
}

/// A highlighted title as HTML when it holds no tag but `<b>` and `</b>`
/// (the standards service escapes the rest); else the plain title escaped.
pub fn safe_highlight(highlighted: &str, plain: &str) -> String {
    let stripped = highlighted.replace("<b>", "").replace("</b>", "");
    if highlighted.is_empty() || stripped.contains('<') || stripped.contains('>') {
        escape(plain)
    } else {
        highlighted.to_string()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Which search parameter a facet filters, if any.
fn facet_param(field: &str) -> Option<&'static str> {
    match field {
        "level" => Some("level"),
        "nature" => Some("nature"),
        "status" => Some("status"),
        "ics_field" => Some("ics"),
        "family" => Some("family"),
        "published_year" => Some("year"),
        _ => None,
    }
}

/// The current filters as URL pairs.
fn search_pairs(p: &SearchParams, lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        ("q", p.q.clone()),
        ("level", p.level.clone()),
        ("nature", p.nature.clone()),
        ("status", p.status.clone()),
        ("ics", p.ics.clone()),
        ("family", p.family.clone()),
        (
            "from_year",
            p.from_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        (
            "to_year",
            p.to_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        lang_pair(lang),
    ]
}

fn with(pairs: &[(&'static str, String)], key: &str, value: String) -> Vec<(&'static str, String)> {
    pairs
        .iter()
        .map(|(k, v)| (*k, if *k == key { value.clone() } else { v.clone() }))
        .collect()
}

/// `/search`: the catalogue with facets that filter (one value per field,
/// a second click clears it) and highlighted titles.
pub async fn search(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(lp): Query<LangParam>,
    QueryParams(p): QueryParams<SearchParams>,
) -> Response {
    let lang = lang_of(&lp.lang);
    let pairs = search_pairs(&p, lang);
    let filtered = [&p.level, &p.nature, &p.status, &p.ics, &p.family]
        .iter()
        .any(|v| !v.is_empty())
        || p.from_year.is_some()
        || p.to_year.is_some();
    let hidden: Vec<Value> = pairs
        .iter()
        .filter(|(k, v)| *k != "q" && *k != "lang" && !v.is_empty())
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let mut ctx = json!({ "q": p.q, "hidden": hidden, "filtered": filtered });
    if p.q.trim().is_empty() && !filtered {
        return render("search.html", lang, &uri, StatusCode::OK, ctx);
    }
    let request = match p.to_pb() {
        Ok(r) => r,
        Err(e) => return error_page(lang, &uri, e),
    };
    let result: model::SearchResult = match s.backend.search(&c, request).await {
        Ok(r) => r.into(),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = words(lang);
    let facets: Vec<Value> = result
        .facets
        .iter()
        .map(|f| {
            let param = facet_param(&f.field);
            let values: Vec<Value> = f
                .counts
                .iter()
                .take(12)
                .map(|v| {
                    let (on, url_) = match param {
                        Some("year") => {
                            let on = p.from_year.map(|y| y.to_string()) == Some(v.value.clone())
                                && p.to_year == p.from_year;
                            let year = if on { String::new() } else { v.value.clone() };
                            let pairs = with(&with(&pairs, "from_year", year.clone()), "to_year", year);
                            (on, url("/search", &pairs))
                        }
                        Some(param) => {
                            let current = pairs.iter().find(|(k, _)| *k == param).map(|(_, v)| v.clone()).unwrap_or_default();
                            let on = current == v.value;
                            let next = if on { String::new() } else { v.value.clone() };
                            (on, url("/search", &with(&pairs, param, next)))
                        }
                        None => (false, String::new()),
                    };
                    json!({"value": v.value, "count": v.count, "on": on, "url": url_})
                })
                .collect();
            json!({
                "field": f.field,
                "label": t.get(format!("facet_{}", f.field).as_str()).copied().unwrap_or(f.field.as_str()),
                "values": values,
            })
        })
        .collect();
    let hits: Vec<Value> = result
        .hits
        .iter()
        .map(|h| {
            let s = &h.standard;
            let plain = title_in(lang, &s.title_zh, &s.title_en);
            json!({
                "id": s.id, "title_html": safe_highlight(&h.highlighted_title, plain),
                "level": s.level, "nature": s.nature, "status": s.status, "published": s.published,
            })
        })
        .collect();
    let page = result.page.max(1);
    let pages = result.total.div_ceil(u64::from(result.page_size.max(1)));
    let page_url = |n: u32| {
        let mut pp = pairs.clone();
        pp.push(("page", n.to_string()));
        url("/search", &pp)
    };
    let clear: Vec<(&str, String)> = vec![("q", p.q.clone()), lang_pair(lang)];
    if let Value::Object(m) = &mut ctx {
        m.insert("result".into(), json!({"total": result.total}));
        m.insert("facets".into(), json!(facets));
        m.insert("hits".into(), json!(hits));
        m.insert("clear_url".into(), json!(url("/search", &clear)));
        m.insert(
            "prev_url".into(),
            json!((page > 1).then(|| page_url(page - 1))),
        );
        m.insert(
            "next_url".into(),
            json!((u64::from(page) < pages).then(|| page_url(page + 1))),
        );
    }
    render("search.html", lang, &uri, StatusCode::OK, ctx)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StandardParam {
    pub id: String,
    pub lang: Option<String>,
}

/// The lineage graph laid out in three columns: references on the left,
/// editions in the middle (the root among them), adoptions on the right.
fn lineage_graph(lineage: &model::Lineage) -> Value {
    const NODE_W: u32 = 230;
    const COLS: [u32; 3] = [10, 265, 520];
    const MAX_NODES: usize = 60;
    let mut column: Vec<(String, usize)> = vec![(lineage.root.clone(), 1)];
    let mut changed = true;
    while changed && column.len() < MAX_NODES {
        changed = false;
        for e in &lineage.edges {
            let placed =
                |id: &str, column: &Vec<(String, usize)>| column.iter().any(|(n, _)| n == id);
            let (a, b) = (placed(&e.from, &column), placed(&e.to, &column));
            if a == b {
                continue;
            }
            let new = if a { &e.to } else { &e.from };
            let col = match e.kind.as_str() {
                "replaces" => 1,
                "adopts" if a => 2,
                "adopts" => 0,
                _ if a => 0,
                _ => 2,
            };
            column.push((new.clone(), col));
            changed = true;
            if column.len() >= MAX_NODES {
                break;
            }
        }
    }
    let mut rows = [0u32; 3];
    let mut nodes = Vec::new();
    let mut at = std::collections::HashMap::new();
    for (id, col) in &column {
        let (x, y) = (COLS[*col], 10 + rows[*col] * 40);
        rows[*col] += 1;
        at.insert(id.clone(), (x, y));
        let node = lineage.nodes.iter().find(|n| &n.id == id);
        nodes.push(json!({
            "id": id, "x": x, "y": y, "root": *id == lineage.root,
            "known": node.is_none_or(|n| n.known),
            "title": node.map(|n| n.title.clone()).unwrap_or_default(),
        }));
    }
    let edges: Vec<Value> = lineage
        .edges
        .iter()
        .filter_map(|e| {
            let (x1, y1) = at.get(&e.from)?;
            let (x2, y2) = at.get(&e.to)?;
            Some(json!({
                "x1": x1 + NODE_W / 2, "y1": y1 + 14, "x2": x2 + NODE_W / 2, "y2": y2 + 14, "kind": e.kind,
            }))
        })
        .collect();
    let height = rows.iter().max().copied().unwrap_or(1).max(1) * 40 + 20;
    json!({"nodes": nodes, "edges": edges, "width": 760, "height": height, "node_w": NODE_W})
}

/// `/standard?id=…`: one standard and its lineage drawn as a graph.
pub async fn standard(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(p): Query<StandardParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    let standard = match s.backend.get_standard(&c, p.id.clone()).await {
        Ok(st) => model::Standard::from(st),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let lineage = match s
        .backend
        .lineage(
            &c,
            stpb::LineageRequest {
                id: standard.id.clone(),
                depth: 2,
            },
        )
        .await
    {
        Ok(l) => model::Lineage::from(l),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    render(
        "standard.html",
        lang,
        &uri,
        StatusCode::OK,
        json!({"s": standard, "graph": lineage_graph(&lineage)}),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangesParam {
    pub since: String,
    pub page_token: String,
    pub lang: Option<String>,
}

/// `/changes`: the tenant's change feed with the enterprises affected.
pub async fn changes(
    State(s): State<AppState>,
    PageWho(c, _): PageWho,
    uri: Uri,
    Query(p): Query<ChangesParam>,
) -> Response {
    let lang = lang_of(&p.lang);
    let page: model::ChangesPage = match s
        .backend
        .list_changes(
            &c,
            cpb::ListChangesRequest {
                since: p.since.clone(),
                page_size: 100,
                page_token: p.page_token.clone(),
                max_impacts: None,
            },
        )
        .await
    {
        Ok(r) => r.into(),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let events = change_rows(lang, &page);
    let next_url = (!page.next_page_token.is_empty()).then(|| {
        url(
            "/changes",
            &[
                ("since", p.since.clone()),
                ("page_token", page.next_page_token.clone()),
                lang_pair(lang),
            ],
        )
    });
    render(
        "changes.html",
        lang,
        &uri,
        StatusCode::OK,
        json!({"events": events, "next_url": next_url}),
    )
}

/// The rows of the `/changes` table; `impact_total` ("共 37 家企业") when
/// the feed lists fewer impacts than the change has.
fn change_rows(lang: Lang, page: &model::ChangesPage) -> Vec<Value> {
    page.events
        .iter()
        .map(|f| {
            let e = &f.event;
            let title = title_in(lang, &e.title_zh, &e.title_en);
            let detected = humantime_date(e.detected_ms);
            let total = (f.impact_count as usize > f.impacts.len())
                .then(|| impact_total(lang, f.impact_count));
            json!({
                "detected": detected,
                "kind": e.kind,
                "standard": e.standard,
                "title": title,
                "impacts": f.impacts,
                "impact_count": f.impact_count,
                "impact_total": total,
            })
        })
        .collect()
}

/// How many enterprises a change affects, in words.
fn impact_total(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::Zh, n) => format!("共 {n} 家企业"),
        (Lang::En, 1) => "1 enterprise".to_string(),
        (Lang::En, n) => format!("{n} enterprises"),
    }
}

/// `spec.pdf 第3页第12行` / `spec.pdf p. 3 l. 12`, `list.xlsx Sheet1!B3`.
fn place_text(p: &model::CitationPlace, lang: Lang) -> String {
    let document = if p.document == crate::check::PASTED {
        words(lang)["check_pasted"].to_string()
    } else {
        p.document.clone()
    };
    let mut out = document;
    match lang {
        Lang::Zh => {
            if p.page > 0 {
                out.push_str(&format!(" 第{}页", p.page));
            }
            if !p.cell.is_empty() {
                out.push_str(&format!(" {}", p.cell));
            } else if p.line > 0 {
                out.push_str(&format!(" 第{}行", p.line));
            }
        }
        Lang::En => {
            if p.page > 0 {
                out.push_str(&format!(" p. {}", p.page));
            }
            if !p.cell.is_empty() {
                out.push_str(&format!(" {}", p.cell));
            } else if p.line > 0 {
                out.push_str(&format!(" l. {}", p.line));
            }
        }
    }
    out
}

/// A citation's notes in `lang`, from its fields (the service words them in English).
fn citation_notes(c: &model::Citation, lang: Lang) -> Vec<String> {
    let t = words(lang);
    let mut notes = Vec::new();
    if c.undated && !c.resolved.is_empty() {
        notes.push(format!("{} ({})", t["check_undated"], c.resolved));
    }
    if c.edition_number > 0 {
        notes.push(format!(
            "{} {}",
            t["check_edition_number"], c.edition_number
        ));
    }
    if Status::from_name(&c.status) == Some(Status::Withdrawn) && c.in_force.is_empty() {
        notes.push(t["check_no_replacement"].to_string());
    }
    if Status::from_name(&c.status) == Some(Status::Upcoming) && !c.effective.is_empty() {
        notes.push(format!("{} {}", t["check_effective"], c.effective));
    }
    if !c.partly_replaced_by.is_empty() {
        notes.push(format!(
            "{} {}",
            t["check_partly"],
            c.partly_replaced_by.join(", ")
        ));
    }
    if c.resolved.is_empty() {
        notes.push(t["check_not_in_catalogue"].to_string());
    }
    notes
}

/// The check report shaped for the page: words in `lang`, places described.
fn check_view(report: &CheckReport, lang: Lang) -> Value {
    let t = words(lang);
    let row = |c: &model::Citation| {
        let first = c.places.first();
        let adopts: Vec<String> = c
            .adopts
            .iter()
            .map(|a| {
                let mut s = a.id.clone();
                if a.degree != "unspecified" {
                    s.push_str(&format!(" ({})", a.degree.to_ascii_uppercase()));
                }
                if a.revised && !a.current.is_empty() {
                    s.push_str(&format!(" → {} {}", t["check_revised"], a.current));
                }
                s
            })
            .collect();
        let link = if c.resolved.is_empty() {
            &c.code
        } else {
            &c.resolved
        };
        // The edition in force is news only when it is not the one cited.
        let in_force =
            if Status::from_name(&c.status) == Some(Status::Current) && c.in_force == c.resolved {
                ""
            } else {
                c.in_force.as_str()
            };
        let path = if c.path.len() > 1 {
            c.path.join(" → ")
        } else {
            String::new()
        };
        json!({
            "code": c.code,
            "resolved": link,
            "title": c.title,
            "status": c.status,
            "label": c.status_label,
            "inferred": c.status_inferred,
            "mandatory": c.mandatory,
            "in_force": in_force,
            "path": path,
            "adopts": adopts,
            "where": first.map(|p| place_text(p, lang)).unwrap_or_default(),
            "context": first.map(|p| p.context.as_str()).unwrap_or_default(),
            "occurrences": c.occurrences,
            "notes": citation_notes(c, lang),
        })
    };
    let update_first: Vec<Value> = report
        .summary
        .update_first
        .iter()
        .filter_map(|code| report.citations.iter().find(|c| &c.code == code))
        .map(|c| {
            json!({
                "code": c.code, "mandatory": c.mandatory, "status": c.status,
                "label": c.status_label, "in_force": c.in_force,
            })
        })
        .collect();
    let counts: Vec<Value> = report
        .summary
        .by_status
        .iter()
        .map(|s| json!({"status": s.status, "label": model::status_label(&s.status, lang), "count": s.count}))
        .collect();
    let documents: Vec<Value> = report
        .documents
        .iter()
        .map(|d| {
            let name = if d.name == crate::check::PASTED {
                t["check_pasted"].to_string()
            } else {
                d.name.clone()
            };
            json!({"name": name, "format": d.format, "pages": d.pages, "encoding": d.encoding})
        })
        .collect();
    json!({
        "documents": documents,
        "total": report.summary.total,
        "counts": counts,
        "update_first": update_first,
        "citations": report.citations.iter().map(row).collect::<Vec<_>>(),
        "unknown": report.unknown.iter().map(row).collect::<Vec<_>>(),
        "warnings": report.warnings,
        "truncated": report.truncated,
    })
}

/// `GET /check`: the document check's form.
pub async fn check_get(uri: Uri, Query(p): Query<LangParam>) -> Response {
    render(
        "check.html",
        lang_of(&p.lang),
        &uri,
        StatusCode::OK,
        json!({}),
    )
}

/// `POST /check`: the uploaded documents and pasted list (multipart)
/// streamed to the check; the report as a page.
pub async fn check_post(
    State(s): State<AppState>,
    PageWho(c, session): PageWho,
    uri: Uri,
    Query(p): Query<LangParam>,
    request: Request,
) -> Response {
    // With a browser session the form's first field is its CSRF token,
    // checked before any document is read.
    let csrf = match &session {
        Some(_) if !session::same_origin(request.headers()) => {
            return error_page(lang_of(&p.lang), &uri, csrf_error());
        }
        Some(view) => Some(view.csrf.clone()),
        None => None,
    };
    match crate::check::run_checked(&*s.backend, &c, request, csrf.as_deref()).await {
        Ok((answer, lang)) => {
            let report = CheckReport::from_pb(answer, lang);
            render(
                "check.html",
                lang,
                &uri,
                StatusCode::OK,
                json!({"report": check_view(&report, lang)}),
            )
        }
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => error_page(lang_of(&p.lang), &uri, e),
        Err(e) => render(
            "check.html",
            lang_of(&p.lang),
            &uri,
            e.status(),
            json!({"error": e.body()}),
        ),
    }
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

/// Adds a `Set-Cookie` header; the cookies are built from server-made
/// values, so one that is not a valid header value is left out.
fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_hold_only_bold_tags() {
        assert_eq!(
            safe_highlight("<b>air</b> &amp; heat", "x"),
            "<b>air</b> &amp; heat"
        );
        assert_eq!(
            safe_highlight("<script>alert(1)</script>", "<script>"),
            "&lt;script&gt;"
        );
        assert_eq!(safe_highlight("", "a<b"), "a&lt;b");
    }

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
    fn changes_say_how_many_enterprises_beyond_those_listed() {
        let impact = |i: usize| model::Impact {
            uscc: format!("91370200MA0000000{i}"),
            name: format!("企业{i}"),
            reasons: Vec::new(),
        };
        let entry = |listed: usize, count: u32| model::FeedEvent {
            cursor: String::new(),
            event: model::ChangeEvent {
                id: "e".into(),
                kind: "withdrawn".into(),
                standard: "GB/T 19000-2016".into(),
                title_zh: "质量管理体系 基础和术语".into(),
                title_en: String::new(),
                replacements: Vec::new(),
                previous: String::new(),
                source: String::new(),
                detected_ms: 0,
                effective: String::new(),
                due: String::new(),
                mandatory: false,
            },
            impacts: (0..listed).map(impact).collect(),
            impact_count: count,
            subscriptions: Vec::new(),
        };
        let page = model::ChangesPage {
            events: vec![entry(10, 37), entry(3, 3)],
            next_page_token: String::new(),
        };
        for (lang, expected) in [(Lang::Zh, "共 37 家企业"), (Lang::En, "37 enterprises")] {
            let rows = change_rows(lang, &page);
            assert_eq!(rows[0]["impact_total"], expected);
            assert!(rows[1]["impact_total"].is_null(), "all 3 are listed");
            let html = templates()
                .get_template("changes.html")
                .unwrap()
                .render(json!({"events": rows, "t": words(lang), "lang": lang.code()}))
                .unwrap();
            assert_eq!(html.matches("class=\"impact-total\"").count(), 1, "{html}");
            assert!(html.contains(expected), "{html}");
        }
        assert_eq!(impact_total(Lang::En, 1), "1 enterprise");
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
