//! Chinese codes: national, industry, local, group and enterprise prefixes,
//! numbers with dotted parts, and years after a dash.

use crate::code::prefixes::{CN_INDUSTRY, INTERNATIONAL, Style, is_cn_base};
use crate::code::{CodeError, StdCode};

use super::{Kind, Parser, parse_normalized, plausible_year};

impl<'a> Parser<'a> {
    /// `GB`, `GB/T`, `JB/T`, `NB/SH/T`, `DB37/T`, `T/CAS`, `Q/ABC`; `None` if not Chinese.
    pub(super) fn chinese_prefix(&mut self) -> Result<Option<String>, CodeError> {
        let Some(word) = self.word_at(0) else {
            return Ok(None);
        };
        if (word == "T" || word == "Q") && self.sep_at(1, b'/') {
            self.i += 2;
            let org = self.org_code(word)?;
            return Ok(Some(format!("{word}/{org}")));
        }
        if word == "DB"
            && let Some(region) = self.num_at(1)
        {
            if !(2..=6).contains(&region.text.len()) {
                return Err(self.unknown(format!("DB{}", region.text)));
            }
            self.i += 2;
            let suffix = self.chinese_suffix();
            return Ok(Some(format!("DB{}{}", region.text, suffix)));
        }
        // "GBT 19001" and "JBT 1234" run the /T into the code.
        let (stem, implied) = if is_cn_base(word) {
            (word, "")
        } else if let Some(stem) = word.strip_suffix('T').filter(|s| is_cn_base(s)) {
            (stem, "/T")
        } else if let Some(stem) = word.strip_suffix('Z').filter(|s| is_cn_base(s)) {
            (stem, "/Z")
        } else {
            return Ok(None);
        };
        self.i += 1;
        let mut prefix = stem.to_string();
        if !implied.is_empty() {
            prefix.push_str(implied);
            return Ok(Some(prefix));
        }
        // Joint industry prefixes: NB/SH/T.
        while self.sep_at(0, b'/')
            && let Some(next) = self.word_at(1)
            && CN_INDUSTRY.contains(&next)
        {
            prefix.push('/');
            prefix.push_str(next);
            self.i += 2;
        }
        let suffix = self.chinese_suffix();
        // Bare "DB" before a number would read as a local code; the earthquake industry's is DB/T.
        if prefix == "DB" && suffix.is_empty() {
            return Err(self.unknown(prefix));
        }
        prefix.push_str(suffix);
        Ok(Some(prefix))
    }

    /// `/T`, `-T`, ` T` or nothing.
    fn chinese_suffix(&mut self) -> &'static str {
        let k = usize::from(self.sep_at(0, b'/') || self.sep_at(0, b'-'));
        let suffix = match self.word_at(k) {
            Some("T") => "/T",
            Some("Z") => "/Z",
            _ => return "",
        };
        self.i += k + 1;
        suffix
    }

    /// The organisation code after `T/` or `Q/`: letters and digits up to the last letter
    /// before the number (`CAS` in `T/CAS115`, `320500GXL` in `Q/320500GXL001`), or a
    /// purely numeric code followed by a space.
    fn org_code(&mut self, kind: &str) -> Result<String, CodeError> {
        let start = self.i;
        let mut end = start;
        let mut last_word = None;
        while let Some(t) = self.toks.get(end)
            && matches!(t.kind, Kind::Word | Kind::Num)
            && (end == start || !t.spaced)
        {
            if t.kind == Kind::Word {
                last_word = Some(end);
            }
            end += 1;
        }
        let stop = match last_word {
            Some(w) => w + 1,
            None if end > start
                && self
                    .toks
                    .get(end)
                    .is_some_and(|t| t.spaced && t.kind == Kind::Num) =>
            {
                end
            }
            None => return Err(self.unknown(format!("{kind}/"))),
        };
        let org: String = self.toks[start..stop].iter().map(|t| t.text).collect();
        self.i = stop;
        Ok(org)
    }

    pub(super) fn chinese_rest(&mut self, prefix: String) -> Result<StdCode, CodeError> {
        let Some(first) = self.num_at(0) else {
            return Err(self.no_number());
        };
        let mut number = first.text.to_string();
        self.i += 1;
        while self.sep_at(0, b'.')
            && let Some(t) = self.num_at(1)
            && !t.spaced
        {
            number.push('.');
            number.push_str(t.text);
            self.i += 2;
        }
        let year = self.chinese_year()?;
        let amendments = self.amendments(Style::Chinese)?;
        // A cover writes the adopted standard after the code: "GB/T 19001-2016/ISO 9001:2015".
        // It must be a valid code, but it is not part of this one.
        if self.sep_at(0, b'/')
            && let Some(body) = self.word_at(1)
            && (INTERNATIONAL.contains(&body) || body == "EN")
        {
            let adopted = &self.norm[self.toks[self.i + 1].start..];
            parse_normalized(adopted, self.code)?;
            self.i = self.toks.len();
        }
        self.finish()?;
        Ok(StdCode {
            prefix,
            number,
            year,
            amendments,
        })
    }

    /// After `-`, `:` or a space: four digits, or two for old codes.
    fn chinese_year(&mut self) -> Result<Option<u16>, CodeError> {
        let k = if self.sep_at(0, b'-') || self.sep_at(0, b':') {
            1
        } else if self.num_at(0).is_some_and(|t| t.spaced) {
            0
        } else {
            return Ok(None);
        };
        let Some(t) = self.num_at(k) else {
            return Ok(None);
        };
        self.i += k + 1;
        let year = match t.text.len() {
            4 => plausible_year(t.text),
            2 => t
                .text
                .parse::<u16>()
                .ok()
                .map(|y| if y >= 50 { 1900 + y } else { 2000 + y }),
            _ => None,
        };
        year.map(Some).ok_or_else(|| self.bad_year(t.text))
    }
}
