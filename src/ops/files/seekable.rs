//! Seekable layers listed from their table of contents with Range requests:
//! eStargz (footer, then the TOC member) and zstd:chunked (the manifest the
//! annotation points at). `Ok(None)` when the registry ignores Range: then
//! the caller streams the layer.

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::layer::LayerIndex;
use crate::oci::layer::toc::{
    ESTARGZ_TOC_DIGEST, ESTARGZ_UNCOMPRESSED_SIZE, FOOTER_SIZE, TOC_TAR_NAME,
    ZSTD_CHUNKED_CHECKSUM, ZSTD_CHUNKED_POSITION, footer_toc_offset, toc_entries,
};
use crate::oci::manifest::Descriptor;
use crate::registry::transport::RetryPolicy;
use crate::source::Source;
use std::io::Read;

/// The largest table of contents read (compressed, and once decompressed):
/// one over it is refused before it is parsed, and the layer is streamed.
const TOC_LIMIT: u64 = 32 * 1024 * 1024;
const TOC_LIMIT_MIB: u64 = TOC_LIMIT >> 20;

pub enum Seekable {
    Estargz {
        toc_digest: Digest,
    },
    ZstdChunked {
        offset: u64,
        length: u64,
        uncompressed: u64,
        /// The sha256 of the compressed manifest, when annotated.
        checksum: Option<Digest>,
    },
}

impl Seekable {
    /// What the listing is checked against (part of its cache key: a table
    /// of contents is the layer's own claim, not its verified bytes).
    /// The table of contents is checked against a digest the manifest states
    /// (an unchecked one is used for this read and never stored).
    pub fn is_verified(&self) -> bool {
        match self {
            Seekable::Estargz { .. } => true,
            Seekable::ZstdChunked { checksum, .. } => checksum.is_some(),
        }
    }

    pub fn claim(&self) -> String {
        match self {
            Seekable::Estargz { toc_digest } => toc_digest.to_string(),
            Seekable::ZstdChunked {
                offset,
                length,
                checksum,
                ..
            } => match checksum {
                Some(c) => c.to_string(),
                None => format!("{offset}:{length}"),
            },
        }
    }
}

/// What the descriptor's annotations say about a table of contents.
pub fn seekable(layer: &Descriptor) -> Option<Seekable> {
    let annotations = &layer.annotations;
    if let Some(d) = annotations.get(ESTARGZ_TOC_DIGEST)
        && let Ok(toc_digest) = d.parse::<Digest>()
    {
        return Some(Seekable::Estargz { toc_digest });
    }
    let position = ZSTD_CHUNKED_POSITION
        .iter()
        .find_map(|k| annotations.get(*k))?;
    let mut parts = position.split(':').map(|p| p.parse::<u64>().ok());
    let (offset, length, uncompressed) = (parts.next()??, parts.next()??, parts.next()??);
    let checksum = annotations
        .get(ZSTD_CHUNKED_CHECKSUM)
        .and_then(|c| c.parse::<Digest>().ok());
    Some(Seekable::ZstdChunked {
        offset,
        length,
        uncompressed,
        checksum,
    })
}

pub struct Ranged<'a> {
    pub source: &'a Source,
    pub repo: &'a str,
    pub digest: &'a Digest,
    pub size: u64,
    pub policy: RetryPolicy,
    pub max_entries: usize,
    /// The image's budget, charged for every entry.
    pub image: Option<std::sync::Arc<crate::oci::layer::entry::ImageBudget>>,
}

