//! The spam checks that need no third party: word lists, link counting, and a naive Bayes
//! classifier (Robinson's token probabilities combined with Fisher's chi-square, as SpamBayes does).

use std::collections::{BTreeSet, HashMap};

/// The tokens a text is judged by: lower-cased words of 3 to 24 letters or digits, and the domain
/// of every link (as `domain:example.com`), each counted once.
pub fn tokens(text: &str) -> Vec<String> {
    let mut set = BTreeSet::new();
    let lower = text.to_lowercase();
    for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '!')) {
        let word = word.trim_matches('\'');
        let length = word.chars().count();
        if (3..=24).contains(&length) && !word.chars().all(|c| c.is_ascii_digit()) {
            set.insert(word.to_owned());
        }
    }
    for domain in link_domains(&lower) {
        set.insert(format!("domain:{domain}"));
    }
    set.into_iter().collect()
}

/// Host names of the http(s) links and `www.` names in `text` (lower case).
fn link_domains(text: &str) -> Vec<String> {
    let mut domains = Vec::new();
    for start in ["http://", "https://", "www."] {
        let mut rest = text;
        while let Some(at) = rest.find(start) {
            let after = &rest[at + if start == "www." { 0 } else { start.len() }..];
            let host: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            let host = host.trim_start_matches("www.").trim_end_matches('.');
            if host.contains('.') {
                domains.push(host.to_owned());
            }
            rest = &rest[at + start.len()..];
        }
    }
    domains
}

/// Number of links in a comment: http(s) URLs and HTML anchors.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count() + lower.matches("https://").count()
}

/// The first word of `words` that `text` contains (case-insensitive substring, as WordPress does).
pub fn first_listed_word<'a>(text: &str, words: &'a [String]) -> Option<&'a str> {
    let lower = text.to_lowercase();
    words
        .iter()
        .map(|w| w.trim())
        .find(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
}

/// How often a token was seen in spam and in legitimate ("ham") comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Spam documents containing the token.
    pub spam: i64,
    /// Legitimate documents containing the token.
    pub ham: i64,
}

/// The pseudo-token whose counts are the number of trained documents of each kind.
pub const DOCUMENTS: &str = "\u{1}documents";

/// Fewer trained documents of either kind than this and the classifier abstains.
pub const MIN_TRAINING: i64 = 10;

/// A naive Bayes spam classifier over token counts.
#[derive(Debug, Clone, Default)]
pub struct Classifier {
    counts: HashMap<String, TokenCounts>,
    documents: TokenCounts,
}

impl Classifier {
    /// A classifier from stored counts (including the `DOCUMENTS` pseudo-token).
    pub fn from_counts(counts: impl IntoIterator<Item = (String, TokenCounts)>) -> Self {
        let mut counts: HashMap<String, TokenCounts> = counts.into_iter().collect();
        let documents = counts.remove(DOCUMENTS).unwrap_or_default();
        Self { counts, documents }
    }

    /// Learns one document's tokens as spam or not.
    pub fn train(&mut self, tokens: &[String], spam: bool) {
        let bump = |c: &mut TokenCounts| if spam { c.spam += 1 } else { c.ham += 1 };
        bump(&mut self.documents);
        for token in tokens {
            bump(self.counts.entry(token.clone()).or_default());
        }
    }

    /// Whether there is enough training to judge.
    pub fn is_trained(&self) -> bool {
        self.documents.spam >= MIN_TRAINING && self.documents.ham >= MIN_TRAINING
    }

