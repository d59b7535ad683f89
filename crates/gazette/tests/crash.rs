//! Killed at the worst moment, or out of disk: the SQLite database still opens, passes
//! `PRAGMA integrity_check`, and holds every write that was acknowledged. (A burst of comments
//! killed by SIGKILL is in `end_to_end.rs`.)
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{BIN, Db, Server, cli, post_comment};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

const COMMENTS: i64 = 200_000;

async fn open(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::from_str(&format!("sqlite:{}", path.display()))
        .expect("url")
        .create_if_missing(true);
    SqlitePool::connect_with(options).await.expect("open")
}

/// The database passes SQLite's own consistency check.
async fn assert_intact(path: &Path) {
    let pool = open(path).await;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("integrity_check");
    assert_eq!(check, "ok", "{}", path.display());
    pool.close().await;
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .expect(sql)
}

/// A site at migration 5 (before the approval numbers of 0006) with many comments, so that the
/// migrations after it take long enough to be killed midway.
async fn database_before_migration_6(path: &Path) {
    let pool = open(path).await;
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../gazette-store-sql/migrations/sqlite");
    let mut migrator = sqlx::migrate::Migrator::new(folder)
        .await
        .expect("migrations");
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|m| m.version <= 5)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&pool).await.expect("migrate to 5");
    for statement in [
        "INSERT INTO users (username, display_name, slug, email, role, created_at) \
         VALUES ('ada', 'Ada', 'ada', 'ada@example.org', 'editor', 1)",
        "INSERT INTO articles (slug, title, body_markdown, body_html, excerpt, author_id, status, \
         comments_open, published_at, created_at, updated_at) \
         VALUES ('story', 'Story', 'Body', '<p>Body</p>', 'Body', 1, 'published', 1, 1, 1, 1)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect(statement);
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {COMMENTS}) \
         INSERT INTO comments (article_id, path, depth, author_name, author_email, avatar, \
         body_markdown, body_html, status, created_at) \
         SELECT 1, printf('%010d', i), 1, 'Reader', 'r' || i || '@example.org', 'ab', \
         'Comment number ' || i, '<p>Comment number ' || i || '</p>', \
         CASE WHEN i % 3 = 0 THEN 'held' ELSE 'approved' END, i FROM n"
    )))
    .execute(&pool)
    .await
    .expect("comments");
    pool.close().await;
}

fn migrate(path: &Path) -> std::process::Child {
    Command::new(BIN)
        .args(["migrate", "--db", &format!("sqlite:{}", path.display())])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn migrate")
}

