//! The standards service's search path on arbitrary requests: a user query
//! plus filters, paging and facets, parsed, planned and run against a real
//! Tantivy index of the bundled demo catalogue (examples/catalogue.jsonl),
//! through the domain's `Standards::search` and `Standards::statistics`.
//!
//! Input format (so the seed corpus stays readable): the first line is the
//! query; every further line is a `key=value` directive, unknown keys ignored:
//! `level=`, `nature=`, `status=` (a name such as `national`, anything else
//! picks one by its first byte), `ics=`, `family=`, `from=`, `to=` (years),
//! `page=`, `size=`, `facet=` (`family`, `level`, `nature`, `status`, `ics`,
//! `year`, `committee`) and `limit=` (statistics buckets).
//!
//! Properties, for every request:
//! - nothing panics, and the answer is results or `InvalidArgument` naming
//!   request fields (never an index or storage error: those are bugs);
//! - a request with a non-blank query of at most 1000 characters, valid
//!   filters and paging within limits is answered;
//! - a page holds at most `page_size` hits, never more than the total, and
//!   every hit satisfies every filter;
//! - a highlighted title is the record's title, escaped, with balanced `<b>`;
//! - facet counts never exceed the total; for single-valued facets (family,
//!   level, nature, status) statistics' buckets sum to its total.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stdnav_core::standard::{Level, Nature, Standard, Status};
use stdnav_standards::Standards;
use stdnav_standards::error::StandardsError;
use stdnav_standards::progress::Silent;
use stdnav_standards::search::{
    self, FacetKind, Filters, MAX_FILTER_VALUES, MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS,
    SearchParams,
};
use stdnav_standards::store::{CatalogueStore, default_sources};

/// The demo catalogue, indexed once per process. The index is built in a
/// temporary directory that is removed once opened: the reader never
/// reloads and holds its files open, so nothing is left behind in /tmp.
fn standards() -> &'static Standards {
    static STANDARDS: OnceLock<Standards> = OnceLock::new();
    STANDARDS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("stdnav-fuzz-search-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = CatalogueStore::open(&dir, &default_sources(None), &Silent)
            .expect("the demo catalogue builds");
        let _ = std::fs::remove_dir_all(&dir);
        let standards = Standards::with_store(store.into());
        let smoke = standards
            .search(&SearchParams {
                query: "质量管理体系".into(),
                ..Default::default()
            })
            .expect("a plain query runs");
        assert!(smoke.total > 0, "the demo index answers");
        standards
    })
}

const LEVELS: [(&str, Level); 8] = [
    ("international", Level::International),
    ("regional", Level::Regional),
    ("national", Level::National),
    ("industry", Level::Industry),
    ("local", Level::Local),
    ("group", Level::Group),
    ("enterprise", Level::Enterprise),
    ("unknown", Level::Unknown),
];
const NATURES: [(&str, Nature); 3] = [
    ("mandatory", Nature::Mandatory),
    ("recommended", Nature::Recommended),
    ("guidance", Nature::Guidance),
];
const STATUSES: [(&str, Status); 5] = [
    ("current", Status::Current),
    ("withdrawn", Status::Withdrawn),
    ("replaced", Status::Replaced),
    ("upcoming", Status::Upcoming),
    ("draft", Status::Draft),
];
const FACETS: [(&str, FacetKind); 7] = [
    ("family", FacetKind::Family),
    ("level", FacetKind::Level),
    ("nature", FacetKind::Nature),
    ("status", FacetKind::Status),
    ("ics", FacetKind::IcsField),
    ("year", FacetKind::Year),
    ("committee", FacetKind::Committee),
];

/// The named value, or one picked by the first byte so mutations reach all.
fn pick<T: Copy>(table: &[(&str, T)], name: &str) -> T {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| table[name.bytes().next().unwrap_or(0) as usize % table.len()].1)
}

struct Request {
    params: SearchParams,
    limit: usize,
}

fn parse(data: &[u8]) -> Request {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut params = SearchParams {
        query: lines.next().unwrap_or_default().to_string(),
        ..Default::default()
    };
    let mut limit = 0;
    let f = &mut params.filters;
    for line in lines {
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        match key {
            "level" => f.levels.push(pick(&LEVELS, value)),
            "nature" => f.natures.push(pick(&NATURES, value)),
            "status" => f.statuses.push(pick(&STATUSES, value)),
            "ics" => f.ics_prefixes.push(value.to_string()),
            "family" => f.families.push(value.to_string()),
            "from" => f.from_year = value.parse().ok(),
            "to" => f.to_year = value.parse().ok(),
            "page" => params.page = value.parse().unwrap_or(u32::MAX),
            "size" => params.page_size = value.parse().unwrap_or(u32::MAX),
            "facet" => params.facets.push(pick(&FACETS, value)),
            "limit" => limit = value.parse().unwrap_or(usize::MAX),
            _ => {}
        }
    }
    Request { params, limit }
}

