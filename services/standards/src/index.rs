//! The Tantivy index over the catalogue: schema, build and open.
//!
//! Every record is one document. Codes are indexed as exact keys (canonical
//! id, code without year, number alone, compact spellings) so a code query
//! never falls back to scoring titles; titles are indexed per language
//! (jieba for Chinese, stemmed English); ICS codes are indexed with all
//! their prefixes so a prefix filter is one term lookup.

use std::collections::HashMap;
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
/// English: tantivy's `en_stem` with stem exceptions ([`crate::stem`]).
pub const EN: &str = "en_stem_exceptions";

/// Bumped whenever the schema or what is indexed changes: a cached index
/// with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 7;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub code_key: Field,
    pub title_zh: Field,
    pub title_en: Field,
    pub title_fr: Field,
    /// The Chinese titles of the national standards that adopt an
    /// international or regional record, on that record: a Chinese product
    /// name reaches the ISO or IEC standard a GB translates. Searched for
    /// enterprises that do not sell in China, whose candidates leave
    /// China's own standards out.
    pub title_zh_adopters: Field,
    /// The term list's English wordings of two or more words found in the
    /// English title ([`TitlePhrases`]), one key per occurrence.
    pub title_phrases: Field,
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
        title_zh_adopters: b.add_text_field("title_zh_adopters", text(JIEBA)),
        // Keys, not text: no positions. Its length is the English title's
        // (see `phrase_field_text`), so BM25 normalizes a key's score by
        // the title's length as it did the phrase's.
        title_phrases: b.add_text_field(
            "title_phrases",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("whitespace")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
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

/// Registers the tokenizers the schema names (Chinese via jieba, English
/// with stem exceptions).
pub fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(EN, crate::stem::english_analyzer());
    index.tokenizers().register(
        JIEBA,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
}

// The index spells levels, natures and statuses by their core names; the
// search module names these functions.
pub fn level_str(l: Level) -> &'static str {
    l.name()
}

pub fn nature_str(n: Nature) -> &'static str {
    n.name()
}

pub fn status_str(s: Status) -> &'static str {
    s.name()
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

/// Tokens of `text` as an analyzer makes them, in order (repeats kept, so
/// a sequence of them is a phrase).
pub fn token_seq(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The key under which a phrase of English tokens is indexed in
/// `title_phrases` (its stemmed words are letters and digits only).
pub fn phrase_key(tokens: &[String]) -> String {
    tokens.join("_")
}

/// The words of a phrase key, in order.
pub fn phrase_words(key: &str) -> impl Iterator<Item = &str> {
    key.split('_')
}

/// Pads `title_phrases` to the title's length; never a key.
const PHRASE_PAD: &str = "_";

/// What `title_phrases` indexes for a title of `title_len` English tokens
/// holding `keys`: the keys, padded with [`PHRASE_PAD`] to the title's
/// length. A field's length is its token count, and BM25 weighs a match
/// by how long the field is against the average: padded, a key scores
/// exactly as the phrase query on `title_en` scored (with the words' IDFs,
/// [`crate::snapshot::Wording`]), and rankings are unchanged.
fn phrase_field_text(keys: &[String], title_len: usize) -> String {
    let pads = title_len.saturating_sub(keys.len());
    let mut text = keys.join(" ");
    for _ in 0..pads {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(PHRASE_PAD);
    }
    text
}

/// The term list's English wordings of two or more words, found in titles
/// when a record is indexed. A Chinese query reaches English-titled records
/// through these wordings ("空调" → "air conditioner"): looked up as one
/// key each in `title_phrases`, so no positions are read, where a phrase
/// query over `title_en` would read those of every word of every wording.
/// The same documents match: a key is indexed where the wording's stemmed
/// tokens follow each other in the title, which is what a phrase query
/// matches.
pub struct TitlePhrases {
    /// First token → the wordings (as tokens) that start with it.
    by_first: HashMap<String, Vec<Vec<String>>>,
}

impl TitlePhrases {
    /// The multi-word wordings of `reference`'s term list and of its
    /// catalogue wordings for English trade words, tokenized by the English
    /// analyzer `en`.
    pub fn new(en: &mut TextAnalyzer, reference: &Reference) -> Self {
        let mut by_first: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        let catalogue = reference.en_wordings().iter().flat_map(|w| &w.catalogue);
        for wording in reference
            .terms()
            .iter()
            .flat_map(|t| &t.en)
            .chain(catalogue)
        {
            let tokens = token_seq(en, wording);
            if tokens.len() < 2 {
                continue;
            }
            let entry = by_first.entry(tokens[0].clone()).or_default();
            if !entry.contains(&tokens) {
                entry.push(tokens);
            }
        }
        Self { by_first }
    }

    /// The key of each wording in the tokens of a title, once per place.
    pub fn in_tokens(&self, title: &[String]) -> Vec<String> {
        let mut keys = Vec::new();
        for (at, token) in title.iter().enumerate() {
            for wording in self.by_first.get(token).into_iter().flatten() {
                if title[at..].starts_with(wording) {
                    keys.push(phrase_key(wording));
                }
            }
        }
        keys
    }
}

fn document(
    f: &Fields,
    ord: usize,
    s: &Standard,
    reference: &Reference,
    phrases: &TitlePhrases,
    en: &mut TextAnalyzer,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &s.id);
    for key in code_keys(&s.id) {
        doc.add_text(f.code_key, &key);
    }
    if !s.title_zh.is_empty() {
        doc.add_text(f.title_zh, &s.title_zh);
    }
    // An English title taken from the adopted standard is shown, not
    // indexed: English queries find the original (whose adopters lineage
    // lists), and thousands of copies would dilute the English terms' IDF.
    if !s.title_en.is_empty() && s.title_source != stdnav_core::standard::Provenance::Adopted {
        doc.add_text(f.title_en, &s.title_en);
        let title = token_seq(en, &s.title_en);
        let keys = phrases.in_tokens(&title);
        doc.add_text(f.title_phrases, phrase_field_text(&keys, title.len()));
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
    if let Some(c) = s.category {
        doc.add_facet(f.facets, Facet::from_path(["category", c.name()]));
    }
    match s.adopts.first() {
        Some(a) => {
            let degree = a.degree.map(|d| d.code()).unwrap_or("unspecified");
            doc.add_facet(f.facets, Facet::from_path(["adoption", degree]));
        }
        None => doc.add_facet(f.facets, Facet::from_path(["adoption", "none"])),
    }
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
    let mut en = index
        .tokenizers()
        .get(EN)
        .expect("English analyzer registered above");
    let phrases = TitlePhrases::new(&mut en, reference);
    // One indexing thread and an arena large enough for the whole corpus:
    // one segment with documents in catalogue order, so equal scores rank
    // the same way in every build (two threads interleave documents into
    // segments at random, and ties at the edge of a page then differ).
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 1024 * 1024 * 1024)?;
    for (ord, s) in catalogue.records().iter().enumerate() {
        let mut doc = document(&fields, ord, s, reference, &phrases, &mut en);
        for title in adopters_titles_zh(catalogue, s) {
            doc.add_text(fields.title_zh_adopters, title);
        }
        writer.add_document(doc)?;
        if ord % 1000 == 999 {
            progress(1000);
        }
    }
    progress(catalogue.len() as u64 % 1000);
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(index)
}

