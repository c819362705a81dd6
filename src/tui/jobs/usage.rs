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
