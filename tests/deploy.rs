//! The deployment files agree with the binaries: every command flag and
//! environment variable in deploy/compose.yaml and deploy/k8s/ is one the
//! binary it runs accepts (read from the services' clap `Args` and from
//! `stdnav <command> --help`), every container listens where its ports,
//! probes and Services say, probes ask for a health name the server reports,
//! paths lie on mounted volumes, and the sharded batch job, its merge and the
//! Kubernetes objects that refer to each other line up. Schema validation of
//! the manifests is .ci/run's job (kubernetes-validate).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use serde::Deserialize;
use serde_json::Value;

/// Variables a binary reads outside its flags, with the file that reads them.
const EXTRA_ENV: &[(&str, &str)] = &[
    ("STDNAV_LOG", "services/runtime/src/telemetry.rs"),
    ("RUST_LOG", "services/runtime/src/telemetry.rs"),
];

/// Programs other than stdnav's that containers of the stdnav image run.
const UTILITIES: &[&str] = &["sh", "cp", "sleep"];

/// Keys of a compose service that these files may use.
const COMPOSE_SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "entrypoint",
    "command",
    "environment",
    "ports",
    "volumes",
    "depends_on",
    "restart",
    "profiles",
];

/// What one binary, or one `stdnav` command, accepts.
#[derive(Debug, Clone, Default)]
struct Accepts {
    /// Long flags, without the dashes.
    flags: BTreeSet<String>,
    env: BTreeSet<String>,
    /// The variable of `--listen`, for servers.
    listen_env: Option<String>,
    /// The listen flag when it is not `--listen` (`http-listen`).
    listen_flag: Option<String>,
    /// Names its health service reports ("" for the whole server).
    health: BTreeSet<String>,
    /// For an HTTP server: the path of its health check, probed over HTTP
    /// instead of grpc.health.v1.
    http_health: Option<&'static str>,
}

impl Accepts {
    fn from_clap(cmd: clap::Command, health: &[&str]) -> Self {
        let mut accepts = Self {
            health: health.iter().map(|s| s.to_string()).collect(),
            ..Self::default()
        };
        accepts.health.insert(String::new());
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                accepts.flags.insert(long.to_string());
            }
            if let Some(env) = arg.get_env() {
                let env = env.to_string_lossy().to_string();
                if arg.get_id() == "listen" {
                    accepts.listen_env = Some(env.clone());
                }
                // The web face listens for HTTP only.
                if arg.get_id() == "http_listen" && accepts.listen_env.is_none() {
                    accepts.listen_env = Some(env.clone());
                    accepts.listen_flag = Some("http-listen".into());
                }
                accepts.env.insert(env);
            }
        }
        accepts
    }

    /// From `stdnav <command> --help`: the root binary has no library to
    /// read its clap definition from.
    fn from_help(help: &str, listen_env: Option<&str>, health: &[&str]) -> Self {
        let mut accepts = Self {
            listen_env: listen_env.map(str::to_string),
            health: health.iter().map(|s| s.to_string()).collect(),
            ..Self::default()
        };
        accepts.health.insert(String::new());
        for line in help.lines() {
            let trimmed = line.trim_start();
            if !trimmed.starts_with('-') {
                continue;
            }
            if let Some(long) = trimmed
                .split_whitespace()
                .find_map(|w| w.strip_prefix("--"))
            {
                let name: String = long
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                accepts.flags.insert(name);
            }
            if let Some((_, rest)) = line.split_once("[env: ")
                && let Some((name, _)) = rest.split_once('=')
            {
                accepts.env.insert(name.to_string());
            }
        }
        accepts
    }
}

/// The binaries of the image and what they accept.
struct Binaries {
    services: BTreeMap<&'static str, Accepts>,
    /// `stdnav <command>`, filled on first use.
    root: HashMap<String, Option<Accepts>>,
}

impl Binaries {
    fn new() -> Self {
        use stdnav_advisor::cli::Args as Advisor;
        use stdnav_changes::cli::Args as Changes;
        use stdnav_profiling::cli::Args as Profiling;
        use stdnav_scoring::cli::Args as Scoring;
        use stdnav_standards::cli::Args as Standards;
        use stdnav_web::cli::Args as Web;
        fn service<A: CommandFactory>(health: &str) -> Accepts {
            Accepts::from_clap(A::command(), &[health])
        }
        let services = BTreeMap::from([
            (
                "stdnav-advisor",
                service::<Advisor>(stdnav_advisor::SERVICE_NAME),
            ),
            (
                "stdnav-profiling",
                service::<Profiling>(stdnav_profiling::SERVICE_NAME),
            ),
            (
                "stdnav-standards",
                service::<Standards>(stdnav_standards::SERVICE_NAME),
            ),
            (
                "stdnav-scoring",
                service::<Scoring>(stdnav_scoring::SERVICE_NAME),
            ),
            (
                "stdnav-changes",
                service::<Changes>(stdnav_changes::SERVICE_NAME),
            ),
            (
                "stdnav-web",
                Accepts {
                    http_health: Some("/healthz"),
                    ..Accepts::from_clap(Web::command(), &[])
                },
            ),
        ]);
        Self {
            services,
            root: HashMap::new(),
        }
    }

