//! Moving out and back in: `export json` → `import json` serves byte-identical pages (form
//! tokens aside), on SQLite and from SQLite to PostgreSQL; `export wordpress` → `import
//! wordpress` into a fresh site brings the same articles, pages, comments and threads; and the
//! refusals (a site that is not empty, a broken or foreign file, an existing output file) write
//! nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Db, Server, cli, cli_output, client};

const WORDPRESS_EXPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
);

const PAGES: &[&str] = &[
    "/",
    "/articles/template-comments",
    "/articles/template-featured-image-horizontal",
    "/articles/markup-html-tags-and-formatting",
    "/level-3",
    "/about",
    "/category/parent",
    "/tag/8bit",
    "/author/themedemos",
    "/api/v1/articles",
    "/feed",
    "/comments/feed/atom",
    "/category/parent/feed/atom",
];

async fn pages(db: &Db) -> Vec<(u16, String)> {
    let server = Server::start(db);
    let mut seen = Vec::new();
    for path in PAGES {
        let response = client().get(server.url(path)).send().await.expect("GET");
        let status = response.status().as_u16();
        // Feeds' links are absolute, on whatever port this server got.
        let origin = server.url("/");
        let body = response.text().await.expect("body");
        let body = body.replace(origin.trim_end_matches('/'), "http://site");
        seen.push((status, without_token(&body)));
    }
    assert!(server.terminate().success());
    seen
}

