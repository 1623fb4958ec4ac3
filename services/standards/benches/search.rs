//! Search benchmark over the real ISO + IEC + ETSI + GB corpus.
//!
//! `cargo bench -p stdnav-standards --bench search`
//!
//! Measures, in one run: ingest + index build of the whole corpus, the
//! time to reopen it from the cache on disk, its size, resident memory
//! (while building, and of a fresh process serving it), and latency of a
//! fixed set of mixed queries (Chinese, English, codes, with filters)
//! through stdnav's search and, on the same index, through three bare Tantivy
//! baselines, so the cost of our layers shows as a ratio:
//! - the bare query: QueryParser over the title fields, top 10 addresses,
//!   no filters, no count;
//! - the bare page: the same query with what a page of results needs, the
//!   exact total (`Count`) and each hit's stored document;
//! - our query, bare: the Tantivy query stdnav builds for the request
//!   (after code detection, cross-language expansion and filters), run bare
//!   with `TopDocs` only. Like for like: what stdnav adds on top of it
//!   (status weights, exact total, tokenizing and expansion, highlighting,
//!   the records) is the cost of our layers;
//! - and, on a plain index of the same records (code and titles with
//!   Tantivy's default tokenizer), the bare page: DESIGN.md's reference
//!   figure, checked.
//!
//! Percentiles are also printed per kind of query.
//!
//! `STDNAV_BENCH_ROUNDS=n` sets the rounds; `STDNAV_BENCH_STDNAV_ONLY=1`
//! times stdnav alone and prints each query's median (for profiling and
//! query-by-query comparisons; with it, `STDNAV_BENCH_KIND` names the kinds
//! or queries to time, `|`-separated); `STDNAV_BENCH_DUMP=file` writes each
//! query's first page and total (to compare rankings across a change).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, QueryParser};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use stdnav_core::standard::Status;

mod support;
use support::proc_mib;

/// The allocator the shipped binaries use (`stdnav`, `stdnav-standards`):
/// the bench measures search as it runs there, stdnav and the bare
/// baselines alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use stdnav_standards::domain::Standards;
use stdnav_standards::progress::Silent;
use stdnav_standards::search::{Filters, SearchParams};
use stdnav_standards::store::{CatalogueStore, default_sources};

