//! The repositories pane: the catalog (plus names typed by the user), filtered.

use super::Load;
use super::cursor::{Cursor, Move};
use super::shown::Shown;
use crate::tui::filter::matching;

#[derive(Debug, Default)]
pub struct RepoList {
    items: Vec<String>,
    /// The items that pass the filter, in display order, and the cursor.
    shown: Shown,
    filter: String,
    pub load: Load,
    /// The catalog answered 401/403/404: the user types a repository with `:`.
    pub catalog_closed: bool,
    /// The names shown are a stored catalog of this time (Unix seconds).
    pub stale_since: Option<i64>,
    /// The stored catalog was asked for during this load.
    stored_asked: bool,
}

impl RepoList {
    /// True once per load of the catalog, while it is loading.
    pub fn ask_stored(&mut self) -> bool {
        let ask = !self.stored_asked && self.load == Load::Loading;
        self.stored_asked |= ask;
        ask
    }

    /// Starts a new load (the stored catalog may be asked for again).
    pub fn loading(&mut self) {
        self.load = Load::Loading;
        self.stored_asked = false;
    }

    /// Replaces the catalog, keeping names the user typed that it lacks, and
    /// the selection.
    pub fn set_items(&mut self, catalog: Vec<String>) {
        let selected = self.selected().map(str::to_string);
        let typed: Vec<String> = self
            .items
            .drain(..)
            .filter(|r| !catalog.contains(r))
            .collect();
        self.items = catalog;
        self.items.extend(typed);
        self.refilter(selected);
    }

    /// Adds the names missing (favorites, repositories seen before: where
    /// the catalog is closed), in name order after what is there.
    pub fn add_known(&mut self, mut names: Vec<String>) {
        names.sort();
        names.dedup();
        let selected = self.selected().map(str::to_string);
        let missing: Vec<String> = names
            .into_iter()
            .filter(|n| !self.items.contains(n))
            .collect();
        self.items.extend(missing);
        self.refilter(selected);
    }

    /// Adds `name` when missing and selects it.
    pub fn select_or_add(&mut self, name: &str) {
        if !self.items.iter().any(|r| r == name) {
            self.items.push(name.to_string());
            self.shown.push(self.items.len() - 1);
        }
        self.select(name);
    }

    /// Selects `name` when it is visible.
    pub fn select(&mut self, name: &str) -> bool {
        match self.items.iter().position(|r| r == name) {
            Some(row) => self.shown.select(row),
            None => false,
        }
    }

    pub fn selected(&self) -> Option<&str> {
        self.shown.selected().map(|i| self.items[i].as_str())
    }

    /// Every name (the filter aside).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(String::as_str)
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: String) {
        let selected = self.selected().map(str::to_string);
        self.filter = filter;
        self.refilter(selected);
    }

    fn refilter(&mut self, selected: Option<String>) {
        let rows = matching(
            self.items.iter().map(String::as_str).enumerate(),
            &self.filter,
        );
        let keep = selected.and_then(|s| self.items.iter().position(|r| *r == s));
        self.shown.replace(rows, keep);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.shown.len()
    }

    /// The visible names from `offset` on, with their positions.
    pub fn visible_from(&self, offset: usize) -> impl Iterator<Item = (usize, &str)> {
        self.shown
            .from(offset)
            .map(|(pos, i)| (pos, self.items[i].as_str()))
    }

    pub fn cursor(&self) -> Cursor {
        self.shown.cursor()
    }

    pub fn move_cursor(&mut self, movement: Move) {
        self.shown.move_cursor(movement);
    }

    pub fn select_position(&mut self, position: usize) {
        self.shown.select_position(position);
    }

    pub fn keep_in_view(&mut self, height: usize) {
        self.shown.keep_in_view(height);
    }
}
