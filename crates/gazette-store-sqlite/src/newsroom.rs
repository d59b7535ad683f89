use crate::{SqliteStore, map_err};
use gazette_domain::records::{Attempt, NewSession, Session, Throttle};
use gazette_domain::{NewUser, User, UserId};
use gazette_store::queries::THROTTLE_STATE;
use gazette_store::rows::{SESSION_COLUMNS, SessionRow, USER_COLUMNS, UserRow};
use gazette_store::{StoreError, StoreResult};
use std::sync::LazyLock;

static USER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"));
static ALL_USERS: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.display_name, u.id LIMIT 1000")
});
static SESSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
    )
});

pub(crate) async fn put_setting(db: &SqliteStore, key: &str, value: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&db.pool)
        .await
        .map_err(map_err("setting"))?;
    Ok(())
}

pub(crate) async fn user_by_id(db: &SqliteStore, id: UserId) -> StoreResult<User> {
    let row: UserRow = sqlx::query_as(USER_BY_ID.as_str())
        .bind(id.0)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn users(db: &SqliteStore) -> StoreResult<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as(ALL_USERS.as_str())
        .fetch_all(&db.pool)
        .await
        .map_err(map_err("users"))?;
    rows.into_iter().map(UserRow::into_user).collect()
}

pub(crate) async fn create_first_admin(db: &SqliteStore, user: NewUser) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL")
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err("user"))?;
    if existing > 0 {
        return Err(StoreError::Conflict("staff account"));
    }
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

pub(crate) async fn set_password(
    db: &SqliteStore,
    user: UserId,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let updated = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("user"))?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("session"))?;
    tx.commit().await.map_err(map_err("user"))
}

pub(crate) async fn create_session(db: &SqliteStore, session: NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.token_hash)
    .bind(session.user_id.0)
    .bind(&session.csrf_token)
    .bind(session.created_at)
    .bind(session.expires_at)
    .execute(&db.pool)
    .await
    .map_err(map_err("session"))?;
    Ok(())
}

pub(crate) async fn session(db: &SqliteStore, token_hash: &str, now: i64) -> StoreResult<Session> {
    let row: SessionRow = sqlx::query_as(SESSION.as_str())
        .bind(token_hash)
        .bind(now)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("session"))?;
    row.into_session()
}

pub(crate) async fn delete_session(db: &SqliteStore, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&db.pool)
        .await
        .map_err(map_err("session"))?;
    Ok(())
}

pub(crate) async fn begin_attempt(
    db: &SqliteStore,
    throttles: &[Throttle],
    now: i64,
) -> StoreResult<Attempt> {
    let mut tx = db.write().await?;
    // The write transaction holds SQLite's one writer: attempts are decided one at a time.
    let mut wait = None;
    for throttle in throttles {
        let (failures, last): (i64, Option<i64>) = sqlx::query_as(THROTTLE_STATE)
            .bind(&throttle.bucket)
            .bind(now - throttle.window)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err("attempt"))?;
        wait = wait.max(throttle.wait_until(failures, last, now));
    }
    if let Some(until) = wait {
        tx.rollback().await;
        return Ok(Attempt::Wait(until));
    }
    let mut ids = Vec::with_capacity(throttles.len());
    for throttle in throttles {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (bucket, at) VALUES ($1, $2) RETURNING id",
        )
        .bind(&throttle.bucket)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err("attempt"))?;
        ids.push(id);
    }
    tx.commit().await.map_err(map_err("attempt"))?;
    Ok(Attempt::Counted(ids))
}

pub(crate) async fn forget_attempt(db: &SqliteStore, ids: &[i64]) -> StoreResult<()> {
    for id in ids {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(&db.pool)
            .await
            .map_err(map_err("attempt"))?;
    }
    Ok(())
}

pub(crate) async fn password_reset_user(
    db: &SqliteStore,
    token_hash: &str,
    now: i64,
) -> StoreResult<UserId> {
    let id: i64 = sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_one(&db.pool)
    .await
    .map_err(map_err("password reset"))?;
    Ok(UserId(id))
}

pub(crate) async fn clear_login_failures(db: &SqliteStore, bucket: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE bucket = $1")
        .bind(bucket)
        .execute(&db.pool)
        .await
        .map_err(map_err("login failures"))?;
    Ok(())
}

pub(crate) async fn create_password_reset(
    db: &SqliteStore,
    token_hash: &str,
    user: UserId,
    expires_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(user.0)
    .bind(expires_at)
    .execute(&db.pool)
    .await
    .map_err(map_err("password reset"))?;
    Ok(())
}

pub(crate) async fn reset_password(
    db: &SqliteStore,
    token_hash: &str,
    now: i64,
    password_hash: &str,
) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let user_id: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err("password reset"))?;
    let user_id = user_id.ok_or(StoreError::NotFound("password reset"))?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err("user"))?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err("session"))?;
    let row: UserRow = sqlx::query_as(USER_BY_ID.as_str())
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err("user"))?;
    tx.commit().await.map_err(map_err("user"))?;
    row.into_user()
}
