//! Text out of the documents a check is given (issue 21): plain text in
//! UTF-8, UTF-16 (with a byte-order mark) or GBK/GB18030, the text layer of a
//! PDF (lopdf), the paragraphs of a DOCX (zip + quick-xml), the string cells
//! of an XLSX (calamine) and the cells of a CSV, each piece with where it was
//! found (page, line, paragraph, cell).
//!
//! Every size is bounded before the work it would cost is done, so memory
//! stays proportional to [`Limits::max_input_bytes`]:
//! - the input itself ([`MAX_INPUT_BYTES`], 60 MiB);
//! - a ZIP container (DOCX, XLSX) is read entry by entry with the total of
//!   what its entries really inflate to (not what their headers claim)
//!   bounded by [`MAX_UNZIPPED_BYTES`] and at most [`MAX_ZIP_ENTRIES`]
//!   entries — a ZIP bomb is refused before any XML is parsed;
//! - each PDF stream inflates to at most [`MAX_UNZIPPED_BYTES`] (lopdf's own
//!   bound), and a PDF has at most [`MAX_PDF_PAGES`] pages;
//! - a spreadsheet (XLSX or CSV) has at most [`MAX_CELLS`] cells, counted
//!   while its cells stream by.
//!
//! Nothing here is a parser of PDF or ZIP of our own; the crates named do it.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use serde::Serialize;

pub use stdnav_core::citation::DocFormat;

/// Largest document read, in bytes (60 MiB); docs/API.md "Limits".
pub const MAX_INPUT_BYTES: usize = 60 * 1024 * 1024;
/// What the entries of a DOCX or XLSX may inflate to in all (256 MiB).
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
/// Entries of a DOCX or XLSX.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Cells of a spreadsheet (XLSX: every sheet; CSV).
pub const MAX_CELLS: u64 = 500_000;
/// Pages of a PDF.
pub const MAX_PDF_PAGES: usize = 10_000;

/// The bounds of one extraction (tests lower them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_input_bytes: usize,
    pub max_unzipped_bytes: u64,
    pub max_zip_entries: usize,
    pub max_cells: u64,
    pub max_pdf_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: MAX_INPUT_BYTES,
            max_unzipped_bytes: MAX_UNZIPPED_BYTES,
            max_zip_entries: MAX_ZIP_ENTRIES,
            max_cells: MAX_CELLS,
            max_pdf_pages: MAX_PDF_PAGES,
        }
    }
}

/// Where a piece of text was found. `page` (PDF), `line` (line of a text
/// file or of a PDF page; paragraph of a DOCX) and `cell` (`Sheet1!B3` in
/// an XLSX, `B3` in a CSV) are set as they apply; 0 and "" otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub document: String,
    pub page: u32,
    pub line: u32,
    pub cell: String,
}

impl Location {
    /// `spec.pdf p. 3 l. 12`, `list.xlsx Sheet1!B3`, `notes.txt l. 4`.
    pub fn describe(&self) -> String {
        let mut out = self.document.clone();
        if self.page > 0 {
            out.push_str(&format!(" p. {}", self.page));
        }
        if !self.cell.is_empty() {
            out.push(' ');
            out.push_str(&self.cell);
        } else if self.line > 0 {
            out.push_str(&format!(" l. {}", self.line));
        }
        out
    }
}

/// One piece of a document's text and where it is.
#[derive(Debug, Clone)]
pub struct Segment {
    pub location: Location,
    pub text: String,
}

/// A document's text, in pieces.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub format: DocFormat,
    /// The text encoding of a text or CSV file (`UTF-8`, `GB18030`, `UTF-16LE` …); "" for others.
    pub encoding: String,
    /// Pages of a PDF, 0 for others.
    pub pages: u32,
    pub segments: Vec<Segment>,
    /// What could not be read but did not stop the rest (a PDF page without
    /// a readable text layer …).
    pub warnings: Vec<String>,
}

