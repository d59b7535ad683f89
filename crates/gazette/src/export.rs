//! `gazette export wordpress --to FILE`: the site as a WordPress export (WXR 1.2) with the
//! elements WordPress's own exporter writes — authors, categories with their parents, tags, then
//! posts, pages and attachments as items with their comments — so that WordPress's importer
//! and Disqus's WXR importer take it, and `gazette import wordpress` reads it back. Read from one
//! snapshot of the database, article by article, so memory stays flat.

use crate::copy::{Cell, Db, Kind, Sink, Snapshot};
use anyhow::{Context, bail};
use gazette_core::Config;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Items read at a time.
const PAGE: i64 = 200;

/// Rows of one table, with their columns by name.
struct Rows {
    columns: Vec<(String, Kind)>,
    rows: Vec<Vec<Cell>>,
}

impl Sink for Rows {
    async fn take(
        &mut self,
        _table: &str,
        _columns: &[(String, Kind)],
        rows: &mut Vec<Vec<Cell>>,
    ) -> anyhow::Result<u64> {
        let count = rows.len() as u64;
        self.rows.append(rows);
        Ok(count)
    }
}

/// One row, read by column name.
struct Row<'a> {
    columns: &'a [(String, Kind)],
    cells: &'a [Cell],
}

impl Row<'_> {
    fn cell(&self, name: &str) -> &Cell {
        self.columns
            .iter()
            .position(|(n, _)| n == name)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&Cell::Null)
    }

    fn text(&self, name: &str) -> &str {
        match self.cell(name) {
            Cell::Text(text) => text,
            _ => "",
        }
    }

    fn int(&self, name: &str) -> Option<i64> {
        match self.cell(name) {
            Cell::Int(value) => Some(*value),
            _ => None,
        }
    }
}

impl Rows {
    fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|cells| Row {
            columns: &self.columns,
            cells,
        })
    }
}

/// The snapshot the export reads, and each table's columns, read once (not once per article).
struct Source<'a> {
    db: &'a Db,
    snapshot: Snapshot,
    columns: HashMap<String, Vec<(String, Kind)>>,
}

async fn select(
    source: &mut Source<'_>,
    table: &str,
    only: &str,
    order: &str,
) -> anyhow::Result<Rows> {
    let columns = match source.columns.get(table) {
        Some(columns) => columns.clone(),
        None => {
            let columns = source.db.columns(table).await?;
            source.columns.insert(table.to_owned(), columns.clone());
            columns
        }
    };
    let mut rows = Rows {
        columns: columns.clone(),
        rows: Vec::new(),
    };
    source
        .snapshot
        .stream(table, order, only, &columns, &columns, &mut rows)
        .await
        .with_context(|| format!("reading {table}"))?;
    Ok(rows)
}

/// Text as XML 1.0 allows it (control characters other than tab and newlines dropped).
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// A body as final HTML: in a Custom HTML block, which WordPress shows as it is (no wpautop
/// adding paragraphs and line breaks to it), as Gazette's importer does.
fn html_block(html: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    format!("<!-- wp:html -->\n{html}\n<!-- /wp:html -->")
}

/// Plain text as HTML shows it (the XML writer escapes the result again for the file).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Wxr<W: Write> {
    xml: Writer<W>,
}

impl<W: Write> Wxr<W> {
    fn element(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        self.xml
            .create_element(name)
            .write_text_content(BytesText::new(&xml_text(text)))?;
        Ok(())
    }

    fn open(&mut self, start: BytesStart<'_>) -> anyhow::Result<()> {
        self.xml.write_event(Event::Start(start))?;
        Ok(())
    }

    fn close(&mut self, name: &str) -> anyhow::Result<()> {
        self.xml.write_event(Event::End(BytesEnd::new(name)))?;
        Ok(())
    }

    fn meta(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        self.open(BytesStart::new("wp:postmeta"))?;
        self.element("wp:meta_key", key)?;
        self.element("wp:meta_value", value)?;
        self.close("wp:postmeta")
    }
}

/// Times as WordPress writes them: `2019-07-17 08:00:00`, in UTC or in the site's zone.
struct Clock {
    zone: jiff::tz::TimeZone,
}

