//! Colours, or only bold/reverse/dim when colour is off (`NO_COLOR`, `--color never`).

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub dim: Style,
    pub error: Style,
    pub accent: Style,
    pub bar: Style,
    pub key: Style,
    /// What a comparison or a layer adds, removes and changes (symbols say
    /// the same: `+`, `-`, `~`).
    pub added: Style,
    pub removed: Style,
    pub changed: Style,
}

impl Theme {
    pub fn new(monochrome: bool) -> Theme {
        let plain = Style::default();
        if monochrome {
            return Theme {
                border: plain,
                border_focused: plain.add_modifier(Modifier::BOLD),
                title: plain.add_modifier(Modifier::BOLD),
                header: plain.add_modifier(Modifier::UNDERLINED),
                selected: plain.add_modifier(Modifier::REVERSED),
                selected_unfocused: plain.add_modifier(Modifier::UNDERLINED),
                dim: plain.add_modifier(Modifier::DIM),
                error: plain.add_modifier(Modifier::BOLD),
                accent: plain.add_modifier(Modifier::BOLD),
                bar: plain,
                key: plain.add_modifier(Modifier::BOLD),
                added: plain.add_modifier(Modifier::BOLD),
                removed: plain.add_modifier(Modifier::DIM),
                changed: plain,
            };
        }
        Theme {
            border: plain.fg(Color::DarkGray),
            border_focused: plain.fg(Color::Cyan),
            title: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: plain.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: plain
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            selected_unfocused: plain.bg(Color::DarkGray).fg(Color::White),
            dim: plain.fg(Color::DarkGray),
            error: plain.fg(Color::Red).add_modifier(Modifier::BOLD),
            accent: plain.fg(Color::Green),
            bar: plain.fg(Color::Magenta),
            key: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            added: plain.fg(Color::Green),
            removed: plain.fg(Color::Red),
            changed: plain.fg(Color::Yellow),
        }
    }
}
