//! The services the evaluation runs on, and the gathering of each subject's candidates.

use std::net::SocketAddr;
use std::path::Path;

use stdnav_advisor::Advisor;
use stdnav_advisor::orchestrate::{CallContext, Subject};
use stdnav_core::enterprise::Profile;
use stdnav_models::Signals;
use stdnav_runtime::progress::Progress;

use super::cases::Case;
use crate::allinone;

/// Enterprises gathered at once.
const CONCURRENCY: usize = 8;

/// The signals of one enterprise's candidates (as the advisor builds them).
pub(super) struct Gathered {
    pub signals: Vec<Signals>,
    /// The ids in the solution's `must`, when asked for ([`Answer::Must`]).
    pub must: Vec<String>,
    /// Each must item's reason codes, in the order of `must`: which path
    /// (product, industry, market) brought it.
    pub must_reasons: Vec<Vec<&'static str>>,
}

/// What to gather of each subject besides its candidates' signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// The signals alone.
    Signals,
    /// Also the solution's `must` (a second call, on the advisor's cached
    /// candidates).
    Must,
}

/// Services over a fresh profile store holding the visible population,
/// and the advisor's view of them.
pub(super) struct Bench {
    /// Kept alive: dropping it stops the services.
    _local: allinone::Local,
    pub addr: SocketAddr,
    pub advisor: Advisor,
}

/// Starts the services on a free port with an empty temporary profile store
/// and stores the visible profiles of `cases`.
pub(super) async fn start(
    home: &Path,
    data: allinone::DataDir,
    cases: &[Case],
) -> anyhow::Result<Bench> {
    let local = allinone::start_local(home, data, true).await?;
    let addr = local.addr();
    let profiles: Vec<Profile> = cases.iter().map(|c| c.profile.clone()).collect();
    crate::population::upsert_over_grpc(addr, &profiles, "storing the visible population").await?;
    let advisor = local.advisor();
    Ok(Bench {
        _local: local,
        addr,
        advisor,
    })
}

fn context() -> CallContext {
    CallContext {
        tenant: "default".into(),
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(60)),
        credentials: Default::default(),
    }
}

/// Signals for each subject, gathered a few at a time, in input order.
pub(super) async fn gather_all(
    advisor: &Advisor,
    subjects: Vec<Subject>,
    answer: Answer,
    progress: &dyn Progress,
    stage: &str,
) -> anyhow::Result<Vec<Gathered>> {
    progress.stage(stage, Some(subjects.len() as u64));
    let gathered = gather(advisor, subjects, answer, progress).await;
    progress.finish();
    gathered
}

/// [`gather_all`] within a stage the caller reports.
pub(super) async fn gather(
    advisor: &Advisor,
    subjects: Vec<Subject>,
    answer: Answer,
    progress: &dyn Progress,
) -> anyhow::Result<Vec<Gathered>> {
    use futures::StreamExt;
    let results: Vec<anyhow::Result<Gathered>> = futures::stream::iter(subjects)
        .map(|subject| {
            let advisor = advisor.clone();
            async move {
                let items = match answer {
                    Answer::Signals => Vec::new(),
                    Answer::Must => {
                        advisor
                            .advise(&context(), subject.clone(), super::K)
                            .await
                            .map_err(|e| anyhow::anyhow!("advising: {e}"))?
                            .must
                    }
                };
                let must_reasons = items
                    .iter()
                    .map(|m| m.reasons.iter().map(|r| r.code()).collect())
                    .collect();
                let must = items.into_iter().map(|m| m.id).collect();
                let g = advisor
                    .gather(&context(), subject)
                    .await
                    .map_err(|e| anyhow::anyhow!("gathering signals: {e}"))?;
                progress.inc(1);
                Ok(Gathered {
                    signals: g.batch,
                    must,
                    must_reasons,
                })
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

pub(super) fn stored(cases: &[&Case]) -> Vec<Subject> {
    cases
        .iter()
        .map(|c| Subject::Uscc(c.profile.uscc.clone()))
        .collect()
}
