//! RSS 2.0 and Atom 1.0 documents, written by the `rss` and `atom_syndication` crates from one
//! description of a feed, so both formats always carry the same entries. Everything in them is
//! escaped by the crates' XML writers; bodies go in as sanitised HTML whose links are absolute
//! (a feed reader has no page to resolve `/articles/…` against).

use atom_syndication as atom;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The Media RSS namespace, for the featured image of an RSS item.
const MEDIA_NAMESPACE: &str = "http://search.yahoo.com/mrss/";

/// What a feed is about.
#[derive(Debug, Clone)]
pub struct Channel<'a> {
    /// "Gazette", "World – Gazette", "Comments on …".
    pub title: &'a str,
    /// One line under the title.
    pub description: &'a str,
    /// The page this is the feed of (absolute).
    pub page_url: &'a str,
    /// The RSS document's own address (absolute).
    pub rss_url: &'a str,
    /// The Atom document's own address (absolute).
    pub atom_url: &'a str,
    /// The Atom feed's id: never changes for this feed.
    pub id: &'a str,
    /// `site.language` (`en`, `de`…).
    pub language: &'a str,
    /// Unix seconds: the newest change among the entries.
    pub updated: i64,
    /// A WebSub hub that subscribers are told about, if the site pings one.
    pub hub: Option<&'a str>,
}

/// One story or comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its permanent id (RSS `guid`, Atom `id`): never changes when it is edited or moved.
    pub id: String,
    /// Headline, or "Comment on …".
    pub title: String,
    /// Its page (absolute).
    pub url: String,
    /// Plain-text summary.
    pub summary: String,
    /// The whole body: sanitised HTML with absolute links.
    pub content_html: String,
    /// Names (never email addresses) with their archive pages.
    pub authors: Vec<Person>,
    /// Categories and tags.
    pub categories: Vec<Category>,
    /// Unix seconds.
    pub published: i64,
    /// Unix seconds of the last change.
    pub updated: i64,
    /// The featured image.
    pub image: Option<Image>,
}

/// An author of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// As shown in a byline.
    pub name: String,
    /// Their page, if they have one (absolute).
    pub url: Option<String>,
}

/// A category or tag of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// As shown to readers.
    pub name: String,
    /// Its archive (absolute).
    pub url: String,
}

/// A featured image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Absolute address.
    pub url: String,
    /// `image/jpeg`…
    pub mime_type: String,
    /// The text a screen reader says instead.
    pub alt_text: String,
}

/// `text` without the characters XML 1.0 cannot carry at all (C0 controls other than tab and
/// line breaks, U+FFFE, U+FFFF): one of them, from an old import or a pasted body, would make
/// a strict feed reader refuse the whole feed.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// RFC 3339 in UTC; the epoch for a time out of range.
fn iso(seconds: i64) -> String {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_string()
}

/// RFC 2822 (RSS dates) in UTC.
fn rfc2822(seconds: i64) -> String {
    let at = Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH);
    jiff::fmt::rfc2822::to_string(&at.to_zoned_datetime(jiff::tz::TimeZone::UTC))
        .unwrap_or_default()
}

fn atom_time(seconds: i64) -> atom::FixedDateTime {
    atom::FixedDateTime::parse_from_rfc3339(&iso(seconds))
        .or_else(|_| atom::FixedDateTime::parse_from_rfc3339("1970-01-01T00:00:00Z"))
        .unwrap_or_default()
}

fn link(rel: &str, href: &str, mime_type: Option<&str>) -> atom::Link {
    atom::Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        ..Default::default()
    }
}

