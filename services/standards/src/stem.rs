//! English stemming for titles and product names, with exceptions.
//!
//! Snowball's English stemmer folds some product nouns into unrelated
//! words: "suite" into "suit" (an ETSI test suite reaches immersion suits),
//! "coating" into "coat", "fittings" and "fitness" into "fit", "organic"
//! into "organ", "dressing" into "dress", "training" into "train",
//! "composite" into "composit" (of "composition"), "container" into
//! "contain". Those words keep a stem of their own here; every other word
//! is stemmed as tantivy's `en_stem` does, so both sides of a match (the
//! index and the query) use the same analyzer.

use std::borrow::Cow;
use std::mem;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

/// The stem a lower-case word keeps instead of Snowball's, if it is one of
/// the exceptions.
fn exception_stem(word: &str) -> Option<&'static str> {
    match word {
        "suite" | "suites" => Some("suite"),
        "coating" | "coatings" => Some("coating"),
        "fitting" | "fittings" => Some("fitting"),
        "fitness" => Some("fitness"),
        "organic" => Some("organic"),
        "dressing" | "dressings" => Some("dressing"),
        "training" => Some("training"),
        "composite" | "composites" => Some("composite"),
        "container" | "containers" => Some("container"),
        _ => None,
    }
}

/// The English analyzer: tantivy's `en_stem` pipeline with the stem
/// exceptions above.
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(ExceptionalStemmer)
        .build()
}

/// Stems lower-cased tokens with Snowball English except the words
/// [`exception_stem`] names.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExceptionalStemmer;

impl TokenFilter for ExceptionalStemmer {
    type Tokenizer<T: Tokenizer> = ExceptionalStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ExceptionalStemmerFilter<T> {
        ExceptionalStemmerFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct ExceptionalStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ExceptionalStemmerFilter<T> {
    type TokenStream<'a> = ExceptionalStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ExceptionalStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::new(Algorithm::English),
            buffer: String::new(),
        }
    }
}

pub struct ExceptionalStemmerStream<T> {
    tail: T,
    stemmer: Stemmer,
    buffer: String,
}

impl<T: TokenStream> TokenStream for ExceptionalStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = exception_stem(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        match self.stemmer.stem(&token.text) {
            Cow::Owned(stemmed) => token.text = stemmed,
            Cow::Borrowed(stemmed) => {
                self.buffer.clear();
                self.buffer.push_str(stemmed);
                mem::swap(&mut token.text, &mut self.buffer);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::token_seq;

    fn stems(text: &str) -> Vec<String> {
        token_seq(&mut english_analyzer(), text)
    }

    #[test]
    fn exceptions_keep_their_own_stem() {
        assert_eq!(stems("Test Suites"), ["test", "suite"]);
        assert_eq!(stems("immersion suits"), ["immers", "suit"]);
        assert_eq!(stems("Paints and coatings"), ["paint", "and", "coating"]);
        assert_eq!(stems("coats"), ["coat"]);
        assert_eq!(
            stems("pipe fittings; fitness"),
            ["pipe", "fitting", "fitness"]
        );
        assert_eq!(stems("organic organs"), ["organic", "organ"]);
        assert_eq!(stems("containers containing"), ["container", "contain"]);
    }

    #[test]
    fn other_words_stem_as_tantivy_en_stem_does() {
        let mut tantivy_en = tantivy::tokenizer::TokenizerManager::default()
            .get("en_stem")
            .expect("en_stem is a tantivy default tokenizer");
        let text = "Household and similar electrical appliances — Safety — Part 2-21: \
                    Particular requirements for storage water heaters";
        assert_eq!(stems(text), token_seq(&mut tantivy_en, text));
    }
}
