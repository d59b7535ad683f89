use super::{IN_FLIGHT, ImportReport, Progress, bad_file, clean_name, path_of};
use crate::{CoreError, CoreResult, Site};
use gazette_domain::import::{
    ImportArticle, ImportComment, ImportMedia, ImportPage, ImportTerm, ImportUser, Origin,
};
use gazette_domain::{
    ArticleId, ArticleStatus, BodyFormat, CommentStatus, MediaId, NewMedia, NewStaticPage, PageId,
    TermKind, UserId, validate,
};
use gazette_import::wxr::{self, Record};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// Words in an excerpt made from an imported body.
const EXCERPT_WORDS: usize = 40;

/// A record ready for the store: converted and rendered on the parser's thread.
enum Prepared {
    User(ImportUser, Option<i64>),
    Term(ImportTerm),
    Article {
        article: Box<ImportArticle>,
        wordpress_id: i64,
        /// The byline's login (`dc:creator`), matched to an author by the writer.
        creator: String,
        /// The other authors' logins, in order (Co-Authors Plus's `author` terms).
        coauthors: Vec<String>,
        link: String,
        comments: Vec<PreparedComment>,
        /// Why some of its comments were left out (pingbacks, trackbacks).
        skipped: Vec<String>,
        /// Something about it the operator should know.
        note: Option<String>,
        /// The WordPress id of its featured image (`_thumbnail_id`).
        thumbnail: Option<i64>,
    },
    Page {
        page: Box<ImportPage>,
        wordpress_id: i64,
        /// The WordPress id of its parent page (0: none).
        parent: i64,
        creator: String,
        link: String,
        note: Option<String>,
    },
    Media {
        media: Box<ImportMedia>,
        /// The WordPress id of the post it was uploaded to (0: none).
        parent: i64,
        wordpress_id: i64,
    },
    Skipped(String),
    Progress(Progress),
}

struct PreparedComment {
    comment: ImportComment,
    wordpress_user: i64,
}