/// The distinct Chinese titles of the national standards adopting any
/// edition of the international or regional record `s`'s line (a GB
/// adopting the 2010 edition names the product of the 2019 one too), at
/// most two: editions of one GB mostly repeat a title.
pub(crate) fn adopters_titles_zh<'c>(catalogue: &'c Catalogue, s: &Standard) -> Vec<&'c str> {
    let mut titles: Vec<&str> = Vec::new();
    if !matches!(s.level, Level::International | Level::Regional) {
        return titles;
    }
    let adopters = catalogue
        .editions(&s.id)
        .into_iter()
        .rev()
        .filter_map(|e| catalogue.position(&e.id))
        .flat_map(|at| catalogue.adopted_by_at(at));
    for id in adopters {
        let Some(adopter) = catalogue.get(id) else {
            continue;
        };
        let title = adopter.title_zh.as_str();
        if !title.is_empty() && !titles.contains(&title) {
            titles.push(title);
            if titles.len() == 2 {
                break;
            }
        }
    }
    titles
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

    fn en() -> TextAnalyzer {
        crate::stem::english_analyzer()
    }

    #[test]
    fn title_phrases_are_found_where_their_words_follow_each_other() {
        let mut en = en();
        let phrases = TitlePhrases::new(&mut en, Reference::get());
        let keys = |title: &str| phrases.in_tokens(&token_seq(&mut en.clone(), title));
        // Stemmed, and a wording with a repeated word ("milk and milk
        // products") is matched whole.
        let milk = keys("Milk and milk products — Determination of fat content");
        assert!(
            milk.contains(&"milk_and_milk_product".to_string()),
            "{milk:?}"
        );
        assert!(milk.contains(&"milk_product".to_string()), "{milk:?}");
        let ac = keys("Non-ducted air conditioners and heat pumps — Testing");
        assert!(ac.contains(&"air_condition".to_string()), "{ac:?}");
        // Words of a wording apart are not the wording.
        let apart = keys("Air quality — Conditioners of samples");
        assert!(!apart.contains(&"air_condition".to_string()), "{apart:?}");
    }

    #[test]
    fn phrase_field_is_as_long_as_the_title() {
        let keys = vec!["air_condition".to_string()];
        let text = phrase_field_text(&keys, 4);
        assert_eq!(text, "air_condition _ _ _");
        assert_eq!(phrase_field_text(&[], 2), "_ _");
        assert_eq!(phrase_field_text(&[], 0), "");
    }

    #[test]
    fn ics_prefixes_nest() {
        assert_eq!(ics_prefixes("97.040.30"), ["97", "97.040", "97.040.30"]);
    }
}
