//! Imports: one write transaction for a whole file, each record matched by where it came from.
//! Nothing here may fail on purpose — on PostgreSQL a failed statement would abort the
//! transaction — so every conflict (a taken slug, a known record) is looked up before writing.

use crate::comments::reserve_ids;
use crate::db::{Arg, Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::import::{
    ImportArticle, ImportComment, ImportMedia, ImportPage, ImportTerm, ImportUser, Origin, Outcome,
    Redirect,
};
use gazette_domain::records::NewAudit;
use gazette_domain::thread::{ParentPosition, place};
use gazette_domain::{ArticleId, CommentId, MediaId, NewArticle, PageId, Role, TermKind, UserId};
use gazette_domain::{Page, PageRequest};
use gazette_store::{ImportTx, StoreError, StoreResult};
use std::collections::BTreeSet;

pub(crate) async fn begin_import(db: &SqlStore) -> StoreResult<Box<dyn ImportTx>> {
    let mut tx = db.write().await?;
    let (during, _) = db.dialect().import_settings();
    if !during.is_empty() {
        tx.on()
            .execute(&Sql::new(during))
            .await
            .map_err(map_err("import settings"))?;
    }
    Ok(Box::new(SqlImport {
        db: db.clone(),
        tx,
        touched: BTreeSet::new(),
        comments_seen_before: None,
    }))
}

pub(crate) async fn redirect(db: &SqlStore, path: &str) -> StoreResult<String> {
    scalar(
        db.on(),
        &Sql::new("SELECT target FROM redirects WHERE path = $1").bind(path),
    )
    .await
    .map_err(map_err("redirect"))
}

/// A stored comment's status, name, website and body, as an import compares them.
type CurrentComment = (String, String, Option<String>, String, String);

pub(crate) async fn redirects(
    db: &SqlStore,
    prefix: &str,
    page: PageRequest,
) -> StoreResult<Page<Redirect>> {
    // A prefix compared as text: no LIKE wildcards to escape, and no collation decides it.
    let total: i64 = scalar(
        db.on(),
        &Sql::new("SELECT COUNT(*) FROM redirects WHERE substr(path, 1, length($1)) = $1")
            .bind(prefix),
    )
    .await
    .map_err(map_err("redirects"))?;
    let rows: Vec<(String, String, i64)> = db
        .on()
        .all(
            &Sql::new(
                "SELECT path, target, created_at FROM redirects WHERE substr(path, 1, length($1)) = $1 \
                 ORDER BY path LIMIT $2 OFFSET $3",
            )
            .bind(prefix)
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await
        .map_err(map_err("redirects"))?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|(path, target, created_at)| Redirect {
                path,
                target,
                created_at,
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn add_redirect(
    db: &SqlStore,
    redirect: Redirect,
    audit: NewAudit,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let added = tx
        .on()
        .execute(
            &Sql::new(
                "INSERT INTO redirects (path, target, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (path) DO NOTHING",
            )
            .bind(&redirect.path)
            .bind(&redirect.target)
            .bind(redirect.created_at),
        )
        .await
        .map_err(map_err("redirect"))?;
    if added == 0 {
        return Err(StoreError::Conflict("redirect"));
    }
    crate::moderation::audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("redirect"))
}

pub(crate) async fn delete_redirect(db: &SqlStore, path: &str, audit: NewAudit) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let deleted = tx
        .on()
        .execute(&Sql::new("DELETE FROM redirects WHERE path = $1").bind(path))
        .await
        .map_err(map_err("redirect"))?;
    if deleted == 0 {
        return Err(StoreError::NotFound("redirect"));
    }
    crate::moderation::audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("redirect"))
}

struct SqlImport {
    db: SqlStore,
    tx: WriteTx,
    /// Articles whose comments changed: recounted once, at the end.
    touched: BTreeSet<i64>,
    /// Whether an earlier import of this source brought comments in. When not (a first import),
    /// a batch's own comments need no looking up.
    comments_seen_before: Option<bool>,
}

impl SqlImport {
    /// The local id an earlier import gave `origin`'s record of `kind`.
    async fn known(&mut self, kind: &str, origin: &Origin) -> StoreResult<Option<i64>> {
        self.tx
            .on()
            .optional::<(i64,)>(
                &Sql::new(
                    "SELECT local_id FROM imported WHERE source = $1 AND kind = $2 AND original_id = $3",
                )
                .bind(&origin.source)
                .bind(kind)
                .bind(&origin.original_id),
            )
            .await
            .map(|row| row.map(|(id,)| id))
            .map_err(map_err("import record"))
    }

    async fn remember(&mut self, kind: &str, origin: &Origin, local: i64) -> StoreResult<()> {
        self.tx
            .on()
            .execute(
                &Sql::new(
                    "INSERT INTO imported (source, kind, original_id, local_id) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (source, kind, original_id) DO UPDATE SET local_id = excluded.local_id",
                )
                .bind(&origin.source)
                .bind(kind)
                .bind(&origin.original_id)
                .bind(local),
            )
            .await
            .map_err(map_err("import record"))?;
        Ok(())
    }

    /// The local ids earlier imports gave these original ids of `kind`, in one read per 500.
    async fn known_many(
        &mut self,
        source: &str,
        kind: &str,
        originals: &[&str],
    ) -> StoreResult<std::collections::HashMap<String, i64>> {
        let mut known = std::collections::HashMap::new();
        for chunk in originals.chunks(500) {
            let mut query = Sql::new(
                "SELECT original_id, local_id FROM imported WHERE source = $1 AND kind = $2 AND original_id IN (",
            )
            .bind(source)
            .bind(kind);
            query.push_list(chunk.iter().copied());
            query.push(")");
            let rows: Vec<(String, i64)> = self
                .tx
                .on()
                .all(&query)
                .await
                .map_err(map_err("import record"))?;
            known.extend(rows);
        }
        Ok(known)
    }

    /// The fields an import may change, of the comments `ids`, in one read per 500.
    async fn current_comments(
        &mut self,
        ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, CurrentComment>> {
        let mut current = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let mut query = Sql::new(
                "SELECT id, status, author_name, author_url, body_markdown, body_html FROM comments WHERE id IN (",
            );
            query.push_list(chunk.iter().copied());
            query.push(")");
            let rows: Vec<(i64, String, String, Option<String>, String, String)> = self
                .tx
                .on()
                .all(&query)
                .await
                .map_err(map_err("comments"))?;
            current.extend(
                rows.into_iter()
                    .map(|(id, status, name, url, markdown, html)| {
                        (id, (status, name, url, markdown, html))
                    }),
            );
        }
        Ok(current)
    }

    /// Brings a comment imported before up to date with the export.
    async fn update_comment(&mut self, id: i64, comment: &ImportComment) -> StoreResult<Outcome> {
        let changed = self
            .tx
            .on()
            .execute(
                &Sql::new(
                    "UPDATE comments SET status = $2, author_name = $3, author_url = $4, \
                     body_markdown = $5, body_html = $6, \
                     approved_seq = CASE WHEN $2 <> 'approved' THEN NULL WHEN status = 'approved' THEN approved_seq \
                     ELSE (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM comments WHERE approved_seq IS NOT NULL) END \
                     WHERE id = $1 AND (status <> $2 OR author_name <> $3 OR author_url IS DISTINCT FROM $4 \
                     OR body_markdown <> $5 OR body_html <> $6)",
                )
                .bind(id)
                .bind(comment.status.as_str())
                .bind(&comment.author_name)
                .bind(&comment.author_url)
                .bind(&comment.body_markdown)
                .bind(&comment.body_html),
            )
            .await
            .map_err(map_err("comment"))?;
        Ok(if changed > 0 {
            Outcome::Updated
        } else {
            Outcome::Unchanged
        })
    }

    /// Where the comments `ids` are (article, path, depth), in one read per 500.
    async fn places(
        &mut self,
        ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, (i64, ParentPosition)>> {
        let mut places = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let mut query =
                Sql::new("SELECT id, article_id, path, depth FROM comments WHERE id IN (");
            query.push_list(chunk.iter().copied());
            query.push(")");
            let rows: Vec<(i64, i64, String, i64)> = self
                .tx
                .on()
                .all(&query)
                .await
                .map_err(map_err("parent comment"))?;
            for (id, article, path, depth) in rows {
                places.insert(
                    id,
                    (
                        article,
                        ParentPosition {
                            id: CommentId(id),
                            path,
                            depth: u32::try_from(depth).unwrap_or(1),
                        },
                    ),
                );
            }
        }
        Ok(places)
    }

    /// `wanted`, or `wanted-2`, `wanted-3`… whichever no row of `table` has.
    async fn free_slug(&mut self, table: &str, wanted: &str) -> StoreResult<String> {
        let mut candidate = wanted.to_owned();
        for n in 2.. {
            let taken: bool = scalar(
                self.tx.on(),
                &Sql::new(format!(
                    "SELECT EXISTS (SELECT 1 FROM {table} WHERE slug = $1)"
                ))
                .bind(&candidate),
            )
            .await
            .map_err(map_err("slug"))?;
            if !taken {
                break;
            }
            candidate = format!("{wanted}-{n}");
        }
        Ok(candidate)
    }

    async fn term_id(&mut self, kind: TermKind, slug: &str) -> StoreResult<Option<i64>> {
        self.tx
            .on()
            .optional::<(i64,)>(
                &Sql::new("SELECT id FROM terms WHERE kind = $1 AND slug = $2")
                    .bind(kind.as_str())
                    .bind(slug),
            )
            .await
            .map(|row| row.map(|(id,)| id))
            .map_err(map_err("term"))
    }

    /// Files `article` under exactly `terms` (kind, slug), in order; whether anything changed.
    /// Sets an article's co-authors to `wanted` (the first author and repeats left out) unless
    /// they are those already; returns whether they changed.
    async fn credit(
        &mut self,
        article: i64,
        first: UserId,
        wanted: &[UserId],
    ) -> StoreResult<bool> {
        let current: Vec<(i64,)> = self
            .tx
            .on()
            .all(
                &Sql::new(
                    "SELECT user_id FROM article_authors WHERE article_id = $1 ORDER BY position",
                )
                .bind(article),
            )
            .await
            .map_err(map_err("article authors"))?;
        let mut kept: Vec<UserId> = Vec::new();
        for &id in wanted {
            if id != first && !kept.contains(&id) {
                kept.push(id);
            }
        }
        if current
            .iter()
            .map(|(id,)| UserId(*id))
            .eq(kept.iter().copied())
        {
            return Ok(false);
        }
        crate::articles::set_coauthors(&mut self.tx, article, first, &kept).await?;
        Ok(true)
    }

    async fn file_under(&mut self, article: i64, terms: &[(TermKind, &str)]) -> StoreResult<bool> {
        let current: Vec<(String, String)> = self
            .tx
            .on()
            .all(
                &Sql::new(
                    "SELECT t.kind, t.slug FROM article_terms at JOIN terms t ON t.id = at.term_id \
                     WHERE at.article_id = $1 ORDER BY at.sort_order",
                )
                .bind(article),
            )
            .await
            .map_err(map_err("terms"))?;
        let mut wanted: Vec<(TermKind, &str)> = Vec::new();
        for &(kind, slug) in terms {
            if !slug.is_empty() && !wanted.contains(&(kind, slug)) {
                wanted.push((kind, slug));
            }
        }
        let same = current.len() == wanted.len()
            && current
                .iter()
                .zip(&wanted)
                .all(|((k, s), (kind, slug))| k == kind.as_str() && s == slug);
        if same {
            return Ok(false);
        }
        self.tx
            .on()
            .execute(&Sql::new("DELETE FROM article_terms WHERE article_id = $1").bind(article))
            .await
            .map_err(map_err("terms"))?;
        for (position, (kind, slug)) in wanted.into_iter().enumerate() {
            let term = match self.term_id(kind, slug).await? {
                Some(id) => id,
                // Named by an item but not declared in the file: named after its slug.
                None => scalar(
                    self.tx.on(),
                    &Sql::new(
                        "INSERT INTO terms (kind, name, slug) VALUES ($1, $2, $2) RETURNING id",
                    )
                    .bind(kind.as_str())
                    .bind(slug),
                )
                .await
                .map_err(map_err("term"))?,
            };
            self.tx
                .on()
                .execute(
                    &Sql::new(
                        "INSERT INTO article_terms (article_id, term_id, sort_order) VALUES ($1, $2, $3)",
                    )
                    .bind(article)
                    .bind(term)
                    .bind(position as i64),
                )
                .await
                .map_err(map_err("terms"))?;
        }
        Ok(true)
    }
}

#[async_trait::async_trait]
impl ImportTx for SqlImport {
    async fn user(&mut self, user: &ImportUser) -> StoreResult<(UserId, Outcome)> {
        if let Some(id) = self.known("user", &user.origin).await? {
            let changed = self
                .tx
                .on()
                .execute(
                    // Only an account nobody logs in with follows the export: one that was on
                    // the site already, or that its owner has taken up, stays as it is.
                    &Sql::new(
                        "UPDATE users SET display_name = $2, email = $3 WHERE id = $1 \
                         AND password_hash IS NULL AND (display_name <> $2 OR email <> $3)",
                    )
                    .bind(id)
                    .bind(&user.display_name)
                    .bind(&user.email),
                )
                .await
                .map_err(map_err("user"))?;
            let outcome = if changed > 0 {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            return Ok((UserId(id), outcome));
        }
        let existing: Option<(i64,)> = self
            .tx
            .on()
            .optional(&Sql::new("SELECT id FROM users WHERE username = $1").bind(&user.username))
            .await
            .map_err(map_err("user"))?;
        if let Some((id,)) = existing {
            // Someone already on the site: the same person, whose account stays as it is. Not
            // remembered as imported, so the next import matches it by login again and leaves
            // it alone again.
            return Ok((UserId(id), Outcome::Unchanged));
        }
        let slug = self.free_slug("users", &user.slug).await?;
        let id: i64 = scalar(
            self.tx.on(),
            &Sql::new(
                "INSERT INTO users (username, display_name, slug, email, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL, $6) RETURNING id",
            )
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(&slug)
            .bind(&user.email)
            .bind(Role::Author.as_str())
            .bind(user.created_at),
        )
        .await
        .map_err(map_err("user"))?;
        self.remember("user", &user.origin, id).await?;
        Ok((UserId(id), Outcome::Created))
    }

    async fn term(&mut self, term: &ImportTerm) -> StoreResult<Outcome> {
        let parent = match &term.parent_slug {
            Some(slug) => self.term_id(term.kind, slug).await?,
            None => None,
        };
        match self.term_id(term.kind, &term.slug).await? {
            Some(id) => {
                let changed = self
                    .tx
                    .on()
                    .execute(
                        &Sql::new(
                            "UPDATE terms SET name = $2, description = $3, parent_id = $4 WHERE id = $1 \
                             AND (name <> $2 OR description <> $3 OR parent_id IS DISTINCT FROM $4)",
                        )
                        .bind(id)
                        .bind(&term.name)
                        .bind(&term.description)
                        .bind(parent),
                    )
                    .await
                    .map_err(map_err("term"))?;
                Ok(if changed > 0 {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                })
            }
            None => {
                self.tx
                    .on()
                    .execute(
                        &Sql::new(
                            "INSERT INTO terms (kind, name, slug, description, parent_id) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(term.kind.as_str())
                        .bind(&term.name)
                        .bind(&term.slug)
                        .bind(&term.description)
                        .bind(parent),
                    )
                    .await
                    .map_err(map_err("term"))?;
                Ok(Outcome::Created)
            }
        }
    }

    async fn article(
        &mut self,
        article: &ImportArticle,
    ) -> StoreResult<(ArticleId, String, Outcome)> {
        let terms: Vec<(TermKind, &str)> = article
            .categories
            .iter()
            .map(|slug| (TermKind::Category, slug.as_str()))
            .chain(
                article
                    .tags
                    .iter()
                    .map(|slug| (TermKind::Tag, slug.as_str())),
            )
            .collect();
        if let Some(id) = self.known("article", &article.origin).await? {
            let changed = self
                .tx
                .on()
                .execute(
                    &Sql::new(
                        "UPDATE articles SET title = $2, body_markdown = $3, body_html = $4, excerpt = $5, \
                         author_id = $6, status = $7, comments_open = $8, published_at = $9, updated_at = $10, \
                         body_format = $11, version = version + 1 \
                         WHERE id = $1 AND (title <> $2 OR body_markdown <> $3 OR body_html <> $4 OR excerpt <> $5 \
                         OR author_id <> $6 OR status <> $7 OR comments_open <> $8 \
                         OR published_at IS DISTINCT FROM $9 OR updated_at <> $10 OR body_format <> $11)",
                    )
                    .bind(id)
                    .bind(&article.title)
                    .bind(&article.body_markdown)
                    .bind(&article.body_html)
                    .bind(&article.excerpt)
                    .bind(article.author_id.0)
                    .bind(article.status.as_str())
                    .bind(article.comments_open)
                    .bind(article.published_at)
                    .bind(article.updated_at)
                    .bind(article.body_format.as_str()),
                )
                .await
                .map_err(map_err("article"))?;
            if changed > 0 {
                crate::search::index_in(
                    &mut self.tx,
                    id,
                    &gazette_domain::search::SearchText::new(&article.title, &article.body_text),
                )
                .await?;
            }
            let refiled = self.file_under(id, &terms).await?;
            let reauthored = self
                .credit(id, article.author_id, &article.coauthor_ids)
                .await?;
            let outcome = if changed > 0 || refiled || reauthored {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            let slug: String = scalar(
                self.tx.on(),
                &Sql::new("SELECT slug FROM articles WHERE id = $1").bind(id),
            )
            .await
            .map_err(map_err("article"))?;
            return Ok((ArticleId(id), slug, outcome));
        }
        let slug = self.free_slug("articles", &article.slug).await?;
        let row = NewArticle {
            slug: slug.clone(),
            title: article.title.clone(),
            body_markdown: article.body_markdown.clone(),
            body_format: article.body_format,
            body_html: article.body_html.clone(),
            body_text: String::new(),
            excerpt: article.excerpt.clone(),
            author_id: article.author_id,
            status: article.status,
            comments_open: article.comments_open,
            published_at: article.published_at,
            created_at: article.created_at,
            categories: Vec::new(),
            tags: Vec::new(),
            // Linked once the attachments are in (`featured_image`).
            featured_media_id: None,
            coauthor_ids: Vec::new(),
        };
        let id = crate::articles::insert_row(
            &mut self.tx,
            &row,
            article.updated_at,
            article.feed_id.as_deref(),
        )
        .await?;
        crate::search::index_in(
            &mut self.tx,
            id,
            &gazette_domain::search::SearchText::new(&article.title, &article.body_text),
        )
        .await?;
        self.remember("article", &article.origin, id).await?;
        self.file_under(id, &terms).await?;
        self.credit(id, article.author_id, &article.coauthor_ids)
            .await?;
        Ok((ArticleId(id), slug, Outcome::Created))
    }

    async fn comments(
        &mut self,
        comments: &[ImportComment],
    ) -> StoreResult<Vec<(CommentId, Outcome)>> {
        let Some(first) = comments.first() else {
            return Ok(Vec::new());
        };
        let source = first.origin.source.clone();
        // The batch's own comments and their parents, as far as earlier imports brought them.
        let seen_before = match self.comments_seen_before {
            Some(seen) => seen,
            None => {
                let seen: bool = scalar(
                    self.tx.on(),
                    &Sql::new(
                        "SELECT EXISTS (SELECT 1 FROM imported WHERE source = $1 AND kind = 'comment')",
                    )
                    .bind(&source),
                )
                .await
                .map_err(map_err("import record"))?;
                self.comments_seen_before = Some(seen);
                seen
            }
        };
        // After a first import, every comment may be known. On a first import only a parent
        // outside this batch can be (created by an earlier call in this transaction).
        let in_batch: std::collections::HashSet<&str> = comments
            .iter()
            .map(|c| c.origin.original_id.as_str())
            .collect();
        let originals: Vec<&str> = comments
            .iter()
            .flat_map(|c| {
                let own = seen_before.then_some(c.origin.original_id.as_str());
                let parent = c
                    .parent_original_id
                    .as_deref()
                    .filter(|parent| seen_before || !in_batch.contains(parent));
                own.into_iter().chain(parent)
            })
            .collect();
        let known = if originals.is_empty() {
            std::collections::HashMap::new()
        } else {
            self.known_many(&source, "comment", &originals).await?
        };
        // What the known ones hold now, so that only those that changed are written.
        let current = if known.is_empty() {
            std::collections::HashMap::new()
        } else {
            self.current_comments(&known.values().copied().collect::<Vec<_>>())
                .await?
        };
        let mut results = Vec::with_capacity(comments.len());
        let mut fresh: Vec<&ImportComment> = Vec::new();
        for comment in comments {
            self.touched.insert(comment.article_id.0);
            match known.get(&comment.origin.original_id) {
                Some(&id) => {
                    let same = current.get(&id).is_some_and(|now| {
                        now.0 == comment.status.as_str()
                            && now.1 == comment.author_name
                            && now.2 == comment.author_url
                            && now.3 == comment.body_markdown
                            && now.4 == comment.body_html
                    });
                    let outcome = if same {
                        Outcome::Unchanged
                    } else {
                        self.update_comment(id, comment).await?
                    };
                    results.push(Some((CommentId(id), outcome)));
                }
                None => {
                    results.push(None);
                    fresh.push(comment);
                }
            }
        }
        if fresh.is_empty() {
            return Ok(results.into_iter().flatten().collect());
        }
        // Parents imported before this batch: their place, read once.
        let earlier: Vec<i64> = fresh
            .iter()
            .filter_map(|c| c.parent_original_id.as_ref())
            .filter_map(|original| known.get(original).copied())
            .collect();
        let mut places = self.places(&earlier).await?;
        let mut by_original: std::collections::HashMap<&str, i64> = known
            .iter()
            .map(|(original, id)| (original.as_str(), *id))
            .collect();
        let ids = reserve_ids(&self.db, &mut self.tx, fresh.len()).await?;
        if ids.len() != fresh.len() {
            return Err(StoreError::Other("too few comment ids reserved".into()));
        }
        let mut next_approval: i64 = scalar(
            self.tx.on(),
            &Sql::new(
                "SELECT COALESCE(MAX(approved_seq), 0) FROM comments WHERE approved_seq IS NOT NULL",
            ),
        )
        .await
        .map_err(map_err("comment"))?;
        let mut rows = Vec::with_capacity(fresh.len());
        for (comment, &id) in fresh.iter().zip(&ids) {
            let parent = comment
                .parent_original_id
                .as_deref()
                .and_then(|original| by_original.get(original))
                .and_then(|parent| places.get(parent))
                .filter(|(article, _)| *article == comment.article_id.0)
                .map(|(_, position)| position.clone());
            let placement = place(CommentId(id), parent.as_ref(), comment.max_depth);
            places.insert(
                id,
                (
                    comment.article_id.0,
                    ParentPosition {
                        id: CommentId(id),
                        path: placement.path.clone(),
                        depth: placement.depth,
                    },
                ),
            );
            by_original.insert(comment.origin.original_id.as_str(), id);
            let approval = (comment.status == gazette_domain::CommentStatus::Approved).then(|| {
                next_approval += 1;
                next_approval
            });
            rows.push((id, *comment, placement, approval));
        }
        // Rows per statement: sqlx's SQLite binding looks each `$n` up by name, so a statement's
        // cost grows with the square of its parameters; 10 rows (170) was the fastest measured.
        for chunk in rows.chunks(10) {
            let mut insert = Sql::new(
                "INSERT INTO comments (id, article_id, parent_id, path, depth, author_name, author_email, \
                 author_url, avatar, body_markdown, body_html, status, ip, ip_network, staff_user_id, \
                 created_at, approved_seq) VALUES ",
            );
            for (n, (id, comment, placement, approval)) in chunk.iter().enumerate() {
                insert.push(if n == 0 { "(" } else { ", (" });
                insert.push_list::<Arg>([
                    (*id).into(),
                    comment.article_id.0.into(),
                    placement.parent_id.map(|p| p.0).into(),
                    placement.path.as_str().into(),
                    i64::from(placement.depth).into(),
                    (&comment.author_name).into(),
                    (&comment.author_email).into(),
                    (&comment.author_url).into(),
                    (&comment.avatar).into(),
                    (&comment.body_markdown).into(),
                    (&comment.body_html).into(),
                    comment.status.as_str().into(),
                    (&comment.ip).into(),
                    (&comment.ip_network).into(),
                    comment.staff_user_id.map(|u| u.0).into(),
                    comment.created_at.into(),
                    (*approval).into(),
                ]);
                insert.push(")");
            }
            self.tx
                .on()
                .execute(&insert)
                .await
                .map_err(map_err("comment"))?;
        }
        for chunk in rows.chunks(40) {
            let mut remember =
                Sql::new("INSERT INTO imported (source, kind, original_id, local_id) VALUES ");
            for (n, (id, comment, _, _)) in chunk.iter().enumerate() {
                remember.push(if n == 0 { "(" } else { ", (" });
                remember.push_list::<Arg>([
                    source.as_str().into(),
                    "comment".into(),
                    (&comment.origin.original_id).into(),
                    (*id).into(),
                ]);
                remember.push(")");
            }
            self.tx
                .on()
                .execute(&remember)
                .await
                .map_err(map_err("import record"))?;
        }
        let mut created = ids.into_iter();
        Ok(results
            .into_iter()
            .map(|known| {
                known.unwrap_or_else(|| {
                    (
                        CommentId(created.next().unwrap_or_default()),
                        Outcome::Created,
                    )
                })
            })
            .collect())
    }

    async fn redirect(&mut self, path: &str, target: &str, at: i64) -> StoreResult<Outcome> {
        let current: Option<(String,)> = self
            .tx
            .on()
            .optional(&Sql::new("SELECT target FROM redirects WHERE path = $1").bind(path))
            .await
            .map_err(map_err("redirect"))?;
        let outcome = match current {
            Some((existing,)) if existing == target => return Ok(Outcome::Unchanged),
            Some(_) => Outcome::Updated,
            None => Outcome::Created,
        };
        self.tx
            .on()
            .execute(
                &Sql::new(
                    "INSERT INTO redirects (path, target, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (path) DO UPDATE SET target = excluded.target",
                )
                .bind(path)
                .bind(target)
                .bind(at),
            )
            .await
            .map_err(map_err("redirect"))?;
        Ok(outcome)
    }

    async fn page(&mut self, page: &ImportPage) -> StoreResult<(PageId, String, Outcome)> {
        let new = &page.page;
        if let Some(id) = self.known("page", &page.origin).await? {
            let changed = self
                .tx
                .on()
                .execute(
                    &Sql::new(
                        "UPDATE pages SET title = $2, body_source = $3, body_format = $4, body_html = $5, \
                         author_id = $6, status = $7, updated_at = $8, version = version + 1 \
                         WHERE id = $1 AND (title <> $2 OR body_source <> $3 OR body_format <> $4 \
                         OR body_html <> $5 OR author_id <> $6 OR status <> $7 OR updated_at <> $8)",
                    )
                    .bind(id)
                    .bind(&new.title)
                    .bind(&new.body_source)
                    .bind(new.body_format.as_str())
                    .bind(&new.body_html)
                    .bind(new.author_id.0)
                    .bind(new.status.as_str())
                    .bind(new.updated_at),
                )
                .await
                .map_err(map_err("page"))?;
            let slug: String = scalar(
                self.tx.on(),
                &Sql::new("SELECT slug FROM pages WHERE id = $1").bind(id),
            )
            .await
            .map_err(map_err("page"))?;
            let outcome = if changed > 0 {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            return Ok((PageId(id), slug, outcome));
        }
        let slug = self.free_slug("pages", &new.slug).await?;
        let row = gazette_domain::NewStaticPage {
            slug: slug.clone(),
            parent_id: None,
            ..new.clone()
        };
        let id = crate::pages::insert_page(&mut self.tx, &row).await?;
        self.remember("page", &page.origin, id).await?;
        Ok((PageId(id), slug, Outcome::Created))
    }

    async fn page_parent(&mut self, page: PageId, parent: Option<PageId>) -> StoreResult<bool> {
        let changed = self
            .tx
            .on()
            .execute(
                &Sql::new(
                    "UPDATE pages SET parent_id = $2 WHERE id = $1 AND parent_id IS DISTINCT FROM $2",
                )
                .bind(page.0)
                .bind(parent.map(|p| p.0)),
            )
            .await
            .map_err(map_err("page"))?;
        Ok(changed > 0)
    }

    async fn media(&mut self, media: &ImportMedia) -> StoreResult<(MediaId, Outcome)> {
        let new = &media.media;
        if let Some(id) = self.known("media", &media.origin).await? {
            let changed = self
                .tx
                .on()
                .execute(
                    &Sql::new(
                        "UPDATE media SET url = $2, title = $3, alt_text = $4, mime_type = $5 \
                         WHERE id = $1 AND (url <> $2 OR title <> $3 OR alt_text <> $4 OR mime_type <> $5)",
                    )
                    .bind(id)
                    .bind(&new.url)
                    .bind(&new.title)
                    .bind(&new.alt_text)
                    .bind(&new.mime_type),
                )
                .await
                .map_err(map_err("media"))?;
            let outcome = if changed > 0 {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            return Ok((MediaId(id), outcome));
        }
        let id = crate::pages::insert_media(&mut self.tx, new).await?;
        self.remember("media", &media.origin, id).await?;
        Ok((MediaId(id), Outcome::Created))
    }

    async fn media_article(&mut self, media: MediaId, article: ArticleId) -> StoreResult<bool> {
        let changed = self
            .tx
            .on()
            .execute(
                &Sql::new(
                    "UPDATE media SET article_id = $2 WHERE id = $1 AND article_id IS DISTINCT FROM $2",
                )
                .bind(media.0)
                .bind(article.0),
            )
            .await
            .map_err(map_err("media"))?;
        Ok(changed > 0)
    }

    async fn featured_image(&mut self, article: ArticleId, media: MediaId) -> StoreResult<bool> {
        let changed = self
            .tx
            .on()
            .execute(
                &Sql::new(
                    "UPDATE articles SET featured_media_id = $2 \
                     WHERE id = $1 AND featured_media_id IS DISTINCT FROM $2",
                )
                .bind(article.0)
                .bind(media.0),
            )
            .await
            .map_err(map_err("article"))?;
        Ok(changed > 0)
    }

    async fn commit(self: Box<Self>, at: i64) -> StoreResult<()> {
        let SqlImport {
            db,
            mut tx,
            touched,
            ..
        } = *self;
        let touched: Vec<i64> = touched.into_iter().collect();
        for chunk in touched.chunks(500) {
            let mut recount = Sql::new(
                "UPDATE articles SET comment_count = (SELECT COUNT(*) FROM comments c \
                 WHERE c.article_id = articles.id AND c.status = 'approved') WHERE id IN (",
            );
            recount.push_list(chunk.iter().copied());
            recount.push(")");
            tx.on()
                .execute(&recount)
                .await
                .map_err(map_err("comment counts"))?;
        }
        crate::changes::record_change(tx.on(), None, at).await?;
        let (_, after) = db.dialect().import_settings();
        if !after.is_empty() {
            tx.on()
                .execute(&Sql::new(after))
                .await
                .map_err(map_err("import settings"))?;
        }
        tx.commit().await.map_err(map_err("import"))?;
        // Statistics for the rows just imported, so that the next import's lookups use the
        // index from the start (PostgreSQL; nothing on SQLite).
        // The import is committed: a failure here must not report it as failed.
        let statistics = db.dialect().after_import();
        if !statistics.is_empty()
            && let Err(error) = db.on().execute(&Sql::new(statistics)).await
        {
            tracing::warn!(%error, "the import is committed, but its statistics were not updated");
        }
        Ok(())
    }
}
