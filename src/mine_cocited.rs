//! `stdnav mine-cocited`: which standard lines regulations name together,
//! mined from the dev half of the real-world check set (core/src/cocited.rs).

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use stdnav_core::catalogue::base_of;
use stdnav_core::cocited::{self, CoCited, MineParams, industry_keys};
use stdnav_models::checkset::{self, Half};

#[derive(Args, Debug)]
pub struct MineCocitedArgs {
    /// Where to write the links.
    #[arg(long, default_value = "core/data/cocited.tsv")]
    pub out: PathBuf,
    /// Fewest dev-half cases naming both lines.
    #[arg(long, default_value_t = MineParams::default().min_support)]
    pub min_support: u32,
    /// Lowest share of the cases naming the first line that name the second.
    #[arg(long, default_value_t = MineParams::default().min_confidence)]
    pub min_confidence: f64,
}

/// Each dev-half case's id and list: the lines its regulation names and
/// its industry keys, so the table also says what regulations name for an
/// industry in a market. Only the dev half: the test half judges what the
/// links add.
pub fn dev_lists() -> Vec<(&'static str, BTreeSet<String>)> {
    checkset::cases()
        .iter()
        .filter(|c| c.half() == Half::Dev)
        .map(|c| {
            let list = c
                .standards
                .iter()
                .map(|s| base_of(s))
                .chain(industry_keys(&c.industries, &c.markets))
                .collect();
            (c.id.as_str(), list)
        })
        .collect()
}

/// The table mined from the dev half without one case (`params` as the
/// bundled table's): what retrieval would know of regulations had that case
/// never been read.
pub fn without_case(lists: &[(&str, BTreeSet<String>)], case: &str) -> CoCited {
    let others: Vec<BTreeSet<String>> = lists
        .iter()
        .filter(|(id, _)| *id != case)
        .map(|(_, l)| l.clone())
        .collect();
    CoCited::from_links(&cocited::mine(&others, MineParams::default()))
}

/// Mines the dev half's named lines, writes `args.out` and prints the counts.
pub fn run(args: &MineCocitedArgs) -> anyhow::Result<()> {
    let params = MineParams {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
    };
    let lists: Vec<BTreeSet<String>> = dev_lists().into_iter().map(|(_, l)| l).collect();
    let links = cocited::mine(&lists, params);
    let from: BTreeSet<&str> = links.iter().map(|l| l.from.as_str()).collect();
    let header = format!(
        "stdnav reference data: standard lines that regulations name together. Written by\n\
         `stdnav mine-cocited --out core/data/cocited.tsv --min-support {} --min-confidence {}`\n\
         from the {} cases of the DEV half of models/data/checkset.json (each case: the lines one regulation\n\
         or certification rule names for a product category; the test half is never read). Do not edit by hand.\n\
         {} links from {} lines and industry keys (@<GB/T 4754 division or group>/<market regime>).\n\
         Columns: line or industry key, line named with it, cases naming both, share of the cases naming the first.",
        params.min_support,
        params.min_confidence,
        lists.len(),
        links.len(),
        from.len()
    );
    std::fs::write(&args.out, cocited::render(&links, &header))
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "dev cases {}, links {} from {} lines -> {}",
        lists.len(),
        links.len(),
        from.len(),
        args.out.display()
    );
    Ok(())
}
