//! The one vocabulary of background work: what `update` asks the pool to run.
//! A job is also its own duplicate key: identical jobs under one ticket run once.
//!
//! Adding background work is one `Job` variant, one arm in `jobs::run` and
//! one `Finished` arm in `update`.

use crate::oci::digest::Digest;
use crate::ops::copy::CopyBatch;
use crate::ops::delete::DeletePlan;
use crate::ops::files::FilesOptions;
use crate::ops::files::view::FilesMode;
use crate::ops::protect::ProtectSources;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// The repository catalog (remembered in the store when complete).
    Repos,
    /// A repository's tags; a long listing reports `Progress::TagsSoFar`.
    Tags { repo: String },
    /// The last-known rows of a repository, from the store (no request).
    StoredRows { repo: String },
    /// The last complete catalog, from the store (no request).
    StoredRepos,
    /// What the store knew of a repository's tags before `before` (the
    /// session's start): the last visit, for marks of what changed.
    TagsBefore { repo: String, before: i64 },
    /// The catalog as last looked at before `before`.
    CatalogBefore { before: i64 },
    /// Repositories the store kept anything of (a closed catalog's stand-in).
    SeenRepos,
    /// Summaries of stored rows from the store alone (no request).
    StoredSummaries {
        repo: String,
        rows: Vec<(String, Digest)>,
    },
    /// Resolve and size one tag.
    Summary { repo: String, tag: String },
    /// A manifest for the detail pane, and what refers to it. `referrer_tags`
    /// are the repository's tags that name this digest as their subject
    /// (cosign tags, a referrers tag-schema index): what to look up.
    Detail {
        repo: String,
        digest: Digest,
        referrer_tags: Vec<String>,
    },
    /// What is attached to a manifest the detail pane shows, read: SBOMs,
    /// provenance, signatures. `tags`: the tags that may be about it.
    Supply {
        repo: String,
        digest: Digest,
        tags: Vec<String>,
        key: Option<Shared<crate::model::signature::PublicKey>>,
    },
    /// Whether an image's signatures verify with its repository's key (the
    /// SIGNED column).
    Verify {
        repo: String,
        digest: Digest,
        tags: Vec<String>,
        key: Shared<crate::model::signature::PublicKey>,
    },
    /// Size every tag of the repository (the usage view).
    Usage { repo: String },
    /// One repository's share of the registry's usage, from the store alone
    /// (`stored_only`) or read from the registry.
    RepositoryUsage { repo: String, stored_only: bool },
    /// What planning retention for the repository needs (the planner).
    Planning { repo: String },
    /// Work out what deleting these tags removes (every tag on each digest);
    /// the protect lists are read again for it.
    PlanDelete {
        repo: String,
        tags: Vec<String>,
        protect: Shared<ProtectSources>,
    },
    /// Carry out a confirmed plan through the one executor. `forced`: the
    /// index child whose digest the user typed, deleted even though an index
    /// that stays lists it (the browser's `--force`, for it alone).
    Delete {
        plan: Shared<DeletePlan>,
        forced: Vec<Digest>,
        protect: Shared<ProtectSources>,
    },
    /// Read the layers of `image` and build its file tree for `mode`;
    /// reports `Progress::LayerBytes` while the layers stream.
    Files {
        repo: String,
        image: Digest,
        mode: FilesMode,
        options: FilesOptions,
    },
    /// Compare two tags of the repository, files included.
    Compare {
        repo: String,
        a: String,
        b: String,
        options: FilesOptions,
    },
    /// One of your commands (`[[commands]]`, `output = "pane"`): its output,
    /// captured and bounded.
    Command { argv: Vec<String> },
    /// Repositories of every registry the store knows (a copy's completions).
    StoredPlaces,
    /// Open a copy's destination (typed by the user) and plan copying the
    /// tags there: what is there, what mounts, what moves.
    PlanCopy {
        repo: String,
        tags: Vec<String>,
        destination: String,
    },
    /// Carry out a previewed copy; `stop` (Esc) stops it between blobs.
    Copy {
        repo: String,
        batch: Shared<CopyBatch>,
        stop: Shared<AtomicBool>,
    },
    /// Put `tag` on the image tag `from` names (refused when `tag` names
    /// another digest).
    AddTag {
        repo: String,
        from: String,
        tag: String,
    },
}

/// What a running job reports before its one `Finished`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The tags a long listing has so far (more pages are on their way).
    TagsSoFar(Vec<String>),
    /// Bytes read of each layer so far, bottom layer first.
    LayerBytes(Vec<u64>),
    /// A copy: per tag, bytes written and blobs done so far.
    Copied(Vec<CopyProgress>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyProgress {
    pub bytes: u64,
    pub blobs: usize,
    /// Its manifests and tag are written.
    pub done: bool,
}

/// A value jobs share, compared by identity: two jobs carrying the same
/// plan are one job, two plans with equal content are two.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Shared<T> {}

impl<T> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.0), state);
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<Arc<T>> for Shared<T> {
    fn from(value: Arc<T>) -> Self {
        Shared(value)
    }
}
