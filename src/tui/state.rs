//! Everything the TUI shows, owned by the app loop and changed only by `update`.

use super::keymap::Keymap;
use crate::oci::digest::Digest;
use crate::ops::detail::Detail;
use crate::ops::summary::TagSummary;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Repos,
    Tags,
    Detail,
}

/// The selected row and the first row shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let target = self.selected as isize + delta;
        self.set(target.max(0) as usize, len);
    }

    pub fn set(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }

    /// Scrolls so the selection is inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize, len: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Load {
    #[default]
    Idle,
    Loading,
    Loaded,
    Failed(String),
}

#[derive(Debug, Default)]
pub struct RepoPane {
    pub items: Vec<String>,
    /// Indices into `items` that pass the filter, in display order.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
    pub load: Load,
    /// The catalog answered 401/403/404: the user types a repository with `:`.
    pub catalog_closed: bool,
}

impl RepoPane {
    pub fn selected(&self) -> Option<&str> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| self.items[i].as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    NotRequested,
    Queued,
    Urgent,
    Done,
}

#[derive(Debug, Clone)]
pub struct TagRow {
    pub name: String,
    pub signature: bool,
    pub fetch: Fetch,
    pub summary: Option<TagSummary>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Created,
    Size,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Created,
            SortKey::Created => SortKey::Size,
            SortKey::Size => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Created => "created",
            SortKey::Size => "size",
        }
    }
}

#[derive(Debug, Default)]
pub struct TagPane {
    pub repo: Option<String>,
    pub rows: Vec<TagRow>,
    pub by_name: HashMap<String, usize>,
    /// All row indices in natural name order (computed once per load).
    pub name_order: Vec<usize>,
    /// All row indices in the current sort order (before filtering).
    pub order: Vec<usize>,
    /// Indices into `rows` that pass the filter and the signature toggle, sorted.
    pub visible: Vec<usize>,
    pub cursor: Cursor,
    pub filter: String,
    pub load: Load,
    pub sort: SortKey,
    pub reverse: bool,
    pub hide_signatures: bool,
    /// Re-sort at the next tick (new sizes or dates arrived).
    pub needs_sort: bool,
    /// Select this tag (and open it) once the list arrives.
    pub select_when_loaded: Option<String>,
    /// Platform lists seen so far: rows with equal lists share one allocation.
    pub platform_sets: std::collections::HashSet<Arc<[String]>>,
    /// Tags marked for deletion.
    pub marked: std::collections::BTreeSet<String>,
    /// Where a range mark (`v`) started, as a position in `visible`.
    pub range_anchor: Option<usize>,
}

impl TagPane {
    pub fn selected_row(&self) -> Option<&TagRow> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| &self.rows[i])
    }
}

#[derive(Debug, Clone)]
pub enum DetailView {
    Loading,
    Loaded(Arc<DetailData>),
    Failed(String),
}

/// A loaded detail with its raw JSON already laid out as lines.
#[derive(Debug)]
pub struct DetailData {
    pub detail: Detail,
    pub raw_lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DetailEntry {
    pub repo: String,
    pub digest: Digest,
    /// What the user opened: a tag, or a platform of an index.
    pub title: String,
    pub view: DetailView,
    pub cursor: Cursor,
}

#[derive(Debug, Default)]
pub struct DetailPane {
    /// The root is the selected tag; platforms opened from an index stack on top.
    pub stack: Vec<DetailEntry>,
    pub raw: bool,
}

impl DetailPane {
    pub fn top(&self) -> Option<&DetailEntry> {
        self.stack.last()
    }
}

/// Where the bytes of the open repository go (the `u` view and layer use counts).
#[derive(Debug, Default)]
pub struct UsagePane {
    pub shown: bool,
    pub load: Load,
    pub data: Option<Arc<crate::ops::usage::UsageData>>,
    /// Tag → its row in `data.usage.tags`.
    pub by_tag: HashMap<String, usize>,
    /// Object (layer, config, child) → how many tags keep it.
    pub object_tags: HashMap<Digest, usize>,
}

/// The delete confirmation.
#[derive(Debug, Clone, Default)]
pub struct DeleteDialog {
    /// `None` while every tag is still being checked.
    pub plan: Option<Arc<crate::ops::delete::DeletePlan>>,
    /// What must be typed to confirm (`None`: `y` confirms).
    pub expected: Option<String>,
    pub input: tui_input::Input,
    pub working: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The help overlay, scrolled by this many rows.
    Help(usize),
    Input {
        kind: InputKind,
        input: tui_input::Input,
    },
    Delete(DeleteDialog),
}

#[derive(Debug, Default)]
pub struct Status {
    pub in_flight: usize,
    pub queued: usize,
    pub spinner: usize,
    pub message: Option<StatusMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Repos,
    Tags,
    Detail,
    Usage,
    Delete,
}

/// Identifies a request; a result whose ticket is no longer current is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub slot: Slot,
    pub generation: u64,
}

#[derive(Debug, Default)]
pub struct Tickets {
    generations: HashMap<Slot, u64>,
}

impl Tickets {
    /// A new ticket for `slot`, making every older one stale.
    pub fn issue(&mut self, slot: Slot) -> Ticket {
        let generation = self.generations.entry(slot).or_default();
        *generation += 1;
        Ticket {
            slot,
            generation: *generation,
        }
    }

    pub fn current(&self, slot: Slot) -> Ticket {
        Ticket {
            slot,
            generation: self.generations.get(&slot).copied().unwrap_or(0),
        }
    }

    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.current(ticket.slot) == ticket
    }
}

pub struct State {
    pub source_name: String,
    /// A standing note in the status bar (e.g. "demo content").
    pub note: Option<String>,
    pub focus: Pane,
    pub repos: RepoPane,
    pub tags: TagPane,
    pub detail: DetailPane,
    pub usage: UsagePane,
    pub overlay: Overlay,
    pub status: Status,
    pub tickets: Tickets,
    /// Terminal size (columns, rows).
    pub viewport: (u16, u16),
    pub keymap: Arc<Keymap>,
    pub monochrome: bool,
    /// `--read-only`: deletion is off.
    pub read_only: bool,
    /// "Now", for relative dates; set by ticks so render stays a pure read.
    pub now: Option<jiff::Timestamp>,
    pub quit: bool,
}

impl State {
    pub fn new(source_name: &str, keymap: Arc<Keymap>) -> State {
        State {
            source_name: source_name.to_string(),
            note: None,
            focus: Pane::Repos,
            repos: RepoPane::default(),
            tags: TagPane::default(),
            detail: DetailPane::default(),
            usage: UsagePane::default(),
            overlay: Overlay::None,
            status: Status::default(),
            tickets: Tickets::default(),
            viewport: (80, 24),
            keymap,
            monochrome: false,
            read_only: false,
            now: None,
            quit: false,
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
}
