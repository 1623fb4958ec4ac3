//! Catalogue sources and the in-memory catalogue graph.
//!
//! Sources are parsed into [`Standard`] records (one per edition) with
//! per-line rejections; [`Catalogue::build`] then groups amendments and
//! variants under their editions, makes relations symmetric, infers
//! supersession where a source only gives editions and dates, and lets
//! national standards inherit the ICS codes of what they adopt.

pub mod national;
pub mod relaton;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::code::StdCode;
use crate::standard::{Adoption, AdoptionDegree, Provenance, Standard, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The project's own JSON Lines (docs/DATA.md).
    StdnavJsonl,
    /// Relaton-derived JSON Lines (ISO, IEC, ETSI).
    RelatonJsonl,
    /// Chinese catalogue CSV, told apart by its header: the GB sample
    /// (code,title_zh,title_en,status,replaces,replaced_by,adopts,degree), the
    /// national list, the national platform's export, titled lists of every
    /// level ([`national::Shape`]).
    GbCsv,
}

impl Format {
    /// Guesses the format from a file name.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        if name.ends_with(".csv") || name.ends_with(".csv.gz") {
            Some(Format::GbCsv)
        } else if name.contains("publications") && name.contains(".jsonl") {
            Some(Format::RelatonJsonl)
        } else if name.ends_with(".jsonl") || name.ends_with(".jsonl.gz") {
            Some(Format::StdnavJsonl)
        } else {
            None
        }
    }
}

/// A line that could not be read, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number in the (decompressed) source.
    pub line: u64,
    pub reason: String,
}

/// What one source yielded.
#[derive(Debug, Default)]
pub struct Parsed {
    pub standards: Vec<Standard>,
    pub attachments: Vec<relaton::Attachment>,
    pub rejections: Vec<Rejection>,
    /// Lines deliberately skipped (drafts, listings without an edition).
    pub skipped: u64,
    /// Rows naming an adopted international standard, and how many of those
    /// name nothing the code normalizer reads.
    pub adoptions: AdoptionRows,
}

/// Rows of a source that name an adopted standard.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AdoptionRows {
    pub rows: u64,
    pub unparsed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {0}: name it *.jsonl (stdnav), *publications*.jsonl.gz (relaton) or *.csv (GB)"
    )]
    UnknownFormat(String),
    #[error("content is not valid UTF-8 after decompression")]
    Encoding,
}

/// Decompresses gzip content (by its magic bytes) and checks it is UTF-8.
pub fn decode(content: &[u8]) -> Result<String, SourceError> {
    let bytes = if content.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(content)
            .read_to_end(&mut out)
            .map_err(|_| SourceError::Encoding)?;
        out
    } else {
        content.to_vec()
    };
    String::from_utf8(bytes).map_err(|_| SourceError::Encoding)
}

/// Reads and parses one source file.
pub fn read_file(path: &Path, format: Option<Format>) -> Result<Parsed, SourceError> {
    let format = format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| SourceError::UnknownFormat(path.display().to_string()))?;
    let content = std::fs::read(path).map_err(|source| SourceError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(parse(&decode(&content)?, format, &source))
}

/// Parses decoded text of one source.
pub fn parse(text: &str, format: Format, source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    match format {
        Format::RelatonJsonl => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match relaton::parse_line(line, source) {
                    Ok(Some(relaton::Item::Edition(s))) => parsed.standards.push(s),
                    Ok(Some(relaton::Item::Attachment(a))) => parsed.attachments.push(a),
                    Ok(None) => parsed.skipped += 1,
                    Err(reason) => parsed.rejections.push(Rejection {
                        line: i as u64 + 1,
                        reason,
                    }),
                }
            }
        }
        Format::StdnavJsonl => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match parse_stdnav_line(line, source) {
                    Ok(s) => parsed.standards.push(s),
                    Err(reason) => parsed.rejections.push(Rejection {
                        line: i as u64 + 1,
                        reason,
                    }),
                }
            }
        }
        Format::GbCsv => parse_gb_csv(text, source, &mut parsed),
    }
    parsed
}

/// Canonical form of a code that must carry a year.
fn canonical_edition(code: &str) -> Result<String, String> {
    let parsed = StdCode::parse(code).map_err(|e| format!("code {code:?}: {e}"))?;
    Ok(parsed.edition_id())
}

