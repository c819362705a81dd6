//! Pushing blobs: cross-repository mounts, monolithic uploads for small blobs
//! and chunked `PATCH` uploads (with `Content-Range`) for large ones. The
//! registry's `Location` may be relative or absolute, and changes after each
//! chunk (Distribution signs its upload state into it): the latest one is used.

use super::auth::same_origin;
use super::client::{RegistryClient, check_repository, push_scope};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RANGE};
use url::Url;

/// An upload session the registry opened.
#[derive(Debug, Clone)]
pub struct Upload {
    repository: String,
    url: Url,
    /// Bytes the registry has taken so far.
    pub offset: u64,
}

/// What a mount request did.
#[derive(Debug)]
pub enum Mounted {
    /// 201: the blob is in the repository now.
    Done,
    /// 202: the registry would not mount; it opened an upload instead.
    Upload(Upload),
}

/// Chunks re-sent after a 416 before giving up (the registry keeps disagreeing).
const MAX_RESYNCS: usize = 3;

impl RegistryClient {
    /// `POST …/blobs/uploads/?mount=DIGEST&from=FROM`: asks for pull on `from`
    /// and push on `repository` in one token.
    pub async fn mount_blob(
        &self,
        repository: &str,
        digest: &Digest,
        from: &str,
    ) -> Result<Mounted> {
        check_repository(from)?;
        let mut url = self.uploads_url(repository)?;
        url.query_pairs_mut()
            .append_pair("mount", &digest.to_string())
            .append_pair("from", from);
        let scope = format!("{} repository:{from}:pull", push_scope(repository));
        let resp = self.send(Method::POST, &url, &scope, None).await?;
        match resp.status().as_u16() {
            201 => Ok(Mounted::Done),
            202 => Ok(Mounted::Upload(self.upload_from(repository, &resp, 0)?)),
            // No pull on `from` for these credentials (or no such blob there):
            // the bytes go up the ordinary way.
            401 | 403 | 404 => {
                tracing::info!(%digest, from, "mount refused; uploading instead");
                Ok(Mounted::Upload(self.start_upload(repository).await?))
            }
            _ => Err(self
                .error_from(resp, &format!("mounting {digest} into {repository}"))
                .await),
        }
    }

    /// `POST …/blobs/uploads/`: opens an upload session.
    pub async fn start_upload(&self, repository: &str) -> Result<Upload> {
        let url = self.uploads_url(repository)?;
        let resp = self
            .send(Method::POST, &url, &push_scope(repository), None)
            .await?;
        if resp.status().as_u16() != 202 {
            return Err(self
                .error_from(resp, &format!("an upload to {repository}"))
                .await);
        }
        self.upload_from(repository, &resp, 0)
    }

    /// `PATCH` one chunk at the upload's offset. On a 416 the registry's own
    /// offset is asked for and the chunk re-sent from there (when the registry
    /// has part of this chunk; a registry that lost earlier chunks is an error).
    pub async fn upload_chunk(&self, upload: &mut Upload, chunk: bytes::Bytes) -> Result<()> {
        let chunk_start = upload.offset;
        for _ in 0..=MAX_RESYNCS {
            let skip = upload.offset.saturating_sub(chunk_start);
            let rest = usize::try_from(skip)
                .ok()
                .and_then(|s| chunk.get(s..))
                .map(|r| chunk.slice_ref(r))
                .ok_or_else(|| self.invalid("the upload's offset went past the chunk"))?;
            if rest.is_empty() {
                return Ok(());
            }
            let (resp, end) = self.patch(upload, rest).await?;
            match resp.status().as_u16() {
                202 => {
                    *upload = self.upload_from(&upload.repository, &resp, end.saturating_add(1))?;
                    return Ok(());
                }
                416 => self.resync(upload, chunk_start).await?,
                _ => {
                    let what = format!("a chunk of an upload to {}", upload.repository);
                    return Err(self.error_from(resp, &what).await);
                }
            }
        }
        Err(self.invalid("the registry kept refusing the upload's chunks (416)"))
    }

    /// One `PATCH` of `bytes` (not empty) at the upload's offset, with its
    /// inclusive `Content-Range`; returns the answer and the range's end.
    async fn patch(
        &self,
        upload: &Upload,
        bytes: bytes::Bytes,
    ) -> Result<(reqwest::Response, u64)> {
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let end = upload.offset.saturating_add(len).saturating_sub(1);
        let range = format!("{}-{end}", upload.offset);
        let resp = self
            .send_with(
                Method::PATCH,
                &upload.url,
                &push_scope(&upload.repository),
                |req| {
                    req.header(CONTENT_TYPE, "application/octet-stream")
                        .header("content-range", &range)
                        .header(CONTENT_LENGTH, bytes.len())
                        .body(bytes.clone())
                },
            )
            .await?;
        Ok((resp, end))
    }