/// Whether the request is one the service must answer.
fn acceptable(p: &SearchParams) -> bool {
    let f = &p.filters;
    let n = p.query.chars().count();
    n <= MAX_QUERY_CHARS
        && (!p.query.trim().is_empty() || !f.is_empty())
        && f.validate().is_ok()
        && p.page <= MAX_PAGE
        && p.page_size <= MAX_PAGE_SIZE
}

/// An error answer must name request fields; anything else is a bug.
fn check_error(e: &StandardsError, request: &str) {
    match e {
        StandardsError::InvalidArgument(violations) => {
            assert!(!violations.is_empty(), "{request}: no field named");
            for (field, reason) in violations {
                assert!(
                    ["query", "page", "page_size", "filters."]
                        .iter()
                        .any(|f| field == f || (f.ends_with('.') && field.starts_with(f))),
                    "{request}: unexpected field {field:?}"
                );
                assert!(!reason.is_empty(), "{request}: {field} without a reason");
            }
        }
        other => panic!("{request}: answered {other:?}"),
    }
}

fn satisfies(s: &Standard, f: &Filters) -> bool {
    let year = stdnav_standards::index::year_of(s);
    (f.levels.is_empty() || f.levels.contains(&s.level))
        && (f.natures.is_empty() || f.natures.contains(&s.nature))
        && (f.statuses.is_empty() || f.statuses.contains(&s.status))
        && (f.families.is_empty() || f.families.iter().any(|x| x.trim() == s.family))
        && (f.ics_prefixes.is_empty()
            || f.ics_prefixes.iter().any(|p| {
                s.ics
                    .iter()
                    .any(|c| c == p || c.starts_with(&format!("{p}.")))
            }))
        && f.from_year
            .is_none_or(|y| year.is_some_and(|x| x >= i64::from(y)))
        && f.to_year
            .is_none_or(|y| year.is_some_and(|x| x <= i64::from(y)))
}

/// Undoes `highlight`: drops `<b>`/`</b>`, checking they nest, and unescapes.
fn unhighlight(h: &str) -> Option<String> {
    let mut out = String::new();
    let mut open = false;
    let mut rest = h;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<b>") {
            if open {
                return None;
            }
            open = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("</b>") {
            if !open {
                return None;
            }
            open = false;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("&amp;") {
            out.push('&');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("&lt;") {
            out.push('<');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("&gt;") {
            out.push('>');
            rest = r;
        } else {
            let c = rest.chars().next()?;
            if c == '<' || c == '>' {
                return None;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (!open).then_some(out)
}

fuzz_target!(|data: &[u8]| {
    let standards = standards();
    let Request { params, limit } = parse(data);
    let request = format!("{:?} {:?}", params.query, params.filters);
    let f = &params.filters;
    // Filter lists are bounded by the service; keep the fuzzer's inside a
    // few times that so one input cannot take seconds.
    if [
        f.levels.len(),
        f.natures.len(),
        f.statuses.len(),
        f.ics_prefixes.len(),
        f.families.len(),
        params.facets.len(),
    ]
    .iter()
    .any(|n| *n > 4 * MAX_FILTER_VALUES)
    {
        return;
    }

    match standards.search(&params) {
        Err(e) => {
            check_error(&e, &request);
            assert!(
                !acceptable(&params),
                "{request}: a valid request refused: {e:?}"
            );
        }
        Ok(page) => {
            let page_size = if params.page_size == 0 {
                10
            } else {
                params.page_size
            };
            assert!(
                page.hits.len() <= page_size as usize,
                "{request}: {} hits",
                page.hits.len()
            );
            assert!(page.hits.len() as u64 <= page.total, "{request}");
            for hit in &page.hits {
                let s = &hit.standard.standard;
                assert!(
                    satisfies(s, &params.filters),
                    "{request}: {} does not satisfy the filters",
                    s.id
                );
                assert_eq!(
                    unhighlight(&hit.highlighted_title).as_deref(),
                    Some(search::display_title(s)),
                    "{request}: highlight {:?}",
                    hit.highlighted_title
                );
            }
            assert_eq!(page.facets.len(), params.facets.len(), "{request}");
            for ((kind, buckets), asked) in page.facets.iter().zip(&params.facets) {
                assert_eq!(kind, asked, "{request}");
                for (value, n) in buckets {
                    assert!(*n <= page.total, "{request}: {kind:?} {value} = {n}");
                }
            }
        }
    }

    let group_by = params.facets.first().copied().unwrap_or(FacetKind::Level);
    match standards.statistics(&params.query, &params.filters, group_by, limit) {
        Err(e) => check_error(&e, &request),
        Ok((total, buckets)) => {
            let sum: u64 = buckets.iter().map(|(_, n)| n).sum();
            assert!(buckets.iter().all(|(_, n)| *n <= total), "{request}");
            let single_valued = matches!(
                group_by,
                FacetKind::Family | FacetKind::Level | FacetKind::Nature | FacetKind::Status
            );
            if single_valued && (limit == 0 || buckets.len() < limit) {
                assert_eq!(sum, total, "{request}: {group_by:?} buckets {buckets:?}");
            }
        }
    }
});