fn canonical_list(codes: &[String]) -> Result<Vec<String>, String> {
    codes.iter().map(|c| canonical_edition(c)).collect()
}

/// Fills what a code implies (family, level, and for Chinese codes the
/// nature) and canonicalizes every code in the record.
pub fn normalize_record(mut s: Standard) -> Result<Standard, String> {
    if s.id.starts_with("ETSI ") {
        return Ok(s);
    }
    let code = StdCode::parse(&s.id).map_err(|e| format!("id {:?}: {e}", s.id))?;
    if code.year.is_none() {
        return Err(format!(
            "id {:?} has no year: a record is one edition",
            s.id
        ));
    }
    s.id = code.edition_id();
    if s.family.is_empty() {
        s.family = code.family().to_string();
    }
    if s.level == crate::standard::Level::Unknown {
        s.level = code.level();
    }
    if is_chinese_family(&s.family) {
        // In China the code itself says whether a standard is mandatory.
        s.nature = code.nature();
    }
    s.replaces = canonical_list(&s.replaces)?;
    s.replaced_by = canonical_list(&s.replaced_by)?;
    s.normative_refs = canonical_list(&s.normative_refs)?;
    s.partly_replaced_by = canonical_list(&s.partly_replaced_by)?;
    for a in &mut s.adopts {
        // An adoption may name a line without its year (`ISO 2647`).
        let code = StdCode::parse(&a.id).map_err(|e| format!("adopts {:?}: {e}", a.id))?;
        a.id = if code.year.is_some() {
            code.edition_id()
        } else {
            code.base()
        };
    }
    Ok(s)
}

/// GB, GB/T, GB/Z, industry (JB/T …), local (DB37/T …), group (T/…), enterprise (Q/…).
pub fn is_chinese_family(family: &str) -> bool {
    family.starts_with("GB")
        || family.starts_with("DB")
        || family.starts_with("T/")
        || family.starts_with("Q/")
        || (family.len() <= 4
            && family
                .trim_end_matches("/T")
                .trim_end_matches("/Z")
                .chars()
                .all(|c| c.is_ascii_uppercase())
            && family.trim_end_matches("/T").trim_end_matches("/Z").len() == 2)
}

fn parse_stdnav_line(line: &str, source: &str) -> Result<Standard, String> {
    let mut s: Standard = serde_json::from_str(line).map_err(|e| format!("invalid record: {e}"))?;
    if s.source.is_empty() {
        s.source = source.to_string();
    }
    for ind in &s.indicators {
        if !ind.value.is_finite() || ind.max.is_some_and(|m| !m.is_finite()) {
            return Err(format!("indicator {:?}: value must be finite", ind.name));
        }
    }
    normalize_record(s)
}

fn parse_gb_csv(text: &str, source: &str, parsed: &mut Parsed) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            parsed.rejections.push(Rejection {
                line: 1,
                reason: format!("unreadable header: {e}"),
            });
            return;
        }
    };
    if let Some(shape) = national::Shape::of(&headers) {
        national::parse_csv(shape, &mut reader, &headers, source, parsed);
        return;
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(code_col) = col("code") else {
        parsed.rejections.push(Rejection {
            line: 1,
            reason: "header has no `code` column".into(),
        });
        return;
    };
    let get = |rec: &csv::StringRecord, name: &str| -> String {
        col(name)
            .and_then(|i| rec.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let split = |s: String| -> Vec<String> {
        s.split(';')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                parsed.rejections.push(Rejection {
                    line,
                    reason: format!("malformed CSV row: {e}"),
                });
                continue;
            }
        };
        let status = match get(&rec, "status").as_str() {
            "" | "current" => Status::Current,
            "replaced" => Status::Replaced,
            "withdrawn" | "abolished" => Status::Withdrawn,
            "upcoming" => Status::Upcoming,
            other => {
                parsed.rejections.push(Rejection {
                    line,
                    reason: format!("unknown status {other:?}"),
                });
                continue;
            }
        };
        let degree = AdoptionDegree::parse(&get(&rec, "degree"));
        let adopts = split(get(&rec, "adopts"))
            .into_iter()
            .map(|id| Adoption { id, degree })
            .collect();
        let standard = Standard {
            id: rec.get(code_col).unwrap_or("").trim().to_string(),
            title_zh: get(&rec, "title_zh"),
            title_en: get(&rec, "title_en").replace(" — ", " - "),
            status,
            replaces: split(get(&rec, "replaces")),
            replaced_by: split(get(&rec, "replaced_by")),
            adopts,
            source: source.to_string(),
            ..Default::default()
        };
        match normalize_record(standard) {
            Ok(s) => parsed.standards.push(s),
            Err(reason) => parsed.rejections.push(Rejection { line, reason }),
        }
    }
}

