//! The web face over HTTP, end to end: `stdnav serve --keys --http-listen`
//! with two tenants. Every route of the OpenAPI document answers and its
//! answer matches the documented schema; errors carry the gRPC error
//! model; every page renders, escapes what it shows and sends a strict
//! Content-Security-Policy; one tenant never sees another's enterprises.
//! One server for the whole file (it takes seconds to start), checks in
//! sequence.

#[path = "support/web.rs"]
mod web;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::{Value, json};
use web::{WebServer, get, post_json, try_request};

/// Checks `value` against an OpenAPI 3.1 schema (the parts utoipa emits:
/// `$ref`, `type` — one or a list —, `properties`, `required`, `items`,
/// `oneOf`/`anyOf`/`allOf`, `enum`); every property returned must be
/// documented. Returns the first mismatch with its JSON path.
fn validate(doc: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "unresolved {r}");
        return validate(doc, target, value, path);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            if options
                .iter()
                .any(|o| validate(doc, o, value, path).is_ok())
            {
                return Ok(());
            }
            return Err(format!("{path}: matches none of {key}"));
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(doc, s, value, path)?;
        }
        return Ok(());
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{path}: {value} not in the enum"));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.is_empty() {
        return Ok(());
    }
    let fits = |t: &str| match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    };
    if !types.iter().any(|t| fits(t)) {
        return Err(format!("{path}: {value} is not {types:?}"));
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            validate(doc, &schema["items"], item, &format!("{path}[{i}]"))?;
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap();
            if !object.contains_key(name) {
                return Err(format!("{path}: required {name} missing"));
            }
        }
        if let Some(properties) = properties {
            for (k, v) in object {
                let Some(s) = properties.get(k) else {
                    return Err(format!("{path}: {k} is not documented"));
                };
                validate(doc, s, v, &format!("{path}.{k}"))?;
            }
        }
    }
    Ok(())
}

/// One stored enterprise of agency-a, by listing.
fn some_uscc(s: &WebServer) -> String {
    let r = get(s.http, "/v1/enterprises?page_size=5", Some(&s.keys.a_read));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["enterprises"][0]["enterprise"]["uscc"]
        .as_str()
        .unwrap()
        .to_string()
}

fn profile(uscc: &str, name: &str) -> Value {
    json!({
        "uscc": uscc, "name": name, "region": "370202",
        "industries": ["C3851"], "products": ["家用电冰箱"],
        "markets": ["CN"], "standards_held": ["GB/T 19001-2016", "Q/QD 001-2024"],
        "certifications": ["ISO 9001"],
        "chains": [{"chain": "appliances", "segment": "downstream"}],
    })
}

fn every_route_answers_as_documented(s: &WebServer) {
    let doc = get(s.http, "/openapi.json", None).json();
    let uscc = some_uscc(s);
    let hit = get(
        s.http,
        "/v1/search?q=%E7%A9%BA%E8%B0%83",
        Some(&s.keys.a_read),
    )
    .json();
    let id = hit["hits"][0]["standard"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id_q = id.replace(' ', "%20").replace('/', "%2F");
    let new = web::uscc(4242);
    // The request that exercises each documented route.
    let calls: BTreeMap<(&str, &str), (String, Option<Value>)> = BTreeMap::from([
        (
            ("post", "/v1/advise"),
            ("/v1/advise".into(), Some(json!({"uscc": uscc}))),
        ),
        (
            ("post", "/v1/benchmark-gaps"),
            ("/v1/benchmark-gaps".into(), Some(json!({"uscc": uscc}))),
        ),
        (
            ("get", "/v1/search"),
            (
                "/v1/search?q=%E7%A9%BA%E8%B0%83&status=current".into(),
                None,
            ),
        ),
        (
            ("get", "/v1/statistics"),
            ("/v1/statistics?group_by=level".into(), None),
        ),
        (
            ("get", "/v1/standard"),
            (format!("/v1/standard?id={id_q}"), None),
        ),
        (
            ("get", "/v1/lineage"),
            (format!("/v1/lineage?id={id_q}"), None),
        ),
        (
            ("get", "/v1/enterprises"),
            ("/v1/enterprises?page_size=3".into(), None),
        ),
        (
            ("post", "/v1/enterprises"),
            (
                "/v1/enterprises".into(),
                Some(json!({"enterprise": profile(&new, "示例网页企业")})),
            ),
        ),
        (
            ("get", "/v1/enterprises/{uscc}"),
            (format!("/v1/enterprises/{uscc}"), None),
        ),
        (
            ("get", "/v1/enterprises/{uscc}/peers"),
            (format!("/v1/enterprises/{uscc}/peers"), None),
        ),
        (
            ("get", "/v1/changes"),
            ("/v1/changes?page_size=5".into(), None),
        ),
        (("get", "/v1/index"), ("/v1/index".into(), None)),
    ]);
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let (url, body) = calls
                .get(&(method.as_str(), path.as_str()))
                .unwrap_or_else(|| panic!("no test call for {method} {path}: add one"));
            let r = match body {
                Some(b) => post_json(s.http, url, Some(&s.keys.a_write), b),
                None => get(s.http, url, Some(&s.keys.a_write)),
            };
            assert_eq!(r.status, 200, "{method} {url}: {}", r.body);
            assert!(
                r.header("content-type")
                    .unwrap_or("")
                    .starts_with("application/json"),
                "{method} {url}"
            );
            let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
            assert!(
                !schema.is_null(),
                "{method} {path} documents its 200 answer"
            );
            validate(&doc, schema, &r.json(), "$")
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            seen += 1;
        }
    }
    assert_eq!(seen, calls.len(), "every test call is a documented route");
    // The stored enterprise reads back.
    let r = get(
        s.http,
        &format!("/v1/enterprises/{new}"),
        Some(&s.keys.a_read),
    );
    assert_eq!(r.json()["enterprise"]["name"], "示例网页企业");
}

