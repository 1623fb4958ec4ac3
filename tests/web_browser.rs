//! The pages in a real browser: headless Chromium driven through
//! chromedriver (W3C WebDriver — JSON over HTTP, spoken here with the test
//! rig's small HTTP client, so no WebDriver crate is needed). The server
//! runs with API keys: the browser logs in with one and lands on the
//! enterprise page it asked for; every later step runs in that session
//! (its forms carry the session's CSRF token). The map
//! renders 16 regions and a click drills down to the city, also for one
//! chain; the language
//! switch turns the page English; the enterprise form returns a solution;
//! a search facet filters the hits; a file uploaded on the check page comes
//! back as a row of the report. Screenshots go to
//! `target/tmp/web-screenshots/` for review. Skips, saying why, when
//! Chromium or chromedriver is absent (`.ci/run` installs both).

#[path = "support/web.rs"]
mod web;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = web::try_request(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Value {
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap());
    let r = web::try_request(
        addr,
        method,
        path,
        None,
        bytes.as_deref().map(|b| ("application/json", b)),
    )
    .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
    let v = r.json();
    assert_eq!(r.status, 200, "webdriver {method} {path}: {v}");
    v["value"].clone()
}

impl Driver {
    fn start(binary: &Path) -> Self {
        let addr = web::free_addr();
        let child = Command::new(binary)
            .arg(format!("--port={}", addr.port()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // Owned from here: dropped (and killed) even if the start fails.
        let mut driver = Self {
            child,
            addr,
            session: String::new(),
        };
        let started = Instant::now();
        while web::try_request(addr, "GET", "/status", None, None).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver never answered"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1200,1000"]}
        }}});
        let v = call(addr, "POST", "/session", Some(caps));
        driver.session = v["sessionId"].as_str().unwrap().to_string();
        driver
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(
            self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[ELEMENT].as_str().unwrap().to_string())
        .collect()
    }

    /// The first element matching `css`, waiting up to 30 s for it.
    fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no {css} on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, element: &str) {
        self.cmd(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn text(&self, element: &str) -> String {
        self.cmd("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn attribute(&self, element: &str, name: &str) -> String {
        self.cmd("GET", &format!("/element/{element}/attribute/{name}"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn screenshot(&self, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", None);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = base64_decode(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = s.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &v)| acc | (u32::from(v) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

#[test]
fn the_pages_work_in_a_real_browser() {
    let Some(driver_binary) = chromedriver() else {
        eprintln!("skipped: chromedriver not installed (apt-get install chromium chromium-driver)");
        return;
    };
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} not installed (apt-get install chromium chromium-driver)");
        return;
    }
    let server = web::start();
    let base = format!("http://{}", server.http);
    let b = Driver::start(&driver_binary);

    // Login with a key, then the enterprise page asked for, as agency-a.
    let listed = web::get(
        server.http,
        "/v1/enterprises?page_size=1",
        Some(&server.keys.a_read),
    );
    let uscc = listed.json()["enterprises"][0]["enterprise"]["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    b.goto(&format!("{base}/enterprise?uscc={uscc}"));
    b.type_into("#login-key", &server.keys.a_write);
    b.screenshot("login");
    b.click(&b.find("#login-submit"));
    b.find("#solution");
    assert!(
        b.url().contains(&uscc),
        "back where it was going: {}",
        b.url()
    );
    b.find("#logout");

    // The map: 16 regions; a click on Qingdao drills down to the city.
    b.goto(&format!("{base}/"));
    b.find("#map");
    assert_eq!(b.find_all("#map .region").len(), 16, "16 regions render");
    b.screenshot("map");
    let qingdao = b.find("#map .region[data-code='370200'] rect");
    b.click(&qingdao);
    b.find("#city-name");
    assert!(b.url().contains("/city/370200"), "{}", b.url());
    assert_eq!(b.text(&b.find("#city-name")), "青岛");
    b.screenshot("city");
    // The same by chain: 16 regions, and the drill-down keeps the chain.
    b.goto(&format!("{base}/?chain=appliances"));
    b.find("#slice-now");
    assert_eq!(b.find_all("#map .region").len(), 16);
    b.click(&b.find("#map .region[data-code='370200'] rect"));
    b.find("#city-name");
    assert!(b.url().contains("chain="), "{}", b.url());
    b.screenshot("city-chain");

    // The language switch.
    let switch = b.find("#lang-switch");
    b.click(&switch);
    let started = Instant::now();
    while b.text(&b.find("#city-name")) != "Qingdao" {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the page never turned English"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(b.url().contains("lang=en"));

    // The enterprise form returns a solution.
    b.goto(&format!("{base}/enterprise"));
    b.click(&b.find("details summary"));
    b.type_into("#p-uscc", &web::uscc(5151));
    b.type_into("#p-name", "示例冰箱厂");
    b.type_into("#p-region", "370202");
    b.type_into("#p-industries", "C3851");
    b.type_into("#p-products", "家用电冰箱");
    b.type_into("#p-markets", "CN");
    b.click(&b.find("#p-submit"));
    b.find("#solution");
    let must = b.find_all("#must tbody tr");
    assert!(!must.is_empty(), "the solution lists mandatory standards");
    assert!(b.text(&b.find("#solution-name")).contains("示例冰箱厂"));
    b.screenshot("enterprise");

    // Search facets filter.
    b.goto(&format!("{base}/search?q=%E7%A9%BA%E8%B0%83"));
    let before = b.text(&b.find("#total-count"));
    let national = b.find("#facets a.facet[data-field='level'][data-value='national']");
    b.click(&national);
    b.find("#facets a.facet.on");
    let after = b.text(&b.find("#total-count"));
    assert!(
        after.parse::<u64>().unwrap() < before.parse::<u64>().unwrap(),
        "{after} < {before}"
    );
    for hit in b.find_all("#hits .hit") {
        assert_eq!(b.attribute(&hit, "data-level"), "national");
    }
    b.screenshot("search");

    // The document check: a file uploaded through the page's form.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.csv");
    std::fs::write(&file, "序号,标准号\n1,GB/T 19001-2008\n").unwrap();
    b.goto(&format!("{base}/check"));
    let input = b.find("#check-file");
    b.cmd(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({ "text": file.to_str().unwrap() })),
    );
    b.click(&b.find("#check-submit"));
    let row = b.find("#citations tr.citation[data-code='GB/T 19001-2008']");
    assert_eq!(b.attribute(&row, "data-status"), "superseded");
    assert!(b.text(&row).contains("GB/T 19001-2016"), "{}", b.text(&row));
    b.screenshot("check");
    drop(b);
    drop(server);
}