/// Whether an edition a source lists as upcoming is in force on `today`
/// (`YYYY-MM-DD`): its effective date has come. A source's status is the one
/// of the day it was exported; a list exported in November says 即将实施 of
/// a standard in force since January. A partial effective date counts from
/// the end of its month or year, so nothing is called in force early.
pub fn in_force_by(s: &Standard, today: &str) -> bool {
    if s.status != Status::Upcoming {
        return false;
    }
    let Some(effective) = s.effective.as_deref().map(str::trim) else {
        return false;
    };
    let last_day = match effective.len() {
        10 => effective.to_string(),
        7 => format!("{effective}-31"),
        4 => format!("{effective}-12-31"),
        _ => return false,
    };
    last_day.as_str() <= today
}

/// Marks current the upcoming editions [`in_force_by`] `today`, refreshing
/// their checksums (so a replica sees the change); returns how many.
pub fn bring_into_force(records: &mut [Standard], today: &str) -> usize {
    let mut changed = 0;
    for s in records.iter_mut().filter(|s| in_force_by(s, today)) {
        s.status = Status::Current;
        s.checksum = checksum(s);
        changed += 1;
    }
    changed
}

/// SHA-256 of a record's content (source and checksum excluded), so a
/// re-ingested unchanged record is recognised whatever file it came from.
pub fn checksum(s: &Standard) -> String {
    let mut copy = s.clone();
    copy.source.clear();
    copy.checksum.clear();
    let json = serde_json::to_vec(&copy).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// Attaches amendments and variants to their editions. An attachment whose
/// edition is not listed on its own promotes itself to that edition.
pub fn group_attachments(standards: &mut Vec<Standard>, attachments: Vec<relaton::Attachment>) {
    let mut by_id: HashMap<String, usize> = standards
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    // Editions of each line by edition number, for fragments without a year.
    let mut editions: HashMap<String, Vec<(usize, Option<u16>)>> = HashMap::new();
    for (i, s) in standards.iter().enumerate() {
        if let Ok(code) = StdCode::parse(&s.id) {
            editions
                .entry(code.base())
                .or_default()
                .push((i, code.year));
        }
    }
    for mut a in attachments {
        let target = match a.year {
            Some(year) => {
                let id = a.standard.id.clone();
                match by_id.get(&id) {
                    Some(&i) => Some(i),
                    None => {
                        // Only a consolidated version or redline is listed:
                        // the edition exists, so record it once.
                        a.standard.status = Status::Replaced;
                        let _ = year;
                        None
                    }
                }
            }
            None => a.edition.and_then(|n| {
                // Fragments name the edition number only: the n-th edition by year.
                let list = editions.get(&a.base)?;
                let mut years: Vec<_> = list
                    .iter()
                    .filter_map(|(i, y)| y.map(|y| (y, *i)))
                    .collect();
                years.sort();
                years.get((n as usize).checked_sub(1)?).map(|(_, i)| *i)
            }),
        };
        match target {
            Some(i) => {
                let list = match a.kind {
                    relaton::AttachmentKind::Amendment => &mut standards[i].amendments,
                    relaton::AttachmentKind::Variant => &mut standards[i].variants,
                };
                if !list.contains(&a.label) {
                    list.push(a.label);
                }
            }
            None if a.year.is_some() && a.kind == relaton::AttachmentKind::Variant => {
                let mut s = a.standard;
                s.variants.push(a.label);
                by_id.insert(s.id.clone(), standards.len());
                if let Ok(code) = StdCode::parse(&s.id) {
                    editions
                        .entry(code.base())
                        .or_default()
                        .push((standards.len(), code.year));
                }
                standards.push(s);
            }
            None => {}
        }
    }
}

/// Derived, read-only view over all records: lookups by code and the
/// relation graph both ways.
#[derive(Debug, Default)]
pub struct Catalogue {
    records: Vec<Standard>,
    by_id: HashMap<String, usize>,
    /// Editions of each line (code without year), oldest first.
    by_base: HashMap<String, Vec<usize>>,
    /// `lines[i]`: the line of record i, parsed once (retrieval and every
    /// answer match by line).
    lines: Vec<Arc<str>>,
    /// `adopted_by[i]`: records that adopt record i.
    adopted_by: HashMap<usize, Vec<String>>,
    /// `referenced_by[i]`: records that reference record i normatively.
    referenced_by: HashMap<usize, Vec<String>>,
    adoption_links: AdoptionLinks,
}

/// The year from which the newest edition of a number, with no status
/// from its source, is taken to be in force (docs/DATA.md measures the rule).
pub const INFERRED_IN_FORCE_FROM: u16 = 2000;

/// How the catalogue's adoption links resolved (each adopted code of each record).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AdoptionLinks {
    /// The adopted edition is in the catalogue.
    pub resolved: u64,
    /// The catalogue has the line but not the edition named.
    pub edition_missing: u64,
    /// The catalogue has nothing of that number (another body's standard, a withdrawn line …).
    pub not_in_catalogue: u64,
}

