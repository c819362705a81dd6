//! The detail pane: following the selected tag, opening platforms, scrolling.

use super::super::effect::Effect;
use super::super::state::{Cursor, DetailEntry, DetailView, Pane, Slot, State};
use crate::ops::detail::Detail;

/// Makes the detail pane show the selected tag once its digest is known.
pub fn follow_selection(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo.clone() else {
        return Vec::new();
    };
    let Some(row) = state.tags.selected_row() else {
        state.detail.stack.clear();
        return Vec::new();
    };
    let Some(digest) = row.summary.as_ref().map(|s| s.digest.clone()) else {
        state.detail.stack.clear();
        return Vec::new();
    };
    let title = row.name.clone();
    if state
        .detail
        .stack
        .first()
        .is_some_and(|e| e.digest == digest && e.title == title)
    {
        return Vec::new();
    }
    state.detail.stack = vec![DetailEntry {
        repo: repo.clone(),
        digest: digest.clone(),
        title,
        view: DetailView::Loading,
        cursor: Cursor::default(),
    }];
    let ticket = state.tickets.issue(Slot::Detail);
    vec![Effect::LoadDetail {
        ticket,
        repo,
        digest,
    }]
}

/// Enter on a platform of an index opens its image.
pub fn open_platform(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.detail.top() else {
        return Vec::new();
    };
    let DetailView::Loaded(data) = &entry.view else {
        return Vec::new();
    };
    let Detail::Index { platforms, .. } = &data.detail else {
        return Vec::new();
    };
    let Some(platform) = platforms.get(entry.cursor.selected) else {
        return Vec::new();
    };
    let next = DetailEntry {
        repo: entry.repo.clone(),
        digest: platform.digest.clone(),
        title: format!("{} {}", entry.title, platform.platform),
        view: DetailView::Loading,
        cursor: Cursor::default(),
    };
    let effect = Effect::LoadDetail {
        ticket: state.tickets.issue(Slot::Detail),
        repo: next.repo.clone(),
        digest: next.digest.clone(),
    };
    state.detail.raw = false;
    state.detail.stack.push(next);
    vec![effect]
}

pub fn back(state: &mut State) {
    if state.detail.raw {
        state.detail.raw = false;
    } else if state.detail.stack.len() > 1 {
        state.detail.stack.pop();
        state.tickets.issue(Slot::Detail);
    } else {
        state.focus = Pane::Tags;
    }
}

/// Index views move a cursor over platforms; everything else scrolls.
pub fn move_by(state: &mut State, delta: isize) {
    let rows = super::nav::rows_of(state, Pane::Detail);
    let raw = state.detail.raw;
    let Some(entry) = state.detail.stack.last_mut() else {
        return;
    };
    let DetailView::Loaded(data) = &entry.view else {
        return;
    };
    match (&data.detail, raw) {
        (Detail::Index { platforms, .. }, false) => {
            entry.cursor.move_by(delta, platforms.len());
            entry.cursor.scroll_into_view(rows, platforms.len());
        }
        _ => {
            let len = content_lines(&data.detail, data.raw_lines.len(), raw);
            let max = len.saturating_sub(rows);
            let offset = (entry.cursor.offset as isize + delta).clamp(0, max as isize);
            entry.cursor.offset = offset as usize;
        }
    }
}

/// An upper bound of the lines a detail view has, for scrolling.
fn content_lines(detail: &Detail, raw_lines: usize, raw: bool) -> usize {
    if raw {
        return raw_lines;
    }
    match detail {
        Detail::Image { report, config, .. } => {
            let run = config
                .as_ref()
                .and_then(|c| c.parsed.as_ref())
                .and_then(|p| p.config.as_ref());
            let env = run.and_then(|r| r.env.as_ref()).map_or(0, Vec::len);
            let labels = run.and_then(|r| r.labels.as_ref()).map_or(0, |l| l.len());
            report.layers.len() + env + labels + 16
        }
        _ => raw_lines,
    }
}

/// Applies a finished load to the entry waiting for it.
pub fn loaded(state: &mut State, view: DetailView) {
    if let Some(entry) = state
        .detail
        .stack
        .iter_mut()
        .rev()
        .find(|e| matches!(e.view, DetailView::Loading))
    {
        entry.view = view;
    }
}
