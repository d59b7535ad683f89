//! Rows as both SQL backends select them. Column lists are written so that one struct decodes
//! from SQLite and PostgreSQL alike (all integers are 64-bit, booleans are booleans).

use crate::StoreResult;
use gazette_domain::{
    Article, ArticleId, ArticleStatus, ArticleSummary, AuthorRef, BodyFormat, Comment, CommentId,
    CommentStatus, Crumb, Media, MediaId, PageId, Role, StaffComment, StaticPage, StaticPageRow,
    Term, User, UserId,
};

/// Columns for an `ArticleRow`: `a` is the article, `u` its author, `m` its featured image.
pub const ARTICLE_COLUMNS: &str = "a.id, a.slug, a.title, a.body_markdown, a.body_format, a.body_html, \
     a.excerpt, a.status, a.comments_open, a.published_at, a.created_at, a.updated_at, a.comment_count, \
     a.version, a.feed_id, u.id AS author_id, u.display_name AS author_name, u.slug AS author_slug, \
     m.id AS image_id, m.url AS image_url, m.title AS image_title, m.alt_text AS image_alt, \
     m.mime_type AS image_mime, m.article_id AS image_article, m.created_at AS image_created, \
     m.caption AS image_caption, m.credit AS image_credit, m.width AS image_width, \
     m.height AS image_height, m.variants AS image_variants, m.uploaded_by AS image_uploader";

/// The tables `ARTICLE_COLUMNS` and `SUMMARY_COLUMNS` read: the article, its author and its
/// featured image.
pub const ARTICLE_TABLES: &str =
    "articles a JOIN users u ON u.id = a.author_id LEFT JOIN media m ON m.id = a.featured_media_id";

/// An article's featured image, as `ARTICLE_COLUMNS` and `SUMMARY_COLUMNS` name its columns.
#[derive(Debug, sqlx::FromRow)]
pub struct ImageColumns {
    image_id: Option<i64>,
    image_url: Option<String>,
    image_title: Option<String>,
    image_alt: Option<String>,
    image_mime: Option<String>,
    image_article: Option<i64>,
    image_created: Option<i64>,
    image_caption: Option<String>,
    image_credit: Option<String>,
    image_width: Option<i64>,
    image_height: Option<i64>,
    image_variants: Option<String>,
    image_uploader: Option<i64>,
}

impl ImageColumns {
    fn into_media(self) -> Option<Media> {
        match (self.image_id, self.image_url) {
            (Some(id), Some(url)) => Some(Media {
                id: MediaId(id),
                url,
                title: self.image_title.unwrap_or_default(),
                alt_text: self.image_alt.unwrap_or_default(),
                mime_type: self.image_mime.unwrap_or_default(),
                article_id: self.image_article.map(ArticleId),
                created_at: self.image_created.unwrap_or_default(),
                caption: self.image_caption.unwrap_or_default(),
                credit: self.image_credit.unwrap_or_default(),
                width: self.image_width,
                height: self.image_height,
                variants: Media::unpack_variants(
                    self.image_variants.as_deref().unwrap_or_default(),
                ),
                uploaded_by: self.image_uploader.map(UserId),
            }),
            _ => None,
        }
    }
}

/// An article joined with its author and featured image.
#[derive(Debug, sqlx::FromRow)]
pub struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    body_markdown: String,
    body_format: String,
    body_html: String,
    excerpt: String,
    status: String,
    comments_open: bool,
    published_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    comment_count: i64,
    version: i64,
    feed_id: Option<String>,
    author_id: i64,
    author_name: String,
    author_slug: String,
    #[sqlx(flatten)]
    image: ImageColumns,
    /// Categories and tags packed by the backend's `TERMS_COLUMN`: `kind␟name␟slug` joined by `␞`.
    terms: Option<String>,
    /// Corrections packed the same way: `created_at␟id␟body`, oldest first.
    corrections: Option<String>,
    /// Co-authors packed the same way (the dialect's `coauthors_column`): `id␟name␟slug`.
    #[sqlx(default)]
    coauthors: Option<String>,
}

