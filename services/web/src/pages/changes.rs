//! The change feed page: each change with the enterprises it affects.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use stdnav_proto::changes::v1 as cpb;

use super::{PageWho, error_page, humantime_date, lang_of, lang_pair, render, title_in, url};
use crate::api::AppState;
use crate::i18n::Lang;
use crate::model;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ChangesParam {
    pub since: String,
    pub page_token: String,
    pub lang: Option<String>,
}

/// `/changes`: the tenant's change feed with the enterprises affected.
pub(crate) async fn changes(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::words;
    use crate::pages::templates;

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
}