/// Why a document cannot be read. Each is the caller's input, never ours:
/// the gRPC layer answers INVALID_ARGUMENT naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("is empty")]
    Empty,
    #[error("is {size} bytes; at most {max} bytes (60 MiB) are read")]
    TooLarge { size: usize, max: usize },
    #[error(
        "is an encrypted PDF; remove the password (or print it to a new PDF) and check it again"
    )]
    Encrypted,
    #[error("is not a readable PDF: {0}")]
    CorruptPdf(String),
    #[error(
        "inflates to more than {max} bytes when unzipped (a ZIP bomb?); at most {max} bytes are read"
    )]
    ZipBomb { max: u64 },
    #[error("has more than {max} entries in its ZIP container")]
    TooManyEntries { max: usize },
    #[error("is not a readable {format} file: {reason}")]
    CorruptOffice {
        format: &'static str,
        reason: String,
    },
    #[error("has more than {max} cells; at most {max} cells are read")]
    TooManyCells { max: u64 },
    #[error("has more than {max} pages; at most {max} pages are read")]
    TooManyPages { max: usize },
    #[error(
        "is a legacy Word or Excel file (.doc, .xls); save it as DOCX or XLSX and check it again"
    )]
    Legacy,
    #[error("is not text, PDF, DOCX, XLSX or CSV ({0})")]
    Binary(String),
}

/// Reads `bytes` as `format` (or as detected) within `limits`.
pub fn extract(
    name: &str,
    bytes: &[u8],
    format: Option<DocFormat>,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if bytes.len() > limits.max_input_bytes {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            max: limits.max_input_bytes,
        });
    }
    let format = match format {
        Some(f) => f,
        None => detect(bytes)?,
    };
    let doc = |page, line, cell: String| Location {
        document: name.to_string(),
        page,
        line,
        cell,
    };
    let cells = |cells: Vec<(String, String)>| -> Vec<Segment> {
        cells
            .into_iter()
            .map(|(cell, text)| Segment {
                location: doc(0, 0, cell),
                text,
            })
            .collect()
    };
    let (segments, encoding) = match format {
        DocFormat::Pdf => return pdf(bytes, limits, &doc),
        DocFormat::Text => {
            let (text, encoding) = decode_text(bytes)?;
            let segments = lines(&text)
                .map(|(n, line)| Segment {
                    location: doc(0, n, String::new()),
                    text: line.to_string(),
                })
                .collect();
            (segments, encoding)
        }
        DocFormat::Csv => {
            let (text, encoding) = decode_text(bytes)?;
            (cells(csv_cells(&text, limits)?), encoding)
        }
        DocFormat::Docx => {
            check_zip(bytes, limits, "DOCX")?;
            let segments = docx_paragraphs(bytes)?
                .into_iter()
                .enumerate()
                .filter(|(_, p)| !p.trim().is_empty())
                .map(|(i, text)| Segment {
                    location: doc(0, i as u32 + 1, String::new()),
                    text,
                })
                .collect();
            (segments, "")
        }
        DocFormat::Xlsx => {
            check_zip(bytes, limits, "XLSX")?;
            (cells(xlsx_cells(bytes, limits)?), "")
        }
    };
    Ok(Extracted {
        format,
        encoding: encoding.to_string(),
        pages: 0,
        segments,
        warnings: Vec::new(),
    })
}

/// The format by the first bytes: `%PDF`, a ZIP with `word/` (DOCX) or
/// `xl/` (XLSX) parts, an OLE container (legacy .doc/.xls), else text.
pub fn detect(bytes: &[u8]) -> Result<DocFormat, ExtractError> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(DocFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let archive =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ExtractError::CorruptOffice {
                format: "ZIP",
                reason: e.to_string(),
            })?;
        let names: Vec<String> = archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        if names.iter().any(|n| n == "word/document.xml") {
            return Ok(DocFormat::Docx);
        }
        if names.iter().any(|n| n == "xl/workbook.xml") {
            return Ok(DocFormat::Xlsx);
        }
        return Err(ExtractError::Binary(
            "a ZIP archive that is neither a DOCX nor an XLSX".into(),
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ExtractError::Legacy);
    }
    Ok(DocFormat::Text)
}

/// Lines numbered from 1, without their line ends.
fn lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

