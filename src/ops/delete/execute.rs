//! Carrying out one planned group. Every rule is checked again right before
//! the DELETE, against the registry (never the store): the named tags still
//! name the digest; nothing protected is touched; by digest only when every
//! tag on it, from a complete listing, was confirmed, no tagged index lists
//! it (unless `--force`), and a cascaded digest verifiably is what the plan
//! took it for. A copy goes to the trash before anything is deleted.

use super::cascade::{self, Gone};
use super::moment::{self, Moment};
use super::{DeleteGroup, Outcome, Requested, named_tags};
use crate::model::protect::Protected;
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::oci::text::sanitize_line;
use crate::store::CachedSource;
use crate::store::trash::{Deleted, Trash, TrashEntry};
use std::collections::HashSet;

/// Longest error text kept in an outcome.
const ERROR_WIDTH: usize = 500;

pub struct ExecuteOptions<'a> {
    /// Where deleted manifests are kept for undo (`None`: no undo).
    pub trash: Option<&'a Trash>,
    /// Digests the user forced (`--force` on what they named; in the browser
    /// the digest typed): deleted even when an index that stays lists them.
    pub forced: HashSet<Digest>,
    /// Parallel HEADs for the re-check of a digest's tags.
    pub concurrency: usize,
    /// Digests and tags no deletion may touch.
    pub protected: &'a Protected,
}

/// What a run knows of the repository beyond the plan: every manifest a
/// protected digest present in it lists, at any depth (so an untagged
/// protected index keeps its children too).
#[derive(Debug, Default)]
pub struct RunState {
    pub protected_below: HashSet<Digest>,
}

/// Re-checks, saves to the trash, and deletes one group.
pub async fn execute(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    state: &RunState,
) -> Outcome {
    let mut removed = Vec::new();
    match try_execute(source, group, options, state, &mut removed).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed {
            error: sanitize_line(&e.to_string(), ERROR_WIDTH),
            removed,
        },
    }
}

fn skipped(reason: String) -> Result<Outcome> {
    Ok(Outcome::Skipped { reason })
}

/// A step's answer: go on with `T`, or stop with this outcome.
type Step<T> = std::result::Result<T, Outcome>;

fn skip<T>(reason: String) -> Result<Step<T>> {
    Ok(Err(Outcome::Skipped { reason }))
}

async fn try_execute(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    state: &RunState,
    removed: &mut Vec<String>,
) -> Result<Outcome> {
    let manifest = match still_wanted(source, group, options, state).await? {
        Ok(m) => m,
        Err(stop) => return Ok(stop),
    };
    // A cascade is verified before anything goes, a tag delete included.
    let mut moment = None;
    if group.is_cascade() {
        match verified_cascade(source, group, options, &manifest).await? {
            Ok(read) => moment = Some(read),
            Err(stop) => return Ok(stop),
        }
    }
    let named = named_tags(&group.requested);
    let by_tag = !named.is_empty() && named.len() == group.requested.len();
    let trashed = save_to_trash(source, group, options, &manifest, &named)?;
    let trash_id = trashed.as_ref().map(|t| t.id.clone());
    if by_tag && delete_tags(source, group, &named, removed).await? {
        return Ok(Outcome::Deleted {
            method: source.source().tag_delete_method(),
            tags: std::mem::take(removed),
            trash_id,
        });
    }
    let moment = match moment {
        Some(m) => m,
        None => match Moment::read(source, &group.repository, options.concurrency).await? {
            Ok(m) => m,
            Err(incomplete) => return skipped(incomplete.to_string()),
        },
    };
    if let Some(why) = digest_refusal(source, group, options, &moment).await? {
        if let (Some(trash), Some(entry)) = (options.trash, &trashed) {
            // Nothing was deleted: the copy is no undo of anything.
            let _ = trash.remove(&entry.id);
        }
        return skipped(why);
    }
    let now = moment.tags_on(&group.digest);
    delete_by_digest(source, group, options, trashed, now, removed).await
}

/// The checks before anything: the plan's source, a request, the named tags
/// still there, the manifest still there, nothing protected. The manifest.
async fn still_wanted(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    state: &RunState,
) -> Result<Step<Manifest>> {
    if let Some(refusal) = refusal(source, group, options) {
        return skip(refusal);
    }
    if group.requested.is_empty() {
        return skip("nothing was asked for (no tag and no digest): not deleting".into());
    }
    if let Some(moved) = recheck_named_tags(source, group).await? {
        return skip(moved);
    }
    let Some(manifest) = current_manifest(source, group).await? else {
        return Ok(Err(Outcome::Failed {
            error: format!(
                "{} is already gone from {}",
                group.digest, group.display_name
            ),
            removed: Vec::new(),
        }));
    };
    if let Some(why) = protected_content(source, group, options.protected, state, &manifest).await?
    {
        return skip(why);
    }
    let named = named_tags(&group.requested);
    if let Some(why) = protected_tag(source, group, options.protected, &named) {
        return skip(why);
    }
    Ok(Ok(manifest))
}

