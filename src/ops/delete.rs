//! Safe deletion: a plan that names every tag going with each digest and the
//! bytes freed, then per digest a re-check, a copy to the trash, and the delete
//! (by tag where the source supports it, else by digest). An index's children are
//! never deleted.

use super::usage::{digest_objects, repository_usage};
use crate::model::usage::freed_by;
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::source::DeleteMethod;
use crate::store::CachedSource;
use crate::store::trash::Trash;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    Tag(String),
    Digest(Digest),
}

/// The tags among `requests` (digests left out).
fn named_tags(requests: &[Requested]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| match r {
            Requested::Tag(t) => Some(t.clone()),
            Requested::Digest(_) => None,
        })
        .collect()
}

impl std::fmt::Display for Requested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requested::Tag(t) => write!(f, ":{t}"),
            Requested::Digest(d) => write!(f, "@{d}"),
        }
    }
}

fn no_progress(_done: usize, _total: usize) {}

fn as_strings<S: serde::Serializer>(requested: &[Requested], out: S) -> Result<S::Ok, S::Error> {
    out.collect_seq(requested.iter().map(ToString::to_string))
}

/// One manifest digest to delete and everything that goes with it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeleteGroup {
    /// How reports name the repository (`host/repo`); JSON `repository`.
    #[serde(rename = "repository")]
    pub display_name: String,
    /// The repository's name in its source (what goes into URLs).
    #[serde(skip)]
    pub repository: String,
    pub digest: Digest,
    pub kind: &'static str,
    /// What the user named; JSON `requested` as `:tag` or `@digest` strings.
    #[serde(serialize_with = "as_strings")]
    pub requested: Vec<Requested>,
    /// Every tag pointing at the digest: a delete by digest removes them all.
    pub tags: Vec<String>,
    pub bytes_freed: u64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DeletePlan {
    pub groups: Vec<DeleteGroup>,
    /// Bytes freed by the whole plan once the registry garbage-collects.
    pub bytes_freed: u64,
    /// Named tags or digests that do not exist.
    pub missing: Vec<String>,
}

pub async fn plan(
    source: &CachedSource,
    repo: &str,
    requests: &[Requested],
    concurrency: usize,
) -> Result<DeletePlan> {
    let mut data = repository_usage(source, repo, concurrency, &no_progress).await?;
    let mut plan = DeletePlan::default();
    for request in requests {
        let digest = match request {
            Requested::Tag(tag) => match data.tag_digests.iter().find(|(t, _)| t == tag) {
                Some((_, d)) => d.clone(),
                None => {
                    plan.missing
                        .push(format!("{}{request}", data.usage.repository));
                    continue;
                }
            },
            Requested::Digest(d) => d.clone(),
        };
        if !data.objects.contains_key(&digest) {
            match digest_objects(source, repo, &digest).await {
                Ok(o) => {
                    data.objects.insert(digest.clone(), o);
                }
                Err(e) if e.is_not_found() => {
                    plan.missing
                        .push(format!("{}{request}", data.usage.repository));
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        match plan.groups.iter_mut().find(|g| g.digest == digest) {
            Some(group) => {
                group.requested.push(request.clone());
            }
            None => plan.groups.push(DeleteGroup {
                display_name: data.usage.repository.clone(),
                repository: repo.to_string(),
                kind: data.objects[&digest].kind,
                tags: {
                    let mut tags: Vec<String> = data
                        .tag_digests
                        .iter()
                        .filter(|(_, d)| *d == digest)
                        .map(|(t, _)| t.clone())
                        .collect();
                    crate::model::tag_order::sort_natural(&mut tags);
                    tags
                },
                bytes_freed: freed_by(&[&digest], &data.objects),
                requested: vec![request.clone()],
                digest,
            }),
        }
    }
    if source.source().deletes_single_tags() {
        narrow_to_named_tags(&mut plan, &data.objects);
    }
    let all: Vec<&Digest> = plan
        .groups
        .iter()
        .filter(|g| g.bytes_freed > 0 || g.tags.is_empty())
        .map(|g| &g.digest)
        .collect();
    plan.bytes_freed = freed_by(&all, &data.objects);
    Ok(plan)
}

/// Layouts delete by tag: only the named tags go, and a digest that keeps other
/// tags frees nothing.
fn narrow_to_named_tags(
    plan: &mut DeletePlan,
    objects: &std::collections::HashMap<Digest, crate::model::usage::DigestObjects>,
) {
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

/// What happened to one group.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Deleted {
        /// `tag`, `digest` or `index_entry`.
        method: DeleteMethod,
        tags: Vec<String>,
        trash_id: Option<String>,
    },
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
}

/// Re-checks, saves to the trash, and deletes one group.
pub async fn execute(source: &CachedSource, group: &DeleteGroup, trash: Option<&Trash>) -> Outcome {
    match try_execute(source, group, trash).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed {
            error: crate::oci::text::sanitize_line(&e.to_string(), 500),
        },
    }
}

async fn try_execute(
    source: &CachedSource,
    group: &DeleteGroup,
    trash: Option<&Trash>,
) -> Result<Outcome> {
    let repo = &group.repository;
    for request in &group.requested {
        if let Requested::Tag(tag) = request {
            match source.source().resolve(repo, tag).await {
                Ok(now) if now == group.digest => {}
                Ok(now) => {
                    return Ok(Outcome::Skipped {
                        reason: format!(
                            "{tag} now points at {now}, not {}; not deleting",
                            group.digest
                        ),
                    });
                }
                Err(e) if e.is_not_found() => {
                    return Ok(Outcome::Skipped {
                        reason: format!("{tag} is already gone"),
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }
    let manifest = match source
        .source()
        .manifest(repo, &group.digest.to_string())
        .await
    {
        Ok(m) => m,
        Err(e) if e.is_not_found() => {
            return Ok(Outcome::Failed {
                error: format!(
                    "{} is already gone from {}",
                    group.digest, group.display_name
                ),
            });
        }
        Err(e) => return Err(e),
    };
    let trash_id = match trash {
        Some(trash) => Some(
            trash
                .save(
                    &source.source().location(),
                    repo,
                    &group.digest.to_string(),
                    &manifest.media_type,
                    &group.tags,
                    &manifest.raw,
                )
                .map_err(|e| {
                    Error::Config(format!(
                        "cannot save to the trash ({}): {e}; not deleting",
                        trash.dir().display()
                    ))
                })?
                .id,
        ),
        None => None,
    };
    let (method, tags) = delete(source, group).await?;
    Ok(Outcome::Deleted {
        method,
        tags,
        trash_id,
    })
}

async fn delete(source: &CachedSource, group: &DeleteGroup) -> Result<(DeleteMethod, Vec<String>)> {
    let named = named_tags(&group.requested);
    let whole_digest = named.len() < group.requested.len();
    source
        .source()
        .delete(
            &group.repository,
            &group.digest,
            &named,
            whole_digest,
            &group.tags,
        )
        .await
}