/// Text in UTF-8, UTF-16 with a byte-order mark, or GB18030 (which
/// includes GBK and GB2312), in that order; binary content is refused.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), ExtractError> {
    let (text, encoding) = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(ExtractError::Binary(format!(
                "not valid {} after its byte-order mark",
                enc.name()
            )));
        }
        (text, enc.name())
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (Cow::Borrowed(text), "UTF-8")
    } else {
        match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => (text, "GB18030"),
            None => {
                return Err(ExtractError::Binary(
                    "neither UTF-8 nor GBK/GB18030 text".into(),
                ));
            }
        }
    };
    // Text has no NULs and few control characters; binary data has many.
    let mut controls = 0usize;
    let mut total = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return Err(ExtractError::Binary("binary data (NUL bytes)".into()));
        }
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c') {
            controls += 1;
        }
    }
    if controls * 100 > total {
        return Err(ExtractError::Binary(
            "binary data (control characters)".into(),
        ));
    }
    Ok((text, encoding))
}

/// `B3` for row 2, column 1 (both from 0).
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn csv_cells(text: &str, limits: &Limits) -> Result<Vec<(String, String)>, ExtractError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut cells = 0u64;
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ExtractError::CorruptOffice {
            format: "CSV",
            reason: e.to_string(),
        })?;
        for (col, field) in record.iter().enumerate() {
            cells += 1;
            if cells > limits.max_cells {
                return Err(ExtractError::TooManyCells {
                    max: limits.max_cells,
                });
            }
            if !field.trim().is_empty() {
                out.push((cell_name(row as u32, col as u32), field.to_string()));
            }
        }
    }
    Ok(out)
}

/// Reads every entry of a ZIP container to its end, counting what it
/// really inflates to, before anything parses it.
fn check_zip(bytes: &[u8], limits: &Limits, format: &'static str) -> Result<(), ExtractError> {
    let corrupt = |e: &dyn std::fmt::Display| ExtractError::CorruptOffice {
        format,
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    if archive.len() > limits.max_zip_entries {
        return Err(ExtractError::TooManyEntries {
            max: limits.max_zip_entries,
        });
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| corrupt(&e))?;
        let budget = limits.max_unzipped_bytes - total;
        // The header's size may lie: count what comes out.
        let read = std::io::copy(&mut (&mut entry).take(budget + 1), &mut std::io::sink())
            .map_err(|e| corrupt(&e))?;
        total += read;
        if total > limits.max_unzipped_bytes {
            return Err(ExtractError::ZipBomb {
                max: limits.max_unzipped_bytes,
            });
        }
    }
    Ok(())
}

/// The paragraphs of a DOCX's body, foot- and endnotes, headers and
/// footers, in that order (table cells are paragraphs too).
fn docx_paragraphs(bytes: &[u8]) -> Result<Vec<String>, ExtractError> {
    use quick_xml::events::Event;
    let corrupt = |e: &dyn std::fmt::Display| ExtractError::CorruptOffice {
        format: "DOCX",
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let mut parts: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| {
            let n = n.strip_prefix("word/").unwrap_or("");
            !n.contains('/')
                && n.ends_with(".xml")
                && (n.starts_with("header") || n.starts_with("footer"))
        })
        .collect();
    parts.sort();
    let mut order = vec![
        "word/document.xml".to_string(),
        "word/footnotes.xml".to_string(),
        "word/endnotes.xml".to_string(),
    ];
    order.extend(parts);
    let mut paragraphs = Vec::new();
    for part in order {
        let entry = match archive.by_name(&part) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) if part != "word/document.xml" => continue,
            Err(e) => return Err(corrupt(&e)),
        };
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
        let mut buf = Vec::new();
        let mut current = String::new();
        let mut in_text = false;
        loop {
            match reader.read_event_into(&mut buf).map_err(|e| corrupt(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
                Event::End(e) => match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => paragraphs.push(std::mem::take(&mut current)),
                    _ => {}
                },
                Event::Empty(e) => match e.local_name().as_ref() {
                    "tab" | "br" | "cr" => current.push(' '),
                    "p" => paragraphs.push(String::new()),
                    _ => {}
                },
                Event::Text(t) if in_text => {
                    current.push_str(&t);
                }
                Event::GeneralRef(r) if in_text => {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| corrupt(&e))? {
                        current.push(c);
                    } else {
                        if let Some(s) = quick_xml::escape::resolve_xml_entity(&r) {
                            current.push_str(s);
                        }
                    }
                }
                Event::CData(t) if in_text => {
                    current.push_str(&t);
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
    }
    Ok(paragraphs)
}

