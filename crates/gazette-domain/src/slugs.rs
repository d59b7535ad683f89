/// A URL slug for a title or name: lower-case ASCII words joined by hyphens, at most 80 characters.
///
/// Non-Latin text is transliterated; text with nothing to keep gives "untitled".
pub fn slugify(text: &str) -> String {
    let mut slug = slug::slugify(text);
    if slug.len() > 80 {
        slug.truncate(80);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    if slug.is_empty() {
        "untitled".to_owned()
    } else {
        slug
    }
}

/// Whether `text` is already a well-formed slug (what a URL segment must be to name an article).
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 200
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_hyphenated_lowercase() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("Ünïcödé  café"), "unicode-cafe");
        assert_eq!(slugify("!!!"), "untitled");
    }

    #[test]
    fn long_titles_are_cut_without_a_trailing_hyphen() {
        let s = slugify(&"word ".repeat(40));
        assert!(s.len() <= 80);
        assert!(!s.ends_with('-'));
    }

    #[test]
    fn only_lowercase_ascii_words_are_slugs() {
        assert!(is_slug("hello-world-2"));
        assert!(!is_slug("Hello"));
        assert!(!is_slug("a/b"));
        assert!(!is_slug(""));
    }
}
