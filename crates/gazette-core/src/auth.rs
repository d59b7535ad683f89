use crate::accounts::{AccountRequest, hash_password};
use crate::{CoreError, CoreResult, Site};
use argon2::Argon2;
use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gazette_domain::records::NewSession;
use gazette_domain::{Permission, Role, User};
use gazette_store::StoreError;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// How long a staff login lasts.
pub const SESSION_SECONDS: i64 = 14 * 86_400;
/// How long a password reset link works.
pub const RESET_SECONDS: i64 = 3_600;
/// The window failed logins are counted over.
const FAILURE_WINDOW: i64 = 15 * 60;
/// Failed logins allowed per account in the window.
const FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed logins allowed per client address in the window.
const FAILURES_PER_ADDRESS: i64 = 20;

/// A logged-in staff member, as every admin action receives them.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The account.
    pub user: User,
    /// The token this session's forms must carry.
    pub csrf_token: String,
}

impl Staff {
    /// Whether the account's role grants `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.user.role.allows(permission)
    }

    /// `Forbidden` unless the role grants `permission`.
    pub fn require(&self, permission: Permission) -> CoreResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "Your role ({}) does not allow this.",
                self.user.role.as_str()
            )))
        }
    }
}

/// A new session: the token for the cookie, and who it is for.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The secret for the session cookie (only its hash is stored).
    pub token: String,
    /// The staff member.
    pub staff: Staff,
}

/// A fresh random secret, URL-safe.
pub fn random_token() -> CoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::Storage(format!("no system randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// How a secret token is stored: SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Verified against when the account does not exist, so both cases take as long.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password("not a real password").ok());

fn password_matches(hash: Option<&str>, password: &str) -> bool {
    let Some(hash) = hash.or(DUMMY_HASH.as_deref()) else {
        return false;
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && hash != DUMMY_HASH.as_deref().unwrap_or("")
}

impl Site {
    /// Whether no account can log in yet (the setup page is offered only then).
    pub async fn needs_setup(&self) -> CoreResult<bool> {
        Ok(!self
            .store
            .users()
            .await?
            .iter()
            .any(|u| u.password_hash.is_some()))
    }

    /// Creates the first admin; refused once any account can log in.
    pub async fn setup_first_admin(&self, mut request: AccountRequest) -> CoreResult<LoggedIn> {
        request.role = Role::Admin;
        let user = self.checked_new_user(request)?;
        let user = self
            .store
            .create_first_admin(user)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    CoreError::Forbidden("This site is already set up. Log in instead.".into())
                }
                other => other.into(),
            })?;
        tracing::info!(user = user.id.0, "first admin created");
        self.open_session(user).await
    }

    /// Checks a login and opens a session. Failures are counted per account and per address
    /// (on every node, in the database); past the limit, logins are refused for a while.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
    ) -> CoreResult<LoggedIn> {
        let now = self.now();
        let account_bucket = format!("user:{}", username.trim().to_lowercase());
        let address_bucket = ip.map(|ip| format!("ip:{ip}"));
        let since = now - FAILURE_WINDOW;
        if self
            .store
            .login_failures_since(&account_bucket, since)
            .await?
            >= FAILURES_PER_ACCOUNT
        {
            return Err(CoreError::TooManyAttempts(
                "Too many failed logins for this account. Wait 15 minutes, or ask an admin for a password reset link."
                    .into(),
            ));
        }
        if let Some(bucket) = &address_bucket
            && self.store.login_failures_since(bucket, since).await? >= FAILURES_PER_ADDRESS
        {
            return Err(CoreError::TooManyAttempts(
                "Too many failed logins from your network. Wait 15 minutes and try again.".into(),
            ));
        }
        let user = match self.store.user_by_username(username.trim()).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        };
        let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let verified = password_matches(hash, password);
        match user {
            Some(user) if verified => {
                self.store.clear_login_failures(&account_bucket).await?;
                tracing::info!(user = user.id.0, "staff logged in");
                self.open_session(user).await
            }
            _ => {
                let buckets: Vec<String> = std::iter::once(account_bucket)
                    .chain(address_bucket)
                    .collect();
                self.store.record_login_failure(&buckets, now).await?;
                Err(CoreError::BadInput(
                    "That username and password do not match.".into(),
                ))
            }
        }
    }

    async fn open_session(&self, user: User) -> CoreResult<LoggedIn> {
        let token = random_token()?;
        let csrf_token = random_token()?;
        let now = self.now();
        self.store
            .create_session(NewSession {
                token_hash: token_hash(&token),
                user_id: user.id,
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at: now + SESSION_SECONDS,
            })
            .await?;
        Ok(LoggedIn {
            token,
            staff: Staff { user, csrf_token },
        })
    }

    /// The staff member behind a session cookie; `NotFound` when it is unknown or expired.
    pub async fn staff_session(&self, token: &str) -> CoreResult<Staff> {
        let session = self.store.session(&token_hash(token), self.now()).await?;
        if session.user.password_hash.is_none() {
            return Err(CoreError::NotFound("session"));
        }
        Ok(Staff {
            user: session.user,
            csrf_token: session.csrf_token,
        })
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> CoreResult<()> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// Changes one's own password after checking the current one; every session of the account
    /// ends, and a new one is opened for this browser.
    pub async fn change_password(
        &self,
        staff: &Staff,
        current: &str,
        new: &str,
    ) -> CoreResult<LoggedIn> {
        let user = self.store.user_by_id(staff.user.id).await?;
        if !password_matches(user.password_hash.as_deref(), current) {
            return Err(CoreError::BadInput(
                "Your current password is not right.".into(),
            ));
        }
        check_password(new)?;
        self.store
            .set_password(user.id, &hash_password(new)?)
            .await?;
        tracing::info!(user = user.id.0, "password changed");
        self.open_session(user).await
    }

    /// A single-use reset token for `username`, valid for an hour (the CLI prints it as a link).
    pub async fn password_reset_token(&self, username: &str) -> CoreResult<String> {
        let user = self
            .store
            .user_by_username(username)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    CoreError::BadInput(format!("there is no staff account named {username:?}"))
                }
                other => other.into(),
            })?;
        let token = random_token()?;
        self.store
            .create_password_reset(&token_hash(&token), user.id, self.now() + RESET_SECONDS)
            .await?;
        Ok(token)
    }

    /// Sets a new password with a reset token, once; logs the account out everywhere.
    pub async fn reset_password(&self, token: &str, new: &str) -> CoreResult<User> {
        check_password(new)?;
        let hash = hash_password(new)?;
        self.store
            .reset_password(&token_hash(token), self.now(), &hash)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => CoreError::BadInput(
                    "This reset link has expired or was used already. Ask for a new one.".into(),
                ),
                other => other.into(),
            })
    }
}

/// Refuses passwords too short to resist guessing.
pub fn check_password(password: &str) -> CoreResult<()> {
    if password.chars().count() < crate::accounts::PASSWORD_MIN {
        return Err(CoreError::BadInput(format!(
            "A password needs at least {} characters.",
            crate::accounts::PASSWORD_MIN
        )));
    }
    if password.len() > 1024 {
        return Err(CoreError::BadInput(
            "A password can be at most 1,024 bytes.".into(),
        ));
    }
    Ok(())
}
