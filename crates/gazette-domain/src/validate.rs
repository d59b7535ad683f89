use crate::CommentId;
use crate::text::group_thousands;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Longest accepted name, in characters.
pub const NAME_MAX: usize = 100;
/// Longest accepted email address, in characters (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// Longest accepted website address, in characters.
pub const WEBSITE_MAX: usize = 200;
/// Longest accepted comment body, in characters.
pub const BODY_MAX: usize = 10_000;

/// A field of the comment form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The comment body.
    Comment,
    /// The commenter's name.
    Name,
    /// The commenter's email address.
    Email,
    /// The commenter's website.
    Website,
    /// The comment being replied to.
    Parent,
    /// The form as a whole (its token is stale, or it was sent too fast).
    Form,
}

impl Field {
    /// The form field's name attribute, used as a key for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Comment => "comment",
            Self::Name => "author",
            Self::Email => "email",
            Self::Website => "url",
            Self::Parent => "comment_parent",
            Self::Form => "form",
        }
    }
}

/// One message per field that needs fixing, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<(Field, String)>);

impl FieldErrors {
    /// Records a problem with a field.
    pub fn add(&mut self, field: Field, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Whether nothing needs fixing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, if it has one.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.0.iter().map(|(_, m)| m.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

/// What a commenter typed, untouched.
#[derive(Debug, Clone, Default)]
pub struct CommentDraft {
    /// Comment body (Markdown).
    pub body: String,
    /// Name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Website, possibly empty.
    pub website: String,
    /// The id of the comment replied to, as typed in the form, possibly empty.
    pub parent: String,
}

/// A draft that passed every check, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComment {
    /// Trimmed body.
    pub body: String,
    /// Trimmed name.
    pub name: String,
    /// Trimmed, lower-cased email.
    pub email: String,
    /// An absolute http(s) URL, if given.
    pub website: Option<String>,
    /// The comment replied to, if any.
    pub parent_id: Option<CommentId>,
}

impl CommentDraft {
    /// Checks every field and returns the normalised comment, or one message per failing field.
    pub fn validate(&self) -> Result<ValidComment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let body = self.body.trim();
        let name: String = self.name.trim().nfc().collect();
        let name = name.as_str();
        let email = self.email.trim();
        let website = self.website.trim();
        let parent = self.parent.trim();

        if body.is_empty() {
            errors.add(Field::Comment, "Please type your comment.");
        } else if let Some(message) = too_long("Your comment", body, BODY_MAX) {
            errors.add(Field::Comment, message);
        }

        if name.is_empty() {
            errors.add(Field::Name, "Please give your name.");
        } else if let Some(message) = too_long("Your name", name, NAME_MAX) {
            errors.add(Field::Name, message);
        } else if name
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            errors.add(Field::Name, "Your name must be on a single line.");
        } else if name.chars().any(is_bidi_control) {
            errors.add(
                Field::Name,
                "Your name contains invisible characters that change the direction of text; please type it without them.",
            );
        } else if !name.chars().any(is_visible) {
            errors.add(Field::Name, "Please give your name in visible letters.");
        }

        if email.is_empty() {
            errors.add(
                Field::Email,
                "Please give your email address; it will not be published.",
            );
        } else if let Some(message) = too_long("Your email address", email, EMAIL_MAX) {
            errors.add(Field::Email, message);
        } else if !email_address::EmailAddress::is_valid(email) || !email.contains('.') {
            errors.add(
                Field::Email,
                "That email address does not look right; it should be like name@example.com.",
            );
        }

        let website = if website.is_empty() {
            None
        } else if let Some(message) = too_long("Your website address", website, WEBSITE_MAX) {
            errors.add(Field::Website, message);
            None
        } else {
            match normalise_website(website) {
                Some(url) => Some(url),
                None => {
                    errors.add(
                        Field::Website,
                        "Your website must be an http:// or https:// address, like https://example.com.",
                    );
                    None
                }
            }
        };

        let parent_id = if parent.is_empty() || parent == "0" {
            None
        } else {
            match parent.parse::<i64>() {
                Ok(id) if id > 0 => Some(CommentId(id)),
                _ => {
                    errors.add(
                        Field::Parent,
                        "The comment you are replying to does not exist.",
                    );
                    None
                }
            }
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidComment {
            body: body.to_owned(),
            name: name.to_owned(),
            email: email.to_lowercase(),
            website,
            parent_id,
        })
    }
}

