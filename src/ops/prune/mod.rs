//! Retention: a repository's usage figures, the rules, and the resulting plan
//! as delete groups the safe executor can carry out.

use super::delete::{DeleteGroup, Requested};
use super::image::descriptor_digest;
use super::usage::{UsageData, repository_usage};
use crate::model::brakes::Brakes;
use crate::model::protect::Protected;
use crate::model::retention::{Image, RetentionPlan, Rules, plan};
use crate::model::usage::{DigestObjects, freed_alone};
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::ManifestKind;
use crate::store::CachedSource;
use std::collections::{BTreeMap, HashMap, HashSet};

pub mod children;
pub use children::Children;

/// A repository's retention plan with what carrying it out takes.
#[derive(Debug)]
pub struct RepoPrune {
    pub repository: String,
    pub plan: RetentionPlan,
    /// One group per digest to delete (each tag named, so each is re-checked).
    pub groups: Vec<DeleteGroup>,
    /// Bytes the registry's garbage collector frees after the whole plan: what
    /// no remaining manifest of the repository (untagged ones included)
    /// references (an upper bound until `--exact` weighs other repositories).
    pub bytes_freed: u64,
    /// With `--keep-children`: what `garbage-collect --delete-untagged` would
    /// free (it collects the kept children, and breaks live indexes on
    /// Distribution 2.x).
    pub freed_after_gc_delete_untagged: Option<u64>,
    /// The children of deleted indexes that go with them, and those held.
    pub children: Children,
    pub images: usize,
    /// The repository's name in its source.
    pub name: String,
    /// Every tagged digest's objects, and each index child's apart (what
    /// `--exact` weighs against the registry).
    pub objects: std::sync::Arc<HashMap<Digest, DigestObjects>>,
    /// The brakes the plan was made under, and why they refuse it if they do.
    pub brakes: Brakes,
    pub refused: Option<String>,
}

/// Registry-wide bytes freed: the objects of every doomed digest (and child
/// that goes) that no surviving digest of any repository references. `others`
/// are the digest objects of the repositories outside the plan. Sets each
/// plan's own figure and returns the total.
pub fn exact_bytes_freed(
    plans: &mut [RepoPrune],
    others: &[HashMap<Digest, DigestObjects>],
) -> u64 {
    use crate::model::usage::{RepoDeletion, freed_registry_wide};
    let deletions: Vec<RepoDeletion<'_>> = plans
        .iter()
        .map(|p| RepoDeletion {
            objects: &p.objects,
            gone: p
                .plan
                .delete
                .iter()
                .map(|d| &d.digest)
                .chain(p.children.going.iter().map(|(c, _)| c))
                .collect(),
        })
        .collect();
    let (figures, total) = freed_registry_wide(&deletions, others);
    for (plan, figure) in plans.iter_mut().zip(figures) {
        plan.bytes_freed = figure;
    }
    total
}

fn no_progress(_done: usize, _total: usize) {}

/// What planning a repository needs, fetched once: each tagged image and every
/// digest's objects. Rules can then be tried against it without a request.
#[derive(Debug)]
pub struct PlanningData {
    /// The repository as shown (`registry/name`).
    pub repository: String,
    /// The repository's name in its source.
    pub name: String,
    pub location: String,
    pub images: Vec<Image>,
    pub objects: std::sync::Arc<HashMap<Digest, DigestObjects>>,
    /// Each index child's own objects (manifest, config, layers).
    pub children: HashMap<Digest, DigestObjects>,
}