    fn root(&mut self, command: &str) -> Option<Accepts> {
        self.root
            .entry(command.to_string())
            .or_insert_with(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_stdnav"))
                    .args([command, "--help"])
                    .output()
                    .expect("stdnav runs");
                out.status.success().then(|| {
                    let help = String::from_utf8_lossy(&out.stdout);
                    // `stdnav serve` is the four services on one port.
                    let (listen, health): (Option<&str>, &[&str]) = if command == "serve" {
                        (
                            Some("STDNAV_LISTEN"),
                            &[
                                stdnav_advisor::SERVICE_NAME,
                                stdnav_profiling::SERVICE_NAME,
                                stdnav_standards::SERVICE_NAME,
                                stdnav_scoring::SERVICE_NAME,
                            ],
                        )
                    } else {
                        (None, &[])
                    };
                    Accepts::from_help(&help, listen, health)
                })
            })
            .clone()
    }

    /// What `argv` runs: the binary's name and what it accepts, and where
    /// its own arguments start; None for a utility; an error otherwise.
    fn resolve(&mut self, argv: &[String]) -> Result<Option<(String, Accepts, usize)>, String> {
        let Some(program) = argv.first() else {
            return Err("runs the image's default command: name the binary".into());
        };
        if UTILITIES.contains(&program.as_str()) {
            return Ok(None);
        }
        if let Some(accepts) = self.services.get(program.as_str()) {
            return Ok(Some((program.clone(), accepts.clone(), 1)));
        }
        if program == "stdnav" {
            let command = argv.get(1).ok_or("runs `stdnav` without a command")?;
            return match self.root(command) {
                Some(accepts) => Ok(Some((format!("stdnav {command}"), accepts, 2))),
                None => Err(format!("`stdnav {command}` is not a stdnav command")),
            };
        }
        Err(format!("runs {program:?}, which is not in the image"))
    }
}

impl Binaries {
    /// The command line of a container of the stdnav image (its two fields
    /// `keys`, e.g. command and args) and what it runs; None for other
    /// images and utilities, or when it runs nothing known (an error then).
    fn program(
        &mut self,
        place: &str,
        container: &Value,
        keys: [&str; 2],
        errors: &mut Vec<String>,
    ) -> Option<(Vec<String>, String, Accepts, usize)> {
        if !s(&container["image"]).starts_with("stdnav") {
            return None;
        }
        let mut argv = strings(container.get(keys[0]));
        argv.extend(strings(container.get(keys[1])));
        match self.resolve(&argv) {
            Ok(found) => found.map(|(binary, accepts, from)| (argv, binary, accepts, from)),
            Err(e) => {
                errors.push(format!("{place}: {e}"));
                None
            }
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every deployment file, relative path and text.
fn deploy_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("deploy dir readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&repo().join("deploy"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(repo())
                .expect("under the repo")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect()
}

fn parse_docs(text: &str) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let yaml = serde_yaml_ng::Value::deserialize(doc).map_err(|e| e.to_string())?;
        if !yaml.is_null() {
            docs.push(serde_json::to_value(yaml).map_err(|e| e.to_string())?);
        }
    }
    Ok(docs)
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().map(s).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The port of `host:port` or `scheme://host:port`.
fn host_port(addr: &str) -> Option<(String, u16)> {
    let rest = addr.split_once("://").map(|(_, r)| r).unwrap_or(addr);
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    Some((host.to_string(), port.parse().ok()?))
}

/// `--flag value` and `--flag=value` pairs of `args` (the value None for a
/// switch), and the values of a multi-valued flag such as --merge.
fn flags(args: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for arg in args {
        if let Some(flag) = arg.strip_prefix("--") {
            match flag.split_once('=') {
                Some((name, value)) => out.push((name.to_string(), vec![value.to_string()])),
                None => out.push((flag.to_string(), Vec::new())),
            }
        } else if let Some((_, values)) = out.last_mut() {
            values.push(arg.clone());
        }
    }
    out
}

fn flag_value(flags: &[(String, Vec<String>)], name: &str) -> Option<String> {
    flags
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.first().cloned())
}

/// `$(NAME)` references in Kubernetes arguments.
fn references(args: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for arg in args {
        let mut rest = arg.as_str();
        while let Some(start) = rest.find("$(") {
            let after = &rest[start + 2..];
            match after.find(')') {
                Some(end) => {
                    out.insert(after[..end].to_string());
                    rest = &after[end..];
                }
                None => break,
            }
        }
    }
    out
}

/// One container's effective settings, shared by the compose and
/// Kubernetes checks.
struct Container<'a> {
    place: String,
    argv: Vec<String>,
    env: BTreeMap<String, String>,
    /// Mount path and whether it is read-only.
    mounts: Vec<(String, bool)>,
    ports: Vec<u16>,
    accepts: &'a Accepts,
    args_from: usize,
}