fn without_token(page: &str) -> String {
    match page.split_once(r#"name="form_token" value=""#) {
        Some((head, tail)) => {
            let rest = tail.split_once('"').map_or("", |(_, rest)| rest);
            format!(r#"{head}name="form_token" value=""{rest}"#)
        }
        None => page.to_owned(),
    }
}

/// The WordPress theme data imported, then a page served once (so the welcome article exists).
fn imported_site() -> Db {
    let db = Db::sqlite();
    let out = cli(&db, &["import", "wordpress", WORDPRESS_EXPORT], "");
    assert!(out.contains("articles: 58 created"), "{out}");
    db
}

#[tokio::test]
async fn export_json_then_import_json_serves_the_same_pages() {
    let source = imported_site();
    let before = pages(&source).await;
    assert!(
        before.iter().all(|(status, _)| *status == 200),
        "{:?}",
        before.iter().map(|p| p.0).collect::<Vec<_>>()
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("site.json");
    let file = file.to_str().unwrap();
    let out = cli(&source, &["export", "json", "--to", file], "");
    assert!(out.contains("articles                     59"), "{out}");
    let document = std::fs::read_to_string(file).expect("the export");
    let parsed: serde_json::Value = serde_json::from_str(&document).expect("one JSON document");
    assert_eq!(parsed["gazette_export"], 1);
    assert_eq!(
        parsed["tables"]["pages"]["rows"].as_array().map(Vec::len),
        Some(21)
    );
    assert!(
        !document.contains("secret."),
        "no site secrets without --include-secrets"
    );
    assert!(
        !document.contains("$argon2"),
        "no password hashes without --include-secrets"
    );

    let target = Db::sqlite();
    let out = cli(&target, &["import", "json", file], "");
    assert!(out.contains("comments                     24"), "{out}");
    let after = pages(&target).await;
    for ((path, old), new) in PAGES.iter().zip(&before).zip(&after) {
        assert_eq!(old.0, new.0, "{path}");
        if old.1 != new.1 {
            let at = old
                .1
                .bytes()
                .zip(new.1.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let around =
                |text: &str| text[at.saturating_sub(80)..(at + 80).min(text.len())].to_owned();
            panic!(
                "{path} differs after export json → import json:\n{}\n---\n{}",
                around(&old.1),
                around(&new.1)
            );
        }
    }

    // A second import into the same (now full) site is refused and changes nothing.
    let refused = cli_output(&target, &["import", "json", file], "");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("already holds a site"), "{message}");
    // An existing output file is never overwritten.
    let again = cli_output(&source, &["export", "json", "--to", file], "");
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(file).expect("kept"), document);
}

#[tokio::test]
async fn a_broken_or_foreign_json_file_is_refused_and_writes_nothing() {
    let source = imported_site();
    let dir = tempfile::tempdir().expect("dir");
    let whole = dir.path().join("site.json");
    cli(
        &source,
        &[
            "export",
            "json",
            "--to",
            whole.to_str().unwrap(),
            "--include-secrets",
        ],
        "",
    );
    let document = std::fs::read_to_string(&whole).expect("the export");
    let schema = document
        .split("\"schema\": ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("a schema number")
        .to_owned();
    assert!(
        document.contains("secret.cookie_key"),
        "--include-secrets keeps them"
    );
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &document[..document.len() * 2 / 3]).expect("write");
    let foreign = dir.path().join("foreign.json");
    std::fs::write(&foreign, r#"{"posts": [{"title": "Hello"}]}"#).expect("write");
    let future = dir.path().join("future.json");
    std::fs::write(
        &future,
        document.replacen(&format!("\"schema\": {schema}"), "\"schema\": 9999", 1),
    )
    .expect("write");
    let extra = dir.path().join("extra.json");
    std::fs::write(
        &extra,
        document.replacen(
            "\"tables\": {",
            "\"tables\": {\"wp_options\": {\"columns\": [\"x\"], \"rows\": [[1]]},",
            1,
        ),
    )
    .expect("write");
    let bad_media = dir.path().join("bad-media.json");
    let (head, media) = document.split_at(document.find("\n\"media\": {").expect("a media table"));
    std::fs::write(
        &bad_media,
        format!(
            "{head}{}",
            media.replacen(",\"https://", ",\"javascript:alert(1)//", 1)
        ),
    )
    .expect("write");
    for (file, expected) in [
        (&bad_media, "is not an http(s) address"),
        (&cut, "EOF while parsing"),
        (&foreign, "not a Gazette export"),
        (&future, "newer Gazette"),
        (&extra, "does not import: wp_options"),
    ] {
        let target = Db::sqlite();
        let out = cli_output(&target, &["import", "json", file.to_str().unwrap()], "");
        assert!(!out.status.success(), "{}", file.display());
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains(expected), "{}: {message}", file.display());
        // Nothing of it landed: the same file imports whole afterwards.
        let whole_import = cli(&target, &["import", "json", whole.to_str().unwrap()], "");
        assert!(
            whole_import.contains("articles                     59"),
            "{whole_import}"
        );
    }
    let truncated = cli_output(
        &Db::sqlite(),
        &["import", "json", cut.to_str().unwrap()],
        "",
    );
    let message = String::from_utf8_lossy(&truncated.stderr);
    assert!(
        message.contains("line") && message.contains("column"),
        "{message}"
    );
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn a_json_export_of_a_sqlite_site_serves_the_same_pages_on_postgres() {
    let source = imported_site();
    let before = pages(&source).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("site.json");
    cli(
        &source,
        &["export", "json", "--to", file.to_str().unwrap()],
        "",
    );
    let postgres = Db::postgres()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    cli(&postgres, &["import", "json", file.to_str().unwrap()], "");
    let after = pages(&postgres).await;
    for ((path, old), new) in PAGES.iter().zip(&before).zip(&after) {
        assert!(old == new, "{path} differs on PostgreSQL");
    }
    // New rows get new ids after the imported ones.
    let out = cli(
        &postgres,
        &[
            "user",
            "add",
            "zed",
            "--email",
            "zed@newsroom.example",
            "--role",
            "author",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(!out.is_empty());
    postgres.cleanup().await;
}

async fn rows(db: &Db, sql: &str) -> Vec<Vec<String>> {
    use sqlx::Row;
    let pool = sqlx::SqlitePool::connect(db.url()).await.expect("open");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&pool)
        .await
        .expect("query");
    let out = found
        .iter()
        .map(|row| {
            (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .ok()
                        .flatten()
                        .or_else(|| {
                            row.try_get::<Option<i64>, _>(i)
                                .ok()
                                .flatten()
                                .map(|v| v.to_string())
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    pool.close().await;
    out
}

#[tokio::test]
async fn export_wordpress_then_import_wordpress_brings_the_same_site() {
    let source = imported_site();
    // Two articles with a second author, as the editor's co-authors field sets them.
    let pool = sqlx::SqlitePool::connect(source.url()).await.expect("open");
    for (slug, position) in [
        ("template-comments", 1),
        ("markup-html-tags-and-formatting", 1),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO article_authors (article_id, user_id, position) \
             SELECT a.id, u.id, {position} FROM articles a, users u WHERE a.slug = '{slug}' \
             AND u.id <> a.author_id AND u.id NOT IN \
             (SELECT user_id FROM article_authors WHERE article_id = a.id) ORDER BY u.id LIMIT 1"
        )))
        .execute(&pool)
        .await
        .expect("co-author");
    }
    pool.close().await;
    let bylines = "SELECT a.slug, u.username, aa.position FROM article_authors aa \
                   JOIN articles a ON a.id = aa.article_id JOIN users u ON u.id = aa.user_id \
                   ORDER BY a.slug, aa.position";
    assert_eq!(rows(&source, bylines).await.len(), 2);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("site.xml");
    let out = cli(
        &source,
        &["export", "wordpress", "--to", file.to_str().unwrap()],
        "",
    );
    assert!(out.contains("comments             24"), "{out}");
    let target = Db::sqlite();
    let report = cli(
        &target,
        &["import", "wordpress", file.to_str().unwrap()],
        "",
    );
    assert!(report.contains("comments: 24 created"), "{report}");
    assert!(report.contains("pages: 21 created"), "{report}");
    assert!(report.contains("6 featured images set"), "{report}");
    // Co-authors go out as Co-Authors Plus's author terms and come back in order.
    let exported = std::fs::read_to_string(&file).expect("export");
    assert!(exported.contains(r#"<category domain="author" nicename="cap-"#));
    assert_eq!(rows(&source, bylines).await, rows(&target, bylines).await);
    let again = cli(
        &target,
        &["import", "wordpress", file.to_str().unwrap()],
        "",
    );
    assert!(again.contains("articles: 0 created, 0 updated"), "{again}");

    let articles = "SELECT slug, title, status, comment_count, comments_open, published_at, excerpt \
                    FROM articles WHERE slug NOT LIKE 'welcome-to-gazette%' ORDER BY slug";
    assert_eq!(rows(&source, articles).await, rows(&target, articles).await);
    let bodies = "SELECT slug, body_html FROM articles WHERE slug NOT LIKE 'welcome-to-gazette%' ORDER BY slug";
    let (old, new) = (rows(&source, bodies).await, rows(&target, bodies).await);
    let changed: Vec<&str> = old
        .iter()
        .zip(&new)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a[0].as_str())
        .collect();
    assert!(changed.is_empty(), "bodies changed on the way: {changed:?}");
    let pages = "SELECT p.slug, p.title, p.status, p.body_html, parent.slug FROM pages p \
                 LEFT JOIN pages parent ON parent.id = p.parent_id ORDER BY p.slug";
    assert_eq!(rows(&source, pages).await, rows(&target, pages).await);
    let threads = "SELECT a.slug, c.author_name, c.author_email, c.author_url, c.status, c.depth, \
                   c.created_at, c.body_html, parent.author_name, parent.created_at, c.ip \
                   FROM comments c JOIN articles a ON a.id = c.article_id \
                   LEFT JOIN comments parent ON parent.id = c.parent_id ORDER BY a.slug, c.created_at, c.author_name";
    assert_eq!(rows(&source, threads).await, rows(&target, threads).await);
    let terms = "SELECT t.kind, t.slug, t.name, parent.slug FROM terms t \
                 LEFT JOIN terms parent ON parent.id = t.parent_id ORDER BY t.kind, t.slug";
    assert_eq!(rows(&source, terms).await, rows(&target, terms).await);
    let images = "SELECT a.slug, m.url, m.alt_text, m.mime_type FROM articles a JOIN media m ON m.id = a.featured_media_id ORDER BY a.slug";
    assert_eq!(rows(&source, images).await, rows(&target, images).await);
    // Feed readers see the same stories, not new ones: WordPress's guids came in and go out.
    // (A copied post whose guid its original already has gets Gazette's own, which goes out too.)
    let feed_ids = "SELECT slug, COALESCE(feed_id, \
                    (SELECT value FROM settings WHERE key = 'feeds.id_base') || 'article/' || id) \
                    FROM articles WHERE slug NOT LIKE 'welcome-to-gazette%' ORDER BY slug";
    let kept = rows(&source, feed_ids).await;
    assert!(
        kept.iter().any(|r| r[1] == "http://wptest.io/demo/?p=861"),
        "{kept:?}"
    );
    let copied: Vec<&Vec<String>> = kept
        .iter()
        .filter(|r| r[1].ends_with("?p=568") || r[1].ends_with("?p=582"))
        .collect();
    assert_eq!(
        copied.len(),
        2,
        "one of each pair sharing a guid keeps it: {copied:?}"
    );
    assert_eq!(kept, rows(&target, feed_ids).await);
}

#[tokio::test]
async fn a_doctored_json_export_brings_no_script_onto_the_site() {
    let source = imported_site();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("site.json");
    cli(
        &source,
        &["export", "json", "--to", file.to_str().unwrap()],
        "",
    );
    let document = std::fs::read_to_string(&file).expect("export");
    let doctored = document
        .replace(
            "Having no content in the post",
            "<script>alert(1)</script><img src=x onerror=alert(2)>Having no content in the post",
        )
        .replace(",\"http://example.org/\",", ",\"javascript:alert(3)\",");
    assert_ne!(doctored, document, "the file was doctored");
    let evil = dir.path().join("evil.json");
    std::fs::write(&evil, doctored).expect("write");
    let target = Db::sqlite();
    cli(&target, &["import", "json", evil.to_str().unwrap()], "");
    let scripts = rows(
        &target,
        "SELECT COUNT(*) FROM comments WHERE body_html LIKE '%<script%' OR body_html LIKE '%onerror%' \
         OR author_url LIKE 'javascript:%'",
    )
    .await;
    assert_eq!(scripts, [["0"]]);
    let kept = rows(
        &target,
        "SELECT COUNT(*) FROM comments WHERE body_html LIKE '%Having no content in the post%'",
    )
    .await;
    assert_eq!(kept, [["1"]], "the text itself stays");
}
