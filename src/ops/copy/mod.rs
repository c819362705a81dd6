//! Copying an image (or index, with its referrers) from one source to
//! another: registries and layouts in any combination, digests preserved.
//!
//! `plan` reads the source and asks the destination what it has (HEADs
//! only): that is `--dry-run`'s answer. `run` then moves what is missing —
//! blobs first (mounted when both sides are one registry, else streamed and
//! verified), then child manifests, then the index, then the tag — so a copy
//! that stops half-way leaves no tag on something incomplete.

mod batch;
mod destination;
mod plan;
mod run;
mod schema;
pub mod walk;

pub use batch::{CopyBatch, plan_batch, run_batch};
pub use plan::{Destination, Known, plan, tag_names};
pub use run::{Event, Finish, run};

use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, Platform};
use serde::Serialize;
use std::sync::Arc;

/// Blobs in flight at once: each holds two upload chunks (5 MiB) in memory.
pub const MAX_TRANSFERS: usize = 3;

/// What happens (or happened) to a blob or manifest. JSON: `copied`,
/// `mounted`, `skipped` (already at the destination).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Copied,
    Mounted,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct BlobStep {
    pub digest: Digest,
    pub media_type: String,
    /// The descriptor's size (checked while the bytes stream).
    pub size: u64,
    pub action: Action,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestStep {
    pub digest: Digest,
    pub media_type: String,
    /// The tag it is stored under at the destination, if any.
    pub tag: Option<String>,
    /// The digest that tag named at the destination before, when another.
    pub replaces: Option<Digest>,
    pub action: Action,
    #[serde(skip)]
    pub manifest: Arc<Manifest>,
    /// A layout lists it in `index.json` even untagged (see `ManifestRef`).
    #[serde(skip)]
    pub listed: bool,
}

/// What the user asked to copy.
#[derive(Debug, Clone, Default)]
pub struct CopyOptions {
    /// Only this platform's manifest of an index.
    pub platform: Option<Platform>,
    /// Carry signatures, attestations and SBOMs along.
    pub referrers: bool,
}

/// The copy, step by step, in the order the steps run.
#[derive(Debug, Clone, Serialize)]
pub struct CopyPlan {
    /// The copied image's digest (the platform's with `--platform`).
    pub digest: Digest,
    pub tag: Option<String>,
    pub blobs: Vec<BlobStep>,
    pub manifests: Vec<ManifestStep>,
    /// Manifests read from the source: on Docker Hub each counts as a pull.
    pub source_manifest_reads: usize,
}

/// Sums over a plan's steps (JSON `totals`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub blobs_copied: usize,
    pub blobs_mounted: usize,
    pub blobs_skipped: usize,
    pub bytes_copied: u64,
    pub bytes_mounted: u64,
    pub bytes_skipped: u64,
    pub manifests_copied: usize,
    pub manifests_skipped: usize,
}

impl CopyPlan {
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for b in &self.blobs {
            let (count, bytes) = match b.action {
                Action::Copied => (&mut t.blobs_copied, &mut t.bytes_copied),
                Action::Mounted => (&mut t.blobs_mounted, &mut t.bytes_mounted),
                Action::Skipped => (&mut t.blobs_skipped, &mut t.bytes_skipped),
            };
            *count += 1;
            *bytes = bytes.saturating_add(b.size);
        }
        for m in &self.manifests {
            match m.action {
                Action::Skipped => t.manifests_skipped += 1,
                _ => t.manifests_copied += 1,
            }
        }
        t
    }

    /// Nothing to move: every blob and manifest is there, the tag too.
    pub fn is_noop(&self) -> bool {
        let t = self.totals();
        t.blobs_copied + t.blobs_mounted + t.manifests_copied == 0
    }
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.blobs_copied += other.blobs_copied;
        self.blobs_mounted += other.blobs_mounted;
        self.blobs_skipped += other.blobs_skipped;
        self.bytes_copied = self.bytes_copied.saturating_add(other.bytes_copied);
        self.bytes_mounted = self.bytes_mounted.saturating_add(other.bytes_mounted);
        self.bytes_skipped = self.bytes_skipped.saturating_add(other.bytes_skipped);
        self.manifests_copied += other.manifests_copied;
        self.manifests_skipped += other.manifests_skipped;
    }
}
