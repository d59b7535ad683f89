use quick_xml::events::{BytesRef, Event};
use std::io::{self, BufRead};

/// The longest text, tag or CDATA section accepted (a whole article body is one): beyond it the
/// file is refused rather than loaded into memory.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024 * 1024;

/// The deepest element nesting accepted. An export nests about six deep; a file nested much
/// deeper is not an export.
pub const MAX_DEPTH: usize = 64;

/// Why a file could not be read, and where.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Malformed, or not the shape expected, at a position in the file (1-based).
    #[error("line {line}, column {column}: {message}")]
    At {
        /// Line, from 1.
        line: u64,
        /// Column in bytes, from 1.
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// The file as a whole is not what this importer reads.
    #[error("{0}")]
    Wrong(String),
    /// Reading the file failed.
    #[error("reading the file: {0}")]
    Io(#[from] io::Error),
}

/// What kind of export a file is, judged by its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `<rss>` with WordPress's export namespace.
    WordPress,
    /// `<disqus>`.
    Disqus,
    /// An RSS feed without WordPress's namespace, or anything else.
    Other,
}

impl Format {
    /// The command that imports this format, for messages.
    pub fn command(self) -> &'static str {
        match self {
            Format::WordPress => "gazette import wordpress",
            Format::Disqus => "gazette import disqus",
            Format::Other => "no importer",
        }
    }
}

/// Reads the root element of `input` (its first 64 KB at most) to tell which export it is.
pub fn sniff_format(input: impl BufRead) -> Result<Format, ImportError> {
    let mut events = Events::new(io::BufReader::new(input.take(64 * 1024)));
    loop {
        match events.next_node()? {
            Some(Node::Start(name, attributes)) => {
                return Ok(match name.as_str() {
                    "disqus" => Format::Disqus,
                    "rss"
                        if attributes
                            .iter()
                            .any(|(_, value)| value.contains("wordpress.org/export/")) =>
                    {
                        Format::WordPress
                    }
                    _ => Format::Other,
                });
            }
            Some(_) => {}
            None => return Ok(Format::Other),
        }
    }
}

/// A step through the document, with text already unescaped and CDATA joined to it.
#[derive(Debug, PartialEq)]
pub enum Node {
    /// An element opens: its qualified name (`wp:post_id`) and attributes.
    Start(String, Vec<(String, String)>),
    /// Character data inside the current element (one event may be a part of it).
    Text(String),
    /// The current element closes.
    End,
}

/// The XML events of a file as [`Node`]s, bounded in token size and depth, refusing DTDs (so no
/// entity is ever expanded), with every error placed at a line and column.
pub struct Events<R: BufRead> {
    reader: quick_xml::Reader<Counting<R>>,
    buffer: Vec<u8>,
    open: Vec<String>,
    done: bool,
}

impl<R: BufRead> Events<R> {
    /// Reads `input` from its start.
    pub fn new(input: R) -> Self {
        let mut reader = quick_xml::Reader::from_reader(Counting::new(input));
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Self {
            reader,
            buffer: Vec::new(),
            open: Vec::new(),
            done: false,
        }
    }

    /// The elements open at this point, outermost first.
    pub fn open_elements(&self) -> &[String] {
        &self.open
    }

    /// An error at the position reached.
    pub fn error(&self, message: impl Into<String>) -> ImportError {
        error_at(&self.reader, message)
    }

