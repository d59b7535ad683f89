//! A WordPress export read one record at a time: the site's authors, categories and tags, then
//! each item (post, page, attachment, menu item…) with its terms, meta and comments. Fields are
//! kept as WordPress wrote them; what they become is decided by the caller.

use crate::xml::{Events, ImportError, Node};
use std::io::BufRead;

/// The channel's description of the exported site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// The site's title.
    pub title: String,
    /// The site's address, e.g. `https://example.com`.
    pub link: String,
    /// `wp:base_blog_url`: the address permalinks start with.
    pub base_blog_url: String,
    /// The language, e.g. `en-US`.
    pub language: String,
    /// `wp:wxr_version`: 1.0, 1.1 or 1.2.
    pub wxr_version: String,
    /// What wrote the file, e.g. `https://wordpress.org/?v=6.1.1` or `Gazette 0.1.0`.
    pub generator: String,
}

impl Site {
    /// Whether Gazette's `export wordpress` wrote the file: its comments are final HTML, not
    /// text for wpautop.
    pub fn from_gazette(&self) -> bool {
        self.generator.starts_with("Gazette")
    }
}

/// A `wp:author`: a WordPress account that wrote something.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// `wp:author_id` (WXR 1.1 and later).
    pub id: Option<i64>,
    /// The login, unique in the site.
    pub login: String,
    /// The account's email.
    pub email: String,
    /// The name bylines show.
    pub display_name: String,
}

/// A `wp:category`, `wp:tag` or `wp:term`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    /// `category`, `post_tag`, or another taxonomy's name (`nav_menu`, `post_format`, …).
    pub taxonomy: String,
    /// `wp:term_id`.
    pub id: Option<i64>,
    /// The slug (`category_nicename`, `tag_slug`, `term_slug`).
    pub slug: String,
    /// The display name.
    pub name: String,
    /// The parent's slug, for categories filed under another.
    pub parent: String,
    /// The description.
    pub description: String,
}

/// A term an item is filed under (`<category domain="…" nicename="…">name</category>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// `category`, `post_tag`, `post_format`, …
    pub domain: String,
    /// The slug.
    pub slug: String,
    /// The display name.
    pub name: String,
}

/// A `wp:comment` under an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    /// `wp:comment_id`.
    pub id: i64,
    /// The commenter's name.
    pub author: String,
    /// The commenter's email.
    pub author_email: String,
    /// The commenter's website.
    pub author_url: String,
    /// The address it was posted from.
    pub author_ip: String,
    /// `comment_date`, in the site's time zone (`YYYY-MM-DD HH:MM:SS`).
    pub date: String,
    /// `comment_date_gmt`, in UTC.
    pub date_gmt: String,
    /// The comment, as WordPress stored it (text with some HTML, newlines as paragraphs).
    pub content: String,
    /// `1`, `0`, `spam`, `trash` or `post-trashed`.
    pub approved: String,
    /// Empty or `comment` for comments; `pingback`, `trackback`, …
    pub comment_type: String,
    /// The id of the comment it answers (0: none).
    pub parent: i64,
    /// The WordPress account that wrote it (0: a reader).
    pub user_id: i64,
}

/// An `item`: a post, page, attachment, navigation menu item, or another post type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// The title.
    pub title: String,
    /// Its permalink on the old site.
    pub link: String,
    /// The author's login (`dc:creator`).
    pub creator: String,
    /// `guid`.
    pub guid: String,
    /// The body (`content:encoded`).
    pub content: String,
    /// The hand-written excerpt (`excerpt:encoded`).
    pub excerpt: String,
    /// `wp:post_id`.
    pub id: i64,
    /// `wp:post_date`, in the site's time zone.
    pub date: String,
    /// `wp:post_date_gmt`, or `0000-00-00 00:00:00` when never published.
    pub date_gmt: String,
    /// `wp:post_modified_gmt`.
    pub modified_gmt: String,
    /// `open` or `closed`.
    pub comment_status: String,
    /// `wp:post_name`: the slug (may be empty for drafts).
    pub name: String,
    /// `publish`, `future`, `draft`, `pending`, `private`, `trash`, `inherit`, …
    pub status: String,
    /// `wp:post_parent`: the page above a page, the post an attachment belongs to.
    pub parent: i64,
    /// `post`, `page`, `attachment`, `nav_menu_item`, …
    pub post_type: String,
    /// For attachments: the file's address.
    pub attachment_url: String,
    /// A password readers had to type to see it (empty: none).
    pub password: String,
    /// The terms it is filed under.
    pub terms: Vec<ItemTerm>,
    /// `wp:postmeta` pairs (`_thumbnail_id`, `_wp_attachment_image_alt`, …).
    pub meta: Vec<(String, String)>,
    /// Its comments, in the order of the file.
    pub comments: Vec<Comment>,
}

