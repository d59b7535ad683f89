//! `generate --db URL --articles N --comments M`: fills a Gazette database with a realistic site
//! and prints the bench article's path. See `bench/README.md`.
#![allow(clippy::expect_used)]

use anyhow::{Context, bail};
use clap::Parser;
use gazette_bench::site;
use gazette_bench::sql::{Insert, int_or_null, text};
use gazette_core::accounts::AccountRequest;
use gazette_core::{Config, Site};
use gazette_domain::Role;
use gazette_store::Store;
use gazette_store_sql::Pool;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Parser)]
struct Args {
    /// Database URL (sqlite:PATH or postgres://...), created and migrated if needed.
    #[arg(long)]
    db: String,
    /// Articles to create.
    #[arg(long, default_value_t = 1_000)]
    articles: usize,
    /// Approved comments to create, across all articles.
    #[arg(long, default_value_t = 50_000)]
    comments: usize,
    /// Comments on the bench article (the first).
    #[arg(long, default_value_t = 200)]
    bench_comments: usize,
    /// Words per article.
    #[arg(long, default_value_t = 800)]
    words: usize,
    /// Seed: the same seed gives the same site.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// The database behind the URL, with a way to run a batch of SQL on it.
struct Db(gazette_store_sql::SqlStore);

impl Db {
    async fn run(&self, sql: String) -> anyhow::Result<()> {
        let batch = format!("BEGIN;\n{sql}COMMIT;\n");
        match self.0.pool() {
            Pool::Sqlite(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(batch))
                .execute(pool)
                .await
                .map(|_| ()),
            Pool::Postgres(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(batch))
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .context("writing a batch")
    }

    async fn scalar(&self, sql: &'static str) -> anyhow::Result<i64> {
        Ok(match self.0.pool() {
            Pool::Sqlite(pool) => {
                sqlx::query_scalar::<_, Option<i64>>(sql)
                    .fetch_one(pool)
                    .await?
            }
            Pool::Postgres(pool) => {
                sqlx::query_scalar::<_, Option<i64>>(sql)
                    .fetch_one(pool)
                    .await?
            }
        }
        .unwrap_or(0))
    }

    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.0.clone())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let db = Db(gazette_store_sql::SqlStore::connect(&args.db).await?);
    if let Pool::Sqlite(pool) = db.0.pool() {
        // Generation only: a crash means generating again, so skip the per-commit fsync.
        sqlx::raw_sql("PRAGMA synchronous = OFF")
            .execute(pool)
            .await?;
    }
    let config = Config {
        db: args.db.clone(),
        ..Config::default()
    };
    let site = Site::open(db.store(), config).await?;
    if db.scalar("SELECT COUNT(*) FROM articles").await? > 1 {
        bail!(
            "{} already holds articles; generate into an empty database",
            args.db
        );
    }
    let author = site
        .create_account(AccountRequest {
            username: "newsdesk".into(),
            display_name: "The Newsdesk".into(),
            email: "newsdesk@bench.example".into(),
            role: Role::Editor,
            password: "bench password, not for use".into(),
        })
        .await?;

    let now = site.now();
    let first_term = db.scalar("SELECT MAX(id) FROM terms").await? + 1;
    let mut terms = Insert::new("terms", "id, kind, name, slug");
    for (i, name) in site::categories().iter().enumerate() {
        terms.row(&[
            (first_term + i as i64).to_string(),
            text("category"),
            text(name),
            text(&name.to_lowercase()),
        ]);
    }
    let tag_base = first_term + site::categories().len() as i64;
    for (i, name) in site::tags().iter().enumerate() {
        terms.row(&[
            (tag_base + i as i64).to_string(),
            text("tag"),
            text(name),
            text(name),
        ]);
    }
    db.run(terms.take()).await?;

    let plan = site::Plan {
        seed: args.seed,
        articles: args.articles,
        comments: args.comments,
        bench_comments: args.bench_comments,
        words: args.words,
        now,
    };
    let first_article = db.scalar("SELECT MAX(id) FROM articles").await? + 1;
    let first_comment = db.scalar("SELECT MAX(id) FROM comments").await? + 1;
    let mut articles = Insert::new(
        "articles",
        "id, slug, title, body_markdown, body_html, excerpt, author_id, status, comments_open, published_at, created_at, updated_at, comment_count",
    );
    let mut filed = Insert::new("article_terms", "article_id, term_id, sort_order");
    let mut comments = Insert::new(
        "comments",
        "id, article_id, parent_id, path, depth, author_name, author_email, author_url, avatar, body_markdown, body_html, status, created_at, approved_seq",
    );
    let mut written = 0usize;
    for story in site::stories(&plan, first_article, first_comment) {
        let article = &story.article;
        let id = article.id;
        let html = gazette_render::render_article(&article.body);
        let excerpt = gazette_render::excerpt(&article.body, 55);
        let published = article.published_at.to_string();
        articles.row(&[
            id.to_string(),
            text(&article.slug),
            text(&article.title),
            text(&article.body),
            text(&html),
            text(&excerpt),
            author.id.0.to_string(),
            text("published"),
            "TRUE".into(),
            published.clone(),
            published.clone(),
            published,
            article.comments.to_string(),
        ]);
        filed.row(&[
            id.to_string(),
            (first_term + article.category as i64).to_string(),
            "0".into(),
        ]);
        for (n, tag) in article.tags.iter().enumerate() {
            filed.row(&[
                id.to_string(),
                (tag_base + *tag as i64).to_string(),
                (n + 1).to_string(),
            ]);
        }
        for c in &story.comments {
            comments.row(&[
                c.id.to_string(),
                c.article_id.to_string(),
                int_or_null(c.parent_id),
                text(&c.path),
                c.depth.to_string(),
                text(c.name),
                text(&c.email),
                "NULL".into(),
                text(&site.secrets().avatar_hash(&c.email)),
                text(&c.body),
                text(&gazette_render::render_comment(&c.body)),
                text("approved"),
                c.created_at.to_string(),
                // Approved in id order, as if moderated one after another.
                c.id.to_string(),
            ]);
            written += 1;
            if comments.len() >= 2_000 {
                // Articles first: comments refer to them.
                let sql = articles.take() + &filed.take() + &comments.take();
                db.run(sql).await?;
            }
        }
        if articles.len() >= 200 {
            let sql = articles.take() + &filed.take() + &comments.take();
            db.run(sql).await?;
        }
        if (story.index + 1) % 10_000 == 0 {
            eprintln!("{} articles, {written} comments…", story.index + 1);
        }
    }
    let sql = articles.take() + &filed.take() + &comments.take();
    if !sql.is_empty() {
        db.run(sql).await?;
    }
    // The articles were written around the store: index them for search, as a start would.
    let indexed = site.rebuild_search_index().await?;
    eprintln!("{indexed} articles indexed for search");
    match db.0.pool() {
        Pool::Postgres(pool) => {
            for table in ["articles", "comments", "terms"] {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )))
                .execute(pool)
                .await?;
            }
            sqlx::raw_sql("ANALYZE").execute(pool).await?;
        }
        Pool::Sqlite(pool) => {
            sqlx::raw_sql("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "generated {} articles and {written} comments in {seconds:.1} s",
        args.articles
    );
    if let Some(path) = args.db.strip_prefix("sqlite:")
        && let Ok(meta) = std::fs::metadata(path)
    {
        eprintln!("database size: {:.1} MiB", meta.len() as f64 / 1_048_576.0);
    }
    println!("/articles/bench-article");
    Ok(())
}
