//! The catalogue search with its facets, and one standard's page with its lineage graph.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use stdnav_proto::standards::v1 as stpb;

use super::{LangParam, PageWho, error_page, lang_of, lang_pair, render, title_in, url};
use crate::api::{AppState, QueryParams, SearchParams};
use crate::i18n::{Lang, words};
use crate::model;

/// A highlighted title as HTML when it holds no tag but `<b>` and `</b>`
/// (the standards service escapes the rest); else the plain title escaped.
fn safe_highlight(highlighted: &str, plain: &str) -> String {
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
pub(crate) async fn search(
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
pub(crate) struct StandardParam {
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
pub(crate) async fn standard(
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
}
