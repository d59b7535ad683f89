use super::{IN_FLIGHT, ImportReport, Progress, bad_file, path_of};
use crate::{CoreError, CoreResult, Site};
use gazette_domain::import::{ImportComment, Origin};
use gazette_domain::{ArticleId, CommentStatus};
use gazette_import::disqus::{self, Record, Thread};
use gazette_store::StoreError;
use std::collections::HashMap;
use std::io::BufRead;

/// Posts read before they are grouped by article and written: a Disqus export lists every
/// thread first and then every post, in the order they were written.
const POSTS_PER_ROUND: usize = 500;

/// A record ready for the writer.
enum Prepared {
    Thread(Thread),
    Posts(Vec<PreparedPost>),
    Progress(Progress),
}

struct PreparedPost {
    thread: String,
    comment: ImportComment,
}

impl Site {
    /// Imports the comments of the Disqus export `input`, attached to the articles their
    /// threads were about — matched by the thread's link (following old-address redirects, so
    /// an export of the site before it moved here attaches to the imported articles), then by
    /// its identifier (WordPress's `123 https://…/?p=123`, or an article's slug). Threads that
    /// match nothing, and posts whose thread is missing, are counted and skipped. Whole or
    /// nothing, like every import.
    pub async fn import_disqus(
        &self,
        input: impl BufRead + Send + 'static,
        dry_run: bool,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> CoreResult<ImportReport> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Prepared>(IN_FLIGHT);
        let site = self.clone();
        let parser = tokio::task::spawn_blocking(move || read_disqus(&site, input, &sender));
        let mut tx = self.store.begin_import().await?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        let mut threads: HashMap<String, Option<ArticleId>> = HashMap::new();
        while let Some(prepared) = receiver.recv().await {
            match prepared {
                Prepared::Progress(done) => progress(done),
                Prepared::Thread(thread) => {
                    let article = self.thread_article(&thread).await?;
                    if article.is_some() {
                        report.tally("threads matched to articles");
                    } else {
                        report.skip("threads skipped: they match no article");
                        report.note(format!(
                            "thread {} ({}) matches no article",
                            thread.id,
                            match (thread.link.as_str(), thread.identifier.as_str()) {
                                ("", "") => "no link, no identifier".to_owned(),
                                ("", identifier) => format!("identifier {identifier:?}"),
                                (link, _) => link.to_owned(),
                            }
                        ));
                    }
                    threads.insert(thread.id, article);
                }
                Prepared::Posts(posts) => {
                    // By article, in the order of the file (a reply after what it answers).
                    let mut batches: Vec<(ArticleId, Vec<ImportComment>)> = Vec::new();
                    for PreparedPost {
                        thread,
                        mut comment,
                    } in posts
                    {
                        match threads.get(&thread) {
                            None => report.skip("posts skipped: their thread is not in the export"),
                            Some(None) => {
                                report.skip("posts skipped: their thread matches no article")
                            }
                            Some(Some(article)) => {
                                comment.article_id = *article;
                                match batches.iter_mut().find(|(a, _)| a == article) {
                                    Some((_, batch)) => batch.push(comment),
                                    None => batches.push((*article, vec![comment])),
                                }
                            }
                        }
                    }
                    for (_, batch) in batches {
                        for (_, outcome) in tx.comments(&batch).await? {
                            report.count("comments", outcome);
                        }
                    }
                }
            }
        }
        self.finish_import(parser, tx, report).await
    }

    /// The article a Disqus thread was about, if any.
    async fn thread_article(&self, thread: &Thread) -> CoreResult<Option<ArticleId>> {
        let mut slugs = Vec::new();
        if let Some(path) = path_of(&thread.link).filter(|p| p != "/") {
            match path.strip_prefix("/articles/") {
                Some(slug) => slugs.push(slug.to_owned()),
                None => {
                    if let Some(target) = self.moved_to(&path).await?
                        && let Some(slug) = target.strip_prefix("/articles/")
                    {
                        slugs.push(slug.to_owned());
                    }
                }
            }
        }
        let identifier = thread.identifier.trim();
        if let Some((number, _)) = identifier.split_once(' ')
            && number.bytes().all(|b| b.is_ascii_digit())
            && let Some(target) = self.moved_query(&format!("p={number}")).await?
            && let Some(slug) = target.strip_prefix("/articles/")
        {
            slugs.push(slug.to_owned());
        }
        if gazette_domain::slugs::is_slug(identifier) {
            slugs.push(identifier.to_owned());
        }
        for slug in slugs {
            match self.store.article_by_slug(&slug).await {
                Ok(article) => return Ok(Some(article.id)),
                Err(StoreError::NotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
            match self.store.slug_redirect(&slug).await {
                Ok(current) => {
                    let article = self.store.article_by_slug(&current).await?;
                    return Ok(Some(article.id));
                }
                Err(StoreError::NotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(None)
    }
}

/// The parser's side: threads as they come, posts converted and rendered in rounds.
fn read_disqus(
    site: &Site,
    input: impl BufRead,
    sender: &tokio::sync::mpsc::Sender<Prepared>,
) -> CoreResult<()> {
    let send = |prepared: Prepared| {
        sender
            .blocking_send(prepared)
            .map_err(|_| CoreError::Storage("the import's writer stopped".into()))
    };
    let mut reader = disqus::Reader::new(input);
    let mut source: Option<String> = None;
    let mut round = Vec::with_capacity(POSTS_PER_ROUND);
    let mut done = Progress::default();
    let max_depth = site.config.comments.max_depth;
    while let Some(record) = reader.next_record().map_err(bad_file)? {
        match record {
            Record::Thread(thread) => {
                done.items += 1;
                if source.is_none() && !thread.forum.trim().is_empty() {
                    source = Some(format!("disqus {}", thread.forum.trim()));
                }
                send(Prepared::Thread(thread))?;
            }
            Record::Post(post) => {
                done.comments += 1;
                let source = source.clone().unwrap_or_else(|| "disqus".to_owned());
                let email = post.author_email.trim().to_lowercase();
                let ip = super::imported_ip(&post.ip);
                let status = if post.is_spam {
                    CommentStatus::Spam
                } else if post.is_deleted {
                    CommentStatus::Trash
                } else {
                    CommentStatus::Approved
                };
                let created_at = post
                    .created_at
                    .trim()
                    .parse::<jiff::Timestamp>()
                    .map(|t| t.as_second())
                    .unwrap_or_else(|_| site.now());
                round.push(PreparedPost {
                    thread: post.thread,
                    comment: ImportComment {
                        origin: Origin {
                            source: source.clone(),
                            original_id: post.id,
                        },
                        article_id: ArticleId(0),
                        parent_original_id: post.parent,
                        max_depth,
                        author_name: gazette_domain::validate::imported_name(&post.author_name)
                            .unwrap_or_else(|| "Anonymous".to_owned()),
                        avatar: site.secrets.avatar_hash(&email),
                        author_email: email,
                        author_url: None,
                        body_html: gazette_render::clean_comment_html(&post.message),
                        body_markdown: post.message,
                        status,
                        ip_network: ip.as_deref().and_then(crate::spam::ip_network),
                        ip,
                        created_at,
                        staff_user_id: None,
                    },
                });
                if round.len() >= POSTS_PER_ROUND {
                    send(Prepared::Posts(std::mem::take(&mut round)))?;
                    send(Prepared::Progress(done))?;
                }
            }
        }
    }
    if !round.is_empty() {
        send(Prepared::Posts(round))?;
    }
    send(Prepared::Progress(done))?;
    Ok(())
}
