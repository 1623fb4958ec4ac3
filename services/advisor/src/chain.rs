//! Industry-chain batch scoring: one result per member enterprise and the
//! chain summary (coverage per segment, the most common gaps, the
//! enterprises that lag most, products with no standard found). Used by the
//! ScoreChain RPC and by `stdnav batch`, so both say the same thing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use stdnav_core::enterprise::{EnterpriseRecord, Segment};
use stdnav_proto::convert::profile::segment_to_pb;

use crate::orchestrate::{Advisor, CallContext, Subject};
use crate::solution::{Holding, Solution};

/// Most items listed in each ranking of the summary.
pub const SUMMARY_TOP: usize = 20;
/// Lagging enterprises listed in the summary.
pub const LAGGING: usize = 10;

/// One enterprise's result in a chain run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberResult {
    pub uscc: String,
    pub name: String,
    /// `upstream`, `midstream`, `downstream`, or empty when not stated.
    pub segment: String,
    /// Standardization maturity, 0–100.
    pub maturity: f64,
    /// Share of the `must` standards held in their current edition (1 when none apply).
    pub mandatory_coverage: f64,
    pub must_not_held: u32,
    /// Mandatory standards not held (or held in an old edition).
    pub gaps: Vec<String>,
    pub upgrades: u32,
    pub top_recommendations: Vec<String>,
    pub unmatched_products: Vec<String>,
    /// Set when the enterprise could not be advised; the rest is then empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// The `stdnav.profiling.v1.Segment` code of a segment's name (0 for an
/// empty or unknown one).
pub fn segment_code(name: &str) -> i32 {
    Segment::ALL
        .into_iter()
        .find(|s| s.name() == name)
        .map_or(0, |s| segment_to_pb(s) as i32)
}

impl MemberResult {
    /// The result of a solution (`top` recommendations kept).
    pub fn from_solution(s: &Solution, segment: &str, top: usize) -> Self {
        let gaps: Vec<String> = s
            .must
            .iter()
            .filter(|m| m.holding != Holding::Held)
            .map(|m| m.id.clone())
            .collect();
        let held = s.must.len() - gaps.len();
        Self {
            uscc: s.uscc.clone(),
            name: s.name.clone(),
            segment: segment.to_string(),
            maturity: s.maturity.score,
            mandatory_coverage: if s.must.is_empty() {
                1.0
            } else {
                held as f64 / s.must.len() as f64
            },
            must_not_held: gaps.len() as u32,
            gaps,
            upgrades: s.upgrades.len() as u32,
            top_recommendations: s.should.iter().take(top).map(|x| x.id.clone()).collect(),
            unmatched_products: s.unmatched_products.clone(),
            error: String::new(),
        }
    }

    pub fn failed(uscc: &str, name: &str, segment: &str, error: String) -> Self {
        Self {
            uscc: uscc.to_string(),
            name: name.to_string(),
            segment: segment.to_string(),
            maturity: 0.0,
            mandatory_coverage: 0.0,
            must_not_held: 0,
            gaps: Vec::new(),
            upgrades: 0,
            top_recommendations: Vec::new(),
            unmatched_products: Vec::new(),
            error,
        }
    }
}

/// Advises one stored member of `chain`, from the record the chain's
/// listing gave (not read again), and reduces the solution to its result; a
/// failure is recorded in the result, not returned, so one bad enterprise
/// never stops a chain.
pub async fn score_member(
    advisor: &Advisor,
    ctx: &CallContext,
    record: EnterpriseRecord,
    chain: &str,
    top: usize,
) -> MemberResult {
    let profile = &record.profile;
    let (uscc, name) = (profile.uscc.clone(), profile.name.clone());
    let segment = profile
        .chains
        .iter()
        .find(|c| c.chain == chain)
        .map_or("", |c| c.segment.name());
    // A task of its own: the members advised at once then run on all the
    // runtime's threads, where a stream of futures is polled by one.
    let mut task = {
        let (advisor, ctx) = (advisor.clone(), ctx.clone());
        AbortOnDrop(tokio::spawn(async move {
            advisor
                .advise(&ctx, Subject::Record(Box::new(record)), top)
                .await
        }))
    };
    match (&mut task.0).await {
        Ok(Ok(s)) => MemberResult::from_solution(&s, segment, top),
        Ok(Err(e)) => MemberResult::failed(&uscc, &name, segment, e.to_string()),
        Err(e) => MemberResult::failed(&uscc, &name, segment, format!("internal error: {e}")),
    }
}

/// Stops the task when its result is no longer awaited (a cancelled
/// ScoreChain stream, an interrupted batch).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    pub segment: String,
    pub enterprises: u32,
    /// Mean share of must-standards held, 0..1.
    pub mandatory_coverage: f64,
    pub mean_maturity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub id: String,
    pub count: u32,
}

