use crate::bounds::{Bounded, Limits};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Renders an article body: full CommonMark with tables, footnotes and strikethrough, then
/// sanitised with ammonia's allow-list (scripts, styles, event handlers and `javascript:` URLs go).
/// Its cost is bounded whatever the input ([`Limits::ARTICLE`]); it is still CPU work to run off
/// the async threads.
pub fn render_article(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let events = Bounded::new(Parser::new_ext(markdown, options), Limits::ARTICLE);
    html::push_html(&mut unsafe_html, events);
    ARTICLE_CLEANER.clean(&unsafe_html).to_string()
}

/// Sanitises an article body written in HTML (an imported one) with the same allow-list as
/// [`render_article`], without reading it as Markdown (where an indented line would become code).
pub fn clean_article_html(html: &str) -> String {
    ARTICLE_CLEANER.clean(html).to_string()
}

/// Sanitises a comment written in HTML (an imported one) with the comment allow-list, without
/// reading it as Markdown: the same HTML comes out however often it is imported.
pub fn clean_comment_html(html: &str) -> String {
    COMMENT_CLEANER.clean(html).to_string()
}

/// Renders a body in its format: Markdown through [`render_article`], HTML through
/// [`clean_article_html`].
pub fn render_body(format: gazette_domain::BodyFormat, source: &str) -> String {
    match format {
        gazette_domain::BodyFormat::Markdown => render_article(source),
        gazette_domain::BodyFormat::Html => clean_article_html(source),
    }
}

/// Renders a comment body: a small Markdown subset (paragraphs, emphasis, links, quotes, code,
/// lists), sanitised, with every link marked `rel="nofollow ugc noopener"`. Nesting and element
/// counts are bounded ([`Limits::COMMENT`]), so any 10,000 characters render in milliseconds.
pub fn render_comment(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let options = Options::ENABLE_STRIKETHROUGH;
    let events = Bounded::new(Parser::new_ext(markdown, options), Limits::COMMENT);
    html::push_html(&mut unsafe_html, events);
    COMMENT_CLEANER.clean(&unsafe_html).to_string()
}

static ARTICLE_CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(article_cleaner);

fn article_cleaner() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener"))
        // Table footers and captions (WordPress's table block has them): dropped, a footer's rows
        // would move into the body the next time the HTML was read.
        .add_tags(["tfoot", "caption"])
        .add_tag_attributes("img", ["loading"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"]);
    builder
}

static COMMENT_CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(comment_cleaner);

fn comment_cleaner() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p",
            "br",
            "em",
            "strong",
            "del",
            "a",
            "blockquote",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
        ]))
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean_content_tags(HashSet::from(["script", "style"]));
    builder
}

/// Plain text made safe to place in HTML, escaped as the templates escape it.
pub fn escape_text(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

/// A search's marked text (matched words between `search::MARK_START` and `MARK_END`) as
/// HTML: the text escaped, each match in `<mark>`. Nothing of the text can make markup; an
/// unbalanced mark is closed at the end.
pub fn marked_html(marked: &str) -> String {
    use gazette_domain::search::{MARK_END, MARK_START};
    let mut html = String::with_capacity(marked.len() + 32);
    let mut open = false;
    for part in marked.split_inclusive([MARK_START, MARK_END]) {
        let (text, mark) = match part.chars().last() {
            Some(c @ (MARK_START | MARK_END)) => (&part[..part.len() - c.len_utf8()], Some(c)),
            _ => (part, None),
        };
        html.push_str(&escape_text(text));
        match mark {
            Some(MARK_START) if !open => {
                html.push_str("<mark>");
                open = true;
            }
            Some(MARK_END) if open => {
                html.push_str("</mark>");
                open = false;
            }
            _ => {}
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

/// Stored bodies made fit for a feed: the same allow-lists, with every relative link and image
/// address made absolute against the site's address (a feed reader has no page to resolve
/// `/articles/…` against).
pub struct AbsoluteLinks {
    article: ammonia::Builder<'static>,
    comment: ammonia::Builder<'static>,
}

impl AbsoluteLinks {
    /// Cleaners resolving against `base` (`https://news.example/`); `None` if it is no address.
    pub fn new(base: &str) -> Option<Self> {
        let base = ammonia::Url::parse(base).ok()?;
        let mut article = article_cleaner();
        article.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
        let mut comment = comment_cleaner();
        comment.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
        Some(Self { article, comment })
    }

    /// An article's stored body.
    pub fn article(&self, html: &str) -> String {
        self.article.clean(html).to_string()
    }

    /// A comment's stored body.
    pub fn comment(&self, html: &str) -> String {
        self.comment.clean(html).to_string()
    }
}

/// Whether sanitised HTML shows no text at all (a comment that was only markup or a script).
pub fn is_blank(html: &str) -> bool {
    TEXT_ONLY.clean(html).to_string().trim().is_empty()
}

static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder.clean_content_tags(HashSet::from(["script", "style"]));
    builder
});

/// A plain-text summary of about `max_words` words from the start of the body, skipping headings,
/// code and images; "…" marks a cut.
pub fn excerpt(markdown: &str, max_words: usize) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut skip_depth = 0u32;
    let mut pending = String::new();
    let mut cut = false;
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::Image { .. }) => {
                skip_depth += 1
            }
            Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Image) => {
                skip_depth = skip_depth.saturating_sub(1)
            }
            Event::Text(text) | Event::Code(text) if skip_depth == 0 => pending.push_str(&text),
            Event::SoftBreak | Event::HardBreak => pending.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                pending.push(' ')
            }
            _ => {}
        }
        if pending.ends_with(char::is_whitespace) || pending.len() > 4096 {
            words.extend(pending.split_whitespace().map(str::to_owned));
            pending.clear();
        }
        if words.len() > max_words {
            cut = true;
            break;
        }
    }
    words.extend(pending.split_whitespace().map(str::to_owned));
    if words.len() > max_words {
        cut = true;
        words.truncate(max_words);
    }
    let mut text = words.join(" ");
    if cut {
        text.push('…');
    }
    text
}

