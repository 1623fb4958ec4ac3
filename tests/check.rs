//! Document check (标准有效性核查, issue 21) with real documents the suite
//! writes: an English PDF (Helvetica), a Chinese PDF (a Type0 font with
//! Identity-H codes and a ToUnicode CMap, as PDF writers make for CJK
//! text), a Chinese and English DOCX, a Chinese and English XLSX, GBK text and a pasted list, each
//! spelling issue 21 lists; statuses checked against the real catalogue when
//! ../shared/data is present (the bundled demo catalogue otherwise, with the
//! real-data assertions skipped and the reason printed). Bad input over
//! gRPC: empty, over 60 MiB, encrypted and corrupt PDF, a ZIP-bomb DOCX,
//! binary garbage, a 1,000,000-cell spreadsheet — each INVALID_ARGUMENT
//! naming the field. And the `stdnav check` command: json, csv, text in
//! both languages, `-`, `--fail-on outdated`.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use tonic::transport::Channel;

use stdnav_proto::standards::v1 as pb;
use stdnav_proto::standards::v1::standards_service_client::StandardsServiceClient;
use stdnav_standards::check::{CheckReport, Citation, CitationStatus, Document};
use stdnav_standards::domain::Standards;
use stdnav_standards::extract::{DocFormat, write_docx, write_pdf, write_pdf_unicode};

fn doc(name: &str, content: Vec<u8>) -> Document {
    Document {
        name: name.into(),
        content,
        format: DocFormat::from_name(name),
    }
}

fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("标准清单").unwrap();
    for (row, col, text) in cells {
        sheet.write_string(*row, *col, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn specification_documents() -> Vec<Document> {
    let pdf = write_pdf(&[
        vec!["Air conditioner specification".into()],
        vec![
            "2 Normative references".into(),
            "GB/T 19001-2008 Quality management systems".into(),
            "ISO 9001:2015 and IEC 60335-2-40 Ed.6".into(),
            "IEC 60335-2-40:2018+AMD1:2023, EN ISO 13849-1".into(),
        ],
    ]);
    let docx = write_docx(&[
        "房间空气调节器技术规范".into(),
        "本规范引用下列标准：GB 4706.1、4706.32 及 ＧＢ４７０６．１－２００５。".into(),
        "质量管理体系按GB/T 19001—2016执行，抽样按GB/T 2828.1—2012。".into(),
    ]);
    let sheet = xlsx(&[
        (0, 0, "序号"),
        (0, 1, "标准号"),
        (1, 1, "GB 4706.32-2004"),
        (2, 1, "GB4706.1"),
        (3, 1, "Q/XYZ 001-2020 企业标准"),
    ]);
    let (gbk, _, _) = encoding_rs::GBK.encode("企业标准引用：GB/T 19001-2008，GB 4706.32—2004。\n");
    vec![
        doc("spec.pdf", pdf),
        doc("spec.docx", docx),
        doc("list.xlsx", sheet),
        doc("notes.txt", gbk.into_owned()),
        doc(
            "pasted",
            b"GB/T 19001-2008\nISO 9001\nGB/T 2828.1-2003\n".to_vec(),
        ),
    ]
}

fn by<'a>(report: &'a CheckReport, code: &str) -> &'a Citation {
    report
        .citations
        .iter()
        .chain(&report.unknown)
        .find(|c| c.code == code)
        .unwrap_or_else(|| {
            let codes: Vec<&str> = report
                .citations
                .iter()
                .chain(&report.unknown)
                .map(|c| c.code.as_str())
                .collect();
            panic!("{code} not among {codes:?}")
        })
}

