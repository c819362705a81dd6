//! What the user means by a key, independent of which key it was.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Down,
    Up,
    /// Go to the pane on the left, close a platform view, or clear a filter.
    Back,
    /// Open the selected repository, tag or platform.
    Open,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    NextPane,
    PrevPane,
    /// Filter the focused list as you type (fuzzy).
    Filter,
    /// Jump to a repository or registry by name (`:q` quits).
    Command,
    /// Cycle the tag order: name, created, size.
    Sort,
    SortReverse,
    /// Fetch the focused list again.
    Refresh,
    /// Put registry/repo@digest of the selection on the clipboard (OSC 52).
    /// Its earlier names, `copy_reference` and `copy`, still name it.
    #[serde(alias = "copy_reference", alias = "copy")]
    Clipboard,
    /// Copy the selected (or marked) tags to another repository, registry or layout.
    CopyImage,
    /// Put a new tag on the selected image.
    AddTag,
    /// Fetch the summary of every tag (asks once, with its price).
    FetchAll,
    /// Show or hide signature, attestation and SBOM tags.
    ToggleSignatures,
    /// Show the raw JSON of the manifest and config.
    RawJson,
    /// Mark the selected tag (and move down).
    Mark,
    /// Start or finish marking a range of tags.
    MarkRange,
    /// Delete the selected tag's manifest, after a confirmation.
    Delete,
    /// Delete every marked tag's manifest behind one confirmation.
    DeleteMarked,
    /// Show where the bytes go: exclusive and shared bytes per tag.
    Usage,
    /// Retention rules tried live on the repository, then a reviewed delete.
    Planner,
    /// The files of the image (the merged tree), or of the selected layer.
    Files,
    /// Compare the two marked tags: layers, size, config, files.
    Compare,
    /// In the file tree: the merged image or the layer's own changes.
    ToggleMerged,
    /// In the file tree: the layer below / above.
    PrevLayer,
    NextLayer,
    Help,
    Quit,
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Down => "move down",
            Action::Up => "move up",
            Action::Back => "back / close / clear filter",
            Action::Open => "open selection",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::HalfPageDown => "half a page down",
            Action::HalfPageUp => "half a page up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Filter => "fuzzy filter (Esc clears)",
            Action::Command => "go to repository or registry (:q quits)",
            Action::Sort => "sort by name / created / size",
            Action::SortReverse => "reverse the order",
            Action::Refresh => "refresh",
            Action::Clipboard => "clipboard: registry/repo@digest",
            Action::CopyImage => "copy tag(s) to a repository, registry or layout",
            Action::AddTag => "add a tag to the selected image",
            Action::ToggleSignatures => "show/hide signature tags",
            Action::FetchAll => "fetch every tag's summary (shows the cost first)",
            Action::RawJson => "raw JSON of manifest and config",
            Action::Mark => "mark tag",
            Action::MarkRange => "mark a range (v again ends it)",
            Action::Delete => "delete tag (asks first)",
            Action::DeleteMarked => "delete marked tags (asks first)",
            Action::Usage => "usage: by tag, or by repository",
            Action::Planner => "retention planner: rules, live verdicts, delete",
            Action::Files => "files of the image (Enter on a layer: of that layer)",
            Action::Compare => "compare the two marked tags (layers, config, files)",
            Action::ToggleMerged => "file tree: merged image / this layer's changes",
            Action::PrevLayer => "file tree: the layer below",
            Action::NextLayer => "file tree: the layer above",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }
}
