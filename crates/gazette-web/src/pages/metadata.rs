//! What search engines and social networks read in a page's head: schema.org JSON-LD
//! (`NewsArticle`, `WebSite`, `BreadcrumbList`) built with serde_json, and the Open Graph and
//! Twitter tags of an article. Nothing here is hand-built JSON, and the JSON is escaped so that
//! no text in it (a headline with `</script>`) can end the script element.

use gazette_core::feeds::absolute_url;
use gazette_domain::Article;
use serde::Serialize;
use serde_json::{Value, json};

/// A `<meta property=… content=…>` tag.
#[derive(Debug, Clone, Serialize)]
pub struct MetaTag {
    property: &'static str,
    content: String,
}

/// JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` written as
/// `\u003c`…, and the two line separators JavaScript once refused, so the text is inert HTML.
pub fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

fn iso(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// What an article page says about itself beyond the layout's own tags.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleMeta {
    /// `NewsArticle` JSON-LD.
    pub json_ld: String,
    /// `article:*` and `og:image*` tags.
    pub tags: Vec<MetaTag>,
    /// `summary_large_image` with an image, else `summary`.
    pub twitter_card: &'static str,
    /// The featured image's absolute address, if any.
    pub image: Option<String>,
}

/// The site's identity for `publisher`.
pub struct Publisher<'a> {
    /// The site's name.
    pub name: &'a str,
    /// Absolute address of its logo, if configured.
    pub logo: Option<&'a str>,
    /// The site's address (`https://news.example`), or "" when not configured.
    pub base: &'a str,
    /// `site.language`.
    pub language: &'a str,
}

/// The `NewsArticle` and social tags of `article`, whose page is `url` (absolute).
pub fn article(article: &Article, url: &str, publisher: &Publisher<'_>) -> ArticleMeta {
    let base = publisher.base;
    let image = article
        .featured_image
        .as_ref()
        .filter(|m| m.is_image())
        .map(|m| absolute_url(base, &m.largest().0));
    let published = article.published_at.unwrap_or(article.created_at);
    let modified = if article.was_updated() {
        article.updated_at
    } else {
        published
    };
    let mut organisation = json!({
        "@type": "Organization",
        "name": publisher.name,
        "url": format!("{base}/"),
    });
    if let Some(logo) = publisher.logo {
        organisation["logo"] = json!({ "@type": "ImageObject", "url": logo });
    }
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "url": url,
        "headline": article.title,
        "description": article.excerpt,
        "datePublished": iso(published),
        "dateModified": iso(modified),
        "author": article
            .authors
            .iter()
            .map(|a| json!({
                "@type": "Person",
                "name": a.name,
                "url": format!("{base}/author/{}", a.slug),
            }))
            .collect::<Vec<_>>(),
        "publisher": organisation,
        "isAccessibleForFree": true,
        "inLanguage": publisher.language,
    });
    if let Some(image) = &image {
        data["image"] = match article.featured_image.as_ref().map(|m| m.largest()) {
            Some((_, Some(width), Some(height))) => json!([{
                "@type": "ImageObject",
                "url": image,
                "width": width,
                "height": height,
            }]),
            _ => json!([image]),
        };
    }
    if let Some(section) = article.categories.first() {
        data["articleSection"] = json!(section.name);
    }
    if !article.corrections.is_empty() {
        data["correction"] = json!(
            article
                .corrections
                .iter()
                .map(|c| json!({
                    "@type": "CorrectionComment",
                    "text": c.body,
                    "datePublished": iso(c.created_at),
                }))
                .collect::<Vec<_>>()
        );
    }
    if !article.tags.is_empty() {
        data["keywords"] = json!(article.tags.iter().map(|t| &t.name).collect::<Vec<_>>());
    }

    let mut tags = vec![
        MetaTag {
            property: "article:published_time",
            content: iso(published),
        },
        MetaTag {
            property: "article:modified_time",
            content: iso(modified),
        },
    ];
    if let Some(section) = article.categories.first() {
        tags.push(MetaTag {
            property: "article:section",
            content: section.name.clone(),
        });
    }
    for tag in &article.tags {
        tags.push(MetaTag {
            property: "article:tag",
            content: tag.name.clone(),
        });
    }
    if let Some(media) = article.featured_image.as_ref().filter(|m| m.is_image()) {
        tags.push(MetaTag {
            property: "og:image:type",
            content: media.mime_type.clone(),
        });
        if let (_, Some(width), Some(height)) = media.largest() {
            tags.push(MetaTag {
                property: "og:image:width",
                content: width.to_string(),
            });
            tags.push(MetaTag {
                property: "og:image:height",
                content: height.to_string(),
            });
        }
        if !media.alt_text.is_empty() {
            tags.push(MetaTag {
                property: "og:image:alt",
                content: media.alt_text.clone(),
            });
        }
    }
    ArticleMeta {
        json_ld: script_json(&data),
        tags,
        twitter_card: if image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        },
        image,
    }
}

/// `WebSite` JSON-LD for the front page.
pub fn website(name: &str, base: &str, description: &str) -> String {
    script_json(&json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": name,
        "description": description,
        "url": format!("{base}/"),
    }))
}

/// `BreadcrumbList` JSON-LD from the front page down: (name, path) pairs, the last this page.
pub fn breadcrumbs(base: &str, trail: &[(String, String)]) -> String {
    let items: Vec<Value> = trail
        .iter()
        .enumerate()
        .map(|(i, (name, path))| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": name,
                "item": format!("{base}{path}"),
            })
        })
        .collect();
    script_json(&json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_can_close_the_script_element() {
        let value = json!({ "headline": "</script><script>alert(1)</script> & \u{2028}" });
        let out = script_json(&value);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        let back: Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(back, value);
    }
}
