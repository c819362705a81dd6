//! Planning a deletion: every tag that goes with each digest, the bytes freed,
//! and the indexes a digest is part of.

use super::{DeleteGroup, DeletePlan, Requested, named_tags};
use crate::model::protect::Protected;
use crate::model::usage::{DigestObjects, freed_by};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::ops::usage::{UsageData, digest_objects, repository_usage};
use crate::store::CachedSource;
use std::collections::HashMap;

fn no_progress(_done: usize, _total: usize) {}

/// What goes with the digests asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cascade {
    Nothing,
    /// Each deleted image's signatures, attestations, SBOMs, referrers index.
    Referrers,
    /// The requests are orphaned referrer tags: what an orphaned index lists
    /// goes too, and the referrers of everything that goes.
    Orphans,
}

/// How a deletion plan is made.
pub struct PlanOptions<'a> {
    pub concurrency: usize,
    /// Each deleted image's signatures, attestations, SBOMs and referrers
    /// index go too (after it).
    pub referrers: bool,
    /// An index's children stay (`--keep-children`): untagged manifests that
    /// keep their blobs through garbage collection.
    pub keep_children: bool,
    pub protected: &'a Protected,
}

/// The plan for deleting `requests` from `repo`.
pub async fn plan(
    source: &CachedSource,
    repo: &str,
    requests: &[Requested],
    options: &PlanOptions<'_>,
) -> Result<DeletePlan> {
    let cascade = match options.referrers {
        true => Cascade::Referrers,
        false => Cascade::Nothing,
    };
    plan_as(source, repo, requests, options, cascade).await
}

/// The plan for deleting orphaned signature and referrer tags (`requests`)
/// and what hangs off them (`check --prune-orphans`).
pub async fn plan_orphans(
    source: &CachedSource,
    repo: &str,
    requests: &[Requested],
    options: &PlanOptions<'_>,
) -> Result<DeletePlan> {
    plan_as(source, repo, requests, options, Cascade::Orphans).await
}

async fn plan_as(
    source: &CachedSource,
    repo: &str,
    requests: &[Requested],
    options: &PlanOptions<'_>,
    cascade: Cascade,
) -> Result<DeletePlan> {
    let mut data = repository_usage(source, repo, options.concurrency, &no_progress).await?;
    let mut plan = requested_groups(source, repo, requests, &mut data).await?;
    keep_protected(source, &mut plan, &data, options.protected);
    if source.source().deletes_single_tags() {
        narrow_to_named_tags(&mut plan, &data.objects);
    } else {
        if cascade == Cascade::Orphans {
            mark_orphans(source, repo, &mut plan, &mut data).await?;
        }
        let untagged_before: Vec<Digest> = data.objects.keys().cloned().collect();
        super::children::add_children(source, repo, &mut plan, &mut data, options.keep_children)
            .await?;
        if cascade != Cascade::Nothing {
            add_referrers(source, repo, &mut plan, &mut data).await?;
        }
        fix_referrer_indexes(source, repo, &mut plan, &data).await?;
        if options.keep_children {
            plan.freed_after_gc_delete_untagged =
                Some(freed_collecting_untagged(&plan, &data, &untagged_before));
        }
    }
    forget_parents_deleted_too(&mut plan);
    plan.bytes_freed = freed_by(&plan.going(), &data.objects);
    plan.objects = data.objects;
    Ok(plan)
}

/// One group per digest the requests name, with every tag on it; what does
/// not exist goes to `missing`.
async fn requested_groups(
    source: &CachedSource,
    repo: &str,
    requests: &[Requested],
    data: &mut UsageData,
) -> Result<DeletePlan> {
    let mut plan = DeletePlan::default();
    for request in requests {
        let Some(digest) = requested_digest(source, repo, request, data).await? else {
            plan.missing
                .push(format!("{}{request}", data.usage.repository));
            continue;
        };
        if let Some(group) = plan.groups.iter_mut().find(|g| g.digest == digest) {
            group.requested.push(request.clone());
            continue;
        }
        let mut group = DeleteGroup::new(
            &data.usage.repository,
            repo,
            &source.source().location(),
            digest.clone(),
            vec![request.clone()],
        );
        group.kind = data.objects[&digest].kind;
        group.tags = data.tags_of(&digest);
        group.bytes_freed = freed_by(&[&digest], &data.objects);
        group.part_of = indexes_listing(data, &digest);
        plan.groups.push(group);
    }
    Ok(plan)
}

