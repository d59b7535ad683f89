//! The media library: uploads checked by content and stripped of metadata, stored sizes served
//! with long cache lifetimes, featured images on the article, the front page, feeds and social
//! cards, and every word an editor gives an image inert wherever it is shown.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, TestApp};
use gazette_render::images::fixtures::{GPS_MARKER, jpeg, jpeg_with_gps};

/// The upload form's body: the text fields, then the file.
fn upload_body(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    common::multipart(fields, file_name, "image/jpeg", file)
}

async fn upload(
    browser: &mut Browser<'_>,
    fields: &[(&str, &str)],
    file_name: &str,
    file: &[u8],
) -> common::TestResponse {
    let csrf = browser.csrf("/admin/media").await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = upload_body(&all, file_name, file);
    browser
        .post_bytes("/admin/media/upload", &content_type, body)
        .await
}

/// The media id in a redirect to `/admin/media/ID?…`.
fn media_id(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/media/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not an image's page: {location:?}"))
}

/// The raw bytes and headers of a GET.
async fn fetch(
    app: &TestApp,
    path: &str,
    etag: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::HOST, "news.example");
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = tower::ServiceExt::oneshot(
        app.router.clone(),
        request.body(Body::empty()).expect("request"),
    )
    .await
    .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn an_upload_is_stored_in_every_size_without_its_location() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let photo = jpeg_with_gps(2000, 1000, 1);
    assert!(holds(&photo, GPS_MARKER));
    let uploaded = upload(
        &mut editor,
        &[
            ("alt_text", "Boats in the harbour"),
            ("credit", "Photo: Ana Ruiz"),
        ],
        "harbour_at_dawn.jpg",
        &photo,
    )
    .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let id = media_id(uploaded.location());
    let page = editor
        .get(&format!("/admin/media/{id}?notice=uploaded"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("without its camera and location data"));
    assert!(text.contains("2000 × 1000 pixels, image/jpeg"), "{text}");
    assert!(
        text.contains(r#"value="harbour at dawn""#),
        "title from the file name: {text}"
    );
    assert!(text.contains(&format!("![Boats in the harbour](/media/{id}/960.jpg)")));

    for (width, height) in [(480u32, 240u32), (960, 480), (1600, 800)] {
        let (status, headers, bytes) = fetch(&app, &format!("/media/{id}/{width}.jpg"), None).await;
        assert_eq!(status, StatusCode::OK, "size {width}");
        assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG");
        assert!(
            !holds(&bytes, GPS_MARKER),
            "the GPS block is gone at {width}"
        );
        assert!(!holds(&bytes, b"Exif"), "no EXIF at {width}");
        // The JPEG's frame header (SOF0) carries the height and width.
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame");
        let h = u32::from(u16::from_be_bytes([bytes[sof + 5], bytes[sof + 6]]));
        let w = u32::from(u16::from_be_bytes([bytes[sof + 7], bytes[sof + 8]]));
        assert_eq!((w, h), (width, height));
        let etag = headers[header::ETAG].to_str().expect("etag").to_owned();
        let (again, _, body) = fetch(&app, &format!("/media/{id}/{width}.jpg"), Some(&etag)).await;
        assert_eq!((again, body.len()), (StatusCode::NOT_MODIFIED, 0));
    }
    // No size was made larger than asked, and the extension must match the stored type.
    for missing in ["2000.jpg", "700.jpg", "480.png", "480", "x.jpg"] {
        let (status, _, _) = fetch(&app, &format!("/media/{id}/{missing}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn what_is_not_an_image_is_refused_whatever_its_name_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "holiday.jpg",
            b"this is a text file, renamed",
            "not an image Gazette can read",
        ),
        (
            "logo.png",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            "SVG images are not accepted",
        ),
        (
            "page.gif",
            b"<!doctype html><script>alert(1)</script>",
            "HTML or XML",
        ),
        ("cut.jpg", &jpeg(64, 64)[..40], "could not be read"),
    ];
    for (name, bytes, message) in cases {
        let refused = upload(&mut editor, &[("caption", "Kept in the form")], name, bytes).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let text = refused.text();
        assert!(text.contains(message), "{name}: {text}");
        assert!(
            text.contains(r#"value="Kept in the form""#),
            "the fields stay: {name}"
        );
    }
    let library = editor.get("/admin/media").await;
    assert!(library.text().contains("No images yet."));
    let stored: i64 = app
        .site
        .store()
        .media_library(gazette_domain::PageRequest::new(1, 10))
        .await
        .expect("library")
        .total;
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn an_image_over_the_limit_is_refused_with_the_limit() {
    let app = TestApp::with_config(|c| c.media.max_upload_megabytes = 1).await;
    let mut editor = app.editor().await;
    let mut big = jpeg(64, 64);
    big.resize(1024 * 1024 + 10, 0);
    let refused = upload(&mut editor, &[], "big.jpg", &big).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        refused.text().contains("larger than 1 MB"),
        "{}",
        refused.text()
    );
}

#[tokio::test]
async fn only_staff_who_write_upload_and_authors_change_only_their_own() {
    let app = TestApp::new().await;
    let mut moderator = app.staff("mo", gazette_domain::Role::Moderator).await;
    let csrf = moderator.csrf("/admin").await;
    let (content_type, body) = upload_body(&[("csrf", &csrf)], "a.jpg", &jpeg(100, 50));
    let refused = moderator
        .post_bytes("/admin/media/upload", &content_type, body)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        moderator.get("/admin/media").await.status,
        StatusCode::FORBIDDEN
    );

    let mut editor = app.editor().await;
    let uploaded = upload(
        &mut editor,
        &[("title", "Editor's")],
        "e.jpg",
        &jpeg(100, 50),
    )
    .await;
    let id = media_id(uploaded.location());
    let mut author = app.staff("au", gazette_domain::Role::Author).await;
    let own = upload(
        &mut author,
        &[("title", "Author's")],
        "a.jpg",
        &jpeg(100, 50),
    )
    .await;
    let own_id = media_id(own.location());
    let edit = author
        .admin_post(&format!("/admin/media/{id}"), &[("title", "Mine now")])
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    let delete = author
        .admin_post(&format!("/admin/media/{id}/delete"), &[])
        .await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    let fine = author
        .admin_post(
            &format!("/admin/media/{own_id}"),
            &[("title", "Author's, renamed"), ("alt_text", "A test card")],
        )
        .await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER, "{}", fine.text());
    // No CSRF token, no upload.
    let (content_type, body) = upload_body(&[], "a.jpg", &jpeg(100, 50));
    let forged = editor
        .post_bytes("/admin/media/upload", &content_type, body)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_featured_image_shows_everywhere_with_its_sizes_and_its_words_stay_inert() {
    let app = TestApp::with_config(|c| c.site.base_url = "https://news.example".into()).await;
    let mut editor = app.editor().await;
    let hostile = r#""><script>alert(1)</script></title>"#;
    let uploaded = upload(
        &mut editor,
        &[
            ("alt_text", &format!("Boats {hostile}")),
            ("caption", &format!("Dawn {hostile}")),
            ("credit", "Photo: Ana Ruiz"),
        ],
        "harbour.jpg",
        &jpeg(1200, 600),
    )
    .await;
    let id = media_id(uploaded.location());
    let article = app
        .publish("Harbour reopens", "The harbour reopened today.")
        .await;

    // The editor offers the library's images; choosing one and saving features it.
    let form = editor
        .get(&format!("/admin/articles/{}", article.id.0))
        .await;
    assert!(
        form.text()
            .contains(&format!(r#"name="featured_image" value="{id}""#))
    );
    let saved = editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("action", "publish"),
                ("title", "Harbour reopens"),
                ("body", "The harbour reopened today."),
                ("version", &article.version.to_string()),
                ("comments_open", "yes"),
                ("featured_image", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());

    let page = app.browser().get("/articles/harbour-reopens").await;
    let html = &page.body;
    assert!(
        html.contains(&format!(r#"src="/media/{id}/960.jpg""#))
            || html.contains(&format!(r#"src="&#x2f;media&#x2f;{id}&#x2f;960.jpg""#)),
        "{html}"
    );
    let text = page.text();
    assert!(text.contains(&format!(
        "srcset=\"/media/{id}/480.jpg 480w, /media/{id}/960.jpg 960w, /media/{id}/1200.jpg 1200w\""
    )));
    assert!(text.contains(r#"width="960" height="480""#));
    assert!(text.contains("Photo: Ana Ruiz"));
    assert!(
        !html.contains("<script>alert(1)"),
        "the alt text and caption are escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)"));
    assert!(
        text.contains(&format!(
            r#"<meta property="og:image" content="https://news.example/media/{id}/1200.jpg">"#
        )),
        "{text}"
    );
    assert!(text.contains(r#"<meta property="og:image:width" content="1200">"#));
    assert!(text.contains(r#"<meta property="og:image:height" content="600">"#));
    assert!(text.contains(r#"<meta name="twitter:card" content="summary_large_image">"#));
    // JSON-LD: parsed, with the image's size; the script element is never closed early.
    let data = common::json_ld(&html).remove(0);
    assert_eq!(
        data["image"][0],
        serde_json::json!({
            "@type": "ImageObject",
            "url": format!("https://news.example/media/{id}/1200.jpg"),
            "width": 1200,
            "height": 600,
        })
    );

    // The front page's teaser shows the small size.
    let front = app.browser().get("/").await.text();
    assert!(
        front.contains(&format!(r#"src="/media/{id}/480.jpg""#)),
        "{front}"
    );
    assert!(front.contains(r#"width="480" height="240""#));

    // The feed carries it, escaped as XML.
    let feed = app.browser().get("/feed").await;
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).expect("a feed");
    let entry = parsed
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "Harbour reopens")
        })
        .expect("the article's entry");
    let urls: Vec<String> = entry
        .media
        .iter()
        .flat_map(|m| m.content.iter())
        .filter_map(|c| c.url.as_ref().map(|u| u.to_string()))
        .collect();
    assert_eq!(
        urls,
        vec![format!("https://news.example/media/{id}/1200.jpg")],
        "{}",
        feed.body
    );
    assert!(!feed.body.contains("<script>alert(1)"));

    // Changing its words shows at once; deleting it leaves the article without an image.
    let renamed = editor
        .admin_post(
            &format!("/admin/media/{id}"),
            &[("alt_text", "Fishing boats"), ("title", "Harbour")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert!(
        app.browser()
            .get("/articles/harbour-reopens")
            .await
            .text()
            .contains(r#"alt="Fishing boats""#)
    );
    let deleted = editor
        .admin_post(&format!("/admin/media/{id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let after = app.browser().get("/articles/harbour-reopens").await.text();
    assert!(!after.contains(&format!("/media/{id}/")), "{after}");
    assert!(after.contains(r#"content="summary""#));
    let (status, _, _) = fetch(&app, &format!("/media/{id}/480.jpg"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_from_the_editor_comes_back_chosen() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let csrf = editor.csrf("/admin/articles/new").await;
    let (content_type, body) = upload_body(
        &[("csrf", &csrf), ("return_to", "new"), ("alt_text", "A map")],
        "map.jpg",
        &jpeg(300, 200),
    );
    let uploaded = editor
        .post_bytes("/admin/media/upload", &content_type, body)
        .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let location = uploaded.location().to_owned();
    assert!(
        location.starts_with("/admin/articles/new?featured="),
        "{location}"
    );
    let id = location.rsplit('=').next().expect("id");
    let form = editor.get(&location).await.text();
    assert!(
        form.contains(&format!(r#"name="featured_image" value="{id}" checked"#)),
        "{form}"
    );
    // An id that is not in the library is refused on save, with the editor's fields kept.
    let refused = editor
        .admin_post(
            "/admin/articles",
            &[
                ("action", "draft"),
                ("title", "Where it happened"),
                ("body", "Text"),
                ("featured_image", "987654"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("no longer in the media library"));
    assert!(refused.text().contains("Where it happened"));
}

#[tokio::test]
async fn with_a_media_folder_the_files_live_there_named_by_hash() {
    let folder = tempfile::tempdir().expect("dir");
    let path = folder.path().to_owned();
    let app = TestApp::with_config(move |c| c.media.dir = Some(path)).await;
    let mut editor = app.editor().await;
    let uploaded = upload(&mut editor, &[], "a.jpg", &jpeg_with_gps(600, 300, 1)).await;
    let id = media_id(uploaded.location());
    let stored = app
        .site
        .store()
        .media_file(gazette_domain::MediaId(id), 480)
        .await
        .expect("file");
    assert_eq!(stored.data, None, "the bytes are not in the database");
    let on_disk = std::fs::read(folder.path().join(&stored.sha256[..2]).join(&stored.sha256))
        .expect("the file is in the folder");
    assert!(!holds(&on_disk, GPS_MARKER));
    let (status, headers, bytes) = fetch(&app, &format!("/media/{id}/480.jpg"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, on_disk);
    assert_eq!(
        headers[header::ETAG].to_str().expect("etag"),
        format!("\"{}\"", stored.sha256)
    );
    let deleted = editor
        .admin_post(&format!("/admin/media/{id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(
        !folder
            .path()
            .join(&stored.sha256[..2])
            .join(&stored.sha256)
            .exists()
    );
}