/// The feed as an RSS 2.0 document.
pub fn rss(channel: &Channel<'_>, entries: &[Entry]) -> String {
    let mut links = vec![link("self", channel.rss_url, Some("application/rss+xml"))];
    if let Some(hub) = channel.hub {
        links.push(link("hub", hub, None));
    }
    let items = entries.iter().map(rss_item).collect();
    let uses_media = entries.iter().any(|e| e.image.is_some());
    let mut namespaces = BTreeMap::new();
    if uses_media {
        namespaces.insert("media".to_owned(), MEDIA_NAMESPACE.to_owned());
    }
    let document = rss::Channel {
        title: xml_text(channel.title),
        link: channel.page_url.to_owned(),
        description: xml_text(channel.description),
        language: Some(channel.language.to_owned()),
        last_build_date: Some(rfc2822(channel.updated)),
        generator: Some("Gazette".to_owned()),
        atom_ext: Some(rss::extension::atom::AtomExtension { links }),
        items,
        namespaces,
        ..Default::default()
    };
    document.to_string()
}

fn rss_item(entry: &Entry) -> rss::Item {
    let mut extensions = rss::extension::ExtensionMap::new();
    if let Some(image) = &entry.image {
        let mut attrs = BTreeMap::new();
        attrs.insert("url".to_owned(), image.url.clone());
        attrs.insert("medium".to_owned(), "image".to_owned());
        attrs.insert("type".to_owned(), image.mime_type.clone());
        let mut children = BTreeMap::new();
        if !image.alt_text.is_empty() {
            children.insert(
                "description".to_owned(),
                vec![rss::extension::Extension {
                    name: "media:description".to_owned(),
                    value: Some(xml_text(&image.alt_text)),
                    attrs: BTreeMap::new(),
                    children: BTreeMap::new(),
                }],
            );
        }
        extensions.insert(
            "media".to_owned(),
            BTreeMap::from([(
                "content".to_owned(),
                vec![rss::extension::Extension {
                    name: "media:content".to_owned(),
                    value: None,
                    attrs,
                    children,
                }],
            )]),
        );
    }
    // RSS's own <author> is an email address; names go in Dublin Core's <dc:creator>.
    let creators = entry.authors.iter().map(|a| xml_text(&a.name)).collect();
    rss::Item {
        title: Some(xml_text(&entry.title)),
        link: Some(entry.url.clone()),
        description: Some(xml_text(&entry.summary)),
        categories: entry
            .categories
            .iter()
            .map(|c| rss::Category {
                name: xml_text(&c.name),
                domain: Some(c.url.clone()),
            })
            .collect(),
        guid: Some(rss::Guid {
            value: entry.id.clone(),
            permalink: false,
        }),
        pub_date: Some(rfc2822(entry.published)),
        content: Some(xml_text(&entry.content_html)),
        dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
            creators,
            ..Default::default()
        }),
        extensions,
        ..Default::default()
    }
}

