//! Several `gazette serve` processes on one PostgreSQL database, as behind a load balancer:
//! what one node writes shows on the other at once (pages, counts, the live stream), staff
//! sessions and scheduled articles work on every node, and a node that loses the database
//! answers 503 and recovers by itself. Ignored unless run with `--include-ignored` and `GAZETTE_TEST_POSTGRES` (`.ci/run`).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Db, Server, cli, client, post_comment};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a long enough password";
const SLUG: &str = "harbour-reopens";

fn add_staff_and_article(db: &Db) -> i64 {
    cli(db, &["migrate"], "");
    cli(
        db,
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@newsroom.example",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    let dir = tempfile::tempdir().expect("dir");
    let body = dir.path().join("body.md");
    std::fs::write(&body, "The harbour reopened on Monday.").expect("write body");
    let out = cli(
        db,
        &[
            "article",
            "new",
            "--title",
            "Harbour reopens",
            "--author",
            "alice",
            "--file",
            body.to_str().unwrap(),
        ],
        "",
    );
    out.split_whitespace()
        .nth(2)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no article id in {out:?}"))
}

/// The WordPress theme test data (never edited: `../shared/data/README.md`).
const WORDPRESS_EXPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
);

async fn get(server: &Server, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("text"))
}

fn field(page: &str, name: &str) -> String {
    page.split(&format!(r#"name="{name}" value=""#))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} field"))
        .to_owned()
}

/// Logs in through node `server`'s form; returns the session cookie ("name=value").
async fn log_in(server: &Server) -> String {
    let form = client()
        .get(server.url("/admin/login"))
        .send()
        .await
        .expect("login form");
    let login_cookie = form.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie pair")
        .to_owned();
    let csrf = field(&form.text().await.expect("text"), "csrf");
    let response = client()
        .post(server.url("/admin/login"))
        .header("cookie", login_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&username=alice&password={}&next=%2Fadmin",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .expect("log in");
    assert_eq!(response.status(), 303, "login redirects");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gazette_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned()
}

fn comment_id(response: &reqwest::Response) -> i64 {
    assert_eq!(response.status(), 303, "the comment is acknowledged");
    response.headers()["location"]
        .to_str()
        .expect("location")
        .rsplit('-')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("comment id in the redirect")
}

/// The comment id a live event carries.
fn comment_of(data: &str) -> i64 {
    let event: serde_json::Value = serde_json::from_str(data).expect("event JSON");
    event["id"].as_i64().expect("a comment id")
}

/// Reads server-sent events from a live stream.
struct LiveReader {
    response: reqwest::Response,
    buffer: String,
}

impl LiveReader {
    async fn open(server: &Server, path: &str) -> Self {
        // No overall timeout: the stream stays open for the whole test.
        let response = reqwest::Client::new()
            .get(server.url(path))
            .send()
            .await
            .expect("open live stream");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next `comment` event's (id, data) within `wait`; heartbeats are skipped.
    async fn next_comment(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "";
                let mut id = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = if v.trim() == "comment" {
                            "comment"
                        } else {
                            "other"
                        };
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if event == "comment" {
                    return Some((id, data));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => return None,
            }
        }
    }
}

/// Polls `path` on `server` until its body contains `needle`, for at most `wait`.
async fn eventually(server: &Server, path: &str, needle: &str, wait: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (_, body) = get(server, path, None).await;
        if body.contains(needle) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < wait,
            "{path} did not show {needle:?} within {wait:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn two_nodes_on_one_database_agree_at_once() {
    let db = Db::postgres()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    let article = add_staff_and_article(&db);
    let settings = [("GAZETTE_LIVE_HEARTBEAT_SECONDS", "1")];
    let a = Server::start_with(db.url(), &settings);
    let b = Server::start_with(db.url(), &settings);
    let page = format!("/articles/{SLUG}");

    for node in [&a, &b] {
        assert_eq!(get(node, "/readyz", None).await, (200, "ready\n".into()));
    }
    // B renders the page and keeps it in its cache.
    let (status, body) = get(&b, &page, None).await;
    assert_eq!(status, 200);
    assert!(body.contains("Be the first to comment"));
    // (minijinja escapes the slashes; the browser reads them back.)
    assert!(
        body.contains("data-live="),
        "the page offers the live stream"
    );
    let mut live = LiveReader::open(&b, &format!("/articles/{SLUG}/live?after=0")).await;

    // A first comment from a new address is held: nowhere public, on no node.
    let held = post_comment(
        &a,
        SLUG,
        "comment=Glad+to+see+boats+again&author=Hana&email=hana%40example.org",
    )
    .await;
    let held = comment_id(&held);
    assert!(!get(&b, &page, None).await.1.contains("Glad to see boats"));

    // The staff session made on A is good on B.
    let session = log_in(&a).await;
    let (status, queue) = get(&b, "/admin/comments?status=held", Some(&session)).await;
    assert_eq!(status, 200, "B accepts A's session");
    assert!(queue.contains("Glad to see boats again") && queue.contains("hana@example.org"));

    // Approved through A: on B's stream, page and counts within a second.
    let (_, dashboard) = get(&a, "/admin", Some(&session)).await;
    let csrf = field(&dashboard, "csrf");
    let approved = client()
        .post(a.url(&format!("/admin/comments/{held}/moderate")))
        .header("cookie", &session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&action=approve&return_to=%2Fadmin%2Fcomments"
        ))
        .send()
        .await
        .expect("approve");
    assert_eq!(approved.status(), 303);
    let (id, data) = live
        .next_comment(Duration::from_secs(1))
        .await
        .expect("B's stream sends the comment approved on A within a second");
    assert_eq!(comment_of(&data), held);
    assert!(
        id.parse::<i64>().is_ok(),
        "the event id is the approval number: {id}"
    );
    assert!(data.contains("Glad to see boats again") && data.contains(r#""parent":null"#));
    assert!(!data.contains("hana@example.org"));
    let took = eventually(&b, &page, "1 Comment on", Duration::from_secs(1)).await;
    eprintln!("B's page showed A's approval after {took:?}");
    let (_, counts) = get(&b, &format!("/api/v1/counts?articles={article}"), None).await;
    let counts: serde_json::Value = serde_json::from_str(&counts).expect("json");
    assert_eq!(counts["counts"][article.to_string()], 1, "{counts}");

    // Hana is known now: her next comment through A is approved at once and streams too.
    let second = post_comment(
        &a,
        SLUG,
        &format!(
            "comment=Second+thoughts&author=Hana&email=hana%40example.org&comment_parent={held}"
        ),
    )
    .await;
    let second = comment_id(&second);
    let (_, data) = live
        .next_comment(Duration::from_secs(1))
        .await
        .expect("an approved reply streams");
    assert_eq!(comment_of(&data), second);
    assert!(data.contains(&format!(r#""parent":{held}"#)));

    // A form token issued by B is good on A (the signing key is the site's, in the database).
    let (_, from_b) = get(&b, &page, None).await;
    let token = field(&from_b, "form_token");
    let crossed = client()
        .post(a.url(&format!("/articles/{SLUG}/comments")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "comment=Token+from+B&author=Hana&email=hana%40example.org&form_token={token}"
        ))
        .send()
        .await
        .expect("post");
    let crossed = comment_id(&crossed);
    let (_, data) = live
        .next_comment(Duration::from_secs(1))
        .await
        .expect("streams too");
    assert_eq!(comment_of(&data), crossed);

    // A held comment never travels on the stream (heartbeats keep coming meanwhile).
    let never = post_comment(
        &a,
        SLUG,
        "comment=Buy+cheap+boats&author=Ivo&email=ivo%40example.org",
    )
    .await;
    comment_id(&never);
    assert_eq!(
        live.next_comment(Duration::from_secs(2)).await,
        None,
        "a held comment was streamed"
    );

    // A scheduled article appears on both nodes when due, once.
    let due = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let dir = tempfile::tempdir().expect("dir");
    let body = dir.path().join("embargo.md");
    std::fs::write(&body, "Embargoed until now.").expect("write");
    let out = cli(
        &db,
        &[
            "article",
            "new",
            "--title",
            "Embargoed report",
            "--author",
            "alice",
            "--file",
            body.to_str().unwrap(),
            "--publish-at",
            &due.to_string(),
        ],
        "",
    );
    assert!(out.starts_with("scheduled article"), "{out}");
    for node in [&a, &b] {
        assert!(!get(node, "/", None).await.1.contains("Embargoed report"));
    }
    for node in [&a, &b] {
        eventually(node, "/", "Embargoed report", Duration::from_secs(5)).await;
        let (_, front) = get(node, "/", None).await;
        assert_eq!(
            front
                .matches(r#"href="/articles/embargoed-report""#)
                .count(),
            1,
            "listed once"
        );
        assert_eq!(get(node, "/articles/embargoed-report", None).await.0, 200);
    }

    // Both nodes queued this hour's prune job on start and ran what was due: one job, run once.
    let pool = sqlx::PgPool::connect(db.url()).await.expect("connect");
    let prunes: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT attempts, done_at FROM jobs WHERE kind = 'prune'")
            .fetch_all(&pool)
            .await
            .expect("jobs");
    assert_eq!(prunes.len(), 1, "one job for two nodes: {prunes:?}");
    assert_eq!(prunes[0].0, 1, "claimed once");
    assert!(prunes[0].1.is_some(), "and done");
    pool.close().await;

    // Shutting down ends live streams instead of waiting on them.
    assert!(b.terminate().success());
    assert!(a.terminate().success());
    drop(live);
    db.cleanup().await;
}

/// A TCP relay between a node and PostgreSQL that the test can cut and restore.
struct Relay {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind relay");
        let address = listener.local_addr().expect("address");
        let up = Arc::new(AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (flag, tasks) = (up.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::Acquire) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                            .await
                            .ok();
                    }
                });
                tasks.lock().unwrap().push(task);
            }
        });
        Self {
            address,
            up,
            connections,
        }
    }

    /// Cuts every connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::Release);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::Release);
    }
}

// Multi-threaded: the relay must keep running while the test waits on the node synchronously.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn a_node_that_loses_the_database_answers_503_and_recovers() {
    let db = Db::postgres()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    add_staff_and_article(&db);
    // postgres://user@HOST:PORT/name → the same database through the relay.
    let url = db.url().to_owned();
    let (head, tail) = url.split_once('@').expect("user@host in the URL");
    let (authority, name) = tail.split_once('/').expect("a database name");
    let relay = Relay::start(authority.to_owned()).await;
    let relayed = format!("{head}@{}/{name}", relay.address);
    let node = Server::start_with(&relayed, &[]);
    let page = format!("/articles/{SLUG}");

    let acknowledged = post_comment(
        &node,
        SLUG,
        "comment=Posted+before+the+outage&author=Olga&email=olga%40example.org",
    )
    .await;
    comment_id(&acknowledged);

    relay.cut();
    let started = Instant::now();
    // A reply form is rendered per reader, so it needs the database.
    let (status, body) = get(&node, &format!("{page}?replytocom=1"), None).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("cannot reach its database"), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?} to give up",
        started.elapsed()
    );
    let (status, body) = get(&node, "/readyz", None).await;
    assert_eq!(status, 503);
    assert!(body.starts_with("not ready"), "{body}");
    assert_eq!(get(&node, "/healthz", None).await.0, 200, "alive all along");

    relay.restore();
    let started = Instant::now();
    loop {
        if get(&node, "/readyz", None).await.0 == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not ready 10 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, body) = get(&node, &page, None).await;
    assert_eq!(status, 200);
    assert!(body.contains("Harbour reopens"));
    let held = cli(&db, &["comments", "list", "--held"], "");
    assert!(held.contains("Posted before the outage"), "{held}");

    assert!(node.terminate().success());
    db.cleanup().await;
}

