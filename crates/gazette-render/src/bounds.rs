//! What keeps rendering cheap whatever the input. The sanitiser's HTML tree builder costs time in
//! proportion to how deep elements nest (each new tag looks through the open elements), so ten
//! thousand `>` characters — ten thousand nested quotes — took over half a second to clean. Before
//! any HTML is generated, the Markdown events pass through [`Bounded`], which:
//!
//! - keeps at most `max_depth` levels of nested elements (quotes, lists, emphasis, links…); the
//!   tags of deeper levels are dropped and their text is kept;
//! - keeps at most `max_elements` elements in all; later tags are dropped, text kept;
//! - lets raw HTML through only while it neither opens more than `max_raw_tags` tags nor nests
//!   deeper than `max_depth`; beyond that, raw HTML is shown as text (escaped).
//!
//! The raw-HTML check only estimates nesting from tag names (`<div>` opens, `</div>` closes, void
//! and self-closing tags and those HTML closes by itself, like `<p>` and `<li>`, do not count). It
//! is a cost budget, not a sanitiser: ammonia still decides what survives.

use pulldown_cmark::{CowStr, Event};

/// How much structure a rendered document may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of elements kept.
    pub max_depth: usize,
    /// Most elements kept in one document.
    pub max_elements: usize,
    /// Most tags that raw HTML in the document may open.
    pub max_raw_tags: usize,
}

impl Limits {
    /// For reader comments (at most 10,000 characters).
    pub const COMMENT: Self = Self {
        max_depth: 16,
        max_elements: 5_000,
        max_raw_tags: 500,
    };
    /// For article bodies written by staff or imported (at most 1 MiB).
    pub const ARTICLE: Self = Self {
        max_depth: 48,
        max_elements: 200_000,
        max_raw_tags: 100_000,
    };
}

/// Markdown events with the [`Limits`] applied (see the module's documentation).
pub struct Bounded<I> {
    events: I,
    limits: Limits,
    /// For each open Markdown element: whether its start was kept (so its end is too).
    open: Vec<bool>,
    /// How many of the open Markdown elements were kept.
    depth: usize,
    elements: usize,
    raw_depth: usize,
    raw_tags: usize,
    raw_off: bool,
}

impl<I> Bounded<I> {
    /// Wraps a parser's events.
    pub fn new(events: I, limits: Limits) -> Self {
        Self {
            events,
            limits,
            open: Vec::new(),
            depth: 0,
            elements: 0,
            raw_depth: 0,
            raw_tags: 0,
            raw_off: false,
        }
    }

    fn raw<'a>(&mut self, html: CowStr<'a>, inline: bool) -> Event<'a> {
        if !self.raw_off {
            let (opened, depth) = scan_tags(&html, self.raw_depth);
            if self.raw_tags + opened <= self.limits.max_raw_tags
                && self.depth + depth.max_reached <= self.limits.max_depth
            {
                self.raw_tags += opened;
                self.raw_depth = depth.after;
                return if inline {
                    Event::InlineHtml(html)
                } else {
                    Event::Html(html)
                };
            }
            self.raw_off = true;
        }
        Event::Text(html)
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Bounded<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.events.next()?;
            match event {
                Event::Start(tag) => {
                    let keep = self.depth + self.raw_depth < self.limits.max_depth
                        && self.elements < self.limits.max_elements;
                    self.open.push(keep);
                    if keep {
                        self.depth += 1;
                        self.elements += 1;
                        return Some(Event::Start(tag));
                    }
                    // A dropped block still separates its text from the next.
                    return Some(Event::SoftBreak);
                }
                Event::End(tag) => {
                    if self.open.pop().unwrap_or(false) {
                        self.depth -= 1;
                        return Some(Event::End(tag));
                    }
                }
                Event::Html(html) => return Some(self.raw(html, false)),
                Event::InlineHtml(html) => return Some(self.raw(html, true)),
                other => return Some(other),
            }
        }
    }
}

/// Nesting of raw HTML before and after a fragment.
struct RawDepth {
    /// The deepest the fragment reaches, from the depth it started at.
    max_reached: usize,
    /// Depth after it.
    after: usize,
}

/// Counts the tags `html` opens and follows its estimated nesting from `depth`.
fn scan_tags(html: &str, depth: usize) -> (usize, RawDepth) {
    let mut opened = 0;
    let mut current = depth;
    let mut max_reached = depth;
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(offset) = find_byte(b'<', &bytes[i..]) {
        i += offset + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[start..start + name_len].to_ascii_lowercase();
        if closing {
            if !closes_itself(&name) {
                current = current.saturating_sub(1);
            }
            continue;
        }
        opened += 1;
        let tag_end = find_byte(b'>', &bytes[start..]).map(|e| start + e);
        let self_closing = tag_end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/');
        if !self_closing && !closes_itself(&name) {
            current += 1;
            max_reached = max_reached.max(current);
        }
    }
    (
        opened,
        RawDepth {
            max_reached,
            after: current,
        },
    )
}

fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

/// Void elements, and those the HTML parser closes by itself when a sibling starts.
fn closes_itself(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "rt"
            | "rp"
            | "thead"
            | "tbody"
            | "tfoot"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_nesting_is_estimated_from_tag_names() {
        let (opened, depth) = scan_tags("<div><span>a</span><br><img src=x /><p>x", 0);
        assert_eq!(opened, 5);
        assert_eq!(depth.max_reached, 2);
        assert_eq!(depth.after, 1);
        let (opened, depth) = scan_tags("</div></div> 1 < 2 <!-- c --> <3", 1);
        assert_eq!(opened, 0);
        assert_eq!(depth.after, 0);
    }
}
