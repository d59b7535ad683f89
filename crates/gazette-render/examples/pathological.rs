//! Times the renderers on inputs built to be expensive (deep nesting, many elements, raw HTML),
//! and prints a table. Run with `cargo run --release -p gazette-render --example pathological`.

use std::time::{Duration, Instant};

fn nested_list(levels: usize) -> String {
    (0..levels)
        .map(|i| format!("{}- a\n", "  ".repeat(i)))
        .collect()
}

fn time(render: fn(&str) -> String, input: &str) -> (Duration, usize) {
    // The slowest of three runs: a bound is about the worst case.
    let mut worst = Duration::ZERO;
    let mut bytes = 0;
    for _ in 0..3 {
        let start = Instant::now();
        bytes = render(input).len();
        worst = worst.max(start.elapsed());
    }
    (worst, bytes)
}

fn main() {
    let cases: Vec<(&str, String)> = vec![
        ("10,000 >", ">".repeat(10_000)),
        ("5,000 '- '", "- ".repeat(5_000)),
        ("3,333 '1. '", "1. ".repeat(3_333)),
        ("2,500 '> - '", "> - ".repeat(2_500)),
        ("200-level list", nested_list(200)),
        ("5,000 *a", "*a".repeat(5_000)),
        ("10,000 [", "[".repeat(10_000)),
        ("2,500 [a](", "[a](".repeat(2_500)),
        ("3,333 <a>", "<a>".repeat(3_333)),
        ("1,000 <div>", "<div>".repeat(1_000)),
        ("1,666 <b><i>", "<b><i>".repeat(1_666)),
        ("3,333 **_", "**_".repeat(3_333)),
        ("2,000 words", "word ".repeat(2_000)),
        ("100,000 <div> (article)", "<div>".repeat(100_000)),
        ("100,000 > (article)", ">".repeat(100_000)),
    ];
    println!("| input | bytes in | comment | article |");
    println!("| --- | --- | --- | --- |");
    for (name, input) in &cases {
        let comment = if input.chars().count() <= 10_000 {
            let (t, _) = time(gazette_render::render_comment, input);
            format!("{:.2} ms", t.as_secs_f64() * 1e3)
        } else {
            "(over the comment limit)".into()
        };
        let (article, _) = time(gazette_render::render_article, input);
        println!(
            "| {name} | {} | {comment} | {:.2} ms |",
            input.len(),
            article.as_secs_f64() * 1e3
        );
    }
}
