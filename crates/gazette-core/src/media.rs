//! The media library: images uploaded by staff, checked and resized once (one at a time on each
//! node, off the async threads), stored in the database or in `[media] dir`, and served by size.

use crate::auth::Staff;
use crate::{CoreError, CoreResult, Site};
use gazette_domain::records::NewAudit;
use gazette_domain::{
    Media, MediaFile, MediaId, MediaText, NewUpload, Page, PageRequest, Permission,
};
use gazette_store::StoreError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Images on each page of the library.
pub const LIBRARY_PAGE: u32 = 24;

/// An image's stored file, ready to send.
#[derive(Debug, Clone)]
pub struct ServedFile {
    /// Its type.
    pub mime_type: String,
    /// The ETag (its hash).
    pub sha256: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Site {
    fn media_audit(&self, staff: &Staff, action: &str, detail: String) -> NewAudit {
        NewAudit {
            at: self.now(),
            actor: Some(staff.user.id),
            actor_name: staff.user.display_name.clone(),
            action: action.into(),
            comment_id: None,
            article_id: None,
            detail: detail.chars().take(200).collect(),
        }
    }

    /// Uploads an image: refused with a message unless its bytes are a JPEG, PNG, WebP or GIF
    /// within the limits; otherwise stored in every size, without its metadata. Whoever writes
    /// articles may upload.
    pub async fn upload_image(
        &self,
        staff: &Staff,
        bytes: Vec<u8>,
        text: MediaText,
    ) -> CoreResult<Media> {
        staff.require(Permission::WriteOwnArticles)?;
        let text = text.checked().map_err(CoreError::BadInput)?;
        if bytes.is_empty() {
            return Err(CoreError::BadInput("Choose an image to upload.".into()));
        }
        let limit = self.config.media.max_upload_bytes();
        if bytes.len() as u64 > limit {
            return Err(CoreError::BadInput(format!(
                "The image is larger than {} MB, the largest this site takes (media.max_upload_megabytes).",
                self.config.media.max_upload_megabytes
            )));
        }
        let processed = self
            .images
            .run(move || gazette_render::images::process(&bytes))
            .await?
            .map_err(|e| CoreError::BadInput(e.to_string()))?;
        let dir = self.config.media.dir.clone();
        let mut files = Vec::with_capacity(processed.variants.len());
        for variant in processed.variants {
            let sha256 = hex::encode(Sha256::digest(&variant.data));
            let size = variant.data.len() as i64;
            let data = match &dir {
                Some(dir) => {
                    write_file(dir, &sha256, &variant.data).await?;
                    None
                }
                None => Some(variant.data),
            };
            files.push(MediaFile {
                width: i64::from(variant.width),
                height: i64::from(variant.height),
                mime_type: processed.mime_type.into(),
                sha256,
                size,
                data,
            });
        }
        let title = text.title.clone();
        let upload = NewUpload {
            text,
            mime_type: processed.mime_type.into(),
            width: i64::from(processed.width),
            height: i64::from(processed.height),
            created_at: self.now(),
            uploaded_by: staff.user.id,
            files,
        };
        let media = self
            .store
            .create_upload(upload, self.media_audit(staff, "media.upload", title))
            .await?;
        Ok(media)
    }

    /// One page of the library, newest first.
    pub async fn media_library(&self, staff: &Staff, page: u32) -> CoreResult<Page<Media>> {
        staff.require(Permission::WriteOwnArticles)?;
        Ok(self
            .store
            .media_library(PageRequest::new(page, LIBRARY_PAGE))
            .await?)
    }

    /// One image of the library, and how many articles feature it.
    pub async fn media_for_editing(&self, staff: &Staff, id: MediaId) -> CoreResult<(Media, i64)> {
        staff.require(Permission::WriteOwnArticles)?;
        let media = self.store.media_by_id(id).await?;
        let usage = self.store.media_usage(id).await?;
        Ok((media, usage))
    }

    /// Authors may change and delete their own uploads; editors and admins any.
    fn may_change(staff: &Staff, media: &Media) -> CoreResult<()> {
        if staff.can(Permission::EditAllArticles) || media.uploaded_by == Some(staff.user.id) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(
                "Only an editor may change an image someone else uploaded.".into(),
            ))
        }
    }

    /// Rewrites an image's title, alternative text, caption and credit; pages showing it change
    /// at once.
    pub async fn update_media(
        &self,
        staff: &Staff,
        id: MediaId,
        text: MediaText,
    ) -> CoreResult<Media> {
        staff.require(Permission::WriteOwnArticles)?;
        let current = self.store.media_by_id(id).await?;
        Self::may_change(staff, &current)?;
        let text = text.checked().map_err(CoreError::BadInput)?;
        let audit = self.media_audit(
            staff,
            "media.edit",
            format!("{} (media {})", text.title, id.0),
        );
        let media = self.store.update_media(id, text, audit).await?;
        self.everything_changed().await?;
        Ok(media)
    }

    /// Deletes an image and its files; articles that featured it show none.
    pub async fn delete_media(&self, staff: &Staff, id: MediaId) -> CoreResult<()> {
        staff.require(Permission::WriteOwnArticles)?;
        let current = self.store.media_by_id(id).await?;
        Self::may_change(staff, &current)?;
        let audit = self.media_audit(
            staff,
            "media.delete",
            format!("{} (media {})", current.title, id.0),
        );
        let hashes = self.store.delete_media(id, audit).await?;
        self.everything_changed().await?;
        if let Some(dir) = &self.config.media.dir {
            for hash in hashes {
                if !self.store.media_hash_in_use(&hash).await? {
                    let path = file_path(dir, &hash);
                    if let Err(error) = tokio::fs::remove_file(&path).await
                        && error.kind() != std::io::ErrorKind::NotFound
                    {
                        tracing::warn!(path = %path.display(), %error, "could not remove a deleted image's file");
                    }
                }
            }
        }
        Ok(())
    }

    /// The file of one size of an image, for `/media/{id}/{width}.{ext}`.
    pub async fn media_file(&self, id: MediaId, width: i64) -> CoreResult<ServedFile> {
        let file = self
            .store
            .media_file(id, width)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => CoreError::NotFound("image"),
                other => other.into(),
            })?;
        let data = match (file.data, &self.config.media.dir) {
            (Some(data), _) => data,
            (None, Some(dir)) => tokio::fs::read(file_path(dir, &file.sha256))
                .await
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => CoreError::NotFound("image"),
                    _ => CoreError::Storage(format!("reading an image file: {e}")),
                })?,
            (None, None) => {
                return Err(CoreError::Storage(
                    "an image's file is kept in a media folder, but [media] dir is not set".into(),
                ));
            }
        };
        Ok(ServedFile {
            mime_type: file.mime_type,
            sha256: file.sha256,
            data,
        })
    }

    /// The featured image an editor chose, checked: it must be an image of the library.
    pub(crate) async fn checked_featured_image(
        &self,
        id: Option<MediaId>,
    ) -> CoreResult<Option<MediaId>> {
        let Some(id) = id else { return Ok(None) };
        match self.store.media_by_id(id).await {
            Ok(media) if media.is_image() => Ok(Some(id)),
            Ok(_) => Err(CoreError::BadInput(
                "The featured image must be an image, not another kind of file.".into(),
            )),
            Err(StoreError::NotFound(_)) => Err(CoreError::BadInput(
                "That featured image is no longer in the media library; choose another.".into(),
            )),
            Err(other) => Err(other.into()),
        }
    }
}

fn file_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2.min(sha256.len())]).join(sha256)
}

/// Writes a file named by its hash, whole or not at all (a temporary name, then a rename).
async fn write_file(dir: &Path, sha256: &str, data: &[u8]) -> CoreResult<()> {
    let path = file_path(dir, sha256);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    let io = |e: std::io::Error| {
        CoreError::Storage(format!("writing an image to {}: {e}", dir.display()))
    };
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(io)?;
    }
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| CoreError::Storage(format!("randomness: {e}")))?;
    let temporary = path.with_extension(format!("tmp-{}", hex::encode(nonce)));
    tokio::fs::write(&temporary, data).await.map_err(io)?;
    tokio::fs::rename(&temporary, &path).await.map_err(io)?;
    Ok(())
}
