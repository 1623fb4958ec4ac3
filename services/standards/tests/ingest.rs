//! Ingestion through `CatalogueStore` and once through the real Ingest RPC:
//! idempotence, updates in place, per-line rejections, no half-written
//! state, and IEC variants and amendments grouped under their edition.
//!
//! Every test builds its own catalogue over the bundled demo records in a
//! temporary directory, so none of them needs ../shared/data.

mod support;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use stdnav_core::catalogue::Format;
use stdnav_core::standard::Status;
use stdnav_proto::standards::v1 as pb;
use stdnav_runtime::status::field_violations;
use stdnav_standards::Standards;
use stdnav_standards::progress::Silent;
use stdnav_standards::store::{CatalogueStore, IngestReport, Source, default_sources};

use support::{all_ids, client, demo_store, search_ids, serve};

/// Two records in the project's own JSON Lines, neither in the demo catalogue.
const TWO: &str = r#"{"id": "GB/T 99001-2024", "title_zh": "量子咖啡机 安全要求", "title_en": "Quantum coffee machines - Safety requirements", "ics": ["97.040.50"], "status": "current"}
{"id": "ISO 99001:2024", "title_en": "Zylophonic widgets - Conformance assessment", "ics": ["03.120.20"], "status": "current"}
"#;

fn ingest(store: &CatalogueStore, text: &str, format: Format, source: &str) -> IngestReport {
    store
        .ingest(text, format, source, &Silent)
        .expect("ingest runs")
}

fn counts(r: &IngestReport) -> (u64, u64, u64, u64) {
    (r.added, r.updated, r.unchanged, r.rejected)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(&dir.join("manifest.json"))).expect("manifest is JSON")
}

#[test]
fn the_same_file_twice_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let before = store.snapshot().catalogue.len();

    let first = ingest(&store, TWO, Format::StdnavJsonl, "vendor.jsonl");
    assert_eq!(counts(&first), (2, 0, 0, 0), "{first:?}");
    assert_eq!(store.snapshot().catalogue.len(), before + 2);

    let records = read(&tmp.path().join("records.jsonl"));
    let manifest_before = manifest(tmp.path());
    let snapshot = store.snapshot();

    let second = ingest(&store, TWO, Format::StdnavJsonl, "vendor.jsonl");
    assert_eq!(counts(&second), (0, 0, 2, 0), "{second:?}");
    // Nothing was rewritten: same records file, same index, same snapshot.
    assert_eq!(read(&tmp.path().join("records.jsonl")), records);
    assert_eq!(manifest(tmp.path()), manifest_before);
    assert!(Arc::ptr_eq(&snapshot, &store.snapshot()));
    assert_eq!(store.snapshot().catalogue.len(), before + 2);

    // Under another source name the content is still the same records.
    let third = ingest(&store, TWO, Format::StdnavJsonl, "mirror of vendor");
    assert_eq!(counts(&third), (0, 0, 2, 0), "{third:?}");
}

#[test]
fn re_ingesting_the_bundled_catalogue_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let n = store.snapshot().catalogue.len() as u64;
    let r = ingest(
        &store,
        stdnav_core::demo::CATALOGUE,
        Format::StdnavJsonl,
        "examples/catalogue.jsonl",
    );
    assert_eq!(counts(&r), (0, 0, n, 0), "{:?}", r.rejections);
}

#[test]
fn a_changed_record_updates_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    ingest(&store, TWO, Format::StdnavJsonl, "vendor.jsonl");
    let n = store.snapshot().catalogue.len();
    assert_eq!(search_ids(&store, "zylophonic"), ["ISO 99001:2024"]);

    let changed = TWO.replace(
        "Zylophonic widgets - Conformance assessment",
        "Xerographic gadgets - Conformance assessment",
    );
    let r = ingest(&store, &changed, Format::StdnavJsonl, "vendor.jsonl");
    assert_eq!(counts(&r), (0, 1, 1, 0), "{r:?}");
    assert_eq!(store.snapshot().catalogue.len(), n, "updated, not added");
    let snap = store.snapshot();
    let s = snap.catalogue.get("ISO 99001:2024").unwrap();
    assert_eq!(s.title_en, "Xerographic gadgets - Conformance assessment");
    assert_eq!(s.checksum, stdnav_core::catalogue::checksum(s));
    assert_eq!(
        search_ids(&store, "xerographic gadgets"),
        ["ISO 99001:2024"]
    );
    assert!(search_ids(&store, "zylophonic").is_empty());

    // The update is on disk: the store reopens with it.
    drop(snap);
    drop(store);
    let store = demo_store(tmp.path());
    assert_eq!(store.snapshot().catalogue.len(), n);
    assert_eq!(search_ids(&store, "xerographic"), ["ISO 99001:2024"]);
}

