//! gRPC adapter of the advisor.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_proto::advisor::v1 as pb;
use stdnav_proto::advisor::v1::advisor_service_server::{AdvisorService, AdvisorServiceServer};
use stdnav_proto::convert::profile::profile_from_pb;
use stdnav_runtime::limits::{self, Checker, FieldLimit};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::status::{Violation, invalid_argument};
use stdnav_runtime::tenant::tenant_of;

use crate::chain;
use crate::convert::{gaps_to_pb, solution_to_pb};
use crate::orchestrate::{Advisor, CallContext, Subject};

pub const SERVICE_NAME: &str = "stdnav.advisor.v1.AdvisorService";
pub const MAX_TOP: u32 = 200;
/// Longest chain id or name ScoreChain takes, in characters.
pub const MAX_CHAIN_CHARS: usize = 200;
/// Longest USCC Advise takes (the code has 18 characters; spaces around
/// it are trimmed).
pub const MAX_USCC_CHARS: usize = 64;

/// Limits on every request field of the service (docs/API.md, "Limits",
/// is tested against this table; the handlers enforce it). An inline
/// profile is held to the `Enterprise` rows of the profiling service.
pub const LIMITS: &[FieldLimit] = &[
    limits::max("Advise", "top", MAX_TOP as u64),
    limits::chars("Advise", "uscc", MAX_USCC_CHARS),
    limits::max("BenchmarkGaps", "top", MAX_TOP as u64),
    limits::chars("BenchmarkGaps", "uscc", MAX_USCC_CHARS),
    limits::chars("ScoreChain", "chain", MAX_CHAIN_CHARS),
    limits::max("ScoreChain", "top", MAX_TOP as u64),
];
/// Enterprises of one chain advised at once.
pub const CHAIN_CONCURRENCY: usize = 4;
/// Enterprises advised at once for all ScoreChain streams of the server
/// together: 200 open chains take no more of the machine than two, so
/// Advise keeps its latency beside them (issue 20, item 4).
pub const CHAIN_WORKERS: usize = 8;

#[derive(Clone)]
pub struct AdvisorGrpc {
    advisor: Advisor,
    chain_workers: std::sync::Arc<tokio::sync::Semaphore>,
}

impl AdvisorGrpc {
    pub fn new(advisor: Advisor) -> Self {
        Self {
            advisor,
            chain_workers: std::sync::Arc::new(tokio::sync::Semaphore::new(CHAIN_WORKERS)),
        }
    }