/// The text cells of every sheet of an XLSX, `Sheet!B3` and text, streamed
/// cell by cell (a sheet's declared dimensions are never allocated).
fn xlsx_cells(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, String)>, ExtractError> {
    use calamine::{DataRef, Reader};
    let corrupt = |e: &dyn std::fmt::Display| ExtractError::CorruptOffice {
        format: "XLSX",
        reason: e.to_string(),
    };
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let mut out = Vec::new();
    let mut cells = 0u64;
    for sheet in book.sheet_names() {
        let mut reader = book
            .worksheet_cells_reader(&sheet)
            .map_err(|e| corrupt(&e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| corrupt(&e))? {
            cells += 1;
            if cells > limits.max_cells {
                return Err(ExtractError::TooManyCells {
                    max: limits.max_cells,
                });
            }
            let text = match cell.get_value() {
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => s.to_string(),
                _ => continue,
            };
            if text.trim().is_empty() {
                continue;
            }
            let (row, col) = cell.get_position();
            out.push((format!("{sheet}!{}", cell_name(row, col)), text));
        }
    }
    Ok(out)
}

type LocationFn<'a> = dyn Fn(u32, u32, String) -> Location + 'a;

fn pdf(bytes: &[u8], limits: &Limits, doc: &LocationFn<'_>) -> Result<Extracted, ExtractError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_unzipped_bytes as usize),
        ..Default::default()
    };
    // lopdf is lenient with damaged files; a panic in it is still the
    // file's fault, not the server's.
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(bytes, options)
    }))
    .map_err(|_| ExtractError::CorruptPdf("its structure cannot be read".into()))?;
    let document = match loaded {
        Ok(d) => d,
        Err(e) => {
            let message = e.to_string();
            if message.to_ascii_lowercase().contains("encrypt")
                || message.to_ascii_lowercase().contains("decrypt")
                || message.to_ascii_lowercase().contains("password")
            {
                return Err(ExtractError::Encrypted);
            }
            return Err(ExtractError::CorruptPdf(message));
        }
    };
    if document.is_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let pages = document.get_pages();
    if pages.len() > limits.max_pdf_pages {
        return Err(ExtractError::TooManyPages {
            max: limits.max_pdf_pages,
        });
    }
    if pages.is_empty() {
        return Err(ExtractError::CorruptPdf("it has no pages".into()));
    }
    let mut segments = Vec::new();
    let mut warnings = Vec::new();
    let mut empty_pages = 0;
    for &number in pages.keys() {
        let chunks = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            document.extract_text_chunks_with_limit(&[number], limits.max_unzipped_bytes as usize)
        }));
        // A chunk in a font that cannot be decoded is lost, not the page.
        let text = chunks.map(|chunks| {
            let mut text = String::new();
            let mut failed = None;
            for chunk in chunks {
                match chunk {
                    Ok(t) => text.push_str(&t),
                    Err(e) => failed = Some(e),
                }
            }
            match failed {
                Some(e) if text.is_empty() => Err(e),
                Some(e) => {
                    warnings.push(format!(
                        "page {number}: part of its text cannot be read ({e})"
                    ));
                    Ok(text)
                }
                None => Ok(text),
            }
        });
        match text {
            Ok(Ok(text)) => {
                let before = segments.len();
                segments.extend(lines(&text).map(|(n, line)| Segment {
                    location: doc(number, n, String::new()),
                    text: line.to_string(),
                }));
                if segments.len() == before {
                    empty_pages += 1;
                }
            }
            Ok(Err(e)) => warnings.push(format!("page {number}: its text cannot be read ({e})")),
            Err(_) => warnings.push(format!("page {number}: its text cannot be read")),
        }
    }
    if empty_pages > 0 {
        warnings.push(format!(
            "{empty_pages} of {} pages have no text layer (scanned images are not read)",
            pages.len()
        ));
    }
    Ok(Extracted {
        format: DocFormat::Pdf,
        encoding: String::new(),
        pages: pages.len() as u32,
        segments,
        warnings,
    })
}

