//! What a reader searches for, cut to a bounded size, and what a search finds.
//!
//! A query is words, nothing else: quotes, stars, `NEAR`, `-` and `:` mean something to the
//! databases' query languages, and a reader typing them means the words around them. So a
//! query is split into its words here, and the stores search for each word as a literal.

use crate::ArticleSummary;

/// The longest query read, in characters; a longer one is refused with a message.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words searched for; later ones are left out (and the page says so).
pub const MAX_TERMS: usize = 8;
/// The longest word searched for, in characters; a longer one is cut.
pub const MAX_TERM_CHARS: usize = 40;
/// The most matches a search ranks and counts: the newest ones (by id), so a word found in
/// every article costs no more than a rarer one. A search finding more says "more than".
pub const MAX_RESULTS: i64 = 1_000;
/// The start and end of a matched word in a snippet: control characters, which indexed text
/// never holds (`SearchText` removes them), so the marks cannot be forged by an article.
pub const MARK_START: char = '\u{2}';
/// See [`MARK_START`].
pub const MARK_END: char = '\u{3}';

/// Why a query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("a search is at most {MAX_QUERY_CHARS} characters")]
    TooLong,
}

/// The words of a query, lower-cased, at most [`MAX_TERMS`], each a literal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// The words, in the order typed, without repeats.
    pub words: Vec<String>,
    /// Whether words beyond [`MAX_TERMS`] were left out.
    pub truncated: bool,
}

impl Terms {
    /// Splits `query` into words: runs of letters and digits (an apostrophe or hyphen inside a
    /// word splits it, as both databases' tokenisers do).
    pub fn parse(query: &str) -> Result<Self, QueryError> {
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut terms = Self::default();
        for word in query.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            let word: String = word.to_lowercase().chars().take(MAX_TERM_CHARS).collect();
            if terms.words.contains(&word) {
                continue;
            }
            if terms.words.len() == MAX_TERMS {
                terms.truncated = true;
                break;
            }
            terms.words.push(word);
        }
        Ok(terms)
    }

    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words as one FTS5 query: each a quoted string (a literal, whatever it holds), all
    /// of them required.
    pub fn fts5(&self) -> String {
        self.words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The words for PostgreSQL's `plainto_tsquery`, which reads no operators.
    pub fn plain(&self) -> String {
        self.words.join(" ")
    }
}

/// A reader's search: the words and the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleSearch {
    /// What to look for.
    pub terms: Terms,
    /// Only articles filed under this category (its slug).
    pub category: Option<String>,
    /// Only articles published at or after this time (unix seconds).
    pub from: Option<i64>,
    /// Only articles published before this time (unix seconds).
    pub to: Option<i64>,
    /// The index's language, as [`search_language`] names it (PostgreSQL reads the query in
    /// its configuration; SQLite's tokenizer is part of the table).
    pub language: &'static str,
}

/// An article a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The article, as lists show it.
    pub article: ArticleSummary,
    /// The headline, with the matched words between [`MARK_START`] and [`MARK_END`].
    pub title_marked: String,
    /// A passage of the body around the matched words, marked the same way; "…" where cut.
    pub snippet_marked: String,
}

/// An article's words as the search index holds them: the headline and the body's text,
/// without the control characters the snippet marks use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    /// The headline.
    pub title: String,
    /// The body as plain text.
    pub body: String,
}

impl SearchText {
    /// The index's text of a headline and a body's plain text.
    pub fn new(title: &str, body: &str) -> Self {
        let clean = |s: &str| {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
        };
        Self {
            title: clean(title),
            body: clean(body),
        }
    }
}

/// The database's text-search language for a site language (`site.language`, a BCP 47 tag):
/// PostgreSQL's configuration of that name (stemming and stop words); SQLite stems English
/// only (FTS5's Porter stemmer) and reads other languages word by word.
pub fn search_language(site_language: &str) -> &'static str {
    let primary = site_language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "en" => "english",
        "de" => "german",
        "fr" => "french",
        "es" => "spanish",
        "it" => "italian",
        "pt" => "portuguese",
        "nl" => "dutch",
        "sv" => "swedish",
        "da" => "danish",
        "nb" | "nn" | "no" => "norwegian",
        "fi" => "finnish",
        "ru" => "russian",
        "hu" => "hungarian",
        "ro" => "romanian",
        "tr" => "turkish",
        _ => "simple",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_characters_are_word_separators_not_operators() {
        let terms = Terms::parse(r#"  "harbour* NEAR -budget: city"  "#).unwrap();
        assert_eq!(terms.words, ["harbour", "near", "budget", "city"]);
        assert_eq!(
            terms.fts5(),
            r#""harbour" AND "near" AND "budget" AND "city""#
        );
        assert_eq!(terms.plain(), "harbour near budget city");
        assert!(Terms::parse(r#"" * : - ""#).unwrap().is_empty());
    }

    #[test]
    fn terms_are_bounded_in_number_and_length() {
        let many = (0..12)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let terms = Terms::parse(&many).unwrap();
        assert_eq!(terms.words.len(), MAX_TERMS);
        assert!(terms.truncated);
        let long = "x".repeat(MAX_TERM_CHARS + 10);
        assert_eq!(Terms::parse(&long).unwrap().words[0].len(), MAX_TERM_CHARS);
        assert_eq!(Terms::parse(&"a ".repeat(101)), Err(QueryError::TooLong));
        assert_eq!(Terms::parse("Café CAFÉ café").unwrap().words, ["café"]);
    }

    #[test]
    fn indexed_text_cannot_carry_the_marks() {
        let text = SearchText::new("a\u{2}b", "c\u{3}d\ne");
        assert_eq!(text.title, "a b");
        assert_eq!(text.body, "c d e");
    }

    #[test]
    fn languages_map_to_configurations() {
        assert_eq!(search_language("en-GB"), "english");
        assert_eq!(search_language("de"), "german");
        assert_eq!(search_language("ja"), "simple");
    }
}