impl Site {
    /// Imports the WordPress export `input` whole, or nothing of it (`dry_run`: reads, matches
    /// and reports, then writes nothing). `progress` is told how far the reading has got.
    pub async fn import_wordpress(
        &self,
        input: impl BufRead + Send + 'static,
        dry_run: bool,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> CoreResult<ImportReport> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Prepared>(IN_FLIGHT);
        let site = self.clone();
        let parser = tokio::task::spawn_blocking(move || read_wordpress(&site, input, &sender));
        let mut tx = self.store.begin_import().await?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        let mut authors: HashMap<String, UserId> = HashMap::new();
        let mut author_ids: HashMap<i64, UserId> = HashMap::new();
        let mut author_emails: HashMap<String, UserId> = HashMap::new();
        // WordPress ids of what was written, and the links between them that are set once
        // everything is in (a parent page or an attachment may come after what refers to it).
        let mut links = Links::default();
        let now = self.now();
        while let Some(prepared) = receiver.recv().await {
            match prepared {
                Prepared::Progress(done) => progress(done),
                Prepared::Skipped(reason) => report.skip(reason),
                Prepared::User(user, wordpress_id) => {
                    let (id, outcome) = tx.user(&user).await?;
                    report.count("authors", outcome);
                    authors.insert(user.username.clone(), id);
                    if let Some(wordpress_id) = wordpress_id {
                        author_ids.insert(wordpress_id, id);
                    }
                    author_emails.insert(user.email.to_lowercase(), id);
                }
                Prepared::Term(term) => {
                    let outcome = tx.term(&term).await?;
                    report.count(
                        match term.kind {
                            TermKind::Category => "categories",
                            TermKind::Tag => "tags",
                        },
                        outcome,
                    );
                }
                Prepared::Article {
                    mut article,
                    wordpress_id,
                    creator,
                    coauthors,
                    link,
                    comments,
                    skipped,
                    note,
                    thumbnail,
                } => {
                    if let Some(note) = note {
                        report.note(note);
                    }
                    for reason in skipped {
                        report.skip(reason);
                    }
                    article.author_id = byline(
                        &mut *tx,
                        &mut authors,
                        &mut report,
                        &creator,
                        &article.origin.source,
                        wordpress_id,
                        now,
                    )
                    .await?;
                    for login in coauthors.iter().take(crate::editing::MAX_COAUTHORS + 1) {
                        let id = byline(
                            &mut *tx,
                            &mut authors,
                            &mut report,
                            login,
                            &article.origin.source,
                            wordpress_id,
                            now,
                        )
                        .await?;
                        if id != article.author_id
                            && !article.coauthor_ids.contains(&id)
                            && article.coauthor_ids.len() < crate::editing::MAX_COAUTHORS
                        {
                            article.coauthor_ids.push(id);
                        }
                    }
                    let (article_id, slug, outcome) = tx.article(&article).await?;
                    report.count("articles", outcome);
                    links.articles.insert(wordpress_id, article_id);
                    if let Some(thumbnail) = thumbnail {
                        links.thumbnails.push((article_id, thumbnail));
                    }
                    let target = format!("/articles/{slug}");
                    for path in old_addresses(&link, wordpress_id) {
                        if path != target {
                            let outcome = tx.redirect(&path, &target, now).await?;
                            report.count("redirects", outcome);
                        }
                    }
                    let batch: Vec<ImportComment> = comments
                        .into_iter()
                        .map(
                            |PreparedComment {
                                 mut comment,
                                 wordpress_user,
                             }| {
                                comment.article_id = article_id;
                                comment.staff_user_id = staff_account(
                                    wordpress_user,
                                    &comment.author_email,
                                    &author_ids,
                                    &author_emails,
                                );
                                comment
                            },
                        )
                        .collect();
                    for (_, outcome) in tx.comments(&batch).await? {
                        report.count("comments", outcome);
                    }
                }
                Prepared::Page {
                    mut page,
                    wordpress_id,
                    parent,
                    creator,
                    link,
                    note,
                } => {
                    if let Some(note) = note {
                        report.note(note);
                    }
                    page.page.author_id = byline(
                        &mut *tx,
                        &mut authors,
                        &mut report,
                        &creator,
                        &page.origin.source,
                        wordpress_id,
                        now,
                    )
                    .await?;
                    let (page_id, slug, outcome) = tx.page(&page).await?;
                    report.count("pages", outcome);
                    links.pages.insert(wordpress_id, page_id);
                    links.page_parents.push((page_id, parent));
                    let target = format!("/{slug}");
                    let mut old = old_addresses(&link, 0);
                    old.push(format!("/?page_id={wordpress_id}"));
                    for path in old {
                        if path != target {
                            let outcome = tx.redirect(&path, &target, now).await?;
                            report.count("redirects", outcome);
                        }
                    }
                }
                Prepared::Media {
                    media,
                    parent,
                    wordpress_id,
                } => {
                    let (media_id, outcome) = tx.media(&media).await?;
                    report.count("media", outcome);
                    links.media.insert(wordpress_id, media_id);
                    if parent > 0 {
                        links.media_parents.push((media_id, parent));
                    }
                }
            }
        }
        links.apply(&mut *tx, &mut report).await?;
        self.finish_import(parser, tx, report).await
    }
}

/// What refers to what by WordPress id, set once every item is in.
#[derive(Default)]
struct Links {
    articles: HashMap<i64, ArticleId>,
    pages: HashMap<i64, PageId>,
    media: HashMap<i64, MediaId>,
    /// A page and its parent's WordPress id (0: none).
    page_parents: Vec<(PageId, i64)>,
    /// An attachment and the WordPress id of the post it belongs to.
    media_parents: Vec<(MediaId, i64)>,
    /// An article and its featured image's WordPress id.
    thumbnails: Vec<(ArticleId, i64)>,
}

