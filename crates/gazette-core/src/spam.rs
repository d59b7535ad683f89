//! The spam layers that run before a comment is stored. Each says, in the moderation queue, why
//! it acted. None needs a third-party service.

use crate::{CoreError, CoreResult, Site};
use gazette_domain::spam::{Classifier, count_links, first_listed_word, tokens};
use gazette_domain::{ArticleId, CommentGuard, CommentStatus, Field, FieldErrors, ValidComment};
use std::net::IpAddr;

/// The network an address belongs to for rate limits: its /24 (IPv4) or /64 (IPv6).
pub fn ip_network(ip: &str) -> Option<String> {
    match ip.parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
        }
    }
}

/// The tokens a comment is judged (and trained) by: its text, the name and the website.
pub fn comment_tokens(body: &str, name: &str, website: Option<&str>) -> Vec<String> {
    let mut text = String::with_capacity(body.len() + name.len() + 64);
    text.push_str(body);
    text.push(' ');
    text.push_str(name);
    if let Some(url) = website {
        text.push(' ');
        text.push_str(url);
    }
    let mut tokens = tokens(&text);
    tokens.truncate(1000);
    tokens
}

/// What the content layers decided: a status other than the policy's, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Spam or held.
    pub status: CommentStatus,
    /// The sentence for the moderation queue.
    pub reason: String,
}

fn form_error(message: &str) -> CoreError {
    let mut errors = FieldErrors::default();
    errors.add(Field::Form, message);
    CoreError::Invalid(errors)
}

impl Site {
    /// A signed token for the comment form of `article`, issued at `issued_at` (unix seconds).
    pub fn form_token(&self, article: ArticleId, issued_at: i64) -> String {
        let message = format!("{}.{issued_at}", article.0);
        format!("{message}.{}", self.secrets.sign_form(&message))
    }

    /// Layer 2: the form must carry a token signed for this article, issued long enough ago for a
    /// human to have typed something, and not so long ago that it is stale.
    pub(crate) fn check_form_token(&self, article: ArticleId, token: &str) -> CoreResult<()> {
        let mut parts = token.trim().splitn(3, '.');
        let (Some(id), Some(issued), Some(signature)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(form_error(
                "This form is missing its security token. Reload the page, then send your comment again.",
            ));
        };
        let issued_at: i64 = issued.parse().unwrap_or(i64::MIN);
        if id != article.0.to_string()
            || !self
                .secrets
                .verify_form(&format!("{id}.{issued}"), signature)
        {
            return Err(form_error(
                "This form's security token is not valid for this article. Reload the page, then send your comment again.",
            ));
        }
        let age = self.now() - issued_at;
        if age < i64::from(self.config.spam.min_form_seconds) {
            return Err(form_error(
                "Your comment was sent only moments after the page loaded, which is how robots behave. \
                 If you are a person, wait a few seconds and send it again.",
            ));
        }
        if age > i64::from(self.config.spam.max_form_age_seconds) {
            return Err(form_error(
                "This page was loaded too long ago. Your text is kept below: send it again now.",
            ));
        }
        Ok(())
    }

    /// Layer 3: at most so many comments per address and per network in the window.
    pub(crate) async fn check_rate(&self, ip: Option<&str>) -> CoreResult<()> {
        let spam = &self.config.spam;
        let Some(ip) = ip.filter(|_| spam.per_ip_limit > 0 || spam.per_network_limit > 0) else {
            return Ok(());
        };
        let network = ip_network(ip).unwrap_or_else(|| ip.to_owned());
        let since = self.now() - i64::from(spam.rate_window_seconds);
        let at_most = i64::from(spam.per_ip_limit.max(spam.per_network_limit));
        let (by_ip, by_network) = self
            .store
            .recent_comments_from(ip, &network, since, at_most)
            .await?;
        if spam.per_ip_limit > 0 && by_ip >= i64::from(spam.per_ip_limit) {
            return Err(self.rate_limited(CommentGuard::ADDRESS_LIMIT));
        }
        if spam.per_network_limit > 0 && by_network >= i64::from(spam.per_network_limit) {
            return Err(self.rate_limited(CommentGuard::NETWORK_LIMIT));
        }
        Ok(())
    }

    /// The message for a reader over the address or network limit (`CommentGuard`'s names).
    pub(crate) fn rate_limited(&self, limit: &str) -> CoreError {
        let spam = &self.config.spam;
        let minutes = spam.rate_window_seconds.div_ceil(60);
        CoreError::RateLimited(if limit == CommentGuard::NETWORK_LIMIT {
            format!(
                "Too many comments came from your network in the last {minutes} minutes. \
                 Please wait a few minutes before posting again."
            )
        } else {
            format!(
                "You have posted {} comments in the last {minutes} minutes, the most we accept. \
                 Please wait a few minutes before posting again.",
                spam.per_ip_limit
            )
        })
    }

    /// Layer 4: the same person posting the same text under the same article.
    pub(crate) fn check_duplicate(duplicate: bool) -> CoreResult<()> {
        if duplicate {
            let mut errors = FieldErrors::default();
            errors.add(
                Field::Comment,
                "You have already posted this comment on this article.",
            );
            return Err(CoreError::Invalid(errors));
        }
        Ok(())
    }

    /// Layers 5 and 6: the word lists and link count, and the classifier (the honeypot, layer 1,
    /// is decided before anything else).
    /// `None` lets the moderation policy decide.
    pub(crate) async fn judge_content(&self, valid: &ValidComment) -> CoreResult<Option<Verdict>> {
        let settings = self.settings().await?;
        let everything = format!(
            "{} {} {} {}",
            valid.body,
            valid.name,
            valid.email,
            valid.website.as_deref().unwrap_or("")
        );
        if let Some(word) = first_listed_word(&everything, &settings.blocklist) {
            return Ok(Some(Verdict {
                status: CommentStatus::Spam,
                reason: format!("Blocklist: contains “{word}”"),
            }));
        }
        if let Some(word) = first_listed_word(&everything, &settings.hold_words) {
            return Ok(Some(Verdict {
                status: CommentStatus::Held,
                reason: format!("Hold word: contains “{word}”"),
            }));
        }
        let links = count_links(&valid.body);
        if links > settings.max_links as usize {
            return Ok(Some(Verdict {
                status: CommentStatus::Held,
                reason: format!(
                    "Links: {links}, more than the {} allowed",
                    settings.max_links
                ),
            }));
        }
        let tokens = comment_tokens(&valid.body, &valid.name, valid.website.as_deref());
        let classifier = Classifier::from_counts(self.store.classifier_counts(&tokens).await?);
        let score = classifier.score(&tokens);
        if classifier.is_trained() && score >= self.config.spam.classifier_threshold {
            return Ok(Some(Verdict {
                status: CommentStatus::Held,
                reason: format!("Classifier: {:.0}% likely spam", score * 100.0),
            }));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_slash_24_and_slash_64() {
        assert_eq!(ip_network("192.0.2.77").as_deref(), Some("192.0.2.0/24"));
        assert_eq!(
            ip_network("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(ip_network("not an address"), None);
        assert_eq!(
            ip_network("::ffff:192.0.2.77").as_deref(),
            Some("192.0.2.0/24"),
            "an IPv4-mapped address is an IPv4 client"
        );
    }
}
