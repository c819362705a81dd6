//! What the registry's garbage collector would do to a repository: the
//! untagged children of tagged indexes, which Distribution 2.x's
//! `garbage-collect --delete-untagged` deletes (breaking those indexes), and,
//! when the storage can be read, the dangling manifests (untagged, listed by
//! nothing) that it would reclaim safely.

use crate::model::usage::freed_by;
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::ops::usage::digest_objects;
use crate::store::CachedSource;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A manifest nothing tags or lists, and the bytes collecting it frees.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dangling {
    pub repository: String,
    pub digest: Digest,
    pub bytes: u64,
}

/// The collector's dangers, summed over the repositories checked. JSON field
/// names are a documented contract.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct CollectorRisk {
    /// Untagged manifests that tagged indexes list: `--delete-untagged`
    /// deletes them on Distribution 2.x.
    pub index_children_at_risk: usize,
    /// Tagged indexes it would break (one or more children gone).
    pub indexes_at_risk: usize,
    /// Untagged manifests nothing lists (`check --storage` only; `null`
    /// without: the registry's API lists no untagged manifest).
    pub dangling: Option<Vec<Dangling>>,
    pub dangling_bytes: Option<u64>,
}

impl CollectorRisk {
    /// Counts the untagged children of the `tagged` indexes.
    pub fn add_index_children(&mut self, tagged: &[std::sync::Arc<Manifest>]) {
        let present: BTreeSet<&Digest> = tagged.iter().map(|m| &m.digest).collect();
        let mut seen: BTreeSet<&Digest> = BTreeSet::new();
        let mut at_risk: BTreeSet<Digest> = BTreeSet::new();
        for index in tagged.iter().filter(|m| m.kind == ManifestKind::Index) {
            if !seen.insert(&index.digest) {
                continue;
            }
            let children: Vec<Digest> = index
                .doc
                .manifests
                .iter()
                .filter_map(|d| d.parsed_digest().ok())
                .filter(|d| !present.contains(d))
                .collect();
            if !children.is_empty() {
                self.indexes_at_risk += 1;
            }
            at_risk.extend(children);
        }
        self.index_children_at_risk += at_risk.len();
    }

    /// Adds the dangling manifests of `repo`: of `revisions` (every manifest
    /// the storage holds for it), those no tag names and no manifest lists.
    pub async fn add_dangling(
        &mut self,
        source: &CachedSource,
        repo: &str,
        revisions: &[Digest],
        tagged: &BTreeSet<Digest>,
    ) -> Result<()> {
        let display = source.source().display_repository(repo);
        let mut objects = HashMap::new();
        let mut listed: BTreeSet<Digest> = BTreeSet::new();
        for digest in revisions {
            let manifest = match source.manifest(repo, digest).await {
                Ok(m) => m,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            listed.extend(
                manifest
                    .doc
                    .manifests
                    .iter()
                    .filter_map(|d| d.parsed_digest().ok()),
            );
            objects.insert(digest.clone(), digest_objects(source, repo, digest).await?);
        }
        let dangling: Vec<&Digest> = objects
            .keys()
            .filter(|d| !tagged.contains(*d) && !listed.contains(*d))
            .collect();
        self.record_dangling(&display, &dangling, &objects);
        Ok(())
    }

    /// Each dangling manifest with what deleting it alone frees, and the total.
    fn record_dangling(
        &mut self,
        repository: &str,
        dangling: &[&Digest],
        objects: &HashMap<Digest, crate::model::usage::DigestObjects>,
    ) {
        let found = self.dangling.get_or_insert_with(Vec::new);
        for digest in dangling {
            found.push(Dangling {
                repository: repository.to_string(),
                digest: (*digest).clone(),
                bytes: freed_by(&[digest], objects),
            });
        }
        let bytes = freed_by(dangling, objects);
        let total = self.dangling_bytes.get_or_insert(0);
        *total = total.saturating_add(bytes);
    }
}
