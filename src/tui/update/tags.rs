//! The tags pane's own keys: sort order and the signature toggle.

use crate::tui::effect::Effect;
use crate::tui::state::State;

pub fn cycle_sort(state: &mut State) -> Vec<Effect> {
    state.tags.list.cycle_sort();
    say_order(state);
    Vec::new()
}

pub fn reverse(state: &mut State) -> Vec<Effect> {
    state.tags.list.toggle_reverse();
    say_order(state);
    Vec::new()
}

fn say_order(state: &mut State) {
    let list = &state.tags.list;
    let reversed = if list.reversed() { " (reversed)" } else { "" };
    let label = format!("sorted by {}{reversed}", list.sort().label());
    state.info(label);
}

pub fn toggle_signatures(state: &mut State) -> Vec<Effect> {
    let hidden = state.tags.list.toggle_signatures();
    let shown = if hidden { "hidden" } else { "shown" };
    state.info(format!("signature and attestation tags {shown}"));
    Vec::new()
}
