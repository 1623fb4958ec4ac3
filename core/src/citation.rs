//! The vocabulary of a document check (issue 21): the formats a document
//! comes in and the verdict on each standard it cites. The check itself
//! lives in the standards service (`stdnav_standards::check`).

use serde::Serialize;

/// A document's format; `detect` tells them apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocFormat {
    Text,
    Pdf,
    Docx,
    Xlsx,
    Csv,
}

impl DocFormat {
    pub fn name(self) -> &'static str {
        match self {
            DocFormat::Text => "text",
            DocFormat::Pdf => "pdf",
            DocFormat::Docx => "docx",
            DocFormat::Xlsx => "xlsx",
            DocFormat::Csv => "csv",
        }
    }

    /// The format a file name's extension names (`.pdf`, `.docx`, `.xlsx`,
    /// `.csv`, `.txt`); None for others, which are detected.
    pub fn from_name(name: &str) -> Option<DocFormat> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(DocFormat::Pdf),
            "docx" => Some(DocFormat::Docx),
            "xlsx" | "xlsm" => Some(DocFormat::Xlsx),
            "csv" => Some(DocFormat::Csv),
            "txt" | "text" | "md" => Some(DocFormat::Text),
            _ => None,
        }
    }
}

/// The check's verdict on one citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CitationStatus {
    /// The edition cited (or, undated, the line) is in force.
    Current,
    /// Replaced by a newer edition or another standard.
    Superseded,
    /// Withdrawn (abolished) without a replacement in force.
    Withdrawn,
    /// Published, not yet in force.
    Upcoming,
    /// Not in the catalogue (or not a standard yet: a draft).
    Unknown,
}

impl CitationStatus {
    pub const ALL: [CitationStatus; 5] = [
        Self::Current,
        Self::Superseded,
        Self::Withdrawn,
        Self::Upcoming,
        Self::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Superseded => "superseded",
            Self::Withdrawn => "withdrawn",
            Self::Upcoming => "upcoming",
            Self::Unknown => "unknown",
        }
    }

    /// Superseded or withdrawn: the document should cite something else.
    pub fn is_outdated(self) -> bool {
        matches!(self, Self::Superseded | Self::Withdrawn)
    }
}
