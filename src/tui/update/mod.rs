//! `update`: the only place the state changes. Pure: no IO, no tokio; it returns
//! effects for the app loop to carry out. Each message goes to one handler
//! (`dispatch`); then `reconcile` restores the invariants every handler relies on.
//! Handler files do not import each other.

mod commands;
mod compare;
mod copy;
mod delete;
mod detail;
mod files;
mod finished;
mod input;
mod mouse;
mod nav;
mod packages;
mod planner;
mod reconcile;
mod registry_usage;
mod tags;
mod usage;

use super::action::Action;
use super::effect::Effect;
use super::msg::{Finished, Msg, Progress, Tick};
use super::state::{Dialog, InputKind, Move, Pane, Screen, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use reconcile::reconcile;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = dispatch(state, msg);
    effects.extend(reconcile(state));
    effects
}

/// The first effects for a state: list the repositories.
pub fn start(state: &mut State) -> Vec<Effect> {
    vec![state.load_repositories()]
}

fn dispatch(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(event) => mouse::on_mouse(state, event),
        Msg::Resize(width, height) => {
            state.viewport = (width, height);
            Vec::new()
        }
        Msg::Tick(tick) => on_tick(state, tick),
        Msg::Finished(ticket, _) if !state.tickets.is_current(ticket) => Vec::new(),
        Msg::Finished(_, finished) => on_finished(state, finished),
        Msg::Progress(ticket, _) if !state.tickets.is_current(ticket) => Vec::new(),
        Msg::Progress(_, Progress::TagsSoFar(items)) => finished::tags_so_far(state, items),
        Msg::Progress(_, Progress::LayerBytes(bytes)) => files::progressed(state, bytes),
        Msg::Progress(_, Progress::Copied(progress)) => copy::progressed(state, progress),
        Msg::Switched(Ok((name, repo))) => {
            let mut effects = vec![state.start_over(&name)];
            effects.extend(repo.map(|repo| state.open_repository(&repo)));
            effects
        }
        Msg::Switched(Err(message)) => {
            state.error(message);
            Vec::new()
        }
    }
}

fn on_tick(state: &mut State, tick: Tick) -> Vec<Effect> {
    state.status.in_flight = tick.in_flight;
    state.status.queued = tick.queued;
    state.status.traffic = tick.traffic;
    note_pull_budget(state);
    state.now = Some(tick.now);
    if tick.in_flight > 0 {
        state.status.spinner = state.status.spinner.wrapping_add(1);
    }
    state.tags.list.resort_if_needed();
    registry_usage::tick(state);
    Vec::new()
}