/// The edition of `id`'s line closest to it: the newest no later than its
/// year, else the oldest; for an undated id, the newest.
fn nearest_edition(
    records: &[Standard],
    by_base: &HashMap<String, Vec<usize>>,
    id: &str,
) -> Option<usize> {
    let list = by_base.get(&base_of(id))?;
    let year = StdCode::parse(id).ok().and_then(|c| c.year);
    match year {
        None => list.last().copied(),
        Some(y) => list
            .iter()
            .rev()
            .find(|&&i| year_of(&records[i]) <= y)
            .or(list.first())
            .copied(),
    }
}

/// The prefixes of a national number's three natures (`GB/T` before `GB`
/// so that stripping finds the longest).
const NATIONAL_NATURES: [&str; 3] = ["GB/T ", "GB/Z ", "GB "];

/// The number of a national standard's line without its nature:
/// `GB/T 18655` → `18655`. GB, GB/T and GB/Z share one numbering.
fn national_number(base: &str) -> Option<&str> {
    NATIONAL_NATURES.iter().find_map(|p| base.strip_prefix(p))
}

/// Supersession inferred across the natures of one national number: the
/// 2017–2020 review turned most mandatory standards it kept into
/// recommended ones under the same number (GB 18655-2002 → GB/T
/// 18655-2010), and some went the other way. The newest edition of one
/// nature, with no status or successor from a source, is superseded by
/// the first later edition of another nature.
fn across_national_prefixes(
    records: &[Standard],
    by_base: &HashMap<String, Vec<usize>>,
) -> Vec<(usize, usize)> {
    let mut by_number: HashMap<&str, Vec<&Vec<usize>>> = HashMap::new();
    for (base, list) in by_base {
        if let Some(number) = national_number(base) {
            by_number.entry(number).or_default().push(list);
        }
    }
    let mut links = Vec::new();
    for lines in by_number.values().filter(|l| l.len() > 1) {
        for line in lines {
            let Some(&newest) = line.last() else { continue };
            let old = &records[newest];
            if old.status_source != Provenance::Inferred || !old.replaced_by.is_empty() {
                continue;
            }
            let year = year_of(old);
            let successor = lines
                .iter()
                .filter(|other| !std::ptr::eq(**other, *line))
                .flat_map(|other| other.iter().copied())
                .filter(|&i| year_of(&records[i]) > year && records[i].status != Status::Draft)
                .min_by_key(|&i| year_of(&records[i]));
            if let Some(newer) = successor {
                links.push((newer, newest));
            }
        }
    }
    links
}

fn year_of(s: &Standard) -> u16 {
    StdCode::parse(&s.id).ok().and_then(|c| c.year).unwrap_or(0)
}