pub async fn planning_data(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
) -> Result<PlanningData> {
    let data = repository_usage(source, repo, concurrency, &no_progress).await?;
    let images = images_of(source, repo, &data).await?;
    let mut children = HashMap::new();
    for child in images.iter().flat_map(|i| &i.children) {
        if children.contains_key(child) {
            continue;
        }
        match super::usage::digest_objects(source, repo, child).await {
            Ok(o) => {
                children.insert(child.clone(), o);
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(PlanningData {
        repository: data.usage.repository.clone(),
        name: repo.to_string(),
        location: source.source().location(),
        images,
        objects: std::sync::Arc::new(data.objects),
        children,
    })
}

/// What a retention plan is made under besides its rules.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    pub brakes: Brakes,
    pub protected: &'a Protected,
    /// Unix seconds.
    pub now: i64,
    /// Deleted indexes leave their children (`--keep-children`).
    pub keep_children: bool,
}

pub async fn plan_repository(
    source: &CachedSource,
    repo: &str,
    rules: &Rules,
    limits: Limits<'_>,
    concurrency: usize,
) -> Result<RepoPrune> {
    let data = planning_data(source, repo, concurrency).await?;
    Ok(prune_with(&data, rules, limits))
}

/// Marks the images a protect list covers: the digest, a child, or a tag.
fn mark_protected(data: &PlanningData, protected: &Protected) -> Vec<Image> {
    let mut images = data.images.clone();
    if protected.is_empty() {
        return images;
    }
    let registry = data.location.as_str();
    for image in &mut images {
        image.protected = protected.protects_digest(&image.digest)
            || protected.first_of(&image.children).is_some()
            || image
                .tags
                .iter()
                .any(|t| protected.protects_tag(registry, &data.name, t));
    }
    images
}

/// The plan `rules` make of `data`, with its delete groups.
pub fn prune_with(data: &PlanningData, rules: &Rules, limits: Limits<'_>) -> RepoPrune {
    let images = mark_protected(data, limits.protected);
    let plan = plan(&images, rules, limits.now);
    let doomed: HashSet<&Digest> = plan.delete.iter().map(|d| &d.digest).collect();
    let children = children::children_of(data, &doomed, limits.keep_children);
    let (bytes_freed, freed_after_gc_delete_untagged) =
        children::freed(data, &doomed, &children, limits.keep_children);
    let alone = freed_alone(&data.objects);
    let mut groups: Vec<DeleteGroup> = plan
        .delete
        .iter()
        .map(|d| DeleteGroup {
            referrer_of: signature_subject_of(&d.tags),
            orphan_of: None,
            emptied_index: false,
            child_of: None,
            display_name: data.repository.clone(),
            repository: data.name.clone(),
            location: data.location.clone(),
            digest: d.digest.clone(),
            kind: data.objects.get(&d.digest).map_or("unknown", |o| o.kind),
            requested: d.tags.iter().cloned().map(Requested::Tag).collect(),
            tags: d.tags.clone(),
            bytes_freed: alone.get(&d.digest).copied().unwrap_or(0),
            part_of: Vec::new(),
        })
        .collect();
    groups.extend(children.going.iter().map(|(child, index)| {
        let mut group = DeleteGroup::new(
            &data.repository,
            &data.name,
            &data.location,
            child.clone(),
            vec![Requested::Digest(child.clone())],
        );
        group.kind = data.children.get(child).map_or("image", |o| o.kind);
        group.child_of = Some(index.clone());
        group
    }));
    RepoPrune {
        repository: data.repository.clone(),
        refused: limits.brakes.refusal(plan.delete.len(), data.images.len()),
        brakes: limits.brakes,
        plan,
        groups,
        bytes_freed,
        freed_after_gc_delete_untagged,
        children,
        images: data.images.len(),
        name: data.name.clone(),
        objects: std::sync::Arc::new(children::with_children(data)),
    }
}

/// A digest tagged only with signature or referrer tags goes as a referrer
/// of its (deleted) subject, so the executor verifies it is one.
fn signature_subject_of(tags: &[String]) -> Option<Digest> {
    let subjects: Vec<Digest> = tags
        .iter()
        .map(|t| crate::model::attached::referrer_subject(t))
        .collect::<Option<Vec<_>>>()?;
    subjects.into_iter().next()
}

/// Each tagged digest with its tags, created date and an index's children.
async fn images_of(source: &CachedSource, repo: &str, data: &UsageData) -> Result<Vec<Image>> {
    let mut tags: BTreeMap<&Digest, Vec<String>> = BTreeMap::new();
    for (tag, digest) in &data.tag_digests {
        tags.entry(digest).or_default().push(tag.clone());
    }
    for list in tags.values_mut() {
        crate::model::tag_order::sort_natural(list);
    }
    let mut images = Vec::new();
    for (digest, tags) in tags {
        let objects = data.objects.get(digest);
        let created = objects
            .and_then(|o| o.created.as_deref())
            .and_then(crate::ops::summary::unix_seconds);
        let manifest = source.manifest(repo, digest).await?;
        let children = match manifest.kind {
            ManifestKind::Index => manifest
                .doc
                .manifests
                .iter()
                .map(|d| descriptor_digest(source, d))
                .collect::<Result<Vec<_>>>()?,
            _ => Vec::new(),
        };
        images.push(Image {
            digest: digest.clone(),
            tags,
            created,
            children,
            protected: false,
        });
    }
    Ok(images)
}
