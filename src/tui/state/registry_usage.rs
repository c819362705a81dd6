//! The registry's usage (`u` on the repositories pane), ncdu-style: per
//! repository its stored, only-here and shared bytes, tags and images,
//! filled one repository at a time, from the store first.

use super::cursor::{Cursor, Move};
use crate::model::registry_usage::{
    RegistryUsage, RepositoryBytes, RepositoryObjects, registry_usage_of,
};
use std::sync::Arc;

/// Where a row's figures stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// Not stored; read from the registry once the price is accepted.
    Unknown,
    /// Being read (from the store, or the registry).
    Loading,
    /// Figures from the store, as of this time (Unix seconds).
    Stored(i64),
    /// Figures read from the registry in this session.
    Fresh,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct RegistryRow {
    pub repository: String,
    pub state: RowState,
    objects: Option<Arc<RepositoryObjects>>,
    /// This row's figures against every row known (exclusive and shared
    /// depend on the others).
    pub bytes: Option<RepositoryBytes>,
}

/// The columns the rows sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrySort {
    #[default]
    OnlyHere,
    Stored,
    Shared,
    Tags,
    Images,
    Name,
}

impl RegistrySort {
    const ORDER: [RegistrySort; 6] = [
        RegistrySort::OnlyHere,
        RegistrySort::Stored,
        RegistrySort::Shared,
        RegistrySort::Tags,
        RegistrySort::Images,
        RegistrySort::Name,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RegistrySort::OnlyHere => "only here",
            RegistrySort::Stored => "stored",
            RegistrySort::Shared => "shared",
            RegistrySort::Tags => "tags",
            RegistrySort::Images => "images",
            RegistrySort::Name => "name",
        }
    }

    fn next(self) -> RegistrySort {
        let at = Self::ORDER.iter().position(|s| *s == self).unwrap_or(0);
        Self::ORDER[(at + 1) % Self::ORDER.len()]
    }
}

/// What a second press of a key confirms: reading what is not stored, or
/// every repository again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Armed {
    Missing,
    All,
}

#[derive(Debug, Clone)]
pub struct RegistryUsageView {
    rows: Vec<RegistryRow>,
    /// Row indices in display order.
    order: Vec<usize>,
    cursor: Cursor,
    sort: RegistrySort,
    reversed: bool,
    /// Every known row's objects, put together.
    totals: Option<RegistryUsage>,
    /// Rows filled since the totals were computed.
    dirty: bool,
    pub armed: Option<Armed>,
}

impl RegistryUsageView {
    /// Every repository waiting for its stored figures.
    pub fn new(repositories: impl IntoIterator<Item = String>) -> RegistryUsageView {
        let rows: Vec<RegistryRow> = repositories
            .into_iter()
            .map(|repository| RegistryRow {
                repository,
                state: RowState::Loading,
                objects: None,
                bytes: None,
            })
            .collect();
        let mut view = RegistryUsageView {
            order: (0..rows.len()).collect(),
            rows,
            cursor: Cursor::default(),
            sort: RegistrySort::default(),
            reversed: false,
            totals: None,
            dirty: false,
            armed: None,
        };
        view.resort();
        view
    }

