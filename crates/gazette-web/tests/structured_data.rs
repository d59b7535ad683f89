//! What search engines and social cards read: schema.org JSON-LD (parsed as JSON and checked
//! field by field), Open Graph and Twitter tags, and markup in a title or tag that stays inert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::importing::Progress;
use gazette_core::publishing::ArticleRequest;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
);

use common::json_ld;

fn meta(page: &str, property: &str) -> Vec<String> {
    let needle = format!(r#"<meta property="{property}" content=""#);
    page.split(&needle)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn an_article_carries_news_article_data_and_its_social_tags() {
    let app = TestApp::with_config(|c| {
        c.site.base_url = "https://news.example".into();
        c.site.logo_url = "/static/logo.png".into();
    })
    .await;
    let title = "Budget </script><script>alert(1)</script> passes";
    let article = app
        .publish_with(ArticleRequest {
            title: title.into(),
            body_markdown: "The council voted.".into(),
            excerpt: "Council <b>votes</b>".into(),
            categories: vec!["Politics".into(), "Local".into()],
            tags: vec!["budget".into(), "<img src=x onerror=alert(2)>".into()],
            comments_open: true,
            ..Default::default()
        })
        .await;
    let page = app
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<script>alert").count(),
        0,
        "nothing closes the data block"
    );
    let documents = json_ld(&page.body);
    assert_eq!(documents.len(), 1);
    let data = &documents[0];
    let url = format!("https://news.example/articles/{}", article.slug);
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["@type"], "NewsArticle");
    assert_eq!(data["headline"], title, "the headline reads back whole");
    assert_eq!(data["description"], "Council <b>votes</b>");
    assert_eq!(data["url"], url.as_str());
    assert_eq!(data["mainEntityOfPage"]["@id"], url.as_str());
    let published = jiff::Timestamp::from_second(article.published_at.unwrap()).unwrap();
    assert_eq!(data["datePublished"], published.to_string().as_str());
    assert_eq!(
        data["dateModified"],
        published.to_string().as_str(),
        "not edited since"
    );
    assert_eq!(data["author"][0]["@type"], "Person");
    assert_eq!(data["author"][0]["name"], "Edith Editor");
    assert_eq!(
        data["author"][0]["url"],
        "https://news.example/author/edith-editor"
    );
    assert_eq!(data["publisher"]["name"], "Gazette");
    assert_eq!(
        data["publisher"]["logo"]["url"],
        "https://news.example/static/logo.png"
    );
    assert_eq!(data["articleSection"], "Politics");
    assert_eq!(data["keywords"][1], "<img src=x onerror=alert(2)>");
    assert_eq!(data["isAccessibleForFree"], true);
    assert_eq!(data["inLanguage"], "en");
    assert!(data.get("image").is_none());
    assert!(!page.body.contains("edith@newsroom.example"));

    assert_eq!(meta(&page.body, "og:type"), ["article"]);
    assert_eq!(
        meta(&page.body, "article:published_time"),
        [published.to_string()]
    );
    assert_eq!(meta(&page.body, "article:section"), ["Politics"]);
    assert_eq!(meta(&page.body, "article:tag").len(), 2);
    assert!(
        meta(&page.body, "article:tag")[1].starts_with("&lt;img"),
        "a tag name is escaped in its attribute"
    );
    assert!(
        page.body
            .contains(r#"<meta name="twitter:card" content="summary">"#)
    );
}

#[tokio::test]
async fn a_featured_image_makes_a_large_card_and_the_data_s_image() {
    let app = TestApp::new().await;
    app.site
        .import_wordpress(
            std::io::Cursor::new(std::fs::read(FIXTURE).expect("fixture")),
            false,
            &|_: Progress| {},
        )
        .await
        .expect("import");
    let page = app
        .browser()
        .get("/articles/template-featured-image-horizontal")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let image = meta(&page.body, "og:image");
    assert_eq!(image.len(), 1);
    assert!(image[0].starts_with("https:&#x2f;&#x2f;"), "{image:?}");
    assert_eq!(meta(&page.body, "og:image:type"), ["image&#x2f;jpeg"]);
    assert!(
        page.body
            .contains(r#"<meta name="twitter:card" content="summary_large_image">"#)
    );
    let data = &json_ld(&page.body)[0];
    assert!(
        data["image"][0]
            .as_str()
            .is_some_and(|u| u.starts_with("https://") && u.ends_with(".jpg")),
        "{}",
        data["image"]
    );
}

#[tokio::test]
async fn the_front_page_is_a_website_and_archives_carry_breadcrumbs() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Story".into(),
        body_markdown: "Body.".into(),
        categories: vec!["World & <Region>".into()],
        ..Default::default()
    })
    .await;
    let front = app.browser().get("/").await;
    let data = json_ld(&front.body);
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["@type"], "WebSite");
    assert_eq!(data[0]["name"], "Gazette");
    let archive = app.browser().get("/category/world-region").await;
    assert_eq!(archive.status, StatusCode::OK);
    let data = json_ld(&archive.body);
    assert_eq!(data[0]["@type"], "BreadcrumbList");
    let items = data[0]["itemListElement"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["position"], 1);
    assert_eq!(items[1]["name"], "World & <Region>");
    assert_eq!(items[1]["item"], "/category/world-region");
}