/// An upcoming edition (即将实施, as of the day the list was exported) whose
/// effective date has come, and one still to come.
const DUE_AND_COMING: &str = r#"{"id": "GB/T 99301-2020", "title_en": "Due widgets", "status": "upcoming", "effective": "2021-01-01"}
{"id": "GB/T 99302-2098", "title_en": "Coming widgets", "status": "upcoming", "effective": "2999-01-01"}
"#;

#[test]
fn an_edition_past_its_effective_date_is_in_force_whatever_the_list_said() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let status =
        |store: &CatalogueStore, id: &str| store.snapshot().catalogue.get(id).unwrap().status;
    let r = ingest(
        &store,
        DUE_AND_COMING,
        Format::StdnavJsonl,
        "gb_export.jsonl",
    );
    assert_eq!(counts(&r), (2, 0, 0, 0), "{r:?}");
    assert_eq!(status(&store, "GB/T 99301-2020"), Status::Current);
    assert_eq!(status(&store, "GB/T 99302-2098"), Status::Upcoming);
    // The same export again: stored as current already, nothing changes.
    let again = ingest(
        &store,
        DUE_AND_COMING,
        Format::StdnavJsonl,
        "gb_export.jsonl",
    );
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again:?}");

    // A cache written before the date came: reopening brings the edition
    // into force and commits the change (a new index version, so replicas
    // and the change feed see it).
    drop(store);
    let path = tmp.path().join("records.jsonl");
    let text = String::from_utf8(read(&path)).unwrap();
    let stale: String = text
        .lines()
        .map(|l| {
            let line = if l.contains("GB/T 99301-2020") {
                l.replace(r#""status":"current""#, r#""status":"upcoming""#)
            } else {
                l.to_string()
            };
            line + "\n"
        })
        .collect();
    assert_ne!(stale, text, "the record is stored with its status");
    std::fs::write(&path, stale).unwrap();
    let version = manifest(tmp.path())["index_dir"].clone();
    let store = demo_store(tmp.path());
    assert_eq!(status(&store, "GB/T 99301-2020"), Status::Current);
    assert_eq!(status(&store, "GB/T 99302-2098"), Status::Upcoming);
    assert_ne!(manifest(tmp.path())["index_dir"], version);
    assert_eq!(
        read(&path),
        text.as_bytes(),
        "the records say current again"
    );
}

#[test]
fn a_record_from_another_source_keeps_what_the_other_sources_gave() {
    // The bundled catalogue gives GB 4706.1-2024 its ICS, CCS, committee and
    // dates; the GB CSV lists the same edition with titles, status and
    // relations only. Ingesting the CSV line must not wipe the rest (ICS
    // decides which enterprises the standard reaches).
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let before = store
        .snapshot()
        .catalogue
        .get("GB 4706.1-2024")
        .unwrap()
        .clone();
    assert!(!before.ics.is_empty() && !before.committee.is_empty());
    let csv = format!(
        "code,title_zh,title_en,status,replaces,replaced_by,adopts,degree\n\
         GB 4706.1-2024,{},{},current,GB 4706.1-2005,,,\n",
        before.title_zh, before.title_en
    );
    let r = ingest(&store, &csv, Format::GbCsv, "gb_sample.csv");
    assert_eq!(counts(&r), (0, 0, 1, 0), "nothing new in the line: {r:?}");
    let after = store
        .snapshot()
        .catalogue
        .get("GB 4706.1-2024")
        .unwrap()
        .clone();
    assert_eq!(after.ics, before.ics);
    assert_eq!(after.ccs, before.ccs);
    assert_eq!(after.committee, before.committee);
    assert_eq!(after.effective, before.effective);

    // A line that does change something updates that, and keeps the rest.
    let changed = csv.replace(",current,", ",replaced,");
    let r = ingest(&store, &changed, Format::GbCsv, "gb_sample.csv");
    assert_eq!(counts(&r), (0, 1, 0, 0), "{r:?}");
    let after = store
        .snapshot()
        .catalogue
        .get("GB 4706.1-2024")
        .unwrap()
        .clone();
    assert_eq!(after.status, Status::Replaced);
    assert_eq!(after.ics, before.ics);
    assert_eq!(after.committee, before.committee);
}

