//! The catalogue on disk: records, index and manifest under one directory.
//!
//! ```text
//! <dir>/manifest.json   schema version, fingerprint of the base sources, current index dir
//! <dir>/records.jsonl   every record (normalized, with checksum)
//! <dir>/ingested/       files added through Ingest, re-applied after a rebuild
//! <dir>/index-<n>/      the Tantivy index of those records
//! ```
//!
//! Every change writes new files beside the old ones and switches the
//! manifest last (write to a temporary file, then rename), so a crash
//! leaves either the old or the new catalogue, never half of one.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use stdnav_core::catalogue::{self, Catalogue, Format, Parsed, Rejection};
use stdnav_core::source::{CatalogueSource, CatalogueView};
use stdnav_core::standard::{Provenance, Standard, Status};

use crate::error::StandardsError;
use crate::index::{self, SCHEMA_VERSION};
use crate::progress::Progress;
use crate::snapshot::Snapshot;

/// Where records come from when a catalogue is built.
#[derive(Debug, Clone)]
pub enum Source {
    File {
        path: PathBuf,
        format: Option<Format>,
    },
    Bundled {
        name: String,
        content: &'static str,
        format: Format,
    },
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::File { path, .. } => path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            Source::Bundled { name, .. } => name.clone(),
        }
    }

    /// Identity of the source's content without reading it all: path,
    /// size and modification time for files, a hash for bundled text.
    fn fingerprint(&self) -> String {
        match self {
            Source::File { path, .. } => {
                let meta = std::fs::metadata(path).ok();
                let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
                let mtime = meta
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                // The file's name, not its path: the same data reached by
                // another path (../shared/data vs an absolute one) is the same source.
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                format!("{name}:{size}:{mtime}")
            }
            Source::Bundled { name, content, .. } => {
                format!(
                    "{name}:{}",
                    hex::encode(&Sha256::digest(content.as_bytes())[..8])
                )
            }
        }
    }

    fn read(&self) -> Result<Parsed, StandardsError> {
        match self {
            Source::File { path, format } => {
                catalogue::read_file(path, *format).map_err(StandardsError::io)
            }
            Source::Bundled {
                name,
                content,
                format,
            } => Ok(catalogue::parse(content, *format, name)),
        }
    }
}

/// The sources a fresh catalogue is built from: the real catalogues in
/// `data_dir` when present (ISO, IEC, ETSI, then the GB sample), and the
/// project's bundled catalogue. Earlier sources win on duplicate ids;
/// later ones only fill fields the earlier left empty.
pub fn default_sources(data_dir: Option<&Path>) -> Vec<Source> {
    let mut sources = Vec::new();
    if let Some(dir) = data_dir {
        for rel in [
            "relaton-iso/iso_publications.jsonl.gz",
            "relaton-iec/iec_publications.jsonl.gz",
            "relaton-etsi/etsi_publications.jsonl.gz",
        ] {
            let path = dir.join(rel);
            if path.is_file() {
                sources.push(Source::File {
                    path,
                    format: Some(Format::RelatonJsonl),
                });
            }
        }
    }
    sources.push(Source::Bundled {
        name: "stdnav examples/catalogue.jsonl".into(),
        content: stdnav_core::demo::CATALOGUE,
        format: Format::StdnavJsonl,
    });
    if let Some(dir) = data_dir {
        // The national list comes last: its statuses are inferred and its
        // titles derived, so the sample and the platform export's known
        // statuses, dates and relations win over it (docs/DATA.md).
        for rel in [
            "gb-sample/gb_sample.csv",
            "cn-gb-national/gb_temporal_sample.csv",
            "cn-gb-national/cn_titled_sports.csv",
            "cn-gb-national/gb_national.csv",
        ] {
            let path = dir.join(rel);
            if !path.is_file() {
                continue;
            }
            if rel.ends_with("gb_national.csv") {
                // National standards in force the list lacks (food safety
                // standards, recent editions), with known status.
                sources.push(Source::Bundled {
                    name: "stdnav core/data/gb_supplement.csv".into(),
                    content: stdnav_core::catalogue::national::BUNDLED_SUPPLEMENT,
                    format: Format::GbCsv,
                });
                // The project's titles for national standards the list
                // gives without one; they fill titles only.
                sources.push(Source::Bundled {
                    name: "stdnav core/data/gb_titles.csv".into(),
                    content: stdnav_core::catalogue::national::BUNDLED_TITLES,
                    format: Format::GbCsv,
                });
            }
            sources.push(Source::File {
                path,
                format: Some(Format::GbCsv),
            });
        }
    }
    sources
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    schema_version: u32,
    base_fingerprint: String,
    /// [`tables_fingerprint`] of the binary that built the index (empty in
    /// caches from before it was recorded).
    #[serde(default)]
    tables_fingerprint: String,
    index_dir: String,
    records: usize,
}

