use crate::{SqliteStore, map_err};
use gazette_domain::{NewUser, User};
use gazette_store::StoreResult;
use gazette_store::rows::{USER_COLUMNS, UserRow};
use std::sync::LazyLock;

static USER_BY_USERNAME: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"));
static USER_BY_SLUG: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.slug = $1"));
static USER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"));

pub(crate) async fn setting(db: &SqliteStore, key: &str) -> StoreResult<String> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("setting"))
}

pub(crate) async fn put_setting_if_absent(
    db: &SqliteStore,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    let mut tx = db.write().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(map_err("setting"))?;
    let stored = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err("setting"))?;
    tx.commit().await.map_err(map_err("setting"))?;
    Ok(stored)
}

pub(crate) async fn create_user(db: &SqliteStore, user: NewUser) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, slug, email, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(&user.slug)
    .bind(&user.email)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(user.created_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("user"))?;
    let row: UserRow = sqlx::query_as(USER_BY_ID.as_str())
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err("user"))?;
    tx.commit().await.map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn user_by_username(db: &SqliteStore, username: &str) -> StoreResult<User> {
    let row: UserRow = sqlx::query_as(USER_BY_USERNAME.as_str())
        .bind(username)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn user_by_slug(db: &SqliteStore, slug: &str) -> StoreResult<User> {
    let row: UserRow = sqlx::query_as(USER_BY_SLUG.as_str())
        .bind(slug)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("author"))?;
    row.into_user()
}