impl Links {
    async fn apply(
        &self,
        tx: &mut dyn gazette_store::ImportTx,
        report: &mut ImportReport,
    ) -> CoreResult<()> {
        for &(page, parent) in &self.page_parents {
            let parent_id = match parent {
                0 => None,
                id => match self.pages.get(&id) {
                    Some(found) => Some(*found),
                    None => {
                        report.note(format!(
                            "page {} is under page {id}, which is not in the export: it is a top-level page",
                            page.0
                        ));
                        None
                    }
                },
            };
            if tx.page_parent(page, parent_id).await? && parent_id.is_some() {
                report.tally("pages filed under their parent");
            }
        }
        for &(media, parent) in &self.media_parents {
            // An attachment of a page (or of a post not exported) belongs to no article.
            if let Some(article) = self.articles.get(&parent)
                && tx.media_article(media, *article).await?
            {
                report.tally("media tied to their article");
            }
        }
        for &(article, thumbnail) in &self.thumbnails {
            match self.media.get(&thumbnail) {
                Some(media) => {
                    if tx.featured_image(article, *media).await? {
                        report.tally("featured images set");
                    }
                }
                None => report.note(format!(
                    "article {} names attachment {thumbnail} as its featured image, which is not in the export",
                    article.0
                )),
            }
        }
        Ok(())
    }
}

/// The staff account a post's or page's byline (`dc:creator`) names: an author of the export,
/// or an account made for a login the export's authors do not list.
async fn byline(
    tx: &mut dyn gazette_store::ImportTx,
    authors: &mut HashMap<String, UserId>,
    report: &mut ImportReport,
    creator: &str,
    source: &str,
    wordpress_id: i64,
    now: i64,
) -> CoreResult<UserId> {
    // The theme test data has bylines like ">login": matched to the login.
    let cleaned = creator
        .trim()
        .trim_matches(|c: char| !(c.is_alphanumeric() || "._-@".contains(c)));
    if let Some(id) = authors.get(creator.trim()).or_else(|| authors.get(cleaned)) {
        return Ok(*id);
    }
    let user = ImportUser {
        origin: Origin {
            source: source.to_owned(),
            original_id: creator.to_owned(),
        },
        username: creator.to_owned(),
        display_name: creator.to_owned(),
        slug: gazette_domain::slugs::slugify(creator),
        email: String::new(),
        created_at: now,
    };
    let (id, outcome) = tx.user(&user).await?;
    report.count("authors", outcome);
    report.note(format!(
        "author {creator:?} of item {wordpress_id} is not among the export's authors; an account was made"
    ));
    authors.insert(creator.to_owned(), id);
    Ok(id)
}

/// The staff account behind a comment a WordPress user wrote (0: a reader): by the user's id
/// where the export gives authors' ids, otherwise by the author's email.
fn staff_account(
    wordpress_user: i64,
    email: &str,
    by_id: &HashMap<i64, UserId>,
    by_email: &HashMap<String, UserId>,
) -> Option<UserId> {
    if wordpress_user == 0 {
        return None;
    }
    by_id
        .get(&wordpress_user)
        .or_else(|| by_email.get(email))
        .copied()
}

/// The addresses an item answered under on the old site, as paths without a trailing slash:
/// its permalink, and `/?p=ID`.
fn old_addresses(link: &str, wordpress_id: i64) -> Vec<String> {
    let mut paths = Vec::new();
    if let Some(path) = path_of(link)
        && path != "/"
    {
        paths.push(path);
    }
    // With WordPress's default permalinks the link is `/?p=ID` itself.
    let query = format!("/?p={wordpress_id}");
    if wordpress_id > 0 && !paths.contains(&query) {
        paths.push(query);
    }
    paths
}

