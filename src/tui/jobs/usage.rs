//! Whole-repository work: the usage view's sizes and the planner's data.

use super::message;
use crate::ops::{prune, usage};
use crate::store::CachedSource;
use crate::tui::msg::Finished;
use std::sync::Arc;

fn no_progress(_done: usize, _total: usize) {}

pub async fn usage(source: &CachedSource, repo: &str, width: usize) -> Finished {
    let result = usage::repository_usage(source, repo, width, &no_progress).await;
    Finished::Usage(result.map(Arc::new).map_err(|e| message(&e)))
}

pub async fn planning(source: &CachedSource, repo: &str, width: usize) -> Finished {
    let result = prune::planning_data(source, repo, width).await;
    Finished::Planning(result.map(Arc::new).map_err(|e| message(&e)))
}

/// One repository's share of the registry's usage: from the store alone
/// (`None` when it lacks something), or read from the registry.
pub async fn repository(
    source: &CachedSource,
    repo: String,
    stored_only: bool,
    width: usize,
) -> Finished {
    let result = if stored_only {
        Ok(usage::stored_repository_objects(source, &repo, width)
            .await
            .map(|(objects, at)| (objects, Some(at))))
    } else {
        usage::repository_objects(source, &repo, width)
            .await
            .map(|objects| Some((objects, None)))
            .map_err(|e| message(&e))
    };
    Finished::RepositoryUsage { repo, result }
}
