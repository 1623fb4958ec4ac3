//! `stdnav mine-terms`: the zh↔en vocabulary mined from aligned titles
//! (core/src/vocab.rs), written as a term-list file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use stdnav_core::catalogue::{self, Catalogue, Format};
use stdnav_core::vocab::{self, MineParams};
use stdnav_runtime::progress::{Bar, Progress};

#[derive(Args, Debug)]
pub struct MineTermsArgs {
    /// Where to write the mined term list.
    #[arg(long, default_value = "core/data/terms_mined.tsv")]
    pub out: PathBuf,
    /// Fewest adopted standards in whose titles a word is linked to its phrase.
    #[arg(long, default_value_t = MineParams::default().min_count)]
    pub min_count: u32,
    /// Lowest link Dice, 2·links / (titles with the word + titles with the phrase).
    #[arg(long, default_value_t = MineParams::default().min_score)]
    pub min_score: f64,
    /// The phrase's links over those of the word's best unrelated phrase.
    #[arg(long, default_value_t = MineParams::default().min_lead)]
    pub min_lead: f64,
}

/// Reads the pairs from `data`, mines, writes `args.out` and prints the counts.
pub fn run(data: Option<&Path>, args: &MineTermsArgs) -> anyhow::Result<()> {
    let Some(data) = data else {
        bail!(
            "mine-terms needs the real data: pass --data DIR (with relaton-iso/, relaton-iec/, cn-gb-national/)"
        );
    };
    let params = MineParams {
        min_count: args.min_count,
        min_score: args.min_score,
        min_lead: args.min_lead,
    };
    let bar = Bar::new();
    let mut standards = Vec::new();
    let mut attachments = Vec::new();
    for rel in [
        "relaton-iso/iso_publications.jsonl.gz",
        "relaton-iec/iec_publications.jsonl.gz",
    ] {
        bar.stage(&format!("reading {rel}"), None);
        let parsed = catalogue::read_file(&data.join(rel), Some(Format::RelatonJsonl))
            .with_context(|| format!("reading {}", data.join(rel).display()))?;
        standards.extend(parsed.standards);
        attachments.extend(parsed.attachments);
    }
    bar.stage("building the catalogue", None);
    catalogue::group_attachments(&mut standards, attachments);
    let catalogue = Catalogue::build(standards);

    let csv_path = data.join("cn-gb-national/gb_national.csv");
    let text =
        std::fs::read(&csv_path).with_context(|| format!("reading {}", csv_path.display()))?;
    let rows = text
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1);
    bar.stage("reading gb_national.csv", Some(rows as u64));
    let (pairs, stats) = vocab::pairs_from_gb_csv(text.as_slice(), &catalogue, || bar.inc(1))
        .with_context(|| format!("reading {}", csv_path.display()))?;
    bar.stage("mining", None);
    let report = vocab::mine(&pairs, &params);
    bar.finish();

    let header = vec![
        "stdnav reference data: zh↔en terms MINED from aligned titles, the Chinese title of an adopted ISO/IEC standard".to_string(),
        "(采标中文名称 in the national standards list) beside its English title in the ISO/IEC catalogue. Written by".to_string(),
        format!(
            "`stdnav mine-terms --data ../shared/data --out core/data/terms_mined.tsv --min-count {} --min-score {} --min-lead {}`",
            params.min_count, params.min_score, params.min_lead
        ),
        "(algorithm: core/src/vocab.rs; see core/data/README.md). Do not edit by hand: hand-written terms go to terms.tsv, which wins.".to_string(),
        format!(
            "Input: {} rows of gb_national.csv, {} with an adopted standard's Chinese title; {} codes not one readable ISO/IEC code,",
            stats.rows, stats.with_title, stats.unparsed
        ),
        format!(
            "{} not in the ISO/IEC catalogue; {} pairs made ({} through the line's latest edition), {} adopted lines (one pair each).",
            stats.not_found, stats.made, stats.by_line, stats.distinct
        ),
        format!(
            "Kept: {} of {} Chinese words with >= {} links ({} non-generic words linked at all): link Dice >= {}, links >= {}x those",
            report.terms.len(),
            report.candidates,
            params.min_count,
            report.zh_words,
            params.min_score,
            params.min_lead
        ),
        "of the best unrelated phrase and >= half of the phrase's most-linked word. Columns as terms.tsv (ics empty, domain".to_string(),
        "'mined'), then the evidence: links (adopted standards whose titles link the two) and score (link Dice).".to_string(),
    ];
    std::fs::write(&args.out, vocab::to_tsv(&report.terms, &header))
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "rows {}, with a Chinese title {}, unparsed {}, not found {}, pairs made {} ({} by the line's latest edition), distinct lines {}",
        stats.rows,
        stats.with_title,
        stats.unparsed,
        stats.not_found,
        stats.made,
        stats.by_line,
        stats.distinct
    );
    println!(
        "words linked {}, with >= {} links {}, kept {} -> {}",
        report.zh_words,
        params.min_count,
        report.candidates,
        report.terms.len(),
        args.out.display()
    );
    Ok(())
}
