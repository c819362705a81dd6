//! The file tree of an image (layers streamed, progress reported) and two
//! tags compared.

use super::{Reporter, message};
use crate::oci::digest::Digest;
use crate::ops::compare::compare_tags;
use crate::ops::files::FilesOptions;
use crate::ops::files::view::{FileTreeData, FilesMode, load_view};
use crate::store::CachedSource;
use crate::tui::job::Progress;
use crate::tui::msg::Finished;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often a streaming layer reports its bytes (the browser ticks as often).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub async fn files(
    source: &CachedSource,
    repo: &str,
    image: &Digest,
    mode: FilesMode,
    options: FilesOptions,
    reporter: &Reporter<'_>,
) -> Finished {
    Finished::Files(tree(source, repo, image, mode, options, reporter).await)
}

async fn tree(
    source: &CachedSource,
    repo: &str,
    image: &Digest,
    mode: FilesMode,
    options: FilesOptions,
    reporter: &Reporter<'_>,
) -> Result<Box<FileTreeData>, String> {
    let manifest = source
        .manifest(repo, image)
        .await
        .map_err(|e| message(&e))?;
    let read: Vec<Arc<AtomicU64>> = manifest.doc.layers.iter().map(|_| Arc::default()).collect();
    let load = load_view(source, repo, &manifest, mode, options, &read);
    tokio::pin!(load);
    let mut every = tokio::time::interval(PROGRESS_EVERY);
    let result = loop {
        tokio::select! {
            result = &mut load => break result,
            _ = every.tick(), if reporter.is_heard() => {
                let bytes = read.iter().map(|r| r.load(Ordering::Relaxed)).collect();
                reporter.report(Progress::LayerBytes(bytes));
            }
        }
    };
    result.map(Box::new).map_err(|e| message(&e))
}

pub async fn compare(
    source: &CachedSource,
    repo: &str,
    a: &str,
    b: &str,
    options: FilesOptions,
) -> Finished {
    let result = compare_tags(source, repo, a, b, options).await;
    Finished::Compared(result.map(Box::new).map_err(|e| message(&e)))
}
