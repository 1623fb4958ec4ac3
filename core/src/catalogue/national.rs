//! The Chinese national catalogue in the shapes it is published in
//! (docs/DATA.md, "Chinese national catalogue"):
//!
//! - **the national list** (`code,category_zh,adopted_international,adoption_type_zh,adoption_text_zh`):
//!   every GB, GB/T and GB/Z edition with its category and the international
//!   standard it adopts, but no titles, status, dates or relations;
//! - **the national platform's export** (标准号, 国际标准编号, 采标类型, 发布日期, 实施日期,
//!   失效日期, 当前状态, 代替标准, 完全代替后继标准, 非完全代替后继标准 …, and in a full
//!   export 标准名称 / 英文标准名称, ICS, CCS, 归口单位): everything the platform records;
//! - **titled lists of every level** (`code,title,type,isMandatory,category,status,…`):
//!   national, industry, local and group standards with their Chinese titles.
//!
//! All three are CSV; [`parse_csv`] tells them apart by their header. Codes go
//! through the one normalizer ([`crate::code`]); level and nature follow the
//! code. A record of the national list has no status: it is marked
//! [`Provenance::Inferred`] and [`super::Catalogue::build`] infers it from
//! the editions of its number. The Chinese name of the adopted standard
//! (采标中文名称) is kept in `title_zh` marked [`Provenance::Adopted`].

use super::{Parsed, Rejection, normalize_record};
use crate::code::StdCode;
use crate::standard::{Adoption, AdoptionDegree, Category, Provenance, Standard, Status};

/// Which of the national catalogue's CSV shapes a header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `code,category_zh,adopted_international,adoption_type_zh,adoption_text_zh`.
    NationalList,
    /// The national platform's export, Chinese headers (`标准号` …).
    PlatformExport,
    /// `code,title,type,isMandatory,category,status,issueDate,implementDate,issuedBy,replaces,replacedBy`.
    TitledList,
    /// `code,title_zh,title_en` and nothing about status: titles only (the
    /// project's `core/data/gb_titles.csv`); the status stays to be inferred.
    Titles,
}

/// Titles of national standards (GB and GB/T) the national list gives
/// without one, written by the project (core/data/README.md).
pub const BUNDLED_TITLES: &str = include_str!("../../data/gb_titles.csv");

/// National standards in force that the national list lacks — the food
/// safety standards the National Health Commission issues (GB 2760, GB 2762,
/// GB 7718 …) and a few recent editions — in the platform export's shape,
/// written by the project (core/data/README.md). Known statuses: they win
/// over the list's inferences and supersede its older editions.
pub const BUNDLED_SUPPLEMENT: &str = include_str!("../../data/gb_supplement.csv");

impl Shape {
    pub fn of(headers: &csv::StringRecord) -> Option<Shape> {
        let has = |name: &str| {
            headers
                .iter()
                .any(|h| h.trim_start_matches('\u{feff}') == name)
        };
        if has("标准号") {
            Some(Shape::PlatformExport)
        } else if has("code") && (has("adopted_international") || has("category_zh")) {
            Some(Shape::NationalList)
        } else if has("code") && has("title") && has("type") {
            Some(Shape::TitledList)
        } else if has("code") && has("title_zh") && !has("status") {
            Some(Shape::Titles)
        } else {
            None
        }
    }
}

/// What the adopted-standard column of one row yielded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AdoptedCodes {
    /// Canonical edition ids (`IEC 60335-2-40:2005`), or lines where the
    /// source gives no year.
    pub codes: Vec<String>,
    /// Pieces that name something but are not a standard code the
    /// normalizer reads (`ISO/IEC导则第3部分:1997`, `联合国关于危险货物运输建议书`).
    pub unparsed: Vec<String>,
}

/// Reads the free-form adopted-standard column: several codes separated by
/// `;`, `；`, `、`, `,` or `及`; edition notes (`(Ed5.1)`, `(E)`, `（2007确认）`)
/// dropped; amendments (`ISO 16030:2001/Amd.1:2005`) read as the edition they amend.
pub fn adopted_codes(raw: &str) -> AdoptedCodes {
    let mut out = AdoptedCodes::default();
    let cleaned = strip_parentheticals(raw);
    for piece in cleaned.split([';', '；', '、', ',', '，', '及']) {
        let piece = piece.trim().trim_end_matches(['。', '.']);
        if piece.is_empty() {
            continue;
        }
        match StdCode::parse(piece) {
            Ok(code) => {
                let id = if code.year.is_some() {
                    code.edition_id()
                } else {
                    code.base()
                };
                if !out.codes.contains(&id) {
                    out.codes.push(id);
                }
            }
            Err(_) => out.unparsed.push(piece.to_string()),
        }
    }
    out
}

