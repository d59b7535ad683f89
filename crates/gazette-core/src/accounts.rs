use crate::{CoreError, CoreResult, Site};
use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use gazette_domain::slugs::slugify;
use gazette_domain::{NewUser, Role, User};

/// Shortest password accepted for a staff account.
pub const PASSWORD_MIN: usize = 12;

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct AccountRequest {
    /// Login name: letters, digits, `.`, `_` or `-`.
    pub username: String,
    /// Name in bylines; the username when empty.
    pub display_name: String,
    /// Staff email address.
    pub email: String,
    /// What the account may do.
    pub role: Role,
    /// The password in clear; hashed with argon2id before it is stored.
    pub password: String,
}

impl Site {
    /// Creates a staff account from the command line (no session: the operator is trusted).
    pub async fn create_account(&self, request: AccountRequest) -> CoreResult<User> {
        let new = self.checked_new_user(request).await?;
        let username = new.username.clone();
        let user = self.store.create_user(new).await.map_err(|e| match e {
            gazette_store::StoreError::Conflict(_) => CoreError::Conflict(format!(
                "a staff account named {username:?} (or with the same display name) exists already"
            )),
            other => other.into(),
        })?;
        self.staff_changed();
        tracing::info!(
            user = user.id.0,
            role = user.role.as_str(),
            "staff account created"
        );
        Ok(user)
    }

    /// Creates a staff account from the admin screens; admins only.
    pub async fn add_staff(
        &self,
        actor: &crate::auth::Staff,
        request: AccountRequest,
    ) -> CoreResult<User> {
        actor.require(gazette_domain::Permission::ManageUsers)?;
        let user = self.create_account(request).await?;
        self.store
            .record_audit(gazette_domain::records::NewAudit {
                at: self.now(),
                actor: Some(actor.user.id),
                actor_name: actor.user.display_name.clone(),
                action: "user.create".into(),
                comment_id: None,
                article_id: None,
                detail: format!("{} as {}", user.username, user.role.as_str()),
            })
            .await?;
        Ok(user)
    }

    /// Every staff account; admins only.
    pub async fn staff_accounts(&self, actor: &crate::auth::Staff) -> CoreResult<Vec<User>> {
        actor.require(gazette_domain::Permission::ManageUsers)?;
        Ok(self.store.users().await?)
    }

    /// A staff account by login name.
    pub async fn account(&self, username: &str) -> CoreResult<User> {
        Ok(self.store.user_by_username(username).await?)
    }

    /// Checks every field of a new account, then hashes its password (on the hashing pool).
    pub(crate) async fn checked_new_user(&self, request: AccountRequest) -> CoreResult<NewUser> {
        let username = request.username.trim();
        if username.is_empty()
            || username.len() > 60
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(CoreError::BadInput(
                "A username is 1 to 60 letters, digits, dots, dashes or underscores.".into(),
            ));
        }
        let email = request.email.trim();
        if !email_is_plausible(email) {
            return Err(CoreError::BadInput(format!(
                "{email:?} is not an email address."
            )));
        }
        crate::auth::check_password(&request.password)?;
        let display_name = match request.display_name.trim() {
            "" => username.to_owned(),
            name if name.chars().count() > 100 => {
                return Err(CoreError::BadInput(
                    "A display name is at most 100 characters.".into(),
                ));
            }
            name => name.to_owned(),
        };
        Ok(NewUser {
            username: username.to_owned(),
            slug: slugify(&display_name),
            display_name,
            email: email.to_lowercase(),
            role: request.role,
            password_hash: Some(self.hash_password(&request.password).await?),
            created_at: self.now(),
        })
    }
}

fn email_is_plausible(email: &str) -> bool {
    let draft = gazette_domain::CommentDraft {
        body: "x".into(),
        name: "x".into(),
        email: email.into(),
        ..Default::default()
    };
    draft.validate().is_ok()
}

/// An argon2id PHC string with a fresh random salt.
pub fn hash_password(password: &str) -> CoreResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| CoreError::Storage(format!("hashing a password: {e}")))
}