impl Catalogue {
    /// Builds the graph. Duplicate ids keep the first record (sources are
    /// given in priority order: one source for each datum).
    pub fn build(records: Vec<Standard>) -> Catalogue {
        let mut seen = HashSet::new();
        let mut records: Vec<Standard> = records
            .into_iter()
            .filter(|s| seen.insert(s.id.clone()))
            .collect();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut by_base: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in records.iter().enumerate() {
            by_id.insert(s.id.clone(), i);
            by_base.entry(base_of(&s.id)).or_default().push(i);
        }
        for list in by_base.values_mut() {
            list.sort_by_key(|&i| (year_of(&records[i]), etsi_key(&records[i].id)));
        }

        // Supersession both ways: given relations, then inferred from
        // editions of the same line (IEC and ETSI give no explicit relation).
        let mut links: Vec<(usize, usize)> = Vec::new(); // (newer, older)
        for (i, s) in records.iter().enumerate() {
            for r in &s.replaces {
                if let Some(&j) = by_id.get(r) {
                    links.push((i, j));
                }
            }
            for r in &s.replaced_by {
                if let Some(&j) = by_id.get(r) {
                    links.push((j, i));
                }
            }
        }
        for list in by_base.values() {
            for pair in list.windows(2) {
                let (older, newer) = (pair[0], pair[1]);
                // A status the source did not give (the national list has
                // none) is inferred: each older edition is superseded by the
                // next. A status the source gave is never overridden.
                let inferred = records[older].status_source == Provenance::Inferred;
                if (records[older].status != Status::Current || inferred)
                    && records[older].replaced_by.is_empty()
                    && records[newer].status != Status::Draft
                    && year_of(&records[newer]) >= year_of(&records[older])
                {
                    links.push((newer, older));
                }
            }
        }
        links.extend(across_national_prefixes(&records, &by_base));
        for (newer, older) in links {
            let (newer_id, older_id) = (records[newer].id.clone(), records[older].id.clone());
            if !records[newer].replaces.contains(&older_id) {
                records[newer].replaces.push(older_id);
            }
            if !records[older].replaced_by.contains(&newer_id) {
                records[older].replaced_by.push(newer_id);
            }
            if records[older].status == Status::Current
                && year_of(&records[newer]) > year_of(&records[older])
                && (records[newer].status == Status::Current
                    || records[older].status_source == Provenance::Inferred)
            {
                records[older].status = Status::Replaced;
            }
        }
        // The newest edition of a number whose status is inferred: current,
        // unless it is older than INFERRED_IN_FORCE_FROM — most such
        // editions were abolished in the 2017–2020 review of national
        // standards (docs/DATA.md measures the rule) — and
        // no regulation in the project's table names its line: regulations
        // name standards in force (GB/T 17219-1998 is old and in force).
        let named = crate::regulation::NamedByRegulation::get();
        for (base, list) in &by_base {
            if let Some(&newest) = list.last()
                && records[newest].status_source == Provenance::Inferred
                && records[newest].status == Status::Current
                && year_of(&records[newest]) < INFERRED_IN_FORCE_FROM
                && !named.names_line(base)
            {
                records[newest].status = Status::Withdrawn;
            }
        }
        // ETSI lists each version as published: the latest version is current.
        for (base, list) in &by_base {
            if base.starts_with("ETSI ") && list.len() > 1 {
                for &i in &list[..list.len() - 1] {
                    if records[i].status == Status::Current {
                        records[i].status = Status::Replaced;
                    }
                }
            }
        }

        // National standards without ICS codes or an English title of their
        // own take those of what they adopt, marked as derived. An adoption
        // naming an edition the catalogue lacks links to the nearest edition
        // of that line for these (ICS and wording rarely change between
        // editions) but is counted apart.
        let mut adopted_by: HashMap<usize, Vec<String>> = HashMap::new();
        let mut adoption_links = AdoptionLinks::default();
        for i in 0..records.len() {
            let adopts: Vec<String> = records[i].adopts.iter().map(|a| a.id.clone()).collect();
            for a in adopts {
                let target = match by_id.get(&a) {
                    Some(&j) => {
                        adoption_links.resolved += 1;
                        Some(j)
                    }
                    None => {
                        let nearest = nearest_edition(&records, &by_base, &a);
                        if nearest.is_some() {
                            adoption_links.edition_missing += 1;
                        } else {
                            adoption_links.not_in_catalogue += 1;
                        }
                        nearest
                    }
                };
                let Some(j) = target else { continue };
                if i == j {
                    continue;
                }
                if by_id.contains_key(&a) {
                    adopted_by.entry(j).or_default().push(records[i].id.clone());
                }
                if records[i].ics.is_empty() && !records[j].ics.is_empty() {
                    records[i].ics = records[j].ics.clone();
                    records[i].ics_source = Provenance::Adopted;
                }
                if records[i].title_en.is_empty() && !records[j].title_en.is_empty() {
                    records[i].title_en = records[j].title_en.clone();
                    records[i].title_source = Provenance::Adopted;
                }
            }
        }
        let mut referenced_by: HashMap<usize, Vec<String>> = HashMap::new();
        for record in &records {
            for r in &record.normative_refs {
                if let Some(j) = by_id.get(r).copied().or_else(|| {
                    // A dated reference to an edition we do not hold still counts for the line.
                    by_base.get(&base_of(r)).and_then(|l| l.last().copied())
                }) {
                    referenced_by.entry(j).or_default().push(record.id.clone());
                }
            }
        }
        let mut lines: Vec<Arc<str>> = vec![Arc::from(""); records.len()];
        for (base, list) in &by_base {
            let line: Arc<str> = Arc::from(base.as_str());
            for &i in list {
                lines[i] = line.clone();
            }
        }
        Catalogue {
            records,
            by_id,
            by_base,
            lines,
            adopted_by,
            referenced_by,
            adoption_links,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// How the adoption links of all records resolved.
    pub fn adoption_links(&self) -> AdoptionLinks {
        self.adoption_links
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn records(&self) -> &[Standard] {
        &self.records
    }

    /// The line (code without year) of the record at `index` in
    /// [`Catalogue::records`]: [`base_of`] its id, computed at build.
    pub fn line_at(&self, index: usize) -> &str {
        self.lines.get(index).map_or("", |l| l)
    }

    /// The line of a code: its record's when the catalogue holds that id,
    /// else parsed.
    pub fn line_of(&self, id: &str) -> std::borrow::Cow<'_, str> {
        match self.by_id.get(id) {
            Some(&i) => std::borrow::Cow::Borrowed(self.line_at(i)),
            None => std::borrow::Cow::Owned(base_of(id)),
        }
    }

    /// Position of a record in [`Catalogue::records`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.by_id.get(id).map(|&i| &self.records[i])
    }

    /// Finds a record from a code in any spelling; a code without a year
    /// resolves to the current edition (else the latest).
    pub fn resolve(&self, input: &str) -> Option<&Standard> {
        if let Some(s) = self.get(input) {
            return Some(s);
        }
        let trimmed = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if trimmed.starts_with("ETSI ") || trimmed.starts_with("etsi ") {
            let upper = trimmed.to_uppercase();
            if let Some(s) = self.get(&upper) {
                return Some(s);
            }
            return self.latest_of(&upper);
        }
        let code = StdCode::parse(input).ok()?;
        if code.year.is_some()
            && let Some(s) = self.get(&code.edition_id())
        {
            return Some(s);
        }
        if code.year.is_none() {
            return self.latest_of(&code.base());
        }
        // GB, GB/T and GB/Z share one numbering: `GB 5296.4-2012` cited for
        // GB/T 5296.4-2012 names that edition under the wrong nature.
        let base = code.base();
        let number = national_number(&base)?;
        let year = code.year?;
        NATIONAL_NATURES
            .iter()
            .find_map(|p| self.get(&format!("{p}{number}-{year}")))
    }

    /// The current edition of a line, else its latest edition.
    pub fn latest_of(&self, base: &str) -> Option<&Standard> {
        let list = self.by_base.get(base)?;
        list.iter()
            .rev()
            .map(|&i| &self.records[i])
            .find(|s| s.status == Status::Current)
            .or_else(|| list.last().map(|&i| &self.records[i]))
    }

    /// The edition of a line one can adopt now: its current (or coming)
    /// edition, else where its latest edition's successors lead — another
    /// number, or the same number under another nature (GB 5296.4 →
    /// GB/T 5296.4-2012). None when the line has no edition in force.
    pub fn in_force_of_line(&self, base: &str) -> Option<&Standard> {
        let latest = self.latest_of(base)?;
        if matches!(latest.status, Status::Current | Status::Upcoming) {
            return Some(latest);
        }
        let path = self.path_to_current(&latest.id);
        self.get(path.last()?)
            .filter(|s| s.status == Status::Current)
    }

    /// Editions of the line of `id`, oldest first.
    pub fn editions(&self, id: &str) -> Vec<&Standard> {
        self.by_base
            .get(&base_of(id))
            .map(|l| l.iter().map(|&i| &self.records[i]).collect())
            .unwrap_or_default()
    }

    /// The path of editions from `id` to the edition in force now, following
    /// `replaced_by` (newest replacement first), `id` included. Ends at a
    /// current record, or at the last known one.
    pub fn path_to_current(&self, id: &str) -> Vec<String> {
        let mut path = vec![id.to_string()];
        let mut seen: HashSet<String> = path.iter().cloned().collect();
        let mut at = id.to_string();
        while let Some(s) = self.get(&at) {
            if s.status == Status::Current {
                break;
            }
            // Prefer a successor in the same line; a standard can be replaced by another number.
            let same_line = self.line_of(&at);
            let next = s
                .replaced_by
                .iter()
                .filter(|r| !seen.contains(*r))
                .max_by_key(|r| {
                    (
                        self.line_of(r) == same_line,
                        self.get(r).map(year_of).unwrap_or(0),
                    )
                });
            match next {
                Some(n) => {
                    seen.insert(n.clone());
                    path.push(n.clone());
                    at = n.clone();
                }
                None => break,
            }
        }
        path
    }

    pub fn adopted_by(&self, id: &str) -> &[String] {
        self.by_id.get(id).map_or(&[], |&i| self.adopted_by_at(i))
    }

    pub fn referenced_by(&self, id: &str) -> &[String] {
        self.by_id
            .get(id)
            .map_or(&[], |&i| self.referenced_by_at(i))
    }

    /// [`Self::adopted_by`] of the record at `index` in [`Self::records`]
    /// (without hashing its id: search makes a view of every hit).
    pub fn adopted_by_at(&self, index: usize) -> &[String] {
        self.adopted_by.get(&index).map_or(&[], Vec::as_slice)
    }

    /// [`Self::referenced_by`] of the record at `index` in [`Self::records`].
    pub fn referenced_by_at(&self, index: usize) -> &[String] {
        self.referenced_by.get(&index).map_or(&[], Vec::as_slice)
    }

    /// How many records adopt or normatively reference this one.
    pub fn in_degree(&self, id: &str) -> u32 {
        (self.adopted_by(id).len() + self.referenced_by(id).len()) as u32
    }

    /// Counts of records by source, for reports.
    pub fn sources(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for s in &self.records {
            *m.entry(s.source.clone()).or_insert(0) += 1;
        }
        m
    }
}

/// The line of an edition: its code without year (`ETSI EN 300 328` for ETSI).
pub fn base_of(id: &str) -> String {
    if id.starts_with("ETSI ") {
        return relaton::etsi_version(id)
            .map(|(b, _)| b)
            .unwrap_or_else(|| id.to_string());
    }
    StdCode::parse(id)
        .map(|c| c.base())
        .unwrap_or_else(|_| id.to_string())
}

fn etsi_key(id: &str) -> Vec<u32> {
    relaton::etsi_version(id)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upcoming(id: &str, effective: Option<&str>) -> Standard {
        Standard {
            id: id.into(),
            status: Status::Upcoming,
            effective: effective.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn an_upcoming_edition_is_in_force_once_its_effective_date_has_come() {
        let today = "2026-12-06";
        for (effective, in_force) in [
            (Some("2025-07-01"), true),
            (Some("2026-12-06"), true),
            (Some("2026-12-07"), false),
            // A partial date counts from the end of its period.
            (Some("2026-11"), true),
            (Some("2026-12"), false),
            (Some("2026"), false),
            (Some("2025"), true),
            // Without a date, or with one that is not a date, the source's word stands.
            (None, false),
            (Some("soon"), false),
        ] {
            let s = upcoming("GB/T 1-2025", effective);
            assert_eq!(in_force_by(&s, today), in_force, "{effective:?}");
        }
        let mut current = upcoming("GB/T 10-2020", Some("2020-01-01"));
        current.status = Status::Current;
        assert!(!in_force_by(&current, today));
    }

    #[test]
    fn bringing_into_force_changes_status_and_checksum_only_where_due() {
        let mut records = vec![
            upcoming("GB/T 1-2025", Some("2025-07-01")),
            upcoming("GB/T 3-2026", Some("2027-03-01")),
        ];
        for r in &mut records {
            r.checksum = checksum(r);
        }
        let before = records.clone();
        assert_eq!(bring_into_force(&mut records, "2026-12-06"), 1);
        assert_eq!(records[0].status, Status::Current);
        assert_ne!(records[0].checksum, before[0].checksum);
        assert_eq!(records[0].checksum, checksum(&records[0]));
        assert_eq!(records[1], before[1]);
        assert_eq!(bring_into_force(&mut records, "2026-12-06"), 0);
    }
}