/// A PDF with one page per entry of `pages` and one line of text (Helvetica,
/// so Latin text only; [`write_pdf_unicode`] for any language) per string —
/// for tests, benchmarks and fuzz seeds.
pub fn write_pdf(pages: &[Vec<String>]) -> Vec<u8> {
    build_pdf(pages, false)
}

/// A PDF like [`write_pdf`] whose text is in any language (Chinese …): the
/// text layer a PDF writer makes for CJK text — a Type0 font, encoding
/// Identity-H (each character's code is its UTF-16 code unit, so characters
/// of the Basic Multilingual Plane only) and a ToUnicode CMap mapping the
/// codes used back to Unicode. No font file is embedded (a viewer
/// substitutes one): it is for tests of text extraction.
pub fn write_pdf_unicode(pages: &[Vec<String>]) -> Vec<u8> {
    build_pdf(pages, true)
}

/// The ToUnicode CMap of the UTF-16 code units `codes` (sorted, distinct),
/// each mapped to itself.
fn identity_to_unicode(codes: &[u16]) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per section (PDF 32000-1, 9.10.3).
    for part in codes.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", part.len()));
        for code in part {
            cmap.push_str(&format!("<{code:04X}> <{code:04X}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

fn build_pdf(pages: &[Vec<String>], unicode: bool) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, StringFormat, dictionary};
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = if unicode {
        let mut codes: Vec<u16> = pages
            .iter()
            .flatten()
            .flat_map(|line| line.encode_utf16())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let to_unicode = doc.add_object(Stream::new(
            dictionary! {},
            identity_to_unicode(&codes).into_bytes(),
        ));
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "STSong-Light",
            "Flags" => 6,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()],
            "ItalicAngle" => 0,
            "Ascent" => 880,
            "Descent" => -120,
            "CapHeight" => 700,
            "StemV" => 80,
        });
        let descendant = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => "STSong-Light",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "DW" => 1000,
        });
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "STSong-Light",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![descendant.into()],
            "ToUnicode" => to_unicode,
        })
    } else {
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
        })
    };
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let text = |line: &str| {
        if unicode {
            let bytes = line.encode_utf16().flat_map(u16::to_be_bytes).collect();
            Object::String(bytes, StringFormat::Hexadecimal)
        } else {
            Object::string_literal(line)
        }
    };
    let mut kids: Vec<Object> = Vec::new();
    for lines in pages {
        let mut operations = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            operations.extend([
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 10.into()]),
                Operation::new("Td", vec![50.into(), (800 - 12 * i as i64).into()]),
                Operation::new("Tj", vec![text(line)]),
                Operation::new("ET", vec![]),
            ]);
        }
        let content = Content { operations };
        let content_id = doc.add_object(Stream::new(
            dictionary! {},
            content.encode().unwrap_or_default(),
        ));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    let _ = doc.save_to(&mut out);
    out
}