fn error(r: &web::Response) -> (u16, String, String, Vec<String>) {
    let v = r.json();
    let fields = v["field_violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (
        r.status,
        v["code"].as_str().unwrap_or("").to_string(),
        v["reason"].as_str().unwrap_or("").to_string(),
        fields,
    )
}

fn errors_follow_the_grpc_error_model(s: &WebServer) {
    let a = Some(s.keys.a_write.as_str());
    let r = get(s.http, "/v1/enterprises", None);
    assert_eq!(error(&r).0, 401);
    assert_eq!(error(&r).1, "UNAUTHENTICATED");
    let r = get(s.http, "/v1/enterprises", Some("snk_bad_key"));
    assert_eq!(error(&r).0, 401);
    let r = post_json(
        s.http,
        "/v1/enterprises",
        Some(&s.keys.a_read),
        &json!({"enterprise": profile(&web::uscc(7), "x")}),
    );
    assert_eq!(
        (error(&r).0, error(&r).1.as_str()),
        (403, "PERMISSION_DENIED")
    );
    let mut bad = profile("91370200MA00000000", "");
    bad["products"] = json!([]);
    let r = post_json(s.http, "/v1/enterprises", a, &json!({ "enterprise": bad }));
    let (status, code, reason, fields) = error(&r);
    assert_eq!(
        (status, code.as_str(), reason.as_str()),
        (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    );
    for f in ["enterprise.uscc", "enterprise.name", "enterprise.products"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    let r = post_json(
        s.http,
        "/v1/advise",
        a,
        &json!({"profile": {"uscc": "", "name": "x", "industries": ["C9999"], "products": ["a"]}}),
    );
    assert_eq!(error(&r).0, 400, "{}", r.body);
    assert!(
        error(&r).3.iter().any(|f| f.starts_with("profile.")),
        "{}",
        r.body
    );
    let r = get(s.http, &format!("/v1/enterprises/{}", web::uscc(99)), a);
    assert_eq!(
        (error(&r).0, error(&r).2.as_str()),
        (404, "ENTERPRISE_NOT_FOUND")
    );
    let r = get(s.http, "/v1/standard?id=GB%2FT%2099999-2099", a);
    assert_eq!(
        (error(&r).0, error(&r).2.as_str()),
        (404, "STANDARD_NOT_FOUND")
    );
    let r = post_json(
        s.http,
        "/v1/advise",
        a,
        &json!({"uscc": "x", "profile": {}}),
    );
    assert_eq!(error(&r).3, ["subject"]);
    let r = try_request(
        s.http,
        "POST",
        "/v1/advise",
        a,
        Some(("application/json", b"{not json")),
    )
    .unwrap();
    assert_eq!(
        (error(&r).0, error(&r).3.clone()),
        (400, vec!["body".to_string()])
    );
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let r = try_request(
        s.http,
        "POST",
        "/v1/advise",
        a,
        Some(("application/json", &huge)),
    )
    .unwrap();
    assert_eq!((error(&r).0, error(&r).2.as_str()), (413, "BODY_TOO_LARGE"));
    let r = get(s.http, "/v1/search?q=a&level=planetary", a);
    assert_eq!(
        (error(&r).0, error(&r).3.clone()),
        (400, vec!["level".to_string()])
    );
    let r = get(s.http, "/v1/search?page_size=5000&q=a", a);
    assert_eq!(error(&r).0, 400, "the service's own limits: {}", r.body);
    let r = get(s.http, "/v1/nothing-here", a);
    assert_eq!(error(&r).0, 404);
}

fn assert_page(s: &WebServer, path: &str, key: Option<&str>, contains: &[&str]) -> String {
    let r = get(s.http, path, key);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("text/html"),
        "{path}"
    );
    let csp = r.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{path}: {csp}"
    );
    assert!(!r.body.contains("<script>"), "{path}: no inline script");
    assert!(!r.body.contains(" style=\""), "{path}: no inline style");
    for c in contains {
        assert!(r.body.contains(c), "{path} shows {c:?}");
    }
    r.body
}