/// The bundled tables the index is built from (term list, Chinese ICS
/// titles; [`Reference::indexed_tables`]): also part of [`base_fingerprint`].
///
/// [`Reference::indexed_tables`]: stdnav_core::reference::Reference::indexed_tables
fn tables_fingerprint() -> String {
    let mut h = Sha256::new();
    for table in stdnav_core::reference::Reference::indexed_tables() {
        h.update(table.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// Counts of one ingestion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub rejections: Vec<Rejection>,
}

pub struct CatalogueStore {
    dir: PathBuf,
    /// Opened with [`CatalogueStore::open_read_only`]: ingest is refused.
    read_only: bool,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Serialises writers; readers never wait for it.
    write: Mutex<()>,
}

fn fill_empty(into: &mut Standard, from: &Standard) {
    // A known status always wins over one inferred from editions.
    if into.status_source == Provenance::Inferred && from.status_source != Provenance::Inferred {
        into.status = from.status;
        into.status_source = from.status_source;
    }
    // Derived values travel with their mark.
    if into.title_zh.is_empty() && into.title_en.is_empty() {
        into.title_source = from.title_source;
    }
    if into.ics.is_empty() {
        into.ics_source = from.ics_source;
    }
    if into.category.is_none() {
        into.category = from.category;
    }
    if into.withdrawn.is_none() {
        into.withdrawn = from.withdrawn.clone();
    }
    macro_rules! fill {
        ($($f:ident),*) => {$(
            if into.$f.is_empty() && !from.$f.is_empty() {
                into.$f = from.$f.clone();
            }
        )*};
    }
    fill!(
        title_zh,
        title_en,
        title_fr,
        scope,
        ics,
        ccs,
        committee,
        normative_refs,
        adopts,
        indicators,
        keywords,
        replaces,
        replaced_by,
        partly_replaced_by
    );
    if into.published.is_none() {
        into.published = from.published.clone();
    }
    if into.effective.is_none() {
        into.effective = from.effective.clone();
    }
    into.illustrative |=
        from.illustrative && !from.indicators.is_empty() && into.indicators == from.indicators;
}

/// Parses every source and merges them in order; what is in force by
/// `today` is current.
fn collect(
    sources: &[Source],
    today: &str,
    progress: &dyn Progress,
) -> Result<Vec<Standard>, StandardsError> {
    let mut records: Vec<Standard> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for source in sources {
        tracing::info!(source = %source.name(), "reading catalogue source");
        let parsed = source.read()?;
        for r in &parsed.rejections {
            tracing::debug!(source = %source.name(), line = r.line, reason = %r.reason, "rejected line");
        }
        if !parsed.rejections.is_empty() {
            // The catalogues list white papers, trend reports and the like
            // that are not standards; they are counted, not indexed.
            tracing::info!(
                source = %source.name(),
                rejected = parsed.rejections.len(),
                skipped = parsed.skipped,
                "lines not taken as standards (STDNAV_LOG=debug lists them)"
            );
        }
        let mut standards = parsed.standards;
        catalogue::group_attachments(&mut standards, parsed.attachments);
        for mut s in standards {
            match by_id.get(&s.id) {
                Some(&i) => fill_empty(&mut records[i], &s),
                None => {
                    s.checksum = catalogue::checksum(&s);
                    by_id.insert(s.id.clone(), records.len());
                    records.push(s);
                }
            }
        }
        progress.inc(1);
    }
    for r in &mut records {
        r.checksum = catalogue::checksum(r);
    }
    catalogue::bring_into_force(&mut records, today);
    Ok(records)
}

/// Today's date (UTC), `YYYY-MM-DD`: the day statuses are read as of.
fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_string()
}

fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), StandardsError> {
    let tmp = path.with_extension("tmp");
    {
        let file = std::fs::File::create(&tmp).map_err(StandardsError::io)?;
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(StandardsError::io)?;
        w.flush().map_err(StandardsError::io)?;
        w.get_ref().sync_all().map_err(StandardsError::io)?;
    }
    std::fs::rename(&tmp, path).map_err(StandardsError::io)
}

