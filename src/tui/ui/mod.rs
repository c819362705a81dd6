//! Rendering: a pure read of the state, one file per pane or overlay.

mod compare;
mod copy;
mod delete;
mod detail;
mod files;
mod help;
mod hints;
mod output;
mod packages;
mod planner;
mod registry_usage;
mod repos;
mod status;
mod supply;
mod tags;
pub mod text;
pub mod theme;
mod usage;

use super::layout::areas;
use super::state::{Dialog, Screen, State};
use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Block;
use theme::Theme;

pub fn render(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.settings.monochrome);
    let a = areas(frame.area(), state.focus);
    if a.repos.width > 0 {
        repos::render(state, frame, a.repos, &theme);
    }
    if a.tags.width > 0 {
        tags::render(state, frame, a.tags, &theme);
    }
    if let Some(Screen::Planner(p)) = &state.screen {
        // In the detail pane's place (the repositories' when it is hidden).
        let area = if a.detail.width > 0 {
            a.detail
        } else {
            a.repos
        };
        planner::render(p, frame, area, &theme);
    } else if a.detail.width > 0 {
        detail::render(state, frame, a.detail, &theme);
    }
    // The file tree and the comparison take every pane's place.
    let whole = crate::tui::layout::screen_area(frame.area());
    match &state.screen {
        Some(Screen::Files(view)) => files::render(view, state, frame, whole, &theme),
        Some(Screen::Compare(view)) => compare::render(view, frame, whole, &theme),
        Some(Screen::Output(view)) => output::render(view, frame, whole, &theme),
        Some(Screen::Packages(view)) => packages::render(view, frame, whole, &theme),
        Some(Screen::RegistryUsage(view)) => {
            registry_usage::render(view, state, frame, whole, &theme)
        }
        _ => {}
    }
    status::render_status(state, frame, a.status, &theme);
    status::render_hints(state, frame, a.hints, &theme);
    if let Some(Dialog::Delete(dialog)) = &state.dialog {
        delete::render(dialog, frame, frame.area(), &theme);
    }
    if let Some(Dialog::Copy(dialog)) = &state.dialog {
        copy::render(dialog, frame, frame.area(), &theme);
    }
    if let Some(Dialog::Help(scroll)) = state.dialog {
        help::render(state, frame, frame.area(), scroll, &theme);
    }
}

/// The style of a list row: the selection stands out (less when its pane is
/// not focused), other rows keep `normal`.
fn row_style(selected: bool, focused: bool, normal: Style, theme: &Theme) -> Style {
    match (selected, focused) {
        (true, true) => theme.selected,
        (true, false) => theme.selected_unfocused,
        (false, _) => normal,
    }
}

/// A popup of `width` × `height` in the middle of `area` (clipped to it).
fn pane_block<'a>(title: &str, focused: bool, theme: &Theme) -> Block<'a> {
    let (border, title_style) = if focused {
        (theme.border_focused, theme.title)
    } else {
        (theme.border, theme.dim)
    };
    Block::bordered()
        .border_style(border)
        .title(Span::styled(title.to_string(), title_style))
}