impl Item {
    /// A meta value by key.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One record of the export, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// An account.
    Author(Author),
    /// A category, tag or other term.
    Term(Term),
    /// A post, page, attachment or other item, with its comments.
    Item(Box<Item>),
}

/// Reads a WXR file as [`Record`]s; the channel's fields are in [`Reader::site`] once the first
/// record has been read (WordPress writes them first).
pub struct Reader<R: BufRead> {
    events: Events<R>,
    site: Site,
    started: bool,
}

impl<R: BufRead> Reader<R> {
    /// Reads `input` from its start.
    pub fn new(input: R) -> Self {
        Self {
            events: Events::new(input),
            site: Site::default(),
            started: false,
        }
    }

    /// What the channel says of the site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The next record; `None` at the end of the export.
    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        if !self.started {
            self.open_channel()?;
            self.started = true;
        }
        loop {
            let Some(node) = self.events.next_node()? else {
                return Ok(None);
            };
            let name = match node {
                Node::Start(name, _) => name,
                Node::Text(_) | Node::End => continue,
            };
            let record = match name.as_str() {
                "title" => {
                    self.site.title = self.events.text()?;
                    continue;
                }
                "link" => {
                    self.site.link = self.events.text()?;
                    continue;
                }
                "language" => {
                    self.site.language = self.events.text()?;
                    continue;
                }
                "generator" => {
                    self.site.generator = self.events.text()?;
                    continue;
                }
                "wp:wxr_version" => {
                    self.site.wxr_version = self.events.text()?;
                    continue;
                }
                "wp:base_blog_url" => {
                    self.site.base_blog_url = self.events.text()?;
                    continue;
                }
                "wp:author" => Record::Author(self.author()?),
                "wp:category" => Record::Term(self.term("category")?),
                "wp:tag" => Record::Term(self.term("post_tag")?),
                "wp:term" => Record::Term(self.term("")?),
                "item" => Record::Item(Box::new(self.item()?)),
                _ => {
                    self.events.skip()?;
                    continue;
                }
            };
            return Ok(Some(record));
        }
    }

    /// Reads up to `<channel>`, refusing what is not a WordPress export.
    fn open_channel(&mut self) -> Result<(), ImportError> {
        let mut root = self.events.next_node()?;
        while let Some(Node::Text(_)) = root {
            root = self.events.next_node()?;
        }
        match root {
            Some(Node::Start(name, attributes)) if name == "rss" => {
                if !attributes.iter().any(|(key, value)| {
                    key == "xmlns:wp" && value.contains("wordpress.org/export/")
                }) {
                    return Err(ImportError::Wrong(
                        "this RSS file is not a WordPress export (it has no wp: namespace); \
                         export with Tools → Export → All content"
                            .into(),
                    ));
                }
            }
            Some(Node::Start(name, _)) if name == "disqus" => {
                return Err(ImportError::Wrong(
                    "this is a Disqus export: import it with `gazette import disqus`".into(),
                ));
            }
            Some(Node::Start(name, _)) => {
                return Err(ImportError::Wrong(format!(
                    "this is not a WordPress export: its root element is <{name}>, not <rss>"
                )));
            }
            Some(_) | None => {
                return Err(ImportError::Wrong(
                    "this file is empty or not XML; a WordPress export starts with <rss>".into(),
                ));
            }
        }
        loop {
            match self.events.next_node()? {
                Some(Node::Start(name, _)) if name == "channel" => return Ok(()),
                Some(Node::Start(..)) => self.events.skip()?,
                Some(Node::Text(_)) => {}
                Some(Node::End) | None => {
                    return Err(ImportError::Wrong(
                        "this WordPress export has no <channel>".into(),
                    ));
                }
            }
        }
    }

    /// The fields of the element just opened, as (name, text) to `apply`; nested elements
    /// other than text fields go to `nested`.
    fn fields(
        &mut self,
        mut apply: impl FnMut(&str, String, &[(String, String)]),
    ) -> Result<(), ImportError> {
        loop {
            match self.events.next_node()? {
                Some(Node::Start(name, attributes)) => {
                    let text = self.events.text()?;
                    apply(&name, text, &attributes);
                }
                Some(Node::Text(_)) => {}
                Some(Node::End) => return Ok(()),
                None => return Err(self.events.error("unexpected end of file")),
            }
        }
    }

    fn author(&mut self) -> Result<Author, ImportError> {
        let mut author = Author::default();
        self.fields(|name, text, _| match name {
            "wp:author_id" => author.id = text.trim().parse().ok(),
            "wp:author_login" => author.login = text,
            "wp:author_email" => author.email = text,
            "wp:author_display_name" => author.display_name = text,
            _ => {}
        })?;
        if author.login.trim().is_empty() {
            return Err(self.events.error("a <wp:author> without a login"));
        }
        Ok(author)
    }

    fn term(&mut self, taxonomy: &str) -> Result<Term, ImportError> {
        let mut term = Term {
            taxonomy: taxonomy.to_owned(),
            ..Term::default()
        };
        self.fields(|name, text, _| match name {
            "wp:term_id" => term.id = text.trim().parse().ok(),
            "wp:category_nicename" | "wp:tag_slug" | "wp:term_slug" => term.slug = text,
            "wp:cat_name" | "wp:tag_name" | "wp:term_name" => term.name = text,
            "wp:category_parent" | "wp:term_parent" => term.parent = text,
            "wp:category_description" | "wp:tag_description" | "wp:term_description" => {
                term.description = text
            }
            "wp:term_taxonomy" => term.taxonomy = text,
            _ => {}
        })?;
        Ok(term)
    }

    fn item(&mut self) -> Result<Item, ImportError> {
        let mut item = Item::default();
        loop {
            let (name, attributes) = match self.events.next_node()? {
                Some(Node::Start(name, attributes)) => (name, attributes),
                Some(Node::Text(_)) => continue,
                Some(Node::End) => break,
                None => return Err(self.events.error("unexpected end of file inside <item>")),
            };
            match name.as_str() {
                "wp:postmeta" => {
                    let (mut key, mut value) = (String::new(), String::new());
                    self.fields(|name, text, _| match name {
                        "wp:meta_key" => key = text,
                        "wp:meta_value" => value = text,
                        _ => {}
                    })?;
                    item.meta.push((key, value));
                }
                "wp:comment" => item.comments.push(self.comment()?),
                "category" => {
                    let attribute = |key: &str| {
                        attributes
                            .iter()
                            .find(|(k, _)| k == key)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    let (domain, slug) = (attribute("domain"), attribute("nicename"));
                    let name = self.events.text()?;
                    // WXR 1.0 writes bare <category> elements without a domain.
                    item.terms.push(ItemTerm {
                        domain: if domain.is_empty() {
                            "category".into()
                        } else {
                            domain
                        },
                        slug,
                        name,
                    });
                }
                _ => {
                    let text = self.events.text()?;
                    match name.as_str() {
                        "title" => item.title = text,
                        "link" => item.link = text,
                        "dc:creator" => item.creator = text,
                        "guid" => item.guid = text,
                        "content:encoded" => item.content = text,
                        "excerpt:encoded" => item.excerpt = text,
                        "wp:post_id" => item.id = number(&text),
                        "wp:post_date" => item.date = text,
                        "wp:post_date_gmt" => item.date_gmt = text,
                        "wp:post_modified_gmt" => item.modified_gmt = text,
                        "wp:comment_status" => item.comment_status = text,
                        "wp:post_name" => item.name = text,
                        "wp:status" => item.status = text,
                        "wp:post_parent" => item.parent = number(&text),
                        "wp:post_type" => item.post_type = text,
                        "wp:attachment_url" => item.attachment_url = text,
                        "wp:post_password" => item.password = text,
                        _ => {}
                    }
                }
            }
        }
        Ok(item)
    }

    fn comment(&mut self) -> Result<Comment, ImportError> {
        let mut comment = Comment::default();
        loop {
            let name = match self.events.next_node()? {
                Some(Node::Start(name, _)) => name,
                Some(Node::Text(_)) => continue,
                Some(Node::End) => break,
                None => {
                    return Err(self
                        .events
                        .error("unexpected end of file inside <wp:comment>"));
                }
            };
            if name == "wp:commentmeta" {
                self.events.skip()?;
                continue;
            }
            let text = self.events.text()?;
            match name.as_str() {
                "wp:comment_id" => comment.id = number(&text),
                "wp:comment_author" => comment.author = text,
                "wp:comment_author_email" => comment.author_email = text,
                "wp:comment_author_url" => comment.author_url = text,
                "wp:comment_author_IP" => comment.author_ip = text,
                "wp:comment_date" => comment.date = text,
                "wp:comment_date_gmt" => comment.date_gmt = text,
                "wp:comment_content" => comment.content = text,
                "wp:comment_approved" => comment.approved = text,
                "wp:comment_type" => comment.comment_type = text,
                "wp:comment_parent" => comment.parent = number(&text),
                "wp:comment_user_id" => comment.user_id = number(&text),
                _ => {}
            }
        }
        Ok(comment)
    }
}

