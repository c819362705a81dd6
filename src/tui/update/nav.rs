//! Moving around: cursors, focus, opening and going back, refresh, copy, help.

use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::layout::{help_max_scroll, rows_of};
use crate::tui::state::{Dialog, Move, Pane, State};
use crossterm::event::KeyEvent;

/// Rows of the focused pane: what a page is.
pub fn page(state: &State) -> isize {
    let rows = rows_of(state.viewport, state.focus, state.focus);
    isize::try_from(rows).unwrap_or(isize::MAX)
}

pub fn move_by(state: &mut State, movement: Move) -> Vec<Effect> {
    let height = rows_of(state.viewport, state.focus, state.focus);
    state.move_in(state.focus, movement, height);
    Vec::new()
}

pub fn open(state: &mut State) -> Vec<Effect> {
    match state.focus {
        Pane::Repos => match state.repos.selected().map(str::to_string) {
            Some(name) => vec![state.open_repository(&name)],
            None => Vec::new(),
        },
        Pane::Tags | Pane::Detail => {
            if state.tags.list.selected().is_some() {
                state.focus = Pane::Detail;
            }
            Vec::new()
        }
    }
}

/// Clears the focused list's filter, else goes to the pane on the left.
pub fn back(state: &mut State) -> Vec<Effect> {
    match state.focus {
        Pane::Repos if !state.repos.filter().is_empty() => state.repos.set_filter(String::new()),
        Pane::Tags if !state.tags.list.filter().is_empty() => {
            state.tags.list.set_filter(String::new());
        }
        Pane::Tags => state.focus = Pane::Repos,
        Pane::Detail => state.focus = Pane::Tags,
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
            Pane::Tags => state.tags.repo().is_some(),
            Pane::Detail => !state.detail.is_empty(),
        })
        .collect();
    let current = available
        .iter()
        .position(|p| *p == state.focus)
        .unwrap_or(0);
    let next = current
        .checked_add_signed(direction)
        .unwrap_or(available.len() - 1)
        % available.len();
    state.focus = available[next];
    Vec::new()
}

pub fn refresh(state: &mut State) -> Vec<Effect> {
    let repo = state.tags.repo().map(str::to_string);
    match (state.focus, repo) {
        (Pane::Repos, _) | (_, None) => vec![state.load_repositories()],
        (focus, Some(repo)) => {
            let selected = state.tags.list.selected().map(|r| r.name.clone());
            state.tags.select_when_loaded(selected);
            let effect = state.open_repository(&repo);
            state.focus = match focus {
                Pane::Detail => Pane::Tags,
                other => other,
            };
            vec![effect]
        }
    }
}

pub fn copy(state: &mut State) -> Vec<Effect> {
    let repo = match state.focus {
        Pane::Repos => state.repos.selected().map(str::to_string),
        _ => state.tags.repo().map(str::to_string),
    };
    let Some(repo) = repo else {
        return Vec::new();
    };
    let digest = match state.focus {
        Pane::Repos => None,
        Pane::Tags => state
            .tags
            .list
            .selected()
            .and_then(|r| r.summary.as_deref())
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
    vec![Effect::Clipboard(text)]
}

pub fn quit(state: &mut State) -> Vec<Effect> {
    state.quit = true;
    Vec::new()
}

pub fn open_help(state: &mut State) -> Vec<Effect> {
    state.dialog = Some(Dialog::Help(0));
    Vec::new()
}

/// Down/up scroll the help (within its text); any other key closes it.
pub fn on_help_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Help(scroll)) = state.dialog else {
        return Vec::new();
    };
    let max = help_max_scroll(
        crate::tui::layout::help_lines(&state.settings),
        state.viewport.1,
    );
    state.dialog = match state.settings.keymap.action(&key) {
        Some(Action::Down) => Some(Dialog::Help((scroll + 1).min(max))),
        Some(Action::Up) => Some(Dialog::Help(scroll.saturating_sub(1))),
        _ => None,
    };
    Vec::new()
}