/// A cascaded group, verified against the repository now; the moment read.
async fn verified_cascade(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    manifest: &Manifest,
) -> Result<Step<Moment>> {
    let read = match Moment::read(source, &group.repository, options.concurrency).await? {
        Ok(m) => m,
        Err(incomplete) => return skip(incomplete.to_string()),
    };
    let now = read.tags_on(&group.digest);
    let gone = Gone {
        source,
        repo: &group.repository,
    };
    if let Some(why) = cascade::refusal(group, manifest, &now, &gone).await? {
        return skip(why);
    }
    Ok(Ok(read))
}

/// The DELETE by digest, once the trash entry records every tag it takes.
async fn delete_by_digest(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    trashed: Option<TrashEntry>,
    now: Vec<String>,
    removed: &mut Vec<String>,
) -> Result<Outcome> {
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
        method: crate::source::DeleteMethod::Digest,
        tags: std::mem::take(removed),
        trash_id: trashed.map(|t| t.id),
    })
}

/// The rules of a delete by digest, against the repository as it is now (a
/// cascade was verified against this same moment before anything went).
async fn digest_refusal(
    source: &CachedSource,
    group: &DeleteGroup,
    options: &ExecuteOptions<'_>,
    moment: &Moment,
) -> Result<Option<String>> {
    let now = moment.tags_on(&group.digest);
    let unconfirmed: Vec<&str> = now
        .iter()
        .filter(|t| !group.tags.contains(t))
        .map(String::as_str)
        .collect();
    if !unconfirmed.is_empty() {
        return Ok(Some(format!(
            "{} now also carries {}, which you did not confirm; not deleting it",
            group.digest.short(),
            unconfirmed.join(", ")
        )));
    }
    if let Some(why) = protected_tag(source, group, options.protected, &now) {
        return Ok(Some(why));
    }
    let parents = moment
        .parents_of(source, &group.repository, &group.digest)
        .await?;
    let registry = source.source().location();
    if let Some(parent) = parents.iter().find(|p| {
        options.protected.protects_digest(&p.digest)
            || p.tags.iter().any(|t| {
                options
                    .protected
                    .protects_tag(&registry, &group.repository, t)
            })
    }) {
        return Ok(Some(format!(
            "kept: protected (running): listed by the protected index {}",
            parent.digest.short()
        )));
    }
    if !parents.is_empty() && !options.forced.contains(&group.digest) {
        let names: Vec<String> = parents
            .iter()
            .map(|p| format!("{} ({})", p.digest.short(), p.tags.join(", ")))
            .collect();
        return Ok(Some(format!(
            "{} is listed by the index {}; deleting it breaks that index (--force deletes it anyway)",
            group.digest.short(),
            names.join("; ")
        )));
    }
    Ok(None)
}

/// The digest, or anything an index lists, is protected.
async fn protected_content(
    source: &CachedSource,
    group: &DeleteGroup,
    protected: &Protected,
    state: &RunState,
    manifest: &Manifest,
) -> Result<Option<String>> {
    if protected.is_empty() {
        return Ok(None);
    }
    if protected.protects_digest(&group.digest) {
        return Ok(Some("kept: protected (running)".into()));
    }
    if state.protected_below.contains(&group.digest) {
        return Ok(Some(
            "kept: protected (running): a protected index lists it".into(),
        ));
    }
    if manifest.kind != ManifestKind::Index {
        return Ok(None);
    }
    let below = moment::descendants(source, &group.repository, &group.digest).await?;
    Ok(protected.first_of(&below).map(|child| {
        format!(
            "kept: protected (running): it lists the protected {}",
            child.short()
        )
    }))
}

/// A tag on the digest is protected by name.
fn protected_tag(
    source: &CachedSource,
    group: &DeleteGroup,
    protected: &Protected,
    tags: &[String],
) -> Option<String> {
    let registry = source.source().location();
    tags.iter()
        .find(|t| protected.protects_tag(&registry, &group.repository, t))
        .map(|t| format!("kept: protected (running): its tag {t} is protected"))
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
    if !group.part_of.is_empty() && !options.forced.contains(&group.digest) {
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

async fn current_manifest(source: &CachedSource, group: &DeleteGroup) -> Result<Option<Manifest>> {
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
    manifest: &Manifest,
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
        .save(&Deleted {
            location: &source.source().location(),
            repository: &group.repository,
            digest: &group.digest.to_string(),
            media_type: &manifest.media_type,
            tags,
            manifest: &manifest.raw,
        })
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