fn number(text: &str) -> i64 {
    text.trim().parse().unwrap_or(0)
}

/// A WordPress date (`YYYY-MM-DD HH:MM:SS`) read as being in UTC, in unix seconds; `None` for
/// the zero date WordPress writes for what was never published, or anything unreadable.
pub fn gmt_seconds(date: &str) -> Option<i64> {
    local_seconds(date, 0)
}

/// A WordPress date in a zone `offset_seconds` east of UTC, in unix seconds.
pub fn local_seconds(date: &str, offset_seconds: i64) -> Option<i64> {
    let date = date.trim();
    if date.is_empty() || date.starts_with("0000-00-00") {
        return None;
    }
    let civil: jiff::civil::DateTime = date.replacen(' ', "T", 1).parse().ok()?;
    let utc = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
    Some(utc.as_second() - offset_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
    );

    fn records() -> (Site, Vec<Record>) {
        let file = std::fs::File::open(FIXTURE).expect("the theme test data");
        let mut reader = Reader::new(std::io::BufReader::new(file));
        let mut records = Vec::new();
        while let Some(record) = reader.next_record().expect("reads") {
            records.push(record);
        }
        (reader.site().clone(), records)
    }

    #[test]
    fn the_theme_test_data_reads_whole() {
        let (site, records) = records();
        assert_eq!(site.title, "Theme Unit Test Data");
        assert_eq!(site.base_blog_url, "https://wpthemetestdata.wordpress.com");
        assert_eq!(site.wxr_version, "1.2");
        let authors: Vec<&Author> = records
            .iter()
            .filter_map(|r| match r {
                Record::Author(a) => Some(a),
                _ => None,
            })
            .collect();
        assert_eq!(authors.len(), 2);
        assert_eq!(authors[1].login, "themereviewteam");
        assert_eq!(authors[1].display_name, "Theme Reviewer");
        let items: Vec<&Item> = records
            .iter()
            .filter_map(|r| match r {
                Record::Item(i) => Some(&**i),
                _ => None,
            })
            .collect();
        assert_eq!(items.len(), 186);
        let count = |t: &str| items.iter().filter(|i| i.post_type == t).count();
        assert_eq!(count("post"), 58);
        assert_eq!(count("page"), 21);
        assert_eq!(count("attachment"), 37);
        assert_eq!(count("nav_menu_item"), 70);
        let comments: usize = items.iter().map(|i| i.comments.len()).sum();
        assert_eq!(comments, 33);
        let child = records
            .iter()
            .find_map(|r| match r {
                Record::Term(t) if t.taxonomy == "category" && !t.parent.is_empty() => Some(t),
                _ => None,
            })
            .expect("a category with a parent");
        assert!(!child.slug.is_empty());
    }

    #[test]
    fn dates_read_as_wordpress_wrote_them() {
        assert_eq!(gmt_seconds("2023-01-16 07:08:31"), Some(1_673_852_911));
        assert_eq!(gmt_seconds("0000-00-00 00:00:00"), None);
        assert_eq!(
            local_seconds("2023-01-16 09:08:31", 7200),
            Some(1_673_852_911)
        );
        assert_eq!(gmt_seconds("yesterday"), None);
    }

    #[test]
    fn a_disqus_file_is_sent_to_its_importer() {
        let disqus =
            "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\"><thread/></disqus>";
        let error = Reader::new(disqus.as_bytes())
            .next_record()
            .expect_err("refused")
            .to_string();
        assert_eq!(
            error,
            "this is a Disqus export: import it with `gazette import disqus`"
        );
    }
}
