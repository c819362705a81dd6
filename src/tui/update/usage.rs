//! The usage view (`u`): exclusive and shared bytes per tag, loaded in the
//! background (reconcile asks for the figures while the view is on).

use crate::ops::usage::UsageData;
use crate::tui::effect::Effect;
use crate::tui::state::{Load, State};
use std::sync::Arc;

pub fn toggle(state: &mut State) -> Vec<Effect> {
    state.usage.toggle();
    Vec::new()
}

pub fn loaded(state: &mut State, result: Result<Arc<UsageData>, String>) -> Vec<Effect> {
    match result {
        Ok(data) => state.usage.fill(data),
        Err(e) => {
            state.usage.load = Load::Failed(e.clone());
            state.error(e);
        }
    }
    Vec::new()
}
