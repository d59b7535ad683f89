use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Gazette: a news publishing server with a first-class reader discussion.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about)]
pub struct Cli {
    /// TOML configuration file (defaults, then this file, then GAZETTE_* variables, then flags).
    #[arg(long, global = true, env = "GAZETTE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true)]
    pub db: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (creating and migrating the database if needed).
    Serve(ServeArgs),
    /// Create or migrate the database, then exit.
    Migrate,
    /// Print the configuration in force, as TOML.
    PrintConfig,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Publish articles.
    #[command(subcommand)]
    Article(ArticleCommand),
    /// Moderate comments.
    #[command(subcommand)]
    Comments(CommentsCommand),
    /// Copy a whole site to another database (e.g. SQLite to PostgreSQL) and check the counts.
    CopyDb {
        /// Database to copy from (sqlite:PATH or postgres://...).
        #[arg(long)]
        from: String,
        /// Database to copy to; created and migrated if needed, refused if it holds a site.
        #[arg(long)]
        to: String,
        /// Empty a target that already holds a site before copying into it.
        #[arg(long)]
        replace: bool,
    },
    /// Bring a site in from another system (or from `gazette export json`).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the whole site out: as a Gazette JSON document, or as a WordPress export.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Make a consistent copy of a SQLite site's database while it runs (for PostgreSQL, use
    /// pg_dump: see docs/DEPLOY.md).
    Backup {
        /// File to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The whole site as one versioned JSON document (docs/EXPORT.md): articles, pages, terms,
    /// staff, comments with their threads and statuses, media, redirects, settings. Read back
    /// with `gazette import json`.
    Json {
        /// File to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
        /// Keep password hashes and the site's secrets (keys for cookies and avatars) in the
        /// file: for moving a site whose staff should keep their passwords. Guard the file.
        #[arg(long)]
        include_secrets: bool,
    },
    /// Articles, pages, categories, tags, authors, comments and media as a WordPress export
    /// (WXR 1.2), for WordPress's importer or Disqus's.
    Wordpress {
        /// File to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
}

/// `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress export (Tools → Export → All content; WXR 1.0–1.2): authors,
    /// categories, tags, posts and their comments, and redirects from the old addresses. The
    /// whole file lands or nothing does; importing it again updates what changed.
    Wordpress {
        /// The export file.
        file: PathBuf,
        /// Read, match and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Read a `gazette export json` document into an empty site: the same articles, pages,
    /// comments and ids, so every page reads as it did. Whole or nothing.
    Json {
        /// The document.
        file: PathBuf,
        /// Empty a database that already holds a site before importing into it.
        #[arg(long)]
        replace: bool,
    },
    /// Import a Disqus export's comments, attached to the articles their threads were about
    /// (by link, following old WordPress addresses, or by identifier). Import the WordPress site
    /// first. Whole or nothing; importing it again updates what changed.
    Disqus {
        /// The export file (as Disqus's Export comments sends it, uncompressed).
        file: PathBuf,
        /// Read, match and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account.
    Add {
        /// Login name.
        name: String,
        /// Email address (never shown publicly).
        #[arg(long)]
        email: String,
        /// admin, editor, author or moderator.
        #[arg(long, default_value = "author")]
        role: String,
        /// Name shown in bylines (defaults to the login name).
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read the password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Print a single-use password reset link, valid for an hour.
    ResetLink {
        /// Login name.
        name: String,
    },
}

/// `article` subcommands.
#[derive(Debug, Subcommand)]
pub enum ArticleCommand {
    /// Publish an article from a Markdown file.
    New {
        /// Headline.
        #[arg(long)]
        title: String,
        /// Login name of the author.
        #[arg(long)]
        author: String,
        /// Markdown file with the body ("-" reads standard input).
        #[arg(long)]
        file: PathBuf,
        /// Category (repeatable).
        #[arg(long = "category")]
        categories: Vec<String>,
        /// Tag (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Permalink slug (derived from the title if absent).
        #[arg(long)]
        slug: Option<String>,
        /// Summary (derived from the body if absent).
        #[arg(long, default_value = "")]
        excerpt: String,
        /// Save as a draft instead of publishing.
        #[arg(long, conflicts_with = "publish_at")]
        draft: bool,
        /// Schedule: publish at this time (RFC 3339, e.g. 2026-12-01T06:00:00Z); the site shows
        /// it from then on, without a restart.
        #[arg(long, value_parser = parse_time)]
        publish_at: Option<i64>,
        /// Publish with comments closed.
        #[arg(long)]
        comments_closed: bool,
    },
}

/// `comments` subcommands.
#[derive(Debug, Subcommand)]
pub enum CommentsCommand {
    /// List comments, newest first (held ones by default).
    List {
        /// Comments waiting for moderation.
        #[arg(long, group = "status")]
        held: bool,
        /// Published comments.
        #[arg(long, group = "status")]
        approved: bool,
        /// Comments marked spam.
        #[arg(long, group = "status")]
        spam: bool,
        /// Trashed comments.
        #[arg(long, group = "status")]
        trash: bool,
        /// Page of 50.
        #[arg(long, default_value_t = 1)]
        page: u32,
    },
    /// Publish a comment.
    Approve {
        /// Comment id.
        id: i64,
    },
    /// Send a comment back to the moderation queue.
    Unapprove {
        /// Comment id.
        id: i64,
    },
    /// Mark a comment as spam.
    Spam {
        /// Comment id.
        id: i64,
    },
    /// Move a comment to the trash.
    Trash {
        /// Comment id.
        id: i64,
    },
    /// A comment marked spam was not spam: publish it.
    NotSpam {
        /// Comment id.
        id: i64,
    },
    /// Take a comment out of the trash, back to the queue.
    Restore {
        /// Comment id.
        id: i64,
    },
}

/// An RFC 3339 time as unix seconds.
fn parse_time(text: &str) -> Result<i64, String> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| format!("{text:?} is not a time like 2026-12-01T06:00:00Z ({e})"))
}
