//! Logging in with an API key (a browser session), and out.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{PAGE, PageCtx, csrf_error, csrf_ok, error_page, lang_of, render};
use crate::api::AppState;
use crate::backend::Caller;
use crate::i18n::{Lang, words};
use crate::session;

/// The login form's fields; limits in [`session`].
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    pub key: String,
    pub csrf: String,
    pub next: String,
    pub lang: Option<String>,
}

/// The login form with a fresh double-submit token (also set as a cookie
/// for ten minutes); `message` a word key, `error` whether it is one.
pub(super) fn login_form(
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
pub(crate) struct NextParam {
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
pub(crate) async fn login_get(
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
pub(crate) async fn login_post(
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
pub(crate) struct LogoutForm {
    pub csrf: String,
}

/// `POST /logout`: ends the session (its CSRF token required) and clears the cookie.
pub(crate) async fn logout(
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

/// Adds a `Set-Cookie` header; the cookies are built from server-made
/// values, so one that is not a valid header value is left out.
fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}
