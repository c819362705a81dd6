//! The status bar (source, requests in flight, messages) and the key-hint line.

use super::hints;
use super::text::clean;
use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::state::{Dialog, InputKind, Screen, State};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

pub fn render_status(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut spans = vec![Span::styled(
        format!(" {} ", clean(&state.source_name)),
        theme.title,
    )];
    if let Some(note) = &state.note {
        spans.push(Span::styled(format!(" {note} "), theme.dim));
    }
    if state.status.in_flight > 0 {
        let spin = SPINNER[state.status.spinner % SPINNER.len()];
        let mut text = format!(" {spin} {} in flight", state.status.in_flight);
        if state.status.queued > 0 {
            text.push_str(&format!(", {} queued", state.status.queued));
        }
        spans.push(Span::styled(text, theme.accent));
    } else if state.status.queued > 0 {
        // Only a paused queue waits with nothing in flight.
        spans.push(Span::styled(
            format!("  {} queued (paused)", state.status.queued),
            theme.accent,
        ));
    }
    if let Some(Screen::Planner(p)) = &state.screen
        && let Some(total) = super::planner::total(p)
    {
        spans.push(Span::styled(format!("  {total}"), theme.accent));
    }
    if let Some(message) = &state.status.message {
        let style = if message.error {
            theme.error
        } else {
            theme.dim
        };
        spans.push(Span::styled(format!("  {}", clean(&message.text)), style));
    }
    let traffic = state.status.traffic;
    if traffic.sent > 0 {
        spans.push(Span::styled(format!("  {} req", traffic.sent), theme.dim));
    }
    if let Some(r) = traffic.rate_limit {
        let style = if state.status.budget_low {
            theme.error
        } else {
            theme.dim
        };
        spans.push(Span::styled(
            format!("  pulls {}/{}", r.remaining, r.limit),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hint line, or the filter/command input while one is open.
pub fn render_hints(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let typing = match &state.dialog {
        Some(Dialog::Input { kind, input }) => Some((
            match kind {
                InputKind::Filter => "/".to_string(),
                InputKind::Command => ":".to_string(),
            },
            input,
        )),
        Some(Dialog::AddTag { from, input, .. }) => Some((
            format!(
                "new tag for {}: ",
                crate::oci::text::sanitize_line(from, 60)
            ),
            input,
        )),
        _ => None,
    };
    if let Some((prefix, input)) = typing {
        let prefix_width = u16::try_from(prefix.chars().count()).unwrap_or(u16::MAX);
        let width = area.width.saturating_sub(1) as usize;
        let scroll = input.visual_scroll(width);
        let text = format!(
            "{prefix}{}",
            input.value().chars().skip(scroll).collect::<String>()
        );
        frame.render_widget(Paragraph::new(text), area);
        let typed = u16::try_from(input.visual_cursor().saturating_sub(scroll)).unwrap_or(u16::MAX);
        let x = area.x.saturating_add(prefix_width).saturating_add(typed);
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        return;
    }
    let spans = match &state.screen {
        Some(Screen::Planner(_)) => hints::fixed_spans(hints::PLANNER_FORM, theme),
        Some(Screen::Files(_)) => hints::spans(&state.settings.keymap, hints::FILE_TREE, theme),
        Some(Screen::Compare(_)) => hints::spans(&state.settings.keymap, hints::COMPARE, theme),
        Some(Screen::Output(_)) => hints::fixed_spans(hints::OUTPUT, theme),
        Some(Screen::Packages(_)) => hints::spans(&state.settings.keymap, hints::PACKAGES, theme),
        Some(Screen::RegistryUsage(_)) => {
            hints::spans(&state.settings.keymap, hints::REGISTRY_USAGE, theme)
        }
        None => {
            let offered: Vec<(Action, &str)> = hints::PANES
                .iter()
                .copied()
                .filter(|(a, _)| !(state.settings.read_only && hints::DELETING.contains(a)))
                .collect();
            let mut spans = hints::spans(&state.settings.keymap, &offered, theme);
            let yours: Vec<(&str, &str)> = state
                .settings
                .commands
                .iter()
                .map(|c| (c.key_name.as_str(), c.description.as_str()))
                .collect();
            spans.extend(hints::fixed_spans(&yours, theme));
            spans.extend(hints::spans(
                &state.settings.keymap,
                hints::PANES_MORE,
                theme,
            ));
            spans
        }
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
