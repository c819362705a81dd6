//! The tags pane: rows, sorting, filtering, and asking for summaries of the
//! rows on screen first.

use super::super::effect::Effect;
use super::super::filter::matching;
use super::super::state::{Fetch, Pane, SortKey, State, TagPane, TagRow};
use super::nav::{keep_in_view, rows_of};
use crate::model::tag_order::natural_cmp;
use crate::ops::summary::is_signature_tag;
use std::cmp::{Ordering, Reverse};

/// Replaces the rows with a fresh tag list (sorted by name, then by the current key).
pub fn set_rows(tags: &mut TagPane, names: Vec<String>) {
    tags.visible.clear();
    tags.rows = names
        .into_iter()
        .map(|name| TagRow {
            signature: is_signature_tag(&name),
            name,
            fetch: Fetch::NotRequested,
            summary: None,
            error: None,
        })
        .collect();
    tags.by_name = tags
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    let mut name_order: Vec<usize> = (0..tags.rows.len()).collect();
    let rows = &tags.rows;
    name_order.sort_by(|&a, &b| natural_cmp(&rows[a].name, &rows[b].name));
    tags.name_order = name_order;
    resort(tags);
}

/// Orders rows by the current key (newest or largest first; rows without the
/// value last; name order breaks ties), then refilters.
pub fn resort(tags: &mut TagPane) {
    tags.needs_sort = false;
    let rows = &tags.rows;
    tags.order = match tags.sort {
        SortKey::Name => tags.name_order.clone(),
        SortKey::Created => sorted_by_key(&tags.name_order, |i| {
            rows[i].summary.as_ref().and_then(|s| s.created)
        }),
        SortKey::Size => sorted_by_key(&tags.name_order, |i| {
            rows[i].summary.as_ref().map(|s| s.size as i64)
        }),
    };
    refilter(tags);
}

fn sorted_by_key(name_order: &[usize], key: impl Fn(usize) -> Option<i64>) -> Vec<usize> {
    let mut keyed: Vec<(Option<Reverse<i64>>, usize)> = name_order
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

/// Applies the filter and the signature toggle to `order`, keeping the selection.
pub fn refilter(tags: &mut TagPane) {
    let selected = tags.selected_row().map(|r| r.name.clone());
    let rows = &tags.rows;
    let hide = tags.hide_signatures;
    let candidates = tags
        .order
        .iter()
        .filter(|&&i| !(hide && rows[i].signature))
        .map(|&i| (i, rows[i].name.as_str()));
    let mut visible = matching(candidates, &tags.filter);
    if tags.reverse {
        visible.reverse();
    }
    tags.visible = visible;
    let position =
        selected.and_then(|name| tags.visible.iter().position(|&i| tags.rows[i].name == name));
    tags.cursor.selected = position.unwrap_or(0);
}

/// Asks for the rows on screen that nobody asked for urgently yet.
pub fn request_visible(state: &mut State) -> Vec<Effect> {
    let height = rows_of(state, Pane::Tags);
    let tags = &state.tags;
    let start = tags.cursor.offset.min(tags.visible.len());
    let end = (start + height).min(tags.visible.len());
    let on_screen: Vec<usize> = tags.visible[start..end].to_vec();
    request(state, on_screen, true)
}

/// Queues every row not yet asked for, in display order, behind the urgent ones.
pub fn request_rest(state: &mut State) -> Vec<Effect> {
    let all: Vec<usize> = state
        .tags
        .visible
        .iter()
        .chain(&state.tags.order)
        .copied()
        .collect();
    request(state, all, false)
}

/// One `Summarize` for the rows among `rows` that still need asking at this urgency.
fn request(state: &mut State, rows: Vec<usize>, urgent: bool) -> Vec<Effect> {
    let Some(repo) = state.tags.repo.clone() else {
        return Vec::new();
    };
    let (needs, becomes): (&[Fetch], Fetch) = if urgent {
        (&[Fetch::NotRequested, Fetch::Queued], Fetch::Urgent)
    } else {
        (&[Fetch::NotRequested], Fetch::Queued)
    };
    let mut wanted = Vec::new();
    for i in rows {
        let row = &mut state.tags.rows[i];
        if needs.contains(&row.fetch) {
            row.fetch = becomes;
            wanted.push(row.name.clone());
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let ticket = state.tickets.current(super::super::state::Slot::Tags);
    vec![Effect::Summarize {
        ticket,
        repo,
        tags: wanted,
        urgent,
    }]
}

pub fn change_sort(state: &mut State, reverse: bool) -> Vec<Effect> {
    if reverse {
        state.tags.reverse = !state.tags.reverse;
    } else {
        state.tags.sort = state.tags.sort.next();
    }
    resort(&mut state.tags);
    keep_in_view(state);
    let label = format!(
        "sorted by {}{}",
        state.tags.sort.label(),
        if state.tags.reverse {
            " (reversed)"
        } else {
            ""
        }
    );
    state.info(label);
    request_visible(state)
}

pub fn toggle_signatures(state: &mut State) -> Vec<Effect> {
    state.tags.hide_signatures = !state.tags.hide_signatures;
    refilter(&mut state.tags);
    keep_in_view(state);
    let shown = if state.tags.hide_signatures {
        "hidden"
    } else {
        "shown"
    };
    state.info(format!("signature and attestation tags {shown}"));
    request_visible(state)
}