#[test]
fn malformed_lines_are_rejected_with_line_and_reason_and_the_rest_ingested() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let text = [
        r#"{"id": "GB/T 99001-2024", "title_en": "Quantum coffee machines", "status": "current"}"#,
        r#"{"id": "GB/T 99002-2024", "title_en": "#,
        r#"{"id": "GB/T 99003", "title_en": "A code without a year"}"#,
        r#"{"id": "GB/T 99004-2024", "title_en": "Unknown field", "colour": "red"}"#,
        "",
        r#"{"id": "ISO 99001:2024", "title_en": "Zylophonic widgets"}"#,
        r#"{"id": "hello 123-2024", "title_en": "Not a standard code"}"#,
        r#"{"id": "GB/T 99008-2024", "title_en": "Bad relation", "replaces": ["nonsense"]}"#,
        r#"{"id": "GB/T 99009-2024", "status": "obsolete"}"#,
        r#"[1, 2, 3]"#,
    ]
    .join("\n");
    let r = ingest(&store, &text, Format::StdnavJsonl, "vendor.jsonl");
    assert_eq!((r.added, r.updated, r.rejected), (2, 0, 7), "{r:?}");
    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 3, 4, 7, 8, 9, 10]);
    let reason = |line: u64| {
        r.rejections
            .iter()
            .find(|x| x.line == line)
            .map(|x| x.reason.clone())
            .unwrap()
    };
    assert!(reason(2).contains("EOF"), "{}", reason(2));
    assert!(reason(3).contains("no year"), "{}", reason(3));
    assert!(
        reason(4).contains("unknown field `colour`"),
        "{}",
        reason(4)
    );
    assert!(reason(7).contains("hello"), "{}", reason(7));
    assert!(reason(8).contains("nonsense"), "{}", reason(8));
    assert!(reason(9).contains("obsolete"), "{}", reason(9));
    assert!(!reason(10).is_empty());
    // The good lines are in.
    assert_eq!(search_ids(&store, "quantum coffee"), ["GB/T 99001-2024"]);
    assert_eq!(search_ids(&store, "zylophonic"), ["ISO 99001:2024"]);
    assert!(store.snapshot().catalogue.get("GB/T 99004-2024").is_none());
}

#[test]
fn malformed_relaton_and_csv_lines_name_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let relaton = [
        r#"{"docid": "IEC 99999-1:2020", "title_en": "Quantum toasters - Safety", "stage": "PUBLISHED", "edition": "1", "dates": {"published": "2020-01-01"}}"#,
        r#"{"docid": "IEC 99999-2:2020", "title_en": "#,
        r#"{"title_en": "A line without a docid"}"#,
        r#"{"docid": "   ", "title_en": "Empty docid"}"#,
        r#"{"docid": "HELLO 123:2020", "title_en": "Unknown body"}"#,
        r#"{"docid": "IEC 99999-3:2020", "title_en": "Quantum kettles", "stage": "PUBLISHED", "dates": {}}"#,
    ]
    .join("\n");
    let r = ingest(
        &store,
        &relaton,
        Format::RelatonJsonl,
        "iec_publications.jsonl",
    );
    assert_eq!((r.added, r.rejected), (2, 4), "{r:?}");
    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(r.rejections[0].reason.contains("invalid JSON"), "{r:?}");
    assert!(r.rejections[1].reason.contains("docid"), "{r:?}");
    assert!(r.rejections[2].reason.contains("empty docid"), "{r:?}");
    assert!(r.rejections[3].reason.contains("HELLO"), "{r:?}");
    assert_eq!(search_ids(&store, "toasters"), ["IEC 99999-1:2020"]);
    assert_eq!(search_ids(&store, "kettles"), ["IEC 99999-3:2020"]);

    let csv = "code,title_zh,title_en,status,replaces,replaced_by,adopts,degree\n\
               GB/T 99101-2024,量子烤面包机,Quantum toasters,current,,,IEC 99999-1:2020,IDT\n\
               GB/T 99102-2024,too,few\n\
               GB/T 99103-2024,坏状态,Bad status,bogus,,,,\n\
               GB/T 99104,无年份,No year,current,,,,\n\
               GB/T 99105-2024,量子水壶,Quantum kettles,current,,,,\n";
    let r = ingest(&store, csv, Format::GbCsv, "gb_extra.csv");
    assert_eq!((r.added, r.rejected), (2, 3), "{r:?}");
    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
    assert_eq!(lines, [3, 4, 5], "{r:?}");
    assert!(r.rejections[0].reason.contains("CSV"), "{r:?}");
    assert!(r.rejections[1].reason.contains("bogus"), "{r:?}");
    assert!(r.rejections[2].reason.contains("no year"), "{r:?}");
    // The adoption links the national standard to the edition ingested above.
    let snap = store.snapshot();
    assert_eq!(
        snap.catalogue.adopted_by("IEC 99999-1:2020"),
        ["GB/T 99101-2024"]
    );
}

