//! `wordpress-sql --articles N --comments M`: the same site `generate` makes for Gazette, as
//! MySQL statements for a fresh WordPress database (posts, comments, categories and tags, counts),
//! on standard output. Used by `bench/wordpress.sh`.
#![allow(clippy::expect_used)]

use clap::Parser;
use gazette_bench::site;
use gazette_bench::sql::Insert;
use std::io::Write;

#[derive(Debug, Parser)]
struct Args {
    /// Articles.
    #[arg(long, default_value_t = 1_000)]
    articles: usize,
    /// Comments across all articles.
    #[arg(long, default_value_t = 50_000)]
    comments: usize,
    /// Comments on the bench article.
    #[arg(long, default_value_t = 200)]
    bench_comments: usize,
    /// Words per article.
    #[arg(long, default_value_t = 800)]
    words: usize,
    /// Seed (the same as for Gazette gives the same text).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First post id (WordPress's own sample post and page take 1 and 2).
    #[arg(long, default_value_t = 100)]
    first_post: i64,
}

/// A MySQL string literal (MySQL also treats backslashes as escapes).
fn text(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

fn date(seconds: i64) -> String {
    let ts = jiff::Timestamp::from_second(seconds).expect("time in range");
    text(&ts.strftime("%Y-%m-%d %H:%M:%S").to_string())
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let now = jiff::Timestamp::now().as_second();
    let plan = site::Plan {
        seed: args.seed,
        articles: args.articles,
        comments: args.comments,
        bench_comments: args.bench_comments,
        words: args.words,
        now,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "SET autocommit = 0;")?;
    // Terms: categories then tags, with their taxonomy rows (term id = taxonomy id, from 100).
    let mut terms = Insert::new("wp_terms", "term_id, name, slug, term_group");
    let mut taxonomy = Insert::new(
        "wp_term_taxonomy",
        "term_taxonomy_id, term_id, taxonomy, description, parent, count",
    );
    let categories = site::categories();
    for (i, name) in categories.iter().chain(site::tags()).enumerate() {
        let id = 100 + i as i64;
        let kind = if i < categories.len() {
            "category"
        } else {
            "post_tag"
        };
        terms.row(&[
            id.to_string(),
            text(name),
            text(&name.to_lowercase()),
            "0".into(),
        ]);
        taxonomy.row(&[
            id.to_string(),
            id.to_string(),
            text(kind),
            text(""),
            "0".into(),
            "0".into(),
        ]);
    }
    write!(out, "{}{}", terms.take(), taxonomy.take())?;
    let mut posts = Insert::new(
        "wp_posts",
        "ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, \
         comment_status, ping_status, post_password, post_name, to_ping, pinged, post_modified, \
         post_modified_gmt, post_content_filtered, post_parent, guid, menu_order, post_type, post_mime_type, comment_count",
    );
    let mut filed = Insert::new(
        "wp_term_relationships",
        "object_id, term_taxonomy_id, term_order",
    );
    let mut comments = Insert::new(
        "wp_comments",
        "comment_ID, comment_post_ID, comment_author, comment_author_email, comment_author_url, \
         comment_author_IP, comment_date, comment_date_gmt, comment_content, comment_karma, \
         comment_approved, comment_agent, comment_type, comment_parent, user_id",
    );
    for story in site::stories(&plan, args.first_post, 100) {
        let a = &story.article;
        let html = gazette_render::render_article(&a.body);
        posts.row(&[
            a.id.to_string(),
            "1".into(),
            date(a.published_at),
            date(a.published_at),
            text(&html),
            text(&a.title),
            text(""),
            text("publish"),
            text("open"),
            text("open"),
            text(""),
            text(&a.slug),
            text(""),
            text(""),
            date(a.published_at),
            date(a.published_at),
            text(""),
            "0".into(),
            text(&format!("http://127.0.0.1:18082/?p={}", a.id)),
            "0".into(),
            text("post"),
            text(""),
            a.comments.to_string(),
        ]);
        filed.row(&[
            a.id.to_string(),
            (100 + a.category as i64).to_string(),
            "0".into(),
        ]);
        for tag in &a.tags {
            filed.row(&[
                a.id.to_string(),
                (100 + categories.len() as i64 + *tag as i64).to_string(),
                "0".into(),
            ]);
        }
        for c in &story.comments {
            comments.row(&[
                c.id.to_string(),
                c.article_id.to_string(),
                text(c.name),
                text(&c.email),
                text(""),
                text("127.0.0.1"),
                date(c.created_at),
                date(c.created_at),
                text(&c.body),
                "0".into(),
                text("1"),
                text(""),
                text("comment"),
                c.parent_id.unwrap_or(0).to_string(),
                "0".into(),
            ]);
            if comments.len() >= 2_000 {
                write!(out, "{}{}{}", posts.take(), filed.take(), comments.take())?;
            }
        }
        if posts.len() >= 200 {
            write!(out, "{}{}{}", posts.take(), filed.take(), comments.take())?;
        }
    }
    write!(out, "{}{}{}", posts.take(), filed.take(), comments.take())?;
    writeln!(
        out,
        "UPDATE wp_term_taxonomy tt SET count = (SELECT COUNT(*) FROM wp_term_relationships r WHERE r.term_taxonomy_id = tt.term_taxonomy_id);"
    )?;
    writeln!(out, "COMMIT;")?;
    out.flush()
}
