//! Enter on an SBOM or a provenance in the detail pane: the SBOM's packages
//! (a screen with `/` filter and `s` sort) or the whole statement.

use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::output::OutputView;
use crate::tui::state::packages::PackagesView;
use crate::tui::state::{Screen, State};
use crossterm::event::KeyEvent;
use std::sync::Arc;

/// Opens what `referrer` (an attached manifest) holds when the supply chain
/// read it: its SBOM's packages, else its provenance statement. False when
/// it holds neither (the caller opens the manifest instead).
pub fn open_attached(state: &mut State, referrer: &crate::oci::digest::Digest) -> bool {
    let Some(supply) = state.detail.top().and_then(|e| e.supply.clone()) else {
        return false;
    };
    let sbom = supply
        .sboms
        .iter()
        .find(|r| r.referrer == *referrer && r.document.is_some());
    if let Some((read, Some(sbom))) = sbom.map(|r| (r, &r.document)) {
        let platform = read
            .platform
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        let title = format!(
            "{} {}{platform} — {}",
            sbom.format,
            sbom.spec_version,
            read.blob.short()
        );
        let view = PackagesView::new(title, Arc::new(sbom.clone()));
        state.screen = Some(Screen::Packages(Box::new(view)));
        return true;
    }
    let statement = supply
        .provenance
        .iter()
        .find(|r| r.referrer == *referrer)
        .and_then(|r| r.statement.clone().map(|s| (r.blob.clone(), s)));
    let Some((blob, statement)) = statement else {
        return false;
    };
    let mut view = OutputView::running(format!("provenance statement {}", blob.short()));
    view.finish(&serde_json::to_string_pretty(&*statement).unwrap_or_default());
    state.screen = Some(Screen::Output(Box::new(view)));
    true
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let action = state.settings.keymap.action(&key);
    let height = crate::tui::layout::screen_rows(state.viewport, 2);
    let page = isize::try_from(height).unwrap_or(isize::MAX);
    let Some(Screen::Packages(view)) = &mut state.screen else {
        return Vec::new();
    };
    let movement = action.and_then(|a| super::movement(a, page));
    if let Some(movement) = movement {
        view.move_cursor(movement, height);
        return Vec::new();
    }
    match action {
        Some(Action::Sort) => view.cycle_sort(),
        Some(Action::SortReverse) => view.reverse(),
        Some(Action::Back | Action::Quit) => state.screen = None,
        _ => {}
    }
    Vec::new()
}
