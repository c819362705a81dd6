//! Finished work arriving: listings, summaries and details.

use super::super::effect::Effect;
use super::super::msg::Loaded;
use super::super::state::{DetailView, Fetch, Load, Pane, SortKey, State};
use super::{detail, input, nav, tags};

pub fn apply(state: &mut State, loaded: Loaded) -> Vec<Effect> {
    match loaded {
        Loaded::Repos(Ok(listing)) => {
            let pending: Vec<String> = state
                .repos
                .items
                .iter()
                .filter(|r| !listing.items.contains(r))
                .cloned()
                .collect();
            state.repos.items = listing.items;
            state.repos.items.extend(pending);
            state.repos.load = Load::Loaded;
            state.repos.catalog_closed = false;
            let selected = state.repos.selected().map(str::to_string);
            input::apply_repo_filter(state);
            if let Some(name) = selected {
                select_repo(state, &name);
            }
            if let Some(why) = listing.incomplete {
                state.error(format!("the catalog may be incomplete: {why}"));
            }
            Vec::new()
        }
        Loaded::Repos(Err(e)) => {
            state.repos.catalog_closed = e.closed;
            state.repos.load = Load::Failed(e.message.clone());
            if e.closed {
                let key = state
                    .keymap
                    .first_key(super::super::action::Action::Command)
                    .to_string();
                state.error(format!(
                    "{}; press {key} and type a repository name",
                    e.message
                ));
            } else {
                state.error(e.message);
            }
            Vec::new()
        }
        Loaded::Tags(Ok(listing)) => tags_loaded(state, listing.items, listing.incomplete),
        Loaded::Tags(Err(e)) => {
            state.tags.load = Load::Failed(e.message.clone());
            state.error(e.message);
            Vec::new()
        }
        Loaded::Summary { tag, result } => summary(state, &tag, result),
        Loaded::Usage(result) => {
            super::usage::loaded(state, result);
            Vec::new()
        }
        loaded @ (Loaded::Plan(_) | Loaded::Deleted(_)) => super::delete::loaded(state, loaded),
        Loaded::Detail(result) => {
            let view = match result {
                Ok(data) => DetailView::Loaded(data),
                Err(message) => DetailView::Failed(message),
            };
            detail::loaded(state, view);
            Vec::new()
        }
    }
}

fn select_repo(state: &mut State, name: &str) {
    let position = state
        .repos
        .visible
        .iter()
        .position(|&i| state.repos.items[i] == name);
    if let Some(p) = position {
        state.repos.cursor.selected = p;
        nav::keep_in_view(state);
    }
}

fn tags_loaded(state: &mut State, names: Vec<String>, incomplete: Option<String>) -> Vec<Effect> {
    tags::set_rows(&mut state.tags, names);
    state.tags.load = Load::Loaded;
    if let Some(why) = incomplete {
        state.error(format!("the tag list may be incomplete: {why}"));
    }
    let mut open_detail = false;
    if let Some(wanted) = state.tags.select_when_loaded.take() {
        let rows = &state.tags.rows;
        if let Some(p) = state
            .tags
            .visible
            .iter()
            .position(|&i| rows[i].name == wanted)
        {
            state.tags.cursor.selected = p;
            open_detail = state.focus == Pane::Detail;
        }
    }
    if !open_detail && state.focus == Pane::Detail {
        state.focus = Pane::Tags;
    }
    nav::keep_in_view(state);
    let mut effects = tags::request_visible(state);
    effects.extend(tags::request_rest(state));
    effects
}

fn summary(
    state: &mut State,
    tag: &str,
    result: Result<crate::ops::summary::TagSummary, String>,
) -> Vec<Effect> {
    let Some(&index) = state.tags.by_name.get(tag) else {
        return Vec::new();
    };
    let tags = &mut state.tags;
    let row = &mut tags.rows[index];
    row.fetch = Fetch::Done;
    match result {
        Ok(mut summary) => {
            match tags.platform_sets.get(&summary.platforms[..]) {
                Some(shared) => summary.platforms = shared.clone(),
                None => {
                    tags.platform_sets.insert(summary.platforms.clone());
                }
            }
            row.summary = Some(summary);
            row.error = None;
        }
        Err(message) => row.error = Some(message),
    }
    if state.tags.sort != SortKey::Name {
        state.tags.needs_sort = true;
    }
    let selected = state.tags.selected_row().is_some_and(|r| r.name == tag);
    if selected {
        detail::follow_selection(state)
    } else {
        Vec::new()
    }
}