#[test]
fn a_file_of_only_bad_lines_leaves_the_catalogue_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    ingest(&store, TWO, Format::StdnavJsonl, "vendor.jsonl");

    let ids = all_ids(&store);
    let hits = search_ids(&store, "空调");
    let code_hits = search_ids(&store, "IEC 60335-2-40");
    assert!(!hits.is_empty() && !code_hits.is_empty());
    let records = read(&tmp.path().join("records.jsonl"));
    let manifest_before = manifest(tmp.path());
    let ingested_before: Vec<_> = std::fs::read_dir(tmp.path().join("ingested"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let snapshot = store.snapshot();

    let bad = [
        r#"{"id": "GB/T 99002-2024", "title_en": "#,
        r#"{"id": "GB/T 99003", "title_en": "no year"}"#,
        r#"{"id": "GB/T 99004-2024", "colour": "red"}"#,
        "not json at all",
    ]
    .join("\n");
    for (format, source) in [
        (Format::StdnavJsonl, "bad.jsonl"),
        (Format::StdnavJsonl, "vendor.jsonl"),
        (Format::RelatonJsonl, "bad_publications.jsonl"),
    ] {
        let r = ingest(&store, &bad, format, source);
        assert_eq!(counts(&r), (0, 0, 0, 4), "{source}: {r:?}");
    }
    // Nothing moved: same snapshot, files, records and answers.
    assert!(Arc::ptr_eq(&snapshot, &store.snapshot()));
    assert_eq!(read(&tmp.path().join("records.jsonl")), records);
    assert_eq!(manifest(tmp.path()), manifest_before);
    let ingested_after: Vec<_> = std::fs::read_dir(tmp.path().join("ingested"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(ingested_after, ingested_before);
    assert_eq!(all_ids(&store), ids);
    assert_eq!(search_ids(&store, "空调"), hits);
    assert_eq!(search_ids(&store, "IEC 60335-2-40"), code_hits);

    // And the store reopens from disk with the same records.
    drop(snapshot);
    drop(store);
    let store = demo_store(tmp.path());
    assert_eq!(all_ids(&store), ids);
    assert_eq!(search_ids(&store, "空调"), hits);
    assert_eq!(search_ids(&store, "IEC 60335-2-40"), code_hits);
}

/// An IEC line as the relaton catalogue writes it, variants and amendments
/// first (group_attachments must not depend on order).
const IEC_LINE: &str = r#"{"docid": "IEC 99999-1:2020 RLV", "title_en": "Quantum toasters - Safety", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2020-03-01"}}
{"docid": "IEC 99999-1:2020+AMD1:2023 CSV", "title_en": "Quantum toasters - Safety", "stage": "PUBLISHED", "edition": "2.1", "dates": {"published": "2023-05-01"}}
{"docid": "IEC 99999-1:2020/AMD1:2023", "title_en": "Amendment 1 - Quantum toasters - Safety", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2023-05-01"}}
{"docid": "IEC 99999-1:2020/AMD1:2023/COR1:2024", "title_en": "Corrigendum 1", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2024-01-01"}}
{"docid": "IEC 99999-1:2020", "title_en": "Quantum toasters - Safety", "title_fr": "Grille-pain quantiques - Sécurité", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2020-03-01"}, "ics": ["97.040.50"], "committees": ["IEC/TC 61"]}
{"docid": "IEC 99999-1:2015 CSV", "title_en": "Quantum toasters - Safety", "stage": "REVISED", "edition": "1", "dates": {"published": "2015-02-01"}}
{"docid": "IEC 99999-1:2015", "title_en": "Quantum toasters - Safety", "stage": "REVISED", "edition": "1", "dates": {"published": "2015-02-01"}, "ics": ["97.040.50"]}
{"docid": "IEC 99999-1/FRAG2", "title_en": "Quantum toasters - Safety - fragment 2", "stage": "PUBLISHED", "edition": "2", "dates": {}}
"#;

#[test]
fn iec_variants_and_amendments_are_grouped_under_their_edition() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    let n = store.snapshot().catalogue.len();
    let r = ingest(
        &store,
        IEC_LINE,
        Format::RelatonJsonl,
        "iec_publications.jsonl",
    );
    assert_eq!(counts(&r), (2, 0, 0, 0), "two editions: {r:?}");
    assert_eq!(store.snapshot().catalogue.len(), n + 2);

    let snap = store.snapshot();
    let current = snap.catalogue.get("IEC 99999-1:2020").unwrap();
    assert_eq!(current.status, Status::Current);
    assert_eq!(
        current.variants,
        ["IEC 99999-1:2020 RLV", "IEC 99999-1:2020+AMD1:2023 CSV"]
    );
    assert_eq!(
        current.amendments,
        [
            "IEC 99999-1:2020/AMD1:2023",
            "IEC 99999-1:2020/AMD1:2023/COR1:2024",
            "IEC 99999-1/FRAG2"
        ]
    );
    let older = snap.catalogue.get("IEC 99999-1:2015").unwrap();
    assert_eq!(older.variants, ["IEC 99999-1:2015 CSV"]);
    assert_eq!(older.status, Status::Replaced);
    assert_eq!(older.replaced_by, ["IEC 99999-1:2020"]);
    // No variant or amendment is a record of its own.
    let ids = all_ids(&store);
    assert!(
        ids.iter()
            .all(|id| !id.contains("99999") || id.ends_with(":2020") || id.ends_with(":2015")),
        "{ids:?}"
    );
    // Search names each edition once, the one in force first.
    assert_eq!(
        search_ids(&store, "IEC 99999-1"),
        ["IEC 99999-1:2020", "IEC 99999-1:2015"]
    );
    assert_eq!(
        search_ids(&store, "quantum toasters"),
        ["IEC 99999-1:2020", "IEC 99999-1:2015"]
    );
    // Idempotent with its attachments.
    let again = ingest(
        &store,
        IEC_LINE,
        Format::RelatonJsonl,
        "iec_publications.jsonl",
    );
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again:?}");
}

#[test]
fn a_later_amendment_attaches_to_the_edition_ingested_before() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    ingest(
        &store,
        IEC_LINE,
        Format::RelatonJsonl,
        "iec_publications.jsonl",
    );
    let ids = all_ids(&store);
    let later = r#"{"docid": "IEC 99999-1:2020/AMD2:2025", "title_en": "Amendment 2", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2025-06-01"}}
{"docid": "IEC 99999-1:2020 EXV", "title_en": "Quantum toasters - Safety", "stage": "PUBLISHED", "edition": "2", "dates": {"published": "2025-06-01"}}"#;
    let r = ingest(
        &store,
        later,
        Format::RelatonJsonl,
        "iec_update_publications.jsonl",
    );
    assert_eq!((r.added, r.rejected), (0, 0), "{r:?}");
    assert_eq!(all_ids(&store), ids, "no record added or lost");
    let snap = store.snapshot();
    let s = snap.catalogue.get("IEC 99999-1:2020").unwrap();
    assert_eq!(s.status, Status::Current, "{s:?}");
    assert_eq!(s.title_fr, "Grille-pain quantiques - Sécurité");
    assert!(
        s.amendments
            .contains(&"IEC 99999-1:2020/AMD2:2025".to_string()),
        "{:?}",
        s.amendments
    );
    assert!(
        s.amendments
            .contains(&"IEC 99999-1:2020/AMD1:2023".to_string()),
        "earlier amendments are kept: {:?}",
        s.amendments
    );
    assert!(
        s.variants.contains(&"IEC 99999-1:2020 EXV".to_string()),
        "{:?}",
        s.variants
    );
}

#[test]
fn ingested_files_are_re_applied_when_the_base_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = demo_store(tmp.path());
    ingest(&store, TWO, Format::StdnavJsonl, "vendor publications");
    ingest(
        &store,
        IEC_LINE,
        Format::RelatonJsonl,
        "iec_publications.jsonl",
    );
    ingest(
        &store,
        "code,title_zh,title_en,status\nGB/T 99101-2024,量子烤面包机,Quantum toasters,current\n",
        Format::GbCsv,
        "gb_extra.csv",
    );
    let ids = all_ids(&store);
    let toaster = store
        .snapshot()
        .catalogue
        .get("IEC 99999-1:2020")
        .cloned()
        .unwrap();
    drop(store);

    // Another base (one more bundled source) forces a rebuild from the
    // sources, then every file ingested before is applied again.
    let mut sources = default_sources(None);
    sources.push(Source::Bundled {
        name: "extra.jsonl".into(),
        content: r#"{"id": "GB/T 99201-2024", "title_en": "Extra base record"}"#,
        format: Format::StdnavJsonl,
    });
    let store = CatalogueStore::open(tmp.path(), &sources, &Silent).unwrap();
    let mut expected = ids.clone();
    expected.push("GB/T 99201-2024".into());
    expected.sort();
    assert_eq!(all_ids(&store), expected);
    let snap = store.snapshot();
    let rebuilt = snap.catalogue.get("IEC 99999-1:2020").unwrap();
    assert_eq!(rebuilt.variants, toaster.variants);
    assert_eq!(rebuilt.amendments, toaster.amendments);
    assert_eq!(search_ids(&store, "zylophonic"), ["ISO 99001:2024"]);
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

#[tokio::test]
async fn the_ingest_rpc_reports_counts_and_rejections() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let store = tokio::task::spawn_blocking(move || demo_store(&dir))
        .await
        .unwrap();
    let domain = Arc::new(Standards::with_store(Arc::new(store)));
    let server = serve(domain).await;
    let mut c = client(server.addr).await;

    let content = format!("{TWO}{{\"id\": \"GB/T 99003\", \"title_en\": \"no year\"}}\n");
    let request = |content: Vec<u8>, format: pb::SourceFormat, source: &str| pb::IngestRequest {
        source: source.into(),
        format: format as i32,
        content,
    };
    // Gzip-compressed content is accepted as is.
    let r = c
        .ingest(request(
            gzip(&content),
            pb::SourceFormat::StdnavJsonl,
            "vendor.jsonl.gz",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r.added, r.updated, r.unchanged, r.rejected), (2, 0, 0, 1));
    assert_eq!(r.rejections.len(), 1);
    assert_eq!(r.rejections[0].line, 3);
    assert!(r.rejections[0].reason.contains("no year"), "{r:?}");

    // The same content again, uncompressed: nothing changes.
    let r = c
        .ingest(request(
            content.clone().into_bytes(),
            pb::SourceFormat::StdnavJsonl,
            "vendor.jsonl",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r.added, r.updated, r.unchanged, r.rejected), (0, 0, 2, 1));

    // Search over gRPC sees the ingested record.
    let found = c
        .search(pb::SearchRequest {
            query: "量子咖啡机".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        found.hits[0].standard.as_ref().unwrap().id,
        "GB/T 99001-2024"
    );

    // Bad requests name their field.
    for (req, field) in [
        (
            request(
                content.clone().into_bytes(),
                pb::SourceFormat::Unspecified,
                "x",
            ),
            "format",
        ),
        (
            pb::IngestRequest {
                source: "x".into(),
                format: 42,
                content: content.clone().into_bytes(),
            },
            "format",
        ),
        (
            request(
                content.clone().into_bytes(),
                pb::SourceFormat::StdnavJsonl,
                "  ",
            ),
            "source",
        ),
        (
            request(
                vec![0x1f, 0x8b, 0, 1, 2, 3],
                pb::SourceFormat::StdnavJsonl,
                "x",
            ),
            "content",
        ),
        (
            request(vec![0xff, 0xfe, 0xfd], pb::SourceFormat::GbCsv, "x"),
            "content",
        ),
    ] {
        let e = c.ingest(req).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
        let fields: Vec<String> = field_violations(&e).into_iter().map(|v| v.field).collect();
        assert_eq!(fields, [field], "{e:?}");
    }
}

/// Every file and directory under `dir` with its size and modification
/// time (a directory's changes when a file is created in it, even if the
/// file is removed again, as a lock file is).
fn listing(dir: &Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let m = std::fs::metadata(&d).unwrap();
        out.push((d.clone(), 0, m.modified().unwrap()));
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), m.len(), m.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The lock files under `dir` (the store's and Tantivy's).
fn lock_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let locks: Vec<_> = listing(dir)
        .into_iter()
        .map(|(path, _, _)| path)
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".lock"))
        })
        .collect();
    assert!(
        locks.len() >= 2,
        "the store's and Tantivy's lock files: {locks:?}"
    );
    locks
}