fn pages_render_and_escape(s: &WebServer) {
    let a = Some(s.keys.a_write.as_str());
    let map = assert_page(
        s,
        "/",
        a,
        &[
            "山东省标准化一张图",
            "青岛",
            "/city/370200",
            "/static/app.js",
        ],
    );
    assert_eq!(map.matches("class=\"region\"").count(), 16, "16 cities");
    assert_page(
        s,
        "/?lang=en",
        a,
        &["Shandong standardization map", "Qingdao", "lang=zh"],
    );
    assert_page(
        s,
        "/?part=management_systems",
        a,
        &["class=\"part on\" href=\"/?part=management_systems"],
    );
    assert_page(s, "/city/370200", a, &["青岛", "产业链"]);
    assert_eq!(get(s.http, "/city/110100", a).status, 404);
    assert_page(s, "/index", a, &["标准化发展指数", "/index.csv"]);
    let csv = get(s.http, "/index.csv", a);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 17, "a header and 16 cities");
    assert_page(s, "/enterprise", a, &["企业标准化方案", "profile-form"]);
    let uscc = some_uscc(s);
    assert_page(
        s,
        &format!("/enterprise?uscc={uscc}"),
        a,
        &["必须采用", "实施路线图", "id=\"must\""],
    );
    assert_page(
        s,
        &format!("/enterprise?uscc={uscc}&lang=en"),
        a,
        &["Must adopt", "Roadmap"],
    );
    let form = format!(
        "uscc={}&name=%E7%A4%BA%E4%BE%8B&region=370202&industries=C3851\
         &products=%E5%AE%B6%E7%94%A8%E7%94%B5%E5%86%B0%E7%AE%B1&markets=CN\
         &standards_held=GB%2FT+19001-2008",
        web::uscc(5150)
    );
    let r = try_request(
        s.http,
        "POST",
        "/enterprise",
        a,
        Some(("application/x-www-form-urlencoded", form.as_bytes())),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("id=\"solution\"") && r.body.contains("GB 12021.2"),
        "the form returns a solution: {}",
        r.body
    );
    let search = assert_page(
        s,
        "/search?q=%E7%A9%BA%E8%B0%83",
        a,
        &["id=\"facets\"", "<b>"],
    );
    assert!(search.contains("data-field=\"level\""));
    let filtered = assert_page(
        s,
        "/search?q=%E7%A9%BA%E8%B0%83&level=national",
        a,
        &["class=\"facet on\""],
    );
    assert!(
        !filtered.contains("data-level=\"international\""),
        "the facet filters"
    );
    assert_page(
        s,
        "/standard?id=GB%204706.1-2005",
        a,
        &["GB 4706.1-2005", "id=\"lineage\""],
    );
    assert_page(s, "/changes", a, &["标准变更与提醒"]);
    // Escaping: an enterprise named like markup shows as text everywhere.
    let evil = web::uscc(666);
    let r = post_json(
        s.http,
        "/v1/enterprises",
        a,
        &json!({"enterprise": profile(&evil, "<script>alert(1)</script>")}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for path in [
        "/city/370200".to_string(),
        format!("/enterprise?uscc={evil}"),
    ] {
        let body = assert_page(s, &path, a, &["&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"]);
        assert!(!body.contains("<script>alert"), "{path}");
    }
    let r = get(s.http, "/enterprise?uscc=%3Cscript%3E", a);
    assert!(
        !r.body.contains("<script>"),
        "the form echoes input escaped"
    );
    for (path, ty) in [
        ("/static/app.js", "text/javascript"),
        ("/static/style.css", "text/css"),
    ] {
        let r = get(s.http, path, None);
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with(ty));
    }
    // Pages need a key like the API when keys are on.
    assert_eq!(get(s.http, "/", None).status, 401);
}

