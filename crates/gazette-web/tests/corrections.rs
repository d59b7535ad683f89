//! Corrections: appended by whoever may edit a published article, shown dated at its foot, in
//! its feeds and structured data, and on /corrections; refused for drafts, empty text and staff
//! who may not edit the article, writing nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::publishing::ArticleRequest;
use gazette_domain::Role;

#[tokio::test]
async fn a_correction_shows_on_the_article_its_feed_its_data_and_the_corrections_page() {
    let app = TestApp::new().await;
    let article = app
        .publish_with(ArticleRequest {
            title: "Harbour reopens".into(),
            body_markdown: "The harbour reopened on Monday.".into(),
            published_at: Some(app.site.now() - 3_600),
            ..Default::default()
        })
        .await;
    let before = app
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    assert!(!before.text().contains("Correction,"));
    let mut editor = app.editor().await;
    let added = editor
        .admin_post(
            &format!("/admin/articles/{}/corrections", article.id.0),
            &[(
                "correction",
                "An earlier version said Monday;\nit was <b>Tuesday</b>.",
            )],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(
        added.location(),
        format!("/admin/articles/{}?notice=corrected", article.id.0)
    );
    let editor_page = editor.get(added.location()).await.text();
    assert!(editor_page.contains("Correction added."));
    assert!(editor_page.contains("it was &lt;b&gt;Tuesday&lt;/b&gt;."));

    let page = app
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    let text = page.text();
    assert!(text.contains("<strong>Correction, <time"), "{text}");
    assert!(
        text.contains("An earlier version said Monday; it was &lt;b&gt;Tuesday&lt;/b&gt;."),
        "the text is escaped and on one line: {text}"
    );
    assert!(
        text.contains(r#"<span class="updated">Updated"#),
        "a correction is an update"
    );

    let data: serde_json::Value = serde_json::from_str(
        page.body
            .split(r#"<script type="application/ld+json">"#)
            .nth(1)
            .and_then(|r| r.split("</script>").next())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(data["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(
        data["correction"][0]["text"],
        "An earlier version said Monday; it was <b>Tuesday</b>."
    );
    assert_ne!(data["dateModified"], data["datePublished"]);

    let feed = app.browser().get("/feed").await;
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    let entry = parsed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == "Harbour reopens")
        .unwrap();
    let content = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert!(
        content.contains("<strong>Correction, ")
            && content.contains("it was &lt;b&gt;Tuesday&lt;&#x2f;b&gt;."),
        "{content}"
    );

    let list = app.browser().get("/corrections").await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.text();
    assert!(list.contains(&format!(
        r#"<a href="/articles/{}">Harbour reopens</a>"#,
        article.slug
    )));
    assert!(list.contains("it was &lt;b&gt;Tuesday&lt;/b&gt;."));
}

#[tokio::test]
async fn corrections_are_refused_for_drafts_empty_text_and_other_people_s_articles() {
    let app = TestApp::new().await;
    let draft = app
        .publish_with(ArticleRequest {
            title: "Draft".into(),
            body_markdown: "Not yet.".into(),
            draft: true,
            ..Default::default()
        })
        .await;
    let published = app.publish("Published", "Out.").await;
    let mut editor = app.editor().await;
    let on_draft = editor
        .admin_post(
            &format!("/admin/articles/{}/corrections", draft.id.0),
            &[("correction", "Something")],
        )
        .await;
    assert_eq!(on_draft.status, StatusCode::BAD_REQUEST);
    assert!(
        on_draft
            .text()
            .contains("Corrections are for published articles")
    );
    for empty in ["", "  \n\t "] {
        let refused = editor
            .admin_post(
                &format!("/admin/articles/{}/corrections", published.id.0),
                &[("correction", empty)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.text().contains("Write what the correction says."));
    }
    let too_long = "x".repeat(2_001);
    let refused = editor
        .admin_post(
            &format!("/admin/articles/{}/corrections", published.id.0),
            &[("correction", &too_long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let mut author = app.staff("stringer", Role::Author).await;
    let forbidden = author
        .admin_post(
            &format!("/admin/articles/{}/corrections", published.id.0),
            &[("correction", "Not mine to correct")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let mut stranger = app.browser();
    let anonymous = stranger
        .post_form(
            &format!("/admin/articles/{}/corrections", published.id.0),
            &[("correction", "Forged"), ("csrf", "x")],
        )
        .await;
    assert!(anonymous.status.is_client_error() || anonymous.status.is_redirection());
    let page = app.browser().get("/articles/published").await.text();
    assert!(!page.contains("Correction,"), "nothing was written");
    assert!(
        app.browser()
            .get("/corrections")
            .await
            .text()
            .contains("No corrections have been published.")
    );
}
