//! For any input, what the renderers produce is inert: read back by an HTML5 tokenizer, it has no
//! script, style or frame, no event-handler attribute, no `javascript:`, `data:` or `vbscript:`
//! URL, and its nesting stays within the renderer's bounds (the proxy for a bounded cost).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_render::bounds::Limits;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use proptest::prelude::*;
use std::cell::RefCell;

#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    depth: usize,
    max_depth: usize,
}

#[derive(Default)]
struct Sink(RefCell<Findings>);

const VOID: &[&str] = &["br", "img", "hr", "input", "col", "wbr", "source"];

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut found = self.0.borrow_mut();
        if let Token::TagToken(tag) = token {
            let name = tag.name.to_string();
            match tag.kind {
                TagKind::StartTag => {
                    if matches!(
                        name.as_str(),
                        "script"
                            | "style"
                            | "iframe"
                            | "object"
                            | "embed"
                            | "frame"
                            | "svg"
                            | "math"
                            | "form"
                            | "base"
                            | "meta"
                            | "link"
                    ) {
                        found.problems.push(format!("<{name}>"));
                    }
                    for attr in &tag.attrs {
                        let attr_name = attr.name.local.to_string().to_ascii_lowercase();
                        if attr_name.starts_with("on") || attr_name == "style" {
                            found.problems.push(format!("{attr_name}= on <{name}>"));
                        }
                        let value: String = attr
                            .value
                            .chars()
                            .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                            .collect::<String>()
                            .to_ascii_lowercase();
                        if ["javascript:", "data:", "vbscript:"]
                            .iter()
                            .any(|scheme| value.starts_with(scheme))
                        {
                            found.problems.push(format!("{attr_name}={value:?}"));
                        }
                    }
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        found.depth += 1;
                        found.max_depth = found.max_depth.max(found.depth);
                    }
                }
                TagKind::EndTag => found.depth = found.depth.saturating_sub(1),
            }
        }
        TokenSinkResult::Continue
    }
}

fn read_back(html: &str) -> Findings {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Fragments that have broken sanitisers, mixed with arbitrary text.
fn hostile_markdown() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("[x](javascript:alert(1))".to_owned()),
        Just("[x](JaVaScRiPt:alert(1))".to_owned()),
        Just("[x](&#106;avascript:alert(1))".to_owned()),
        Just("[x]( java\tscript:alert(1))".to_owned()),
        Just("![i](data:text/html;base64,PHNjcmlwdD4=)".to_owned()),
        Just("<a href=\"vbscript:msgbox(1)\">v</a>".to_owned()),
        Just("<svg onload=alert(1)>".to_owned()),
        Just("<math><mi xlink:href=\"javascript:alert(1)\">".to_owned()),
        Just("<iframe src=//evil>".to_owned()),
        Just("<style>*{}</style>".to_owned()),
        Just("<p style=\"x:expression(1)\" onclick=\"y\">".to_owned()),
        Just("<!-- <script> -->".to_owned()),
        Just("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">".to_owned()),
        Just("<form><button formaction=javascript:alert(1)>".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("*".to_owned()),
        Just("**".to_owned()),
        Just("`".to_owned()),
        Just("```\n".to_owned()),
        Just("[".to_owned()),
        Just("](".to_owned()),
        Just("<div>".to_owned()),
        Just("</div>".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("    ".to_owned()),
        Just("|a|b|\n|-|-|\n".to_owned()),
        Just("[^1]\n\n[^1]: note".to_owned()),
        "\\PC{0,20}",
        any::<String>(),
    ];
    proptest::collection::vec(fragment, 0..120).prop_map(|parts| parts.concat())
}

fn check(html: &str, limits: Limits) -> Result<(), TestCaseError> {
    let found = read_back(html);
    prop_assert!(found.problems.is_empty(), "{:?} in {html}", found.problems);
    // Raw HTML may add what the sanitiser then removes; what stays is bounded all the same.
    prop_assert!(
        found.max_depth <= limits.max_depth + 2,
        "nested {} deep (limit {}): {html:.300}",
        found.max_depth,
        limits.max_depth
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rendered_comments_are_inert_and_bounded(input in hostile_markdown()) {
        check(&gazette_render::render_comment(&input), Limits::COMMENT)?;
    }

    #[test]
    fn rendered_articles_are_inert_and_bounded(input in hostile_markdown()) {
        check(&gazette_render::render_article(&input), Limits::ARTICLE)?;
    }

    #[test]
    fn deep_nesting_of_any_kind_is_flattened(
        prefix in prop_oneof![Just("> "), Just("- "), Just("1. "), Just("* "), Just("<div>"), Just("<blockquote>"), Just("_")],
        depth in 1usize..3000,
    ) {
        let input = format!("{}words", prefix.repeat(depth));
        let html = gazette_render::render_comment(&input);
        check(&html, Limits::COMMENT)?;
        prop_assert!(html.contains("words"));
    }
}
