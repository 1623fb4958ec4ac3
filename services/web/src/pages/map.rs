//! The province map, one city's page and the development index (table, chart, CSV).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{LangParam, PageWho, error_page, lang_of, lang_pair, render, url};
use crate::api::{self, AppState};
use crate::error::ApiError;
use crate::i18n::{Lang, words};
use crate::index::{self, CityIndex, SHANDONG};

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
pub(crate) async fn map(
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
pub(crate) async fn city(
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
pub(crate) async fn index_page(
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
pub(crate) async fn index_csv(
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