/// The digest `request` names (its objects then in `data`), or `None` when
/// it does not exist.
async fn requested_digest(
    source: &CachedSource,
    repo: &str,
    request: &Requested,
    data: &mut UsageData,
) -> Result<Option<Digest>> {
    let digest = match request {
        Requested::Tag(tag) => match data.tag_digests.iter().find(|(t, _)| t == tag) {
            Some((_, d)) => d.clone(),
            None => return Ok(None),
        },
        Requested::Digest(d) => d.clone(),
    };
    if !data.objects.contains_key(&digest) {
        match digest_objects(source, repo, &digest).await {
            Ok(o) => {
                data.objects.insert(digest.clone(), o);
            }
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Ok(Some(digest))
}

/// What `garbage-collect --delete-untagged` would free: the kept children
/// (untagged) collected too.
fn freed_collecting_untagged(plan: &DeletePlan, data: &UsageData, before: &[Digest]) -> u64 {
    let without: HashMap<Digest, DigestObjects> = data
        .objects
        .iter()
        .filter(|(d, _)| before.contains(d) || planned(plan, d))
        .map(|(d, o)| (d.clone(), o.clone()))
        .collect();
    freed_by(&plan.going(), &without)
}

fn planned(plan: &DeletePlan, digest: &Digest) -> bool {
    plan.groups.iter().any(|g| g.digest == *digest)
}

/// Protected digests, indexes listing one, and digests with a protected tag
/// stay (the executor checks again at the moment of each deletion).
fn keep_protected(
    source: &CachedSource,
    plan: &mut DeletePlan,
    data: &UsageData,
    protected: &Protected,
) {
    if protected.is_empty() {
        return;
    }
    let registry = source.source().location();
    let (kept, going): (Vec<DeleteGroup>, Vec<DeleteGroup>) =
        plan.groups.drain(..).partition(|g| {
            let listed = data
                .objects
                .get(&g.digest)
                .map(|o| o.objects.keys().collect::<Vec<_>>())
                .unwrap_or_default();
            protected.protects_digest(&g.digest)
                || protected.first_of(listed).is_some()
                || g.tags
                    .iter()
                    .any(|t| protected.protects_tag(&registry, &g.repository, t))
        });
    plan.groups = going;
    plan.kept.extend(kept.into_iter().map(|g| super::KeptGroup {
        repository: g.display_name,
        digest: g.digest,
        tags: g.tags,
        reason: "kept: protected (running)".into(),
    }));
}

/// Layouts delete by tag: only the named tags go, and a digest that keeps other
/// tags frees nothing.
fn narrow_to_named_tags(plan: &mut DeletePlan, objects: &HashMap<Digest, DigestObjects>) {
    for group in &mut plan.groups {
        let named = named_tags(&group.requested);
        if named.len() < group.requested.len() {
            continue;
        }
        let keeps_others = group.tags.iter().any(|t| !named.contains(t));
        group.tags = named;
        if keeps_others {
            group.bytes_freed = 0;
        } else {
            group.bytes_freed = freed_by(&[&group.digest], objects);
        }
    }
}

/// The tagged indexes that list `digest` among their children, as
/// `sha256:… (tag, tag)`.
fn indexes_listing(data: &UsageData, digest: &Digest) -> Vec<String> {
    let mut parents: Vec<String> = data
        .objects
        .iter()
        .filter(|(parent, o)| {
            *parent != digest && o.kind == "index" && o.objects.contains_key(digest)
        })
        // A referrers tag-schema index is not broken: its entry is taken out.
        .filter(|(parent, _)| !is_referrers_index(data, parent))
        .map(|(parent, _)| format!("{parent} ({})", data.tags_of(parent).join(", ")))
        .collect();
    parents.sort();
    parents
}

/// Whether `digest` is tagged only as a referrers tag-schema index.
fn is_referrers_index(data: &UsageData, digest: &Digest) -> bool {
    let tags = data.tags_of(digest);
    !tags.is_empty()
        && tags
            .iter()
            .all(|t| crate::model::attached::schema_subject(t).is_some())
}

/// An index deleted in the same plan is not broken by deleting its children.
fn forget_parents_deleted_too(plan: &mut DeletePlan) {
    let planned: Vec<String> = plan.groups.iter().map(|g| g.digest.to_string()).collect();
    for group in &mut plan.groups {
        group
            .part_of
            .retain(|parent| !planned.iter().any(|d| parent.starts_with(d.as_str())));
    }
}

/// A referrers tag-schema index of a subject that stays, listing digests the
/// plan deletes: emptied, it goes too; else those entries are taken out.
async fn fix_referrer_indexes(
    source: &CachedSource,
    repo: &str,
    plan: &mut DeletePlan,
    data: &UsageData,
) -> Result<()> {
    let planned: Vec<Digest> = plan.groups.iter().map(|g| g.digest.clone()).collect();
    for (tag, index) in &data.tag_digests {
        let Some(subject) = crate::model::attached::schema_subject(tag) else {
            continue;
        };
        if planned.contains(index) || planned.contains(&subject) {
            continue;
        }
        let manifest = source.manifest(repo, index).await?;
        let listed: Vec<Digest> = manifest
            .doc
            .manifests
            .iter()
            .filter_map(|d| d.parsed_digest().ok())
            .collect();
        let removed: Vec<Digest> = listed
            .iter()
            .filter(|d| planned.contains(d))
            .cloned()
            .collect();
        if removed.is_empty() {
            continue;
        }
        if removed.len() == listed.len() {
            plan.groups.push(DeleteGroup {
                display_name: data.usage.repository.clone(),
                repository: repo.to_string(),
                location: source.source().location(),
                kind: "index",
                tags: data.tags_of(index),
                bytes_freed: 0,
                requested: vec![Requested::Digest(index.clone())],
                part_of: Vec::new(),
                digest: index.clone(),
                referrer_of: Some(subject),
                orphan_of: None,
                emptied_index: true,
                child_of: None,
            });
        } else {
            plan.index_updates.push(super::IndexUpdate {
                repository: repo.to_string(),
                tag: tag.clone(),
                digest: index.clone(),
                subject,
                removed,
            });
        }
    }
    Ok(())
}

/// Appends, after their subjects, every referrer of each planned digest (what
/// `ops::referrers` finds, BuildKit's in-index attestations aside: those are an
/// index's children) and the subject's referrers tag-schema index, which is
/// empty once they go.
async fn add_referrers(
    source: &CachedSource,
    repo: &str,
    plan: &mut DeletePlan,
    data: &mut UsageData,
) -> Result<()> {
    let tags: Vec<String> = data.tag_digests.iter().map(|(t, _)| t.clone()).collect();
    let subjects: Vec<Digest> = plan.groups.iter().map(|g| g.digest.clone()).collect();
    for subject in subjects {
        let manifest = source.manifest(repo, &subject).await?;
        let found = crate::ops::referrers::discover(source, repo, &manifest, &tags, None).await?;
        let mut going: Vec<Digest> = Vec::new();
        flatten(&found.referrers, &mut going);
        let schema_tag = subject.to_string().replacen(':', "-", 1);
        if let Some((_, index)) = data.tag_digests.iter().find(|(t, _)| *t == schema_tag) {
            going.push(index.clone());
        }
        for digest in going {
            if plan.groups.iter().any(|g| g.digest == digest) {
                continue;
            }
            if !data.objects.contains_key(&digest) {
                let o = digest_objects(source, repo, &digest).await?;
                data.objects.insert(digest.clone(), o);
            }
            plan.groups.push(DeleteGroup {
                display_name: data.usage.repository.clone(),
                repository: repo.to_string(),
                location: source.source().location(),
                kind: data.objects[&digest].kind,
                tags: data.tags_of(&digest),
                bytes_freed: freed_by(&[&digest], &data.objects),
                requested: vec![Requested::Digest(digest.clone())],
                part_of: indexes_listing(data, &digest),
                referrer_of: Some(subject.clone()),
                orphan_of: None,
                emptied_index: false,
                child_of: None,
                digest,
            });
        }
    }
    Ok(())
}

fn flatten(referrers: &[crate::ops::referrers::Referrer], out: &mut Vec<Digest>) {
    for r in referrers.iter().filter(|r| r.found_by != "index") {
        out.push(r.digest.clone());
        flatten(&r.referrers, out);
    }
}

/// Orphans (`check --prune-orphans`): each group goes as the orphan of the
/// subject its tag names, and what an orphaned referrers index lists goes
/// before it (each verified as a referrer of the missing subject when its
/// turn comes).
async fn mark_orphans(
    source: &CachedSource,
    repo: &str,
    plan: &mut DeletePlan,
    data: &mut UsageData,
) -> Result<()> {
    let mut groups: Vec<DeleteGroup> = Vec::new();
    for mut group in std::mem::take(&mut plan.groups) {
        group.orphan_of = group.requested.iter().find_map(|r| match r {
            Requested::Tag(t) => crate::model::attached::referrer_subject(t),
            Requested::Digest(_) => None,
        });
        if let Some(subject) = group.orphan_of.clone()
            && group.kind == "index"
        {
            let index = source.manifest(repo, &group.digest).await?;
            for entry in &index.doc.manifests {
                let Ok(listed) = entry.parsed_digest() else {
                    continue;
                };
                if groups.iter().any(|g| g.digest == listed) {
                    continue;
                }
                let objects = match digest_objects(source, repo, &listed).await {
                    Ok(o) => o,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e),
                };
                let mut orphan = DeleteGroup::new(
                    &group.display_name,
                    repo,
                    &group.location,
                    listed.clone(),
                    vec![Requested::Digest(listed.clone())],
                );
                orphan.kind = objects.kind;
                orphan.tags = data.tags_of(&listed);
                data.objects.insert(listed.clone(), objects);
                orphan.bytes_freed = freed_by(&[&listed], &data.objects);
                orphan.orphan_of = Some(subject.clone());
                groups.push(orphan);
            }
        }
        groups.push(group);
    }
    plan.groups = groups;
    Ok(())
}
