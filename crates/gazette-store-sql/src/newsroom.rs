use crate::db::{Sql, scalar};
use crate::users::USER_BY_ID;
use crate::{SqlStore, map_err};
use gazette_domain::records::{Attempt, NewSession, Session, Throttle};
use gazette_domain::{NewUser, User, UserId};
use gazette_store::rows::{SESSION_COLUMNS, SessionRow, USER_COLUMNS, UserRow};
use gazette_store::{StoreError, StoreResult};
use std::sync::LazyLock;

/// A throttle bucket's failures since `$2`, and the latest one's time: `(count, max)`.
const THROTTLE_STATE: &str =
    "SELECT COUNT(*), MAX(at) FROM login_failures WHERE bucket = $1 AND at >= $2";

static ALL_USERS: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.display_name, u.id LIMIT 1000")
});
static SESSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
    )
});

pub(crate) async fn put_setting(db: &SqlStore, key: &str, value: &str) -> StoreResult<()> {
    db.on()
        .execute(
            &Sql::new(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value),
        )
        .await
        .map_err(map_err("setting"))?;
    Ok(())
}

pub(crate) async fn user_by_id(db: &SqlStore, id: UserId) -> StoreResult<User> {
    let row: UserRow = db
        .on()
        .one(&Sql::new(USER_BY_ID.as_str()).bind(id.0))
        .await
        .map_err(map_err("user"))?;
    row.into_user()
}

pub(crate) async fn users(db: &SqlStore) -> StoreResult<Vec<User>> {
    let rows: Vec<UserRow> = db
        .on()
        .all(&Sql::new(ALL_USERS.as_str()))
        .await
        .map_err(map_err("users"))?;
    rows.into_iter().map(UserRow::into_user).collect()
}

pub(crate) async fn create_first_admin(db: &SqlStore, user: NewUser) -> StoreResult<User> {
    let mut tx = db.write().await?;
    // Two setups racing must not both see "no account yet": they take turns.
    if let Some(lock) = db.dialect().lock_keys(vec!["first admin".to_owned()]) {
        tx.on().execute(&lock).await.map_err(map_err("user"))?;
    }
    let existing: i64 = scalar(
        tx.on(),
        &Sql::new("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL"),
    )
    .await
    .map_err(map_err("user"))?;
    if existing > 0 {
        return Err(StoreError::Conflict("staff account"));
    }
    let created = crate::users::insert_user(&mut tx, &user).await?;
    tx.commit().await.map_err(map_err("user"))?;
    Ok(created)
}

pub(crate) async fn set_password(
    db: &SqlStore,
    user: UserId,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let updated = tx
        .on()
        .execute(
            &Sql::new("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user.0),
        )
        .await
        .map_err(map_err("user"))?;
    if updated == 0 {
        return Err(StoreError::NotFound("user"));
    }
    tx.on()
        .execute(&Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(user.0))
        .await
        .map_err(map_err("session"))?;
    tx.commit().await.map_err(map_err("user"))
}

pub(crate) async fn create_session(db: &SqlStore, session: NewSession) -> StoreResult<()> {
    db.on()
        .execute(
            &Sql::new(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&session.token_hash)
            .bind(session.user_id.0)
            .bind(&session.csrf_token)
            .bind(session.created_at)
            .bind(session.expires_at),
        )
        .await
        .map_err(map_err("session"))?;
    Ok(())
}

pub(crate) async fn session(db: &SqlStore, token_hash: &str, now: i64) -> StoreResult<Session> {
    let row: SessionRow = db
        .on()
        .one(&Sql::new(SESSION.as_str()).bind(token_hash).bind(now))
        .await
        .map_err(map_err("session"))?;
    row.into_session()
}

pub(crate) async fn delete_session(db: &SqlStore, token_hash: &str) -> StoreResult<()> {
    db.on()
        .execute(&Sql::new("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))
        .await
        .map_err(map_err("session"))?;
    Ok(())
}

pub(crate) async fn begin_attempt(
    db: &SqlStore,
    throttles: &[Throttle],
    now: i64,
) -> StoreResult<Attempt> {
    let mut tx = db.write().await?;
    // Attempts on the same buckets take turns until this one commits, on every node.
    let buckets: Vec<String> = throttles.iter().map(|t| t.bucket.clone()).collect();
    if let Some(lock) = db.dialect().lock_keys(buckets) {
        tx.on().execute(&lock).await.map_err(map_err("attempt"))?;
    }
    let mut wait = None;
    for throttle in throttles {
        let (failures, last): (i64, Option<i64>) = tx
            .on()
            .one(
                &Sql::new(THROTTLE_STATE)
                    .bind(&throttle.bucket)
                    .bind(now - throttle.window),
            )
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
        let id: i64 = scalar(
            tx.on(),
            &Sql::new("INSERT INTO login_failures (bucket, at) VALUES ($1, $2) RETURNING id")
                .bind(&throttle.bucket)
                .bind(now),
        )
        .await
        .map_err(map_err("attempt"))?;
        ids.push(id);
    }
    tx.commit().await.map_err(map_err("attempt"))?;
    Ok(Attempt::Counted(ids))
}

pub(crate) async fn forget_attempt(db: &SqlStore, ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut query = Sql::new("DELETE FROM login_failures WHERE id IN (");
    query.push_list(ids.iter().copied());
    query.push(")");
    db.on().execute(&query).await.map_err(map_err("attempt"))?;
    Ok(())
}

pub(crate) async fn password_reset_user(
    db: &SqlStore,
    token_hash: &str,
    now: i64,
) -> StoreResult<UserId> {
    let id: i64 = scalar(
        db.on(),
        &Sql::new(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now),
    )
    .await
    .map_err(map_err("password reset"))?;
    Ok(UserId(id))
}

pub(crate) async fn clear_login_failures(db: &SqlStore, bucket: &str) -> StoreResult<()> {
    db.on()
        .execute(&Sql::new("DELETE FROM login_failures WHERE bucket = $1").bind(bucket))
        .await
        .map_err(map_err("login failures"))?;
    Ok(())
}

pub(crate) async fn create_password_reset(
    db: &SqlStore,
    token_hash: &str,
    user: UserId,
    expires_at: i64,
) -> StoreResult<()> {
    db.on()
        .execute(
            &Sql::new(
                "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(expires_at),
        )
        .await
        .map_err(map_err("password reset"))?;
    Ok(())
}

pub(crate) async fn reset_password(
    db: &SqlStore,
    token_hash: &str,
    now: i64,
    password_hash: &str,
) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let user_id: Option<(i64,)> = tx
        .on()
        .optional(
            &Sql::new(
                "UPDATE password_resets SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
            )
            .bind(now)
            .bind(token_hash),
        )
        .await
        .map_err(map_err("password reset"))?;
    let (user_id,) = user_id.ok_or(StoreError::NotFound("password reset"))?;
    tx.on()
        .execute(
            &Sql::new("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user_id),
        )
        .await
        .map_err(map_err("user"))?;
    tx.on()
        .execute(&Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(user_id))
        .await
        .map_err(map_err("session"))?;
    let row: UserRow = tx
        .on()
        .one(&Sql::new(USER_BY_ID.as_str()).bind(user_id))
        .await
        .map_err(map_err("user"))?;
    tx.commit().await.map_err(map_err("user"))?;
    row.into_user()
}
