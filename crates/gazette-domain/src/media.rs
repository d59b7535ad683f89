use crate::{ArticleId, MediaId};
use serde::Serialize;

/// An image or file: one uploaded here (Gazette holds its variants) or one known by its address
/// (an imported site's uploads, which stay where they are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "MediaView")]
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
    /// The line under the picture.
    pub caption: String,
    /// Who made it ("Photo: Ana Ruiz / Gazette").
    pub credit: String,
    /// Pixels (upright), when known.
    pub width: Option<i64>,
    /// Pixels, when known.
    pub height: Option<i64>,
    /// Widths of the variants Gazette stores, smallest first; empty for media by address.
    pub variants: Vec<i64>,
    /// Who uploaded it (none for imported media).
    pub uploaded_by: Option<crate::UserId>,
}

impl Media {
    /// Whether it can be shown as an `<img>`.
    pub fn is_image(&self) -> bool {
        self.mime_type.starts_with("image/")
    }

    /// Whether Gazette holds its files (an upload), rather than only its address.
    pub fn is_upload(&self) -> bool {
        !self.variants.is_empty()
    }

    /// The extension of its variants' files.
    pub fn extension(&self) -> &'static str {
        Self::extension_of(&self.mime_type)
    }

    /// The file extension of a stored variant of `mime_type` ("bin" for a type never stored).
    pub fn extension_of(mime_type: &str) -> &'static str {
        match mime_type {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "image/gif" => "gif",
            _ => "bin",
        }
    }

    /// The width of the variant to show where about `wanted` pixels are wanted: the smallest
    /// variant at least that wide, or the largest there is; `None` for media by address.
    pub fn width_for(&self, wanted: i64) -> Option<i64> {
        self.variants
            .iter()
            .copied()
            .find(|&w| w >= wanted)
            .or(self.variants.last().copied())
    }

    /// The path of one stored variant.
    pub fn variant_path(&self, width: i64) -> String {
        format!("/media/{}/{width}.{}", self.id.0, self.extension())
    }

    /// The address to show where about `width` pixels are wanted: the smallest variant at least
    /// that wide (or the largest there is); the address itself for media by address.
    pub fn src_for(&self, width: i64) -> String {
        match self.width_for(width) {
            Some(w) => self.variant_path(w),
            None => self.url.clone(),
        }
    }

    /// The `srcset` attribute's value (empty for media by address).
    pub fn srcset(&self) -> String {
        self.variants
            .iter()
            .map(|&w| format!("{} {w}w", self.variant_path(w)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The height at `width` pixels wide, keeping the proportions.
    pub fn height_at(&self, width: i64) -> Option<i64> {
        match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 => Some((h * width + w / 2) / w),
            _ => None,
        }
    }

    /// The largest stored size (for social cards and feeds): its address, width and height.
    pub fn largest(&self) -> (String, Option<i64>, Option<i64>) {
        match self.variants.last() {
            Some(&w) => (self.variant_path(w), Some(w), self.height_at(w)),
            None => (self.url.clone(), self.width, self.height),
        }
    }

    /// Packs variant widths for storage (`480,960,1600`).
    pub fn pack_variants(widths: &[i64]) -> String {
        widths
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads widths packed by [`Media::pack_variants`].
    pub fn unpack_variants(packed: &str) -> Vec<i64> {
        packed
            .split(',')
            .filter_map(|w| w.trim().parse().ok())
            .collect()
    }
}

/// What templates and JSON see of a media record: its fields, and the addresses worked out from
/// them, so no template assembles a `srcset`.
#[derive(Debug, Serialize)]
pub struct MediaView {
    id: MediaId,
    url: String,
    title: String,
    alt_text: String,
    mime_type: String,
    article_id: Option<ArticleId>,
    created_at: i64,
    caption: String,
    credit: String,
    width: Option<i64>,
    height: Option<i64>,
    variants: Vec<i64>,
    uploaded_by: Option<crate::UserId>,
    is_image: bool,
    is_upload: bool,
    /// For an article's head image (about 960 pixels wide).
    src: String,
    /// For a teaser or the library (about 480).
    thumbnail: String,
    srcset: String,
    /// Height when shown `width` wide at `src`'s size, and at the thumbnail's.
    src_width: Option<i64>,
    src_height: Option<i64>,
    thumbnail_width: Option<i64>,
    thumbnail_height: Option<i64>,
}

impl From<Media> for MediaView {
    fn from(media: Media) -> Self {
        let src_width = media.width_for(960).or(media.width);
        let thumbnail_width = media.width_for(480).or(media.width);
        MediaView {
            src: media.src_for(960),
            thumbnail: media.src_for(480),
            srcset: media.srcset(),
            src_height: src_width.and_then(|w| media.height_at(w)),
            thumbnail_height: thumbnail_width.and_then(|w| media.height_at(w)),
            src_width,
            thumbnail_width,
            is_image: media.is_image(),
            is_upload: media.is_upload(),
            id: media.id,
            url: media.url,
            title: media.title,
            alt_text: media.alt_text,
            mime_type: media.mime_type,
            article_id: media.article_id,
            created_at: media.created_at,
            caption: media.caption,
            credit: media.credit,
            width: media.width,
            height: media.height,
            variants: media.variants,
            uploaded_by: media.uploaded_by,
        }
    }
}

/// The words an editor gives an image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaText {
    /// Its title (the library's name for it).
    pub title: String,
    /// What a screen reader says instead.
    pub alt_text: String,
    /// The line under it.
    pub caption: String,
    /// Who made it.
    pub credit: String,
}

impl MediaText {
    /// Longest title, caption or credit, in characters.
    pub const MAX_LINE: usize = 300;
    /// Longest alternative text, in characters.
    pub const MAX_ALT: usize = 1000;

    /// Trimmed, checked text (control characters become spaces); a message when a field is too long.
    pub fn checked(self) -> Result<Self, String> {
        let clean = |text: &str| -> String {
            text.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim()
                .to_owned()
        };
        let text = Self {
            title: clean(&self.title),
            alt_text: clean(&self.alt_text),
            caption: clean(&self.caption),
            credit: clean(&self.credit),
        };
        for (name, value, max) in [
            ("title", &text.title, Self::MAX_LINE),
            ("caption", &text.caption, Self::MAX_LINE),
            ("credit", &text.credit, Self::MAX_LINE),
            ("alternative text", &text.alt_text, Self::MAX_ALT),
        ] {
            if value.chars().count() > max {
                return Err(format!("The {name} is at most {max} characters."));
            }
        }
        Ok(text)
    }
}

/// One stored size of an uploaded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Its type.
    pub mime_type: String,
    /// SHA-256 of the bytes, hex: the ETag and, in `[media] dir`, the file name.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// The bytes, when the database holds them (`None`: they are in `[media] dir`).
    pub data: Option<Vec<u8>>,
}

/// An upload to store: the record and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    /// Its words.
    pub text: MediaText,
    /// The variants' type.
    pub mime_type: String,
    /// Pixels, upright.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Who uploads it.
    pub uploaded_by: crate::UserId,
    /// Smallest first.
    pub files: Vec<MediaFile>,
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
