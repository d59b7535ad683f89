use crate::{DomainError, UserId};
use serde::Serialize;

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// All articles and moderation.
    Editor,
    /// Their own articles.
    Author,
    /// Comments only.
    Moderator,
}

impl Role {
    /// The value stored in the database and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
            Self::Moderator => "moderator",
        }
    }

    /// Reads a stored or typed value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "admin" => Ok(Self::Admin),
            "editor" => Ok(Self::Editor),
            "author" => Ok(Self::Author),
            "moderator" => Ok(Self::Moderator),
            other => Err(DomainError::UnknownVariant {
                kind: "role",
                value: other.to_owned(),
            }),
        }
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Database id.
    pub id: UserId,
    /// Login name, unique.
    pub username: String,
    /// Name in bylines.
    pub display_name: String,
    /// For `/author/{slug}`.
    pub slug: String,
    /// Staff email address (never shown publicly).
    pub email: String,
    /// What the account may do.
    pub role: Role,
    /// argon2id PHC string; `None` for an account that cannot log in (the seeded "Gazette" author).
    pub password_hash: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// What a new staff account carries.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Name in bylines.
    pub display_name: String,
    /// URL slug.
    pub slug: String,
    /// Email address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string, if the account can log in.
    pub password_hash: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Something a staff member may be allowed to do. Every admin route checks one on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Write and edit their own articles.
    WriteOwnArticles,
    /// Edit, publish and delete anyone's articles.
    EditAllArticles,
    /// See the comments under their own articles (read-only).
    SeeOwnArticleComments,
    /// Approve, spam, trash, edit, delete and answer any comment; ban commenters.
    ModerateComments,
    /// Change site settings.
    ManageSettings,
    /// Create staff accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAuditLog,
}

impl Role {
    /// Whether this role grants `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Editor => matches!(
                permission,
                WriteOwnArticles | EditAllArticles | SeeOwnArticleComments | ModerateComments
            ),
            Role::Author => matches!(permission, WriteOwnArticles | SeeOwnArticleComments),
            Role::Moderator => matches!(permission, ModerateComments),
        }
    }

    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Author, Role::Moderator];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_design_says() {
        use Permission::*;
        assert!(Role::Admin.allows(ManageSettings) && Role::Admin.allows(ReadAuditLog));
        assert!(Role::Editor.allows(EditAllArticles) && Role::Editor.allows(ModerateComments));
        assert!(!Role::Editor.allows(ManageSettings) && !Role::Editor.allows(ManageUsers));
        assert!(Role::Author.allows(WriteOwnArticles) && !Role::Author.allows(EditAllArticles));
        assert!(!Role::Author.allows(ModerateComments));
        assert!(
            Role::Moderator.allows(ModerateComments) && !Role::Moderator.allows(WriteOwnArticles)
        );
    }

    #[test]
    fn roles_round_trip_through_their_stored_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
    }
}