/// What a chain run found, over all its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainSummary {
    pub chain: String,
    pub enterprises: u32,
    /// Members that could not be advised.
    pub failed: u32,
    pub segments: Vec<SegmentSummary>,
    /// Mandatory standards most often not held.
    pub common_gaps: Vec<Counted>,
    /// Enterprises with the lowest maturity, lowest first.
    pub lagging: Vec<String>,
    /// Products for which no standard was found, with how many enterprises
    /// named them: a demand for new standards.
    pub unmatched_products: Vec<Counted>,
}

fn ranked(counts: HashMap<&str, u32>) -> Vec<Counted> {
    let mut v: Vec<Counted> = counts
        .into_iter()
        .map(|(id, count)| Counted {
            id: id.to_string(),
            count,
        })
        .collect();
    v.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.id.cmp(&y.id)));
    v.truncate(SUMMARY_TOP);
    v
}

/// The summary of a chain's results (any order; the summary does not
/// depend on it).
pub fn summarize(chain: &str, results: &[MemberResult]) -> ChainSummary {
    let ok: Vec<&MemberResult> = results.iter().filter(|r| r.error.is_empty()).collect();
    let mut segments: HashMap<&str, (u32, f64, f64)> = HashMap::new();
    let mut gaps: HashMap<&str, u32> = HashMap::new();
    let mut unmatched: HashMap<&str, u32> = HashMap::new();
    for r in &ok {
        let s = segments.entry(r.segment.as_str()).or_default();
        s.0 += 1;
        s.1 += r.mandatory_coverage;
        s.2 += r.maturity;
        for g in &r.gaps {
            *gaps.entry(g.as_str()).or_default() += 1;
        }
        for p in &r.unmatched_products {
            *unmatched.entry(p.as_str()).or_default() += 1;
        }
    }
    let order = |s: &str| match s {
        "upstream" => 0,
        "midstream" => 1,
        "downstream" => 2,
        _ => 3,
    };
    let mut segments: Vec<SegmentSummary> = segments
        .into_iter()
        .map(|(segment, (n, coverage, maturity))| SegmentSummary {
            segment: segment.to_string(),
            enterprises: n,
            mandatory_coverage: coverage / f64::from(n.max(1)),
            mean_maturity: maturity / f64::from(n.max(1)),
        })
        .collect();
    segments.sort_by_key(|s| order(&s.segment));
    let mut lagging: Vec<(f64, &str)> = ok.iter().map(|r| (r.maturity, r.uscc.as_str())).collect();
    lagging.sort_by(|x, y| x.0.total_cmp(&y.0).then_with(|| x.1.cmp(y.1)));
    ChainSummary {
        chain: chain.to_string(),
        enterprises: results.len() as u32,
        failed: (results.len() - ok.len()) as u32,
        segments,
        common_gaps: ranked(gaps),
        lagging: lagging
            .into_iter()
            .take(LAGGING)
            .map(|(_, u)| u.to_string())
            .collect(),
        unmatched_products: ranked(unmatched),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        uscc: &str,
        segment: &str,
        maturity: f64,
        coverage: f64,
        gaps: &[&str],
    ) -> MemberResult {
        MemberResult {
            uscc: uscc.into(),
            name: String::new(),
            segment: segment.into(),
            maturity,
            mandatory_coverage: coverage,
            must_not_held: gaps.len() as u32,
            gaps: gaps.iter().map(|g| g.to_string()).collect(),
            upgrades: 0,
            top_recommendations: Vec::new(),
            unmatched_products: vec!["钠离子电池".into()],
            error: String::new(),
        }
    }

    #[test]
    fn summary_counts_segments_gaps_and_laggards() {
        let mut results = vec![
            result("A", "upstream", 40.0, 0.5, &["GB 38031-2020"]),
            result("B", "upstream", 60.0, 1.0, &[]),
            result(
                "C",
                "midstream",
                30.0,
                0.0,
                &["GB 38031-2020", "GB 18384-2020"],
            ),
        ];
        results.push(MemberResult::failed(
            "D",
            "",
            "downstream",
            "unavailable".into(),
        ));
        let s = summarize("新能源汽车产业链", &results);
        assert_eq!((s.enterprises, s.failed), (4, 1));
        assert_eq!(s.segments.len(), 2);
        assert_eq!(s.segments[0].segment, "upstream");
        assert_eq!(s.segments[0].enterprises, 2);
        assert!((s.segments[0].mandatory_coverage - 0.75).abs() < 1e-12);
        assert!((s.segments[0].mean_maturity - 50.0).abs() < 1e-12);
        assert_eq!(s.common_gaps[0].id, "GB 38031-2020");
        assert_eq!(s.common_gaps[0].count, 2);
        assert_eq!(s.lagging, ["C", "A", "B"]);
        assert_eq!(s.unmatched_products[0].count, 3);
        // Order of results does not matter.
        results.reverse();
        assert_eq!(summarize("新能源汽车产业链", &results), s);
    }
}
