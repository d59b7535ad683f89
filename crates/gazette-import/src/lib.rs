//! Reading other systems' exports into plain records, one at a time, so that an archive of any
//! size is read in bounded memory. This crate parses and converts; it never touches a database
//! (`gazette-core` decides what each record becomes, `gazette-store` writes it).

/// WordPress's classic-editor conventions turned into HTML: block comments, `wpautop`, shortcodes.
pub mod content;
/// Disqus's export: threads, then posts naming their thread and parent.
pub mod disqus;
/// WordPress eXtended RSS (WXR 1.0–1.2), as Tools → Export writes it.
pub mod wxr;
/// The XML underneath: a bounded reader that knows its line and column, and its errors.
pub mod xml;

pub use xml::{Format, ImportError, sniff_format};