/// A plain-text summary of about `max_words` words of sanitised HTML (an imported body), with
/// headings, code, scripts and styles left out; "…" marks a cut.
pub fn excerpt_of_html(html: &str, max_words: usize) -> String {
    let text = text_with(&EXCERPT_TEXT, html);
    let mut words = text.split_whitespace();
    let mut summary: Vec<&str> = words.by_ref().take(max_words).collect();
    let cut = words.next().is_some();
    let mut text = std::mem::take(&mut summary).join(" ");
    if cut {
        text.push('…');
    }
    text
}

/// All the words of sanitised HTML as plain text (headings and code included, scripts and
/// styles not), one space between words: what the search index holds of a body.
pub fn text_of_html(html: &str) -> String {
    text_with(&TEXT_ONLY, html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text `builder` keeps of `html`, unescaped, with blocks apart.
fn text_with(builder: &ammonia::Builder<'static>, html: &str) -> String {
    // Blocks end in a space, so that words of adjacent paragraphs stay apart.
    let mut spaced = html.replace("<br", " <br");
    for block in [
        "p",
        "li",
        "div",
        "blockquote",
        "td",
        "th",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
    ] {
        spaced = spaced.replace(&format!("</{block}>"), &format!("</{block}> "));
    }
    let text = builder.clean(&spaced).to_string();
    // ammonia escapes the text it keeps; this is plain text, escaped where it is shown.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

static EXCERPT_TEXT: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder.clean_content_tags(HashSet::from([
        "script",
        "style",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "figcaption",
    ]));
    builder
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_excerpt_is_plain_text_without_headings() {
        let text = excerpt_of_html(
            "<h2>Heading</h2><p>Fish &amp; chips <em>today</em>,</p><p>and more words here</p>",
            6,
        );
        assert_eq!(text, "Fish & chips today, and more…");
        assert_eq!(excerpt_of_html("<p>Short</p>", 5), "Short");
    }

    #[test]
    fn comment_scripts_and_handlers_are_removed() {
        let html = render_comment(
            "Hi <script>alert(1)</script><img src=x onerror=alert(2)> <b onclick=x>b</b>",
        );
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("alert(1)"), "{html}");
    }

    #[test]
    fn comment_links_are_nofollow_ugc_and_javascript_urls_go() {
        let html = render_comment("[site](https://example.com) [bad](javascript:alert(1))");
        assert!(
            html.contains(r#"<a href="https://example.com" rel="nofollow ugc noopener">site</a>"#),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn comment_markdown_subset_survives() {
        let html = render_comment("*em* **strong** `code`\n\n> quote\n\n- item");
        for fragment in [
            "<em>em</em>",
            "<strong>strong</strong>",
            "<code>code</code>",
            "<blockquote>",
            "<li>item</li>",
        ] {
            assert!(html.contains(fragment), "{fragment} missing from {html}");
        }
    }

    #[test]
    fn comment_headings_become_plain_text() {
        let html = render_comment("# Shouting");
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("Shouting"));
    }

    #[test]
    fn article_keeps_structure_but_not_scripts() {
        let html = render_article(
            "## Heading\n\n![alt](https://example.com/a.png)\n\n<iframe src=\"https://evil\"></iframe><p style=\"x\" onclick=\"y\">p</p>",
        );
        assert!(html.contains("<h2>Heading</h2>"), "{html}");
        assert!(
            html.contains(r#"<img src="https://example.com/a.png" alt="alt">"#),
            "{html}"
        );
        assert!(!html.contains("iframe"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("style"), "{html}");
    }

    #[test]
    fn markup_without_text_is_blank() {
        assert!(is_blank(&render_comment("<script>alert(1)</script>")));
        assert!(is_blank(&render_comment("<img src=x onerror=alert(1)>")));
        assert!(!is_blank(&render_comment("*hi*")));
    }

    #[test]
    fn marked_text_becomes_escaped_html_with_marks() {
        assert_eq!(
            marked_html("a \u{2}<b>\u{3} & \u{2}c"),
            "a <mark>&lt;b&gt;</mark> &amp; <mark>c</mark>"
        );
        assert_eq!(marked_html("\u{3}plain\u{3}"), "plain");
    }

    #[test]
    fn text_of_html_keeps_every_word_apart() {
        assert_eq!(
            text_of_html(
                "<h2>Head</h2><p>One&amp;<em>two</em></p><p>three</p><script>x()</script>"
            ),
            "Head One&two three"
        );
    }

    #[test]
    fn excerpt_takes_the_first_words_of_prose() {
        let text = excerpt(
            "# Title\n\nOne two *three* four.\n\n```\ncode here\n```\n\nFive six",
            5,
        );
        assert_eq!(text, "One two three four. Five…");
        assert_eq!(excerpt("Short text.", 55), "Short text.");
    }
}
