//! The web face's test rig: `stdnav serve` with API keys and an HTTP port,
//! two tenants (agency-a with a synthetic population in Shandong, agency-b
//! empty), and a small blocking HTTP/1.1 client — enough for the tests, so
//! they need no HTTP client crate.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Keys {
    /// agency-a, write scope.
    pub a_write: String,
    /// agency-a, read scope.
    pub a_read: String,
    /// agency-b, write scope.
    pub b_write: String,
}

pub struct WebServer {
    child: Child,
    pub http: SocketAddr,
    pub grpc: SocketAddr,
    pub keys: Keys,
    pub home: tempfile::TempDir,
    _data: tempfile::TempDir,
    _cwd: tempfile::TempDir,
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn stdnav(home: &Path, data: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stdnav"));
    cmd.current_dir(cwd)
        .env_remove("STDNAV_DATA")
        .env_remove("STDNAV_REDIS_URL")
        .env_remove("STDNAV_TENANT")
        .arg("--home")
        .arg(home)
        .arg("--data")
        .arg(data);
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The origin `start` allows to call the JSON API from a browser.
pub const CORS_ORIGIN: &str = "https://portal.example.cn";

/// Enterprises of agency-a's synthetic population.
pub const POPULATION: usize = 120;

/// Starts `stdnav serve --keys` over the bundled demo catalogue with
/// agency-a's population stored, and waits until /healthz says SERVING.
pub fn start() -> WebServer {
    start_with(true)
}

/// [`start`]; without keys (`keys: false`) the population is the
/// `default` tenant's, which a browser without a key reads.
pub fn start_with(with_keys: bool) -> WebServer {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (h, d, w) = (home.path(), data.path(), cwd.path());
    let key = |tenant: &str, scope: &str| {
        run(stdnav(h, d, w).args(["keys", "create", "--tenant", tenant, "--scope", scope]))
    };
    let keys = Keys {
        a_write: key("agency-a", "write"),
        a_read: key("agency-a", "read"),
        b_write: key("agency-b", "write"),
    };
    run(stdnav(h, d, w).args([
        "demo-data",
        "--count",
        &POPULATION.to_string(),
        "--upsert",
        "--tenant",
        if with_keys { "agency-a" } else { "default" },
    ]));
    let (http, grpc) = (free_addr(), free_addr());
    let mut serve = stdnav(h, d, w);
    serve
        .args(["serve", "--listen", &grpc.to_string()])
        .args(["--http-listen", &http.to_string()])
        .args(["--cors-origin", CORS_ORIGIN]);
    if with_keys {
        serve.arg("--keys").arg(h.join("keys.json"));
    }
    let child = serve
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = WebServer {
        child,
        http,
        grpc,
        keys,
        home,
        _data: data,
        _cwd: cwd,
    };
    let started = Instant::now();
    loop {
        if let Ok(r) = try_request(http, "GET", "/healthz", None, None)
            && r.status == 200
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the web face never reported SERVING"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    server
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as received.
    pub bytes: Vec<u8>,
}

impl Response {
    /// Every value of header `name`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The `Set-Cookie` of cookie `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers_named("set-cookie")
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value a `Set-Cookie` of cookie `name` sets.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let c = self.set_cookie(name)?;
        Some(
            c[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_string(),
        )
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a fresh connection (`Connection: close`).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<(&str, &[u8])>,
) -> std::io::Result<Response> {
    let auth = key.map(|k| format!("Bearer {k}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    request_with(addr, method, path, &headers, body)
}

/// [`try_request`] with any headers (`Host` replaces the default one).
pub fn request_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map_or(addr.to_string(), |(_, v)| v.to_string());
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
    {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some((content_type, bytes)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some((_, bytes)) = body {
        // A server may answer (413) before reading a large body.
        let _ = stream.write_all(bytes);
    }
    // Read to the end of the answer: its Content-Length, the last chunk, or
    // EOF (chromedriver keeps connections open whatever the client asks).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if let Some(length) = length
                && raw.len() >= end + 4 + length
            {
                break;
            }
            if head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n") {
                break;
            }
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
                .unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = out;
    }
    Ok(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
        bytes: body,
    })
}

pub fn get(addr: SocketAddr, path: &str, key: Option<&str>) -> Response {
    try_request(addr, "GET", path, key, None).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

pub fn post_json(
    addr: SocketAddr,
    path: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap();
    try_request(addr, "POST", path, key, Some(("application/json", &bytes)))
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

/// A `multipart/form-data` body of `parts` (field name, file name for a
/// file, content): its content type and bytes.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "stdnav-test-7d1f0c";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let head = match file {
            Some(file) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The value of the hidden input `name` in a page.
pub fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..].split('"').next()?.to_string())
}

/// A valid USCC (GB 32100 check character) ending in `n`, in Qingdao.
pub fn uscc(n: u32) -> String {
    let body = format!("91370200MA{n:07}");
    let check = stdnav_core::uscc::check_character(&body).unwrap();
    format!("{body}{check}")
}
