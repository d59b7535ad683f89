//! A Disqus export read one record at a time: its threads (the pages that had a discussion),
//! then its posts (the comments), each naming its thread and parent by Disqus id. Fields are
//! kept as Disqus wrote them; what they become is decided by the caller.

use crate::xml::{Events, ImportError, Node};
use std::io::BufRead;

/// A `<thread>`: one page's discussion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    /// `dsq:id`.
    pub id: String,
    /// The identifier the site gave it (`<id>`; WordPress's plugin writes `123 https://…/?p=123`).
    pub identifier: String,
    /// The page's address.
    pub link: String,
    /// The page's title.
    pub title: String,
    /// The forum (the site's short name at Disqus).
    pub forum: String,
}

/// A `<post>`: one comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Post {
    /// `dsq:id`.
    pub id: String,
    /// The thread it is in (`dsq:id`).
    pub thread: String,
    /// The post it answers (`dsq:id`), if any.
    pub parent: Option<String>,
    /// The comment, as HTML.
    pub message: String,
    /// When, RFC 3339 (`2013-10-10T19:20:29Z`).
    pub created_at: String,
    /// Deleted at Disqus.
    pub is_deleted: bool,
    /// Marked spam at Disqus.
    pub is_spam: bool,
    /// The commenter's name.
    pub author_name: String,
    /// The commenter's email (may be empty).
    pub author_email: String,
    /// The address it was posted from.
    pub ip: String,
}

/// One record of the export, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A thread.
    Thread(Thread),
    /// A post.
    Post(Post),
}

/// Reads a Disqus export as [`Record`]s.
pub struct Reader<R: BufRead> {
    events: Events<R>,
    started: bool,
}

impl<R: BufRead> Reader<R> {
    /// Reads `input` from its start.
    pub fn new(input: R) -> Self {
        Self {
            events: Events::new(input),
            started: false,
        }
    }

    /// The next thread or post; `None` at the end of the export.
    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        if !self.started {
            self.open_root()?;
            self.started = true;
        }
        loop {
            let (name, attributes) = match self.events.next_node()? {
                Some(Node::Start(name, attributes)) => (name, attributes),
                Some(Node::Text(_)) => continue,
                Some(Node::End) | None => return Ok(None),
            };
            let id = dsq_id(&attributes);
            match name.as_str() {
                "thread" => return Ok(Some(Record::Thread(self.thread(id)?))),
                "post" => return Ok(Some(Record::Post(self.post(id)?))),
                _ => self.events.skip()?,
            }
        }
    }

    fn open_root(&mut self) -> Result<(), ImportError> {
        loop {
            match self.events.next_node()? {
                Some(Node::Text(_)) => continue,
                Some(Node::Start(name, _)) if name == "disqus" => return Ok(()),
                Some(Node::Start(name, attributes)) if name == "rss" => {
                    let wordpress = attributes
                        .iter()
                        .any(|(_, value)| value.contains("wordpress.org/export/"));
                    return Err(ImportError::Wrong(if wordpress {
                        "this is a WordPress export: import it with `gazette import wordpress`"
                            .into()
                    } else {
                        "this is an RSS feed, not a Disqus export".into()
                    }));
                }
                Some(Node::Start(name, _)) => {
                    return Err(ImportError::Wrong(format!(
                        "this is not a Disqus export: its root element is <{name}>, not <disqus>"
                    )));
                }
                Some(Node::End) | None => {
                    return Err(ImportError::Wrong(
                        "this file is empty or not XML; a Disqus export starts with <disqus>"
                            .into(),
                    ));
                }
            }
        }
    }

    fn thread(&mut self, id: String) -> Result<Thread, ImportError> {
        let mut thread = Thread {
            id,
            ..Thread::default()
        };
        loop {
            let name = match self.events.next_node()? {
                Some(Node::Start(name, _)) => name,
                Some(Node::Text(_)) => continue,
                Some(Node::End) => return Ok(thread),
                None => return Err(self.events.error("unexpected end of file inside <thread>")),
            };
            match name.as_str() {
                "id" => thread.identifier = self.events.text()?,
                "link" => thread.link = self.events.text()?,
                "title" => thread.title = self.events.text()?,
                "forum" => thread.forum = self.events.text()?,
                _ => self.events.skip()?,
            }
        }
    }

    fn post(&mut self, id: String) -> Result<Post, ImportError> {
        let mut post = Post {
            id,
            ..Post::default()
        };
        loop {
            let (name, attributes) = match self.events.next_node()? {
                Some(Node::Start(name, attributes)) => (name, attributes),
                Some(Node::Text(_)) => continue,
                Some(Node::End) => return Ok(post),
                None => return Err(self.events.error("unexpected end of file inside <post>")),
            };
            match name.as_str() {
                "message" => post.message = self.events.text()?,
                "createdAt" => post.created_at = self.events.text()?,
                "isDeleted" => post.is_deleted = self.events.text()?.trim() == "true",
                "isSpam" => post.is_spam = self.events.text()?.trim() == "true",
                "ipAddress" => post.ip = self.events.text()?,
                "thread" => {
                    post.thread = dsq_id(&attributes);
                    self.events.skip()?;
                }
                "parent" => {
                    post.parent = Some(dsq_id(&attributes)).filter(|p| !p.is_empty());
                    self.events.skip()?;
                }
                "author" => loop {
                    let field = match self.events.next_node()? {
                        Some(Node::Start(field, _)) => field,
                        Some(Node::Text(_)) => continue,
                        Some(Node::End) => break,
                        None => {
                            return Err(self
                                .events
                                .error("unexpected end of file inside <author>"));
                        }
                    };
                    match field.as_str() {
                        "name" => post.author_name = self.events.text()?,
                        "email" => post.author_email = self.events.text()?,
                        _ => self.events.skip()?,
                    }
                },
                _ => self.events.skip()?,
            }
        }
    }
}

