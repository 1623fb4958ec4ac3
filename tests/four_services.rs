//! The four services as separate servers on ephemeral loopback ports; the
//! advisor composes the other three over gRPC.

mod support;

use stdnav_proto::advisor::v1 as apb;
use stdnav_proto::advisor::v1::advisor_service_client::AdvisorServiceClient;
use stdnav_proto::profiling::v1 as ppb;
use stdnav_proto::profiling::v1::profiling_service_client::ProfilingServiceClient;
use stdnav_runtime::status::field_violations;

fn ids<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    items.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advise_across_four_services_names_the_right_standards() {
    let services = support::four_services().await;
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    let profile = support::demo_profile("air-conditioner.json");
    let mut request = tonic::Request::new(apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Profile(
            stdnav_proto::convert::profile::profile_to_pb(&profile),
        )),
        top: 30,
    });
    request.set_timeout(std::time::Duration::from_secs(20));
    let s = advisor.advise(request).await.expect("advise").into_inner();

    let must = ids(s.must.iter().map(|m| m.id.as_str()));
    // Mandatory household-appliance safety in China: the particular part for
    // air-conditioners and the general part it references (current edition).
    assert!(must.contains(&"GB 4706.32-2012"), "must: {must:?}");
    assert!(must.contains(&"GB 4706.1-2024"), "must: {must:?}");
    // Held mandatory EMC standards in old editions: their current editions apply.
    assert!(must.contains(&"GB 4343.1-2018"), "must: {must:?}");
    assert!(must.contains(&"GB 17625.1-2022"), "must: {must:?}");
    // The enterprise holds GB 4706.1-2005: the current general part is an old-edition holding.
    let general = s.must.iter().find(|m| m.id == "GB 4706.1-2024").unwrap();
    assert_eq!(general.holding, apb::HoldingState::HeldOldEdition as i32);
    // Held old editions get their upgrades, with the international note.
    let upgrades: Vec<(&str, &str)> = s
        .upgrades
        .iter()
        .map(|u| (u.held.as_str(), u.current.as_str()))
        .collect();
    assert!(
        upgrades.contains(&("GB/T 19001-2008", "GB/T 19001-2016")),
        "{upgrades:?}"
    );
    assert!(
        upgrades.contains(&("ISO 9001:2008", "ISO 9001:2015")),
        "{upgrades:?}"
    );
    let gb = s
        .upgrades
        .iter()
        .find(|u| u.held == "GB/T 19001-2008")
        .unwrap();
    assert!(gb.note.contains("ISO 9001:2015"), "{}", gb.note);
    // should is ranked best first, with reasons.
    assert!(!s.should.is_empty());
    assert!(s.should.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(s.should.iter().all(|x| !x.reasons.is_empty()));
    if support::shared_data().is_some() {
        // With the real IEC catalogue: the held IEC 60335-2-40:2018 is
        // upgraded through 2022 to the current 2024 edition, and the general
        // part IEC 60335-1 is recommended with it.
        let iec = s
            .upgrades
            .iter()
            .find(|u| u.held == "IEC 60335-2-40:2018")
            .expect("IEC 60335-2-40 upgrade");
        assert_eq!(iec.current, "IEC 60335-2-40:2024");
        assert_eq!(
            iec.path,
            [
                "IEC 60335-2-40:2018",
                "IEC 60335-2-40:2022",
                "IEC 60335-2-40:2024"
            ]
        );
        assert!(s.should.iter().any(|x| x.id == "IEC 60335-1:2020"));
        // Held editions and their successors are not recommended again.
        assert!(
            s.should
                .iter()
                .all(|x| !x.id.starts_with("IEC 60335-2-40") && !x.id.starts_with("ISO 9001"))
        );
    }
    // Indicator gap: APF 4.6 against the GB 21455-2019 thresholds (≥).
    assert!(
        s.gaps
            .as_ref()
            .unwrap()
            .indicators
            .iter()
            .any(|g| g.standard_id == "GB 21455-2019")
    );
    assert!(!s.roadmap.is_empty());
    assert!(!s.partial, "missing: {:?}", s.missing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_invalid_argument_and_nothing_is_stored() {
    let services = support::four_services().await;
    let mut profiling = ProfilingServiceClient::connect(format!("http://{}", services.profiling))
        .await
        .unwrap();
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    let good = support::demo_profile("air-conditioner.json");

    let mut bad = good.clone();
    // Wrong check character.
    let last = bad.uscc.pop().unwrap();
    bad.uscc.push(if last == '0' { '1' } else { '0' });
    bad.region = "999999".into();
    bad.products.clear();
    let err = profiling
        .upsert_enterprise(ppb::UpsertEnterpriseRequest {
            enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(&bad)),
            expected_version: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let fields: Vec<String> = field_violations(&err)
        .into_iter()
        .map(|v| v.field)
        .collect();
    for f in [
        "enterprise.uscc",
        "enterprise.region",
        "enterprise.products",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
    }

    // Nothing was stored under either code.
    let list = profiling
        .list_enterprises(ppb::ListEnterprisesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(list.enterprises.is_empty());
    let missing = profiling
        .get_enterprise(ppb::GetEnterpriseRequest {
            uscc: good.uscc.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);

    // Each bad field alone, through the advisor, is named as the caller wrote it.
    for (mutate, field) in [
        (
            Box::new(|p: &mut stdnav_core::enterprise::Profile| {
                p.uscc = "91440402534271235A".into()
            }) as Box<dyn Fn(&mut stdnav_core::enterprise::Profile)>,
            "profile.uscc",
        ),
        (
            Box::new(|p: &mut stdnav_core::enterprise::Profile| p.region = "990000".into()),
            "profile.region",
        ),
        (
            Box::new(|p: &mut stdnav_core::enterprise::Profile| p.products.clear()),
            "profile.products",
        ),
    ] {
        let mut p = good.clone();
        mutate(&mut p);
        let err = advisor
            .advise(apb::AdviseRequest {
                subject: Some(apb::advise_request::Subject::Profile(
                    stdnav_proto::convert::profile::profile_to_pb(&p),
                )),
                top: 5,
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{field}");
        let fields: Vec<String> = field_violations(&err)
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, [field]);
    }

    // A valid profile is stored (version 1), proving the store works.
    let stored = profiling
        .upsert_enterprise(ppb::UpsertEnterpriseRequest {
            enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(&good)),
            expected_version: Some(0),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.version, 1);
    // And a stale write is ABORTED.
    let stale = profiling
        .upsert_enterprise(ppb::UpsertEnterpriseRequest {
            enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(&good)),
            expected_version: Some(0),
        })
        .await
        .unwrap_err();
    assert_eq!(stale.code(), tonic::Code::Aborted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_enterprises_get_gaps_and_chain_scores() {
    let services = support::four_services().await;
    let mut profiling = ProfilingServiceClient::connect(format!("http://{}", services.profiling))
        .await
        .unwrap();
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    // One agency stores all five demo enterprises; another stores none.
    fn agency<T>(msg: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(msg);
        stdnav_runtime::tenant::set_tenant(&mut r, "agency-a");
        r
    }
    for (name, _) in stdnav_core::demo::ENTERPRISES {
        let p = support::demo_profile(name);
        profiling
            .upsert_enterprise(agency(ppb::UpsertEnterpriseRequest {
                enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(&p)),
                expected_version: None,
            }))
            .await
            .unwrap();
    }

    // The peer model over gRPC: trained on the agency's five enterprises,
    // and PeerGroup names the model it came from; the other agency has none.
    let info = profiling
        .train_peer_model(agency(ppb::TrainPeerModelRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((info.population, info.k), (5, 2));
    let air = support::demo_profile("air-conditioner.json");
    let group = profiling
        .peer_group(agency(ppb::PeerGroupRequest {
            subject: Some(ppb::peer_group_request::Subject::Uscc(air.uscc.clone())),
        }))
        .await
        .unwrap()
        .into_inner();
    // Its classes (3852, 3464) and groups (385, 346) have fewer than 5
    // peers, so the peers are its division's (38): the refrigerator and the
    // battery maker, never the dairy or the ICT maker of other divisions.
    assert_eq!(group.size, 2, "division 38 only: {group:?}");
    let basis = group.basis.clone().unwrap();
    assert_eq!(
        (
            ppb::IndustryLevel::try_from(basis.level),
            basis.code.as_str()
        ),
        (Ok(ppb::IndustryLevel::Division), "38"),
        "{group:?}"
    );
    assert_eq!(group.model.unwrap().population_hash, info.population_hash);
    let mut other = tonic::Request::new(ppb::PeerGroupRequest {
        subject: Some(ppb::peer_group_request::Subject::Enterprise(
            stdnav_proto::convert::profile::profile_to_pb(&air),
        )),
    });
    stdnav_runtime::tenant::set_tenant(&mut other, "agency-b");
    assert_eq!(
        profiling.peer_group(other).await.unwrap().into_inner().size,
        0
    );

    // BenchmarkGaps for a stored enterprise: the refrigerator maker shares a
    // division (38) with the air-conditioner maker, so it has a peer.
    let fridge = support::demo_profile("refrigerator.json");
    let gaps = advisor
        .benchmark_gaps(agency(apb::AdviseRequest {
            subject: Some(apb::advise_request::Subject::Uscc(fridge.uscc.clone())),
            top: 10,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(gaps.peer_group_size >= 1, "{gaps:?}");
    assert!(!gaps.edition.is_empty() || !gaps.portfolio.is_empty());

    // Another tenant cannot advise on the agency's enterprise.
    let mut other = tonic::Request::new(apb::AdviseRequest {
        subject: Some(apb::advise_request::Subject::Uscc(fridge.uscc.clone())),
        top: 10,
    });
    stdnav_runtime::tenant::set_tenant(&mut other, "agency-b");
    assert_eq!(
        advisor.advise(other).await.unwrap_err().code(),
        tonic::Code::NotFound
    );

    // ScoreChain streams one result per member, then the summary.
    let mut stream = advisor
        .score_chain(agency(apb::ScoreChainRequest {
            chain: "家电产业链".into(),
            top: 5,
        }))
        .await
        .unwrap()
        .into_inner();
    let mut results = Vec::new();
    let mut summary = None;
    while let Some(item) = stream.message().await.unwrap() {
        match item.item.unwrap() {
            apb::score_chain_response::Item::Result(r) => {
                assert!(summary.is_none(), "results come before the summary");
                assert!(r.error.is_empty(), "{}", r.error);
                results.push(r.uscc);
            }
            apb::score_chain_response::Item::Summary(s) => summary = Some(s),
        }
    }
    let members: Vec<String> = stdnav_core::demo::ENTERPRISES
        .iter()
        .map(|(n, _)| support::demo_profile(n))
        .filter(|p| p.chains.iter().any(|c| c.chain == "家电产业链"))
        .map(|p| p.uscc)
        .collect();
    results.sort();
    let mut expected = members.clone();
    expected.sort();
    assert_eq!(results, expected);
    let summary = summary.expect("a summary at the end");
    assert_eq!(summary.enterprises as usize, members.len());
    assert!(!summary.segments.is_empty());
}

/// Issue 18: over 50 enterprises of every manufacturing division, stored
/// beside the demo population, no top-10 recommendation rests on peers
/// outside the enterprise's division, and every `must` item says which
/// product, reference or holding makes it apply, besides its market.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn varied_enterprises_get_peers_of_their_division_and_reasoned_musts() {
    let services = support::four_services().await;
    let mut profiling = ProfilingServiceClient::connect(format!("http://{}", services.profiling))
        .await
        .unwrap();
    let mut advisor = AdvisorServiceClient::connect(format!("http://{}", services.advisor))
        .await
        .unwrap();
    let population = stdnav_core::population::generate(1000, 42);
    for p in &population {
        profiling
            .upsert_enterprise(ppb::UpsertEnterpriseRequest {
                enterprise: Some(stdnav_proto::convert::profile::profile_to_pb(p)),
                expected_version: None,
            })
            .await
            .expect("upsert");
    }
    // One enterprise of each manufacturing division in turn, until 50.
    let division = |p: &stdnav_core::enterprise::Profile| {
        p.industries
            .first()
            .map(|c| c.chars().take(2).collect::<String>())
            .unwrap_or_default()
    };
    let mut by_division: std::collections::BTreeMap<
        String,
        Vec<&stdnav_core::enterprise::Profile>,
    > = Default::default();
    for p in &population {
        let d = division(p);
        if ("13".."44").contains(&d.as_str()) {
            by_division.entry(d).or_default().push(p);
        }
    }
    assert!(
        by_division.len() >= 31,
        "divisions: {:?}",
        by_division.keys()
    );
    let mut chosen = Vec::new();
    for round in 0.. {
        let before = chosen.len();
        for list in by_division.values() {
            if let Some(p) = list.get(round) {
                chosen.push(*p);
            }
        }
        if chosen.len() >= 50 || chosen.len() == before {
            break;
        }
    }
    chosen.truncate(50);
    assert_eq!(chosen.len(), 50);

    let (mut peer_reasons, mut musts, mut industry_musts) = (0, 0, 0);
    for p in chosen {
        let divisions: Vec<String> = p
            .industries
            .iter()
            .map(|c| c.chars().take(2).collect())
            .collect();
        let s = advisor
            .advise(apb::AdviseRequest {
                subject: Some(apb::advise_request::Subject::Uscc(p.uscc.clone())),
                top: 10,
            })
            .await
            .expect("advise")
            .into_inner();
        for item in &s.should {
            for reason in item.reasons.iter().filter(|r| r.contains("peer")) {
                peer_reasons += 1;
                // "held by 5 of 12 peers in class 3852" / "group 385" / "division 38"
                let code = reason
                    .rsplit(' ')
                    .next()
                    .filter(|c| c.chars().all(|ch| ch.is_ascii_digit()))
                    .unwrap_or_else(|| {
                        panic!("{}: {} has no peer basis: {reason}", p.uscc, item.id)
                    });
                assert!(
                    divisions.iter().any(|d| code.starts_with(d.as_str())),
                    "{} (divisions {divisions:?}): {} rests on peers outside them: {reason}",
                    p.uscc,
                    item.id
                );
            }
        }
        for item in &s.must {
            musts += 1;
            assert!(
                item.reasons
                    .iter()
                    .any(|r| r.contains("applies to your product")
                        || r.contains("normatively referenced by")
                        || r.contains("required by regulation for every product of your industry")
                        || r.contains("you hold")
                        || r.contains("you declare")),
                "{}: must {} has no product, industry, reference or holding reason: {:?}",
                p.uscc,
                item.id,
                item.reasons
            );
            // An industry reason names one of the enterprise's own industries.
            for reason in item
                .reasons
                .iter()
                .filter(|r| r.contains("of your industry"))
            {
                let code = reason
                    .rsplit(' ')
                    .next()
                    .map(|c| c.trim_end_matches(')'))
                    .unwrap_or_default();
                assert!(
                    !code.is_empty() && p.industries.iter().any(|i| i.starts_with(code)),
                    "{}: must {} names an industry not its own: {reason} ({:?})",
                    p.uscc,
                    item.id,
                    p.industries
                );
                industry_musts += 1;
            }
        }
    }
    // The checks above ran on real answers, not on empty ones.
    eprintln!(
        "{peer_reasons} peer reasons and {musts} must items ({industry_musts} for the industry) checked"
    );
    assert!(peer_reasons >= 25, "{peer_reasons} peer reasons");
    assert!(musts > 0);
}