fn on_finished(state: &mut State, finished: Finished) -> Vec<Effect> {
    match finished {
        Finished::Repos(result) => finished::repositories(state, result),
        Finished::Tags(result) => finished::tags(state, result),
        Finished::StoredRows { rows, taken_at } => finished::stored_rows(state, rows, taken_at),
        Finished::StoredSummaries(rows) => finished::stored_summaries(state, rows),
        Finished::StoredRepos { names, taken_at } => finished::stored_repos(state, names, taken_at),
        Finished::Summary { tag, result } => finished::summary(state, &tag, result),
        Finished::TagsBefore { repo, rows } => {
            state.since.set_tags(&state.source_name, &repo, rows);
            state.note_changes();
            Vec::new()
        }
        Finished::SeenRepos(names) => finished::seen_repositories(state, names),
        Finished::CatalogBefore(names) => {
            state.since.set_catalog(&state.source_name, names);
            Vec::new()
        }
        Finished::Detail(result) => finished::detail(state, result),
        Finished::Verified { digest, result } => {
            match result {
                Ok(standing) => {
                    state.tags.signed.insert(digest, Some(standing));
                }
                Err(e) => state.error(format!("verifying {}: {e}", digest.short())),
            }
            Vec::new()
        }
        Finished::Supply { digest, result } => {
            match result {
                Ok(supply) => state.detail.fill_supply(&digest, supply),
                Err(e) => state.error(format!("supply chain: {e}")),
            }
            Vec::new()
        }
        Finished::Usage(result) => usage::loaded(state, result),
        Finished::RepositoryUsage { repo, result } => registry_usage::loaded(state, &repo, result),
        Finished::Planning(result) => planner::loaded(state, result),
        Finished::Plan(result) => delete::planned(state, result),
        Finished::Deleted(results) => delete::deleted(state, &results),
        Finished::Files(result) => files::loaded(state, result),
        Finished::Compared(result) => compare::loaded(state, result),
        Finished::StoredPlaces(places) => copy::stored_places(state, places),
        Finished::CommandOutput(result) => commands::finished(state, result),
        Finished::CopyPlanned(result) => copy::planned(state, result),
        Finished::Copied(result) => copy::copied(state, result),
        Finished::Tagged { tag, result } => copy::tagged(state, &tag, result),
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        return Vec::new();
    }
    // A dialog takes the keys first, then a screen, then the panes.
    match &state.dialog {
        Some(Dialog::Input { .. }) => return input::on_key(state, key),
        Some(Dialog::Help(_)) => return nav::on_help_key(state, key),
        Some(Dialog::Delete(_)) => return delete::on_key(state, key),
        Some(Dialog::Copy(_)) => return copy::on_key(state, key),
        Some(Dialog::AddTag { .. }) => return copy::on_add_tag_key(state, key),
        Some(Dialog::RunCommand { .. }) => return commands::on_confirm_key(state, key),
        None => {}
    }
    match &state.screen {
        Some(Screen::Planner(_)) => return planner::on_key(state, key),
        Some(Screen::Files(_)) => return files::on_key(state, key),
        Some(Screen::Compare(_)) => return compare::on_key(state, key),
        Some(Screen::Output(_)) => return commands::on_output_key(state, key),
        Some(Screen::RegistryUsage(_)) => return registry_usage::on_key(state, key),
        Some(Screen::Packages(_)) => {
            // `/` filters the packages with the one filter input.
            if state.settings.keymap.action(&key) == Some(Action::Filter) {
                return input::open(state, InputKind::Filter);
            }
            return packages::on_key(state, key);
        }
        None => {}
    }
    if let Some(command) = commands::bound_to(state, &key) {
        state.status.message = None;
        return commands::start(state, &command);
    }
    match state.settings.keymap.action(&key) {
        Some(action) => {
            state.status.message = None;
            on_action(state, action)
        }
        None => Vec::new(),
    }
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = nav::page(state);
    if action != Action::FetchAll {
        state.fetch_all_armed = false;
    }
    if let Some(movement) = movement(action, page) {
        return nav::move_by(state, movement);
    }
    match action {
        Action::Quit => nav::quit(state),
        Action::Help => nav::open_help(state),
        Action::Filter => input::open(state, InputKind::Filter),
        Action::Command => input::open(state, InputKind::Command),
        Action::Open if state.focus == Pane::Detail => open_in_detail(state),
        Action::Open => nav::open(state),
        Action::Back if state.focus == Pane::Detail => detail::back(state),
        Action::Back => nav::back(state),
        Action::NextPane => nav::cycle_focus(state, 1),
        Action::PrevPane => nav::cycle_focus(state, -1),
        Action::Sort => tags::cycle_sort(state),
        Action::SortReverse => tags::reverse(state),
        Action::ToggleSignatures => tags::toggle_signatures(state),
        Action::FetchAll => tags::fetch_all(state),
        Action::Refresh => nav::refresh(state),
        Action::Clipboard => nav::copy(state),
        Action::CopyImage => copy::open(state),
        Action::AddTag => copy::open_add_tag(state),
        Action::Mark => delete::mark(state),
        Action::MarkRange => delete::mark_range(state),
        Action::Delete => delete::delete(state, false),
        Action::DeleteMarked => delete::delete(state, true),
        Action::Usage if state.focus == Pane::Repos => registry_usage::open(state),
        Action::Usage => usage::toggle(state),
        Action::Planner => planner::open(state),
        Action::Files => files::open_merged(state),
        Action::Compare => compare::open(state),
        Action::RawJson => detail::toggle_raw(state),
        // Movement above; the layer keys belong to the file tree.
        _ => Vec::new(),
    }
}

/// How a movement action moves the cursor (`page` rows a page); screens
/// with a cursor share it.
pub(super) fn movement(action: Action, page: isize) -> Option<Move> {
    Some(match action {
        Action::Down => Move::By(1),
        Action::Up => Move::By(-1),
        Action::HalfPageDown => Move::By(page / 2),
        Action::HalfPageUp => Move::By(-page / 2),
        Action::PageDown => Move::By(page),
        Action::PageUp => Move::By(-page),
        Action::Top => Move::First,
        Action::Bottom => Move::Last,
        _ => return None,
    })
}

/// Enter in the detail pane: a layer's files, an SBOM's packages or a
/// provenance statement, a referrer, or a platform.
fn open_in_detail(state: &mut State) -> Vec<Effect> {
    let top = state.detail.top();
    let on_layer = top.is_some_and(|e| e.selected_layer().is_some());
    let on_referrer = top.is_some_and(|e| e.selected_referrer().is_some());
    let attached = top.and_then(|e| {
        let referrer = e.selected_referrer().map(|r| r.digest.clone());
        referrer.or_else(|| e.selected_platform().map(|p| p.digest.clone()))
    });
    if on_layer {
        files::open_layer(state)
    } else if attached.is_some_and(|d| packages::open_attached(state, &d)) {
        Vec::new()
    } else if on_referrer {
        detail::open_referrer(state)
    } else {
        detail::open_platform(state)
    }
}

#[cfg(test)]
mod tests;

/// Pauses background fetching while the registry's pull budget is under the
/// reserve, saying so once each way.
fn note_pull_budget(state: &mut State) {
    let low = state
        .status
        .traffic
        .rate_limit
        .is_some_and(|r| r.under(state.settings.pull_reserve_percent));
    if low == state.status.budget_low {
        return;
    }
    state.status.budget_low = low;
    if let Some(r) = state.status.traffic.rate_limit.filter(|_| low) {
        state.error(format!(
            "pull budget low ({}/{} left): background fetching paused",
            r.remaining, r.limit
        ));
    } else {
        state.info("pull budget recovered: background fetching resumed");
    }
}
