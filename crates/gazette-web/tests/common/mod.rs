//! A `TestApp`: the real router on a fresh SQLite database, driven without a network, with a tiny
//! cookie-keeping `Browser` so tests can be two different readers.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gazette_core::accounts::AccountRequest;
use gazette_core::moderating::Moderation;
use gazette_core::publishing::ArticleRequest;
use gazette_core::{Config, Site};
use gazette_domain::{Article, CommentId, Role};
use gazette_store_sql::SqlStore;
use gazette_web::AppState;
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub site: Site,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body with the HTML escapes minijinja uses for attribute-safe text undone.
    pub fn text(&self) -> String {
        self.body
            .replace("&#x2f;", "/")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            db: format!("sqlite:{}", dir.path().join("test.db").display()),
            ..Config::default()
        };
        change(&mut config);
        let store = SqlStore::connect(&config.db).await.expect("open SQLite");
        let site = Site::open(Arc::new(store), config)
            .await
            .expect("open site");
        let state = AppState::new(site.clone()).expect("templates");
        let router = gazette_web::router(state.clone());
        let app = Self {
            router,
            site,
            state,
            _dir: dir,
        };
        app.site
            .create_account(AccountRequest {
                username: "editor".into(),
                display_name: "Edith Editor".into(),
                email: "edith@newsroom.example".into(),
                role: Role::Editor,
                password: "correct horse battery".into(),
            })
            .await
            .expect("editor account");
        app
    }

    pub async fn publish(&self, title: &str, body: &str) -> Article {
        self.publish_with(ArticleRequest {
            title: title.into(),
            body_markdown: body.into(),
            comments_open: true,
            ..Default::default()
        })
        .await
    }

    pub async fn publish_with(&self, mut request: ArticleRequest) -> Article {
        if request.author.is_empty() {
            request.author = "editor".into();
        }
        if request.published_at.is_none() && !request.draft {
            request.published_at = Some(self.site.now() - 60);
        }
        self.site.publish_article(request).await.expect("publish")
    }

    pub async fn approve(&self, id: CommentId) {
        self.site
            .moderate(
                gazette_core::moderating::Actor::Operator,
                id,
                Moderation::Approve,
            )
            .await
            .expect("approve");
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: BTreeMap::new(),
            peer: None,
            headers: Vec::new(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A form token for the article at `slug`, issued `age` seconds ago.
    pub async fn form_token(&self, slug: &str, age: i64) -> String {
        let id = self
            .site
            .store()
            .article_by_slug(slug)
            .await
            .map(|a| a.id)
            .unwrap_or(gazette_domain::ArticleId(0));
        self.site.form_token(id, self.site.now() - age)
    }

    /// The form-encoded body of a comment with a valid token (unless `fields` carries its own).
    pub async fn comment_body(&self, slug: &str, fields: &[(&str, &str)]) -> String {
        let token = self.form_token(slug, 10).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "form_token") {
            all.push(("form_token", &token));
        }
        serde_urlencoded(&all)
    }

    /// Pages held by the page cache.
    pub fn router_cache_len(&self) -> u64 {
        self.state.cache.len()
    }

    /// A GET as `browser` sends it, with the raw response (for compressed bodies).
    pub async fn send_raw(&self, browser: &Browser<'_>, path: &str) -> axum::response::Response {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let request = browser.prepare(request);
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router")
    }

    /// Counts every comment row, whatever its status: "nothing stored" checks use it.
    pub async fn comment_rows(&self) -> i64 {
        let mut total = 0;
        for status in [
            gazette_domain::CommentStatus::Held,
            gazette_domain::CommentStatus::Approved,
            gazette_domain::CommentStatus::Spam,
            gazette_domain::CommentStatus::Trash,
        ] {
            total += self
                .site
                .comments_in(status, 1, 1)
                .await
                .expect("count")
                .total;
        }
        total
    }
}

/// One reader's browser: keeps the cookies the site sets.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    /// The address the requests come from (as the connection reports it), if set.
    pub peer: Option<std::net::SocketAddr>,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers.get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }

    pub fn prepare(&self, mut request: Request<Body>) -> Request<Body> {
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                axum::http::HeaderValue::from_str(value),
            ) {
                request.headers_mut().insert(name, value);
            }
        }
        request
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        let response = self.app.send(self.prepare(request)).await;
        self.keep_cookies(&response);
        response
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded(fields);
        self.post_raw(path, body, &[]).await
    }

    pub async fn post_raw(
        &mut self,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .header(header::HOST, "news.example");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = self.prepare(request.body(Body::from(body)).expect("request"));
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Posts `body` as `content_type` (a multipart upload, say).
    pub async fn post_bytes(
        &mut self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> TestResponse {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, self.cookie_header())
            .header(header::HOST, "news.example");
        let request = self.prepare(request.body(Body::from(body)).expect("request"));
        let response = self.app.send(request).await;
        self.keep_cookies(&response);
        response
    }

    /// Posts a comment through the form, with a form token issued ten seconds earlier (as if the
    /// reader had typed for that long), and returns the response.
    pub async fn comment(&mut self, slug: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = self.app.comment_body(slug, fields).await;
        self.post_raw(&format!("/articles/{slug}/comments"), body, &[])
            .await
    }
}

/// A multipart body as a browser sends a form with a file: the text fields in order, then the
/// file last. Returns the content type (with its boundary) and the body.
pub fn multipart(
    fields: &[(&str, &str)],
    file_name: &str,
    file_type: &str,
    file: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----gazette-test-boundary-7d9";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {file_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every JSON-LD document in a page, parsed.
pub fn json_ld(page: &str) -> Vec<serde_json::Value> {
    page.split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .map(|rest| {
            let text = rest.split("</script>").next().unwrap_or("");
            serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        })
        .collect()
}

/// Form-encodes fields (the way a browser does).
pub fn serde_urlencoded(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The id in a redirect to `...#comment-ID`.
pub fn comment_id_from(location: &str) -> CommentId {
    let id = location
        .rsplit_once("#comment-")
        .and_then(|(_, id)| id.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("no comment anchor in {location:?}"));
    CommentId(id)
}

/// A valid comment from `name` <`email`>.
pub fn comment_fields<'a>(body: &'a str, name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("comment", body), ("author", name), ("email", email)]
}

impl Browser<'_> {
    /// The CSRF token of the form on the page at `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        page.body
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no csrf field on {path}: {}", page.status))
            .to_owned()
    }

    /// Logs in through the form.
    pub async fn log_in(&mut self, username: &str, password: &str) -> TestResponse {
        let csrf = self.csrf("/admin/login").await;
        self.post_form(
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/admin"),
            ],
        )
        .await
    }

    /// Posts an admin form with this session's CSRF token added.
    pub async fn admin_post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let csrf = self.csrf("/admin").await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form(path, &all).await
    }
}

/// The password every test staff account gets.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A staff account with `role`, logged in through the form in a fresh browser.
    pub async fn staff(&self, username: &str, role: Role) -> Browser<'_> {
        self.site
            .create_account(AccountRequest {
                username: username.into(),
                display_name: username.into(),
                email: format!("{username}@newsroom.example"),
                role,
                password: PASSWORD.into(),
            })
            .await
            .expect("staff account");
        let mut browser = self.browser();
        let response = browser.log_in(username, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            response.text()
        );
        browser
    }

    /// The browser of the editor account every TestApp has, logged in.
    pub async fn editor(&self) -> Browser<'_> {
        let mut browser = self.browser();
        let response = browser.log_in("editor", PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER);
        browser
    }
}
