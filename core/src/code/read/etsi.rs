//! ETSI codes: deliverable types, numbers in groups, versions and dates.

use crate::code::{CodeError, StdCode};

use super::{Kind, Parser, plausible_year};

impl<'a> Parser<'a> {
    /// `ETSI EN`, `ETSI I-ETS`, `ETSI GS NFV-IFA`, `ETSI GR F5G` (after the word ETSI).
    pub(super) fn etsi_prefix(&mut self) -> String {
        let mut prefix = String::from("ETSI");
        while let Some(t) = self.peek(0)
            && t.kind == Kind::Word
        {
            prefix.push(' ');
            prefix.push_str(t.text);
            self.i += 1;
            loop {
                let glued = self.peek(0).filter(|n| !n.spaced);
                match glued.map(|n| n.kind) {
                    // Group names such as F5G and IP6 carry a digit; numbers have three or more.
                    Some(Kind::Word) => {}
                    Some(Kind::Num) if glued.is_some_and(|n| n.text.len() <= 2) => {}
                    Some(Kind::Sep(b'-')) if self.peek(1).is_some_and(|n| n.kind == Kind::Word) => {
                    }
                    _ => break,
                }
                if let Some(n) = glued {
                    prefix.push_str(n.text);
                }
                self.i += 1;
            }
        }
        prefix
    }

    /// `300 328 V2.2.2 (2019-07)`, `300 011/A1 ed.1 (1994-12)`.
    pub(super) fn etsi_rest(&mut self, prefix: String) -> Result<StdCode, CodeError> {
        let mut number = String::new();
        let mut after_atom = false;
        while let Some(t) = self.peek(0) {
            if self.etsi_version_starts() {
                break;
            }
            match t.kind {
                Kind::Num => {
                    if after_atom && t.spaced {
                        number.push(' ');
                    }
                    after_atom = true;
                }
                Kind::Word if !(after_atom && t.spaced) => after_atom = true,
                Kind::Sep(b'-' | b'/' | b'.') => after_atom = false,
                _ => break,
            }
            number.push_str(t.text);
            self.i += 1;
        }
        // A dangling separator is not part of the number: "300 328. (2019-07)"
        // is "300 328 (2019-07)", as "300 328." alone is "300 328".
        let kept = number.trim_end_matches(['-', '/', '.']).len();
        number.truncate(kept);
        if !number.bytes().any(|b| b.is_ascii_digit()) {
            return Err(self.no_number());
        }
        // "300328" is "300 328".
        let b = number.as_bytes();
        if b.len() >= 6
            && b[..6].iter().all(u8::is_ascii_digit)
            && b.get(6).is_none_or(|c| !c.is_ascii_digit())
        {
            number.insert(3, ' ');
        }
        if self.word_at(0) == Some("V") {
            number.push_str(" V");
            self.i += 1;
            self.etsi_dotted(&mut number);
        } else if self.word_at(0) == Some("ED") {
            number.push_str(" ed.");
            self.i += 2;
            self.etsi_dotted(&mut number);
        }
        let mut year = None;
        if self.sep_at(0, b'(')
            && let Some(y) = self.num_at(1)
        {
            self.i += 2;
            year = Some(plausible_year(y.text).ok_or_else(|| self.bad_year(y.text))?);
            number.push_str(" (");
            number.push_str(y.text);
            if self.sep_at(0, b'-')
                && let Some(m) = self.num_at(1)
            {
                number.push('-');
                number.push_str(m.text);
                self.i += 2;
            }
            number.push(')');
            if self.sep_at(0, b')') {
                self.i += 1;
            }
        }
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments: Vec::new(),
        })
    }

    fn etsi_version_starts(&self) -> bool {
        match self.word_at(0) {
            Some("V") => self.num_at(1).is_some_and(|t| !t.spaced),
            Some("ED") => self.sep_at(1, b'.'),
            _ => false,
        }
    }

    /// `2.2.2` after `V`, `4` after `ed.`.
    fn etsi_dotted(&mut self, out: &mut String) {
        while let Some(t) = self.num_at(0) {
            out.push_str(t.text);
            self.i += 1;
            if self.sep_at(0, b'.') && self.num_at(1).is_some() {
                out.push('.');
                self.i += 1;
            } else {
                break;
            }
        }
    }
}
