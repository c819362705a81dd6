//! Everything the browser shows, owned by the app loop and changed only by
//! `update`. Each pane's state is its own module with private fields; the
//! transitions several handlers share are methods here.

pub mod compare;
pub mod copy;
mod cursor;
mod detail;
pub mod files;
mod image_view;
mod name_index;
mod narrowing;
pub mod output;
mod overlay;
pub mod packages;
pub mod planner;
pub mod registry_usage;
mod repo_list;
mod shown;
pub mod since;
mod tag_list;
mod usage;

pub use super::layout::Pane;
pub use super::ticket::{Slot, Ticket, Tickets};
pub use cursor::{Cursor, Move};
pub use detail::{
    DetailData, DetailEntry, DetailPane, DetailView, Followed, flatten as flatten_referrers,
};
pub use image_view::{ImageView, LayerLine};
pub use overlay::{DeleteDialog, Dialog, InputKind, Screen};
pub use repo_list::RepoList;
pub use tag_list::{Fetch, RangeMark, SortKey, TagList, TagRow};
pub use usage::UsagePane;

use super::effect::Effect;
use super::job::Job;
use super::settings::Settings;
use crate::oci::digest::Digest;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Load {
    #[default]
    Idle,
    Loading,
    Done,
    Failed(String),
}

/// The tags pane: the open repository and its tag list.
#[derive(Debug, Default)]
pub struct TagPane {
    repo: Option<String>,
    pub load: Load,
    pub list: TagList,
    /// Select this tag (and keep the detail open) once the list arrives.
    select_when_loaded: Option<String>,
    /// The last-known rows were asked for (once per opening).
    stored_rows_asked: bool,
    /// The rows shown are a stored snapshot of this time (Unix seconds),
    /// while the listing is on its way.
    pub stale_since: Option<i64>,
    /// Where each digest stands against the repository's key (`[[verify]]`),
    /// `None` while it is being checked.
    pub signed: std::collections::HashMap<Digest, Option<crate::ops::supply::Standing>>,
}

impl TagPane {
    pub fn repo(&self) -> Option<&str> {
        self.repo.as_deref()
    }

    /// Empties the pane for `repo`, keeping the sort and signature settings.
    fn open(&mut self, repo: &str) {
        let wanted = self.select_when_loaded.take();
        *self = TagPane {
            repo: Some(repo.to_string()),
            load: Load::Loading,
            list: self.list.emptied(),
            select_when_loaded: wanted,
            stored_rows_asked: false,
            stale_since: None,
            signed: std::collections::HashMap::new(),
        };
    }

    pub fn select_when_loaded(&mut self, tag: Option<String>) {
        self.select_when_loaded = tag;
    }

    pub fn take_wanted_selection(&mut self) -> Option<String> {
        self.select_when_loaded.take()
    }

    /// True once per opening, while the listing is still loading.
    pub fn ask_stored_rows(&mut self) -> bool {
        let ask = !self.stored_rows_asked && self.load == Load::Loading && self.repo.is_some();
        self.stored_rows_asked |= ask;
        ask
    }
}

#[derive(Debug, Default)]
pub struct Status {
    /// Background fetching is paused: the pull budget is under the reserve.
    pub budget_low: bool,
    pub in_flight: usize,
    pub queued: usize,
    pub spinner: usize,
    pub message: Option<StatusMessage>,
    pub traffic: crate::source::Traffic,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub error: bool,
}

/// Where a detail view opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The only view: what the tag selection shows (`Some((tag, digest))`), or a
    /// start point (`None`).
    Root(Followed),
    /// On top of the current one (a platform of an index).
    OnTop,
}

pub struct State {
    pub source_name: String,
    /// A standing note in the status bar (e.g. "demo content").
    pub note: Option<String>,
    pub focus: Pane,
    pub repos: RepoList,
    pub tags: TagPane,
    pub detail: DetailPane,
    pub usage: UsagePane,
    /// What changed since the last visit (marks in the panes).
    pub since: since::SinceLastVisit,
    /// A screen over the panes (file tree, comparison, planner).
    pub screen: Option<Screen>,
    /// A dialog on top of everything; it takes the keys first.
    pub dialog: Option<Dialog>,
    pub status: Status,
    pub tickets: Tickets,
    /// Terminal size (columns, rows).
    pub viewport: (u16, u16),
    /// What the browser runs with (config and flags); the rest is runtime state.
    pub settings: Settings,
    /// "Fetch all" was asked once: the next press confirms its price.
    pub fetch_all_armed: bool,
    /// "Now", for relative dates; set by ticks so render stays a pure read.
    pub now: Option<jiff::Timestamp>,
    pub quit: bool,
}

