//! The WordPress theme test data imported through `Site`, then read as readers and staff would:
//! articles, threads, statuses and counts; old addresses answering 301; a second import that
//! changes nothing; a dry run, a malformed file and a Disqus file that write nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::importing::{ImportReport, Progress};
use gazette_domain::import::Outcome;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
);

async fn import(app: &TestApp, bytes: Vec<u8>, dry_run: bool) -> Result<ImportReport, String> {
    app.site
        .import_wordpress(std::io::Cursor::new(bytes), dry_run, &|_: Progress| {})
        .await
        .map_err(|e| e.to_string())
}

fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).expect("the theme test data")
}

#[tokio::test]
async fn the_theme_test_data_comes_in_whole() {
    let app = TestApp::new().await;
    let articles_before = app.site.store().count_articles().await.expect("count");
    let report = import(&app, fixture(), false).await.expect("imports");
    assert_eq!(report.get("articles", Outcome::Created), 58);
    assert_eq!(report.get("authors", Outcome::Created), 2);
    assert_eq!(report.get("comments", Outcome::Created), 24);
    assert_eq!(report.get("tags", Outcome::Created), 110);
    assert_eq!(
        report.skipped["nav_menu_item items skipped: navigation menus are not imported"],
        70
    );
    assert_eq!(
        report.skipped["pingback comments skipped: pingbacks and trackbacks are not imported"],
        2
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("password-protected")),
        "{report}"
    );
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        articles_before + 58
    );

    // The article with the long thread: counts, nesting clamped at the site's depth, inert markup.
    let page = app.browser().get("/articles/template-comments").await;
    assert_eq!(page.status, StatusCode::OK);
    let article = app
        .site
        .store()
        .article_by_slug("template-comments")
        .await
        .expect("article");
    assert_eq!(article.comment_count, 19);
    assert_eq!(article.author.name, "Theme Buster");
    assert!(page.body.contains("19 comments") || page.body.contains("19 Comments"));
    assert!(
        !page.body.contains("themeshaperwp+demos@gmail.com"),
        "no email is published"
    );
    let deepest = app
        .site
        .store()
        .approved_comments(article.id, gazette_domain::PageRequest::new(1, 50))
        .await
        .expect("thread")
        .iter()
        .map(|c| c.depth)
        .max();
    assert_eq!(
        deepest,
        Some(5),
        "deeper replies attach at the deepest level"
    );

    // Titles with markup become text; the page stays inert.
    let markup = app
        .site
        .store()
        .article_by_slug("markup-title-with-markup")
        .await
        .expect("article");
    assert_eq!(markup.title, "Markup: Title With Markup");
    let protected = app
        .site
        .store()
        .article_by_slug("template-password-protected")
        .await
        .expect("article");
    assert_eq!(protected.status, gazette_domain::ArticleStatus::Draft);
    let scheduled = app
        .site
        .store()
        .article_by_slug("scheduled")
        .await
        .expect("the future post");
    assert!(scheduled.published_at.expect("a date") > app.site.now());

    // Old addresses.
    for (old, new) in [
        (
            "/2013/01/05/markup-title-with-markup/",
            "/articles/markup-title-with-markup",
        ),
        (
            "/2013/01/05/markup-title-with-markup",
            "/articles/markup-title-with-markup",
        ),
        ("/?p=1173", "/articles/markup-title-with-markup"),
        (
            "/2013/01/05/markup-title-with-markup/feed/",
            "/articles/markup-title-with-markup/comments/feed",
        ),
        (
            "/2013/01/05/markup-title-with-markup/feed/atom/",
            "/articles/markup-title-with-markup/comments/feed/atom",
        ),
        ("/category/parent/child-1/feed/", "/category/child-1/feed"),
        ("/tag/8bit/feed/", "/tag/8bit/feed"),
        ("/feed/rss2/", "/feed"),
        ("/comments/feed/", "/comments/feed"),
        ("/tag/8bit/", "/tag/8bit"),
        ("/category/parent/child-1/", "/category/child-1"),
        ("/feed/", "/feed"),
    ] {
        let response = app.browser().get(old).await;
        assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(response.location(), new, "{old}");
    }
    assert_eq!(
        app.browser().get("/2013/01/05/never-existed/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.browser().get("/?p=424242").await.status, StatusCode::OK);

    // The same file again: everything is found, nothing is created.
    let again = import(&app, fixture(), false).await.expect("imports again");
    for what in [
        "articles",
        "authors",
        "comments",
        "categories",
        "tags",
        "redirects",
        "pages",
        "media",
    ] {
        assert_eq!(again.get(what, Outcome::Created), 0, "{what}: {again}");
        assert_eq!(again.get(what, Outcome::Updated), 0, "{what}: {again}");
    }
    assert_eq!(again.get("articles", Outcome::Unchanged), 58);
    assert_eq!(again.get("pages", Outcome::Unchanged), 21);
    assert!(
        !again.tallies.contains_key("featured images set"),
        "links already set are not set again: {again}"
    );
}

#[tokio::test]
async fn pages_become_static_pages_and_attachments_media_with_featured_images() {
    let app = TestApp::new().await;
    let report = import(&app, fixture(), false).await.expect("imports");
    assert_eq!(report.get("pages", Outcome::Created), 21, "{report}");
    assert_eq!(report.get("media", Outcome::Created), 37, "{report}");
    assert_eq!(report.tallies["featured images set"], 6, "{report}");
    assert_eq!(
        report.tallies["pages filed under their parent"], 13,
        "{report}"
    );
    assert_eq!(
        report.skipped["comments on pages and attachments skipped: only articles have a discussion"],
        5,
        "{report}"
    );

    // A page at its own address, its parents as a breadcrumb, never on the front page.
    let page = app.browser().get("/level-3").await;
    assert_eq!(page.status, StatusCode::OK);
    let crumbs = page.body.find("Breadcrumb").expect("a breadcrumb");
    let one = page
        .body
        .find("<a href=\"/level-1\">Level 1</a>")
        .expect("level 1");
    let two = page
        .body
        .find("<a href=\"/level-2\">Level 2</a>")
        .expect("level 2");
    assert!(crumbs < one && one < two, "farthest parent first");
    assert!(page.body.contains("<li aria-current=\"page\">Level 3</li>"));
    assert!(page.body.contains("Level 3 of the reverse hierarchy test."));
    let front = app.browser().get("/").await;
    assert!(!front.body.contains("Level 3 of the reverse hierarchy"));
    assert!(!front.body.contains("About The Tests"));

    // Its WordPress addresses: nested permalink, trailing slash, ?page_id=.
    for (old, new) in [
        ("/level-1/level-2/level-3/", "/level-3"),
        ("/about/", "/about"),
        ("/?page_id=2", "/about"),
    ] {
        let response = app.browser().get(old).await;
        assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(response.location(), new, "{old}");
    }
    assert_eq!(
        app.browser().get("/no-such-page/").await.status,
        StatusCode::NOT_FOUND
    );

    // The featured image: at the top of the article and in its social card, with its alt text.
    let article = app
        .site
        .store()
        .article_by_slug("template-featured-image-horizontal")
        .await
        .expect("article");
    let image = article.featured_image.expect("a featured image");
    assert_eq!(image.alt_text, "Horizontal Featured Image");
    assert_eq!(image.mime_type, "image/jpeg");
    assert_eq!(image.article_id, Some(article.id));
    assert!(image.url.starts_with("https://"), "{}", image.url);
    let shown = app
        .browser()
        .get("/articles/template-featured-image-horizontal")
        .await;
    assert!(shown.body.contains("<meta property=\"og:image\""));
    assert!(shown.body.contains("class=\"story-image\""));
    assert!(shown.body.contains("alt=\"Horizontal Featured Image\""));
    assert_eq!(
        article.body_format,
        gazette_domain::BodyFormat::Html,
        "imported bodies stay HTML"
    );
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let app = TestApp::new().await;
    let before = app.site.store().count_articles().await.expect("count");
    let report = import(&app, fixture(), true).await.expect("a dry run");
    assert!(report.dry_run);
    assert_eq!(report.get("articles", Outcome::Created), 58);
    assert!(
        report.to_string().contains("58 would be created"),
        "{report}"
    );
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
    assert_eq!(app.comment_rows().await, 0);
    assert_eq!(
        app.browser().get("/?p=1173").await.status,
        StatusCode::OK,
        "no redirect was stored"
    );
}

#[tokio::test]
async fn a_broken_or_foreign_file_is_refused_with_where_and_why_and_writes_nothing() {
    let app = TestApp::new().await;
    let before = app.site.store().count_articles().await.expect("count");
    // The export cut off in the middle of a comment.
    let whole = fixture();
    let text = String::from_utf8(whole).expect("UTF-8");
    let cut = text.find("<wp:comment_content>").expect("a comment");
    let error = import(&app, text.as_bytes()[..cut + 30].to_vec(), false)
        .await
        .expect_err("refused");
    assert!(error.starts_with("line "), "{error}");
    assert!(error.contains("unexpected end of file"), "{error}");
    assert!(error.contains("inside <wp:comment_content>"), "{error}");
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
    assert_eq!(app.comment_rows().await, 0);

    let disqus = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/disqus/isso-test-export.xml"
    ))
    .expect("the Disqus fixture");
    let error = import(&app, disqus, false).await.expect_err("refused");
    assert!(error.contains("gazette import disqus"), "{error}");

    let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>&b;</title></channel></rss>".to_vec();
    let error = import(&app, bomb, false).await.expect_err("refused");
    assert!(error.contains("DOCTYPE"), "{error}");
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
}

