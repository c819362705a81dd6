//! The detail pane: opening a platform of an index, going back, raw JSON.

use crate::tui::effect::Effect;
use crate::tui::state::{Pane, Placement, Slot, State};

/// Enter on a platform of an index opens its image on top.
pub fn open_platform(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.detail.top() else {
        return Vec::new();
    };
    let Some(platform) = entry.selected_platform() else {
        return Vec::new();
    };
    let repo = entry.repo.clone();
    let digest = platform.digest.clone();
    let title = format!("{} {}", entry.title, platform.platform);
    vec![state.open_detail(Placement::OnTop, &repo, &digest, title)]
}

/// Enter on a referrer of an image opens it on top, like any manifest.
pub fn open_referrer(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.detail.top() else {
        return Vec::new();
    };
    let Some(referrer) = entry.selected_referrer() else {
        return Vec::new();
    };
    let repo = entry.repo.clone();
    let digest = referrer.digest.clone();
    let kind = referrer
        .artifact_type
        .as_deref()
        .unwrap_or(&referrer.media_type);
    let title = format!("{} → {} {}", entry.title, digest.short(), kind);
    vec![state.open_detail(Placement::OnTop, &repo, &digest, title)]
}

/// Leaves raw JSON, else closes a platform view, else goes to the tags.
pub fn back(state: &mut State) -> Vec<Effect> {
    if state.detail.raw() {
        state.detail.set_raw(false);
    } else if state.detail.pop() {
        state.tickets.issue(Slot::Detail);
    } else {
        state.focus = Pane::Tags;
    }
    Vec::new()
}

pub fn toggle_raw(state: &mut State) -> Vec<Effect> {
    let raw = !state.detail.raw();
    state.detail.set_raw(raw);
    if raw && !state.detail.is_empty() {
        state.focus = Pane::Detail;
    }
    Vec::new()
}
