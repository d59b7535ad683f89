use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// The database id of an article.
    ArticleId
);
id_type!(
    /// The database id of a comment; also its anchor, `#comment-ID`.
    CommentId
);
id_type!(
    /// The database id of a staff account.
    UserId
);
id_type!(
    /// The database id of a static page.
    PageId
);
id_type!(
    /// The database id of a media record.
    MediaId
);