    pub fn names(&self, wanted: impl Fn(&RowState) -> bool) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| wanted(&r.state))
            .map(|r| r.repository.clone())
            .collect()
    }

    /// Rows in `names` are being read from the registry.
    pub fn reading(&mut self, names: &[String]) {
        let names: std::collections::HashSet<&String> = names.iter().collect();
        for row in self
            .rows
            .iter_mut()
            .filter(|r| names.contains(&r.repository))
        {
            row.state = RowState::Loading;
        }
    }

    /// A repository's figures arrived (`None`: the store lacks them).
    pub fn fill(
        &mut self,
        repository: &str,
        result: Result<Option<(RepositoryObjects, Option<i64>)>, String>,
    ) {
        let Some(row) = self.rows.iter_mut().find(|r| r.repository == repository) else {
            return;
        };
        match result {
            Ok(Some((objects, stored_at))) => {
                row.state = stored_at.map_or(RowState::Fresh, RowState::Stored);
                row.objects = Some(Arc::new(objects));
            }
            Ok(None) => row.state = RowState::Unknown,
            Err(e) => row.state = RowState::Failed(e),
        }
        self.dirty = true;
    }

    /// Puts the known rows' objects together again when rows were filled:
    /// only-here and shared bytes depend on every other row.
    pub fn recompute(&mut self, registry: &str) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let known = self.rows.iter().filter_map(|r| r.objects.as_deref());
        let usage = registry_usage_of(registry, known);
        let by_name: std::collections::HashMap<&str, &RepositoryBytes> = usage
            .repositories
            .iter()
            .map(|b| (b.repository.as_str(), b))
            .collect();
        for row in &mut self.rows {
            row.bytes = by_name.get(row.repository.as_str()).map(|b| (*b).clone());
        }
        self.totals = Some(usage);
        self.resort();
    }

    pub fn totals(&self) -> Option<&RegistryUsage> {
        self.totals.as_ref()
    }

    /// Rows still being read.
    pub fn pending(&self) -> usize {
        self.count(|s| *s == RowState::Loading)
    }

    pub fn count(&self, wanted: impl Fn(&RowState) -> bool) -> usize {
        self.rows.iter().filter(|r| wanted(&r.state)).count()
    }

    pub fn sort(&self) -> RegistrySort {
        self.sort
    }

    pub fn reversed(&self) -> bool {
        self.reversed
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.resort();
    }

    pub fn reverse(&mut self) {
        self.reversed = !self.reversed;
        self.resort();
    }

    /// Largest first (names A–Z); rows without figures last.
    fn resort(&mut self) {
        let selected = self.selected().map(|r| r.repository.clone());
        let key = |row: &RegistryRow| -> Option<u64> {
            let b = row.bytes.as_ref()?;
            Some(match self.sort {
                RegistrySort::OnlyHere => b.exclusive_bytes,
                RegistrySort::Stored => b.unique_bytes,
                RegistrySort::Shared => b.shared_bytes,
                RegistrySort::Tags => b.tags as u64,
                RegistrySort::Images => b.images as u64,
                RegistrySort::Name => 0,
            })
        };
        let rows = &self.rows;
        self.order.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a], &rows[b]);
            let by_figure = match (key(ra), key(rb)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            let by_figure = if self.reversed {
                by_figure.reverse()
            } else {
                by_figure
            };
            let by_name = ra.repository.cmp(&rb.repository);
            if self.sort == RegistrySort::Name && self.reversed {
                by_name.reverse()
            } else {
                by_figure.then(by_name)
            }
        });
        let position =
            selected.and_then(|name| self.order.iter().position(|&i| rows[i].repository == name));
        self.cursor.set(position.unwrap_or(0), self.order.len());
    }

    /// Rows in display order from the first shown, with their positions.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &RegistryRow)> {
        self.order
            .iter()
            .enumerate()
            .skip(self.cursor.offset())
            .map(|(pos, &i)| (pos, &self.rows[i]))
    }

    /// Every row in display order.
    pub fn rows(&self) -> impl Iterator<Item = &RegistryRow> {
        self.order.iter().map(|&i| &self.rows[i])
    }

    pub fn selected(&self) -> Option<&RegistryRow> {
        self.order
            .get(self.cursor.selected())
            .map(|&i| &self.rows[i])
    }

    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    pub fn move_cursor(&mut self, movement: Move, height: usize) {
        self.cursor.apply(movement, self.order.len());
        self.cursor.keep_in_view(height, self.order.len());
    }

    pub fn keep_in_view(&mut self, height: usize) {
        self.cursor.keep_in_view(height, self.order.len());
    }

    /// The largest stored figure (a full bar).
    pub fn largest(&self) -> u64 {
        self.rows
            .iter()
            .filter_map(|r| r.bytes.as_ref().map(|b| b.unique_bytes))
            .max()
            .unwrap_or(0)
    }
}
