//! Everything that can happen to the state: input, time, and finished work.

pub use super::job::Progress;
use super::state::DetailData;
use super::ticket::Ticket;
use crate::oci::listing::Listing;
use crate::ops::summary::TagSummary;
use crossterm::event::{KeyEvent, MouseEvent};
use std::sync::Arc;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Periodic: spinner, request counts, clock, deferred sorting.
    Tick(Tick),
    /// Background work for `Ticket` finished (dropped when the ticket is stale).
    Finished(Ticket, Finished),
    /// Background work for `Ticket` reports how far it got (dropped when stale).
    Progress(Ticket, Progress),
    /// A registry switch finished (its display name, and the repository to
    /// open there) or failed.
    Switched(Result<(String, Option<String>), String>),
}

#[derive(Debug)]
pub struct Tick {
    pub in_flight: usize,
    pub queued: usize,
    pub now: jiff::Timestamp,
    /// Requests made this session and the registry's last pull budget.
    pub traffic: crate::source::Traffic,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
    /// Not found / not authorised: offer to type a name instead.
    pub closed: bool,
}

/// What a background job produced: one per job.
#[derive(Debug)]
pub enum Finished {
    Repos(Result<Listing, LoadError>),
    Tags(Result<Listing, LoadError>),
    /// Last-known rows (tag, digest if it was looked up) and when they were seen.
    StoredRows {
        rows: Vec<(String, Option<crate::oci::digest::Digest>)>,
        taken_at: i64,
    },
    /// Stored summaries of rows that came into view (what the store had).
    StoredSummaries(Vec<(String, TagSummary)>),
    /// The last complete catalog and when it was taken (empty: none stored).
    StoredRepos {
        names: Vec<String>,
        taken_at: i64,
    },
    Summary {
        tag: String,
        result: Result<TagSummary, String>,
    },
    /// A repository's tags as the store knew them before the session (empty:
    /// never seen).
    TagsBefore {
        repo: String,
        rows: Vec<(String, Option<crate::oci::digest::Digest>)>,
    },
    /// The catalog as last looked at before the session, if ever.
    CatalogBefore(Option<Vec<String>>),
    /// Repositories the store kept anything of.
    SeenRepos(Vec<String>),
    Detail(Result<Arc<DetailData>, String>),
    /// Where `digest` stands against its repository's key.
    Verified {
        digest: crate::oci::digest::Digest,
        result: Result<crate::ops::supply::Standing, String>,
    },
    /// The supply chain of `digest` (for the detail entries showing it).
    Supply {
        digest: crate::oci::digest::Digest,
        result: Result<Arc<crate::ops::supply::SupplySummary>, String>,
    },
    Usage(Result<Arc<crate::ops::usage::UsageData>, String>),
    /// A repository's objects for the registry's usage, with the time of the
    /// stored snapshot they come from (`None`: read now); `Ok(None)`: not stored.
    RepositoryUsage {
        repo: String,
        result: Result<Option<StoredObjects>, String>,
    },
    Planning(Result<Arc<crate::ops::prune::PlanningData>, String>),
    Plan(Result<crate::ops::delete::DeletePlan, String>),
    Deleted(Vec<(crate::ops::delete::DeleteGroup, crate::ops::delete::Outcome)>),
    Files(Result<Box<crate::ops::files::view::FileTreeData>, String>),
    Compared(Result<Box<crate::ops::compare::TagsCompared>, String>),
    /// One of your commands ran: its output (or why it could not run).
    CommandOutput(Result<String, String>),
    /// Repositories the store knows (`host/repo`): a copy's completions.
    StoredPlaces(Vec<String>),
    /// A copy planned (its destination opened), ready to preview.
    CopyPlanned(Result<Arc<crate::ops::copy::CopyBatch>, String>),
    /// A copy ran: every tag done, or stopped (Esc) after this many tags.
    Copied(Result<CopyOutcome, String>),
    /// `t`: the tag added (or why not).
    Tagged {
        tag: String,
        result: Result<(), String>,
    },
}

pub type StoredObjects = (crate::model::registry_usage::RepositoryObjects, Option<i64>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    pub tags_done: usize,
    pub stopped: bool,
}