/// Drops `(…)` and `（…）` groups: edition notes, not part of a code.
fn strip_parentheticals(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The Chinese name of the adopted standard in the catalogue's 采标情况 text:
/// `…; 采标中文名称:家用和类似用途电器的安全 第2-40部分：…。` → `家用和类似用途电器的安全 第2-40部分：…`.
pub fn adopted_name_zh(adoption_text: &str) -> Option<String> {
    let (_, rest) = adoption_text.split_once("采标中文名称")?;
    let rest = rest.trim_start_matches([':', '：', ' ']);
    let name = rest
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(['。', '.'])
        .trim();
    (name.chars().count() >= 2).then(|| name.to_string())
}

fn status_zh(s: &str) -> Result<Option<Status>, String> {
    match s.trim() {
        "" => Ok(None),
        "现行" | "current" | "有效" => Ok(Some(Status::Current)),
        "即将实施" | "upcoming" => Ok(Some(Status::Upcoming)),
        "废止" | "作废" | "withdrawn" | "abolished" => Ok(Some(Status::Withdrawn)),
        "被代替" | "replaced" => Ok(Some(Status::Replaced)),
        other => Err(format!(
            "unknown status {:?}",
            other.chars().take(20).collect::<String>()
        )),
    }
}

/// `2020-03-31`, `2020/3/31` or `2020-03-31 00:00:00` → `2020-03-31`; empty → None.
fn date(s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let day = s.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
    let ok = !parts.is_empty()
        && parts.len() <= 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(format!(
            "invalid date {:?}",
            s.chars().take(20).collect::<String>()
        ));
    }
    let mut out = parts[0].to_string();
    for p in &parts[1..] {
        out.push('-');
        if p.len() == 1 {
            out.push('0');
        }
        out.push_str(p);
    }
    Ok(Some(out))
}

/// One replacement named in the platform's `代替标准`/successor columns.
struct Replacement {
    code: String,
    partly: bool,
}

/// `GB/T 1.1-2009 标准化工作导则 第1部分:… (全部代替); GB/T 1.2-2002 … (部分代替)`:
/// the codes, each with whether it is replaced partly. A piece that does not
/// start with a code is skipped (titles only, a committee number).
fn replacements(s: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    for piece in s.split([';', '；']) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let partly = piece.contains("部分代替");
        if let Some(code) = leading_code(piece)
            && !out.iter().any(|r: &Replacement| r.code == code)
        {
            out.push(Replacement { code, partly });
        }
    }
    out
}

/// The standard code a piece of text starts with (`GB/T 1.1-2009 标准化…` → `GB/T 1.1-2009`).
fn leading_code(piece: &str) -> Option<String> {
    // A code is at most four space-separated tokens (`GB/T 1.1-2009`, `GB 19147 -2013`);
    // try the longest prefix that parses as a dated code.
    let tokens: Vec<&str> = piece.split_whitespace().take(4).collect();
    (1..=tokens.len()).rev().find_map(|n| {
        let candidate = tokens[..n].join(" ");
        StdCode::parse(&candidate)
            .ok()
            .filter(|c| c.year.is_some())
            .map(|c| c.edition_id())
    })
}

struct Columns {
    headers: Vec<String>,
}

impl Columns {
    fn new(headers: &csv::StringRecord) -> Self {
        Self {
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
        }
    }

    /// The first of `names` the header has, in that row.
    fn get<'r>(&self, rec: &'r csv::StringRecord, names: &[&str]) -> &'r str {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h == n))
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }
}

fn split_codes(s: &str) -> Vec<String> {
    s.split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// Parses one of the national catalogue's CSV shapes into records.
pub fn parse_csv(
    shape: Shape,
    reader: &mut csv::Reader<&[u8]>,
    headers: &csv::StringRecord,
    source: &str,
    parsed: &mut Parsed,
) {
    let cols = Columns::new(headers);
    let code_names: &[&str] = match shape {
        Shape::PlatformExport => &["标准号"],
        _ => &["code"],
    };
    if !code_names.iter().any(|n| cols.has(n)) {
        parsed.rejections.push(Rejection {
            line: 1,
            reason: format!("header has no `{}` column", code_names[0]),
        });
        return;
    }
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let result = rec
            .map_err(|e| format!("malformed CSV row: {e}"))
            .and_then(|rec| match shape {
                Shape::NationalList => national_row(&cols, &rec, source, parsed),
                Shape::PlatformExport => platform_row(&cols, &rec, source, parsed),
                Shape::TitledList => titled_row(&cols, &rec, source),
                Shape::Titles => Ok(Standard {
                    id: cols.get(&rec, &["code"]).to_string(),
                    title_zh: cols.get(&rec, &["title_zh"]).to_string(),
                    title_en: cols.get(&rec, &["title_en"]).to_string(),
                    status_source: Provenance::Inferred,
                    source: source.to_string(),
                    ..Default::default()
                }),
            })
            .and_then(normalize_record);
        match result {
            Ok(s) => parsed.standards.push(s),
            Err(reason) => parsed.rejections.push(Rejection { line, reason }),
        }
    }
}

