//! `update`: the only place the state changes. Pure: no IO, no tokio; it returns
//! effects for the app loop to carry out.

mod delete;
mod detail;
mod input;
mod loaded;
mod mouse;
mod nav;
mod tags;
mod usage;

use super::action::Action;
use super::effect::Effect;
use super::msg::Msg;
use super::state::{InputKind, Overlay, Pane, Slot, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use nav::open_repository;
pub use usage::marked_freed;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(event) => mouse::on_mouse(state, event),
        Msg::Resize(width, height) => {
            state.viewport = (width, height);
            nav::keep_in_view(state);
            tags::request_visible(state)
        }
        Msg::Tick {
            in_flight,
            queued,
            now,
        } => {
            state.status.in_flight = in_flight;
            state.status.queued = queued;
            state.now = Some(now);
            if in_flight > 0 {
                state.status.spinner = state.status.spinner.wrapping_add(1);
            }
            if state.tags.needs_sort {
                tags::resort(&mut state.tags);
                nav::keep_in_view(state);
            }
            Vec::new()
        }
        Msg::Loaded(ticket, loaded) => {
            if !state.tickets.is_current(ticket) {
                return Vec::new();
            }
            loaded::apply(state, loaded)
        }
        Msg::Switched(result) => match result {
            Ok(name) => start_over(state, &name),
            Err(message) => {
                state.error(message);
                Vec::new()
            }
        },
    }
}

/// The first effects for a state (and a refresh of the repositories): list them.
pub fn start(state: &mut State) -> Vec<Effect> {
    let ticket = state.tickets.issue(Slot::Repos);
    state.repos.load = super::state::Load::Loading;
    vec![Effect::LoadRepos(ticket)]
}

fn start_over(state: &mut State, name: &str) -> Vec<Effect> {
    state.source_name = name.to_string();
    state.note = None;
    state.repos = Default::default();
    state.tags = Default::default();
    state.detail = Default::default();
    state.focus = Pane::Repos;
    state.info(format!("connected to {name}"));
    for slot in [Slot::Tags, Slot::Detail] {
        state.tickets.issue(slot);
    }
    start(state)
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        return Vec::new();
    }
    match &state.overlay {
        Overlay::Input { .. } => return input::on_key(state, key),
        Overlay::Help(scroll) => {
            state.overlay = match state.keymap.action(&key) {
                Some(Action::Down) => Overlay::Help(scroll + 1),
                Some(Action::Up) => Overlay::Help(scroll.saturating_sub(1)),
                _ => Overlay::None,
            };
            return Vec::new();
        }
        Overlay::Delete(_) => return delete::on_key(state, key),
        Overlay::None => {}
    }
    match state.keymap.action(&key) {
        Some(action) => {
            state.status.message = None;
            on_action(state, action)
        }
        None => Vec::new(),
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.quit = true;
            Vec::new()
        }
        Action::Help => {
            state.overlay = Overlay::Help(0);
            Vec::new()
        }
        Action::Filter => {
            input::open(state, InputKind::Filter);
            Vec::new()
        }
        Action::Command => {
            input::open(state, InputKind::Command);
            Vec::new()
        }
        Action::Down => nav::move_by(state, 1),
        Action::Up => nav::move_by(state, -1),
        Action::HalfPageDown => nav::move_by(state, nav::page(state) as isize / 2),
        Action::HalfPageUp => nav::move_by(state, -(nav::page(state) as isize / 2)),
        Action::PageDown => nav::move_by(state, nav::page(state) as isize),
        Action::PageUp => nav::move_by(state, -(nav::page(state) as isize)),
        Action::Top => nav::move_by(state, isize::MIN / 2),
        Action::Bottom => nav::move_by(state, isize::MAX / 2),
        Action::Open => nav::open(state),
        Action::Back => nav::back(state),
        Action::NextPane => nav::cycle_focus(state, 1),
        Action::PrevPane => nav::cycle_focus(state, -1),
        Action::Sort => tags::change_sort(state, false),
        Action::SortReverse => tags::change_sort(state, true),
        Action::ToggleSignatures => tags::toggle_signatures(state),
        Action::Refresh => nav::refresh(state),
        Action::Copy => nav::copy(state),
        Action::Mark => delete::mark(state),
        Action::MarkRange => delete::mark_range(state),
        Action::Delete => delete::delete(state, false),
        Action::DeleteMarked => delete::delete(state, true),
        Action::Usage => usage::toggle(state),
        Action::RawJson => {
            state.detail.raw = !state.detail.raw;
            if state.detail.raw && state.detail.top().is_some() {
                state.focus = Pane::Detail;
            }
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