/// The byline: the first author, then the co-authors packed by the dialect's `coauthors_column`.
fn byline(first: &AuthorRef, packed: Option<&str>) -> Vec<AuthorRef> {
    let mut authors = vec![first.clone()];
    authors.extend(
        packed
            .unwrap_or_default()
            .split('\u{1e}')
            .filter(|entry| !entry.is_empty())
            .filter_map(|entry| {
                let mut parts = entry.splitn(3, '\u{1f}');
                Some(AuthorRef {
                    id: UserId(parts.next()?.parse().ok()?),
                    name: parts.next()?.to_owned(),
                    slug: parts.next()?.to_owned(),
                })
            }),
    );
    authors
}

impl ArticleRow {
    /// The article with the terms packed in its row.
    pub fn into_article_with_terms(mut self) -> StoreResult<Article> {
        let corrections = self.corrections.take().unwrap_or_default();
        let corrections = corrections
            .split('\u{1e}')
            .filter(|entry| !entry.is_empty())
            .filter_map(|entry| {
                let mut parts = entry.splitn(3, '\u{1f}');
                Some(gazette_domain::Correction {
                    created_at: parts.next()?.parse().ok()?,
                    id: parts.next()?.parse().ok()?,
                    body: parts.next()?.to_owned(),
                })
            })
            .collect();
        let packed = self.terms.take().unwrap_or_default();
        let rows = packed
            .split('\u{1e}')
            .filter(|entry| !entry.is_empty())
            .filter_map(|entry| {
                let mut parts = entry.split('\u{1f}');
                Some(TermRow {
                    kind: parts.next()?.to_owned(),
                    name: parts.next()?.to_owned(),
                    slug: parts.next()?.to_owned(),
                })
            })
            .collect();
        let (categories, tags) = TermRow::split(rows);
        let mut article = self.into_article(categories, tags)?;
        article.corrections = corrections;
        Ok(article)
    }

    /// The article's id, to read its terms.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The article, with the terms read separately.
    pub fn into_article(self, categories: Vec<Term>, tags: Vec<Term>) -> StoreResult<Article> {
        let author = AuthorRef {
            id: UserId(self.author_id),
            name: self.author_name,
            slug: self.author_slug,
        };
        Ok(Article {
            authors: byline(&author, self.coauthors.as_deref()),
            author,
            id: ArticleId(self.id),
            slug: self.slug,
            title: self.title,
            body_markdown: self.body_markdown,
            body_format: BodyFormat::parse(&self.body_format)?,
            body_html: self.body_html,
            excerpt: self.excerpt,
            featured_image: self.image.into_media(),
            status: ArticleStatus::parse(&self.status)?,
            comments_open: self.comments_open,
            published_at: self.published_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            comment_count: self.comment_count,
            categories,
            tags,
            version: self.version,
            feed_id: self.feed_id,
            corrections: Vec::new(),
        })
    }
}

/// Columns for an `ArticleSummaryRow`: `a` is the article, `u` its author, `m` its featured
/// image (from `ARTICLE_TABLES`).
pub const SUMMARY_COLUMNS: &str = "a.id, a.slug, a.title, a.excerpt, a.published_at, a.comment_count, \
     u.id AS author_id, u.display_name AS author_name, u.slug AS author_slug, \
     m.id AS image_id, m.url AS image_url, m.title AS image_title, m.alt_text AS image_alt, \
     m.mime_type AS image_mime, m.article_id AS image_article, m.created_at AS image_created, \
     m.caption AS image_caption, m.credit AS image_credit, m.width AS image_width, \
     m.height AS image_height, m.variants AS image_variants, m.uploaded_by AS image_uploader";

/// An article in a list.
#[derive(Debug, sqlx::FromRow)]
pub struct ArticleSummaryRow {
    id: i64,
    slug: String,
    title: String,
    excerpt: String,
    published_at: Option<i64>,
    comment_count: i64,
    author_id: i64,
    author_name: String,
    author_slug: String,
    #[sqlx(flatten)]
    image: ImageColumns,
    /// The dialect's `coauthors_column`, where the statement reads it.
    #[sqlx(default)]
    coauthors: Option<String>,
}

impl From<ArticleSummaryRow> for ArticleSummary {
    fn from(row: ArticleSummaryRow) -> Self {
        let author = AuthorRef {
            id: UserId(row.author_id),
            name: row.author_name,
            slug: row.author_slug,
        };
        ArticleSummary {
            authors: byline(&author, row.coauthors.as_deref()),
            author,
            id: ArticleId(row.id),
            slug: row.slug,
            title: row.title,
            excerpt: row.excerpt,
            published_at: row.published_at.unwrap_or_default(),
            comment_count: row.comment_count,
            image: row.image.into_media(),
        }
    }
}

