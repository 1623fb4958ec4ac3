//! The Tantivy index over the catalogue: schema, build and open.
//!
//! Every record is one document. Codes are indexed as exact keys (canonical
//! id, code without year, number alone, compact spellings) so a code query
//! never falls back to scoring titles; titles are indexed per language
//! (jieba for Chinese, stemmed English); ICS codes are indexed with all
//! their prefixes so a prefix filter is one term lookup.

use std::path::Path;

use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use stdnav_core::catalogue::Catalogue;
use stdnav_core::code::{StdCode, number_key};
use stdnav_core::reference::Reference;
use stdnav_core::standard::{Level, Nature, Standard, Status};

pub const JIEBA: &str = "jieba";
pub const EN: &str = "en_stem";

/// Bumped whenever the schema or what is indexed changes: a cached index
/// with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub code_key: Field,
    pub title_zh: Field,
    pub title_en: Field,
    pub title_fr: Field,
    pub scope: Field,
    pub keywords: Field,
    pub ics_zh: Field,
    pub ics: Field,
    pub family: Field,
    pub level: Field,
    pub nature: Field,
    pub status: Field,
    pub committee: Field,
    pub year: Field,
    pub status_rank: Field,
    pub facets: Field,
    pub ord: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        code_key: b.add_text_field("code_key", STRING),
        title_zh: b.add_text_field("title_zh", text(JIEBA)),
        title_en: b.add_text_field("title_en", text(EN)),
        title_fr: b.add_text_field("title_fr", text("default")),
        scope: b.add_text_field("scope", text(EN)),
        keywords: b.add_text_field("keywords", text(EN)),
        ics_zh: b.add_text_field("ics_zh", text(JIEBA)),
        ics: b.add_text_field("ics", STRING),
        family: b.add_text_field("family", STRING),
        level: b.add_text_field("level", STRING),
        nature: b.add_text_field("nature", STRING),
        status: b.add_text_field("status", STRING),
        committee: b.add_text_field("committee", STRING),
        year: b.add_i64_field("year", INDEXED | FAST),
        status_rank: b.add_u64_field("status_rank", FAST),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        ord: b.add_u64_field("ord", FAST | STORED),
    };
    (b.build(), fields)
}

/// Registers the tokenizers the schema names (Chinese via jieba).
pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(
        JIEBA,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
}

pub fn level_str(l: Level) -> &'static str {
    match l {
        Level::International => "international",
        Level::Regional => "regional",
        Level::National => "national",
        Level::Industry => "industry",
        Level::Local => "local",
        Level::Group => "group",
        Level::Enterprise => "enterprise",
        Level::Unknown => "unknown",
    }
}

pub fn nature_str(n: Nature) -> &'static str {
    match n {
        Nature::Mandatory => "mandatory",
        Nature::Recommended => "recommended",
        Nature::Guidance => "guidance",
    }
}

pub fn status_str(s: Status) -> &'static str {
    match s {
        Status::Current => "current",
        Status::Withdrawn => "withdrawn",
        Status::Replaced => "replaced",
        Status::Upcoming => "upcoming",
        Status::Draft => "draft",
    }
}

/// Ranking weight by status: editions in force first.
pub fn status_weight(rank: u64) -> f32 {
    match rank {
        0 => 1.0,  // current
        1 => 0.9,  // upcoming
        2 => 0.45, // replaced
        3 => 0.35, // withdrawn
        _ => 0.2,  // draft
    }
}

pub fn status_rank(s: Status) -> u64 {
    match s {
        Status::Current => 0,
        Status::Upcoming => 1,
        Status::Replaced => 2,
        Status::Withdrawn => 3,
        Status::Draft => 4,
    }
}

/// Exact keys under which a code is found: canonical id, code without
/// year, the number alone and compact spellings, all lower case.
pub fn code_keys(id: &str) -> Vec<String> {
    let mut keys = vec![id.to_lowercase()];
    if let Ok(code) = StdCode::parse(id) {
        keys.push(code.base().to_lowercase());
        keys.push(code.edition_id().to_lowercase());
        keys.push(code.base().to_lowercase().replace(' ', ""));
        keys.push(code.edition_id().to_lowercase().replace(' ', ""));
    } else if let Some((base, _)) = stdnav_core::catalogue::relaton::etsi_version(id) {
        keys.push(base.to_lowercase());
    }
    if let Some(number) = number_key(id) {
        keys.push(number.to_lowercase());
    }
    keys.sort();
    keys.dedup();
    keys
}

/// "97.040.30" → ["97", "97.040", "97.040.30"].
pub fn ics_prefixes(code: &str) -> Vec<String> {
    let parts: Vec<&str> = code.split('.').collect();
    (1..=parts.len()).map(|n| parts[..n].join(".")).collect()
}

pub fn year_of(s: &Standard) -> Option<i64> {
    s.published
        .as_deref()
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse().ok())
        .or_else(|| {
            StdCode::parse(&s.id)
                .ok()
                .and_then(|c| c.year)
                .map(i64::from)
        })
}

