//! Browser login with an API key: a person types their key once on
//! `/login`; the server checks it against the services (a read with it) and
//! keeps it in memory behind a random session id, which the browser holds
//! in an HttpOnly, SameSite=Strict cookie. The key itself never goes back
//! to the browser. Each session has its own CSRF token, sent as a hidden
//! field by every form that POSTs and checked before the POST acts; the
//! login form, which has no session yet, is protected by a double-submit
//! token in a short-lived cookie of its own. The JSON API never reads these
//! cookies: it stays `Authorization: Bearer` only.
//!
//! `Secure` is set on both cookies unless the request came over plain HTTP
//! to a loopback host (`localhost`, `127.0.0.1`, `[::1]`), so the local
//! all-in-one (`http://127.0.0.1:8080`) can log in; anywhere else, serve
//! the web face behind TLS (a proxy sending `X-Forwarded-Proto: https` is
//! taken at its word; that header can only add `Secure`, never remove it).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use rand::RngCore;

/// The session cookie's name.
pub const COOKIE: &str = "stdnav_session";
/// The login form's double-submit cookie.
pub const LOGIN_COOKIE: &str = "stdnav_login";
/// Sessions kept at once; the least recently used goes beyond it.
pub const MAX_SESSIONS: usize = 10_000;
/// A session unused this long ends.
pub const IDLE: Duration = Duration::from_secs(2 * 3600);
/// A session ends this long after login whatever its use.
pub const ABSOLUTE: Duration = Duration::from_secs(12 * 3600);
/// Longest key accepted on the login form (a `snk_<id>_<secret>` key is ~60).
pub const MAX_KEY_LEN: usize = 256;
/// Longest `next` address carried through the login form.
pub const MAX_NEXT_LEN: usize = 2048;

/// What a page needs of the visitor's session: the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub csrf: String,
}

struct Session {
    key: String,
    csrf: String,
    created: Instant,
    seen: Instant,
}

impl Session {
    fn alive(&self, now: Instant) -> bool {
        now.duration_since(self.created) < ABSOLUTE && now.duration_since(self.seen) < IDLE
    }
}

/// The live sessions of this process (a restart logs everyone out, which
/// is the safe side; replicas behind a load balancer need sticky sessions).
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes as hex, from the thread's CSPRNG.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Equality that takes the same time wherever the first difference lies.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Sessions {
    /// A new session for `key`: its id (the cookie) and CSRF token.
    pub fn create(&self, key: &str) -> (String, String) {
        let now = Instant::now();
        let (id, csrf) = (token(), token());
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.alive(now));
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.seen)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            id.clone(),
            Session {
                key: key.to_string(),
                csrf: csrf.clone(),
                created: now,
                seen: now,
            },
        );
        (id, csrf)
    }

    /// The key and CSRF token of a live session, marking it used.
    pub fn get(&self, id: &str) -> Option<(String, SessionView)> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let session = map.get_mut(id)?;
        if !session.alive(now) {
            map.remove(id);
            return None;
        }
        session.seen = now;
        Some((
            session.key.clone(),
            SessionView {
                csrf: session.csrf.clone(),
            },
        ))
    }

    pub fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether the request came over plain HTTP to a loopback host (see the
/// module's note on `Secure`).
pub fn plain_loopback(headers: &HeaderMap) -> bool {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Strip the port: `[::1]:8080`, `127.0.0.1:8080`, `localhost`.
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    !https
        && (name.eq_ignore_ascii_case("localhost")
            || name
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, `Secure`
/// unless plain-HTTP loopback; `max_age` 0 deletes the cookie.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: Duration) -> String {
    set_cookie_for(plain_loopback(headers), name, value, max_age)
}

/// [`set_cookie`] with [`plain_loopback`] already known.
pub fn set_cookie_for(plain_loopback: bool, name: &str, value: &str, max_age: Duration) -> String {
    let secure = if plain_loopback { "" } else { "; Secure" };
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.as_secs()
    )
}

/// Whether a state-changing request comes from this site by what the
/// browser says: `Sec-Fetch-Site` when sent, else `Origin` against `Host`.
/// Neither sent (an old browser, a script): left to the CSRF token.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (get("origin"), get("host")) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// A local address to return to after login: a path on this site only
/// (`/…`, not `//…` nor `/\…`, which browsers take for another host), in
/// printable ASCII, at most [`MAX_NEXT_LEN`] bytes; else `/`.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= MAX_NEXT_LEN
        // Percent-encoded ASCII only: it becomes a `Location` header.
        && next.bytes().all(|b| b.is_ascii_graphic());
    if ok { next.to_string() } else { "/".into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn sessions_hold_the_key_and_end() {
        let s = Sessions::default();
        let (id, csrf) = s.create("snk_a_b");
        assert_eq!(id.len(), 64);
        let (key, view) = s.get(&id).unwrap();
        assert_eq!(
            (key.as_str(), view.csrf.as_str()),
            ("snk_a_b", csrf.as_str())
        );
        assert!(s.get("nope").is_none());
        s.remove(&id);
        assert!(s.get(&id).is_none() && s.is_empty());
    }

    #[test]
    fn cookies_and_origins() {
        let h = headers(&[
            ("cookie", "a=1; stdnav_session=abc"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), None);
        let local = set_cookie(&h, COOKIE, "x", IDLE);
        assert!(local.contains("HttpOnly") && local.contains("SameSite=Strict"));
        assert!(!local.contains("Secure"), "{local}");
        for host in ["portal.example.cn", "10.0.0.5:8080"] {
            let h = headers(&[("host", host)]);
            assert!(set_cookie(&h, COOKIE, "x", IDLE).ends_with("; Secure"));
        }
        let h = headers(&[("host", "[::1]:8080")]);
        assert!(plain_loopback(&h));
        let h = headers(&[("host", "localhost:1"), ("x-forwarded-proto", "https")]);
        assert!(!plain_loopback(&h));
        assert!(same_origin(&headers(&[
            ("origin", "http://a:1"),
            ("host", "a:1")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil"),
            ("host", "a:1")
        ])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin(&headers(&[("host", "a")])));
        assert!(same_token("ab", "ab") && !same_token("ab", "ac") && !same_token("", ""));
        assert_eq!(safe_next("/city/370200?lang=en"), "/city/370200?lang=en");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/中",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), "/");
        }
    }
}
