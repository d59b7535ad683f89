//! The malformed-input corpus (`tests/corpus/malformed.txt`) against every route of the real
//! router, anonymously and as an admin with a valid session and CSRF token: nothing answers 500 or
//! more, nothing panics, and every 4xx says, in a sentence, what to fix.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::{TestApp, comment_fields};
use gazette_domain::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

const CORPUS: &str = include_str!("corpus/malformed.txt");

#[derive(Default)]
struct Corpus {
    routes: Vec<(Method, String)>,
    values: Vec<Vec<u8>>,
    params: Vec<String>,
    bodies: Vec<Vec<u8>>,
    methods: Vec<Method>,
    headers: Vec<(String, Vec<u8>)>,
}

/// Turns the corpus's escapes (`\xNN`, `\n`, `\r`, `\t`, `\0`, `{repeat N TEXT}`) into bytes.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{repeat ")
            && let Some(end) = after.find('}')
        {
            let (count, what) = after[..end].split_once(' ').expect("{repeat N TEXT}");
            let what = unescape(what);
            for _ in 0..count.parse::<usize>().expect("repeat count") {
                out.extend_from_slice(&what);
            }
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix("\\x") {
            out.push(u8::from_str_radix(&after[..2], 16).expect("\\xNN"));
            rest = &after[2..];
        } else if let Some(after) = rest.strip_prefix('\\')
            && let Some(c) = after.chars().next()
            && let Some(byte) = match c {
                'n' => Some(b'\n'),
                'r' => Some(b'\r'),
                't' => Some(b'\t'),
                '0' => Some(0),
                _ => None,
            }
        {
            out.push(byte);
            rest = &after[1..];
        } else {
            let c = rest.chars().next().expect("a character");
            let mut buffer = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn corpus() -> Corpus {
    let mut corpus = Corpus::default();
    for line in CORPUS.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        match kind {
            "route" => {
                let (method, path) = rest.split_once(' ').expect("route METHOD PATH");
                corpus
                    .routes
                    .push((method.parse().expect("method"), path.to_owned()));
            }
            "value" => corpus.values.push(unescape(rest)),
            "param" => corpus.params.push(rest.to_owned()),
            "body" => corpus.bodies.push(unescape(rest)),
            "method" => corpus.methods.push(rest.parse().expect("method")),
            "header" => {
                let (name, value) = rest.split_once(": ").expect("header NAME: VALUE");
                corpus.headers.push((name.to_owned(), unescape(value)));
            }
            other => panic!("unknown corpus line kind {other:?}"),
        }
    }
    assert!(corpus.routes.len() >= 40 && corpus.values.len() >= 20);
    corpus
}

/// Percent-encodes every byte but the unreserved ones, as a path segment or query value.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (*b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `path` with every `{param}` replaced by `value`.
fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Who sends the requests: nobody, or an admin (session cookie and the CSRF token for forms).
struct Sender {
    cookie: String,
    csrf: Option<String>,
}

/// What one request produced, when it is wrong.
async fn check(app: &TestApp, request: Request<Body>) -> Option<String> {
    let what = format!("{} {}", request.method(), request.uri());
    // A HEAD answer has no body to carry a message.
    let wants_message = request.method() != Method::HEAD;
    let router = app.router.clone();
    let outcome = tokio::spawn(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Streams (live comments) never end: a first frame is enough.
        let body = if content_type.starts_with("text/event-stream") {
            Vec::new()
        } else {
            response
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes().to_vec())
                .unwrap_or_default()
        };
        (status, content_type, body)
    })
    .await;
    let (status, content_type, body) = match outcome {
        Ok(answer) => answer,
        Err(error) if error.is_panic() => return Some(format!("{what}: PANIC")),
        Err(error) => return Some(format!("{what}: task failed: {error}")),
    };
    if status.is_server_error() {
        return Some(format!("{what}: {status}"));
    }
    if status.is_client_error() && wants_message {
        let text = String::from_utf8_lossy(&body);
        let message = message_of(&content_type, &text);
        let words = message
            .as_deref()
            .map_or(0, |m| m.split_whitespace().count());
        if words < 3 {
            return Some(format!(
                "{what}: {status} without a message saying what to fix ({content_type}): {:.200}",
                message.unwrap_or_else(|| text.into_owned())
            ));
        }
    }
    None
}