fn document(f: &Fields, ord: usize, s: &Standard, reference: &Reference) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &s.id);
    for key in code_keys(&s.id) {
        doc.add_text(f.code_key, &key);
    }
    if !s.title_zh.is_empty() {
        doc.add_text(f.title_zh, &s.title_zh);
    }
    if !s.title_en.is_empty() {
        doc.add_text(f.title_en, &s.title_en);
    }
    if !s.title_fr.is_empty() {
        doc.add_text(f.title_fr, &s.title_fr);
    }
    if !s.scope.is_empty() {
        doc.add_text(f.scope, &s.scope);
    }
    for k in &s.keywords {
        doc.add_text(f.keywords, k);
    }
    let mut seen_ics = std::collections::BTreeSet::new();
    for code in &s.ics {
        for p in ics_prefixes(code) {
            if seen_ics.insert(p.clone()) {
                // Chinese ICS titles let Chinese queries reach English-only records.
                if p.len() <= 6
                    && let Some(zh) = reference.ics_title_zh(&p)
                {
                    doc.add_text(f.ics_zh, zh);
                }
                doc.add_text(f.ics, &p);
            }
        }
    }
    doc.add_text(f.family, &s.family);
    doc.add_text(f.level, level_str(s.level));
    doc.add_text(f.nature, nature_str(s.nature));
    doc.add_text(f.status, status_str(s.status));
    if !s.committee.is_empty() {
        doc.add_text(f.committee, &s.committee);
    }
    let year = year_of(s);
    if let Some(y) = year {
        doc.add_i64(f.year, y);
    }
    doc.add_u64(f.status_rank, status_rank(s.status));
    doc.add_u64(f.ord, ord as u64);
    doc.add_facet(f.facets, Facet::from_path(["family", s.family.as_str()]));
    doc.add_facet(f.facets, Facet::from_path(["level", level_str(s.level)]));
    doc.add_facet(f.facets, Facet::from_path(["nature", nature_str(s.nature)]));
    doc.add_facet(f.facets, Facet::from_path(["status", status_str(s.status)]));
    if let Some(y) = year {
        doc.add_facet(f.facets, Facet::from_path(["year", y.to_string().as_str()]));
    }
    if !s.committee.is_empty() {
        doc.add_facet(
            f.facets,
            Facet::from_path(["committee", s.committee.as_str()]),
        );
    }
    let mut fields_seen = std::collections::BTreeSet::new();
    for code in &s.ics {
        let field = code.split('.').next().unwrap_or(code);
        if fields_seen.insert(field.to_string()) {
            doc.add_facet(f.facets, Facet::from_path(["ics", field]));
        }
    }
    doc
}

/// Builds a fresh index of `catalogue` in `dir` (which must be empty or absent).
pub fn build(dir: &Path, catalogue: &Catalogue, progress: &dyn Fn(u64)) -> tantivy::Result<Index> {
    std::fs::create_dir_all(dir)?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(dir, schema)?;
    register_tokenizers(&index);
    let reference = Reference::get();
    // One indexing thread and an arena large enough for the whole corpus:
    // one segment with documents in catalogue order, so equal scores rank
    // the same way in every build (two threads interleave documents into
    // segments at random, and ties at the edge of a page then differ).
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 1024 * 1024 * 1024)?;
    for (ord, s) in catalogue.records().iter().enumerate() {
        writer.add_document(document(&fields, ord, s, reference))?;
        if ord % 1000 == 999 {
            progress(1000);
        }
    }
    progress(catalogue.len() as u64 % 1000);
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(index)
}

/// Opens an index built by [`build`].
pub fn open(dir: &Path) -> tantivy::Result<(Index, IndexReader, Fields)> {
    reader_of(Index::open_in_dir(dir)?)
}

/// Opens an index built by [`build`] without writing anything in `dir`, so
/// it can be served from a read-only volume: the reader's meta lock (which
/// only keeps a writer in the same directory from collecting files) is not
/// taken; there is no writer.
pub fn open_read_only(dir: &Path) -> tantivy::Result<(Index, IndexReader, Fields)> {
    let directory = tantivy::directory::MmapDirectory::open(dir)?;
    reader_of(Index::open(ReadOnlyDirectory(directory))?)
}

/// An mmap directory whose locks are no-ops (see [`open_read_only`]).
#[derive(Clone, Debug)]
struct ReadOnlyDirectory(tantivy::directory::MmapDirectory);

impl tantivy::Directory for ReadOnlyDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<
        std::sync::Arc<dyn tantivy::directory::FileHandle>,
        tantivy::directory::error::OpenReadError,
    > {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), tantivy::directory::error::DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, tantivy::directory::error::OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(
        &self,
        path: &Path,
    ) -> Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(
        &self,
        path: &Path,
    ) -> Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn acquire_lock(
        &self,
        _lock: &tantivy::directory::Lock,
    ) -> Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        Ok(tantivy::directory::DirectoryLock::from(Box::new(())))
    }
    fn watch(
        &self,
        watch_callback: tantivy::directory::WatchCallback,
    ) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.0.watch(watch_callback)
    }
}

fn reader_of(index: Index) -> tantivy::Result<(Index, IndexReader, Fields)> {
    register_tokenizers(&index);
    let (_, fields) = schema();
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok((index, reader, fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_keys_cover_spellings() {
        let keys = code_keys("IEC 60335-2-40:2018");
        for k in [
            "iec 60335-2-40:2018",
            "iec 60335-2-40",
            "60335-2-40",
            "iec60335-2-40:2018",
        ] {
            assert!(keys.contains(&k.to_string()), "{k} not in {keys:?}");
        }
    }

    #[test]
    fn ics_prefixes_nest() {
        assert_eq!(ics_prefixes("97.040.30"), ["97", "97.040", "97.040.30"]);
    }
}