/// The parser's side: reads records, converts and renders them, and sends them on. Returns when
/// the file ends, or the first error (the writer then stops too and nothing is committed).
fn read_wordpress(
    site: &Site,
    input: impl BufRead,
    sender: &tokio::sync::mpsc::Sender<Prepared>,
) -> CoreResult<()> {
    let send = |prepared: Prepared| {
        sender
            .blocking_send(prepared)
            .map_err(|_| CoreError::Storage("the import's writer stopped".into()))
    };
    let mut reader = wxr::Reader::new(input);
    let mut done = Progress::default();
    let mut offset: Option<i64> = None;
    let timezone_offset = site_offset(site);
    let max_depth = site.config.comments.max_depth;
    while let Some(record) = reader.next_record().map_err(bad_file)? {
        let source = format!(
            "wordpress {}",
            match reader.site().base_blog_url.as_str() {
                "" => reader.site().link.trim_end_matches('/'),
                url => url.trim_end_matches('/'),
            }
        );
        match record {
            Record::Author(author) => {
                let display_name = match author.display_name.trim() {
                    "" => author.login.clone(),
                    name => name.to_owned(),
                };
                send(Prepared::User(
                    ImportUser {
                        origin: Origin {
                            source,
                            original_id: author.login.clone(),
                        },
                        slug: gazette_domain::slugs::slugify(&author.login),
                        username: author.login,
                        display_name,
                        email: author.email.trim().to_lowercase(),
                        created_at: site.now(),
                    },
                    author.id,
                ))?;
            }
            Record::Term(term) => {
                let kind = match term.taxonomy.as_str() {
                    "category" => TermKind::Category,
                    "post_tag" => TermKind::Tag,
                    "nav_menu" => {
                        send(Prepared::Skipped(
                            "nav_menu terms skipped: navigation menus are not imported".into(),
                        ))?;
                        continue;
                    }
                    other => {
                        send(Prepared::Skipped(format!(
                            "{other} terms skipped: only categories and tags are imported"
                        )))?;
                        continue;
                    }
                };
                let slug = decoded_slug(&term.slug, &term.name);
                send(Prepared::Term(ImportTerm {
                    kind,
                    name: clean_name(&term.name, &slug),
                    parent_slug: (!term.parent.trim().is_empty())
                        .then(|| decoded_slug(&term.parent, &term.parent)),
                    slug,
                    description: term.description,
                }))?;
            }
            Record::Item(item) => {
                done.items += 1;
                done.comments += item.comments.len() as u64;
                if offset.is_none()
                    && let (Some(local), Some(gmt)) = (
                        wxr::gmt_seconds(&item.date),
                        wxr::gmt_seconds(&item.date_gmt),
                    )
                {
                    offset = Some(local - gmt);
                }
                let comments = item.comments.len();
                let prepared = prepare_item(
                    site,
                    *item,
                    source,
                    offset.unwrap_or(timezone_offset),
                    max_depth,
                    reader.site().from_gazette(),
                )?;
                let dropped = match &prepared {
                    Prepared::Skipped(reason) => Some(format!(
                        "comments skipped with their {} item",
                        reason.split(' ').next().unwrap_or("item")
                    )),
                    Prepared::Page { .. } | Prepared::Media { .. } => Some(
                        "comments on pages and attachments skipped: only articles have a discussion"
                            .to_owned(),
                    ),
                    _ => None,
                };
                if let Some(reason) = dropped {
                    for _ in 0..comments {
                        send(Prepared::Skipped(reason.clone()))?;
                    }
                }
                send(prepared)?;
                if done.items.is_multiple_of(50) {
                    send(Prepared::Progress(done))?;
                }
            }
        }
    }
    send(Prepared::Progress(done))?;
    Ok(())
}

/// The site's time zone's offset now, for dates an export gives only in local time.
fn site_offset(site: &Site) -> i64 {
    jiff::tz::TimeZone::get(&site.config.site.timezone)
        .map(|tz| i64::from(tz.to_offset(jiff::Timestamp::now()).seconds()))
        .unwrap_or(0)
}