impl Container<'_> {
    fn setting(&self, flag: &str, env: Option<&str>) -> Option<String> {
        flag_value(&flags(&self.argv[self.args_from..]), flag)
            .or_else(|| env.and_then(|e| self.env.get(e).cloned()))
    }

    /// Checks flags, variables and the listen address; returns the port it
    /// listens on, for servers.
    fn check(&self, errors: &mut Vec<String>, k8s: bool) -> Option<u16> {
        let place = &self.place;
        let args = &self.argv[self.args_from..];
        for (flag, _) in flags(args) {
            if !self.accepts.flags.contains(&flag) {
                errors.push(format!("{place}: flag --{flag} is not accepted"));
            }
        }
        let referenced = if k8s {
            references(&self.argv)
        } else {
            BTreeSet::new()
        };
        for name in self.env.keys() {
            let extra = EXTRA_ENV.iter().any(|(e, _)| e == name);
            if !self.accepts.env.contains(name) && !extra && !referenced.contains(name) {
                errors.push(format!(
                    "{place}: variable {name} is not read by the binary"
                ));
            }
        }
        for name in &referenced {
            if !self.env.contains_key(name) {
                errors.push(format!("{place}: $({name}) is not defined in env"));
            }
        }
        // Paths the binary reads or writes lie on a mounted volume (the
        // root filesystem is read-only); its home and outputs on a writable
        // one — unless it serves its index read-only from home.
        let read_only_home = self.accepts.flags.contains("read-only-index")
            && self
                .setting("read-only-index", Some("STDNAV_READ_ONLY_INDEX"))
                .is_some_and(|v| v.is_empty() || v == "true");
        let writable: &[&str] = if read_only_home {
            &["out"]
        } else {
            &["home", "out"]
        };
        let path_settings = [
            ("home", "STDNAV_HOME"),
            ("data", "STDNAV_DATA"),
            ("keys", "STDNAV_KEYS"),
            ("out", ""),
            ("model", "STDNAV_MODEL"),
        ];
        for (flag, env) in path_settings {
            if !self.accepts.flags.contains(flag) {
                continue;
            }
            let Some(path) = self.setting(flag, (!env.is_empty()).then_some(env)) else {
                continue;
            };
            if !path.starts_with('/') {
                errors.push(format!("{place}: --{flag} {path} is relative"));
                continue;
            }
            let mount = self
                .mounts
                .iter()
                .filter(|(m, _)| path == *m || path.starts_with(&format!("{m}/")))
                .max_by_key(|(m, _)| m.len());
            match mount {
                // Compose containers may write to their own filesystem.
                None if writable.contains(&flag) && !k8s => {}
                None => errors.push(format!("{place}: --{flag} {path} is on no volume")),
                Some((m, true)) if writable.contains(&flag) => {
                    errors.push(format!("{place}: --{flag} {path} is on read-only {m}"))
                }
                Some(_) => {}
            }
        }
        let listen_env = self.accepts.listen_env.as_deref()?;
        let listen_flag = self.accepts.listen_flag.as_deref().unwrap_or("listen");
        let Some(listen) = self.setting(listen_flag, Some(listen_env)) else {
            errors.push(format!(
                "{place}: listens on loopback by default: set {listen_env} or --{listen_flag}"
            ));
            return None;
        };
        let Ok(addr) = listen.parse::<std::net::SocketAddr>() else {
            errors.push(format!("{place}: listen address {listen:?} is not IP:port"));
            return None;
        };
        if addr.ip().is_loopback() {
            errors.push(format!(
                "{place}: listens on {addr}, unreachable from outside"
            ));
        }
        if !self.ports.contains(&addr.port()) {
            errors.push(format!(
                "{place}: listens on {} but publishes ports {:?}",
                addr.port(),
                self.ports
            ));
        }
        let mut served = vec![addr.port()];
        if let Some(metrics) = self.setting("metrics-listen", Some("STDNAV_METRICS_LISTEN")) {
            match metrics.parse::<std::net::SocketAddr>() {
                Ok(m) if m.ip().is_loopback() => {
                    errors.push(format!("{place}: metrics on {m}, unreachable from outside"))
                }
                Ok(m) if k8s && !self.ports.contains(&m.port()) => errors.push(format!(
                    "{place}: metrics on {} but ports are {:?}",
                    m.port(),
                    self.ports
                )),
                Ok(m) => served.push(m.port()),
                Err(_) => errors.push(format!(
                    "{place}: metrics address {metrics:?} is not IP:port"
                )),
            }
        }
        if k8s {
            for port in &self.ports {
                if !served.contains(port) {
                    errors.push(format!("{place}: port {port} is served by nothing"));
                }
            }
        }
        Some(addr.port())
    }
}