fn kill_after(mut child: std::process::Child, after: Duration) -> bool {
    std::thread::sleep(after);
    let finished = child.try_wait().expect("try_wait").is_some();
    child.kill().ok();
    child.wait().expect("reap");
    finished
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_killed_midway_leaves_the_database_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let original = dir.path().join("v5.db");
    database_before_migration_6(&original).await;
    // How long the migrations take here, so that the kills land inside them.
    let timing = dir.path().join("timing.db");
    std::fs::copy(&original, &timing).expect("copy");
    let start = Instant::now();
    assert!(migrate(&timing).wait().expect("migrate").success());
    let took = start.elapsed();
    let mut interrupted = 0;
    for (n, fraction) in [0.3, 0.5, 0.7, 0.9].into_iter().enumerate() {
        let copy = dir.path().join(format!("killed-{n}.db"));
        std::fs::copy(&original, &copy).expect("copy");
        let finished = kill_after(migrate(&copy), took.mul_f64(fraction));
        assert_intact(&copy).await;
        let pool = open(&copy).await;
        let version = count(
            &pool,
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
        )
        .await;
        assert_eq!(
            count(&pool, "SELECT COUNT(*) FROM comments").await,
            COMMENTS,
            "every comment is still there"
        );
        if version < 6 {
            interrupted += 1;
            // Nothing of the interrupted migration remains half-applied.
            let columns = count(
                &pool,
                "SELECT COUNT(*) FROM pragma_table_info('comments') WHERE name = 'approved_seq'",
            )
            .await;
            assert_eq!(columns, 0, "a migration left half-applied");
        } else {
            assert!(finished || version >= 6);
        }
        pool.close().await;
        // Running the migrations again finishes the job.
        assert!(migrate(&copy).wait().expect("migrate").success());
        let pool = open(&copy).await;
        assert_eq!(
            count(
                &pool,
                "SELECT COUNT(*) FROM comments WHERE status = 'approved' AND approved_seq IS NULL"
            )
            .await,
            0
        );
        pool.close().await;
        assert_intact(&copy).await;
    }
    assert!(
        interrupted >= 1,
        "no kill landed inside the migrations ({took:?}); make the database bigger"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_killed_midway_leaves_no_file_that_looks_like_a_backup() {
    let dir = tempfile::tempdir().expect("dir");
    let source = dir.path().join("site.db");
    database_before_migration_6(&source).await;
    assert!(migrate(&source).wait().expect("migrate").success());
    let url = format!("sqlite:{}", source.display());
    let backup = |to: &PathBuf| {
        Command::new(BIN)
            .args(["backup", "--db", &url, "--to", to.to_str().expect("path")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn backup")
    };
    let timing = dir.path().join("timing.db");
    let start = Instant::now();
    assert!(backup(&timing).wait().expect("backup").success());
    let took = start.elapsed();
    assert_intact(&timing).await;

    let target = dir.path().join("nightly.db");
    let partial = dir.path().join(".nightly.db.partial");
    kill_after(backup(&target), took.mul_f64(0.6));
    assert!(
        !(target.exists() && partial.exists()),
        "the backup file appears only when complete"
    );
    if target.exists() {
        assert_intact(&target).await;
    } else {
        assert!(partial.exists(), "the kill landed inside the copy");
    }
    assert_intact(&source).await;
    let pool = open(&source).await;
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM comments").await,
        COMMENTS
    );
    pool.close().await;
    // The next backup replaces the unfinished one and completes.
    if !target.exists() {
        assert!(backup(&target).wait().expect("backup").success());
    }
    assert!(!partial.exists());
    assert_intact(&target).await;
    let pool = open(&target).await;
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM comments").await,
        COMMENTS
    );
    pool.close().await;
}

/// A small filesystem of its own (tmpfs), unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        Self { dir }
    }

    /// Writes a file until the filesystem is full.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while file.write_all(&small).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root to mount a small tmpfs as a full disk; .ci/run runs it"]
async fn a_full_disk_answers_503_stores_nothing_unacknowledged_and_recovers() {
    let disk = SmallDisk::mount(16);
    let path = disk.dir.path().join("site.db");
    let url = format!("sqlite:{}", path.display());
    let db = Db::Sqlite {
        _dir: tempfile::tempdir().expect("unused"),
        url: url.clone(),
    };
    cli(&db, &["migrate"], "");
    let server = Server::start_with(&url, &[]);
    let mut acknowledged = Vec::new();
    let post = |n: usize| {
        let server = &server;
        async move {
            let body = format!(
                "comment=Kept+{n}+{}&author=K&email=k{n}%40example.org",
                "x".repeat(2000)
            );
            post_comment(server, "welcome-to-gazette", &body).await
        }
    };
    for n in 0..5 {
        let response = post(n).await;
        assert_eq!(response.status(), 303);
        acknowledged.push(n);
    }
    let filler = disk.fill();
    let mut refused = 0;
    for n in 5..60 {
        let response = post(n).await;
        match response.status().as_u16() {
            303 => acknowledged.push(n),
            503 => {
                refused += 1;
                let text = response.text().await.expect("text");
                assert!(text.contains("its storage is full"), "{text}");
            }
            other => panic!("comment {n}: {other}"),
        }
    }
    assert!(refused > 0, "the full disk refused nothing");
    let health = common::client()
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200, "the site still answers");
    std::fs::remove_file(filler).expect("free the disk");
    let mut recovered = false;
    for n in 60..70 {
        let response = post(n).await;
        if response.status() == 303 {
            acknowledged.push(n);
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "comments are taken again once there is room");
    server.kill();
    assert_intact(&path).await;
    let pool = open(&path).await;
    for n in &acknowledged {
        let found = count(
            &pool,
            &format!("SELECT COUNT(*) FROM comments WHERE body_markdown LIKE 'Kept {n} %'"),
        )
        .await;
        assert_eq!(found, 1, "acknowledged comment {n} is missing");
    }
    let stored = count(
        &pool,
        "SELECT COUNT(*) FROM comments WHERE body_markdown LIKE 'Kept %'",
    )
    .await;
    assert_eq!(
        stored,
        i64::try_from(acknowledged.len()).unwrap(),
        "only acknowledged comments are stored"
    );
    pool.close().await;
}

/// A WordPress export of `posts` posts with `comments` comments each (every fifth a reply).
fn wordpress_export(posts: usize, comments: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\
         <channel><title>Old</title><link>https://old.example</link>\
         <wp:base_blog_url>https://old.example</wp:base_blog_url>\
         <wp:author><wp:author_login>ed</wp:author_login><wp:author_email>ed@old.example</wp:author_email>\
         <wp:author_display_name>Ed</wp:author_display_name></wp:author>\n",
    );
    let mut comment_id = 1;
    for post in 1..=posts {
        xml.push_str(&format!(
            "<item><title>Post {post}</title><link>https://old.example/2020/01/post-{post}/</link>\
             <dc:creator>ed</dc:creator><content:encoded><![CDATA[First paragraph of {post}.\n\nSecond.]]></content:encoded>\
             <wp:post_id>{post}</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>\
             <wp:comment_status>open</wp:comment_status><wp:post_name>post-{post}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        ));
        let first = comment_id;
        for n in 0..comments {
            let parent = if n % 5 == 4 { first } else { 0 };
            xml.push_str(&format!(
                "<wp:comment><wp:comment_id>{comment_id}</wp:comment_id><wp:comment_author>Reader {n}</wp:comment_author>\
                 <wp:comment_author_email>r{n}@example.com</wp:comment_author_email>\
                 <wp:comment_date_gmt>2020-01-02 00:00:00</wp:comment_date_gmt>\
                 <wp:comment_content>Comment {comment_id} on post {post}.</wp:comment_content>\
                 <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
            ));
            comment_id += 1;
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// Copies a database no process has open: its file and, where the last process left them (a
/// process that was killed, or did not close the store), its write-ahead log and index. The
/// file alone would be missing the pages still in the log.
fn copy_closed_database(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the database");
    for suffix in ["-wal", "-shm"] {
        let log = PathBuf::from(format!("{}{suffix}", from.display()));
        if log.exists() {
            std::fs::copy(&log, format!("{}{suffix}", to.display())).expect("copy its log");
        }
    }
}

fn import(path: &Path, export: &Path) -> std::process::Child {
    Command::new(BIN)
        .args([
            "import",
            "wordpress",
            export.to_str().expect("path"),
            "--db",
            &format!("sqlite:{}", path.display()),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn import")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_midway_leaves_the_site_as_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let export = dir.path().join("export.xml");
    std::fs::write(&export, wordpress_export(600, 40)).expect("write export");
    // A site with its welcome article, and how long a whole import takes here.
    let original = dir.path().join("site.db");
    assert!(migrate(&original).wait().expect("migrate").success());
    let timing = dir.path().join("timing.db");
    copy_closed_database(&original, &timing);
    let start = Instant::now();
    assert!(import(&timing, &export).wait().expect("import").success());
    let took = start.elapsed();
    let pool = open(&timing).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM comments").await, 24_000);
    pool.close().await;

    let mut interrupted = 0;
    for (n, fraction) in [0.2, 0.5, 0.8, 0.95].into_iter().enumerate() {
        let copy = dir.path().join(format!("killed-{n}.db"));
        copy_closed_database(&original, &copy);
        let finished = kill_after(import(&copy, &export), took.mul_f64(fraction));
        assert_intact(&copy).await;
        let pool = open(&copy).await;
        let articles = count(&pool, "SELECT COUNT(*) FROM articles").await;
        let comments = count(&pool, "SELECT COUNT(*) FROM comments").await;
        let redirects = count(&pool, "SELECT COUNT(*) FROM redirects").await;
        let imported = count(&pool, "SELECT COUNT(*) FROM imported").await;
        pool.close().await;
        if finished || comments == 24_000 {
            // The kill came after the commit: all of it, never a part.
            assert_eq!((articles, comments), (601, 24_000));
            continue;
        }
        interrupted += 1;
        assert_eq!(
            (articles, comments, redirects, imported),
            (1, 0, 0, 0),
            "an import killed at {fraction} of its time left part of itself"
        );
        // The site takes the same import whole afterwards.
        assert!(import(&copy, &export).wait().expect("import").success());
        let pool = open(&copy).await;
        assert_eq!(count(&pool, "SELECT COUNT(*) FROM comments").await, 24_000);
        pool.close().await;
    }
    assert!(
        interrupted >= 2,
        "too few kills landed inside the import ({took:?}); make the export bigger"
    );
}
