//! The enterprise page: the profile form and the solution advised for it, roadmap by phase.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use stdnav_core::standard::Status;

use super::{LangParam, PageWho, csrf_error, csrf_ok, error_page, lang_of, render};
use crate::api::{self, AppState};
use crate::error::ApiError;
use crate::i18n::{Lang, words};
use crate::model::{self, Enterprise, Solution};

/// The profile form's fields as typed (lists as text).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(default)]
pub(crate) struct ProfileForm {
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
pub(crate) async fn enterprise_get(
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
pub(crate) async fn enterprise_post(
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

#[cfg(test)]
mod tests {
    use super::*;
    use stdnav_proto::advisor::v1 as apb;

    async fn page(solution: apb::Solution) -> String {
        let mut ctx = json!({ "form": ProfileForm::default() });
        let solution: Solution = solution.into();
        if let (Value::Object(ctx), Value::Object(view)) =
            (&mut ctx, solution_view(&solution, Lang::En))
        {
            ctx.extend(view);
        }
        let uri: Uri = "/enterprise".parse().unwrap();
        let response = render("enterprise.html", Lang::En, &uri, StatusCode::OK, ctx);
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    /// With no peers the page shows no share of peers and no percentile
    /// among them (not "0 %" and the 50 a comparison with nobody gives).
    #[tokio::test]
    async fn without_peers_the_page_shows_no_peer_figures() {
        let gap = apb::PortfolioGap {
            id: "GB 24786-2009".into(),
            title: "一次性使用聚氯乙烯医用检查手套".into(),
            peer_adoption: 0.0,
            mandatory: true,
        };
        let mut solution = apb::Solution {
            maturity: Some(apb::Maturity {
                percentile: 50.0,
                ..Default::default()
            }),
            gaps: Some(apb::Gaps {
                portfolio: vec![gap],
                ..Default::default()
            }),
            ..Default::default()
        };
        let html = page(solution.clone()).await;
        assert!(html.contains("<td>GB 24786-2009</td>"), "{html}");
        assert!(!html.contains("0%"), "{html}");
        assert!(!html.contains(">50.0<"), "{html}");

        let gaps = solution.gaps.as_mut().unwrap();
        gaps.peer_basis = "group 291".into();
        gaps.peer_group_size = 7;
        gaps.portfolio[0].peer_adoption = 0.25;
        let html = page(solution).await;
        assert!(html.contains("<td>25.0%</td>"), "{html}");
        assert!(html.contains(">50.0<"), "{html}");
    }
}
