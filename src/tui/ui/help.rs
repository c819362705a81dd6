//! The help overlay, generated from the live keymap.

use super::theme::Theme;
use crate::tui::layout::{help_height, help_max_scroll};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Room for the longest action description.
const DESCRIPTION_WIDTH: usize = 46;

pub fn render(state: &State, frame: &mut Frame, area: Rect, scroll: usize, theme: &Theme) {
    let mut rows: Vec<(String, &str)> = state
        .settings
        .keymap
        .keys
        .iter()
        .map(|(action, keys)| (keys.join(", "), action.description()))
        .collect();
    rows.extend(
        state
            .settings
            .commands
            .iter()
            .map(|c| (c.key_name.clone(), c.description.as_str())),
    );
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let width = u16::try_from(key_width + DESCRIPTION_WIDTH).unwrap_or(u16::MAX);
    let height = help_height(crate::tui::layout::help_lines(&state.settings), area.height);
    let popup = crate::tui::layout::dialog_area(area, width, height);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, description)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_width$}  "), theme.key),
                Span::raw(*description),
            ])
        })
        .collect();
    lines.push(Line::styled(
        " mouse: wheel scrolls, click selects; j/k scroll, any other key closes",
        theme.dim,
    ));
    let scroll = scroll.min(help_max_scroll(lines.len(), area.height));
    frame.render_widget(Clear, popup);
    let block = super::pane_block(" Help ", true, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(block),
        popup,
    );
}
