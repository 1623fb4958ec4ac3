//! Finding codes in running text.

use super::StdCode;
use super::prefixes::{INTERNATIONAL, REGIONAL, is_body, is_cn_base};
use super::read::{parse_full, plausible_year};

/// A code found in running text by [`find_codes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range of the citation in the text searched.
    pub start: usize,
    pub end: usize,
    pub code: StdCode,
    /// The edition number cited (`Ed.6`), see [`edition_of`].
    pub edition: Option<u16>,
    /// Read from a list after another code, taking its prefix: `4706.32` in
    /// `GB 4706.1、4706.32`.
    pub listed: bool,
}

/// Longest run of code characters tried as one citation, in characters.
const MAX_CANDIDATE_CHARS: usize = 80;

/// Every standard code cited in `text`, in order, in any spelling
/// [`StdCode::parse`] reads: `GB/T 19001—2016`, `ＧＢ４７０６．１－２００５`,
/// `GB4706.1`, `ISO 9001:2015`, `IEC 60335-2-40 Ed.6`, `EN ISO 13849-1`,
/// `IEC 60335-2-40:2018+AMD1:2023`, and the numbers of a list that follow a
/// code with its prefix (`GB 4706.1、4706.32`).
///
/// A citation starts at a known prefix written in capitals (so English words
/// such as "is" or "as" never start one) after a character that is not a
/// letter or digit, and is the longest run of code characters from there
/// that parses. Full-width forms count as their ASCII forms; offsets are
/// those of `text` as given.
pub fn find_codes(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut prev_alnum = false;
    let mut skip_to = 0;
    for (at, c) in text.char_indices() {
        let f = fold(c);
        let starts = !prev_alnum && f.is_ascii_uppercase() && at >= skip_to;
        prev_alnum = f.is_ascii_alphanumeric();
        if !starts {
            continue;
        }
        let Some(found) = code_at(text, at) else {
            continue;
        };
        skip_to = found.end;
        let (prefix, end) = (found.code.prefix.clone(), found.end);
        out.push(found);
        skip_to = listed_after(text, end, &prefix, &mut out).max(skip_to);
    }
    out
}

/// Full-width ASCII as ASCII, the ideographic space as a space, every dash as `-`.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => '-',
        c => c,
    }
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " /-:.+()".contains(c)
}

/// The first word at `at` (capital letters, folded) opens a citation.
fn is_anchor(word: &str, next: Option<char>) -> bool {
    match word {
        // Capitalised English words that are also bodies open a citation
        // only as a joint prefix (`AS/NZS 60335.1`).
        "T" | "Q" | "AS" | "IS" | "SI" | "MS" | "NS" | "DS" | "SS" | "PD" => next == Some('/'),
        "DB" => true,
        w => {
            is_cn_base(w)
                || is_body(w)
                || w.strip_suffix('T').is_some_and(is_cn_base)
                || (w.len() >= 4
                    && INTERNATIONAL
                        .iter()
                        .chain(REGIONAL)
                        .any(|b| w.starts_with(b)))
        }
    }
}

/// The longest citation starting at byte `at` of `text`.
fn code_at(text: &str, at: usize) -> Option<Found> {
    // The run of code characters from `at`: folded chars and their byte offsets.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut word = String::new();
    let mut in_word = true;
    for (i, c) in text[at..].char_indices() {
        let f = fold(c);
        let space = f == ' ' || f == '\t';
        if !(is_code_char(f) || space) || run.len() >= MAX_CANDIDATE_CHARS {
            break;
        }
        // One space between parts; a line break or two spaces end the citation.
        if space && run.last().is_some_and(|&(_, p)| p == ' ') {
            break;
        }
        if in_word {
            if f.is_ascii_uppercase() {
                word.push(f);
            } else {
                in_word = false;
                if !is_anchor(&word, Some(f)) {
                    return None;
                }
            }
        }
        run.push((at + i, if space { ' ' } else { f }));
    }
    if in_word {
        return None;
    }
    // Cut after each letter or digit run, longest first.
    let folded: String = run.iter().map(|&(_, c)| c).collect();
    let cuts: Vec<usize> = (0..run.len())
        .filter(|&k| {
            run[k].1.is_ascii_alphanumeric()
                && run.get(k + 1).is_none_or(|n| !n.1.is_ascii_alphanumeric())
        })
        .collect();
    for &k in cuts.iter().rev() {
        // `folded` is ASCII: char k is byte k.
        let candidate = &folded[..=k];
        if !candidate.bytes().any(|b| b.is_ascii_digit()) {
            break;
        }
        if let Ok((code, extras)) = parse_full(candidate) {
            let last_at = run[k].0;
            return Some(Found {
                start: at,
                end: last_at + text[last_at..].chars().next().map_or(1, char::len_utf8),
                code,
                edition: extras.edition,
                listed: false,
            });
        }
    }
    None
}

/// Numbers listed after a code at `end` with its prefix (`、4706.32`,
/// `，4706.32—2012`, ` 和 4706.2`), pushed to `out`; returns where the list ends.
fn listed_after(text: &str, mut end: usize, prefix: &str, out: &mut Vec<Found>) -> usize {
    loop {
        let rest = &text[end..];
        let trimmed = rest.trim_start_matches([' ', '\u{3000}']);
        let Some(sep) = ["、", "，", "；", "和", "及", "与", ", ", "; "]
            .iter()
            .find(|s| trimmed.starts_with(**s))
        else {
            return end;
        };
        let after_sep = &trimmed[sep.len()..];
        let number = after_sep.trim_start_matches([' ', '\u{3000}']);
        let start = end + (rest.len() - number.len());
        // A number: digits, dots and one dash or colon with a year.
        let mut len = 0;
        for (i, c) in number.char_indices() {
            let f = fold(c);
            if f.is_ascii_digit() || ((f == '.' || f == '-' || f == ':') && i > 0) {
                len = i + c.len_utf8();
            } else {
                break;
            }
        }
        let digits = number[..len].trim_end_matches(|c: char| !fold(c).is_ascii_digit());
        if digits.is_empty() || !fold(digits.chars().next().unwrap_or(' ')).is_ascii_digit() {
            return end;
        }
        let spelled: String = digits.chars().map(fold).collect();
        // A bare year is not a part number ("GB/T 19001-2016, 2017 edition"),
        // nor, after an ASCII comma, a number without a part or year.
        let plain = !spelled.contains(['.', '-', ':']);
        if plain && (plausible_year(&spelled).is_some() || sep.is_ascii()) {
            return end;
        }
        let Ok((code, extras)) = parse_full(&format!("{prefix} {spelled}")) else {
            return end;
        };
        end = start + digits.len();
        out.push(Found {
            start,
            end,
            code,
            edition: extras.edition,
            listed: true,
        });
    }
}
