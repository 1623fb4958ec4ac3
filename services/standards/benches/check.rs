//! Document-check benchmark (issue 21) over the real catalogue.
//!
//! `cargo bench -p stdnav-standards --bench check`
//!
//! Times [`stdnav_standards::check::check`] — reading the document, finding
//! every code in it, resolving each against the catalogue (status, edition
//! in force and its path, adoptions), the summary — on:
//! - a 100-page English PDF written by the bench (40 lines a page, three
//!   real codes a page among them, mixed statuses): target ≤ 1 s;
//! - a pasted list of 10,000 real codes, one a line: target ≤ 1 s;
//! - a 60 MiB text (the input limit) of such lines, with the process's peak
//!   resident memory before and after, to show memory bounded by the input.
//!
//! The catalogue is built once into the target directory and reused.
//! `STDNAV_BENCH_ROUNDS=n` sets the rounds (default 7); each figure is
//! min / median / max over the rounds, after one warm-up.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use stdnav_core::catalogue::Catalogue;
use stdnav_standards::check::{Document, check};
use stdnav_standards::extract::{DocFormat, Limits, write_pdf};
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, default_sources};

mod support;
use support::proc_mib;

fn time(
    label: &str,
    rounds: usize,
    catalogue: &Catalogue,
    doc: &Document,
    limits: &Limits,
) -> Duration {
    let docs = std::slice::from_ref(doc);
    let warm = check(catalogue, docs, limits).expect("the document checks");
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            let report = check(catalogue, docs, limits).expect("the document checks");
            let took = started.elapsed();
            assert_eq!(report.summary.total, warm.summary.total);
            took
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let by: Vec<String> = warm
        .summary
        .by_status
        .iter()
        .map(|(s, n)| format!("{} {n}", s.name()))
        .collect();
    println!(
        "{label}: {} bytes, {} citations found, {} distinct ({}); min {:.1} ms, median {:.1} ms, max {:.1} ms",
        doc.content.len(),
        warm.documents[0].citations,
        warm.summary.total,
        by.join(", "),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
    );
    times[times.len() / 2]
}

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(data) = stdnav_core::demo::find_shared_data(&manifest) else {
        eprintln!("skipping: ../shared/data with the real catalogues is absent");
        return;
    };
    let rounds: usize = std::env::var("STDNAV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7)
        .max(1);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-check-catalogue");
    let started = Instant::now();
    let store = CatalogueStore::open(&dir, &default_sources(Some(&data)), &Silent)
        .expect("catalogue builds");
    let snap = store.snapshot();
    let catalogue = &snap.catalogue;
    println!(
        "catalogue: {} records, opened in {:.1} s",
        catalogue.len(),
        started.elapsed().as_secs_f64()
    );
    // Real codes of every family and status: every k-th record.
    let records = catalogue.records();
    let step = (records.len() / 10_000).max(1);
    let codes: Vec<String> = records
        .iter()
        .step_by(step)
        .take(10_000)
        .map(|s| s.id.clone())
        .collect();
    let limits = Limits::default();

    // A 100-page specification.
    let pages: Vec<Vec<String>> = (0..100)
        .map(|p| {
            (0..40)
                .map(|l| match l {
                    5 | 17 | 29 => format!(
                        "5.{l} The unit shall comply with {} where applicable.",
                        codes[(p * 3 + l) % codes.len()]
                    ),
                    _ => format!(
                        "{p}.{l} The refrigerant circuit shall be tested at the rated voltage and frequency, see clause {l}."
                    ),
                })
                .collect()
        })
        .collect();
    let pdf = Document {
        name: "spec.pdf".into(),
        content: write_pdf(&pages),
        format: None,
    };
    let pdf_ms = time("100-page PDF", rounds, catalogue, &pdf, &limits);

    let list = Document {
        name: "list.txt".into(),
        content: codes.join("\n").into_bytes(),
        format: Some(DocFormat::Text),
    };
    let list_ms = time("10,000 codes", rounds, catalogue, &list, &limits);

    // The input limit: 60 MiB of text, each line citing a code.
    let hwm_before = proc_mib("VmHWM:");
    let mut big = Vec::with_capacity(limits.max_input_bytes);
    let mut i = 0;
    loop {
        let line = format!(
            "{i}. The appliance shall meet {} and the rated values of clause {i}.\n",
            codes[i % codes.len()]
        );
        if big.len() + line.len() > limits.max_input_bytes {
            break;
        }
        big.extend_from_slice(line.as_bytes());
        i += 1;
    }
    let big = Document {
        name: "big.txt".into(),
        content: big,
        format: Some(DocFormat::Text),
    };
    time("60 MiB text", 1.min(rounds), catalogue, &big, &limits);
    println!(
        "peak resident memory: {:.0} MiB before the 60 MiB text (catalogue loaded), {:.0} MiB after",
        hwm_before,
        proc_mib("VmHWM:")
    );
    println!(
        "targets: 100-page PDF ≤ 1 s: {}; 10,000 codes ≤ 1 s: {}",
        if pdf_ms <= Duration::from_secs(1) {
            "met"
        } else {
            "NOT met"
        },
        if list_ms <= Duration::from_secs(1) {
            "met"
        } else {
            "NOT met"
        },
    );
}