/// The feed as an Atom 1.0 document.
pub fn atom(channel: &Channel<'_>, entries: &[Entry]) -> String {
    let mut links = vec![
        link("self", channel.atom_url, Some("application/atom+xml")),
        link("alternate", channel.page_url, Some("text/html")),
    ];
    if let Some(hub) = channel.hub {
        links.push(link("hub", hub, None));
    }
    let document = atom::Feed {
        title: atom::Text::plain(xml_text(channel.title)),
        id: channel.id.to_owned(),
        updated: atom_time(channel.updated),
        subtitle: (!channel.description.is_empty())
            .then(|| atom::Text::plain(xml_text(channel.description))),
        generator: Some(atom::Generator {
            value: "Gazette".to_owned(),
            ..Default::default()
        }),
        links,
        lang: Some(channel.language.to_owned()),
        entries: entries.iter().map(atom_entry).collect(),
        ..Default::default()
    };
    let bytes = document.write_to(Vec::new()).unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn atom_entry(entry: &Entry) -> atom::Entry {
    let mut links = vec![link("alternate", &entry.url, Some("text/html"))];
    if let Some(image) = &entry.image {
        let mut enclosure = link("enclosure", &image.url, Some(&image.mime_type));
        enclosure.title = (!image.alt_text.is_empty()).then(|| xml_text(&image.alt_text));
        links.push(enclosure);
    }
    atom::Entry {
        title: atom::Text::plain(xml_text(&entry.title)),
        id: entry.id.clone(),
        updated: atom_time(entry.updated),
        published: Some(atom_time(entry.published)),
        authors: entry
            .authors
            .iter()
            .map(|a| atom::Person {
                name: xml_text(&a.name),
                email: None,
                uri: a.url.clone(),
                ..Default::default()
            })
            .collect(),
        categories: entry
            .categories
            .iter()
            .map(|c| atom::Category {
                term: xml_text(&c.name),
                scheme: Some(c.url.clone()),
                label: Some(xml_text(&c.name)),
            })
            .collect(),
        links,
        summary: (!entry.summary.is_empty()).then(|| atom::Text::plain(xml_text(&entry.summary))),
        content: Some(atom::Content {
            value: Some(xml_text(&entry.content_html)),
            content_type: Some("html".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel() -> Channel<'static> {
        Channel {
            title: "A <b>site</b> & co",
            description: "News",
            page_url: "https://news.example/",
            rss_url: "https://news.example/feed",
            atom_url: "https://news.example/feed/atom",
            id: "tag:news.example,2026-12-02:feed",
            language: "en",
            updated: 1_795_827_900,
            hub: Some("https://hub.example/"),
        }
    }

    fn entry() -> Entry {
        Entry {
            id: "tag:news.example,2026-12-02:article-1".into(),
            title: "</title><script>alert(1)</script>\u{0B}".into(),
            url: "https://news.example/articles/a".into(),
            summary: "One & two".into(),
            content_html: "<p>Body ]]> end\u{0C}</p>".into(),
            authors: vec![Person {
                name: "Ann".into(),
                url: Some("https://news.example/author/ann".into()),
            }],
            categories: vec![Category {
                name: "World".into(),
                url: "https://news.example/category/world".into(),
            }],
            published: 1_795_827_900,
            updated: 1_795_828_000,
            image: Some(Image {
                url: "https://news.example/m.jpg".into(),
                mime_type: "image/jpeg".into(),
                alt_text: "A \"quote\"".into(),
            }),
        }
    }

    #[test]
    fn both_formats_read_back_with_the_same_entry() {
        let rss_text = rss(&channel(), &[entry()]);
        let parsed = rss::Channel::read_from(rss_text.as_bytes()).expect("valid RSS");
        assert_eq!(parsed.title, "A <b>site</b> & co");
        let item = &parsed.items[0];
        assert_eq!(
            item.title.as_deref(),
            Some("</title><script>alert(1)</script>")
        );
        assert_eq!(item.content.as_deref(), Some("<p>Body ]]> end</p>"));
        assert_eq!(
            item.guid.as_ref().map(|g| (g.value.as_str(), g.permalink)),
            Some(("tag:news.example,2026-12-02:article-1", false))
        );
        assert_eq!(
            item.pub_date.as_deref(),
            Some("Sat, 28 Nov 2026 01:05:00 +0000")
        );
        assert!(rss_text.contains("xmlns:media=\"http://search.yahoo.com/mrss/\""));
        assert!(rss_text.contains("<media:content "));

        let atom_text = atom(&channel(), &[entry()]);
        let feed: atom::Feed = atom_text.parse().expect("valid Atom");
        assert_eq!(feed.entries[0].id, "tag:news.example,2026-12-02:article-1");
        assert_eq!(
            feed.entries[0]
                .content
                .as_ref()
                .and_then(|c| c.value.as_deref()),
            Some("<p>Body ]]> end</p>")
        );
        assert_eq!(feed.entries[0].authors[0].email, None);
        assert_eq!(
            feed.entries[0].updated.to_rfc3339(),
            "2026-11-28T01:06:40+00:00"
        );
        assert!(feed.links.iter().any(|l| l.rel == "hub"));
    }
}
