//! Change alerts end to end, against both stores (redb and Redis): real
//! gRPC servers on 127.0.0.1:0 (standards + changes), a small catalogue in
//! the project's JSONL format ingested through the Ingest RPC, enterprises
//! validated and stored by the profiling domain, subscriptions, the
//! fan-out, WatchChanges cut and resumed, ListChanges paging, tenant
//! isolation, and a Redis killed and restarted while events flow.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tonic::Request;

use stdnav_changes::log::ChangeLog;
use stdnav_changes::log::embedded::EmbeddedLog;
use stdnav_changes::log::redis_log::RedisLog;
use stdnav_changes::{Changes, ChangesGrpc};
use stdnav_core::catalogue::Format;
use stdnav_core::enterprise::Profile;
use stdnav_profiling::store::EnterpriseStore;
use stdnav_profiling::store::embedded::EmbeddedStore;
use stdnav_profiling::store::redis_store::RedisStore;
use stdnav_proto::changes::v1 as pb;
use stdnav_proto::changes::v1::changes_service_client::ChangesServiceClient;
use stdnav_proto::standards::v1 as spb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::Launch;
use stdnav_runtime::tenant::set_tenant;
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, Source};
use stdnav_standards::{Standards, StandardsGrpc};

/// Catalogue before: hypothetical numbers (no real ISO standard has them).
const V1: &str = r#"{"id": "ISO 99901:2010", "title_en": "Test standard to be replaced", "ics": ["01.040.01"], "status": "current", "published": "2010-05"}
{"id": "ISO 99903:2010", "title_en": "Test standard to be withdrawn", "ics": ["01.040.01"], "status": "current", "published": "2010-05"}
{"id": "ISO 99904:2015", "title_en": "Test standard referenced by a held one", "ics": ["01.040.01"], "status": "current", "published": "2015-01"}
{"id": "ISO 99905:2019", "title_en": "Test standard that does not change", "ics": ["01.040.01"], "status": "current", "published": "2019-01"}
{"id": "ISO 99906:2018", "title_en": "Test standard referencing 99904", "ics": ["01.040.01"], "status": "current", "published": "2018-01", "normative_refs": ["ISO 99904:2015"]}
"#;

/// Catalogue after: 99901 replaced by 99902, 99903 withdrawn, 99904 has a
/// new edition (which replaces the edition 99906 references).
const V2: &str = r#"{"id": "ISO 99901:2010", "title_en": "Test standard to be replaced", "ics": ["01.040.01"], "status": "replaced", "published": "2010-05", "replaced_by": ["ISO 99902:2024"]}
{"id": "ISO 99902:2024", "title_en": "Test standard replacing 99901", "ics": ["01.040.01"], "status": "current", "published": "2024-03", "replaces": ["ISO 99901:2010"]}
{"id": "ISO 99903:2010", "title_en": "Test standard to be withdrawn", "ics": ["01.040.01"], "status": "withdrawn", "published": "2010-05", "withdrawn": "2024-06"}
{"id": "ISO 99904:2024", "title_en": "Test standard referenced by a held one, new edition", "ics": ["01.040.01"], "status": "current", "published": "2024-02", "replaces": ["ISO 99904:2015"]}
"#;

/// A valid USCC (check character computed) numbered `n`.
fn uscc(n: u32) -> String {
    let body = format!("91440400MA{n:07}");
    let check = stdnav_core::uscc::check_character(&body).expect("valid body");
    format!("{body}{check}")
}