#[tokio::test]
async fn a_read_only_index_is_served_without_writing_and_refuses_ingest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let ids = tokio::task::spawn_blocking(move || all_ids(&demo_store(&dir)))
        .await
        .unwrap();
    // Stand-ins for a read-only volume that hold even for root (as tests in
    // CI run): every lock file becomes a directory, which cannot be opened
    // for writing. A writable open fails on them.
    for lock in lock_files(tmp.path()) {
        std::fs::remove_file(&lock).unwrap();
        std::fs::create_dir(&lock).unwrap();
    }
    let dir = tmp.path().to_path_buf();
    let writable = tokio::task::spawn_blocking(move || {
        CatalogueStore::open(&dir, &default_sources(None), &Silent).map(|_| ())
    })
    .await
    .unwrap();
    assert!(
        writable.is_err(),
        "the stand-in locks do block a writable open"
    );
    let before = listing(tmp.path());

    let store = CatalogueStore::open_read_only(tmp.path(), &Silent).expect("opens read-only");
    assert_eq!(all_ids(&store), ids, "the same catalogue");
    let found = search_ids(&store, "IEC 60335-2-40");
    assert!(
        found.iter().any(|id| id.starts_with("IEC 60335-2-40")),
        "{found:?}"
    );
    let server = serve(Arc::new(Standards::with_store(Arc::new(store)))).await;
    let refused = client(server.addr)
        .await
        .ingest(pb::IngestRequest {
            source: "vendor.jsonl".into(),
            format: pb::SourceFormat::StdnavJsonl as i32,
            content: TWO.as_bytes().to_vec(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        tonic::Code::FailedPrecondition,
        "{refused:?}"
    );

    // Nothing was created, changed or removed: a read-only volume would do.
    assert_eq!(listing(tmp.path()), before);
    // Without a cache there is nothing to serve: a clear error, not a build.
    let empty = tempfile::tempdir().unwrap();
    assert!(CatalogueStore::open_read_only(empty.path(), &Silent).is_err());
    assert_eq!(listing(empty.path()).len(), 1, "the empty directory alone");
}

/// A cache built with another term list (or other Chinese ICS titles) is
/// still served read-only, as that mode serves what it is given (a warning
/// says the index job should rebuild it); a writable open rebuilds it, as
/// it does for other sources.
#[test]
fn a_cache_built_with_other_tables_is_served_read_only_and_rebuilt_when_writable() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = all_ids(&demo_store(tmp.path()));
    let manifest_path = tmp.path().join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let built_with = manifest["tables_fingerprint"].as_str().unwrap().to_string();
    assert_eq!(built_with.len(), 32, "{manifest}");
    let index_dir = manifest["index_dir"].as_str().unwrap().to_string();
    manifest["tables_fingerprint"] = "another term list".into();
    manifest["base_fingerprint"] = "built from other tables".into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();

    let store = CatalogueStore::open_read_only(tmp.path(), &Silent).expect("served as it is");
    assert_eq!(all_ids(&store), ids);
    drop(store);

    let store = demo_store(tmp.path());
    assert_eq!(all_ids(&store), ids);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["tables_fingerprint"], built_with.as_str());
    assert_ne!(manifest["index_dir"], index_dir.as_str(), "rebuilt");
}
