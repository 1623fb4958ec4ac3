//! Reading a code: preparing the input, cutting it into tokens, and the
//! parser.

mod chinese;
mod etsi;
mod international;

use unicode_normalization::UnicodeNormalization;

use super::prefixes::{Style, style_of};
use super::{CodeError, Extras, MAX_CODE_LEN, StdCode};

pub(super) fn parse_full(input: &str) -> Result<(StdCode, Extras), CodeError> {
    let norm = prepare(input)?;
    let (code, extras) = parse_normalized(&norm, input.trim())?;
    // The canonical spelling can be longer than the input (spaces, `/AMD1`
    // for `+A1`); it must stay within the limit to read back as itself.
    let len = code.canonical().chars().count();
    if len > MAX_CODE_LEN {
        return Err(CodeError::TooLong {
            len,
            max: MAX_CODE_LEN,
        });
    }
    Ok((code, extras))
}

/// NFKC, one kind of dash and space, upper case, wrappers trimmed; rejects what cannot be a code.
pub(super) fn prepare(input: &str) -> Result<String, CodeError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CodeError::Empty);
    }
    let len = trimmed.chars().count();
    if len > MAX_CODE_LEN {
        return Err(CodeError::TooLong {
            len,
            max: MAX_CODE_LEN,
        });
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    let mut push = |c: char| {
        let c = match c {
            // Chinese codes write the year after an em dash; dashes of every width are one.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return,
            c if c.is_whitespace() => {
                pending_space = true;
                return;
            }
            c => c,
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c.to_ascii_uppercase());
    };
    // NFKC leaves ASCII as it is; most codes are ASCII and skip its tables.
    if trimmed.is_ascii() {
        trimmed.chars().for_each(&mut push);
    } else {
        trimmed.nfkc().for_each(&mut push);
    }
    // Pasted codes come wrapped in quotes or title marks, or end a sentence.
    let out = out
        .trim_matches(|c| "\"'“”‘’《》〈〉「」『』【】".contains(c))
        .trim_end_matches(['.', ',', ';', ':', '。'])
        .trim();
    if out.is_empty() {
        return Err(CodeError::Empty);
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return Err(CodeError::NoNumber(trimmed.to_string()));
    }
    if let Some(ch) = out
        .chars()
        .find(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || " /-:.+()".contains(c)))
    {
        return Err(CodeError::InvalidChar {
            code: trimmed.to_string(),
            ch,
        });
    }
    Ok(out.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Sep(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    /// Whitespace came before this token.
    spaced: bool,
    /// Byte offset in the normalized string.
    start: usize,
}

/// Letters, digits and single separators; `s` is ASCII (checked by `prepare`).
fn lex(s: &str) -> Vec<Tok<'_>> {
    let bytes = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < bytes.len() {
        let start = i;
        let kind = if bytes[i] == b' ' {
            spaced = true;
            i += 1;
            continue;
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            Kind::Word
        } else if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            Kind::Num
        } else {
            i += 1;
            Kind::Sep(bytes[start])
        };
        toks.push(Tok {
            kind,
            text: &s[start..i],
            spaced,
            start,
        });
        spaced = false;
    }
    toks
}

pub(super) fn parse_normalized(norm: &str, code: &str) -> Result<(StdCode, Extras), CodeError> {
    let mut p = Parser {
        norm,
        toks: lex(norm),
        i: 0,
        code,
        extras: Extras::default(),
    };
    if p.word_at(0).is_none() {
        return Err(CodeError::NoPrefix(code.to_string()));
    }
    // Compact ETSI ids: "etsien300362v1.3.1(2004-01)".
    p.split_glued_etsi();
    let parsed = if p.word_at(0) == Some("ETSI") {
        p.i = 1;
        let prefix = p.etsi_prefix();
        p.etsi_rest(prefix)?
    } else {
        let prefix = match p.chinese_prefix()? {
            Some(prefix) => prefix,
            None => p.intl_prefix()?,
        };
        // One stray separator between prefix and number: "ISO-9001", "DB44/ 1234".
        if (p.sep_at(0, b'-') || p.sep_at(0, b'/')) && p.num_at(1).is_some() {
            p.i += 1;
        }
        match style_of(&prefix) {
            Style::Chinese => p.chinese_rest(prefix)?,
            style => p.intl_rest(prefix, style)?,
        }
    };
    Ok((parsed, p.extras))
}

struct Parser<'a> {
    norm: &'a str,
    toks: Vec<Tok<'a>>,
    i: usize,
    /// The input as given (trimmed), for error messages.
    code: &'a str,
    extras: Extras,
}

impl<'a> Parser<'a> {
    fn peek(&self, k: usize) -> Option<Tok<'a>> {
        self.toks.get(self.i + k).copied()
    }

    fn sep_at(&self, k: usize, c: u8) -> bool {
        self.peek(k).is_some_and(|t| t.kind == Kind::Sep(c))
    }

    fn word_at(&self, k: usize) -> Option<&'a str> {
        self.peek(k)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text)
    }

    fn num_at(&self, k: usize) -> Option<Tok<'a>> {
        self.peek(k).filter(|t| t.kind == Kind::Num)
    }

    fn no_number(&self) -> CodeError {
        CodeError::NoNumber(self.code.to_string())
    }

    fn unknown(&self, prefix: String) -> CodeError {
        CodeError::UnknownPrefix {
            code: self.code.to_string(),
            prefix,
        }
    }

    fn bad_year(&self, year: &str) -> CodeError {
        CodeError::InvalidYear {
            code: self.code.to_string(),
            year: year.to_string(),
        }
    }

    /// Everything must have been read.
    fn finish(&self) -> Result<(), CodeError> {
        match self.peek(0) {
            None => Ok(()),
            Some(t) => Err(CodeError::Trailing {
                code: self.code.to_string(),
                rest: self.norm[t.start..].to_string(),
            }),
        }
    }
}

/// Four digits in 1900–2099.
pub(super) fn plausible_year(s: &str) -> Option<u16> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|y| (1900..=2099).contains(y))
}
