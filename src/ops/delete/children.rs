//! An index's platform and attestation manifests go with it (after it, each
//! by digest) when nothing else holds them: no tag names them and no other
//! index of the repository lists them. Distribution's garbage collector keeps
//! untagged manifests and every blob they reference, so an index deleted
//! without its children frees almost nothing. A child that something holds
//! stays, and the plan says why.

use super::{DeleteGroup, DeletePlan, KeptGroup, Requested};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::ops::usage::{UsageData, digest_objects};
use crate::store::CachedSource;

/// After the planned groups, the children of each planned index that go with
/// it (after every index of the plan: a child two planned indexes list goes
/// once both are gone); `keep` (the
/// `--keep-children` of old) leaves them, and they then count as the
/// untagged manifests that keep their blobs.
pub async fn add_children(
    source: &CachedSource,
    repo: &str,
    plan: &mut DeletePlan,
    data: &mut UsageData,
    keep: bool,
) -> Result<()> {
    let planned: Vec<Digest> = plan.groups.iter().map(|g| g.digest.clone()).collect();
    let indexes: Vec<DeleteGroup> = plan
        .groups
        .iter()
        .filter(|g| is_image_index(g))
        .cloned()
        .collect();
    let mut groups: Vec<DeleteGroup> = Vec::new();
    for index in indexes {
        let manifest = source.manifest(repo, &index.digest).await?;
        for entry in &manifest.doc.manifests {
            let Ok(child) = entry.parsed_digest() else {
                continue;
            };
            if planned.contains(&child) || groups.iter().any(|g| g.digest == child) {
                continue;
            }
            if let Some(why) = held(data, &planned, &child) {
                plan.kept.push(KeptGroup {
                    repository: index.display_name.clone(),
                    digest: child.clone(),
                    tags: data.tags_of(&child),
                    reason: format!("kept: a child of {} that {why}", index.digest.short()),
                });
                continue;
            }
            let objects = match digest_objects(source, repo, &child).await {
                Ok(o) => o,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            let kind = objects.kind;
            data.objects.insert(child.clone(), objects);
            if keep {
                continue;
            }
            let mut going = DeleteGroup::new(
                &index.display_name,
                repo,
                &index.location,
                child.clone(),
                vec![Requested::Digest(child)],
            );
            going.kind = kind;
            going.child_of = Some(index.digest.clone());
            groups.push(going);
        }
    }
    plan.groups.extend(groups);
    Ok(())
}

/// An index the user (or a rule) chose, not a referrers index or a cascade.
fn is_image_index(group: &DeleteGroup) -> bool {
    group.kind == "index"
        && group.referrer_of.is_none()
        && group.orphan_of.is_none()
        && !group.emptied_index
        && group.child_of.is_none()
}

/// What holds `child` besides the planned indexes: a tag, or another index.
fn held(data: &UsageData, planned: &[Digest], child: &Digest) -> Option<String> {
    let tags = data.tags_of(child);
    if !tags.is_empty() {
        return Some(format!("is also tagged {}", tags.join(", ")));
    }
    let mut others: Vec<&Digest> = data
        .objects
        .iter()
        .filter(|(parent, o)| {
            o.kind == "index"
                && !planned.contains(parent)
                && *parent != child
                && o.objects.contains_key(child)
                && !data.tags_of(parent).is_empty()
        })
        .map(|(parent, _)| parent)
        .collect();
    others.sort();
    others.first().map(|other| {
        format!(
            "the index {} ({}) also lists",
            other.short(),
            data.tags_of(other).join(", ")
        )
    })
}