    /// `GET` the upload's status: its `Range: 0-N` says where to go on.
    async fn resync(&self, upload: &mut Upload, chunk_start: u64) -> Result<()> {
        let url = upload.url.clone();
        let resp = self
            .send(Method::GET, &url, &push_scope(&upload.repository), None)
            .await?;
        if resp.status().as_u16() != 204 {
            let what = format!("the status of an upload to {}", upload.repository);
            return Err(self.error_from(resp, &what).await);
        }
        // Distribution writes `0-0` for an empty upload as well as for one
        // byte; chunks are never one byte long, so it is read as empty.
        let taken = resp
            .headers()
            .get(RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_range_end)
            .map_or(0, |end| if end == 0 { 0 } else { end.saturating_add(1) });
        if taken < chunk_start {
            return Err(self.invalid(&format!(
                "the registry lost part of an upload to {} (it has {taken} bytes, {chunk_start} were sent)",
                upload.repository
            )));
        }
        *upload = self.upload_from(&upload.repository, &resp, taken)?;
        tracing::info!(offset = taken, "upload resumed after a 416");
        Ok(())
    }

    /// `PUT …?digest=`: closes the upload with its last bytes (maybe none).
    /// The registry checks the digest too; its answer must name the same one.
    pub async fn finish_upload(
        &self,
        upload: Upload,
        digest: &Digest,
        last: bytes::Bytes,
    ) -> Result<()> {
        let mut url = upload.url.clone();
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let resp = self
            .send_with(Method::PUT, &url, &push_scope(&upload.repository), |req| {
                req.header(CONTENT_TYPE, "application/octet-stream")
                    .header(CONTENT_LENGTH, last.len())
                    .body(last.clone())
            })
            .await?;
        if resp.status().as_u16() != 201 {
            let what = format!("blob {digest} in {}", upload.repository);
            return Err(self.error_from(resp, &what).await);
        }
        let stored = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<Digest>().ok());
        match stored {
            Some(stored) if stored != *digest => Err(Error::DigestMismatch {
                what: format!("blob stored in {}", upload.repository),
                expected: digest.clone(),
                actual: stored,
            }),
            _ => Ok(()),
        }
    }

    /// `DELETE` an upload that will not be finished (best effort: the
    /// registry purges stale uploads anyway).
    pub async fn cancel_upload(&self, upload: Upload) {
        let scope = push_scope(&upload.repository);
        if let Err(e) = self.send(Method::DELETE, &upload.url, &scope, None).await {
            tracing::debug!(error = %e, "cancelling an upload");
        }
    }

    fn uploads_url(&self, repository: &str) -> Result<Url> {
        check_repository(repository)?;
        let mut url = self.base_url().clone();
        url.path_segments_mut()
            .map_err(|()| self.invalid("the registry URL cannot take a path"))?
            .pop_if_empty()
            .push("v2")
            .extend(repository.split('/'))
            .extend(["blobs", "uploads", ""]);
        Ok(url)
    }

    /// The session a response's `Location` names, resolved against the
    /// request (relative or absolute); it must stay on the registry's origin,
    /// where the credentials go.
    fn upload_from(
        &self,
        repository: &str,
        resp: &reqwest::Response,
        offset: u64,
    ) -> Result<Upload> {
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.invalid("an upload answer without Location"))?;
        let url = resp
            .url()
            .join(location)
            .map_err(|_| self.invalid("an upload Location that is not a URL"))?;
        if !same_origin(&url, self.base_url()) {
            return Err(self.invalid(
                "the upload Location points at another host; regscope sends credentials only to the registry",
            ));
        }
        Ok(Upload {
            repository: repository.to_string(),
            url,
            offset,
        })
    }
}

/// `0-1234` (or `bytes=0-1234`) → 1234.
fn parse_range_end(value: &str) -> Option<u64> {
    let value = value.trim().trim_start_matches("bytes=");
    let (_, end) = value.split_once('-')?;
    end.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_distribution_writes_them() {
        assert_eq!(parse_range_end("0-1023"), Some(1023));
        assert_eq!(parse_range_end("bytes=0-99"), Some(99));
        assert_eq!(parse_range_end("0-"), None);
        assert_eq!(parse_range_end("junk"), None);
    }
}