#[test]
fn every_spelling_in_every_format_with_its_place() {
    let standards = Standards::with_store(support::catalogue());
    let report = standards
        .check_citations(&specification_documents())
        .unwrap();
    let formats: Vec<(&str, DocFormat)> = report
        .documents
        .iter()
        .map(|d| (d.name.as_str(), d.format))
        .collect();
    assert_eq!(
        formats,
        [
            ("spec.pdf", DocFormat::Pdf),
            ("spec.docx", DocFormat::Docx),
            ("list.xlsx", DocFormat::Xlsx),
            ("notes.txt", DocFormat::Text),
            ("pasted", DocFormat::Text),
        ]
    );
    assert_eq!(report.documents[3].encoding, "GB18030");
    // Each spelling of issue 21, found where it was written.
    let old = by(&report, "GB/T 19001-2008");
    assert_eq!(old.occurrences, 3, "PDF, GBK text and the pasted list");
    let pdf_place = &old.places[0];
    assert_eq!(
        (pdf_place.location.page, pdf_place.location.line),
        (2, 2),
        "{pdf_place:?}"
    );
    assert!(pdf_place.context.contains("Quality management"));
    assert_eq!(old.places[1].location.document, "notes.txt");
    assert_eq!(old.places[1].cited_as, "GB/T 19001-2008");
    let ed6 = by(&report, "IEC 60335-2-40");
    assert_eq!(ed6.edition_number, Some(6));
    assert!(ed6.undated);
    let amd = by(&report, "IEC 60335-2-40:2018/AMD1:2023");
    assert_eq!(amd.places[0].cited_as, "IEC 60335-2-40:2018+AMD1:2023");
    let full_width = by(&report, "GB 4706.1-2005");
    assert_eq!(full_width.places[0].cited_as, "ＧＢ４７０６．１－２００５");
    assert_eq!(full_width.places[0].location.line, 2, "DOCX paragraph 2");
    let listed = by(&report, "GB 4706.32");
    assert_eq!(listed.places[0].cited_as, "4706.32");
    let undated = by(&report, "GB 4706.1");
    assert_eq!(undated.occurrences, 2, "DOCX and XLSX (GB4706.1)");
    assert!(
        undated
            .places
            .iter()
            .any(|p| p.location.cell == "标准清单!B3"),
        "{:?}",
        undated.places
    );
    assert!(undated.mandatory);
    let dash = by(&report, "GB/T 19001-2016");
    assert_eq!(dash.places[0].cited_as, "GB/T 19001—2016");
    by(&report, "GB/T 2828.1-2012");
    by(&report, "ISO 9001:2015");
    by(&report, "ISO 9001");
    // An enterprise standard is not in any catalogue: listed apart, never dropped.
    let q = by(&report, "Q/XYZ 001-2020");
    assert_eq!(q.status, CitationStatus::Unknown);
    assert!(report.unknown.iter().any(|c| c.code == "Q/XYZ 001-2020"));
    let en = by(&report, "EN ISO 13849-1");
    assert!(report.unknown.iter().any(|c| c.code == en.code));

    if support::shared_data().is_none() {
        eprintln!("skipping the real-catalogue statuses: ../shared/data is absent");
        return;
    }
    // Against the real catalogue: GB/T 19001-2008 superseded by 2016 (a
    // status the catalogue's sources state).
    assert_eq!(old.status, CitationStatus::Superseded);
    assert_eq!(old.in_force, "GB/T 19001-2016");
    assert_eq!(old.path, ["GB/T 19001-2008", "GB/T 19001-2016"]);
    assert!(!old.status_inferred);
    // The national list gives GB/T 2828.1 no status: inferred from its editions.
    let sampling = by(&report, "GB/T 2828.1-2003");
    assert_eq!(sampling.status, CitationStatus::Superseded);
    assert_eq!(sampling.in_force, "GB/T 2828.1-2012");
    assert!(sampling.status_inferred);
    assert_eq!(old.adopts[0].id, "ISO 9001:2008");
    assert!(old.adopts[0].revised);
    assert_eq!(dash.status, CitationStatus::Current);
    let gb32 = by(&report, "GB 4706.32-2004");
    assert_eq!(gb32.status, CitationStatus::Superseded);
    assert_eq!(gb32.in_force, "GB 4706.32-2012");
    assert!(gb32.mandatory);
    // GB 4706.32-2012 adopts an edition of IEC 60335-2-40 revised since
    // (the sources name 2002 and 2005; the hand-checked sample wins).
    assert_eq!(listed.resolved, "GB 4706.32-2012");
    assert!(
        listed
            .adopts
            .iter()
            .any(|a| a.id.starts_with("IEC 60335-2-40:")
                && a.revised
                && a.current.as_deref().is_some_and(|c| c > a.id.as_str())),
        "{:?}",
        listed.adopts
    );
    assert!(listed.notes.iter().any(|n| n.contains("undated")));
    // ISO 9001:2015 in force; EN ISO 13849-1 points at the ISO edition in force.
    assert_eq!(by(&report, "ISO 9001:2015").status, CitationStatus::Current);
    assert!(
        en.adopts[0]
            .current
            .as_deref()
            .unwrap_or("")
            .starts_with("ISO 13849-1:")
    );
    // Mandatory first: GB 4706.32-2004 before GB/T 19001-2008.
    let order = &report.summary.update_first;
    let at = |code: &str| order.iter().position(|c| c == code).unwrap();
    assert!(at("GB 4706.32-2004") < at("GB/T 19001-2008"), "{order:?}");
    assert!(report.has_outdated());
}

