use crate::accounts::{AccountRequest, hash_password};
use crate::{CoreError, CoreResult, Site};
use argon2::Argon2;
use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gazette_domain::records::{Attempt, NewSession, Throttle};
use gazette_domain::{Permission, Role, User, UserId};
use gazette_store::StoreError;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// How long a staff login lasts.
pub const SESSION_SECONDS: i64 = 14 * 86_400;
/// How long a password reset link works.
pub const RESET_SECONDS: i64 = 3_600;
/// The window failed attempts are counted over.
const FAILURE_WINDOW: i64 = 15 * 60;

/// Failed logins for one account from one address: five free, then waits from 30 seconds
/// doubling to 15 minutes. This is what stops a guesser at the keyboard.
fn account_from_address(username: &str, ip: Option<&str>) -> Throttle {
    Throttle {
        bucket: format!("pair:{username}|{}", ip.unwrap_or("-")),
        window: FAILURE_WINDOW,
        free: 5,
        first_delay: 30,
        max_delay: 15 * 60,
    }
}

/// Failed logins from one address, whatever the account: twenty free, then 1 minute doubling.
fn from_address(ip: &str) -> Throttle {
    Throttle {
        bucket: format!("ip:{ip}"),
        window: FAILURE_WINDOW,
        free: 20,
        first_delay: 60,
        max_delay: 15 * 60,
    }
}

/// Failed logins for one account from anywhere (many addresses guessing together): fifty free,
/// then 5 seconds doubling to 5 minutes. Browsers the account logged in from before (a signed
/// device cookie) skip this one, so an attack from elsewhere never keeps the owner out.
fn account_anywhere(username: &str) -> Throttle {
    Throttle {
        bucket: format!("user:{username}"),
        window: FAILURE_WINDOW,
        free: 50,
        first_delay: 5,
        max_delay: 5 * 60,
    }
}

/// Wrong current passwords on the change-password form, per account.
fn password_checks(user: UserId) -> Throttle {
    Throttle {
        bucket: format!("password:{}", user.0),
        window: FAILURE_WINDOW,
        free: 5,
        first_delay: 30,
        max_delay: 15 * 60,
    }
}

/// Unknown or used reset links tried from one address.
fn reset_links(ip: Option<&str>) -> Throttle {
    Throttle {
        bucket: format!("reset:{}", ip.unwrap_or("-")),
        window: FAILURE_WINDOW,
        free: 10,
        first_delay: 30,
        max_delay: 15 * 60,
    }
}

/// "Try again in 2 minutes", for a wait until `until`.
fn wait_message(what: &str, until: i64, now: i64) -> CoreError {
    let seconds = (until - now).max(1);
    let wait = if seconds < 90 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", (seconds + 59) / 60)
    };
    CoreError::TooManyAttempts(format!("{what} Try again in {wait}."))
}

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

/// Checks a password against a stored hash (or the dummy one). CPU- and memory-heavy: callers go
/// through [`Site::password_matches`], which runs it on the hashing pool.
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

    /// Creates the first admin; refused once any account can log in (checked before the
    /// password is hashed, and again atomically when the account is written).
    pub async fn setup_first_admin(&self, mut request: AccountRequest) -> CoreResult<LoggedIn> {
        if !self.needs_setup().await? {
            return Err(CoreError::Forbidden(
                "This site is already set up. Log in instead.".into(),
            ));
        }
        request.role = Role::Admin;
        let user = self.checked_new_user(request).await?;
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
        self.staff_changed();
        tracing::info!(user = user.id.0, "first admin created");
        self.open_session(user).await
    }

    /// Checks a login and opens a session. Attempts are throttled per account and address, per
    /// address, and per account from anywhere (skipped when `known_device`: this browser logged
    /// in to this account before), with growing waits rather than a lock-out; each attempt is
    /// counted before its password is checked, so a burst cannot slip past the count.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
        known_device: bool,
    ) -> CoreResult<LoggedIn> {
        let now = self.now();
        let name = username.trim().to_lowercase();
        let pair = account_from_address(&name, ip);
        let pair_bucket = pair.bucket.clone();
        let mut throttles = vec![pair];
        throttles.extend(ip.map(from_address));
        if !known_device {
            throttles.push(account_anywhere(&name));
        }
        let counted = match self.store.begin_attempt(&throttles, now).await? {
            Attempt::Counted(ids) => ids,
            Attempt::Wait(until) => {
                return Err(wait_message("Too many failed logins.", until, now));
            }
        };
        let user = match self.store.user_by_username(username.trim()).await {
            Ok(user) => Some(user),
            Err(StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        };
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let verified = self.password_matches(hash, password).await?;
        match user {
            Some(user) if verified => {
                self.store.forget_attempt(&counted).await?;
                self.store.clear_login_failures(&pair_bucket).await?;
                tracing::info!(user = user.id.0, "staff logged in");
                self.open_session(user).await
            }
            // The attempt stays counted as a failure.
            _ => Err(CoreError::BadInput(
                "That username and password do not match.".into(),
            )),
        }
    }

    /// Checks `password` against `hash` (the dummy hash when `None`, so unknown accounts take as
    /// long) on the hashing pool: argon2 takes 19 MiB and tens of milliseconds, so only a few run
    /// at once and never on the async threads.
    async fn password_matches(&self, hash: Option<String>, password: &str) -> CoreResult<bool> {
        let password = password.to_owned();
        self.hashing
            .run(move || password_matches(hash.as_deref(), &password))
            .await
    }

    /// An argon2id hash of `password`, computed on the hashing pool.
    pub(crate) async fn hash_password(&self, password: &str) -> CoreResult<String> {
        let password = password.to_owned();
        self.hashing.run(move || hash_password(&password)).await?
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
        check_password(new)?;
        let now = self.now();
        let counted = match self
            .store
            .begin_attempt(&[password_checks(staff.user.id)], now)
            .await?
        {
            Attempt::Counted(ids) => ids,
            Attempt::Wait(until) => {
                return Err(wait_message(
                    "Too many wrong current passwords.",
                    until,
                    now,
                ));
            }
        };
        let user = self.store.user_by_id(staff.user.id).await?;
        if !self
            .password_matches(user.password_hash.clone(), current)
            .await?
        {
            return Err(CoreError::BadInput(
                "Your current password is not right.".into(),
            ));
        }
        self.store.forget_attempt(&counted).await?;
        let hash = self.hash_password(new).await?;
        self.store.set_password(user.id, &hash).await?;
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

    /// Sets a new password with a reset token, once; logs the account out everywhere. The token
    /// is checked before the password is hashed, and unknown tokens are throttled per address.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        ip: Option<&str>,
    ) -> CoreResult<User> {
        let now = self.now();
        let counted = match self.store.begin_attempt(&[reset_links(ip)], now).await? {
            Attempt::Counted(ids) => ids,
            Attempt::Wait(until) => {
                return Err(wait_message(
                    "Too many unknown reset links were tried from your address.",
                    until,
                    now,
                ));
            }
        };
        match self
            .store
            .password_reset_user(&token_hash(token), now)
            .await
        {
            Ok(_) => self.store.forget_attempt(&counted).await?,
            Err(StoreError::NotFound(_)) => {
                return Err(CoreError::BadInput(
                    "This reset link has expired or was used already. Ask for a new one.".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        check_password(new)?;
        let hash = self.hash_password(new).await?;
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
