//! The title shown for a hit, with the query's words marked.

use stdnav_core::standard::Standard;
use stdnav_core::text;

/// The title to show: Chinese when the record has one, else English.
pub fn display_title(s: &Standard) -> &str {
    if !s.title_zh.is_empty() {
        &s.title_zh
    } else if !s.title_en.is_empty() {
        &s.title_en
    } else {
        &s.title_fr
    }
}

/// Wraps words of `title` that match query terms in `<b>…</b>`: Chinese
/// terms by substring, English words by their stem prefix.
pub fn highlight(title: &str, terms: &[String]) -> String {
    Highlighter::new(terms).mark(title)
}

/// A query's terms, prepared once to highlight the title of every hit
/// ([`highlight`]).
///
/// This runs for every hit of every query, so it finds a term by its first
/// character ([`text::find_from`]: titles and terms are short, and setting
/// up `str::find`'s two-way searcher on every call costs more than the
/// search), only lower-cases a title that has upper-case letters, and
/// copies runs of the title rather than characters.
pub(super) struct Highlighter<'a> {
    /// English terms of letters and digits (most of them: stems), marked
    /// where a word of the title starts with one, found in one pass over
    /// the title's words however many there are (a Chinese query brings a
    /// dozen English words from the term list).
    words: Vec<&'a str>,
    /// The lower-cased first bytes of `words`, one bit each: most words of
    /// a title start with none of them and are passed over at once.
    word_starts: u128,
    /// The other terms long enough to mark, and whether each is Chinese.
    others: Vec<(&'a str, bool)>,
    /// Whether some of `others` is not Chinese (so could be in an English
    /// title).
    latin_others: bool,
}

impl<'a> Highlighter<'a> {
    pub(super) fn new(terms: &'a [String]) -> Self {
        let mut words = Vec::new();
        let mut others = Vec::new();
        for t in terms {
            let cjk = text::has_cjk(t);
            if t.chars().count() < 2 && !cjk {
                continue;
            }
            if !cjk && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
                words.push(t.as_str());
            } else {
                others.push((t.as_str(), cjk));
            }
        }
        let word_starts = words.iter().fold(0, |bits, w| {
            bits | 1u128 << w.as_bytes()[0].to_ascii_lowercase()
        });
        let latin_others = others.iter().any(|&(_, cjk)| !cjk);
        Self {
            words,
            word_starts,
            others,
            latin_others,
        }
    }

    pub(super) fn mark(&self, title: &str) -> String {
        let mut out = String::with_capacity(title.len() + 16);
        let mut marks: Vec<bool> = Vec::new();
        let mut mark = |from: usize, to: usize| {
            if marks.is_empty() {
                marks = vec![false; title.len()];
            }
            marks[from..to].fill(true);
        };
        // An English title, and no term but English words that could be in
        // it: no lower-cased copy (the words compare without case).
        if title.is_ascii() && !self.latin_others {
            self.mark_words(title.as_bytes(), &mut mark);
        } else {
            let lower: std::borrow::Cow<str> = if !title.is_ascii() {
                title.to_lowercase().into()
            } else if title.bytes().any(|b| b.is_ascii_uppercase()) {
                title.to_ascii_lowercase().into()
            } else {
                title.into()
            };
            // Lower-casing that changed the length would shift the marks:
            // such a title is shown unmarked.
            if lower.len() == title.len() {
                self.mark_words(lower.as_bytes(), &mut mark);
                for &(term, cjk) in &self.others {
                    let mut start = 0;
                    while let Some(at) = text::find_from(&lower, term, start) {
                        start = at + term.len();
                        let lower = lower.as_bytes();
                        // Extend English matches to the end of the word (stems are prefixes).
                        let mut end = at + term.len();
                        if !cjk {
                            if at > 0 && lower[at - 1].is_ascii_alphanumeric() {
                                continue;
                            }
                            while end < lower.len() && lower[end].is_ascii_alphanumeric() {
                                end += 1;
                            }
                        }
                        mark(at, end);
                    }
                }
            }
        }
        // Marks start and end on character boundaries (a match of UTF-8 in
        // UTF-8 does, and words extend over ASCII), so runs of equal marks
        // are runs of characters.
        let mut at = 0;
        while at < title.len() {
            let marked = marks.get(at).copied().unwrap_or(false);
            let end = marks
                .get(at..)
                .and_then(|rest| rest.iter().position(|&m| m != marked))
                .map_or(title.len(), |n| at + n);
            if marked {
                out.push_str("<b>");
            }
            push_escaped(&mut out, &title[at..end]);
            if marked {
                out.push_str("</b>");
            }
            at = end;
        }
        out
    }

    /// Marks each word (a run of ASCII letters and digits) of `title` that
    /// starts with one of [`Self::words`], ignoring case: where the other
    /// terms' search would find an English term at a word's start and
    /// extend the mark to the word's end.
    fn mark_words(&self, title: &[u8], mark: &mut impl FnMut(usize, usize)) {
        if self.words.is_empty() {
            return;
        }
        let mut at = 0;
        while at < title.len() {
            if !title[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let start = at;
            while at < title.len() && title[at].is_ascii_alphanumeric() {
                at += 1;
            }
            let word = &title[start..at];
            if self.word_starts & 1u128 << word[0].to_ascii_lowercase() != 0
                && self.words.iter().any(|w| {
                    word.len() >= w.len() && word[..w.len()].eq_ignore_ascii_case(w.as_bytes())
                })
            {
                mark(start, at);
            }
        }
    }
}

