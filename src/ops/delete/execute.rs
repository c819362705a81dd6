//! Carrying out one planned group: refuse it on another source or when it
//! would break an index, re-check every named tag, keep a durable copy in the
//! trash, delete by tag where the source can, and by digest only when the
//! digest carries no tag the user did not confirm.

use super::{DeleteGroup, Outcome, Requested, named_tags};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::text::sanitize_line;
use crate::store::CachedSource;
use crate::store::trash::{Trash, TrashEntry};
use futures_util::{StreamExt, TryStreamExt};

/// Longest error text kept in an outcome.
const ERROR_WIDTH: usize = 500;

pub struct ExecuteOptions<'a> {
    /// Where deleted manifests are kept for undo (`None`: no undo).
    pub trash: Option<&'a Trash>,
    /// Delete platform and attestation manifests of indexes that stay.
    pub force: bool,
    /// Parallel HEADs for the re-check of a digest's tags.
    pub concurrency: usize,
}

/// Re-checks, saves to the trash, and deletes one group.
pub async fn execute(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
) -> Outcome {
    let mut removed = Vec::new();
    match try_execute(source, group, options, &mut removed).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed {
            error: sanitize_line(&e.to_string(), ERROR_WIDTH),
            removed,
        },
    }
}

async fn try_execute(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    removed: &mut Vec<String>,
) -> Result<Outcome> {
    if let Some(refusal) = refusal(source, group, options) {
        return Ok(Outcome::Skipped { reason: refusal });
    }
    if let Some(moved) = recheck_named_tags(source, group).await? {
        return Ok(Outcome::Skipped { reason: moved });
    }
    let Some(manifest) = current_manifest(source, group).await? else {
        return Ok(Outcome::Failed {
            error: format!(
                "{} is already gone from {}",
                group.digest, group.display_name
            ),
            removed: Vec::new(),
        });
    };
    let named = named_tags(&group.requested);
    let by_tag = named.len() == group.requested.len();
    let trashed = save_to_trash(source, group, options, &manifest, &named)?;
    let trash_id = trashed.as_ref().map(|t| t.id.clone());
    if by_tag && delete_tags(source, group, &named, removed).await? {
        return Ok(Outcome::Deleted {
            method: source.source().tag_delete_method(),
            tags: std::mem::take(removed),
            trash_id,
        });
    }
    let now = tags_on_digest(source, group, options.concurrency).await?;
    let unconfirmed: Vec<&String> = now
        .iter()
        .filter(|t| !group.tags.contains(t) && !removed.contains(t))
        .collect();
    if !unconfirmed.is_empty() {
        let names: Vec<&str> = unconfirmed.iter().map(|t| t.as_str()).collect();
        return Ok(Outcome::Skipped {
            reason: format!(
                "{} now also carries {}, which you did not confirm; not deleting it",
                group.digest.short(),
                names.join(", ")
            ),
        });
    }
    if let (Some(trash), Some(entry)) = (options.trash, &trashed) {
        let mut tags = removed.clone();
        tags.extend(now.iter().cloned());
        trash
            .retag(entry, &tags)
            .map_err(|e| trash_error(trash, &e))?;
    }
    source
        .source()
        .delete_digest(&group.repository, &group.digest)
        .await?;
    removed.extend(now);
    Ok(Outcome::Deleted {
        method: "digest",
        tags: std::mem::take(removed),
        trash_id,
    })
}

/// Why the group must not run at all, if it must not.
fn refusal(source: &CachedSource, group: &DeleteGroup, options: &ExecuteOptions) -> Option<String> {
    let here = source.source().location();
    if here != group.location {
        return Some(format!(
            "the plan was made on {}, not {here}; not deleting",
            group.location
        ));
    }
    if !group.part_of.is_empty() && !options.force {
        return Some(format!(
            "{} is part of the index {}; deleting it breaks that index (--force deletes it anyway)",
            group.digest.short(),
            group.part_of.join(", ")
        ));
    }
    None
}

