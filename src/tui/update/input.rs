//! The one-line inputs: `/` filter (live) and `:` command.

use super::super::effect::Effect;
use super::super::filter::matching;
use super::super::state::{InputKind, Overlay, Pane, State};
use super::{nav, tags};
use crate::oci::reference::{RepositoryRef, parse_registry};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

pub fn open(state: &mut State, kind: InputKind) {
    let initial = match (kind, state.focus) {
        (InputKind::Filter, Pane::Repos) => state.repos.filter.clone(),
        (InputKind::Filter, _) => {
            if state.tags.repo.is_none() {
                return;
            }
            state.focus = Pane::Tags;
            state.tags.filter.clone()
        }
        (InputKind::Command, _) => String::new(),
    };
    state.overlay = Overlay::Input {
        kind,
        input: Input::new(initial),
    };
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Overlay::Input { kind, input } = &mut state.overlay else {
        return Vec::new();
    };
    let kind = *kind;
    match key.code {
        KeyCode::Esc => {
            state.overlay = Overlay::None;
            if kind == InputKind::Filter {
                set_filter(state, String::new())
            } else {
                Vec::new()
            }
        }
        KeyCode::Enter => {
            let text = input.value().trim().to_string();
            state.overlay = Overlay::None;
            match kind {
                InputKind::Filter => Vec::new(),
                InputKind::Command => command(state, &text),
            }
        }
        _ => {
            input.handle_event(&Event::Key(key));
            let value = input.value().to_string();
            if kind == InputKind::Filter {
                set_filter(state, value)
            } else {
                Vec::new()
            }
        }
    }
}

fn set_filter(state: &mut State, filter: String) -> Vec<Effect> {
    match state.focus {
        Pane::Repos => {
            state.repos.filter = filter;
            apply_repo_filter(state);
            Vec::new()
        }
        _ => {
            state.tags.filter = filter;
            tags::refilter(&mut state.tags);
            nav::keep_in_view(state);
            let mut effects = tags::request_visible(state);
            effects.extend(super::detail::follow_selection(state));
            effects
        }
    }
}

pub fn apply_repo_filter(state: &mut State) {
    let repos = &mut state.repos;
    let selected = repos.selected().map(str::to_string);
    repos.visible = matching(
        repos.items.iter().map(String::as_str).enumerate(),
        &repos.filter,
    );
    let position = selected.and_then(|s| repos.visible.iter().position(|&i| repos.items[i] == s));
    repos.cursor.selected = position.unwrap_or(0);
    nav::keep_in_view(state);
}

/// `:q`, `:help`, `:<registry>`, `:<repository>` or `:<registry>/<repository>`.
fn command(state: &mut State, text: &str) -> Vec<Effect> {
    match text {
        "" => Vec::new(),
        "q" | "q!" | "quit" => {
            state.quit = true;
            Vec::new()
        }
        "help" | "h" => {
            state.overlay = Overlay::Help(0);
            Vec::new()
        }
        _ => go_to(state, text),
    }
}

fn go_to(state: &mut State, text: &str) -> Vec<Effect> {
    let current = state.source_name.clone();
    if text.starts_with("oci:") || text.starts_with(['/', '.', '~']) {
        state.info(format!("opening {text}…"));
        return vec![Effect::SwitchRegistry(text.to_string())];
    }
    if current.starts_with("oci:") {
        return nav::open_repository(state, text.trim_matches('/'));
    }
    let first = text.split('/').next().unwrap_or("");
    let names_host = first.contains(['.', ':']) || first == "localhost";
    if names_host && !text.contains('/') {
        return match parse_registry(text) {
            Ok(host) if host == current => {
                state.focus = Pane::Repos;
                Vec::new()
            }
            Ok(host) => {
                state.info(format!("connecting to {host}…"));
                vec![Effect::SwitchRegistry(host)]
            }
            Err(e) => {
                state.error(e.to_string());
                Vec::new()
            }
        };
    }
    let qualified = if names_host {
        text.to_string()
    } else {
        format!("{current}/{text}")
    };
    match RepositoryRef::parse(&qualified) {
        Ok(repo) if repo.registry == current => nav::open_repository(state, &repo.repository),
        Ok(repo) => {
            state.info(format!("connecting to {}…", repo.registry));
            vec![Effect::SwitchRegistry(repo.to_string())]
        }
        Err(e) => {
            state.error(e.to_string());
            Vec::new()
        }
    }
}
