use super::auth::read_form;
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::CoreError;
use gazette_core::accounts::AccountRequest;
use gazette_core::moderating::Actor;
use gazette_core::settings::SiteSettings;
use gazette_domain::records::{AuditEntry, Ban, BanKind, CommentFilter};
use gazette_domain::{CommentStatus, ModerationPolicy, Page, Permission, Role, User};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
    page: Option<String>,
}

#[derive(Debug, Serialize)]
struct Dashboard {
    #[serde(flatten)]
    admin: AdminContext,
    held: Option<i64>,
    spam: Option<i64>,
}

/// `GET /admin`: where to start, with the size of the queue.
pub async fn dashboard(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let notice = query.ok().and_then(|Query(q)| q.notice);
    let (held, spam) = if staff.can(Permission::ModerateComments) {
        let counts = state
            .site
            .comment_tab_counts(Actor::Staff(&staff), CommentFilter::default())
            .await?;
        let of = |s: CommentStatus| {
            counts
                .iter()
                .find(|(c, _)| *c == s)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        (Some(of(CommentStatus::Held)), Some(of(CommentStatus::Spam)))
    } else {
        (None, None)
    };
    let view = Dashboard {
        admin: AdminContext::new(&state, &staff, "Dashboard", notice.as_deref()).await?,
        held,
        spam,
    };
    render(&state, "admin_dashboard.html", &view, StatusCode::OK)
}

#[derive(Debug, Serialize)]
struct BansPage {
    #[serde(flatten)]
    admin: AdminContext,
    bans: Vec<Ban>,
    error: Option<String>,
    value: String,
    reason: String,
}

async fn bans_page(
    state: &AppState,
    staff: &gazette_core::auth::Staff,
    notice: Option<&str>,
    error: Option<String>,
    value: String,
    reason: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = BansPage {
        admin: AdminContext::new(state, staff, "Bans", notice).await?,
        bans: state.site.bans(staff).await?,
        error,
        value,
        reason,
    };
    render(state, "admin_bans.html", &view, status)
}

/// `GET /admin/bans`.
pub async fn bans(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let notice = query.ok().and_then(|Query(q)| q.notice);
    bans_page(
        &state,
        &staff,
        notice.as_deref(),
        None,
        String::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BanFields {
    csrf: String,
    kind: String,
    value: String,
    reason: String,
    hide_history: Option<String>,
}

/// `POST /admin/bans`: bans an email or address (from the form, or a comment's row).
pub async fn ban(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<BanFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let kind = BanKind::parse(&fields.kind)
        .map_err(|_| AppError::BadRequest("Ban an email or an ip.".into()))?;
    match state
        .site
        .ban(
            &staff,
            kind,
            &fields.value,
            &fields.reason,
            fields.hide_history.is_some(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/bans?notice=banned").into_response()),
        Err(CoreError::BadInput(message) | CoreError::Conflict(message)) => {
            bans_page(
                &state,
                &staff,
                None,
                Some(message),
                fields.value,
                fields.reason,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfFields {
    csrf: String,
}

/// `POST /admin/bans/{id}/delete`.
pub async fn lift_ban(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<CsrfFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::BadRequest("That is not a ban id.".into()))?;
    state.site.lift_ban(&staff, id).await?;
    Ok(Redirect::to("/admin/bans?notice=unbanned").into_response())
}

#[derive(Debug, Serialize)]
struct SettingsPage {
    #[serde(flatten)]
    admin: AdminContext,
    settings: SettingsView,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct SettingsView {
    title: String,
    tagline: String,
    moderation: &'static str,
    max_depth: String,
    comments_per_page: String,
    close_after_days: String,
    blocklist: String,
    hold_words: String,
    max_links: String,
}

fn policy_name(policy: ModerationPolicy) -> &'static str {
    match policy {
        ModerationPolicy::HoldFirst => "hold-first",
        ModerationPolicy::HoldAll => "hold-all",
        ModerationPolicy::NoHold => "no-hold",
    }
}

impl SettingsView {
    fn of(s: &SiteSettings) -> Self {
        Self {
            title: s.title.clone(),
            tagline: s.tagline.clone(),
            moderation: policy_name(s.moderation),
            max_depth: s.max_depth.to_string(),
            comments_per_page: s.comments_per_page.to_string(),
            close_after_days: s.close_after_days.to_string(),
            blocklist: s.blocklist.join("\n"),
            hold_words: s.hold_words.join("\n"),
            max_links: s.max_links.to_string(),
        }
    }
}

/// `GET /admin/settings`; admins only.
pub async fn settings_form(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    staff
        .require(Permission::ManageSettings)
        .map_err(AppError::from)?;
    let notice = query.ok().and_then(|Query(q)| q.notice);
    let settings = state.site.settings().await?;
    let view = SettingsPage {
        admin: AdminContext::new(&state, &staff, "Settings", notice.as_deref()).await?,
        settings: SettingsView::of(&settings),
        error: None,
    };
    render(&state, "admin_settings.html", &view, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsFields {
    csrf: String,
    title: String,
    tagline: String,
    moderation: String,
    max_depth: String,
    comments_per_page: String,
    close_after_days: String,
    blocklist: String,
    hold_words: String,
    max_links: String,
}

fn words(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn number(text: &str, what: &str) -> Result<u32, CoreError> {
    text.trim()
        .parse()
        .map_err(|_| CoreError::BadInput(format!("{what} must be a whole number.")))
}

fn settings_from(fields: &SettingsFields) -> Result<SiteSettings, CoreError> {
    Ok(SiteSettings {
        title: fields.title.trim().to_owned(),
        tagline: fields.tagline.trim().to_owned(),
        moderation: ModerationPolicy::parse(&fields.moderation)
            .map_err(|_| CoreError::BadInput("Choose a moderation policy.".into()))?,
        max_depth: number(&fields.max_depth, "Nesting depth")?,
        comments_per_page: number(&fields.comments_per_page, "Comments per page")?,
        close_after_days: number(&fields.close_after_days, "Close comments after")?,
        blocklist: words(&fields.blocklist),
        hold_words: words(&fields.hold_words),
        max_links: number(&fields.max_links, "Maximum links")?,
    })
}

/// `POST /admin/settings`; admins only.
pub async fn save_settings(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<SettingsFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    staff
        .require(Permission::ManageSettings)
        .map_err(AppError::from)?;
    let result = match settings_from(&fields) {
        Ok(settings) => state.site.save_settings(&staff, settings).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/settings?notice=saved").into_response()),
        Err(CoreError::BadInput(message)) => {
            let view = SettingsPage {
                admin: AdminContext::new(&state, &staff, "Settings", None).await?,
                settings: SettingsView {
                    title: fields.title,
                    tagline: fields.tagline,
                    moderation: ModerationPolicy::parse(&fields.moderation)
                        .map(policy_name)
                        .unwrap_or("hold-first"),
                    max_depth: fields.max_depth,
                    comments_per_page: fields.comments_per_page,
                    close_after_days: fields.close_after_days,
                    blocklist: fields.blocklist,
                    hold_words: fields.hold_words,
                    max_links: fields.max_links,
                },
                error: Some(message),
            };
            render(
                &state,
                "admin_settings.html",
                &view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Serialize)]
struct UsersPage {
    #[serde(flatten)]
    admin: AdminContext,
    users: Vec<UserView>,
    error: Option<String>,
    username: String,
    display_name: String,
    email: String,
    role: String,
}

#[derive(Debug, Serialize)]
struct UserView {
    username: String,
    display_name: String,
    email: String,
    role: &'static str,
    can_log_in: bool,
    created_at: i64,
}

fn user_views(users: Vec<User>) -> Vec<UserView> {
    users
        .into_iter()
        .map(|u| UserView {
            can_log_in: u.password_hash.is_some(),
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            role: u.role.as_str(),
            created_at: u.created_at,
        })
        .collect()
}

/// `GET /admin/users`; admins only.
pub async fn users(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let notice = query.ok().and_then(|Query(q)| q.notice);
    let users = state.site.staff_accounts(&staff).await?;
    let view = UsersPage {
        admin: AdminContext::new(&state, &staff, "Staff", notice.as_deref()).await?,
        users: user_views(users),
        error: None,
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        role: "author".into(),
    };
    render(&state, "admin_users.html", &view, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserFields {
    csrf: String,
    username: String,
    display_name: String,
    email: String,
    role: String,
    password: String,
}

/// `POST /admin/users`: a new staff account; admins only.
pub async fn add_user(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<UserFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let role =
        Role::parse(&fields.role).map_err(|_| AppError::BadRequest("Choose a role.".into()))?;
    let request = AccountRequest {
        username: fields.username.clone(),
        display_name: fields.display_name.clone(),
        email: fields.email.clone(),
        role,
        password: fields.password,
    };
    match state.site.add_staff(&staff, request).await {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=user").into_response()),
        Err(CoreError::BadInput(message) | CoreError::Conflict(message)) => {
            let view = UsersPage {
                admin: AdminContext::new(&state, &staff, "Staff", None).await?,
                users: user_views(state.site.staff_accounts(&staff).await?),
                error: Some(message),
                username: fields.username,
                display_name: fields.display_name,
                email: fields.email,
                role: fields.role,
            };
            render(
                &state,
                "admin_users.html",
                &view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Serialize)]
struct AuditPage {
    #[serde(flatten)]
    admin: AdminContext,
    entries: Page<AuditEntry>,
    total_pages: u32,
}

/// `GET /admin/audit`; admins only.
pub async fn audit(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let page = Params {
        page: q.page,
        ..Default::default()
    }
    .page()?;
    let entries = state.site.audit_log(&staff, page).await?;
    let total_pages = entries.total_pages();
    let view = AuditPage {
        admin: AdminContext::new(&state, &staff, "Audit log", None).await?,
        entries,
        total_pages,
    };
    render(&state, "admin_audit.html", &view, StatusCode::OK)
}