async fn import_disqus(app: &TestApp, bytes: Vec<u8>) -> Result<ImportReport, String> {
    app.site
        .import_disqus(std::io::Cursor::new(bytes), false, &|_: Progress| {})
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_isso_disqus_fixture_attaches_by_identifier_and_reports_its_oddities() {
    let app = TestApp::new().await;
    // The fixture's thread has the identifier "some-id" and a link to a site's front page.
    let article = app.publish("Some id", "Body.").await;
    assert_eq!(article.slug, "some-id");
    let disqus = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/disqus/isso-test-export.xml"
    ))
    .expect("the Disqus fixture");
    let report = import_disqus(&app, disqus.clone()).await.expect("imports");
    assert_eq!(report.get("comments", Outcome::Created), 2, "{report}");
    assert_eq!(report.tallies["threads matched to articles"], 1);
    assert_eq!(
        report.skipped["threads skipped: they match no article"], 1,
        "the empty thread"
    );
    assert_eq!(
        report.skipped["posts skipped: their thread is not in the export"], 1,
        "the orphan"
    );
    let thread = app
        .site
        .store()
        .approved_comments(article.id, gazette_domain::PageRequest::new(1, 50))
        .await
        .expect("thread");
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].author_name, "peter");
    assert_eq!(
        thread[1].parent_id,
        Some(thread[0].id),
        "the reply is threaded"
    );
    assert_eq!(thread[1].body_html, "<p>Hello, World.</p>");
    let stored = app
        .site
        .store()
        .article_by_id(article.id)
        .await
        .expect("article");
    assert_eq!(stored.comment_count, 2);
    let page = app.browser().get("/articles/some-id").await;
    assert!(page.body.contains("Hello, World."));
    assert!(!page.body.contains("foo@bar.com"), "no email is published");

    let again = import_disqus(&app, disqus).await.expect("again");
    assert_eq!(again.get("comments", Outcome::Created), 0);
    assert_eq!(again.get("comments", Outcome::Unchanged), 2);

    let wordpress = import_disqus(&app, fixture()).await.expect_err("refused");
    assert!(
        wordpress.contains("gazette import wordpress"),
        "{wordpress}"
    );
}

