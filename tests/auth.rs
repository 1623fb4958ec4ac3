//! API keys end to end: `stdnav keys create`, `stdnav serve --keys`, then
//! calls without a key, with a bad key, with too small a scope, with a
//! spoofed tenant header, through the advisor (which passes the caller's
//! key on to the services it calls), and after `stdnav keys revoke`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use tonic::Code;
use tonic::transport::Channel;

fn stdnav(home: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stdnav"));
    cmd.arg("--home").arg(home).arg("--data").arg(data);
    cmd
}

fn create_key(home: &Path, data: &Path, tenant: &str, scope: &str) -> String {
    let out = stdnav(home, data)
        .args(["keys", "create", "--tenant", tenant, "--scope", scope])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn code<T>(r: Result<T, tonic::Status>) -> Code {
    r.map(|_| Code::Ok).unwrap_or_else(|s| s.code())
}

fn with_key<T>(message: T, key: Option<&str>) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    if let Some(k) = key {
        r.metadata_mut()
            .insert("authorization", format!("Bearer {k}").parse().unwrap());
    }
    r
}

async fn wait_serving(channel: Channel) {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let mut health = HealthClient::new(channel);
    for _ in 0..600 {
        // Health checks need no key (probes).
        if let Ok(r) = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            && r.into_inner().status == ServingStatus::Serving as i32
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("stdnav serve did not become SERVING");
}

#[tokio::test]
async fn keys_decide_tenant_and_scope() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (h, d) = (home.path(), data.path());
    let writer = create_key(h, d, "agency-a", "write");
    let reader = create_key(h, d, "agency-a", "read");
    let other = create_key(h, d, "agency-b", "write");
    let service = create_key(h, d, "changes", "service");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Server(
        stdnav(h, d)
            .args(["serve", "--listen", &addr, "--http-listen", "off", "--keys"])
            .arg(h.join("keys.json"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let channel = loop {
        match Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
        {
            Ok(c) => break c,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    wait_serving(channel.clone()).await;
    let mut profiling = ProfilingServiceClient::new(channel.clone());
    let mut advisor = AdvisorServiceClient::new(channel.clone());

    let profile = stdnav_core::demo::enterprise("air-conditioner.json").unwrap();
    let upsert_of = |p: &stdnav_core::enterprise::Profile| ppb::UpsertEnterpriseRequest {
        enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(p)),
        expected_version: None,
    };
    let upsert = || upsert_of(&profile);

    assert_eq!(
        code(profiling.upsert_enterprise(with_key(upsert(), None)).await),
        Code::Unauthenticated
    );
    assert_eq!(
        code(
            profiling
                .upsert_enterprise(with_key(upsert(), Some("snk_00000000_nope")))
                .await
        ),
        Code::Unauthenticated
    );
    assert_eq!(
        code(
            profiling
                .upsert_enterprise(with_key(upsert(), Some(&reader)))
                .await
        ),
        Code::PermissionDenied
    );

    // The tenant comes from the key: a spoofed header changes nothing.
    let mut spoofed = with_key(upsert(), Some(&writer));
    stdnav_runtime::tenant::set_tenant(&mut spoofed, "agency-b");
    let stored = profiling
        .upsert_enterprise(spoofed)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.tenant, "agency-a");
    let get = || ppb::GetEnterpriseRequest {
        uscc: profile.uscc.clone(),
    };
    assert_eq!(
        code(
            profiling
                .get_enterprise(with_key(get(), Some(&other)))
                .await
        ),
        Code::NotFound
    );
    assert_eq!(
        code(
            profiling
                .get_enterprise(with_key(get(), Some(&reader)))
                .await
        ),
        Code::Ok
    );

    // A service key reads for the tenant each call names (stdnav-changes
    // reading every tenant's enterprises through the profiling service);
    // another key reads its own tenant's whatever the call names, and a
    // service key writes nothing.
    let dairy = stdnav_core::demo::enterprise("dairy.json").unwrap();
    profiling
        .upsert_enterprise(with_key(upsert_of(&dairy), Some(&other)))
        .await
        .unwrap();
    use stdnav_changes::profiles::RemoteProfiles;
    use stdnav_core::source::ProfileSource;
    let usccs = |page: stdnav_core::source::ProfilePage| -> Vec<String> {
        page.records.into_iter().map(|r| r.profile.uscc).collect()
    };
    let as_service = RemoteProfiles::new(channel.clone(), Some(service.clone()));
    assert_eq!(
        usccs(as_service.page("agency-a", None, 10).await.unwrap()),
        [profile.uscc.as_str()]
    );
    assert_eq!(
        usccs(as_service.page("agency-b", None, 10).await.unwrap()),
        [dairy.uscc.as_str()]
    );
    let as_reader = RemoteProfiles::new(channel.clone(), Some(reader.clone()));
    assert_eq!(
        usccs(as_reader.page("agency-b", None, 10).await.unwrap()),
        [profile.uscc.as_str()]
    );
    assert!(
        RemoteProfiles::new(channel.clone(), None)
            .page("agency-b", None, 10)
            .await
            .is_err()
    );
    assert_eq!(
        code(
            profiling
                .upsert_enterprise(with_key(upsert(), Some(&service)))
                .await
        ),
        Code::PermissionDenied
    );

    // Advise with a read key: the advisor's own calls carry the caller's key.
    let advise = || apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Uscc(profile.uscc.clone())),
        top: 5,
    };
    let solution = advisor
        .advise(with_key(advise(), Some(&reader)))
        .await
        .unwrap()
        .into_inner();
    assert!(!solution.must.is_empty());
    assert_eq!(
        code(advisor.advise(with_key(advise(), None)).await),
        Code::Unauthenticated
    );
    assert_eq!(
        code(advisor.advise(with_key(advise(), Some(&other))).await),
        Code::NotFound
    );

    // Revoked keys are refused by the running server within a second or so.
    let id = writer.split('_').nth(1).unwrap();
    let out = stdnav(h, d).args(["keys", "revoke", id]).output().unwrap();
    assert!(out.status.success());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        code(
            profiling
                .get_enterprise(with_key(get(), Some(&writer)))
                .await
        ),
        Code::Unauthenticated
    );
    let listed = stdnav(h, d).args(["keys", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("revoked"), "{listed}");
    assert!(!listed.contains(writer.rsplit('_').next().unwrap()));
}
