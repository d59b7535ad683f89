//! A WordPress body as WordPress itself would show it, before sanitising: block-editor comments
//! dropped, `[caption]` and `[embed]` shortcodes and bare video links turned into HTML, and
//! classic content's line breaks into paragraphs the way `wpautop` does. The result is not yet
//! safe: the caller sanitises it with the article or comment allow-list.

use regex::Regex;
use std::sync::LazyLock;

/// An item's `content:encoded` as HTML.
pub fn article_html(content: &str) -> String {
    // Since WordPress 5.0, content written in the block editor is shown without wpautop: its
    // blocks carry their own paragraphs.
    let blocks = content.contains("<!-- wp:");
    // Block comments, `<!--more-->`, `<!--nextpage-->`: the sanitiser would drop them anyway,
    // and dropped after wpautop they would leave empty paragraphs behind.
    let content = COMMENT.replace_all(content, "");
    let content = shortcodes(&content);
    if blocks {
        content.trim().to_owned()
    } else {
        autop(&content)
    }
}

/// A comment's `comment_content` as HTML (WordPress shows comments through wpautop too).
pub fn comment_html(content: &str) -> String {
    autop(content)
}

/// Paragraphs from blank lines, `<br>` from single line breaks, as WordPress's `wpautop`.
pub fn autop(content: &str) -> String {
    if content.trim().is_empty() {
        return String::new();
    }
    html_auto_p::auto_p(content, html_auto_p::Options::new().br(true))
}

/// Any HTML comment (`<!-- wp:name {...} -->`, `<!--more-->`), with the line break after it.
static COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->\n?").unwrap_or_else(|_| unreachable!()));

/// `[caption attrs]inner[/caption]`, non-greedy, across lines.
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)\[caption([^\]]*)\](.*?)\[/caption\]").unwrap_or_else(|_| unreachable!())
});

/// `[embed attrs]URL[/embed]`.
static EMBED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)\[embed[^\]]*\]\s*(https?://[^\s<>\[\]]+?)\s*\[/embed\]")
        .unwrap_or_else(|_| unreachable!())
});

/// A URL alone on its line: WordPress embeds it (a video, a tweet); here it becomes a link.
static BARE_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(https?://[^\s<>"'\[\]]+)[ \t]*$"#).unwrap_or_else(|_| unreachable!())
});

/// `caption="…"` in a caption shortcode's attributes (the form before WordPress 3.4).
static CAPTION_ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"caption\s*=\s*"([^"]*)""#).unwrap_or_else(|_| unreachable!()));

/// The image (optionally inside a link) that starts a caption's inner text.
static CAPTIONED_MEDIA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)^\s*((?:<a [^>]*>\s*)?<img [^>]*>(?:\s*</a>)?)(.*)$")
        .unwrap_or_else(|_| unreachable!())
});

/// Captions into figures, embeds and bare URLs into links; unknown shortcodes stay as text.
fn shortcodes(content: &str) -> String {
    let content = CAPTION.replace_all(content, |captures: &regex::Captures<'_>| {
        let attributes = &captures[1];
        let inner = &captures[2];
        let (media, mut caption) = match CAPTIONED_MEDIA.captures(inner) {
            Some(parts) => (parts[1].to_owned(), parts[2].trim().to_owned()),
            None => (String::new(), inner.trim().to_owned()),
        };
        if caption.is_empty()
            && let Some(old) = CAPTION_ATTRIBUTE.captures(attributes)
        {
            caption = old[1].to_owned();
        }
        format!(
            "\n<figure class=\"wp-caption\">{media}<figcaption>{caption}</figcaption></figure>\n"
        )
    });
    let content = EMBED.replace_all(&content, "<a href=\"$1\">$1</a>");
    BARE_URL
        .replace_all(&content, "<a href=\"$1\">$1</a>")
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_comments_go_and_blocks_keep_their_paragraphs() {
        let html = article_html(
            "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading {\"level\":3} -->\n<h3>Two</h3>\n<!-- /wp:heading -->",
        );
        assert_eq!(html, "<p>One</p>\n\n<h3>Two</h3>");
    }

    #[test]
    fn classic_line_breaks_become_paragraphs_and_breaks() {
        let html = article_html("First line\nsame paragraph\n\nSecond paragraph");
        assert_eq!(
            html,
            "<p>First line<br>\nsame paragraph</p>\n<p>Second paragraph</p>"
        );
    }

    #[test]
    fn a_caption_becomes_a_figure() {
        let html = article_html(
            "[caption id=\"attachment_9\" align=\"alignnone\" width=\"300\"]<a href=\"/x.jpg\"><img src=\"/x.jpg\" alt=\"X\" /></a> The caption[/caption]",
        );
        assert!(
            html.contains("<figure class=\"wp-caption\"><a href=\"/x.jpg\"><img src=\"/x.jpg\" alt=\"X\" /></a><figcaption>The caption</figcaption></figure>"),
            "{html}"
        );
        assert!(!html.contains("[caption"), "{html}");
        let old = article_html("[caption caption=\"Old style\"]<img src=\"/y.jpg\" />[/caption]");
        assert!(old.contains("<figcaption>Old style</figcaption>"), "{old}");
    }

    #[test]
    fn embeds_and_bare_urls_become_links_and_unknown_shortcodes_stay() {
        let html = article_html(
            "[embed]https://www.youtube.com/watch?v=abc[/embed]\n\nhttps://vimeo.com/123\n\n[gallery ids=\"1,2\"]",
        );
        assert!(
            html.contains("<a href=\"https://www.youtube.com/watch?v=abc\">"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://vimeo.com/123\">https://vimeo.com/123</a>"),
            "{html}"
        );
        assert!(html.contains("[gallery ids=\"1,2\"]"), "{html}");
    }

    #[test]
    fn empty_content_stays_empty() {
        assert_eq!(article_html(""), "");
        assert_eq!(comment_html("  \n "), "");
    }
}