/// The adoption columns shared by the list and the platform export.
fn adoption(
    parsed: &mut Parsed,
    adopted: &str,
    degree: &str,
    adoption_text: &str,
) -> Result<(Vec<Adoption>, Option<String>), String> {
    if adopted.is_empty() {
        return Ok((Vec::new(), None));
    }
    let degree = match degree.trim() {
        "" => None,
        d => Some(AdoptionDegree::parse(d).ok_or_else(|| {
            format!(
                "unknown adoption degree {:?}",
                d.chars().take(20).collect::<String>()
            )
        })?),
    };
    let codes = adopted_codes(adopted);
    parsed.adoptions.rows += 1;
    if codes.codes.is_empty() {
        parsed.adoptions.unparsed += 1;
    }
    let adopts = codes
        .codes
        .into_iter()
        .map(|id| Adoption { id, degree })
        .collect();
    Ok((adopts, adopted_name_zh(adoption_text)))
}

fn national_row(
    cols: &Columns,
    rec: &csv::StringRecord,
    source: &str,
    parsed: &mut Parsed,
) -> Result<Standard, String> {
    let category = match cols.get(rec, &["category_zh"]) {
        "" => None,
        c => Some(Category::parse(c).ok_or_else(|| {
            format!(
                "unknown category {:?}",
                c.chars().take(20).collect::<String>()
            )
        })?),
    };
    let (adopts, adopted_zh) = adoption(
        parsed,
        cols.get(rec, &["adopted_international"]),
        cols.get(rec, &["adoption_type_zh"]),
        cols.get(rec, &["adoption_text_zh"]),
    )?;
    let mut s = Standard {
        id: cols.get(rec, &["code"]).to_string(),
        category,
        adopts,
        status_source: Provenance::Inferred,
        source: source.to_string(),
        ..Default::default()
    };
    if let Some(name) = adopted_zh {
        s.title_zh = name;
        s.title_source = Provenance::Adopted;
    }
    Ok(s)
}

fn platform_row(
    cols: &Columns,
    rec: &csv::StringRecord,
    source: &str,
    parsed: &mut Parsed,
) -> Result<Standard, String> {
    let (adopts, adopted_zh) = adoption(
        parsed,
        cols.get(rec, &["国际标准编号"]),
        cols.get(rec, &["采标类型"]),
        cols.get(rec, &["原始采标情况", "采标情况"]),
    )?;
    let status = status_zh(cols.get(rec, &["当前状态", "标准状态"]))?;
    let category = match cols.get(rec, &["标准类别"]) {
        "" => None,
        c => Category::parse(c),
    };
    let mut s = Standard {
        id: cols.get(rec, &["标准号"]).to_string(),
        title_zh: cols
            .get(rec, &["标准名称", "中文标准名称", "标准中文名称"])
            .to_string(),
        title_en: cols.get(rec, &["英文标准名称", "标准英文名称"]).to_string(),
        ics: split_codes(cols.get(rec, &["ICS", "国际标准分类号", "ICS分类号"])),
        ccs: split_codes(cols.get(rec, &["CCS", "中国标准分类号", "中标分类号"])),
        committee: cols.get(rec, &["归口单位", "技术归口"]).to_string(),
        category,
        adopts,
        status: status.unwrap_or_default(),
        status_source: if status.is_some() {
            Provenance::Source
        } else {
            Provenance::Inferred
        },
        published: date(cols.get(rec, &["发布日期"]))?,
        effective: date(cols.get(rec, &["实施日期", "生效日期"]))?,
        withdrawn: date(cols.get(rec, &["失效日期", "废止日期"]))?,
        source: source.to_string(),
        ..Default::default()
    };
    if s.title_zh.is_empty()
        && let Some(name) = adopted_zh
    {
        s.title_zh = name;
        s.title_source = Provenance::Adopted;
    }
    for r in replacements(cols.get(rec, &["代替标准"])) {
        // An older edition replaced only in part keeps its own life; the
        // relation is recorded from its side (partly_replaced_by).
        if !r.partly {
            s.replaces.push(r.code);
        }
    }
    for r in replacements(cols.get(rec, &["完全代替后继标准"])) {
        s.replaced_by.push(r.code);
    }
    for r in replacements(cols.get(rec, &["非完全代替后继标准"])) {
        if !s.replaced_by.contains(&r.code) {
            s.partly_replaced_by.push(r.code);
        }
    }
    // A withdrawn edition with a whole successor is replaced, not merely withdrawn.
    if s.status == Status::Withdrawn && !s.replaced_by.is_empty() {
        s.status = Status::Replaced;
    }
    Ok(s)
}

