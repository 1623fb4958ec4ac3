//! ISO, IEC, EN and foreign national codes: bodies and document types, parts,
//! years after a colon, amendments and editions.

use crate::code::prefixes::{
    AMD_STAGES, DIVISION_BODIES, ETSI_TYPES, JOINT, Style, VARIANTS, is_body, is_doc_type,
};
use crate::code::{CodeError, StdCode};

use super::{Kind, Parser, Tok, plausible_year};

impl<'a> Parser<'a> {
    /// Body words, joint bodies and document types up to the number.
    pub(super) fn intl_prefix(&mut self) -> Result<String, CodeError> {
        let mut words: Vec<String> = Vec::new();
        while let Some(word) = self.word_at(0) {
            let (word, used) = self.compound_word(word);
            // "IECTS", "ISOTR", "ENISO": bodies and types written without spaces.
            if used == 1
                && !is_body(&word)
                && !is_doc_type(&word)
                && self.split_glued_prefix(words.is_empty())
            {
                continue;
            }
            // The prefix as written, up to the word that is not understood.
            let seen = || {
                let end = self.peek(used - 1).map_or(0, |t| t.start + t.text.len());
                self.norm[..end].to_string()
            };
            if words.is_empty() && !is_body(&word) {
                return Err(self.unknown(seen()));
            }
            if !is_body(&word) && !is_doc_type(&word) {
                if word.len() == 1 && DIVISION_BODIES.contains(&words[0].as_str()) {
                    words.push(word);
                    self.i += used;
                    continue;
                }
                // A short word just before the digits starts the number: ASTM D638, ITU-T G.711.
                if word.len() <= 2 && self.starts_number(used) {
                    break;
                }
                return Err(self.unknown(seen()));
            }
            words.push(word);
            self.i += used;
            if (self.sep_at(0, b'/') || self.sep_at(0, b'-')) && self.word_at(1).is_some() {
                self.i += 1;
            }
        }
        Ok(render_intl_prefix(&words))
    }

    /// Replaces the word at the cursor by `pieces` (consecutive slices of it),
    /// each read as a word of its own.
    fn split_word(&mut self, pieces: &[usize]) {
        let t = self.toks[self.i];
        let mut start = 0;
        let toks: Vec<Tok<'a>> = pieces
            .iter()
            .enumerate()
            .map(|(k, &len)| {
                let piece = Tok {
                    kind: Kind::Word,
                    text: &t.text[start..start + len],
                    spaced: k > 0 || t.spaced,
                    start: t.start + start,
                };
                start += len;
                piece
            })
            .collect();
        self.toks.splice(self.i..self.i + 1, toks);
    }

    /// Splits a word of the prefix that runs known bodies and document
    /// types together (`IECTS` in `ISO/IECTS 9569`, `ISOTR`, `ENISO`) into
    /// them, longest piece first; the first piece of a code must be a body
    /// (other than ETSI, whose ids are read apart).
    /// Pieces have two letters or more, so a division letter (`JIS C`) or
    /// the letters of a number (`ASTM D638`) are never split off. False,
    /// and nothing changed, when the word is not such a run.
    fn split_glued_prefix(&mut self, first: bool) -> bool {
        fn pieces(word: &str, first: bool, out: &mut Vec<usize>) -> bool {
            if word.is_empty() {
                return out.len() >= 2;
            }
            for len in (2..=word.len()).rev() {
                let piece = &word[..len];
                // ETSI ids are read apart ([`Parser::split_glued_etsi`]).
                let known = (is_body(piece) && piece != "ETSI") || (!first && is_doc_type(piece));
                if known {
                    out.push(len);
                    if pieces(&word[len..], false, out) {
                        return true;
                    }
                    out.pop();
                }
            }
            false
        }
        let Some(word) = self.word_at(0) else {
            return false;
        };
        let mut out = Vec::new();
        if word.len() < 4 || !pieces(word, first, &mut out) {
            return false;
        }
        self.split_word(&out);
        true
    }

    /// `ETSIEN`, `ETSITS`, `ETSIGSNFV` (ETSI, the deliverable type and an
    /// ISG's name run together, as in `etsien300362v1.3.1(2004-01)`) become
    /// `ETSI EN`, `ETSI TS`, `ETSI GS NFV`. Only known deliverable types are
    /// split off; a group name may follow only GS and GR.
    pub(super) fn split_glued_etsi(&mut self) {
        let Some(word) = self.word_at(0) else {
            return;
        };
        let Some(rest) = word.strip_prefix("ETSI").filter(|r| !r.is_empty()) else {
            return;
        };
        let Some(kind) = ETSI_TYPES
            .iter()
            .filter(|t| rest.starts_with(*t))
            .max_by_key(|t| t.len())
        else {
            return;
        };
        let group = rest.len() - kind.len();
        if group == 0 {
            self.split_word(&[4, kind.len()]);
        } else if matches!(*kind, "GS" | "GR") {
            self.split_word(&[4, kind.len(), group]);
        }
    }