/// A name from another system's export, made safe to show as the form's names are: NFC,
/// without control, line-separator or bidirectional-control characters, at most [`NAME_MAX`]
/// characters; `None` when nothing visible is left.
pub fn imported_name(raw: &str) -> Option<String> {
    let name: String = raw
        .nfc()
        .filter(|&c| {
            !(c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c))
        })
        .take(NAME_MAX)
        .collect();
    let name = name.trim();
    name.chars().any(is_visible).then(|| name.to_owned())
}

/// A website from another system's export, accepted as the form accepts one: an absolute
/// http(s) address with a host, at most [`WEBSITE_MAX`] characters; anything else (a
/// `javascript:` link, say) is dropped.
pub fn imported_website(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > WEBSITE_MAX {
        return None;
    }
    normalise_website(raw)
}

/// Characters that reorder the text around them (Unicode bidirectional controls): a name holding
/// one can display as something else ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a character shows as something: not a space, not a zero-width or format character,
/// not one of the blank "fillers" that look like nothing.
fn is_visible(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
        ))
}

/// The form of a name that looks the same as it: case folded and reduced to Unicode's confusable
/// skeleton (UTS #39), so "Chief Editor", "chief editor" and "Сhief Editor" (Cyrillic С) agree.
/// Used to keep readers from posting under a staff member's name.
pub fn name_lookalike(name: &str) -> String {
    let visible: String = name
        .nfc()
        .filter(|c| is_visible(*c))
        .flat_map(char::to_lowercase)
        .collect();
    unicode_security::confusable_detection::skeleton(&visible)
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn too_long(what: &str, value: &str, max: usize) -> Option<String> {
    let length = value.chars().count();
    (length > max).then(|| {
        format!(
            "{what} is {} characters long; the limit is {}.",
            group_thousands(length as i64),
            group_thousands(max as i64)
        )
    })
}

/// An absolute http(s) URL with a host; a bare host name gets `http://` as browsers would.
fn normalise_website(input: &str) -> Option<String> {
    let parsed = match url::Url::parse(input) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            url::Url::parse(&format!("http://{input}")).ok()?
        }
        Err(_) => return None,
    };
    let has_host = parsed
        .host_str()
        .is_some_and(|h| !h.is_empty() && h.contains('.'));
    (matches!(parsed.scheme(), "http" | "https") && has_host && parsed.username().is_empty())
        .then(|| parsed.to_string())
}

