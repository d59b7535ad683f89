//! The newsroom through the real router: setup, login and its throttling, CSRF, every role against
//! every action, the article editor, moderation, bans, settings and the audit log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp, comment_fields, comment_id_from};
use gazette_core::publishing::ArticleRequest;
use gazette_domain::{CommentStatus, Role};

#[tokio::test]
async fn setup_creates_the_first_admin_only_once() {
    // A site whose only account (the seeded author) cannot log in offers setup.
    let dir = tempfile::tempdir().expect("dir");
    let config = gazette_core::Config {
        db: format!("sqlite:{}", dir.path().join("s.db").display()),
        ..Default::default()
    };
    let store = gazette_store_sql::SqlStore::connect(&config.db)
        .await
        .expect("db");
    let site = gazette_core::Site::open(std::sync::Arc::new(store), config)
        .await
        .expect("site");
    let router = gazette_web::router(gazette_web::AppState::new(site).expect("templates"));
    let send = |request: axum::http::Request<axum::body::Body>| {
        let router = router.clone();
        async move {
            tower::ServiceExt::oneshot(router, request)
                .await
                .expect("response")
        }
    };
    let login = send(
        axum::http::Request::get("/admin/login")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(login.headers()["location"], "/admin/setup");
    drop(dir);

    // The usual TestApp already has an editor who can log in: setup is closed.
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let page = browser.get("/admin/setup").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin/login");
    let csrf = browser.csrf("/admin/login").await;
    let attempt = browser
        .post_form(
            "/admin/setup",
            &[
                ("csrf", &csrf),
                ("username", "intruder"),
                ("email", "i@example.com"),
                ("password", "a long password here"),
            ],
        )
        .await;
    assert_eq!(attempt.status, StatusCode::FORBIDDEN);
    assert!(attempt.text().contains("already set up"));
    assert!(app.site.account("intruder").await.is_err());
}

#[tokio::test]
async fn no_admin_page_or_action_is_reachable_without_a_session() {
    let app = TestApp::new().await;
    let mut anonymous = app.browser();
    for path in [
        "/admin",
        "/admin/articles",
        "/admin/articles/new",
        "/admin/comments",
        "/admin/settings",
        "/admin/users",
        "/admin/audit",
        "/admin/bans",
    ] {
        let response = anonymous.get(path).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            response.location().starts_with("/admin/login?next="),
            "{path}"
        );
    }
    for path in [
        "/admin/articles",
        "/admin/comments/1/moderate",
        "/admin/comments/bulk",
        "/admin/settings",
        "/admin/bans",
        "/admin/users",
        "/admin/logout",
    ] {
        let response = anonymous
            .post_form(path, &[("csrf", "x"), ("action", "approve")])
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(response.text().contains("Your session has ended"), "{path}");
    }
}

