//! The tags of the open repository: rows by name, the sort order, the filter
//! and signature toggle, the cursor, marks, and which rows were asked for.
//! Everything outside names rows by tag name, never by position.

use super::cursor::{Cursor, Move};
use super::name_index::NameIndex;
use super::narrowing::Narrowing;
use super::shown::Shown;
use crate::model::tag_order::natural_cmp;
use crate::oci::digest::Digest;
use crate::ops::summary::{TagSummary, is_signature_tag};
use crate::tui::filter::matching;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

/// How far a row's summary has been asked for.
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
    /// Boxed: most rows of a long list have none, and a row stays small.
    pub summary: Option<Box<TagSummary>>,
    pub error: Option<String>,
    /// The digest a stored snapshot gives, until its stored summary is asked for.
    pub stored: Option<Box<Digest>>,
}

impl TagRow {
    fn new(name: String) -> TagRow {
        TagRow {
            signature: is_signature_tag(&name),
            name,
            fetch: Fetch::NotRequested,
            summary: None,
            error: None,
            stored: None,
        }
    }
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

/// What `v` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeMark {
    Started,
    /// The range closed, marking this many tags.
    Marked(usize),
}

#[derive(Debug, Default)]
pub struct TagList {
    rows: Vec<TagRow>,
    by_name: NameIndex,
    /// Filter results for the current order, so typing narrows them.
    narrowing: Narrowing,
    /// What the tag names attach to each digest (cosign tags, the tag schema).
    attached: HashMap<Digest, crate::model::attached::Attached>,
    /// A summary came with referrers from the registry's referrers API.
    referred_seen: bool,
    /// All row indices in natural name order (computed once per load).
    name_order: Vec<usize>,
    /// The rows that pass the filter and the signature toggle, sorted, and the cursor.
    shown: Shown,
    filter: String,
    sort: SortKey,
    reverse: bool,
    hide_signatures: bool,
    /// New sizes or dates arrived since the last sort.
    needs_sort: bool,
    /// Platform lists seen so far: rows with equal lists share one allocation.
    platform_sets: HashSet<Arc<[String]>>,
    marked: BTreeSet<String>,
    /// The tag a range mark (`v`) started on.
    range_anchor: Option<String>,
    /// Changes whenever the marks do (derived values follow it).
    marks_revision: u64,
}

impl TagList {
    /// An empty list with this one's sort and signature settings.
    pub fn emptied(&self) -> TagList {
        TagList {
            sort: self.sort,
            reverse: self.reverse,
            hide_signatures: self.hide_signatures,
            ..TagList::default()
        }
    }

    /// Replaces the rows with a fresh tag list (sorted by name, then by the current key).
    pub fn set_rows(&mut self, names: Vec<String>) {
        let rows = names.into_iter().map(TagRow::new).collect();
        self.replace_rows(rows);
    }

    /// Replaces the rows with a fresh list, keeping what rows of the same name
    /// showed until they are looked up again (a stored snapshot revalidated).
    pub fn set_rows_keeping(&mut self, names: Vec<String>) {
        self.keep_rows(names, true);
    }

    /// A longer part of the same listing: rows already there keep what they
    /// loaded and how far they were asked for.
    pub fn extend_listing(&mut self, names: Vec<String>) {
        self.keep_rows(names, false);
    }

    fn keep_rows(&mut self, names: Vec<String>, revalidate: bool) {
        let selected = self.selected().map(|r| r.name.clone());
        let mut old: HashMap<String, TagRow> =
            self.rows.drain(..).map(|r| (r.name.clone(), r)).collect();
        let rows = names
            .into_iter()
            .map(|name| match old.remove(&name) {
                Some(mut row) => {
                    if revalidate {
                        row.fetch = Fetch::NotRequested;
                    }
                    row
                }
                None => TagRow::new(name),
            })
            .collect();
        self.replace_rows(rows);
        if let Some(name) = selected {
            self.select(&name);
        }
    }

