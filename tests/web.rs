//! The web face over HTTP, end to end: `stdnav serve --keys --http-listen`
//! with two tenants. Every route of the OpenAPI document answers and its
//! answer matches the documented schema; errors carry the gRPC error
//! model; every page renders, escapes what it shows and sends a strict
//! Content-Security-Policy; one tenant never sees another's enterprises;
//! documents uploaded to `/v1/check` and the `/check` page are checked.
//! One server for the whole file (it takes seconds to start), checks in
//! sequence.

mod support;
#[path = "support/web.rs"]
mod web;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::{Value, json};
use web::{WebServer, get, multipart, post_json, try_request};

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

/// A request body: its content type and bytes.
type Body = (String, Vec<u8>);

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
    let json = |v: Value| {
        Some((
            "application/json".to_string(),
            serde_json::to_vec(&v).unwrap(),
        ))
    };
    // The request that exercises each documented route (and its body).
    let calls: BTreeMap<(&str, &str), (String, Option<Body>)> = BTreeMap::from([
        (
            ("post", "/v1/advise"),
            ("/v1/advise".into(), json(json!({"uscc": uscc}))),
        ),
        (
            ("post", "/v1/benchmark-gaps"),
            ("/v1/benchmark-gaps".into(), json(json!({"uscc": uscc}))),
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
                json(json!({"enterprise": profile(&new, "示例网页企业")})),
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
        (
            ("post", "/v1/check"),
            (
                "/v1/check".into(),
                Some(multipart(&[(
                    "file",
                    Some("list.csv"),
                    "序号,标准号\n1,GB/T 19001-2008\n2,Q/XYZ 001-2020\n".as_bytes(),
                )])),
            ),
        ),
    ]);
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let (url, body) = calls
                .get(&(method.as_str(), path.as_str()))
                .unwrap_or_else(|| panic!("no test call for {method} {path}: add one"));
            let r = match body {
                Some((content_type, bytes)) => try_request(
                    s.http,
                    "POST",
                    url,
                    Some(&s.keys.a_write),
                    Some((content_type, bytes)),
                )
                .unwrap(),
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

/// A request that declares a `length` body and sends none of it: the
/// answer comes from the headers alone.
fn declared(s: &WebServer, path: &str, content_type: &str, length: usize) -> web::Response {
    use std::io::{Read, Write};
    let mut raw = std::net::TcpStream::connect(s.http).unwrap();
    raw.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    write!(
        raw,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n",
        s.keys.a_read
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = raw.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("an answer");
    web::Response {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        headers: vec![],
        body: body.to_string(),
        bytes: body.as_bytes().to_vec(),
    }
}

fn check_upload(
    s: &WebServer,
    path: &str,
    key: Option<&str>,
    parts: &[(&str, Option<&str>, &[u8])],
) -> web::Response {
    let (content_type, body) = multipart(parts);
    try_request(s.http, "POST", path, key, Some((&content_type, &body))).unwrap()
}

fn citation<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["citations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["unknown"].as_array().unwrap())
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("{code} not in {report}"))
}

fn documents_are_checked(s: &WebServer) {
    let a = Some(s.keys.a_read.as_str());
    // A CSV list and a pasted list in one form. The web rig serves the
    // bundled catalogue (as every test here does), which states this
    // supersession itself; the real catalogue's verdict on the same code
    // is tested in tests/check.rs when ../shared/data is present.
    let csv = "序号,标准号,名称\n1,GB/T 19001-2008,质量管理体系 要求\n2,Q/XYZ 001-2020,企业标准\n";
    let r = check_upload(
        s,
        "/v1/check",
        a,
        &[
            ("lang", None, b"en"),
            ("file", Some("list.csv"), csv.as_bytes()),
            ("text", None, b"ISO 9001:2015\nGB 4706.1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    let documents: Vec<(&str, &str)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["format"].as_str().unwrap()))
        .collect();
    assert_eq!(documents, [("list.csv", "csv"), ("pasted", "text")]);
    let old = citation(&report, "GB/T 19001-2008");
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["status_label"], "superseded", "lang=en");
    assert_eq!(old["status_inferred"], false);
    assert_eq!(old["in_force"], "GB/T 19001-2016");
    assert_eq!(old["path"], json!(["GB/T 19001-2008", "GB/T 19001-2016"]));
    assert_eq!(old["places"][0]["cell"], "B2");
    assert_eq!(old["places"][0]["document"], "list.csv");
    assert_eq!(old["title"], "Quality management systems—Requirements");
    assert_eq!(old["adopts"][0]["id"], "ISO 9001:2008");
    assert_eq!(citation(&report, "ISO 9001:2015")["status"], "current");
    let gb = citation(&report, "GB 4706.1");
    assert_eq!(
        (gb["undated"].clone(), gb["mandatory"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(report["unknown"][0]["code"], "Q/XYZ 001-2020");
    assert_eq!(report["unknown"][0]["status"], "unknown");
    assert_eq!(
        report["summary"]["update_first"],
        json!(["GB/T 19001-2008"])
    );
    assert_eq!(report["summary"]["by_status"].as_array().unwrap().len(), 5);
    assert_eq!(report["summary"]["total"], 4);

    // A raw body named by the query; Chinese words by default.
    let r = try_request(
        s.http,
        "POST",
        "/v1/check?name=spec.txt",
        a,
        Some((
            "text/plain",
            "质量管理体系按GB/T 19001—2008执行。".as_bytes(),
        )),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    let old = citation(&report, "GB/T 19001-2008");
    assert_eq!(old["status_label"], "被代替");
    assert_eq!(old["title"], "质量管理体系 要求");
    assert_eq!(old["places"][0]["cited_as"], "GB/T 19001—2008");
    assert_eq!(report["documents"][0]["name"], "spec.txt");
    // Larger than the JSON routes' 1 MiB: streamed on in 256 KiB messages.
    let mut big = "no code on this line\n".repeat(150_000).into_bytes();
    big.extend_from_slice("the last line cites GB 4706.1-2005\n".as_bytes());
    let r = try_request(
        s.http,
        "POST",
        "/v1/check?name=big.txt",
        a,
        Some(("application/octet-stream", &big)),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    assert_eq!(
        citation(&report, "GB 4706.1-2005")["places"][0]["line"],
        150_001
    );

    // Over 60 MiB: 413 from the declared length, before a byte is read.
    for (path, content_type, length) in [
        ("/v1/check?name=a.pdf", "application/pdf", 62_914_561),
        (
            "/v1/check",
            "multipart/form-data; boundary=x",
            62_914_560 + 2 * 1024 * 1024,
        ),
    ] {
        let r = declared(s, path, content_type, length);
        assert_eq!(
            (error(&r).0, error(&r).2.as_str()),
            (413, "BODY_TOO_LARGE"),
            "{path}: {}",
            r.body
        );
    }
    // What the standards service cannot read: 400 naming `content`, and why.
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, content, why) in [
        ("empty.txt", &b""[..], "is empty"),
        ("noise.bin", &garbage[..], "is not text"),
        (
            "broken.pdf",
            &b"%PDF-1.7\n1 0 obj <<"[..],
            "not a readable PDF",
        ),
    ] {
        let r = check_upload(s, "/v1/check", a, &[("file", Some(name), content)]);
        let (status, code, _, fields) = error(&r);
        assert_eq!((status, code.as_str()), (400, "INVALID_ARGUMENT"), "{name}");
        assert_eq!(fields, ["content"], "{name}");
        assert!(r.body.contains(why), "{name}: {}", r.body);
    }
    // The web face's own checks name their field.
    for (parts, field) in [
        (vec![("lang", None, &b"en"[..])], "file"),
        (vec![("file", Some(""), &b""[..])], "file"),
        (
            vec![("attachment", Some("a.txt"), &b"GB 1"[..])],
            "attachment",
        ),
    ] {
        let r = check_upload(s, "/v1/check", a, &parts);
        assert_eq!(
            (error(&r).0, error(&r).3.clone()),
            (400, vec![field.to_string()])
        );
    }
    let r = try_request(
        s.http,
        "POST",
        "/v1/check?name=a&format=doc",
        a,
        Some(("text/plain", b"GB 1")),
    )
    .unwrap();
    assert_eq!(error(&r).3, ["format"]);

    // Keys and tenants as everywhere: none or a bad one is 401; any
    // tenant's read key may check.
    let list: &[(&str, Option<&str>, &[u8])] = &[("text", None, b"GB/T 19001-2016")];
    for key in [None, Some("snk_bad_key")] {
        let r = check_upload(s, "/v1/check", key, list);
        assert_eq!(
            (error(&r).0, error(&r).1.as_str()),
            (401, "UNAUTHENTICATED")
        );
        let r = check_upload(s, "/check", key, list);
        assert_eq!(r.status, 401);
    }
    for key in [&s.keys.a_write, &s.keys.b_write] {
        let r = check_upload(s, "/v1/check", Some(key), list);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(citation(&r.json(), "GB/T 19001-2016")["status"], "current");
    }

    // The page: the form in either language, the report as a table with
    // badges, what to update first and the codes not found; escaped.
    let a = Some(s.keys.a_write.as_str());
    assert_page(
        s,
        "/check",
        a,
        &["标准有效性核查", "id=\"check-form\"", "multipart/form-data"],
    );
    assert_page(s, "/check?lang=en", a, &["Standards validity check"]);
    let map = assert_page(s, "/", a, &["href=\"/check?lang=zh\""]);
    assert!(map.contains("标准核查"));
    let r = check_upload(
        s,
        "/check",
        a,
        &[
            ("file", Some("list.csv"), csv.as_bytes()),
            (
                "text",
                None,
                "GB/T 19001-2008\nQ/ABC 9-2021 <script>alert(1)</script>".as_bytes(),
            ),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for shown in [
        "id=\"citations\"",
        // Values are escaped, `/` too.
        "data-code=\"GB&#x2f;T 19001-2008\" data-status=\"superseded\"",
        "class=\"badge superseded\">被代替",
        "<span class=\"in-force\">GB&#x2f;T 19001-2016</span>",
        "id=\"update-first\"",
        "id=\"unknown\"",
        "Q&#x2f;XYZ 001-2020",
        "Q&#x2f;ABC 9-2021",
        "粘贴的清单 第2行",
        "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;",
    ] {
        assert!(
            r.body.contains(shown),
            "the report shows {shown:?}: {}",
            r.body
        );
    }
    assert!(!r.body.contains("<script>"), "escaped");
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    let r = check_upload(s, "/check?lang=en", a, &[("file", Some("empty.txt"), b"")]);
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("id=\"error\"") && r.body.contains("is empty"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Standards validity check"));
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
    map_slices(s);
    assert_page(s, "/enterprise", a, &["企业标准化方案", "profile-form"]);
    let uscc = some_uscc(s);
    assert_page(
        s,
        &format!("/enterprise?uscc={uscc}"),
        a,
        &["必须采用", "实施路线图", "id=\"must\""],
    );
    let en = assert_page(
        s,
        &format!("/enterprise?uscc={uscc}&lang=en"),
        a,
        &["Must adopt", "Roadmap"],
    );
    reasons_in_the_pages_language(s, &uscc, &en);
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
    // Pages need a key like the API when keys are on: without one, the
    // login form, in place.
    let r = get(s.http, "/", None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("id=\"login-form\""), "{}", r.body);
}

/// The map, the city and the index by industry and by chain: cities
/// coloured by that slice, the drill-down keeping it.
fn map_slices(s: &WebServer) {
    let a = Some(s.keys.a_read.as_str());
    let all = get(s.http, "/v1/index", a).json();
    let total = all["enterprises"].as_u64().unwrap();
    assert_eq!(
        all["basis"], "stored_records",
        "no chain batch results here"
    );
    let list = get(s.http, "/v1/enterprises?page_size=1000&region_prefix=37", a).json();
    let first = list["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !e["enterprise"]["chains"].as_array().unwrap().is_empty())
        .expect("an enterprise in a chain");
    let chain = first["enterprise"]["chains"][0]["chain"]
        .as_str()
        .unwrap()
        .to_string();
    let class = first["enrichment"]["industries"][0]
        .as_str()
        .unwrap()
        .to_string();
    let division = &class[class.len() - 4..class.len() - 2];
    for (param, value) in [("chain", chain.as_str()), ("industry", division)] {
        let q = format!("{param}={}", stdnav_web::pages::encode(value));
        let sliced = get(s.http, &format!("/v1/index?{q}"), a).json();
        let n = sliced["enterprises"].as_u64().unwrap();
        assert!(n > 0 && n <= total, "{param}={value}: {n} of {total}");
        assert_eq!(sliced[param], value);
        let map = assert_page(
            s,
            &format!("/?{q}"),
            a,
            &["id=\"slice-now\"", "id=\"slice-form\""],
        );
        assert_eq!(map.matches("class=\"region\"").count(), 16);
        assert!(
            map.contains(&format!("<span id=\"total\">{n}</span>")),
            "{map}"
        );
        // Each city's link drills down to the same slice.
        let href = format!("/city/370200?{}", q.replace('&', "&amp;"));
        assert!(map.contains(&href), "{href} in the map");
        let city = assert_page(
            s,
            &format!("/city/370200?{q}"),
            a,
            &["id=\"slice-now\"", "id=\"city-name\""],
        );
        assert!(
            city.contains(&format!("/?{q}")),
            "the way back keeps the slice"
        );
        assert_page(s, &format!("/index?{q}"), a, &["id=\"slice-now\""]);
    }
    let map = assert_page(s, "/?lang=en", a, &["By industry (division)", "By chain"]);
    assert!(
        map.contains(&format!("<option value=\"{chain}\"")),
        "the chain is on offer"
    );
    assert_page(
        s,
        "/?chain=appliances&lang=en",
        a,
        &["Household appliances"],
    );
    for bad in [
        "/?industry=abc",
        "/v1/index?industry=1",
        "/city/370200?industry=C3",
    ] {
        assert_eq!(get(s.http, bad, a).status, 400, "{bad}");
    }
    let long = "x".repeat(129);
    assert_eq!(get(s.http, &format!("/?chain={long}"), a).status, 400);
}

/// Logs in on `/login` with `key` (the form's double-submit token taken
/// from the form and its cookie, as a browser would): the answer.
fn login(s: &WebServer, key: &str, next: &str) -> web::Response {
    let form = get(s.http, "/login", None);
    assert_eq!(form.status, 200, "{}", form.body);
    let token = form.cookie_value("stdnav_login").expect("a login cookie");
    assert_eq!(
        web::hidden(&form.body, "csrf").as_deref(),
        Some(token.as_str())
    );
    let cookie = format!("stdnav_login={token}");
    let body = format!("key={key}&csrf={token}&next={}", pages_encode(next));
    web::request_with(
        s.http,
        "POST",
        "/login",
        &[
            ("Cookie", &cookie),
            ("Origin", &format!("http://{}", s.http)),
        ],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    )
    .unwrap()
}

fn pages_encode(s: &str) -> String {
    stdnav_web::pages::encode(s)
}

/// A page's GET with a session cookie.
fn get_as(s: &WebServer, path: &str, session: &str) -> web::Response {
    let cookie = format!("stdnav_session={session}");
    web::request_with(s.http, "GET", path, &[("Cookie", &cookie)], None).unwrap()
}

/// A form POST with a session cookie (and this site's Origin).
fn post_as(s: &WebServer, path: &str, session: &str, body: (&str, &[u8])) -> web::Response {
    let cookie = format!("stdnav_session={session}");
    let origin = format!("http://{}", s.http);
    web::request_with(
        s.http,
        "POST",
        path,
        &[("Cookie", &cookie), ("Origin", &origin)],
        Some(body),
    )
    .unwrap()
}

/// Browser login with a key: cookies HttpOnly, SameSite=Strict (Secure but
/// on plain-HTTP loopback), a clear error for a wrong key, CSRF tokens on
/// the login form and on every form POST with a session, logout, and each
/// tenant seeing its own enterprises only.
fn browser_login_with_keys(s: &WebServer) {
    // The login form and its double-submit cookie.
    let form = get(s.http, "/login?lang=en", None);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("API key") && form.body.contains("id=\"login-key\""));
    let c = form.set_cookie("stdnav_login").unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
    assert!(!c.contains("Secure"), "plain HTTP on loopback: {c}");
    let far = web::request_with(
        s.http,
        "GET",
        "/login",
        &[("Host", "stdnav.example.cn")],
        None,
    )
    .unwrap();
    assert!(
        far.set_cookie("stdnav_login")
            .unwrap()
            .ends_with("; Secure")
    );

    // A wrong key: 401, said clearly, no session.
    let r = login(s, "snk_nope_0000", "/");
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(r.body.contains("API 密钥无效"), "{}", r.body);
    assert!(r.set_cookie("stdnav_session").is_none());
    // The right key without the form's token, or from another site: 403.
    let body = format!("key={}&csrf=forged&next=%2F", s.keys.b_write);
    let r = web::request_with(
        s.http,
        "POST",
        "/login",
        &[("Cookie", "stdnav_login=other")],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    )
    .unwrap();
    assert_eq!(r.status, 403);
    assert!(r.set_cookie("stdnav_session").is_none());
    let form = get(s.http, "/login", None);
    let token = form.cookie_value("stdnav_login").unwrap();
    let body = format!("key={}&csrf={token}&next=%2F", s.keys.b_write);
    let r = web::request_with(
        s.http,
        "POST",
        "/login",
        &[
            ("Cookie", &format!("stdnav_login={token}")),
            ("Origin", "https://evil.example"),
        ],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    )
    .unwrap();
    assert_eq!(r.status, 403);

    // agency-b logs in; `next` may only be a path of this site.
    let r = login(s, &s.keys.b_write, "//evil.example/x");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let c = r.set_cookie("stdnav_session").unwrap().to_string();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"),
        "{c}"
    );
    let b = r.cookie_value("stdnav_session").unwrap();
    assert_eq!(b.len(), 64);
    assert!(
        !c.contains(&s.keys.b_write),
        "the key never goes to the browser"
    );
    let map = get_as(s, "/", &b);
    assert_eq!(map.status, 200, "{}", map.body);
    assert!(
        map.body.contains("<span id=\"total\">0</span>"),
        "agency-b has none"
    );
    assert!(map.body.contains("id=\"logout\""));
    // agency-b never sees agency-a's enterprises through its session.
    let evil = web::uscc(666);
    assert_eq!(
        get_as(s, &format!("/enterprise?uscc={evil}"), &b).status,
        404
    );
    for page in ["/city/370200", "/index", "/index.csv", "/changes"] {
        let body = get_as(s, page, &b).body;
        assert!(
            !body.contains("alert(1)") && !body.contains("示例网页企业"),
            "{page}"
        );
    }
    // The JSON API never takes the cookie.
    assert_eq!(get_as(s, "/v1/enterprises", &b).status, 401);

    // agency-a logs in and returns where it was going.
    let uscc = some_uscc(s);
    let next = format!("/enterprise?uscc={uscc}");
    let r = login(s, &s.keys.a_write, &next);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some(next.as_str()));
    let a = r.cookie_value("stdnav_session").unwrap();
    assert_ne!(a, b);
    let page = get_as(s, &next, &a);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"must\""));
    let total = get_as(s, "/", &a).body;
    assert!(
        !total.contains("<span id=\"total\">0</span>"),
        "agency-a has its own"
    );
    let csrf = web::hidden(&page.body, "csrf").expect("the session's token in the forms");

    // Form POSTs with a session need its token.
    let form = format!(
        "uscc={}&name=x&region=370202&industries=C3851&products=%E5%86%B0%E7%AE%B1&markets=CN",
        web::uscc(5152)
    );
    let r = post_as(
        s,
        "/enterprise",
        &a,
        ("application/x-www-form-urlencoded", form.as_bytes()),
    );
    assert_eq!(r.status, 403, "no token");
    let with = format!("{form}&csrf={csrf}");
    let r = post_as(
        s,
        "/enterprise",
        &a,
        ("application/x-www-form-urlencoded", with.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"solution\""));
    let list = b"GB/T 19001-2008\n";
    let (ty, body) = multipart(&[("text", None, list)]);
    assert_eq!(
        post_as(s, "/check", &a, (&ty, &body)).status,
        403,
        "no token"
    );
    let (ty, body) = multipart(&[("csrf", None, csrf.as_bytes()), ("text", None, list)]);
    let r = post_as(s, "/check", &a, (&ty, &body));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("GB/T 19001-2016"));

    // Logout needs the token too, then the session is gone.
    let r = post_as(
        s,
        "/logout",
        &a,
        ("application/x-www-form-urlencoded", b"csrf=wrong"),
    );
    assert_eq!(r.status, 403);
    let r = post_as(
        s,
        "/logout",
        &a,
        (
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}").as_bytes(),
        ),
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));
    assert!(
        r.set_cookie("stdnav_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(get_as(s, "/", &a).status, 401);
    assert_eq!(
        get_as(s, "/", &b).status,
        200,
        "agency-b's session lives on"
    );
}

/// The texts of an enterprise page's `<span class="reasons">` cells.
fn reason_cells(page: &str) -> Vec<String> {
    page.split("<span class=\"reasons\">")
        .skip(1)
        .map(|rest| rest.split("</span>").next().unwrap_or("").to_string())
        .collect()
}

/// Reasons come as codes worded in both languages (JSON), and the page
/// shows them in its own: no English sentence on the Chinese page.
fn reasons_in_the_pages_language(s: &WebServer, uscc: &str, en_page: &str) {
    let a = Some(s.keys.a_read.as_str());
    let solution = post_json(s.http, "/v1/advise", a, &json!({"uscc": uscc})).json();
    let items: Vec<&Value> = solution["must"]
        .as_array()
        .unwrap()
        .iter()
        .chain(solution["should"].as_array().unwrap())
        .collect();
    assert!(!items.is_empty(), "{solution}");
    let mut chinese = Vec::new();
    for item in &items {
        let codes = item["reason_codes"].as_array().unwrap();
        let sentences = item["reasons"].as_array().unwrap();
        assert_eq!(codes.len(), sentences.len(), "{item}");
        for (c, sentence) in codes.iter().zip(sentences) {
            assert_eq!(&c["en"], sentence, "{c}");
            assert!(
                stdnav_core::reason::CODES.contains(&c["code"].as_str().unwrap()),
                "{c}"
            );
            chinese.push(c["zh"].as_str().unwrap().to_string());
        }
    }
    let zh_page = get(s.http, &format!("/enterprise?uscc={uscc}"), a).body;
    let zh_cells = reason_cells(&zh_page).join("；");
    assert!(!zh_cells.is_empty(), "{zh_page}");
    for english in [
        "mandatory",
        "held by",
        "your product",
        "in your industry",
        "standard",
        "edition",
    ] {
        assert!(!zh_cells.contains(english), "{english:?} in {zh_cells}");
    }
    // Pages escape what they show: compare with the JSON's words escaped as
    // minijinja does.
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;")
            .replace('/', "&#x2f;")
    };
    for zh in &chinese {
        assert!(zh_cells.contains(&escape(zh)), "{zh:?} not in {zh_cells}");
    }
    let en_cells = reason_cells(en_page).join("；");
    assert!(
        items.iter().all(|i| i["reason_codes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| en_cells.contains(&escape(c["en"].as_str().unwrap())))),
        "{en_cells}"
    );
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

/// A CORS preflight for `path` from `origin` (POST with the two allowed
/// headers): the status and the answer's `access-control-*` headers,
/// lower-cased.
fn preflight(addr: SocketAddr, path: &str, origin: &str) -> (u16, BTreeMap<String, String>) {
    use std::io::{Read, Write};
    let mut raw = std::net::TcpStream::connect(addr).unwrap();
    write!(
        raw,
        "OPTIONS {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: authorization, content-type\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    raw.read_to_string(&mut out).unwrap();
    let head = out.split("\r\n\r\n").next().unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        .filter(|(k, _)| k.starts_with("access-control-"))
        .collect();
    (status, headers)
}

/// `stdnav serve --cors-origin` allows that origin on the JSON API.
fn cors_on_the_api(s: &WebServer) {
    let (status, h) = preflight(s.http, "/v1/advise", web::CORS_ORIGIN);
    assert_eq!(status, 200);
    assert_eq!(h["access-control-allow-origin"], web::CORS_ORIGIN);
    let (_, h) = preflight(s.http, "/v1/advise", "https://elsewhere.example");
    assert!(!h.contains_key("access-control-allow-origin"), "{h:?}");
    // A simple GET from the allowed origin is answered with it too.
    let mut raw = std::net::TcpStream::connect(s.http).unwrap();
    use std::io::{Read, Write};
    write!(
        raw,
        "GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: {}\r\n\r\n",
        web::CORS_ORIGIN
    )
    .unwrap();
    let mut out = String::new();
    raw.read_to_string(&mut out).unwrap();
    let head = out.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
    assert!(
        head.contains(&format!(
            "access-control-allow-origin: {}",
            web::CORS_ORIGIN
        )),
        "{head}"
    );
}

/// CORS over HTTP, in this process (no backend is reached: preflights and
/// the OpenAPI document need none): allowed origins get the headers on the
/// JSON API, other origins and the pages do not, and with no origins
/// configured no CORS header is ever sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_off_unless_origins_are_configured() {
    use std::sync::Arc;
    let allowed = "https://portal.example.cn";
    let backend = || {
        Arc::new(
            stdnav_web::GrpcBackend::connect_lazy(&stdnav_web::ServiceAddrs::all_at(
                &web::free_addr().to_string(),
                None,
            ))
            .unwrap(),
        )
    };
    let cors = stdnav_web::Cors::new([
        stdnav_web::cors::parse_origin(allowed).unwrap(),
        stdnav_web::cors::parse_origin("http://localhost:3000").unwrap(),
    ]);
    let (_stop, stopped) = tokio::sync::watch::channel(());
    let (mut on_stopped, mut off_stopped) = (stopped.clone(), stopped);
    let on = stdnav_web::spawn_with(support::listener().await, backend(), &cors, async move {
        let _ = on_stopped.changed().await;
    })
    .unwrap()
    .local_addr;
    let off = stdnav_web::spawn(support::listener().await, backend(), async move {
        let _ = off_stopped.changed().await;
    })
    .unwrap()
    .local_addr;
    tokio::task::spawn_blocking(move || {
        for path in [
            "/v1/advise",
            "/v1/search",
            "/openapi.json",
            "/v1/enterprises/x",
        ] {
            let (status, h) = preflight(on, path, allowed);
            assert_eq!(status, 200, "{path}");
            assert_eq!(h["access-control-allow-origin"], allowed, "{path}");
            let methods = &h["access-control-allow-methods"];
            assert!(
                methods.contains("get") && methods.contains("post"),
                "{methods}"
            );
            let headers = &h["access-control-allow-headers"];
            assert!(
                headers.contains("authorization") && headers.contains("content-type"),
                "{headers}"
            );
            let (_, h) = preflight(on, path, "https://evil.example");
            assert!(
                !h.contains_key("access-control-allow-origin"),
                "{path}: {h:?}"
            );
            let (_, h) = preflight(off, path, allowed);
            assert!(h.is_empty(), "CORS off, yet {path} sent {h:?}");
        }
        let (_, h) = preflight(on, "/v1/advise", "http://localhost:3000");
        assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
        // Pages are not the API's: no CORS headers there.
        for path in ["/", "/enterprise", "/healthz", "/static/app.js"] {
            let (_, h) = preflight(on, path, allowed);
            assert!(h.is_empty(), "{path} sent {h:?}");
        }
    })
    .await
    .unwrap();
}

#[test]
fn the_web_face_end_to_end() {
    let s = web::start();
    health_and_openapi(s.http);
    cors_on_the_api(&s);
    every_route_answers_as_documented(&s);
    errors_follow_the_grpc_error_model(&s);
    pages_render_and_escape(&s);
    tenants_never_see_each_other(&s);
    browser_login_with_keys(&s);
    documents_are_checked(&s);
    grpc_web_reaches_the_services(&s);
}

/// The check over HTTP against the real catalogue (../shared/data), in this
/// process: the web face in front of one standards server. A CSV citing
/// GB/T 19001-2008 is reported superseded by GB/T 19001-2016, a status the
/// national sample states, and GB/T 2828.1-2003 superseded by
/// GB/T 2828.1-2012, a status inferred from the national list's editions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_over_http_with_the_real_catalogue() {
    use std::sync::Arc;
    if support::shared_data().is_none() {
        eprintln!(
            "skipped: ../shared/data is absent (the end-to-end test checks the bundled catalogue's verdicts)"
        );
        return;
    }
    let (grpc, _stop_grpc) = support::standards_over_test_catalogue().await;
    let backend = stdnav_web::GrpcBackend::connect_lazy(&stdnav_web::ServiceAddrs::all_at(
        &grpc.local_addr.to_string(),
        None,
    ))
    .unwrap();
    let (_stop_web, stopped) = tokio::sync::oneshot::channel::<()>();
    let http = stdnav_web::spawn(support::listener().await, Arc::new(backend), async {
        let _ = stopped.await;
    })
    .unwrap()
    .local_addr;
    let csv = "序号,标准号\n1,GB/T 19001-2008\n2,GB/T 2828.1-2003\n";
    let (content_type, body) = multipart(&[("file", Some("list.csv"), csv.as_bytes())]);
    let r = tokio::task::spawn_blocking(move || {
        try_request(
            http,
            "POST",
            "/v1/check",
            None,
            Some((&content_type, &body)),
        )
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let report = r.json();
    let old = citation(&report, "GB/T 19001-2008");
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["status_label"], "被代替");
    assert_eq!(old["status_inferred"], false);
    assert_eq!(old["in_force"], "GB/T 19001-2016");
    assert_eq!(old["adopts"][0]["id"], "ISO 9001:2008");
    assert_eq!(old["adopts"][0]["revised"], true);
    let sampling = citation(&report, "GB/T 2828.1-2003");
    assert_eq!(sampling["status"], "superseded");
    assert_eq!(sampling["status_inferred"], true);
    assert_eq!(sampling["in_force"], "GB/T 2828.1-2012");
    let mut first: Vec<&str> = report["summary"]["update_first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    first.sort();
    assert_eq!(first, ["GB/T 19001-2008", "GB/T 2828.1-2003"]);
}

/// A backend standing in for the services, in this process: keys `key-t1`
/// and `key-t2` are tenants t1 and t2 (t1 holds two enterprises in
/// Qingdao, one in Jinan; t2 one in Qingdao), no key is UNAUTHENTICATED —
/// unless `keys_off`, when every call is the default tenant's (t1's
/// records). Only what the map, the index and the login read answers.
struct FakeServices {
    keys_off: bool,
}

impl FakeServices {
    fn tenant(&self, c: &stdnav_web::Caller) -> Result<&'static str, tonic::Status> {
        let request = c.request(())?;
        let auth = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match auth {
            "Bearer key-t1" => Ok("t1"),
            "Bearer key-t2" => Ok("t2"),
            _ if self.keys_off => Ok("t1"),
            _ => Err(tonic::Status::unauthenticated(
                "a valid API key is required",
            )),
        }
    }
}

fn fake_record(
    tenant: &str,
    n: u32,
    region: &str,
    held: &[&str],
) -> stdnav_proto::profiling::v1::EnterpriseRecord {
    use stdnav_proto::profiling::v1 as ppb;
    ppb::EnterpriseRecord {
        enterprise: Some(ppb::Enterprise {
            uscc: web::uscc(n),
            name: format!("{tenant} 企业{n}"),
            region: region.into(),
            industries: vec!["C3851".into()],
            chains: vec![ppb::ChainMembership {
                chain: "家电产业链".into(),
                segment: 3,
            }],
            standards_held: held.iter().map(|s| s.to_string()).collect(),
            certifications: vec!["ISO 9001".into()],
            ..Default::default()
        }),
        enrichment: Some(ppb::Enrichment {
            industries: vec!["3851".into()],
            ..Default::default()
        }),
        tenant: tenant.into(),
        version: 1,
        updated_at: None,
    }
}

#[async_trait::async_trait]
impl stdnav_web::Backend for FakeServices {
    async fn advise(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::advisor::v1::AdviseRequest,
    ) -> Result<stdnav_proto::advisor::v1::Solution, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn benchmark_gaps(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::advisor::v1::AdviseRequest,
    ) -> Result<stdnav_proto::advisor::v1::Gaps, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn search(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::standards::v1::SearchRequest,
    ) -> Result<stdnav_proto::standards::v1::SearchResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn get_standard(
        &self,
        _: &stdnav_web::Caller,
        _: String,
    ) -> Result<stdnav_proto::standards::v1::Standard, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn lineage(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::standards::v1::LineageRequest,
    ) -> Result<stdnav_proto::standards::v1::LineageResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn statistics(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::standards::v1::StatisticsRequest,
    ) -> Result<stdnav_proto::standards::v1::StatisticsResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn get_enterprise(
        &self,
        _: &stdnav_web::Caller,
        _: String,
    ) -> Result<stdnav_proto::profiling::v1::EnterpriseRecord, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn list_enterprises(
        &self,
        c: &stdnav_web::Caller,
        _: stdnav_proto::profiling::v1::ListEnterprisesRequest,
    ) -> Result<stdnav_proto::profiling::v1::ListEnterprisesResponse, tonic::Status> {
        let enterprises = match self.tenant(c)? {
            "t1" => vec![
                fake_record("t1", 1, "370202", &["GB/T 19001-2016", "ISO 14001:2015"]),
                fake_record("t1", 2, "370203", &["GB/T 19001-2008", "GB 12021.2-2015"]),
                fake_record("t1", 3, "370102", &[]),
            ],
            _ => vec![fake_record("t2", 4, "370202", &["GB 1"])],
        };
        Ok(stdnav_proto::profiling::v1::ListEnterprisesResponse {
            enterprises,
            next_page_token: String::new(),
        })
    }
    async fn upsert_enterprise(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::profiling::v1::UpsertEnterpriseRequest,
    ) -> Result<stdnav_proto::profiling::v1::EnterpriseRecord, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn peer_group(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::profiling::v1::PeerGroupRequest,
    ) -> Result<stdnav_proto::profiling::v1::PeerGroupResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn list_changes(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_proto::changes::v1::ListChangesRequest,
    ) -> Result<stdnav_proto::changes::v1::ListChangesResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn check_citations(
        &self,
        _: &stdnav_web::Caller,
        _: stdnav_web::backend::DocumentStream,
    ) -> Result<stdnav_proto::standards::v1::CheckCitationsResponse, tonic::Status> {
        Err(tonic::Status::unimplemented("fake"))
    }
    async fn ready(&self) -> bool {
        true
    }
}

/// Writes a chain run as `stdnav batch --out DIR` does: `results.jsonl`
/// (one `MemberResult` a line) and `summary.json`.
fn write_chain_run(dir: &std::path::Path, results: &[stdnav_advisor::chain::MemberResult]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut lines = String::new();
    for r in results {
        lines.push_str(&serde_json::to_string(r).unwrap());
        lines.push('\n');
    }
    std::fs::write(dir.join("results.jsonl"), lines).unwrap();
    let summary = stdnav_advisor::chain::summarize("家电产业链", results);
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap(),
    )
    .unwrap();
}

fn member(
    n: u32,
    coverage: f64,
    upgrades: u32,
    unmatched: &[&str],
) -> stdnav_advisor::chain::MemberResult {
    stdnav_advisor::chain::MemberResult {
        uscc: web::uscc(n),
        name: format!("企业{n}"),
        segment: "downstream".into(),
        maturity: 40.0 + f64::from(n),
        mandatory_coverage: coverage,
        must_not_held: 0,
        gaps: vec![],
        upgrades,
        top_recommendations: vec![],
        unmatched_products: unmatched.iter().map(|s| s.to_string()).collect(),
        error: String::new(),
    }
}

async fn serve_fake(
    keys_off: bool,
    batch: Option<std::path::PathBuf>,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = stdnav_web::Options {
        batch_results: batch,
        ..Default::default()
    };
    let handle = stdnav_web::spawn_with_options(
        support::listener().await,
        std::sync::Arc::new(FakeServices { keys_off }),
        &options,
        async {
            let _ = stopped.await;
        },
    )
    .unwrap();
    (handle.local_addr, stop)
}

/// The index from chain batch results (docs/INDEX.md): the composite of
/// the batch basis with the documented weights, its basis, data date and
/// chains on the page and in the JSON; the records' basis when the tenant
/// has no results; another tenant's results never read. And without keys
/// there is nothing to log in to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_reads_chain_batch_results() {
    let dir = tempfile::tempdir().unwrap();
    // t1's run: two Qingdao enterprises; t2 has a run under its own name,
    // which t1 must never read, and t2's enterprise is not t1's.
    write_chain_run(
        &dir.path().join("t1/appliances"),
        &[
            member(1, 1.0, 0, &[]),
            member(2, 0.5, 1, &["智能冰箱除菌模块"]),
        ],
    );
    write_chain_run(
        &dir.path().join("t2/appliances"),
        &[member(4, 0.0, 1, &[]), member(3, 1.0, 0, &[])],
    );
    let (addr, _stop) = serve_fake(false, Some(dir.path().to_path_buf())).await;
    let (plain, _stop_plain) = serve_fake(false, None).await;
    let (open, _stop_open) = serve_fake(true, None).await;
    tokio::task::spawn_blocking(move || {
        let t1 = get(addr, "/v1/index", Some("key-t1")).json();
        assert_eq!(t1["basis"], "batch_results", "{t1}");
        assert_eq!(t1["chains_read"], json!(["家电产业链"]));
        assert_eq!(t1["data_date"].as_str().unwrap().len(), 10, "YYYY-MM-DD");
        let weights: Vec<(String, f64)> = t1["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["part"].as_str().unwrap().to_string(),
                    w["weight"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(weights.len(), 6);
        assert!((weights.iter().map(|w| w.1).sum::<f64>() - 1.0).abs() < 1e-9);
        let qingdao = t1["cities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "370200")
            .unwrap();
        assert_eq!(qingdao["enterprises"], 2);
        // coverage (1 + 0.5)/2 = 0.75; currency (1 + (1 - 1/2))/2 = 0.75;
        // international: 1 of 2 holds ISO 14001 = 0.5; management systems 1;
        // enterprise standards 0; DCMM 0:
        // 100 × (0.30·0.75 + 0.20·0.75 + 0.15·0.5 + 0.15·1) = 60.0
        assert_eq!(qingdao["mandatory_coverage"], 0.75);
        assert_eq!(qingdao["edition_currency"], 0.75);
        assert_eq!(qingdao["international_alignment"], 0.5);
        assert_eq!(qingdao["index"], 60.0);
        // Jinan's enterprise has no chain result: no figures there.
        let jinan = t1["cities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "370100")
            .unwrap();
        assert_eq!(
            (jinan["enterprises"].clone(), jinan["index"].clone()),
            (json!(0), Value::Null)
        );
        let page = get(addr, "/index", Some("key-t1")).body;
        assert!(
            page.contains("data-basis=\"batch_results\"") && page.contains("产业链批量评估结果"),
            "{page}"
        );
        assert!(page.contains("强制性标准覆盖率") && page.contains("0.3"));
        let city = get(addr, "/city/370200", Some("key-t1")).body;
        assert!(
            city.contains("智能冰箱除菌模块"),
            "products with no standard: {city}"
        );
        assert!(city.contains("标准化成熟度最低的企业"));
        let csv = get(addr, "/index.csv", Some("key-t1")).body;
        assert!(csv.lines().next().unwrap().contains("mandatory_coverage"));
        // t2's own run joins its own enterprise only.
        let t2 = get(addr, "/v1/index", Some("key-t2")).json();
        assert_eq!(t2["basis"], "batch_results");
        assert_eq!(t2["enterprises"], 1);
        // No results directory: the records' basis, said on the page.
        let records = get(plain, "/v1/index", Some("key-t1")).json();
        assert_eq!(records["basis"], "stored_records");
        assert_eq!(records["weights"].as_array().unwrap().len(), 4);
        let page = get(plain, "/?lang=en", Some("key-t1")).body;
        assert!(page.contains("stored enterprise records"), "{page}");

        // Without keys: no login needed, and the pages work as before.
        let r = get(open, "/login", None);
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("无需登录") && !r.body.contains("login-form"),
            "{}",
            r.body
        );
        assert!(r.set_cookie("stdnav_session").is_none());
        assert_eq!(get(open, "/", None).status, 200);
        // With keys and no session: the login form in place of the page.
        let r = get(plain, "/index", None);
        assert_eq!(r.status, 401);
        assert!(r.body.contains("id=\"login-form\"") && r.body.contains("请先登录"));
        assert!(web::hidden(&r.body, "next").unwrap().contains("index"));
    })
    .await
    .unwrap();
}
