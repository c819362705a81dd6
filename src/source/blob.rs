//! A blob opened for streaming (a layer is too big to hold): the registry's
//! answer, or a layout's file; optionally a byte range of it.

use super::{Source, on_disk};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::registry::transport::RetryPolicy;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

pub enum BlobBody {
    Response(reqwest::Response),
    File(std::io::Take<std::fs::File>),
}

/// An opened blob, and whether it is the range asked for (a registry may
/// ignore `Range` and send everything).
pub struct OpenedBlob {
    pub body: BlobBody,
    pub ranged: bool,
}

impl BlobBody {
    /// All of it (a range, a table of contents), at most `limit` bytes.
    pub async fn read_all(self, limit: u64, what: &str) -> Result<bytes::Bytes> {
        match self {
            BlobBody::Response(resp) => {
                crate::registry::transport::read_capped(resp, limit, what).await
            }
            BlobBody::File(file) => {
                let what = what.to_string();
                tokio::task::spawn_blocking(move || {
                    let mut raw = Vec::new();
                    file.take(limit.saturating_add(1))
                        .read_to_end(&mut raw)
                        .map_err(|e| Error::Config(format!("cannot read {what}: {e}")))?;
                    if raw.len() as u64 > limit {
                        return Err(Error::TooLarge { what, limit });
                    }
                    Ok(bytes::Bytes::from(raw))
                })
                .await
                .map_err(|e| Error::Config(format!("layout task failed: {e}")))?
            }
        }
    }
}

impl Source {
    /// Opens `digest` of `repository` to read as it comes; `range` asks for
    /// bytes `start..end`. `policy` bounds the whole read of a registry blob.
    pub async fn open_blob(
        &self,
        repository: &str,
        digest: &Digest,
        range: Option<Range<u64>>,
        policy: &RetryPolicy,
    ) -> Result<OpenedBlob> {
        match self {
            Source::Registry(client) => {
                let asked = range.is_some();
                let resp = client
                    .blob_response(repository, digest, range, policy)
                    .await?;
                let ranged = asked && resp.status().as_u16() == 206;
                Ok(OpenedBlob {
                    body: BlobBody::Response(resp),
                    ranged,
                })
            }
            Source::Layout(store) => {
                let (repo, digest) = (repository.to_string(), digest.clone());
                let path = on_disk(store, move |s| s.blob_path(&repo, &digest)).await?;
                let mut file = std::fs::File::open(&path)
                    .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
                let (start, len) = match &range {
                    Some(r) => (r.start, r.end.saturating_sub(r.start)),
                    None => (0, u64::MAX),
                };
                file.seek(SeekFrom::Start(start))
                    .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
                Ok(OpenedBlob {
                    body: BlobBody::File(file.take(len)),
                    ranged: range.is_some(),
                })
            }
        }
    }

    /// The transport's policy for one operation (a registry's `--timeout`).
    pub fn retry_policy(&self) -> RetryPolicy {
        match self {
            Source::Registry(client) => client.retry_policy(),
            Source::Layout(_) => RetryPolicy::default(),
        }
    }
}
