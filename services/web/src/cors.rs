//! CORS for the JSON API (`/v1/…`, `/openapi.json`): off unless origins are
//! configured (`--cors-origin`, `STDNAV_CORS_ORIGINS`). A browser page served
//! from an allowed origin may then call the API with GET or POST, sending
//! `Authorization` and `Content-Type`; pages, static files and `/healthz`
//! never carry CORS headers.

use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The origins allowed to call the JSON API from a browser; empty: CORS off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    origins: Vec<HeaderValue>,
}

impl Cors {
    /// Allows `origins` (already checked by [`parse_origin`]).
    pub fn new(origins: impl IntoIterator<Item = Origin>) -> Self {
        let mut list: Vec<HeaderValue> = Vec::new();
        for Origin(o) in origins {
            if !list.contains(&o) {
                list.push(o);
            }
        }
        Self { origins: list }
    }

    pub fn is_off(&self) -> bool {
        self.origins.is_empty()
    }

    /// The layer for the API routes; None when CORS is off, so nothing is
    /// added to any answer.
    pub fn layer(&self) -> Option<CorsLayer> {
        if self.is_off() {
            return None;
        }
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(self.origins.iter().cloned()))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        )
    }
}

/// One allowed origin, as a browser sends it in `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(HeaderValue);

/// `--cors-origin`: `scheme://host[:port]`, http or https, nothing after the
/// authority (one trailing `/` is dropped); `*` is refused — list the
/// origins.
pub fn parse_origin(s: &str) -> Result<Origin, String> {
    let t = s.trim();
    let t = t.strip_suffix('/').unwrap_or(t);
    let authority = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("{s:?}: an origin such as https://portal.example.cn (http or https, no path; `*` is not accepted)")
        })?;
    if authority.is_empty()
        || authority.chars().any(|c| {
            matches!(c, '/' | '?' | '#' | '*' | '@') || c.is_whitespace() || c.is_control()
        })
    {
        return Err(format!(
            "{s:?}: an origin is scheme://host[:port], without path, query or wildcard"
        ));
    }
    HeaderValue::from_str(&t.to_ascii_lowercase())
        .map(Origin)
        .map_err(|e| format!("{s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        let ok = parse_origin("https://Portal.example.cn:8443/").unwrap();
        assert_eq!(ok.0, "https://portal.example.cn:8443");
        assert!(parse_origin("http://localhost:3000").is_ok());
        for bad in [
            "*",
            "portal.example.cn",
            "https://",
            "https://a.example/path",
            "ftp://a.example",
            "https://*.example.cn",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        let a = parse_origin("https://a.example").unwrap();
        let cors = Cors::new([a.clone(), a]);
        assert_eq!(cors.origins.len(), 1);
        assert!(Cors::default().is_off() && Cors::default().layer().is_none());
    }
}
