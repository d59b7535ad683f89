//! SQL that is the same on SQLite and PostgreSQL, written once for both backends.

/// What a [`gazette_domain::CommentGuard`] needs to know, read inside the insert's transaction:
/// comments from the address (`$1`) and from the network (`$2`) since `$3`, each counted up to
/// `$4` and `$5`, and whether the email `$7` already posted the text `$8` under article `$6`.
pub const GUARD_COUNTS: &str = "SELECT \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip = $1 AND created_at >= $3 LIMIT $4) by_ip), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip_network = $2 AND created_at >= $3 LIMIT $5) by_network), \
     EXISTS (SELECT 1 FROM comments WHERE article_id = $6 AND author_email = $7 AND body_markdown = $8)";

/// What is known of a commenter (email `$2`, address `$4`, name `$5`) about to post `$3` under
/// article `$1`: banned, duplicate, an approved comment with the email, and with the name too.
pub const COMMENTER_SIGNALS: &str = "SELECT \
     EXISTS (SELECT 1 FROM bans WHERE (kind = 'email' AND value = $2) OR (kind = 'ip' AND value = $4)), \
     EXISTS (SELECT 1 FROM comments WHERE article_id = $1 AND author_email = $2 AND body_markdown = $3), \
     EXISTS (SELECT 1 FROM comments WHERE author_email = $2 AND status = 'approved'), \
     EXISTS (SELECT 1 FROM comments WHERE author_email = $2 AND author_name = $5 AND status = 'approved')";

/// A throttle bucket's failures since `$2`, and the latest one's time: `(count, max)`.
pub const THROTTLE_STATE: &str =
    "SELECT COUNT(*), MAX(at) FROM login_failures WHERE bucket = $1 AND at >= $2";