fn profile(n: u32, held: &[&str]) -> Profile {
    Profile {
        uscc: uscc(n),
        name: format!("测试企业{n}"),
        region: "440400".into(),
        industries: vec!["3851".into()],
        products: vec!["家用电冰箱".into()],
        markets: vec!["CN".into()],
        employees: 100,
        standards_held: held.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

struct Stores {
    log: Arc<dyn ChangeLog>,
    profiles: Arc<dyn EnterpriseStore>,
}

async fn embedded(dir: &Path) -> Stores {
    Stores {
        log: Arc::new(EmbeddedLog::open(&dir.join("changes.redb")).unwrap()),
        profiles: Arc::new(EmbeddedStore::open(&dir.join("profiles.redb")).unwrap()),
    }
}

async fn redis(name: &str) -> Option<Stores> {
    Some(Stores {
        log: Arc::new(RedisLog::for_tests(name).await?),
        profiles: Arc::new(RedisStore::for_tests(name).await?),
    })
}

struct Running {
    addr: SocketAddr,
    changes: Arc<Changes>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _fanout_stop: tokio::sync::oneshot::Sender<()>,
}

/// The standards and changes services on one server; ingests through the
/// Ingest RPC record change events (as in the all-in-one server).
async fn start(dir: &Path, stores: &Stores) -> Running {
    let v1 = dir.join("v1.jsonl");
    std::fs::write(&v1, V1).unwrap();
    let catalogue = CatalogueStore::open(
        &dir.join("standards"),
        &[Source::File {
            path: v1,
            format: Some(Format::StdnavJsonl),
        }],
        &Silent,
    )
    .unwrap();
    let standards = Arc::new(Standards::with_store(Arc::new(catalogue)));
    let changes = Arc::new(
        Changes::new(
            stores.log.clone(),
            stores.profiles.clone(),
            standards.clone(),
        )
        .with_poll_interval(Duration::from_millis(50)),
    );
    standards.set_ingest_observer(changes.ingest_observer());
    let (fanout_stop, fanout_stopped) = tokio::sync::oneshot::channel::<()>();
    changes.spawn_fanout(async {
        let _ = fanout_stopped.await;
    });
    let (handle, stop) = support::start_serving(
        Launch::default()
            .add_service(StandardsGrpc::new(standards).into_server())
            .add_service(ChangesGrpc::new(changes.clone()).into_server()),
    )
    .await;
    Running {
        addr: handle.local_addr,
        changes,
        _stop: stop,
        _fanout_stop: fanout_stop,
    }
}

fn with_tenant<T>(message: T, tenant: &str) -> Request<T> {
    let mut r = Request::new(message);
    set_tenant(&mut r, tenant);
    r
}

async fn client(addr: SocketAddr) -> ChangesServiceClient<tonic::transport::Channel> {
    ChangesServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap()
}

async fn ingest(addr: SocketAddr, content: &str, source: &str) -> spb::IngestResponse {
    let mut c = StandardsServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    c.ingest(spb::IngestRequest {
        content: content.as_bytes().to_vec(),
        format: spb::SourceFormat::StdnavJsonl as i32,
        source: source.into(),
    })
    .await
    .unwrap()
    .into_inner()
}

async fn subscribe(
    c: &mut ChangesServiceClient<tonic::transport::Channel>,
    tenant: &str,
    kind: pb::TargetKind,
    value: &str,
) -> Result<pb::Subscription, tonic::Status> {
    c.subscribe(with_tenant(
        pb::SubscribeRequest {
            target: Some(pb::Target {
                kind: kind as i32,
                value: value.into(),
            }),
            note: String::new(),
        },
        tenant,
    ))
    .await
    .map(|r| r.into_inner())
}

/// Reads `n` feed events from a WatchChanges stream (10 s at most).
async fn take(stream: &mut tonic::Streaming<pb::FeedEvent>, n: usize) -> Vec<pb::FeedEvent> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events arrived", out.len()));
        out.push(next.expect("stream open").expect("no error"));
    }
    out
}

fn kind_name(code: i32) -> String {
    pb::ChangeKind::try_from(code)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("CHANGE_KIND_")
                .to_string()
        })
        .unwrap_or_default()
}

/// (uscc, kind, standard) for every impact of every event.
fn impacts(events: &[pb::FeedEvent]) -> BTreeSet<(String, String, String)> {
    events
        .iter()
        .flat_map(|e| {
            let ev = e.event.clone().unwrap();
            e.impacts
                .iter()
                .map(move |i| (i.uscc.clone(), kind_name(ev.kind), ev.standard.clone()))
        })
        .collect()
}

