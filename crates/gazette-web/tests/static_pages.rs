//! Static pages from the editor to the reader: created, previewed, published at `/{slug}`,
//! filed under a parent, renamed (the old address redirects), refused when their slug is one of
//! Gazette's own addresses or their parent would make a loop; only editors and admins edit them.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_domain::Role;

#[tokio::test]
async fn an_editor_writes_publishes_files_and_renames_a_page() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    assert_eq!(editor.get("/admin/pages").await.status, StatusCode::OK);

    // A preview renders the body (sanitised) and saves nothing.
    let preview = editor
        .admin_post(
            "/admin/pages",
            &[
                ("action", "preview"),
                ("title", "About us"),
                ("body", "We *report*.<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("We <em>report</em>."));
    assert!(!preview.body.contains("<script>alert(1)"));
    assert_eq!(
        app.browser().get("/about-us").await.status,
        StatusCode::NOT_FOUND
    );

    // A draft is not public; publishing makes it so.
    let draft = editor
        .admin_post(
            "/admin/pages",
            &[
                ("action", "draft"),
                ("title", "About us"),
                ("body", "We *report*."),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.text());
    let edit_url = draft.location().split('?').next().unwrap().to_owned();
    let id = edit_url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        app.browser().get("/about-us").await.status,
        StatusCode::NOT_FOUND
    );
    let published = editor
        .admin_post(
            &edit_url,
            &[
                ("action", "publish"),
                ("title", "About us"),
                ("body", "We *report*."),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    let page = app.browser().get("/about-us").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<h1 class=\"story-title\">About us</h1>")
    );
    assert!(page.body.contains("We <em>report</em>."));
    assert!(
        !page.body.contains("Breadcrumb"),
        "a top-level page has no breadcrumb"
    );
    assert!(
        !app.browser().get("/").await.body.contains("About us"),
        "not on the front page"
    );

    // A child page shows its parent as a breadcrumb.
    let child = editor
        .admin_post(
            "/admin/pages",
            &[
                ("action", "publish"),
                ("title", "Our staff"),
                ("body", "<p>Ten people.</p>"),
                ("format", "html"),
                ("parent", &id),
            ],
        )
        .await;
    assert_eq!(child.status, StatusCode::SEE_OTHER, "{}", child.text());
    let staff_page = app.browser().get("/our-staff").await;
    assert!(
        staff_page
            .body
            .contains("<a href=\"/about-us\">About us</a>")
    );
    assert!(staff_page.body.contains("<p>Ten people.</p>"));

    // The parent cannot be filed under its own child.
    let child_id = child
        .location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let looped = editor
        .admin_post(
            &edit_url,
            &[
                ("action", "publish"),
                ("title", "About us"),
                ("body", "We *report*."),
                ("parent", &child_id),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(looped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        looped.body.contains("cannot sit under itself"),
        "{}",
        looped.body
    );

    // Renamed: the old address redirects; a stale editor is refused.
    let renamed = editor
        .admin_post(
            &edit_url,
            &[
                ("action", "publish"),
                ("title", "About us"),
                ("slug", "about"),
                ("body", "We *report*."),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.text());
    let old = app.browser().get("/about-us").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.location(), "/about");
    assert_eq!(app.browser().get("/about/").await.location(), "/about");
    let stale = editor
        .admin_post(
            &edit_url,
            &[
                ("action", "publish"),
                ("title", "Mine"),
                ("body", "x"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else saved this page"));

    // Trashed: gone from the site.
    let trashed = editor
        .admin_post(
            &edit_url,
            &[
                ("action", "trash"),
                ("title", "About us"),
                ("slug", "about"),
                ("body", "x"),
                ("version", "3"),
            ],
        )
        .await;
    assert_eq!(trashed.status, StatusCode::SEE_OTHER, "{}", trashed.text());
    assert_eq!(
        app.browser().get("/about").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_page_cannot_take_gazettes_own_addresses_and_authors_cannot_edit_pages() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    for slug in ["admin", "feed", "articles", "api"] {
        let refused = editor
            .admin_post(
                "/admin/pages",
                &[
                    ("action", "publish"),
                    ("title", "Sneaky"),
                    ("slug", slug),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
        assert!(
            refused.body.contains("one of Gazette&#x27;s own addresses"),
            "{slug}: {}",
            refused.body
        );
    }
    // A title that would make a reserved slug gets another.
    let derived = editor
        .admin_post(
            "/admin/pages",
            &[("action", "publish"), ("title", "Admin"), ("body", "x")],
        )
        .await;
    assert_eq!(derived.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get("/admin-page").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.browser().get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "/admin is still the newsroom"
    );
    let bad_format = editor
        .admin_post(
            "/admin/pages",
            &[
                ("action", "publish"),
                ("title", "X"),
                ("body", "x"),
                ("format", "php"),
            ],
        )
        .await;
    assert_eq!(bad_format.status, StatusCode::BAD_REQUEST);

    let mut author = app.staff("writer", Role::Author).await;
    assert_eq!(
        author.get("/admin/pages").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        author.get("/admin/pages/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = author
        .admin_post(
            "/admin/pages",
            &[("action", "publish"), ("title", "Mine"), ("body", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.browser().get("/mine").await.status,
        StatusCode::NOT_FOUND
    );
}