/// A category or tag with the article it is attached to (when read for several articles).
#[derive(Debug, sqlx::FromRow)]
pub struct TermRow {
    /// "category" or "tag".
    pub kind: String,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: String,
}

impl TermRow {
    /// Splits rows into categories and tags, keeping their order.
    pub fn split(rows: Vec<TermRow>) -> (Vec<Term>, Vec<Term>) {
        let mut categories = Vec::new();
        let mut tags = Vec::new();
        for row in rows {
            let term = Term {
                name: row.name,
                slug: row.slug,
            };
            if row.kind == "category" {
                categories.push(term);
            } else {
                tags.push(term);
            }
        }
        (categories, tags)
    }
}

/// Columns for a `CommentRow` from table alias `c`.
pub const COMMENT_COLUMNS: &str = "c.id, c.article_id, c.parent_id, c.depth, c.path, c.author_name, \
     c.author_url, c.avatar, c.body_html, c.status, c.created_at, c.approved_seq";

/// The public part of a comment.
#[derive(Debug, sqlx::FromRow)]
pub struct CommentRow {
    id: i64,
    article_id: i64,
    parent_id: Option<i64>,
    depth: i64,
    path: String,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    body_html: String,
    status: String,
    created_at: i64,
    approved_seq: Option<i64>,
}

/// An approved comment with its article's slug and title (`a`), for feeds.
#[derive(Debug, sqlx::FromRow)]
pub struct FeedCommentRow {
    #[sqlx(flatten)]
    comment: CommentRow,
    article_slug: String,
    article_title: String,
}

impl FeedCommentRow {
    /// Converts to the domain type.
    pub fn into_feed_comment(self) -> StoreResult<gazette_domain::FeedComment> {
        Ok(gazette_domain::FeedComment {
            comment: self.comment.into_comment()?,
            article_slug: self.article_slug,
            article_title: self.article_title,
        })
    }
}

impl CommentRow {
    /// Converts to the domain type, rejecting corrupt status text.
    pub fn into_comment(self) -> StoreResult<Comment> {
        Ok(Comment {
            id: CommentId(self.id),
            article_id: ArticleId(self.article_id),
            parent_id: self.parent_id.map(CommentId),
            depth: u32::try_from(self.depth).unwrap_or(1),
            path: self.path,
            author_name: self.author_name,
            author_url: self.author_url,
            avatar: self.avatar,
            body_html: self.body_html,
            status: CommentStatus::parse(&self.status)?,
            created_at: self.created_at,
            approved_seq: self.approved_seq,
        })
    }
}

/// Columns for a `StaffCommentRow`: `c` the comment, `a` its article.
pub const STAFF_COMMENT_COLUMNS: &str = "c.id, c.article_id, c.parent_id, c.depth, c.path, \
     c.author_name, c.author_url, c.avatar, c.body_html, c.status, c.created_at, c.approved_seq, \
     c.author_email, c.ip, c.user_agent, c.held_reason, c.body_markdown, a.title AS article_title, a.slug AS article_slug";

/// A comment with the fields only staff see.
#[derive(Debug, sqlx::FromRow)]
pub struct StaffCommentRow {
    #[sqlx(flatten)]
    comment: CommentRow,
    author_email: String,
    ip: Option<String>,
    user_agent: Option<String>,
    held_reason: Option<String>,
    body_markdown: String,
    article_title: String,
    article_slug: String,
}

impl StaffCommentRow {
    /// Converts to the domain type.
    pub fn into_staff_comment(self) -> StoreResult<StaffComment> {
        Ok(StaffComment {
            comment: self.comment.into_comment()?,
            author_email: self.author_email,
            ip: self.ip,
            user_agent: self.user_agent,
            held_reason: self.held_reason,
            body_markdown: self.body_markdown,
            article_title: self.article_title,
            article_slug: self.article_slug,
        })
    }
}

/// Columns for a `UserRow` from table alias `u`.
pub const USER_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.slug, u.email, u.role, u.password_hash, u.created_at";