/// The `dsq:id` attribute, or empty.
fn dsq_id(attributes: &[(String, String)]) -> String {
    attributes
        .iter()
        .find(|(key, _)| key == "dsq:id")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/disqus/isso-test-export.xml"
    );

    #[test]
    fn the_isso_fixture_reads_with_its_oddities() {
        let file = std::fs::File::open(FIXTURE).expect("the Disqus fixture");
        let mut reader = Reader::new(std::io::BufReader::new(file));
        let mut records = Vec::new();
        while let Some(record) = reader.next_record().expect("reads") {
            records.push(record);
        }
        let threads: Vec<&Thread> = records
            .iter()
            .filter_map(|r| match r {
                Record::Thread(t) => Some(t),
                Record::Post(_) => None,
            })
            .collect();
        assert_eq!(threads.len(), 2);
        assert_eq!(threads[0].identifier, "some-id");
        assert_eq!(threads[0].link, "http://example.org/");
        assert_eq!(threads[1].id, "3");
        assert_eq!(threads[1].link, "", "the empty thread");
        let posts: Vec<&Post> = records
            .iter()
            .filter_map(|r| match r {
                Record::Post(p) => Some(p),
                Record::Thread(_) => None,
            })
            .collect();
        assert_eq!(posts.len(), 3);
        assert_eq!(posts[1].parent.as_deref(), Some("4"), "the reply");
        assert_eq!(posts[1].message, "<p>Hello, World.</p>");
        assert_eq!(posts[1].author_name, "user");
        assert_eq!(posts[2].thread, "1337", "the orphan");
        assert!(!posts[0].is_deleted && !posts[0].is_spam);
        assert_eq!(posts[0].ip, "127.0.0.1");
    }

    #[test]
    fn a_wordpress_file_is_sent_to_its_importer() {
        let wxr =
            "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel/></rss>";
        let error = Reader::new(wxr.as_bytes())
            .next_record()
            .expect_err("refused")
            .to_string();
        assert_eq!(
            error,
            "this is a WordPress export: import it with `gazette import wordpress`"
        );
    }
}