impl Ranged<'_> {
    /// Bytes `range` of the blob, or `None` when the answer is not a range.
    async fn range(&self, range: std::ops::Range<u64>) -> Result<Option<bytes::Bytes>> {
        let len = range.end.saturating_sub(range.start);
        let opened = self
            .source
            .open_blob(self.repo, self.digest, Some(range), &self.policy)
            .await?;
        if !opened.ranged {
            return Ok(None); // dropped unread: the caller streams instead
        }
        let what = format!("a table of contents of {}", self.digest);
        let bytes = opened.body.read_all(len.min(TOC_LIMIT), &what).await?;
        Ok(Some(bytes))
    }

    fn invalid(&self, detail: String) -> Error {
        Error::InvalidResponse {
            registry: self.source.name(),
            detail: format!("layer {}: {detail}", self.digest),
        }
    }

    pub async fn index(
        &self,
        kind: &Seekable,
        uncompressed: Option<u64>,
    ) -> Result<Option<LayerIndex>> {
        match kind {
            Seekable::Estargz { toc_digest } => self.estargz(toc_digest, uncompressed).await,
            Seekable::ZstdChunked {
                offset,
                length,
                uncompressed,
                checksum,
            } => {
                let checksum = checksum.as_ref();
                self.zstd_chunked(*offset, *length, *uncompressed, checksum)
                    .await
            }
        }
    }

    async fn estargz(
        &self,
        toc_digest: &Digest,
        uncompressed: Option<u64>,
    ) -> Result<Option<LayerIndex>> {
        let footer_start = self
            .size
            .checked_sub(FOOTER_SIZE)
            .ok_or_else(|| self.invalid("smaller than an eStargz footer".into()))?;
        let Some(tail) = self.range(footer_start..self.size).await? else {
            return Ok(None);
        };
        let offset = footer_toc_offset(&tail)
            .filter(|o| *o < footer_start)
            .ok_or_else(|| self.invalid("no eStargz footer".into()))?;
        let toc_end = match tail.len() as u64 == FOOTER_SIZE
            && tail.starts_with(&[0x1f, 0x8b, 8, 4])
            && tail.get(10..12) == Some(&[26, 0])
        {
            true => footer_start,
            false => self.size - crate::oci::layer::toc::LEGACY_FOOTER_SIZE,
        };
        if toc_end.saturating_sub(offset) > TOC_LIMIT {
            return Err(self.invalid(format!("a table of contents over {TOC_LIMIT_MIB} MiB")));
        }
        let Some(member) = self.range(offset..toc_end).await? else {
            return Ok(None);
        };
        let json = toc_json(&member).map_err(|e| self.invalid(e.to_string()))?;
        if !toc_digest.matches(&json) {
            return Err(Error::DigestMismatch {
                what: format!("the eStargz table of contents of {}", self.digest),
                expected: toc_digest.clone(),
                actual: toc_digest.recompute(&json),
            });
        }
        let entries = toc_entries(&json, self.max_entries, self.image.clone())
            .map_err(|e| self.invalid(e.to_string()))?;
        Ok(Some(LayerIndex {
            entries,
            uncompressed_size: uncompressed.unwrap_or(0),
            format: "estargz".into(),
        }))
    }

    async fn zstd_chunked(
        &self,
        offset: u64,
        length: u64,
        uncompressed: u64,
        checksum: Option<&Digest>,
    ) -> Result<Option<LayerIndex>> {
        let end = offset.checked_add(length).filter(|e| *e <= self.size);
        let Some(end) = end.filter(|_| length <= TOC_LIMIT && uncompressed <= TOC_LIMIT) else {
            return Err(self.invalid(format!(
                "a zstd:chunked manifest position outside the blob or over {TOC_LIMIT_MIB} MiB"
            )));
        };
        let Some(frame) = self.range(offset..end).await? else {
            return Ok(None);
        };
        if let Some(expected) = checksum.filter(|c| !c.matches(&frame)) {
            return Err(Error::DigestMismatch {
                what: format!("the zstd:chunked manifest of {}", self.digest),
                expected: expected.clone(),
                actual: expected.recompute(&frame),
            });
        }
        let mut json = Vec::new();
        zstd::stream::read::Decoder::new(&frame[..])
            .and_then(|d| d.take(TOC_LIMIT + 1).read_to_end(&mut json))
            .map_err(|e| {
                self.invalid(format!(
                    "a zstd:chunked manifest that does not decompress ({e})"
                ))
            })?;
        if json.len() as u64 > TOC_LIMIT {
            let over = format!("a zstd:chunked manifest over {TOC_LIMIT_MIB} MiB decompressed");
            return Err(self.invalid(over));
        }
        let entries = toc_entries(&json, self.max_entries, self.image.clone())
            .map_err(|e| self.invalid(e.to_string()))?;
        Ok(Some(LayerIndex {
            entries,
            uncompressed_size: 0,
            format: "zstd:chunked".into(),
        }))
    }
}

/// The uncompressed size an eStargz layer's annotation states.
pub fn stated_uncompressed(layer: &Descriptor) -> Option<u64> {
    layer
        .annotations
        .get(ESTARGZ_UNCOMPRESSED_SIZE)?
        .parse()
        .ok()
}

/// The JSON inside the TOC member: a gzip of a tar whose entry is
/// `stargz.index.json`. Bounded by `TOC_LIMIT` once decompressed.
fn toc_json(member: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let inflated = flate2::read::MultiGzDecoder::new(member).take(TOC_LIMIT);
    let mut archive = tar::Archive::new(inflated);
    let entries = archive
        .entries()
        .map_err(|e| format!("a table of contents that is not a tar ({e})"))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| format!("a table of contents that is not a tar ({e})"))?;
        if &*entry.path_bytes() == TOC_TAR_NAME {
            // Refused on its header's word, before a byte of it is read.
            if entry.size() > TOC_LIMIT {
                return Err(format!("a table of contents over {TOC_LIMIT_MIB} MiB"));
            }
            let mut json = Vec::new();
            entry.read_to_end(&mut json).map_err(|e| e.to_string())?;
            return Ok(json);
        }
    }
    Err("a table of contents without stargz.index.json".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A TOC member whose tar header claims `size` bytes of JSON (none follow).
    fn member_claiming(size: u64) -> Vec<u8> {
        let mut h = tar::Header::new_ustar();
        h.set_path("stargz.index.json").unwrap();
        h.set_size(size);
        h.set_cksum();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(h.as_bytes()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_toc_over_the_limit_is_refused_on_its_header_before_a_byte_is_read() {
        let refused = toc_json(&member_claiming(64 << 20)).unwrap_err();
        assert!(refused.contains("over 32 MiB"), "{refused}");
        // Within the limit, the member is read (what it holds is for the
        // JSON parse to judge).
        if let Err(e) = toc_json(&member_claiming(1024)) {
            assert!(!e.contains("over 32 MiB"), "{e}");
        }
    }
}
