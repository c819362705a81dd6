//! `=`: the two marked tags compared — layers, size, config, files.

use crate::ops::compare::TagsCompared;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::state::compare::CompareView;
use crate::tui::state::{Screen, Slot, State};
use crossterm::event::KeyEvent;

pub fn open(state: &mut State) -> Vec<Effect> {
    let marked = state.tags.list.marked_names();
    let (Some(repo), [a, b]) = (state.tags.repo().map(str::to_string), &marked[..]) else {
        let key = state.settings.keymap.first_key(Action::Mark).to_string();
        state.error(format!(
            "mark two tags ({key}) to compare them; {} marked",
            marked.len()
        ));
        return Vec::new();
    };
    state.screen = Some(Screen::Compare(Box::new(CompareView::new(format!(
        "{a} → {b}"
    )))));
    let job = Job::Compare {
        repo,
        a: a.clone(),
        b: b.clone(),
        options: state.settings.files,
    };
    vec![Effect::urgent(state.tickets.issue(Slot::Compare), job)]
}

pub fn loaded(state: &mut State, result: Result<Box<TagsCompared>, String>) -> Vec<Effect> {
    if let Some(Screen::Compare(view)) = &mut state.screen {
        view.fill(result);
    }
    Vec::new()
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let height = crate::tui::layout::screen_rows(state.viewport, 0);
    let page = isize::try_from(height).unwrap_or(isize::MAX);
    let action = state.settings.keymap.action(&key);
    let Some(Screen::Compare(view)) = &mut state.screen else {
        return Vec::new();
    };
    match action {
        Some(Action::Down) => view.scroll_by(1, height),
        Some(Action::Up) => view.scroll_by(-1, height),
        Some(Action::PageDown | Action::HalfPageDown) => view.scroll_by(page, height),
        Some(Action::PageUp | Action::HalfPageUp) => view.scroll_by(-page, height),
        Some(Action::Top) => view.scroll_to_top(),
        Some(Action::Bottom) => view.scroll_by(isize::MAX, height),
        Some(Action::Back | Action::Quit) => {
            state.screen = None;
            state.tickets.issue(Slot::Compare);
        }
        _ => {}
    }
    Vec::new()
}