#[tokio::test]
async fn a_disqus_export_of_the_old_site_attaches_through_the_old_addresses() {
    let app = TestApp::new().await;
    import(&app, fixture(), false)
        .await
        .expect("the WordPress site");
    let disqus = r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="10"><id>999 https://wpthemetestdata.wordpress.com/?p=999</id><forum>themetest</forum>
    <link>https://wpthemetestdata.wordpress.com/2013/01/05/markup-title-with-markup/</link></thread>
  <thread dsq:id="11"><id>1173 https://wpthemetestdata.wordpress.com/?p=1173</id><forum>themetest</forum>
    <link>https://elsewhere.example/moved</link></thread>
  <post dsq:id="100"><message><![CDATA[<p>By link <script>alert(1)</script></p>]]></message>
    <createdAt>2019-01-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Lin</name><email>Lin@Example.com</email></author><ipAddress>198.51.100.7</ipAddress>
    <thread dsq:id="10"/></post>
  <post dsq:id="101"><message>By identifier</message><createdAt>2019-01-02T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ida</name><email>ida@example.com</email></author>
    <thread dsq:id="11"/></post>
  <post dsq:id="102"><message>Spam</message><createdAt>2019-01-03T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>true</isSpam><author><name>Bot</name><email>bot@example.com</email></author>
    <thread dsq:id="10"/></post>
  <post dsq:id="103"><message>Deleted</message><createdAt>2019-01-04T10:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam><author><name>Del</name><email>del@example.com</email></author>
    <thread dsq:id="10"/><parent dsq:id="100"/></post>
</disqus>"#;
    let report = import_disqus(&app, disqus.as_bytes().to_vec())
        .await
        .expect("imports");
    assert_eq!(report.get("comments", Outcome::Created), 4, "{report}");
    assert_eq!(report.tallies["threads matched to articles"], 2, "{report}");
    let article = app
        .site
        .store()
        .article_by_slug("markup-title-with-markup")
        .await
        .expect("article");
    let counts = app
        .site
        .store()
        .comment_status_counts(&gazette_domain::records::CommentFilter {
            article: Some(article.id),
            ..Default::default()
        })
        .await
        .expect("counts");
    let count = |status| {
        counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    };
    use gazette_domain::CommentStatus;
    assert_eq!(count(CommentStatus::Approved), 2, "{counts:?}");
    assert_eq!(count(CommentStatus::Spam), 1);
    assert_eq!(count(CommentStatus::Trash), 1);
    let page = app
        .browser()
        .get("/articles/markup-title-with-markup")
        .await;
    assert!(page.body.contains("By link"));
    assert!(page.body.contains("By identifier"));
    assert!(
        !page.body.contains("<script>alert(1)"),
        "imported markup is inert"
    );
    assert!(!page.body.contains("Spam</p>"), "spam is not shown");
}

