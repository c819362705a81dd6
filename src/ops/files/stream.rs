//! A layer read as it streams: bytes are hashed and counted on the way in,
//! decompressed, and only the tar headers are kept. The blob's digest is
//! checked at the end; a mismatch yields no index.

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::layer::format::Compression;
use crate::oci::layer::tar_stream::{Limits, TarError, read_entries};
use crate::oci::layer::{FileEntry, LayerIndex};
use crate::source::blob::BlobBody;
use sha2::Digest as _;
use std::io::{BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn for_digest(digest: &Digest) -> Hasher {
        match digest.algorithm() {
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// Counts and hashes the compressed bytes, refusing more than `limit`, and
/// stops when the caller went away (`stop`).
struct Hashing<R> {
    inner: R,
    hasher: Hasher,
    read: u64,
    limit: u64,
    progress: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

/// Sets its flag when dropped: the reading future was, so the blocking
/// parser stops at its next read instead of inflating on for no one.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read = self.read.saturating_add(n as u64);
        self.progress.store(self.read, Ordering::Relaxed);
        if self.read > self.limit {
            return Err(std::io::Error::other(format!(
                "the blob is larger than the {} bytes its descriptor says",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// The async body's chunks, read from a blocking thread.
struct Chunks {
    rx: tokio::sync::mpsc::Receiver<bytes::Bytes>,
    current: bytes::Bytes,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

pub struct StreamRequest {
    pub digest: Digest,
    /// The descriptor's size: the most bytes accepted.
    pub size: u64,
    pub limits: Limits,
    pub progress: Arc<AtomicU64>,
    /// A path the format itself adds (eStargz's `stargz.index.json`), left out.
    pub hide: Option<&'static [u8]>,
}

/// Indexes the blob in `body`.
pub async fn index_stream(body: BlobBody, req: StreamRequest, what: &str) -> Result<LayerIndex> {
    let failed = |e: String| Error::InvalidResponse {
        registry: what.to_string(),
        detail: e,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    let (rx_result, forwarded) = match body {
        BlobBody::File(file) => {
            let task = tokio::task::spawn_blocking(move || parse(file, req, stop));
            (task.await, Ok(()))
        }
        BlobBody::Response(mut resp) => {
            let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(16);
            let reader = Chunks {
                rx,
                current: bytes::Bytes::new(),
            };
            let task = tokio::task::spawn_blocking(move || parse(reader, req, stop));
            let forward = async {
                loop {
                    match resp.chunk().await {
                        Ok(Some(chunk)) => {
                            if tx.send(chunk).await.is_err() {
                                return Ok(()); // the parser stopped: its error says why
                            }
                        }
                        Ok(None) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
            };
            let forwarded = forward.await;
            drop(tx);
            (task.await, forwarded)
        }
    };
    if let Err(e) = forwarded {
        return Err(Error::Transport {
            registry: what.to_string(),
            detail: match e.is_timeout() {
                true => "timed out reading the layer: the registry stalled or trickled; --timeout raises the deadline".into(),
                false => format!("reading the layer failed: {e}"),
            },
        });
    }
    let parsed = rx_result.map_err(|e| failed(format!("the layer reader failed: {e}")))?;
    parsed.map_err(|e| match e {
        ParseError::Digest { expected, actual } => Error::DigestMismatch {
            what: what.to_string(),
            expected,
            actual,
        },
        ParseError::Tar(TarError::TooLarge(limit)) => Error::TooLarge {
            what: format!("{what} once decompressed"),
            limit,
        },
        ParseError::Tar(e) => failed(e.to_string()),
    })
}

enum ParseError {
    Tar(TarError),
    Digest { expected: Digest, actual: Digest },
}

fn parse<R: Read>(
    input: R,
    req: StreamRequest,
    stop: Arc<AtomicBool>,
) -> std::result::Result<LayerIndex, ParseError> {
    let mut hashing = Hashing {
        inner: input,
        hasher: Hasher::for_digest(&req.digest),
        read: 0,
        limit: req.size,
        progress: req.progress.clone(),
        stop,
    };
    // The magic is read whole (a first chunk may be shorter), then put back.
    let mut head = Vec::with_capacity(4);
    (&mut hashing)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| ParseError::Tar(e.into()))?;
    let compression = Compression::sniff(&head);
    let mut buffered = BufReader::with_capacity(256 * 1024, (&head[..]).chain(&mut hashing));
    let limits = req.limits;
    let (mut entries, tar_bytes) = match compression {
        Compression::Gzip => {
            read_entries(flate2::bufread::MultiGzDecoder::new(&mut buffered), limits)
        }
        Compression::Zstd => zstd::stream::read::Decoder::with_buffer(&mut buffered)
            .map_err(TarError::from)
            .and_then(|d| read_entries(d, limits)),
        Compression::None => read_entries(&mut buffered, limits),
    }
    .map_err(ParseError::Tar)?;
    // The rest (tar padding, an eStargz TOC and footer) still counts for the digest.
    std::io::copy(&mut buffered, &mut std::io::sink()).map_err(|e| ParseError::Tar(e.into()))?;
    drop(buffered);
    let actual: Digest = hashing
        .hasher
        .finish()
        .parse()
        .map_err(|_| ParseError::Tar(TarError::NotTar("no digest".into())))?;
    if actual != req.digest {
        return Err(ParseError::Digest {
            expected: req.digest,
            actual,
        });
    }
    if let Some(hidden) = req.hide {
        entries.retain(|e: &FileEntry| &*e.path != hidden);
    }
    Ok(LayerIndex {
        entries,
        uncompressed_size: tar_bytes,
        format: compression.label().to_string(),
    })
}