fn tenants_never_see_each_other(s: &WebServer) {
    let evil = web::uscc(666);
    let b = Some(s.keys.b_write.as_str());
    assert_eq!(
        get(s.http, &format!("/v1/enterprises/{evil}"), b).status,
        404
    );
    assert_eq!(
        get(s.http, &format!("/enterprise?uscc={evil}"), b).status,
        404
    );
    assert_eq!(
        get(s.http, &format!("/v1/enterprises/{evil}/peers"), b).status,
        404
    );
    let r = post_json(s.http, "/v1/advise", b, &json!({"uscc": evil}));
    assert_eq!(r.status, 404);
    let list = get(s.http, "/v1/enterprises?page_size=1000", b).json();
    assert_eq!(list["enterprises"].as_array().unwrap().len(), 0);
    let index = get(s.http, "/v1/index", b).json();
    assert_eq!(index["enterprises"], 0);
    let a_index = get(s.http, "/v1/index", Some(&s.keys.a_read)).json();
    assert!(a_index["enterprises"].as_u64().unwrap() > 0);
    for page in [
        "/",
        "/city/370200",
        "/index",
        "/index.csv",
        "/changes",
        "/v1/changes",
    ] {
        let body = get(s.http, page, b).body;
        assert!(
            !body.contains("alert(1)") && !body.contains("示例网页企业"),
            "{page}"
        );
    }
    // A spoofed tenant header changes nothing when keys are on.
    let mut raw = std::net::TcpStream::connect(s.http).unwrap();
    use std::io::{Read, Write};
    write!(
        raw,
        "GET /v1/enterprises/{evil} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\nx-stdnav-tenant: agency-a\r\n\r\n",
        s.keys.b_write
    )
    .unwrap();
    let mut out = String::new();
    raw.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 404"), "{out}");
}

fn health_and_openapi(addr: SocketAddr) {
    let r = get(addr, "/healthz", None);
    assert_eq!((r.status, r.body.trim()), (200, "SERVING"));
    let doc = get(addr, "/openapi.json", None).json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

/// One gRPC-Web call over HTTP/1.1 to the gRPC port: the frames of the
/// answer and its `grpc-status` trailer.
fn grpc_web(
    addr: SocketAddr,
    path: &str,
    key: Option<&str>,
    message: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut body = vec![0u8];
    body.extend_from_slice(&(message.len() as u32).to_be_bytes());
    body.extend_from_slice(message);
    let r = try_request(
        addr,
        "POST",
        path,
        key,
        Some(("application/grpc-web+proto", &body)),
    )
    .unwrap();
    let bytes = r.bytes.clone();
    // A trailers-only answer carries its status in the headers.
    let mut status = r.header("grpc-status").unwrap_or("").to_string();
    let mut data = Vec::new();
    let mut rest = &bytes[..];
    while rest.len() >= 5 {
        let len = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let frame = &rest[5..5 + len];
        if rest[0] & 0x80 != 0 {
            let trailers = String::from_utf8_lossy(frame).to_string();
            status = trailers
                .lines()
                .find_map(|l| l.strip_prefix("grpc-status:"))
                .unwrap_or("")
                .trim()
                .to_string();
        } else {
            data.extend_from_slice(frame);
        }
        rest = &rest[5 + len..];
    }
    (r.status, status, data)
}

fn grpc_web_reaches_the_services(s: &WebServer) {
    // GetStandardRequest { id: "GB 4706.1-2005" }: field 1, length-delimited.
    let id = b"GB 4706.1-2005";
    let mut message = vec![0x0a, id.len() as u8];
    message.extend_from_slice(id);
    let path = "/stdnav.standards.v1.StandardsService/GetStandard";
    let (http, status, data) = grpc_web(s.grpc, path, Some(&s.keys.a_read), &message);
    assert_eq!((http, status.as_str()), (200, "0"));
    assert!(
        data.windows(id.len()).any(|w| w == id),
        "the standard comes back"
    );
    // Keys apply to gRPC-Web calls as to any: none is UNAUTHENTICATED (16).
    let (_, status, _) = grpc_web(s.grpc, path, None, &message);
    assert_eq!(status, "16");
}

#[test]
fn the_web_face_end_to_end() {
    let s = web::start();
    health_and_openapi(s.http);
    every_route_answers_as_documented(&s);
    errors_follow_the_grpc_error_model(&s);
    pages_render_and_escape(&s);
    tenants_never_see_each_other(&s);
    grpc_web_reaches_the_services(&s);
}