async fn the_affected_enterprises_get_the_right_events(dir: &Path, stores: Stores, ns: &str) {
    let run = start(dir, &stores).await;
    let (a, b) = (format!("{ns}-agency-a"), format!("{ns}-agency-b"));
    let profiling = stdnav_profiling::Profiling::new(
        stores.profiles.clone(),
        stdnav_core::industry::IndustryData::form_only(),
    );
    let e1 = profile(1, &["ISO 99901:2010"]);
    let e2 = profile(2, &["ISO 99903:2010"]);
    let e3 = profile(3, &["ISO 99906:2018"]);
    let e4 = profile(4, &["ISO 99905:2019"]);
    // Tenant b holds the standard that is replaced, like e1.
    let e5 = profile(5, &["ISO 99901:2010"]);
    for p in [&e1, &e2, &e3, &e4] {
        profiling.upsert(&a, p, None).await.unwrap();
    }
    profiling.upsert(&b, &e5, None).await.unwrap();

    let mut c = client(run.addr).await;
    // A bad target is INVALID_ARGUMENT naming the field.
    let bad = subscribe(&mut c, &a, pb::TargetKind::Enterprise, "91440400MA0000001X")
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    let fields: Vec<_> = stdnav_runtime::status::field_violations(&bad)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["target.value"]);
    let bad = subscribe(&mut c, &a, pb::TargetKind::Unspecified, "x")
        .await
        .unwrap_err();
    assert_eq!(
        stdnav_runtime::status::field_violations(&bad)[0].field,
        "target.kind"
    );

    for p in [&e1, &e2, &e3, &e4] {
        subscribe(&mut c, &a, pb::TargetKind::Enterprise, &p.uscc)
            .await
            .unwrap();
    }
    let again = subscribe(&mut c, &a, pb::TargetKind::Enterprise, &e1.uscc)
        .await
        .unwrap();
    let subs = c
        .list_subscriptions(with_tenant(pb::ListSubscriptionsRequest {}, &a))
        .await
        .unwrap()
        .into_inner()
        .subscriptions;
    assert_eq!(subs.len(), 4, "subscribing twice is one subscription");
    assert!(subs.iter().any(|s| s.id == again.id));
    subscribe(&mut c, &b, pb::TargetKind::Enterprise, &e5.uscc)
        .await
        .unwrap();

    // Watch tenant a's feed from the start, before anything changed.
    let mut watch = c
        .watch_changes(with_tenant(pb::WatchChangesRequest::default(), &a))
        .await
        .unwrap()
        .into_inner();

    // Re-ingesting the catalogue as it is changes nothing and emits nothing.
    let same = ingest(run.addr, V1, "v1-again").await;
    assert_eq!((same.added, same.updated), (0, 0));
    assert!(stores.log.catalogue(None, 100).await.unwrap().is_empty());

    let report = ingest(run.addr, V2, "v2").await;
    assert_eq!(report.rejected, 0);
    assert!(report.added + report.updated > 0);
    let logged = stores.log.catalogue(None, 100).await.unwrap();
    let detected: BTreeSet<(String, String)> = logged
        .iter()
        .map(|l| (l.event.kind.as_str().to_string(), l.event.standard.clone()))
        .collect();
    let expected_events: BTreeSet<(String, String)> = [
        ("replaced", "ISO 99901:2010"),
        ("new_edition", "ISO 99902:2024"),
        ("withdrawn", "ISO 99903:2010"),
        ("replaced", "ISO 99904:2015"),
        ("new_edition", "ISO 99904:2024"),
    ]
    .iter()
    .map(|(k, s)| (k.to_string(), s.to_string()))
    .collect();
    assert_eq!(detected, expected_events);
    assert!(logged.iter().all(|l| l.event.source == "v2"));

    // Cut the stream after two events, resume from the last cursor.
    let first = take(&mut watch, 2).await;
    drop(watch);
    let cursor = first.last().unwrap().cursor.clone();
    let mut resumed = c
        .watch_changes(with_tenant(
            pb::WatchChangesRequest {
                cursor: cursor.clone(),
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap()
        .into_inner();
    let rest = take(&mut resumed, 2).await;
    let all: Vec<pb::FeedEvent> = first.iter().chain(rest.iter()).cloned().collect();
    let ids: BTreeSet<_> = all.iter().map(|e| e.event.clone().unwrap().id).collect();
    assert_eq!(ids.len(), 4, "no event twice, none lost");
    // Nothing more for tenant a: the new edition of 99902 affects none of its enterprises.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), resumed.next())
            .await
            .is_err(),
        "an unexpected fifth event"
    );

    // Exactly the affected enterprises, exactly the right events.
    let expected: BTreeSet<(String, String, String)> = [
        (&e1.uscc, "REPLACED", "ISO 99901:2010"),
        (&e2.uscc, "WITHDRAWN", "ISO 99903:2010"),
        (&e3.uscc, "REPLACED", "ISO 99904:2015"),
        (&e3.uscc, "NEW_EDITION", "ISO 99904:2024"),
    ]
    .iter()
    .map(|(u, k, s)| (u.to_string(), k.to_string(), s.to_string()))
    .collect();
    assert_eq!(impacts(&all), expected);
    // Why: e1 and e2 hold them; e3 through the reference of the standard it holds.
    let by_standard: BTreeMap<String, &pb::FeedEvent> = all
        .iter()
        .map(|e| (e.event.clone().unwrap().standard, e))
        .collect();
    let replaced = &by_standard["ISO 99901:2010"];
    assert_eq!(
        replaced.event.clone().unwrap().replacements,
        ["ISO 99902:2024"]
    );
    let reason = &replaced.impacts[0].reasons[0];
    assert_eq!(reason.kind, pb::ReasonKind::Holds as i32);
    assert_eq!(reason.held, "ISO 99901:2010");
    let via = &by_standard["ISO 99904:2015"].impacts[0].reasons[0];
    assert_eq!(via.kind, pb::ReasonKind::References as i32);
    assert_eq!(via.path, ["ISO 99906:2018", "ISO 99904:2015"]);
    let via = &by_standard["ISO 99904:2024"].impacts[0].reasons[0];
    assert_eq!(via.path, ["ISO 99906:2018", "ISO 99904:2024"]);

    // ListChanges pages through the same four, one per page.
    let mut paged = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_changes(with_tenant(
                pb::ListChangesRequest {
                    page_size: 1,
                    page_token: token.clone(),
                    ..Default::default()
                },
                &a,
            ))
            .await
            .unwrap()
            .into_inner();
        paged.extend(page.events);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(
        paged.iter().map(|e| e.cursor.clone()).collect::<Vec<_>>(),
        all.iter().map(|e| e.cursor.clone()).collect::<Vec<_>>()
    );
    let future = c
        .list_changes(with_tenant(
            pb::ListChangesRequest {
                since: "2999-01-01".into(),
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(future.events.is_empty());
    let bad = c
        .list_changes(with_tenant(
            pb::ListChangesRequest {
                since: "last tuesday".into(),
                page_token: "nonsense".into(),
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap_err();
    let mut fields: Vec<_> = stdnav_runtime::status::field_violations(&bad)
        .into_iter()
        .map(|v| v.field)
        .collect();
    fields.sort();
    assert_eq!(fields, ["page_token", "since"]);

    // Tenant b sees its own enterprise only, and nothing of a's.
    let mut b_watch = c
        .watch_changes(with_tenant(pb::WatchChangesRequest::default(), &b))
        .await
        .unwrap()
        .into_inner();
    let b_events = take(&mut b_watch, 1).await;
    assert_eq!(
        impacts(&b_events),
        [(
            e5.uscc.clone(),
            "REPLACED".to_string(),
            "ISO 99901:2010".to_string()
        )]
        .into_iter()
        .collect()
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), b_watch.next())
            .await
            .is_err()
    );
    let b_subs = c
        .list_subscriptions(with_tenant(pb::ListSubscriptionsRequest {}, &b))
        .await
        .unwrap()
        .into_inner()
        .subscriptions;
    assert_eq!(b_subs.len(), 1);
    // b cannot remove a's subscription.
    let removed = c
        .unsubscribe(with_tenant(
            pb::UnsubscribeRequest {
                id: subs[0].id.clone(),
            },
            &b,
        ))
        .await
        .unwrap()
        .into_inner()
        .removed;
    assert!(!removed);
    // Only one subscription's entries: e2's withdrawal.
    let e2_sub = subs
        .iter()
        .find(|s| s.target.as_ref().unwrap().value == e2.uscc)
        .unwrap()
        .id
        .clone();
    let mut only_e2 = c
        .watch_changes(with_tenant(
            pb::WatchChangesRequest {
                subscription_ids: vec![e2_sub],
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap()
        .into_inner();
    let got = take(&mut only_e2, 1).await;
    assert_eq!(
        impacts(&got),
        [(
            e2.uscc.clone(),
            "WITHDRAWN".to_string(),
            "ISO 99903:2010".to_string()
        )]
        .into_iter()
        .collect()
    );
    // From now: nothing until the reminders, which reach every watcher.
    let mut from_now = c
        .watch_changes(with_tenant(
            pb::WatchChangesRequest {
                from_now: true,
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), from_now.next())
            .await
            .is_err()
    );
    let day = stdnav_changes::remind::date_ms("2026-01-15").unwrap();
    let reminders = run
        .changes
        .remind(&a, day, Duration::from_secs(90 * 86_400))
        .await
        .unwrap();
    // Held, still the newest edition, five years old: 99906:2018 and 99905:2019.
    let expected_reminders: BTreeSet<(String, String, String)> = [
        (&e3.uscc, "REVIEW_DUE", "ISO 99906:2018"),
        (&e4.uscc, "REVIEW_DUE", "ISO 99905:2019"),
    ]
    .iter()
    .map(|(u, k, s)| (u.to_string(), k.to_string(), s.to_string()))
    .collect();
    assert_eq!(reminders.len(), 2);
    assert_eq!(impacts(&take(&mut from_now, 2).await), expected_reminders);
    assert_eq!(impacts(&take(&mut only_e2, 2).await), expected_reminders);
    // The same day again adds nothing.
    run.changes
        .remind(&a, day, Duration::from_secs(90 * 86_400))
        .await
        .unwrap();
    assert_eq!(stores.log.feed(&a, None, 100).await.unwrap().len(), 6);

    // Re-ingesting the changed catalogue adds nothing to any feed.
    let again = ingest(run.addr, V2, "v2-again").await;
    assert_eq!((again.added, again.updated), (0, 0));
    run.changes.fan_out().await.unwrap();
    assert_eq!(stores.log.feed(&a, None, 100).await.unwrap().len(), 6);

    // The digest says it in both languages.
    let digest = run.changes.digest(&a, 0).await.unwrap();
    assert_eq!(digest.enterprises.len(), 4);
    let zh = digest.render(stdnav_changes::digest::Lang::Zh);
    assert!(zh.contains("改用 ISO 99902:2024"), "{zh}");
    assert!(zh.contains("ISO 99906:2018 → ISO 99904:2015"), "{zh}");
    let en = digest.render(stdnav_changes::digest::Lang::En);
    assert!(en.contains("move to ISO 99902:2024"), "{en}");
    assert!(en.contains("is withdrawn with no replacement"), "{en}");
}

#[tokio::test]
async fn embedded_store_affected_enterprises_get_the_right_events() {
    let dir = tempfile::tempdir().unwrap();
    let stores = embedded(dir.path()).await;
    the_affected_enterprises_get_the_right_events(dir.path(), stores, "t").await;
}

#[tokio::test]
async fn redis_store_affected_enterprises_get_the_right_events() {
    let Some(stores) = redis("changes-e2e").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    the_affected_enterprises_get_the_right_events(dir.path(), stores, "t").await;
}

/// A redis-server of the test's own, with an append-only file, so that a
/// kill and a restart keep what it acknowledged.
struct OwnRedis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    fn start() -> Option<OwnRedis> {
        if std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            if std::env::var("CI").is_ok() {
                panic!("redis-server is required in CI");
            }
            eprintln!("skipping: redis-server is not installed");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = OwnRedis {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        r.spawn();
        Some(r)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "yes", "--dir"])
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no chance to flush anything more than it already wrote.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Events are published one by one (a publish that fails is retried, as a
/// producer would) and fanned out by the consumer group while the Redis
/// server is killed and restarted; a watcher reads the tenant's feed over
/// gRPC through it all. Every event whose publish was acknowledged ends up
/// in the log, in the tenant's feed and at the watcher, exactly once each.
#[tokio::test]
async fn a_redis_restart_loses_no_acknowledged_event() {
    let Some(mut server) = OwnRedis::start() else {
        return;
    };
    let url = server.url();
    let stores = Stores {
        log: Arc::new(RedisLog::connect(&url, "restart").await.unwrap()),
        profiles: Arc::new(RedisStore::connect(&url, "restart").await.unwrap()),
    };
    let dir = tempfile::tempdir().unwrap();
    let run = start(dir.path(), &stores).await;
    let mut c = client(run.addr).await;
    let ics = subscribe(&mut c, "watcher", pb::TargetKind::IcsGroup, "01.040")
        .await
        .unwrap();
    let mut watch = c
        .watch_changes(with_tenant(pb::WatchChangesRequest::default(), "watcher"))
        .await
        .unwrap()
        .into_inner();

    const N: usize = 120;
    let changes = run.changes.clone();
    let producer = tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for i in 0..N {
            let s = stdnav_core::standard::Standard {
                id: format!("ISO {}:2024", 99_000 + i),
                ics: vec!["01.040.01".into()],
                ..Default::default()
            };
            let event = stdnav_changes::event::ChangeEvent::about(
                stdnav_changes::event::ChangeKind::NewEdition,
                &s,
                "flow",
                stdnav_changes::now_ms(),
            )
            .seal(&[]);
            loop {
                match changes.publish(std::slice::from_ref(&event)).await {
                    Ok(_) => break,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
            acknowledged.push(event.id);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        acknowledged
    });

    // Kill Redis while events flow, then start it again on the same files.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.spawn();

    let acknowledged = tokio::time::timeout(Duration::from_secs(60), producer)
        .await
        .expect("the producer finishes")
        .unwrap();
    assert_eq!(acknowledged.len(), N);

    let watched = take(&mut watch, N).await;
    let watched_ids: Vec<String> = watched
        .iter()
        .map(|e| e.event.clone().unwrap().id)
        .collect();
    let unique: BTreeSet<&String> = watched_ids.iter().collect();
    assert_eq!(unique.len(), N, "the watcher saw each event once");
    let expected: BTreeSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique, expected);
    assert!(watched.iter().all(|e| e.subscriptions == [ics.id.clone()]));

    let logged: BTreeSet<String> = stores
        .log
        .catalogue(None, 10 * N)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.event.id)
        .collect();
    assert_eq!(logged, acknowledged.iter().cloned().collect());
    let feed = stores.log.feed("watcher", None, 10 * N).await.unwrap();
    assert_eq!(feed.len(), N, "the feed holds each event once");
    // Everything was fanned out and acknowledged: nothing is pending.
    assert!(stores.log.claim("check", 10).await.unwrap().is_empty());
}

/// The `stdnav` binary as a user runs it, on the bundled catalogue (the
/// working directory has no ../shared/data): the demo population, a replay
/// of the catalogue's history, an ingest that withdraws a standard many
/// enterprises reference, reminders, and digests in both languages.
#[test]
fn the_cli_records_reminds_and_digests() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_stdnav"))
            .current_dir(cwd.path())
            .env_remove("STDNAV_DATA")
            .env_remove("STDNAV_REDIS_URL")
            .arg("--home")
            .arg(home.path())
            .args(args)
            .output()
            .expect("stdnav runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["demo-data", "--count", "60", "--upsert"]);
    let replayed = run(&["changes", "replay", "--since", "2024-01-01"]);
    let n: usize = replayed
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{replayed}"));
    assert!(n > 0, "{replayed}");
    let again = run(&["changes", "replay", "--since", "2024-01-01"]);
    assert!(
        again.starts_with(&format!("{n} ")),
        "same events, same count: {again}"
    );

    // GB/T 19000-2016 withdrawn (test data): GB/T 19001-2016 references it.
    let update = cwd.path().join("update.jsonl");
    std::fs::write(
        &update,
        r#"{"id": "GB/T 19000-2016", "title_zh": "质量管理体系 基础和术语", "status": "withdrawn", "withdrawn": "2026-01-01"}
"#,
    )
    .unwrap();
    let ingested = run(&["ingest", update.to_str().unwrap()]);
    assert!(ingested.contains("change events: 1 detected"), "{ingested}");
    let unchanged = run(&["ingest", update.to_str().unwrap()]);
    assert!(unchanged.contains("added 0, updated 0"), "{unchanged}");
    assert!(!unchanged.contains("change events"), "{unchanged}");

    let zh = run(&["changes", "digest", "--since", "2000-01-01", "--lang", "zh"]);
    assert!(zh.starts_with("标准动态摘要 — 租户 default"), "{zh}");
    assert!(zh.contains("GB/T 19001-2016 → GB/T 19000-2016"), "{zh}");
    assert!(zh.contains("建议："), "{zh}");
    let en = run(&["changes", "digest", "--since", "2000-01-01", "--lang", "en"]);
    assert!(en.contains("references it normatively"), "{en}");
    assert!(en.contains("To do: "), "{en}");
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "changes",
        "digest",
        "--since",
        "2000-01-01",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["enterprises_total"], 60);
    assert!(!json["enterprises"].as_array().unwrap().is_empty());

    let reminders = run(&[
        "changes",
        "remind",
        "--today",
        "2026-01-15",
        "--format",
        "json",
    ]);
    let kinds: BTreeSet<String> = reminders
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["event"]["kind"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(kinds.contains("review_due"), "{kinds:?}");
    let twice = run(&[
        "changes",
        "remind",
        "--today",
        "2026-01-15",
        "--format",
        "json",
    ]);
    assert_eq!(reminders.lines().count(), twice.lines().count());
    let feed = run(&["changes", "list"]);
    assert_eq!(
        feed.lines().count(),
        reminders.lines().count(),
        "each reminder once in the feed"
    );

    let sub: serde_json::Value =
        serde_json::from_str(&run(&["changes", "subscribe", "chain", "appliances"])).unwrap();
    assert_eq!(sub["target"]["value"], "家电产业链");
    let listed = run(&["changes", "subscriptions"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_stdnav"))
        .current_dir(cwd.path())
        .arg("--home")
        .arg(home.path())
        .args(["changes", "subscribe", "enterprise", "123"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("target.value"));
}

/// `stdnav serve` as its own process: the changes service is mounted, an
/// Ingest through the server records the change, and WatchChanges delivers it.
#[tokio::test]
async fn the_all_in_one_server_serves_change_alerts() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_stdnav"))
        .current_dir(cwd.path())
        .env_remove("STDNAV_DATA")
        .env_remove("STDNAV_REDIS_URL")
        .arg("--home")
        .arg(home.path())
        .args([
            "serve",
            "--listen",
            &addr.to_string(),
            "--http-listen",
            "off",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    support::wait_serving(addr, stdnav_changes::SERVICE_NAME).await;
    let mut c = client(addr).await;
    let sub = subscribe(&mut c, "agency", pb::TargetKind::Standard, "GB/T 19000")
        .await
        .unwrap();
    let mut watch = c
        .watch_changes(with_tenant(pb::WatchChangesRequest::default(), "agency"))
        .await
        .unwrap()
        .into_inner();
    let report = ingest(
        addr,
        r#"{"id": "GB/T 19000-2016", "title_zh": "质量管理体系 基础和术语", "status": "withdrawn", "withdrawn": "2026-01-01"}
"#,
        "update",
    )
    .await;
    assert_eq!(report.updated, 1);
    let got = take(&mut watch, 1).await;
    let event = got[0].event.clone().unwrap();
    assert_eq!(event.standard, "GB/T 19000-2016");
    assert_eq!(kind_name(event.kind), "WITHDRAWN");
    assert_eq!(event.source, "update");
    assert_eq!(got[0].subscriptions, [sub.id]);
    let _ = server.kill();
    let _ = server.wait();
}

/// A watch outlives the server's per-call timeout: the timeout bounds the
/// time to the response, not a stream's life.
#[tokio::test]
async fn a_watch_outlives_the_request_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let stores = embedded(dir.path()).await;
    let changes = Arc::new(
        Changes::new(
            stores.log.clone(),
            stores.profiles.clone(),
            Arc::new(stdnav_standards::Standards::new()),
        )
        .with_poll_interval(Duration::from_millis(50)),
    );
    let (handle, stop) = support::start(
        Launch::new(stdnav_runtime::ServeOptions {
            request_timeout: Duration::from_secs(1),
            ..Default::default()
        })
        .add_service(ChangesGrpc::new(changes.clone()).into_server()),
    )
    .await;
    let mut c = client(handle.local_addr).await;
    let mut watch = c
        .watch_changes(with_tenant(pb::WatchChangesRequest::default(), "t"))
        .await
        .unwrap()
        .into_inner();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let item = stdnav_changes::log::FeedItem {
        event: stdnav_changes::event::ChangeEvent::about(
            stdnav_changes::event::ChangeKind::Withdrawn,
            &stdnav_core::standard::Standard {
                id: "ISO 99901:2010".into(),
                ..Default::default()
            },
            "test",
            1,
        )
        .seal(&[]),
        impacts: Vec::new(),
        impact_count: 0,
        subscriptions: Vec::new(),
    };
    stores.log.append_feed("t", &[item]).await.unwrap();
    let got = take(&mut watch, 1).await;
    assert_eq!(got[0].event.clone().unwrap().standard, "ISO 99901:2010");
    let _ = stop.send(());
}

/// Issue 20, item 8: a feed entry carries `impact_count` and at most
/// `max_impacts` impacts; ListImpacts pages through all of them, each
/// exactly once, for the tenant whose entry it is only; bad requests are
/// INVALID_ARGUMENT with the fields named.
async fn list_impacts_pages_an_entrys_impacts(dir: &Path, stores: Stores, ns: &str) {
    let run = start(dir, &stores).await;
    let (a, b) = (format!("{ns}-imp-a"), format!("{ns}-imp-b"));
    let affected: Vec<stdnav_changes::impact::Impact> = (0..2000)
        .map(|n| stdnav_changes::impact::Impact {
            uscc: uscc(n),
            name: format!("测试企业{n}"),
            reasons: vec![stdnav_changes::impact::Reason::Holds {
                held: "ISO 99901:2010".into(),
            }],
        })
        .collect();
    let event = stdnav_changes::event::ChangeEvent::about(
        stdnav_changes::event::ChangeKind::Withdrawn,
        &stdnav_core::standard::Standard {
            id: "ISO 99901:2010".into(),
            ..Default::default()
        },
        "test",
        1,
    )
    .seal(&[]);
    let item = stdnav_changes::log::FeedItem::new(event, affected.clone(), Vec::new());
    stores.log.append_feed(&a, &[item]).await.unwrap();
    let mut c = client(run.addr).await;

    let page = |max_impacts: Option<u32>| {
        with_tenant(
            pb::ListChangesRequest {
                max_impacts,
                ..Default::default()
            },
            &a,
        )
    };
    let listed = c.list_changes(page(None)).await.unwrap().into_inner();
    let entry = &listed.events[0];
    assert_eq!(entry.impact_count, 2000);
    assert_eq!(entry.impacts.len(), 10, "the default");
    let listed = c.list_changes(page(Some(0))).await.unwrap().into_inner();
    assert!(listed.events[0].impacts.is_empty());
    let listed = c.list_changes(page(Some(100))).await.unwrap().into_inner();
    assert_eq!(listed.events[0].impacts.len(), 100);
    let mut watch = c
        .watch_changes(with_tenant(
            pb::WatchChangesRequest {
                max_impacts: Some(3),
                ..Default::default()
            },
            &a,
        ))
        .await
        .unwrap()
        .into_inner();
    let watched = take(&mut watch, 1).await;
    assert_eq!(
        (watched[0].impact_count, watched[0].impacts.len()),
        (2000, 3)
    );

    // Pages of 300: every impact exactly once, in order.
    let cursor = entry.cursor.clone();
    let mut paged = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_impacts(with_tenant(
                pb::ListImpactsRequest {
                    cursor: cursor.clone(),
                    page_size: 300,
                    page_token: token.clone(),
                },
                &a,
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.impact_count, 2000);
        paged.extend(page.impacts.into_iter().map(|i| i.uscc));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(
        paged,
        affected.iter().map(|i| i.uscc.clone()).collect::<Vec<_>>()
    );

    // Another tenant: nothing of a's entry.
    let theirs = c
        .list_impacts(with_tenant(
            pb::ListImpactsRequest {
                cursor: cursor.clone(),
                ..Default::default()
            },
            &b,
        ))
        .await
        .unwrap_err();
    assert_eq!(theirs.code(), tonic::Code::NotFound);

    // Bad requests name their fields.
    for (request, expected) in [
        (
            pb::ListImpactsRequest {
                cursor: "nonsense".into(),
                page_token: "x".into(),
                ..Default::default()
            },
            &["cursor", "page_token"][..],
        ),
        (pb::ListImpactsRequest::default(), &["cursor"][..]),
        (
            pb::ListImpactsRequest {
                cursor: cursor.clone(),
                page_size: 1001,
                ..Default::default()
            },
            &["page_size"][..],
        ),
    ] {
        let bad = c.list_impacts(with_tenant(request, &a)).await.unwrap_err();
        assert_eq!(bad.code(), tonic::Code::InvalidArgument);
        let mut fields: Vec<_> = stdnav_runtime::status::field_violations(&bad)
            .into_iter()
            .map(|v| v.field)
            .collect();
        fields.sort();
        assert_eq!(fields, expected);
    }
    let bad = c.list_changes(page(Some(101))).await.unwrap_err();
    let fields: Vec<_> = stdnav_runtime::status::field_violations(&bad)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["max_impacts"]);
}

#[tokio::test]
async fn embedded_store_list_impacts_pages_an_entrys_impacts() {
    let dir = tempfile::tempdir().unwrap();
    let stores = embedded(dir.path()).await;
    list_impacts_pages_an_entrys_impacts(dir.path(), stores, "e").await;
}

#[tokio::test]
async fn redis_store_list_impacts_pages_an_entrys_impacts() {
    let Some(stores) = redis("changes-impacts").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    list_impacts_pages_an_entrys_impacts(dir.path(), stores, "r").await;
}