impl Clock {
    fn gmt(&self, at: Option<i64>) -> String {
        self.format(at, &jiff::tz::TimeZone::UTC)
    }

    fn local(&self, at: Option<i64>) -> String {
        self.format(at, &self.zone)
    }

    fn format(&self, at: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
        at.and_then(|at| jiff::Timestamp::from_second(at).ok())
            .map(|t| {
                t.to_zoned_datetime(zone.clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|| "0000-00-00 00:00:00".to_owned())
    }

    fn rfc2822(&self, at: Option<i64>) -> String {
        at.and_then(|at| jiff::Timestamp::from_second(at).ok())
            .map(|t| {
                t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .strftime("%a, %d %b %Y %H:%M:%S +0000")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

/// An item's status as WordPress names it.
fn wordpress_status(status: &str, published_at: Option<i64>, now: i64) -> &'static str {
    match status {
        "published" if published_at.is_some_and(|at| at > now) => "future",
        "published" => "publish",
        "trash" => "trash",
        _ => "draft",
    }
}

fn comment_approved(status: &str) -> &'static str {
    match status {
        "approved" => "1",
        "held" => "0",
        "spam" => "spam",
        _ => "trash",
    }
}

/// `gazette export wordpress --to FILE`.
pub async fn export_wordpress(config: Config, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    let db = Db::open(&config.db).await?;
    let partial = to.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let result = write_wxr(&db, &config, file).await;
    db.close().await;
    match result {
        Ok(counts) => {
            std::fs::rename(&partial, to).with_context(|| format!("writing {}", to.display()))?;
            for (what, count) in counts {
                println!("{what:<12} {count:>10}");
            }
            Ok(())
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

async fn write_wxr(
    db: &Db,
    config: &Config,
    file: std::fs::File,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut source = Source {
        db,
        snapshot: db.snapshot().await?,
        columns: HashMap::new(),
    };
    let clock = Clock {
        zone: jiff::tz::TimeZone::get(&config.site.timezone).unwrap_or(jiff::tz::TimeZone::UTC),
    };
    let now = jiff::Timestamp::now().as_second();
    let base = match config.site.base_url.trim_end_matches('/') {
        "" => format!("http://{}", config.listen),
        url => url.to_owned(),
    };
    let settings = select(
        &mut source,
        "settings",
        "key LIKE 'site.%' OR key = 'feeds.id_base'",
        "key",
    )
    .await?;
    let setting = |key: &str, default: &str| {
        settings
            .iter()
            .find(|row| row.text("key") == key)
            .map_or(default.to_owned(), |row| row.text("value").to_owned())
    };
    let feed_ids = setting(
        gazette_core::feeds::ID_BASE_SETTING,
        &format!("{base}/?feed="),
    );
    let mut out = Wxr {
        xml: Writer::new_with_indent(
            std::io::BufWriter::with_capacity(256 * 1024, file),
            b'\t',
            1,
        ),
    };
    out.xml
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.open(BytesStart::new("rss").with_attributes([
        ("version", "2.0"),
        ("xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/"),
        ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
        ("xmlns:wfw", "http://wellformedweb.org/CommentAPI/"),
        ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ("xmlns:wp", "http://wordpress.org/export/1.2/"),
    ]))?;
    out.open(BytesStart::new("channel"))?;
    out.element("title", &setting("site.title", "Gazette"))?;
    out.element("link", &base)?;
    out.element("description", &setting("site.tagline", ""))?;
    out.element("pubDate", &clock.rfc2822(Some(now)))?;
    out.element("language", &config.site.language)?;
    // Read by Gazette's importer: the comments are final HTML, not text for wpautop.
    out.element("generator", concat!("Gazette ", env!("CARGO_PKG_VERSION")))?;
    out.element("wp:wxr_version", "1.2")?;
    out.element("wp:base_site_url", &base)?;
    out.element("wp:base_blog_url", &base)?;

    let users = select(&mut source, "users", "", "id").await?;
    let mut logins: HashMap<i64, String> = HashMap::new();
    for user in users.iter() {
        let id = user.int("id").unwrap_or_default();
        out.open(BytesStart::new("wp:author"))?;
        out.element("wp:author_id", &id.to_string())?;
        out.element("wp:author_login", user.text("username"))?;
        out.element("wp:author_email", user.text("email"))?;
        out.element("wp:author_display_name", user.text("display_name"))?;
        out.element("wp:author_first_name", "")?;
        out.element("wp:author_last_name", "")?;
        out.close("wp:author")?;
        logins.insert(id, user.text("username").to_owned());
    }

    let terms = select(&mut source, "terms", "", "id").await?;
    let slugs: HashMap<i64, String> = terms
        .iter()
        .map(|t| (t.int("id").unwrap_or_default(), t.text("slug").to_owned()))
        .collect();
    // A parent before its children, as WordPress's importer wants them.
    let mut categories: Vec<Row<'_>> = terms
        .iter()
        .filter(|t| t.text("kind") == "category")
        .collect();
    let parents: HashMap<i64, i64> = terms
        .iter()
        .filter_map(|t| Some((t.int("id")?, t.int("parent_id")?)))
        .collect();
    let depth = |row: &Row<'_>| {
        let mut depth = 0;
        let mut parent = row.int("parent_id");
        while let Some(id) = parent
            && depth < 64
        {
            depth += 1;
            parent = parents.get(&id).copied();
        }
        depth
    };
    categories.sort_by_key(|row| (depth(row), row.int("id")));
    for term in &categories {
        out.open(BytesStart::new("wp:category"))?;
        out.element(
            "wp:term_id",
            &term.int("id").unwrap_or_default().to_string(),
        )?;
        out.element("wp:category_nicename", term.text("slug"))?;
        let parent = term
            .int("parent_id")
            .and_then(|id| slugs.get(&id))
            .map_or("", String::as_str);
        out.element("wp:category_parent", parent)?;
        out.element("wp:cat_name", term.text("name"))?;
        out.element("wp:category_description", term.text("description"))?;
        out.close("wp:category")?;
    }
    for term in terms.iter().filter(|t| t.text("kind") == "tag") {
        out.open(BytesStart::new("wp:tag"))?;
        out.element(
            "wp:term_id",
            &term.int("id").unwrap_or_default().to_string(),
        )?;
        out.element("wp:tag_slug", term.text("slug"))?;
        out.element("wp:tag_name", term.text("name"))?;
        out.element("wp:tag_description", term.text("description"))?;
        out.close("wp:tag")?;
    }

    let by_id: HashMap<i64, Row<'_>> = terms
        .iter()
        .filter_map(|t| Some((t.int("id")?, t)))
        .collect();
    // WordPress numbers posts, pages and attachments from one sequence: pages and media come
    // after the highest article id.
    let max = |rows: &Rows| rows.iter().filter_map(|r| r.int("id")).max().unwrap_or(0);
    let article_ids = select(&mut source, "articles", "", "id DESC LIMIT 1").await?;
    let page_ids = select(&mut source, "pages", "", "id DESC LIMIT 1").await?;
    let page_base = max(&article_ids);
    let media_base = page_base + max(&page_ids);
    let mut counts = vec![
        ("authors", users.rows.len() as u64),
        ("terms", terms.rows.len() as u64),
    ];

    let item = |out: &mut Wxr<_>, title: &str, link: &str| -> anyhow::Result<()> {
        out.open(BytesStart::new("item"))?;
        out.element("title", title)?;
        out.element("link", link)
    };

    // Articles, with their terms, featured image and comments, a page of them at a time.
    let (mut last, mut articles_written, mut comments_written) = (0i64, 0u64, 0u64);
    loop {
        let batch = select(
            &mut source,
            "articles",
            &format!("id > {last}"),
            &format!("id LIMIT {PAGE}"),
        )
        .await?;
        if batch.rows.is_empty() {
            break;
        }
        for article in batch.iter() {
            let id = article.int("id").unwrap_or_default();
            last = id;
            let published = article.int("published_at");
            let slug = article.text("slug");
            item(
                &mut out,
                article.text("title"),
                &format!("{base}/articles/{slug}"),
            )?;
            out.element("pubDate", &clock.rfc2822(published))?;
            let author = article.int("author_id").unwrap_or_default();
            out.element("dc:creator", logins.get(&author).map_or("", String::as_str))?;
            out.xml
                .create_element("guid")
                .with_attribute(("isPermaLink", "false"))
                .write_text_content(BytesText::new(&match article.text("feed_id") {
                    // The id its feeds gave it: the next system's feeds keep it too.
                    "" => format!("{feed_ids}article/{id}"),
                    kept => kept.to_owned(),
                }))?;
            out.element("description", "")?;
            out.element("content:encoded", &html_block(article.text("body_html")))?;
            // WordPress's excerpt is HTML; Gazette's is text.
            out.element("excerpt:encoded", &escape_html(article.text("excerpt")))?;
            out.element("wp:post_id", &id.to_string())?;
            let date = published.or(article.int("created_at"));
            out.element("wp:post_date", &clock.local(date))?;
            out.element("wp:post_date_gmt", &clock.gmt(date))?;
            out.element("wp:post_modified", &clock.local(article.int("updated_at")))?;
            out.element(
                "wp:post_modified_gmt",
                &clock.gmt(article.int("updated_at")),
            )?;
            let open = article.int("comments_open").unwrap_or(1) != 0;
            out.element("wp:comment_status", if open { "open" } else { "closed" })?;
            out.element("wp:ping_status", "closed")?;
            out.element("wp:post_name", slug)?;
            out.element(
                "wp:status",
                wordpress_status(article.text("status"), published, now),
            )?;
            out.element("wp:post_parent", "0")?;
            out.element("wp:menu_order", "0")?;
            out.element("wp:post_type", "post")?;
            out.element("wp:post_password", "")?;
            out.element("wp:is_sticky", "0")?;
            let filed = select(
                &mut source,
                "article_terms",
                &format!("article_id = {id}"),
                "sort_order",
            )
            .await?;
            for link in filed.iter() {
                let Some(term) = link.int("term_id").and_then(|t| by_id.get(&t)) else {
                    continue;
                };
                let domain = if term.text("kind") == "category" {
                    "category"
                } else {
                    "post_tag"
                };
                out.xml
                    .create_element("category")
                    .with_attributes([("domain", domain), ("nicename", term.text("slug"))])
                    .write_text_content(BytesText::new(&xml_text(term.text("name"))))?;
            }
            // Several authors as Co-Authors Plus files them: an `author` term for each, the
            // byline's first (WordPress itself has one author per post, `dc:creator`).
            let coauthors = select(
                &mut source,
                "article_authors",
                &format!("article_id = {id}"),
                "position",
            )
            .await?;
            if !coauthors.rows.is_empty() {
                let bylined = std::iter::once(author)
                    .chain(coauthors.iter().filter_map(|row| row.int("user_id")));
                for login in bylined.filter_map(|user| logins.get(&user)) {
                    out.xml
                        .create_element("category")
                        .with_attributes([
                            ("domain", "author"),
                            (
                                "nicename",
                                format!("cap-{}", gazette_domain::slugs::slugify(login)).as_str(),
                            ),
                        ])
                        .write_text_content(BytesText::new(&xml_text(login)))?;
                }
            }
            if let Some(media) = article.int("featured_media_id") {
                out.meta("_thumbnail_id", &(media_base + media).to_string())?;
            }
            let comments =
                select(&mut source, "comments", &format!("article_id = {id}"), "id").await?;
            for comment in comments.iter() {
                out.open(BytesStart::new("wp:comment"))?;
                let at = comment.int("created_at");
                out.element(
                    "wp:comment_id",
                    &comment.int("id").unwrap_or_default().to_string(),
                )?;
                out.element("wp:comment_author", comment.text("author_name"))?;
                out.element("wp:comment_author_email", comment.text("author_email"))?;
                out.element("wp:comment_author_url", comment.text("author_url"))?;
                out.element("wp:comment_author_IP", comment.text("ip"))?;
                out.element("wp:comment_date", &clock.local(at))?;
                out.element("wp:comment_date_gmt", &clock.gmt(at))?;
                out.element("wp:comment_content", comment.text("body_html"))?;
                out.element(
                    "wp:comment_approved",
                    comment_approved(comment.text("status")),
                )?;
                out.element("wp:comment_type", "comment")?;
                out.element(
                    "wp:comment_parent",
                    &comment.int("parent_id").unwrap_or(0).to_string(),
                )?;
                out.element(
                    "wp:comment_user_id",
                    &comment.int("staff_user_id").unwrap_or(0).to_string(),
                )?;
                out.close("wp:comment")?;
                comments_written += 1;
            }
            out.close("item")?;
            articles_written += 1;
        }
    }
    counts.push(("articles", articles_written));
    counts.push(("comments", comments_written));

    let pages = select(&mut source, "pages", "", "id").await?;
    for page in pages.iter() {
        let id = page_base + page.int("id").unwrap_or_default();
        item(
            &mut out,
            page.text("title"),
            &format!("{base}/{}", page.text("slug")),
        )?;
        let author = page.int("author_id").unwrap_or_default();
        out.element("pubDate", &clock.rfc2822(page.int("created_at")))?;
        out.element("dc:creator", logins.get(&author).map_or("", String::as_str))?;
        out.xml
            .create_element("guid")
            .with_attribute(("isPermaLink", "false"))
            .write_text_content(BytesText::new(&format!("{base}/?page_id={id}")))?;
        out.element("description", "")?;
        out.element("content:encoded", &html_block(page.text("body_html")))?;
        out.element("excerpt:encoded", "")?;
        out.element("wp:post_id", &id.to_string())?;
        out.element("wp:post_date", &clock.local(page.int("created_at")))?;
        out.element("wp:post_date_gmt", &clock.gmt(page.int("created_at")))?;
        out.element("wp:post_modified", &clock.local(page.int("updated_at")))?;
        out.element("wp:post_modified_gmt", &clock.gmt(page.int("updated_at")))?;
        out.element("wp:comment_status", "closed")?;
        out.element("wp:ping_status", "closed")?;
        out.element("wp:post_name", page.text("slug"))?;
        out.element(
            "wp:status",
            wordpress_status(page.text("status"), None, now),
        )?;
        let parent = page.int("parent_id").map_or(0, |p| page_base + p);
        out.element("wp:post_parent", &parent.to_string())?;
        out.element("wp:menu_order", "0")?;
        out.element("wp:post_type", "page")?;
        out.element("wp:post_password", "")?;
        out.element("wp:is_sticky", "0")?;
        out.close("item")?;
    }
    counts.push(("pages", pages.rows.len() as u64));

    let media = select(&mut source, "media", "", "id").await?;
    for file in media.iter() {
        let id = media_base + file.int("id").unwrap_or_default();
        let url = file.text("url");
        let url = if url.starts_with('/') {
            format!("{base}{url}")
        } else {
            url.to_owned()
        };
        item(&mut out, file.text("title"), &url)?;
        out.element("pubDate", &clock.rfc2822(file.int("created_at")))?;
        out.element("dc:creator", "")?;
        out.xml
            .create_element("guid")
            .with_attribute(("isPermaLink", "false"))
            .write_text_content(BytesText::new(&xml_text(&url)))?;
        out.element("description", "")?;
        out.element("content:encoded", "")?;
        out.element("excerpt:encoded", "")?;
        out.element("wp:post_id", &id.to_string())?;
        out.element("wp:post_date", &clock.local(file.int("created_at")))?;
        out.element("wp:post_date_gmt", &clock.gmt(file.int("created_at")))?;
        out.element("wp:comment_status", "closed")?;
        out.element("wp:ping_status", "closed")?;
        out.element("wp:post_name", &format!("media-{id}"))?;
        out.element("wp:status", "inherit")?;
        out.element(
            "wp:post_parent",
            &file.int("article_id").unwrap_or(0).to_string(),
        )?;
        out.element("wp:menu_order", "0")?;
        out.element("wp:post_type", "attachment")?;
        out.element("wp:post_password", "")?;
        out.element("wp:is_sticky", "0")?;
        out.element("wp:attachment_url", &url)?;
        if !file.text("alt_text").is_empty() {
            out.meta("_wp_attachment_image_alt", file.text("alt_text"))?;
        }
        out.close("item")?;
    }
    counts.push(("media", media.rows.len() as u64));
    drop(source);
    out.close("channel")?;
    out.close("rss")?;
    let mut inner = out.xml.into_inner();
    inner.write_all(b"\n")?;
    inner.flush()?;
    inner.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(counts)
}
