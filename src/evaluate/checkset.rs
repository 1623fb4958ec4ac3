//! The real-world check set's runs: each case in each language, judged on catalogued lines.

use std::collections::{BTreeMap, BTreeSet};

use stdnav_advisor::Advisor;
use stdnav_advisor::orchestrate::Subject;
use stdnav_core::catalogue::base_of;
use stdnav_core::cocited::CoCited;
use stdnav_core::enterprise::Profile;
use stdnav_core::population;
use stdnav_models::checkset::{CheckCase, Half, Lang, Names};
use stdnav_proto::standards::v1 as stpb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_runtime::progress::Progress;

use super::bench::{Answer, Gathered, gather, gather_all};

/// A check-set run to gather: the case's index and case, the language, its
/// product names in that language and the lines judged relevant.
type PlannedRun = (
    usize,
    &'static CheckCase,
    Lang,
    Vec<String>,
    BTreeSet<String>,
);

/// The dev half's runs, each case retrieved with the co-cited links mined
/// without it (`CoCited::replace`): the bundled table was mined from these
/// very cases, and a case's own naming would otherwise bring its lines to it.
/// Cases run one after another, as the table is the process's. (Two cases
/// with the same products, industries and markets within a minute would
/// share the advisor's cached candidates; the check set has none.)
async fn gather_leaving_each_out(
    advisor: &Advisor,
    planned: &[PlannedRun],
    answer: Answer,
    progress: &dyn Progress,
    stage: &str,
) -> anyhow::Result<Vec<Gathered>> {
    let lists = crate::mine_cocited::dev_lists();
    progress.stage(stage, Some(planned.len() as u64));
    let mut gathered = Vec::with_capacity(planned.len());
    for case in planned.chunk_by(|a, b| a.0 == b.0) {
        let subjects = case
            .iter()
            .map(|(i, c, _, products, _)| Subject::Inline(Box::new(check_profile(*i, c, products))))
            .collect();
        let _table = CoCited::replace(crate::mine_cocited::without_case(&lists, &case[0].1.id));
        gathered.extend(gather(advisor, subjects, answer, progress).await?);
    }
    progress.finish();
    Ok(gathered)
}

/// Keeps, of each relevant set, the lines the catalogue knows (a
/// recommender can only name standards it has); returns how many lines
/// were dropped of how many.
pub(super) async fn keep_catalogued(
    client: &mut StandardsServiceClient<tonic::transport::Channel>,
    sets: &mut [BTreeSet<String>],
) -> anyhow::Result<(usize, usize)> {
    let all: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    let codes: Vec<String> = all.iter().cloned().collect();
    // Each named line the catalogue knows, counted as the line of its
    // edition in force: a regulation naming GB 5296.4 is met by
    // GB/T 5296.4-2012, the number's edition now (the nature changed).
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    for chunk in codes.chunks(500) {
        let resolved = client
            .resolve(stpb::ResolveRequest {
                codes: chunk.to_vec(),
            })
            .await
            .map_err(|s| anyhow::anyhow!("resolve: {}", s.message()))?
            .into_inner();
        for (code, r) in chunk.iter().zip(resolved.resolutions) {
            if r.standard.is_none() {
                continue;
            }
            let line = r
                .current
                .map(|c| base_of(&c.id))
                .unwrap_or_else(|| code.clone());
            known.insert(code.clone(), line);
        }
    }
    let total: usize = sets.iter().map(|s| s.len()).sum();
    for set in sets.iter_mut() {
        *set = set.iter().filter_map(|l| known.get(l).cloned()).collect();
    }
    let kept: usize = sets.iter().map(|s| s.len()).sum();
    Ok((total - kept, total))
}

/// One check-set case in one language: an inline enterprise declaring the
/// case's class, markets and only that language's product names.
pub(super) struct CheckRun<'a> {
    pub case: &'a CheckCase,
    pub lang: Lang,
    pub products: Vec<String>,
    /// The named lines the catalogue has.
    pub relevant: BTreeSet<String>,
    pub gathered: Gathered,
}

