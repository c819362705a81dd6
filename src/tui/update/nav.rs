//! Moving around: cursors, focus, opening and going back, refresh and copy.

use super::super::effect::Effect;
use super::super::layout::{areas, list_rows};
use super::super::state::{Load, Pane, Slot, State, TagPane};
use super::{detail, tags};
use ratatui::layout::Rect;

/// Rows of data the pane shows at the current terminal size.
pub fn rows_of(state: &State, pane: Pane) -> usize {
    let (w, h) = state.viewport;
    let a = areas(Rect::new(0, 0, w, h), state.focus);
    match pane {
        Pane::Repos => list_rows(a.repos, false),
        Pane::Tags => list_rows(a.tags, true),
        Pane::Detail => list_rows(a.detail, true),
    }
    .max(1)
}

pub fn page(state: &State) -> usize {
    rows_of(state, state.focus)
}

pub fn move_by(state: &mut State, delta: isize) -> Vec<Effect> {
    match state.focus {
        Pane::Repos => {
            let len = state.repos.visible.len();
            state.repos.cursor.move_by(delta, len);
            keep_in_view(state);
            Vec::new()
        }
        Pane::Tags => {
            let len = state.tags.visible.len();
            state.tags.cursor.move_by(delta, len);
            keep_in_view(state);
            let mut effects = tags::request_visible(state);
            effects.extend(detail::follow_selection(state));
            effects
        }
        Pane::Detail => {
            detail::move_by(state, delta);
            Vec::new()
        }
    }
}

/// Re-applies scrolling so every cursor is inside its pane.
pub fn keep_in_view(state: &mut State) {
    let repo_rows = rows_of(state, Pane::Repos);
    let tag_rows = rows_of(state, Pane::Tags);
    let repos_len = state.repos.visible.len();
    state
        .repos
        .cursor
        .set(state.repos.cursor.selected, repos_len);
    state.repos.cursor.scroll_into_view(repo_rows, repos_len);
    let tags_len = state.tags.visible.len();
    state.tags.cursor.set(state.tags.cursor.selected, tags_len);
    state.tags.cursor.scroll_into_view(tag_rows, tags_len);
}

pub fn open(state: &mut State) -> Vec<Effect> {
    match state.focus {
        Pane::Repos => match state.repos.selected().map(str::to_string) {
            Some(name) => open_repository(state, &name),
            None => Vec::new(),
        },
        Pane::Tags => {
            if state.tags.selected_row().is_some() {
                state.focus = Pane::Detail;
            }
            Vec::new()
        }
        Pane::Detail => detail::open_platform(state),
    }
}

/// Shows the tags of `name` (adding it to the repository list when the catalog
/// did not have it) and starts loading them.
pub fn open_repository(state: &mut State, name: &str) -> Vec<Effect> {
    let index = match state.repos.items.iter().position(|r| r == name) {
        Some(i) => i,
        None => {
            state.repos.items.push(name.to_string());
            state.repos.visible.push(state.repos.items.len() - 1);
            state.repos.items.len() - 1
        }
    };
    if let Some(pos) = state.repos.visible.iter().position(|&i| i == index) {
        state.repos.cursor.selected = pos;
    }
    let ticket = state.tickets.issue(Slot::Tags);
    state.tickets.issue(Slot::Detail);
    let keep = TagPane {
        sort: state.tags.sort,
        reverse: state.tags.reverse,
        hide_signatures: state.tags.hide_signatures,
        select_when_loaded: state.tags.select_when_loaded.take(),
        ..TagPane::default()
    };
    state.tags = keep;
    state.tags.repo = Some(name.to_string());
    state.tags.load = Load::Loading;
    state.detail.stack.clear();
    state.focus = Pane::Tags;
    keep_in_view(state);
    let shown = state.usage.shown;
    state.usage = Default::default();
    state.usage.shown = shown;
    let mut effects = vec![Effect::LoadTags(ticket, name.to_string())];
    effects.extend(super::usage::reload(state));
    effects
}

pub fn back(state: &mut State) -> Vec<Effect> {
    match state.focus {
        Pane::Repos if !state.repos.filter.is_empty() => {
            state.repos.filter.clear();
            super::input::apply_repo_filter(state);
        }
        Pane::Tags if !state.tags.filter.is_empty() => {
            state.tags.filter.clear();
            tags::refilter(&mut state.tags);
            keep_in_view(state);
        }
        Pane::Tags => state.focus = Pane::Repos,
        Pane::Detail => detail::back(state),
        Pane::Repos => {}
    }
    Vec::new()
}

pub fn cycle_focus(state: &mut State, direction: isize) -> Vec<Effect> {
    let order = [Pane::Repos, Pane::Tags, Pane::Detail];
    let available: Vec<Pane> = order
        .into_iter()
        .filter(|p| match p {
            Pane::Repos => true,
            Pane::Tags => state.tags.repo.is_some(),
            Pane::Detail => !state.detail.stack.is_empty(),
        })
        .collect();
    let current = available
        .iter()
        .position(|p| *p == state.focus)
        .unwrap_or(0) as isize;
    let next = (current + direction).rem_euclid(available.len() as isize) as usize;
    state.focus = available[next];
    keep_in_view(state);
    Vec::new()
}

pub fn refresh(state: &mut State) -> Vec<Effect> {
    match (state.focus, state.tags.repo.clone()) {
        (Pane::Repos, _) | (_, None) => super::start(state),
        (_, Some(repo)) => {
            state.tags.select_when_loaded = state.tags.selected_row().map(|r| r.name.clone());
            let focus = state.focus;
            let effects = open_repository(state, &repo);
            state.focus = focus.min_tags();
            effects
        }
    }
}

impl Pane {
    fn min_tags(self) -> Pane {
        match self {
            Pane::Detail => Pane::Tags,
            other => other,
        }
    }
}

pub fn copy(state: &mut State) -> Vec<Effect> {
    let repo = match state.focus {
        Pane::Repos => state.repos.selected().map(str::to_string),
        _ => state.tags.repo.clone(),
    };
    let Some(repo) = repo else {
        return Vec::new();
    };
    let digest = match state.focus {
        Pane::Repos => None,
        Pane::Tags => state
            .tags
            .selected_row()
            .and_then(|r| r.summary.as_ref())
            .map(|s| s.digest.to_string()),
        Pane::Detail => state.detail.top().map(|e| e.digest.to_string()),
    };
    let text = match digest {
        Some(d) => format!("{}/{repo}@{d}", state.source_name),
        None if state.focus == Pane::Repos => format!("{}/{repo}", state.source_name),
        None => {
            state.error("nothing to copy yet: the digest is still loading");
            return Vec::new();
        }
    };
    state.info(format!("copied {text}"));
    vec![Effect::Copy(text)]
}
