//! The usage view inside the tags pane: per tag, bars of exclusive and shared bytes.

use super::text::{bar, clean, fit, size};
use super::theme::Theme;
use crate::tui::state::{Load, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(data) = state.usage.data.as_ref() else {
        let text = match &state.usage.load {
            Load::Failed(e) => Line::styled(clean(e).to_string(), theme.error),
            _ => Line::styled(
                format!(
                    "sizing every tag of {}…",
                    clean(state.tags.repo.as_deref().unwrap_or(""))
                ),
                theme.dim,
            ),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    let width = area.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("unique ", theme.dim),
        Span::raw(size(data.usage.total_unique_bytes)),
        Span::styled(
            crate::tui::update::marked_freed(state)
                .filter(|_| !state.tags.marked.is_empty())
                .map(|b| format!("   marked frees {}", size(b)))
                .unwrap_or_default(),
            theme.accent,
        ),
    ])];
    let bar_width = width.saturating_sub(36).clamp(4, 20) / 2;
    let tag_width = width.saturating_sub(2 * bar_width + 22).max(6);
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
    for (pos, &i) in state
        .tags
        .visible
        .iter()
        .enumerate()
        .skip(state.tags.cursor.offset)
        .take(rows)
    {
        let row = &state.tags.rows[i];
        let mark = if state.tags.marked.contains(&row.name) {
            "* "
        } else {
            ""
        };
        let name = fit(&format!("{mark}{}", clean(&row.name)), tag_width);
        let figures = state
            .usage
            .by_tag
            .get(&row.name)
            .map(|&k| &data.usage.tags[k]);
        let style = match (pos == state.tags.cursor.selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Default::default(),
        };
        let line = match figures {
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