/// A DOCX whose body has one paragraph per string (any language) — for
/// tests, benchmarks and fuzz seeds.
pub fn write_docx(paragraphs: &[String]) -> Vec<u8> {
    use std::io::Write;
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            escape(p)
        ));
    }
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        let _ = zip.start_file(name, options);
        let _ = zip.write_all(content.as_bytes());
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_and_docx_text_with_places() {
        let pdf = write_pdf(&[
            vec!["Scope".into()],
            vec![
                "Normative references".into(),
                "GB/T 19001-2008 and ISO 9001:2015".into(),
            ],
        ]);
        let got = extract("spec.pdf", &pdf, None, &Limits::default()).unwrap();
        assert_eq!((got.format, got.pages), (DocFormat::Pdf, 2));
        let seg = got
            .segments
            .iter()
            .find(|s| s.text.contains("19001"))
            .unwrap();
        assert_eq!((seg.location.page, seg.location.line), (2, 2));
        let docx = write_docx(&[
            "引用标准".into(),
            "".into(),
            "GB 4706.1—2005 & GB 4706.32".into(),
        ]);
        let got = extract("spec.docx", &docx, None, &Limits::default()).unwrap();
        assert_eq!(got.format, DocFormat::Docx);
        let seg = got.segments.last().unwrap();
        assert_eq!(seg.text, "GB 4706.1—2005 & GB 4706.32");
        assert_eq!(seg.location.line, 3);
        // A ZIP bomb is refused before any XML is read.
        let tight = Limits {
            max_unzipped_bytes: 1000,
            ..Limits::default()
        };
        let big = write_docx(&["x".repeat(5000)]);
        assert_eq!(
            extract("bomb.docx", &big, None, &tight).unwrap_err(),
            ExtractError::ZipBomb { max: 1000 }
        );
    }

    #[test]
    fn a_chinese_pdf_text_layer() {
        let pdf = write_pdf_unicode(&[
            vec!["房间空气调节器技术规范".into()],
            vec![
                "2 规范性引用文件".into(),
                "质量管理体系应符合GB/T 19001—2008《质量管理体系 要求》。".into(),
            ],
        ]);
        let got = extract("规范.pdf", &pdf, None, &Limits::default()).unwrap();
        assert_eq!((got.format, got.pages), (DocFormat::Pdf, 2));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let seg = got
            .segments
            .iter()
            .find(|s| s.text.contains("19001"))
            .unwrap();
        assert_eq!(
            seg.text,
            "质量管理体系应符合GB/T 19001—2008《质量管理体系 要求》。"
        );
        assert_eq!((seg.location.page, seg.location.line), (2, 2));
        assert_eq!(got.segments[0].text, "房间空气调节器技术规范");
    }

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(2, 1), "B3");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 16383), "XFD1");
    }

    #[test]
    fn text_encodings() {
        let (gbk, _, _) = encoding_rs::GBK.encode("执行GB/T 19001—2016标准");
        let (text, encoding) = decode_text(&gbk).unwrap();
        assert_eq!(encoding, "GB18030");
        assert!(text.contains("GB/T 19001—2016"));
        let (text, encoding) = decode_text("ISO 9001".as_bytes()).unwrap();
        assert_eq!((text.as_ref(), encoding), ("ISO 9001", "UTF-8"));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "GB 4706.1".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(decode_text(&utf16).unwrap().1, "UTF-16LE");
        assert!(matches!(
            decode_text(&[0, 1, 2, 3, 0xFF, 0xFE, 0x80]),
            Err(ExtractError::Binary(_))
        ));
    }

    #[test]
    fn bad_inputs_are_named() {
        let limits = Limits::default();
        assert_eq!(
            extract("a", b"", None, &limits).unwrap_err(),
            ExtractError::Empty
        );
        let small = Limits {
            max_input_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            extract("a", &[b'a'; 11], None, &small),
            Err(ExtractError::TooLarge { size: 11, max: 10 })
        ));
        assert!(matches!(
            extract("a", b"%PDF-1.7\n garbage", None, &limits),
            Err(ExtractError::CorruptPdf(_))
        ));
        assert!(matches!(
            extract("a", b"PK\x03\x04 garbage", None, &limits),
            Err(ExtractError::CorruptOffice { .. })
        ));
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(
            extract("a", &ole, None, &limits).unwrap_err(),
            ExtractError::Legacy
        );
        let csv = "a,b,c\nd,e,f\n";
        let tight = Limits {
            max_cells: 5,
            ..Limits::default()
        };
        assert!(matches!(
            extract("a.csv", csv.as_bytes(), Some(DocFormat::Csv), &tight),
            Err(ExtractError::TooManyCells { max: 5 })
        ));
        let cells = extract("a.csv", csv.as_bytes(), Some(DocFormat::Csv), &limits).unwrap();
        assert_eq!(cells.segments[4].location.cell, "B2");
    }
}