/// A Kubernetes object with its kind and name.
struct Object<'a> {
    file: &'a str,
    kind: String,
    name: String,
    body: &'a Value,
}

fn labels_match(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let (Some(Value::Object(sel)), Some(Value::Object(labels))) = (selector, labels) else {
        return false;
    };
    !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Every problem found in the deployment files.
fn check(files: &[(String, String)], bins: &mut Binaries) -> Vec<String> {
    let mut errors = Vec::new();
    let mut parsed: Vec<(&str, Vec<Value>)> = Vec::new();
    for (path, text) in files {
        match parse_docs(text) {
            Ok(docs) => parsed.push((path.as_str(), docs)),
            Err(e) => errors.push(format!("{path}: not YAML: {e}")),
        }
    }
    let mut k8s_objects = Vec::new();
    let mut compose = None;
    let mut kustomization = None;
    for (path, docs) in &parsed {
        if path.ends_with("compose.yaml") {
            compose = docs.first().map(|d| (*path, d));
        } else if path.starts_with("deploy/k8s/") {
            for doc in docs {
                let kind = s(&doc["kind"]);
                if kind == "Kustomization" {
                    kustomization = Some((*path, doc));
                    continue;
                }
                k8s_objects.push(Object {
                    file: path,
                    kind,
                    name: s(&doc["metadata"]["name"]),
                    body: doc,
                });
            }
        }
    }
    let mut seen = BTreeSet::new();
    match compose {
        Some((path, doc)) => seen.extend(check_compose(path, doc, bins, &mut errors)),
        None => errors.push("deploy/compose.yaml is missing".into()),
    }
    let deployed = check_k8s(&k8s_objects, bins, &mut errors);
    for binary in bins.services.keys() {
        if !seen.contains(*binary) {
            errors.push(format!("deploy/compose.yaml runs no {binary}"));
        }
        if !deployed.contains(*binary) {
            errors.push(format!("deploy/k8s has no Deployment running {binary}"));
        }
    }
    match kustomization {
        Some((path, doc)) => check_kustomization(path, doc, files, &mut errors),
        None => errors.push("deploy/k8s/kustomization.yaml is missing".into()),
    }
    errors
}

/// Checks compose.yaml; returns the binaries it runs.
fn check_compose(
    path: &str,
    doc: &Value,
    bins: &mut Binaries,
    errors: &mut Vec<String>,
) -> BTreeSet<String> {
    let mut ran = BTreeSet::new();
    let Some(services) = doc["services"].as_object() else {
        errors.push(format!("{path}: no services"));
        return ran;
    };
    let mut listening: BTreeMap<String, u16> = BTreeMap::new();
    let mut addresses = Vec::new();
    for (name, svc) in services {
        let place = format!("{path} service {name}");
        for key in svc.as_object().map(|o| o.keys()).into_iter().flatten() {
            if !COMPOSE_SERVICE_KEYS.contains(&key.as_str()) {
                errors.push(format!("{place}: unexpected key {key}"));
            }
        }
        for volume in strings(svc.get("volumes")) {
            if let Some(file) = volume.strip_prefix("./") {
                let file = file.split(':').next().unwrap_or_default();
                if !repo().join("deploy").join(file).exists() {
                    errors.push(format!("{place}: mounts missing file ./{file}"));
                }
            }
        }
        let Some((argv, binary, accepts, args_from)) =
            bins.program(&place, svc, ["entrypoint", "command"], errors)
        else {
            continue;
        };
        let env: BTreeMap<String, String> = match &svc["environment"] {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), s(v))).collect(),
            Value::Array(list) => list
                .iter()
                .map(|kv| {
                    let kv = s(kv);
                    let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
                    (k.to_string(), v.to_string())
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        let mounts = strings(svc.get("volumes"))
            .iter()
            .filter_map(|v| {
                let parts: Vec<&str> = v.split(':').collect();
                // source:target[:mode]; the source may hold ${VAR:-default}.
                let target = parts.iter().skip(1).find(|p| p.starts_with('/'))?;
                Some((target.to_string(), parts.last() == Some(&"ro")))
            })
            .collect();
        let ports = strings(svc.get("ports"))
            .iter()
            .filter_map(|p| p.rsplit(':').next()?.split('/').next()?.parse().ok())
            .collect();
        let container = Container {
            place: place.clone(),
            argv,
            env,
            mounts,
            ports,
            accepts: &accepts,
            args_from,
        };
        if let Some(port) = container.check(errors, false) {
            listening.insert(name.clone(), port);
        }
        for (k, v) in &container.env {
            if k.ends_with("_ADDR") {
                addresses.push((place.clone(), k.clone(), v.clone()));
            }
            if (k == "STDNAV_REDIS_URL" || k == "OTEL_EXPORTER_OTLP_ENDPOINT")
                && !host_port(v).is_some_and(|(h, _)| services.contains_key(&h))
            {
                errors.push(format!("{place}: {k}={v} names no compose service"));
            }
        }
        ran.insert(binary);
    }
    for (place, k, v) in addresses {
        match host_port(&v) {
            Some((host, port)) if listening.get(&host) == Some(&port) => {}
            _ => errors.push(format!(
                "{place}: {k}={v} is no stdnav service's listen address"
            )),
        }
    }
    ran
}

/// Checks the Kubernetes objects; returns the binaries Deployments run.
fn check_k8s(
    objects: &[Object],
    bins: &mut Binaries,
    errors: &mut Vec<String>,
) -> BTreeSet<String> {
    let mut deployed = BTreeSet::new();
    let find = |kind: &str, name: &str| objects.iter().find(|o| o.kind == kind && o.name == name);
    let config_maps: BTreeMap<&str, &Value> = objects
        .iter()
        .filter(|o| o.kind == "ConfigMap")
        .map(|o| (o.name.as_str(), &o.body["data"]))
        .collect();
    // Pod templates: (object, pod spec, pod labels).
    let pods: Vec<(&Object, &Value, Option<&Value>)> = objects
        .iter()
        .filter_map(|o| match o.kind.as_str() {
            "Deployment" | "StatefulSet" | "Job" => Some((
                o,
                &o.body["spec"]["template"]["spec"],
                o.body["spec"]["template"]["metadata"].get("labels"),
            )),
            "Pod" => Some((o, &o.body["spec"], o.body["metadata"].get("labels"))),
            _ => None,
        })
        .collect();
    let mut addresses = Vec::new();
    let mut merges = Vec::new();
    let mut shards = Vec::new();
    for (object, pod, _) in &pods {
        if s(&object.body["metadata"]["namespace"]) != "stdnav" {
            errors.push(format!(
                "{} {}: not in namespace stdnav",
                object.file, object.name
            ));
        }
        // A StatefulSet's claim templates are volumes of its pods too.
        let templates = items(object.body["spec"].get("volumeClaimTemplates"));
        let volumes: BTreeMap<String, &Value> = items(pod.get("volumes"))
            .iter()
            .map(|v| (s(&v["name"]), v))
            .chain(templates.iter().map(|t| (s(&t["metadata"]["name"]), t)))
            .collect();
        for volume in volumes.values() {
            let claim = s(&volume["persistentVolumeClaim"]["claimName"]);
            if !claim.is_empty() && find("PersistentVolumeClaim", &claim).is_none() {
                errors.push(format!("{}: claim {claim} is not defined", object.name));
            }
        }
        let init = items(pod.get("initContainers")).iter().map(|c| (c, true));
        let main = items(pod.get("containers")).iter().map(|c| (c, false));
        for (c, is_init) in init.chain(main) {
            let place = format!("{} {}/{}", object.file, object.name, s(&c["name"]));
            let mounts: Vec<(String, bool)> = items(c.get("volumeMounts"))
                .iter()
                .map(|m| (s(&m["mountPath"]), m["readOnly"] == Value::Bool(true)))
                .collect();
            for m in items(c.get("volumeMounts")) {
                if !volumes.contains_key(&s(&m["name"])) {
                    errors.push(format!(
                        "{place}: mounts undefined volume {}",
                        s(&m["name"])
                    ));
                }
            }
            let Some((argv, binary, accepts, args_from)) =
                bins.program(&place, c, ["command", "args"], errors)
            else {
                continue;
            };
            let mut env = BTreeMap::new();
            for from in items(c.get("envFrom")) {
                let name = s(&from["configMapRef"]["name"]);
                match config_maps.get(name.as_str()) {
                    Some(Value::Object(data)) => {
                        env.extend(data.iter().map(|(k, v)| (k.clone(), s(v))));
                    }
                    _ => errors.push(format!(
                        "{place}: envFrom ConfigMap {name:?} is not defined"
                    )),
                }
            }
            for e in items(c.get("env")) {
                let value = match e.get("valueFrom") {
                    Some(from) if from.get("configMapKeyRef").is_some() => {
                        let r = &from["configMapKeyRef"];
                        match config_maps
                            .get(s(&r["name"]).as_str())
                            .and_then(|d| d.get(s(&r["key"])))
                        {
                            Some(v) => s(v),
                            None => {
                                errors.push(format!("{place}: configMapKeyRef {r} is not defined"));
                                String::new()
                            }
                        }
                    }
                    Some(_) => String::new(),
                    None => s(&e["value"]),
                };
                env.insert(s(&e["name"]), value);
            }
            let ports = items(c.get("ports"))
                .iter()
                .filter_map(|p| p["containerPort"].as_u64().map(|p| p as u16))
                .collect();
            let container = Container {
                place: place.clone(),
                argv: argv.clone(),
                env,
                mounts,
                ports,
                accepts: &accepts,
                args_from,
            };
            let listen = container.check(errors, true);
            for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
                let Some(p) = c.get(probe) else {
                    if !is_init && object.kind == "Deployment" && probe != "startupProbe" {
                        errors.push(format!("{place}: no {probe}"));
                    }
                    continue;
                };
                if let Some(path) = accepts.http_health {
                    // An HTTP server: its health path over HTTP, or (liveness
                    // only) its port accepting connections.
                    let (port, asked) = match (p.get("httpGet"), p.get("tcpSocket")) {
                        (Some(get), _) => (&get["port"], Some(s(&get["path"]))),
                        (None, Some(tcp)) if probe == "livenessProbe" => (&tcp["port"], None),
                        _ => {
                            errors.push(format!("{place}: {probe} is not an HTTP probe of {path}"));
                            continue;
                        }
                    };
                    if port.as_u64().map(|p| p as u16) != listen {
                        errors.push(format!(
                            "{place}: {probe} probes port {port} but the server listens on {listen:?}"
                        ));
                    }
                    if let Some(asked) = asked
                        && asked != path
                    {
                        errors.push(format!(
                            "{place}: {probe} asks {asked:?}; the server's health is {path:?}"
                        ));
                    }
                    continue;
                }
                let Some(grpc) = p.get("grpc") else {
                    errors.push(format!("{place}: {probe} is not a gRPC health probe"));
                    continue;
                };
                if grpc["port"].as_u64().map(|p| p as u16) != listen {
                    errors.push(format!(
                        "{place}: {probe} probes port {} but the server listens on {listen:?}",
                        grpc["port"]
                    ));
                }
                let service = s(&grpc["service"]);
                if !accepts.health.contains(&service) {
                    errors.push(format!(
                        "{place}: {probe} asks health for {service:?}; the server reports {:?}",
                        accepts.health
                    ));
                }
            }
            if !is_init {
                for r in ["requests", "limits"] {
                    for res in ["cpu", "memory"] {
                        if c["resources"][r].get(res).is_none() {
                            errors.push(format!("{place}: no {r}.{res}"));
                        }
                    }
                }
            }
            for (k, v) in &container.env {
                if k.ends_with("_ADDR") {
                    addresses.push((place.clone(), k.clone(), v.clone()));
                }
                if k == "STDNAV_REDIS_URL" {
                    addresses.push((place.clone(), k.clone(), v.clone()));
                }
            }
            let args = flags(&argv[args_from..]);
            if binary == "stdnav batch" {
                let chain = flag_value(&args, "chain").unwrap_or_default();
                match args.iter().find(|(n, _)| n == "merge") {
                    Some((_, dirs)) => merges.push((place.clone(), chain, dirs.clone())),
                    None => shards.push((
                        place.clone(),
                        object,
                        chain,
                        flag_value(&args, "shard"),
                        flag_value(&args, "out").unwrap_or_default(),
                    )),
                }
            }
            if object.kind == "Deployment" {
                deployed.insert(binary);
            }
        }
    }
    // Addresses name a Service with that port.
    for (place, k, v) in addresses {
        let ok = host_port(&v).is_some_and(|(host, port)| {
            find("Service", &host).is_some_and(|svc| {
                items(svc.body["spec"].get("ports"))
                    .iter()
                    .any(|p| p["port"].as_u64() == Some(u64::from(port)))
            })
        });
        if !ok {
            errors.push(format!("{place}: {k}={v} is no Service port"));
        }
    }
    // Services select pods and reach a port they expose.
    for svc in objects.iter().filter(|o| o.kind == "Service") {
        let selector = svc.body["spec"].get("selector");
        let targets: Vec<&Value> = pods
            .iter()
            .filter(|(o, _, labels)| o.kind != "Job" && labels_match(selector, *labels))
            .map(|(_, pod, _)| *pod)
            .collect();
        if targets.is_empty() {
            errors.push(format!("Service {}: selects no pods", svc.name));
        }
        for port in items(svc.body["spec"].get("ports")) {
            let target = port.get("targetPort").unwrap_or(&port["port"]);
            let found = targets.iter().all(|pod| {
                items(pod.get("containers")).iter().any(|c| {
                    items(c.get("ports")).iter().any(|p| match target {
                        Value::String(name) => s(&p["name"]) == *name,
                        n => p["containerPort"] == *n,
                    })
                })
            });
            if !found {
                errors.push(format!(
                    "Service {}: targetPort {target} is no container port",
                    svc.name
                ));
            }
        }
    }
    // Every Deployment is autoscaled and has a disruption budget.
    for (deployment, _, labels) in pods.iter().filter(|(o, _, _)| o.kind == "Deployment") {
        let hpa = objects.iter().any(|o| {
            o.kind == "HorizontalPodAutoscaler"
                && s(&o.body["spec"]["scaleTargetRef"]["kind"]) == "Deployment"
                && s(&o.body["spec"]["scaleTargetRef"]["name"]) == deployment.name
        });
        if !hpa {
            errors.push(format!(
                "Deployment {}: no HorizontalPodAutoscaler",
                deployment.name
            ));
        }
        let pdb = objects.iter().any(|o| {
            o.kind == "PodDisruptionBudget"
                && labels_match(o.body["spec"]["selector"].get("matchLabels"), *labels)
        });
        if !pdb {
            errors.push(format!(
                "Deployment {}: no PodDisruptionBudget",
                deployment.name
            ));
        }
    }
    for o in objects
        .iter()
        .filter(|o| o.kind == "HorizontalPodAutoscaler")
    {
        if find("Deployment", &s(&o.body["spec"]["scaleTargetRef"]["name"])).is_none() {
            errors.push(format!(
                "HorizontalPodAutoscaler {}: scales no Deployment",
                o.name
            ));
        }
    }
    // Sharded batch: pod i scores shard i of `completions`, and the merge
    // reads exactly the shards' output directories.
    for (place, job, chain, shard, out) in shards {
        let spec = &job.body["spec"];
        let Some(shard) = shard else { continue };
        if s(&spec["completionMode"]) != "Indexed" {
            errors.push(format!("{place}: --shard {shard} outside an Indexed Job"));
            continue;
        }
        let completions = spec["completions"].as_u64().unwrap_or(0);
        if shard != format!("$(JOB_COMPLETION_INDEX)/{completions}") {
            errors.push(format!(
                "{place}: --shard {shard} is not $(JOB_COMPLETION_INDEX)/{completions} (completions)"
            ));
        }
        if !out.contains("$(JOB_COMPLETION_INDEX)") {
            errors.push(format!("{place}: shards share --out {out}"));
        }
        let expected: Vec<String> = (0..completions)
            .map(|i| out.replace("$(JOB_COMPLETION_INDEX)", &i.to_string()))
            .collect();
        match merges.iter().find(|(_, c, _)| *c == chain) {
            Some((merge, _, dirs)) if *dirs != expected => errors.push(format!(
                "{merge}: merges {dirs:?}, the shards write {expected:?}"
            )),
            Some(_) => {}
            None => errors.push(format!("{place}: no merge job for chain {chain}")),
        }
    }
    deployed
}