    /// The next node, `None` at the end of a complete document.
    pub fn next_node(&mut self) -> Result<Option<Node>, ImportError> {
        loop {
            if self.done {
                return Ok(None);
            }
            self.buffer.clear();
            let event = match self.reader.read_event_into(&mut self.buffer) {
                Ok(event) => event,
                Err(quick_xml::Error::Io(error))
                    if error.kind() == io::ErrorKind::InvalidData
                        && error.to_string().starts_with("a single") =>
                {
                    return Err(error_at(&self.reader, error.to_string()));
                }
                Err(error) => {
                    let message = describe(&error, self.open.last());
                    return Err(error_at(&self.reader, message));
                }
            };
            let node = match event {
                Event::Start(start) => {
                    let name = start.name().0.to_owned();
                    let mut attributes = Vec::new();
                    for attribute in start.attributes() {
                        let attribute =
                            attribute.map_err(|e| error_at(&self.reader, e.to_string()))?;
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| error_at(&self.reader, e.to_string()))?
                            .into_owned();
                        attributes.push((attribute.key.0.to_owned(), value));
                    }
                    if self.open.len() >= MAX_DEPTH {
                        return Err(error_at(
                            &self.reader,
                            format!(
                                "elements nested more than {MAX_DEPTH} deep; this is not an export"
                            ),
                        ));
                    }
                    self.open.push(name.clone());
                    Node::Start(name, attributes)
                }
                Event::End(_) => {
                    self.open.pop();
                    Node::End
                }
                Event::Text(text) => Node::Text(text.xml10_content().into_owned()),
                Event::CData(data) => Node::Text(data.xml10_content().into_owned()),
                Event::GeneralRef(reference) => Node::Text(resolve(&self.reader, &reference)?),
                Event::DocType(_) => {
                    return Err(error_at(
                        &self.reader,
                        "the file declares a DOCTYPE; exports have none, and its entities are not expanded",
                    ));
                }
                Event::Eof => {
                    if let Some(open) = self.open.last() {
                        return Err(error_at(
                            &self.reader,
                            format!("unexpected end of file inside <{open}>"),
                        ));
                    }
                    self.done = true;
                    return Ok(None);
                }
                Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            };
            return Ok(Some(node));
        }
    }

    /// The text of the element just opened, up to its end; nested elements are refused.
    pub fn text(&mut self) -> Result<String, ImportError> {
        let mut text = String::new();
        loop {
            match self.next_node()? {
                Some(Node::Text(part)) => {
                    if text.len() + part.len() > MAX_TOKEN_BYTES {
                        return Err(self.error("a text longer than 64 MB"));
                    }
                    text.push_str(&part);
                }
                Some(Node::End) => return Ok(text),
                Some(Node::Start(name, _)) => {
                    return Err(self.error(format!("unexpected <{name}> inside a text field")));
                }
                None => return Err(self.error("unexpected end of file")),
            }
        }
    }

    /// Skips the rest of the element just opened, whatever it holds.
    pub fn skip(&mut self) -> Result<(), ImportError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next_node()? {
                Some(Node::Start(..)) => depth += 1,
                Some(Node::End) => depth -= 1,
                Some(Node::Text(_)) => {}
                None => return Err(self.error("unexpected end of file")),
            }
        }
        Ok(())
    }
}

/// The text an entity or character reference stands for: only XML's five and numeric ones.
fn resolve<R: BufRead>(
    reader: &quick_xml::Reader<Counting<R>>,
    reference: &BytesRef<'_>,
) -> Result<String, ImportError> {
    match reference.resolve_char_ref() {
        Ok(Some(character)) => return Ok(character.to_string()),
        Ok(None) => {}
        Err(error) => return Err(error_at(reader, error.to_string())),
    }
    let name: &str = reference;
    quick_xml::escape::resolve_predefined_entity(name)
        .map(str::to_owned)
        .ok_or_else(|| error_at(reader, format!("unknown entity &{name};")))
}

/// An error at the position `reader` has reached.
fn error_at<R>(reader: &quick_xml::Reader<Counting<R>>, message: impl Into<String>) -> ImportError {
    let (line, column) = reader.get_ref().position();
    ImportError::At {
        line,
        column,
        message: message.into(),
    }
}

/// quick-xml's error in an operator's words, naming the element it happened in.
fn describe(error: &quick_xml::Error, inside: Option<&String>) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let place = inside
        .map(|name| format!(" inside <{name}>"))
        .unwrap_or_default();
    match error {
        quick_xml::Error::Syntax(SyntaxError::UnclosedCData) => {
            format!("unexpected end of file in a CDATA section{place}")
        }
        quick_xml::Error::Syntax(syntax) => format!("{syntax}{place}"),
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("</{found}> closes <{expected}>")
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("</{name}> closes nothing")
        }
        other => format!("{other}{place}"),
    }
}