/// A staff account.
#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    slug: String,
    email: String,
    role: String,
    password_hash: Option<String>,
    created_at: i64,
}

impl UserRow {
    /// Converts to the domain type.
    pub fn into_user(self) -> StoreResult<User> {
        Ok(User {
            id: UserId(self.id),
            username: self.username,
            display_name: self.display_name,
            slug: self.slug,
            email: self.email,
            role: Role::parse(&self.role)?,
            password_hash: self.password_hash,
            created_at: self.created_at,
        })
    }
}

/// Columns for an `AdminArticleRow`: `a` the article, `u` its author.
pub const ADMIN_ARTICLE_COLUMNS: &str = "a.id, a.slug, a.title, a.status, a.published_at, a.updated_at, \
     a.comment_count, u.id AS author_id, u.display_name AS author_name";

/// An article in the newsroom's list.
#[derive(Debug, sqlx::FromRow)]
pub struct AdminArticleRow {
    id: i64,
    slug: String,
    title: String,
    status: String,
    published_at: Option<i64>,
    updated_at: i64,
    comment_count: i64,
    author_id: i64,
    author_name: String,
}

impl AdminArticleRow {
    /// Converts to the domain type.
    pub fn into_row(self) -> StoreResult<gazette_domain::records::ArticleRow> {
        Ok(gazette_domain::records::ArticleRow {
            id: ArticleId(self.id),
            slug: self.slug,
            title: self.title,
            status: ArticleStatus::parse(&self.status)?,
            author_name: self.author_name,
            author_id: UserId(self.author_id),
            published_at: self.published_at,
            updated_at: self.updated_at,
            comment_count: self.comment_count,
        })
    }
}

/// Columns for a `SessionRow`: `s` the session, `u` its account.
pub const SESSION_COLUMNS: &str = "u.id, u.username, u.display_name, u.slug, u.email, u.role, \
     u.password_hash, u.created_at, s.csrf_token, s.expires_at";

/// A session joined with its account.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    expires_at: i64,
}

impl SessionRow {
    /// Converts to the domain type.
    pub fn into_session(self) -> StoreResult<gazette_domain::records::Session> {
        Ok(gazette_domain::records::Session {
            user: self.user.into_user()?,
            csrf_token: self.csrf_token,
            expires_at: self.expires_at,
        })
    }
}

/// Columns for a `BanRow`.
pub const BAN_COLUMNS: &str = "id, kind, value, reason, hide_history, created_at, created_by";

/// A ban.
#[derive(Debug, sqlx::FromRow)]
pub struct BanRow {
    id: i64,
    kind: String,
    value: String,
    reason: String,
    hide_history: bool,
    created_at: i64,
    created_by: String,
}

impl BanRow {
    /// Converts to the domain type.
    pub fn into_ban(self) -> StoreResult<gazette_domain::records::Ban> {
        Ok(gazette_domain::records::Ban {
            id: self.id,
            kind: gazette_domain::records::BanKind::parse(&self.kind)?,
            value: self.value,
            reason: self.reason,
            hide_history: self.hide_history,
            created_at: self.created_at,
            created_by: self.created_by,
        })
    }
}

/// Columns for an `AuditRow`.
pub const AUDIT_COLUMNS: &str =
    "id, at, actor_name, action, comment_id, article_id, before_status, after_status, detail";

/// One line of the audit log.
#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    id: i64,
    at: i64,
    actor_name: String,
    action: String,
    comment_id: Option<i64>,
    article_id: Option<i64>,
    before_status: Option<String>,
    after_status: Option<String>,
    detail: String,
}

impl From<AuditRow> for gazette_domain::records::AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at,
            actor_name: row.actor_name,
            action: row.action,
            comment_id: row.comment_id,
            article_id: row.article_id,
            before_status: row.before_status,
            after_status: row.after_status,
            detail: row.detail,
        }
    }
}

/// Columns for a `PageRow`: `p` the page, `u` its author.
pub const PAGE_COLUMNS: &str = "p.id, p.slug, p.title, p.body_source, p.body_format, p.body_html, \
     p.parent_id, p.status, p.created_at, p.updated_at, p.version, u.id AS author_id, \
     u.display_name AS author_name, u.slug AS author_slug";