impl State {
    pub fn new(source_name: &str, settings: Settings) -> State {
        State {
            source_name: source_name.to_string(),
            note: None,
            focus: Pane::Repos,
            repos: RepoList::default(),
            tags: TagPane::default(),
            detail: DetailPane::default(),
            usage: UsagePane::default(),
            since: since::SinceLastVisit::default(),
            screen: None,
            dialog: None,
            status: Status::default(),
            tickets: Tickets::default(),
            viewport: (80, 24),
            settings,
            fetch_all_armed: false,
            now: None,
            quit: false,
        }
    }

    /// The protected images as read when the browser started, or `None` (said
    /// on the status line) when the protect lists could not be read: deletion
    /// is then off. Each deletion reads them again (`protect_sources`).
    pub fn protected_for_deleting(&mut self) -> Option<Arc<crate::model::protect::Protected>> {
        match &self.settings.protection {
            Ok(p) => Some(p.clone()),
            Err(why) => {
                let why = format!("deletion is off: {why}");
                self.error(why);
                None
            }
        }
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status.message = Some(StatusMessage {
            text: text.into(),
            error: true,
        });
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status.message = Some(StatusMessage {
            text: text.into(),
            error: false,
        });
    }

    /// Lists the repositories (again).
    pub fn load_repositories(&mut self) -> Effect {
        self.repos.loading();
        Effect::urgent(self.tickets.issue(Slot::Repos), Job::Repos)
    }

    /// Shows the tags of `name` (adding it to the repository list when the
    /// catalog did not have it) and starts loading them.
    pub fn open_repository(&mut self, name: &str) -> Effect {
        self.repos.select_or_add(name);
        let ticket = self.tickets.issue(Slot::Tags);
        self.tickets.issue(Slot::Detail);
        self.tags.open(name);
        self.detail.clear();
        self.usage.invalidate();
        self.focus = Pane::Tags;
        let repo = name.to_string();
        Effect::urgent(ticket, Job::Tags { repo })
    }

    /// Opens the manifest `digest` of `repo` in the detail pane.
    pub fn open_detail(
        &mut self,
        placement: Placement,
        repo: &str,
        digest: &Digest,
        title: String,
    ) -> Effect {
        let entry = DetailEntry::loading(repo, digest, title);
        match placement {
            Placement::Root(followed) => self.detail.replace(Some(entry), followed),
            Placement::OnTop => self.detail.push(entry),
        }
        let job = Job::Detail {
            repo: repo.to_string(),
            digest: digest.clone(),
            referrer_tags: self.tags.list.referrer_tags(digest),
        };
        Effect::urgent(self.tickets.issue(Slot::Detail), job)
    }

    /// Forgets everything of the old source (a registry switch): panes, and
    /// every outstanding ticket.
    pub fn start_over(&mut self, name: &str) -> Effect {
        self.source_name = name.to_string();
        self.note = None;
        self.repos = RepoList::default();
        self.tags = TagPane::default();
        self.detail = DetailPane::default();
        self.usage = UsagePane::default();
        self.screen = None;
        // A copy still running stops between blobs (it tags nothing then).
        if let Some(Dialog::Copy(dialog)) = &self.dialog
            && let copy::CopyStage::Copying { stop, .. } = &dialog.stage
        {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.dialog = None;
        self.focus = Pane::Repos;
        self.tickets.supersede_all();
        self.info(format!("connected to {name}"));
        self.load_repositories()
    }

    /// Moves the focused pane's cursor; `height` rows of it show.
    pub fn move_in(&mut self, pane: Pane, movement: Move, height: usize) {
        match pane {
            Pane::Repos => self.repos.move_cursor(movement),
            Pane::Tags => self.tags.list.move_cursor(movement),
            Pane::Detail => self.detail.move_cursor(movement, height),
        }
    }
}
