//! What the repository says right now, read from the registry (never the
//! store) right before a DELETE: every tag and the digest it names, from a
//! complete listing, and which tagged indexes list a digest.

use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::manifest::ManifestKind;
use crate::store::CachedSource;
use futures_util::{StreamExt, TryStreamExt};
use std::collections::{HashSet, VecDeque};

/// Index levels followed below a tagged index (an index of indexes is rare).
const MAX_INDEX_DEPTH: usize = 4;
/// Manifests read while looking for a digest's parents, at most.
const MAX_INDEX_READS: usize = 10_000;

/// Every tag of a repository with its digest, at one moment.
pub struct Moment {
    tags: Vec<(String, Digest)>,
}

/// A tagged index that lists a digest (at any depth).
pub struct Parent {
    pub digest: Digest,
    pub tags: Vec<String>,
}

/// The tag list could not be read whole: no tag set is known.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the tag list of {repo} is incomplete ({why}): every tag on the digest cannot be confirmed; not deleting it"
)]
pub struct IncompleteListing {
    pub repo: String,
    pub why: String,
}

impl Moment {
    /// Lists and resolves every tag; `Ok(Err(why))` when the listing is
    /// incomplete (a page cap, a looping link): then no tag set is known.
    pub async fn read(
        source: &CachedSource,
        repo: &str,
        concurrency: usize,
    ) -> Result<std::result::Result<Moment, IncompleteListing>> {
        let listing = source.source().tags(repo).await?;
        if let Some(why) = listing.incomplete {
            return Ok(Err(IncompleteListing {
                repo: repo.to_string(),
                why: why.to_string(),
            }));
        }
        let tags = listing.items;
        let resolved = match source.source().resolve_all(repo, &tags).await? {
            Some(all) => all,
            None => {
                futures_util::stream::iter(tags)
                    .map(|tag| async move {
                        match source.source().resolve(repo, &tag).await {
                            Ok(d) => Ok(Some((tag, d))),
                            Err(e) if e.is_not_found() => Ok(None),
                            Err(e) => Err(e),
                        }
                    })
                    .buffer_unordered(concurrency.max(1))
                    .try_filter_map(|found| async move { Ok(found) })
                    .try_collect()
                    .await?
            }
        };
        Ok(Ok(Moment { tags: resolved }))
    }

    /// The tags naming `digest`, in natural order.
    pub fn tags_on(&self, digest: &Digest) -> Vec<String> {
        let mut on: Vec<String> = self
            .tags
            .iter()
            .filter(|(_, d)| d == digest)
            .map(|(t, _)| t.clone())
            .collect();
        crate::model::tag_order::sort_natural(&mut on);
        on
    }

    fn tagged_digests(&self) -> Vec<Digest> {
        let mut seen = HashSet::new();
        self.tags
            .iter()
            .map(|(_, d)| d.clone())
            .filter(|d| seen.insert(d.clone()))
            .collect()
    }

    /// The tagged indexes that list `digest`, directly or through a nested
    /// index (referrers tag-schema indexes aside: they lose an entry). Content by digest is immutable, so the store may answer it;
    /// which digests are tagged came from the registry just now.
    pub async fn parents_of(
        &self,
        source: &CachedSource,
        repo: &str,
        digest: &Digest,
    ) -> Result<Vec<Parent>> {
        let mut parents = Vec::new();
        let mut reads = 0usize;
        for top in self.tagged_digests() {
            let tags = self.tags_on(&top);
            if top == *digest {
                continue;
            }
            // A referrers tag-schema index loses an entry, it does not break.
            if tags
                .iter()
                .all(|t| crate::model::attached::schema_subject(t).is_some())
                && lists_no_platform(source, repo, &top).await?
            {
                continue;
            }
            if lists(source, repo, &top, digest, &mut reads).await? {
                parents.push(Parent { tags, digest: top });
            }
        }
        Ok(parents)
    }
}

/// Whether `index` lists only artifacts (no entry names a platform): a
/// referrers index, not an image that a deletion could break.
async fn lists_no_platform(source: &CachedSource, repo: &str, index: &Digest) -> Result<bool> {
    match source.manifest(repo, index).await {
        Ok(m) => Ok(m.doc.manifests.iter().all(|d| d.platform.is_none())),
        Err(e) if e.is_not_found() => Ok(true),
        Err(e) => Err(e),
    }
}

/// Whether the manifest `top` (an index, at any depth) lists `wanted`.
pub async fn lists(
    source: &CachedSource,
    repo: &str,
    top: &Digest,
    wanted: &Digest,
    reads: &mut usize,
) -> Result<bool> {
    Ok(walk(source, repo, top, reads).await?.contains(wanted))
}

/// Every digest the index `top` lists, at any depth (empty for an image).
pub async fn descendants(
    source: &CachedSource,
    repo: &str,
    top: &Digest,
) -> Result<HashSet<Digest>> {
    walk(source, repo, top, &mut 0).await
}

/// The manifests below `top`, following entries whose descriptors say they
/// are indexes. A manifest that is gone lists nothing; any other failure is
/// an error; past the read bound the answer is unknown, so an error too.
async fn walk(
    source: &CachedSource,
    repo: &str,
    top: &Digest,
    reads: &mut usize,
) -> Result<HashSet<Digest>> {
    let mut queue = VecDeque::from([(top.clone(), 0usize)]);
    let mut seen = HashSet::new();
    let mut below = HashSet::new();
    while let Some((digest, depth)) = queue.pop_front() {
        if !seen.insert(digest.clone()) {
            continue;
        }
        if *reads >= MAX_INDEX_READS {
            return Err(crate::oci::Error::Config(format!(
                "more than {MAX_INDEX_READS} indexes to look through below {}",
                top.short()
            )));
        }
        *reads += 1;
        let manifest = match source.manifest(repo, &digest).await {
            Ok(m) => m,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        if manifest.kind != ManifestKind::Index {
            continue;
        }
        for entry in manifest.doc.manifests.iter() {
            let Ok(child) = entry.parsed_digest() else {
                continue;
            };
            // Entries that say they are images are not read (a GET each);
            // an index, or an entry that says nothing known, is followed.
            let image = ManifestKind::of_media_type(&entry.media_type) == ManifestKind::Image;
            if !image {
                if depth + 1 >= MAX_INDEX_DEPTH {
                    return Err(crate::oci::Error::Config(format!(
                        "indexes nested more than {MAX_INDEX_DEPTH} deep below {}",
                        top.short()
                    )));
                }
                queue.push_back((child.clone(), depth + 1));
            }
            below.insert(child);
        }
    }
    Ok(below)
}
