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
/// repository) when `repo` is `None`.
pub async fn look(source: &CachedSource, repo: Option<&str>, concurrency: usize) -> Result<Look> {
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
    for repo in repos {
        tags.insert(
            repo.clone(),
            look_at_repository(source, &repo, concurrency).await?,
        );
    }
    Ok(Look { catalog, tags })
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
