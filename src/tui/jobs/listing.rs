//! Listings and summaries: the catalog, tags (streamed), stored rows, one tag's summary.

use super::{Reporter, load_error, message};
use crate::oci::digest::Digest;
use crate::ops::summary;
use crate::store::CachedSource;
use crate::tui::job::Progress;
use crate::tui::msg::Finished;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A long listing's first partial; each later one at least doubles it, so the
/// pane re-sorts a million tags about ten times, not once per page.
const FIRST_PARTIAL: usize = 1_000;

pub async fn repositories(source: &CachedSource) -> Finished {
    let listing = source.source().repositories().await;
    if let Ok(l) = &listing
        && l.incomplete.is_none()
    {
        source.remember_catalog(&l.items);
    }
    Finished::Repos(listing.map_err(load_error))
}

pub async fn tags(source: &CachedSource, repo: &str, reporter: &Reporter<'_>) -> Finished {
    let sent = AtomicUsize::new(0);
    let so_far = |items: &[String]| {
        if !reporter.is_heard() {
            return;
        }
        let due = sent
            .load(Ordering::Relaxed)
            .saturating_mul(2)
            .max(FIRST_PARTIAL);
        if items.len() >= due {
            sent.store(items.len(), Ordering::Relaxed);
            reporter.report(Progress::TagsSoFar(items.to_vec()));
        }
    };
    let listing = source.source().tags_streaming(repo, &so_far).await;
    if let Ok(l) = &listing
        && l.incomplete.is_none()
    {
        source.remember_listing(repo, &l.items);
    }
    Finished::Tags(listing.map_err(load_error))
}

pub async fn stored_rows(source: &CachedSource, repo: &str) -> Finished {
    let (rows, taken_at) = summary::stored_rows(source, repo).await.unwrap_or_default();
    Finished::StoredRows { rows, taken_at }
}

pub async fn stored_summaries(
    source: &CachedSource,
    repo: &str,
    rows: Vec<(String, Digest)>,
    width: usize,
) -> Finished {
    Finished::StoredSummaries(summary::stored_summaries(source, repo, rows, width).await)
}

pub async fn stored_repositories(source: &CachedSource) -> Finished {
    let (names, taken_at) = source.stored_catalog().await.unwrap_or_default();
    Finished::StoredRepos { names, taken_at }
}

pub async fn summary(source: &CachedSource, repo: &str, tag: String) -> Finished {
    let result = summary::summarize(source, repo, &tag).await;
    Finished::Summary {
        tag,
        result: result.map_err(|e| message(&e)),
    }
}
