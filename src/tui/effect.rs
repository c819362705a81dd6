//! What `update` asks the outside world to do. The app loop carries effects out.

use super::ticket::Ticket;
use crate::oci::digest::Digest;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadRepos(Ticket),
    LoadTags(Ticket, String),
    /// The last-known rows of a repository, from the store (no request).
    LoadStoredRows(Ticket, String),
    /// Summaries of stored rows from the store alone (no request).
    LoadStoredSummaries {
        ticket: Ticket,
        repo: String,
        rows: Vec<(String, Digest)>,
    },
    /// The last complete catalog, from the store (no request).
    LoadStoredRepos(Ticket),
    /// Resolve and size these tags; `urgent` ones (on screen) jump the queue.
    Summarize {
        ticket: Ticket,
        repo: String,
        tags: Vec<String>,
        urgent: bool,
    },
    LoadDetail {
        ticket: Ticket,
        repo: String,
        digest: Digest,
        /// The repository's tags that name this digest as their subject
        /// (cosign tags, a referrers tag-schema index): what to look up.
        referrer_tags: Vec<String>,
    },
    /// Size every tag of the repository (the usage view).
    LoadUsage(Ticket, String),
    /// What planning retention for the repository needs (the planner).
    LoadPlanning(Ticket, String),
    /// Work out what deleting these tags removes (every tag on each digest).
    PlanDelete {
        ticket: Ticket,
        repo: String,
        tags: Vec<String>,
        /// Where the protect lists are read again for this deletion.
        protect: std::sync::Arc<crate::ops::protect::ProtectSources>,
    },
    /// Carry out a confirmed plan.
    Delete {
        ticket: Ticket,
        plan: std::sync::Arc<crate::ops::delete::DeletePlan>,
        /// The index child whose digest the user typed: deleted even though an
        /// index that stays lists it (the browser's `--force`, for it alone).
        forced: Vec<crate::oci::digest::Digest>,
        /// Where the protect lists are read again for this deletion.
        protect: std::sync::Arc<crate::ops::protect::ProtectSources>,
    },
    /// Read the layers of image `image` and build its file tree for `mode`.
    LoadFiles {
        ticket: Ticket,
        repo: String,
        image: Digest,
        mode: crate::ops::files::view::FilesMode,
        progress: std::sync::Arc<FilesProgress>,
        options: crate::ops::files::FilesOptions,
    },
    /// Compare two tags of the repository, files included.
    Compare {
        ticket: Ticket,
        repo: String,
        a: String,
        b: String,
        options: crate::ops::files::FilesOptions,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Connect to another registry and start over there.
    SwitchRegistry(String),
}

/// Bytes read of each layer so far, shared with the task that reads them.
#[derive(Debug, Default)]
pub struct FilesProgress(pub Vec<std::sync::Arc<std::sync::atomic::AtomicU64>>);

impl PartialEq for FilesProgress {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