fn read_records(path: &Path) -> Result<Vec<Standard>, StandardsError> {
    let file = std::fs::File::open(path).map_err(StandardsError::io)?;
    std::io::BufReader::new(file)
        .lines()
        .map(|l| {
            let l = l.map_err(StandardsError::io)?;
            serde_json::from_str(&l).map_err(StandardsError::io)
        })
        .collect()
}

fn base_fingerprint(sources: &[Source]) -> String {
    let mut h = Sha256::new();
    h.update(SCHEMA_VERSION.to_le_bytes());
    h.update(tables_fingerprint().as_bytes());
    for s in sources {
        h.update(s.fingerprint().as_bytes());
        h.update(b"\n");
    }
    hex::encode(&h.finalize()[..16])
}

/// The catalogue the change service reads when a one-shot command holds the
/// store itself (`stdnav ingest`, `stdnav changes`).
impl CatalogueSource for CatalogueStore {
    fn snapshot(&self) -> Option<Arc<dyn CatalogueView>> {
        Some(CatalogueStore::snapshot(self))
    }
}

/// What [`CatalogueStore::export`] gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub version: String,
    /// The records file; None when the caller holds this version.
    pub records: Option<Vec<u8>>,
}

impl CatalogueStore {
    /// Opens the catalogue cached in `dir`, or builds it from `sources`
    /// when the cache is missing, from another schema, or the sources changed.
    pub fn open(
        dir: &Path,
        sources: &[Source],
        progress: &dyn Progress,
    ) -> Result<Self, StandardsError> {
        std::fs::create_dir_all(dir).map_err(StandardsError::io)?;
        // One process builds at a time; the others wait and then load what it built.
        let lock = std::fs::File::create(dir.join(".lock")).map_err(StandardsError::io)?;
        lock.lock().map_err(StandardsError::io)?;
        let fingerprint = base_fingerprint(sources);
        let today = today();
        let manifest: Option<Manifest> = std::fs::read(dir.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let Some(m) = manifest.filter(|m| {
            m.schema_version == SCHEMA_VERSION
                && m.base_fingerprint == fingerprint
                && dir.join(&m.index_dir).is_dir()
        }) {
            progress.stage("loading cached catalogue", None);
            let mut records = read_records(&dir.join("records.jsonl"))?;
            let snapshot = if catalogue::bring_into_force(&mut records, &today) > 0 {
                // Editions came into force since the cache was written: the
                // index, the records and a replica's copy all say so.
                Self::commit(dir, records, &fingerprint, progress)?
            } else {
                let catalogue = Catalogue::build(records);
                let (idx, reader, fields) =
                    index::open(&dir.join(&m.index_dir)).map_err(StandardsError::index)?;
                Snapshot::new(catalogue, idx, reader, fields)
            };
            progress.finish();
            return Ok(Self {
                dir: dir.to_path_buf(),
                read_only: false,
                snapshot: RwLock::new(Arc::new(snapshot)),
                write: Mutex::new(()),
            });
        }
        progress.stage("reading catalogues", Some(sources.len() as u64));
        let mut records = collect(sources, &today, progress)?;
        // Files ingested earlier are re-applied on top of the base sources.
        let ingested_dir = dir.join("ingested");
        if let Ok(entries) = std::fs::read_dir(&ingested_dir) {
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                if let Ok(parsed) = catalogue::read_file(&path, ingested_format(&path)) {
                    apply(&mut records, parsed, &today);
                }
            }
        }
        let store = Self {
            dir: dir.to_path_buf(),
            read_only: false,
            snapshot: RwLock::new(Arc::new(Self::commit(
                dir,
                records,
                &fingerprint,
                progress,
            )?)),
            write: Mutex::new(()),
        };
        progress.finish();
        Ok(store)
    }