/// Each named tag must still point at the planned digest.
async fn recheck_named_tags(source: &CachedSource, group: &DeleteGroup) -> Result<Option<String>> {
    for request in &group.requested {
        let Requested::Tag(tag) = request else {
            continue;
        };
        match source.source().resolve(&group.repository, tag).await {
            Ok(now) if now == group.digest => {}
            Ok(now) => {
                return Ok(Some(format!(
                    "{tag} now points at {now}, not {}; not deleting",
                    group.digest
                )));
            }
            Err(e) if e.is_not_found() => return Ok(Some(format!("{tag} is already gone"))),
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

async fn current_manifest(
    source: &CachedSource,
    group: &DeleteGroup,
) -> Result<Option<crate::oci::manifest::Manifest>> {
    match source
        .source()
        .manifest(&group.repository, &group.digest.to_string())
        .await
    {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn save_to_trash(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions,
    manifest: &crate::oci::manifest::Manifest,
    named: &[String],
) -> Result<Option<TrashEntry>> {
    let Some(trash) = options.trash else {
        return Ok(None);
    };
    let tags = if named.len() == group.requested.len() {
        named
    } else {
        &group.tags
    };
    let entry = trash
        .save(
            &source.source().location(),
            &group.repository,
            &group.digest.to_string(),
            &manifest.media_type,
            tags,
            &manifest.raw,
        )
        .map_err(|e| trash_error(trash, &e))?;
    Ok(Some(entry))
}

fn trash_error(trash: &Trash, e: &std::io::Error) -> Error {
    Error::Config(format!(
        "cannot save to the trash ({}): {e}; not deleting",
        trash.dir().display()
    ))
}

/// Deletes each named tag; true when all went by tag, false when the source
/// does not delete by tag (nothing more was tried). `removed` tells which went.
async fn delete_tags(
    source: &CachedSource,
    group: &DeleteGroup,
    named: &[String],
    removed: &mut Vec<String>,
) -> Result<bool> {
    for tag in named {
        if !source.source().delete_tag(&group.repository, tag).await? {
            return Ok(false);
        }
        removed.push(tag.clone());
    }
    Ok(true)
}

/// The tags pointing at the group's digest right now.
async fn tags_on_digest(
    source: &CachedSource,
    group: &DeleteGroup,
    concurrency: usize,
) -> Result<Vec<String>> {
    let repo = &group.repository;
    let tags = source.source().tags(repo).await?.items;
    let resolved: Vec<(String, Digest)> = match source.source().resolve_all(repo, &tags).await? {
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
    let mut on_digest: Vec<String> = resolved
        .into_iter()
        .filter(|(_, d)| *d == group.digest)
        .map(|(t, _)| t)
        .collect();
    crate::model::tag_order::sort_natural(&mut on_digest);
    Ok(on_digest)
}

/// Takes a plan's deleted referrers out of a tag-schema index whose subject
/// stays: the tag must still name the planned index (else it is left alone),
/// and the rewritten index is put back under the same tag.
/// `deleted`: the digests the plan's groups did delete; unless every entry to
/// take out is among them, the index is left as it is.
pub async fn update_index(
    source: &CachedSource,
    update: &super::IndexUpdate,
    deleted: &[Digest],
) -> super::UpdateOutcome {
    use super::UpdateOutcome;
    if !update.removed.iter().all(|d| deleted.contains(d)) {
        return UpdateOutcome::Skipped {
            reason: "a referrer it lists was not deleted: left as it is".into(),
        };
    }
    let repo = &update.repository;
    let now = match source.source().resolve(repo, &update.tag).await {
        Ok(d) => d,
        Err(e) => {
            return UpdateOutcome::Failed {
                error: crate::oci::text::sanitize_line(&e.to_string(), 300),
            };
        }
    };
    if now != update.digest {
        return UpdateOutcome::Skipped {
            reason: format!("{} changed since the plan: left as it is", update.tag),
        };
    }
    let result = async {
        let manifest = source.manifest(repo, &now).await?;
        let (body, _) = crate::oci::manifest::index_without(&manifest.raw, &update.removed)
            .map_err(|detail| crate::oci::Error::InvalidResponse {
                registry: source.name(),
                detail,
            })?;
        source
            .source()
            .put_manifest(
                repo,
                &update.tag,
                &manifest.media_type,
                bytes::Bytes::from(body),
            )
            .await
    }
    .await;
    match result {
        Ok(new_digest) => UpdateOutcome::Updated { new_digest },
        Err(e) => UpdateOutcome::Failed {
            error: crate::oci::text::sanitize_line(&e.to_string(), 300),
        },
    }
}
