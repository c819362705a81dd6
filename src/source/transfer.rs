//! Moving a blob from one source to another as it streams: its bytes are
//! checked against the descriptor (size and digest) on the way, and the
//! destination commits it only once the last byte has verified. Memory is two
//! chunks per blob in flight (one going up, the next being read), whatever
//! the blob's size.

use super::blob::BlobBody;
use super::{Source, on_disk};
use crate::oci::digest::{Digest, DigestHasher};
use crate::oci::error::{Error, Result};
use crate::registry::RegistryClient;
use crate::registry::upload::{Mounted, Upload};
use std::io::Read;

/// Bytes per upload chunk: blobs up to this size go in one `PUT`.
pub const CHUNK: usize = 5 * 1024 * 1024;
/// Bytes read from a layout file at a time.
const FILE_READ: usize = 1024 * 1024;

/// A source blob being read, checked against what its descriptor claims.
pub struct CheckedBlob {
    body: Option<BlobBody>,
    hasher: DigestHasher,
    expected: Digest,
    size: u64,
    /// Bytes read but not yet handed out (a response's piece past a chunk's end).
    spill: bytes::Bytes,
    what: String,
}

impl CheckedBlob {
    pub fn new(body: BlobBody, expected: &Digest, size: u64, what: String) -> CheckedBlob {
        CheckedBlob {
            body: Some(body),
            hasher: expected.hasher(),
            expected: expected.clone(),
            size,
            spill: bytes::Bytes::new(),
            what,
        }
    }

    /// Up to `max` bytes; `true` with the last ones. More bytes than the
    /// descriptor's size stop the read at once.
    pub async fn fill(&mut self, max: usize) -> Result<(bytes::Bytes, bool)> {
        let left = self.size.saturating_sub(self.hasher.bytes);
        let mut out = bytes::BytesMut::with_capacity(usize::try_from(left).unwrap_or(max).min(max));
        loop {
            if self.spill.is_empty() {
                match self.next_piece().await? {
                    Some(piece) => self.spill = piece,
                    None => return Ok((out.freeze(), true)),
                }
            }
            let take = self.spill.len().min(max - out.len());
            let piece = self.spill.split_to(take);
            self.hasher.update(&piece);
            if self.hasher.bytes > self.size {
                return Err(self.lie(format!(
                    "more than the {} bytes its descriptor says",
                    self.size
                )));
            }
            out.extend_from_slice(&piece);
            if out.len() == max {
                return Ok((out.freeze(), false));
            }
        }
    }

    async fn next_piece(&mut self) -> Result<Option<bytes::Bytes>> {
        match self.body.take() {
            None => Ok(None),
            Some(BlobBody::Response(mut resp)) => {
                let piece = resp
                    .chunk()
                    .await
                    .map_err(|e| self.read_error(&e.to_string()))?;
                if piece.is_some() {
                    self.body = Some(BlobBody::Response(resp));
                }
                Ok(piece)
            }
            Some(BlobBody::File(mut file)) => {
                let (file, piece) = tokio::task::spawn_blocking(move || {
                    let mut buf = vec![0; FILE_READ];
                    let read = file.read(&mut buf).map(|n| {
                        buf.truncate(n);
                        buf
                    });
                    (file, read)
                })
                .await
                .map_err(|e| Error::Config(format!("layout task failed: {e}")))?;
                let piece = piece.map_err(|e| self.read_error(&e.to_string()))?;
                if piece.is_empty() {
                    return Ok(None);
                }
                self.body = Some(BlobBody::File(file));
                Ok(Some(bytes::Bytes::from(piece)))
            }
        }
    }

    /// At the end: every byte read, and their digest, as the descriptor says.
    pub fn verify(self) -> Result<u64> {
        if self.hasher.bytes != self.size {
            let read = self.hasher.bytes;
            return Err(self.lie(format!(
                "{read} bytes where its descriptor says {}",
                self.size
            )));
        }
        let actual = self.hasher.finish();
        if actual != self.expected {
            return Err(Error::DigestMismatch {
                what: self.what,
                expected: self.expected,
                actual,
            });
        }
        Ok(self.size)
    }

    fn lie(&self, detail: String) -> Error {
        Error::InvalidResponse {
            registry: self.what.clone(),
            detail: format!("the source sent {detail}; nothing was written for it"),
        }
    }

    fn read_error(&self, detail: &str) -> Error {
        Error::Transport {
            registry: self.what.clone(),
            detail: crate::oci::text::sanitize_line(detail, 300),
        }
    }
}