fn check_kustomization(
    path: &str,
    doc: &Value,
    files: &[(String, String)],
    errors: &mut Vec<String>,
) {
    let listed: BTreeSet<String> = strings(doc.get("resources"))
        .into_iter()
        .map(|r| format!("deploy/k8s/{r}"))
        .collect();
    for r in &listed {
        if !files.iter().any(|(f, _)| f == r) {
            errors.push(format!("{path}: resource {r} does not exist"));
        }
    }
    // Files beside it are the long-running part; jobs/ and ops/ are applied on their own.
    for (f, _) in files {
        if let Some(name) = f.strip_prefix("deploy/k8s/")
            && !name.contains('/')
            && f != path
            && !listed.contains(f)
        {
            errors.push(format!("{path}: does not list {f}"));
        }
    }
}

#[test]
fn variables_read_outside_flags_are_read() {
    for (name, file) in EXTRA_ENV {
        let text = std::fs::read_to_string(repo().join(file)).expect("readable");
        assert!(
            text.contains(&format!("\"{name}\"")),
            "{file} no longer reads {name}"
        );
    }
}

#[test]
fn manifests_match_the_binaries() {
    let files = deploy_files();
    assert!(files.iter().any(|(f, _)| f == "deploy/compose.yaml"));
    assert!(
        files
            .iter()
            .filter(|(f, _)| f.starts_with("deploy/k8s/"))
            .count()
            >= 10
    );
    let errors = check(&files, &mut Binaries::new());
    assert!(
        errors.is_empty(),
        "deployment files disagree with the binaries:\n{}",
        errors.join("\n")
    );
}