/// `text` with `&`, `<` and `>` escaped.
fn push_escaped(out: &mut String, text: &str) {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(escaped);
        run = i + 1;
    }
    out.push_str(&text[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_words() {
        assert_eq!(
            highlight("Quality management systems", &["manag".to_string()]),
            "Quality <b>management</b> systems"
        );
        assert_eq!(
            highlight("质量管理体系 要求", &["管理".to_string()]),
            "质量<b>管理</b>体系 要求"
        );
        assert_eq!(highlight("a < b", &[]), "a &lt; b");
    }

    /// The highlighting of 2026-11-24, before it was made faster: the new
    /// one must give the same output. Wraps words of `title` that match
    /// query terms in `<b>…</b>`: Chinese terms by substring, English words by their stem prefix.
    fn highlight_before(title: &str, terms: &[String]) -> String {
        let escaped = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        if terms.is_empty() {
            return escaped(title);
        }
        let lower = title.to_lowercase();
        let mut marks = vec![false; title.len()];
        for term in terms
            .iter()
            .filter(|t| t.chars().count() >= 2 || text::has_cjk(t))
        {
            let mut start = 0;
            while let Some(pos) = lower[start..].find(term.as_str()) {
                let at = start + pos;
                if lower.len() == title.len() {
                    // Extend English matches to the end of the word (stems are prefixes).
                    let mut end = at + term.len();
                    if !text::has_cjk(term) {
                        while end < lower.len() && lower.as_bytes()[end].is_ascii_alphanumeric() {
                            end += 1;
                        }
                        let word_start =
                            at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
                        if !word_start {
                            start = at + term.len();
                            continue;
                        }
                    }
                    for m in &mut marks[at..end] {
                        *m = true;
                    }
                }
                start = at + term.len();
            }
        }
        let mut out = String::with_capacity(title.len() + 16);
        let mut open = false;
        for (i, c) in title.char_indices() {
            if marks[i] && !open {
                out.push_str("<b>");
                open = true;
            } else if !marks[i] && open {
                out.push_str("</b>");
                open = false;
            }
            // Escaped char by char without allocating (this runs for every hit).
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        if open {
            out.push_str("</b>");
        }
        out
    }

    #[test]
    fn highlight_is_unchanged() {
        let titles = [
            "Quality management systems — Requirements",
            "Household and similar electrical appliances - Safety - Part 2-40: Particular requirements for electrical heat pumps, air-conditioners and dehumidifiers",
            "QUALITY & safety <draft> of MANAGEMENT systems",
            "质量管理体系 要求",
            "家用和类似用途电器的安全 第1部分：通用要求",
            "Électricité — Sécurité des appareils électrodomestiques",
            "İstanbul ǅ test of the İİ management",
            "a < b && c > d",
            "",
            "Safety safety SAFETY safetyfirst unsafety",
            "Radio equipment 2,4 GHz; RLAN 5 GHz wide band",
        ];
        let term_sets: [&[&str]; 10] = [
            &[],
            &["manag", "system", "requir"],
            &["safeti", "safety", "air", "condition", "heat", "pump"],
            &["管理", "体系", "安全", "电器"],
            &["a", "b", "&", "<", "ab"],
            &["ty", "afe", "safety"],
            &["2", "4", "ghz", "rlan", "5"],
            &["é", "sécurité", "appar", "i̇stanbul", "i̇i̇"],
            &["quality", "of", "the", "test", "managem"],
            // A Chinese query with the English words its terms reached.
            &[
                "空调",
                "air",
                "condition",
                "heat",
                "pump",
                "dehumidifi",
                "电器",
            ],
        ];
        for title in titles {
            for terms in term_sets {
                let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
                assert_eq!(
                    highlight(title, &terms),
                    highlight_before(title, &terms),
                    "{title:?} {terms:?}"
                );
            }
        }
    }
}