#[tokio::test]
async fn login_checks_the_password_and_throttles_guessing() {
    let app = TestApp::new().await;
    let mut guesser = app.browser();
    guesser.peer = Some("198.51.100.66:4000".parse().expect("address"));
    let wrong = guesser.log_in("editor", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .contains("That username and password do not match.")
    );
    assert!(!guesser.cookies.contains_key("gazette_session"));
    let unknown = guesser.log_in("nobody", "whatever it is").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    for _ in 0..4 {
        guesser.log_in("editor", "still wrong").await;
    }
    let locked = guesser.log_in("editor", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    // The wait counts down from 30 seconds; on a slow machine a second may have passed.
    let text = locked.text();
    assert!(
        ["30", "29", "28"]
            .iter()
            .any(|seconds| text.contains(&format!(
                "Too many failed logins. Try again in {seconds} seconds."
            ))),
        "{text}"
    );
    assert!(!guesser.cookies.contains_key("gazette_session"));
    // The guessing does not lock the owner out: from elsewhere, the right password works.
    let mut owner = app.browser();
    owner.peer = Some("203.0.113.5:5000".parse().expect("address"));
    let welcome = owner.log_in("editor", PASSWORD).await;
    assert_eq!(welcome.status, StatusCode::SEE_OTHER);
    assert!(owner.cookies.contains_key("gazette_session"));
}

#[tokio::test]
async fn redirect_targets_with_control_characters_fall_back_to_the_default() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let csrf = browser.csrf("/admin/login").await;
    let login = browser
        .post_form(
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("username", "editor"),
                ("password", PASSWORD),
                ("next", "/admin/articles\r\nSet-Cookie: x=1"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location(), "/admin");
    app.publish("Story", "Body.").await;
    let posted = app
        .browser()
        .comment(
            "story",
            &comment_fields("Hold me", "Ann", "ann@example.com"),
        )
        .await;
    let id = comment_id_from(posted.location());
    for bad in [
        "/admin/comments\u{0}",
        "/admin/comments?status=held\n",
        "/admin/comments/\u{e9}",
        "//evil.example/admin/comments",
    ] {
        let response = browser
            .admin_post(
                &format!("/admin/comments/{}/moderate", id.0),
                &[("action", "approve"), ("return_to", bad)],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{bad:?}");
        assert_eq!(
            response.location(),
            "/admin/comments?status=held&notice=moderated",
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn a_login_form_without_its_token_is_refused() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/admin/login").await;
    let forged = browser
        .post_form(
            "/admin/login",
            &[
                ("csrf", "guess"),
                ("username", "editor"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged
            .text()
            .contains("This form has expired or did not come from this site.")
    );
}

#[tokio::test]
async fn sessions_are_http_only_lax_cookies_and_logout_ends_them() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let csrf = browser.csrf("/admin/login").await;
    let response = browser
        .post_form(
            "/admin/login",
            &[
                ("csrf", &csrf),
                ("username", "editor"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = response.headers["set-cookie"].to_str().unwrap_or("");
    assert!(cookie.starts_with("gazette_session="));
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Path=/admin"),
        "{cookie}"
    );
    assert_eq!(browser.get("/admin").await.status, StatusCode::OK);
    let session = browser.cookies["gazette_session"].clone();
    let logout = browser.admin_post("/admin/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    // The old cookie no longer works, even if replayed.
    let mut replay = app.browser();
    replay.cookies.insert("gazette_session".into(), session);
    assert_eq!(replay.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn admin_forms_without_the_session_token_are_refused() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let id = comment_id_from(
        app.browser()
            .comment("story", &comment_fields("Hi", "Ada", "ada@example.com"))
            .await
            .location(),
    );
    let mut editor = app.editor().await;
    for token in ["", "forged"] {
        let response = editor
            .post_form(
                &format!("/admin/comments/{}/moderate", id.0),
                &[("csrf", token), ("action", "approve")],
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        assert!(
            response
                .text()
                .contains("This form has expired or did not come from this site.")
        );
    }
    let still = app
        .site
        .staff_comment(gazette_core::moderating::Actor::Operator, id)
        .await
        .expect("comment");
    assert_eq!(still.comment.status, CommentStatus::Held);
}

#[tokio::test]
async fn changing_the_password_logs_other_sessions_out() {
    let app = TestApp::new().await;
    let mut first = app.editor().await;
    let mut second = app.editor().await;
    let wrong = first
        .admin_post(
            "/admin/password",
            &[
                ("current", "nope nope nope"),
                ("password", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("Your current password is not right."));
    let changed = first
        .admin_post(
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("password", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        first.get("/admin").await.status,
        StatusCode::OK,
        "this browser stays logged in"
    );
    assert_eq!(
        second.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(
        app.browser()
            .log_in("editor", "a new long password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let app = TestApp::new().await;
    let token = app
        .site
        .password_reset_token("editor")
        .await
        .expect("token");
    let mut browser = app.browser();
    let form = browser.get(&format!("/admin/reset/{token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = browser.csrf(&format!("/admin/reset/{token}")).await;
    let path = format!("/admin/reset/{token}");
    let short = browser
        .post_form(
            &path,
            &[("csrf", &csrf), ("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("at least 12 characters"));
    let done = browser
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("password", "reset password here"),
                ("confirm", "reset password here"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let again = browser
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("password", "another password!"),
                ("confirm", "another password!"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("expired or was used already"));
    assert_eq!(
        app.browser()
            .log_in("editor", "reset password here")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

/// What each role may do: (description, method+path, allowed roles).
#[tokio::test]
async fn every_role_against_every_action() {
    let app = TestApp::new().await;
    let others = app.publish("Someone else's story", "Body.").await;
    let held = comment_id_from(
        app.browser()
            .comment(
                "someone-else-s-story",
                &comment_fields("Hi", "Ada", "ada@example.com"),
            )
            .await
            .location(),
    );
    let roles = [Role::Admin, Role::Editor, Role::Author, Role::Moderator];
    for role in roles {
        let name = format!("staff-{}", role.as_str());
        let mut browser = app.staff(&name, role).await;
        let allowed = |roles: &[Role]| roles.contains(&role);
        let check = |what: &str, status: StatusCode, ok: bool| {
            if ok {
                assert!(
                    status.is_success() || status.is_redirection(),
                    "{} should be able to {what}: {status}",
                    role.as_str()
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} must not {what}",
                    role.as_str()
                );
            }
        };
        let writers = [Role::Admin, Role::Editor, Role::Author];
        let editors = [Role::Admin, Role::Editor];
        let moderators = [Role::Admin, Role::Editor, Role::Moderator];
        let admins = [Role::Admin];

        check(
            "list articles",
            browser.get("/admin/articles").await.status,
            allowed(&writers),
        );
        check(
            "open the editor",
            browser.get("/admin/articles/new").await.status,
            allowed(&writers),
        );
        let created = browser
            .admin_post(
                "/admin/articles",
                &[
                    ("title", &format!("By {name}")),
                    ("body", "Text"),
                    ("action", "draft"),
                ],
            )
            .await;
        check("write an article", created.status, allowed(&writers));
        check(
            "open another's article",
            browser
                .get(&format!("/admin/articles/{}", others.id.0))
                .await
                .status,
            allowed(&editors),
        );
        let edit = browser
            .admin_post(
                &format!("/admin/articles/{}", others.id.0),
                &[
                    ("title", "Changed"),
                    ("body", "x"),
                    ("action", "draft"),
                    ("version", "1"),
                ],
            )
            .await;
        // A permitted editor may meet a version conflict (another role saved first): that is not a refusal.
        if allowed(&editors) {
            assert!(
                edit.status == StatusCode::SEE_OTHER || edit.status == StatusCode::CONFLICT,
                "{}: {}",
                role.as_str(),
                edit.status
            );
        } else {
            check("edit another's article", edit.status, false);
        }
        let trash = browser
            .admin_post(
                &format!("/admin/articles/{}/state", others.id.0),
                &[("action", "trash")],
            )
            .await;
        check("trash another's article", trash.status, allowed(&editors));
        if allowed(&editors) {
            let restored = browser
                .admin_post(
                    &format!("/admin/articles/{}/state", others.id.0),
                    &[("action", "restore")],
                )
                .await;
            assert_eq!(restored.status, StatusCode::SEE_OTHER);
            browser
                .admin_post(
                    &format!("/admin/articles/{}/state", others.id.0),
                    &[("action", "publish")],
                )
                .await;
        }

        let queue = browser.get("/admin/comments").await.status;
        check(
            "see the comment queue",
            queue,
            allowed(&[Role::Admin, Role::Editor, Role::Moderator, Role::Author]),
        );
        let approve = browser
            .admin_post(
                &format!("/admin/comments/{}/moderate", held.0),
                &[("action", "unapprove")],
            )
            .await;
        check("moderate a comment", approve.status, allowed(&moderators));
        let bulk = browser
            .admin_post(
                "/admin/comments/bulk",
                &[("ids", &held.0.to_string()), ("action", "unapprove")],
            )
            .await;
        check("moderate in bulk", bulk.status, allowed(&moderators));
        check(
            "edit a comment",
            browser
                .get(&format!("/admin/comments/{}/edit", held.0))
                .await
                .status,
            allowed(&moderators),
        );
        let ban = browser
            .admin_post(
                "/admin/bans",
                &[
                    ("kind", "ip"),
                    ("value", &format!("203.0.113.{}", role as u8 + 1)),
                    ("reason", "test"),
                ],
            )
            .await;
        check("ban", ban.status, allowed(&moderators));
        check(
            "see bans",
            browser.get("/admin/bans").await.status,
            allowed(&moderators),
        );

        check(
            "see settings",
            browser.get("/admin/settings").await.status,
            allowed(&admins),
        );
        let settings = browser
            .admin_post(
                "/admin/settings",
                &[
                    ("title", "Gazette"),
                    ("tagline", "t"),
                    ("moderation", "hold-first"),
                    ("max_depth", "5"),
                    ("comments_per_page", "200"),
                    ("close_after_days", "0"),
                    ("max_links", "2"),
                ],
            )
            .await;
        check("change settings", settings.status, allowed(&admins));
        check(
            "see staff",
            browser.get("/admin/users").await.status,
            allowed(&admins),
        );
        let user = browser
            .admin_post(
                "/admin/users",
                &[
                    ("username", &format!("new-{name}")),
                    ("email", "n@newsroom.example"),
                    ("role", "author"),
                    ("password", "a long password here"),
                ],
            )
            .await;
        check("add staff", user.status, allowed(&admins));
        check(
            "read the audit log",
            browser.get("/admin/audit").await.status,
            allowed(&admins),
        );
    }
}

#[tokio::test]
async fn authors_see_only_comments_on_their_own_articles_and_cannot_act() {
    let app = TestApp::new().await;
    let mut author = app.staff("writer", Role::Author).await;
    author
        .admin_post(
            "/admin/articles",
            &[
                ("title", "Mine"),
                ("body", "x"),
                ("action", "publish"),
                ("comments_open", "yes"),
            ],
        )
        .await;
    app.publish("Not mine", "x").await;
    app.browser()
        .comment("mine", &comment_fields("On mine", "Ada", "ada@example.com"))
        .await;
    app.browser()
        .comment(
            "not-mine",
            &comment_fields("On theirs", "Bob", "bob@example.com"),
        )
        .await;
    let queue = author.get("/admin/comments?status=held").await.text();
    assert!(queue.contains("On mine"));
    assert!(!queue.contains("On theirs"));
    assert!(
        !queue.contains(r#"name="action" value="approve""#),
        "no moderation buttons for authors"
    );
}

#[tokio::test]
async fn the_editor_drafts_publishes_and_edits_with_updated_dateline() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let created = editor
        .admin_post(
            "/admin/articles",
            &[
                ("title", "Harbour report"),
                ("body", "The **harbour** reopened."),
                ("categories", "Business, Local"),
                ("tags", "ports"),
                ("comments_open", "yes"),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let edit_path = created
        .location()
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    assert!(edit_path.starts_with("/admin/articles/"));
    assert_eq!(
        app.browser().get("/articles/harbour-report").await.status,
        StatusCode::NOT_FOUND,
        "a draft is private"
    );

    let preview = editor
        .admin_post(
            &edit_path,
            &[
                ("title", "Harbour report"),
                ("body", "Preview *this*"),
                ("version", "1"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.text().contains("<em>this</em>"));

    let published = editor
        .admin_post(
            &edit_path,
            &[
                ("title", "Harbour report"),
                ("body", "The **harbour** reopened."),
                ("categories", "Business"),
                ("comments_open", "yes"),
                ("version", "1"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let page = app.browser().get("/articles/harbour-report").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<strong>harbour</strong>"));
    assert!(!page.text().contains("Updated"));
    let editor_page = editor.get(&edit_path).await.text();
    assert!(editor_page.contains("Status: <strong>published</strong>"));
}

#[tokio::test]
async fn editing_a_published_article_shows_updated() {
    let app = TestApp::new().await;
    let article = app
        .publish_with(ArticleRequest {
            title: "Old story".into(),
            body_markdown: "First version.".into(),
            published_at: Some(app.site.now() - 3600),
            comments_open: true,
            ..Default::default()
        })
        .await;
    let mut editor = app.editor().await;
    let saved = editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("title", "Old story"),
                ("body", "Corrected version."),
                ("version", "1"),
                ("action", "publish"),
                ("comments_open", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.browser().get("/articles/old-story").await.text();
    assert!(page.contains("Corrected version."));
    assert!(page.contains(r#"<span class="updated">Updated"#), "{page}");
}

#[tokio::test]
async fn a_second_editor_saving_a_stale_copy_gets_a_conflict() {
    let app = TestApp::new().await;
    let article = app.publish("Contested", "Original.").await;
    let mut first = app.editor().await;
    let mut second = app.staff("second", Role::Editor).await;
    let path = format!("/admin/articles/{}", article.id.0);
    let one = first
        .admin_post(
            &path,
            &[
                ("title", "Contested"),
                ("body", "First edit."),
                ("version", "1"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(one.status, StatusCode::SEE_OTHER);
    let two = second
        .admin_post(
            &path,
            &[
                ("title", "Contested"),
                ("body", "Second edit."),
                ("version", "1"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(two.status, StatusCode::CONFLICT);
    assert!(
        two.text()
            .contains("Someone else saved this article after you opened it.")
    );
    assert!(
        two.text().contains("Second edit."),
        "the refused text is kept in the form"
    );
    let public = app.browser().get("/articles/contested").await.text();
    assert!(public.contains("First edit.") && !public.contains("Second edit."));
}

#[tokio::test]
async fn a_changed_slug_answers_301_at_the_old_address() {
    let app = TestApp::new().await;
    let article = app.publish("Original title", "Body.").await;
    let mut editor = app.editor().await;
    let saved = editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("title", "Better title"),
                ("slug", "better-title"),
                ("body", "Body."),
                ("version", "1"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let old = app.browser().get("/articles/original-title").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.location(), "/articles/better-title");
    assert_eq!(
        app.browser().get("/articles/better-title").await.status,
        StatusCode::OK
    );
    let bad = editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("title", "x"),
                ("slug", "Not A Slug"),
                ("body", "Body."),
                ("version", "2"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .contains("must be lower-case letters, digits and dashes")
    );
}

#[tokio::test]
async fn a_scheduled_article_appears_when_due_without_a_restart() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let tz_now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let soon = tz_now
        .checked_add(jiff::SignedDuration::from_secs(61))
        .expect("time");
    let local = soon.strftime("%Y-%m-%dT%H:%M").to_string();
    let past = editor
        .admin_post(
            "/admin/articles",
            &[
                ("title", "Too late"),
                ("body", "x"),
                ("publish_at", "2001-01-01T00:00"),
                ("action", "schedule"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.text()
            .contains("A scheduled time must be in the future.")
    );
    let scheduled = editor
        .admin_post(
            "/admin/articles",
            &[
                ("title", "Embargoed"),
                ("body", "Secret until then."),
                ("publish_at", &local),
                ("action", "schedule"),
            ],
        )
        .await;
    assert_eq!(scheduled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get("/articles/embargoed").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app.browser().get("/").await.text().contains("Embargoed"));
    // Visibility is decided by the time in every query, so nothing has to run for it to appear
    // (and nothing can publish it twice); `cache::a_scheduled_article_appears_on_cached_lists_when_due`
    // waits for one to come due.
    let article = app
        .site
        .store()
        .article_by_slug("embargoed")
        .await
        .expect("stored");
    assert_eq!(article.status, gazette_domain::ArticleStatus::Published);
    let at = article.published_at.expect("a publication time");
    assert!(
        at > app.site.now() && at <= app.site.now() + 121,
        "scheduled for the minute asked: {at}"
    );
    let list = editor.get("/admin/articles").await.text();
    assert!(list.contains("Embargoed"));
}

#[tokio::test]
async fn trash_and_restore_from_the_list() {
    let app = TestApp::new().await;
    let article = app.publish("Mistake", "Body.").await;
    let mut editor = app.editor().await;
    let trashed = editor
        .admin_post(
            &format!("/admin/articles/{}/state", article.id.0),
            &[("action", "trash")],
        )
        .await;
    assert_eq!(trashed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get("/articles/mistake").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        editor
            .get("/admin/articles?status=trash")
            .await
            .text()
            .contains("Mistake")
    );
    assert!(
        !editor
            .get("/admin/articles")
            .await
            .text()
            .contains("Mistake")
    );
    editor
        .admin_post(
            &format!("/admin/articles/{}/state", article.id.0),
            &[("action", "restore")],
        )
        .await;
    assert!(
        editor
            .get("/admin/articles?status=draft")
            .await
            .text()
            .contains("Mistake")
    );
    let search = editor.get("/admin/articles?q=mist").await.text();
    assert!(search.contains("Mistake") && !search.contains("Welcome to Gazette"));
}

#[tokio::test]
async fn moderation_queue_shows_details_and_actions_work() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut fields = comment_fields("Please approve me", "Ada", "ada@example.com");
    fields.push(("url", "https://ada.example"));
    let id = comment_id_from(app.browser().comment("story", &fields).await.location());
    let mut moderator = app.staff("mod", Role::Moderator).await;
    let queue = moderator.get("/admin/comments").await.text();
    assert!(queue.contains("Held (1)"));
    assert!(queue.contains("Please approve me"));
    assert!(
        queue.contains("&lt;ada@example.com&gt;"),
        "staff see the email"
    );
    assert!(queue.contains("https://ada.example"));
    assert!(queue.contains("Why: First comment from this email address"));
    assert!(queue.contains(r#"on <a href="/articles/story#comment-"#));

    let approve = moderator
        .admin_post(
            &format!("/admin/comments/{}/moderate", id.0),
            &[
                ("action", "approve"),
                ("return_to", "/admin/comments?status=held"),
            ],
        )
        .await;
    assert_eq!(approve.status, StatusCode::SEE_OTHER);
    assert_eq!(
        approve.location(),
        "/admin/comments?status=held&notice=moderated"
    );
    assert!(
        app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Please approve me")
    );

    let reply = moderator
        .admin_post(
            &format!("/admin/comments/{}/reply", id.0),
            &[("body", "Thanks, Ada.")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("Thanks, Ada.") && page.contains("2 Comments"));

    let edited = moderator
        .admin_post(
            &format!("/admin/comments/{}/edit", id.0),
            &[
                ("name", "Ada L."),
                ("url", ""),
                ("body", "Please approve me (edited)"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    assert!(
        app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Ada L.")
    );

    let refused = moderator
        .admin_post(&format!("/admin/comments/{}/delete", id.0), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text()
            .contains("Only comments in Spam or Trash can be deleted permanently.")
    );
    moderator
        .admin_post(
            &format!("/admin/comments/{}/moderate", id.0),
            &[("action", "trash")],
        )
        .await;
    let deleted = moderator
        .admin_post(&format!("/admin/comments/{}/delete", id.0), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(
        app.site
            .staff_comment(gazette_core::moderating::Actor::Operator, id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn bulk_actions_and_filters() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut ids = Vec::new();
    for (n, email) in ["a@example.com", "b@example.com", "a@example.com"]
        .iter()
        .enumerate()
    {
        let body = format!("Comment {n}");
        ids.push(comment_id_from(
            app.browser()
                .comment("story", &comment_fields(&body, "R", email))
                .await
                .location(),
        ));
    }
    let mut editor = app.editor().await;
    let by_email = editor
        .get("/admin/comments?status=held&email=A@example.com")
        .await
        .text();
    assert!(
        by_email.contains("Comment 0")
            && by_email.contains("Comment 2")
            && !by_email.contains("Comment 1")
    );
    let first = ids[0].0.to_string();
    let second = ids[1].0.to_string();
    let bulk = editor
        .admin_post(
            "/admin/comments/bulk",
            &[("ids", &first), ("ids", &second), ("action", "spam")],
        )
        .await;
    assert_eq!(bulk.status, StatusCode::SEE_OTHER);
    let spam = editor.get("/admin/comments?status=spam").await.text();
    assert!(spam.contains("Spam (2)") && spam.contains("Comment 0") && spam.contains("Comment 1"));
    let none = editor
        .admin_post("/admin/comments/bulk", &[("action", "spam")])
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.text().contains("Tick at least one comment"));
}

#[tokio::test]
async fn a_banned_commenter_is_refused_neutrally_and_can_lose_their_history() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let first = comment_id_from(
        app.browser()
            .comment(
                "story",
                &comment_fields("Earlier", "Troll", "troll@example.com"),
            )
            .await
            .location(),
    );
    app.approve(first).await;
    let mut moderator = app.staff("mod", Role::Moderator).await;
    let ban = moderator
        .admin_post(
            "/admin/bans",
            &[
                ("kind", "email"),
                ("value", "Troll@Example.com"),
                ("reason", "abuse"),
                ("hide_history", "yes"),
            ],
        )
        .await;
    assert_eq!(ban.status, StatusCode::SEE_OTHER);
    assert!(
        !app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Earlier"),
        "history hidden"
    );
    let refused = app
        .browser()
        .comment(
            "story",
            &comment_fields("Again", "Troll", "troll@example.com"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let text = refused.text();
    assert!(text.contains("Your comment could not be posted on this site."));
    assert!(
        !text.to_lowercase().contains("ban"),
        "the refusal does not say why"
    );
    let twice = moderator
        .admin_post(
            "/admin/bans",
            &[
                ("kind", "email"),
                ("value", "troll@example.com"),
                ("reason", "again"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().contains("is banned already"));
    let bad = moderator
        .admin_post(
            "/admin/bans",
            &[("kind", "ip"), ("value", "not-an-ip"), ("reason", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("is not an IP address"));
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_with_before_and_after() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let id = comment_id_from(
        app.browser()
            .comment("story", &comment_fields("Hello", "Ada", "ada@example.com"))
            .await
            .location(),
    );
    let mut admin = app.staff("boss", Role::Admin).await;
    admin
        .admin_post(
            &format!("/admin/comments/{}/moderate", id.0),
            &[("action", "spam")],
        )
        .await;
    admin
        .admin_post(
            &format!("/admin/comments/{}/moderate", id.0),
            &[("action", "not-spam")],
        )
        .await;
    let log = admin.get("/admin/audit").await.text();
    assert!(log.contains("comment.spam") && log.contains("comment.not-spam"));
    assert!(log.contains("held → spam"));
    assert!(log.contains("spam → approved"));
    assert!(log.contains("<td>boss</td>"));
}

#[tokio::test]
async fn settings_change_the_site_and_its_spam_rules() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut admin = app.staff("boss", Role::Admin).await;
    let invalid = admin
        .admin_post(
            "/admin/settings",
            &[
                ("title", ""),
                ("moderation", "hold-first"),
                ("max_depth", "5"),
                ("comments_per_page", "200"),
                ("close_after_days", "0"),
                ("max_links", "2"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid
            .text()
            .contains("The site title must be 1 to 100 characters.")
    );
    let saved = admin
        .admin_post(
            "/admin/settings",
            &[
                ("title", "Harbour Times"),
                ("tagline", "Port news"),
                ("moderation", "no-hold"),
                ("max_depth", "3"),
                ("comments_per_page", "50"),
                ("close_after_days", "0"),
                ("blocklist", "casino\n"),
                ("hold_words", "lawsuit"),
                ("max_links", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        app.browser()
            .get("/")
            .await
            .text()
            .contains("Harbour Times")
    );

    let status_of = |slug_body: &'static str, email: &'static str| {
        let app = &app;
        async move {
            let id = comment_id_from(
                app.browser()
                    .comment("story", &comment_fields(slug_body, "R", email))
                    .await
                    .location(),
            );
            app.site
                .staff_comment(gazette_core::moderating::Actor::Operator, id)
                .await
                .expect("stored")
        }
    };
    let plain = status_of("A fine point.", "one@example.com").await;
    assert_eq!(
        plain.comment.status,
        CommentStatus::Approved,
        "no-hold publishes"
    );
    let blocked = status_of("Visit my CASINO", "two@example.com").await;
    assert_eq!(blocked.comment.status, CommentStatus::Spam);
    assert_eq!(
        blocked.held_reason.as_deref(),
        Some("Blocklist: contains “casino”")
    );
    let held = status_of("There will be a lawsuit.", "three@example.com").await;
    assert_eq!(held.comment.status, CommentStatus::Held);
    assert_eq!(
        held.held_reason.as_deref(),
        Some("Hold word: contains “lawsuit”")
    );
    let linky = status_of(
        "See https://a.example and https://b.example",
        "four@example.com",
    )
    .await;
    assert_eq!(linky.comment.status, CommentStatus::Held);
    assert_eq!(
        linky.held_reason.as_deref(),
        Some("Links: 2, more than the 1 allowed")
    );
    let log = admin.get("/admin/audit").await.text();
    assert!(log.contains("settings.update"));
}

#[tokio::test]
async fn admins_add_staff_who_can_then_log_in() {
    let app = TestApp::new().await;
    let mut admin = app.staff("boss", Role::Admin).await;
    let weak = admin
        .admin_post(
            "/admin/users",
            &[
                ("username", "newbie"),
                ("email", "n@newsroom.example"),
                ("role", "author"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().contains("at least 12 characters"));
    let made = admin
        .admin_post(
            "/admin/users",
            &[
                ("username", "newbie"),
                ("display_name", "New Bie"),
                ("email", "n@newsroom.example"),
                ("role", "author"),
                ("password", "a long password here"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser()
            .log_in("newbie", "a long password here")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let dup = admin
        .admin_post(
            "/admin/users",
            &[
                ("username", "newbie"),
                ("email", "x@newsroom.example"),
                ("role", "author"),
                ("password", "a long password here"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admin_pages_are_never_cached_or_indexed() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    let page = editor.get("/admin/articles").await;
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["x-robots-tag"], "noindex, nofollow");
}