/// A slug as WordPress stores it (percent-encoded for non-ASCII) made a Gazette slug; from the
/// name when empty.
fn decoded_slug(slug: &str, name: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(slug.trim()).decode_utf8_lossy();
    let source = if decoded.trim().is_empty() {
        name
    } else {
        &decoded
    };
    gazette_domain::slugs::slugify(source)
}

/// An item converted: a post becomes an article with its comments; other types are skipped
/// with the reason.
fn prepare_item(
    site: &Site,
    item: wxr::Item,
    source: String,
    offset: i64,
    max_depth: u32,
    final_html: bool,
) -> CoreResult<Prepared> {
    match item.post_type.as_str() {
        "post" => {}
        "nav_menu_item" => {
            return Ok(Prepared::Skipped(
                "nav_menu_item items skipped: navigation menus are not imported".into(),
            ));
        }
        "page" => return Ok(prepare_page(item, source, offset, site.now())),
        "attachment" => return Ok(prepare_media(item, source, offset, site.now())),
        other => {
            return Ok(Prepared::Skipped(format!(
                "{other} items skipped: only posts are imported"
            )));
        }
    }
    let status = match item.status.as_str() {
        "publish" | "future" => ArticleStatus::Published,
        "draft" | "pending" | "private" => ArticleStatus::Draft,
        "trash" => ArticleStatus::Trash,
        other => {
            return Ok(Prepared::Skipped(format!(
                "posts skipped for their status {other:?} (auto-drafts and revisions are not articles)"
            )));
        }
    };
    // Gazette has no password-protected articles: such a post must not become public.
    let protected = !item.password.is_empty() && status == ArticleStatus::Published;
    let status = if protected {
        ArticleStatus::Draft
    } else {
        status
    };
    let note = protected.then(|| {
        format!(
            "post {} was password-protected on WordPress: imported as a draft",
            item.id
        )
    });
    let date = wxr::gmt_seconds(&item.date_gmt).or_else(|| wxr::local_seconds(&item.date, offset));
    let created_at = date.unwrap_or_else(|| site.now());
    let published_at = match status {
        ArticleStatus::Published => Some(created_at),
        ArticleStatus::Draft | ArticleStatus::Trash => date,
    };
    let updated_at = wxr::gmt_seconds(&item.modified_gmt)
        .unwrap_or(created_at)
        .max(created_at);
    let title = item_title(&item);
    let slug = match item.name.trim() {
        "" if item.title.trim().is_empty() => format!("post-{}", item.id),
        "" => gazette_domain::slugs::slugify(&item.title),
        name => decoded_slug(name, &item.title),
    };
    let body_source = gazette_import::content::article_html(&item.content);
    let body_html = gazette_render::clean_article_html(&body_source);
    let excerpt = match item.excerpt.trim() {
        "" => gazette_render::excerpt_of_html(&body_html, EXCERPT_WORDS),
        written => gazette_render::excerpt_of_html(written, EXCERPT_WORDS),
    };
    let terms = |domain: &str| -> Vec<String> {
        item.terms
            .iter()
            .filter(|t| t.domain == domain)
            .map(|t| decoded_slug(&t.slug, &t.name))
            .collect()
    };
    let article = ImportArticle {
        origin: Origin {
            source: source.clone(),
            original_id: item.id.to_string(),
        },
        slug,
        title,
        body_markdown: body_source,
        body_format: BodyFormat::Html,
        body_text: gazette_render::text_of_html(&body_html),
        body_html,
        excerpt,
        author_id: UserId(0),
        coauthor_ids: Vec::new(),
        status,
        comments_open: item.comment_status == "open",
        published_at,
        created_at,
        updated_at,
        categories: terms("category"),
        tags: terms("post_tag"),
        feed_id: feed_id(&item.guid),
    };
    let mut comments = Vec::with_capacity(item.comments.len());
    let mut skipped = Vec::new();
    let mut wordpress_comments = item.comments;
    // A reply comes after the comment it answers (WordPress numbers them in order).
    wordpress_comments.sort_by_key(|c| c.id);
    let known: HashSet<i64> = wordpress_comments.iter().map(|c| c.id).collect();
    for comment in wordpress_comments {
        match comment.comment_type.as_str() {
            "" | "comment" => {}
            "pingback" | "trackback" => {
                skipped.push(format!(
                    "{} comments skipped: pingbacks and trackbacks are not imported",
                    comment.comment_type
                ));
                continue;
            }
            other => {
                skipped.push(format!("{other} comments skipped: not a reader's comment"));
                continue;
            }
        }
        let status = match comment.approved.trim() {
            "1" | "approve" => CommentStatus::Approved,
            "0" | "hold" => CommentStatus::Held,
            "spam" => CommentStatus::Spam,
            _ => CommentStatus::Trash,
        };
        let email = comment.author_email.trim().to_lowercase();
        let body_source = if final_html {
            comment.content.clone()
        } else {
            gazette_import::content::comment_html(&comment.content)
        };
        let body_html = gazette_render::clean_comment_html(&body_source);
        let ip = super::imported_ip(&comment.author_ip);
        let created_at = wxr::gmt_seconds(&comment.date_gmt)
            .or_else(|| wxr::local_seconds(&comment.date, offset))
            .unwrap_or(created_at);
        comments.push(PreparedComment {
            comment: ImportComment {
                origin: Origin {
                    source: source.clone(),
                    original_id: comment.id.to_string(),
                },
                article_id: gazette_domain::ArticleId(0),
                parent_original_id: (comment.parent != 0 && known.contains(&comment.parent))
                    .then(|| comment.parent.to_string()),
                max_depth,
                author_name: validate::imported_name(&comment.author)
                    .unwrap_or_else(|| "Anonymous".to_owned()),
                avatar: site.secrets.avatar_hash(&email),
                author_email: email,
                // Shown as a link: only an http(s) address, as the form accepts.
                author_url: validate::imported_website(&comment.author_url),
                body_markdown: body_source,
                body_html,
                status,
                ip_network: ip.as_deref().and_then(crate::spam::ip_network),
                ip,
                created_at,
                staff_user_id: None,
            },
            wordpress_user: comment.user_id,
        });
    }
    // Co-Authors Plus files a post under an `author` term per author, the byline's too:
    // `<category domain="author" nicename="cap-LOGIN">LOGIN</category>`.
    let coauthors: Vec<String> = item
        .terms
        .iter()
        .filter(|t| t.domain == "author")
        .map(|t| match t.name.trim() {
            "" => t.slug.trim().trim_start_matches("cap-").to_owned(),
            name => name.to_owned(),
        })
        .filter(|login| !login.is_empty() && login.as_str() != item.creator.trim())
        .collect();
    Ok(Prepared::Article {
        article: Box::new(article),
        wordpress_id: item.id,
        creator: item.creator,
        coauthors,
        link: item.link,
        comments,
        skipped,
        note,
        thumbnail: meta(&item.meta, "_thumbnail_id").and_then(|id| id.trim().parse().ok()),
    })
}

