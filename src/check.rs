//! `stdnav check FILE… | -`: the document check (标准有效性核查, issue 21)
//! in this process — the standards service's own domain over the catalogue
//! under --home, as `stdnav search` runs it — printed as JSON, CSV or a
//! report in Chinese or English, with an exit code for scripts.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};

use stdnav_advisor::report::Lang;
use stdnav_standards::check::{CheckReport, Citation, CitationStatus, Document};
use stdnav_standards::domain::Standards;
use stdnav_standards::error::StandardsError;
use stdnav_standards::extract::{DocFormat, MAX_INPUT_BYTES};

/// Exit code when `--fail-on outdated` finds something superseded or withdrawn.
pub const EXIT_OUTDATED: u8 = 4;
/// Exit code when a document cannot be read (empty, too large, encrypted, corrupt …).
pub const EXIT_UNREADABLE: u8 = 2;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Documents to check: text (UTF-8 or GBK/GB18030), PDF (text layer),
    /// DOCX, XLSX or CSV, at most 60 MiB each; `-` reads standard input
    /// (e.g. a pasted list of codes).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output: text (a report to hand over), json (one object) or csv (one
    /// row per cited code).
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// Language of the text report: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
    /// Read every input as this format instead of telling it from its name
    /// and content (useful with `-`).
    #[arg(long = "as", value_enum)]
    pub input_format: Option<InputFormat>,
    /// Exit with code 4 when something cited is superseded or withdrawn
    /// (for CI over a team's documents).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormat {
    Text,
    Pdf,
    Docx,
    Xlsx,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// A cited standard is superseded or withdrawn.
    Outdated,
}

impl From<InputFormat> for DocFormat {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Text => DocFormat::Text,
            InputFormat::Pdf => DocFormat::Pdf,
            InputFormat::Docx => DocFormat::Docx,
            InputFormat::Xlsx => DocFormat::Xlsx,
            InputFormat::Csv => DocFormat::Csv,
        }
    }
}

/// Reads one input, refusing more than the limit without reading it all.
fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    let limit = MAX_INPUT_BYTES as u64 + 1;
    let mut content = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut content)
            .context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut content))
            .with_context(|| format!("reading {}", path.display()))?;
    }
    Ok(content)
}

