//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap, written with quick-xml's writer, so
//! every address and title is escaped by it.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// An address and when it last changed (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// Absolute address.
    pub loc: String,
    /// Unix seconds, when known.
    pub lastmod: Option<i64>,
}

/// A story in the News sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsStory {
    /// Absolute address.
    pub loc: String,
    /// Headline.
    pub title: String,
    /// Unix seconds of publication.
    pub published: i64,
}

/// W3C datetime in UTC.
fn w3c(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

struct Out(Writer<Vec<u8>>);

impl Out {
    fn new(root: &str, namespaces: &[(&str, &str)]) -> Self {
        let mut out = Self(Writer::new(Vec::new()));
        out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        out.event(Event::Start(
            BytesStart::new(root).with_attributes(namespaces.iter().copied()),
        ));
        out
    }

    fn event(&mut self, event: Event<'_>) {
        // Writing into a Vec cannot fail.
        let _ = self.0.write_event(event);
    }

    fn open(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    fn close(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    fn element(&mut self, name: &str, text: &str) {
        self.open(name);
        let text = crate::feeds::xml_text(text);
        self.event(Event::Text(BytesText::new(&text)));
        self.close(name);
    }

    fn finish(mut self, root: &str) -> String {
        self.close(root);
        String::from_utf8(self.0.into_inner()).unwrap_or_default()
    }
}

/// A sitemap index of `sitemaps`.
pub fn index(sitemaps: &[Url]) -> String {
    let mut out = Out::new("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for sitemap in sitemaps {
        out.open("sitemap");
        out.element("loc", &sitemap.loc);
        if let Some(lastmod) = sitemap.lastmod {
            out.element("lastmod", &w3c(lastmod));
        }
        out.close("sitemap");
    }
    out.finish("sitemapindex")
}

/// A sitemap of `urls` (at most 50,000: the caller pages them).
pub fn urlset(urls: &[Url]) -> String {
    let mut out = Out::new("urlset", &[("xmlns", SITEMAP_NS)]);
    for url in urls {
        out.open("url");
        out.element("loc", &url.loc);
        if let Some(lastmod) = url.lastmod {
            out.element("lastmod", &w3c(lastmod));
        }
        out.close("url");
    }
    out.finish("urlset")
}

/// A Google News sitemap of `stories` by the publication `name` in `language`.
pub fn news(stories: &[NewsStory], name: &str, language: &str) -> String {
    let mut out = Out::new("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for story in stories {
        out.open("url");
        out.element("loc", &story.loc);
        out.open("news:news");
        out.open("news:publication");
        out.element("news:name", name);
        out.element("news:language", language);
        out.close("news:publication");
        out.element("news:publication_date", &w3c(story.published));
        out.element("news:title", &story.title);
        out.close("news:news");
        out.close("url");
    }
    out.finish("urlset")
}
