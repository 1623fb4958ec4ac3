//! gRPC adapter of the advisor.

use std::collections::HashMap;
use std::pin::Pin;

use futures::{Stream, StreamExt};
use tonic::{Request, Response, Status};
use tracing::instrument;

use stdnav_proto::advisor::v1 as pb;
use stdnav_proto::advisor::v1::advisor_service_server::{AdvisorService, AdvisorServiceServer};
use stdnav_runtime::server::DEFAULT_MAX_MESSAGE_BYTES;
use stdnav_runtime::status::{Violation, invalid_argument};
use stdnav_runtime::tenant::tenant_of;

use crate::convert::{gaps_to_pb, solution_to_pb};
use crate::orchestrate::{Advisor, CallContext, Subject};
use crate::solution::Holding;

pub const SERVICE_NAME: &str = "stdnav.advisor.v1.AdvisorService";
pub const MAX_TOP: u32 = 200;
/// Enterprises of a chain advised at once.
pub const CHAIN_CONCURRENCY: usize = 4;

#[derive(Clone)]
pub struct AdvisorGrpc {
    advisor: Advisor,
}

impl AdvisorGrpc {
    pub fn new(advisor: Advisor) -> Self {
        Self { advisor }
    }

    pub fn into_server(self) -> AdvisorServiceServer<Self> {
        AdvisorServiceServer::new(self)
            .max_decoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
            .max_encoding_message_size(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

fn context<T>(request: &Request<T>) -> Result<CallContext, Status> {
    Ok(CallContext {
        tenant: tenant_of(request.metadata())?,
        deadline: stdnav_runtime::deadline::deadline_of(request.metadata()),
    })
}

fn subject_and_top(r: pb::AdviseRequest) -> Result<(Subject, usize), Status> {
    let top = match r.top {
        0 => 20,
        n if n > MAX_TOP => {
            return Err(invalid_argument(&[Violation::new(
                "top",
                format!("at most {MAX_TOP}"),
            )]));
        }
        n => n as usize,
    };
    let subject = match r.subject {
        Some(pb::advise_request::Subject::Uscc(u)) => Subject::Uscc(u),
        Some(pb::advise_request::Subject::Profile(p)) => Subject::Inline(Box::new(p)),
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
        let (subject, top) = subject_and_top(request.into_inner())?;
        let solution = self.advisor.advise(&ctx, subject, top).await?;
        Ok(Response::new(solution_to_pb(&solution)))
    }

    #[instrument(skip(self, request))]
    async fn benchmark_gaps(
        &self,
        request: Request<pb::AdviseRequest>,
    ) -> Result<Response<pb::Gaps>, Status> {
        let ctx = context(&request)?;
        let (subject, top) = subject_and_top(request.into_inner())?;
        let solution = self.advisor.advise(&ctx, subject, top).await?;
        Ok(Response::new(gaps_to_pb(&solution.gaps)))
    }

    type ScoreChainStream = ChainStream;

    #[instrument(skip(self, request))]
    async fn score_chain(
        &self,
        request: Request<pb::ScoreChainRequest>,
    ) -> Result<Response<Self::ScoreChainStream>, Status> {
        let ctx = context(&request)?;
        let r = request.into_inner();
        if r.chain.trim().is_empty() {
            return Err(invalid_argument(&[Violation::new("chain", "is empty")]));
        }
        let top = if r.top == 0 {
            10
        } else {
            r.top.min(MAX_TOP) as usize
        };
        let members = self.advisor.chain_members(&ctx, &r.chain).await?;
        let advisor = self.advisor.clone();
        let chain = r.chain.clone();
        let results = futures::stream::iter(members)
            .map(move |m| {
                let advisor = advisor.clone();
                let ctx = ctx.clone();
                let chain = chain.clone();
                async move {
                    let e = m.enterprise.unwrap_or_default();
                    let segment = e
                        .chains
                        .iter()
                        .find(|c| c.chain == chain)
                        .map(|c| c.segment)
                        .unwrap_or(0);
                    let mut result = pb::EnterpriseResult {
                        uscc: e.uscc.clone(),
                        name: e.name.clone(),
                        segment,
                        ..Default::default()
                    };
                    match advisor
                        .advise(&ctx, Subject::Uscc(e.uscc.clone()), top)
                        .await
                    {
                        Ok(s) => {
                            result.maturity = s.maturity.score;
                            result.must_not_held =
                                s.must.iter().filter(|m| m.holding != Holding::Held).count() as u32;
                            result.upgrades = s.upgrades.len() as u32;
                            result.top_recommendations =
                                s.should.iter().take(top).map(|x| x.id.clone()).collect();
                            result.unmatched_products = s.unmatched_products.clone();
                            let must_total = s.must.len().max(1) as f64;
                            let held =
                                s.must.iter().filter(|m| m.holding == Holding::Held).count() as f64;
                            let gaps: Vec<String> = s
                                .must
                                .iter()
                                .filter(|m| m.holding != Holding::Held)
                                .map(|m| m.id.clone())
                                .collect();
                            (result, held / must_total, gaps)
                        }
                        Err(status) => {
                            result.error = status.message().to_string();
                            (result, 0.0, Vec::new())
                        }
                    }
                }
            })
            .buffered(CHAIN_CONCURRENCY);
        let chain_name = r.chain;
        let stream = async_stream(results, chain_name);
        Ok(Response::new(stream))
    }
}

/// Streams each enterprise's result, then the chain summary.
fn async_stream(
    results: impl Stream<Item = (pb::EnterpriseResult, f64, Vec<String>)> + Send + 'static,
    chain: String,
) -> ChainStream {
    struct Acc {
        segments: HashMap<i32, (u32, f64, f64)>,
        gaps: HashMap<String, u32>,
        unmatched: HashMap<String, u32>,
        maturity: Vec<(f64, String)>,
        count: u32,
    }
    let acc = std::sync::Arc::new(std::sync::Mutex::new(Acc {
        segments: HashMap::new(),
        gaps: HashMap::new(),
        unmatched: HashMap::new(),
        maturity: Vec::new(),
        count: 0,
    }));
    let acc2 = acc.clone();
    let items = results.map(move |(result, coverage, gaps)| {
        let mut a = acc.lock().unwrap_or_else(|e| e.into_inner());
        a.count += 1;
        if result.error.is_empty() {
            let seg = a.segments.entry(result.segment).or_insert((0, 0.0, 0.0));
            seg.0 += 1;
            seg.1 += coverage;
            seg.2 += result.maturity;
            for g in gaps {
                *a.gaps.entry(g).or_insert(0) += 1;
            }
            for p in &result.unmatched_products {
                *a.unmatched.entry(p.clone()).or_insert(0) += 1;
            }
            a.maturity.push((result.maturity, result.uscc.clone()));
        }
        Ok(pb::ScoreChainResponse {
            item: Some(pb::score_chain_response::Item::Result(result)),
        })
    });
    let summary = futures::stream::once(async move {
        let a = acc2.lock().unwrap_or_else(|e| e.into_inner());
        let top = |m: &HashMap<String, u32>| {
            let mut v: Vec<pb::CountedItem> = m
                .iter()
                .map(|(id, count)| pb::CountedItem {
                    id: id.clone(),
                    count: *count,
                })
                .collect();
            v.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.id.cmp(&y.id)));
            v.truncate(20);
            v
        };
        let mut segments: Vec<pb::SegmentSummary> = a
            .segments
            .iter()
            .map(|(seg, (n, cov, mat))| pb::SegmentSummary {
                segment: *seg,
                enterprises: *n,
                mandatory_coverage: cov / (*n).max(1) as f64,
                mean_maturity: mat / (*n).max(1) as f64,
            })
            .collect();
        segments.sort_by_key(|s| s.segment);
        let mut lagging = a.maturity.clone();
        lagging.sort_by(|x, y| x.0.total_cmp(&y.0).then_with(|| x.1.cmp(&y.1)));
        Ok(pb::ScoreChainResponse {
            item: Some(pb::score_chain_response::Item::Summary(pb::ChainSummary {
                chain,
                enterprises: a.count,
                segments,
                common_gaps: top(&a.gaps),
                lagging: lagging.into_iter().take(10).map(|(_, u)| u).collect(),
                unmatched_products: top(&a.unmatched),
            })),
        })
    });
    Box::pin(items.chain(summary))
}