/// An item's post meta value by key.
fn meta<'a>(meta: &'a [(String, String)], key: &str) -> Option<&'a str> {
    meta.iter()
        .find(|(k, _)| k == key)
        .map(|(_, value)| value.as_str())
}

/// A title as Gazette keeps it: text (WordPress shows markup in titles), never empty.
fn item_title(item: &wxr::Item) -> String {
    let title = if item.title.contains('<') {
        gazette_render::excerpt_of_html(&item.title, usize::MAX)
    } else {
        item.title.clone()
    };
    match clean_name(&title, "").as_str() {
        "" => "(untitled)".to_owned(),
        title => title.to_owned(),
    }
}

/// A WordPress page becomes a static page; its parent is linked once every page is in. Pages
/// have no discussion here: their comments are skipped and counted.
fn prepare_page(item: wxr::Item, source: String, offset: i64, now: i64) -> Prepared {
    let status = match item.status.as_str() {
        "publish" if item.password.is_empty() => ArticleStatus::Published,
        "publish" | "future" | "draft" | "pending" | "private" => ArticleStatus::Draft,
        "trash" => ArticleStatus::Trash,
        other => {
            return Prepared::Skipped(format!(
                "pages skipped for their status {other:?} (auto-drafts and revisions are not pages)"
            ));
        }
    };
    let note = match item.status.as_str() {
        "publish" if !item.password.is_empty() => Some(format!(
            "page {} was password-protected on WordPress: imported as a draft",
            item.id
        )),
        "future" => Some(format!(
            "page {} was scheduled on WordPress; pages are not scheduled here: imported as a draft",
            item.id
        )),
        _ => None,
    };
    let title = item_title(&item);
    let slug = match item.name.trim() {
        "" if item.title.trim().is_empty() => format!("page-{}", item.id),
        "" => crate::pages::page_slug(&item.title),
        name => crate::pages::page_slug(&decoded_slug(name, &item.title)),
    };
    let created_at = wxr::gmt_seconds(&item.date_gmt)
        .or_else(|| wxr::local_seconds(&item.date, offset))
        .unwrap_or(now);
    let updated_at = wxr::gmt_seconds(&item.modified_gmt)
        .unwrap_or(created_at)
        .max(created_at);
    let body_source = gazette_import::content::article_html(&item.content);
    let body_html = gazette_render::clean_article_html(&body_source);
    Prepared::Page {
        page: Box::new(ImportPage {
            origin: Origin {
                source,
                original_id: item.id.to_string(),
            },
            page: NewStaticPage {
                slug,
                title,
                body_source,
                body_format: BodyFormat::Html,
                body_html,
                parent_id: None,
                author_id: UserId(0),
                status,
                created_at,
                updated_at,
            },
        }),
        wordpress_id: item.id,
        parent: item.parent,
        creator: item.creator,
        link: item.link,
        note,
    }
}