/// The page with the per-render form token blanked (it carries the time it was issued).
fn without_token(page: &str) -> String {
    match page.split_once(r#"name="form_token" value=""#) {
        Some((head, tail)) => {
            let rest = tail.split_once('"').map_or("", |(_, rest)| rest);
            format!(r#"{head}name="form_token" value=""{rest}"#)
        }
        None => page.to_owned(),
    }
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn a_site_moves_from_sqlite_to_postgres_with_identical_pages() {
    let postgres = Db::postgres()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    let sqlite = Db::sqlite();
    let article = add_staff_and_article(&sqlite);
    // An imported WordPress site comes along too: its articles, comments and old addresses.
    let imported = cli(&sqlite, &["import", "wordpress", WORDPRESS_EXPORT], "");
    assert!(imported.contains("articles: 58 created"), "{imported}");
    let server = Server::start(&sqlite);
    let first = post_comment(
        &server,
        SLUG,
        "comment=First+*light*&author=Hana&email=hana%40example.org&url=https%3A%2F%2Fhana.example%2F",
    )
    .await;
    let first = comment_id(&first);
    cli(&sqlite, &["comments", "approve", &first.to_string()], "");
    let reply = post_comment(
        &server,
        SLUG,
        &format!("comment=A+reply&author=Hana&email=hana%40example.org&comment_parent={first}"),
    )
    .await;
    comment_id(&reply);
    post_comment(
        &server,
        SLUG,
        "comment=Still+held&author=Ivo&email=ivo%40example.org",
    )
    .await;

    // An online backup while the site runs holds everything acknowledged so far.
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("backup.db");
    let out = cli(&sqlite, &["backup", "--to", backup.to_str().unwrap()], "");
    assert!(out.starts_with("backed up"), "{out}");
    let backup_db = format!("sqlite:{}", backup.display());
    let listed = common::cli_output_url(&backup_db, &["comments", "list", "--held"]);
    assert!(listed.contains("Still held"), "{listed}");
    let again = common::cli_output(&sqlite, &["backup", "--to", backup.to_str().unwrap()], "");
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );

    // An uploaded image: its stored sizes are bytes in the database, and move with it.
    let session = log_in(&server).await;
    let (_, library) = get(&server, "/admin/media", Some(&session)).await;
    let boundary = "----moved-image";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n",
        field(&library, "csrf")
    )
    .into_bytes();
    upload.extend(gazette_render::images::fixtures::jpeg(700, 350));
    upload.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let uploaded = client()
        .post(server.url("/admin/media/upload"))
        .header("cookie", &session)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(upload)
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), 303);
    let image_page = uploaded.headers()["location"]
        .to_str()
        .expect("location")
        .split('?')
        .next()
        .expect("path")
        .replace("/admin/media/", "");
    let image_path = format!("/media/{image_page}/480.jpg");
    let image_bytes = |server_url: String| async move {
        let response = client().get(server_url).send().await.expect("image");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("bytes").to_vec()
    };
    let image_before = image_bytes(server.url(&image_path)).await;
    assert_eq!(&image_before[..2], &[0xFF, 0xD8]);

    let paths = [
        "/".to_owned(),
        format!("/articles/{SLUG}"),
        "/articles/template-comments".to_owned(),
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{article}/comments"),
        format!("/api/v1/counts?articles={article}"),
        "/author/alice".to_owned(),
        // An imported static page with its breadcrumb, and an article with its featured image.
        "/level-3".to_owned(),
        "/articles/template-featured-image-horizontal".to_owned(),
    ];
    let mut before = Vec::new();
    for path in &paths {
        let (status, body) = get(&server, path, None).await;
        assert_eq!(status, 200, "{path}");
        before.push(without_token(&body));
    }
    assert!(server.terminate().success());

    let out = cli(
        &sqlite,
        &["copy-db", "--from", sqlite.url(), "--to", postgres.url()],
        "",
    );
    assert!(out.contains("every table's count matches"), "{out}");
    assert!(
        out.contains("comments                     27         27"),
        "{out}"
    );
    let refused = common::cli_output(
        &sqlite,
        &["copy-db", "--from", sqlite.url(), "--to", postgres.url()],
        "",
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --replace"));

    let moved = Server::start(&postgres);
    for (path, expected) in paths.iter().zip(&before) {
        let (status, body) = get(&moved, path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            &without_token(&body),
            expected,
            "{path} differs after the move"
        );
    }
    assert_eq!(image_bytes(moved.url(&image_path)).await, image_before);
    // The search index is not copied (a different table on each database): the first start
    // on PostgreSQL built it again.
    let (status, found) = get(&moved, "/search?q=featured+horizontal", None).await;
    assert_eq!(status, 200);
    assert!(
        found.contains("href=\"/articles/template-featured-image-horizontal\""),
        "{found}"
    );
    // Old addresses still answer, and the imported rows are still known as imported.
    let (status, _) = get(&moved, "/?p=1173", None).await;
    assert_eq!(status, 301);
    let again = cli(&postgres, &["import", "wordpress", WORDPRESS_EXPORT], "");
    assert!(
        again.contains("articles: 0 created, 0 updated, 58 unchanged"),
        "{again}"
    );
    assert!(
        again.contains("comments: 0 created, 0 updated, 24 unchanged"),
        "{again}"
    );
    // The held comment moved too, still held; new ids do not collide with copied ones.
    let held = cli(&postgres, &["comments", "list", "--held"], "");
    assert!(held.contains("Still held"), "{held}");
    let after = post_comment(
        &moved,
        SLUG,
        "comment=After+the+move&author=Hana&email=hana%40example.org",
    )
    .await;
    assert!(comment_id(&after) > first);
    assert!(moved.terminate().success());

    // A table copy-db does not know (a newer version's, say) stops it before anything is written.
    let source = sqlx::SqlitePool::connect(sqlite.url())
        .await
        .expect("open source");
    sqlx::query("CREATE TABLE stray (x INTEGER)")
        .execute(&source)
        .await
        .expect("stray table");
    source.close().await;
    let refused = common::cli_output(
        &sqlite,
        &[
            "copy-db",
            "--from",
            sqlite.url(),
            "--to",
            postgres.url(),
            "--replace",
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("tables copy-db does not know (stray)"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let still = cli(&postgres, &["comments", "list", "--held"], "");
    assert!(
        still.contains("Still held"),
        "the target was left as it was"
    );
    postgres.cleanup().await;
}
