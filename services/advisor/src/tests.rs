//! `gather` and `advise` against in-memory backends: the orchestration
//! (what is asked of whom, what a failure costs) without any server.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stdnav_core::enterprise::{Enrichment, EnterpriseRecord, HeldStandard, Profile};
use stdnav_core::industry::IndustryLevel;
use stdnav_core::reason::Reason;
use stdnav_core::retrieval::Retrieval;
use stdnav_core::standard::{Level, Nature, Standard, Status};
use stdnav_runtime::status::Violation;

use crate::backend::{
    Backends, Candidate, CandidateQuery, CandidateSet, CatalogueStandard, EnterprisePage,
    ListQuery, ProfilesBackend, Resolution, ScoreQuery, ScoredCandidate, Scores, ScoringBackend,
    StandardsBackend,
};
use crate::compose::{PeerBasis, Peers};
use crate::error::AdvisorError;
use crate::orchestrate::{Advisor, CallContext, Subject};
use crate::solution::Holding;

fn standard(id: &str, level: Level, nature: Nature, status: Status) -> CatalogueStandard {
    CatalogueStandard {
        standard: Standard {
            id: id.into(),
            title_en: format!("title of {id}"),
            level,
            nature,
            status,
            published: id.rsplit(['-', ':']).next().map(String::from),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn mandatory_gb(id: &str) -> CatalogueStandard {
    standard(id, Level::National, Nature::Mandatory, Status::Current)
}

fn unavailable() -> AdvisorError {
    AdvisorError::from_backend(tonic::Status::unavailable("down"))
}

struct Profiles {
    /// `None`: the inline profile is invalid (its USCC).
    record: Option<EnterpriseRecord>,
    peers: Option<Peers>,
}

#[async_trait]
impl ProfilesBackend for Profiles {
    async fn get(&self, _: &CallContext, _: &str) -> Result<EnterpriseRecord, AdvisorError> {
        self.record.clone().ok_or_else(|| {
            AdvisorError::from_backend(tonic::Status::not_found("no such enterprise"))
        })
    }

    async fn enrich(&self, _: &CallContext, _: &Profile) -> Result<EnterpriseRecord, AdvisorError> {
        self.record.clone().ok_or_else(|| {
            AdvisorError::InvalidArgument(vec![Violation::new("uscc", "bad check character")])
        })
    }

    async fn peer_group(
        &self,
        _: &CallContext,
        _: &EnterpriseRecord,
    ) -> Result<Peers, AdvisorError> {
        self.peers.clone().ok_or_else(unavailable)
    }

    async fn list(&self, _: &CallContext, _: &ListQuery) -> Result<EnterprisePage, AdvisorError> {
        Ok(EnterprisePage {
            enterprises: self.record.clone().into_iter().collect(),
            ..Default::default()
        })
    }
}

struct Standards {
    candidates: Vec<Candidate>,
    resolutions: HashMap<String, Resolution>,
}

#[async_trait]
impl StandardsBackend for Standards {
    async fn candidates(
        &self,
        _: &CallContext,
        _: &CandidateQuery,
    ) -> Result<CandidateSet, AdvisorError> {
        Ok(CandidateSet {
            candidates: self.candidates.clone(),
            ..Default::default()
        })
    }

    async fn resolve(
        &self,
        _: &CallContext,
        codes: &[String],
    ) -> Result<Vec<Resolution>, AdvisorError> {
        Ok(codes
            .iter()
            .map(|c| self.resolutions.get(c).cloned().unwrap_or_default())
            .collect())
    }
}

enum Scoring {
    Scores(Vec<(&'static str, f64)>),
    Down,
    Rejects,
}

#[async_trait]
impl ScoringBackend for Scoring {
    async fn score(&self, _: &CallContext, query: &ScoreQuery) -> Result<Scores, AdvisorError> {
        match self {
            Scoring::Scores(scores) => Ok(Scores {
                scored: scores
                    .iter()
                    .filter(|(id, _)| query.candidates.iter().any(|c| c.id == *id))
                    .map(|(id, score)| ScoredCandidate {
                        id: id.to_string(),
                        score: *score,
                        reasons: vec![Reason::Text {
                            text: "fits".into(),
                        }],
                    })
                    .collect(),
                model_id: "fake-1".into(),
            }),
            Scoring::Down => Err(unavailable()),
            Scoring::Rejects => Err(AdvisorError::from_backend(tonic::Status::invalid_argument(
                "candidates[0].level: unknown level",
            ))),
        }
    }
}

/// A room air-conditioner maker selling in China that holds a replaced
/// edition of GB/T 19001.
fn record() -> EnterpriseRecord {
    EnterpriseRecord {
        profile: Profile {
            uscc: "91440400MA4UXXXX0X".into(),
            name: "示例空调".into(),
            products: vec!["房间空调器".into()],
            markets: vec!["CN".into()],
            ..Default::default()
        },
        enrichment: Enrichment {
            held: vec![HeldStandard {
                input: "GB/T19001-2008".into(),
                code: "GB/T 19001-2008".into(),
            }],
            ics_groups: vec!["97.040".into()],
            ..Default::default()
        },
        tenant: String::new(),
        version: 0,
        updated_at_ms: 0,
    }
}

fn peers() -> Peers {
    Peers {
        size: 12,
        shares: [("ISO 9001".to_string(), 0.5)].into_iter().collect(),
        coverage_percentile: 40.0,
        basis: Some(PeerBasis {
            level: IndustryLevel::Class,
            code: "3851".into(),
        }),
    }
}

fn standards() -> Standards {
    let safety = Candidate {
        standard: mandatory_gb("GB 4706.32-2012"),
        retrieval: Retrieval {
            matched_products: vec!["房间空调器".into()],
            match_strength: 1.0,
            mandatory_in_market: true,
            ..Default::default()
        },
    };
    let quality = Candidate {
        standard: standard(
            "ISO 9001:2015",
            Level::International,
            Nature::Recommended,
            Status::Current,
        ),
        retrieval: Retrieval {
            text_score: 3.0,
            ..Default::default()
        },
    };
    let noise = Candidate {
        standard: standard(
            "GB/T 19606-2004",
            Level::National,
            Nature::Recommended,
            Status::Current,
        ),
        retrieval: Retrieval {
            text_score: 5.0,
            ..Default::default()
        },
    };
    let held = Resolution {
        input: "GB/T 19001-2008".into(),
        standard: Some(standard(
            "GB/T 19001-2008",
            Level::National,
            Nature::Recommended,
            Status::Replaced,
        )),
        current: Some(standard(
            "GB/T 19001-2016",
            Level::National,
            Nature::Recommended,
            Status::Current,
        )),
        path: vec!["GB/T 19001-2008".into(), "GB/T 19001-2016".into()],
        ..Default::default()
    };
    Standards {
        candidates: vec![safety, quality, noise],
        resolutions: HashMap::from([("GB/T 19001-2008".to_string(), held)]),
    }
}

fn advisor(profiles: Profiles, scoring: Scoring) -> Advisor {
    Advisor::new(Backends::new(
        Arc::new(profiles),
        Arc::new(standards()),
        Arc::new(scoring),
    ))
}

fn ctx() -> CallContext {
    CallContext {
        tenant: "t".into(),
        deadline: None,
        credentials: Default::default(),
    }
}

fn inline() -> Subject {
    Subject::Inline(Box::new(record().profile))
}

fn healthy(scores: Vec<(&'static str, f64)>) -> Advisor {
    advisor(
        Profiles {
            record: Some(record()),
            peers: Some(peers()),
        },
        Scoring::Scores(scores),
    )
}

#[tokio::test]
async fn gather_resolves_holdings_and_gives_every_candidate_signals() {
    let g = healthy(Vec::new()).gather(&ctx(), inline()).await.unwrap();
    assert_eq!(g.infos.len(), 3);
    assert_eq!(g.batch.len(), g.infos.len());
    assert_eq!(g.held.len(), 1);
    let held = g.held[0].standard.as_ref().unwrap();
    assert_eq!(held.status, Status::Replaced);
    assert_eq!(g.held[0].current.as_ref().unwrap().id, "GB/T 19001-2016");
    let quality = g.batch.iter().find(|c| c.id == "ISO 9001:2015").unwrap();
    // 6 of 12 peers hold the line, in the same GB/T 4754 class.
    assert_eq!(quality.peer_adoption, 0.5);
    assert_eq!(quality.peer_count, 12);
    assert_eq!(quality.peer_level, Some(IndustryLevel::Class));
    assert!(quality.international_alignment);
    assert!(g.missing.is_empty());
}

#[tokio::test]
async fn advise_composes_must_should_and_upgrades() {
    let s = healthy(vec![("ISO 9001:2015", 0.9), ("GB/T 19606-2004", 0.4)])
        .advise(&ctx(), inline(), 10)
        .await
        .unwrap();
    let must: Vec<_> = s.must.iter().map(|m| (m.id.as_str(), m.holding)).collect();
    assert_eq!(must, [("GB 4706.32-2012", Holding::NotHeld)]);
    let should: Vec<_> = s.should.iter().map(|x| (x.id.as_str(), x.score)).collect();
    assert_eq!(should, [("ISO 9001:2015", 0.9), ("GB/T 19606-2004", 0.4)]);
    assert_eq!(s.upgrades.len(), 1);
    assert_eq!(s.upgrades[0].held, "GB/T 19001-2008");
    assert_eq!(s.upgrades[0].held_status, Status::Replaced);
    assert_eq!(s.gaps.peer_basis, "class 3851");
    assert_eq!(s.model_id, "fake-1");
    assert!(!s.partial);
}

#[tokio::test]
async fn a_missing_peer_group_or_model_gives_a_partial_answer() {
    let s = advisor(
        Profiles {
            record: Some(record()),
            peers: None,
        },
        Scoring::Down,
    )
    .advise(&ctx(), inline(), 10)
    .await
    .unwrap();
    assert!(s.partial);
    assert_eq!(s.missing, ["peer_group", "scoring"]);
    // Ranked by retrieval alone, and said so.
    assert_eq!(s.should[0].id, "GB/T 19606-2004");
    assert!(s.should[0].reasons[0].en().contains("scoring unavailable"));
    assert_eq!(s.must.len(), 1);
}

#[tokio::test]
async fn an_invalid_inline_profile_names_the_callers_fields() {
    let e = advisor(
        Profiles {
            record: None,
            peers: Some(peers()),
        },
        Scoring::Scores(Vec::new()),
    )
    .advise(&ctx(), inline(), 10)
    .await
    .err()
    .unwrap();
    match e {
        AdvisorError::InvalidArgument(v) => {
            assert_eq!(v, [Violation::new("profile.uscc", "bad check character")])
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unknown_enterprises_and_rejected_candidates_are_errors() {
    let missing = advisor(
        Profiles {
            record: None,
            peers: None,
        },
        Scoring::Scores(Vec::new()),
    )
    .advise(&ctx(), Subject::Uscc("x".into()), 10)
    .await
    .err()
    .unwrap();
    assert_eq!(tonic::Status::from(missing).code(), tonic::Code::NotFound);

    let rejected = advisor(
        Profiles {
            record: Some(record()),
            peers: Some(peers()),
        },
        Scoring::Rejects,
    )
    .advise(&ctx(), inline(), 10)
    .await
    .err()
    .unwrap();
    assert!(matches!(rejected, AdvisorError::Internal(_)));
}

#[tokio::test]
async fn chain_members_are_listed_through_the_profiles_backend() {
    let members = healthy(Vec::new())
        .chain_members(&ctx(), "appliances")
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
}

#[tokio::test]
async fn benchmark_gaps_are_the_gaps_of_the_whole_answer() {
    let advisor = healthy(vec![("ISO 9001:2015", 0.9), ("GB/T 19606-2004", 0.4)]);
    let whole = advisor.advise(&ctx(), inline(), 10).await.unwrap();
    let gaps = advisor.benchmark_gaps(&ctx(), inline(), 10).await.unwrap();
    assert_eq!(
        serde_json::to_value(&gaps).unwrap(),
        serde_json::to_value(&whole.gaps).unwrap()
    );
    assert!(!gaps.portfolio.is_empty());
}

#[tokio::test]
async fn a_listed_record_is_advised_without_reading_it_again() {
    // No stored record to get: the listed one is used as it is.
    let advisor = advisor(
        Profiles {
            record: None,
            peers: Some(peers()),
        },
        Scoring::Scores(vec![("ISO 9001:2015", 0.9)]),
    );
    let s = advisor
        .advise(&ctx(), Subject::Record(Box::new(record())), 10)
        .await
        .unwrap();
    assert_eq!(s.uscc, "91440400MA4UXXXX0X");
    assert_eq!(s.should[0].id, "ISO 9001:2015");
}

#[tokio::test]
async fn answers_for_other_products_share_one_copy_of_each_standard() {
    let advisor = healthy(Vec::new());
    let mut other = record();
    other.profile.products = vec!["热泵热水器".into()];
    let first = advisor.gather(&ctx(), inline()).await.unwrap();
    let second = advisor
        .gather(&ctx(), Subject::Record(Box::new(other)))
        .await
        .unwrap();
    let safety = |g: &crate::orchestrate::Gathered| {
        g.infos
            .iter()
            .find(|c| c.standard.id == "GB 4706.32-2012")
            .map(|c| c.standard.clone())
            .unwrap()
    };
    // Two candidate answers (the products differ), one copy of the standard.
    assert!(Arc::ptr_eq(&safety(&first), &safety(&second)));
}

/// [`Profiles`] that notes every call it answers.
struct Noting {
    inner: Profiles,
    calls: std::sync::Mutex<Vec<String>>,
}

impl Noting {
    fn note(&self, call: &str) {
        self.calls.lock().unwrap().push(call.to_string());
    }
}

#[async_trait]
impl ProfilesBackend for Noting {
    async fn get(&self, ctx: &CallContext, uscc: &str) -> Result<EnterpriseRecord, AdvisorError> {
        self.note("get");
        self.inner.get(ctx, uscc).await
    }

    async fn enrich(
        &self,
        ctx: &CallContext,
        profile: &Profile,
    ) -> Result<EnterpriseRecord, AdvisorError> {
        self.note("enrich");
        self.inner.enrich(ctx, profile).await
    }

    async fn peer_group(
        &self,
        ctx: &CallContext,
        given: &EnterpriseRecord,
    ) -> Result<Peers, AdvisorError> {
        self.note(if *given == record() {
            "peer_group(record)"
        } else {
            "peer_group(another record)"
        });
        self.inner.peer_group(ctx, given).await
    }

    async fn list(
        &self,
        ctx: &CallContext,
        query: &ListQuery,
    ) -> Result<EnterprisePage, AdvisorError> {
        self.note("list");
        self.inner.list(ctx, query).await
    }
}

#[tokio::test]
async fn the_peer_group_is_asked_for_the_record_in_hand() {
    let subjects = [
        (inline(), vec!["enrich", "peer_group(record)"]),
        (Subject::Uscc("x".into()), vec!["get", "peer_group(record)"]),
        (
            Subject::Record(Box::new(record())),
            vec!["peer_group(record)"],
        ),
    ];
    for (subject, calls) in subjects {
        let profiles = Arc::new(Noting {
            inner: Profiles {
                record: Some(record()),
                peers: Some(peers()),
            },
            calls: Default::default(),
        });
        let advisor = Advisor::new(Backends::new(
            profiles.clone(),
            Arc::new(standards()),
            Arc::new(Scoring::Scores(vec![("ISO 9001:2015", 0.9)])),
        ));
        let s = advisor.advise(&ctx(), subject, 10).await.unwrap();
        assert_eq!(s.gaps.peer_basis, "class 3851");
        assert_eq!(*profiles.calls.lock().unwrap(), calls);
    }
}

#[tokio::test]
async fn held_and_candidate_lines_are_the_catalogues() {
    // A line the catalogue gives is used as it is, not parsed from the id.
    let mut standards = standards();
    for c in &mut standards.candidates {
        c.standard.line = format!("line of {}", c.standard.standard.id);
    }
    if let Some(r) = standards.resolutions.get_mut("GB/T 19001-2008")
        && let Some(s) = r.standard.as_mut()
    {
        s.line = "GB/T 19001".into();
    }
    let advisor = Advisor::new(Backends::new(
        Arc::new(Profiles {
            record: Some(record()),
            peers: Some(peers()),
        }),
        Arc::new(standards),
        Arc::new(Scoring::Scores(Vec::new())),
    ));
    let g = advisor.gather(&ctx(), inline()).await.unwrap();
    let quality = g.infos.iter().find(|c| c.standard.id == "ISO 9001:2015");
    assert_eq!(quality.unwrap().standard.line(), "line of ISO 9001:2015");
    assert_eq!(g.held[0].line(), "GB/T 19001");
    assert!(g.held[0].line.get().is_some(), "set from the catalogue");
}
