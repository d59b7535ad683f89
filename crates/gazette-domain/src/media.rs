use crate::{ArticleId, MediaId};
use serde::Serialize;

/// An image or file, by address: Gazette keeps what describes it, not the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Media {
    /// Database id.
    pub id: MediaId,
    /// Where the file is (absolute, or a path on this site).
    pub url: String,
    /// Its title.
    pub title: String,
    /// The text a screen reader says instead of the image.
    pub alt_text: String,
    /// `image/jpeg`, `application/pdf`…
    pub mime_type: String,
    /// The article it was uploaded to.
    pub article_id: Option<ArticleId>,
    /// Unix seconds.
    pub created_at: i64,
}

impl Media {
    /// Whether it can be shown as an `<img>`.
    pub fn is_image(&self) -> bool {
        self.mime_type.starts_with("image/")
    }
}

/// A media record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMedia {
    /// Where the file is.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Alternative text.
    pub alt_text: String,
    /// Its MIME type.
    pub mime_type: String,
    /// The article it belongs to.
    pub article_id: Option<ArticleId>,
    /// Unix seconds.
    pub created_at: i64,
}

/// The MIME type of a file by its address's extension (`application/octet-stream` when unknown).
pub fn mime_type_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types_come_from_the_extension_without_the_query() {
        assert_eq!(mime_type_of("https://x.test/a/b.JPG?w=300"), "image/jpeg");
        assert_eq!(mime_type_of("/files/report.pdf"), "application/pdf");
        assert_eq!(
            mime_type_of("https://x.test/noext"),
            "application/octet-stream"
        );
    }
}