    /// Shows a stored snapshot's rows: names at once, each with the digest
    /// its stored summary is read by when it comes into view.
    pub fn set_stored_rows(&mut self, rows: Vec<(String, Option<Digest>)>) {
        let rows = rows
            .into_iter()
            .map(|(name, digest)| TagRow {
                stored: digest.map(Box::new),
                ..TagRow::new(name)
            })
            .collect();
        self.replace_rows(rows);
    }

    /// The rows at `positions` (display order) whose stored summary was not
    /// asked for yet and that have no summary; each is asked for once.
    pub fn take_stored(&mut self, positions: Range<usize>) -> Vec<(String, Digest)> {
        let rows = self.shown.rows();
        let end = positions.end.min(rows.len());
        let start = positions.start.min(end);
        let mut wanted = Vec::new();
        for &i in &rows[start..end] {
            let row = &mut self.rows[i];
            if row.summary.is_none()
                && let Some(digest) = row.stored.take()
            {
                wanted.push((row.name.clone(), *digest));
            }
        }
        wanted
    }

    /// Shows a summary from the store, still to be looked up again.
    pub fn show_stored(&mut self, tag: &str, summary: TagSummary) {
        let looked_up = self
            .index_of(tag)
            .is_some_and(|i| self.rows[i].summary.is_some() || self.rows[i].fetch == Fetch::Done);
        if looked_up {
            return; // what the registry said now wins over the store
        }
        if self.apply_summary(tag, Ok(summary))
            && let Some(i) = self.index_of(tag)
        {
            self.rows[i].fetch = Fetch::NotRequested;
        }
    }

