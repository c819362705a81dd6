//! The browser's copies (`c`) and new tags (`t`), through `ops::copy`, as
//! the CLI's `cp` and `tag`.

use super::{Places, Reporter, message};
use crate::ops::copy::{CopyBatch, Event, Finish, MAX_TRANSFERS, plan_batch, run_batch};
use crate::store::CachedSource;
use crate::tui::job::{CopyProgress, Progress};
use crate::tui::msg::{CopyOutcome, Finished};
use crate::tui::places::open_destination;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often a running copy reports its bytes.
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Completions offered at most for a copy's destination.
const MAX_PLACES: usize = 10_000;

pub async fn stored_places(source: &CachedSource) -> Finished {
    Finished::StoredPlaces(source.stored_places(MAX_PLACES).await)
}

pub async fn plan(
    places: &Places<'_>,
    repo: &str,
    tags: Vec<String>,
    destination: &str,
    width: usize,
) -> Finished {
    let result = async {
        live(places.here)?;
        let (to, to_repo, rename) =
            open_destination(places.here, places.connect, destination).await?;
        let width = width.clamp(1, MAX_TRANSFERS);
        plan_batch(places.here, repo, &tags, (to, to_repo), rename, width)
            .await
            .map_err(|e| message(&e))
    }
    .await;
    Finished::CopyPlanned(result.map(Arc::new))
}

/// Copying and tagging ask the registry: not a source answered from the cache.
fn live(source: &CachedSource) -> Result<(), String> {
    match source.source().is_offline() {
        true => Err("this registry is answered from the cache (--offline, --max-age): copying and tagging need it live".into()),
        false => Ok(()),
    }
}

pub async fn copy(
    source: &CachedSource,
    repo: &str,
    batch: &CopyBatch,
    stop: &AtomicBool,
    reporter: &Reporter<'_>,
) -> Finished {
    let progress = Mutex::new(vec![CopyProgress::default(); batch.plans.len()]);
    let last = Mutex::new(Instant::now());
    let events = |i: usize, event: Event| {
        let mut all = progress.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(row) = all.get_mut(i) else {
            return;
        };
        match event {
            Event::Bytes(n) => row.bytes = row.bytes.saturating_add(n),
            Event::Blob(_) => row.blobs += 1,
            Event::Manifest { .. } => {}
            Event::Done => row.done = true,
        }
        let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
        if row.done || last.elapsed() >= REPORT_EVERY {
            *last = Instant::now();
            reporter.report(Progress::Copied(all.clone()));
        }
    };
    let stopped = || stop.load(Ordering::SeqCst);
    let result = run_batch(batch, source, repo, &stopped, &events).await;
    Finished::Copied(
        result
            .map(|(finish, tags_done)| CopyOutcome {
                tags_done,
                stopped: finish == Finish::Stopped,
            })
            .map_err(|e| message(&e)),
    )
}

/// Puts `tag` on the image `from` names (a HEAD, one manifest GET, one
/// PUT); a tag that names another digest is left alone (moving one, with
/// its undo, is `regscope tag --yes`).
pub async fn add_tag(source: &CachedSource, repo: &str, from: &str, tag: &str) -> Finished {
    let result = async {
        live(source)?;
        let digest = &source.source().resolve(repo, from).await.map_err(|e| message(&e))?;
        match source.source().resolve(repo, tag).await {
            Ok(now) if now == *digest => return Ok(()),
            Ok(now) => {
                return Err(format!(
                    "{tag} names {} now: moving a tag is `regscope tag --yes` (the old one goes to the trash)",
                    now.short()
                ));
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(message(&e)),
        }
        let manifest = source.manifest(repo, digest).await.map_err(|e| message(&e))?;
        source
            .source()
            .store_manifest(repo, &manifest, Some(tag), true)
            .await
            .map_err(|e| message(&e))
    }
    .await;
    Finished::Tagged {
        tag: tag.to_string(),
        result,
    }
}
