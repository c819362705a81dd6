//! The usage view inside the tags pane: per tag, bars of exclusive and shared bytes.

use super::text::{bar, clean, fit, size};
use super::theme::Theme;
use crate::tui::state::{Load, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Columns besides the tag and the two bars: two sizes and the spaces between.
const FIGURE_COLUMNS: usize = 22;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(data) = state.usage.data() else {
        let text = match &state.usage.load {
            Load::Failed(e) => Line::styled(clean(e).to_string(), theme.error),
            _ => Line::styled(
                format!(
                    "sizing every tag of {}…",
                    clean(state.tags.repo().unwrap_or(""))
                ),
                theme.dim,
            ),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    let list = &state.tags.list;
    let width = area.width as usize;
    let marked = state
        .usage
        .marked_freed()
        .filter(|_| list.has_marks())
        .map(|b| format!("   marked frees {}", size(b)))
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        Span::styled("unique ", theme.dim),
        Span::raw(size(data.usage.total_unique_bytes)),
        Span::styled(marked, theme.accent),
    ])];
    let bar_width = width.saturating_sub(36).clamp(4, 20) / 2;
    let tag_width = width.saturating_sub(2 * bar_width + FIGURE_COLUMNS).max(6);
    lines.push(Line::styled(
        format!(
            "{:<tag_width$} {:<w$} {:>9} {:<w$} {:>9}",
            "TAG",
            "EXCLUSIVE",
            "",
            "SHARED",
            "",
            w = bar_width
        ),
        theme.header,
    ));
    let max = data
        .usage
        .tags
        .iter()
        .map(|t| t.exclusive_bytes.max(t.shared_bytes))
        .max()
        .unwrap_or(0);
    let focused = state.focus == Pane::Tags;
    let rows = (area.height as usize).saturating_sub(2);
    let cursor = list.cursor();
    for (pos, row) in list.visible_from(cursor.offset()).take(rows) {
        let mark = if list.is_marked(&row.name) { "* " } else { "" };
        let name = fit(&format!("{mark}{}", clean(&row.name)), tag_width);
        let style = super::row_style(pos == cursor.selected(), focused, Style::default(), theme);
        let line = match state.usage.figures(&row.name) {
            Some(t) => Line::from(vec![
                Span::styled(format!("{name:<tag_width$} "), style),
                Span::styled(bar(t.exclusive_bytes, max, bar_width), theme.bar),
                Span::styled(format!(" {:>9} ", size(t.exclusive_bytes)), style),
                Span::styled(bar(t.shared_bytes, max, bar_width), theme.dim),
                Span::styled(format!(" {:>9}", size(t.shared_bytes)), style),
            ]),
            None => Line::styled(format!("{name:<tag_width$} …"), style),
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}
