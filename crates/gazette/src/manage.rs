use crate::cli::{ArticleCommand, CommentsCommand, UserCommand};
use crate::setup;
use anyhow::Context;
use gazette_core::accounts::AccountRequest;
use gazette_core::moderating::{Actor, Moderation};
use gazette_core::publishing::ArticleRequest;
use gazette_core::{Config, Site};
use gazette_domain::{CommentId, CommentStatus, Role};
use std::io::Read;

async fn open_site(config: Config) -> anyhow::Result<Site> {
    let store = setup::open_store(&config.db).await?;
    Ok(Site::open(store, config).await?)
}

/// `gazette user add`.
pub async fn user(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let (name, email, role, display_name) = match command {
        UserCommand::Add {
            name,
            email,
            role,
            display_name,
            password_stdin: _,
        } => (name, email, role, display_name),
        UserCommand::ResetLink { name } => {
            let base = config.site.base_url.trim_end_matches('/').to_owned();
            let site = open_site(config).await?;
            let token = site.password_reset_token(&name).await?;
            println!("{base}/admin/reset/{token}");
            if base.is_empty() {
                eprintln!(
                    "(prefix it with the site's address, or set site.base_url to print a full link)"
                );
            }
            eprintln!("The link works once, within the next hour.");
            return Ok(());
        }
    };
    let role = Role::parse(&role)
        .map_err(|_| anyhow::anyhow!("--role must be admin, editor, author or moderator"))?;
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let site = open_site(config).await?;
    let user = site
        .create_account(AccountRequest {
            username: name,
            display_name,
            email,
            role,
            password,
        })
        .await?;
    println!(
        "created {} {} (id {})",
        user.role.as_str(),
        user.username,
        user.id
    );
    Ok(())
}

/// `gazette article new`.
pub async fn article(config: Config, command: ArticleCommand) -> anyhow::Result<()> {
    let ArticleCommand::New {
        title,
        author,
        file,
        categories,
        tags,
        slug,
        excerpt,
        draft,
        publish_at,
        comments_closed,
    } = command;
    let body_markdown = if file.as_os_str() == "-" {
        let mut body = String::new();
        std::io::stdin()
            .read_to_string(&mut body)
            .context("reading the body from standard input")?;
        body
    } else {
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
    };
    let site = open_site(config).await?;
    let article = site
        .publish_article(ArticleRequest {
            title,
            author,
            body_markdown,
            slug,
            excerpt,
            categories,
            tags,
            draft,
            comments_open: !comments_closed,
            published_at: publish_at,
        })
        .await?;
    let state = match (draft, publish_at) {
        (true, _) => "saved draft",
        (false, Some(at)) if at > site.now() => "scheduled",
        (false, _) => "published",
    };
    println!(
        "{state} article {} at /articles/{}",
        article.id, article.slug
    );
    Ok(())
}

/// `gazette comments list|approve|unapprove|spam|trash`.
pub async fn comments(config: Config, command: CommentsCommand) -> anyhow::Result<()> {
    let site = open_site(config).await?;
    let (id, action) = match command {
        CommentsCommand::List {
            approved,
            spam,
            trash,
            page,
            held: _,
        } => {
            let status = match (approved, spam, trash) {
                (true, _, _) => CommentStatus::Approved,
                (_, true, _) => CommentStatus::Spam,
                (_, _, true) => CommentStatus::Trash,
                _ => CommentStatus::Held,
            };
            return list(&site, status, page).await;
        }
        CommentsCommand::Approve { id } => (id, Moderation::Approve),
        CommentsCommand::Unapprove { id } => (id, Moderation::Unapprove),
        CommentsCommand::Spam { id } => (id, Moderation::Spam),
        CommentsCommand::Trash { id } => (id, Moderation::Trash),
        CommentsCommand::NotSpam { id } => (id, Moderation::NotSpam),
        CommentsCommand::Restore { id } => (id, Moderation::Restore),
    };
    let comment = site
        .moderate(Actor::Operator, CommentId(id), action)
        .await
        .map_err(|e| match e {
            gazette_core::CoreError::NotFound(_) => anyhow::anyhow!("there is no comment {id}"),
            other => other.into(),
        })?;
    println!(
        "comment {} by {} on /articles/{} is now {}",
        id,
        comment.comment.author_name,
        comment.article_slug,
        comment.comment.status.as_str()
    );
    Ok(())
}

async fn list(site: &Site, status: CommentStatus, page: u32) -> anyhow::Result<()> {
    let comments = site.comments_in(status, page, 50).await?;
    if comments.items.is_empty() {
        println!("no {} comments", status.as_str());
        return Ok(());
    }
    println!(
        "{:>6}  {:<20}  {:<28}  {:<24}  text",
        "id", "author", "email", "article"
    );
    for c in &comments.items {
        println!(
            "{:>6}  {:<20}  {:<28}  {:<24}  {}",
            c.comment.id,
            clip(&c.comment.author_name, 20),
            clip(&c.author_email, 28),
            clip(&c.article_slug, 24),
            clip(&c.body_markdown, 60)
        );
    }
    println!(
        "page {} of {} ({} {} comments)",
        comments.page,
        comments.total_pages(),
        comments.total,
        status.as_str()
    );
    Ok(())
}

/// The first `width` characters on one line, with "…" when cut.
fn clip(text: &str, width: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= width {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// `gazette backup --to FILE`: `VACUUM INTO` writes a consistent, compacted copy of a SQLite
/// database from one read transaction, while the site keeps serving and taking comments. The copy
/// is written beside FILE under a `.partial` name, flushed to disk, then renamed, so FILE exists
/// only once it is complete: a backup killed midway leaves no file that looks like a good one.
pub async fn backup(db: &str, to: &std::path::Path) -> anyhow::Result<()> {
    if !db.starts_with("sqlite:") {
        anyhow::bail!(
            "backup copies SQLite sites; for PostgreSQL use pg_dump (see docs/DEPLOY.md)"
        );
    }
    if to.exists() {
        anyhow::bail!("{} exists already; choose a new file", to.display());
    }
    let name = to
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} does not name a file", to.display()))?;
    let partial = to.with_file_name(format!(".{name}.partial"));
    // Left by a backup that was killed: ours, and incomplete.
    if partial.exists() {
        std::fs::remove_file(&partial)
            .with_context(|| format!("removing the unfinished {}", partial.display()))?;
    }
    let store = gazette_store_sql::SqlStore::connect(db)
        .await
        .with_context(|| format!("opening {db}"))?;
    let gazette_store_sql::Pool::Sqlite(pool) = store.pool() else {
        anyhow::bail!("{db} is not a SQLite database");
    };
    let target = partial
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", to.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .with_context(|| format!("writing {}", to.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", partial.display()))?;
    std::fs::rename(&partial, to)
        .with_context(|| format!("renaming {} to {}", partial.display(), to.display()))?;
    if let Some(folder) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(folder)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("flushing {}", folder.display()))?;
    }
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!("backed up {db} to {} ({size} bytes)", to.display());
    Ok(())
}
