//! The usage view (`u`): exclusive and shared bytes per tag, loaded in the background.

use super::super::effect::Effect;
use super::super::state::{Load, Slot, State};
use crate::model::usage::object_users_by_tag;
use crate::ops::usage::UsageData;
use std::sync::Arc;

pub fn toggle(state: &mut State) -> Vec<Effect> {
    state.usage.shown = !state.usage.shown;
    if state.usage.shown && state.usage.load == Load::Idle {
        return reload(state);
    }
    Vec::new()
}

/// Asks for fresh figures when the view is on (after a deletion or a new repository).
pub fn reload(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo.clone() else {
        return Vec::new();
    };
    if !state.usage.shown {
        state.usage = Default::default();
        return Vec::new();
    }
    state.usage.load = Load::Loading;
    let ticket = state.tickets.issue(Slot::Usage);
    vec![Effect::LoadUsage(ticket, repo)]
}

pub fn loaded(state: &mut State, result: Result<Arc<UsageData>, String>) {
    match result {
        Ok(data) => {
            state.usage.by_tag = data
                .usage
                .tags
                .iter()
                .enumerate()
                .map(|(i, t)| (t.tag.clone(), i))
                .collect();
            state.usage.object_tags = object_users_by_tag(&data.tag_digests, &data.objects);
            state.usage.data = Some(data);
            state.usage.load = Load::Loaded;
        }
        Err(e) => {
            state.usage.load = Load::Failed(e.clone());
            state.error(e);
        }
    }
}

/// Bytes freed by deleting the marked tags together (and every tag on their digests).
pub fn marked_freed(state: &State) -> Option<u64> {
    let data = state.usage.data.as_ref()?;
    let marked = super::delete::marked_names(state);
    let digests: Vec<&crate::oci::digest::Digest> = data
        .tag_digests
        .iter()
        .filter(|(t, _)| marked.contains(t))
        .map(|(_, d)| d)
        .collect();
    Some(crate::model::usage::freed_by(&digests, &data.objects))
}