/// The sentence a 4xx answer carries: the JSON envelope's message, the error page's paragraph,
/// or the form's error list.
fn message_of(content_type: &str, body: &str) -> Option<String> {
    if content_type.starts_with("application/json") {
        let json: serde_json::Value = serde_json::from_str(body).ok()?;
        return json["error"]["message"].as_str().map(str::to_owned);
    }
    let after = |marker: &str| -> Option<String> {
        let start = body.find(marker)? + marker.len();
        let rest = &body[start..];
        let text: String = rest[..rest.find("</")?]
            .chars()
            .filter(|c| *c != '\n')
            .collect();
        Some(text)
    };
    after(r#"<section class="error-page">"#)
        .and_then(|_| {
            let start = body.find(r#"<section class="error-page">"#)?;
            let section = &body[start..];
            let p = section.find("<p>")? + 3;
            Some(section[p..p + section[p..].find("</p>")?].to_owned())
        })
        .or_else(|| after(r#"class="form-errors" role="alert">"#))
        .or_else(|| {
            let start = body.find(r#"<div class="form-errors""#)?;
            let list = &body[start..];
            let item = list.find("<li><a href=\"#")?;
            let text_start = list[item..].find('>')? + item + 1;
            let text_start = list[text_start..].find('>')? + text_start + 1;
            Some(list[text_start..text_start + list[text_start..].find('<')?].to_owned())
        })
}

fn request(
    method: &Method,
    uri: &str,
    sender: &Sender,
    body: Vec<u8>,
    extra: Option<&(String, Vec<u8>)>,
) -> Option<Request<Body>> {
    let mut builder = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, "news.example");
    if !sender.cookie.is_empty() {
        builder = builder.header(header::COOKIE, sender.cookie.as_str());
    }
    if *method == Method::POST {
        builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some((name, value)) = extra {
        builder = builder.header(name.as_str(), value.as_slice());
    }
    // Some inputs cannot even be an HTTP request (hyper refuses them before the router).
    builder.body(Body::from(body)).ok()
}

fn with_csrf(sender: &Sender, path: &str, body: &[u8]) -> Vec<u8> {
    match &sender.csrf {
        // Logging out would end the session the rest of the corpus needs.
        Some(csrf) if path != "/admin/logout" => {
            let mut with = format!("csrf={csrf}&").into_bytes();
            with.extend_from_slice(body);
            with
        }
        _ => body.to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_malformed_request_gets_a_server_error_or_a_wordless_refusal() {
    let corpus = corpus();
    let app = TestApp::new().await;
    let article = app.publish("Story", "Body.").await;
    let posted = app
        .browser()
        .comment(
            &article.slug,
            &comment_fields("A comment", "Ann", "ann@example.com"),
        )
        .await;
    assert_eq!(posted.status, 303);
    let mut admin = app.staff("chief", Role::Admin).await;
    let csrf = admin.csrf("/admin").await;
    let cookie = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let senders = [
        Sender {
            cookie: String::new(),
            csrf: None,
        },
        Sender {
            cookie,
            csrf: Some(csrf),
        },
    ];
    let mut failures = Vec::new();
    let mut sent = 0usize;
    for sender in &senders {
        for (method, path) in &corpus.routes {
            // Path parameters: every value, encoded, and raw where it makes a URI at all.
            let mut paths = vec![fill(path, &article.slug), fill(path, "1")];
            if path.contains('{') {
                for value in &corpus.values {
                    paths.push(fill(path, &encode(value)));
                    if let Ok(raw) = std::str::from_utf8(value) {
                        paths.push(fill(path, raw));
                    }
                }
            }
            for uri in &paths {
                let body = with_csrf(sender, path, b"");
                if let Some(request) = request(method, uri, sender, body, None) {
                    sent += 1;
                    failures.extend(check(&app, request).await);
                }
            }
            let base = fill(path, &article.slug);
            if *method == Method::GET && sender.csrf.is_some() {
                for param in &corpus.params {
                    for value in &corpus.values {
                        let uri = format!("{base}?{param}={}", encode(value));
                        if let Some(request) = request(method, &uri, sender, Vec::new(), None) {
                            sent += 1;
                            failures.extend(check(&app, request).await);
                        }
                    }
                }
            }
            if *method == Method::POST {
                let fields = "comment author email url comment_parent form_token hp_website \
                     title body slug excerpt action status version username password current \
                     confirm display_name role kind value reason ids return_to next";
                let mut bodies = corpus.bodies.clone();
                for value in &corpus.values {
                    let encoded = encode(value);
                    bodies.push(
                        fields
                            .split_whitespace()
                            .map(|f| format!("{f}={encoded}"))
                            .collect::<Vec<_>>()
                            .join("&")
                            .into_bytes(),
                    );
                }
                for body in &bodies {
                    let body = with_csrf(sender, path, body);
                    if let Some(request) = request(method, &base, sender, body, None) {
                        sent += 1;
                        failures.extend(check(&app, request).await);
                    }
                }
            }
            for other in &corpus.methods {
                if let Some(request) = request(other, &base, sender, Vec::new(), None) {
                    sent += 1;
                    failures.extend(check(&app, request).await);
                }
            }
            for extra in &corpus.headers {
                let body = with_csrf(sender, path, b"comment=hi&author=a&email=a@example.com");
                let body = if *method == Method::POST {
                    body
                } else {
                    Vec::new()
                };
                if let Some(request) = request(method, &base, sender, body, Some(extra)) {
                    sent += 1;
                    failures.extend(check(&app, request).await);
                }
            }
        }
    }
    assert!(sent > 5_000, "only {sent} requests were sent");
    assert!(
        failures.is_empty(),
        "{} of {sent} requests went wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
