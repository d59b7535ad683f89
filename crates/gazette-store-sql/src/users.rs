use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::{NewUser, User};
use gazette_store::StoreResult;
use gazette_store::rows::{USER_COLUMNS, UserRow};
use std::sync::LazyLock;

static USER_BY_USERNAME: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"));
static USER_BY_SLUG: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.slug = $1"));
pub(crate) static USER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"));

pub(crate) async fn setting(db: &SqlStore, key: &str) -> StoreResult<String> {
    scalar(
        db.on(),
        &Sql::new("SELECT value FROM settings WHERE key = $1").bind(key),
    )
    .await
    .map_err(map_err("setting"))
}

pub(crate) async fn put_setting_if_absent(
    db: &SqlStore,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    let mut tx = db.write().await?;
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value),
        )
        .await
        .map_err(map_err("setting"))?;
    let stored = scalar(
        tx.on(),
        &Sql::new("SELECT value FROM settings WHERE key = $1").bind(key),
    )
    .await
    .map_err(map_err("setting"))?;
    tx.commit().await.map_err(map_err("setting"))?;
    Ok(stored)
}

pub(crate) async fn create_user(db: &SqlStore, user: NewUser) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let created = insert_user(&mut tx, &user).await?;
    tx.commit().await.map_err(map_err("user"))?;
    Ok(created)
}

/// Inserts an account inside the caller's transaction and reads it back.
pub(crate) async fn insert_user(tx: &mut WriteTx, user: &NewUser) -> StoreResult<User> {
    let id: i64 = scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO users (username, display_name, slug, email, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.slug)
        .bind(&user.email)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(user.created_at),
    )
    .await
    .map_err(map_err("user"))?;
    let row: UserRow = tx
        .on()
        .one(&Sql::new(USER_BY_ID.as_str()).bind(id))
        .await
        .map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn user_by_username(db: &SqlStore, username: &str) -> StoreResult<User> {
    let row: UserRow = db
        .on()
        .one(&Sql::new(USER_BY_USERNAME.as_str()).bind(username))
        .await
        .map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn user_by_slug(db: &SqlStore, slug: &str) -> StoreResult<User> {
    let row: UserRow = db
        .on()
        .one(&Sql::new(USER_BY_SLUG.as_str()).bind(slug))
        .await
        .map_err(map_err("author"))?;
    row.into_user()
}
