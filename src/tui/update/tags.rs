//! The tags pane's own keys: sort order and the signature toggle.

use crate::tui::effect::Effect;
use crate::tui::state::{SortKey, State};

pub fn cycle_sort(state: &mut State) -> Vec<Effect> {
    state.tags.list.cycle_sort();
    say_order(state);
    Vec::new()
}

/// Requests per tag without a summary, about: a HEAD, the manifest, the config.
const REQUESTS_PER_TAG: usize = 3;

/// What fetching `tags` summaries may cost; digests already stored cost only
/// their HEAD, so these are upper bounds.
fn price(tags: usize) -> String {
    format!(
        "{tags} tags: up to {} requests, {tags} of them pulls on Docker Hub",
        tags.saturating_mul(REQUESTS_PER_TAG)
    )
}

/// The first press says what fetching every summary costs; the second fetches.
/// Fetch all goes ahead on a second press (the first says its price), and
/// never while the pull budget is low.
fn fetch_all_confirmed(state: &mut State, missing: usize) -> bool {
    let low = state.status.traffic.rate_limit;
    if let Some(r) = low.filter(|_| state.status.budget_low) {
        state.error(format!(
            "pull budget low ({}/{} left): fetch all waits until it recovers",
            r.remaining, r.limit
        ));
        return false;
    }
    if !state.fetch_all_armed {
        state.fetch_all_armed = true;
        let keymap = &state.settings.keymap;
        let key = keymap.first_key(crate::tui::action::Action::FetchAll);
        state.info(format!("{} — {key} again fetches", price(missing)));
        return false;
    }
    state.fetch_all_armed = false;
    true
}

pub fn fetch_all(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    let missing = state.tags.list.unrequested();
    if missing == 0 {
        state.info("every tag's summary is fetched or on its way");
        return Vec::new();
    }
    if !fetch_all_confirmed(state, missing) {
        return Vec::new();
    }
    let tags = state.tags.list.take_all();
    state.info(format!("fetching {} tags in the background", tags.len()));
    let ticket = state.tickets.current(crate::tui::state::Slot::Tags);
    let job = |tag| crate::tui::job::Job::Summary {
        repo: repo.clone(),
        tag,
    };
    tags.into_iter()
        .map(|tag| Effect::background(ticket, job(tag)))
        .collect()
}

pub fn reverse(state: &mut State) -> Vec<Effect> {
    state.tags.list.toggle_reverse();
    say_order(state);
    Vec::new()
}

fn say_order(state: &mut State) {
    let list = &state.tags.list;
    let reversed = if list.reversed() { " (reversed)" } else { "" };
    let mut label = format!("sorted by {}{reversed}", list.sort().label());
    let missing = list.unrequested();
    if list.sort() != SortKey::Name && missing > 0 {
        let key = state
            .settings
            .keymap
            .first_key(crate::tui::action::Action::FetchAll);
        label.push_str(&format!(
            " among the tags fetched so far; {key} fetches the other {missing}"
        ));
    }
    state.info(label);
}

pub fn toggle_signatures(state: &mut State) -> Vec<Effect> {
    let hidden = state.tags.list.toggle_signatures();
    let shown = if hidden { "hidden" } else { "shown" };
    state.info(format!("signature and attestation tags {shown}"));
    Vec::new()
}