/// An attachment becomes a media record: its address, title, alternative text and type (the
/// file stays where it is; the importer makes no network requests).
fn prepare_media(item: wxr::Item, source: String, offset: i64, now: i64) -> Prepared {
    let url = match item.attachment_url.trim() {
        "" => item.guid.trim(),
        url => url,
    };
    // Shown as an image's address: only an http(s) address or a path on this site.
    let Some(url) = validate::media_url(url) else {
        return Prepared::Skipped(
            "attachment items skipped: no http(s) address for the file".into(),
        );
    };
    let created_at = wxr::gmt_seconds(&item.date_gmt)
        .or_else(|| wxr::local_seconds(&item.date, offset))
        .unwrap_or(now);
    let alt_text = meta(&item.meta, "_wp_attachment_image_alt").unwrap_or_default();
    Prepared::Media {
        media: Box::new(ImportMedia {
            origin: Origin {
                source,
                original_id: item.id.to_string(),
            },
            media: NewMedia {
                mime_type: gazette_domain::media::mime_type_of(&url),
                url,
                title: clean_name(&item_title(&item), ""),
                alt_text: clean_name(alt_text, ""),
                article_id: None,
                created_at,
            },
        }),
        parent: item.parent,
        wordpress_id: item.id,
    }
}

/// The longest old feed id kept; WordPress's are an address (`https://example.com/?p=12`).
const MAX_FEED_ID: usize = 500;

/// An item's guid as its feed id from now on, when it is one a feed can carry.
fn feed_id(guid: &str) -> Option<String> {
    let guid = guid.trim();
    (!guid.is_empty() && guid.len() <= MAX_FEED_ID && !guid.chars().any(char::is_control))
        .then(|| guid.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_slugs_decode_to_the_end() {
        // A slug ending in an escape (the old hand-written decoder left the last one encoded).
        assert_eq!(
            decoded_slug("%ce%b5%cf%80", "x"),
            gazette_domain::slugs::slugify("επ")
        );
        assert_eq!(decoded_slug("", "Level 1"), "level-1");
    }
}
