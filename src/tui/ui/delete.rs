//! The delete confirmation dialog.

use super::text::{clean, fit, size};
use super::theme::Theme;
use crate::ops::delete::DeletePlan;
use crate::tui::state::DeleteDialog;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Widest the dialog gets.
const MAX_WIDTH: u16 = 84;
/// `digest ` and `tags   `: the label column.
const LABEL: usize = 7;

pub fn render(dialog: &DeleteDialog, frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let text_width = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = match &dialog.plan {
        None if dialog.error.is_none() => vec![Line::styled(
            "checking every tag of the repository…",
            theme.dim,
        )],
        None => Vec::new(),
        Some(plan) => {
            let mut lines = plan_lines(plan, text_width, theme);
            lines.extend(prompt_lines(dialog, plan, theme));
            lines
        }
    };
    if let Some(e) = &dialog.error {
        lines.push(Line::styled(clean(e).to_string(), theme.error));
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = super::popup(area, width, height);
    frame.render_widget(Clear, popup);
    let typing = dialog.expected.is_some() && dialog.plan.is_some() && !dialog.working;
    let block = super::pane_block(" Delete? ", true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    if typing {
        let typed = u16::try_from(dialog.input.visual_cursor()).unwrap_or(u16::MAX);
        let x = popup.x.saturating_add(3).saturating_add(typed);
        frame.set_cursor_position(Position::new(
            x.min(popup.right().saturating_sub(2)),
            popup.bottom().saturating_sub(2),
        ));
    }
}

/// Each digest with every tag that goes with it, then what it frees.
fn plan_lines<'a>(plan: &DeletePlan, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for group in &plan.groups {
        let digest = format!("{} ({})", group.digest, group.kind);
        lines.push(Line::from(vec![
            Span::styled("digest ", theme.dim),
            Span::raw(fit(&digest, width.saturating_sub(LABEL))),
        ]));
        let tags: Vec<String> = group.tags.iter().map(|t| clean(t).to_string()).collect();
        let tags = if tags.is_empty() {
            "none".into()
        } else {
            tags.join(", ")
        };
        lines.push(Line::from(vec![
            Span::styled("tags   ", theme.dim),
            Span::styled(fit(&tags, width.saturating_sub(LABEL)), theme.error),
        ]));
    }
    lines.push(Line::raw(""));
    let freed = format!(
        "frees {} after the registry's garbage collection (layouts: rm --prune)",
        size(plan.bytes_freed)
    );
    lines.push(Line::raw(fit(&freed, width)));
    lines.push(Line::styled(
        fit(
            "an index's platform manifests stay; a copy goes to the trash",
            width,
        ),
        theme.dim,
    ));
    lines.push(Line::raw(""));
    lines
}

/// What the user does next: confirm (by `y` or typing), or wait.
fn prompt_lines<'a>(dialog: &DeleteDialog, plan: &DeletePlan, theme: &Theme) -> Vec<Line<'a>> {
    if dialog.working {
        return vec![Line::styled("deleting…", theme.accent)];
    }
    if plan.groups.is_empty() {
        return vec![Line::styled("any key closes", theme.dim)];
    }
    match &dialog.expected {
        None => vec![Line::styled("y deletes · any other key cancels", theme.key)],
        Some(expected) => vec![
            Line::styled(
                format!("type {} and Enter to delete · Esc cancels", clean(expected)),
                theme.key,
            ),
            Line::raw(format!("> {}", dialog.input.value())),
        ],
    }
}