pub fn run(standards: &Standards, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut documents = Vec::new();
    for path in &args.files {
        let name = if path == Path::new("-") {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        let format = args
            .input_format
            .map(DocFormat::from)
            .or_else(|| DocFormat::from_name(&name));
        documents.push(Document {
            content: read_input(path)?,
            name,
            format,
        });
    }
    let report = match standards.check_citations(&documents) {
        Ok(report) => report,
        Err(StandardsError::InvalidArgument(violations)) => {
            for (_, why) in violations {
                eprintln!("cannot check: {why}");
            }
            return Ok(ExitCode::from(EXIT_UNREADABLE));
        }
        Err(e) => return Err(e.into()),
    };
    match args.format {
        CheckFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        CheckFormat::Csv => print!("{}", csv(&report)?),
        CheckFormat::Text => print!("{}", render(&report, args.lang)),
    }
    if matches!(args.fail_on, Some(FailOn::Outdated)) && report.has_outdated() {
        return Ok(ExitCode::from(EXIT_OUTDATED));
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the catalogue and runs the check (the command's entry).
pub fn command(home: &Path, data: Option<&Path>, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let store = crate::cli::open_catalogue(home, data)?;
    let standards = Standards::with_store(Arc::new(store));
    run(&standards, args)
}

/// One row per cited code, known and unknown.
pub fn csv(report: &CheckReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "status",
        "status_inferred",
        "mandatory",
        "undated",
        "resolved",
        "in_force",
        "path",
        "partly_replaced_by",
        "adopts",
        "adopted_current",
        "title_zh",
        "title_en",
        "occurrences",
        "first_place",
        "context",
        "notes",
    ])?;
    for c in report.citations.iter().chain(&report.unknown) {
        let first = c.places.first();
        w.write_record([
            c.code.as_str(),
            c.status.name(),
            bool_str(c.status_inferred),
            bool_str(c.mandatory),
            bool_str(c.undated),
            &c.resolved,
            &c.in_force,
            &c.path.join(" > "),
            &c.partly_replaced_by.join("; "),
            &c.adopts
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            &c.adopts
                .iter()
                .filter_map(|a| a.current.as_deref())
                .collect::<Vec<_>>()
                .join("; "),
            &c.title_zh,
            &c.title_en,
            &c.occurrences.to_string(),
            &first.map(|p| p.location.describe()).unwrap_or_default(),
            first.map(|p| p.context.as_str()).unwrap_or_default(),
            &c.notes.join("; "),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The words of the text report in one language.
struct Words {
    title: &'static str,
    documents: &'static str,
    total: &'static str,
    update_first: &'static str,
    none_outdated: &'static str,
    details: &'static str,
    unknown: &'static str,
    warnings: &'static str,
    mandatory: &'static str,
    inferred: &'static str,
    undated: &'static str,
    edition_number: &'static str,
    path: &'static str,
    partly: &'static str,
    adopts: &'static str,
    revised_as: &'static str,
    in_force_on: &'static str,
    cited: &'static str,
    times: &'static str,
    not_in_catalogue: &'static str,
    european_adoption: &'static str,
    no_replacement: &'static str,
    footer: &'static str,
}

const ZH: Words = Words {
    title: "标准有效性核查报告",
    documents: "核查文件",
    total: "引用标准",
    update_first: "优先更新（强制性标准优先，废止先于被代替）",
    none_outdated: "未发现被代替或废止的标准。",
    details: "逐项结果",
    unknown: "目录中未收录的标准代号（请人工核对）",
    warnings: "提示",
    mandatory: "强制性",
    inferred: "状态系根据同号标准的版本推断",
    undated: "未注日期引用，按现行版本核查",
    edition_number: "引用了版次",
    path: "版本路径",
    partly: "部分被代替",
    adopts: "采用国际标准",
    revised_as: "该国际标准已修订为",
    in_force_on: "实施日期",
    cited: "出现",
    times: " 次",
    not_in_catalogue: "目录中未收录",
    european_adoption: "为欧洲标准对国际标准的采用，国际标准现行版本",
    no_replacement: "目录中无现行替代标准",
    footer: "本报告由 stdnav 依据所载标准目录自动生成；推断的状态与未收录的代号请以官方发布为准。",
};

const EN: Words = Words {
    title: "Standards validity check",
    documents: "Documents checked",
    total: "Standards cited",
    update_first: "Update first (mandatory first, withdrawn before superseded)",
    none_outdated: "Nothing cited is superseded or withdrawn.",
    details: "Each citation",
    unknown: "Codes the catalogue does not list (check them by hand)",
    warnings: "Notes",
    mandatory: "mandatory",
    inferred: "status inferred from the editions of the number",
    undated: "undated reference, checked against the current edition",
    edition_number: "edition number cited",
    path: "path",
    partly: "partly replaced by",
    adopts: "adopts",
    revised_as: "since revised as",
    in_force_on: "in force from",
    cited: "cited",
    times: "×",
    not_in_catalogue: "not in the catalogue",
    european_adoption: "the European adoption of an international standard whose edition in force is",
    no_replacement: "no replacement in force in the catalogue",
    footer: "Generated by stdnav from the catalogues it holds; confirm inferred statuses and unlisted codes against the official publications.",
};

fn status_label(s: CitationStatus, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::Zh, CitationStatus::Current) => "现行",
        (Lang::Zh, CitationStatus::Superseded) => "被代替",
        (Lang::Zh, CitationStatus::Withdrawn) => "废止",
        (Lang::Zh, CitationStatus::Upcoming) => "即将实施",
        (Lang::Zh, CitationStatus::Unknown) => "未收录",
        (Lang::En, s) => s.name(),
    }
}

/// The text report an agency can hand over, in Chinese or English.
pub fn render(report: &CheckReport, lang: Lang) -> String {
    use std::fmt::Write;
    let w = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", w.title);
    let _ = writeln!(out, "{}:", w.documents);
    for d in &report.documents {
        let mut what = d.format.name().to_uppercase();
        if d.pages > 0 {
            what.push_str(&match lang {
                Lang::Zh => format!(", {} 页", d.pages),
                Lang::En => format!(", {} pages", d.pages),
            });
        }
        if !d.encoding.is_empty() {
            what.push_str(&format!(", {}", d.encoding));
        }
        let _ = writeln!(out, "  {} ({what})", d.name);
    }
    let counts: Vec<String> = report
        .summary
        .by_status
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{} {n}", status_label(*s, lang)))
        .collect();
    let _ = writeln!(
        out,
        "\n{}: {} ({})",
        w.total,
        report.summary.total,
        counts.join(", ")
    );
    let _ = writeln!(out, "\n{}:", w.update_first);
    if report.summary.update_first.is_empty() {
        let _ = writeln!(out, "  {}", w.none_outdated);
    }
    for (i, code) in report.summary.update_first.iter().enumerate() {
        if let Some(c) = report.citations.iter().find(|c| &c.code == code) {
            let target = if c.in_force.is_empty() {
                w.no_replacement.to_string()
            } else {
                format!("→ {}", c.in_force)
            };
            let mandatory = if c.mandatory {
                format!(" [{}]", w.mandatory)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}. {}{mandatory} {} {target}",
                i + 1,
                c.code,
                status_label(c.status, lang)
            );
        }
    }
    let _ = writeln!(out, "\n{}:", w.details);
    for c in &report.citations {
        citation(&mut out, c, w, lang);
    }
    if !report.unknown.is_empty() {
        let _ = writeln!(out, "\n{}:", w.unknown);
        for c in &report.unknown {
            citation(&mut out, c, w, lang);
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\n{}:", w.warnings);
        for warning in &report.warnings {
            let _ = writeln!(out, "  {warning}");
        }
    }
    let _ = writeln!(out, "\n{}", w.footer);
    out
}

fn citation(out: &mut String, c: &Citation, w: &Words, lang: Lang) {
    use std::fmt::Write;
    let title = match lang {
        Lang::Zh if !c.title_zh.is_empty() => &c.title_zh,
        _ if !c.title_en.is_empty() => &c.title_en,
        _ => &c.title_zh,
    };
    let mut head = format!("  {} [{}", c.code, status_label(c.status, lang));
    if c.mandatory {
        head.push_str(&format!(", {}", w.mandatory));
    }
    head.push(']');
    if !c.in_force.is_empty() && c.in_force != c.resolved {
        head.push_str(&format!(" → {}", c.in_force));
    }
    if !title.is_empty() {
        head.push_str(&format!("  {title}"));
    }
    let _ = writeln!(out, "{head}");
    let mut notes: Vec<String> = Vec::new();
    if c.undated && !c.resolved.is_empty() {
        notes.push(format!("{} ({})", w.undated, c.resolved));
    }
    if let Some(n) = c.edition_number {
        notes.push(format!("{} {n}", w.edition_number));
    }
    if c.path.len() > 1 {
        notes.push(format!("{}: {}", w.path, c.path.join(" → ")));
    }
    if c.status == CitationStatus::Withdrawn && c.in_force.is_empty() {
        notes.push(w.no_replacement.to_string());
    }
    if c.status == CitationStatus::Upcoming && !c.effective.is_empty() {
        notes.push(format!("{} {}", w.in_force_on, c.effective));
    }
    if !c.partly_replaced_by.is_empty() {
        notes.push(format!("{} {}", w.partly, c.partly_replaced_by.join(", ")));
    }
    if c.status_inferred {
        notes.push(w.inferred.to_string());
    }
    if c.resolved.is_empty() {
        match c.adopts.first().and_then(|a| a.current.as_deref()) {
            Some(current) => notes.push(format!(
                "{}; {} {current}",
                w.not_in_catalogue, w.european_adoption
            )),
            None => notes.push(w.not_in_catalogue.to_string()),
        }
    } else {
        for a in &c.adopts {
            let mut note = format!("{} {}", w.adopts, a.id);
            if let Some(degree) = a.degree {
                note.push_str(&format!(" ({})", degree.code()));
            }
            if a.revised {
                note.push_str(&format!(
                    ", {} {}",
                    w.revised_as,
                    a.current.as_deref().unwrap_or("")
                ));
            }
            notes.push(note);
        }
    }
    for note in notes {
        let _ = writeln!(out, "      {note}");
    }
    if let Some(first) = c.places.first() {
        let _ = writeln!(
            out,
            "      {} {}{}: {} “{}”",
            w.cited,
            c.occurrences,
            w.times,
            place(&first.location, lang),
            first.context
        );
    }
}

/// `spec.pdf 第3页第12行` / `spec.pdf p. 3 l. 12`, `list.xlsx Sheet1!B3`.
fn place(at: &stdnav_standards::extract::Location, lang: Lang) -> String {
    match lang {
        Lang::En => at.describe(),
        Lang::Zh => {
            let mut out = at.document.clone();
            out.push(' ');
            if at.page > 0 {
                out.push_str(&format!("第{}页", at.page));
            }
            if !at.cell.is_empty() {
                out.push_str(&at.cell);
            } else if at.line > 0 {
                out.push_str(&format!("第{}行", at.line));
            }
            out
        }
    }
}