/// The runs of the check set's `halves`: every case in each language it has
/// product names in, gathered through the advisor, judged on the named lines
/// the catalogue has (cases with none are left out). Prints on stderr, per
/// half, the lines not counted and the runs left out.
pub(super) async fn check_runs(
    advisor: &Advisor,
    client: &mut StandardsServiceClient<tonic::transport::Channel>,
    halves: &[Half],
    names: Names,
    answer: Answer,
    progress: &dyn Progress,
) -> anyhow::Result<Vec<CheckRun<'static>>> {
    let all = stdnav_models::checkset::cases();
    let mut runs = Vec::new();
    for &half in halves {
        let cases: Vec<(usize, &'static CheckCase)> = all
            .iter()
            .enumerate()
            .filter(|(_, c)| c.half() == half)
            .collect();
        let mut sets: Vec<BTreeSet<String>> = cases
            .iter()
            .map(|(_, c)| c.relevant_lines().into_iter().collect())
            .collect();
        let (dropped, total) = keep_catalogued(client, &mut sets).await?;
        let h = half.as_str();
        eprintln!(
            "check set {h}: {dropped} of {total} regulation-named lines are not in the catalogue and not counted"
        );
        let empty = sets.iter().filter(|s| s.is_empty()).count();
        if empty > 0 {
            eprintln!(
                "check set {h}: {empty} of {} cases have no named line in the catalogue and are left out",
                cases.len()
            );
        }
        let mut planned = Vec::new();
        let mut missing = [0usize; 2];
        for ((i, case), relevant) in cases.iter().zip(sets) {
            if relevant.is_empty() {
                continue;
            }
            for (l, lang) in Lang::ALL.iter().enumerate() {
                let products = case.names_in(*lang, names);
                if products.is_empty() {
                    missing[l] += 1;
                    continue;
                }
                planned.push((*i, *case, *lang, products, relevant.clone()));
            }
        }
        for (l, lang) in Lang::ALL.iter().enumerate() {
            if missing[l] > 0 {
                eprintln!(
                    "check set {h}: {} cases have no {} product name (no {} run)",
                    missing[l],
                    if *lang == Lang::Zh {
                        "Chinese"
                    } else {
                        "English"
                    },
                    lang.as_str()
                );
            }
        }
        let stage = format!("gathering check-set {h} signals");
        let gathered = if half == Half::Dev && !CoCited::get().is_empty() {
            gather_leaving_each_out(advisor, &planned, answer, progress, &stage).await?
        } else {
            let subjects: Vec<Subject> = planned
                .iter()
                .map(|(i, case, _, products, _)| {
                    Subject::Inline(Box::new(check_profile(*i, case, products)))
                })
                .collect();
            gather_all(advisor, subjects, answer, progress, &stage).await?
        };
        for ((_, case, lang, products, relevant), gathered) in planned.into_iter().zip(gathered) {
            runs.push(CheckRun {
                case,
                lang,
                products,
                relevant,
                gathered,
            });
        }
    }
    Ok(runs)
}

/// An inline profile for a check-set case: a synthetic enterprise in Jinan
/// declaring the category's industry and products.
fn check_profile(i: usize, case: &CheckCase, products: &[String]) -> Profile {
    let body = format!("91370100MA{:07}", 1_000_000 + i);
    let check = stdnav_core::uscc::check_character(&body).unwrap_or('0');
    Profile {
        uscc: format!("{body}{check}"),
        name: format!("核验示例企业{i}（{}）", case.category_zh),
        region: "370100".into(),
        industries: case.industries.clone(),
        products: products.to_vec(),
        markets: case.markets.clone(),
        employees: 300,
        flags: vec![population::SYNTHETIC_FLAG.to_string()],
        ..Default::default()
    }
}
