//! Imports: one write transaction for a whole file, each record matched by where it came from.
//! Nothing here may fail on purpose — on PostgreSQL a failed statement would abort the
//! transaction — so every conflict (a taken slug, a known record) is looked up before writing.

use crate::comments::{insert_row, reserve_ids};
use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::import::{
    ImportArticle, ImportComment, ImportTerm, ImportUser, Origin, Outcome,
};
use gazette_domain::thread::{ParentPosition, place};
use gazette_domain::{ArticleId, CommentId, NewArticle, NewComment, Role, TermKind, UserId};
use gazette_store::{ImportTx, StoreError, StoreResult};
use std::collections::BTreeSet;

pub(crate) async fn begin_import(db: &SqlStore) -> StoreResult<Box<dyn ImportTx>> {
    Ok(Box::new(SqlImport {
        db: db.clone(),
        tx: db.write().await?,
        touched: BTreeSet::new(),
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

struct SqlImport {
    db: SqlStore,
    tx: WriteTx,
    /// Articles whose comments changed: recounted once, at the end.
    touched: BTreeSet<i64>,
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
                    &Sql::new(
                        "UPDATE users SET display_name = $2, email = $3 WHERE id = $1 \
                         AND (display_name <> $2 OR email <> $3)",
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
            // Someone already on the site: the same person, whose account stays as it is.
            self.remember("user", &user.origin, id).await?;
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
                         version = version + 1 \
                         WHERE id = $1 AND (title <> $2 OR body_markdown <> $3 OR body_html <> $4 OR excerpt <> $5 \
                         OR author_id <> $6 OR status <> $7 OR comments_open <> $8 \
                         OR published_at IS DISTINCT FROM $9 OR updated_at <> $10)",
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
                    .bind(article.updated_at),
                )
                .await
                .map_err(map_err("article"))?;
            let refiled = self.file_under(id, &terms).await?;
            let outcome = if changed > 0 || refiled {
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
            body_html: article.body_html.clone(),
            excerpt: article.excerpt.clone(),
            author_id: article.author_id,
            status: article.status,
            comments_open: article.comments_open,
            published_at: article.published_at,
            created_at: article.created_at,
            categories: Vec::new(),
            tags: Vec::new(),
        };
        let id = crate::articles::insert_row(&mut self.tx, &row, article.updated_at).await?;
        self.remember("article", &article.origin, id).await?;
        self.file_under(id, &terms).await?;
        Ok((ArticleId(id), slug, Outcome::Created))
    }

    async fn comment(&mut self, comment: &ImportComment) -> StoreResult<(CommentId, Outcome)> {
        self.touched.insert(comment.article_id.0);
        if let Some(id) = self.known("comment", &comment.origin).await? {
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
            let outcome = if changed > 0 {
                Outcome::Updated
            } else {
                Outcome::Unchanged
            };
            return Ok((CommentId(id), outcome));
        }
        let mut parent = None;
        if let Some(original) = &comment.parent_original_id {
            let origin = Origin {
                source: comment.origin.source.clone(),
                original_id: original.clone(),
            };
            if let Some(parent_id) = self.known("comment", &origin).await? {
                let row: Option<(String, i64)> = self
                    .tx
                    .on()
                    .optional(
                        &Sql::new(
                            "SELECT path, depth FROM comments WHERE id = $1 AND article_id = $2",
                        )
                        .bind(parent_id)
                        .bind(comment.article_id.0),
                    )
                    .await
                    .map_err(map_err("parent comment"))?;
                parent = row.map(|(path, depth)| ParentPosition {
                    id: CommentId(parent_id),
                    path,
                    depth: u32::try_from(depth).unwrap_or(1),
                });
            }
        }
        let id = reserve_ids(&self.db, &mut self.tx, 1)
            .await?
            .first()
            .copied()
            .ok_or_else(|| StoreError::Other("no comment id reserved".into()))?;
        let placement = place(CommentId(id), parent.as_ref(), comment.max_depth);
        let new = NewComment {
            article_id: comment.article_id,
            parent_id: placement.parent_id,
            author_name: comment.author_name.clone(),
            author_email: comment.author_email.clone(),
            author_url: comment.author_url.clone(),
            avatar: comment.avatar.clone(),
            body_markdown: comment.body_markdown.clone(),
            body_html: comment.body_html.clone(),
            status: comment.status,
            held_reason: None,
            ip: comment.ip.clone(),
            ip_network: comment.ip_network.clone(),
            user_agent: None,
            staff_user_id: comment.staff_user_id,
            created_at: comment.created_at,
            max_depth: comment.max_depth,
            guard: None,
        };
        insert_row(&mut self.tx, id, &new, &placement)
            .await
            .map_err(map_err("comment"))?;
        self.remember("comment", &comment.origin, id).await?;
        Ok((CommentId(id), Outcome::Created))
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

    async fn commit(self: Box<Self>, at: i64) -> StoreResult<()> {
        let SqlImport {
            mut tx, touched, ..
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
        tx.on()
            .execute(&Sql::new("INSERT INTO changes (article_id, at) VALUES (NULL, $1)").bind(at))
            .await
            .map_err(map_err("change"))?;
        tx.commit().await.map_err(map_err("import"))
    }
}