#[test]
fn broken_manifests_are_caught() {
    let files = deploy_files();
    let mut bins = Binaries::new();
    // (file, text to replace, replacement, part of the expected error)
    let breaks = [
        (
            "deploy/k8s/config.yaml",
            "STDNAV_SCORING_LISTEN",
            "STDNAV_SCORING_LISTN",
            "STDNAV_SCORING_LISTN",
        ),
        (
            "deploy/k8s/standards.yaml",
            "service: stdnav.standards.v1.StandardsService",
            "service: stdnav.standards.v1.Standards",
            "asks health for",
        ),
        (
            "deploy/k8s/scoring.yaml",
            "grpc:\n              port: 50063",
            "grpc:\n              port: 50064",
            "probes port",
        ),
        (
            "deploy/k8s/config.yaml",
            "stdnav-scoring:50063",
            "stdnav-scoring:50064",
            "is no Service port",
        ),
        (
            "deploy/k8s/jobs/batch.yaml",
            "--concurrency",
            "--concurency",
            "--concurency",
        ),
        (
            "deploy/k8s/jobs/batch.yaml",
            "completions: 4",
            "completions: 3",
            "JOB_COMPLETION_INDEX",
        ),
        (
            "deploy/k8s/jobs/batch-merge.yaml",
            "            - /out/appliances/shard-3\n",
            "",
            "merges",
        ),
        (
            "deploy/k8s/standards.yaml",
            "containerPort: 50062",
            "containerPort: 50065",
            "publishes ports",
        ),
        (
            "deploy/k8s/profiling.yaml",
            "containerPort: 9464",
            "containerPort: 9465",
            "metrics on 9464",
        ),
        (
            "deploy/k8s/advisor.yaml",
            "command: [stdnav-advisor]",
            "command: [stdnav-advisr]",
            "not in the image",
        ),
        (
            "deploy/k8s/jobs/index.yaml",
            "command: [stdnav, search]",
            "command: [stdnav, serch]",
            "not a stdnav command",
        ),
        (
            "deploy/k8s/scoring.yaml",
            "mountPath: /var/lib/stdnav\n            - name: keys",
            "mountPath: /var/lib/stdnav\n              readOnly: true\n            - name: keys",
            "read-only",
        ),
        (
            "deploy/k8s/web.yaml",
            "path: /healthz",
            "path: /health",
            "the server's health is",
        ),
        (
            "deploy/k8s/web.yaml",
            "httpGet:\n              port: 8080",
            "httpGet:\n              port: 8081",
            "probes port",
        ),
        (
            "deploy/k8s/config.yaml",
            "STDNAV_HTTP_LISTEN: \"0.0.0.0:8080\"",
            "STDNAV_HTTP_LISTEN: \"127.0.0.1:8080\"",
            "unreachable from outside",
        ),
        (
            "deploy/k8s/config.yaml",
            "stdnav-changes:50064",
            "stdnav-changes:50065",
            "is no Service port",
        ),
        (
            "deploy/compose.yaml",
            "STDNAV_ADVISOR_LISTEN",
            "STDNAV_ADVISOR_LISTEN_ADDR",
            "loopback",
        ),
        (
            "deploy/compose.yaml",
            "STDNAV_SCORING_ADDR: scoring:50063",
            "STDNAV_SCORING_ADDR: scoring:50064",
            "listen address",
        ),
        (
            "deploy/compose.yaml",
            "    restart: unless-stopped\n\n  advisor:",
            "    restrat: unless-stopped\n\n  advisor:",
            "unexpected key",
        ),
    ];
    for (file, from, to, expect) in breaks {
        let mut broken = files.clone();
        let (_, text) = broken
            .iter_mut()
            .find(|(f, _)| f == file)
            .unwrap_or_else(|| panic!("{file} exists"));
        assert!(
            text.contains(from),
            "{file} no longer contains {from:?}: update this test"
        );
        *text = text.replacen(from, to, 1);
        let errors = check(&broken, &mut bins);
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "{file}: {from:?} -> {to:?} not caught (wanted {expect:?}); errors: {errors:#?}"
        );
    }
}
