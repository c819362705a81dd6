//! The delete confirmation dialog.

use super::text::{clean, fit, size};
use super::theme::Theme;
use crate::ops::delete::DeletePlan;
use crate::tui::state::DeleteDialog;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// `digest ` and `tags   `: the label column.
const LABEL: usize = 7;

pub fn render(dialog: &DeleteDialog, frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = crate::tui::layout::delete_dialog_width(area.width);
    let text_width = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = match &dialog.plan {
        None if dialog.error.is_none() => vec![Line::styled(
            "checking every tag of the repository…",
            theme.dim,
        )],
        None => Vec::new(),
        Some(plan) => {
            let mut lines = plan_lines(dialog, plan, text_width, theme);
            lines.extend(prompt_lines(dialog, plan, theme));
            lines
        }
    };
    if let Some(e) = &dialog.error {
        lines.push(Line::styled(clean(e).to_string(), theme.error));
    }
    let lines_len = lines.len();
    let height = u16::try_from(lines_len + 2).unwrap_or(u16::MAX);
    let popup = crate::tui::layout::dialog_area(area, width, height);
    frame.render_widget(Clear, popup);
    let typing = dialog.expected.is_some() && dialog.plan.is_some() && !dialog.working;
    let block = super::pane_block(" Delete? ", true, theme);
    let shown = usize::from(popup.height.saturating_sub(2));
    let scroll = dialog.scroll.min(lines_len.saturating_sub(shown));
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
    if typing {
        let typed = u16::try_from(dialog.input.visual_cursor()).unwrap_or(u16::MAX);
        let x = popup.x.saturating_add(3).saturating_add(typed);
        frame.set_cursor_position(Position::new(
            x.min(popup.right().saturating_sub(2)),
            popup.bottom().saturating_sub(2),
        ));
    }
}

/// Each digest with every tag that goes with it (all of them, wrapped), the
/// indexes it breaks, then what it frees.
fn plan_lines<'a>(
    dialog: &DeleteDialog,
    plan: &DeletePlan,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for group in plan.groups.iter().filter(|g| g.child_of.is_none()) {
        group_lines(plan, group, width, theme, &mut lines);
    }
    lines.push(Line::raw(""));
    let freed = format!(
        "frees up to {} after the registry's garbage collection",
        size(plan.bytes_freed)
    );
    lines.push(Line::raw(fit(&freed, width)));
    let undo = if dialog.no_undo {
        "no undo: there is no trash directory to keep a copy in"
    } else {
        "a copy goes to the trash (regscope trash restore)"
    };
    lines.push(Line::styled(fit(undo, width), theme.dim));
    if let Some(brake) = &dialog.brake {
        lines.push(Line::styled(
            fit(&format!("past the brake: {}", clean(brake)), width),
            theme.error,
        ));
    }
    for kept in &plan.kept {
        let line = format!("{} {}", kept.digest.short(), kept.reason);
        lines.push(Line::styled(fit(&line, width), theme.dim));
    }
    lines.push(Line::raw(""));
    lines
}

/// One digest: its tags (wrapped), the indexes it breaks, what goes with it.
fn group_lines(
    plan: &DeletePlan,
    group: &crate::ops::delete::DeleteGroup,
    width: usize,
    theme: &Theme,
    lines: &mut Vec<Line<'_>>,
) {
    let digest = format!("{} ({})", group.digest, group.kind);
    lines.push(Line::from(vec![
        Span::styled("digest ", theme.dim),
        Span::raw(fit(&digest, width.saturating_sub(LABEL))),
    ]));
    let mut tags: Vec<String> = group.tags.iter().map(|t| clean(t).to_string()).collect();
    if tags.is_empty() {
        tags.push("none".to_string());
    }
    for (i, row) in wrap(&tags, width.saturating_sub(LABEL))
        .into_iter()
        .enumerate()
    {
        let label = if i == 0 { "tags   " } else { "       " };
        lines.push(Line::from(vec![
            Span::styled(label, theme.dim),
            Span::styled(row, theme.error),
        ]));
    }
    for parent in &group.part_of {
        let text = format!("breaks the index {}", clean(parent));
        lines.push(Line::styled(fit(&text, width), theme.error));
    }
    let children = plan.children_of(&group.digest);
    if children > 0 {
        let text = format!("       and its {children} platform/attestation manifest(s)");
        lines.push(Line::styled(fit(&text, width), theme.dim));
    }
    if let Some(subject) = &group.referrer_of {
        let text = format!("       refers to {}: goes with it", subject.short());
        lines.push(Line::styled(fit(&text, width), theme.dim));
    }
}

/// Tags joined with `, ` into rows of at most `width` columns; a tag longer
/// than a row is cut.
fn wrap(tags: &[String], width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for tag in tags {
        let piece = fit(tag, width.saturating_sub(2));
        let candidate = if row.is_empty() {
            piece.clone()
        } else {
            format!("{row}, {piece}")
        };
        if candidate.chars().count() > width && !row.is_empty() {
            rows.push(format!("{row},"));
            row = piece;
        } else {
            row = candidate;
        }
    }
    rows.push(row);
    rows
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
