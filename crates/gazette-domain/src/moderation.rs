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

    /// The status of a new comment, and why it is held when it is. Under `HoldFirst` only an
    /// approved comment with the same email *and* name lets a comment through: an email address
    /// is not a secret, so someone claiming a regular's address under another name waits.
    pub fn decide(self, history: CommenterHistory) -> (CommentStatus, Option<HoldReason>) {
        match (self, history) {
            (Self::NoHold, _) => (CommentStatus::Approved, None),
            (Self::HoldAll, _) => (CommentStatus::Held, Some(HoldReason::AllHeld)),
            (Self::HoldFirst, CommenterHistory::ApprovedUnderThisName) => {
                (CommentStatus::Approved, None)
            }
            (Self::HoldFirst, CommenterHistory::ApprovedUnderAnotherName) => {
                (CommentStatus::Held, Some(HoldReason::NewName))
            }
            (Self::HoldFirst, CommenterHistory::NeverApproved) => {
                (CommentStatus::Held, Some(HoldReason::FirstComment))
            }
        }
    }
}

/// What the site has approved before from a new comment's email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommenterHistory {
    /// Nothing.
    NeverApproved,
    /// Comments, but under other names only.
    ApprovedUnderAnotherName,
    /// A comment with this email and this name.
    ApprovedUnderThisName,
}

impl CommenterHistory {
    /// From what the store found: an approved comment with the email at all, and with the name too.
    pub fn from_signals(with_email: bool, with_email_and_name: bool) -> Self {
        match (with_email, with_email_and_name) {
            (_, true) => Self::ApprovedUnderThisName,
            (true, false) => Self::ApprovedUnderAnotherName,
            (false, false) => Self::NeverApproved,
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
    /// The email was approved before, but under another name (until addresses are verified by
    /// mail, the name must match too).
    NewName,
}

impl HoldReason {
    /// The sentence the moderation queue shows (and the store keeps).
    pub fn describe(self) -> &'static str {
        match self {
            Self::FirstComment => "First comment from this email address",
            Self::AllHeld => "The site holds every comment",
            Self::NewName => {
                "Known email address, new name: approved before under another name only (the name must match too until addresses are verified)"
            }
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
            policy.decide(CommenterHistory::NeverApproved),
            (CommentStatus::Held, Some(HoldReason::FirstComment))
        );
        assert_eq!(
            policy.decide(CommenterHistory::ApprovedUnderThisName),
            (CommentStatus::Approved, None)
        );
    }

    #[test]
    fn a_known_email_under_a_new_name_is_held_and_says_why() {
        assert_eq!(
            CommenterHistory::from_signals(true, false),
            CommenterHistory::ApprovedUnderAnotherName
        );
        let (status, reason) =
            ModerationPolicy::HoldFirst.decide(CommenterHistory::ApprovedUnderAnotherName);
        assert_eq!(status, CommentStatus::Held);
        assert!(reason.is_some_and(|r| r.describe().contains("new name")));
    }

    #[test]
    fn hold_all_holds_even_known_commenters() {
        assert_eq!(
            ModerationPolicy::HoldAll
                .decide(CommenterHistory::ApprovedUnderThisName)
                .0,
            CommentStatus::Held
        );
        assert_eq!(
            ModerationPolicy::NoHold
                .decide(CommenterHistory::NeverApproved)
                .0,
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
