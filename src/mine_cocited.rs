//! `stdnav mine-cocited`: which standard lines regulations name together,
//! mined from the dev half of the real-world check set (core/src/cocited.rs).

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use stdnav_core::catalogue::base_of;
use stdnav_core::cocited::{self, MineParams, industry_keys};
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

/// Mines the dev half's named lines, writes `args.out` and prints the counts.
pub fn run(args: &MineCocitedArgs) -> anyhow::Result<()> {
    let params = MineParams {
        min_support: args.min_support,
        min_confidence: args.min_confidence,
    };
    // Only the dev half: the test half judges what the links add. Each
    // case's list holds its industry keys too, so the table also says what
    // regulations name for an industry in a market.
    let lists: Vec<BTreeSet<String>> = checkset::cases()
        .iter()
        .filter(|c| c.half() == Half::Dev)
        .map(|c| {
            c.standards
                .iter()
                .map(|s| base_of(s))
                .chain(industry_keys(&c.industries, &c.markets))
                .collect()
        })
        .collect();
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