/// A file's address as pages will show it (an image's `src`): an absolute http(s) URL with a
/// host, or a path on this site; anything else (`javascript:`, `//host`, `data:`) is refused.
pub fn media_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('/') && !raw.starts_with("//") {
        return (!raw.contains(['\\', '\n', '\r', ' '])).then(|| raw.to_owned());
    }
    let url = url::Url::parse(raw).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_addresses_are_http_or_a_local_path() {
        assert_eq!(
            media_url(" https://x.test/a b.jpg").as_deref(),
            Some("https://x.test/a%20b.jpg")
        );
        assert_eq!(
            media_url("/uploads/a.jpg").as_deref(),
            Some("/uploads/a.jpg")
        );
        assert_eq!(media_url("//evil.test/a.jpg"), None);
        assert_eq!(media_url("javascript:alert(1)"), None);
        assert_eq!(media_url("data:image/png;base64,AAAA"), None);
        assert_eq!(media_url("/a\\b"), None);
    }

    fn draft() -> CommentDraft {
        CommentDraft {
            body: "Nice piece.".into(),
            name: "Ada".into(),
            email: "Ada@Example.com".into(),
            website: String::new(),
            parent: String::new(),
        }
    }

    #[test]
    fn a_complete_draft_is_normalised() {
        let valid = draft().validate().expect("valid");
        assert_eq!(valid.email, "ada@example.com");
        assert_eq!(valid.website, None);
        assert_eq!(valid.parent_id, None);
    }

    #[test]
    fn every_required_field_gets_its_own_message() {
        let errors = CommentDraft::default().validate().expect_err("invalid");
        assert_eq!(
            errors.get(Field::Comment),
            Some("Please type your comment.")
        );
        assert_eq!(errors.get(Field::Name), Some("Please give your name."));
        assert!(
            errors
                .get(Field::Email)
                .is_some_and(|m| m.contains("email"))
        );
        assert_eq!(errors.get(Field::Website), None);
    }

    #[test]
    fn limits_are_counted_in_characters() {
        let mut d = draft();
        d.body = "é".repeat(BODY_MAX);
        assert!(d.validate().is_ok());
        d.body.push('é');
        let errors = d.validate().expect_err("too long");
        assert_eq!(
            errors.get(Field::Comment),
            Some("Your comment is 10,001 characters long; the limit is 10,000.")
        );
    }

    #[test]
    fn name_email_and_website_limits() {
        let mut d = draft();
        d.name = "n".repeat(NAME_MAX + 1);
        d.email = format!("{}@example.com", "e".repeat(EMAIL_MAX));
        d.website = format!("https://example.com/{}", "w".repeat(WEBSITE_MAX));
        let errors = d.validate().expect_err("too long");
        assert!(
            errors
                .get(Field::Name)
                .is_some_and(|m| m.contains("limit is 100"))
        );
        assert!(
            errors
                .get(Field::Email)
                .is_some_and(|m| m.contains("limit is 254"))
        );
        assert!(
            errors
                .get(Field::Website)
                .is_some_and(|m| m.contains("limit is 200"))
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada example@x.com",
            "ada@localhost",
        ] {
            let mut d = draft();
            d.email = bad.into();
            assert!(d.validate().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn website_must_be_http_or_https() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.com",
            "http://",
            "https://user@example.com",
        ] {
            let mut d = draft();
            d.website = bad.into();
            let errors = d.validate().expect_err(bad);
            assert!(errors.get(Field::Website).is_some(), "{bad} accepted");
        }
    }

    #[test]
    fn a_bare_host_becomes_an_http_url() {
        let mut d = draft();
        d.website = "example.com/blog".into();
        assert_eq!(
            d.validate().expect("valid").website.as_deref(),
            Some("http://example.com/blog")
        );
    }

    #[test]
    fn a_parent_must_be_a_positive_number() {
        let mut d = draft();
        d.parent = "12".into();
        assert_eq!(d.validate().expect("valid").parent_id, Some(CommentId(12)));
        d.parent = "-3".into();
        assert!(d.validate().expect_err("bad").get(Field::Parent).is_some());
        d.parent = "x".into();
        assert!(d.validate().is_err());
    }

    #[test]
    fn names_that_display_as_something_else_are_refused() {
        for bad in [
            "Ada\u{202E}ecalevol",
            "\u{2066}Ada",
            "\u{200B}\u{200B}",
            "\u{3164}",
            "Ada\u{2028}Lovelace",
            "\u{FEFF}\u{2060}",
        ] {
            let mut d = draft();
            d.name = bad.into();
            assert!(
                d.validate().expect_err(bad).get(Field::Name).is_some(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn names_are_stored_in_nfc() {
        let mut d = draft();
        d.name = "Jose\u{301}".into();
        assert_eq!(d.validate().expect("valid").name, "Jos\u{e9}");
    }

    #[test]
    fn lookalike_names_share_a_skeleton() {
        let chief = name_lookalike("Chief Editor");
        assert_eq!(name_lookalike("chief  editor"), chief);
        assert_eq!(name_lookalike("\u{0421}hief Editor"), chief);
        assert_eq!(name_lookalike("Chief\u{200B} Editor"), chief);
        assert_ne!(name_lookalike("Chief Reader"), chief);
    }

    #[test]
    fn a_name_with_a_line_break_is_refused() {
        let mut d = draft();
        d.name = "Ada\nLovelace".into();
        assert!(d.validate().expect_err("bad").get(Field::Name).is_some());
    }
}