    /// Body names that the lexer splits: `HL7`, `ITU-T`, `ITU-R`.
    fn compound_word(&self, word: &str) -> (String, usize) {
        if word == "HL" && self.num_at(1).is_some_and(|t| t.text == "7" && !t.spaced) {
            return ("HL7".to_string(), 2);
        }
        if word == "ITU"
            && self.sep_at(1, b'-')
            && let Some(series @ ("T" | "R")) = self.word_at(2)
        {
            return (format!("ITU-{series}"), 3);
        }
        match word {
            "ITUT" => ("ITU-T".to_string(), 1),
            "ITUR" => ("ITU-R".to_string(), 1),
            _ => (word.to_string(), 1),
        }
    }

    fn starts_number(&self, k: usize) -> bool {
        match self.peek(k).map(|t| t.kind) {
            Some(Kind::Num) => true,
            Some(Kind::Sep(b'.')) => self.num_at(k + 1).is_some(),
            _ => false,
        }
    }

    pub(super) fn intl_rest(&mut self, prefix: String, style: Style) -> Result<StdCode, CodeError> {
        // ETSI ENs are often cited without "ETSI": "EN 300 328 V2.2.2".
        if prefix == "EN"
            && let (Some(a), Some(b)) = (self.num_at(0), self.num_at(1))
            && a.text.len() == 3
            && b.text.len() == 3
            && b.spaced
        {
            return self.etsi_rest("ETSI EN".to_string());
        }
        let mut number = self.part(true).ok_or_else(|| self.no_number())?;
        let mut parts = 1;
        let mut last = number.len();
        loop {
            // Old IEC sheets are numbered after a slash: "IEC 60695-2-1/1:1994".
            let sep = if self.sep_at(0, b'-') {
                '-'
            } else if self.sep_at(0, b'/') && self.num_at(1).is_some_and(|t| !t.spaced) {
                '/'
            } else {
                break;
            };
            let before = self.i;
            self.i += 1;
            match self.part(false) {
                Some(part) => {
                    last = number.len() + 1;
                    number.push(sep);
                    number.push_str(&part);
                    parts += 1;
                }
                None => {
                    self.i = before;
                    break;
                }
            }
        }
        let mut year = None;
        if self.sep_at(0, b':') {
            self.i += 1;
            year = Some(self.year4()?);
            self.skip_month();
        } else if parts > 1
            && let Some(y) = plausible_year(&number[last..])
        {
            number.truncate(last - 1);
            year = Some(y);
        } else if let Some(t) = self.num_at(0)
            && t.spaced
            && let Some(y) = plausible_year(t.text)
        {
            self.i += 1;
            year = Some(y);
        }
        // A corrigendum can follow a variant: "IEC 60068-2-6:1982+AMD1:1983 CSV/COR1:1984".
        let mut amendments = self.amendments(style)?;
        while self.skip_variants() {
            amendments.extend(self.amendments(style)?);
        }
        self.skip_edition();
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments,
        })
    }

    /// One `-`-separated group of the number: `60335`, `1A`, `E01`, `10993`, `1.2`, `G.711`,
    /// `D638`. Later groups may be letters only (`ISO/IEC/IEEE 8802-A`, `ISO 1234-F`).
    fn part(&mut self, first: bool) -> Option<String> {
        let start = self.i;
        let mut out = String::new();
        let mut has_num = false;
        while let Some(t) = self.peek(0) {
            match t.kind {
                Kind::Word | Kind::Num
                    if out.is_empty()
                        || !t.spaced
                        // "ASTM D 638"
                        || (!has_num && out.len() <= 2 && t.kind == Kind::Num) =>
                {
                    out.push_str(t.text);
                    has_num |= t.kind == Kind::Num;
                    self.i += 1;
                }
                Kind::Sep(b'.')
                    if !out.is_empty()
                        && self.peek(1).is_some_and(|n| {
                            matches!(n.kind, Kind::Word | Kind::Num) && !n.spaced
                        }) =>
                {
                    out.push('.');
                    self.i += 1;
                }
                _ => break,
            }
        }
        if has_num || (!first && (1..=3).contains(&out.len())) {
            Some(out)
        } else {
            self.i = start;
            None
        }
    }

    fn year4(&mut self) -> Result<u16, CodeError> {
        let Some(t) = self.num_at(0) else {
            return Err(self.bad_year(""));
        };
        self.i += 1;
        plausible_year(t.text).ok_or_else(|| self.bad_year(t.text))
    }

    /// DIN and others date an edition by month: `DIN EN 60335-1:2012-10`.
    fn skip_month(&mut self) {
        if self.sep_at(0, b'-')
            && let Some(t) = self.num_at(1)
            && t.text.len() == 2
            && t.text.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        {
            self.i += 2;
        }
    }

    pub(super) fn amendments(&mut self, style: Style) -> Result<Vec<String>, CodeError> {
        let mut out = Vec::new();
        loop {
            let before = self.i;
            if self.sep_at(0, b'/') || self.sep_at(0, b'+') {
                self.i += 1;
            } else if !self
                .peek(0)
                .is_some_and(|t| t.spaced && t.kind == Kind::Word)
            {
                break;
            }
            match self.amendment(style)? {
                Some(amendment) => out.push(amendment),
                None => {
                    self.i = before;
                    break;
                }
            }
        }
        Ok(out)
    }

    /// `Amd 1:2024`, `Amd.1:2020`, `AMD1:2013`, `A11:2014`, `COR1:2019`, `AC:2014`,
    /// `CD Amd 1`, `DAM 1`, `XG1-2020`, written in the spelling of `style`.
    fn amendment(&mut self, style: Style) -> Result<Option<String>, CodeError> {
        let start = self.i;
        let mut stage = String::new();
        while let Some(word) = self.word_at(0)
            && AMD_STAGES.contains(&word)
            && self.word_at(1).is_some()
        {
            stage.push_str(word);
            stage.push(' ');
            self.i += 1;
        }
        let Some(word) = self.word_at(0) else {
            self.i = start;
            return Ok(None);
        };
        let en = style == Style::En;
        let kind = match word {
            "AMD" | "AM" | "A" if en => "A",
            "AMD" | "AM" | "A" => "AMD",
            "COR" | "CORR" | "C" | "AC" if en => "AC",
            "COR" | "CORR" | "C" | "AC" => "COR",
            "ADD" | "ISH" | "FRAG" | "SUPPL" | "EXT" | "DAM" | "FDAM" | "PDAM" | "DCOR"
            | "FDCOR" | "DAD" | "XG" => word,
            _ => {
                self.i = start;
                return Ok(None);
            }
        };
        self.i += 1;
        if self.sep_at(0, b'.') && self.num_at(1).is_some() {
            self.i += 1;
        }
        let mut out = format!("{stage}{kind}");
        if let Some(n) = self.num_at(0) {
            out.push_str(n.text);
            self.i += 1;
            // Draft iteration: "CD Amd 1.2".
            if self.sep_at(0, b'.')
                && let Some(iteration) = self.num_at(1)
            {
                out.push('.');
                out.push_str(iteration.text);
                self.i += 2;
            }
        }
        if (self.sep_at(0, b':') || self.sep_at(0, b'-'))
            && let Some(t) = self.num_at(1)
        {
            self.i += 2;
            let year = plausible_year(t.text).ok_or_else(|| self.bad_year(t.text))?;
            out.push(if style == Style::Chinese { '-' } else { ':' });
            out.push_str(&year.to_string());
        }
        Ok(Some(out))
    }

    /// `Ed.6`, `Ed 6`, `edition 6` after the code: kept aside for [`edition_of`].
    fn skip_edition(&mut self) {
        let Some(word @ ("ED" | "EDITION")) = self.word_at(0) else {
            return;
        };
        let k = if word == "ED" && self.sep_at(1, b'.') {
            2
        } else {
            1
        };
        if let Some(t) = self.num_at(k)
            && t.text.len() <= 3
            && let Ok(n) = t.text.parse::<u16>()
            && n > 0
        {
            self.extras.edition = Some(n);
            self.i += k + 1;
            // "Ed.6.0", as IEC writes editions with a minor number.
            if self.sep_at(0, b'.') && self.num_at(1).is_some_and(|t| t.text.len() <= 2) {
                self.i += 2;
            }
        }
    }

    /// `CSV`, `RLV`, `EXV-CMV` …: kept aside for [`variant_of`]. True if one was read.
    fn skip_variants(&mut self) -> bool {
        let mut variant = String::new();
        while let Some(t) = self.peek(0)
            && t.spaced
            && t.kind == Kind::Word
            && VARIANTS.contains(&t.text)
        {
            if !variant.is_empty() {
                variant.push(' ');
            }
            variant.push_str(t.text);
            self.i += 1;
            while self.sep_at(0, b'-')
                && let Some(next) = self.word_at(1)
                && VARIANTS.contains(&next)
            {
                variant.push('-');
                variant.push_str(next);
                self.i += 2;
            }
        }
        if variant.is_empty() {
            return false;
        }
        self.extras.variant = Some(variant);
        true
    }
}

/// Joins body and type words the way each body writes them (see the module docs).
fn render_intl_prefix(words: &[String]) -> String {
    let mut out = String::new();
    let mut typed = false;
    for (k, word) in words.iter().enumerate() {
        let doc_type = is_doc_type(word);
        if k > 0 {
            let prev = words[k - 1].as_str();
            let slash = if doc_type {
                let sole_iso = prev == "ISO" && !(k >= 2 && slash_pair(&words[k - 2], prev));
                !typed && word != "GUIDE" && (sole_iso || prev == "CEN" || prev == "CLC")
            } else {
                !typed && slash_pair(prev, word)
            };
            out.push(if slash { '/' } else { ' ' });
        }
        typed |= doc_type;
        out.push_str(match word.as_str() {
            "GUIDE" => "Guide",
            "DGUIDE" => "DGuide",
            w => w,
        });
    }
    out
}

fn slash_pair(prev: &str, word: &str) -> bool {
    (JOINT.contains(&prev) && JOINT.contains(&word))
        || (prev == "ANSI" && is_body(word))
        || (prev == "AS" && word == "NZS")
}
