//! The newsroom under `/admin`: logging in, articles, pages, the moderation queue, bans, settings, staff,
//! redirects and the audit log. Every route checks the staff member's role on the server (in the core), and
//! every form carries the session's CSRF token.

/// The article list and editor.
pub mod articles;
/// Setup, login, logout, password change and reset.
pub mod auth;
/// The moderation queue and its actions.
pub mod comments;
/// Uploading an export and following its import.
pub mod import;
/// The media library and the files it serves.
pub mod media;
/// Static pages and their editor.
pub mod pages;
/// Old addresses and where they lead.
pub mod redirects;
/// The session extractor, CSRF checks and the admin page renderer.
pub mod session;
/// Bans, settings, staff accounts and the audit log.
pub mod site;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The `/admin` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(site::dashboard))
        .route("/admin/setup", get(auth::setup_form).post(auth::setup))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route(
            "/admin/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route(
            "/admin/reset/{token}",
            get(auth::reset_form).post(auth::reset),
        )
        .route(
            "/admin/articles",
            get(articles::list).post(articles::create),
        )
        .route("/admin/articles/new", get(articles::new))
        .route(
            "/admin/articles/{id}",
            get(articles::edit).post(articles::save),
        )
        .route("/admin/articles/{id}/state", post(articles::change_state))
        .route(
            "/admin/articles/{id}/corrections",
            post(articles::add_correction),
        )
        .route("/admin/import", get(import::form))
        .route("/admin/import/{id}", get(import::show))
        .route("/admin/media", get(media::library))
        .route("/admin/media/{id}", get(media::show).post(media::save))
        .route("/admin/media/{id}/delete", post(media::delete))
        .route("/admin/pages", get(pages::list).post(pages::create))
        .route("/admin/pages/new", get(pages::new))
        .route("/admin/pages/{id}", get(pages::edit).post(pages::save))
        .route("/admin/comments", get(comments::queue))
        .route("/admin/comments/bulk", post(comments::bulk))
        .route("/admin/comments/{id}/moderate", post(comments::moderate))
        .route(
            "/admin/comments/{id}/edit",
            get(comments::edit_form).post(comments::edit),
        )
        .route("/admin/comments/{id}/reply", post(comments::reply))
        .route("/admin/comments/{id}/delete", post(comments::delete))
        .route("/admin/bans", get(site::bans).post(site::ban))
        .route("/admin/bans/{id}/delete", post(site::lift_ban))
        .route(
            "/admin/settings",
            get(site::settings_form).post(site::save_settings),
        )
        .route("/admin/users", get(site::users).post(site::add_user))
        .route("/admin/audit", get(site::audit))
        .route(
            "/admin/redirects",
            get(redirects::list).post(redirects::add),
        )
        .route("/admin/redirects/delete", post(redirects::delete))
}
