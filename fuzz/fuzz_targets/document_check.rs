//! The document-check extractor (`stdnav_standards::extract`) and the code
//! finder (`stdnav_core::code::find_codes`) on arbitrary bytes (issue 21).
//!
//! Properties, for every input:
//! - nothing panics, whatever the bytes claim to be (PDF, DOCX, XLSX, CSV,
//!   text in any encoding), detected or forced;
//! - every answer is within the limits given: an error, or segments whose
//!   cells stay under the cell limit;
//! - every citation found lies on character boundaries of its segment, and
//!   its code's canonical spelling parses back to the same code.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stdnav_core::code::{StdCode, find_codes};
use stdnav_standards::extract::{DocFormat, Limits, extract};

fuzz_target!(|data: &[u8]| {
    // Small bounds keep each run fast; the defaults are the same code.
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_unzipped_bytes: 4 << 20,
        max_zip_entries: 100,
        max_cells: 5_000,
        max_pdf_pages: 50,
    };
    let forced = match data.first().map(|b| b % 7) {
        Some(1) => Some(DocFormat::Text),
        Some(2) => Some(DocFormat::Csv),
        Some(3) => Some(DocFormat::Pdf),
        Some(4) => Some(DocFormat::Docx),
        Some(5) => Some(DocFormat::Xlsx),
        _ => None,
    };
    for format in [None, forced] {
        let Ok(doc) = extract("fuzz", data, format, &limits) else {
            continue;
        };
        if matches!(doc.format, DocFormat::Csv | DocFormat::Xlsx) {
            assert!(doc.segments.len() as u64 <= limits.max_cells);
        }
        for segment in &doc.segments {
            check_codes(&segment.text);
        }
    }
    // The finder on the raw text too.
    check_codes(&String::from_utf8_lossy(data));
});

fn check_codes(text: &str) {
    for found in find_codes(text) {
        let cited = text
            .get(found.start..found.end)
            .unwrap_or_else(|| panic!("{found:?} is not on character boundaries of {text:?}"));
        assert!(!cited.is_empty());
        let canonical = found.code.canonical();
        assert_eq!(
            StdCode::parse(&canonical).as_ref(),
            Ok(&found.code),
            "{cited:?} → {canonical:?} does not read back"
        );
    }
}
