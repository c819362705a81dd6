//! The output of one of your commands, on the whole screen.

use super::text::fit;
use super::theme::Theme;
use crate::tui::state::output::OutputView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

pub fn render(view: &OutputView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = usize::from(area.width.saturating_sub(2));
    let title = format!(
        " {} ",
        fit(
            &crate::oci::text::sanitize(&view.title),
            width.saturating_sub(2)
        )
    );
    let lines: Vec<Line> = match view.lines() {
        None => vec![Line::styled("running…", theme.dim)],
        Some(lines) => lines
            .iter()
            .skip(view.scroll())
            .map(|l| Line::raw(fit(l, width)))
            .collect(),
    };
    frame.render_widget(Clear, area);
    let block = super::pane_block(&title, true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
