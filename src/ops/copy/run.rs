//! Carrying out a copy plan: blobs (in parallel, each verified as it
//! streams), then manifests in order, children first, tags last. Between
//! blobs the copy can be stopped (Ctrl-C): nothing is tagged then.

use super::destination::Destination;
use super::{Action, BlobStep, CopyPlan};
use crate::oci::error::Result;
use crate::source::transfer::CheckedBlob;
use crate::store::CachedSource;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the copy reports as it goes (a progress bar, the browser).
#[derive(Debug, Clone)]
pub enum Event {
    /// Bytes of a blob written at the destination.
    Bytes(u64),
    /// A blob is there (mounted, copied, or its mount fell back to a copy).
    Blob(BlobStep),
    /// A manifest was stored (under its tag, if it has one).
    Manifest {
        digest: crate::oci::digest::Digest,
        tag: Option<String>,
    },
    /// Every step of the plan is done.
    Done,
}

/// How a run ended: every step done, or stopped between blobs (no manifest
/// or tag was written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Done,
    Stopped,
}

/// Runs `plan` (updated in place: a refused mount becomes a copy).
/// `stop` is asked before each blob.
pub async fn run(
    plan: &mut CopyPlan,
    from: &CachedSource,
    from_repo: &str,
    to: &Destination<'_>,
    stop: &(dyn Fn() -> bool + Sync),
    events: &(dyn Fn(Event) + Sync),
) -> Result<Finish> {
    let source = Side { from, from_repo };
    if !move_blobs(plan, &source, to, stop, events).await? || stop() {
        return Ok(Finish::Stopped);
    }
    for step in plan
        .manifests
        .iter()
        .filter(|m| m.action != Action::Skipped)
    {
        let tag = step.tag.as_deref();
        to.source
            .store_manifest(to.repository, &step.manifest, tag, step.listed)
            .await?;
        to.known.add_manifest(&step.digest);
        events(Event::Manifest {
            digest: step.digest.clone(),
            tag: step.tag.clone(),
        });
    }
    events(Event::Done);
    Ok(Finish::Done)
}

/// Where the blobs come from.
struct Side<'a> {
    from: &'a CachedSource,
    from_repo: &'a str,
}

/// The plan's blobs that are not there yet, `to.width` at a time; false
/// when `stop` stopped them.
async fn move_blobs(
    plan: &mut CopyPlan,
    source: &Side<'_>,
    to: &Destination<'_>,
    stop: &(dyn Fn() -> bool + Sync),
    events: &(dyn Fn(Event) + Sync),
) -> Result<bool> {
    let done = AtomicUsize::new(0);
    let mut waiting = plan
        .blobs
        .iter_mut()
        .filter(|b| b.action != Action::Skipped);
    let mut running = futures_util::stream::FuturesUnordered::new();
    let mut finished = true;
    loop {
        while running.len() < to.width.max(1) {
            let Some(step) = waiting.next() else { break };
            let (from, repo) = (source.from, source.from_repo);
            running.push(blob_task(step, from, repo, to, stop, events, &done));
        }
        match running.next().await {
            Some(outcome) => finished &= outcome?,
            None => return Ok(finished),
        }
    }
}

/// One blob of a run, unless `stop` says to stop first (`Ok(false)`).
async fn blob_task(
    step: &mut BlobStep,
    from: &CachedSource,
    from_repo: &str,
    to: &Destination<'_>,
    stop: &(dyn Fn() -> bool + Sync),
    events: &(dyn Fn(Event) + Sync),
    done: &AtomicUsize,
) -> Result<bool> {
    if stop() {
        return Ok(false);
    }
    if to.known.blob(&step.digest) {
        step.action = Action::Skipped;
        return Ok(true);
    }
    move_blob(step, from, from_repo, to, events).await?;
    to.known.add_blob(&step.digest);
    events(Event::Blob(step.clone()));
    crate::ops::pause::test_pause(done.fetch_add(1, Ordering::SeqCst) + 1).await;
    Ok(true)
}

/// One blob: mounted when the plan says so and the registry agrees, else
/// streamed from the source (into the upload a refused mount opened).
async fn move_blob(
    step: &mut BlobStep,
    from: &CachedSource,
    from_repo: &str,
    to: &Destination<'_>,
    events: &(dyn Fn(Event) + Sync),
) -> Result<()> {
    let mut upload = None;
    if step.action == Action::Mounted {
        match to
            .source
            .mount_blob(to.repository, &step.digest, from_repo)
            .await?
        {
            None => return Ok(()),
            Some(opened) => upload = Some(opened),
        }
        step.action = Action::Copied;
    }
    let source = from.source();
    let policy = source
        .retry_policy()
        .with_time_for(step.size.min(super::walk::MAX_BLOB_SIZE));
    let opened = source
        .open_blob(from_repo, &step.digest, None, &policy)
        .await?;
    let what = format!(
        "blob {} in {}",
        step.digest,
        source.display_repository(from_repo)
    );
    let blob = CheckedBlob::new(opened.body, &step.digest, step.size, what);
    let progress = |n: u64| events(Event::Bytes(n));
    to.source
        .write_blob(to.repository, blob, upload, &progress)
        .await?;
    Ok(())
}
