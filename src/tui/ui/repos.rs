//! The repositories pane.

use super::text::{clean, fit};
use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::state::{Load, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let repos = &state.repos;
    let focused = state.focus == Pane::Repos;
    let mut title = format!(" Repositories ({}) ", repos.visible_len());
    if repos.catalog_closed && repos.stale_since.is_none() {
        // Favorites and repositories seen before, not a catalog.
        title = format!(" Repositories ({}) known ", repos.visible_len());
    }
    if !repos.filter().is_empty() {
        title = format!(
            " Repositories ({}/{}) /{} ",
            repos.visible_len(),
            repos.len(),
            clean(repos.filter())
        );
    }
    // Short: this pane is narrow, and the status bar says why.
    if let Some(seen) = repos.stale_since {
        let ago = super::text::ago_seconds(seen, state.now);
        title.push_str(&match repos.load {
            Load::Failed(_) => format!("stored {ago} "),
            _ => format!("as of {ago}… "),
        });
    }
    let block = super::pane_block(&title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if repos.visible_len() == 0 {
        let message = match &repos.load {
            Load::Loading => Line::styled("loading…", theme.dim),
            Load::Failed(e) if repos.catalog_closed => Line::styled(
                format!(
                    "{} — press {} and type a repository",
                    clean(e),
                    state.settings.keymap.first_key(Action::Command)
                ),
                theme.dim,
            ),
            Load::Failed(e) => Line::styled(clean(e).to_string(), theme.error),
            _ if !repos.filter().is_empty() => Line::styled("no match", theme.dim),
            _ => Line::styled("no repositories", theme.dim),
        };
        frame.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }), inner);
        return;
    }
    let width = inner.width as usize;
    let cursor = repos.cursor();
    let lines: Vec<Line> = repos
        .visible_from(cursor.offset())
        .take(inner.height as usize)
        .map(|(pos, name)| {
            let mark = state
                .since
                .repository_mark(&state.source_name, name)
                .unwrap_or(' ');
            let text = format!(
                "{mark}{:<w$}",
                fit(&clean(name), width.saturating_sub(1)),
                w = width.saturating_sub(1)
            );
            let style =
                super::row_style(pos == cursor.selected(), focused, Style::default(), theme);
            Line::from(Span::styled(text, style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
