//! `wxr --posts N --comments M > export.xml`: a WordPress export (WXR 1.2) of the same site
//! `generate` makes, in the shapes WordPress writes: three authors, categories (one under a
//! parent) and tags, posts with threaded comments (a few held, a few spam, a pingback now and
//! then), an attachment and a featured image every 50 posts, a page and a menu item. Used to time
//! `gazette import wordpress` (`bench/import.sh`).
#![allow(clippy::expect_used)]

use clap::Parser;
use gazette_bench::site;
use std::io::Write;

#[derive(Debug, Parser)]
struct Args {
    /// Posts.
    #[arg(long, default_value_t = 1_000)]
    posts: usize,
    /// Comments across all posts.
    #[arg(long, default_value_t = 50_000)]
    comments: usize,
    /// Words per post.
    #[arg(long, default_value_t = 800)]
    words: usize,
    /// Seed (the same gives the same file).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

const BASE: &str = "https://old-news.example";
const AUTHORS: [(&str, &str); 3] = [
    ("editor", "Erin Editor"),
    ("reporter", "Rafael Reporter"),
    ("columnist", "Chloé Columnist"),
];

/// Text in a CDATA section; `]]>` inside it is split across two sections, as WordPress does.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .expect("time in range")
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let plan = site::Plan {
        seed: args.seed,
        articles: args.posts,
        comments: args.comments,
        bench_comments: 200.min(args.comments),
        words: args.words,
        now: 1_760_000_000,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" \
         xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n\
         <title>Old News</title>\n<link>{BASE}</link>\n<language>en-US</language>\n\
         <wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>{BASE}</wp:base_site_url>\n\
         <wp:base_blog_url>{BASE}</wp:base_blog_url>"
    )?;
    for (i, (login, name)) in AUTHORS.iter().enumerate() {
        writeln!(
            out,
            "<wp:author><wp:author_id>{}</wp:author_id><wp:author_login>{}</wp:author_login>\
             <wp:author_email>{login}@old-news.example</wp:author_email>\
             <wp:author_display_name>{}</wp:author_display_name></wp:author>",
            i + 1,
            cdata(login),
            cdata(name)
        )?;
    }
    let categories = site::categories();
    for (i, name) in categories.iter().enumerate() {
        // The second category is filed under the first, as sections often are.
        let parent = if i == 1 {
            categories[0].to_lowercase()
        } else {
            String::new()
        };
        writeln!(
            out,
            "<wp:category><wp:term_id>{}</wp:term_id><wp:category_nicename>{}</wp:category_nicename>\
             <wp:category_parent>{parent}</wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>",
            100 + i,
            cdata(&name.to_lowercase()),
            cdata(name)
        )?;
    }
    for (i, name) in site::tags().iter().enumerate() {
        writeln!(
            out,
            "<wp:tag><wp:term_id>{}</wp:term_id><wp:tag_slug>{}</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>",
            500 + i,
            cdata(&name.to_lowercase()),
            cdata(name)
        )?;
    }
    let mut next_attachment = 10_000_000i64;
    for story in site::stories(&plan, 100, 100) {
        let a = &story.article;
        let html = gazette_render::render_article(&a.body);
        let (login, _) = AUTHORS[story.index % AUTHORS.len()];
        let day = jiff::Timestamp::from_second(a.published_at)
            .expect("time")
            .strftime("%Y/%m/%d")
            .to_string();
        let link = format!("{BASE}/{day}/{}/", a.slug);
        let thumbnail = (story.index % 50 == 0).then(|| {
            next_attachment += 1;
            next_attachment
        });
        if let Some(id) = thumbnail {
            writeln!(
                out,
                "<item><title>Photo {id}</title><link>{BASE}/?attachment_id={id}</link>\
                 <dc:creator>{}</dc:creator><guid isPermaLink=\"false\">{BASE}/wp-content/uploads/{id}.jpg</guid>\
                 <content:encoded><![CDATA[]]></content:encoded><excerpt:encoded>{}</excerpt:encoded>\
                 <wp:post_id>{id}</wp:post_id><wp:post_date>{}</wp:post_date><wp:post_date_gmt>{}</wp:post_date_gmt>\
                 <wp:post_name>photo-{id}</wp:post_name><wp:status>inherit</wp:status><wp:post_parent>{}</wp:post_parent>\
                 <wp:post_type>attachment</wp:post_type><wp:attachment_url>{BASE}/wp-content/uploads/{id}.jpg</wp:attachment_url>\
                 <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta></item>",
                cdata(login),
                cdata("A caption"),
                date(a.published_at),
                date(a.published_at),
                a.id,
                cdata("The harbour at dawn")
            )?;
        }
        write!(
            out,
            "<item><title>{}</title><link>{link}</link><dc:creator>{}</dc:creator>\
             <guid isPermaLink=\"false\">{BASE}/?p={}</guid><description></description>\
             <content:encoded>{}</content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>\
             <wp:post_id>{}</wp:post_id><wp:post_date>{}</wp:post_date><wp:post_date_gmt>{}</wp:post_date_gmt>\
             <wp:post_modified_gmt>{}</wp:post_modified_gmt><wp:comment_status>open</wp:comment_status>\
             <wp:post_name>{}</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>\
             <wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>\
             <category domain=\"category\" nicename=\"{}\">{}</category>",
            cdata(&a.title),
            cdata(login),
            a.id,
            cdata(&html),
            a.id,
            date(a.published_at),
            date(a.published_at),
            date(a.published_at + 600),
            a.slug,
            categories[a.category].to_lowercase(),
            cdata(categories[a.category])
        )?;
        for tag in &a.tags {
            let name = site::tags()[*tag];
            write!(
                out,
                "<category domain=\"post_tag\" nicename=\"{}\">{}</category>",
                name.to_lowercase(),
                cdata(name)
            )?;
        }
        if let Some(id) = thumbnail {
            write!(
                out,
                "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>{id}</wp:meta_value></wp:postmeta>"
            )?;
        }
        for c in &story.comments {
            let (approved, kind) = match c.id % 100 {
                0 => ("0", ""),
                1 => ("spam", ""),
                2 if c.parent_id.is_none() => ("1", "pingback"),
                _ => ("1", "comment"),
            };
            write!(
                out,
                "\n<wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author>{}</wp:comment_author>\
                 <wp:comment_author_email>{}</wp:comment_author_email><wp:comment_author_url></wp:comment_author_url>\
                 <wp:comment_author_IP>192.0.2.{}</wp:comment_author_IP><wp:comment_date>{}</wp:comment_date>\
                 <wp:comment_date_gmt>{}</wp:comment_date_gmt><wp:comment_content>{}</wp:comment_content>\
                 <wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>\
                 <wp:comment_parent>{}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>",
                c.id,
                cdata(c.name),
                cdata(&c.email),
                c.id % 250,
                date(c.created_at),
                date(c.created_at),
                cdata(&c.body),
                c.parent_id.unwrap_or(0)
            )?;
        }
        writeln!(out, "</item>")?;
    }
    writeln!(
        out,
        "<item><title>About us</title><link>{BASE}/about/</link><dc:creator>editor</dc:creator>\
         <content:encoded>{}</content:encoded><wp:post_id>2</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>\
         <wp:post_name>about</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>\n\
         <item><title>Home</title><wp:post_id>3</wp:post_id><wp:status>publish</wp:status>\
         <wp:post_type>nav_menu_item</wp:post_type></item>\n</channel>\n</rss>",
        cdata("We have reported on the city since 1923.\n\nWrite to us.")
    )?;
    out.flush()
}
