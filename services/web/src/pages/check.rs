//! The document check: the upload form and the report of the standards the documents cite.

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use stdnav_core::standard::Status;

use super::{LangParam, PageWho, csrf_error, error_page, lang_of, render};
use crate::api::AppState;
use crate::i18n::{Lang, words};
use crate::model::{self, CheckReport};
use crate::session;

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
pub(crate) async fn check_get(uri: Uri, Query(p): Query<LangParam>) -> Response {
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
pub(crate) async fn check_post(
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