    /// Opens the catalogue cached in `dir` — built before by [`Self::open`],
    /// e.g. by an index job — without writing anything there, so it can be
    /// served from a read-only volume. The cache is used as it is (the
    /// sources are not compared); ingest is refused.
    pub fn open_read_only(dir: &Path, progress: &dyn Progress) -> Result<Self, StandardsError> {
        let manifest: Manifest = std::fs::read(dir.join("manifest.json"))
            .map_err(|e| {
                StandardsError::io(format!("no catalogue cache in {}: {e}", dir.display()))
            })
            .and_then(|b| serde_json::from_slice(&b).map_err(StandardsError::io))?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(StandardsError::io(format!(
                "the catalogue cache in {} has schema {}, this binary reads {}: rebuild it",
                dir.display(),
                manifest.schema_version,
                SCHEMA_VERSION
            )));
        }
        if manifest.tables_fingerprint != tables_fingerprint() {
            // Served as it is (this mode never rebuilds), but say so: a
            // Chinese query finds English titles only through the phrases
            // of the term list the index was built with.
            tracing::warn!(
                dir = %dir.display(),
                "the catalogue cache was built with another term list or other Chinese ICS \
                 titles than this binary's: searches use the ones it was built with until \
                 the index job rebuilds it"
            );
        }
        progress.stage("loading cached catalogue (read-only)", None);
        let mut records = read_records(&dir.join("records.jsonl"))?;
        // Served in force though the index, not rewritten here, orders them
        // as upcoming (a tie-break) until the index job rebuilds it.
        catalogue::bring_into_force(&mut records, &today());
        let catalogue = Catalogue::build(records);
        let (idx, reader, fields) =
            index::open_read_only(&dir.join(&manifest.index_dir)).map_err(StandardsError::index)?;
        progress.finish();
        Ok(Self {
            dir: dir.to_path_buf(),
            read_only: true,
            snapshot: RwLock::new(Arc::new(Snapshot::new(catalogue, idx, reader, fields))),
            write: Mutex::new(()),
        })
    }

    /// Writes records and a new index, then switches the manifest to them.
    fn commit(
        dir: &Path,
        records: Vec<Standard>,
        fingerprint: &str,
        progress: &dyn Progress,
    ) -> Result<Snapshot, StandardsError> {
        let catalogue = Catalogue::build(records.clone());
        progress.stage("indexing", Some(catalogue.len() as u64));
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let index_dir = format!("index-{stamp}");
        let path = dir.join(&index_dir);
        index::build(&path, &catalogue, &|n| progress.inc(n)).map_err(StandardsError::index)?;
        write_atomic(&dir.join("records.jsonl"), |w| {
            for r in &records {
                serde_json::to_writer(&mut *w, r).map_err(std::io::Error::other)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
        let manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            base_fingerprint: fingerprint.to_string(),
            tables_fingerprint: tables_fingerprint(),
            index_dir: index_dir.clone(),
            records: records.len(),
        };
        write_atomic(&dir.join("manifest.json"), |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest).map_err(std::io::Error::other)
        })?;
        // Older index directories are no longer referenced.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with("index-") && name != index_dir {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let (idx, reader, fields) = index::open(&path).map_err(StandardsError::index)?;
        Ok(Snapshot::new(catalogue, idx, reader, fields))
    }

    /// The catalogue as stored, for a replica in another service: its
    /// version (the manifest's index, new with every commit) and, unless the
    /// caller holds that version, the records file (one JSON record a line,
    /// before the relations [`Catalogue::build`] derives). A commit writes
    /// the records before switching the manifest, so records read after the
    /// version are never older than it.
    pub fn export(&self, unless_version: &str) -> Result<Export, StandardsError> {
        let manifest: Manifest = std::fs::read(self.dir.join("manifest.json"))
            .map_err(StandardsError::io)
            .and_then(|b| serde_json::from_slice(&b).map_err(StandardsError::io))?;
        let version = manifest.index_dir;
        if version == unless_version {
            return Ok(Export {
                version,
                records: None,
            });
        }
        let records = std::fs::read(self.dir.join("records.jsonl")).map_err(StandardsError::io)?;
        Ok(Export {
            version,
            records: Some(records),
        })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds or updates records from one source file's content. Unchanged
    /// records (same checksum) are left alone; nothing is written when
    /// nothing changed.
    pub fn ingest(
        &self,
        text: &str,
        format: Format,
        source: &str,
        progress: &dyn Progress,
    ) -> Result<IngestReport, StandardsError> {
        if self.read_only {
            return Err(StandardsError::ReadOnly);
        }
        let _guard = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let lock = std::fs::File::create(self.dir.join(".lock")).map_err(StandardsError::io)?;
        lock.lock().map_err(StandardsError::io)?;
        let parsed = catalogue::parse(text, format, source);
        // The in-memory catalogue holds derived relations; compare against
        // the records as stored.
        let mut records = read_records(&self.dir.join("records.jsonl"))?;
        let report = apply(&mut records, parsed, &today());
        if report.added + report.updated > 0 {
            let name = sanitize(source);
            let ingested = self.dir.join("ingested");
            std::fs::create_dir_all(&ingested).map_err(StandardsError::io)?;
            let ext = match format {
                Format::GbCsv => "csv",
                Format::RelatonJsonl => "publications.jsonl",
                Format::StdnavJsonl => "jsonl",
            };
            write_atomic(&ingested.join(format!("{name}.{ext}")), |w| {
                w.write_all(text.as_bytes())
            })?;
            let manifest: Manifest = std::fs::read(self.dir.join("manifest.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| StandardsError::Io("manifest missing".into()))?;
            let snapshot = Self::commit(&self.dir, records, &manifest.base_fingerprint, progress)?;
            *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        }
        progress.finish();
        Ok(report)
    }
}

/// The format of a file under `ingested/`, from the suffix [`CatalogueStore::ingest`]
/// gave it (a source named `vendor publications` is still the project's JSONL).
fn ingested_format(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy();
    if name.ends_with(".publications.jsonl") {
        Some(Format::RelatonJsonl)
    } else if name.ends_with(".csv") {
        Some(Format::GbCsv)
    } else if name.ends_with(".jsonl") {
        Some(Format::StdnavJsonl)
    } else {
        None
    }
}

fn sanitize(source: &str) -> String {
    let s: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if s.is_empty() { "source".into() } else { s }
}

/// Merges parsed records into `records`: new ids are added, a changed
/// checksum replaces the record in place.
///
/// A record already held keeps what the new one leaves empty (as when the
/// base sources are merged), so re-ingesting a source that another source
/// enriched (the IEC catalogue's English-only line of an edition the
/// bundled catalogue gives a Chinese title and indicators) changes nothing;
/// its amendments and variants are kept too. Amendments and variants whose
/// edition is already held (a file listing only a new `/AMD2:2025`) attach
/// to that edition instead of standing in for it. What is in force by
/// `today` is stored as current, so the same export ingested twice changes
/// nothing.
fn apply(records: &mut Vec<Standard>, parsed: Parsed, today: &str) -> IngestReport {
    let mut report = IngestReport {
        rejected: parsed.rejections.len() as u64,
        rejections: parsed.rejections,
        ..Default::default()
    };
    let mut by_id: HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut standards = parsed.standards;
    let mut listed: std::collections::HashSet<String> =
        standards.iter().map(|s| s.id.clone()).collect();
    let mut held_editions: Option<HashMap<String, Vec<usize>>> = None;
    for a in &parsed.attachments {
        let held: Vec<usize> = match a.year {
            Some(_) => by_id.get(&a.standard.id).copied().into_iter().collect(),
            // Fragments name the edition number only: every edition of the line.
            None => held_editions
                .get_or_insert_with(|| {
                    let mut m: HashMap<String, Vec<usize>> = HashMap::new();
                    for (i, s) in records.iter().enumerate() {
                        m.entry(catalogue::base_of(&s.id)).or_default().push(i);
                    }
                    m
                })
                .get(&a.base)
                .cloned()
                .unwrap_or_default(),
        };
        for i in held {
            if listed.insert(records[i].id.clone()) {
                standards.push(records[i].clone());
            }
        }
    }
    catalogue::group_attachments(&mut standards, parsed.attachments);
    let mut seen = std::collections::HashSet::new();
    for mut s in standards {
        if !seen.insert(s.id.clone()) {
            continue;
        }
        if let Some(&i) = by_id.get(&s.id) {
            let old = &records[i];
            fill_empty(&mut s, old);
            for (list, old_list) in [
                (&mut s.amendments, &old.amendments),
                (&mut s.variants, &old.variants),
            ] {
                let mut merged = old_list.clone();
                merged.extend(list.iter().filter(|x| !old_list.contains(x)).cloned());
                *list = merged;
            }
        }
        if catalogue::in_force_by(&s, today) {
            s.status = Status::Current;
        }
        s.checksum = catalogue::checksum(&s);
        match by_id.get(&s.id) {
            Some(&i) if records[i].checksum == s.checksum => report.unchanged += 1,
            Some(&i) => {
                records[i] = s;
                report.updated += 1;
            }
            None => {
                by_id.insert(s.id.clone(), records.len());
                records.push(s);
                report.added += 1;
            }
        }
    }
    report
}
