//! Several authors per article: chosen in the editor, "By A and B" on the article and in lists,
//! every author in the feeds, the JSON-LD and the API, and the article in each author's archive.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_domain::Role;

#[tokio::test]
async fn co_authors_share_the_byline_everywhere() {
    let app = TestApp::with_config(|c| c.site.base_url = "https://news.example".into()).await;
    let _ben = app.staff("ben", Role::Author).await;
    let _cy = app.staff("cy", Role::Author).await;
    let users = app.site.store().users().await.expect("users");
    let id_of = |name: &str| {
        users
            .iter()
            .find(|u| u.username == name)
            .map(|u| u.id.0.to_string())
            .expect("user")
    };
    let (ben, cy) = (id_of("ben"), id_of("cy"));
    let mut editor = app.editor().await;
    let form = editor.get("/admin/articles/new").await.text();
    assert!(
        form.contains(r#"<select id="coauthors" name="coauthors" multiple"#),
        "{form}"
    );
    let created = editor
        .admin_post(
            "/admin/articles",
            &[
                ("action", "publish"),
                ("title", "Budget vote tonight"),
                ("body", "The council votes tonight."),
                ("comments_open", "yes"),
                ("coauthors", &cy),
                ("coauthors", &ben),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let edit_page = editor.get(created.location()).await.text();
    assert!(
        edit_page.contains(&format!(r#"<option value="{cy}" selected>cy</option>"#)),
        "{edit_page}"
    );

    let page = app
        .browser()
        .get("/articles/budget-vote-tonight")
        .await
        .text();
    assert!(
        page.contains(
            r#"By <a href="/author/edith-editor" rel="author">Edith Editor</a>, <a href="/author/cy" rel="author">cy</a> and <a href="/author/ben" rel="author">ben</a>"#
        ),
        "{page}"
    );
    let data = common::json_ld(&page).remove(0);
    let names: Vec<&str> = data["author"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Edith Editor", "cy", "ben"]);
    assert_eq!(data["author"][2]["url"], "https://news.example/author/ben");

    // The co-author's archive and feed hold it; the front page's teaser names everyone.
    let archive = app.browser().get("/author/ben").await.text();
    assert!(
        archive.contains(r#"href="/articles/budget-vote-tonight""#),
        "{archive}"
    );
    let front = app.browser().get("/").await.text();
    assert!(front.contains(
        r#"<a href="/author/cy" rel="author">cy</a> and <a href="/author/ben" rel="author">ben</a>"#
    ));
    let feed = app.browser().get("/author/cy/feed").await;
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).expect("feed");
    assert_eq!(parsed.entries.len(), 1);
    let creators: Vec<String> = parsed.entries[0]
        .authors
        .iter()
        .filter_map(|p| p.name.clone())
        .collect();
    assert_eq!(creators, ["Edith Editor", "cy", "ben"]);
    let atom = app.browser().get("/author/cy/feed/atom").await;
    let parsed = feed_rs::parser::parse(atom.body.as_bytes()).expect("atom");
    assert_eq!(parsed.entries[0].authors.len(), 3);

    let id = created
        .location()
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let api = app
        .browser()
        .get(&format!("/api/v1/articles/{id}"))
        .await
        .json();
    assert_eq!(api["author"]["name"], "Edith Editor");
    assert_eq!(api["authors"].as_array().map(Vec::len), Some(3));
    assert_eq!(api["authors"][1]["slug"], "cy");

    // Saving with one co-author fewer takes the article out of their archive at once.
    let article = app
        .site
        .store()
        .article_by_slug("budget-vote-tonight")
        .await
        .expect("article");
    let saved = editor
        .admin_post(
            &format!("/admin/articles/{id}"),
            &[
                ("action", "publish"),
                ("title", "Budget vote tonight"),
                ("body", "The council votes tonight."),
                ("version", &article.version.to_string()),
                ("coauthors", &ben),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let archive = app.browser().get("/author/cy").await.text();
    assert!(!archive.contains("budget-vote-tonight"));
    let page = app
        .browser()
        .get("/articles/budget-vote-tonight")
        .await
        .text();
    assert!(
        page.contains(r#"Edith Editor</a> and <a href="/author/ben" rel="author">ben</a></p>"#)
    );
}

#[tokio::test]
async fn an_unknown_co_author_is_refused_with_the_form_kept() {
    let app = TestApp::new().await;
    let mut author = app.staff("ana", Role::Author).await;
    let refused = author
        .admin_post(
            "/admin/articles",
            &[
                ("action", "draft"),
                ("title", "A draft with a ghost"),
                ("body", "Text"),
                ("coauthors", "424242"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("One of the co-authors does not exist.")
    );
    assert!(refused.text().contains("A draft with a ghost"));
    let malformed = author
        .admin_post(
            "/admin/articles",
            &[("action", "draft"), ("title", "T"), ("coauthors", "ben")],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
}

/// A co-author is one of the article's authors in the newsroom too: it is in their list, they
/// may open and save it (keeping the first author's byline), and they see its comments. An
/// author who is not in the byline may do none of it.
#[tokio::test]
async fn a_co_author_edits_the_article_and_sees_its_comments() {
    let app = TestApp::new().await;
    let mut ben = app.staff("ben", Role::Author).await;
    let mut dee = app.staff("dee", Role::Author).await;
    let users = app.site.store().users().await.expect("users");
    let ben_id = users
        .iter()
        .find(|u| u.username == "ben")
        .map(|u| u.id.0.to_string())
        .expect("ben");
    let mut editor = app.editor().await;
    let created = editor
        .admin_post(
            "/admin/articles",
            &[
                ("action", "publish"),
                ("title", "Tram line delayed"),
                ("body", "The tram opens a year late."),
                ("comments_open", "yes"),
                ("coauthors", &ben_id),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let edit_path = created
        .location()
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let posted = app
        .browser()
        .comment(
            "tram-line-delayed",
            &common::comment_fields("Late again, as always here.", "Ann", "ann@example.com"),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);

    let list = ben.get("/admin/articles").await.text();
    assert!(list.contains("Tram line delayed"), "{list}");
    assert_eq!(ben.get(&edit_path).await.status, StatusCode::OK);
    let article = app
        .site
        .store()
        .article_by_slug("tram-line-delayed")
        .await
        .expect("article");
    let saved = ben
        .admin_post(
            &edit_path,
            &[
                ("action", "publish"),
                ("title", "Tram line delayed again"),
                ("body", "The tram opens a year late."),
                ("comments_open", "yes"),
                ("version", &article.version.to_string()),
                ("coauthors", &ben_id),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    // The form shows a co-author no author field; naming themselves first is refused.
    assert!(
        !ben.get(&edit_path)
            .await
            .text()
            .contains(r#"name="author""#)
    );
    let article_now = app
        .site
        .store()
        .article_by_slug("tram-line-delayed")
        .await
        .expect("article");
    let taken = ben
        .admin_post(
            &edit_path,
            &[
                ("action", "publish"),
                ("title", "Tram line delayed again"),
                ("body", "The tram opens a year late."),
                ("author", &ben_id),
                ("version", &article_now.version.to_string()),
                ("coauthors", &ben_id),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::FORBIDDEN, "{}", taken.text());
    let article = app
        .site
        .store()
        .article_by_slug("tram-line-delayed")
        .await
        .expect("article");
    assert_eq!(article.title, "Tram line delayed again");
    assert_eq!(article.author.name, "Edith Editor");
    assert_eq!(article.authors.len(), 2);
    let comments = ben.get("/admin/comments?status=held").await.text();
    assert!(
        comments.contains("Late again, as always here."),
        "{comments}"
    );

    // Dee is an author too, but not of this article.
    assert!(
        !dee.get("/admin/articles")
            .await
            .text()
            .contains("Tram line")
    );
    assert_eq!(dee.get(&edit_path).await.status, StatusCode::FORBIDDEN);
    let refused = dee
        .admin_post(
            &edit_path,
            &[
                ("action", "publish"),
                ("title", "Dee's title"),
                ("body", "x"),
                ("version", &article.version.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        !dee.get("/admin/comments?status=held")
            .await
            .text()
            .contains("Late again")
    );
}