    /// Spam probability of a document from its tokens, 0.0 (ham) to 1.0 (spam); 0.5 when untrained.
    pub fn score(&self, tokens: &[String]) -> f64 {
        if !self.is_trained() {
            return 0.5;
        }
        let (spam_docs, ham_docs) = (self.documents.spam as f64, self.documents.ham as f64);
        // Robinson's f(w): the token's spam probability, pulled towards 0.5 when seen rarely.
        const STRENGTH: f64 = 0.45;
        const PRIOR: f64 = 0.5;
        let mut clues: Vec<f64> = tokens
            .iter()
            .filter_map(|t| self.counts.get(t))
            .map(|c| {
                let spam_ratio = c.spam as f64 / spam_docs;
                let ham_ratio = c.ham as f64 / ham_docs;
                let p = if spam_ratio + ham_ratio == 0.0 {
                    PRIOR
                } else {
                    spam_ratio / (spam_ratio + ham_ratio)
                };
                let n = (c.spam + c.ham) as f64;
                (STRENGTH * PRIOR + n * p) / (STRENGTH + n)
            })
            .filter(|f| (f - 0.5).abs() > 0.1)
            .collect();
        if clues.is_empty() {
            return 0.5;
        }
        // The 150 strongest clues, as SpamBayes does.
        clues.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
        clues.truncate(150);
        let n = clues.len();
        let spam_evidence = chi2_q(
            -2.0 * clues
                .iter()
                .map(|f| (1.0 - f).max(1e-200).ln())
                .sum::<f64>(),
            2 * n,
        );
        let ham_evidence = chi2_q(
            -2.0 * clues.iter().map(|f| f.max(1e-200).ln()).sum::<f64>(),
            2 * n,
        );
        // H and S: how unlikely the clues are under "all ham" and "all spam".
        ((1.0 - spam_evidence) - (1.0 - ham_evidence) + 1.0) / 2.0
    }

    /// The counts as stored, including the `DOCUMENTS` pseudo-token.
    pub fn into_counts(self) -> impl Iterator<Item = (String, TokenCounts)> {
        std::iter::once((DOCUMENTS.to_owned(), self.documents)).chain(self.counts)
    }
}

/// The probability that a chi-square variable with `degrees` (even) degrees of freedom exceeds `x2`.
fn chi2_q(x2: f64, degrees: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..degrees / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_words_and_link_domains() {
        let t = tokens("Buy CHEAP pills at https://www.Pills.example/buy now, ok? 12345");
        assert!(t.contains(&"cheap".to_owned()));
        assert!(t.contains(&"pills".to_owned()));
        assert!(t.contains(&"domain:pills.example".to_owned()));
        assert!(!t.contains(&"ok".to_owned()), "too short");
        assert!(
            !t.contains(&"12345".to_owned()),
            "numbers alone say nothing"
        );
    }

    #[test]
    fn links_and_listed_words_are_found() {
        assert_eq!(count_links("see http://a.example and https://b.example"), 2);
        assert_eq!(count_links("no links"), 0);
        let words = vec!["viagra".to_owned(), " ".to_owned()];
        assert_eq!(
            first_listed_word("Cheap VIAGRA here", &words),
            Some("viagra")
        );
        assert_eq!(first_listed_word("A fine article", &words), None);
    }

    fn trained() -> Classifier {
        let mut c = Classifier::default();
        for i in 0..20 {
            c.train(
                &tokens(&format!(
                    "cheap pills casino winner prize offer{i} https://spam.example"
                )),
                true,
            );
            c.train(
                &tokens(&format!(
                    "thoughtful article council budget vote reporting{i}"
                )),
                false,
            );
        }
        c
    }

    #[test]
    fn an_untrained_classifier_abstains() {
        assert_eq!(Classifier::default().score(&tokens("cheap pills")), 0.5);
    }

    #[test]
    fn trained_classifier_separates_spam_from_ham() {
        let c = trained();
        assert!(c.score(&tokens("cheap casino prize at https://spam.example")) > 0.9);
        assert!(c.score(&tokens("the council budget vote was close")) < 0.1);
        assert_eq!(c.score(&tokens("entirely unseen vocabulary")), 0.5);
    }

    #[test]
    fn counts_round_trip_through_storage_form() {
        let c = trained();
        let restored = Classifier::from_counts(c.clone().into_counts());
        let sample = tokens("cheap casino prize");
        assert_eq!(restored.score(&sample), c.score(&sample));
        assert!(restored.is_trained());
    }
}