impl Source {
    /// Cross-repository mount (a registry): `Ok(None)` when mounted, else the
    /// upload the registry opened instead (its 202), to stream into.
    pub async fn mount_blob(
        &self,
        repository: &str,
        digest: &Digest,
        from: &str,
    ) -> Result<Option<Upload>> {
        match self {
            Source::Registry(client) => match client.mount_blob(repository, digest, from).await? {
                Mounted::Done => Ok(None),
                Mounted::Upload(upload) => Ok(Some(upload)),
            },
            Source::Layout(store) => Err(Error::Unsupported {
                registry: store.name(),
                detail: "mounting into a layout".into(),
            }),
        }
    }

    /// Writes `blob` under its digest, chunk by chunk (into `upload` when the
    /// registry already opened one); calls `progress` with each chunk's size.
    /// Returns the bytes written.
    pub async fn write_blob(
        &self,
        repository: &str,
        blob: CheckedBlob,
        upload: Option<Upload>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        match self {
            Source::Registry(client) => {
                upload_blob(client, repository, blob, upload, progress).await
            }
            Source::Layout(store) => {
                let (repo, digest) = (repository.to_string(), blob.expected.clone());
                let dir = on_disk(store, move |s| s.blob_dir(&repo, &digest)).await?;
                write_file(&dir, blob, progress).await
            }
        }
    }
}

impl Source {
    /// Stores a manifest's exact bytes under `tag` (or untagged by digest) and
    /// checks the destination stored it under the same digest. A layout lists
    /// an untagged one in `index.json` when it is `listed` (it stands on its own).
    pub async fn store_manifest(
        &self,
        repository: &str,
        manifest: &crate::oci::manifest::Manifest,
        tag: Option<&str>,
        listed: bool,
    ) -> Result<()> {
        match self {
            Source::Registry(client) => put_manifest(client, repository, manifest, tag).await,
            Source::Layout(store) => {
                let (repo, m, tag) = (
                    repository.to_string(),
                    manifest.clone(),
                    tag.map(str::to_string),
                );
                on_disk(store, move |s| {
                    let entry = match &tag {
                        Some(tag) => Some(Some(tag.as_str())),
                        None => listed.then_some(None),
                    };
                    s.put_manifest(&repo, &m.digest, &m.media_type, &m.raw, entry)
                })
                .await
            }
        }
    }
}

/// `PUT` under the tag (or the digest); the registry must store the same digest.
async fn put_manifest(
    client: &RegistryClient,
    repository: &str,
    manifest: &crate::oci::manifest::Manifest,
    tag: Option<&str>,
) -> Result<()> {
    let digest = &manifest.digest;
    let reference = tag.map_or_else(|| digest.to_string(), str::to_string);
    let body = manifest.raw.clone();
    let stored = client
        .put_manifest(repository, &reference, &manifest.media_type, body)
        .await?;
    if stored != *digest {
        return Err(Error::DigestMismatch {
            what: format!("manifest stored as {repository}:{reference}"),
            expected: digest.clone(),
            actual: stored,
        });
    }
    Ok(())
}

/// The registry side: one `PUT` when the blob fits a chunk, else `PATCH`es
/// and a closing `PUT`. Nothing is committed until the digest verified; an
/// upload that fails is cancelled.
async fn upload_blob(
    client: &RegistryClient,
    repository: &str,
    mut blob: CheckedBlob,
    upload: Option<Upload>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let digest = blob.expected.clone();
    let mut upload = match upload {
        Some(upload) => upload,
        None => client.start_upload(repository).await?,
    };
    let outcome: Result<u64> = async {
        let (mut chunk, mut last) = blob.fill(CHUNK).await?;
        // The next chunk is read while this one goes up: two chunks in memory.
        while !last {
            let len = chunk.len() as u64;
            let (sent, next) =
                tokio::join!(client.upload_chunk(&mut upload, chunk), blob.fill(CHUNK));
            sent?;
            progress(len);
            (chunk, last) = next?;
        }
        let size = blob.verify()?;
        let len = chunk.len() as u64;
        client.finish_upload(upload.clone(), &digest, chunk).await?;
        progress(len);
        Ok(size)
    }
    .await;
    if outcome.is_err() {
        client.cancel_upload(upload).await;
    }
    outcome
}

/// The layout side: a temporary file in `blobs/<algorithm>/`, renamed to the
/// digest once it verified (removed otherwise).
async fn write_file(
    dir: &std::path::Path,
    mut blob: CheckedBlob,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| Error::Config(format!("{}: {e}", dir.display()));
    let (file, path) = tempfile::NamedTempFile::new_in(dir)
        .map_err(io)?
        .into_parts();
    let mut file = tokio::fs::File::from_std(file);
    loop {
        let (chunk, last) = blob.fill(CHUNK).await?;
        file.write_all(&chunk).await.map_err(io)?;
        progress(chunk.len() as u64);
        if last {
            break;
        }
    }
    file.sync_all().await.map_err(io)?;
    let target = dir.join(blob.expected.hex());
    let size = blob.verify()?;
    path.persist(&target).map_err(|e| io(e.error))?;
    Ok(size)
}