    /// Keeps the rows whose name passes `keep`, with what they have loaded.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let selected = self.selected().map(|r| r.name.clone());
        let rows: Vec<TagRow> = self.rows.drain(..).filter(|r| keep(&r.name)).collect();
        let before = self.marked.len();
        self.marked.retain(|name| keep(name));
        if self.marked.len() != before {
            self.marks_revision += 1;
        }
        self.replace_rows(rows);
        if let Some(name) = selected {
            self.select(&name);
        }
    }

    fn replace_rows(&mut self, rows: Vec<TagRow>) {
        // The old positions mean nothing for the new rows.
        self.shown.clear();
        self.rows = rows;
        let rows = &self.rows;
        self.by_name = NameIndex::build(rows.len(), |i| rows[i].name.as_str());
        self.attached =
            crate::model::attached::attached_by_subject(rows.iter().map(|r| r.name.as_str()));
        let mut name_order: Vec<usize> = (0..self.rows.len()).collect();
        let rows = &self.rows;
        name_order.sort_by(|&a, &b| natural_cmp(&rows[a].name, &rows[b].name));
        self.name_order = name_order;
        self.resort();
    }

    /// Orders rows by the current key (newest or largest first; rows without the
    /// value last; name order breaks ties), then refilters.
    pub fn resort(&mut self) {
        self.needs_sort = false;
        self.narrowing.invalidate();
        self.refilter();
    }

    /// Re-sorts when new values arrived since the last sort.
    pub fn resort_if_needed(&mut self) -> bool {
        let needed = self.needs_sort;
        if needed {
            self.resort();
        }
        needed
    }

    /// Applies the filter and the signature toggle to the sorted rows, keeping
    /// the selection.
    fn refilter(&mut self) {
        let selected = self.selected().map(|r| r.name.clone());
        let rows = &self.rows;
        let hide = self.hide_signatures;
        let (name_order, sort) = (&self.name_order, self.sort);
        let all = || {
            let mut order = sorted(rows, name_order, sort);
            order.retain(|&i| !(hide && rows[i].signature));
            order
        };
        let match_among = |among: &[usize], filter: &str| {
            matching(among.iter().map(|&i| (i, rows[i].name.as_str())), filter)
        };
        let mut visible = self.narrowing.rows(&self.filter, all, match_among);
        if self.reverse {
            visible.reverse();
        }
        let keep = selected.and_then(|name| self.index_of(&name));
        self.shown.replace(visible, keep);
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name, |i| self.rows[i].name.as_str())
    }

    fn position_of(&self, name: &str) -> Option<usize> {
        self.shown.position_of(self.index_of(name)?)
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refilter();
    }

    pub fn sort(&self) -> SortKey {
        self.sort
    }

    pub fn reversed(&self) -> bool {
        self.reverse
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.resort();
    }

    pub fn toggle_reverse(&mut self) {
        self.reverse = !self.reverse;
        self.resort();
    }

    /// Shows or hides signature tags; returns whether they are hidden now.
    pub fn toggle_signatures(&mut self) -> bool {
        self.hide_signatures = !self.hide_signatures;
        self.narrowing.invalidate();
        self.refilter();
        self.hide_signatures
    }

    /// Selects `name` when it is visible.
    pub fn select(&mut self, name: &str) -> bool {
        match self.index_of(name) {
            Some(row) => self.shown.select(row),
            None => false,
        }
    }

    pub fn selected(&self) -> Option<&TagRow> {
        self.shown.selected().map(|i| &self.rows[i])
    }

    /// Every row, the filter aside.
    pub fn rows(&self) -> impl Iterator<Item = &TagRow> {
        self.rows.iter()
    }

    pub fn row(&self, name: &str) -> Option<&TagRow> {
        self.index_of(name).map(|i| &self.rows[i])
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// What the repository's tag names attach to `digest`, if anything.
    /// What tag names attach to `digest`, with what the referrers API said
    /// (`referred`, from its row's summary).
    pub fn attached(&self, digest: &Digest) -> Option<crate::model::attached::Attached> {
        self.attached.get(digest).copied()
    }

    /// The tags that name `digest` as their subject (`sha256-<hex>` and its
    /// `.sig`, `.att`, `.sbom`), those the list has.
    pub fn referrer_tags(&self, digest: &Digest) -> Vec<String> {
        let schema = digest.to_string().replacen(':', "-", 1);
        ["", ".sig", ".att", ".sbom"]
            .iter()
            .map(|suffix| format!("{schema}{suffix}"))
            .filter(|tag| self.index_of(tag).is_some())
            .collect()
    }

    /// Whether any tag name attaches something to an image (a badge column).
    pub fn has_attached(&self) -> bool {
        !self.attached.is_empty() || self.referred_seen
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.shown.len()
    }

    /// The visible rows from `offset` on, with their positions.
    pub fn visible_from(&self, offset: usize) -> impl Iterator<Item = (usize, &TagRow)> {
        self.shown.from(offset).map(|(pos, i)| (pos, &self.rows[i]))
    }

    pub fn visible_names(&self) -> Vec<String> {
        self.visible_from(0).map(|(_, r)| r.name.clone()).collect()
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

    /// Records a finished summary; returns false for a tag no longer listed.
    pub fn apply_summary(&mut self, tag: &str, result: Result<TagSummary, String>) -> bool {
        let Some(index) = self.index_of(tag) else {
            return false;
        };
        let row = &mut self.rows[index];
        row.fetch = Fetch::Done;
        match result {
            Ok(mut summary) => {
                match self.platform_sets.get(&summary.platforms[..]) {
                    Some(shared) => summary.platforms = shared.clone(),
                    None => {
                        self.platform_sets.insert(summary.platforms.clone());
                    }
                }
                self.referred_seen |= summary.referred.is_some();
                row.summary = Some(Box::new(summary));
                row.error = None;
            }
            Err(message) => row.error = Some(message),
        }
        if self.sort != SortKey::Name {
            self.needs_sort = true;
        }
        true
    }

    /// The rows at visible `positions` that still need asking at this urgency,
    /// marked as asked.
    pub fn take_unrequested(&mut self, positions: Range<usize>, urgent: bool) -> Vec<String> {
        let rows = self.shown.rows();
        let end = positions.end.min(rows.len());
        let start = positions.start.min(end);
        let indices: Vec<usize> = rows[start..end].to_vec();
        self.take(indices, urgent)
    }

    /// Every row not asked for yet (visible ones first): what "fetch all" asks.
    pub fn take_all(&mut self) -> Vec<String> {
        let mut indices = self.shown.rows().to_vec();
        indices.extend(self.name_order.iter().copied());
        self.take(indices, false)
    }

    /// How many rows have no summary and nobody asked for one.
    pub fn unrequested(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.fetch == Fetch::NotRequested)
            .count()
    }

    fn take(&mut self, indices: Vec<usize>, urgent: bool) -> Vec<String> {
        let (needs, becomes): (&[Fetch], Fetch) = if urgent {
            (&[Fetch::NotRequested, Fetch::Queued], Fetch::Urgent)
        } else {
            (&[Fetch::NotRequested], Fetch::Queued)
        };
        let mut wanted = Vec::new();
        for i in indices {
            let row = &mut self.rows[i];
            if needs.contains(&row.fetch) {
                row.fetch = becomes;
                wanted.push(row.name.clone());
            }
        }
        wanted
    }

    /// Marks or unmarks `name`.
    pub fn toggle_mark(&mut self, name: &str) {
        if !self.marked.remove(name) {
            self.marked.insert(name.to_string());
        }
        self.marks_revision += 1;
    }

    pub fn is_marked(&self, name: &str) -> bool {
        self.marked.contains(name)
    }

    pub fn has_marks(&self) -> bool {
        !self.marked.is_empty() || self.range_anchor.is_some()
    }

    /// Starts a range at the selected tag, or marks every visible tag from the
    /// anchor to the selection.
    pub fn start_or_finish_range(&mut self) -> RangeMark {
        match self.range_anchor.take() {
            None => {
                self.range_anchor = self.selected().map(|r| r.name.clone());
                self.marks_revision += 1;
                RangeMark::Started
            }
            Some(_) if self.shown.is_empty() => {
                self.marks_revision += 1;
                RangeMark::Marked(0)
            }
            Some(anchor) => {
                let names = self.range_names(&anchor);
                let count = names.len();
                self.marked.extend(names);
                self.marks_revision += 1;
                RangeMark::Marked(count)
            }
        }
    }

    /// Visible tags between `anchor` and the selection (the selection alone when
    /// the anchor is filtered out).
    fn range_names(&self, anchor: &str) -> Vec<String> {
        let cursor = self.shown.cursor().selected();
        let from = self.position_of(anchor).unwrap_or(cursor);
        let (low, high) = (from.min(cursor), from.max(cursor));
        self.shown
            .rows()
            .iter()
            .skip(low)
            .take(high - low + 1)
            .map(|&i| self.rows[i].name.clone())
            .collect()
    }

    /// Marked tags plus the open range, sorted.
    pub fn marked_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.marked.iter().cloned().collect();
        if let Some(anchor) = &self.range_anchor
            && !self.shown.is_empty()
        {
            names.extend(self.range_names(anchor));
        }
        names.sort();
        names.dedup();
        names
    }

    pub fn clear_marks(&mut self) {
        self.marked.clear();
        self.range_anchor = None;
        self.marks_revision += 1;
    }

    /// Changes whenever `marked_names` may: the marks, or the cursor while a
    /// range is open.
    pub fn marks_key(&self) -> (u64, Option<usize>) {
        let open_range = self
            .range_anchor
            .as_ref()
            .map(|_| self.shown.cursor().selected());
        (self.marks_revision, open_range)
    }
}

fn sorted_by_key<K: Ord>(name_order: &[usize], key: impl Fn(usize) -> Option<K>) -> Vec<usize> {
    let mut keyed: Vec<(Option<Reverse<K>>, usize)> = name_order
        .iter()
        .map(|&i| (key(i).map(Reverse), i))
        .collect();
    // Stable: equal keys keep name order. `None` sorts after every `Some(Reverse)`.
    keyed.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Row indices in `sort` order (name order breaks ties).
fn sorted(rows: &[TagRow], name_order: &[usize], sort: SortKey) -> Vec<usize> {
    match sort {
        SortKey::Name => name_order.to_vec(),
        SortKey::Created => sorted_by_key(name_order, |i| {
            rows[i].summary.as_deref().and_then(|s| s.created)
        }),
        SortKey::Size => sorted_by_key(name_order, |i| rows[i].summary.as_deref().map(|s| s.size)),
    }
}
