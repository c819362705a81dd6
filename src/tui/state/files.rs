//! The file tree view (`f`, or Enter on a layer): the merged image or one
//! layer's changes, directories folded and unfolded, sorted, filtered.

use super::cursor::{Cursor, Move};
use crate::model::filetree::tree::{SortBy, Tree};
use crate::oci::digest::Digest;
use crate::ops::files::FilesOptions;
use crate::ops::files::view::{FileTreeData, FilesMode};
use crate::tui::action::Action;
use crate::tui::job::Job;
use std::collections::HashSet;

#[derive(Debug)]
pub struct FilesView {
    repo: String,
    title: String,
    /// The image manifest whose layers these are.
    image: Digest,
    layer_sizes: Vec<u64>,
    /// Bytes read of each layer so far, as the job last reported.
    read: Vec<u64>,
    mode: FilesMode,
    data: Option<Box<FileTreeData>>,
    error: Option<String>,
    expanded: HashSet<u32>,
    /// Visible tree nodes, in order.
    rows: Vec<u32>,
    cursor: Cursor,
    filter: String,
    /// Keys go to the filter (after `/`, until Enter or Esc).
    typing: bool,
    /// A job is reading the layers (a mode switch then waits for it).
    loading: bool,
    sort: SortBy,
}

impl FilesView {
    pub fn new(
        repo: &str,
        title: String,
        image: Digest,
        layer_sizes: Vec<u64>,
        mode: FilesMode,
    ) -> FilesView {
        FilesView {
            repo: repo.to_string(),
            title,
            image,
            read: vec![0; layer_sizes.len()],
            layer_sizes,
            mode,
            data: None,
            error: None,
            expanded: HashSet::new(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            filter: String::new(),
            typing: false,
            loading: true,
            sort: SortBy::Name,
        }
    }

    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn layer_sizes(&self) -> &[u64] {
        &self.layer_sizes
    }

    /// Bytes read of each layer so far.
    pub fn read(&self) -> &[u64] {
        &self.read
    }

    pub fn mode(&self) -> FilesMode {
        self.mode
    }

    pub fn data(&self) -> Option<&FileTreeData> {
        self.data.as_deref()
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Keys go to the filter (after `/`, until Enter or Esc).
    pub fn typing(&self) -> bool {
        self.typing
    }

    pub fn sort(&self) -> SortBy {
        self.sort
    }

    /// The job that reads the tree for the current mode.
    pub fn job(&self, options: FilesOptions) -> Job {
        Job::Files {
            repo: self.repo.clone(),
            image: self.image.clone(),
            mode: self.mode,
            options,
        }
    }

    /// The mode `action` asks for, when it changes the mode: merged and
    /// layer toggle, `<` and `>` step through the layers.
    pub fn mode_after(&self, action: Action) -> Option<FilesMode> {
        let last = self.layer_sizes.len().saturating_sub(1);
        let next = match (action, self.mode) {
            (Action::ToggleMerged, FilesMode::Merged) => FilesMode::Layer(last),
            (Action::ToggleMerged, FilesMode::Layer(_)) => FilesMode::Merged,
            (Action::PrevLayer, FilesMode::Layer(i)) => FilesMode::Layer(i.saturating_sub(1)),
            (Action::NextLayer, FilesMode::Layer(i)) => FilesMode::Layer((i + 1).min(last)),
            (Action::PrevLayer | Action::NextLayer, FilesMode::Merged) => FilesMode::Layer(0),
            _ => return None,
        };
        (next != self.mode).then_some(next)
    }

    /// Shows `mode`; `true` when a job must build it. While the layers are
    /// still being read, the running job is left alone (its streams are not
    /// restarted) and the mode is built when it ends.
    pub fn show_mode(&mut self, mode: FilesMode) -> bool {
        self.mode = mode;
        self.data = None;
        self.relayout();
        let start = !self.loading;
        self.loading = true;
        start
    }

    /// Keys go to the filter from now.
    pub fn start_typing(&mut self) {
        self.typing = true;
    }

    /// Enter keeps the filter typed, Esc clears it.
    pub fn stop_typing(&mut self, keep: bool) {
        self.typing = false;
        if !keep {
            self.set_filter(String::new());
        }
    }

    pub fn keep_in_view(&mut self, height: usize) {
        self.cursor.keep_in_view(height, self.rows.len());
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.data.as_ref().map(|d| &d.tree)
    }

    pub fn is_expanded(&self, node: u32) -> bool {
        !self.filter.is_empty() || self.expanded.contains(&node)
    }

    /// The tree for the mode arrived: the top level shows, the first
    /// directory unfolded when it is the only one.
    /// The tree for a mode arrived; `true` when it was for a mode the view
    /// has left (the layers are read now: a job builds the current one).
    pub fn fill(&mut self, result: Result<Box<FileTreeData>, String>) -> bool {
        self.loading = false;
        if let Ok(data) = &result
            && data.mode != self.mode
        {
            self.loading = true;
            return true;
        }
        match result {
            Ok(mut data) => {
                data.tree.sort(self.sort);
                self.expanded.clear();
                if let [only] = data.tree.nodes[0].children[..] {
                    self.expanded.insert(only);
                }
                self.data = Some(data);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        self.cursor = Cursor::default();
        self.relayout();
        false
    }

    /// The job reported the bytes read of each layer so far.
    pub fn progressed(&mut self, bytes: Vec<u64>) {
        if bytes.len() == self.layer_sizes.len() {
            self.read = bytes;
        }
    }

    pub fn selected_node(&self) -> Option<u32> {
        self.rows.get(self.cursor.selected()).copied()
    }

    pub fn move_cursor(&mut self, movement: Move, height: usize) {
        self.cursor.apply(movement, self.rows.len());
        self.cursor.keep_in_view(height, self.rows.len());
    }

    /// Unfolds the selected directory, or steps into it when it is open.
    pub fn open(&mut self) {
        let (Some(node), Some(tree)) = (self.selected_node(), self.tree()) else {
            return;
        };
        let has_children = !tree.nodes[node as usize].children.is_empty();
        if !has_children {
            return;
        }
        if self.is_expanded(node) {
            self.cursor.apply(Move::By(1), self.rows.len());
        } else {
            self.expanded.insert(node);
            self.relayout();
        }
    }

    /// Folds the selected directory, else goes to its parent; `false` when
    /// there is nothing to fold or go up to (the view may close).
    pub fn back(&mut self) -> bool {
        let Some(node) = self.selected_node() else {
            return false;
        };
        if self.filter.is_empty() && self.expanded.remove(&node) {
            self.relayout();
            return true;
        }
        let Some(tree) = self.tree() else {
            return false;
        };
        let depth = tree.nodes[node as usize].depth;
        if depth <= 1 {
            return false;
        }
        let selected = self.cursor.selected();
        let parent = (0..selected).rev().find(|i| {
            let n = self.rows[*i] as usize;
            tree.nodes[n].depth < depth
        });
        if let Some(parent) = parent {
            self.cursor.set(parent, self.rows.len());
        }
        true
    }

    pub fn toggle_sort(&mut self) {
        self.sort = match self.sort {
            SortBy::Name => SortBy::Size,
            SortBy::Size => SortBy::Name,
        };
        if let Some(data) = &mut self.data {
            data.tree.sort(self.sort);
        }
        self.relayout();
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.cursor = Cursor::default();
        self.relayout();
    }

    /// Recomputes the visible rows, keeping the selected node when it stays.
    pub fn relayout(&mut self) {
        let selected = self.selected_node();
        self.rows = match self.tree() {
            Some(tree) => visible_rows(tree, &self.expanded, &self.filter),
            None => Vec::new(),
        };
        if let Some(i) = selected.and_then(|s| self.rows.iter().position(|r| *r == s)) {
            self.cursor.set(i, self.rows.len());
        } else {
            self.cursor.set(self.cursor.selected(), self.rows.len());
        }
    }
}

/// Depth first: the children of unfolded directories; with a filter, every
/// path containing it (case-insensitive) and the directories above them.
fn visible_rows(tree: &Tree, expanded: &HashSet<u32>, filter: &str) -> Vec<u32> {
    let keep = (!filter.is_empty()).then(|| matching(tree, &filter.to_lowercase()));
    let mut rows = Vec::new();
    let mut stack: Vec<u32> = tree.nodes[0].children.iter().rev().copied().collect();
    while let Some(node) = stack.pop() {
        let i = node as usize;
        let (shown, open) = match &keep {
            Some(keep) => (keep[i], keep[i]),
            None => (true, expanded.contains(&node)),
        };
        if !shown {
            continue;
        }
        rows.push(node);
        if open {
            stack.extend(tree.nodes[i].children.iter().rev());
        }
    }
    rows
}

/// Nodes whose path matches, or that have a match below them (children come
/// after their parents, so one backwards pass carries matches up).
fn matching(tree: &Tree, needle: &str) -> Vec<bool> {
    let needle = needle.as_bytes();
    let mut keep: Vec<bool> = tree
        .nodes
        .iter()
        .map(|n| contains_ignoring_case(tree.name(n), needle))
        .collect();
    for i in (0..tree.nodes.len()).rev() {
        if !keep[i] && tree.nodes[i].children.iter().any(|c| keep[*c as usize]) {
            keep[i] = true;
        }
    }
    keep
}

/// Whether `name` holds `needle` (lowercase), ASCII letters of `name` compared
/// without their case: no name is copied or lowercased per keystroke.
fn contains_ignoring_case(name: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || name
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::filetree::merge::merge;
    use crate::oci::layer::{EntryKind, FileEntry};
    use crate::ops::files::view::FileTreeData;

    fn entry(path: &str, size: u64) -> FileEntry {
        let kind = if size == 0 {
            EntryKind::Dir
        } else {
            EntryKind::File
        };
        FileEntry::sample(path, kind, size)
    }

    fn tree_data(mode: FilesMode) -> Box<FileTreeData> {
        let layer = vec![entry("etc/hosts", 5)];
        let merged = merge(&[&layer]);
        let tree = Tree::build(merged.files);
        let marks = vec![None; tree.nodes.len()];
        Box::new(FileTreeData {
            mode,
            tree,
            marks,
            wasted: merged.wasted,
            hidden_bytes: 0,
            layers: Vec::new(),
        })
    }

    #[test]
    fn a_mode_switch_while_the_layers_are_read_waits_for_the_running_job() {
        let image = crate::oci::digest::Digest::sha256_of(b"x");
        let mut v = FilesView::new("app", "1.0".into(), image, vec![1], FilesMode::Merged);
        assert!(
            !v.show_mode(FilesMode::Layer(0)),
            "the job reading the layers is not restarted"
        );
        assert!(
            v.fill(Ok(tree_data(FilesMode::Merged))),
            "its tree is for the mode left: the current one is asked for"
        );
        assert!(v.data().is_none());
        assert!(!v.fill(Ok(tree_data(FilesMode::Layer(0)))));
        assert_eq!(v.data().map(|d| d.mode), Some(FilesMode::Layer(0)));
        assert!(
            v.show_mode(FilesMode::Merged),
            "nothing running: the switch starts a job"
        );
    }

    fn view() -> FilesView {
        let layer = vec![
            entry("etc", 0),
            entry("etc/hosts", 5),
            entry("usr/bin/sh", 50),
            entry("usr/lib/libc.so", 900),
        ];
        let merged = merge(&[&layer]);
        let tree = Tree::build(merged.files);
        let marks = vec![None; tree.nodes.len()];
        let data = FileTreeData {
            mode: FilesMode::Merged,
            tree,
            marks,
            wasted: merged.wasted,
            hidden_bytes: 0,
            layers: Vec::new(),
        };
        let mut view = FilesView::new(
            "app",
            "1.0".into(),
            crate::oci::digest::Digest::sha256_of(b"x"),
            vec![1],
            FilesMode::Merged,
        );
        view.fill(Ok(Box::new(data)));
        view
    }

    fn names(view: &FilesView) -> Vec<String> {
        let tree = view.tree().unwrap();
        view.rows()
            .iter()
            .map(|n| String::from_utf8_lossy(tree.path(&tree.nodes[*n as usize])).into_owned())
            .collect()
    }

    #[test]
    fn directories_fold_unfold_and_back_goes_to_the_parent() {
        let mut v = view();
        assert_eq!(names(&v), ["etc", "usr"]);
        v.move_cursor(Move::By(1), 10);
        v.open();
        assert_eq!(names(&v), ["etc", "usr", "usr/bin", "usr/lib"]);
        v.open(); // open already: steps in
        assert_eq!(v.cursor.selected(), 2);
        assert!(v.back(), "to the parent");
        assert_eq!(v.cursor.selected(), 1);
        assert!(v.back(), "folds it");
        assert_eq!(names(&v), ["etc", "usr"]);
        assert!(!v.back(), "nothing above the top level: the view may close");
    }

    #[test]
    fn progress_reported_by_the_job_is_kept_when_it_fits_the_layers() {
        let image = crate::oci::digest::Digest::sha256_of(b"x");
        let mut v = FilesView::new(
            "app",
            "1.0".into(),
            image,
            vec![100, 200],
            FilesMode::Merged,
        );
        assert_eq!(v.read, [0, 0]);
        v.progressed(vec![100, 150]);
        assert_eq!(v.read, [100, 150]);
        v.progressed(vec![1, 2, 3]);
        assert_eq!(v.read, [100, 150], "a report for other layers is ignored");
    }

    #[test]
    fn the_filter_shows_matches_with_their_directories_and_sort_by_size() {
        let mut v = view();
        v.set_filter("LIBC".into());
        assert_eq!(names(&v), ["usr", "usr/lib", "usr/lib/libc.so"]);
        v.set_filter(String::new());
        v.toggle_sort();
        assert_eq!(names(&v), ["usr", "etc"], "largest first");
    }
}
