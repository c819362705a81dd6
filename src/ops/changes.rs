//! Looking at a repository or a registry now (the listing, then a HEAD per
//! tag: no pull), and what changed since an earlier look.

use crate::model::changes::{Change, repository_changes, tag_changes};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::store::CachedSource;
use std::collections::BTreeMap;

/// Tag → digest of every tag of `repo` now.
pub async fn look_at_repository(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
) -> Result<Vec<(String, Digest)>> {
    let listing = source.source().tags(repo).await?;
    if let Some(why) = listing.incomplete {
        // A partial list would report every tag past it as removed.
        return Err(Error::Config(format!(
            "the tag list of {repo} is incomplete: {why}"
        )));
    }
    super::usage::resolve_tags(source, repo, &listing.items, concurrency, &|_, _| {}, true).await
}

/// A look at every repository of a registry (or at one repository).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Look {
    /// The catalog, when the whole registry was looked at.
    pub catalog: Option<Vec<String>>,
    pub tags: BTreeMap<String, Vec<(String, Digest)>>,
}

/// Looks at `repo`, or at the whole registry (its catalog, then each
/// repository) when `repo` is `None`; `None` when `stop` said so between
/// repositories (a part of a look would read as removals). A repository the
/// catalog lists but whose tag list is not found is left out (gone meanwhile).
pub async fn look(
    source: &CachedSource,
    repo: Option<&str>,
    concurrency: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Look>> {
    let (catalog, repos) = match repo {
        Some(repo) => (None, vec![repo.to_string()]),
        None => {
            let listing = source.source().repositories().await?;
            if let Some(why) = listing.incomplete {
                return Err(Error::Config(format!("the catalog is incomplete: {why}")));
            }
            (Some(listing.items.clone()), listing.items)
        }
    };
    let mut tags = BTreeMap::new();
    let whole_registry = catalog.is_some();
    for repo in repos {
        if stop() {
            return Ok(None);
        }
        match look_at_repository(source, &repo, concurrency).await {
            Ok(found) => {
                tags.insert(repo, found);
            }
            Err(e) if whole_registry && e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(Look { catalog, tags }))
}

/// What changed from `before` to `now`: repositories (when both looked at
/// the catalog), then the tags of each repository `before` knew. A
/// repository new since is one change, not one per tag.
pub fn changes(before: &Look, now: &Look) -> Vec<Change> {
    let mut out = Vec::new();
    if let (Some(b), Some(n)) = (&before.catalog, &now.catalog) {
        out.extend(repository_changes(b, n));
    }
    for (repo, tags) in &now.tags {
        if let Some(earlier) = before.tags.get(repo) {
            out.extend(tag_changes(repo, earlier, tags));
        }
    }
    out
}

/// A change with the creation times of the images it names, where the
/// store already knows them (no request is made for this).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DatedChange {
    #[serde(flatten)]
    pub change: Change,
    /// When the image a new or moved tag names now was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the image a moved or removed tag named before was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_created: Option<String>,
}

/// `changes` with the creation dates the store holds.
pub async fn dated(source: &CachedSource, changes: Vec<Change>) -> Vec<DatedChange> {
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let (now, before) = match &change {
            Change::NewTag {
                repository, digest, ..
            } => (Some((repository, digest)), None),
            Change::MovedTag {
                repository,
                from,
                to,
                ..
            } => (Some((repository, to)), Some((repository, from))),
            Change::RemovedTag {
                repository, digest, ..
            } => (None, Some((repository, digest))),
            _ => (None, None),
        };
        let created = match now {
            Some((repo, digest)) => stored_created(source, repo, digest).await,
            None => None,
        };
        let previous_created = match before {
            Some((repo, digest)) => stored_created(source, repo, digest).await,
            None => None,
        };
        out.push(DatedChange {
            change,
            created,
            previous_created,
        });
    }
    out
}

/// The creation time of `digest` from the store alone.
async fn stored_created(source: &CachedSource, repo: &str, digest: &Digest) -> Option<String> {
    let offline = source.offline_view()?;
    let seconds = super::summary::summarize_digest(&offline, repo, "", digest)
        .await
        .ok()?
        .created?;
    super::summary::rfc3339(seconds)
}