#[test]
fn a_chinese_pdf_is_read_and_checked() {
    let pdf = write_pdf_unicode(&[
        vec!["房间空气调节器技术规范".into()],
        vec![
            "2 规范性引用文件".into(),
            "质量管理体系应符合GB/T 19001—2008《质量管理体系 要求》的规定。".into(),
            "整机安全按GB 4706.1执行。".into(),
        ],
    ]);
    let standards = Standards::with_store(support::catalogue());
    let report = standards
        .check_citations(&[doc("空调器规范.pdf", pdf)])
        .unwrap();
    let info = &report.documents[0];
    assert_eq!((info.format, info.pages), (DocFormat::Pdf, 2));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let old = by(&report, "GB/T 19001-2008");
    let place = &old.places[0];
    assert_eq!((place.location.page, place.location.line), (2, 2));
    assert_eq!(place.cited_as, "GB/T 19001—2008");
    assert!(place.context.contains("质量管理体系应符合"), "{place:?}");
    // Both catalogues state it: the bundled one and the national sample.
    assert_eq!(old.status, CitationStatus::Superseded);
    assert!(!old.status_inferred);
    assert_eq!(old.in_force, "GB/T 19001-2016");
    assert_eq!(old.path, ["GB/T 19001-2008", "GB/T 19001-2016"]);
    assert_eq!(old.title_zh, "质量管理体系 要求");
    assert!(report.summary.update_first.contains(&old.code));
    let safety = by(&report, "GB 4706.1");
    assert!(safety.undated && safety.mandatory);
    assert_eq!(safety.places[0].location.line, 3);
}

/// A standards server over the test catalogue, and a client of it.
async fn server() -> (
    StandardsServiceClient<Channel>,
    tokio::sync::oneshot::Sender<()>,
) {
    let (handle, stop) = support::standards_over_test_catalogue().await;
    let client = StandardsServiceClient::connect(format!("http://{}", handle.local_addr))
        .await
        .unwrap()
        .max_decoding_message_size(64 << 20);
    (client, stop)
}

/// One document as a stream of chunks of at most `chunk` bytes.
fn chunks(
    name: &str,
    content: &[u8],
    chunk: usize,
) -> impl futures::Stream<Item = pb::CheckCitationsRequest> + use<> {
    let mut messages: Vec<pb::CheckCitationsRequest> = content
        .chunks(chunk)
        .map(|c| pb::CheckCitationsRequest {
            name: String::new(),
            format: 0,
            content: c.to_vec(),
        })
        .collect();
    if messages.is_empty() {
        messages.push(pb::CheckCitationsRequest::default());
    }
    messages[0].name = name.to_string();
    futures::stream::iter(messages)
}