    pub fn into_server(self) -> AdvisorServiceServer<Self> {
        AdvisorServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

fn context<T>(request: &Request<T>) -> Result<CallContext, Status> {
    let mut credentials = tonic::metadata::MetadataMap::new();
    for name in [
        stdnav_runtime::auth::AUTHORIZATION,
        stdnav_runtime::auth::API_KEY_HEADER,
    ] {
        if let Some(v) = request.metadata().get(name) {
            credentials.insert(name, v.clone());
        }
    }
    Ok(CallContext {
        tenant: tenant_of(request.metadata())?,
        deadline: stdnav_runtime::deadline::deadline_of(request.metadata()),
        credentials,
    })
}

fn subject_and_top(rpc: &'static str, r: pb::AdviseRequest) -> Result<(Subject, usize), Status> {
    let mut c = Checker::new(LIMITS, rpc);
    c.number("top", r.top.into());
    if let Some(pb::advise_request::Subject::Uscc(u)) = &r.subject {
        c.text("uscc", u);
    }
    c.finish()?;
    let top = match r.top {
        0 => 20,
        n => n as usize,
    };
    let subject = match r.subject {
        Some(pb::advise_request::Subject::Uscc(u)) => Subject::Uscc(u),
        Some(pb::advise_request::Subject::Profile(p)) => Subject::Inline(Box::new(
            profile_from_pb(p, "profile.").map_err(|errors| {
                let violations: Vec<Violation> = errors
                    .into_iter()
                    .map(|e| Violation::new(e.field, e.reason))
                    .collect();
                invalid_argument(&violations)
            })?,
        )),
        None => {
            return Err(invalid_argument(&[Violation::new(
                "subject",
                "give a stored enterprise's uscc or an inline profile",
            )]));
        }
    };
    Ok((subject, top))
}

type ChainStream = Pin<Box<dyn Stream<Item = Result<pb::ScoreChainResponse, Status>> + Send>>;

#[tonic::async_trait]
impl AdvisorService for AdvisorGrpc {
    #[instrument(skip(self, request))]
    async fn advise(
        &self,
        request: Request<pb::AdviseRequest>,
    ) -> Result<Response<pb::Solution>, Status> {
        let ctx = context(&request)?;
        let (subject, top) = subject_and_top("Advise", request.into_inner())?;
        let solution = self.advisor.advise(&ctx, subject, top).await?;
        Ok(Response::new(solution_to_pb(&solution)))
    }

    #[instrument(skip(self, request))]
    async fn benchmark_gaps(
        &self,
        request: Request<pb::AdviseRequest>,
    ) -> Result<Response<pb::Gaps>, Status> {
        let ctx = context(&request)?;
        let (subject, top) = subject_and_top("BenchmarkGaps", request.into_inner())?;
        let gaps = self.advisor.benchmark_gaps(&ctx, subject, top).await?;
        Ok(Response::new(gaps_to_pb(&gaps)))
    }

    type ScoreChainStream = ChainStream;

    #[instrument(skip(self, request))]
    async fn score_chain(
        &self,
        request: Request<pb::ScoreChainRequest>,
    ) -> Result<Response<Self::ScoreChainStream>, Status> {
        let ctx = context(&request)?;
        let r = request.into_inner();
        let mut c = Checker::new(LIMITS, "ScoreChain");
        c.text("chain", &r.chain).number("top", r.top.into());
        if r.chain.trim().is_empty() {
            c.violation(Violation::new("chain", "is empty"));
        }
        c.finish()?;
        let top = if r.top == 0 { 10 } else { r.top as usize };
        let members = self.advisor.chain_members(&ctx, &r.chain).await?;
        let advisor = self.advisor.clone();
        let workers = self.chain_workers.clone();
        let chain = r.chain.clone();
        // Paced by the reader: the transport asks for the next message only
        // once the last fits the client's flow-control window, and this
        // stream advises a member only when asked (at most
        // CHAIN_CONCURRENCY ahead). A client that stops reading stops the
        // advising; the server's stall layer ends its stream after the
        // call timeout.
        let results = futures::stream::iter(members)
            .map(move |m| {
                let advisor = advisor.clone();
                let ctx = ctx.clone();
                let chain = chain.clone();
                let workers = workers.clone();
                async move {
                    // The semaphore is never closed.
                    let _worker = workers.acquire_owned().await.ok();
                    let result = chain::score_member(&advisor, &ctx, m, &chain, top).await;
                    stdnav_runtime::metrics::Metrics::global().chain_member_advised();
                    result
                }
            })
            .buffered(CHAIN_CONCURRENCY);
        Ok(Response::new(chain_stream(results, r.chain)))
    }
}

fn result_to_pb(r: &chain::MemberResult) -> pb::EnterpriseResult {
    pb::EnterpriseResult {
        uscc: r.uscc.clone(),
        name: r.name.clone(),
        segment: chain::segment_code(&r.segment),
        maturity: r.maturity,
        must_not_held: r.must_not_held,
        upgrades: r.upgrades,
        top_recommendations: r.top_recommendations.clone(),
        unmatched_products: r.unmatched_products.clone(),
        error: r.error.clone(),
    }
}

fn summary_to_pb(s: chain::ChainSummary) -> pb::ChainSummary {
    let counted = |v: Vec<chain::Counted>| {
        v.into_iter()
            .map(|c| pb::CountedItem {
                id: c.id,
                count: c.count,
            })
            .collect()
    };
    pb::ChainSummary {
        chain: s.chain,
        enterprises: s.enterprises,
        failed: s.failed,
        segments: s
            .segments
            .into_iter()
            .map(|x| pb::SegmentSummary {
                segment: chain::segment_code(&x.segment),
                enterprises: x.enterprises,
                mandatory_coverage: x.mandatory_coverage,
                mean_maturity: x.mean_maturity,
            })
            .collect(),
        common_gaps: counted(s.common_gaps),
        lagging: s.lagging,
        unmatched_products: counted(s.unmatched_products),
    }
}

/// Streams each enterprise's result, then the chain summary.
fn chain_stream(
    results: impl Stream<Item = chain::MemberResult> + Send + 'static,
    chain: String,
) -> ChainStream {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let collected = seen.clone();
    let items = results.map(move |result| {
        let item = result_to_pb(&result);
        seen.lock().unwrap_or_else(|e| e.into_inner()).push(result);
        Ok(pb::ScoreChainResponse {
            item: Some(pb::score_chain_response::Item::Result(item)),
        })
    });
    let summary = futures::stream::once(async move {
        let results = collected.lock().unwrap_or_else(|e| e.into_inner());
        Ok(pb::ScoreChainResponse {
            item: Some(pb::score_chain_response::Item::Summary(summary_to_pb(
                chain::summarize(&chain, &results),
            ))),
        })
    });
    Box::pin(items.chain(summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary a client reads says how many members failed (issue 20):
    /// a chain whose backends went away mid-run no longer looks whole.
    #[test]
    fn the_chain_summary_counts_failed_members() {
        let ok = chain::MemberResult {
            maturity: 50.0,
            mandatory_coverage: 1.0,
            ..chain::MemberResult::failed("A", "", "upstream", String::new())
        };
        let results = [
            ok,
            chain::MemberResult::failed("B", "", "upstream", "unavailable".into()),
            chain::MemberResult::failed("C", "", "", "tcp connect error".into()),
        ];
        let pb = summary_to_pb(chain::summarize("家电产业链", &results));
        assert_eq!((pb.enterprises, pb.failed), (3, 2));
        assert_eq!(pb.segments.len(), 1);
        assert_eq!(pb.segments[0].enterprises, 1);
    }
}
