use crate::{CommentStatus, DomainError};
use serde::{Deserialize, Serialize};

/// Which new comments wait for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModerationPolicy {
    /// Hold a commenter's comments until one of theirs has been approved (WordPress's default).
    #[default]
    HoldFirst,
    /// Hold every comment.
    HoldAll,
    /// Publish every comment that passes validation.
    NoHold,
}

impl ModerationPolicy {
    /// Reads a configured value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "hold-first" => Ok(Self::HoldFirst),
            "hold-all" => Ok(Self::HoldAll),
            "no-hold" => Ok(Self::NoHold),
            other => Err(DomainError::UnknownVariant {
                kind: "moderation policy",
                value: other.to_owned(),
            }),
        }
    }

    /// The status of a new comment, and why it is held when it is.
    pub fn decide(self, has_approved_comment: bool) -> (CommentStatus, Option<HoldReason>) {
        match self {
            Self::NoHold => (CommentStatus::Approved, None),
            Self::HoldAll => (CommentStatus::Held, Some(HoldReason::AllHeld)),
            Self::HoldFirst if has_approved_comment => (CommentStatus::Approved, None),
            Self::HoldFirst => (CommentStatus::Held, Some(HoldReason::FirstComment)),
        }
    }
}

/// Why a comment waits in the queue, as the moderator is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HoldReason {
    /// The commenter has no approved comment yet.
    FirstComment,
    /// The site holds every comment.
    AllHeld,
}

impl HoldReason {
    /// The sentence the moderation queue shows (and the store keeps).
    pub fn describe(self) -> &'static str {
        match self {
            Self::FirstComment => "First comment from this email address",
            Self::AllHeld => "The site holds every comment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_comment_is_held_and_a_known_commenter_is_approved() {
        let policy = ModerationPolicy::HoldFirst;
        assert_eq!(
            policy.decide(false),
            (CommentStatus::Held, Some(HoldReason::FirstComment))
        );
        assert_eq!(policy.decide(true), (CommentStatus::Approved, None));
    }

    #[test]
    fn hold_all_holds_even_known_commenters() {
        assert_eq!(
            ModerationPolicy::HoldAll.decide(true).0,
            CommentStatus::Held
        );
        assert_eq!(
            ModerationPolicy::NoHold.decide(false).0,
            CommentStatus::Approved
        );
    }

    #[test]
    fn policies_parse_from_configuration_text() {
        assert_eq!(
            ModerationPolicy::parse("hold-all"),
            Ok(ModerationPolicy::HoldAll)
        );
        assert!(ModerationPolicy::parse("sometimes").is_err());
    }
}
