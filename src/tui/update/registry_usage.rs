//! `u` on the repositories pane: the registry's usage. Every repository's
//! figures come from the store first (no request); what is not stored is read
//! from the registry only after its price was shown and the key pressed again.

use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::msg::StoredObjects;
use crate::tui::state::registry_usage::{Armed, RegistryUsageView, RowState};
use crate::tui::state::{Screen, Slot, State};
use crossterm::event::KeyEvent;

/// Below this many rows the totals are put together at every arrival; above,
/// at the next tick.
const RECOMPUTE_EVERY_ARRIVAL: usize = 200;

pub fn open(state: &mut State) -> Vec<Effect> {
    let names: Vec<String> = state.repos.names().map(str::to_string).collect();
    if names.is_empty() {
        state.error("no repositories to size: list them first (or : to name one)");
        return Vec::new();
    }
    state.screen = Some(Screen::RegistryUsage(Box::new(RegistryUsageView::new(
        names.clone(),
    ))));
    let ticket = state.tickets.issue(Slot::RegistryUsage);
    names
        .into_iter()
        .map(|repo| {
            let job = Job::RepositoryUsage {
                repo,
                stored_only: true,
            };
            Effect::urgent(ticket, job)
        })
        .collect()
}

pub fn loaded(
    state: &mut State,
    repo: &str,
    result: Result<Option<StoredObjects>, String>,
) -> Vec<Effect> {
    let registry = state.source_name.clone();
    let Some(Screen::RegistryUsage(view)) = &mut state.screen else {
        return Vec::new();
    };
    view.fill(repo, result);
    if view.pending() == 0 || view.count(|_| true) <= RECOMPUTE_EVERY_ARRIVAL {
        view.recompute(&registry);
    }
    if view.pending() > 0 {
        return Vec::new();
    }
    let unknown = view.count(|s| *s == RowState::Unknown);
    let failed = view.count(|s| matches!(s, RowState::Failed(_)));
    let sized = view.count(|_| true) - unknown - failed;
    if unknown > 0 && view.armed.is_none() {
        // The price is the question: the key it names is the answer.
        view.armed = Some(Armed::Missing);
        let text = price(state, Armed::Missing, "");
        state.info(text);
    } else if failed > 0 {
        state.error(format!("{sized} repositories sized, {failed} failed"));
    } else if unknown == 0 {
        state.info(format!("{sized} repositories sized"));
    }
    Vec::new()
}

/// At a tick: the totals of rows that arrived since the last.
pub fn tick(state: &mut State) {
    let registry = state.source_name.clone();
    if let Some(Screen::RegistryUsage(view)) = &mut state.screen {
        view.recompute(&registry);
    }
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let action = state.settings.keymap.action(&key);
    let height = crate::tui::layout::screen_rows(state.viewport, 1);
    let page = isize::try_from(height).unwrap_or(isize::MAX);
    let Some(Screen::RegistryUsage(view)) = &mut state.screen else {
        return Vec::new();
    };
    let Some(action) = action else {
        return Vec::new();
    };
    if !matches!(action, Action::FetchAll | Action::Refresh) {
        view.armed = None;
    }
    let movement = super::movement(action, page);
    if let Some(movement) = movement {
        view.move_cursor(movement, height);
        return Vec::new();
    }
    match action {
        Action::Sort => view.cycle_sort(),
        Action::SortReverse => view.reverse(),
        Action::FetchAll => return read(state, Armed::Missing),
        Action::Refresh => return read(state, Armed::All),
        Action::Open => return drill_in(state),
        Action::Back | Action::Quit | Action::Usage => close(state),
        _ => {}
    }
    Vec::new()
}

fn close(state: &mut State) {
    state.screen = None;
    state.tickets.issue(Slot::RegistryUsage);
}

/// Enter: that repository's tags with their usage.
fn drill_in(state: &mut State) -> Vec<Effect> {
    let Some(Screen::RegistryUsage(view)) = &state.screen else {
        return Vec::new();
    };
    let Some(name) = view.selected().map(|r| r.repository.clone()) else {
        return Vec::new();
    };
    close(state);
    let effect = state.open_repository(&name);
    if !state.usage.shown() {
        state.usage.toggle();
    }
    vec![effect]
}

/// `which` rows read from the registry, once their price was said and the
/// same key pressed again.
fn read(state: &mut State, which: Armed) -> Vec<Effect> {
    if let Some(r) = state
        .status
        .traffic
        .rate_limit
        .filter(|_| state.status.budget_low)
    {
        state.error(format!(
            "pull budget low ({}/{} left): reading repositories waits until it recovers",
            r.remaining, r.limit
        ));
        return Vec::new();
    }
    let pending = match &state.screen {
        Some(Screen::RegistryUsage(view)) => view.pending(),
        _ => 0,
    };
    if pending > 0 {
        // A read now would be priced without these, and cancel them.
        state.info(format!(
            "{pending} repositories are still being read; then press again"
        ));
        return Vec::new();
    }
    let names = wanted(state, which);
    if names.is_empty() {
        state.info("every repository's figures are here or on their way");
        return Vec::new();
    }
    let Some(Screen::RegistryUsage(view)) = &mut state.screen else {
        return Vec::new();
    };
    if view.armed != Some(which) {
        view.armed = Some(which);
        let text = price(state, which, " again");
        state.info(text);
        return Vec::new();
    }
    view.armed = None;
    view.reading(&names);
    // A new ticket: the pool runs a job once per ticket, and nothing is in
    // flight under the old one (pending is 0).
    let ticket = state.tickets.issue(Slot::RegistryUsage);
    state.info(format!("reading {} repositories", names.len()));
    names
        .into_iter()
        .map(|repo| {
            let job = Job::RepositoryUsage {
                repo,
                stored_only: false,
            };
            Effect::background(ticket, job)
        })
        .collect()
}

fn wanted(state: &State, which: Armed) -> Vec<String> {
    let Some(Screen::RegistryUsage(view)) = &state.screen else {
        return Vec::new();
    };
    match which {
        Armed::Missing => view.names(|s| matches!(s, RowState::Unknown | RowState::Failed(_))),
        Armed::All => view.names(|s| *s != RowState::Loading),
    }
}

/// What reading `which` rows costs, and the key that accepts it.
fn price(state: &State, which: Armed, again: &str) -> String {
    let count = wanted(state, which).len();
    let action = match which {
        Armed::Missing => Action::FetchAll,
        Armed::All => Action::Refresh,
    };
    let key = state.settings.keymap.first_key(action);
    let budget = state
        .status
        .traffic
        .rate_limit
        .map(|r| format!("; pull budget {}/{} left", r.remaining, r.limit))
        .unwrap_or_default();
    let what = match which {
        Armed::Missing => "not stored",
        Armed::All => "to read again",
    };
    format!(
        "{count} repositories {what}: {count} tag lists + a pull per image{budget} — {key}{again} reads them"
    )
}