/// A static page joined with its author.
#[derive(Debug, sqlx::FromRow)]
pub struct PageRow {
    id: i64,
    slug: String,
    title: String,
    body_source: String,
    body_format: String,
    body_html: String,
    parent_id: Option<i64>,
    status: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
    author_id: i64,
    author_name: String,
    author_slug: String,
}

impl PageRow {
    /// Converts to the domain type, rejecting corrupt status or format text.
    pub fn into_page(self) -> StoreResult<StaticPage> {
        Ok(StaticPage {
            id: PageId(self.id),
            slug: self.slug,
            title: self.title,
            body_source: self.body_source,
            body_format: BodyFormat::parse(&self.body_format)?,
            body_html: self.body_html,
            parent_id: self.parent_id.map(PageId),
            author: AuthorRef {
                id: UserId(self.author_id),
                name: self.author_name,
                slug: self.author_slug,
            },
            status: ArticleStatus::parse(&self.status)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

/// Columns for a `PageListRow`: `p` the page, `parent` its parent (left-joined).
pub const PAGE_LIST_COLUMNS: &str =
    "p.id, p.slug, p.title, p.status, parent.title AS parent_title, p.updated_at";

/// A page in the admin's list.
#[derive(Debug, sqlx::FromRow)]
pub struct PageListRow {
    id: i64,
    slug: String,
    title: String,
    status: String,
    parent_title: Option<String>,
    updated_at: i64,
}

impl PageListRow {
    /// Converts to the domain type.
    pub fn into_row(self) -> StoreResult<StaticPageRow> {
        Ok(StaticPageRow {
            id: PageId(self.id),
            slug: self.slug,
            title: self.title,
            status: ArticleStatus::parse(&self.status)?,
            parent_title: self.parent_title,
            updated_at: self.updated_at,
        })
    }
}

/// One parent page of a breadcrumb, with how far up it is.
#[derive(Debug, sqlx::FromRow)]
pub struct CrumbRow {
    /// Database id.
    pub id: i64,
    /// Heading.
    pub title: String,
    /// Address.
    pub slug: String,
    /// Draft, published or trash.
    pub status: String,
    /// 1 for the parent, 2 for the grandparent…
    pub level: i64,
}

impl From<CrumbRow> for Crumb {
    fn from(row: CrumbRow) -> Self {
        Crumb {
            id: PageId(row.id),
            public: row.status == "published",
            title: row.title,
            slug: row.slug,
        }
    }
}

/// Columns for a `MediaRow` from alias `m`.
pub const MEDIA_COLUMNS: &str = "m.id, m.url, m.title, m.alt_text, m.mime_type, m.article_id, \
     m.created_at, m.caption, m.credit, m.width, m.height, m.variants, m.uploaded_by";

/// A media record.
#[derive(Debug, sqlx::FromRow)]
pub struct MediaRow {
    id: i64,
    url: String,
    title: String,
    alt_text: String,
    mime_type: String,
    article_id: Option<i64>,
    created_at: i64,
    caption: String,
    credit: String,
    width: Option<i64>,
    height: Option<i64>,
    variants: String,
    uploaded_by: Option<i64>,
}

impl From<MediaRow> for Media {
    fn from(row: MediaRow) -> Self {
        Media {
            id: MediaId(row.id),
            url: row.url,
            title: row.title,
            alt_text: row.alt_text,
            mime_type: row.mime_type,
            article_id: row.article_id.map(ArticleId),
            created_at: row.created_at,
            caption: row.caption,
            credit: row.credit,
            width: row.width,
            height: row.height,
            variants: Media::unpack_variants(&row.variants),
            uploaded_by: row.uploaded_by.map(UserId),
        }
    }
}

/// An article a search found, with its marked headline and snippet (`SUMMARY_COLUMNS` and the
/// dialect's marks).
#[derive(Debug, sqlx::FromRow)]
pub struct SearchHitRow {
    #[sqlx(flatten)]
    summary: ArticleSummaryRow,
    title_marked: String,
    snippet_marked: String,
}

impl From<SearchHitRow> for gazette_domain::search::SearchHit {
    fn from(row: SearchHitRow) -> Self {
        Self {
            article: row.summary.into(),
            title_marked: row.title_marked,
            snippet_marked: row.snippet_marked,
        }
    }
}