fn rss_mib() -> f64 {
    proc_mib("VmRSS:")
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Kinds of query, reported apart so a slow kind shows.
const KINDS: [&str; 4] = ["code", "english", "chinese", "filtered"];

/// ≥ 200 mixed queries, fixed: codes in several spellings, English and
/// Chinese words, some with filters. Each with its kind (index into `KINDS`).
fn queries(store: &CatalogueStore) -> Vec<(String, Filters, usize)> {
    let snap = store.snapshot();
    let records = snap.catalogue.records();
    let mut out: Vec<(String, Filters, usize)> = Vec::new();
    // Codes: every 1,500th record, in turn in canonical, compact
    // (`iec60335-2-40:2018`) and number-only (`60335-2-40`) spellings.
    for (k, s) in records.iter().step_by(1500).take(60).enumerate() {
        let q = match k % 3 {
            0 => s.id.clone(),
            1 => s.id.to_lowercase().replace(' ', ""),
            _ => stdnav_core::code::number_key(&s.id).unwrap_or_else(|| s.id.clone()),
        };
        out.push((q, Filters::default(), 0));
    }
    // 40 national standards (GB, GB/T, GB/Z) from the national list, when
    // it is loaded, in canonical, compact (`gb/t19001-2016`) and undated
    // spellings.
    for (k, id) in national_sample(records).into_iter().enumerate() {
        let q = match k % 3 {
            0 => id.to_string(),
            1 => id.to_lowercase().replace(' ', ""),
            _ => stdnav_core::catalogue::base_of(id),
        };
        out.push((q, Filters::default(), 0));
    }
    english_and_chinese(&mut out);
    out
}

/// 40 national standards (GB, GB/T, GB/Z) spread evenly over the catalogue.
fn national_sample(records: &[stdnav_core::standard::Standard]) -> Vec<&str> {
    let national: Vec<&str> = records
        .iter()
        .filter(|s| s.family.starts_with("GB"))
        .map(|s| s.id.as_str())
        .collect();
    let step = (national.len() / 40).max(1);
    national.into_iter().step_by(step).take(40).collect()
}

/// The records the code queries should find first, in the same order: the
/// record each was made from (an undated national code: its newest edition).
fn code_targets(store: &CatalogueStore) -> Vec<String> {
    let snap = store.snapshot();
    let records = snap.catalogue.records();
    let mut out: Vec<String> = records
        .iter()
        .step_by(1500)
        .take(60)
        .map(|s| s.id.clone())
        .collect();
    for (k, id) in national_sample(records).into_iter().enumerate() {
        let target = if k % 3 == 2 {
            let base = stdnav_core::catalogue::base_of(id);
            snap.catalogue
                .latest_of(&base)
                .map(|s| s.id.clone())
                .unwrap_or_else(|| id.to_string())
        } else {
            id.to_string()
        };
        out.push(target);
    }
    out
}

fn english_and_chinese(out: &mut Vec<(String, Filters, usize)>) {
    let english = [
        "air conditioner safety",
        "household refrigerator",
        "quality management systems",
        "lithium-ion battery",
        "electric vehicle charging",
        "information security management",
        "energy management",
        "food safety",
        "medical devices quality",
        "wind turbines",
        "photovoltaic modules",
        "electromagnetic compatibility",
        "radio equipment 2,4 GHz",
        "5 GHz RLAN",
        "road vehicles functional safety",
        "welding",
        "steel pipes",
        "plastics test methods",
        "textiles colour fastness",
        "water quality sampling",
        "fire safety",
        "machine safety",
        "lifts escalators",
        "hydraulic fluid power",
        "pressure vessels",
        "cables",
        "switchgear",
        "transformers",
        "lamps luminaires",
        "smart grid",
        "cybersecurity IoT",
        "bluetooth",
        "GNSS receivers",
        "milk products",
        "packaging",
        "occupational health and safety",
        "environmental management",
        "risk management",
        "software engineering",
        "data quality",
    ];
    let chinese = [
        "质量管理体系",
        "空调",
        "冰箱",
        "洗衣机",
        "锂离子电池",
        "电动汽车",
        "充电桩",
        "动力电池",
        "食品安全",
        "乳制品",
        "食品添加剂",
        "信息安全",
        "能源管理",
        "电磁兼容",
        "家用电器安全",
        "灯具",
        "光伏",
        "风力发电",
        "电线电缆",
        "变压器",
        "电动机",
        "压力容器",
        "起重机",
        "工业机器人",
        "危险化学品",
        "涂料",
        "塑料",
        "纺织品",
        "医疗器械",
        "环境管理",
        "职业健康安全",
        "数据管理",
        "蓝牙",
        "无线局域网",
        "北斗",
        "5G",
        "热泵",
        "电饭煲",
        "微波炉",
        "吸尘器",
    ];
    for q in english.iter() {
        out.push((q.to_string(), Filters::default(), 1));
    }
    for q in chinese.iter() {
        out.push((q.to_string(), Filters::default(), 2));
    }
    // The same words with filters: in force only, and an ICS field.
    for (i, q) in english.iter().chain(chinese.iter()).enumerate().take(60) {
        let filters = if i % 2 == 0 {
            Filters {
                statuses: vec![Status::Current],
                ..Default::default()
            }
        } else {
            Filters {
                ics_prefixes: vec!["97".into()],
                from_year: Some(2000),
                ..Default::default()
            }
        };
        out.push((q.to_string(), filters, 3));
    }
}

/// Set in a child process of the bench: open the catalogue cached in this
/// directory, answer every query once, print resident memory and exit. A
/// fresh process shows what serving costs, without the build's freed heap.
const CHILD_ENV: &str = "STDNAV_BENCH_OPEN_DIR";

fn child(store_dir: &Path, data: &Path) {
    let store = CatalogueStore::open(store_dir, &default_sources(Some(data)), &Silent)
        .expect("cached catalogue opens");
    let queries = queries(&store);
    let domain = Standards::with_store(std::sync::Arc::new(store));
    for (q, f, _) in &queries {
        let r = domain.search(&SearchParams {
            query: q.clone(),
            filters: f.clone(),
            page: 1,
            page_size: 10,
            facets: vec![],
        });
        std::hint::black_box(r.expect("query runs"));
    }
    println!("{:.1} {:.1}", rss_mib(), proc_mib("VmHWM:"));
}

/// How many code queries (the first `targets.len()` params) have their
/// record first, and on the first page: (first, on page, of).
fn code_targets_of(
    domain: &Standards,
    params: &[SearchParams],
    targets: &[String],
) -> (usize, usize, usize) {
    let (mut first, mut page) = (0, 0);
    for (p, id) in params.iter().zip(targets) {
        let ids: Vec<String> = domain
            .search(p)
            .expect("query runs")
            .hits
            .into_iter()
            .map(|h| h.standard.standard.id)
            .collect();
        first += usize::from(ids.first() == Some(id));
        page += usize::from(ids.contains(id));
    }
    (first, page, targets.len())
}

/// One line per query: the query, its filters, the total and the first
/// page as `id score` pairs.
fn dump_pages(domain: &Standards, params: &[SearchParams], path: &Path) {
    use std::fmt::Write as _;
    let mut out = String::new();
    for p in params {
        let page = domain.search(p).expect("query runs");
        let hits: Vec<String> = page
            .hits
            .iter()
            .map(|h| format!("{} {:.4}", h.standard.standard.id, h.score))
            .collect();
        let _ = writeln!(
            out,
            "{:?}\t{:?}\t{}\t{}",
            p.query,
            p.filters,
            page.total,
            hits.join(" | ")
        );
    }
    std::fs::write(path, out).expect("dump written");
}

/// The bare baseline: the parsed query, its top 10 addresses and scores.
fn bare_query(searcher: &Searcher, q: &dyn Query) -> Vec<(f32, DocAddress)> {
    searcher
        .search(q, &TopDocs::with_limit(10).order_by_score())
        .expect("bare query runs")
}

/// The like-for-like bare baseline: what a search page needs from the
/// same query: the top 10, the exact total, and each hit's stored document.
fn bare_page(searcher: &Searcher, q: &dyn Query) -> (usize, Vec<TantivyDocument>) {
    let (top, total) = searcher
        .search(q, &(TopDocs::with_limit(10).order_by_score(), Count))
        .expect("bare query runs");
    let docs = top
        .into_iter()
        .map(|(_, address)| searcher.doc(address).expect("stored document"))
        .collect();
    (total, docs)
}

/// A plain Tantivy index of the same records, to check the reference
/// figure DESIGN.md §8 quotes for a bare index: the code and the titles as
/// text with Tantivy's default tokenizer and writer, queried like the bare
/// page.
/// Returns it, the parsed queries (QueryParser over all its fields) and its
/// build time.
fn plain_index(
    records: &[stdnav_core::standard::Standard],
    queries: &[(String, Filters, usize)],
    dir: &Path,
) -> (tantivy::Index, Vec<Box<dyn Query>>, Duration) {
    use tantivy::schema::{STORED, Schema, TEXT};
    let mut schema = Schema::builder();
    let id = schema.add_text_field("id", TEXT | STORED);
    let title_zh = schema.add_text_field("title_zh", TEXT);
    let title_en = schema.add_text_field("title_en", TEXT);
    let title_fr = schema.add_text_field("title_fr", TEXT);
    let started = Instant::now();
    let index = tantivy::Index::create_in_dir(dir, schema.build()).expect("plain index");
    let mut writer: tantivy::IndexWriter = index.writer(200_000_000).expect("writer");
    for s in records {
        let mut doc = TantivyDocument::default();
        doc.add_text(id, &s.id);
        doc.add_text(title_zh, &s.title_zh);
        doc.add_text(title_en, &s.title_en);
        doc.add_text(title_fr, &s.title_fr);
        writer.add_document(doc).expect("document added");
    }
    writer.commit().expect("commit");
    let build = started.elapsed();
    let parser = QueryParser::for_index(&index, vec![id, title_zh, title_en, title_fr]);
    let parsed = queries
        .iter()
        .map(|(q, _, _)| parser.parse_query_lenient(q).0)
        .collect();
    (index, parsed, build)
}

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(data) = stdnav_core::demo::find_shared_data(&manifest) else {
        eprintln!("skipping: ../shared/data with the real catalogues is absent");
        return;
    };
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child(Path::new(&dir), &data);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let rss_before = rss_mib();
    let started = Instant::now();
    let store = CatalogueStore::open(
        &dir.path().join("standards"),
        &default_sources(Some(&data)),
        &Silent,
    )
    .expect("catalogue builds");
    let build = started.elapsed();
    let rss_built = rss_mib();
    let peak_build = proc_mib("VmHWM:");
    let snap = store.snapshot();
    let records = snap.catalogue.len();
    let store_dir = dir.path().join("standards");
    let store_bytes = dir_size(&store_dir);
    let records_bytes = std::fs::metadata(store_dir.join("records.jsonl"))
        .map(|m| m.len())
        .unwrap_or(0);
    drop(snap);
    drop(store);

    // Resident memory of a fresh process serving the whole corpus.
    let out = std::process::Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD_ENV, &store_dir)
        .output()
        .expect("child runs");
    let child_out = String::from_utf8_lossy(&out.stdout);
    let mut child_mib = child_out
        .split_whitespace()
        .filter_map(|x| x.parse::<f64>().ok());
    let (serve_rss, serve_peak) = (
        child_mib.next().unwrap_or(f64::NAN),
        child_mib.next().unwrap_or(f64::NAN),
    );

    // What a restart costs: open the catalogue cached on disk.
    let started = Instant::now();
    let store = CatalogueStore::open(&store_dir, &default_sources(Some(&data)), &Silent)
        .expect("cached catalogue opens");
    let reopen = started.elapsed();
    let snap = store.snapshot();

    let queries = queries(&store);
    let targets = code_targets(&store);
    let domain = Standards::with_store(std::sync::Arc::new(store));
    let params: Vec<SearchParams> = queries
        .iter()
        .map(|(q, f, _)| SearchParams {
            query: q.clone(),
            filters: f.clone(),
            page: 1,
            page_size: 10,
            facets: vec![],
        })
        .collect();

    // Bare Tantivy over the same index: the query parser on the title fields, top 10.
    let searcher = snap.searcher();
    let f = snap.fields;
    let parser = QueryParser::for_index(&snap.index, vec![f.title_en, f.title_zh, f.title_fr]);
    let bare: Vec<Box<dyn Query>> = queries
        .iter()
        .map(|(q, _, _)| parser.parse_query_lenient(q).0)
        .collect();
    // DESIGN.md's reference: a plain index of the same records.
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir_all(&plain_dir).expect("plain dir");
    let (plain, plain_queries, plain_build) =
        plain_index(snap.catalogue.records(), &queries, &plain_dir);
    let plain_searcher = plain.reader().expect("plain reader").searcher();
    // The query stdnav builds for each request, built once like the parsed ones.
    let ours_bare: Vec<Box<dyn Query>> = params
        .iter()
        .map(|p| snap.query_for(p).expect("query builds"))
        .collect();

    // STDNAV_BENCH_DUMP=file writes each query's first page (ids and
    // scores) and total, to compare rankings before and after a change.
    if let Some(path) = std::env::var_os("STDNAV_BENCH_DUMP") {
        dump_pages(&domain, &params, Path::new(&path));
    }

    // Warm up all three (checking the code queries find their record),
    // then interleave rounds so noise hits them alike.
    let targets = code_targets_of(&domain, &params, &targets);
    for p in &params {
        let _ = domain.search(p);
    }
    for q in &bare {
        let _ = bare_query(&searcher, q.as_ref());
        let _ = bare_page(&searcher, q.as_ref());
    }
    for q in &ours_bare {
        let _ = bare_query(&searcher, q.as_ref());
    }
    for q in &plain_queries {
        let _ = bare_query(&plain_searcher, q.as_ref());
    }
    // STDNAV_BENCH_ROUNDS raises the rounds (e.g. to profile the queries
    // alone); STDNAV_BENCH_STDNAV_ONLY=1 skips both bare baselines (to
    // profile stdnav's search alone).
    let rounds: usize = std::env::var("STDNAV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let stdnav_only = std::env::var_os("STDNAV_BENCH_STDNAV_ONLY").is_some();
    // With STDNAV_BENCH_STDNAV_ONLY, STDNAV_BENCH_KIND=chinese (a kind) or
    // STDNAV_BENCH_KIND='空调|wind turbines' (queries, `|`-separated) times
    // only those: to profile a few queries.
    let only: Option<Vec<String>> = std::env::var("STDNAV_BENCH_KIND")
        .ok()
        .filter(|_| stdnav_only)
        .map(|k| k.split('|').map(str::to_string).collect());
    let timed = |query: &str, kind: usize| {
        only.as_ref()
            .is_none_or(|o| o.iter().any(|k| k == KINDS[kind] || k == query))
    };
    // Latencies of stdnav, the bare query, the bare page and our query
    // bare, in that order: overall, by kind of query, and stdnav's by query.
    let mut all: [Vec<Duration>; 5] = Default::default();
    let mut by_kind: Vec<[Vec<Duration>; 5]> = vec![Default::default(); KINDS.len()];
    let mut by_query: Vec<Vec<Duration>> = vec![Vec::new(); params.len()];
    for _ in 0..rounds {
        for (i, ((((p, q), ours), plain_q), (_, _, kind))) in params
            .iter()
            .zip(&bare)
            .zip(&ours_bare)
            .zip(&plain_queries)
            .zip(&queries)
            .enumerate()
        {
            if !timed(&p.query, *kind) {
                continue;
            }
            let t = Instant::now();
            std::hint::black_box(domain.search(p).expect("query runs"));
            let mut times = vec![t.elapsed()];
            if !stdnav_only {
                let t = Instant::now();
                std::hint::black_box(bare_query(&searcher, q.as_ref()));
                times.push(t.elapsed());
                let t = Instant::now();
                std::hint::black_box(bare_page(&searcher, q.as_ref()));
                times.push(t.elapsed());
                let t = Instant::now();
                std::hint::black_box(bare_query(&searcher, ours.as_ref()));
                times.push(t.elapsed());
                let t = Instant::now();
                std::hint::black_box(bare_page(&plain_searcher, plain_q.as_ref()));
                times.push(t.elapsed());
            }
            by_query[i].push(times[0]);
            for (m, time) in times.into_iter().enumerate() {
                all[m].push(time);
                by_kind[*kind][m].push(time);
            }
        }
    }
    if stdnav_only {
        // Each query's median, to compare changes query by query.
        for (i, mut t) in by_query.into_iter().enumerate() {
            if t.is_empty() {
                continue;
            }
            t.sort();
            let (q, f, kind) = &queries[i];
            println!(
                "{:.4} ms\t{}\t{q:?}{}",
                percentile(&t, 0.5).as_secs_f64() * 1e3,
                KINDS[*kind],
                if f.is_empty() { "" } else { " + filters" }
            );
        }
        return;
    }
    for times in all.iter_mut() {
        times.sort();
    }
    let p50 = |times: &[Duration]| percentile(times, 0.5).as_secs_f64() * 1e3;
    let p99 = |times: &[Duration]| percentile(times, 0.99).as_secs_f64() * 1e3;
    let [ours, theirs, pages, ours_bare, plain_times] = &all;
    println!(
        "corpus: {records} records (ISO + IEC + ETSI + the GB sample, the national list and its companions + bundled demo catalogue and GB titles)"
    );
    println!("ingest + index build: {:.2} s", build.as_secs_f64());
    println!(
        "reopen from the cache on disk: {:.2} s",
        reopen.as_secs_f64()
    );
    println!(
        "on disk: {:.1} MiB (index {:.1} MiB + records.jsonl {:.1} MiB)",
        store_bytes as f64 / 1048576.0,
        (store_bytes - records_bytes) as f64 / 1048576.0,
        records_bytes as f64 / 1048576.0
    );
    println!(
        "resident memory, building: {:.0} MiB before, {:.0} MiB after the build (peak {:.0} MiB)",
        rss_before, rss_built, peak_build
    );
    println!(
        "resident memory, serving (fresh process, cached catalogue opened, every query run once): \
         {serve_rss:.0} MiB (peak {serve_peak:.0} MiB)"
    );
    println!(
        "queries: {} distinct ({}) × {rounds} rounds",
        params.len(),
        KINDS
            .iter()
            .enumerate()
            .map(|(k, name)| format!("{} {name}", queries.iter().filter(|q| q.2 == k).count()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "code queries finding their record: {}/{n} first, {}/{n} on the first page",
        targets.0,
        targets.1,
        n = targets.2
    );
    println!(
        "stdnav search: p50 {:.3} ms, p99 {:.3} ms",
        p50(ours),
        p99(ours)
    );
    println!(
        "bare tantivy : p50 {:.3} ms, p99 {:.3} ms",
        p50(theirs),
        p99(theirs)
    );
    println!(
        "bare page    : p50 {:.3} ms, p99 {:.3} ms (bare query + exact total + stored documents)",
        p50(pages),
        p99(pages)
    );
    println!(
        "our query bare: p50 {:.3} ms, p99 {:.3} ms (the query stdnav builds, after expansion and filters, top 10 by score only)",
        p50(ours_bare),
        p99(ours_bare)
    );
    let ratio = |baseline: &str, times: &[Duration]| {
        println!(
            "ratio (stdnav / {baseline}): p50 {:.2}×, p99 {:.2}×",
            p50(ours) / p50(times),
            p99(ours) / p99(times)
        )
    };
    ratio("bare", theirs);
    ratio("bare page", pages);
    ratio("our query bare", ours_bare);
    println!(
        "plain index  : built in {:.2} s; p50 {:.3} ms, p99 {:.3} ms (DESIGN.md's reference: the records in a plain Tantivy index, default tokenizer, QueryParser over code and titles; a page: top 10, exact total, stored documents)",
        plain_build.as_secs_f64(),
        p50(plain_times),
        p99(plain_times)
    );
    ratio("plain index", plain_times);
    for (name, mut times) in KINDS.iter().zip(by_kind) {
        for t in times.iter_mut() {
            t.sort();
        }
        let [o, b, g, u, plain] = &times;
        println!(
            "  {name:<9} stdnav p50 {:.3} ms p99 {:.3} ms | bare p50 {:.3} ms p99 {:.3} ms | bare page p50 {:.3} ms p99 {:.3} ms | our query bare p50 {:.3} ms p99 {:.3} ms | plain index p50 {:.3} ms p99 {:.3} ms",
            p50(o),
            p99(o),
            p50(b),
            p99(b),
            p50(g),
            p99(g),
            p50(u),
            p99(u),
            p50(plain),
            p99(plain),
        );
    }
    // The slowest queries by their median, to see where time goes.
    let mut slowest: Vec<(Duration, usize)> = by_query
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            t.sort();
            (percentile(&t, 0.5), i)
        })
        .collect();
    slowest.sort_by(|a, b| b.cmp(a));
    println!("slowest queries (median):");
    for (t, i) in slowest.iter().take(8) {
        let (q, f, kind) = &queries[*i];
        println!(
            "  {:.3} ms  {:<8} {q:?}{}",
            t.as_secs_f64() * 1e3,
            KINDS[*kind],
            if f.is_empty() { "" } else { " + filters" }
        );
    }
}