fn violations(status: &tonic::Status) -> Vec<(String, String)> {
    stdnav_runtime::status::field_violations(status)
        .into_iter()
        .map(|v| (v.field, v.description))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_citations_streams_documents_and_refuses_bad_ones() {
    let (mut client, _stop) = server().await;
    // A document in 7-byte chunks, and two documents in one stream.
    let pdf = write_pdf(&[vec!["Tested per GB 4706.32-2004 and ISO 9001:2015.".into()]]);
    let mut messages: Vec<pb::CheckCitationsRequest> = Vec::new();
    for (i, c) in pdf.chunks(7).enumerate() {
        messages.push(pb::CheckCitationsRequest {
            name: if i == 0 {
                "a.pdf".into()
            } else {
                String::new()
            },
            format: 0,
            content: c.to_vec(),
        });
    }
    messages.push(pb::CheckCitationsRequest {
        name: "list.txt".into(),
        format: pb::DocumentFormat::Text as i32,
        content: "GB/T 19001-2008\nQ/ABC 1-2020".as_bytes().to_vec(),
    });
    let answer = client
        .check_citations(futures::stream::iter(messages))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = answer.documents.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a.pdf", "list.txt"]);
    assert_eq!(answer.documents[0].format, pb::DocumentFormat::Pdf as i32);
    let codes: Vec<&str> = answer.citations.iter().map(|c| c.code.as_str()).collect();
    assert!(codes.contains(&"GB 4706.32-2004"), "{codes:?}");
    assert_eq!(answer.unknown[0].code, "Q/ABC 1-2020");
    let summary = answer.summary.unwrap();
    assert_eq!(summary.total, 4);
    assert_eq!(summary.by_status.len(), 5);
    if support::shared_data().is_some() {
        let gb = &answer.citations[0];
        assert_eq!(gb.status, pb::CitationStatus::Superseded as i32);
        assert_eq!(gb.in_force, "GB 4706.32-2012");
        assert_eq!(gb.places[0].page, 1);
        assert_eq!(summary.update_first[0], "GB 4706.32-2004");
    }

    // Bad input: INVALID_ARGUMENT naming the field, saying why.
    let mut encrypted = lopdf::Document::load_mem(&pdf).unwrap();
    use lopdf::dictionary;
    let encrypt = encrypted.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 1,
        "R" => 2,
        "O" => lopdf::Object::string_literal(vec![1u8; 32]),
        "U" => lopdf::Object::string_literal(vec![2u8; 32]),
        "P" => -4,
    });
    encrypted.trailer.set("Encrypt", encrypt);
    encrypted.trailer.set(
        "ID",
        vec![
            lopdf::Object::string_literal(vec![3u8; 16]),
            lopdf::Object::string_literal(vec![3u8; 16]),
        ],
    );
    let mut encrypted_pdf = Vec::new();
    encrypted.save_to(&mut encrypted_pdf).unwrap();
    let bomb = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..300 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let too_large = vec![b'a'; (60 << 20) + 1];
    let million_cells = {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for row in 0..1000u32 {
            for col in 0..1000u16 {
                sheet.write_number(row, col, 1.0).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", Vec::new(), "is empty"),
        ("big.txt", too_large, "60 MiB"),
        ("locked.pdf", encrypted_pdf, "encrypted PDF"),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj <<".to_vec(),
            "not a readable PDF",
        ),
        ("bomb.docx", bomb, "ZIP bomb"),
        ("noise.bin", garbage, "is not text"),
        ("cells.xlsx", million_cells, "cells"),
    ];
    for (name, content, why) in cases {
        let status = client
            .check_citations(chunks(name, &content, 4 << 20))
            .await
            .expect_err(name);
        assert_eq!(
            status.code(),
            tonic::Code::InvalidArgument,
            "{name}: {status:?}"
        );
        let named = violations(&status);
        assert_eq!(named.len(), 1, "{name}: {named:?}");
        assert_eq!(named[0].0, "content", "{name}");
        assert!(named[0].1.contains(why), "{name}: {}", named[0].1);
    }
    // An unknown format and an over-long name are named too.
    let status = client
        .check_citations(futures::stream::iter([pb::CheckCitationsRequest {
            name: "x".repeat(201),
            format: 99,
            content: b"GB 1".to_vec(),
        }]))
        .await
        .unwrap_err();
    assert_eq!(violations(&status)[0].0, "name");
    let status = client
        .check_citations(futures::stream::iter([pb::CheckCitationsRequest {
            name: "x".into(),
            format: 99,
            content: b"GB 1".to_vec(),
        }]))
        .await
        .unwrap_err();
    assert_eq!(violations(&status)[0].0, "format");
}

fn stdnav() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stdnav"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // The home tests/cli.rs uses: the index is built once for both.
    cmd.arg("--home")
        .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-home"));
    if let Some(data) = support::shared_data() {
        cmd.arg("--data").arg(data);
    }
    cmd
}

#[test]
fn the_check_command_prints_json_csv_and_reports_and_fails_on_outdated() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.docx");
    std::fs::write(
        &spec,
        write_docx(&["引用标准：GB 4706.32-2004、GB/T 19001-2016 和 ISO 9001:2015。".into()]),
    )
    .unwrap();
    let out = stdnav()
        .args(["check", "--format", "json"])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"][0]["format"], "docx");
    assert_eq!(v["summary"]["total"], 3);

    let out = stdnav()
        .args(["check", "--format", "csv"])
        .arg(&spec)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("code,status,"), "{csv}");
    assert_eq!(csv.lines().count(), 4);

    for (lang, words) in [
        ("zh", "标准有效性核查报告"),
        ("en", "Standards validity check"),
    ] {
        let out = stdnav()
            .args(["check", "--lang", lang])
            .arg(&spec)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(words), "{text}");
        assert!(text.contains("GB 4706.32-2004"), "{text}");
    }

    // A pasted list on standard input; --fail-on outdated exits 4 when
    // something is superseded (with the real catalogue), 0 when not.
    let run = |input: &str| {
        let mut child = stdnav()
            .args(["check", "-", "--fail-on", "outdated", "--lang", "en"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let fine = run("ISO 9001:2015\n");
    assert_eq!(
        fine.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fine.stderr)
    );
    if support::shared_data().is_some() {
        let outdated = run("GB 4706.32-2004\nGB/T 19001-2008\n");
        assert_eq!(outdated.status.code(), Some(4));
        let text = String::from_utf8(outdated.stdout).unwrap();
        assert!(
            text.contains("1. GB 4706.32-2004 [mandatory] superseded → GB 4706.32-2012"),
            "{text}"
        );
    }
    // An unreadable document: exit 2 with the reason.
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let out = stdnav().arg("check").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));
}