/// A reader that knows the line and column of what its consumer has consumed, and refuses a
/// token (a text, tag or CDATA section: the bytes between one `<` and the next) beyond
/// [`MAX_TOKEN_BYTES`], so one huge line cannot be buffered whole.
struct Counting<R> {
    inner: R,
    line: u64,
    column: u64,
    since_markup: usize,
}

impl<R> Counting<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            line: 1,
            column: 1,
            since_markup: 0,
        }
    }

    fn position(&self) -> (u64, u64) {
        (self.line, self.column)
    }
}

impl<R: io::Read> io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_markup > MAX_TOKEN_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a single text or tag longer than 64 MB; the file is refused, not loaded",
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            for &byte in &buffer[..amount.min(buffer.len())] {
                match byte {
                    b'\n' => {
                        self.line += 1;
                        self.column = 1;
                    }
                    // Continuation bytes of UTF-8 do not start a column.
                    0x80..=0xBF => {}
                    _ => self.column += 1,
                }
                if byte == b'<' {
                    self.since_markup = 0;
                } else {
                    self.since_markup += 1;
                }
            }
        }
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(xml: &str) -> Result<Vec<Node>, ImportError> {
        let mut events = Events::new(xml.as_bytes());
        let mut nodes = Vec::new();
        while let Some(node) = events.next_node()? {
            nodes.push(node);
        }
        Ok(nodes)
    }

    #[test]
    fn text_is_unescaped_and_cdata_kept_as_it_is() {
        let nodes = all("<a>x &amp; &#233;<![CDATA[<b>&amp;</b>]]></a>").expect("parses");
        let text: String = nodes
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "x & é<b>&amp;</b>");
    }

    #[test]
    fn an_unfinished_file_says_where_and_inside_what() {
        let error = all("<rss>\n<channel>\n  <item><wp:comment>\n   <x>y</x>")
            .expect_err("unfinished")
            .to_string();
        assert_eq!(
            error,
            "line 4, column 12: unexpected end of file inside <wp:comment>"
        );
    }

    #[test]
    fn a_mismatched_end_tag_is_placed() {
        let error = all("<a>\n<b></c></a>").expect_err("mismatched").to_string();
        assert!(error.starts_with("line 2, column "), "{error}");
        assert!(error.contains("</c> closes <b>"), "{error}");
    }

    #[test]
    fn entity_bombs_and_external_entities_are_refused_unexpanded() {
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n<rss>&lol2;</rss>";
        let error = all(bomb).expect_err("refused").to_string();
        assert!(error.contains("DOCTYPE"), "{error}");
        let external = "<rss>&xxe;</rss>";
        let error = all(external).expect_err("refused").to_string();
        assert!(error.contains("unknown entity &xxe;"), "{error}");
    }

    #[test]
    fn deep_nesting_is_refused_before_it_costs_anything() {
        let deep = "<a>".repeat(100_000);
        let error = all(&deep).expect_err("too deep").to_string();
        assert!(error.contains("nested more than 64 deep"), "{error}");
    }

    #[test]
    fn a_huge_token_is_refused_not_loaded() {
        struct Endless;
        impl io::Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                buf.fill(b'x');
                Ok(buf.len())
            }
        }
        let input = io::BufReader::new(io::Read::chain(&b"<rss>"[..], Endless));
        let mut events = Events::new(input);
        let error = loop {
            match events.next_node() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("an endless file ended"),
                Err(error) => break error.to_string(),
            }
        };
        assert!(error.contains("longer than 64 MB"), "{error}");
    }

    #[test]
    fn the_root_element_names_the_format() {
        let wxr = "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel/></rss>";
        assert_eq!(
            sniff_format(wxr.as_bytes()).expect("reads"),
            Format::WordPress
        );
        let disqus = "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\"></disqus>";
        assert_eq!(
            sniff_format(disqus.as_bytes()).expect("reads"),
            Format::Disqus
        );
        let feed = "<rss version=\"2.0\"><channel/></rss>";
        assert_eq!(sniff_format(feed.as_bytes()).expect("reads"), Format::Other);
    }
}
