//! A retention plan's deleted indexes take their platform and attestation
//! manifests along when nothing else holds them (no tag, no index that stays),
//! and the bytes freed follow the registry's garbage collector: untagged
//! manifests that stay keep their blobs.

use super::PlanningData;
use crate::model::usage::{DigestObjects, freed_by};
use crate::oci::digest::Digest;
use std::collections::{HashMap, HashSet};

/// What the children of a plan's doomed indexes do.
#[derive(Debug, Default, Clone)]
pub struct Children {
    /// Each child that goes, with the index it goes after.
    pub going: Vec<(Digest, Digest)>,
    /// Each child that stays, with why.
    pub held: Vec<(Digest, String)>,
    /// Those of `held` that stay only because of `--keep-children`: untagged
    /// manifests `garbage-collect --delete-untagged` would collect.
    pub kept_untagged: Vec<Digest>,
}

/// Which children of the `doomed` indexes go; with `keep`, none do.
pub fn children_of(data: &PlanningData, doomed: &HashSet<&Digest>, keep: bool) -> Children {
    let mut out = Children::default();
    let tagged: HashSet<&Digest> = data.images.iter().map(|i| &i.digest).collect();
    let mut seen: HashSet<&Digest> = HashSet::new();
    for index in data.images.iter().filter(|i| doomed.contains(&i.digest)) {
        for child in &index.children {
            if doomed.contains(child) || !seen.insert(child) {
                continue;
            }
            let also_listed = data
                .images
                .iter()
                .find(|other| !doomed.contains(&other.digest) && other.children.contains(child));
            let why = match (tagged.contains(child), also_listed) {
                (true, _) => Some("is also tagged".to_string()),
                (false, Some(other)) => Some(format!(
                    "the index {} ({}) also lists",
                    other.digest.short(),
                    other.tags.join(", ")
                )),
                (false, None) if keep => {
                    out.kept_untagged.push(child.clone());
                    Some("is kept (--keep-children)".to_string())
                }
                (false, None) => None,
            };
            match why {
                Some(why) => out.held.push((
                    child.clone(),
                    format!("kept: a child of {} that {why}", index.digest.short()),
                )),
                None => out.going.push((child.clone(), index.digest.clone())),
            }
        }
    }
    out
}

/// Every object map the collector sees: the tagged digests' and, apart, each
/// index child's (an untagged child that stays keeps its own blobs).
pub fn with_children(data: &PlanningData) -> HashMap<Digest, DigestObjects> {
    let mut all = (*data.objects).clone();
    for (child, objects) in &data.children {
        all.entry(child.clone()).or_insert_with(|| objects.clone());
    }
    all
}

/// Bytes the default collector frees (untagged children that stay keep
/// theirs) and, when some stay, what `--delete-untagged` would free.
pub fn freed(
    data: &PlanningData,
    doomed: &HashSet<&Digest>,
    children: &Children,
    keep: bool,
) -> (u64, Option<u64>) {
    let all = with_children(data);
    let mut going: Vec<&Digest> = doomed.iter().copied().collect();
    going.extend(children.going.iter().map(|(c, _)| c));
    let after_gc = freed_by(&going, &all);
    if !keep {
        return (after_gc, None);
    }
    let untagged_kept: HashSet<&Digest> = children.kept_untagged.iter().collect();
    let collected: HashMap<Digest, DigestObjects> = all
        .into_iter()
        .filter(|(d, _)| !untagged_kept.contains(d))
        .collect();
    (after_gc, Some(freed_by(&going, &collected)))
}