#[tokio::test]
async fn an_admin_lists_adds_and_deletes_redirects() {
    let app = TestApp::new().await;
    import(&app, fixture(), false)
        .await
        .expect("the WordPress site");
    let mut admin = app.staff("chief", gazette_domain::Role::Admin).await;
    let list = admin.get("/admin/redirects?q=/2013/01/05/").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.text().contains("/2013/01/05/markup-title-with-markup"),
        "imported redirects are listed"
    );
    assert!(
        !list.text().contains("/?p=1173"),
        "the prefix narrows the list"
    );

    // Added by hand, it answers at once, with or without the trailing slash.
    let added = admin
        .admin_post(
            "/admin/redirects",
            &[
                ("from", "/old/budget-story/"),
                ("to", "/articles/template-comments"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    for old in ["/old/budget-story", "/old/budget-story/"] {
        let moved = app.browser().get(old).await;
        assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(moved.location(), "/articles/template-comments");
    }
    let twice = admin
        .admin_post(
            "/admin/redirects",
            &[("from", "/old/budget-story"), ("to", "/")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.text().contains("already redirects"),
        "{}",
        twice.text()
    );
    for (from, to, why) in [
        ("old/no-slash", "/x", "starting with /"),
        ("/admin/login", "/x", "Gazette's own addresses"),
        ("/loop", "/loop/", "cannot redirect to itself"),
        ("/elsewhere", "javascript:alert(1)", "http(s) address"),
        ("/elsewhere", "//evil.example/", "http(s) address"),
        ("/with space", "/x", "without spaces"),
    ] {
        let refused = admin
            .admin_post("/admin/redirects", &[("from", from), ("to", to)])
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{from} → {to}"
        );
        assert!(
            refused.text().contains(why),
            "{from} → {to}: {}",
            refused.text()
        );
    }
    let deleted = admin
        .admin_post("/admin/redirects/delete", &[("path", "/old/budget-story")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get("/old/budget-story").await.status,
        StatusCode::NOT_FOUND
    );
    let audit = admin.get("/admin/audit").await.text();
    assert!(
        audit.contains("redirect.add") && audit.contains("redirect.delete"),
        "audited"
    );

    // Only admins manage redirects.
    let mut editor = app.editor().await;
    assert_eq!(
        editor.get("/admin/redirects").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = editor
        .admin_post("/admin/redirects", &[("from", "/a"), ("to", "/b")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn imported_commenters_are_held_to_the_forms_rules() {
    let app = TestApp::new().await;
    let wxr = "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
        xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\
        <wp:base_blog_url>https://old.example</wp:base_blog_url>\
        <item><title>Post</title><link>https://old.example/post/</link><dc:creator>ed</dc:creator>\
        <content:encoded>Body</content:encoded><wp:post_id>7</wp:post_id>\
        <wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:post_name>post</wp:post_name>\
        <wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:comment_status>open</wp:comment_status>\
        <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>\u{202E}nimda</wp:comment_author>\
        <wp:comment_author_email>a@example.com</wp:comment_author_email>\
        <wp:comment_author_url>javascript:alert(1)</wp:comment_author_url>\
        <wp:comment_author_IP>::ffff:198.51.100.9</wp:comment_author_IP>\
        <wp:comment_date_gmt>2020-01-02 00:00:00</wp:comment_date_gmt>\
        <wp:comment_content>Hello</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\
        <wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>\u{200B}</wp:comment_author>\
        <wp:comment_author_email>b@example.com</wp:comment_author_email>\
        <wp:comment_author_url>example.org</wp:comment_author_url>\
        <wp:comment_content>Hi</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\
        </item></channel></rss>";
    import(&app, wxr.as_bytes().to_vec(), false)
        .await
        .expect("imports");
    let article = app
        .site
        .store()
        .article_by_slug("post")
        .await
        .expect("article");
    let thread = app
        .site
        .store()
        .approved_comments(article.id, gazette_domain::PageRequest::new(1, 10))
        .await
        .expect("thread");
    assert_eq!(thread[0].author_name, "nimda", "no direction override");
    assert_eq!(
        thread[0].author_url, None,
        "a javascript: link is never a link"
    );
    assert_eq!(thread[1].author_name, "Anonymous", "an invisible name");
    assert_eq!(thread[1].author_url.as_deref(), Some("http://example.org/"));
    let staff = app
        .site
        .store()
        .staff_comment(thread[0].id)
        .await
        .expect("staff view");
    assert_eq!(
        staff.ip.as_deref(),
        Some("198.51.100.9"),
        "IPv4-mapped, stored as IPv4"
    );
    let page = app.browser().get("/articles/post").await;
    assert!(
        !page.body.contains("javascript:"),
        "nothing on the page runs"
    );
}

#[tokio::test]
async fn old_feed_addresses_never_lead_off_the_site_and_any_404_may_have_moved() {
    let app = TestApp::new().await;
    for path in [
        "//evil.example/feed",
        "//evil.example/feed/",
        "/\\evil.example/feed",
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(
            response.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            response.location()
        );
        assert_eq!(
            app.site.moved_to(path).await.expect("lookup"),
            None,
            "{path}"
        );
    }
    assert_eq!(
        app.site
            .moved_to("/articles/x/feed/")
            .await
            .expect("lookup")
            .as_deref(),
        Some("/articles/x/comments/feed"),
        "an old comments feed of the same shape leads to Gazette's"
    );
    assert_eq!(
        app.site
            .moved_to("/category/nope/feed")
            .await
            .expect("lookup"),
        None,
        "a feed of Gazette's own that is not there redirects nowhere (not to itself)"
    );
    assert_eq!(
        app.browser().get("/category/nope/feed").await.status,
        StatusCode::NOT_FOUND
    );
    // A redirect where an article route answers 404 (an old slug-style address) is honoured.
    let mut admin = app.staff("chief", gazette_domain::Role::Admin).await;
    let added = admin
        .admin_post(
            "/admin/redirects",
            &[
                ("from", "/articles/gone-story"),
                ("to", "/articles/welcome-to-gazette"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let moved = app.browser().get("/articles/gone-story").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.location(), "/articles/welcome-to-gazette");
    let refused = admin
        .admin_post(
            "/admin/redirects",
            &[("from", "/x"), ("to", "/\\evil.example")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The import form's body: the fields in order, then the file.
fn upload_body(csrf: Option<&str>, kind: &str, dry_run: bool, file: &[u8]) -> (String, Vec<u8>) {
    let mut fields = Vec::new();
    if let Some(csrf) = csrf {
        fields.push(("csrf", csrf));
    }
    fields.push(("kind", kind));
    if dry_run {
        fields.push(("dry_run", "yes"));
    }
    common::multipart(&fields, "export.xml", "text/xml", file)
}

/// Runs due jobs until the import `id` has ended (its job runs on a task of its own).
async fn until_finished(app: &TestApp, id: i64) -> gazette_domain::import::ImportRun {
    for _ in 0..200 {
        app.site.run_due_jobs(10).await.expect("jobs");
        let run = app.site.store().import_run(id).await.expect("run");
        if run.status == "done" || run.status == "failed" {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

#[tokio::test]
async fn an_admin_uploads_an_export_and_a_job_imports_it() {
    let app = TestApp::new().await;
    let mut admin = app.staff("chief", gazette_domain::Role::Admin).await;
    let csrf = admin.csrf("/admin/import").await;
    let (content_type, body) = upload_body(Some(&csrf), "wordpress", false, &fixture());
    let uploaded = admin
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let page = uploaded.location().to_owned();
    let id: i64 = page.rsplit('/').next().unwrap().parse().expect("an id");
    let queued = admin.get(&page).await;
    assert!(
        queued.body.contains("Waiting for a worker"),
        "{}",
        queued.body
    );
    assert!(
        queued.body.contains("http-equiv=\"refresh\""),
        "refreshes while it waits"
    );

    let run = until_finished(&app, id).await;
    assert_eq!(run.status, "done", "{}", run.report);
    assert!(
        run.report.contains("articles: 58 created"),
        "{}",
        run.report
    );
    assert_eq!(run.items_done, 186, "every item read");
    assert!(
        app.site
            .store()
            .import_chunk(id, 0)
            .await
            .expect("read")
            .is_none(),
        "the file is deleted once imported"
    );
    let done = admin.get(&page).await;
    assert!(done.body.contains("articles: 58 created"));
    assert!(!done.body.contains("http-equiv=\"refresh\""));
    assert_eq!(
        app.browser()
            .get("/articles/template-comments")
            .await
            .status,
        StatusCode::OK
    );
    let list = admin.get("/admin/import").await;
    assert!(list.body.contains("export.xml") && list.body.contains("done"));

    // A Disqus file said to be a WordPress export fails, says why, and writes nothing.
    let disqus = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/disqus/isso-test-export.xml"
    ))
    .expect("fixture");
    let (content_type, body) = upload_body(Some(&csrf), "wordpress", false, &disqus);
    let uploaded = admin
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    let id: i64 = uploaded
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .expect("id");
    let failed = until_finished(&app, id).await;
    assert_eq!(failed.status, "failed");
    assert!(
        failed.report.contains("gazette import disqus") || failed.report.contains("Disqus"),
        "{}",
        failed.report
    );
    assert!(failed.report.contains("Nothing was written"));
}

#[tokio::test]
async fn uploads_are_refused_over_the_limit_without_a_token_or_for_non_admins() {
    let app = TestApp::with_config(|config| config.import.max_upload_megabytes = 1).await;
    let mut admin = app.staff("chief", gazette_domain::Role::Admin).await;
    let csrf = admin.csrf("/admin/import").await;
    let big = vec![b'x'; 1024 * 1024 + 10];
    let (content_type, body) = upload_body(Some(&csrf), "wordpress", false, &big);
    let refused = admin
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.body.contains("larger than 1 MB"),
        "{}",
        refused.body
    );
    assert!(
        app.site
            .store()
            .import_runs(10)
            .await
            .expect("runs")
            .is_empty(),
        "nothing left behind"
    );

    let (content_type, body) = upload_body(None, "wordpress", false, b"<rss/>");
    let forged = admin
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (content_type, body) = upload_body(Some(&csrf), "joomla", false, b"<rss/>");
    let unknown = admin
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("WordPress export or a Disqus export"));
    assert!(
        app.site
            .store()
            .import_runs(10)
            .await
            .expect("runs")
            .is_empty()
    );

    let mut editor = app.editor().await;
    assert_eq!(
        editor.get("/admin/import").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = editor.csrf("/admin/articles").await;
    let (content_type, body) = upload_body(Some(&csrf), "wordpress", false, b"<rss/>");
    let refused = editor
        .post_bytes("/admin/import/upload", &content_type, body)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
