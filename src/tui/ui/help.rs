//! The help overlay, generated from the live keymap.

use super::theme::Theme;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn render(state: &State, frame: &mut Frame, area: Rect, scroll: usize, theme: &Theme) {
    let rows: Vec<(String, &str)> = state
        .keymap
        .keys
        .iter()
        .map(|(action, keys)| (keys.join(", "), action.description()))
        .collect();
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let width = (key_width + 46).min(area.width as usize) as u16;
    let height = (rows.len() as u16 + 4).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
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
    let shown = height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(shown));
    frame.render_widget(Clear, popup);
    let block = super::pane_block(" Help ", true, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(block),
        popup,
    );
}