fn titled_row(cols: &Columns, rec: &csv::StringRecord, source: &str) -> Result<Standard, String> {
    let status = status_zh(cols.get(rec, &["status"]))?;
    // replacedBy sometimes holds a committee number (`TC456`): only codes count.
    let codes = |s: &str| -> Vec<String> {
        split_codes(s)
            .into_iter()
            .filter_map(|c| StdCode::parse(&c).ok().filter(|c| c.year.is_some()))
            .map(|c| c.edition_id())
            .collect()
    };
    let mut s = Standard {
        id: cols.get(rec, &["code"]).to_string(),
        title_zh: cols.get(rec, &["title"]).to_string(),
        status: status.unwrap_or_default(),
        status_source: if status.is_some() {
            Provenance::Source
        } else {
            Provenance::Inferred
        },
        published: date(cols.get(rec, &["issueDate"]))?,
        effective: date(cols.get(rec, &["implementDate"]))?,
        committee: cols.get(rec, &["issuedBy"]).to_string(),
        replaces: codes(cols.get(rec, &["replaces"])),
        replaced_by: codes(cols.get(rec, &["replacedBy"])),
        source: source.to_string(),
        ..Default::default()
    };
    if s.status == Status::Withdrawn && !s.replaced_by.is_empty() {
        s.status = Status::Replaced;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adopted_spellings() {
        let cases: &[(&str, &[&str], usize)] = &[
            ("IEC 60335-2-6:2005(Ed5.1)", &["IEC 60335-2-6:2005"], 0),
            ("ISO 20671-3：2023", &["ISO 20671-3:2023"], 0),
            ("IEC/TR 62726:2014", &["IEC TR 62726:2014"], 0),
            ("ISO 16030:2001/Amd.1:2005", &["ISO 16030:2001"], 0),
            ("ISO/IEC导则第3部分:1997", &[], 1),
            (
                "ISO 1180:1983、ISO 723:1991",
                &["ISO 1180:1983", "ISO 723:1991"],
                0,
            ),
            (
                "IEC TR 61788-20:2014；IEC 61788-21:2015",
                &["IEC TR 61788-20:2014", "IEC 61788-21:2015"],
                0,
            ),
            (
                "ISO 10303-42:2003及ISO 10303-42:2003/Cor.1:2007",
                &["ISO 10303-42:2003"],
                0,
            ),
            ("ISO 10055:1996（E）", &["ISO 10055:1996"], 0),
            ("ISO 2647", &["ISO 2647"], 0),
        ];
        for (raw, codes, unparsed) in cases {
            let got = adopted_codes(raw);
            assert_eq!(got.codes, *codes, "{raw}");
            assert_eq!(got.unparsed.len(), *unparsed, "{raw}: {:?}", got.unparsed);
        }
    }

    #[test]
    fn adopted_chinese_name() {
        let text = "本标准等同采用IEC国际标准：IEC 60335-2-40:2005。; 采标中文名称:家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求。";
        assert_eq!(
            adopted_name_zh(text).as_deref(),
            Some("家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求")
        );
        assert_eq!(adopted_name_zh("…; 采标中文名称:。"), None);
        assert_eq!(adopted_name_zh("本标准等同采用…"), None);
    }

    #[test]
    fn replacement_lists_read_whole_and_partial() {
        let r = replacements(
            "GB/T 1.1-2009 标准化工作导则  第1部分:标准的结构和编写 (全部代替); GB/T 1.2-2002 标准化工作导则 (部分代替); TC456",
        );
        let got: Vec<(&str, bool)> = r.iter().map(|r| (r.code.as_str(), r.partly)).collect();
        assert_eq!(got, vec![("GB/T 1.1-2009", false), ("GB/T 1.2-2002", true)]);
    }

    #[test]
    fn dates() {
        assert_eq!(date("2020-03-31").unwrap().as_deref(), Some("2020-03-31"));
        assert_eq!(
            date("2020/3/1 00:00:00").unwrap().as_deref(),
            Some("2020-03-01")
        );
        assert_eq!(date("").unwrap(), None);
        assert!(date("next year").is_err());
    }
}
